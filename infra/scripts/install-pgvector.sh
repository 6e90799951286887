#!/usr/bin/env bash
# Installs the pgvector extension into this machine's Postgres when it is missing.
# Idempotent: does nothing when `vector` is already in pg_available_extensions.
# pgvector is not packaged for Debian 12's Postgres 15, so we build it from Debian's own source
# package, taking the mirror from the system's apt configuration (never a hard-coded host).
set -euo pipefail

PGHOST=${PGHOST:-127.0.0.1}
PGPORT=${PGPORT:-5432}
PGUSER=${PGUSER:-postgres}
export PGHOST PGPORT PGUSER

available() {
  psql -d postgres -tAc "select 1 from pg_available_extensions where name = 'vector'" 2>/dev/null | grep -q 1
}

if available; then
  echo "install-pgvector: vector extension already available"
  exit 0
fi

pg_major=$(psql -d postgres -tAc "show server_version_num" | cut -c1-2)
echo "install-pgvector: building pgvector for Postgres ${pg_major}"

sources=/etc/apt/sources.list.d/debian.sources
if [ -f "$sources" ]; then
  uri=$(awk '/^URIs:/{print $2; exit}' "$sources")
else
  uri=$(awk '/^deb /{print $2; exit}' /etc/apt/sources.list)
fi
work=$(mktemp -d)
chmod 755 "$work" # apt's _apt user must read it
echo "deb-src $uri trixie main" >"$work/pgv.list"
mkdir -p "$work/lists/partial"
o=(-o "Dir::Etc::sourcelist=$work/pgv.list" -o "Dir::Etc::sourceparts=-" -o "Dir::State::Lists=$work/lists")
apt-get "${o[@]}" update -qq
(cd "$work" && apt-get "${o[@]}" source --download-only pgvector >/dev/null)

if ! dpkg -s "postgresql-server-dev-${pg_major}" >/dev/null 2>&1; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "postgresql-server-dev-${pg_major}" >/dev/null
fi

tar xzf "$work"/pgvector_*.orig.tar.gz -C "$work"
src=$(find "$work" -maxdepth 1 -type d -name 'pgvector-*' | head -n1)
make -C "$src" -s PG_CONFIG="/usr/lib/postgresql/${pg_major}/bin/pg_config" >/dev/null
make -C "$src" -s PG_CONFIG="/usr/lib/postgresql/${pg_major}/bin/pg_config" install >/dev/null
rm -rf "$work"

available || { echo "install-pgvector: build finished but extension is still unavailable" >&2; exit 1; }
# The extension is not "trusted": create it in template1 so every new database has it.
psql -d template1 -qc "create extension if not exists vector" || true
echo "install-pgvector: done"
