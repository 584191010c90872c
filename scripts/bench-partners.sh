#!/usr/bin/env bash
# Partners benchmarks with the full directory loaded as institutions:
#  - import time of 30,000 rows (the directory's institutions plus generated ones),
#  - p50/p99 of list and search requests at 32 connections (wrk, 127.0.0.1),
#  - matching accuracy and single-core throughput (examples/match_eval.rs).
# Usage: scripts/bench-partners.sh            (SQLite)
#        LIAISON_DATABASE_URL=postgres://…/bench scripts/bench-partners.sh   (PostgreSQL, empty database)
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10s}
CONNS=${CONNS:-32}
command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
cargo build --release --locked --quiet --bins --examples
bin=$PWD/target/release/liaison
data=$(mktemp -d)
export LIAISON_DATA_DIR=$data LIAISON_LOG=warn
trap 'kill ${pid:-0} 2>/dev/null || true; rm -rf "$data"' EXIT

python3 - "$data/institutions.csv" <<'PY'
import csv, sys
rows, seen = [], set()
for line in open("data/directory.tsv", encoding="utf-8").read().splitlines()[1:]:
    domain, country, name, others, zh, more = (line.split("\t") + [""] * 6)[:6]
    if not country or (name.lower(), country) in seen or len(name) > 300:
        continue
    seen.add((name.lower(), country))
    rows.append([name, zh, country, domain, "https://" + domain])
countries = ["MY", "CN", "TH", "ID", "VN", "SG", "PH", "JP", "KR", "GB"]
i = 0
while len(rows) < 30000:
    i += 1
    rows.append([f"Liaison Benchmark College {i:05d}", "", countries[i % len(countries)], "", ""])
with open(sys.argv[1], "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f)
    w.writerow(["name_en", "name_zh", "country", "schac_code", "website"])
    w.writerows(rows[:30000])
print(f"generated {min(len(rows), 30000)} rows", file=sys.stderr)
PY

"$bin" migrate >/dev/null
start=$(date +%s%N)
"$bin" import institutions "$data/institutions.csv" | tail -n 1
end=$(date +%s%N)
printf 'import of 30,000 rows: %.1f s\n' "$(echo "($end - $start) / 1000000000" | bc -l)"

"$bin" user add bench --role viewer --password-stdin <<<"bench password 1" >/dev/null
token=$("$bin" user token bench)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$bin" serve --addr "127.0.0.1:$port" >/dev/null 2>&1 &
pid=$!
until curl -sf "http://127.0.0.1:$port/healthz" >/dev/null; do sleep 0.01; done
sleep 1

bench() {
  local label=$1 path=$2 out
  # One request first: the first search after a change builds the matcher's index.
  curl -sf -o /dev/null -H "Authorization: Bearer $token" "http://127.0.0.1:$port$path"
  out=$(wrk -t2 -c"$CONNS" -d"$DURATION" --latency -H "Authorization: Bearer $token" "http://127.0.0.1:$port$path")
  printf '%-34s %9s req/s   p50 %8s   p99 %8s\n' "$label" "$(awk '/Requests\/sec/ {print $2}' <<<"$out")" \
    "$(awk '$1=="50%" {print $2}' <<<"$out")" "$(awk '$1=="99%" {print $2}' <<<"$out")"
  grep -E "Non-2xx|Socket errors" <<<"$out" || true
}
bench "list, first page (50)"          "/api/v1/institutions"
bench "list, country filter + sort"    "/api/v1/institutions?country=MY&sort=-name"
bench "search 'kuala lumpur'"          "/api/v1/institutions?q=kuala%20lumpur"
bench "search 'university' (common)"   "/api/v1/institutions?q=university"
bench "match 'Infrastructure Univ. KL'" "/api/v1/match?q=Infrastructure%20Univ.%20KL"
kill $pid; wait $pid 2>/dev/null || true

"$PWD/target/release/examples/match_eval" data/match-eval.tsv 20 | tail -n 12
