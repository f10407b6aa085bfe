#!/usr/bin/env python3
"""Peak memory of `portaudit audit` while reading and while writing the reports (issue 15: writing at most 1.2x reading).

Usage: report-memory.py OUTDIR -- PORTAUDIT-COMMAND...   e.g.
    tools/bench/report-memory.py /tmp/out -- out/portaudit/portaudit audit /tmp/portaudit-mix.pcap \\
        --inventory inv.yaml --out /tmp/out --quiet --fail-on none
Polls the process's VmHWM (peak resident set) every 10 ms; reading ends when the report files appear in OUTDIR
(report.json is opened first, as a temporary .report.json.PID.partial), so the high-water mark seen then is the peak
while reading, and the last one the peak of the whole run."""
import glob, os, subprocess, sys, time

out, cmd = sys.argv[1], sys.argv[sys.argv.index("--") + 1:]
os.makedirs(out, exist_ok=True)
for stale in glob.glob(os.path.join(out, "*report.json*"), include_hidden=True):
    os.remove(stale)
start = time.monotonic()
proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL)


def hwm_kb():
    try:
        with open(f"/proc/{proc.pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        return None


reading = writing = None
writing_from = None
while proc.poll() is None:
    peak = hwm_kb()
    if peak is not None:
        if writing_from is None and glob.glob(os.path.join(out, "*report.json*"), include_hidden=True):
            writing_from = time.monotonic() - start
            reading = peak
        writing = peak
    time.sleep(0.01)
if reading is None:
    sys.exit("the run ended before its reports were seen being written")
print(f"exit {proc.returncode}, wall {time.monotonic() - start:.1f} s, reports from {writing_from:.1f} s; "
      f"peak RSS reading {reading / 1024:.0f} MiB, whole run {writing / 1024:.0f} MiB, ratio {writing / reading:.2f}")
