#!/usr/bin/env bash
# Bring up everything the herodo_py tests need, idempotently (safe to run again and again):
#   - Debian packages: docker.io podman docker-registry busybox-static lua5.4 lua-check openssh-server
#     openssh-client (only the missing ones; sshd is not started: the ssh transport test starts its own)
#   - dockerd, if `docker version` does not answer (log: /tmp/herodo-dockerd.log)
#   - podman's ulimits in /etc/containers/containers.conf (see docs/ENGINES.md)
#   - the offline test image localhost/herodo-busybox:latest, loaded into docker and podman
#   - an auth-less registry on 127.0.0.1:5000, if nothing answers there
#   - `pip install -e '.[test]'` when pyproject.toml exists
# What this script starts is recorded in $HERODO_STATE_DIR/started (default /tmp/herodo-engines)
# so that scripts/engines-down.sh stops only that. No systemd needed (there is none).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
STATE_DIR="${HERODO_STATE_DIR:-/tmp/herodo-engines}"
STARTED="$STATE_DIR/started"
IMAGE="localhost/herodo-busybox:latest"
IMAGE_TAR="$ROOT/build/herodo-busybox.tar"
REGISTRY_ADDR="127.0.0.1:5000"
DOCKERD_LOG=/tmp/herodo-dockerd.log
REGISTRY_LOG=/tmp/herodo-registry.log
CONTAINERS_CONF=/etc/containers/containers.conf
PACKAGES=(docker.io podman docker-registry busybox-static lua5.4 lua-check openssh-server openssh-client)
PYTHON="${PYTHON:-$(command -v python || command -v python3)}"

say() { printf '[engines-up] %s\n' "$*"; }
die() { printf '[engines-up] ERROR: %s\n' "$*" >&2; exit 1; }

# --- state file: one line per started process: NAME PID STARTTIME [DIR] -------------------------
proc_starttime() { awk '{print $22}' "/proc/$1/stat" 2>/dev/null; }
record() {  # record NAME PID [DIR]
    mkdir -p "$STATE_DIR"
    { grep -v "^$1 " "$STARTED" 2>/dev/null || true; echo "$1 $2 $(proc_starttime "$2") ${3:-}"; } >"$STARTED.tmp"
    mv "$STARTED.tmp" "$STARTED"
}

# --- 1. packages ---------------------------------------------------------------------------------
missing=()
for pkg in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if ((${#missing[@]})); then
    [ "$(id -u)" = 0 ] || die "root is needed to install: ${missing[*]}"
    say "installing ${missing[*]} (log /tmp/herodo-apt.log)"
    # Keep package scripts from starting services (docker, the packaged registry with auth): we start our own.
    added_policy=""
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d && added_policy=1
    fi
    export DEBIAN_FRONTEND=noninteractive
    if ! { apt-get update -qq && apt-get install -y -qq "${missing[@]}"; } >/tmp/herodo-apt.log 2>&1; then
        [ -z "$added_policy" ] || rm -f /usr/sbin/policy-rc.d
        tail -n 30 /tmp/herodo-apt.log >&2
        die "apt-get install failed"
    fi
    [ -z "$added_policy" ] || rm -f /usr/sbin/policy-rc.d
else
    say "packages present: ${PACKAGES[*]}"
fi

# --- 2. dockerd ----------------------------------------------------------------------------------
docker_ok() { timeout 15 docker version >/dev/null 2>&1; }
if docker_ok; then
    say "docker: daemon answers"
else
    say "docker: starting dockerd (log $DOCKERD_LOG)"
    # Its own session, so that it outlives this script and the caller's process group.
    setsid dockerd </dev/null >"$DOCKERD_LOG" 2>&1 &
    launched=$!
    deadline=$((SECONDS + 60))
    until docker_ok; do
        if ! kill -0 "$launched" 2>/dev/null; then
            tail -n 30 "$DOCKERD_LOG" >&2
            die "dockerd exited (see $DOCKERD_LOG)"
        fi
        if ((SECONDS >= deadline)); then
            tail -n 30 "$DOCKERD_LOG" >&2
            die "dockerd did not answer within 60 s (see $DOCKERD_LOG)"
        fi
        sleep 1
    done
    pid="$(cat /var/run/docker.pid 2>/dev/null || echo "$launched")"
    record dockerd "$pid"
    say "docker: dockerd $pid answers"
fi

# --- 3. test image: build (deterministic, fast), load where missing or different ----------------
image_id="$("$PYTHON" "$ROOT/scripts/build_test_image.py" "$IMAGE_TAR")"
say "image: built $IMAGE_TAR ($image_id)"
have="$(docker image inspect --format '{{.Id}}' "$IMAGE" 2>/dev/null || true)"
if [ "$have" = "$image_id" ]; then
    say "image: docker already has it"
else
    docker load -q -i "$IMAGE_TAR" >/dev/null
    say "image: loaded into docker"
fi
have="$(podman image inspect --format '{{.Id}}' "$IMAGE" 2>/dev/null || true)"
if [ "sha256:$have" = "$image_id" ]; then
    say "image: podman already has it"
else
    podman load -q -i "$IMAGE_TAR" >/dev/null
    say "image: loaded into podman"
fi

# --- 4. podman ulimits ---------------------------------------------------------------------------
# Without this every `podman run` fails here with "error setting rlimit type 7: operation not permitted".
# Merge into an existing file: add only the missing entries, keep everything else as it is.
mkdir -p "$(dirname "$CONTAINERS_CONF")"
"$PYTHON" - "$CONTAINERS_CONF" <<'PY'
import json, os, re, sys, tomllib
from pathlib import Path

path = Path(sys.argv[1])
want = {"nofile": "nofile=10000:10000", "nproc": "nproc=1000:1000"}
text = path.read_text() if path.exists() else ""
try:
    data = tomllib.loads(text)
except tomllib.TOMLDecodeError as e:
    sys.exit(f"[engines-up] ERROR: {path} is not valid TOML ({e}); fix it by hand")
section = data.get("containers", {})
current = list(section.get("default_ulimits", []))
have = {u.split("=", 1)[0] for u in current}
add = [v for k, v in want.items() if k not in have]
if not add:
    print(f"[engines-up] podman: {path} already sets {', '.join(want)} ulimits")
    sys.exit(0)
array = "default_ulimits = [\n" + "".join(f"  {json.dumps(u)},\n" for u in current + add) + "]"
header = re.compile(r"^[ \t]*\[[ \t]*containers[ \t]*\][ \t]*(#.*)?$", re.M)
m = header.search(text)
if m is None:
    if "containers" in data:
        sys.exit(f"[engines-up] ERROR: {path} defines 'containers' without a [containers] header; add {add} by hand")
    sep = "" if not text else ("\n" if text.endswith("\n") else "\n\n")
    new = text + sep + "[containers]\n" + array + "\n"
else:
    # The [containers] table runs from its header to the next table header.
    nxt = re.compile(r"^[ \t]*\[", re.M).search(text, m.end())
    start, end = m.end(), (nxt.start() if nxt else len(text))
    body = text[start:end]
    key = re.compile(r"^[ \t]*default_ulimits[ \t]*=[ \t]*\[.*?\]", re.M | re.S)
    if "default_ulimits" in section:
        if not key.search(body):
            sys.exit(f"[engines-up] ERROR: cannot locate default_ulimits in {path}; add {add} by hand")
        body = key.sub(lambda _: array, body, count=1)
    else:
        body = "\n" + array + body
    new = text[:start] + body + text[end:]
if tomllib.loads(new).get("containers", {}).get("default_ulimits") != current + add:
    sys.exit(f"[engines-up] ERROR: merging into {path} went wrong; add {add} by hand")
if path.exists():
    Path(str(path) + ".herodo-bak").write_text(text)
tmp = path.with_name(path.name + ".herodo-tmp")
tmp.write_text(new)
os.replace(tmp, path)
print(f"[engines-up] podman: added {', '.join(add)} to [containers] default_ulimits in {path}")
PY
if ! out="$(podman run --rm "$IMAGE" true 2>&1)"; then
    printf '%s\n' "$out" >&2
    die "podman run --rm $IMAGE does not work"
fi
say "podman: run --rm works"

# --- 5. registry on 127.0.0.1:5000 ---------------------------------------------------------------
http_status() {  # prints the HTTP status of GET $1, or 0 when nothing answers
    "$PYTHON" - "$1" <<'PY'
import sys, urllib.error, urllib.request
try:
    print(urllib.request.urlopen(sys.argv[1], timeout=3).status)
except urllib.error.HTTPError as e:
    print(e.code)
except Exception:
    print(0)
PY
}
status="$(http_status "http://$REGISTRY_ADDR/v2/")"
if [ "$status" = 200 ]; then
    say "registry: http://$REGISTRY_ADDR/v2/ answers"
elif [ "$status" != 0 ]; then
    die "something else answers on $REGISTRY_ADDR (HTTP $status); the tests need an auth-less registry there"
else
    dir="$(mktemp -d /tmp/herodo-registry.XXXXXX)"
    cat >"$dir/config.yml" <<EOF
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $dir/data
  delete:
    enabled: true
http:
  addr: $REGISTRY_ADDR
EOF
    setsid docker-registry serve "$dir/config.yml" </dev/null >"$REGISTRY_LOG" 2>&1 &
    pid=$!
    deadline=$((SECONDS + 30))
    until [ "$(http_status "http://$REGISTRY_ADDR/v2/")" = 200 ]; do
        if ! kill -0 "$pid" 2>/dev/null || ((SECONDS >= deadline)); then
            tail -n 20 "$REGISTRY_LOG" >&2
            die "docker-registry did not come up on $REGISTRY_ADDR (see $REGISTRY_LOG)"
        fi
        sleep 0.5
    done
    record registry "$pid" "$dir"
    say "registry: started $pid on $REGISTRY_ADDR (storage $dir)"
fi

# --- 6. Python package and test tools -------------------------------------------------------------
if [ -f "$ROOT/pyproject.toml" ]; then
    say "python: pip install -e '.[test]' (log /tmp/herodo-pip.log)"
    if ! "$PYTHON" -m pip install --disable-pip-version-check -q -e "${ROOT}[test]" >/tmp/herodo-pip.log 2>&1; then
        tail -n 30 /tmp/herodo-pip.log >&2
        die "pip install failed"
    fi
elif ! "$PYTHON" -m pytest --version >/dev/null 2>&1; then
    say "python: no pyproject.toml yet; installing pytest"
    "$PYTHON" -m pip install --disable-pip-version-check -q pytest
else
    say "python: no pyproject.toml yet; pytest present"
fi
say "ready"
