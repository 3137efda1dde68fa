#!/usr/bin/env bash
# Makes sure a PostgreSQL server answers on 127.0.0.1:5432, starting the machine's installed cluster if
# it is stopped. Fails with a clear message when there is none.
set -uo pipefail
url="${FLAGWARD_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"

reachable() { node -e "
  const pg = require('$(pwd)/node_modules/pg');
  const c = new pg.Client({ connectionString: process.argv[1], connectionTimeoutMillis: 2000 });
  c.connect().then(() => c.end()).then(() => process.exit(0), () => process.exit(1));
" "$url" 2>/dev/null || pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; }

if command -v pg_isready >/dev/null && pg_isready -h 127.0.0.1 -p 5432 -q; then exit 0; fi
if [ -d node_modules/pg ] && reachable; then exit 0; fi

if command -v pg_lsclusters >/dev/null; then
  version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
  if [ -n "$version" ]; then
    echo "Starting PostgreSQL $version cluster 'main'…"
    pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>&1 || true
    for _ in $(seq 1 30); do
      if pg_isready -h 127.0.0.1 -p 5432 -q 2>/dev/null; then exit 0; fi
      sleep 1
    done
  fi
fi
echo "PostgreSQL is not reachable at $url and no installed cluster could be started." >&2
echo "Install PostgreSQL (e.g. apt-get install postgresql) or set FLAGWARD_TEST_POSTGRES_URL." >&2
exit 1
