# SPDX-License-Identifier: GPL-3.0-or-later
# Per-generator CPack settings, read by cpack for each generator (CPACK_PROJECT_CONFIG_FILE).
# Archives are relocatable trees: they carry only the files under the prefix, never the "system" component with its
# absolute /etc and /lib paths (an archive generator would install those onto the build machine itself). The
# service's unit and config are in share/relaydeck/ for them.
if(CPACK_GENERATOR MATCHES "^(TGZ|TXZ|TBZ2|ZIP|7Z)$")
    set(CPACK_COMPONENTS_ALL Unspecified)
    set(CPACK_COMPONENT_INCLUDE_TOPLEVEL_DIRECTORY ON)
endif()
