#!/usr/bin/env bash
# Foundation benchmarks: binary size, start-up time to the first /healthz 200, idle RSS,
# and requests/s + p99 of /healthz and /login at 32 connections (wrk, on 127.0.0.1).
#   scripts/bench.sh               # uses the release build (builds it if needed)
#   scripts/bench.sh --clean-build # also times a clean release build in a fresh target dir
# Needs: wrk (Debian package `wrk`), curl.
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10s}
CONNS=${CONNS:-32}

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }

if [ "${1:-}" = "--clean-build" ]; then
  dir=$(mktemp -d)
  start=$(date +%s.%N)
  CARGO_TARGET_DIR="$dir" cargo build --release --locked --quiet
  end=$(date +%s.%N)
  printf 'clean release build: %.0f s (%s cores)\n' "$(echo "$end - $start" | bc)" "$(nproc)"
  rm -rf "$dir"
fi

cargo build --release --locked --quiet
bin=target/release/liaison
printf 'binary size: %.1f MiB\n' "$(echo "$(stat -c %s $bin) / 1048576" | bc -l)"

data=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
# Prepare the database first so start-up time measures `serve`, not the seed load.
LIAISON_DATA_DIR=$data "$bin" migrate >/dev/null
LIAISON_DATA_DIR=$data LIAISON_LOG=warn "$bin" user add bench --role viewer --password-stdin <<<"bench password 1" >/dev/null

start=$(date +%s%N)
LIAISON_DATA_DIR=$data LIAISON_LOG=warn "$bin" serve --addr "127.0.0.1:$port" >/dev/null 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$data"' EXIT
until curl -sf "http://127.0.0.1:$port/healthz" >/dev/null; do sleep 0.002; done
end=$(date +%s%N)
printf 'start-up to first /healthz 200: %d ms\n' $(( (end - start) / 1000000 ))

sleep 2
printf 'idle RSS: %.1f MiB\n' "$(awk '/VmRSS/ {print $2/1024}' /proc/$pid/status)"

bench() {
  local path=$1
  local out
  out=$(wrk -t2 -c"$CONNS" -d"$DURATION" --latency "http://127.0.0.1:$port$path")
  local rps p50 p99
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  printf '%-10s %10s req/s   p50 %8s   p99 %8s   (%s connections, %s)\n' "$path" "$rps" "$p50" "$p99" "$CONNS" "$DURATION"
  grep -E "Non-2xx|Socket errors" <<<"$out" || true
}
bench /healthz
bench /login
printf 'RSS after load: %.1f MiB\n' "$(awk '/VmRSS/ {print $2/1024}' /proc/$pid/status)"
