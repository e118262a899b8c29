#!/usr/bin/env bash
# `make test` (and CI through .ci/run): packages, a private PostgreSQL with a fresh shop_test
# database, a private redis for the `cache` session engine, `swift build`, then `swift test`
# with extra arguments passed on (make test TEST_ARGS="--filter WebTests").
# The suites start nginx (from PATH) and `shop serve` ($SHOP_BINARY) themselves. Django 5.2 from
# PyPI, in the git-ignored .data/django-venv, makes and reads the vectors of the Django interop
# tests and runs the classic Django shop (Tests/DjangoShop) they adopt (installed once, then kept).
# Then the browser journeys (deploy/scripts/browser.sh: headless chromium through a real nginx
# and pool), unless turned off:
#   JOURNEYS=auto (default)  the journeys run when no TEST_ARGS are given (a --filter run skips them)
#   JOURNEYS=1 / JOURNEYS=0  always / never
#   JOURNEYS=only            only the journeys, no swift test (`make journeys`)
#   JOURNEY_ARGS="-k shopper"  passed to pytest
# (Not BROWSER: desktops and Python's webbrowser module already use that name for a program.)
# Exits non-zero when swift test or a journey failed; the summary is printed last, after the
# services stopped, and its "tests: N passed, N failed, N skipped" line counts both.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# Fixed ports stay below 32768: Linux hands 32768-60999 to outgoing connections, and on a busy
# loopback one of those can hold the very port a server is about to bind (seen here).
PG_DIR=.data/postgres-test
PG_PORT=${SHOP_TEST_PG_PORT:-25433}
REDIS_DIR=.data/redis-test
REDIS_PORT=${SHOP_TEST_REDIS_PORT:-26379}
OUTPUT="$DATA/test-output.log"
JOURNEYS=${JOURNEYS:-auto}
JOURNEYS_OUTPUT="$DATA/browser-summary.log"
DJANGO_VENV="$DATA/django-venv"
DJANGO_REQUIREMENTS=("Django==5.2.*" "psycopg[binary]==3.2.*")

started_pg=0 started_redis=0
TEST_TMPDIR=""

stop_services() {
    # The suites' temporary folders (sockets, logs, media, file sessions), all at once: a run
    # left hundreds of them in /tmp, and every CI run on a kept machine would add its own.
    [ -z "$TEST_TMPDIR" ] || rm -rf "$TEST_TMPDIR"
    TEST_TMPDIR=""
    [ "$started_redis" -eq 1 ] && bash "$SCRIPTS/redis.sh" stop "$REDIS_DIR"
    if [ "$started_pg" -eq 1 ] && [ "${CI:-}" = true ] && [ -L "$PG_DIR" ]; then
        # A CI clone is deleted after its run, and a cluster that lives outside it (in /var/tmp,
        # when PostgreSQL's user cannot reach the clone: postgres.sh) would stay behind.
        bash "$SCRIPTS/postgres.sh" destroy "$PG_DIR"
    elif [ "$started_pg" -eq 1 ]; then
        bash "$SCRIPTS/postgres.sh" stop "$PG_DIR"
    fi
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

# Quick when present: one import checks it; pip runs only for a missing or broken environment.
ensure_django() {
    if ! "$DJANGO_VENV/bin/python" -c 'import django, psycopg; assert django.VERSION[:2] == (5, 2)' 2>/dev/null; then
        log "installing ${DJANGO_REQUIREMENTS[*]} into $DJANGO_VENV"
        rm -rf "$DJANGO_VENV"
        python3 -m venv "$DJANGO_VENV"
        "$DJANGO_VENV/bin/pip" install --quiet --disable-pip-version-check "${DJANGO_REQUIREMENTS[@]}"
    fi
    export DJANGO_PYTHON="$DJANGO_VENV/bin/python"
}

# The failures and the runners' own closing lines, then one plain "tests: N passed, N failed"
# line over both runners (XCTest and Swift Testing each print their own count, and Swift
# Testing's "0 tests" line would otherwise close a run made of XCTest cases).
print_summary() {
    local status=$1 journeys_status=$2 passed=0 failed=0 skipped=0 counts
    local journeys_passed journeys_failed journeys_skipped
    echo
    if [ -f "$OUTPUT" ]; then
        echo "---- swift test summary (full output: $OUTPUT) ----"
        grep -E ": error: |^✘ Test .* (failed|recorded an issue)" "$OUTPUT" | grep -v '^✘ Test run' | head -n 40 || true
        grep -E "Executed [0-9]+ tests?, with" "$OUTPUT" | tail -n 1 || true
        grep -E "Test run with [0-9]+ tests?" "$OUTPUT" | tail -n 1 || true
        echo "swift test exit status: $status"
        passed=$(count_lines "^Test Case '.*' passed|^✔ Test .* passed after")
        failed=$(count_lines "^Test Case '.*' failed|^✘ Test .* failed after")
        skipped=$(count_lines "^Test Case '.*' skipped|^➜ Test .* skipped")
    fi
    if [ -n "$journeys_status" ]; then
        echo "---- browser journeys (output: .data/browser-output.log, screenshots: .data/browser-screenshots/) ----"
        grep -E "^(FAILED|ERROR|SKIPPED) " "$DATA/browser-output.log" 2>/dev/null | head -n 20 || true
        counts=$(grep -E "^journeys: " "$JOURNEYS_OUTPUT" 2>/dev/null | tail -n 1 || true)
        # No counts at all: the stack or the browser did not even start. That is a failure.
        [ -n "$counts" ] || counts="journeys: 0 passed, 1 failed, 0 skipped"
        echo "$counts (exit status $journeys_status)"
        read -r journeys_passed journeys_failed journeys_skipped < <(
            printf '%s\n' "$counts" | sed -E 's/^journeys: ([0-9]+) passed, ([0-9]+) failed, ([0-9]+) skipped.*/\1 \2 \3/')
        passed=$((passed + journeys_passed))
        failed=$((failed + journeys_failed))
        skipped=$((skipped + journeys_skipped))
    fi
    if [ $((passed + failed + skipped)) -gt 0 ]; then
        echo "tests: $passed passed, $failed failed, $skipped skipped"
    fi
}

count_lines() {
    grep -E "$1" "$OUTPUT" | grep -vc '^. Test run ' || true
}

# Whether this run includes the browser journeys (see JOURNEYS at the top).
journeys_wanted() {
    case "$JOURNEYS" in
        1 | only) return 0 ;;
        0) return 1 ;;
        *) [ $# -eq 0 ] ;;
    esac
}

# The journeys need the test cluster, so they run before stop_services. Their own output goes
# to the terminal; the last line ("journeys: ...") is kept for the summary.
run_journeys() {
    local status=0
    # shellcheck disable=SC2086  # JOURNEY_ARGS is a list of pytest arguments
    bash "$SCRIPTS/browser.sh" "$PG_DIR" "$PG_PORT" ${JOURNEY_ARGS:-} 2>&1 | tee "$JOURNEYS_OUTPUT" || status=${PIPESTATUS[0]}
    return "$status"
}

main() {
    cd "$REPO_ROOT"
    case "$JOURNEYS" in auto | 1 | 0 | only) ;; *) die "JOURNEYS must be auto, 1, 0 or only (not $JOURNEYS)" ;; esac
    trap stop_services EXIT
    ensure_deps
    [ "$JOURNEYS" = only ] || ensure_django
    start_services

    log "swift build"
    swift_quietly build </dev/null
    SHOP_BINARY=$(shop_binary debug)
    export SHOP_BINARY

    local status=0 journeys_status=""
    rm -f "$OUTPUT" "$JOURNEYS_OUTPUT"
    # Short, under /tmp: unix socket paths must stay under 108 bytes.
    TEST_TMPDIR=$(mktemp -d "/tmp/shop-tests.XXXXXX")
    export TMPDIR=$TEST_TMPDIR
    if [ "$JOURNEYS" != only ]; then
        log "swift test $*"
        swift test "$@" </dev/null 2>&1 | tee "$OUTPUT" || status=${PIPESTATUS[0]}
    fi
    if journeys_wanted "$@"; then
        log "browser journeys"
        journeys_status=0
        run_journeys || journeys_status=$?
    fi

    stop_services >/dev/null 2>&1 || true
    print_summary "$status" "$journeys_status"
    # swift test's own status when it failed, else 1 when a journey failed.
    [ "$status" -ne 0 ] && exit "$status"
    [ "${journeys_status:-0}" -eq 0 ] || exit 1
    exit 0
}

main "$@"
