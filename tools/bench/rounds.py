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


def host_lines(runs):
    """The lines bench_host's figures make (tools/bench/common.sh): each CPU's speed alone and its fresh memory's cost."""
    import statistics as st
    def spread(label, unit):
        v = list(runs[label].values())
        return f"{st.median(v):.{3 if unit == 's' else 2}f} {unit} ({min(v):.2f}-{max(v):.2f})"
    lines = []
    if "host-cpu0" in runs and "host-cpu1" in runs:
        speed = st.median(runs["host-cpu0"].values()) / st.median(runs["host-cpu1"].values())
        lines.append(f"host: sha256sum of the corpus alone on CPU 0 {spread('host-cpu0', 's')}, on CPU 1 "
                     f"{spread('host-cpu1', 's')}: CPU 1 runs at {speed:.2f} of CPU 0")
    fresh = [f"{spread(f'fresh-cpu{cpu}', 'ms')} on CPU {cpu}" for cpu in (0, 1) if f"fresh-cpu{cpu}" in runs]
    if fresh:
        lines.append(f"host: a MB of fresh memory (a page fault per page) costs {', '.join(fresh)}; written again "
                     f"{spread('again-cpu0' if 'again-cpu0' in runs else 'again-cpu1', 'ms')}")
    return lines
