# SPDX-License-Identifier: GPL-3.0-or-later
# The admin API's live metrics, history and per-request timing records.
relaydeck_test(tst_requestlog relaycore_relay)
relaydeck_test(tst_livemetrics relaycore_admin relaydeck_relaysupport)
