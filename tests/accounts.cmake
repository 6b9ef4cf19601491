# SPDX-License-Identifier: GPL-3.0-or-later
# Account groups (domain) and the relay's account directory, scheduler and Redis sync. Each starts its own
# redis-server.
relaydeck_test(tst_groupstore relaycore_domain)
relaydeck_test(tst_accountdirectory relaycore_relay)
