"""The results file of bench_rounds (tools/bench/common.sh): one line per timed run, "LABEL ROUND SECONDS PEAK_KIB"."""
import collections
import statistics


# bench_host's labels (tools/bench/common.sh) start with it; the tools' runs never do.
HOST = "host-"


def read(path, host=False):
    """Seconds by label and round, and peak MiB by label: the tools' runs, or with host, bench_host's figures."""
    runs = collections.defaultdict(dict)
    peak = collections.defaultdict(int)
    for line in open(path):
        f = line.split()
        if len(f) == 4 and f[0].startswith(HOST) == host:
            runs[f[0]][int(f[1])] = float(f[2])
            peak[f[0]] = max(peak[f[0]], int(f[3]) // 1024)
    return runs, peak


def spread(values, unit="s"):
    """A run's median and range: "1.234 s (1.20-1.31)" (milliseconds with two decimals)."""
    values = list(values)
    return f"{statistics.median(values):.{3 if unit == 's' else 2}f} {unit} ({min(values):.2f}-{max(values):.2f})"


def paired(after, before):
    """The per-round ratio after / before over the rounds both ran: "0.98x (0.85-1.16)". The two builds of a round meet
    the same machine, so a machine whose times fall in two clusters (a run's wall moving 20% from one to the next)
    moves both sides of a ratio where it moves only one build's median."""
    ratios = [after[r] / before[r] for r in after if r in before]
    return f"{statistics.median(ratios):.3f}x ({min(ratios):.2f}-{max(ratios):.2f})"


def host_lines(runs):
    """The lines bench_host's figures make (tools/bench/common.sh): each CPU's speed alone and its fresh memory's cost."""
    lines = []
    if "host-cpu0" in runs and "host-cpu1" in runs:
        speed = statistics.median(runs["host-cpu0"].values()) / statistics.median(runs["host-cpu1"].values())
        lines.append(f"host: sha256sum of the corpus alone on CPU 0 {spread(runs['host-cpu0'].values())}, on CPU 1 "
                     f"{spread(runs['host-cpu1'].values())}: CPU 1 runs at {speed:.2f} of CPU 0")
    fresh = [f"{spread(runs[f'host-fresh-cpu{cpu}'].values(), 'ms')} on CPU {cpu} "
             f"(written again {statistics.median(runs[f'host-again-cpu{cpu}'].values()):.2f})"
             for cpu in (0, 1) if f"host-fresh-cpu{cpu}" in runs]
    if fresh:
        lines.append(f"host: a MB of fresh memory (a page fault per page) costs {', '.join(fresh)}")
    return lines
