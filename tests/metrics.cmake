# SPDX-License-Identifier: GPL-3.0-or-later
relaydeck_test(tst_histogram relaycore_metrics)
relaydeck_test(tst_metrics relaycore_metrics)
