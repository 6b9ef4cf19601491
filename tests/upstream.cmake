# SPDX-License-Identifier: GPL-3.0-or-later
relaydeck_test(tst_sseusageparser relaycore_upstream)
relaydeck_test(tst_upstream relaycore_upstream)
relaydeck_test(tst_nativeupstream relaycore_upstream)
