#!/usr/bin/env bash
# Flow store benchmark (docs/store.md, "Scale"): N synthetic flows (default 10,000,000) as a Zeek conn.log in JSON
# lines (make-zeek-flows.py), ingested with `portaudit flows LOG --store TARGET` into each engine, then audited with
# `audit --from-store TARGET`, beside the audit of the log file itself. Prints, per step, seconds, flows per second
# and peak RSS (GNU time), and each store audit's peak beyond the file audit's.
#
# Usage: tools/bench/store-bench.sh [--engines "duckdb lake postgres"] [FLOWS] [PORTAUDIT]
#   PORTAUDIT: the executable (default out/portaudit/portaudit from tools/publish.sh).
#   postgres: a PostgreSQL of its own in a temporary directory (initdb, pg_ctl; as the postgres user when run as root),
#   unless STORE_URL names one. Scratch space: $TMPDIR (the log is about 290 bytes a flow; each audit writes flows.jsonl).
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
source "$repo/tools/bench/common.sh"
bench_need_time
engines="duckdb lake postgres"
if [ "${1:-}" = --engines ]; then engines=$2; shift 2; fi
flows=${1:-10000000}
portaudit=${2:-$repo/out/portaudit/portaudit}
[ -x "$portaudit" ] || { echo "store-bench: no executable $portaudit (run tools/publish.sh)" >&2; exit 2; }
work=$(mktemp -d "${TMPDIR:-/tmp}/portaudit-store-bench.XXXX")
chmod 755 "$work" # the postgres user enters it
cleanup() { [ -n "${pg_stop:-}" ] && $pg_stop; rm -rf "$work"; }
trap cleanup EXIT
log=$work/flows.log
inventory=$repo/captures/lab.yaml
python3 "$repo/tools/bench/make-zeek-flows.py" "$flows" "$log"
echo "store-bench: $flows flows ($(du -h "$log" | cut -f1) of conn.log JSON lines), $(nproc) cores, $("$portaudit" --version)"

# step LABEL COMMAND...: runs it under GNU time and prints seconds, flows per second and peak RSS; keeps the peak in $peak.
step() {
  local label=$1; shift
  sync
  /usr/bin/time -f "%e %M" -o "$work/time" "$@" >"$work/stdout" 2>"$work/stderr" || {
    echo "store-bench: $label failed:" >&2; tail -5 "$work/stderr" >&2; exit 1; }
  read -r seconds peak <"$work/time"
  printf '%-34s %8.1f s %10.0f flows/s   peak RSS %6.0f MiB\n' "$label" "$seconds" "$(echo "$flows / $seconds" | bc -l)" "$(echo "$peak / 1024" | bc -l)"
}

# The audit as the main job runs it, into a fresh directory, from the options given (a file, or --from-store TARGET).
audit() { rm -rf "$work/out"; step "$1" "$portaudit" audit "${@:2}" --inventory "$inventory" --out "$work/out" --fail-on none --quiet; }

audit "audit of the file" "$log"
file_peak=$peak

for engine in $engines; do
  case $engine in
    duckdb) target=$work/flows.duckdb ;;
    lake) target=$work/lake/ ;;
    postgres)
      if [ -n "${STORE_URL:-}" ]; then target=$STORE_URL; else
        bin=$(dirname "$(command -v initdb || ls /usr/lib/postgresql/*/bin/initdb | tail -1)")
        port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
        as() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
        mkdir "$work/pg"; [ "$(id -u)" = 0 ] && chown postgres "$work/pg"
        as "$bin/initdb" -D "$work/pg/data" -A trust -U portaudit --no-sync >/dev/null
        as "$bin/pg_ctl" -D "$work/pg/data" -l "$work/pg/log" -w -o "-p $port -k $work/pg -c listen_addresses=127.0.0.1 -c shared_buffers=256MB -c max_wal_size=4GB" start >/dev/null
        pg_stop="as $bin/pg_ctl -D $work/pg/data -m fast stop"
        target="postgresql://portaudit@127.0.0.1:$port/postgres"
      fi ;;
    *) echo "store-bench: no engine $engine (duckdb, lake, postgres)" >&2; exit 2 ;;
  esac
  step "ingest, $engine" "$portaudit" flows "$log" --store "$target" --sensor bench --quiet
  audit "audit from the store, $engine" --from-store "$target"
  printf '%-34s %+8.0f MiB\n' "  beyond the file audit" "$(echo "($peak - $file_peak) / 1024" | bc -l)"
  case $engine in
    duckdb) echo "  store size: $(du -h "$target" | cut -f1)"; rm -f "$target" ;;
    lake) echo "  store size: $(du -sh "$target" | cut -f1) in $(find "$target" -name '*.parquet' | wc -l) files"; rm -rf "$target" ;;
    postgres) echo "  store size: $(psql "$target" -tAc "SELECT pg_size_pretty(sum(pg_total_relation_size(inhrelid))) FROM pg_inherits WHERE inhparent = 'portaudit.flows'::regclass")" ;;
  esac
done
