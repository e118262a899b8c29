#!/usr/bin/env bash
# A private PostgreSQL cluster in a git-ignored folder, so runs and tests never touch a system
# or shared server.
#
#   postgres.sh start   DIR PORT [DB]   initdb if needed, start (idempotent), create DB if missing
#   postgres.sh stop    DIR [PORT]      stop the cluster if it runs
#   postgres.sh status  DIR             exit 0 when it runs
#   postgres.sh url     DIR PORT [DB]   print postgresql://USER@127.0.0.1:PORT/DB
#   postgres.sh socketurl DIR PORT [DB] the same over the private unix socket (cheaper per query)
#   postgres.sh resetdb DIR PORT [DB]   drop and create DB (a clean slate for a test run)
#   postgres.sh destroy DIR             stop and delete the cluster
#
# DIR is taken from the repo root when relative (.data/postgres for `make run`/`make bench`,
# .data/postgres-test for `make test`). DB defaults to shop_test for a folder named *-test,
# else shop. Layout: DIR/data (PGDATA), DIR/sock (unix socket), DIR/postgres.log.
# Auth is trust, on 127.0.0.1 and the private socket only. The *_test cluster runs with
# fsync off: its data is thrown away anyway and it makes the suites much faster.
# USER: the shop's database (shop) is owned by, and reached as, a dedicated role of the same
# name, not the superuser: a pool at max_connections then leaves the superuser's reserved slots
# free for psql. The test databases (which the suites drop and recreate) are reached as postgres.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

usage() { die "usage: postgres.sh start|stop|status|url|socketurl|resetdb|destroy DIR [PORT] [DB]"; }

# The newest installed server version (Debian: /usr/lib/postgresql/15/bin).
bindir() {
    local dir
    dir=$(printf '%s\n' /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
    if [ ! -x "$dir/pg_ctl" ]; then
        die "no PostgreSQL server in /usr/lib/postgresql; run deploy/scripts/install-deps.sh"
    fi
    printf '%s\n' "$dir"
}

# PostgreSQL refuses to run as root: as root, run its tools as the `postgres` OS user (from /,
# since the caller's cwd may be out of that user's reach; every path passed is absolute).
as_pg() {
    if is_root; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

# The role a database is reached as (see USER above): make run's and make bench's `shop` as
# `shop`; the suites' databases (shop_test, shop_browser: dropped and recreated) as postgres.
db_user() {
    case "$1" in shop) echo shop ;; *) echo postgres ;; esac
}

# The dedicated role owns its database and everything in its public schema (an older cluster
# made the tables as postgres: they are handed over once).
ensure_role() {
    local port=$1 db=$2 role
    role=$(db_user "$db")
    [ "$role" = postgres ] && return 0
    psql_cmd "$port" -d postgres -c "DO \$\$ BEGIN
          IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$role') THEN CREATE ROLE $role LOGIN; END IF;
        END \$\$" -c "ALTER DATABASE $db OWNER TO $role"
    psql_cmd "$port" -d "$db" -c "DO \$\$ DECLARE r record; BEGIN
          FOR r IN SELECT c.oid::regclass AS name FROM pg_class c
                   WHERE c.relnamespace = 'public'::regnamespace AND c.relkind IN ('r', 'p', 'v', 'm')
                     AND pg_get_userbyid(c.relowner) <> '$role' LOOP
            EXECUTE format('ALTER TABLE %s OWNER TO $role', r.name);
          END LOOP;
          FOR r IN SELECT p.oid::regprocedure AS name FROM pg_proc p
                   WHERE p.pronamespace = 'public'::regnamespace AND pg_get_userbyid(p.proowner) <> '$role' LOOP
            EXECUTE format('ALTER FUNCTION %s OWNER TO $role', r.name);
          END LOOP;
        END \$\$"
}

default_db() {
    case "$(basename "$1")" in *-test | *_test) echo shop_test ;; *) echo shop ;; esac
}

# The folder the cluster really lives in. As root, the postgres user must be able to reach it;
# a clone under /root (mode 0700) is out of its reach, so the cluster then lives in /var/tmp and
# DIR becomes a symlink to it (stop/url/destroy follow the link).
cluster_root() {
    local dir=$1
    if [ -L "$dir" ]; then readlink -f "$dir"; return; fi
    mkdir -p "$dir"
    if is_root && ! runuser -u postgres -- test -x "$(dirname "$dir")"; then
        local target
        target="/var/tmp/shop-postgres-$(printf '%s' "$dir" | cksum | cut -d' ' -f1)"
        mkdir -p "$target"
        rmdir "$dir" 2>/dev/null || die "$dir is not reachable by the postgres user and not empty"
        ln -s "$target" "$dir"
        log "postgres cannot reach $dir; the cluster lives in $target"
        dir=$target
    fi
    printf '%s\n' "$dir"
}

# The socket folder; "/.s.PGSQL.PORT" must still fit in sun_path (see socket_path in lib.sh).
sock_dir() {
    dirname "$(socket_path "$1/sock/.s.PGSQL.00000")"
}

running() {
    local root=$1
    [ -f "$root/data/PG_VERSION" ] && as_pg "$(bindir)/pg_ctl" -D "$root/data" status >/dev/null 2>&1
}

init_cluster() {
    local root=$1 bin
    bin=$(bindir)
    if is_root; then chown postgres:postgres "$root"; fi
    log "initdb $root/data"
    as_pg "$bin/initdb" -D "$root/data" -U postgres --auth=trust --encoding=UTF8 --no-locale \
        --no-sync >"$root/initdb.log" 2>&1 || { cat "$root/initdb.log" >&2; die "initdb failed"; }
    # Trust, but only over the private socket and the IPv4 loopback.
    cat >"$root/data/pg_hba.conf" <<'HBA'
# Written by deploy/scripts/postgres.sh: a private development/test cluster.
local   all  all                trust
host    all  all  127.0.0.1/32  trust
HBA
}

psql_cmd() {
    local port=$1; shift
    "$(bindir)/psql" -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres "$@"
}

ensure_db() {
    local port=$1 db=$2
    [[ "$db" =~ ^[a-z_][a-z0-9_]*$ ]] || die "bad database name: $db"
    if [ -z "$(psql_cmd "$port" -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'")" ]; then
        log "creating database $db"
        psql_cmd "$port" -d postgres -c "CREATE DATABASE $db"
    fi
}

cmd_start() {
    local dir port=$2 db=${3:-$(default_db "$1")} root sock options
    dir=$(abs_path "$1")
    root=$(cluster_root "$dir")
    [ -f "$root/data/PG_VERSION" ] || init_cluster "$root"
    if running "$root"; then
        # Already up (an earlier run left it, or a sibling script started it): just reuse it.
        psql_cmd "$port" -d postgres -tAc 'SELECT 1' >/dev/null 2>&1 ||
            die "the cluster in $dir runs, but not on port $port (stop it first)"
    else
        port_in_use "$port" && die "port $port is taken by another server; pick another port"
        sock=$(sock_dir "$root")
        mkdir -p "$sock"
        if is_root; then chown postgres:postgres "$root" "$sock"; fi
        options="-p $port -k $sock -c listen_addresses=127.0.0.1 -c max_connections=200"
        case "$db" in
            *_test) options="$options -c fsync=off -c synchronous_commit=off -c full_page_writes=off" ;;
        esac
        log "starting PostgreSQL on 127.0.0.1:$port ($dir)"
        as_pg "$(bindir)/pg_ctl" -D "$root/data" -l "$root/postgres.log" -w -t 60 -o "$options" start >/dev/null ||
            { tail -n 20 "$root/postgres.log" >&2; die "PostgreSQL did not start (log: $root/postgres.log)"; }
    fi
    ensure_db "$port" "$db"
    ensure_role "$port" "$db"
}

cmd_stop() {
    local dir root
    dir=$(abs_path "$1")
    [ -e "$dir" ] || return 0
    root=$(readlink -f "$dir")
    if running "$root"; then
        log "stopping PostgreSQL ($dir)"
        as_pg "$(bindir)/pg_ctl" -D "$root/data" -m fast -w -t 60 stop >/dev/null
    fi
}

cmd_status() {
    local dir
    dir=$(abs_path "$1")
    [ -e "$dir" ] && running "$(readlink -f "$dir")"
}

cmd_url() {
    local port=$2 db=${3:-$(default_db "$1")}
    printf 'postgresql://%s@127.0.0.1:%s/%s\n' "$(db_user "$db")" "$port" "$db"
}

# A unix socket skips the TCP stack on both ends: the pool's queries cost less CPU.
cmd_socketurl() {
    local port=$2 db=${3:-$(default_db "$1")}
    printf 'postgresql://%s@/%s?host=%s&port=%s\n' "$(db_user "$db")" "$db" "$(sock_dir "$(readlink -f "$1")")" "$port"
}

cmd_resetdb() {
    local port=$2 db=${3:-$(default_db "$1")}
    cmd_status "$1" || die "the cluster in $1 is not running"
    [[ "$db" =~ ^[a-z_][a-z0-9_]*$ ]] || die "bad database name: $db"
    log "recreating database $db"
    psql_cmd "$port" -d postgres -c "DROP DATABASE IF EXISTS $db WITH (FORCE)" -c "CREATE DATABASE $db"
}

cmd_destroy() {
    local dir root
    dir=$(abs_path "$1")
    [ -e "$dir" ] || return 0
    cmd_stop "$1"
    root=$(readlink -f "$dir")
    rm -rf "$root"
    [ -L "$dir" ] && rm -f "$dir"
    return 0
}

main() {
    [ $# -ge 2 ] || usage
    local command=$1; shift
    case "$command" in
        start | url | socketurl | resetdb) [ $# -ge 2 ] || usage; "cmd_$command" "$@" ;;
        stop | status | destroy) "cmd_$command" "$1" ;;
        *) usage ;;
    esac
}

main "$@"
