#!/usr/bin/env bash
# A private redis-server for the `cache` session engine (CACHE_URL=redis://127.0.0.1:PORT/0):
# daemonized, bound to 127.0.0.1, no persistence, its pidfile and log inside DIR.
#
#   redis.sh start DIR PORT    start it unless it already runs (idempotent); waits for PONG
#   redis.sh stop  DIR [PORT]  stop the server started from DIR, if it runs
#
# DIR is taken from the repo root when relative (.data/redis-test for `make test`,
# .data/redis for `make run`/`make bench`).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() { die "usage: redis.sh start|stop DIR [PORT]"; }

server_pid() {
    local pid
    pid=$(cat "$1/redis.pid" 2>/dev/null) || return 1
    pid_alive "$pid" redis-server && printf '%s\n' "$pid"
}

answers_ping() {
    [ "$(redis-cli -h 127.0.0.1 -p "$1" ping 2>/dev/null)" = PONG ]
}

cmd_start() {
    local dir port=$2
    dir=$(abs_path "$1")
    mkdir -p "$dir"
    if server_pid "$dir" >/dev/null; then
        answers_ping "$port" || die "the redis in $dir runs, but not on port $port (stop it first)"
        return 0
    fi
    port_in_use "$port" && die "port $port is taken by another server; pick another port"
    log "starting redis on 127.0.0.1:$port ($dir)"
    # save "" and appendonly no: sessions in it are throwaway, nothing is written to disk.
    redis-server --daemonize yes --bind 127.0.0.1 --port "$port" --dir "$dir" \
        --pidfile "$dir/redis.pid" --logfile "$dir/redis.log" --save "" --appendonly no \
        --unixsocket "" >/dev/null
    wait_until 20 answers_ping "$port" || { tail -n 20 "$dir/redis.log" >&2; die "redis did not start"; }
}

cmd_stop() {
    local dir pid
    dir=$(abs_path "$1")
    pid=$(server_pid "$dir") || return 0
    log "stopping redis ($dir)"
    stop_pid "$pid" 20 redis-server
    rm -f "$dir/redis.pid"
}

main() {
    [ $# -ge 2 ] || usage
    case "$1" in
        start) [ $# -ge 3 ] || usage; cmd_start "$2" "$3" ;;
        stop) cmd_stop "$2" ;;
        *) usage ;;
    esac
}

main "$@"
