#!/usr/bin/env bash
# Client-library compatibility checks for twilio-sim: Twilio's Python client, Twilio's Node
# client, and a Prism validating proxy with Twilio's OpenAPI spec, all against one simulator
# seeded with 5,000 messages.
#
# Needs: a Rust toolchain (cargo), python3 >= 3.9 with the venv module (Debian: apt-get install
# python3-venv), node >= 20 with npm, and access to PyPI and the npm registry on first run.
# Installs into tests/sim-compat/.venv and tests/sim-compat/node_modules (both git-ignored).
#
# Usage: tests/sim-compat/run.sh [path/to/twilio_api_v2010.json]
#   The spec defaults to $TWILIO_OPENAPI_SPEC, else ../shared/twilio/twilio_api_v2010.json
#   beside the repository root (where CI puts shared/).
# Exits non-zero if any suite fails; prints one summary line per suite and a total.

set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/../.." && pwd)"
SPEC="${1:-${TWILIO_OPENAPI_SPEC:-$ROOT/../shared/twilio/twilio_api_v2010.json}}"
HISTORY=5000
SERVICE_SID="MG0000000000000000000000000000c11d"

WORK="$(mktemp -d)"
STARTED_PIDS=()
cleanup() {
  for pid in "${STARTED_PIDS[@]}"; do
    kill "$pid" 2>/dev/null || true
  done
  for pid in "${STARTED_PIDS[@]}"; do
    wait "$pid" 2>/dev/null || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT

say() { printf 'sim-compat: %s\n' "$*"; }
die() { say "ERROR: $*" >&2; exit 1; }

[ -f "$SPEC" ] || die "OpenAPI spec not found at $SPEC (pass its path as the first argument)"
command -v cargo >/dev/null || die "cargo is required"
command -v python3 >/dev/null || die "python3 is required"
command -v node >/dev/null && command -v npm >/dev/null || die "node and npm are required"

# --- dependencies -----------------------------------------------------------------------------
cd "$HERE"
if [ ! -x .venv/bin/python ]; then
  say "creating .venv"
  python3 -m venv .venv || die "python3 -m venv failed (on Debian: apt-get install python3-venv)"
fi
.venv/bin/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
say "npm ci"
npm ci --no-audit --no-fund --loglevel=error

# --- simulator --------------------------------------------------------------------------------
say "building twilio-sim"
(cd "$ROOT" && cargo build --quiet -p twilio-sim)
TARGET_DIR="${CARGO_TARGET_DIR:-$ROOT/target}"
SIM_BIN="$TARGET_DIR/debug/twilio-sim"
[ -x "$SIM_BIN" ] || die "no simulator binary at $SIM_BIN"

"$SIM_BIN" --listen 127.0.0.1:0 --seed 42 --messaging-service "$SERVICE_SID" \
  >"$WORK/sim.out" 2>"$WORK/sim.err" &
STARTED_PIDS+=("$!")
for _ in $(seq 1 100); do
  [ -s "$WORK/sim.out" ] && break
  sleep 0.1
done
[ -s "$WORK/sim.out" ] || { cat "$WORK/sim.err" >&2; die "simulator did not print its ready line"; }

read -r BASE_URL ACCOUNT_SID NUMBER < <(python3 -c '
import json, sys
ready = json.loads(open(sys.argv[1]).readline())
print(ready["base_url"], ready["account_sid"], ready["numbers"][0])' "$WORK/sim.out")
say "simulator at $BASE_URL"

python3 - "$BASE_URL" "$HISTORY" <<'PY' || die "seeding failed"
import json, sys, urllib.request
base, count = sys.argv[1], int(sys.argv[2])
request = urllib.request.Request(
    f"{base}/_sim/seed",
    data=json.dumps({"patients": 300, "messages": count}).encode(),
    headers={"Content-Type": "application/json"},
)
print("sim-compat: seeded", json.load(urllib.request.urlopen(request))["created"], "messages")
PY

export TWILIO_SIM_BASE_URL="$BASE_URL"
export TWILIO_SIM_ACCOUNT_SID="$ACCOUNT_SID"
export TWILIO_SIM_AUTH_TOKEN="sim-auth-token"
export TWILIO_SIM_NUMBER="$NUMBER"
export TWILIO_SIM_MESSAGING_SERVICE="$SERVICE_SID"
export TWILIO_SIM_MIN_HISTORY="$HISTORY"
unset TWILIO_EDGE TWILIO_REGION

declare -A RESULT
run_suite() {
  local name="$1"
  shift
  say "--- $name"
  if "$@"; then RESULT[$name]=passed; else RESULT[$name]=FAILED; fi
}

run_suite python .venv/bin/python python_client_test.py
run_suite node node node_client_test.mjs

# --- Prism ------------------------------------------------------------------------------------
prism_session() {
  node patch_spec.mjs "$SPEC" "$WORK/spec.json" || return 1
  local port
  port="$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
  node_modules/.bin/prism proxy "$WORK/spec.json" "$BASE_URL" --errors --host 127.0.0.1 --port "$port" \
    >"$WORK/prism.log" 2>&1 &
  STARTED_PIDS+=("$!")
  local prism_pid="$!"
  if ! python3 - "$port" <<'PY'; then
import socket, sys, time
deadline = time.time() + 120
while time.time() < deadline:
    try:
        socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=1).close()
        sys.exit(0)
    except OSError:
        time.sleep(0.5)
sys.exit(1)
PY
    tail -20 "$WORK/prism.log" >&2
    say "prism did not start"
    return 1
  fi
  local status=0
  PRISM_URL="http://127.0.0.1:$port" node prism_session.mjs || status=1
  if [ "$status" -ne 0 ]; then
    say "prism log (last violations):"
    grep "Violation" "$WORK/prism.log" | sed 's/^/  /' | tail -20 || true
  fi
  kill "$prism_pid" 2>/dev/null || true
  return $status
}
run_suite prism prism_session

# --- summary ----------------------------------------------------------------------------------
passed=0
failed=0
for name in python node prism; do
  say "$name: ${RESULT[$name]}"
  if [ "${RESULT[$name]}" = passed ]; then passed=$((passed + 1)); else failed=$((failed + 1)); fi
done
echo "sim-compat: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
