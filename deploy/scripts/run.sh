#!/usr/bin/env bash
# `make run`: the whole shop on this machine, from a fresh checkout, as root:
# packages, release build, a private PostgreSQL (unless DATABASE_URL is set), schema and demo
# catalog, the FastCGI pool and nginx on http://127.0.0.1:8000/ (PORT=... to change).
# Ctrl-C (or SIGTERM/SIGHUP to the script or its process group) stops everything this script
# started: the pool, nginx, redis and PostgreSQL; so does a SIGKILL to the script alone (a guard
# process stops them within a second). `kill -USR2 $(cat .data/run/shop.pid)`
# upgrades the pool in place to the binary now on disk (after `make build`).
#
# Defaults (each can be overridden from the environment): DEBUG=0 with a SECRET_KEY generated
# once into .data/secret_key (so sessions survive restarts), MEDIA_ROOT=.data/media,
# ALLOWED_HOSTS=localhost,127.0.0.1, SESSION_FILE_PATH=.data/sessions. With
# SESSION_ENGINE=cache and no CACHE_URL a private redis is started too. SHOP_BINARY=/path uses
# that binary instead of building one.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PORT=${PORT:-8000}
# Fixed ports stay below 32768: Linux hands 32768-60999 to outgoing connections, and on a busy
# loopback one of those can hold the very port a server is about to bind (seen here).
PG_DIR=$DATA/postgres
PG_PORT=${SHOP_PG_PORT:-25432}
REDIS_DIR=$DATA/redis
REDIS_PORT=${SHOP_REDIS_PORT:-26380}
RUN_DIR="$DATA/run"
NGINX_PREFIX="$DATA/nginx"

# What this run started, one word a line (postgres, redis, pool, nginx), each written before its
# service starts, so a signal that arrives while it starts still stops it (every stop below is a
# no-op for what does not run). A file, not variables: the guard (below) reads it too.
STARTED="$RUN_DIR/started.$$"
POOL_PID=""

note_started() { printf '%s\n' "$1" >>"$STARTED"; }
was_started() { grep -qx "$1" "$STARTED" 2>/dev/null; }

# Stops what this run started, in order: the front door first (nginx stops taking requests),
# then the pool finishes its own, then the stores. Messages that cannot be written (the
# terminal or `| tee` went away with the signal) are dropped by log.
stop_started() {
    was_started nginx && { log "stopping nginx"; bash "$SCRIPTS/nginx.sh" stop "$NGINX_PREFIX"; }
    was_started pool && { log "stopping the pool"; stop_pool "$RUN_DIR"; }
    was_started redis && bash "$SCRIPTS/redis.sh" stop "$REDIS_DIR"
    was_started postgres && bash "$SCRIPTS/postgres.sh" stop "$PG_DIR"
    rm -f "$STARTED"
}

# shellcheck disable=SC2317  # called from the EXIT trap
cleanup() {
    local status=$?
    trap - EXIT INT TERM HUP
    set +e
    stop_started
    exit "$status"
}

# The guard: a background subshell, deaf to the signals that stop the script, that stops what
# the script started if the script is gone without having done it. Bash's traps are not enough:
# a SIGHUP to the process group just as the shop comes up sometimes ends bash 5.2.15 without
# its EXIT trap (seen once in 5 to 50 runs under load: the HUP trap ran, in two processes, and
# the cleanup in neither), leaving the pool and nginx running; and nothing runs a trap after a
# SIGKILL. It polls, since a process that is not our child cannot be waited for; after a normal
# stop the list is gone by the time it looks.
start_guard() {
    local script=$$
    (
        trap '' INT TERM HUP
        set +e
        while ! pid_gone "$script"; do sleep 0.5; done
        stop_started
    ) </dev/null &
}

start_database() {
    if [ -n "${DATABASE_URL:-}" ]; then
        log "using DATABASE_URL from the environment"
        return
    fi
    bash "$SCRIPTS/postgres.sh" status "$PG_DIR" || note_started postgres
    bash "$SCRIPTS/postgres.sh" start "$PG_DIR" "$PG_PORT" shop
    DATABASE_URL=$(bash "$SCRIPTS/postgres.sh" socketurl "$PG_DIR" "$PG_PORT" shop)
    export DATABASE_URL
}

start_cache() {
    [ "${SESSION_ENGINE:-}" = cache ] && [ -z "${CACHE_URL:-}" ] || return 0
    note_started redis
    bash "$SCRIPTS/redis.sh" start "$REDIS_DIR" "$REDIS_PORT"
    export CACHE_URL="redis://127.0.0.1:$REDIS_PORT/0"
}

export_settings() {
    export SECRET_KEY="${SECRET_KEY:-$(dev_secret_key)}"
    export DEBUG="${DEBUG:-0}"
    export ALLOWED_HOSTS="${ALLOWED_HOSTS:-localhost,127.0.0.1}"
    export MEDIA_ROOT="${MEDIA_ROOT:-$DATA/media}"
    export SESSION_FILE_PATH="${SESSION_FILE_PATH:-$DATA/sessions}"
    mkdir -p "$MEDIA_ROOT" "$SESSION_FILE_PATH"
}

# An `admin` superuser with a generated password, made once (kept in .data/admin_password).
ensure_admin() {
    local bin=$1 file="$DATA/admin_password" password
    [ -s "$file" ] && return 0
    password=$(head -c 18 /dev/urandom | base64 | tr -d '\n/+=')
    if SHOP_PASSWORD="$password" "$bin" createsuperuser --username admin --email admin@example.com </dev/null; then
        (umask 077 && printf '%s\n' "$password" >"$file")
    else
        warn "createsuperuser failed; make an admin with: SHOP_PASSWORD=... $bin createsuperuser --username U --email E"
    fi
}

main() {
    cd "$REPO_ROOT"
    trap cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    trap 'exit 129' HUP   # the terminal went away
    # A reader gone with the same signal (a terminal, `| tee`) must not kill the script with
    # SIGPIPE on its next message: the write fails instead, and set -e runs the cleanup.
    trap '' PIPE
    port_in_use "$PORT" && die "port $PORT is taken; run with PORT=<another port> make run"
    mkdir -p "$RUN_DIR"
    start_guard

    ensure_deps
    local bin
    bin=$(build_shop release)

    start_database
    start_cache
    export_settings
    log "shop migrate"
    "$bin" migrate
    log "shop loaddemo"
    "$bin" loaddemo
    ensure_admin "$bin"

    log "starting the pool (shop serve)"
    note_started pool
    start_pool "$bin" "$RUN_DIR"
    note_started nginx
    bash "$SCRIPTS/nginx.sh" start "$PORT" "$POOL_SOCKET" "$NGINX_PREFIX"
    curl -fsS -o /dev/null "http://127.0.0.1:$PORT/-/health" || warn "/-/health does not answer 200 yet"

    cat >&2 <<MSG

  The shop runs at  http://127.0.0.1:$PORT/
  The admin:        http://127.0.0.1:$PORT/admin/  user admin, password $(cat "$DATA/admin_password" 2>/dev/null || echo '?')
  Database:         $DATABASE_URL
  Logs:             this terminal (pool), $NGINX_PREFIX/{access,error}.log (nginx)
  Upgrade in place: make build && kill -USR2 \$(cat $RUN_DIR/shop.pid)
  Press Ctrl-C to stop.

MSG
    # Stay in the foreground while the pool runs; Ctrl-C runs cleanup.
    watch_pool "$RUN_DIR"
    POOL_PID=""
    warn "the pool exited"
    exit 1
}

main "$@"
