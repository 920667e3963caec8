#!/bin/sh
# Issue 17, bare CLI: the engine calls calls.lua makes, with herodo's argv. $1 OP, $2 N, $3 NAME, $4 IMAGE.
set -eu
ENGINE="${ENGINE:-docker}"
OP="$1"; N="$2"; NAME="${3:-}"; IMAGE="${4:-}"
i=1
while [ "$i" -le "$N" ]; do
  case "$OP" in
    list) "$ENGINE" ps --all --no-trunc --format '{{json .}}' >/dev/null ;;
    inspect) "$ENGINE" container inspect "$NAME" >/dev/null ;;
    exec) "$ENGINE" exec "$NAME" true ;;
    run) "$ENGINE" run --name "$NAME-$i" "$IMAGE" true ;;
    *) echo "unknown op $OP" >&2; exit 2 ;;
  esac
  i=$((i + 1))
done
