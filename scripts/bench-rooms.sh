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
. scripts/lib/bench.sh
bench_build --example bench_rooms
gen=$target/release/examples/bench_rooms
bench_store rooms "$@"
"$gen" generate
bench_serve staff
echo "engine: $engine, $CONNS connections, ${DURATION}s per line"
"$gen" load "$base" "$token" "$DURATION" "$CONNS"
