#!/bin/sh
# Case 2, bare CLI: N `ps` calls (default 10) with the argv herodo's nerdctl_list() runs. $1: N.
set -eu
ENGINE="${ENGINE:-docker}"
N="${1:-10}"
i=0
while [ "$i" -lt "$N" ]; do
  "$ENGINE" ps --no-trunc --format '{{json .}}'
  i=$((i + 1))
done
