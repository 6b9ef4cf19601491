# SPDX-License-Identifier: GPL-3.0-or-later
relaydeck_test(tst_upstreamproxy relaycore_upstream)
relaydeck_test(tst_oauth relaycore_relay)
