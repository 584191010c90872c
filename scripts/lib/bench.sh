# Sourced by scripts/bench-*.sh: what every benchmark needs around its own measuring —
# a release build, a throwaway data directory, on request a throwaway PostgreSQL
# database, a served instance with an API token, and cleanup on exit.

# bench_build [cargo build args…]: builds the binary (and the given examples); sets
# $target and $bin.
bench_build() {
  target=${CARGO_TARGET_DIR:-$PWD/target}
  cargo build --release --locked --quiet --bin liaison "$@"
  bin=$target/release/liaison
}

# bench_cleanup: stops the server, removes the data directory and the database.
bench_cleanup() {
  kill ${pid:-0} 2>/dev/null || true
  wait ${pid:-0} 2>/dev/null || true
  rm -rf "$data"
  if [ -n "${db:-}" ]; then psql -q "$admin" -c "DROP DATABASE IF EXISTS $db WITH (FORCE)"; fi
}

# bench_store NAME [--postgres [ADMIN_URL]]: a fresh data directory, and with --postgres
# a database liaison_bench_NAME_<pid> on the server (dropped on exit); sets $engine.
bench_store() {
  local name=$1
  shift
  data=$(mktemp -d)
  export LIAISON_DATA_DIR=$data LIAISON_LOG=warn
  db=""
  trap bench_cleanup EXIT
  engine=sqlite
  if [ "${1:-}" = "--postgres" ]; then
    admin=${2:-postgres://postgres:postgres@127.0.0.1:5432/postgres}
    db=liaison_bench_${name}_$$
    psql -q "$admin" -c "CREATE DATABASE $db"
    export LIAISON_DATABASE_URL=${admin%/*}/$db
    engine=postgresql
  fi
  "$bin" migrate >/dev/null
}

# bench_serve ROLE: a user with ROLE and its API token ($token), the server on a free
# port ($base, $pid), waited for until it answers.
bench_serve() {
  "$bin" user add bench --role "$1" --password-stdin <<<"bench password 1" >/dev/null
  token=$("$bin" user token bench)
  local port
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  "$bin" serve --addr "127.0.0.1:$port" >/dev/null 2>&1 &
  pid=$!
  base=http://127.0.0.1:$port
  until curl -sf "$base/healthz" >/dev/null; do sleep 0.01; done
}
