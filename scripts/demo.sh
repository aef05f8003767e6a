#!/usr/bin/env bash
# Set up, create a demo township (once) in profiles/demo, and open GridDesk on it.
#   HOUSEHOLDS=30000 scripts/demo.sh   for the benchmark-sized township
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export GRIDDESK_PROFILE="${GRIDDESK_PROFILE:-$PWD/profiles/demo}"
export GRIDDESK_PASSPHRASE="${GRIDDESK_PASSPHRASE:-demo}"
if [ ! -f "$GRIDDESK_PROFILE/ledger.db" ]; then
  .venv/bin/griddesk demo --households "${HOUSEHOLDS:-3000}"
fi
exec .venv/bin/griddesk
