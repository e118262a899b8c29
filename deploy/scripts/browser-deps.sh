#!/usr/bin/env bash
# What the browser journeys (Tests/BrowserJourneys) need, installed only when missing and quietly:
# Debian's chromium with its matching chromedriver and a font, and a git-ignored Python virtual
# environment with Selenium and pytest from PyPI (Tests/BrowserJourneys/requirements.txt).
# Selenium is given /usr/bin/chromedriver and /usr/bin/chromium explicitly, so its
# selenium-manager never downloads a driver or a browser (nothing but Debian and PyPI is
# reachable here). Prints the venv's python on stdout.
#
#   browser-deps.sh            install what is missing (apt-get as root), then print the python
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# fonts-liberation: Arial/Helvetica metrics, so screenshots look as on a desktop (with no
# font at all the pages would render as boxes). python3-venv: Debian's python lacks venv without it.
PACKAGES=(chromium chromium-driver fonts-liberation python3-venv)
VENV="$DATA/browser-venv"
REQUIREMENTS="$REPO_ROOT/Tests/BrowserJourneys/requirements.txt"
# Debian's python, not whatever a version manager put first on PATH: the venv must outlive it.
PYTHON=/usr/bin/python3

installed() {
    [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" = installed ]
}

install_packages() {
    local missing=() pkg
    for pkg in "${PACKAGES[@]}"; do
        installed "$pkg" || missing+=("$pkg")
    done
    [ "${#missing[@]}" -eq 0 ] && return 0
    is_root || die "missing ${missing[*]}; run deploy/scripts/browser-deps.sh as root"
    log "installing ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; } ||
        die "apt-get failed to install: ${missing[*]}"
}

# The venv is rebuilt when requirements.txt changes (its copy inside the venv is the stamp).
install_venv() {
    if [ -x "$VENV/bin/python" ] && cmp -s "$REQUIREMENTS" "$VENV/requirements.txt"; then
        return 0
    fi
    log "creating $VENV (Selenium, pytest from PyPI)"
    rm -rf "$VENV"
    "$PYTHON" -m venv "$VENV" || die "python3 -m venv failed"
    PIP_DISABLE_PIP_VERSION_CHECK=1 "$VENV/bin/pip" install -q -r "$REQUIREMENTS" ||
        { rm -rf "$VENV"; die "pip could not install $REQUIREMENTS"; }
    cp "$REQUIREMENTS" "$VENV/requirements.txt"
}

main() {
    install_packages
    install_venv
    printf '%s\n' "$VENV/bin/python"
}

main "$@"
