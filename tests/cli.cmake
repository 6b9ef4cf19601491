# SPDX-License-Identifier: GPL-3.0-or-later
# tst_cli (registered in domain.cmake) also checks `relaydeckd admin …` by signing in with an AdminAuth of its own.
# Deferred to the end of the directory: this fragment is included before domain.cmake defines the target.
cmake_language(DEFER CALL target_link_libraries tst_cli PRIVATE relaycore_admin)
