#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Reload latency of `frc run` with the full upstream ruleset (a benchmark, not a test).

The daemon runs falco_rules.yaml plus one marker rule appended to the same file. A child
opens a marker file every millisecond or so. Twenty times, the bench rewrites the rule file
with a new output text for the marker rule and notes the wall clock time of the write; the
reload's latency is the time from the write to the first event judged by the new rules (the
kernel timestamp of the first alert carrying the new text), so it includes the settle delay,
the build (load, compile, JIT, kernel filter) and the swap. The daemon's own figures (build,
swap, trigger to active) are reported too, and the kernel drops while reloading.

Run in both modes: the build on a worker thread (default) and on the event loop
(-o frc.reload_thread=false), with a background stream of opens so that blocking the loop
would show.

    sudo python3 bench/reload_bench.py [--rounds 20]
"""
import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "support"))
from frc_live import UPSTREAM, Daemon, live_unavailable, summary_numbers, wait_for  # noqa: E402

MARKER = """
- rule: frc bench reload marker
  desc: opens of the marker file (reload benchmark)
  condition: evt.type in (open, openat, openat2) and fd.name = {path}
  output: "bench marker version={version}"
  priority: NOTICE
"""

OPENER = r"""
import os, sys, time
path, stop = sys.argv[1], sys.argv[2]
while not os.path.exists(stop):
    os.close(os.open(path, os.O_RDONLY))
    time.sleep(0.001)
"""

STORM = r"""
import os, sys
stop = sys.argv[1]
files = []
for root, dirs, fs in os.walk("/usr/lib"):
    files += [os.path.join(root, f) for f in fs]
    if len(files) > 20000:
        break
while not os.path.exists(stop):
    for p in files:
        try:
            os.close(os.open(p, os.O_RDONLY | os.O_NONBLOCK))
        except OSError:
            pass
"""


def run(mode, rounds, tmp, upstream):
    rules = os.path.join(tmp, f"rules-{mode}.yaml")
    marker = os.path.join(tmp, "marker")
    open(marker, "w").close()
    base = open(upstream).read()

    def write(v):
        with open(rules + ".tmp", "w") as f:
            f.write(base + MARKER.format(path=marker, version=v))
        os.rename(rules + ".tmp", rules)

    write(0)
    extra = ["-o", f"frc.reload_thread={'true' if mode == 'thread' else 'false'}"]
    d = Daemon(tmp, [rules], extra, name=f"bench-{mode}")
    if not d.wait_ready():
        print(f"{mode}: daemon did not start:\n{d.stderr()[-1500:]}")
        d.stop()
        return None
    stop = os.path.join(tmp, f"stop-{mode}")
    aid = uuid.uuid4().hex[:12]
    env = dict(os.environ, FRC_LIVE_ID=aid)
    opener = subprocess.Popen([sys.executable, "-c", OPENER, marker, stop], env=env)
    storm = subprocess.Popen([sys.executable, "-c", STORM, stop])
    wait_for(lambda: d.alerts_of(aid), 120)
    lat = []
    for k in range(1, rounds + 1):
        time.sleep(0.3)
        t_write = time.time_ns()
        write(k)
        tag = f"version={k}"
        hit = wait_for(lambda: [a for a in d.alerts_of(aid) if a.get("output", "").endswith(tag)],
                       120, 0.01)
        if not hit:
            print(f"{mode}: reload {k} not seen")
            continue
        t_first = (hit[0].get("output_fields") or {}).get("evt.time")
        lat.append((t_first - t_write) / 1e6)
    open(stop, "w").close()
    opener.wait()
    storm.wait()
    d.stop()
    log = d.stderr()
    own = [tuple(map(float, m)) for m in
           re.findall(r"built in ([\d.]+) ms, swapped in ([\d.]+) ms, ([\d.]+) ms after", log)]
    s = summary_numbers(log)
    return lat, own, s


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=20)
    args = ap.parse_args()
    why = live_unavailable()
    upstream = UPSTREAM
    if why or not os.path.exists(upstream):
        print(f"reload_bench: skipped: {why or 'no ../shared upstream rules'}")
        return 0
    tmp = tempfile.mkdtemp(prefix="frc-reload-bench-")
    try:
        for mode in ("thread", "inline"):
            r = run(mode, args.rounds, tmp, upstream)
            if not r:
                continue
            lat, own, s = r
            if not lat:
                continue
            b = [x[0] for x in own]
            w = [x[1] for x in own]
            t = [x[2] for x in own]
            print(f"reload ({mode} build), upstream falco_rules.yaml, {len(lat)} reloads:")
            print(f"  file write -> first event judged by the new rules: median "
                  f"{statistics.median(lat):.1f} ms (min {min(lat):.1f}, max {max(lat):.1f})")
            if own:
                print(f"  daemon: build median {statistics.median(b):.1f} ms, swap median "
                      f"{statistics.median(w):.2f} ms, trigger -> active median "
                      f"{statistics.median(t):.1f} ms (settle delay 25 ms included)")
            print(f"  kernel events {s.get('seen')}, received {s.get('received')}, dropped "
                  f"{s.get('dropped')} (a background stream of opens ran meanwhile)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
