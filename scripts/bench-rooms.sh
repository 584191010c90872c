#!/usr/bin/env bash
# Rooms benchmarks over 200 rooms and 100,000 bookings (examples/bench_rooms.rs
# generates them: one booking a day per room over 500 days, 85 % confirmed):
#  - availability search p50/p99: GET /api/v1/rooms/free?from&to&capacity with random
#    windows and capacities,
#  - bookings per second: POST /api/v1/bookings, every request a distinct room and slot.
# The load generator is the example program (reqwest, keep-alive), not wrk, because
# every request needs different parameters.
# Usage: scripts/bench-rooms.sh                                  (SQLite)
#        scripts/bench-rooms.sh --postgres [ADMIN_URL]           (PostgreSQL: creates a
#          database liaison_bench_rooms_<pid> on the server, drops it afterwards;
#          ADMIN_URL defaults to postgres://postgres:postgres@127.0.0.1:5432/postgres)
# Set DURATION (seconds, default 10) and CONNS (default 32).
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-10}
CONNS=${CONNS:-32}
target=${CARGO_TARGET_DIR:-$PWD/target}
cargo build --release --locked --quiet --bin liaison --example bench_rooms
bin=$target/release/liaison
gen=$target/release/examples/bench_rooms
data=$(mktemp -d)
export LIAISON_DATA_DIR=$data LIAISON_LOG=warn
db=""
cleanup() {
  kill ${pid:-0} 2>/dev/null || true
  wait ${pid:-0} 2>/dev/null || true
  rm -rf "$data"
  if [ -n "$db" ]; then psql -q "$admin" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)"; fi
}
trap cleanup EXIT

engine=sqlite
if [ "${1:-}" = "--postgres" ]; then
  admin=${2:-postgres://postgres:postgres@127.0.0.1:5432/postgres}
  db=liaison_bench_rooms_$$
  psql -q "$admin" -c "CREATE DATABASE $db"
  export LIAISON_DATABASE_URL=${admin%/*}/$db
  engine=postgresql
fi

"$bin" migrate >/dev/null
"$gen" generate
"$bin" user add bench --role staff --password-stdin <<<"bench password 1" >/dev/null
token=$("$bin" user token bench)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$bin" serve --addr "127.0.0.1:$port" >/dev/null 2>&1 &
pid=$!
until curl -sf "http://127.0.0.1:$port/healthz" >/dev/null; do sleep 0.01; done
echo "engine: $engine, $CONNS connections, ${DURATION}s per line"
"$gen" load "http://127.0.0.1:$port" "$token" "$DURATION" "$CONNS"
