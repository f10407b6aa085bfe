#!/usr/bin/env bash
# Flow store benchmark: ingest in flows per second, and the memory of an audit from the store as it grows.
# Starts a PostgreSQL of its own in a temporary directory (as the postgres user when run as root), unless
# STORE_URL names one; a STORE_URL that is not a postgresql:// URL is a DuckDB file (the embedded store), written
# in process. Usage: tools/bench/store-bench.sh [FLOWS]   (default 5000000)
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
flows=${1:-5000000}
bin=$(dirname "$(command -v initdb || ls /usr/lib/postgresql/*/bin/initdb | tail -1)")
dotnet build "$repo/tools/bench/PortAudit.Bench.csproj" -c Release -nologo -v quiet >/dev/null
url=${STORE_URL:-}
case "$url" in postgres*|"") ;; *) duckdb=1 ;; esac  # any other STORE_URL is a DuckDB file: no server
if [ -z "$url" ]; then
  dir=$(mktemp -d /tmp/portaudit-bench-pg.XXXX)
  port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
  as() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
  [ "$(id -u)" = 0 ] && chown postgres "$dir"
  as "$bin/initdb" -D "$dir/data" -A trust -U portaudit --no-sync >/dev/null
  as "$bin/pg_ctl" -D "$dir/data" -l "$dir/log" -w -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c shared_buffers=256MB -c max_wal_size=4GB" start >/dev/null
  trap 'as "$bin/pg_ctl" -D "$dir/data" -m fast stop >/dev/null; rm -rf "$dir"' EXIT
  url="postgresql://portaudit@127.0.0.1:$port/postgres"
fi
echo "store-bench: $flows flows into $url on $(nproc) cores"
dotnet "$repo/tools/bench/bin/Release/net10.0/PortAudit.Bench.dll" "$url" "$flows" "$repo"
[ -n "${duckdb:-}" ] && { echo "store size: $(du -h "$url" | cut -f1)"; exit 0; }
psql "$url" -tAc "SELECT 'store size: ' || pg_size_pretty(sum(pg_total_relation_size(inhrelid))) || ' in ' || count(*) || ' partitions' FROM pg_inherits WHERE inhparent = 'portaudit.flows'::regclass"
