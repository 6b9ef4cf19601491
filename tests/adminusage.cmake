# SPDX-License-Identifier: GPL-3.0-or-later
# Tests of the admin API's usage queries and routes (relaycore/admin/usagequery, usageroutes); real redis-server.
relaydeck_test(tst_adminusage relaycore_admin)
