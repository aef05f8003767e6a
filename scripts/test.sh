#!/usr/bin/env bash
# Set up with the dev tools, then run every check: lint, format, types, translations, and the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --dev
export QT_QPA_PLATFORM=offscreen
.venv/bin/ruff check .
.venv/bin/ruff format --check .
.venv/bin/mypy
.venv/bin/python scripts/translations.py --check
.venv/bin/python -m pytest "$@"
