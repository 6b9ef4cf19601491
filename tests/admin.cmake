# SPDX-License-Identifier: GPL-3.0-or-later
relaydeck_test(tst_adminapi relaydeck_relaysupport)
relaydeck_test(tst_adminhttp relaydeck_relaysupport)
