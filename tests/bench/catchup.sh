#!/usr/bin/env bash
# Catch-up of a 50,000-message history from the simulator, three ways, median of 3 runs each:
#   clinic-desk-cli sync --once on an empty database (list both directions, ingest into SQLite);
#   Twilio's official Python library listing the same two slices (page_size 1000);
#   curl downloading the same raw pages by following next_page_uri (the floor).
# The three take turns within each run, so a change in the machine's speed during the
# benchmark weighs on all of them alike; each ratio is the median of the per-run ratios.
# It also prints the CPU time our CLI and the simulator spent during our runs: on a machine
# where both share the cores, their sum divided by the core count is the fastest our catch-up
# could be, however well it overlaps downloading and storing.
# Needs release builds, bc, and the Python venv of tests/sim-compat (created here if missing).
set -euo pipefail
# A failing step inside $(...) stops the bench too; dots, not commas, in the figures.
shopt -s inherit_errexit
export LC_ALL=C
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
MESSAGES=${MESSAGES:-50000}
RUNS=${RUNS:-3}

cargo build --release -q -p twilio-sim -p clinic-desk-cli
venv=tests/sim-compat/.venv
if [ ! -x "$venv/bin/python" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install -q -r tests/sim-compat/requirements.txt
fi

work=$(mktemp -d)
target/release/twilio-sim --listen 127.0.0.1:0 --seed 7 > "$work/ready" &
sim_pid=$!
trap 'kill $sim_pid 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 50); do [ -s "$work/ready" ] && break; sleep 0.1; done
read -r base sid number < <(python3 -c "import json,sys; r=json.load(open('$work/ready')); print(r['base_url'], r['account_sid'], r['numbers'][0])")
token=sim-auth-token
curl -fsS -X POST "$base/_sim/seed" -H 'content-type: application/json' \
  -d "{\"patients\": 2000, \"messages\": $MESSAGES}" > /dev/null

median() { sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
now() { date +%s.%N; }
# CPU seconds (user + system) a process has used so far.
cpu_of() { awk -v hz="$(getconf CLK_TCK)" '{print ($14 + $15) / hz}' "/proc/$1/stat"; }

ours_run() {
  local db="$work/run$1.sqlite3"
  echo -n "$token" | CLINIC_DESK_KEY_STORE=file target/release/clinic-desk-cli --db "$db" \
    credentials set --account-sid "$sid" --from "$number" --api-base "$base" --auth-token-stdin > /dev/null
  local sim_before start
  sim_before=$(cpu_of "$sim_pid")
  start=$(now)
  local TIMEFORMAT='%U %S'
  { time CLINIC_DESK_KEY_STORE=file target/release/clinic-desk-cli --db "$db" sync --once \
      > /dev/null 2> "$work/cli.err"; } 2> "$work/cli.cpu" || { cat "$work/cli.err" >&2; exit 1; }
  local wall
  wall=$(echo "$(now) - $start" | bc)
  echo "$wall $(awk '{print $1 + $2}' "$work/cli.cpu") $(echo "$(cpu_of "$sim_pid") - $sim_before" | bc)"
}

python_run() {
  local start
  start=$(now)
  "$venv/bin/python" - "$base" "$sid" "$token" "$number" 2> "$work/python.count" <<'PY'
import sys
from twilio.rest import Client
base, sid, token, number = sys.argv[1:]
client = Client(sid, token)
client.api.base_url = base
seen = set()
for kwargs in ({"to": number}, {"from_": number}):
    for message in client.messages.list(page_size=1000, **kwargs):
        seen.add(message.sid)
print(len(seen), file=sys.stderr)
PY
  echo "$(now) - $start" | bc
}

curl_run() {
  local start uri
  start=$(now)
  for filter in "To=%2B${number#+}" "From=%2B${number#+}"; do
    uri="/2010-04-01/Accounts/$sid/Messages.json?$filter&PageSize=1000"
    while [ -n "$uri" ] && [ "$uri" != "null" ]; do
      uri=$(curl -fsS -u "$sid:$token" "$base$uri" \
        | grep -o '"next_page_uri": *"[^"]*"' | sed -E 's/.*"([^"]*)"$/\1/' || true)
    done
  done
  echo "$(now) - $start" | bc
}

: > "$work/runs"
for run in $(seq "$RUNS"); do
  ours_run "$run" > "$work/ours.out"
  read -r ours cli_cpu sim_cpu < "$work/ours.out"
  python=$(python_run)
  curl=$(curl_run)
  echo "$ours $python $curl $cli_cpu $sim_cpu" >> "$work/runs"
done

column_median() { awk -v c="$1" '{print $c}' "$work/runs" | median; }
ratio_median() { awk -v a="$1" -v b="$2" '{print $a / $b}' "$work/runs" | median; }
ours_m=$(column_median 1)
python_m=$(column_median 2)
curl_m=$(column_median 3)
cli_cpu_m=$(column_median 4)
sim_cpu_m=$(column_median 5)
cores=$(nproc)
echo "history: $MESSAGES messages; Python library saw $(tail -1 "$work/python.count") of them; $RUNS runs"
printf 'clinic-desk-cli sync --once (fetch + ingest): %.2f s\n' "$ours_m"
printf 'twilio Python library (list only):           %.2f s  (%.1fx ours)\n' "$python_m" "$(ratio_median 2 1)"
printf 'curl raw pages (download only):              %.2f s  (ours is %.2fx of it)\n' "$curl_m" "$(ratio_median 1 3)"
printf 'CPU during our runs: CLI %.2f s, simulator %.2f s; on %d cores no run can beat %.2f s\n' \
  "$cli_cpu_m" "$sim_cpu_m" "$cores" "$(echo "($cli_cpu_m + $sim_cpu_m) / $cores" | bc -l)"
