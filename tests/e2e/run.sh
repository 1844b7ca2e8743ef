#!/usr/bin/env bash
# Runs the end-to-end smoke test against the built desktop binary:
#   Xvfb (first free display from :99) → tauri-driver (WebKitWebDriver) → smoke.mjs.
# The app gets throwaway HOME/XDG_* directories so it starts from an empty store every run.
# Everything started here is stopped by PID in the EXIT trap, whatever happens.
#
#   APP_BIN=target/debug/<app> bash tests/e2e/run.sh
#
# Needs: Xvfb (xvfb), WebKitWebDriver (webkit2gtk-driver), tauri-driver (cargo install
# tauri-driver --locked), node >= 20.19. Screenshots land in tests/artifacts/screenshots/.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
driver_port="${TAURI_DRIVER_PORT:-4444}"
native_port="${TAURI_NATIVE_PORT:-4445}"

die() {
  echo "run.sh: $*" >&2
  exit 2
}

[[ -n "${APP_BIN:-}" ]] || die "set APP_BIN to the built desktop binary, e.g. APP_BIN=target/debug/clinic-desk"
APP_BIN="$(realpath "$APP_BIN")"
[[ -x "$APP_BIN" ]] || die "APP_BIN is not an executable file: $APP_BIN"
export APP_BIN

# Resolve tools before HOME is replaced below (tauri-driver usually lives in ~/.cargo/bin).
tauri_driver="${TAURI_DRIVER:-$(command -v tauri-driver || echo "$HOME/.cargo/bin/tauri-driver")}"
[[ -x "$tauri_driver" ]] || die "tauri-driver not found: cargo install tauri-driver --locked"
command -v WebKitWebDriver >/dev/null || die "WebKitWebDriver not found: apt-get install webkit2gtk-driver"
command -v Xvfb >/dev/null || die "Xvfb not found: apt-get install xvfb"
command -v node >/dev/null || die "node not found"

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
for port in "$driver_port" "$native_port"; do
  if port_in_use "$port"; then die "port $port is already in use (another tauri-driver?)"; fi
done

if [[ ! -d "$here/node_modules/webdriverio" ]]; then
  (cd "$here" && npm ci --no-audit --no-fund)
fi

work="$(mktemp -d "${TMPDIR:-/tmp}/clinic-desk-e2e.XXXXXX")"
xvfb_pid=""
driver_pid=""
sim_pid=""

cleanup() {
  local status=$?
  trap - EXIT INT TERM
  if [[ -n "$driver_pid" ]]; then
    # tauri-driver runs in its own process group (setsid) so WebKitWebDriver and the app go too.
    kill -TERM -- "-$driver_pid" 2>/dev/null || kill -TERM "$driver_pid" 2>/dev/null || true
    wait "$driver_pid" 2>/dev/null || true
  fi
  if [[ -n "$sim_pid" ]]; then
    kill -TERM "$sim_pid" 2>/dev/null || true
    wait "$sim_pid" 2>/dev/null || true
  fi
  if [[ -n "$xvfb_pid" ]]; then
    kill -TERM "$xvfb_pid" 2>/dev/null || true
    wait "$xvfb_pid" 2>/dev/null || true
  fi
  if [[ $status -ne 0 && -s "$work/tauri-driver.log" ]]; then
    echo "--- tauri-driver log (last 40 lines) ---" >&2
    tail -n 40 "$work/tauri-driver.log" >&2 || true
  fi
  # WebKit may start the desktop's document portal, which mounts a FUSE file system at
  # $XDG_RUNTIME_DIR/doc and unmounts it only once it notices its session bus is gone, so the
  # work folder can still hold a mount point here. A folder left behind fails no test.
  for _ in $(seq 1 10); do
    rm -rf "$work" 2>/dev/null && break
    fusermount -u -z "$work/runtime/doc" 2>/dev/null || umount -l "$work/runtime/doc" 2>/dev/null || true
    sleep 0.5
  done
  [[ ! -e "$work" ]] || echo "run.sh: could not remove $work" >&2
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# First display whose lock and socket are free and on which Xvfb actually comes up; another run
# can grab the same number between the check and the start, so a failed start moves on.
display=""
for n in $(seq 99 140); do
  [[ -e "/tmp/.X$n-lock" || -e "/tmp/.X11-unix/X$n" ]] && continue
  Xvfb ":$n" -screen 0 1280x800x24 -nolisten tcp >"$work/xvfb.log" 2>&1 &
  xvfb_pid=$!
  for _ in $(seq 1 50); do
    [[ -S "/tmp/.X11-unix/X$n" ]] && break
    kill -0 "$xvfb_pid" 2>/dev/null || break
    sleep 0.1
  done
  if [[ -S "/tmp/.X11-unix/X$n" ]] && kill -0 "$xvfb_pid" 2>/dev/null; then
    display=":$n"
    break
  fi
  kill "$xvfb_pid" 2>/dev/null || true
  wait "$xvfb_pid" 2>/dev/null || true
  xvfb_pid=""
done
[[ -n "$display" ]] || die "could not start Xvfb on any display from :99 to :140"
export DISPLAY="$display"

# A second, standalone simulator plays "the clinic's real Twilio account" for Save & Test: the
# app reaches it through CLINIC_DESK_API_BASE, and the script learns its account from the ready
# line and its token from E2E_SIM_TOKEN.
sim_bin="${SIM_BIN:-$(dirname "$APP_BIN")/twilio-sim}"
if [[ ! -x "$sim_bin" ]]; then
  (cd "$here/../.." && cargo build --quiet -p twilio-sim) || die "could not build twilio-sim"
fi
export E2E_SIM_TOKEN="e2e-clinic-token-7f3a9c21d4"
"$sim_bin" --listen 127.0.0.1:0 --seed 17 --auth-token "$E2E_SIM_TOKEN" \
  >"$work/sim.out" 2>"$work/sim.log" &
sim_pid=$!
for _ in $(seq 1 100); do
  [[ -s "$work/sim.out" ]] && break
  kill -0 "$sim_pid" 2>/dev/null || die "twilio-sim exited early: $(cat "$work/sim.log")"
  sleep 0.1
done
E2E_SIM_READY="$(head -n 1 "$work/sim.out")"
[[ -n "$E2E_SIM_READY" ]] || die "twilio-sim printed no ready line within 10 s"
export E2E_SIM_READY
sim_base="$(node -e 'console.log(JSON.parse(process.argv[1]).base_url)' "$E2E_SIM_READY")"

mkdir -p "$work/home" "$work/config" "$work/data" "$work/cache" "$work/state" "$work/runtime"
chmod 700 "$work/runtime"

env HOME="$work/home" \
  XDG_CONFIG_HOME="$work/config" \
  XDG_DATA_HOME="$work/data" \
  XDG_CACHE_HOME="$work/cache" \
  XDG_STATE_HOME="$work/state" \
  XDG_RUNTIME_DIR="$work/runtime" \
  CLINIC_DESK_API_BASE="$sim_base" \
  setsid "$tauri_driver" --port "$driver_port" --native-port "$native_port" \
  >"$work/tauri-driver.log" 2>&1 &
driver_pid=$!

for _ in $(seq 1 100); do
  port_in_use "$driver_port" && break
  kill -0 "$driver_pid" 2>/dev/null || die "tauri-driver exited early: $(cat "$work/tauri-driver.log")"
  sleep 0.1
done
port_in_use "$driver_port" || die "tauri-driver did not listen on port $driver_port within 10 s"

echo "run.sh: DISPLAY=$DISPLAY tauri-driver pid $driver_pid on port $driver_port, app $APP_BIN"
# E2E_SCRIPT runs another script in the same harness (tests/e2e/desktop-bench.mjs measures start-up
# and idle cost through it).
result=0
TAURI_DRIVER_HOST=127.0.0.1 TAURI_DRIVER_PORT="$driver_port" node "${E2E_SCRIPT:-$here/smoke.mjs}" || result=$?

# The clinic's token went through the form, the app and its database: no file the app or its
# webview wrote (databases, WAL, key file, WebKit storage and caches, the app's own log) may
# hold it.
if [[ -z "${E2E_SCRIPT:-}" ]]; then
  if leaks="$(grep -rlaF "$E2E_SIM_TOKEN" "$work/home" "$work/config" "$work/data" "$work/cache" \
    "$work/state" "$work/tauri-driver.log")"; then
    echo "FAIL the Twilio token is readable in: $leaks"
    result=1
  else
    echo "ok   no file the app wrote holds the Twilio token ($(find "$work/home" "$work/config" \
      "$work/data" "$work/cache" "$work/state" -type f | wc -l) files and the app log scanned)"
  fi
fi
exit "$result"
