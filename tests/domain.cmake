# SPDX-License-Identifier: GPL-3.0-or-later
# Tests of relaycore/domain (API keys, accounts, secrets, change feed), the Redis Subscriber and the management CLI.
# Each starts its own redis-server.
relaydeck_test(tst_subscriber relaycore_redis)
relaydeck_test(tst_keyrules relaycore_domain)
relaydeck_test(tst_domainkeys relaycore_domain)
relaydeck_test(tst_domainaccounts relaycore_domain)
relaydeck_test(tst_cli relaycore_domain)
add_dependencies(tst_cli relaydeckd)
