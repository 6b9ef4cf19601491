#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Tests the installer packages.
#   packaging/test-deb.sh [--build-dir DIR] [--full] [--keep]
#
# Always (seconds; CTest runs this part as tst_package): cpack builds the .deb and the .tgz from a configured and built
# build directory into a temporary directory; their layout, control fields, conffiles and maintainer scripts are
# checked; the packaged default config is loaded by the packaged relaydeckd; lintian must report no error (warnings
# are listed), and desktop-file-validate and appstreamcli validate the desktop entry and the AppStream metainfo.
# Missing tools (lintian, desktop-file-utils, appstream) are installed with apt.
#
# --full (a few minutes, needs root and the network for apt; CI skips it): debootstrap makes a clean Debian 12 root,
# apt installs the .deb into it, then relaydeckd --version; the unit's ExecStart command line runs as the relaydeck
# user (systemd does not run in a chroot); an account pointing at the mock upstream (node, on this machine) and a
# key are created with the relaydeckd CLI; a request goes through; the relay stops; the package is upgraded to a
# newer revision with a locally edited config; the key, account, secret and config edit survive; remove keeps
# data and config; purge deletes them. --keep leaves the root in place for a look.
#
# cpack first brings the build directory up to date (its preinstall step). When several people share one build
# directory, RELAYDECK_BUILD_LOCK=FILE makes every cpack call here wait for flock on FILE.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build="${RELAYDECK_BUILD_DIR:-$here/build}"
full=0
keep=0
mirror="${RELAYDECK_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
while [ $# -gt 0 ]; do
    case "$1" in
    --build-dir) build=$2; shift 2 ;;
    --full) full=1; shift ;;
    --keep) keep=1; shift ;;
    *) echo "usage: $0 [--build-dir DIR] [--full] [--keep]" >&2; exit 2 ;;
    esac
done
build=$(cd "$build" && pwd)

run_cpack() {
    if [ -n "${RELAYDECK_BUILD_LOCK:-}" ]; then
        (cd "$build" && flock "$RELAYDECK_BUILD_LOCK" cpack --config "$build/CPackConfig.cmake" "$@")
    else
        (cd "$build" && cpack --config "$build/CPackConfig.cmake" "$@")
    fi
}
fail() { echo "FAIL: $*" >&2; exit 1; }
step() { echo "== $*"; }
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

need_tools() { # need_tools PACKAGE:COMMAND...
    local missing=()
    for pair in "$@"; do
        command -v "${pair#*:}" >/dev/null 2>&1 || missing+=("${pair%%:*}")
    done
    if [ ${#missing[@]} -gt 0 ]; then
        step "installing ${missing[*]}"
        as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    fi
}

[ -f "$build/CPackConfig.cmake" ] || fail "$build is not a configured build directory (no CPackConfig.cmake)"
[ -x "$build/app/relaydeckd" ] || fail "$build/app/relaydeckd is not built"

work=$(mktemp -d "${TMPDIR:-/tmp}/relaydeck-pkgtest.XXXXXX")
root=""
mock_pid=""
relay_pid=""
cleanup() {
    if [ -n "$relay_pid" ]; then
        kill "$relay_pid" 2>/dev/null || true
        for _ in $(seq 50); do kill -0 "$relay_pid" 2>/dev/null || break; sleep 0.2; done
        kill -KILL "$relay_pid" 2>/dev/null || true
    fi
    if [ -n "$mock_pid" ]; then kill "$mock_pid" 2>/dev/null || true; fi
    if [ -n "$root" ] && mountpoint -q "$root/proc" 2>/dev/null; then umount "$root/proc" || true; fi
    if [ -n "$root" ] && mountpoint -q "$root/proc" 2>/dev/null; then
        echo "$root/proc is still mounted: left $work in place" >&2
    elif [ "$keep" = 1 ]; then
        echo "kept: $work"
    else
        rm -rf "$work"
    fi
}
trap cleanup EXIT

# ---------------------------------------------------------------------------------------------------------------
step "cpack: .deb and .tgz into $work"
run_cpack -G "DEB;TGZ" -B "$work/out" >"$work/cpack.log" 2>&1 ||
    { cat "$work/cpack.log"; fail "cpack failed"; }
deb=$(ls "$work"/out/relaydeck_*_*.deb)
tgz=$(ls "$work"/out/relaydeck-*.tar.gz)
echo "$deb"
echo "$tgz"

step "dpkg-deb -I"
dpkg-deb -I "$deb"
field() { dpkg-deb -f "$deb" "$1"; }
[ "$(field Package)" = relaydeck ] || fail "package name"
for dep in adduser libqt6core6 libqt6network6 libqt6widgets6 libqt6svg6 libhiredis libssl3; do
    field Depends | grep -q "$dep" || fail "Depends lacks $dep: $(field Depends)"
done
field Recommends | grep -q redis-server || fail "redis-server is not recommended"
dpkg-deb -e "$deb" "$work/control"
grep -qx /etc/relaydeck/relaydeck.conf "$work/control/conffiles" || fail "relaydeck.conf is not a conffile"
for script in postinst prerm postrm; do
    [ -x "$work/control/$script" ] || fail "$script missing or not executable"
done

step "dpkg-deb -c (FHS layout)"
dpkg-deb -c "$deb" | awk '{print $1, $2, $6}'
dpkg-deb -c "$deb" | awk '{print $6}' | sed 's|^\./|/|' >"$work/files"
for path in /usr/bin/relaydeck /usr/bin/relaydeckd /lib/systemd/system/relaydeckd.service /etc/relaydeck/relaydeck.conf \
    /usr/share/applications/relaydeck.desktop /usr/share/metainfo/io.github.relaydeck.RelayDeck.metainfo.xml \
    /usr/share/icons/hicolor/scalable/apps/relaydeck.svg /usr/share/icons/hicolor/48x48/apps/relaydeck.png \
    /usr/share/icons/hicolor/64x64/apps/relaydeck.png /usr/share/icons/hicolor/128x128/apps/relaydeck.png \
    /usr/share/icons/hicolor/256x256/apps/relaydeck.png /usr/share/man/man8/relaydeckd.8.gz \
    /usr/share/man/man1/relaydeck.1.gz /usr/share/doc/relaydeck/copyright /usr/share/doc/relaydeck/changelog.Debian.gz; do
    grep -qx "$path" "$work/files" || fail "$path is not in the .deb"
done
if grep -E '^/(usr/local|var|home|tmp|relaydeck-)' "$work/files"; then fail "files outside the FHS layout"; fi

step "tar -tzf (relocatable tree, nothing under /etc or /lib)"
tar -tzf "$tgz" >"$work/tfiles"
top=$(basename "$tgz" .tar.gz)
for path in bin/relaydeckd bin/relaydeck share/relaydeck/relaydeck.conf share/relaydeck/relaydeckd.service \
    share/man/man8/relaydeckd.8.gz; do
    grep -qx "$top/$path" "$work/tfiles" || fail "$path is not in the .tgz"
done
if grep -E "^$top/(etc|lib)/" "$work/tfiles"; then fail "the .tgz carries absolute system paths"; fi

step "the packaged relaydeckd loads the packaged config (as shipped, and with every commented-out default set)"
dpkg-deb -x "$deb" "$work/root"
conf="$work/root/etc/relaydeck/relaydeck.conf"
"$work/root/usr/bin/relaydeckd" --config "$conf" --print-config >"$work/print-config" || fail "shipped config rejected"
grep -q '^data-dir = /var/lib/relaydeck ' "$work/print-config" || fail "data-dir is not /var/lib/relaydeck"
grep -q '^secret-file = /var/lib/relaydeck/secret.key ' "$work/print-config" || fail "secret-file is not in /var/lib"
sed -E 's/^# ([a-z.-]+ = .*)$/\1/' "$conf" >"$work/uncommented.conf"
"$work/root/usr/bin/relaydeckd" --config "$work/uncommented.conf" --print-config >/dev/null ||
    fail "a commented-out default in relaydeck.conf is not a valid setting"
exec_start=$(sed -n 's/^ExecStart=//p' "$work/root/lib/systemd/system/relaydeckd.service")
[ "$exec_start" = "/usr/bin/relaydeckd --config /etc/relaydeck/relaydeck.conf --data-dir /var/lib/relaydeck" ] ||
    fail "unexpected ExecStart: $exec_start"
if command -v systemd-analyze >/dev/null 2>&1; then
    systemd-analyze verify "$work/root/lib/systemd/system/relaydeckd.service" || true
fi

need_tools lintian:lintian desktop-file-utils:desktop-file-validate appstream:appstreamcli

step "desktop-file-validate"
desktop-file-validate "$work/root/usr/share/applications/relaydeck.desktop"
step "appstreamcli validate"
appstreamcli validate --no-net --pedantic --explain "$work/root/usr/share/metainfo/io.github.relaydeck.RelayDeck.metainfo.xml"
if command -v shellcheck >/dev/null 2>&1; then
    step "shellcheck maintainer scripts"
    shellcheck -s sh "$work/control/postinst" "$work/control/prerm" "$work/control/postrm"
fi

step "lintian (errors fail; warnings and info are listed)"
lintian --display-info --fail-on error "$deb" 2>&1 | grep -v '^running with root privileges' | tee "$work/lintian.log" ||
    fail "lintian reported errors"
echo "lintian: $(grep -c '^E:' "$work/lintian.log" || true) errors, $(grep -c '^W:' "$work/lintian.log" || true) warnings," \
    "$(grep -c '^I:' "$work/lintian.log" || true) info"

if [ "$full" = 0 ]; then
    echo "PASS (package checks; run with --full for the install test in a clean Debian 12 root)"
    exit 0
fi

# ---------------------------------------------------------------------------------------------------------------
[ "$(id -u)" -eq 0 ] || fail "--full needs root (debootstrap, chroot)"
need_tools debootstrap:debootstrap curl:curl
command -v node >/dev/null 2>&1 || fail "--full needs node for the mock upstream"
root="$work/debian12"
step "debootstrap: clean Debian 12 (bookworm, minbase) in $root"
debootstrap --variant=minbase bookworm "$root" "$mirror" >"$work/debootstrap.log" 2>&1 ||
    { tail -20 "$work/debootstrap.log"; fail "debootstrap failed"; }
cp /etc/resolv.conf "$root/etc/resolv.conf"
# Packages' maintainer scripts must not start services inside the chroot (redis-server's would).
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 0755 "$root/usr/sbin/policy-rc.d"
mount -t proc proc "$root/proc"
in_root() { chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"; }
as_service() { chroot --userspec=relaydeck:relaydeck "$root" env -i PATH=/usr/bin:/bin HOME=/var/lib/relaydeck LANG=C.UTF-8 "$@"; }

step "apt install the .deb (with its recommends: redis-server)"
cp "$deb" "$root/tmp/"
in_root apt-get update -qq
in_root apt-get install -y -qq "/tmp/$(basename "$deb")" >"$work/apt-install.log" 2>&1 ||
    { tail -30 "$work/apt-install.log"; fail "apt install failed"; }
in_root dpkg -s relaydeck | grep -E '^(Status|Version):'
in_root relaydeckd --version
in_root getent passwd relaydeck || fail "no relaydeck user"
[ "$(in_root stat -c %U:%a /var/lib/relaydeck)" = relaydeck:750 ] || fail "/var/lib/relaydeck is not relaydeck:750"
[ -f "$root/etc/relaydeck/relaydeck.conf" ] || fail "no /etc/relaydeck/relaydeck.conf"

step "mock upstream on the host"
node "$here/tests/mock-upstream/mock-anthropic.mjs" --host 127.0.0.1 --port 0 --quiet >"$work/mock.out" 2>&1 &
mock_pid=$!
for _ in $(seq 100); do grep -q MOCK_LISTENING "$work/mock.out" && break; sleep 0.1; done
mock_port=$(sed -n 's/.*MOCK_LISTENING port=\([0-9]*\).*/\1/p' "$work/mock.out")
[ -n "$mock_port" ] || fail "mock upstream did not start: $(cat "$work/mock.out")"
relay_port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')

start_relay() {
    step "start: $exec_start --listen 127.0.0.1:$relay_port (as relaydeck)"
    # exec all the way down, so that $! is relaydeckd itself and SIGTERM reaches it.
    # shellcheck disable=SC2086 # ExecStart is a plain word list
    (exec chroot --userspec=relaydeck:relaydeck "$root" env -i PATH=/usr/bin:/bin HOME=/var/lib/relaydeck LANG=C.UTF-8 \
        $exec_start --listen "127.0.0.1:$relay_port" --workers 2) >>"$work/relay.log" 2>&1 &
    relay_pid=$!
    for _ in $(seq 150); do
        curl -fsS "http://127.0.0.1:$relay_port/health" >/dev/null 2>&1 && return 0
        kill -0 "$relay_pid" 2>/dev/null || { cat "$work/relay.log"; fail "relaydeckd exited"; }
        sleep 0.1
    done
    cat "$work/relay.log"
    fail "relaydeckd did not answer /health"
}
stop_relay() {
    step "stop (SIGTERM)"
    kill -TERM "$relay_pid"
    local rc=0
    wait "$relay_pid" || rc=$?
    relay_pid=""
    [ "$rc" = 0 ] || { tail -20 "$work/relay.log"; fail "relaydeckd exited with $rc on SIGTERM"; }
}
cli() { as_service relaydeckd --config /etc/relaydeck/relaydeck.conf "$@"; }
send() {
    curl -sS -o "$work/answer.json" -w '%{http_code}' "http://127.0.0.1:$relay_port/v1/messages" \
        -H "x-api-key: $1" -H 'anthropic-version: 2023-06-01' -H 'content-type: application/json' \
        -d '{"model":"claude-sonnet-4-5","max_tokens":32,"messages":[{"role":"user","content":"hello"}]}'
}

start_relay
[ -s "$root/var/lib/relaydeck/admin-password" ] || fail "no first-start admin password in /var/lib/relaydeck"
[ -s "$root/var/lib/relaydeck/secret.key" ] || fail "no server secret in /var/lib/relaydeck"
step "account and key with the relaydeckd CLI (as relaydeck, the running relay's embedded Redis)"
echo "sk-ant-mock-key" | cli account add --type apikey --name mock --base-url "http://127.0.0.1:$mock_port" --api-key-file -
key=$(cli key create --name pkgtest 2>/dev/null)
[ -n "$key" ] || fail "key create printed no key"
step "request through the relay"
code=$(send "$key")
[ "$code" = 200 ] || { cat "$work/answer.json"; tail -20 "$work/relay.log"; fail "HTTP $code"; }
grep -q '"type":"message"' "$work/answer.json" || fail "not a message: $(cat "$work/answer.json")"
echo "200: $(head -c 200 "$work/answer.json")"
stop_relay

step "upgrade to a newer revision, with a local edit of the conffile"
echo "# local edit kept across upgrades" >>"$root/etc/relaydeck/relaydeck.conf"
run_cpack -G DEB -B "$work/out2" -D CPACK_DEBIAN_PACKAGE_RELEASE=2 >"$work/cpack2.log" 2>&1 || { cat "$work/cpack2.log"; fail "cpack (revision 2) failed"; }
deb2=$(ls "$work"/out2/relaydeck_*-2_*.deb)
cp "$deb2" "$root/tmp/"
in_root apt-get install -y -qq -o Dpkg::Options::=--force-confold "/tmp/$(basename "$deb2")" >"$work/apt-upgrade.log" 2>&1 ||
    { tail -30 "$work/apt-upgrade.log"; fail "upgrade failed"; }
in_root dpkg -s relaydeck | grep -E '^Version: .*-2$' || fail "not upgraded"
grep -q '^# local edit kept across upgrades' "$root/etc/relaydeck/relaydeck.conf" || fail "upgrade lost the config edit"
start_relay
code=$(send "$key")
[ "$code" = 200 ] || { cat "$work/answer.json"; fail "the key or account did not survive the upgrade (HTTP $code)"; }
echo "the key, account and secret survived the upgrade: 200"
stop_relay

step "remove: data and config stay"
in_root apt-get remove -y -qq relaydeck >"$work/apt-remove.log" 2>&1 || { cat "$work/apt-remove.log"; fail "remove failed"; }
[ ! -e "$root/usr/bin/relaydeckd" ] || fail "relaydeckd still installed"
[ -s "$root/var/lib/relaydeck/secret.key" ] || fail "remove deleted the data"
[ -f "$root/etc/relaydeck/relaydeck.conf" ] || fail "remove deleted the config"
in_root dpkg -s relaydeck | grep -E '^Status: deinstall ok config-files' || fail "unexpected status after remove"

step "purge: data and config go"
in_root apt-get purge -y -qq relaydeck >"$work/apt-purge.log" 2>&1 || { cat "$work/apt-purge.log"; fail "purge failed"; }
[ ! -e "$root/var/lib/relaydeck" ] || fail "purge left /var/lib/relaydeck"
[ ! -e "$root/etc/relaydeck" ] || fail "purge left /etc/relaydeck"
if in_root dpkg -s relaydeck >/dev/null 2>&1; then fail "relaydeck is still known to dpkg"; fi

echo "PASS (package checks and the full install, request, upgrade, remove and purge test in a clean Debian 12 root)"
