#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Live tests of the kernel filter fragment.

1. Drops: with a ruleset that only needs opens of files below /etc, two daemons (with and
   without the fragment) watch the same tree walk (ls -R over /usr, then opening 40000 files
   below /usr/share and, every 2000 files, eight files below /etc). The walk opens the
   /usr/share files with the legacy open(2) syscall, which nothing else on the machine uses
   (glibc opens with openat), so the open events user space received are the walk's own,
   whatever else runs meanwhile: without the fragment every one of the 40000 arrives, with it
   (almost) none; and every open below /etc alerts in both. Also reported, not asserted (they
   include the rest of the machine): the walk's syscalls (perf stat) and all the events each
   daemon received.
2. Differential: two daemons run at the same time over the same scripted actions, one with
   the fragment and one without (--no-kernel-filter), with the upstream rules plus rules that
   read fd fields on later events (dup, close, relative openat, fchdir, fork); their alerts
   for the actions must be exactly the same. The actions exercise what the fragment must get
   right: shadowed opens replayed before a use, closes of shadowed fds, inherited shadows
   after fork, non-canonical and relative paths, failed opens, renamed processes.
3. Compile (no root needed): `frc compile --emit bpf` prints the fragment of the /etc ruleset
   readably (the open codes keep only paths in the prefix/exact set of /etc/ and the
   sentinel, the codes no rule needs are dropped) and writes it as DIR/rules_prefilter.txt
   without the C; plain `frc compile -o DIR` writes the same listing beside DIR/rules.c.
Alerts are attributed by an id in the actions' environment (proc.env), never by timing.
The live parts need root and kernel BTF (skipped with the reason otherwise).
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "support"))
from frc_live import (FRC, UPSTREAM, Daemon, Results, live_unavailable,  # noqa: E402
                      summary_numbers, wait_for)

R = Results()

ETC_RULES = """- rule: open below etc
  desc: any open of a file below /etc (kernel filter test)
  condition: evt.type in (open, openat, openat2) and fd.name startswith /etc/
  output: "open below etc file=%fd.name"
  priority: NOTICE
- rule: kfilter sentinel
  desc: end of the walk
  condition: evt.type in (open, openat, openat2) and fd.name = {sentinel}
  output: "sentinel"
  priority: NOTICE
"""

ETC_FILES = ["/etc/hostname", "/etc/passwd", "/etc/group", "/etc/hosts", "/etc/os-release",
             "/etc/debian_version", "/etc/nsswitch.conf", "/etc/shells"]

WALK = r"""
import ctypes, os, sys
libc = ctypes.CDLL(None, use_errno=True)
SYS_open = 2	# x86_64; the legacy open(2), counted separately from openat(2)
etc, sentinel, count = sys.argv[1].split(","), sys.argv[2], sys.argv[3]
n = 0
for root, dirs, files in os.walk("/usr/share"):
    for f in files:
        fd = libc.syscall(SYS_open, os.path.join(root, f).encode(), os.O_RDONLY | os.O_NONBLOCK)
        if fd >= 0:
            os.close(fd)
        n += 1
        if n % 2000 == 0:
            for e in etc:
                try:
                    os.close(os.open(e, os.O_RDONLY))
                except OSError:
                    pass
        if n >= 40000:
            break
    if n >= 40000:
        break
with open(count, "w") as f:
    f.write(str(n))
os.close(os.open(sentinel, os.O_RDONLY))
"""

DIFF_RULES = """- rule: kfdiff dup
  desc: dup of a file (fd fields of the duplicated fd come from its earlier open)
  condition: evt.type in (dup, dup2, dup3) and fd.name startswith {t}/dupme
  output: "dup fd=%fd.name num=%evt.rawres"
  priority: NOTICE
- rule: kfdiff close
  desc: close of a file
  condition: evt.type = close and fd.name = {t}/closeme
  output: "close fd=%fd.name"
  priority: NOTICE
- rule: kfdiff relative
  desc: a relative openat resolved through a directory fd
  condition: evt.type in (openat, openat2) and fd.name startswith {t}/sub/
  output: "relative fd=%fd.name raw=%fd.nameraw"
  priority: NOTICE
- rule: kfdiff fork
  desc: a directory fd opened before fork, used by the child
  condition: evt.type in (openat, openat2) and fd.name startswith {t}/sub2/
  output: "fork fd=%fd.name"
  priority: NOTICE
- rule: kfdiff fchdir
  desc: an open relative to a cwd set by fchdir
  condition: evt.type in (open, openat, openat2) and fd.name startswith {t}/sub3/
  output: "fchdir fd=%fd.name raw=%fd.nameraw"
  priority: NOTICE
- rule: kfdiff failed
  desc: failed opens
  condition: evt.type in (open, openat, openat2) and fd.name startswith {t}/missing and evt.res != SUCCESS
  output: "failed fd=%fd.name res=%evt.res"
  priority: NOTICE
- rule: kfdiff comm
  desc: opens by a program with a given name
  condition: evt.type in (open, openat, openat2) and proc.name in (frckfcat, python3) and fd.name startswith {t}/comm
  output: "comm fd=%fd.name proc=%proc.name"
  priority: NOTICE
- rule: kfdiff suffix
  desc: suffix and basename sets
  condition: evt.type in (open, openat, openat2) and (fd.name endswith .frcsfx or fd.filename in (frcbase1, frcbase2))
  output: "suffix fd=%fd.name"
  priority: NOTICE
- rule: kfdiff write
  desc: write opens only
  condition: evt.type in (open, openat, openat2) and evt.is_open_write=true and fd.name startswith {t}/w
  output: "write fd=%fd.name"
  priority: NOTICE
"""

ACTIONS = r"""
import ctypes, os, sys
t = sys.argv[1]
libc = ctypes.CDLL(None, use_errno=True)
def touch(p):
    with open(p, "w") as f:
        f.write("x")
os.makedirs(t + "/sub/inner", exist_ok=True)
os.makedirs(t + "/sub2", exist_ok=True)
os.makedirs(t + "/sub3", exist_ok=True)
for p in ["dupme", "closeme", "sub/f", "sub/inner/g", "sub2/c", "sub3/h", "comm1", "a.frcsfx",
          "frcbase1", "w1", "plain"]:
    touch(t + "/" + p)
# dup of a file opened earlier (the open is not interesting by itself)
fd = os.open(t + "/dupme", os.O_RDONLY)
fd2 = os.dup(fd)
os.dup2(fd, 77)
os.close(77); os.close(fd2); os.close(fd)
# fcntl: F_GETFL has no state effect (dropped in the kernel); F_DUPFD makes an fd that
# dup2 then duplicates (its fd.name comes from the fcntl)
import fcntl
fd = os.open(t + "/dupme", os.O_RDONLY)
fcntl.fcntl(fd, fcntl.F_GETFL)
fd3 = fcntl.fcntl(fd, fcntl.F_DUPFD, 100)
os.close(fd)
fcntl.fcntl(fd3, fcntl.F_SETFD, fcntl.FD_CLOEXEC)
os.dup2(fd3, 78)
os.close(78); os.close(fd3)
# close of a file opened earlier
fd = os.open(t + "/closeme", os.O_RDONLY)
os.close(fd)
# relative openat through a directory fd, and a directory fd of a directory fd
d = os.open(t + "/sub", os.O_RDONLY | os.O_DIRECTORY)
os.close(os.open("f", os.O_RDONLY, dir_fd=d))
d2 = os.open("inner", os.O_RDONLY | os.O_DIRECTORY, dir_fd=d)
os.close(os.open("g", os.O_RDONLY, dir_fd=d2))
os.close(os.open("../f", os.O_RDONLY, dir_fd=d2))
os.close(d2); os.close(d)
# a directory fd used by a forked child
d = os.open(t + "/sub2", os.O_RDONLY | os.O_DIRECTORY)
pid = os.fork()
if pid == 0:
    os.close(os.open("c", os.O_RDONLY, dir_fd=d))
    os._exit(0)
os.waitpid(pid, 0)
os.close(d)
# fchdir, then a relative open
d = os.open(t + "/sub3", os.O_RDONLY | os.O_DIRECTORY)
here = os.open(".", os.O_RDONLY | os.O_DIRECTORY)
os.fchdir(d)
os.close(os.open("h", os.O_RDONLY))
os.fchdir(here)
os.close(here); os.close(d)
# non-canonical paths: "//", "/./", "/../"
# (the probe normalises absolute ones into fd.name the way user space does)
for p in [t + "//sub/f", t + "/./sub/f", t + "/sub/inner/../f", t + "/plain/../sub/f",
          t + "/sub/../sub/./inner/../f", t + "/sub/inner/..", t + "/sub/inner/../../plain",
          t + "/sub/../a.frcsfx", t + "/sub/inner/../../frcbase1", t + "/sub/.../f",
          t + "/sub/..f", "/.." + t + "/../diff/./sub//inner/./g", t + "/sub/inner/./"]:
    try:
        os.close(os.open(p, os.O_RDONLY))
    except OSError:
        pass
# failed opens
for p in [t + "/missing", t + "/missing/x", "missing-relative"]:
    try:
        os.open(p, os.O_RDONLY)
    except OSError:
        pass
# suffix and basename rules, write opens
os.close(os.open(t + "/a.frcsfx", os.O_RDONLY))
os.close(os.open(t + "/frcbase1", os.O_RDONLY))
os.close(os.open(t + "/w1", os.O_WRONLY))
os.close(os.open(t + "/w1", os.O_RDONLY))
# comm: python3 opens comm1; then renames itself and opens it again
os.close(os.open(t + "/comm1", os.O_RDONLY))
libc.prctl(15, b"renamedproc", 0, 0, 0)
os.close(os.open(t + "/comm1", os.O_RDONLY))
"""


def normalise(alerts):
    """rule + output text without the time prefix; numbers kept (fds are deterministic)"""
    out = []
    for a in alerts:
        text = re.sub(r"^\S+: \S+ ", "", a.get("output", ""))
        out.append((a.get("rule"), text))
    return sorted(out)


def events_of_type(text, name, code):
    """user space's count of one event type (frc run -v: 'Events by type')"""
    m = re.search(rf"^\s+{name} \({code}\): (\d+)$", text, re.M)
    return int(m.group(1)) if m else 0


def test_drops(tmp):
    names = ["kfilter: walk alerts on every /etc open",
             "kfilter: the walk's opens are dropped in the kernel",
             "kfilter: without the fragment every open of the walk arrives"]
    if os.uname().machine != "x86_64":
        for n in names:
            R.skip(n, "the walk uses the x86_64 open(2) syscall number")
        return
    sentinel = os.path.join(tmp, "sentinel")
    open(sentinel, "w").close()
    rules = os.path.join(tmp, "etc.yaml")
    with open(rules, "w") as f:
        f.write(ETC_RULES.format(sentinel=sentinel))
    ds = {"on": Daemon(tmp, [rules], ["-v"], name="walk-on"),
          "off": Daemon(tmp, [rules], ["-v", "--no-kernel-filter"], name="walk-off")}
    for mode, d in ds.items():
        if not d.wait_ready():
            R.fail(names[0], f"daemon ({mode}) did not start: " + d.stderr()[-1500:])
            for x in ds.values():
                x.stop()
            return
    aid = uuid.uuid4().hex[:12]
    env = dict(os.environ, FRC_LIVE_ID=aid)
    perf = os.path.join(tmp, "perf.txt")
    count = os.path.join(tmp, "walk-count")
    walk = [sys.executable, "-c", WALK, ",".join(ETC_FILES), sentinel, count]
    have_perf = shutil.which("perf") is not None
    syscalls = 0
    for cmd in (["ls", "-R", "/usr"], walk):
        if have_perf:
            cmd = ["perf", "stat", "-x,", "-o", perf, "-e", "raw_syscalls:sys_enter", "--"] + cmd
        subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       timeout=900)
        if have_perf and os.path.exists(perf):
            m = re.search(r"^(\d+),", open(perf).read(), re.M)
            syscalls += int(m.group(1)) if m else 0
    n_walk = int(open(count).read()) if os.path.exists(count) else 0
    counts = {}
    for mode, d in ds.items():
        # the sentinel's alert comes after every event of the walk
        wait_for(lambda: d.alerts_of(aid, "kfilter sentinel"), 120)
    for mode, d in ds.items():
        # the walk opens each of ETC_FILES 20 times (the programs themselves may open
        # other files below /etc: those alert too, but are not counted here)
        etc = [a for a in d.alerts_of(aid, "open below etc")
               if (a.get("output_fields") or {}).get("fd.name") in ETC_FILES]
        d.stop()
        err = d.stderr()
        counts[mode] = dict(summary_numbers(err), etc=len(etc),
                            opens=events_of_type(err, "open", 3))
    on, off = counts["on"], counts["off"]
    expected = (n_walk // 2000) * len([e for e in ETC_FILES if os.access(e, os.R_OK)])
    R.check(names[0], n_walk == 40000 and on["etc"] == expected and off["etc"] == expected,
            f"{on['etc']} alerts with the fragment, {off['etc']} without, {expected} opens")
    detail = (f"the walk made {n_walk} open(2) calls; user space received {on['opens']} open "
              f"events with the fragment, {off['opens']} without. Whole machine meanwhile: "
              f"walk syscalls {syscalls} (perf), events received {on.get('received')} with the "
              f"fragment ({on.get('kf_dropped')} dropped in the kernel, {on.get('kf_replayed')}"
              f" replayed) and {off.get('received')} without")
    # at most 1 in 20 of the walk's opens reaches user space (in fact none: what remains is
    # the rest of the machine's open(2) calls, if any)
    R.check(names[1], n_walk == 40000 and on["opens"] * 20 <= n_walk, detail)
    if off.get("dropped", 1) > 0 and off["opens"] < n_walk:
        R.skip(names[2], f"the kernel dropped {off.get('dropped')} events under load: {detail}")
    else:
        R.check(names[2], n_walk == 40000 and off["opens"] >= n_walk,
                f"{off['opens']} open events for {n_walk} open(2) calls")


def test_differential(tmp):
    name = "kfilter: same alerts with and without the fragment"
    t = os.path.join(tmp, "diff")
    os.mkdir(t)
    rules = [os.path.join(tmp, "diff.yaml")]
    with open(rules[0], "w") as f:
        f.write(DIFF_RULES.format(t=t))
    upstream = UPSTREAM
    if os.path.exists(upstream):
        rules.insert(0, upstream)
    a = Daemon(tmp, rules, [], name="diff-on")
    b = Daemon(tmp, rules, ["--no-kernel-filter"], name="diff-off")
    if not a.wait_ready() or not b.wait_ready():
        R.fail(name, "daemons did not start: " + a.stderr()[-800:] + b.stderr()[-800:])
        a.stop()
        b.stop()
        return
    aid = uuid.uuid4().hex[:12]
    env = dict(os.environ, FRC_LIVE_ID=aid)
    subprocess.run([sys.executable, "-c", ACTIONS, t], env=env, timeout=300)
    # upstream-rule actions: a sensitive read, a traversal, a symlink over a sensitive file
    cat = os.path.join(tmp, "frckfcat")
    shutil.copy("/bin/cat", cat)
    for cmd in (["cat", "/etc/shadow"], ["cat", "/etc/../etc/shadow"], [cat, t + "/comm1"],
                ["ln", "-sf", "/etc/shadow", os.path.join(t, "shadowlink")],
                ["find", t], ["ls", "-R", t]):
        subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       timeout=120)
    sentinel_id = uuid.uuid4().hex[:12]
    subprocess.run(["cat", os.path.join(t, "closeme")], env=dict(os.environ,
                   FRC_LIVE_ID=sentinel_id), stdout=subprocess.DEVNULL)
    # the sentinel's alert (a close) comes after every alert of the actions
    wait_for(lambda: a.alerts_of(sentinel_id, "kfdiff close") and
             b.alerts_of(sentinel_id, "kfdiff close"), 120)
    xa, xb = normalise(a.alerts_of(aid)), normalise(b.alerts_of(aid))
    a.stop()
    b.stop()
    sa, sb = summary_numbers(a.stderr()), summary_numbers(b.stderr())
    rules_seen = sorted({r for r, _ in xb})
    diff = [x for x in xa if x not in xb] + [x for x in xb if x not in xa]
    R.check(name, xa == xb and len(rules_seen) >= 8,
            f"{len(xa)} alerts from {len(rules_seen)} rules, identical; fragment dropped "
            f"{sa.get('kf_dropped')} events, replayed {sa.get('kf_replayed')}"
            if xa == xb else f"{len(xa)} vs {len(xb)} alerts; differences: {diff[:6]}")
    R.check("kfilter: no kernel drops during the differential",
            sa.get("dropped", 1) == 0 and sb.get("dropped", 1) == 0,
            f"{sa.get('dropped')} / {sb.get('dropped')}")


def test_compile(tmp):
    """frc compile --emit bpf prints the fragment; frc compile writes it beside the C"""
    names = ["kfilter: frc compile --emit bpf prints the fragment",
             "kfilter: frc compile writes the fragment beside the C"]
    if not os.access(FRC, os.X_OK):
        for n in names:
            R.skip(n, f"{FRC} not built")
        return
    sentinel = os.path.join(tmp, "compile-sentinel")
    rules = os.path.join(tmp, "compile-etc.yaml")
    with open(rules, "w") as f:
        f.write(ETC_RULES.format(sentinel=sentinel))
    out_bpf, out_all = os.path.join(tmp, "out-bpf"), os.path.join(tmp, "out-all")
    r = subprocess.run([FRC, "compile", "--emit", "bpf", "-o", out_bpf, rules],
                       capture_output=True, text=True, timeout=120)
    listing = r.stdout
    problems = []
    if r.returncode != 0:
        problems.append(f"exit {r.returncode}: {r.stderr[-400:]}")
    # openat (exit, code 307): one clause, a path prefix/exact set holding /etc/ and the sentinel
    m = re.search(r"^code 307 openat \(open\):\n\t\s*fd\.name prefix (set\d+)\n(?!\t)", listing,
                  re.M)
    if not m:
        problems.append("no 'code 307 openat (open): fd.name prefix setN' clause")
    else:
        sm = re.search(rf"^{m.group(1)}: (.*)$", listing, re.M)
        members = sm.group(1).split(" ") if sm else []
        if sorted(members) != sorted(['"/etc/"*', f'"{sentinel}"']):
            problems.append(f"{m.group(1)} is {members}, want /etc/ prefix and the sentinel")
    for want in (r"^code 5 close \(close\): dropped when the fd is shadowed$",
                 r"^code 59 creat \(open\): no rule can match: dropped$",
                 r"^other exit events without state effect and without rules: dropped"):
        if not re.search(want, listing, re.M):
            problems.append(f"missing line /{want}/")
    written = os.path.join(out_bpf, "rules_prefilter.txt")
    if not os.path.exists(written) or open(written).read() != listing:
        problems.append(f"{written} missing or not what was printed")
    if os.path.exists(os.path.join(out_bpf, "rules.c")):
        problems.append("--emit bpf wrote the C too")
    R.check(names[0], not problems,
            "; ".join(problems) if problems else f"{len(listing.splitlines())} lines, "
            f"{written} identical")

    r = subprocess.run([FRC, "compile", "-o", out_all, rules], capture_output=True, text=True,
                       timeout=120)
    c_file, pf = os.path.join(out_all, "rules.c"), os.path.join(out_all, "rules_prefilter.txt")
    ok = (r.returncode == 0 and r.stdout == "" and os.path.getsize(c_file) > 0 and
          os.path.exists(pf) and open(pf).read() == listing)
    R.check(names[1], ok, f"exit {r.returncode}; {sorted(os.listdir(out_all))}"
            if os.path.isdir(out_all) else f"exit {r.returncode}: {r.stderr[-400:]}")


def main():
    why = live_unavailable()
    tmp = tempfile.mkdtemp(prefix="frc-kfilter-")
    try:
        test_compile(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    if why:
        for n in ["kfilter: walk alerts on every /etc open",
                  "kfilter: the walk's opens are dropped in the kernel",
                  "kfilter: without the fragment every open of the walk arrives",
                  "kfilter: same alerts with and without the fragment",
                  "kfilter: no kernel drops during the differential"]:
            R.skip(n, why)
        return R.finish()
    tmp = tempfile.mkdtemp(prefix="frc-kfilter-")
    try:
        test_drops(tmp)
        test_differential(tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return R.finish()


if __name__ == "__main__":
    sys.exit(main())
