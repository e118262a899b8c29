#!/usr/bin/env bash
# The browser journeys (Tests/BrowserJourneys): Debian's headless chromium, driven by Selenium,
# clicks and types through the shop as a person would, against a real stack:
#   a fresh database shop_browser on the running test cluster (migrate, loaddemo, a staff user),
#   a real `shop serve` pool ($SHOP_BINARY, 2 workers) and a real nginx from
#   deploy/scripts/nginx.sh (deploy/nginx.conf.template: /static/ and /media/ from disk) on a
#   free loopback port.
#
#   browser.sh PG_DIR PG_PORT [pytest arguments...]     e.g. -k shopper
#
# Called by test.sh (which started the cluster). Screenshots of each step land in
# .data/browser-screenshots/<journey>/NN-step.png; pytest's JUnit report in
# .data/browser-results.xml and its output in .data/browser-output.log. The last line on stdout
# is "journeys: N passed, N failed, N skipped". Exits non-zero when a journey failed or the
# stack could not be started.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

WORK="$DATA/browser"              # the stack's media, pool socket, nginx prefix, logs
SCREENSHOTS="$DATA/browser-screenshots"
RESULTS="$DATA/browser-results.xml"
OUTPUT="$DATA/browser-output.log"
DB=shop_browser
STAFF_USERNAME=journey-staff
# A hung browser must not hang CI: the whole pytest run gets this many seconds.
JOURNEY_TIMEOUT=${JOURNEY_TIMEOUT:-300}

NGINX_PREFIX="$WORK/nginx"
POOL_PID=""
started_nginx=0

# shellcheck disable=SC2317  # called from the EXIT trap
cleanup() {
    local status=$?
    [ -n "$POOL_PID" ] && stop_pool "$WORK/run"
    [ "$started_nginx" -eq 1 ] && bash "$SCRIPTS/nginx.sh" stop "$NGINX_PREFIX"
    exit "$status"
}

psql_bin() {
    local dir
    dir=$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
    printf '%s/psql\n' "$dir"
}

# A fresh database and settings of its own: the journeys never see what the swift suites left.
prepare_database() {
    local pg_dir=$1 pg_port=$2
    bash "$SCRIPTS/postgres.sh" resetdb "$pg_dir" "$pg_port" "$DB" >/dev/null
    export DATABASE_URL
    DATABASE_URL=$(bash "$SCRIPTS/postgres.sh" url "$pg_dir" "$pg_port" "$DB")
    export SECRET_KEY
    SECRET_KEY=$(head -c 48 /dev/urandom | base64 | tr -d '\n/+=')
    export DEBUG=0 WORKERS=2 ALLOWED_HOSTS=127.0.0.1,localhost MEDIA_ROOT="$WORK/media"
    unset SESSION_ENGINE LISTEN
    rm -rf "$WORK"
    mkdir -p "$WORK/run" "$MEDIA_ROOT"
    "$SHOP_BINARY" migrate >"$WORK/migrate.log" 2>&1 || { cat "$WORK/migrate.log" >&2; die "shop migrate failed"; }
    "$SHOP_BINARY" loaddemo >>"$WORK/migrate.log" 2>&1 || { cat "$WORK/migrate.log" >&2; die "shop loaddemo failed"; }
    # The staff user as `make run` makes its `admin`; the staff journey logs in with it.
    export STAFF_USERNAME STAFF_PASSWORD
    STAFF_PASSWORD=$(head -c 18 /dev/urandom | base64 | tr -d '\n/+=')
    SHOP_PASSWORD="$STAFF_PASSWORD" "$SHOP_BINARY" createsuperuser --username "$STAFF_USERNAME" \
        --email staff@example.com </dev/null >>"$WORK/migrate.log" 2>&1 ||
        { cat "$WORK/migrate.log" >&2; die "shop createsuperuser failed"; }
}

start_stack() {
    local pg_port=$1 port
    start_pool "$SHOP_BINARY" "$WORK/run" "$WORK/pool.log"
    # Away from the other fixed ports, and distinct per test cluster port (parallel checkouts).
    port=$(free_port $((pg_port + 3000)))
    bash "$SCRIPTS/nginx.sh" start "$port" "$POOL_SOCKET" "$NGINX_PREFIX"
    started_nginx=1
    export SHOP_URL="http://127.0.0.1:$port"
    curl -fsS -o /dev/null "$SHOP_URL/-/health" || die "$SHOP_URL/-/health does not answer 200"
}

# "N passed, N failed, N skipped" from the JUnit report (errors count as failures).
count_results() {
    "$PYTHON" - "$RESULTS" <<'PY'
import sys, xml.etree.ElementTree as ET
passed = failed = skipped = 0
try:
    root = ET.parse(sys.argv[1]).getroot()
    for case in root.iter("testcase"):
        if case.find("failure") is not None or case.find("error") is not None:
            failed += 1
        elif case.find("skipped") is not None:
            skipped += 1
        else:
            passed += 1
except (OSError, ET.ParseError):
    pass
print(f"{passed} passed, {failed} failed, {skipped} skipped")
PY
}

main() {
    [ $# -ge 2 ] || die "usage: browser.sh PG_DIR PG_PORT [pytest arguments...]"
    local pg_dir=$1 pg_port=$2; shift 2
    cd "$REPO_ROOT"
    [ -x "${SHOP_BINARY:-}" ] || die "SHOP_BINARY must name the built shop executable"
    trap cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    rm -f "$RESULTS" "$OUTPUT"

    PYTHON=$(bash "$SCRIPTS/browser-deps.sh")
    prepare_database "$pg_dir" "$pg_port"
    start_stack "$pg_port"

    log "browser journeys against $SHOP_URL (screenshots: ${SCREENSHOTS#"$REPO_ROOT"/})"
    export SCREENSHOTS PSQL
    PSQL=$(psql_bin)
    local status=0
    COLUMNS=120 PYTHONDONTWRITEBYTECODE=1 timeout --kill-after=10 "$JOURNEY_TIMEOUT" \
        "$PYTHON" -m pytest -p no:cacheprovider -q -rfEs --tb=short --junitxml="$RESULTS" \
        "$REPO_ROOT/Tests/BrowserJourneys" "$@" </dev/null 2>&1 | tee "$OUTPUT" || status=${PIPESTATUS[0]}
    # pytest's 5 is "no journey selected" (a -k that matched nothing): not a failure of the shop.
    [ "$status" -eq 5 ] && status=0
    [ "$status" -eq 124 ] && warn "the journeys ran past ${JOURNEY_TIMEOUT}s and were stopped"
    if [ "$status" -ne 0 ]; then
        warn "logs: ${WORK#"$REPO_ROOT"/}/pool.log (the pool), ${NGINX_PREFIX#"$REPO_ROOT"/}/error.log (nginx)"
    fi
    local counts
    counts=$(count_results)
    # A run that failed before pytest could report (a crash, a timeout) must not read as a pass.
    if [ "$status" -ne 0 ] && [[ "$counts" == *" 0 failed,"* ]]; then
        counts=$(printf '%s' "$counts" | sed 's/ 0 failed,/ 1 failed,/')
    fi
    echo "journeys: $counts"
    exit "$status"
}

main "$@"
