# SPDX-License-Identifier: GPL-3.0-or-later
# The admin API's upstream account and account group routes (with the account test request), against a real
# redis-server and the mock upstream.
relaydeck_test(tst_adminaccounts relaycore_admin)
