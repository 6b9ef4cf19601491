# SPDX-License-Identifier: GPL-3.0-or-later
relaydeck_test(tst_httpserver relaycore_http)
relaydeck_test(tst_writebatch relaycore_http)
relaydeck_test(tst_epolldispatcher relaycore_http)
