# SPDX-License-Identifier: GPL-3.0-or-later
relaydeck_test(tst_settings relaycore_config)
relaydeck_test(tst_logging relaycore_log)
relaydeck_test(tst_embeddedredis relaycore_embedded)
