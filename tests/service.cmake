# SPDX-License-Identifier: GPL-3.0-or-later
# The relay process as a whole: RelayService in-process, and the relaydeckd executable as a child process.
relaydeck_test(tst_relayservice relaycore)
relaydeck_test(tst_relaydeckd relaycore_config)
add_dependencies(tst_relaydeckd relaydeckd)
