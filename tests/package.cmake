# SPDX-License-Identifier: GPL-3.0-or-later
# tst_package: the installer packages (cpack .deb and .tgz, their layout and control fields, lintian,
# desktop-file-validate, appstreamcli). The slow install test in a clean Debian 12 root is
# `packaging/test-deb.sh --full` (root, network), which CTest does not run.
if(RELAYDECK_BUILD_CONSOLE)
    add_test(NAME tst_package COMMAND ${PROJECT_SOURCE_DIR}/packaging/test-deb.sh --build-dir ${PROJECT_BINARY_DIR})
    set_tests_properties(tst_package PROPERTIES TIMEOUT 600 LABELS package)
endif()
