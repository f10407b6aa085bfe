#!/usr/bin/env bash
# The coverage-guided tier (docs/fuzz.md): one reader under afl-fuzz, PortAudit.Core.dll (and, for the spool,
# PortAudit.Store.dll) instrumented by SharpFuzz.
#
#   tools/fuzz/afl.sh READER [--execs N] [--seconds N] [--heap-mb N] [--work DIR] [--no-build]
#   tools/fuzz/afl.sh --readers        the readers and their seed counts
#
# The harness is copied into DIR/bin (default: a directory under /tmp) and its copies of PortAudit.Core.dll and
# PortAudit.Store.dll are instrumented there: instrumenting rewrites a dll, so the solution's own build stays
# untouched. Seeds come from ../shared (portaudit-fuzz afl-seeds). afl-fuzz runs one instance, -t 5000 (an input over 5 s is a hang), the .NET
# heap bounded by DOTNET_GCHeapHardLimit (an input that grows it past --heap-mb, 1024 by default, is a crash).
# Prints one line: reader, executions, edges, crashes, hangs, seconds, executions per second; the findings are in
# DIR/READER/out/default/{crashes,hangs}. Replay one: dotnet DIR/bin/portaudit-fuzz.dll afl READER < FILE (from the repository).
set -euo pipefail
cd "$(dirname "$0")/../.."
repo=$(pwd)

reader="" execs=100000 seconds="" heap=1024 work="" build=1
while [ $# -gt 0 ]; do
  case "$1" in
    --execs) execs=$2; shift 2 ;;
    --seconds) seconds=$2; shift 2 ;;
    --heap-mb) heap=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    --no-build) build=0; shift ;;
    --readers) reader=--readers; shift ;;
    -*) echo "afl.sh: unknown option $1" >&2; exit 2 ;;
    *) reader=$1; shift ;;
  esac
done
[ -n "$reader" ] || { sed -n 4,5p "$0" | sed 's/^# *//' >&2; exit 2; }
command -v afl-fuzz >/dev/null || { echo "afl.sh: afl-fuzz not found (apt-get install afl++)" >&2; exit 2; }
dotnet tool restore >/dev/null || { echo "afl.sh: cannot restore the sharpfuzz tool (.config/dotnet-tools.json)" >&2; exit 2; }

work=${work:-/tmp/portaudit-afl}
bin="$work/bin"
if [ "$build" = 1 ] || [ ! -f "$bin/.instrumented" ]; then
  [ "$build" = 1 ] && dotnet build tools/fuzz/PortAudit.Fuzz.csproj -c Release -nologo -v quiet >/dev/null
  rm -rf "$bin" && mkdir -p "$bin"
  cp -r tools/fuzz/bin/Release/net10.0/. "$bin/"
  dotnet sharpfuzz "$bin/PortAudit.Core.dll" >/dev/null
  # The store's spool reader lives there; the other readers never load it, so its coverage is the spool's alone.
  dotnet sharpfuzz "$bin/PortAudit.Store.dll" >/dev/null
  touch "$bin/.instrumented"
fi
harness=(dotnet "$bin/portaudit-fuzz.dll")
# Seeds and the list run the library outside a fork server: the uninstrumented build's business.
plain=(dotnet tools/fuzz/bin/Release/net10.0/portaudit-fuzz.dll)
if [ "$reader" = --readers ]; then "${plain[@]}" afl-readers; exit 0; fi

dir="$work/$reader"
rm -rf "$dir" && mkdir -p "$dir"
"${plain[@]}" afl-seeds "$reader" "$dir/in"

# Whichever comes first: the executions (100,000 by default) or the seconds.
budget=(-E "$execs")
[ -n "$seconds" ] && budget+=(-V "$seconds")
# The dotnet host is not instrumented (the dll is): afl's binary check would refuse it. One instance on a shared
# machine: no core pinning. The heap limit is the memory bound; afl's -m would limit address space, which .NET
# reserves by the gigabyte whatever it uses.
export AFL_SKIP_BIN_CHECK=1 AFL_NO_UI=1 AFL_NO_AFFINITY=1 AFL_SKIP_CPUFREQ=1 AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1
export AFL_QUIET=1 DOTNET_GCHeapHardLimit=$(printf '0x%x' $((heap << 20)))
# The harness writes each input to a file for the readers that take a path: in memory where there is a tmpfs.
[ -w /dev/shm ] && export TMPDIR=/dev/shm
afl-fuzz -i "$dir/in" -o "$dir/out" -t 5000 -m none "${budget[@]}" -- "${harness[@]}" afl "$reader" >"$dir/afl.log" 2>&1 || {
  echo "afl.sh: afl-fuzz failed for $reader (log: $dir/afl.log)" >&2; tail -20 "$dir/afl.log" >&2; exit 1; }

stats="$dir/out/default/fuzzer_stats"
field() { awk -F' *: *' -v k="$1" '$1 == k { print $2 }' "$stats"; }
printf '%s\texecs %s\tedges %s\tcrashes %s\thangs %s\tseconds %s\texecs/s %s\n' "$reader" "$(field execs_done)" \
  "$(field edges_found)" "$(field saved_crashes)" "$(field saved_hangs)" "$(field run_time)" "$(field execs_per_sec)"
