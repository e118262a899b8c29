# Shared helpers for the scripts in deploy/scripts. Source it; it does not run anything itself
# except computing REPO_ROOT and fixing PATH.
# shellcheck shell=bash

# The repository root, from this file's place, so every script works from any cwd.
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
SCRIPTS="$REPO_ROOT/deploy/scripts"
# git-ignored: clusters, sockets, logs, media of dev runs (SHOP_DATA_DIR: elsewhere, for tests)
DATA="${SHOP_DATA_DIR:-$REPO_ROOT/.data}"

# CI runs with a trimmed environment: Swift lives in /opt/swift and nginx/runuser in sbin.
for dir in /opt/swift/usr/bin /usr/sbin /sbin; do
    case ":$PATH:" in *":$dir:"*) ;; *) [ -d "$dir" ] && PATH="$PATH:$dir" ;; esac
done
export PATH

# Messages go to stderr so that `url`-style commands keep a clean stdout. A message that cannot
# be written (its reader is gone: run.sh stopping after its terminal or `| tee` went away) must
# not stop a script half way (set -e), so the write's failure is ignored.
log() { printf '==> %s\n' "$*" >&2 || true; }
warn() { printf 'warning: %s\n' "$*" >&2 || true; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

is_root() { [ "$(id -u)" -eq 0 ]; }

# Paths given to the scripts may be relative: they are taken from the repo root.
abs_path() {
    case "$1" in
        /*) printf '%s\n' "$1" ;;
        *) printf '%s\n' "$REPO_ROOT/$1" ;;
    esac
}

# True when something accepts TCP connections on 127.0.0.1:PORT.
port_in_use() {
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null
}

# First port from $1 upwards that nobody listens on.
free_port() {
    local port=$1
    while port_in_use "$port"; do port=$((port + 1)); done
    printf '%s\n' "$port"
}

# wait_until SECONDS COMMAND...: polls COMMAND every 0.1 s; false on timeout.
wait_until() {
    local deadline=$((SECONDS + $1)); shift
    until "$@"; do
        [ "$SECONDS" -lt "$deadline" ] || return 1
        sleep 0.1
    done
}

# A unix socket path must fit in sun_path (108 bytes). A clone in a deep folder would not, so
# fall back to a short per-checkout folder in /tmp, named after the wanted path.
socket_path() {
    local wanted=$1
    if [ "${#wanted}" -lt 100 ]; then
        printf '%s\n' "$wanted"
    else
        local dir
        dir="/tmp/shop-$(printf '%s' "$wanted" | cksum | cut -d' ' -f1)"
        mkdir -p "$dir"
        printf '%s\n' "$dir/$(basename "$wanted")"
    fi
}

# pid_alive PID [WORD]: the process exists (and, with WORD, its command line contains it, so a
# recycled pid of some other program is never signalled).
pid_alive() {
    local pid=$1 word=${2:-}
    [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 1
    [ -z "$word" ] && return 0
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$word"
}

# A zombie (an exited child not yet reaped) counts as gone.
pid_gone() {
    ! kill -0 "$1" 2>/dev/null || [ "$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" = Z ]
}

# stop_pid PID [SECONDS] [WORD]: SIGTERM (the pool's graceful stop), wait, then SIGKILL.
stop_pid() {
    local pid=$1 timeout=${2:-30} word=${3:-}
    pid_alive "$pid" "$word" || return 0
    kill -TERM "$pid" 2>/dev/null || return 0
    if ! wait_until "$timeout" pid_gone "$pid"; then
        warn "pid $pid did not stop within ${timeout}s after SIGTERM; killing it"
        kill -KILL "$pid" 2>/dev/null || true
    fi
    # Reap it when it is our child, so its status does not linger.
    wait "$pid" 2>/dev/null || true
}

# Swift is preinstalled at /opt/swift; there is no package to install it from.
require_swift() {
    if ! swift_quietly --version >/dev/null 2>&1; then
        die "swift is not on PATH or does not run (expected /opt/swift/usr/bin/swift); install Swift 6.3 first"
    fi
}

# Installs missing system packages as root; elsewhere only checks the commands exist.
ensure_deps() {
    if is_root; then
        bash "$SCRIPTS/install-deps.sh"
    else
        local cmd
        for cmd in nginx redis-server curl; do
            command -v "$cmd" >/dev/null 2>&1 || die "$cmd is missing; run deploy/scripts/install-deps.sh as root"
        done
        require_swift
    fi
}

# A stable secret key for dev runs, kept in .data so sessions survive restarts.
# 64 random bytes, ~85 characters of [A-Za-z0-9]: past the checks DEBUG=0 makes (at least 50
# characters, 5 distinct). A key kept from an older run that fails them is made anew.
dev_secret_key() {
    local file="$DATA/secret_key"
    if [ ! -s "$file" ] || [ "$(wc -c <"$file")" -lt 50 ]; then
        mkdir -p "$DATA"
        (umask 077 && head -c 64 /dev/urandom | base64 -w0 | tr -d '/+=' >"$file")
    fi
    cat "$file"
}

# swift_quietly ARGS...: `swift ARGS...` in the repository, with a temporary folder of its own,
# removed afterwards: the Swift driver leaves /tmp/TemporaryDirectory.* folders behind on
# every run (swiftlang/swift-driver#1720, #2049), hundreds a day on a machine that builds often.
swift_quietly() {
    local dir status=0
    dir=$(mktemp -d "${TMPDIR:-/tmp}/shop-swift.XXXXXX")
    (cd "$REPO_ROOT" && TMPDIR=$dir swift "$@") || status=$?
    rm -rf "$dir"
    return "$status"
}

# The `shop` executable of a build configuration (debug or release).
shop_binary() {
    local config=$1
    printf '%s/shop\n' "$(swift_quietly build -c "$config" --show-bin-path)"
}

# build_shop CONFIG: builds and prints the binary's path; SHOP_BINARY=/path skips the build
# (a prebuilt or stand-in binary).
build_shop() {
    local config=$1
    if [ -n "${SHOP_BINARY:-}" ]; then
        [ -x "$SHOP_BINARY" ] || die "SHOP_BINARY=$SHOP_BINARY is not executable"
        log "using SHOP_BINARY=$SHOP_BINARY (no build)"
        printf '%s\n' "$SHOP_BINARY"
        return
    fi
    log "swift build -c $config"
    swift_quietly build -c "$config" </dev/null >&2 || die "swift build -c $config failed"
    shop_binary "$config"
}

# start_pool BINARY DIR [LOG] [COMMAND...]: runs `shop serve` (or `shop COMMAND...`, e.g. the
# benchmark's `bare`) in the background on unix:DIR/shop.sock (the
# environment carries the other settings) and waits for its socket. Sets POOL_PID and
# POOL_SOCKET; DIR/shop.pid names the master (the pool keeps it up to date: a SIGUSR2 upgrade
# replaces the master), so stop.sh can end a pool whose script was killed.
start_pool() {
    local bin=$1 dir=$2 logfile=${3:-/dev/stderr}
    shift $(($# < 3 ? $# : 3))
    [ $# -gt 0 ] || set -- serve --pid-file "$dir/shop.pid"
    mkdir -p "$dir"
    POOL_SOCKET=$(socket_path "$dir/shop.sock")
    rm -f "$POOL_SOCKET"   # a stale socket from a killed run would make bind() fail
    # Its own session: Ctrl-C in the terminal reaches only the script, whose cleanup then sends
    # the pool one SIGTERM (a second stop signal would make the pool kill its workers at once).
    # setsid execs in place here (a background job is no group leader), so $! is the pool.
    LISTEN="unix:$POOL_SOCKET" setsid "$bin" "$@" >>"$logfile" 2>&1 &
    POOL_PID=$!
    printf '%s\n' "$POOL_PID" >"$dir/shop.pid"
    wait_until 60 pool_listening || die "shop serve did not create $POOL_SOCKET within 60 s"
}

# watch_pool DIR: returns when the pool has stopped, following it through SIGUSR2 upgrades
# (the old master exits once the new one, named in DIR/shop.pid, has taken over). Sleeps in
# the background and waits, so a trapped signal is handled at once.
watch_pool() {
    local dir=$1 next
    while :; do
        if pid_gone "$POOL_PID"; then
            wait "$POOL_PID" 2>/dev/null || true
            next=$(cat "$dir/shop.pid" 2>/dev/null || true)
            if [ -n "$next" ] && [ "$next" != "$POOL_PID" ] && pid_alive "$next" serve; then
                log "the pool was upgraded in place: master $next serves now"
                POOL_PID=$next
                continue
            fi
            return 0
        fi
        sleep 1 &
        wait $! || true
    done
}

pool_listening() {
    pid_alive "$POOL_PID" || die "shop serve exited at start (LISTEN=unix:$POOL_SOCKET)"
    [ -S "$POOL_SOCKET" ]
}

# stop_pool DIR: SIGTERM to the master, which lets running requests finish and exits 0.
# Our own child (POOL_PID) is stopped as is; a pid read back from DIR/shop.pid only when its
# command line still says `serve` (the pid may belong to another program by now). The file is
# read too when POOL_PID is gone: after an upgrade it names the new master.
stop_pool() {
    local dir=$1 current
    if [ -n "${POOL_PID:-}" ]; then
        stop_pid "$POOL_PID" 40
    fi
    current=$(cat "$dir/shop.pid" 2>/dev/null || true)
    if [ -n "$current" ] && [ "$current" != "${POOL_PID:-}" ]; then
        stop_pid "$current" 40 serve
    fi
    rm -f "$dir/shop.pid"
    if [ -n "${POOL_SOCKET:-}" ]; then rm -f "$POOL_SOCKET"; fi
    POOL_PID=""
}
