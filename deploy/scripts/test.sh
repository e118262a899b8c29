#!/usr/bin/env bash
# `make test` (and CI through .ci/run): packages, a private PostgreSQL with a fresh shop_test
# database, a private redis for the `cache` session engine, `swift build`, then `swift test`
# with extra arguments passed on (make test TEST_ARGS="--filter WebTests").
# The suites start nginx (from PATH) and `shop serve` ($SHOP_BINARY) themselves.
# Exits with swift test's status; the summary is printed last, after the services stopped.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

PG_DIR=.data/postgres-test
PG_PORT=${SHOP_TEST_PG_PORT:-54321}
REDIS_DIR=.data/redis-test
REDIS_PORT=${SHOP_TEST_REDIS_PORT:-56379}
OUTPUT="$DATA/test-output.log"

started_pg=0 started_redis=0

stop_services() {
    [ "$started_redis" -eq 1 ] && bash "$SCRIPTS/redis.sh" stop "$REDIS_DIR"
    [ "$started_pg" -eq 1 ] && bash "$SCRIPTS/postgres.sh" stop "$PG_DIR"
    started_pg=0 started_redis=0
    return 0
}

start_services() {
    bash "$SCRIPTS/postgres.sh" status "$PG_DIR" || started_pg=1
    bash "$SCRIPTS/postgres.sh" start "$PG_DIR" "$PG_PORT" shop_test
    # A fresh database each run: a run never sees what an earlier, failed one left behind.
    bash "$SCRIPTS/postgres.sh" resetdb "$PG_DIR" "$PG_PORT" shop_test
    bash "$SCRIPTS/redis.sh" start "$REDIS_DIR" "$REDIS_PORT"
    started_redis=1
    DATABASE_URL=$(bash "$SCRIPTS/postgres.sh" url "$PG_DIR" "$PG_PORT" shop_test)
    export DATABASE_URL
    export CACHE_URL="redis://127.0.0.1:$REDIS_PORT/0"
}

# The closing lines of XCTest and Swift Testing, and the failures, so the end of the output
# tells the result without scrolling.
print_summary() {
    local status=$1 failures
    echo
    echo "---- swift test summary (full output: $OUTPUT) ----"
    failures=$(grep -E ': error: |recorded an issue|✘ Test .*(failed|recorded)' "$OUTPUT" | head -n 40 || true)
    [ -n "$failures" ] && printf '%s\n' "$failures"
    grep -E "Executed [0-9]+ tests?, with [0-9]+ failures?|Test run with [0-9]+ tests?" "$OUTPUT" | tail -n 3 || true
    echo "swift test exit status: $status"
}

main() {
    cd "$REPO_ROOT"
    trap stop_services EXIT
    ensure_deps
    start_services

    log "swift build"
    swift build </dev/null
    SHOP_BINARY=$(shop_binary debug)
    export SHOP_BINARY

    log "swift test $*"
    local status=0
    swift test "$@" </dev/null 2>&1 | tee "$OUTPUT" || status=${PIPESTATUS[0]}

    stop_services >/dev/null 2>&1 || true
    print_summary "$status"
    exit "$status"
}

main "$@"
