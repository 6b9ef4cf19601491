# SPDX-License-Identifier: GPL-3.0-or-later
# Tests of relaycore/usage (prices, usage recording, concurrency leases); they start real redis-servers.
relaydeck_test(tst_pricing relaycore_usage)
relaydeck_test(tst_usagerecorder relaycore_usage)
relaydeck_test(tst_leases relaycore_usage)
