#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-3.0-or-later
# One entry point for a fresh Debian 12 / Ubuntu machine. Idempotent: run it as often as you like.
#   scripts/dev.sh run [options]              install what is missing, build, start RelayDeck on its defaults: the
#                                             console with its bundled relay, or relaydeckd when there is no display
#   scripts/dev.sh screenshots                render every console page to docs/screenshots/ (offscreen)
#   scripts/dev.sh test                       install what is missing, build (warnings as errors), run every test
#   scripts/dev.sh build                      install what is missing and build
#   scripts/dev.sh package                    install what is missing, build, and make the installer packages
#                                             (.deb, .tgz; .rpm when rpmbuild exists) in build/packages/
#   scripts/dev.sh deps                       only install the system packages
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build="${RELAYDECK_BUILD_DIR:-$here/build}"
jobs=$(nproc 2>/dev/null || echo 2)

packages=(
    build-essential cmake ninja-build pkg-config git
    qt6-base-dev qt6-base-dev-tools qt6-httpserver-dev qt6-charts-dev qt6-tools-dev qt6-tools-dev-tools
    qt6-l10n-tools qt6-translations-l10n qt6-svg-dev libgl-dev
    libhiredis-dev libspdlog-dev libfmt-dev libssl-dev libhttp-parser-dev
    redis-server openssl fonts-dejavu-core
    lintian desktop-file-utils appstream # tst_package checks the installer packages with these
)

as_root() {
    if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

deps() {
    local missing=()
    for p in "${packages[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
    done
    # The mock Anthropic upstream used by tests and demos runs on Node.js; keep a node that is already there.
    command -v node >/dev/null 2>&1 || missing+=(nodejs)
    command -v npm >/dev/null 2>&1 || missing+=(npm)
    if [ ${#missing[@]} -gt 0 ]; then
        echo "Installing: ${missing[*]}"
        as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq
        as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
    fi
    # The embedded default starts its own redis-server child; the distribution's service is not needed for that.
}

# The official Anthropic SDK for the compatibility test, pinned by tests/sdk/package-lock.json.
sdk_deps() {
    if [ ! -d "$here/tests/sdk/node_modules/@anthropic-ai/sdk" ]; then
        (cd "$here/tests/sdk" && npm ci --no-audit --no-fund --loglevel=error)
    fi
}

configure() {
    local werror=${1:-OFF}
    cmake -S "$here" -B "$build" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DRELAYDECK_WERROR="$werror" >/dev/null
}

compile() {
    cmake --build "$build" -j "$jobs"
}

cmd=${1:-run}
shift || true
case "$cmd" in
deps)
    deps
    sdk_deps
    ;;
build)
    deps
    configure OFF
    compile
    ;;
package)
    deps
    configure OFF
    compile
    cd "$build"
    cpack
    ls -l "$build/packages"
    ;;
run)
    deps
    configure OFF
    compile
    # The console (with the relay bundled in it) when there is a display; the headless relay otherwise.
    if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ "${RELAYDECK_HEADLESS:-0}" != 1 ]; then
        exec "$build/app/relaydeck" "$@"
    fi
    echo "No display found: starting the headless relay (relaydeckd). Open the console on a desktop with" \
        "'$build/app/relaydeck --connect http://HOST:PORT'." >&2
    exec "$build/app/relaydeckd" "$@"
    ;;
screenshots)
    # Renders every console page with realistic data (the GUI tests save them) into docs/screenshots/.
    deps
    configure OFF
    compile
    cd "$build"
    RELAYDECK_SCREENSHOT_DIR="$here/docs/screenshots" ctest -R '^tst_console' --output-on-failure
    ls -l "$here/docs/screenshots"
    ;;
test)
    deps
    sdk_deps
    configure ON
    compile
    cd "$build"
    exec ctest --output-on-failure --timeout 600 "$@"
    ;;
*)
    echo "usage: $0 run|test|build|package|deps|screenshots" >&2
    exit 2
    ;;
esac
