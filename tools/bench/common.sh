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
