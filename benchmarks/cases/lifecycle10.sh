#!/bin/sh
# Case 3, bare CLI: run, inspect, exec, logs, stop, rm, ten times. $1: name prefix, $2: image.
set -eu
ENGINE="${ENGINE:-docker}"
PREFIX="${1:-hb-bench-sh}"
IMAGE="${2:-localhost/herodo-busybox:latest}"
i=1
while [ "$i" -le 10 ]; do
  name="$PREFIX-$i"
  "$ENGINE" run -d --name "$name" --label herodo-bench=1 "$IMAGE" sh -c "trap 'exit 0' TERM; sleep 300 & wait" >/dev/null
  state=$("$ENGINE" container inspect --format '{{.State.Status}}' "$name")
  out=$("$ENGINE" exec "$name" sh -c 'echo hi')
  "$ENGINE" logs "$name" >/dev/null
  "$ENGINE" stop "$name" >/dev/null
  "$ENGINE" rm "$name" >/dev/null
  echo "$i $state $out"
  i=$((i + 1))
done
