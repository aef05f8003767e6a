#!/usr/bin/env bash
# Sync on one machine: a township server and three profiles — the township office (a demo township it pushes to
# the server) and two village laptops of one grid that start empty and pull their grid. The server keeps running
# in the background (its process id is in DIR/server.pid); open a laptop with the printed command, edit, press F9.
#   scripts/sync-demo.sh [DIR]        (default profiles/sync-demo; passphrase "demo" for every profile)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
DIR=${1:-profiles/sync-demo}
PORT=${PORT:-8089}
GRID=620502101201001 # 上庄村第一网格 of the demo township
B=.venv/bin
export GRIDDESK_PASSPHRASE=${GRIDDESK_PASSPHRASE:-demo}

if [ -e "$DIR" ]; then
  echo "$DIR already exists: remove it (and stop its server: kill \$(cat $DIR/server.pid)) to start again" >&2
  exit 1
fi
mkdir -p "$DIR"
DB="$DIR/township.db"
$B/griddesk-server admin init --db "$DB" 2>/dev/null >/dev/null
$B/griddesk-server serve --db "$DB" --host 127.0.0.1 --port "$PORT" >"$DIR/server.log" 2>&1 &
echo $! >"$DIR/server.pid"
URL="http://127.0.0.1:$PORT"
$B/python - "$URL" <<'PY'
import sys, time, requests
for _ in range(200):
    try:
        if requests.get(sys.argv[1] + "/health", timeout=1).ok:
            break
    except requests.ConnectionError:
        time.sleep(0.1)
else:
    sys.exit("the township server did not start: see server.log")
PY

$B/griddesk --profile "$DIR/office" demo --households 300 >/dev/null 2>&1
$B/griddesk --profile "$DIR/office" enrol --server "$URL" --name 乡镇办公室 \
  --code "$($B/griddesk-server admin enrol-code --db "$DB" --township)"
$B/griddesk --profile "$DIR/office" sync
$B/griddesk-server admin init --db "$DB" --grids "$GRID" >/dev/null 2>&1 # the grid is now on the server
for n in 1 2; do
  $B/griddesk --profile "$DIR/laptop$n" enrol --server "$URL" --name "采集员$n" \
    --code "$($B/griddesk-server admin enrol-code --db "$DB" --grids "$GRID")"
  $B/griddesk --profile "$DIR/laptop$n" sync
done
cat <<EOF

Township server: $URL (database $DB, log $DIR/server.log; stop it with: kill \$(cat $DIR/server.pid))
Open a laptop:   $B/griddesk --profile $DIR/laptop1      (passphrase: $GRIDDESK_PASSPHRASE)
From a shell:    $B/griddesk --profile $DIR/laptop2 sync --json ; $B/griddesk --profile $DIR/laptop2 outbox
EOF
