#!/usr/bin/env bash
# A local PostgreSQL for the township server's tests: installs the Debian package if missing, makes and starts a
# cluster, and a login role the tests connect as over TCP. Prints the maintenance URL the tests take from
# GRIDDESK_TEST_PG (they create and drop a database per test through it). Safe to run again; fast when running.
#   export GRIDDESK_TEST_PG="$(scripts/postgres.sh)"
# The role is griddesk_test (password griddesk_test, may create databases, no superuser), not the postgres
# superuser: a developer's own cluster keeps its passwords. The cluster listens on localhost only, as Debian sets it.
set -euo pipefail

ROLE=griddesk_test
PASSWORD=griddesk_test

say() { echo "postgres.sh: $*" >&2; }

# Only the URL goes to stdout: everything else the tools print (pg_ctlcluster says "Removed stale pid file.")
# goes to stderr. A redirected function call runs in this shell, so URL stays set; no extra descriptor reaches
# the server process pg_ctlcluster leaves running, so "$(scripts/postgres.sh)" returns.
main() {
SUDO=()
[ "$(id -u)" -eq 0 ] || SUDO=(sudo)

as_postgres() {
  # The postgres OS user reaches its cluster over the Unix socket (peer authentication).
  if [ "$(id -u)" -eq 0 ]; then
    (cd / && runuser -u postgres -- "$@")
  else
    (cd / && sudo -u postgres -- "$@")
  fi
}

if ! command -v pg_lsclusters >/dev/null || ! compgen -G '/usr/lib/postgresql/*/bin/postgres' >/dev/null; then
  say "installing the postgresql Debian package"
  "${SUDO[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -qq --no-install-recommends postgresql >/dev/null
fi

# The newest cluster; none yet (the package makes one unless told not to): a "main" of the newest server.
cluster=$(pg_lsclusters -h | sort -k1,1Vr | head -n 1)
if [ -z "$cluster" ]; then
  version=$(basename "$(find /usr/lib/postgresql -mindepth 1 -maxdepth 1 -type d | sort -V | tail -n 1)")
  say "creating cluster $version/main"
  "${SUDO[@]}" pg_createcluster "$version" main >/dev/null
  cluster=$(pg_lsclusters -h | sort -k1,1Vr | head -n 1)
fi
read -r version name port status _ <<<"$cluster"
if [[ "$status" != online* ]]; then
  say "starting cluster $version/$name on port $port"
  if ! "${SUDO[@]}" pg_ctlcluster "$version" "$name" start; then
    # A server killed without stopping (a machine image taken while it ran) leaves its socket lock behind; a lock
    # whose process is gone is stale and blocks the start. Remove it and try once more.
    lock=/var/run/postgresql/.s.PGSQL.$port.lock
    if [ -f "$lock" ] && ! kill -0 "$(head -n 1 "$lock")" 2>/dev/null; then
      say "removing the stale socket lock $lock"
      "${SUDO[@]}" rm -f "$lock" "/var/run/postgresql/.s.PGSQL.$port"
    fi
    "${SUDO[@]}" pg_ctlcluster "$version" "$name" start
  fi
fi

URL="postgresql+psycopg://$ROLE:$PASSWORD@127.0.0.1:$port/postgres"
can_log_in() {
  PGPASSWORD=$PASSWORD PGCONNECT_TIMEOUT=5 psql -h 127.0.0.1 -p "$port" -U "$ROLE" -d postgres -qtAc 'SELECT 1' \
    >/dev/null 2>&1
}
if ! can_log_in; then
  say "making role $ROLE"
  as_postgres psql -p "$port" -d postgres -qX -v ON_ERROR_STOP=1 >/dev/null <<SQL
DO \$\$ BEGIN
  IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '$ROLE') THEN CREATE ROLE $ROLE; END IF;
END \$\$;
ALTER ROLE $ROLE LOGIN CREATEDB PASSWORD '$PASSWORD';
SQL
  if ! can_log_in; then
    say "cannot log in as $ROLE on 127.0.0.1:$port (pg_hba.conf must allow password logins from localhost)"
    exit 1
  fi
fi
}
main >&2
echo "$URL"
