#!/usr/bin/env bash
# Stops whatever the other scripts left running from this checkout's .data/ (after a script was
# killed with SIGKILL, say): pools, nginx, redis and PostgreSQL. Never touches servers that
# were not started from .data/. With --destroy, also deletes the PostgreSQL clusters (which may
# live in /var/tmp, see postgres.sh) so that `make clean` can remove .data.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

main() {
    local dir
    for dir in "$DATA/run" "$DATA/bench"; do
        POOL_PID="" stop_pool "$dir"
    done
    # The lists of what `make run`s started (run.sh), left behind when a run and its guard were
    # both killed: everything they name is stopped here.
    rm -f "$DATA"/run/started.*
    for dir in "$DATA/nginx" "$DATA/bench/nginx"; do
        bash "$SCRIPTS/nginx.sh" stop "$dir"
    done
    for dir in "$DATA/redis" "$DATA/redis-test"; do
        bash "$SCRIPTS/redis.sh" stop "$dir"
    done
    for dir in "$DATA/postgres" "$DATA/postgres-test"; do
        if [ "${1:-}" = --destroy ]; then
            bash "$SCRIPTS/postgres.sh" destroy "$dir"
        else
            bash "$SCRIPTS/postgres.sh" stop "$dir"
        fi
    done
}

main "$@"
