#!/usr/bin/env bash
# Stop what scripts/engines-up.sh started (dockerd, the registry) and nothing else.
# It reads $HERODO_STATE_DIR/started (default /tmp/herodo-engines): lines "NAME PID STARTTIME [DIR]".
# A process is stopped only if that PID still runs the same program, started at the same time
# (so a recycled PID is never killed). Safe to run when nothing was started.
set -euo pipefail

STATE_DIR="${HERODO_STATE_DIR:-/tmp/herodo-engines}"
STARTED="$STATE_DIR/started"

say() { printf '[engines-down] %s\n' "$*"; }

if [ ! -s "$STARTED" ]; then
    say "nothing recorded in $STARTED: nothing to stop"
    exit 0
fi

stop_pid() {  # stop_pid NAME PID: TERM, wait up to 30 s, then KILL
    local name=$1 pid=$2 i
    kill -TERM "$pid" 2>/dev/null || return 0
    for ((i = 0; i < 60; i++)); do
        kill -0 "$pid" 2>/dev/null || { say "$name $pid stopped"; return 0; }
        sleep 0.5
    done
    say "$name $pid still running after 30 s: SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
}

# Stop in reverse order of start.
tac "$STARTED" | while read -r name pid starttime dir; do
    [ -n "$name" ] || continue
    case "$name" in
        dockerd) program=dockerd ;;
        registry) program=docker-registry ;;
        *) say "unknown entry '$name': ignored"; continue ;;
    esac
    now_start="$(awk '{print $22}' "/proc/$pid/stat" 2>/dev/null || true)"
    now_prog="$(cat "/proc/$pid/comm" 2>/dev/null || true)"
    if [ -n "$now_start" ] && [ "$now_start" = "$starttime" ] && [ "$now_prog" = "$program" ]; then
        stop_pid "$name" "$pid"
    else
        say "$name $pid no longer running"
    fi
    # The registry's config and storage live in a temp dir of ours.
    case "$dir" in
        /tmp/herodo-registry.*) rm -rf -- "$dir" ;;
    esac
done
rm -f "$STARTED"
