#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Events reaching user space per 1000 syscalls, with and without the kernel filter
fragment (a benchmark, not a test).

Two `frc run` daemons watch the same workloads at the same time, both with the full upstream
ruleset (falco_rules.yaml): one with the kernel fragment, one with only the syscall interest
set (--no-kernel-filter). For each workload the bench reads both daemons' counters from
/metrics before and after (events taken from the ring buffer) and counts the workload's
syscalls with `perf stat -e raw_syscalls:sys_enter`. Workloads: a build (gcc compiling the
frc compiler's sources), a file tree walk (ls -R /usr, then reading 30000 files below
/usr/share with cat). Whatever else runs on the machine meanwhile is seen by both daemons
alike and counted with the workload: each workload runs --reps times (default 3) and the
smallest count of each daemon is reported (background only adds events, so the smallest is
the tightest bound of the workload's own); an idle period is measured the same way and
reported as the background floor. Run it on a quiet machine (note `uptime`).

    sudo python3 bench/kfilter_bench.py [--reps 3] [--no-cost]
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "support"))
from frc_live import BUILD, ROOT, UPSTREAM, Daemon, live_unavailable, metrics  # noqa: E402


COUNTERS = ("frc_events_processed_total", "falcosecurity_scap_n_evts_total",
            "frc_kernel_filter_dropped_events_total")


def counters(port):
    """The event counters of a daemon's /metrics (first sample of each)."""
    m = metrics(port, labels=False)
    return {k: int(m[k]) for k in COUNTERS if k in m}


def perf_count(cmd, tmp, cwd=None):
    out = os.path.join(tmp, "perf.txt")
    if shutil.which("perf"):
        cmd = ["perf", "stat", "-x,", "-o", out, "-e", "raw_syscalls:sys_enter", "--"] + cmd
    t0 = time.time()
    subprocess.run(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                   timeout=3600)
    dt = time.time() - t0
    n = 0
    if os.path.exists(out):
        m = re.search(r"^(\d+),", open(out).read(), re.M)
        n = int(m.group(1)) if m else 0
        os.unlink(out)
    return n, dt


def build_cmd(tmp):
    objs = os.path.join(tmp, "objs")
    os.makedirs(objs, exist_ok=True)
    srcs = sorted(f for f in os.listdir(os.path.join(ROOT, "compiler")) if f.endswith(".c"))
    script = " && ".join(
        f"gcc -O1 -std=c11 -D_GNU_SOURCE -I. -I{BUILD} -I{BUILD}/compiler -Icompiler -Iruntime "
        f"-Iprobe -c compiler/{s} -o {objs}/{s}.o" for s in srcs)
    return ["sh", "-c", script]


def walk_cmd():
    return ["sh", "-c", "ls -R /usr > /dev/null; find /usr/share -type f -print0 | "
            "head -z -n 30000 | xargs -0 cat > /dev/null 2>&1"]


COST_RULES = """- rule: frc bench nothing
  desc: a rule no open of the loop matches (the kernel program is one clause)
  condition: evt.type in (open, openat, openat2) and fd.name startswith /nonexistent/
  output: "never"
  priority: NOTICE
"""


def cost(tmp, upstream):
    """ns per open+close pair: no daemon; the filter dropping with a one-clause program, with
    the upstream program; no filter (every open and close emitted)"""
    exe = os.path.join(tmp, "kfilter_cost")
    subprocess.run(["cc", "-O2", "-o", exe, os.path.join(ROOT, "bench", "kfilter_cost.c")],
                   check=True)
    target = "/usr/lib/os-release" if os.path.exists("/usr/lib/os-release") else "/bin/sh"
    nothing = os.path.join(tmp, "nothing.yaml")
    with open(nothing, "w") as f:
        f.write(COST_RULES)

    def loop():
        runs = []
        for _ in range(5):
            r = subprocess.run([exe, target, "200000"], capture_output=True, text=True)
            runs.append(float(r.stdout.strip() or 0))
        return min(runs)
    out = [("no daemon", loop())]
    for name, rules, extra in (("filter, one-clause program (drops)", nothing, []),
                               ("filter, upstream program (drops)", upstream, []),
                               ("no filter, upstream (emits)", upstream, ["--no-kernel-filter"])):
        d = Daemon(tmp, [rules], extra, name="cost")
        if not d.wait_ready():
            print(f"cost: daemon did not start: {d.stderr()[-800:]}")
            d.stop()
            continue
        out.append((name, loop()))
        d.stop()
    base = out[0][1]
    print(f"open+close of {target}, ns per pair (best of 5 x 200000):")
    for name, v in out:
        print(f"  {name:40} {v:8.1f}  (+{v - base:.1f})")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--no-cost", action="store_true", help="skip the ns-per-open part")
    args = ap.parse_args()
    why = live_unavailable()
    upstream = UPSTREAM
    if why or not os.path.exists(upstream):
        print(f"kfilter_bench: skipped: {why or 'no ../shared upstream rules'}")
        return 0
    tmp = tempfile.mkdtemp(prefix="frc-kfilter-bench-")
    if not args.no_cost:
        cost(tmp, upstream)
    ports = {"on": 18765, "off": 18766}
    web = lambda p: ["-o", "webserver.enabled=true", "-o", f"webserver.listen_port={p}",
                     "-o", "webserver.listen_address=127.0.0.1", "-o", "metrics.enabled=true",
                     "-o", "webserver.prometheus_metrics_enabled=true"]
    d = {"on": Daemon(tmp, [upstream], web(ports["on"]), name="bench-on"),
         "off": Daemon(tmp, [upstream], web(ports["off"]) + ["--no-kernel-filter"],
                       name="bench-off")}
    try:
        for k, x in d.items():
            if not x.wait_ready():
                print(f"kfilter_bench: daemon {k} did not start:\n{x.stderr()[-1500:]}")
                return 0
        time.sleep(2)
        rows = []
        last_dt = 10.0
        for name, cmd, cwd in (("build (gcc, frc compiler sources)", build_cmd(tmp), ROOT),
                               ("tree walk (ls -R /usr, cat 30000 files)", walk_cmd(), None),
                               ("idle", None, None)):
            reps = []
            for _ in range(args.reps):
                before = {k: counters(p) for k, p in ports.items()}
                if cmd:
                    n, dt = perf_count(cmd, tmp, cwd)
                    last_dt = dt
                else:
                    n, dt = 0, last_dt
                    time.sleep(dt)
                time.sleep(2.5)	# two statistics ticks
                after = {k: counters(p) for k, p in ports.items()}
                ev = {k: after[k].get("frc_events_processed_total", 0) -
                      before[k].get("frc_events_processed_total", 0) for k in ports}
                kd = (after["on"].get("frc_kernel_filter_dropped_events_total", 0) -
                      before["on"].get("frc_kernel_filter_dropped_events_total", 0))
                reps.append((n, dt, ev["on"], ev["off"], kd))
            rows.append((name, min(r[0] for r in reps), min(r[1] for r in reps),
                         min(r[2] for r in reps), min(r[3] for r in reps),
                         min(r[4] for r in reps)))
        print(f"events reaching user space, upstream falco_rules.yaml (both daemons at once; "
              f"smallest of {args.reps} runs):")
        print(f"{'workload':42} {'syscalls':>9} {'secs':>6} {'with':>8} {'without':>8} "
              f"{'/1000 w':>8} {'/1000 wo':>8} {'ratio':>6} {'kernel dropped':>14}")
        for name, n, dt, on, off, kd in rows:
            per_on = 1000.0 * on / n if n else 0
            per_off = 1000.0 * off / n if n else 0
            ratio = off / on if on else 0
            print(f"{name:42} {n:9d} {dt:6.1f} {on:8d} {off:8d} {per_on:8.1f} {per_off:8.1f} "
                  f"{ratio:6.1f} {kd:14d}")
        idle = rows[-1]
        print(f"(idle row: what the rest of the machine produced in {idle[2]:.1f} s; the "
              f"workload rows include the same kind of background)")
    finally:
        for x in d.values():
            x.stop()
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
