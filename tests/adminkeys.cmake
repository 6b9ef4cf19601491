# SPDX-License-Identifier: GPL-3.0-or-later
# Admin API key routes, KeyJson and KeyCatalog (relaycore/admin/key*), against a real redis-server.
relaydeck_test(tst_adminkeys relaycore_admin)
