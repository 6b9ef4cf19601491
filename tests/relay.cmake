# SPDX-License-Identifier: GPL-3.0-or-later
relaydeck_test(tst_messagerequest relaycore_relay)
relaydeck_test(tst_relay relaydeck_relaysupport)
relaydeck_test(tst_sdkcompat relaydeck_relaysupport)
relaydeck_test(tst_relaylimits relaydeck_relaysupport)
