# Sourced by the bench scripts (after setting $repo): the reference corpus, and the timer they measure with.

# Builds COPIES (default 36) copies of ../shared/bench/base.pcap at PATH, unless a file is there already.
bench_corpus() {
  local path=$1 copies=${2:-36}
  if [ ! -s "$path" ]; then
    echo "building reference corpus $path ($copies copies) ..." >&2
    python3 "$repo/../shared/bench/make-corpus" "$repo/../shared/bench/base.pcap" "$path" "$copies"
  fi
}

# Exits with 2 unless GNU time, which reports peak memory, is installed.
bench_need_time() {
  command -v /usr/bin/time >/dev/null || { echo "needs /usr/bin/time (apt-get install time)" >&2; exit 2; }
}

# For interleaved rounds: $results (one line per timed run: label, round, seconds, peak KiB) and $out (where a run
# writes, emptied before each), both removed at exit, and timed LABEL ROUND COMMAND... to time one run. The run before
# is written back (sync) first, so that its files are not flushed on the next run's cores.
bench_rounds() {
  results=$(mktemp)
  out=$(mktemp -d)
  trap 'rm -rf "$results" "$out"' EXIT
}

# The builds' indices in the order round ROUND runs them: they take turns at going first, since a build's place in the
# round moved its audit by 8–12% (the second build's audit runs after the first build's runs).
bench_order() { # round, count
  local round=$1 count=$2 k
  for ((k = 0; k < count; k++)); do echo $(( (k + round) % count )); done
}

# For bench_host, after bench_rounds: $fresh_memory, tools/bench/fresh-memory.c compiled into $out (empty, with a
# note, where gcc is missing).
bench_host_tools() {
  fresh_memory=$out/fresh-memory
  gcc -O2 -o "$fresh_memory" "$repo/tools/bench/fresh-memory.c" 2>/dev/null ||
    { echo "no gcc: the fresh-memory probe is left out" >&2; fresh_memory=; }
}

# Times the host in round ROUND, each CPU alone: sha256sum of CAPTURE (host-cpuN, seconds: how fast the CPU runs), and
# with bench_host_tools' probe the milliseconds per MB of fresh memory (host-fresh-cpuN) and of the same memory
# written again (host-again-cpuN). A second CPU slower than the first bounds one core -> two below 2x whatever the
# code does. Every label of the host's starts with "host-" (rounds.HOST), which keeps it apart from the tools' runs.
bench_host() { # round, capture (after bench_host_tools)
  local round=$1 capture=$2 cpu first again
  for cpu in 0 1; do
    timed "host-cpu$cpu" "$round" taskset -c "$cpu" sha256sum "$capture"
    [ -n "$fresh_memory" ] || continue
    read -r first again < <(taskset -c "$cpu" "$fresh_memory" 128) || continue
    echo "host-fresh-cpu$cpu $round $first 0" >> "$results"
    echo "host-again-cpu$cpu $round $again 0" >> "$results"
  done
}

# The wall time is taken here to the microsecond: GNU time's %e has 10 ms steps, 1.6% of a 0.6 s run, too coarse for
# the 5% a change must move; GNU time still gives the peak memory.
timed() { # label, round, command...
  local label=$1 round=$2 start end us; shift 2
  rm -rf "$out/run"; sync
  start=$(date +%s%N)
  /usr/bin/time -f "%M" -o "$out/peak" "$@" >/dev/null 2>&1 || true
  end=$(date +%s%N)
  us=$(( (end - start) / 1000 ))
  printf '%s %s %d.%06d %s\n' "$label" "$round" $((us / 1000000)) $((us % 1000000)) "$(tail -n 1 "$out/peak")" >> "$results"
}
