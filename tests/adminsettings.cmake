# SPDX-License-Identifier: GPL-3.0-or-later
# The config file editor (tst_configfilewriter) and the admin API's settings resource over HTTP against a whole relay
# (tst_adminsettings: real redis-server, mock upstream).
relaydeck_test(tst_configfilewriter relaycore_config)
relaydeck_test(tst_adminsettings relaydeck_relaysupport)
