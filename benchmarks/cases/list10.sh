#!/bin/sh
# Case 2, bare CLI: ten `ps` calls with the argv herodo's nerdctl_list() runs.
set -eu
ENGINE="${ENGINE:-docker}"
i=0
while [ "$i" -lt 10 ]; do
  "$ENGINE" ps --no-trunc --format '{{json .}}'
  i=$((i + 1))
done
