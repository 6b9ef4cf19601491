# SPDX-License-Identifier: GPL-3.0-or-later
# Tests of relaycore/redis (the hiredis client and key names); tst_redisclient starts real redis-servers.
relaydeck_test(tst_keyspace relaycore_redis)
relaydeck_test(tst_redisclient relaycore_redis)
