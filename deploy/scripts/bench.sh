#!/usr/bin/env bash
# `make bench`: throughput and latency of the pool behind nginx, measured with wrk.
# Release build, the private PostgreSQL of `make run` (.data/postgres), migrate + loaddemo, then
# for each pool size in BENCH_WORKERS a set of rows, then one row per session engine.
# Prints a table (workers, engine, request, req/s, p50, p99, errors); wrk's raw output and the
# logs stay in .data/bench/. Stops everything it started.
#
# Knobs: BENCH_WORKERS="2 4"  BENCH_DURATION=10s  BENCH_WARMUP=3s  BENCH_CONNECTIONS=32
#        BENCH_ROWS=0 (only the per-engine rows)  BENCH_REPEAT=1 (engine rows, alternated)
#        BENCH_THREADS=2  BENCH_ENGINES="cached_db db file cache signed_cookies"  BENCH_SESSIONS=32
#        SHOP_BINARY=/path (skip the build and measure that binary)
#        BENCH_SOAK=200000 (mixed requests of the memory soak; 0 skips it)  BENCH_SOAK_SESSIONS=2000
#        BENCH_ADMIN=1 (the admin rows, last: they add BENCH_ADMIN_PRODUCTS products)  BENCH_ADMIN_PRODUCTS=100000
#
# The ceiling: for each pool size, `shop bare` (the same pool and FastCGI code answering a fixed
# page, then the same after one `SELECT 1`) runs behind the same nginx first, and every row of
# that pool size prints its req/s as a ratio of the bare page's: absolute figures on a shared
# machine drift by ±15%, the ratio is what is tracked.
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
BENCH_ADMIN=${BENCH_ADMIN:-1}
BENCH_ADMIN_PRODUCTS=${BENCH_ADMIN_PRODUCTS:-100000}

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
ROWS=() NOTES=() MEMORY=()
declare -A BARE_RPS=()   # pool size -> the bare page's req/s in this run
PRODUCT_URLS=()          # the first product pages linked from `/`
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
    exit "$status"
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
    WORKERS=$WORKERS_NOW SESSION_ENGINE=$ENGINE_NOW start_pool "$BIN" "$BENCH_DIR" "$BENCH_DIR/pool-$WORKERS_NOW-$ENGINE_NOW.log" "$@"
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

# The ceiling for WORKERS: the bare page, then the bare page after one SELECT 1.
run_bare_rows() {
    pool "$1" bare bare
    measure "bare: fixed page" /
    BARE_RPS[$1]=$(rps_of_last_row)
    pool "$1" bare bare --select
    measure "bare: fixed page + SELECT 1" /
}

rps_of_last_row() { IFS='|' read -r _ _ _ rps _ <<<"${ROWS[-1]}"; printf '%s\n' "$rps"; }

# ---- worker memory --------------------------------------------------------------------------

# The pool's workers: the master's children.
worker_pids() { pgrep -P "$POOL_PID" | sort -n; }

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
# CSRF token): wrk's connections then act like BENCH_SESSIONS browsers, not one.
session_script() {
    local method=$1 body=${2:-} file="$BENCH_DIR/sessions-$1.lua" i
    {
        echo 'local cookies, tokens, n = {}, {}, 0'
        for i in "${!SESSION_COOKIES[@]}"; do
            printf 'cookies[%d] = [[%s]]; tokens[%d] = [[%s]]\n' "$((i + 1))" "${SESSION_COOKIES[$i]}" "$((i + 1))" "${SESSION_TOKENS[$i]}"
        done
        cat <<LUA
request = function()
    n = n % #cookies + 1
    local headers = { ["Cookie"] = cookies[n] }
    local body = nil
    if "$method" == "POST" then
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        body = "$body&csrfmiddlewaretoken=" .. tokens[n]
    end
    return wrk.format("$method", nil, headers, body)
end
LUA
    } >"$file"
    printf '%s\n' "$file"
}

# ---- measuring ------------------------------------------------------------------------------

# measure LABEL PATH [wrk args...]: one row of the table.
measure() {
    local label=$1 path=$2; shift 2
    local name out pool_log lines_before sql
    name=$(printf '%s' "$label" | tr -cs 'a-zA-Z0-9' '-' | sed 's/-$//')
    out="$BENCH_DIR/wrk-$WORKERS_NOW-$ENGINE_NOW-$name.txt"
    pool_log="$BENCH_DIR/pool-$WORKERS_NOW-$ENGINE_NOW.log"
    lines_before=$(wc -l <"$pool_log")
    log "wrk $label ($path, WORKERS=$WORKERS_NOW, $ENGINE_NOW)"
    wrk -t"$BENCH_THREADS" -c"$BENCH_CONNECTIONS" -d"$BENCH_DURATION" --latency "$@" "$BASE$path" >"$out"
    sql=$(sql_per_request "$pool_log" "$lines_before" "$path")
    ROWS+=("$(parse_wrk "$out" "$WORKERS_NOW" "$ENGINE_NOW" "$label")|$sql")
}

# The mean SQL statement count of the access-log lines (`... sql=N`) for PATH written after line N.
sql_per_request() {
    tail -n +"$(($2 + 1))" "$1" | awk -v path="$3" '
        $2 == path && $NF ~ /^sql=/ { n++; s += substr($NF, 5) }
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
    printf '%-8s %-15s %-32s %10s %7s %10s %10s %8s %8s\n' workers engine request req/s ratio p50 p99 errors sql/req
    printf '%s\n' "-----------------------------------------------------------------------------------------------------------------------"
    local row ratio
    for row in "${ROWS[@]}"; do
        IFS='|' read -r w e l rps p50 p99 errors sql <<<"$row"
        ratio=$(awk -v r="$rps" -v b="${BARE_RPS[$w]:-}" 'BEGIN { if (b > 0) printf "%.2f", r / b; else printf "-" }')
        printf '%-8s %-15s %-32s %10s %7s %10s %10s %8s %8s\n' "$w" "$e" "$l" "$rps" "$ratio" "$p50" "$p99" "$errors" "$sql"
    done
    echo "ratio: req/s over the bare page's (shop bare, the same pool, nginx and wrk) with as many workers, in this run"
    for row in "${NOTES[@]}"; do echo "note: $row"; done
    echo
    echo "worker memory:"
    for row in "${MEMORY[@]}"; do echo "  $row"; done
    echo "wrk -t$BENCH_THREADS -c$BENCH_CONNECTIONS -d$BENCH_DURATION; raw reports in $BENCH_DIR"
}

# ---- the rows -------------------------------------------------------------------------------

bench_home() { measure "GET /" /; }

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
    bench_product
    bench_cart_page
    bench_add_to_cart
}

# GET / without a session, but through a Lua request() like the session rows: wrk then pays
# the same per-request Lua cost (on the same 2 cores), so the two rows compare the shop alone.
bench_home_scripted() {
    local file="$BENCH_DIR/no-session.lua"
    echo 'request = function() return wrk.format("GET", nil, {}) end' >"$file"
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
server_errors = 0
function request()
    n = n + 1
    local s = sessions[((n * $BENCH_THREADS + id) % #sessions) + 1]
    local headers = { ["Cookie"] = "sessionid=" .. s[1] .. "; csrftoken=" .. s[2] }
    -- The kind shifts by one on each pass over the sessions, so every session sees every kind.
    local kind = (n + math.floor(n * $BENCH_THREADS / #sessions)) % 8
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
# BENCH_SOAK requests, measure again.
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
    wrk_requests "$BENCH_SOAK" "$out" --latency -s "$BENCH_DIR/soak.lua"
    after=$(soak_memory)
    record_memory "soak: after $BENCH_SOAK requests"
    SOAK_REPORT=$(awk -v before="$before" -v after="$after" -v requests="$(awk '/requests in/ { print $1 }' "$out")" \
        -v rps="$(awk '/^Requests\/sec:/ { print $2 }' "$out")" -v errors="$(awk '/^soak 5xx:/ { print $3 }' "$out")" '
        BEGIN {
            n = split(before, b, " "); split(after, a, " ")
            printf "memory soak: %s requests (%s req/s, %s answered 5xx); growth per worker once warm (RSS / anonymous):", requests, rps, errors
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

# The product change list over BENCH_ADMIN_PRODUCTS products (page 1 and a page deep in),
# and an order's change page with 20 items inline, as a logged-in member of staff.
run_admin_rows() {
    [ "$BENCH_ADMIN" = 1 ] || return 0
    local cookie order
    log "admin: $BENCH_ADMIN_PRODUCTS products and an order of 20 items"
    bench_sql -c "INSERT INTO shop_product (category_id, name, slug, price, available, created)
        SELECT (SELECT min(id) FROM shop_category), 'Bench product ' || n, 'bench-product-' || n,
               (n % 500) + 0.99, n % 3 <> 0, now() - n * interval '1 minute'
        FROM generate_series(1, $BENCH_ADMIN_PRODUCTS) AS n" -c "ANALYZE shop_product"
    order=$(bench_sql -tA -c "WITH o AS (INSERT INTO orders_order (first_name, last_name, email, address, postal_code, city)
            VALUES ('Ada', 'Lovelace', 'ada@example.com', '1 Road', '123', 'London') RETURNING id),
        i AS (INSERT INTO orders_orderitem (order_id, product_id, price, quantity)
            SELECT o.id, p.id, p.price, 1 FROM o, (SELECT id, price FROM shop_product ORDER BY id LIMIT 20) AS p)
        SELECT id FROM o")
    cookie=$(staff_cookie) || { NOTES+=("skipped the admin rows: could not log in as staff"); return; }
    measure "GET admin product list (100k)" "/admin/shop/product/" -H "Cookie: $cookie"
    measure "GET admin product list, p=500" "/admin/shop/product/?p=500" -H "Cookie: $cookie"
    measure "GET admin product list, filtered" "/admin/shop/product/?available__exact=1&q=bench" -H "Cookie: $cookie"
    measure "GET admin order (20 items)" "/admin/orders/order/$order/change/" -H "Cookie: $cookie"
}

# "PID RSS ANON PID RSS ANON ..." for the running workers (KiB).
soak_memory() {
    local pid
    for pid in $(worker_pids); do printf '%s %s ' "$pid" "$(process_memory "$pid")"; done
}

main() {
    cd "$REPO_ROOT"
    trap cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    ensure_deps
    command -v wrk >/dev/null || die "wrk is missing; run deploy/scripts/install-deps.sh as root"
    BIN=$(build_shop release)
    mkdir -p "$BENCH_DIR"
    start_services
    "$BIN" migrate
    "$BIN" loaddemo

    local workers engine last=""
    for workers in $BENCH_WORKERS; do
        last=$workers
        run_bare_rows "$workers"
        [ "$BENCH_ROWS" = 1 ] || continue
        pool "$workers" cached_db
        [ "${#PRODUCT_URLS[@]}" -gt 0 ] || discover_products
        run_rows
    done
    for engine in $BENCH_ENGINES; do
        pool "$last" "$engine"
        [ "${#PRODUCT_URLS[@]}" -gt 0 ] || discover_products
        run_engine_rows
    done
    pool "$last" cached_db
    [ "${#PRODUCT_URLS[@]}" -gt 0 ] || discover_products
    SOAK_REPORT=""
    run_soak
    run_admin_rows
    record_memory "at the end"
    print_table
    [ -z "$SOAK_REPORT" ] || echo "$SOAK_REPORT"
}

main "$@"
