#!/usr/bin/env bash
# Run the portal and casework tests again on the real PostgreSQL server (127.0.0.1:5432, user postgres).
# Without a reachable server they are skipped LOUDLY; under CI (CI=true) that is a failure, never a skip.
# CONCERNS_TEST_DATABASE=name gives this run its own test database (two runs on one server at once).
set -euo pipefail
cd "$(dirname "$0")/.."
url="${CONCERNS_TEST_POSTGRES:-postgresql://postgres@127.0.0.1:5432/test}"

if ! .venv/bin/python - "$url" <<'PY'
import sys
import psycopg
try:
    psycopg.connect(sys.argv[1], connect_timeout=3).close()
except psycopg.Error as error:
    print(error, file=sys.stderr)
    sys.exit(1)
PY
then
  if [ "${CI:-}" = "true" ]; then
    echo "FAIL: PostgreSQL at $url is not reachable, and CI never skips the PostgreSQL tests." >&2
    exit 1
  fi
  printf '\n%s\n%s\n%s\n\n' \
    "################################################################################" \
    "#  SKIPPED: the PostgreSQL tests. No server at $url. Start it with: pg_ctlcluster --skip-systemctl-redirect \$(ls /etc/postgresql) main start" \
    "################################################################################" >&2
  exit 0
fi

echo "Portal and casework tests on PostgreSQL ($url${CONCERNS_TEST_DATABASE:+, test database $CONCERNS_TEST_DATABASE})"
DATABASE_URL="$url" .venv/bin/pytest -n "${PYTEST_WORKERS:-2}" --dist loadfile -m "not sqlite_only" tests/web -q
