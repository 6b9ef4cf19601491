# SPDX-License-Identifier: GPL-3.0-or-later
# GUI tests of the console: offscreen, against a real bundled relay (ConsoleFixture).
if(RELAYDECK_BUILD_CONSOLE)
    file(GLOB _consolesupport CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/consolesupport/*.cpp
        ${CMAKE_CURRENT_SOURCE_DIR}/consolesupport/*.h)
    add_library(relaydeck_consolesupport STATIC ${_consolesupport})
    target_include_directories(relaydeck_consolesupport PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/consolesupport)
    target_link_libraries(relaydeck_consolesupport PUBLIC relaydeck_relaysupport relaydeck_bundled Qt6::Test)

    # relaydeck_console_test(tst_x): a console test linked with the fixture, run offscreen.
    function(relaydeck_console_test name)
        relaydeck_test(${name} relaydeck_consolesupport ${ARGN})
        if(TARGET ${name})
            set_tests_properties(${name} PROPERTIES ENVIRONMENT "QT_QPA_PLATFORM=offscreen;QT_SCALE_FACTOR=1")
        endif()
    endfunction()

    relaydeck_console_test(tst_consolewindow)
endif()
