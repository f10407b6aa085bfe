"""The results file of bench_rounds (tools/bench/common.sh): one line per timed run, "LABEL ROUND SECONDS PEAK_KIB"."""
import collections


def read(path, first_letters=None):
    """Seconds by label and round, and peak MiB by label; with first_letters, only labels starting with one of them."""
    runs = collections.defaultdict(dict)
    peak = collections.defaultdict(int)
    for line in open(path):
        f = line.split()
        if len(f) == 4 and (first_letters is None or f[0][0] in first_letters):
            runs[f[0]][int(f[1])] = float(f[2])
            peak[f[0]] = max(peak[f[0]], int(f[3]) // 1024)
    return runs, peak
