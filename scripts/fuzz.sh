#!/usr/bin/env bash
# Fuzzes the JSON API against its own OpenAPI document with Schemathesis.
#
# Starts the demo (seed story) on a random port with a fresh SQLite file, or with
# --postgres on a fresh PostgreSQL database (127.0.0.1:5432, user postgres), makes an
# administrator and a news editor (author and reviewer) with API tokens, and runs every
# Schemathesis check as each of them with a fixed seed and a bounded number of examples.
# Any finding fails the script. Settings: scripts/schemathesis.toml.
#
#   scripts/fuzz.sh [--postgres]    env: FUZZ_EXAMPLES (20), FUZZ_SEED (1)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

SCHEMATHESIS_VERSION=4.32.5
PG_ADMIN_URL=${LIAISON_FUZZ_PG_URL:-postgres://postgres:postgres@127.0.0.1:5432}
EXAMPLES=${FUZZ_EXAMPLES:-20}
SEED=${FUZZ_SEED:-1}
backend=sqlite
[[ "${1:-}" == "--postgres" ]] && backend=postgres

venv=target/fuzz-venv
if ! "$venv/bin/st" --version 2>/dev/null | grep -q "$SCHEMATHESIS_VERSION"; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet "schemathesis==$SCHEMATHESIS_VERSION"
fi
cargo build --locked --bin liaison
bin=$PWD/target/debug/liaison

work=$(mktemp -d)
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
export LIAISON_DATA_DIR=$work/data LIAISON_ADDR=127.0.0.1:$port
mkdir -p "$LIAISON_DATA_DIR"
db=""
if [[ $backend == postgres ]]; then
    db=liaison_fuzz_$$
    psql "$PG_ADMIN_URL/postgres" -qc "CREATE DATABASE $db"
    export LIAISON_DATABASE_URL=$PG_ADMIN_URL/$db
fi

app=""
cleanup() {
    [[ -n "$app" ]] && kill "$app" 2>/dev/null && wait "$app" 2>/dev/null
    [[ -n "$db" ]] && psql "$PG_ADMIN_URL/postgres" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)"
    rm -rf "$work"
}
trap cleanup EXIT

"$bin" demo >"$work/app.log" 2>&1 &
app=$!
for _ in $(seq 100); do
    curl -sf "http://$LIAISON_ADDR/readyz" >/dev/null && break
    kill -0 "$app" 2>/dev/null || { cat "$work/app.log"; exit 1; }
    sleep 0.2
done

# A user with roles and an API token; prints the token.
token_for() {
    local name=$1
    shift
    head -c 24 /dev/urandom | base64 | "$bin" user add "$name" --password-stdin >/dev/null
    for role in "$@"; do "$bin" user grant "$name" "$role" >/dev/null; done
    "$bin" user token "$name" --name fuzz | tail -n 1
}
editor=$(token_for fuzz-editor author reviewer)
admin=$(token_for fuzz-admin admin)

status=0
for who in editor admin; do
    token=${!who}
    printf '\n==== Schemathesis as %s on %s ====\n' "$who" "$backend"
    # From the scratch directory, so Schemathesis keeps its replay data there.
    (cd "$work" && "$root/$venv/bin/st" --config-file "$root/scripts/schemathesis.toml" run "http://$LIAISON_ADDR/api/openapi.json" \
        -H "Authorization: Bearer $token" --checks all --max-examples "$EXAMPLES" --seed "$SEED" \
        --generation-allow-x00 false --generation-database none --no-color) || status=1
done
exit $status
