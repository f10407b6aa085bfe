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

timed() { # label, round, command...
  local label=$1 round=$2; shift 2
  rm -rf "$out/run"; sync
  /usr/bin/time -f "$label $round %e %M" -a -o "$results" "$@" >/dev/null 2>&1 || true
}
