#!/usr/bin/env bash
# Catch-up of a 50,000-message history from the simulator, three ways, median of 3 runs each:
#   clinic-desk-cli sync --once on an empty database (list both directions, ingest into SQLite);
#   Twilio's official Python library listing the same two slices (page_size 1000);
#   curl downloading the same raw pages by following next_page_uri (the floor).
# Needs release builds, bc, and the Python venv of tests/sim-compat (created here if missing).
set -euo pipefail
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

ours=()
for run in $(seq "$RUNS"); do
  db="$work/run$run.sqlite3"
  echo -n "$token" | CLINIC_DESK_KEY_STORE=file target/release/clinic-desk-cli --db "$db" \
    credentials set --account-sid "$sid" --from "$number" --api-base "$base" --auth-token-stdin > /dev/null
  start=$(now)
  CLINIC_DESK_KEY_STORE=file target/release/clinic-desk-cli --db "$db" sync --once > /dev/null
  ours+=("$(echo "$(now) - $start" | bc)")
done

python_runs=()
for run in $(seq "$RUNS"); do
  start=$(now)
  "$venv/bin/python" - "$base" "$sid" "$token" "$number" <<'PY'
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
  python_runs+=("$(echo "$(now) - $start" | bc)")
done 2> "$work/python.count"

curl_runs=()
for run in $(seq "$RUNS"); do
  start=$(now)
  for filter in "To=%2B${number#+}" "From=%2B${number#+}"; do
    uri="/2010-04-01/Accounts/$sid/Messages.json?$filter&PageSize=1000"
    while [ -n "$uri" ] && [ "$uri" != "null" ]; do
      uri=$(curl -fsS -u "$sid:$token" "$base$uri" \
        | grep -o '"next_page_uri": *"[^"]*"' | sed -E 's/.*"([^"]*)"$/\1/' || true)
    done
  done
  curl_runs+=("$(echo "$(now) - $start" | bc)")
done

ours_m=$(printf '%s\n' "${ours[@]}" | median)
python_m=$(printf '%s\n' "${python_runs[@]}" | median)
curl_m=$(printf '%s\n' "${curl_runs[@]}" | median)
echo "history: $MESSAGES messages; Python library saw $(tail -1 "$work/python.count") of them"
printf 'clinic-desk-cli sync --once (fetch + ingest): %.2f s\n' "$ours_m"
printf 'twilio Python library (list only):           %.2f s  (%.1fx ours)\n' "$python_m" "$(echo "$python_m / $ours_m" | bc -l)"
printf 'curl raw pages (download only):              %.2f s  (ours is %.2fx of it)\n' "$curl_m" "$(echo "$ours_m / $curl_m" | bc -l)"
