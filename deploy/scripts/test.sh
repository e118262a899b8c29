#!/usr/bin/env bash
# `make test` (and CI through .ci/run): packages, a private PostgreSQL with a fresh shop_test
# database, a private redis for the `cache` session engine, `swift build`, then `swift test`
# with extra arguments passed on (make test TEST_ARGS="--filter WebTests").
# The suites start nginx (from PATH) and `shop serve` ($SHOP_BINARY) themselves.
# Exits with swift test's status; the summary is printed last, after the services stopped.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Fixed ports stay below 32768: Linux hands 32768-60999 to outgoing connections, and on a busy
# loopback one of those can hold the very port a server is about to bind (seen here).
PG_DIR=.data/postgres-test
PG_PORT=${SHOP_TEST_PG_PORT:-25433}
REDIS_DIR=.data/redis-test
REDIS_PORT=${SHOP_TEST_REDIS_PORT:-26379}
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

# The failures and the runners' own closing lines, then one plain "tests: N passed, N failed"
# line over both runners (XCTest and Swift Testing each print their own count, and Swift
# Testing's "0 tests" line would otherwise close a run made of XCTest cases).
print_summary() {
    local status=$1 passed failed skipped
    echo
    echo "---- swift test summary (full output: $OUTPUT) ----"
    grep -E ": error: |^✘ Test .* (failed|recorded an issue)" "$OUTPUT" | grep -v '^✘ Test run' | head -n 40 || true
    grep -E "Executed [0-9]+ tests?, with" "$OUTPUT" | tail -n 1 || true
    grep -E "Test run with [0-9]+ tests?" "$OUTPUT" | tail -n 1 || true
    echo "swift test exit status: $status"
    passed=$(count_lines "^Test Case '.*' passed|^✔ Test .* passed after")
    failed=$(count_lines "^Test Case '.*' failed|^✘ Test .* failed after")
    skipped=$(count_lines "^Test Case '.*' skipped|^➜ Test .* skipped")
    if [ $((passed + failed + skipped)) -gt 0 ]; then
        echo "tests: $passed passed, $failed failed, $skipped skipped"
    fi
}

count_lines() {
    grep -E "$1" "$OUTPUT" | grep -vc '^. Test run ' || true
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
