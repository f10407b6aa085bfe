#!/usr/bin/env python3
"""Runs a command and prints, every --step seconds of wall time, each thread's CPU so far (user + system, from
/proc/PID/task/TID/stat, sampled every 10 ms), then each thread's total and the wall time.

    tools/bench/thread-cpu.py [--step 0.05] -- out/portaudit/portaudit flows -q CORPUS --format jsonl -o /dev/null

Why not perf: on the two-core bench machine (a KVM guest without a PMU, perf's cpu-clock event) `perf report --sort
comm` gave the decoding thread of `flows --workers 1` 1.07 s of CPU where the kernel's own account gave it 0.41 s
(docs/performance.md, "Where the time goes"): which thread spends the time is read here, what it spends it on from perf.
The kernel counts in ticks of 10 ms, and a thread's last sample is the one before it ended.
"""
import argparse
import os
import subprocess
import sys
import time


def threads(pid):
    """{tid: (name, centiseconds of CPU)} of a running process; empty once it is gone."""
    found = {}
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/stat") as stat:
                text = stat.read()
        except OSError:
            continue
        name = text[text.index("(") + 1:text.rindex(")")]
        fields = text[text.rindex(")") + 2:].split()
        found[tid] = (name, int(fields[11]) + int(fields[12]))
    return found


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--step", type=float, default=0.05, help="seconds between printed rows (default 0.05)")
    parser.add_argument("command", nargs=argparse.REMAINDER, help="-- the command to run")
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    if not command:
        parser.error("no command given")
    start = time.monotonic()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    names, last, rows, next_row = {}, {}, [], 0.0
    while process.poll() is None:
        now = time.monotonic() - start
        for tid, (name, ticks) in threads(process.pid).items():
            names[tid] = name
            last[tid] = ticks
        if now >= next_row:
            rows.append((now, dict(last)))
            next_row = now + args.step
        time.sleep(0.01)
    wall = time.monotonic() - start
    busy = [tid for tid in names if last.get(tid, 0) > 0]
    print("  wall " + " ".join(f"{names[tid][:15]:>15}" for tid in busy))
    for at, seen in rows:
        print(f"{at:6.2f} " + " ".join(f"{seen.get(tid, 0) * 10:15d}" for tid in busy))
    print(" total " + " ".join(f"{last[tid] * 10:15d}" for tid in busy))
    print(f"wall {wall:.3f} s, CPU {sum(last.values()) / 100:.2f} s (ms of CPU per thread above), exit {process.returncode}")
    return process.returncode


if __name__ == "__main__":
    sys.exit(main())
