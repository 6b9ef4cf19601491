# SPDX-License-Identifier: GPL-3.0-or-later
if(RELAYDECK_BUILD_CONSOLE)
    relaydeck_console_test(tst_consoledashboard)
endif()
