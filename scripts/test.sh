#!/usr/bin/env bash
# Set up with the dev tools, then run every check: lint, format, types, translations, and the whole test suite.
# The server and sync tests run on SQLite and on PostgreSQL: scripts/postgres.sh installs and starts a local one
# (sudo when not root) unless GRIDDESK_TEST_PG already names a maintenance database URL.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --dev
if [ -z "${GRIDDESK_TEST_PG:-}" ]; then
  GRIDDESK_TEST_PG=$(bash scripts/postgres.sh)
  export GRIDDESK_TEST_PG
fi
case "$GRIDDESK_TEST_PG" in
  postgresql*://*) ;;
  *) echo "test.sh: GRIDDESK_TEST_PG is not a PostgreSQL URL: $GRIDDESK_TEST_PG" >&2; exit 1 ;;
esac
export QT_QPA_PLATFORM=offscreen
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
.venv/bin/python scripts/translations.py --check
# In parallel (pytest-xdist): most of the suite waits on server subprocesses, PostgreSQL and fsync, so three
# workers finish in about half the time even on two cores. PYTEST_WORKERS=0 runs in one process.
.venv/bin/python -m pytest -n "${PYTEST_WORKERS:-3}" "$@"
