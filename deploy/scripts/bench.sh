#!/usr/bin/env bash
# `make bench`: throughput and latency of the pool behind nginx, measured with wrk.
# Release build, the private PostgreSQL of `make run` (.data/postgres), migrate + loaddemo, then
# for each pool size in BENCH_WORKERS a set of rows, then one row per session engine.
# Prints a table (workers, engine, request, req/s, p50, p99, errors); wrk's raw output and the
# logs stay in .data/bench/. Stops everything it started.
#
# Knobs: BENCH_WORKERS="2 4"  BENCH_DURATION=10s  BENCH_WARMUP=3s  BENCH_CONNECTIONS=32
#        BENCH_ROWS=0 (only the per-engine rows)  BENCH_REPEAT=1 (rounds of the ceiling and the shop's rows,
#          of the engine rows and of the 100k catalog's, alternated; medians printed when above 1)
#        BENCH_THREADS=2  BENCH_ENGINES="cached_db db file cache signed_cookies"  BENCH_SESSIONS=32
#        SHOP_BINARY=/path (skip the build and measure that binary)
#        BENCH_BASELINE=/path (another shop binary, e.g. the previous commit's release build: each
#          round of the ceiling and the shop's rows runs it and the one measured, first one then the
#          other, its rows marked "before:"; both on the same database, nginx and wrk)
#        BENCH_ONLY=REGEX (only the shop's rows whose label matches, e.g. 'POST' or 'GET /$'; the ceiling
#          always runs, so ratios stay)
#        BENCH_PERF=1 (`perf record -a -g` beside each row's wrk: .data/bench/perf-*.data, for `perf report -i`)
#        BENCH_INSTRUCTIONS=1 (each row's requests counted in instructions instead of timed: a fresh pool
#          under valgrind's callgrind, one connection for BENCH_DURATION, the workers' user-space
#          instructions per request. The same build and rows give the same count whatever else the
#          machine does; req/s and p99 are then valgrind's. Best with BENCH_WORKERS=1 and BENCH_ONLY)
#        BENCH_SOAK=200000 (mixed requests of the memory soak; 0 skips it)  BENCH_SOAK_SESSIONS=2000
#        BENCH_SOAK_ROUNDS=1 (soaks of BENCH_SOAK requests in a row, each worker's memory after each:
#          a leak grows by as much in every round, a bounded cache that fills stops growing)
#        BENCH_SOAK_KINDS=0,1,2,3,4,5,6,7 (the soak's kinds of request, to find which one grows:
#          0 /, 1 and 7 product pages, 2 the cart, 3 add-to-cart, 4 a category, 5 checkout, 6 a 404)
#        BENCH_AUTOGROUP=0 (kernel.sched_autogroup_enabled for the run, restored after: 0 as
#          deploy/sysctl-shop.conf sets it for a shop's server, 1 the kernel's default, keep to leave
#          the host's setting; printed under the table. Without root it is the host's)
#        BENCH_ADMIN=1 (the admin rows: they need BENCH_PRODUCTS products, added if missing)
#        Costs that stay flat as the shop grows (after the soak, on the last pool; 0 skips each):
#        BENCH_PRODUCTS=100000 (`GET /` before and after `shop loaddemo --products N`, a deep page,
#          random pages that mostly miss the worker's CATALOG_CACHE_SIZE, random product pages; worker memory)
#        BENCH_ORDERS=1000000 (BENCH_CHECKOUTS=100 sequential checkouts timed in the access log, and the
#          admin's order list, before and after adding N orders)
#        BENCH_SESSION_ROWS=1000000 (with SESSION_ENGINE=db: the cart and add-to-cart before and after
#          adding N expired sessions, then `shop clearsessions` timed while wrk reads /cart/)
#
# The ceiling: for each pool size, `shop bare` (the same pool and FastCGI code answering a fixed
# page, then the same after one `SELECT 1`, then after one durable commit: `--commit`) runs
# behind the same nginx first, and every row of that pool size prints its req/s as a ratio of
# the bare page's: absolute figures on a shared machine drift by ±15%, the ratio is what is
# tracked. Beside the workers' CPU per request (cpu µs), PostgreSQL's (pg µs): a commit's cost
# is shared between the two.
#
# Memory: every pool's workers are measured (RSS and anonymous memory, from
# /proc/PID/smaps_rollup) after the warm-up and after its rows. The soak then runs
# BENCH_SOAK mixed requests (catalog, category, product, cart, add-to-cart, checkout, 404) over
# BENCH_SOAK_SESSIONS distinct sessions, after a warm-up of a tenth of that, and prints each
# worker's growth: a worker that keeps a part of every request grows here.
#
# Adding a row: write a bench_* function that calls `measure LABEL PATH [wrk args]` (or `skip`),
# and call it from run_rows (every pool size) or run_engine_rows (once per session engine).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

BENCH_WORKERS=${BENCH_WORKERS:-"2 4"}
BENCH_DURATION=${BENCH_DURATION:-10s}
BENCH_WARMUP=${BENCH_WARMUP:-3s}
BENCH_CONNECTIONS=${BENCH_CONNECTIONS:-32}
BENCH_THREADS=${BENCH_THREADS:-2}
BENCH_ENGINES=${BENCH_ENGINES:-"cached_db db file cache signed_cookies"}
BENCH_SESSIONS=${BENCH_SESSIONS:-32}
BENCH_ROWS=${BENCH_ROWS:-1}
BENCH_REPEAT=${BENCH_REPEAT:-1}
BENCH_SOAK=${BENCH_SOAK:-200000}
BENCH_SOAK_SESSIONS=${BENCH_SOAK_SESSIONS:-2000}
BENCH_SOAK_ROUNDS=${BENCH_SOAK_ROUNDS:-1}
BENCH_SOAK_KINDS=${BENCH_SOAK_KINDS:-0,1,2,3,4,5,6,7}
[[ "$BENCH_SOAK_ROUNDS" =~ ^[1-9][0-9]*$ ]] || die "BENCH_SOAK_ROUNDS: a count of 1 or more (got '$BENCH_SOAK_ROUNDS')"
# Pasted into the soak's Lua as a table: digits 0-7 and commas only.
[[ "$BENCH_SOAK_KINDS" =~ ^[0-7](,[0-7])*$ ]] || die "BENCH_SOAK_KINDS: kinds 0-7, comma-separated (got '$BENCH_SOAK_KINDS')"
BENCH_ADMIN=${BENCH_ADMIN:-1}
BENCH_PRODUCTS=${BENCH_PRODUCTS:-${BENCH_ADMIN_PRODUCTS:-100000}}
BENCH_ORDERS=${BENCH_ORDERS:-1000000}
BENCH_CHECKOUTS=${BENCH_CHECKOUTS:-100}
BENCH_SESSION_ROWS=${BENCH_SESSION_ROWS:-1000000}
BENCH_PERF=${BENCH_PERF:-0}
BENCH_INSTRUCTIONS=${BENCH_INSTRUCTIONS:-0}
BENCH_ONLY=${BENCH_ONLY:-}
if [ "$BENCH_INSTRUCTIONS" = 1 ]; then
    # Loads that only time can measure: not run under valgrind.
    BENCH_SOAK=0 BENCH_PRODUCTS=0 BENCH_ORDERS=0 BENCH_SESSION_ROWS=0 BENCH_ADMIN=0
    # Dictionaries laid out alike in every run, so their probes cost the same count too.
    export SWIFT_DETERMINISTIC_HASHING=1
fi
BENCH_BASELINE=${BENCH_BASELINE:-}
BENCH_AUTOGROUP=${BENCH_AUTOGROUP:-0}
[[ "$BENCH_AUTOGROUP" =~ ^(0|1|keep)$ ]] || die "BENCH_AUTOGROUP: 0, 1 or keep (got '$BENCH_AUTOGROUP')"
AUTOGROUP_FILE=/proc/sys/kernel/sched_autogroup_enabled
AUTOGROUP_WAS=""         # the host's setting, put back by cleanup when the run changed it
SCHEDULER_NOTE=""        # the setting the run measured under, printed under the table

# Fixed ports stay below 32768: Linux hands 32768-60999 to outgoing connections, and on a busy
# loopback one of those can hold the very port a server is about to bind (seen here).
PG_DIR=.data/postgres
PG_PORT=${SHOP_PG_PORT:-25432}
REDIS_DIR=.data/redis
REDIS_PORT=${SHOP_REDIS_PORT:-26380}
BENCH_DIR="$DATA/bench"
NGINX_PREFIX="$BENCH_DIR/nginx"

started_pg=0 started_redis=0 started_nginx=0
POOL_PID=""
BIN="" BASE="" WORKERS_NOW="" ENGINE_NOW=""
MARK=""                  # "before:" while BENCH_BASELINE's rows run: prefixed to the engine column
ROWS=() NOTES=() MEMORY=()
POOL_ARGS=()             # the running pool's command (`bare --commit`), for BENCH_INSTRUCTIONS' fresh pools
INSTRUCTIONS=()          # "workers|engine|label|requests|instructions per request" (BENCH_INSTRUCTIONS=1)
declare -A BARE_RPS=()   # pool size -> the bare page's req/s in this run
PRODUCT_URLS=()          # the first product pages linked from `/`
CATEGORY_URL=""          # the first category page linked from `/`
SESSION_COOKIES=()       # "Cookie:" values of sessions with a 3-line cart, one per session
SESSION_TOKENS=()        # their CSRF form tokens, index for index

# shellcheck disable=SC2317  # called from the EXIT trap
cleanup() {
    local status=$?
    trap - EXIT INT TERM
    [ -n "$POOL_PID" ] && stop_pool "$BENCH_DIR"
    [ "$started_nginx" -eq 1 ] && bash "$SCRIPTS/nginx.sh" stop "$NGINX_PREFIX"
    [ "$started_redis" -eq 1 ] && bash "$SCRIPTS/redis.sh" stop "$REDIS_DIR"
    [ "$started_pg" -eq 1 ] && bash "$SCRIPTS/postgres.sh" stop "$PG_DIR"
    [ -z "$AUTOGROUP_WAS" ] || echo "$AUTOGROUP_WAS" >"$AUTOGROUP_FILE" || true
    exit "$status"
}

# The kernel's autogroup gives each session (nginx, the pool, every PostgreSQL process: each its
# own) an equal share of the cores, whatever its number of processes: the pool's 4 workers
# together weighed as much as nginx alone, or one backend. Measured alternated (README, "The machine"), the shop's rows gained 7-13%
# with it off and the bare page none, so the run uses a shop server's setting unless told not to.
set_scheduler() {
    local host
    host=$(cat "$AUTOGROUP_FILE" 2>/dev/null) || { SCHEDULER_NOTE="no kernel.sched_autogroup_enabled on this kernel"; return 0; }
    if [ "$BENCH_AUTOGROUP" != keep ] && [ "$BENCH_AUTOGROUP" != "$host" ]; then
        if echo "$BENCH_AUTOGROUP" 2>/dev/null >"$AUTOGROUP_FILE"; then
            AUTOGROUP_WAS=$host
            SCHEDULER_NOTE="kernel.sched_autogroup_enabled=$BENCH_AUTOGROUP for this run (the host's $host, restored; BENCH_AUTOGROUP)"
            return 0
        fi
        SCHEDULER_NOTE="kernel.sched_autogroup_enabled=$host, the host's: BENCH_AUTOGROUP=$BENCH_AUTOGROUP needs root"
        return 0
    fi
    SCHEDULER_NOTE="kernel.sched_autogroup_enabled=$host (BENCH_AUTOGROUP=$BENCH_AUTOGROUP)"
}

# ---- services -------------------------------------------------------------------------------

# Its own database in make run's cluster, made anew each run: a bench adds rows (100,000 products
# for the admin rows) that must neither stay in the next bench nor reach make run's shop.
start_services() {
    bash "$SCRIPTS/postgres.sh" status "$PG_DIR" || started_pg=1
    bash "$SCRIPTS/postgres.sh" start "$PG_DIR" "$PG_PORT" shop_bench
    bash "$SCRIPTS/postgres.sh" resetdb "$PG_DIR" "$PG_PORT" shop_bench
    bash "$SCRIPTS/redis.sh" start "$REDIS_DIR" "$REDIS_PORT"
    started_redis=1
    export DATABASE_URL
    DATABASE_URL=$(bash "$SCRIPTS/postgres.sh" socketurl "$PG_DIR" "$PG_PORT" shop_bench)
    export CACHE_URL="redis://127.0.0.1:$REDIS_PORT/0"
    export SECRET_KEY="${SECRET_KEY:-$(dev_secret_key)}"
    export DEBUG=0 ALLOWED_HOSTS="localhost,127.0.0.1" MAX_REQUESTS=0
    export MEDIA_ROOT="${MEDIA_ROOT:-$DATA/media}"
    export SESSION_FILE_PATH="$BENCH_DIR/sessions"
    mkdir -p "$MEDIA_ROOT" "$SESSION_FILE_PATH"
}

# pool WORKERS ENGINE [COMMAND...]: (re)starts the pool (`shop serve`, or COMMAND such as
# `bare`); nginx keeps pointing at the same socket path.
pool() {
    if [ -n "$POOL_PID" ]; then
        [ "$ENGINE_NOW" = bare ] || record_memory "after its rows"
        stop_pool "$BENCH_DIR"
    fi
    WORKERS_NOW=$1 ENGINE_NOW=$2
    shift 2
    log "pool: WORKERS=$WORKERS_NOW SESSION_ENGINE=$ENGINE_NOW ${*:-}"
    POOL_ARGS=("$@")
    WORKERS=$WORKERS_NOW SESSION_ENGINE=$ENGINE_NOW start_pool "$(pool_binary)" "$BENCH_DIR" "$BENCH_DIR/pool-$WORKERS_NOW-$ENGINE_NOW.log" "$@"
    if [ "$started_nginx" -eq 0 ]; then
        local port
        port=$(free_port 18000)
        bash "$SCRIPTS/nginx.sh" start "$port" "$POOL_SOCKET" "$NGINX_PREFIX"
        started_nginx=1
        BASE="http://127.0.0.1:$port"
    fi
    wait_until 30 answers_200 / || die "GET / does not answer 200 (see $BENCH_DIR/pool-$1-$2.log)"
    log "warm-up $BENCH_WARMUP"
    wrk -t"$BENCH_THREADS" -c"$BENCH_CONNECTIONS" -d"$BENCH_WARMUP" "$BASE/" >/dev/null
    SESSION_COOKIES=() SESSION_TOKENS=()  # sessions belong to one engine (and one pool)
    [ "$ENGINE_NOW" = bare ] || record_memory "after warm-up"
}

# What start_pool runs: the binary, or with BENCH_INSTRUCTIONS=1 a script that execs it under
# callgrind (the pool's pid is then valgrind's; its workers, forked, run under it too), counting
# only inside `serveOneRequest`: a request, from its parameters to its log line.
pool_binary() {
    [ "$BENCH_INSTRUCTIONS" = 1 ] || { printf '%s\n' "$BIN"; return; }
    local wrapper="$BENCH_DIR/callgrind-pool.sh"
    printf '#!/bin/sh\nexec valgrind --tool=callgrind --collect-atstart=no --toggle-collect=%s --callgrind-out-file=%s/callgrind.%%p "%s" "$@"\n' \
        "'*serveOneRequest*'" "$BENCH_DIR" "$BIN" >"$wrapper"
    chmod +x "$wrapper"
    printf '%s\n' "$wrapper"
}

# The ceiling for WORKERS: the bare page, then the bare page after one SELECT 1, then after one
# durable commit (an UPDATE of a one-row-per-worker table): what any request that must commit,
# as add-to-cart does, can reach on this machine.
run_bare_rows() {
    pool "$1" bare bare
    measure "bare: fixed page" /
    BARE_RPS[$1]=$(rps_of_last_row)
    pool "$1" bare bare --select
    measure "bare: fixed page + SELECT 1" /
    # (A baseline built before `--commit` existed has no such row.)
    if "$BIN" bare --help 2>/dev/null | grep -q -- --commit; then
        pool "$1" bare bare --commit
        measure "bare: fixed page + a commit" /
    else
        skip "bare: fixed page + a commit" "$BIN has no \`bare --commit\`"
    fi
}

rps_of_last_row() { IFS='|' read -r _ _ _ rps _ <<<"${ROWS[-1]}"; printf '%s\n' "$rps"; }

# ---- worker memory --------------------------------------------------------------------------

# The pool's workers: the master's children.
worker_pids() { pgrep -P "$POOL_PID" | sort -n; }
has_workers() { [ -n "$(worker_pids)" ]; }

# "RSS_KiB ANON_KiB" of one process, from smaps_rollup.
process_memory() {
    awk '/^Rss:/ { rss = $2 } /^Anonymous:/ { anon = $2 } END { printf "%d %d", rss, anon }' "/proc/$1/smaps_rollup" 2>/dev/null
}

# record_memory WHEN: one MEMORY line for the running pool (each worker's RSS and anonymous MiB).
record_memory() {
    local pid line="" mem rss anon
    for pid in $(worker_pids); do
        mem=$(process_memory "$pid") || continue
        read -r rss anon <<<"$mem"
        line+=$(printf ' %s:%.1f/%.1f' "$pid" "$(bc_div "$rss")" "$(bc_div "$anon")")
    done
    MEMORY+=("WORKERS=$WORKERS_NOW $ENGINE_NOW, $1 (pid:RSS/anon MiB):$line")
}

bc_div() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }

# ---- HTTP helpers ---------------------------------------------------------------------------

status_of() { curl -s -o /dev/null -w '%{http_code}' "$BASE$1"; }
answers_200() { [ "$(status_of "$1")" = 200 ]; }

# The first distinct product pages linked from `/` (hrefs like /12/earl-grey/).
discover_products() {
    mapfile -t PRODUCT_URLS < <(curl -fsS "$BASE/" | grep -oE 'href="/[0-9]+/[a-z0-9-]+/"' |
        sed -E 's/^href="(.*)"$/\1/' | awk '!seen[$0]++' | head -n 3)
    log "product pages: ${PRODUCT_URLS[*]:-none found}"
    CATEGORY_URL=$(curl -fsS "$BASE/" | grep -oE 'href="/[a-z0-9-]+/"' | sed -E 's/^href="(.*)"$/\1/' |
        grep -vE '^/(cart|orders|admin|static|media|accounts)/$' | head -n 1 || true)
    log "category page: ${CATEGORY_URL:-none found}"
}

# The "Cookie:" header value of a curl cookie jar (HttpOnly cookies are "#HttpOnly_" lines).
jar_cookie_header() {
    awk -F'\t' 'NF >= 7 { printf "%s%s=%s", (n++ ? "; " : ""), $6, $7 }' "$1"
}

csrf_token_in() {
    grep -oE '<input[^>]*csrfmiddlewaretoken[^>]*>' "$1" | head -n 1 | sed -nE 's/.*value="([^"]*)".*/\1/p'
}

# One browser session with the 3 discovered products in its cart; appends to SESSION_*.
make_session() {
    local jar="$BENCH_DIR/jar" page="$BENCH_DIR/page.html" token url id
    rm -f "$jar"
    for url in "${PRODUCT_URLS[@]}"; do
        curl -fsS -c "$jar" -b "$jar" -o "$page" "$BASE$url" || return 1
        token=$(csrf_token_in "$page")
        [ -n "$token" ] || return 1
        id=$(cut -d/ -f2 <<<"$url")
        [ "$(curl -s -c "$jar" -b "$jar" -o /dev/null -w '%{http_code}' -e "$BASE$url" \
            --data "quantity=1&override=False&csrfmiddlewaretoken=$token" "$BASE/cart/add/$id/")" = 302 ] || return 1
    done
    curl -fsS -c "$jar" -b "$jar" -o "$page" "$BASE/cart/" || return 1
    SESSION_COOKIES+=("$(jar_cookie_header "$jar")")
    SESSION_TOKENS+=("$(csrf_token_in "$page")")
}

# Fills SESSION_* (once per pool) or explains why it cannot; false when there is no cart yet.
ensure_sessions() {
    [ "${#SESSION_COOKIES[@]}" -gt 0 ] && return 0
    [ "${#PRODUCT_URLS[@]}" -ge 3 ] || { NOTE="fewer than 3 product links on /"; return 1; }
    [ "$(status_of /cart/)" != 404 ] || { NOTE="/cart/ answers 404"; return 1; }
    local i
    for ((i = 0; i < BENCH_SESSIONS; i++)); do
        make_session || { NOTE="could not fill a cart through POST /cart/add/{id}/"; SESSION_COOKIES=(); return 1; }
    done
    grep -q 'sessionid=' <<<"${SESSION_COOKIES[0]}" || { NOTE="no sessionid cookie after adding to the cart"; return 1; }
}

# A wrk script that sends each request with the next session's cookie (and, for a POST, its
# CSRF token): wrk's connections then act like BENCH_SESSIONS browsers, not one. Each wrk thread
# takes its own slice of the sessions (so two threads never send one session's requests at once)
# and formats its requests once, in init: a wrk.format per request cost wrk ~13% of its rate, and
# wrk shares the two cores with the pool, so the Lua would have counted against the shop.
session_script() {
    local method=$1 body=${2:-} file="$BENCH_DIR/sessions-$1.lua" i
    {
        echo 'local cookies, tokens = {}, {}'
        for i in "${!SESSION_COOKIES[@]}"; do
            printf 'cookies[%d] = [[%s]]; tokens[%d] = [[%s]]\n' "$((i + 1))" "${SESSION_COOKIES[$i]}" "$((i + 1))" "${SESSION_TOKENS[$i]}"
        done
        cat <<LUA
local threads = 0
setup = function(thread)
    threads = threads + 1
    thread:set("index", threads)
end
local requests, n = {}, 0
init = function()
    local count = tonumber("$BENCH_THREADS")
    for s = index, #cookies, count do
        local headers = { ["Cookie"] = cookies[s] }
        local body = nil
        if "$method" == "POST" then
            headers["Content-Type"] = "application/x-www-form-urlencoded"
            body = "$body&csrfmiddlewaretoken=" .. tokens[s]
        end
        requests[#requests + 1] = wrk.format("$method", nil, headers, body)
    end
end
request = function()
    n = n % #requests + 1
    return requests[n]
end
LUA
    } >"$file"
    printf '%s\n' "$file"
}

# ---- measuring ------------------------------------------------------------------------------

# measure LABEL PATH [wrk args...]: one row of the table.
measure() {
    local label=$1 path=$2; shift 2
    if [ -n "$BENCH_ONLY" ] && [ "$ENGINE_NOW" != bare ] && ! grep -Eq -- "$BENCH_ONLY" <<<"$label"; then
        return 0
    fi
    local name out pool_log lines_before sql
    name=$(printf '%s' "$label" | tr -cs 'a-zA-Z0-9' '-' | sed 's/-$//')
    # One report per round and build ($round is main's loop's), so an odd round can be read afterwards.
    out="$BENCH_DIR/wrk-$WORKERS_NOW-$ENGINE_NOW-$name${MARK:+-before}${round:+-round$round}.txt"
    pool_log="$BENCH_DIR/pool-$WORKERS_NOW-$ENGINE_NOW.log"
    lines_before=$(wc -l <"$pool_log")
    log "wrk $label ($path, WORKERS=$WORKERS_NOW, $ENGINE_NOW)"
    local perf_pid=""
    if [ "$BENCH_PERF" = 1 ]; then
        perf record -q -a -g -e cpu-clock -o "$BENCH_DIR/perf-$WORKERS_NOW-$ENGINE_NOW-$name.data" 2>/dev/null &
        perf_pid=$!
    fi
    if [ "$BENCH_INSTRUCTIONS" = 1 ]; then
        count_instructions "$label" "$path" "$out" "$pool_log" "$name" "$@"
        return 0
    fi
    local ticks_before pg_ticks_before
    ticks_before=$(worker_cpu_ticks)
    pg_ticks_before=$(postgres_cpu_ticks)
    wrk -t"$BENCH_THREADS" -c"$BENCH_CONNECTIONS" -d"$BENCH_DURATION" --latency "$@" "$BASE$path" >"$out"
    local ticks=$(($(worker_cpu_ticks) - ticks_before)) pg_ticks=$(($(postgres_cpu_ticks) - pg_ticks_before))
    if [ -n "$perf_pid" ]; then kill -INT "$perf_pid"; wait "$perf_pid" || true; fi
    sql=$(sql_per_request "$pool_log" "$lines_before" "$path")
    ROWS+=("$(parse_wrk "$out" "$WORKERS_NOW" "$MARK$ENGINE_NOW" "$label")|$sql|$(cpu_per_request "$out" "$ticks")|$(cpu_per_request "$out" "$pg_ticks")")
}

# count_instructions LABEL PATH WRK_REPORT POOL_LOG NAME [wrk args...]: a row counted in instructions
# (BENCH_INSTRUCTIONS=1). Callgrind writes a process's counts when it exits, so the row gets a
# pool of its own: started fresh, sent the row's requests over one connection for BENCH_DURATION,
# stopped; its workers' counts over the requests wrk saw answered. Not in the count: the kernel's
# work (system calls), PostgreSQL's and nginx's. In it: whatever a request pays once in a fresh
# worker (the connection to PostgreSQL, the catalog's cache filled), spread over the row's requests.
# Each worker's profile stays for `callgrind_annotate`: .data/bench/callgrind-WORKERS-ENGINE-NAME.PID.
count_instructions() {
    local label=$1 path=$2 out=$3 pool_log=$4 name=$5 pid workers total=0 requests count profile
    shift 5
    stop_pool "$BENCH_DIR"
    rm -f "$BENCH_DIR"/callgrind.[0-9]* "$BENCH_DIR/callgrind-$WORKERS_NOW-${MARK:+before-}$ENGINE_NOW-$name".*
    WORKERS=$WORKERS_NOW SESSION_ENGINE=$ENGINE_NOW start_pool "$(pool_binary)" "$BENCH_DIR" "$pool_log" "${POOL_ARGS[@]}"
    wait_until 30 has_workers || die "the pool under callgrind started no worker (see $pool_log)"
    workers=$(worker_pids)
    wrk -t1 -c1 -d"$BENCH_DURATION" "$@" "$BASE$path" >"$out"
    stop_pool "$BENCH_DIR"
    for pid in $workers; do
        profile="$BENCH_DIR/callgrind-$WORKERS_NOW-${MARK:+before-}$ENGINE_NOW-$name.$pid"
        mv "$BENCH_DIR/callgrind.$pid" "$profile" 2>/dev/null || continue
        count=$(awk '/^(summary|totals):/ { print $2; exit }' "$profile")
        total=$((total + ${count:-0}))
    done
    requests=$(awk '/requests in/ { print $1 }' "$out")
    ROWS+=("$(parse_wrk "$out" "$WORKERS_NOW" "$MARK$ENGINE_NOW" "$label")|-|-|-")
    if [ "${requests:-0}" -gt 0 ] && [ "$total" -gt 0 ]; then
        INSTRUCTIONS+=("$WORKERS_NOW|$MARK$ENGINE_NOW|$label|$requests|$((total / requests))")
    else
        skip "$label" "no count from callgrind (see $pool_log)"
    fi
    # The next row finds a pool running, as without BENCH_INSTRUCTIONS.
    WORKERS=$WORKERS_NOW SESSION_ENGINE=$ENGINE_NOW start_pool "$(pool_binary)" "$BENCH_DIR" "$pool_log" "${POOL_ARGS[@]}"
    wait_until 60 answers_200 / || die "the pool under callgrind does not answer (see $pool_log)"
}

# The CPU time (user + system, clock ticks) the pool's workers have used so far: read before
# and after a row, it gives the workers' CPU per request, a figure that drifts far less than
# req/s when something else shares the machine.
worker_cpu_ticks() { cpu_ticks $(worker_pids); }

# cpu_ticks PID...: their CPU time so far (user + system, clock ticks), and with CHILDREN=1
# that of the children they have reaped as well.
cpu_ticks() {
    local pid total=0 fields
    for pid in "$@"; do
        fields=$(awk -v children="${CHILDREN:-0}" '{ sub(/^.*\) /, ""); print $12 + $13 + (children ? $14 + $15 : 0) }' \
            "/proc/$pid/stat" 2>/dev/null) || continue
        total=$((total + ${fields:-0}))
    done
    printf '%s\n' "$total"
}

# The CPU time (clock ticks) the bench's PostgreSQL has used so far: the postmaster, its
# children (the pool's backends, the writers), and the children it has reaped. Its share of a
# request's cost is the other half of a commit's: a worker only waits for it.
postgres_cpu_ticks() {
    local postmaster
    postmaster=$(pgrep -o -f -- "/postgres -D .* -p $PG_PORT " 2>/dev/null) || { echo 0; return; }
    echo $(($(CHILDREN=1 cpu_ticks "$postmaster") + $(cpu_ticks $(pgrep -P "$postmaster"))))
}

# cpu_per_request WRK_REPORT TICKS: the workers' µs of CPU per request of that row.
cpu_per_request() {
    awk -v ticks="$2" -v hz="$(getconf CLK_TCK)" '
        /requests in/ { n = $1 }
        END { if (n > 0) printf "%.0f", ticks * 1000000 / hz / n; else printf "-" }' "$1"
}

# The mean SQL statement count of the access-log lines (`... sql=N`) for PATH (with any query
# string) written after line N.
sql_per_request() {
    tail -n +"$(($2 + 1))" "$1" | awk -v path="$3" '
        ($2 == path || index($2, path "?") == 1) && $NF ~ /^sql=/ { n++; s += substr($NF, 5) }
        END { if (n) printf "%.2f", s / n; else printf "-" }'
}

# wrk's report -> "workers|engine|label|req/s|p50|p99|errors" (errors: non-2xx/3xx + socket).
parse_wrk() {
    awk -v w="$2" -v e="$3" -v l="$4" '
        /^Requests\/sec:/ { rps = $2 }
        /^ +50% / { p50 = $2 }
        /^ +99% / { p99 = $2 }
        /Non-2xx or 3xx responses:/ { errors += $NF }
        /Socket errors:/ { for (i = 4; i <= NF; i += 2) { v = $i; sub(",", "", v); errors += v } }
        END { printf "%s|%s|%s|%s|%s|%s|%d", w, e, l, rps, p50, p99, errors }
    ' "$1"
}

skip() {
    NOTES+=("skipped $1 (WORKERS=$WORKERS_NOW, $ENGINE_NOW): $2")
    log "skip $1: $2"
}

print_table() {
    echo
    printf '%-8s %-15s %-32s %10s %7s %10s %10s %8s %8s %9s %8s\n' workers engine request req/s ratio p50 p99 errors sql/req "cpu µs" "pg µs"
    printf '%s\n' "---------------------------------------------------------------------------------------------------------------------------------"
    local row ratio
    local -A bare=()   # the bare page's req/s of the round a row belongs to (rows are in time order)
    local normalized=()  # "workers|engine|label|req/s|ratio|p99|cpu|pg" of each row, for the medians
    for row in "${ROWS[@]}"; do
        IFS='|' read -r w e l rps p50 p99 errors sql cpu pg <<<"$row"
        [ "$l" = "bare: fixed page" ] && bare[$w]=$rps
        ratio=$(awk -v r="$rps" -v b="${bare[$w]:-}" 'BEGIN { if (b > 0 && r + 0 > 0) printf "%.2f", r / b; else printf "-" }')
        normalized+=("$w|$e|$l|$rps|$ratio|$p99|${cpu:--}|${pg:--}")
        printf '%-8s %-15s %-32s %10s %7s %10s %10s %8s %8s %9s %8s\n' "$w" "$e" "$l" "$rps" "$ratio" "$p50" "$p99" "$errors" "$sql" "${cpu:--}" "${pg:--}"
    done
    echo "ratio: req/s over the bare page's (shop bare, the same pool, nginx and wrk) with as many workers, in the same round"
    echo "cpu µs: the pool's workers' CPU time (user + system) per request of the row; pg µs: PostgreSQL's (every process of the bench's cluster)"
    if [ "$BENCH_REPEAT" -gt 1 ]; then
        echo
        echo "medians over the $BENCH_REPEAT rounds (each ratio against its own round's bare page):"
        printf '%-8s %-15s %-32s %10s %7s %10s %9s %8s\n' workers engine request req/s ratio p99 "cpu µs" "pg µs"
        printf '%s\n' "${normalized[@]}" | awk -F'|' '
            function median(list,    n, a, i, j, t) {
                n = split(list, a, " ")
                for (i = 2; i <= n; i++) for (j = i; j > 1 && a[j - 1] + 0 > a[j] + 0; j--) { t = a[j]; a[j] = a[j - 1]; a[j - 1] = t }
                return n % 2 ? a[(n + 1) / 2] : (a[n / 2] + a[n / 2 + 1]) / 2
            }
            {
                key = $1 "|" $2 "|" $3
                if (!(key in seen)) { seen[key] = 1; order[++count] = key }
                p99 = $6
                if (p99 ~ /ms$/) p99 = substr(p99, 1, length(p99) - 2) + 0; else if (p99 ~ /us$/) p99 = substr(p99, 1, length(p99) - 2) / 1000; else if (p99 ~ /s$/) p99 = substr(p99, 1, length(p99) - 1) * 1000
                rps[key] = rps[key] " " $4; ratio[key] = ratio[key] " " $5; late[key] = late[key] " " p99; cpu[key] = cpu[key] " " $7; pg[key] = pg[key] " " $8
            }
            END {
                for (i = 1; i <= count; i++) {
                    split(order[i], k, "|")
                    printf "%-8s %-15s %-32s %10.2f %7.2f %8.2fms %9s %8s\n", k[1], k[2], k[3], median(rps[order[i]]), median(ratio[order[i]]), median(late[order[i]]), median(cpu[order[i]]), median(pg[order[i]])
                }
            }'
    fi
    if [ "${#INSTRUCTIONS[@]}" -gt 0 ]; then
        echo
        echo "instructions per request (callgrind: the workers' user space, in serveOneRequest; one connection):"
        printf '%-8s %-15s %-32s %10s %14s\n' workers engine request requests "instr/request"
        for row in "${INSTRUCTIONS[@]}"; do
            IFS='|' read -r w e l n per <<<"$row"
            printf '%-8s %-15s %-32s %10s %14s\n' "$w" "$e" "$l" "$n" "$per"
        done
    fi
    for row in "${NOTES[@]}"; do echo "note: $row"; done
    echo
    echo "worker memory:"
    for row in "${MEMORY[@]}"; do echo "  $row"; done
    echo "wrk -t$BENCH_THREADS -c$BENCH_CONNECTIONS -d$BENCH_DURATION; raw reports in $BENCH_DIR"
    echo "scheduler: $SCHEDULER_NOTE"
}

# ---- the rows -------------------------------------------------------------------------------

bench_home() { measure "GET /" /; }

bench_category() {
    [ -n "$CATEGORY_URL" ] || { skip "GET category page" "no category link on /"; return; }
    measure "GET /{category}/" "$CATEGORY_URL"
}

bench_product() {
    [ "${#PRODUCT_URLS[@]}" -gt 0 ] || { skip "GET product page" "no product link on /"; return; }
    measure "GET /{id}/{slug}/" "${PRODUCT_URLS[0]}"
}

bench_cart_page() {
    local NOTE=""
    ensure_sessions || { skip "GET /cart/ (3 lines)" "$NOTE"; return; }
    measure "GET /cart/ (3 lines)" /cart/ -s "$(session_script GET)"
}

bench_add_to_cart() {
    local NOTE=""
    ensure_sessions || { skip "POST /cart/add/" "$NOTE"; return; }
    local id
    id=$(cut -d/ -f2 <<<"${PRODUCT_URLS[0]}")
    # override=True keeps the line at 1 however many times it is posted.
    measure "POST /cart/add/{id}/" "/cart/add/$id/" -s "$(session_script POST "quantity=1&override=True")"
}

bench_session_page() {
    local NOTE=""
    ensure_sessions || { skip "GET / with session" "$NOTE"; return; }
    measure "GET / (session, 3-line cart)" / -s "$(session_script GET)"
}

run_rows() {
    bench_home
    bench_category
    bench_product
    bench_cart_page
    bench_add_to_cart
}

# GET / without a session, but through a Lua request() like the session rows: wrk then pays
# the same per-request Lua cost (on the same 2 cores), so the two rows compare the shop alone.
bench_home_scripted() {
    local file="$BENCH_DIR/no-session.lua"
    echo 'local r; init = function() r = wrk.format("GET", nil, {}) end; request = function() return r end' >"$file"
    measure "GET / (no session, Lua)" / -s "$file"
}

# GET / without and with a session (a 3-line cart) on the same pool: with cached_db the session
# must cost no SQL once warm, and the page must come close to the one without a session.
run_engine_rows() {
    local round
    for ((round = 0; round < BENCH_REPEAT; round++)); do
        bench_home_scripted
        bench_session_page
    done
}

# ---- memory soak ----------------------------------------------------------------------------

# BENCH_SOAK_SESSIONS sessions, each made by one add-to-cart POST with a CSRF secret of its own
# (the unmasked secret is a valid token), in parallel; prints "sessionid secret" lines.
make_soak_sessions() {
    local id=$1
    seq 1 "$BENCH_SOAK_SESSIONS" | xargs -P 4 -I{} bash -c '
        secret=$(printf "soak%028d" {})
        key=$(curl -s -o /dev/null -D - -b "csrftoken=$secret" \
            --data "quantity=1&override=False&csrfmiddlewaretoken=$secret" "$0/cart/add/$1/" |
            tr -d "\r" | sed -nE "s/^[Ss]et-[Cc]ookie: sessionid=([a-z0-9]{32});.*/\1/p")
        [ -n "$key" ] && printf "%s %s\n" "$key" "$secret"' "$BASE" "$id"
}

# The soak's wrk script: request N of a thread goes to session (N mod sessions), cycling through
# the page kinds; the 5xx are counted.
soak_script() {
    local file="$BENCH_DIR/soak.lua" key secret i=0 id
    id=$(cut -d/ -f2 <<<"${PRODUCT_URLS[0]}")
    {
        echo 'local sessions = {}'
        while read -r key secret; do
            i=$((i + 1))
            printf 'sessions[%d] = {"%s", "%s"}\n' "$i" "$key" "$secret"
        done <"$BENCH_DIR/soak-sessions.txt"
        cat <<LUA
local products = { "${PRODUCT_URLS[0]}", "${PRODUCT_URLS[1]:-${PRODUCT_URLS[0]}}", "${PRODUCT_URLS[2]:-${PRODUCT_URLS[0]}}" }
local checkout = "first_name=Ada&last_name=Lovelace&email=ada%40example.com&address=12+St+James%27s+Square&postal_code=SW1Y+4JH&city=London"
local threads = {}
function setup(thread)
    thread:set("id", #threads)
    table.insert(threads, thread)
end
local n = 0
local kinds = { $BENCH_SOAK_KINDS }
server_errors = 0
function request()
    n = n + 1
    local s = sessions[((n * $BENCH_THREADS + id) % #sessions) + 1]
    local headers = { ["Cookie"] = "sessionid=" .. s[1] .. "; csrftoken=" .. s[2] }
    -- The kind shifts by one on each pass over the sessions, so every session sees every kind.
    local kind = kinds[(n + math.floor(n * $BENCH_THREADS / #sessions)) % #kinds + 1]
    if kind == 3 or kind == 5 then
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        if kind == 3 then
            return wrk.format("POST", "/cart/add/$id/", headers, "quantity=1&override=False&csrfmiddlewaretoken=" .. s[2])
        end
        return wrk.format("POST", "/orders/create/", headers, checkout .. "&csrfmiddlewaretoken=" .. s[2])
    end
    local paths = { [0] = "/", [1] = products[n % 3 + 1], [2] = "/cart/", [4] = "/coffee/",
                    [6] = "/no-such-page/", [7] = products[(n + 1) % 3 + 1] }
    return wrk.format("GET", paths[kind], headers)
end
function response(status)
    if status >= 500 then server_errors = server_errors + 1 end
end
function done()
    local errors = 0
    for _, thread in ipairs(threads) do errors = errors + thread:get("server_errors") end
    io.write(string.format("soak 5xx: %d\n", errors))
end
LUA
    } >"$file"
    printf '%s\n' "$file"
}

# The soak on the last pool: warm up with a tenth of the requests, measure each worker, run
# BENCH_SOAK requests, measure again (BENCH_SOAK_ROUNDS times; the report is the last round's).
run_soak() {
    [ "$BENCH_SOAK" -gt 0 ] || return 0
    [ "${#PRODUCT_URLS[@]}" -gt 0 ] || { NOTES+=("skipped the memory soak: no product link on /"); return; }
    local id out before after
    id=$(cut -d/ -f2 <<<"${PRODUCT_URLS[0]}")
    log "memory soak: making $BENCH_SOAK_SESSIONS sessions"
    make_soak_sessions "$id" >"$BENCH_DIR/soak-sessions.txt"
    [ -s "$BENCH_DIR/soak-sessions.txt" ] || { NOTES+=("skipped the memory soak: no session could be made"); return; }
    soak_script >/dev/null
    log "memory soak: warm-up, $((BENCH_SOAK / 10)) mixed requests"
    wrk_requests $((BENCH_SOAK / 10)) "$BENCH_DIR/soak-warmup.txt" -s "$BENCH_DIR/soak.lua"
    before=$(soak_memory)
    record_memory "soak: warm"
    log "memory soak: $BENCH_SOAK mixed requests over $(wc -l <"$BENCH_DIR/soak-sessions.txt") sessions"
    out="$BENCH_DIR/soak.txt"
    local soak_round errors=0
    for ((soak_round = 1; soak_round <= BENCH_SOAK_ROUNDS; soak_round++)); do
        [ "$soak_round" -eq 1 ] || before=$after
        wrk_requests "$BENCH_SOAK" "$out" --latency -s "$BENCH_DIR/soak.lua"
        errors=$((errors + $(awk '/^soak 5xx:/ { n = $3 } END { print n + 0 }' "$out")))
        after=$(soak_memory)
        if [ "$BENCH_SOAK_ROUNDS" -eq 1 ]; then
            record_memory "soak: after $BENCH_SOAK requests"
        else
            record_memory "soak: after round $soak_round of $BENCH_SOAK_ROUNDS, $BENCH_SOAK requests each"
        fi
    done
    SOAK_REPORT=$(awk -v before="$before" -v after="$after" -v rounds="$BENCH_SOAK_ROUNDS" -v requests="$(awk '/requests in/ { print $1 }' "$out")" \
        -v rps="$(awk '/^Requests\/sec:/ { print $2 }' "$out")" -v errors="$errors" '
        BEGIN {
            n = split(before, b, " "); split(after, a, " ")
            all = ""; last = ""
            if (rounds > 1) { all = " in all " rounds " rounds"; last = ", in the last round" }
            printf "memory soak: %s requests (%s req/s, %s answered 5xx%s); growth per worker once warm%s (RSS / anonymous):", requests, rps, errors, all, last
            for (i = 1; i <= n; i += 3) printf " pid %s %+.2f / %+.2f MiB", b[i], (a[i + 1] - b[i + 1]) / 1024, (a[i + 2] - b[i + 2]) / 1024
            printf "\n"
        }')
}

# wrk_requests COUNT OUT [wrk args]: wrk until the pool has logged COUNT more requests (wrk
# runs for a duration, not a count: it is interrupted, and prints its report, once they are in).
wrk_requests() {
    local count=$1 out=$2; shift 2
    local pool_log="$BENCH_DIR/pool-$WORKERS_NOW-$ENGINE_NOW.log" target wrk_pid
    target=$(($(wc -l <"$pool_log") + count))
    wrk -t"$BENCH_THREADS" -c"$BENCH_CONNECTIONS" -d1800s "$@" "$BASE/" >"$out" &
    wrk_pid=$!
    while [ "$(wc -l <"$pool_log")" -lt "$target" ] && kill -0 "$wrk_pid" 2>/dev/null; do sleep 0.5; done
    kill -INT "$wrk_pid" 2>/dev/null || true
    wait "$wrk_pid" || true
}

# ---- the admin ------------------------------------------------------------------------------

# SQL on the bench database through the private cluster's psql.
bench_sql() {
    psql -X -q -v ON_ERROR_STOP=1 "$(bash "$SCRIPTS/postgres.sh" url "$PG_DIR" "$PG_PORT" shop_bench)" "$@"
}

# A logged-in staff session's Cookie header (user bench, made once).
staff_cookie() {
    local jar="$BENCH_DIR/staff-jar" page="$BENCH_DIR/login.html" token
    SHOP_PASSWORD=bench-password "$BIN" createsuperuser --username bench --email bench@example.com </dev/null >/dev/null 2>&1 || true
    rm -f "$jar"
    curl -fsS -c "$jar" -b "$jar" -o "$page" "$BASE/admin/login/" || return 1
    token=$(csrf_token_in "$page")
    [ "$(curl -s -c "$jar" -b "$jar" -o /dev/null -w '%{http_code}' \
        --data "csrfmiddlewaretoken=$token&username=bench&password=bench-password&next=/admin/" "$BASE/admin/login/")" = 302 ] || return 1
    jar_cookie_header "$jar"
}

# The product change list over BENCH_PRODUCTS products (page 1 and a page deep in),
# and an order's change page with 20 items inline, as a logged-in member of staff.
run_admin_rows() {
    [ "$BENCH_ADMIN" = 1 ] || return 0
    local cookie order
    log "admin: $BENCH_PRODUCTS products and an order of 20 items"
    "$BIN" loaddemo --products "$BENCH_PRODUCTS" >/dev/null
    order=$(bench_sql -tA -c "WITH o AS (INSERT INTO orders_order (first_name, last_name, email, address, postal_code, city)
            VALUES ('Ada', 'Lovelace', 'ada@example.com', '1 Road', '123', 'London') RETURNING id),
        i AS (INSERT INTO orders_orderitem (order_id, product_id, price, quantity)
            SELECT o.id, p.id, p.price, 1 FROM o, (SELECT id, price FROM shop_product ORDER BY id LIMIT 20) AS p)
        SELECT id FROM o")
    cookie=$(staff_cookie) || { NOTES+=("skipped the admin rows: could not log in as staff"); return; }
    measure "GET admin product list ($(count_label "$BENCH_PRODUCTS"))" "/admin/shop/product/" -H "Cookie: $cookie"
    measure "GET admin product list, p=500" "/admin/shop/product/?p=500" -H "Cookie: $cookie"
    measure "GET admin product list, filtered" "/admin/shop/product/?available__exact=1&q=generated" -H "Cookie: $cookie"
    measure "GET admin order (20 items)" "/admin/orders/order/$order/change/" -H "Cookie: $cookie"
}

# ---- costs that stay flat as the shop grows ---------------------------------------------------

# 100000 -> 100k, 1000000 -> 1M
count_label() {
    awk -v n="$1" 'BEGIN { if (n >= 1000000 && n % 1000000 == 0) printf "%dM", n / 1000000;
        else if (n >= 1000 && n % 1000 == 0) printf "%dk", n / 1000; else printf "%d", n }'
}

# random_script NAME LUA: a wrk script whose every request is GET of the Lua expression LUA
# (e.g. '"/?page=" .. math.random(1, 100)').
random_script() {
    local file="$BENCH_DIR/random-$1.lua"
    printf 'math.randomseed(%d)\nrequest = function() return wrk.format("GET", %s) end\n' "$RANDOM" "$2" >"$file"
    printf '%s\n' "$file"
}

# `/` with the demo catalog, then with BENCH_PRODUCTS products (loaddemo --products): page 1, a page
# four fifths in, random pages (most miss the worker's CATALOG_CACHE_SIZE and read 24 rows from
# the list's nearest mark), random product pages; then each worker's memory, which the cache bounds.
run_catalog_scale_rows() {
    [ "$BENCH_PRODUCTS" -gt 0 ] || return 0
    local label pages first last
    label=$(count_label "$BENCH_PRODUCTS")
    measure "GET / ($(bench_sql -tA -c "SELECT count(*) FROM shop_product") products)" /
    log "catalog: shop loaddemo --products $BENCH_PRODUCTS"
    "$BIN" loaddemo --products "$BENCH_PRODUCTS" >/dev/null
    bench_sql -c "VACUUM ANALYZE shop_product"
    pages=$((($(bench_sql -tA -c "SELECT count(*) FROM shop_product WHERE available") + 23) / 24))
    read -r first last < <(bench_sql -tA -F ' ' -c "SELECT min(id), max(id) FROM shop_product")
    # Alternated with the demo's 12 available products alone (the generated ones made unavailable
    # and back, by SQL: each worker's cache follows), so drift on a shared machine hits both alike.
    local round
    for ((round = 0; round < BENCH_REPEAT; round++)); do
        measure "GET / ($label products)" /
        measure "GET /?page=$((pages * 4 / 5)) ($label)" "/?page=$((pages * 4 / 5))"
        bench_sql -c "UPDATE shop_product SET available = false WHERE slug LIKE 'generated-product-%'"
        measure "GET / (12 shown, $label in table)" /
        bench_sql -c "UPDATE shop_product SET available = substring(slug from 19)::bigint % 7 <> 0 WHERE slug LIKE 'generated-product-%'" \
            -c "VACUUM ANALYZE shop_product"
    done
    measure "GET /?page=random ($label)" / -s "$(random_script pages "\"/?page=\" .. math.random(1, $pages)")"
    # Product pages by a random id, with the generated products' slugs (generated-product-ID in a
    # fresh shop): each is looked up by id (the cache or one query); the unavailable seventh and
    # the demo's ids answer 404 after the same lookup.
    measure "GET /{random id}/ ($label)" / -s "$(random_script products \
        "(function() local id = math.random($first, $last); return \"/\" .. id .. \"/generated-product-\" .. id .. \"/\" end)()")"
    # Then enough random pages and products to fill every worker's cache (CATALOG_CACHE_SIZE
    # products in pages, as many by id), and each worker's memory: the cache's bound.
    printf 'math.randomseed(%d)\nlocal n = 0\nrequest = function()\n    n = n + 1\n    if n %% 2 == 0 then return wrk.format("GET", "/?page=" .. math.random(1, %d)) end\n    local id = math.random(%d, %d)\n    return wrk.format("GET", "/" .. id .. "/generated-product-" .. id .. "/")\nend\n' \
        "$RANDOM" "$pages" "$first" "$last" >"$BENCH_DIR/random-fill.lua"
    log "catalog: $((WORKERS_NOW * 12000)) random pages and products to fill the caches"
    wrk_requests $((WORKERS_NOW * 12000)) "$BENCH_DIR/wrk-fill.txt" -s "$BENCH_DIR/random-fill.lua"
    record_memory "with $label products, caches filled by $((WORKERS_NOW * 12000)) random pages and products"
}

# The checkout's cost: COUNT sequential checkouts (each a fresh cart of one product), timed by the
# worker (the access log's milliseconds); one row with their p50 and p99.
checkout_row() {
    local count=$1 label=$2 jar="$BENCH_DIR/checkout-jar" page="$BENCH_DIR/checkout.html" i token id
    local pool_log="$BENCH_DIR/pool-$WORKERS_NOW-$ENGINE_NOW.log" before ok=0
    id=$(cut -d/ -f2 <<<"${PRODUCT_URLS[0]}")
    before=$(wc -l <"$pool_log")
    log "checkout: $count sequential orders ($label)"
    for ((i = 0; i < count; i++)); do
        rm -f "$jar"
        curl -fsS -c "$jar" -b "$jar" -o "$page" "$BASE${PRODUCT_URLS[0]}" || continue
        token=$(csrf_token_in "$page")
        curl -s -c "$jar" -b "$jar" -o /dev/null -e "$BASE/" \
            --data "quantity=1&override=False&csrfmiddlewaretoken=$token" "$BASE/cart/add/$id/"
        [ "$(curl -s -c "$jar" -b "$jar" -o /dev/null -w '%{http_code}' -e "$BASE/" --data \
            "first_name=Ada&last_name=Lovelace&email=ada%40example.com&address=1+Road&postal_code=123&city=London&csrfmiddlewaretoken=$token" \
            "$BASE/orders/create/")" = 302 ] && ok=$((ok + 1))
    done
    local times sql
    times=$(tail -n +"$((before + 1))" "$pool_log" | awk '$1 == "POST" && $2 == "/orders/create/" && $3 == 302 { print $4 + 0 }' | sort -n)
    sql=$(sql_per_request "$pool_log" "$before" /orders/create/)
    ROWS+=("$WORKERS_NOW|$ENGINE_NOW|POST /orders/create/ ($label)|(worker)|$(awk '{ t[NR] = $1 } END {
        if (!NR) { printf "-|-"; exit }
        p99 = int(NR * 0.99); if (p99 < NR * 0.99) p99++; if (p99 < 1) p99 = 1
        printf "%.2fms|%.2fms", t[int((NR + 1) / 2)], t[p99] }' <<<"$times")|$((count - ok))|$sql")
}

order_rows() {
    local label=$1 cookie=$2
    checkout_row "$BENCH_CHECKOUTS" "$label"
    measure "GET admin order list ($label)" "/admin/orders/order/" -H "Cookie: $cookie"
    measure "GET admin orders, paid ($label)" "/admin/orders/order/?paid__exact=1" -H "Cookie: $cookie"
    measure "GET admin orders, past 7 days ($label)" "/admin/orders/order/?created__gte=$(date -u -d '-7 days' +%F)" -H "Cookie: $cookie"
    measure "GET admin orders, search ($label)" "/admin/orders/order/?q=lovelace" -H "Cookie: $cookie"
    measure "GET admin orders, one customer's e-mail ($label)" "/admin/orders/order/?q=customer777%40example.com" -H "Cookie: $cookie"
}

# add_orders N: N orders spread over the past year, as bulk SQL: the newest fiftieth unpaid (as in
# a shop, where the latest orders await payment), the rest half paid.
add_orders() {
    log "orders: adding $1"
    bench_sql -c "INSERT INTO orders_order (first_name, last_name, email, address, postal_code, city, created, updated, paid)
        SELECT (ARRAY['Grace','Alan','Edsger','Barbara','Donald','Ken','Margaret','Niklaus'])[1 + n % 8], 'Customer ' || n,
               'customer' || n || '@example.com', n || ' Bench Street', lpad((n % 100000)::text, 5, '0'),
               (ARRAY['London','Paris','Berlin','Madrid','Rome','Vienna','Oslo','Lisbon','Porto'])[1 + n % 9],
               now() - n * (interval '1 year' / $1), now() - n * (interval '1 year' / $1), n > $1 / 50 AND n % 2 = 0
        FROM generate_series(1, $1) AS n" -c "VACUUM ANALYZE orders_order"
}

# Checkout and the admin's order list with 1,000 orders (every list page full), then with
# BENCH_ORDERS more.
run_order_scale_rows() {
    [ "$BENCH_ORDERS" -gt 0 ] || return 0
    local cookie
    cookie=$(staff_cookie) || { NOTES+=("skipped the order rows: could not log in as staff"); return; }
    add_orders 1000
    order_rows "$(count_label "$(bench_sql -tA -c "SELECT count(*) FROM orders_order")") orders" "$cookie"
    add_orders "$BENCH_ORDERS"
    order_rows "$(count_label "$(bench_sql -tA -c "SELECT count(*) FROM orders_order")") orders" "$cookie"
}

# With SESSION_ENGINE=db (every request reads its session row): the cart and add-to-cart before
# and after BENCH_SESSION_ROWS expired sessions, then `shop clearsessions` while wrk reads /cart/.
run_session_scale_rows() {
    [ "$BENCH_SESSION_ROWS" -gt 0 ] || return 0
    local NOTE="" n label out wrk_pid started took deleted
    pool "$WORKERS_NOW" db
    ensure_sessions || { skip "the session rows" "$NOTE"; return; }
    n=$(bench_sql -tA -c "SELECT count(*) FROM django_session")
    bench_cart_rows "$n sessions"
    log "sessions: adding $BENCH_SESSION_ROWS expired"
    bench_sql -c "INSERT INTO django_session (session_key, session_data, expire_date)
        SELECT md5('bench' || n), 'e30:expired', now() - interval '1 day' - n * interval '1 second'
        FROM generate_series(1, $BENCH_SESSION_ROWS) AS n" -c "VACUUM ANALYZE django_session"
    label="$(count_label "$((n + BENCH_SESSION_ROWS))") sessions"
    bench_cart_rows "$label"
    out="$BENCH_DIR/wrk-clearsessions.txt"
    log "clearsessions under wrk GET /cart/"
    wrk -t"$BENCH_THREADS" -c"$BENCH_CONNECTIONS" -d1800s --latency -s "$(session_script GET)" "$BASE/cart/" >"$out" &
    wrk_pid=$!
    sleep 2
    started=$(date +%s.%N)
    deleted=$("$BIN" clearsessions)
    took=$(awk -v a="$started" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
    kill -INT "$wrk_pid" 2>/dev/null || true
    wait "$wrk_pid" || true
    ROWS+=("$(parse_wrk "$out" "$WORKERS_NOW" "$ENGINE_NOW" "GET /cart/ during clearsessions")|-")
    NOTES+=("shop clearsessions: ${deleted} in ${took} s, while wrk read /cart/ (the row 'GET /cart/ during clearsessions', 2 s before it included)")
}

bench_cart_rows() {
    local id
    id=$(cut -d/ -f2 <<<"${PRODUCT_URLS[0]}")
    measure "GET /cart/ (db engine, $1)" /cart/ -s "$(session_script GET)"
    measure "POST /cart/add/ (db engine, $1)" "/cart/add/$id/" -s "$(session_script POST "quantity=1&override=True")"
}

# "PID RSS ANON PID RSS ANON ..." for the running workers (KiB).
soak_memory() {
    local pid
    for pid in $(worker_pids); do printf '%s %s ' "$pid" "$(process_memory "$pid")"; done
}

# run_round WORKERS BINARY MARK: the ceiling and the shop's rows with BINARY, MARK before the engine.
run_round() {
    BIN=$2 MARK=$3
    run_bare_rows "$1"
    if [ "$BENCH_ROWS" = 1 ]; then
        pool "$1" cached_db
        [ "${#PRODUCT_URLS[@]}" -gt 0 ] || discover_products
        run_rows
    fi
    MARK=""
}

main() {
    cd "$REPO_ROOT"
    trap cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    ensure_deps
    set_scheduler
    command -v wrk >/dev/null || die "wrk is missing; run deploy/scripts/install-deps.sh as root"
    [ "$BENCH_INSTRUCTIONS" != 1 ] || command -v valgrind >/dev/null ||
        die "BENCH_INSTRUCTIONS=1 needs valgrind (apt-get install valgrind)"
    BIN=$(build_shop release)
    local measured=$BIN
    [ -z "$BENCH_BASELINE" ] || [ -x "$BENCH_BASELINE" ] || die "BENCH_BASELINE is not an executable: $BENCH_BASELINE"
    mkdir -p "$BENCH_DIR"
    # The pools' logs are this run's: appended to across its pool restarts and read back for each
    # row's SQL per request (`wc -l`, `tail`). Kept from run to run they only grew (1.5 GB after a
    # day of runs here), and every row read them whole, twice.
    rm -f "$BENCH_DIR"/pool-*.log
    start_services
    "$BIN" migrate
    "$BIN" loaddemo

    local workers engine last=""
    local round
    for workers in $BENCH_WORKERS; do
        last=$workers
        # BENCH_REPEAT rounds of the ceiling and the shop's rows, alternated: each row's ratio is
        # against its own round's bare page, and the medians are printed at the end.
        for ((round = 0; round < BENCH_REPEAT; round++)); do
            if [ -z "$BENCH_BASELINE" ]; then
                run_round "$workers" "$measured" ""
            elif ((round % 2 == 0)); then
                run_round "$workers" "$BENCH_BASELINE" "before:"
                run_round "$workers" "$measured" ""
            else
                # Every other round the other way round: the add-to-cart rows drift down through
                # a run (seen 2,965 -> 1,578 req/s over three rounds), which would favour the first.
                run_round "$workers" "$measured" ""
                run_round "$workers" "$BENCH_BASELINE" "before:"
            fi
        done
    done
    # The engine rows, the soak and the scale rows measure this build, whichever ran last above
    # (with BENCH_BASELINE and an even BENCH_REPEAT, the baseline did).
    BIN=$measured
    round=""
    for engine in $BENCH_ENGINES; do
        pool "$last" "$engine"
        [ "${#PRODUCT_URLS[@]}" -gt 0 ] || discover_products
        run_engine_rows
    done
    pool "$last" cached_db
    [ "${#PRODUCT_URLS[@]}" -gt 0 ] || discover_products
    SOAK_REPORT=""
    run_soak
    run_catalog_scale_rows
    run_admin_rows
    run_order_scale_rows
    run_session_scale_rows
    record_memory "at the end"
    print_table
    [ -z "$SOAK_REPORT" ] || echo "$SOAK_REPORT"
}

main "$@"
