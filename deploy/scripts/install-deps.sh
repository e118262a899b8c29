#!/usr/bin/env bash
# Installs the Debian packages the shop builds, runs, tests and benchmarks with, but only those
# that are missing: `apt-get update` is slow, so it runs only when something has to be installed.
# Quiet when everything is there. Run as root. Swift itself is not a Debian package here: it is
# expected at /opt/swift and only checked.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Build: C libraries behind the system-library targets of Package.swift (pkg-config names
# fcgi, libpq, libcrypto, hiredis, zlib). Run/test: the servers. Bench: wrk and curl. Test:
# python3-venv, for the Django that test.sh installs from PyPI beside the suite.
PACKAGES=(libfcgi-dev libfcgi-bin libpq-dev libssl-dev libhiredis-dev zlib1g-dev pkg-config
          postgresql redis-server wrk curl python3-venv)
# Any nginx flavour will do; nginx-light is the smallest that has FastCGI.
NGINX_FLAVOURS=(nginx-light nginx nginx-core nginx-full nginx-extras)

installed() {
    [ "$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null)" = installed ]
}

missing_packages() {
    local pkg flavour
    for pkg in "${PACKAGES[@]}"; do
        installed "$pkg" || printf '%s\n' "$pkg"
    done
    for flavour in "${NGINX_FLAVOURS[@]}"; do
        installed "$flavour" && return 0
    done
    printf '%s\n' nginx-light
}

main() {
    is_root || die "install-deps.sh must run as root (it calls apt-get)"
    local missing
    mapfile -t missing < <(missing_packages)
    if [ "${#missing[@]}" -gt 0 ]; then
        log "installing ${missing[*]}"
        export DEBIAN_FRONTEND=noninteractive
        # Package scripts would start system-wide postgres/nginx/redis on their default ports;
        # the shop runs private instances, so keep the installs from starting anything.
        local policy=/usr/sbin/policy-rc.d created_policy=0
        if [ ! -e "$policy" ]; then
            printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && created_policy=1
        fi
        local status=0
        { apt-get update -qq && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; } || status=$?
        [ "$created_policy" -eq 1 ] && rm -f "$policy"
        [ "$status" -eq 0 ] || die "apt-get failed to install: ${missing[*]}"
    fi
    require_swift
}

main "$@"
