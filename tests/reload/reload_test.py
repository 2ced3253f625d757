#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Live hot-reload tests of `frc run`.

A rule alerts on every open of a watched file. A generator process opens that file about
1000 times a second and counts its opens; meanwhile the rule file is rewritten ten times
(in place, and by rename like editors and ConfigMaps do), each time with a new output text.
Checks:
  - every rewrite gives a new generation (log), and its output text shows up in alerts
    (the new rule is in effect), with the generation in the JSON key frc_ruleset_generation;
  - an invalid rewrite changes nothing: the failure is logged with file:line:col, the
    "Falco internal: hot restart failure" alert is emitted, the old rule keeps alerting;
  - across all of it, the number of alerts equals the number of opens (nothing missed,
    nothing doubled), unless the kernel reported drops (then the count is reported);
  - SIGHUP reloads; a new file in a watched rule folder is picked up; /metrics reports the
    generation and the reloads by result (frc_ruleset_generation, frc_reloads_total).
A second part proves that every event is judged by exactly one generation, with the kernel
filter switching too: one thread alternately opens A/<n> and B/<n> (n counting up) while the
rule file is rewritten ten times, each version watching the other directory (A, B, A, ...).
Ordering the alerts by n shows the generations taking over one after the other at single
points of the stream, every open of the watched directory alerting within a generation, and
at each switch no gap (no open judged by neither) and no overlap (none judged by both). Two
daemons run it at once: kernel filter on with the build on a worker thread (the kernel drops
the opens of the unwatched directory, so widen/drain/swap/narrow must be exact), and kernel
filter off with the build on the event loop.
Timing never decides a result: every wait has a generous bound and checks a condition.
Needs root and kernel BTF (skipped with the reason otherwise).
"""
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "support"))
from frc_live import (Daemon, Results, free_port, live_unavailable,  # noqa: E402
                      metrics, summary_numbers, wait_for)

R = Results()

RULE = """- rule: reload marker
  desc: opens of the watched file (reload test)
  condition: evt.type in (open, openat, openat2) and fd.name = {path} and evt.rawres >= 0
  output: "reload marker version={version} file=%fd.name"
  priority: WARNING
"""

FOLDER_RULE = """- rule: folder marker
  desc: opens of the folder test file
  condition: evt.type in (open, openat, openat2) and fd.name = {path}
  output: "folder marker file=%fd.name"
  priority: NOTICE
"""

GENERATOR = r"""
import os, sys, time
path, stop, count = sys.argv[1], sys.argv[2], sys.argv[3]
n = 0
t0 = time.monotonic()
while not os.path.exists(stop):
    for _ in range(50):
        fd = os.open(path, os.O_RDONLY)
        os.close(fd)
        n += 1
    # about 1000 opens a second
    ahead = n / 1000.0 - (time.monotonic() - t0)
    if ahead > 0:
        time.sleep(ahead)
with open(count + ".tmp", "w") as f:
    f.write(str(n))
os.rename(count + ".tmp", count)
"""


def write_rules(path, text, by_rename):
    if by_rename:
        tmp = path + ".new~"
        with open(tmp, "w") as f:
            f.write(text)
        os.rename(tmp, path)
    else:
        with open(path, "w") as f:
            f.write(text)


def generation_logged(d, n):
    return re.search(rf"Reloaded rules: generation {n},", d.stderr()) is not None


NAMES = ["reload: ten reloads under load", "reload: new rules take effect",
         "reload: generation in alerts", "reload: invalid rules keep the old ones",
         "reload: failure alert", "reload: old rules keep alerting after a failure",
         "reload: no missed or doubled alert", "reload: SIGHUP", "reload: rule folder",
         "reload: latency logged", "reload: metrics count generations and reloads"]
SWITCH_MODES = (("kernel filter, worker thread", []),
                ("no kernel filter, build on the event loop",
                 ["--no-kernel-filter", "-o", "frc.reload_thread=false"]))


def main():
    why = live_unavailable()
    if why:
        for n in NAMES:
            R.skip(n, why)
        for mode, _ in SWITCH_MODES:
            R.skip(f"reload: exactly one generation per event ({mode})", why)
        return R.finish()
    tmp = tempfile.mkdtemp(prefix="frc-reload-")
    try:
        part_reloads(tmp)
        part_switch(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return R.finish()


def part_reloads(tmp):
    watched = os.path.join(tmp, "watched")
    open(watched, "w").close()
    rules = os.path.join(tmp, "rules.yaml")
    write_rules(rules, RULE.format(path=watched, version=0), False)
    folder = os.path.join(tmp, "rules.d")
    os.mkdir(folder)
    folder_file = os.path.join(tmp, "folder-target")
    open(folder_file, "w").close()
    with open(os.path.join(folder, "00-base.yaml"), "w") as f:
        f.write("- list: frc_reload_test_list\n  items: [a]\n")

    port = free_port()
    d = Daemon(tmp, [rules, folder],
               ["-o", "webserver.enabled=true", "-o", "webserver.listen_address=127.0.0.1",
                "-o", f"webserver.listen_port={port}", "-o", "metrics.enabled=true",
                "-o", "webserver.prometheus_metrics_enabled=true"])
    if not d.wait_ready():
        R.fail("reload: daemon start", d.stderr()[-2000:])
        d.stop()
        return

    aid = uuid.uuid4().hex[:12]
    stop = os.path.join(tmp, "stop")
    count = os.path.join(tmp, "count")
    gen = subprocess.Popen([sys.executable, "-c", GENERATOR, watched, stop, count],
                           env=dict(os.environ, FRC_LIVE_ID=aid))
    rule = "reload marker"
    # the generator is seen before the first reload
    wait_for(lambda: d.alerts_of(aid, rule), 120)

    reloads_ok = True
    effect_ok = True
    gen_key_ok = True
    for k in range(1, 11):
        time.sleep(0.2)	# spread the reloads over the generator's stream
        write_rules(rules, RULE.format(path=watched, version=k), by_rename=(k % 2 == 0))
        if not wait_for(lambda: generation_logged(d, k + 1), 120, 0.05):
            reloads_ok = False
            R.fail("reload: ten reloads under load", f"generation {k + 1} not logged")
            break
        tag = f"version={k} "
        hit = wait_for(lambda: [a for a in d.alerts_of(aid, rule) if tag in a.get("output", "")],
                       120, 0.05)
        if not hit:
            effect_ok = False
        elif hit[0].get("frc_ruleset_generation") != k + 1:
            gen_key_ok = False
    if reloads_ok:
        R.ok("reload: ten reloads under load")
    R.check("reload: new rules take effect", effect_ok and reloads_ok,
            "every new output text appears in alerts")
    R.check("reload: generation in alerts", gen_key_ok and reloads_ok,
            "frc_ruleset_generation follows the reloads")

    # an invalid rewrite: a condition with an unknown field
    bad = RULE.format(path=watched, version=99).replace("evt.rawres >= 0", "evt.nosuchfield = 1")
    write_rules(rules, bad, False)
    failure = wait_for(lambda: [a for a in d.alerts()
                                if a.get("rule") == "Falco internal: hot restart failure"], 120)
    log = d.stderr()
    m = re.search(r"Reload failed.*\n(.*)", log)
    R.check("reload: invalid rules keep the old ones",
            m is not None and re.search(re.escape(rules) + r":\d+:\d+: ", log) is not None
            and not generation_logged(d, 12),
            "error logged with file:line:col, no new generation")
    R.check("reload: failure alert", bool(failure) and failure[0].get("priority") == "Critical"
            and failure[0].get("source") == "internal"
            and failure[0].get("output", "").startswith("Falco internal: hot restart failure: "),
            failure[0].get("output", "")[:160] if failure else "no alert")
    n_before = len(d.alerts_of(aid, rule))
    later = wait_for(lambda: len(d.alerts_of(aid, rule)) > n_before + 50, 120)
    still_v10 = all("version=10 " in a.get("output", "") for a in d.alerts_of(aid, rule)[n_before:])
    R.check("reload: old rules keep alerting after a failure", bool(later) and still_v10,
            "generation 11 keeps alerting")

    # SIGHUP: a reload without a file change (the valid file first)
    write_rules(rules, RULE.format(path=watched, version=10), False)
    hup_ok = wait_for(lambda: generation_logged(d, 12), 120)
    d.p.send_signal(signal.SIGHUP)
    hup_ok = hup_ok and wait_for(lambda: generation_logged(d, 13), 120)
    R.check("reload: SIGHUP", bool(hup_ok) and "SIGHUP received" in d.stderr())

    # stop the generator, then every open must have its alert
    open(stop, "w").close()
    gen.wait(timeout=120)
    n_opens = int(open(count).read())
    got = wait_for(lambda: len(d.alerts_of(aid, rule)) >= n_opens, 120)
    time.sleep(0.5)
    n_alerts = len(d.alerts_of(aid, rule))

    # a new file in the rule folder
    fid = uuid.uuid4().hex[:12]
    with open(os.path.join(folder, "50-new.yaml.tmp"), "w") as f:
        f.write(FOLDER_RULE.format(path=folder_file))
    os.rename(os.path.join(folder, "50-new.yaml.tmp"), os.path.join(folder, "50-new.yaml"))
    folder_ok = wait_for(lambda: generation_logged(d, 14), 120)
    if folder_ok:
        subprocess.run(["cat", folder_file], env=dict(os.environ, FRC_LIVE_ID=fid),
                       stdout=subprocess.DEVNULL)
        folder_ok = wait_for(lambda: d.alerts_of(fid, "folder marker"), 120)
    R.check("reload: rule folder", bool(folder_ok), "a new .yaml file in a watched folder")

    # /metrics: generation 14 (13 successful reloads), one failed reload
    want = {"frc_ruleset_generation": 14, 'frc_reloads_total{result="ok"}': 13,
            'frc_reloads_total{result="failed"}': 1}
    met = wait_for(lambda: (lambda m: m if all(m.get(k) == v for k, v in want.items()) else None)
                   (metrics(port)), 30, 0.2) or metrics(port)
    R.check("reload: metrics count generations and reloads",
            all(met.get(k) == v for k, v in want.items()),
            ", ".join(f"{k} {met.get(k)}" for k in want))

    rc = d.stop()
    log = d.stderr()
    m = re.search(r"Kernel events: (\d+) seen by the probe, (\d+) received, (\d+) dropped", log)
    drops = int(m.group(3)) if m else -1
    detail = f"{n_opens} opens, {n_alerts} alerts, kernel drops {drops}"
    if drops > 0 and n_alerts < n_opens:
        R.skip("reload: no missed or doubled alert",
               f"the kernel dropped events under load, not decidable: {detail}")
    else:
        R.check("reload: no missed or doubled alert", bool(got) and n_alerts == n_opens, detail)
    lat = [float(x) for x in re.findall(r"swapped in [\d.]+ ms, ([\d.]+) ms after the trigger", log)]
    R.check("reload: latency logged", len(lat) >= 12 and rc == 0,
            f"{len(lat)} reloads, trigger to active: median {sorted(lat)[len(lat) // 2]:.1f} ms"
            if lat else "none")


SWITCH_RULE = """- rule: reload switch
  desc: opens below one of two directories; each version watches the other one
  condition: evt.type in (open, openat, openat2) and fd.name startswith {dir}/
  output: "reload switch version={version} file=%fd.name"
  priority: WARNING
"""

# one thread: A/0, B/0, A/1, B/1, ... (created by the open), about 1000 opens a second;
# stops after a complete pair and writes the number of pairs
SWITCHER = r"""
import os, sys, time
a, b, stop, count = sys.argv[1:5]
n = 0
t0 = time.monotonic()
while not os.path.exists(stop):
    for _ in range(25):
        for d in (a, b):
            os.close(os.open(d + "/" + str(n), os.O_RDONLY | os.O_CREAT, 0o644))
        n += 1
    ahead = n / 500.0 - (time.monotonic() - t0)
    if ahead > 0:
        time.sleep(ahead)
with open(count + ".tmp", "w") as f:
    f.write(str(n))
os.rename(count + ".tmp", count)
"""


def switch_check(alerts, dirs, npairs, nversions):
    """What the alerts of one daemon prove about the switches; returns (ok, detail).
    Event i of the stream is the open of dirs[i % 2]/(i // 2); version k watches
    dirs[k % 2] and runs as generation k + 1."""
    seen = {}
    bad = []
    for a in alerts:
        f = (a.get("output_fields") or {}).get("fd.name") or ""
        m = re.search(r"version=(\d+) ", a.get("output", ""))
        d, _, n = f.rpartition("/")
        if not m or d not in dirs or not n.isdigit():
            bad.append(f"unexpected alert {a.get('output', '')[:120]}")
            continue
        k, idx = int(m.group(1)), 2 * int(n) + dirs.index(d)
        g = a.get("frc_ruleset_generation")
        if g != k + 1:
            bad.append(f"version {k} alerted with generation {g}")
        if dirs.index(d) != k % 2:
            bad.append(f"version {k} alerted on {f}")
        if idx in seen:
            bad.append(f"event {idx} ({f}) alerted twice (versions {seen[idx]} and {k})")
        seen[idx] = k
    order = sorted(seen)
    segs = {}	# version -> [first event, last event, count]
    prev = None
    for i in order:
        k = seen[i]
        if prev is not None and k < seen[prev]:
            bad.append(f"event {i} judged by version {k} after event {prev} by {seen[prev]}")
        s = segs.setdefault(k, [i, i, 0])
        s[1], s[2] = i, s[2] + 1
        prev = i
    for k in range(nversions):
        if k not in segs:
            bad.append(f"version {k} never alerted")
            continue
        lo, hi, c = segs[k]
        # within a generation, every open of its directory alerted
        if c != (hi - lo) // 2 + 1:
            bad.append(f"version {k}: {(hi - lo) // 2 + 1 - c} opens of {dirs[k % 2]} "
                       f"between events {lo} and {hi} without an alert")
        # at the switch k-1 -> k: the events between the last alert of k-1 (its directory)
        # and the first of k (the other one) are judged by one of them without matching:
        # 1 apart (the switch right there) or 3 apart (the switch between the two events in
        # the middle); anything else is an event judged by neither, or a missed open
        if k and k - 1 in segs and lo - segs[k - 1][1] not in (1, 3):
            bad.append(f"switch to version {k}: last alert of the old rules at event "
                       f"{segs[k - 1][1]}, first of the new at {lo}")
    if order and order[0] != 0:
        bad.append(f"first open (event 0) not alerted; first alert at event {order[0]}")
    last = nversions - 1
    if last in segs and segs[last][1] < 2 * npairs - 2:
        bad.append(f"last alert at event {segs[last][1]}, the stream ended at {2 * npairs - 1}")
    detail = (f"{2 * npairs} opens, {len(seen)} alerts, {nversions} generations; "
              f"switch points (event index): "
              + " ".join(str(segs[k][0]) for k in range(1, nversions) if k in segs))
    return not bad, (detail if not bad else "; ".join(bad[:6]) + f" ({detail})")


def part_switch(tmp):
    """ten switches between two directories, every event judged by one generation"""
    dirs = [os.path.join(tmp, "A"), os.path.join(tmp, "B")]
    for x in dirs:
        os.mkdir(x)
    rules = os.path.join(tmp, "switch.yaml")
    write_rules(rules, SWITCH_RULE.format(dir=dirs[0], version=0), False)
    ds = [(mode, Daemon(tmp, [rules], extra, name=f"switch{i}"))
          for i, (mode, extra) in enumerate(SWITCH_MODES)]
    for mode, d in ds:
        if not d.wait_ready():
            R.fail(f"reload: exactly one generation per event ({mode})",
                   "daemon did not start: " + d.stderr()[-1500:])
            for _, x in ds:
                x.stop()
            return
    aid = uuid.uuid4().hex[:12]
    stop = os.path.join(tmp, "switch-stop")
    count = os.path.join(tmp, "switch-count")
    gen = subprocess.Popen([sys.executable, "-c", SWITCHER, dirs[0], dirs[1], stop, count],
                           env=dict(os.environ, FRC_LIVE_ID=aid))
    rule = "reload switch"
    nversions = 11
    ok = True
    for k in range(nversions):
        if k:
            time.sleep(0.2)	# spread the switches over the stream
            write_rules(rules, SWITCH_RULE.format(dir=dirs[k % 2], version=k),
                        by_rename=(k % 2 == 0))
        tag = f"version={k} "
        # the next switch only once both daemons judged events with this version
        for mode, d in ds:
            if not wait_for(lambda: [a for a in d.alerts_of(aid, rule)
                                     if tag in a.get("output", "")], 120, 0.05):
                ok = False
                R.fail(f"reload: exactly one generation per event ({mode})",
                       f"version {k} never alerted: " + d.stderr()[-800:])
        if not ok:
            break
    open(stop, "w").close()
    gen.wait(timeout=120)
    npairs = int(open(count).read()) if os.path.exists(count) else 0
    if not ok:
        for _, d in ds:
            d.stop()
        return
    last = f"{dirs[(nversions - 1) % 2]}/{npairs - 1}"
    for mode, d in ds:
        wait_for(lambda: [a for a in d.alerts_of(aid, rule)
                          if (a.get("output_fields") or {}).get("fd.name") == last], 120)
    for mode, d in ds:
        alerts = d.alerts_of(aid, rule)
        d.stop()
        s = summary_numbers(d.stderr())
        good, detail = switch_check(alerts, dirs, npairs, nversions)
        if s.get("kf_dropped") is not None:
            detail += f"; the kernel filter dropped {s['kf_dropped']} events"
        name = f"reload: exactly one generation per event ({mode})"
        if not good and s.get("dropped", -1) > 0:
            R.skip(name, f"the kernel dropped {s['dropped']} events under load, "
                   f"not decidable: {detail}")
        else:
            R.check(name, good, detail)


if __name__ == "__main__":
    sys.exit(main())
