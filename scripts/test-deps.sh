#!/usr/bin/env bash
# Makes sure what the tests need is installed and running, installing it when missing:
# PostgreSQL on 127.0.0.1:5432, Debian's Chromium with a CJK font, the en_US Hunspell
# dictionary, and the browser tests' npm package. Idempotent. As root it installs with
# apt-get; otherwise it says what to install and stops.
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

# --- Spelling dictionary (news proofreading aid) ------------------------------------
[ -f /usr/share/hunspell/en_US.dic ] || apt_install hunspell-en-us

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
