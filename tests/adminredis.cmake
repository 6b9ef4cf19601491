# SPDX-License-Identifier: GPL-3.0-or-later
# The admin API's Redis inspection and log routes, driven through an AdminRouter (tst_adminredis starts a real
# redis-server).
relaydeck_test(tst_adminredis relaycore_admin)
relaydeck_test(tst_adminlogs relaycore_admin relaydeck_relaysupport)
