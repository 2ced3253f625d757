#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Events reaching user space per 1000 syscalls of a workload, with and without the kernel
filter fragment, and what dropping an event costs in the kernel (a benchmark, not a test).

One `frc run` daemon with the upstream ruleset (falco_rules.yaml; --rules all adds the
incubating and sandbox files) and its kernel fragment watches each workload. The workload
runs in a cgroup of its own; the probe counts every event the filter looks at per event code
and outcome (map frc_kf_why: dropped, shadowed, kept by a clause, kept because it feeds the
state tables, replayed, ...) separately for that cgroup and for the rest of the machine.
"Without the fragment" is what the filter looked at (exactly the events the syscall
interest set lets through, since the filter runs after the interest set), "with" is what it
let through plus the shadowed opens it replayed plus the events of programs it never sees
(exec, process exit). Both come from the same run of the same workload, so the ratio is
not skewed by the background; the background's own events are reported apart, and the
daemon's user-space event count is checked against the kernel's (workload + background).
Syscalls are the workload's own (`perf stat -e raw_syscalls:sys_enter`, children included).

Workloads: a build (gcc compiling the frc compiler's sources), a file tree walk (ls -R /usr,
then cat of 30000 files below /usr/share).

Cost: ns per open+close of one file (bench/kfilter_cost.c, best of 5 x 200000) with no
daemon, with a daemon whose filter drops the opens (a one-clause program, the upstream
program) and with a daemon without the filter (every open and close emitted).

    sudo python3 bench/kfilter_bench.py [--reps 2] [--rules default|all] [--no-cost]
        [--no-workloads]
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests", "support"))
from frc_live import (BUILD, ROOT, SHARED, Daemon, free_port, live_unavailable,  # noqa: E402
                      metrics)

NCODES = 512
NWHY = 16
WHY = ["dropped", "dropped: failed open", "dropped: open shadowed", "dropped: close of shadow",
       "kept: feeds state", "kept: clone", "kept: rule needs more than the kernel sees",
       "kept: a clause may match", "kept: open not shadowed", "kept: close of a known fd",
       "replayed open (state only)", "emitted outside the filter (exec, exit)"]
DROPS = {0, 1, 2, 3}
REPLAY, DIRECT = 10, 11


def event_names():
    names = {}
    text = open(os.path.join(ROOT, "runtime", "evtab.def")).read()
    for m in re.finditer(r'EVENT\((\w+),\s*(\d+),\s*"([^"]*)"', text):
        names[int(m.group(2))] = m.group(3) + ("<" if m.group(1).endswith("_X") else ">")
    return names


COUNTERS = ("frc_events_processed_total", "falcosecurity_scap_n_drops_total")


def counters(port):
    """The event counters of a daemon's /metrics (first sample of each)."""
    m = metrics(port, labels=False)
    return {k: int(m[k]) for k in COUNTERS if k in m}


def bpf_obj_id(pid, kind, name):
    """id of the BPF @kind ("map" or "prog") named @name held by process @pid (from its fds)"""
    for fd in os.listdir(f"/proc/{pid}/fdinfo"):
        try:
            t = open(f"/proc/{pid}/fdinfo/{fd}").read()
        except OSError:
            continue
        m = re.search(rf"^{kind}_id:\s*(\d+)", t, re.M)
        if not m:
            continue
        info = json.loads(subprocess.check_output(["bpftool", kind, "show", "id", m.group(1),
                                                   "-j"]))
        if info.get("name") == name:
            return int(m.group(1))
    return None


def why_counts(mid):
    """{(inside cgroup, code, why): count} summed over CPUs"""
    out = json.loads(subprocess.check_output(["bpftool", "map", "dump", "id", str(mid), "-j"]))
    r = {}
    for e in out:
        k = int.from_bytes(bytes(int(x, 16) for x in e["key"]), "little")
        vals = e.get("values") or [{"value": e.get("value")}]
        v = sum(int.from_bytes(bytes(int(x, 16) for x in c["value"]), "little") for c in vals)
        if v:
            r[(k // (NCODES * NWHY), (k // NWHY) % NCODES, k % NWHY)] = v
    return r


def cgroup2_root():
    for line in open("/proc/mounts"):
        f = line.split()
        if len(f) > 2 and f[2] == "cgroup2":
            return f[1]
    return None


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
    return ["sh", "-c", script], len(srcs)


def walk_cmd():
    return ["sh", "-c", "ls -R /usr > /dev/null; find /usr/share -type f -print0 | "
            "head -z -n 30000 | xargs -0 cat > /dev/null 2>&1"]


COST_RULES = """- rule: frc bench nothing
  desc: a rule no open of the loop matches (the kernel program is one clause)
  condition: evt.type in (open, openat, openat2) and fd.name startswith /nonexistent/
  output: "never"
  priority: NOTICE
"""


def prog_time(pid_):
    info = json.loads(subprocess.check_output(["bpftool", "prog", "show", "id", str(pid_), "-j"]))
    return info.get("run_time_ns", 0)


def cost(tmp, rules):
    """ns per open+close pair: no daemon; the filter dropping with a one-clause program, with
    the upstream program; no filter (every open and close emitted). Wall time (best of 5 x
    200000) and the probe's own time (kernel.bpf_stats_enabled turned on for the run: the
    sys_exit program's run time, tail calls included, over the loop, smallest of the 5)"""
    exe = os.path.join(tmp, "kfilter_cost")
    subprocess.run(["cc", "-O2", "-o", exe, os.path.join(ROOT, "bench", "kfilter_cost.c")],
                   check=True)
    target = "/usr/lib/os-release" if os.path.exists("/usr/lib/os-release") else "/bin/sh"
    nothing = os.path.join(tmp, "nothing.yaml")
    with open(nothing, "w") as f:
        f.write(COST_RULES)
    n = 200000

    def loop(pid=None):
        runs, bpf = [], []
        for _ in range(5):
            t0 = prog_time(pid) if pid else 0
            r = subprocess.run([exe, target, str(n)], capture_output=True, text=True)
            runs.append(float(r.stdout.strip() or 0))
            if pid:
                bpf.append((prog_time(pid) - t0) / n)
        return min(runs), min(bpf) if bpf else 0.0
    stats_path = "/proc/sys/kernel/bpf_stats_enabled"
    old = open(stats_path).read().strip()
    print(f"load average before the cost runs: {' '.join(open('/proc/loadavg').read().split()[:3])}")
    out = [("no daemon",) + loop()]
    try:
        with open(stats_path, "w") as f:
            f.write("1")
        for name, rs, extra in (("filter, one-clause program (drops)", [nothing], []),
                                ("filter, upstream program (drops)", rules, []),
                                ("no filter, upstream (emits)", rules, ["--no-kernel-filter"])):
            d = Daemon(tmp, rs, extra, name="cost")
            if not d.wait_ready():
                print(f"cost: daemon did not start: {d.stderr()[-800:]}")
                d.stop()
                continue
            pid_ = bpf_obj_id(d.p.pid, "prog", "frc_sys_exit")
            out.append((name,) + loop(pid_))
            d.stop()
    finally:
        with open(stats_path, "w") as f:
            f.write(old)
    base = out[0][1]
    print(f"open+close of {target}, ns per pair (best of 5 x {n}; probe = the sys_exit "
          f"program's own run time per pair, other syscalls of the machine included):")
    for name, v, b in out:
        print(f"  {name:40} wall {v:8.1f}  (+{v - base:.1f})   probe {b:7.1f}")


def summarise(delta, inside):
    """without, with, per-code rows {code: {why: n}} of one side of the cgroup split"""
    without = with_ = 0
    rows = {}
    for (cg, code, why), n in delta.items():
        if cg != inside or not n:
            continue
        rows.setdefault(code, {})[why] = n
        if why != REPLAY:
            without += n
        if why not in DROPS:
            with_ += n
    return without, with_, rows


def workloads(tmp, rules, reps, names):
    root = cgroup2_root()
    if not root:
        print("kfilter_bench: no cgroup2 mount: workload/background split unavailable")
        return
    cg = os.path.join(root, f"frc-kfilter-bench-{os.getpid()}")
    os.makedirs(cg, exist_ok=True)
    port = free_port()
    web = ["-o", "webserver.enabled=true", "-o", f"webserver.listen_port={port}",
           "-o", "webserver.listen_address=127.0.0.1", "-o", "metrics.enabled=true",
           "-o", "webserver.prometheus_metrics_enabled=true"]
    d = Daemon(tmp, rules, web, name="bench")
    try:
        if not d.wait_ready():
            print(f"kfilter_bench: daemon did not start:\n{d.stderr()[-1500:]}")
            return
        why_id, diag_id = bpf_obj_id(d.p.pid, "map", "frc_kf_why"), bpf_obj_id(d.p.pid, "map", "frc_kf_diag")
        if why_id is None or diag_id is None:
            print("kfilter_bench: the probe has no frc_kf_why/frc_kf_diag maps")
            return
        cgid = os.stat(cg).st_ino
        subprocess.check_call(["bpftool", "map", "update", "id", str(diag_id), "key", "0", "0",
                               "0", "0", "value"] + [str(b) for b in cgid.to_bytes(8, "little")])
        time.sleep(2)
        bcmd, nsrc = build_cmd(tmp)
        results = []
        for name, cmd, cwd in ((f"build (gcc, {nsrc} frc compiler sources)", bcmd, ROOT),
                               ("tree walk (ls -R /usr, cat 30000 files)", walk_cmd(), None)):
            wrapped = ["sh", "-c", f'echo $$ > {cg}/cgroup.procs && exec "$@"', "sh"] + cmd
            runs = []
            for _ in range(reps):
                load = open("/proc/loadavg").read().split()[0]
                m0, w0 = counters(port), why_counts(why_id)
                n, dt = perf_count(wrapped, tmp, cwd)
                time.sleep(2.5)	# the daemon drains the ring buffer
                m1, w1 = counters(port), why_counts(why_id)
                delta = {k: w1.get(k, 0) - w0.get(k, 0) for k in set(w0) | set(w1)}
                key = "frc_events_processed_total"
                runs.append((n, dt, load, summarise(delta, 1), summarise(delta, 0),
                             m1.get(key, 0) - m0.get(key, 0),
                             m1.get("falcosecurity_scap_n_drops_total", 0) -
                             m0.get("falcosecurity_scap_n_drops_total", 0)))
            runs.sort(key=lambda r: r[3][0] / r[3][1] if r[3][1] else 0)
            results.append((name, runs))
        print(f"events reaching user space, rules: {' + '.join(os.path.basename(r) for r in rules)}"
              f" ({reps} runs per workload, sorted by ratio; workload = its own cgroup, "
              f"background = the rest of the machine during the run)")
        print(f"{'workload':42} {'load':>5} {'syscalls':>9} {'secs':>6} {'without':>8} "
              f"{'with':>7} {'/1000 wo':>8} {'/1000 w':>8} {'ratio':>6} | "
              f"{'bg wo/s':>8} {'bg w/s':>7} {'user space':>10} {'rb drops':>8}")
        for name, runs in results:
            for n, dt, load, (wo, w, _), (bwo, bw, _), us, drops in runs:
                print(f"{name:42} {load:>5} {n:9d} {dt:6.1f} {wo:8d} {w:7d} "
                      f"{1000.0 * wo / n if n else 0:8.1f} {1000.0 * w / n if n else 0:8.1f} "
                      f"{wo / w if w else 0:6.1f} | {bwo / dt:8.0f} {bw / dt:7.0f} {us:10d} "
                      f"{drops:8d}")
        print("(user space: events the daemon processed during the run = workload 'with' + "
              "background 'with' + what arrived in the 2.5 s drain)")
        for name, runs in results:
            wo, w, rows = runs[len(runs) // 2][3]
            print(f"\n{name}: events of the workload by code (median run), without -> with")
            for code, ws in sorted(rows.items(), key=lambda x: -sum(
                    v for k, v in x[1].items() if k not in DROPS))[:16]:
                seen = sum(v for k, v in ws.items() if k != REPLAY)
                kept = sum(v for k, v in ws.items() if k not in DROPS)
                detail = ", ".join(f"{WHY[k] if k < len(WHY) else k} {v}"
                                   for k, v in sorted(ws.items()))
                print(f"  {names.get(code, code):16} {seen:7d} -> {kept:6d}   {detail}")
    finally:
        d.stop()
        try:
            os.rmdir(cg)
        except OSError:
            pass


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--reps", type=int, default=2)
    ap.add_argument("--rules", choices=("default", "all"), default="default",
                    help="falco_rules.yaml only, or with the incubating and sandbox files")
    ap.add_argument("--no-cost", action="store_true", help="skip the ns-per-open part")
    ap.add_argument("--no-workloads", action="store_true", help="only the ns-per-open part")
    args = ap.parse_args()
    why = live_unavailable()
    files = ["falco_rules.yaml"]
    if args.rules == "all":
        files += ["falco-incubating_rules.yaml", "falco-sandbox_rules.yaml"]
    rules = [os.path.join(SHARED, "compat", "rules", f) for f in files]
    if why or not all(os.path.exists(r) for r in rules):
        print(f"kfilter_bench: skipped: {why or 'no ../shared upstream rules'}")
        return 0
    if not shutil.which("bpftool"):
        print("kfilter_bench: skipped: bpftool not found")
        return 0
    tmp = tempfile.mkdtemp(prefix="frc-kfilter-bench-")
    try:
        if not args.no_cost:
            cost(tmp, rules)
        if not args.no_workloads:
            workloads(tmp, rules, args.reps, event_names())
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
