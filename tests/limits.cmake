# SPDX-License-Identifier: GPL-3.0-or-later
# Tests of relaycore/limits (per-key limits in one Lua call); they start a real redis-server.
relaydeck_test(tst_limits relaycore_limits)
