#!/usr/bin/env bash
# A private nginx in front of one or more FastCGI pools.
#
#   nginx.sh start  PORT SOCKETS PREFIXDIR   render the config, check it, start nginx (daemon)
#   nginx.sh run    PORT SOCKETS PREFIXDIR   the same in the foreground (daemon off)
#   nginx.sh render PORT SOCKETS PREFIXDIR   only render PREFIXDIR/nginx.conf and `nginx -t` it
#   nginx.sh stop   [PORT SOCKETS] PREFIXDIR graceful stop (SIGQUIT), if it runs
#
# SOCKETS: one unix socket path, or several separated by spaces (one upstream server each,
# round-robin). PREFIXDIR (relative: from the repo root) gets nginx.conf, nginx.pid, the logs
# and the temp folders. /static/ is served from Public/, /media/ from $MEDIA_ROOT (default
# .data/media). The template is deploy/nginx.conf.template.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

TEMPLATE="$REPO_ROOT/deploy/nginx.conf.template"

usage() { die "usage: nginx.sh start|run|render PORT SOCKETS PREFIXDIR | nginx.sh stop PREFIXDIR"; }

# Escapes a value for the replacement side of a sed s||| command.
sed_escape() { printf '%s' "$1" | sed -e 's/[\\|&]/\\&/g'; }

render() {
    local port=$1 sockets=$2 prefix=$3 media servers="" user="" socket
    [[ "$port" =~ ^[0-9]+$ ]] || die "bad port: $port"
    media=$(abs_path "${MEDIA_ROOT:-.data/media}")
    mkdir -p "$prefix/tmp" "$media"
    # Each socket twice, the second time as a backup (see the template's upstream comment).
    for socket in $sockets; do
        servers+="        server unix:$(abs_path "$socket") max_fails=0;\\n"
    done
    for socket in $sockets; do
        servers+="        server unix:$(abs_path "$socket") max_fails=0 backup;\\n"
    done
    [ -n "$servers" ] || die "no socket given"
    # Why root: see the comment at the top of the template.
    is_root && user="user root root;"
    sed -e "s|@PORT@|$port|g" \
        -e "s|@PREFIX@|$(sed_escape "$prefix")|g" \
        -e "s|@PUBLIC_DIR@|$(sed_escape "$REPO_ROOT/Public")|g" \
        -e "s|@MEDIA_DIR@|$(sed_escape "$media")|g" \
        -e "s|@USER@|$user|g" \
        -e "s|@UPSTREAM_SERVERS@|${servers%\\n}|" \
        "$TEMPLATE" >"$prefix/nginx.conf"
    nginx_cmd "$prefix" -t -q || die "nginx rejected $prefix/nginx.conf"
}

# -e: the error log before the config is read (the compiled-in one is /var/log/nginx).
nginx_cmd() {
    local prefix=$1; shift
    nginx -p "$prefix" -c "$prefix/nginx.conf" -e "$prefix/error.log" "$@"
}

master_pid() {
    local pid
    pid=$(cat "$1/nginx.pid" 2>/dev/null) || return 1
    pid_alive "$pid" nginx && printf '%s\n' "$pid"
}

cmd_start() {
    local port=$1 sockets=$2 prefix=$3 foreground=${4:-}
    master_pid "$prefix" >/dev/null && die "nginx already runs from $prefix (nginx.sh stop $prefix)"
    port_in_use "$port" && die "port $port is taken; pick another port"
    render "$port" "$sockets" "$prefix"
    if [ -n "$foreground" ]; then
        exec nginx -p "$prefix" -c "$prefix/nginx.conf" -e "$prefix/error.log" -g 'daemon off;'
    fi
    nginx_cmd "$prefix"
    wait_until 10 port_in_use "$port" || { tail -n 20 "$prefix/error.log" >&2; die "nginx did not start"; }
}

cmd_stop() {
    local prefix=$1 pid
    pid=$(master_pid "$prefix") || return 0
    # SIGQUIT: graceful shutdown (finish the requests in flight), then wait for the master.
    kill -QUIT "$pid" 2>/dev/null || return 0
    wait_until 20 pid_gone "$pid" || kill -TERM "$pid" 2>/dev/null || true
}

main() {
    [ $# -ge 2 ] || usage
    local command=$1; shift
    case "$command" in
        start | run | render)
            [ $# -eq 3 ] || usage
            local prefix
            prefix=$(abs_path "$3")
            case "$command" in
                start) cmd_start "$1" "$2" "$prefix" ;;
                run) cmd_start "$1" "$2" "$prefix" foreground ;;
                render) render "$1" "$2" "$prefix"; printf '%s\n' "$prefix/nginx.conf" ;;
            esac
            ;;
        stop) cmd_stop "$(abs_path "${!#}")" ;;   # PREFIXDIR is the last argument
        *) usage ;;
    esac
}

main "$@"
