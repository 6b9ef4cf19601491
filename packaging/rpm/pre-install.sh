# SPDX-License-Identifier: GPL-3.0-or-later
# relaydeck %pre (RPM): the service's system user. Untested: the build machine has no rpmbuild.
getent group relaydeck >/dev/null || groupadd -r relaydeck
getent passwd relaydeck >/dev/null ||
    useradd -r -g relaydeck -d /var/lib/relaydeck -s /sbin/nologin -c "RelayDeck relay" relaydeck
exit 0
