#!/usr/bin/env bash
# Applications (release build): the allocation of 5,000 applications over 300 partners,
# alone and through the database, and the student's application page under load.
#  - `bench_applications pure`: the pure rank + allocate, 20 runs.
#  - `bench_applications generate bench`: 300 partners, one call over them, 5,000 scored
#    applications, and a draft with three choices for the student `bench`.
#  - wrk, 32 connections, 4 threads, DURATION (default 15 s), on /my/applications/{id}
#    with the student's session cookie (the call is open: the form with its three
#    300-partner lists is rendered).
#  - `bench_applications allocate`: the office's allocation through the library, 3 runs.
# Usage: scripts/bench-applications.sh [--postgres [ADMIN_URL]]   (needs wrk and curl)
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-15s}
. scripts/lib/bench.sh
bench_build --example bench_applications
ex=$target/release/examples/bench_applications
"$ex" pure
bench_store applications "$@"
bench_serve student
app=$("$ex" generate bench)
jar=$(mktemp)
curl -sf -c "$jar" -b "$jar" "$base/login" -o "$jar.html"
csrf=$(python3 -c 'import re,sys; print(re.search(r"name=\"_csrf\" value=\"([^\"]+)\"", open(sys.argv[1]).read()).group(1))' "$jar.html")
curl -s -c "$jar" -b "$jar" -o /dev/null --data-urlencode "_csrf=$csrf" --data-urlencode "username=bench" --data-urlencode "password=bench password 1" "$base/login"
cookie=$(awk '$6 == "liaison_session" {print $6 "=" $7}' "$jar")
test -n "$cookie" || { echo "login failed" >&2; exit 1; }
curl -sf -H "Cookie: $cookie" "$base/my/applications/$app" | grep -q 'id="application-form"'
echo "student's application page, $engine, 32 connections, $DURATION:"
wrk -t4 -c32 -d"$DURATION" --latency -H "Cookie: $cookie" "$base/my/applications/$app" | sed -n '/Latency Distribution/,/Requests\/sec/p'
"$ex" allocate
rm -f "$jar" "$jar.html"
