# SPDX-License-Identifier: Apache-2.0
"""Helpers shared by the Python tests and benchmarks of `frc` (tests/live, tests/ops,
tests/config, tests/reload, tests/kfilter, bench/*.py): result counting (PASS/FAIL/SKIP lines
and the last `RESULT:` line), polling with a bound, daemons that die with the test process,
a `frc run` daemon with JSON alerts in a file and proc.env appended to every alert (so alerts
are attributed to actions by an id in their environment, never by timing), JSON-lines
reading, loopback HTTP and /metrics scraping.
"""
import ctypes
import json
import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.environ.get("BUILD", "build")
FRC = os.path.join(ROOT, BUILD, "frc")
SHARED = os.path.join(ROOT, "..", "shared")
UPSTREAM = os.path.join(SHARED, "compat", "rules", "falco_rules.yaml")   # Falco's default rules


_prctl = ctypes.CDLL(None, use_errno=True).prctl
PR_SET_PDEATHSIG = 1


def die_with_parent():
    """Popen preexec_fn: the child gets SIGKILL when the test process dies, so an aborted
    or killed test never leaves a daemon tracing the machine behind it. (Resolved at import:
    the forked child of a threaded test must not import anything.)"""
    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


class Results:
    """PASS/FAIL/SKIP counting. A check's detail is printed with a failure, and with a
    pass too when pass_detail; detail_limit: at most that many characters of a failure's
    detail are printed (None: all of it)."""

    def __init__(self, pass_detail=True, detail_limit=None):
        self.passed = self.failed = self.skipped = 0
        self.pass_detail, self.detail_limit = pass_detail, detail_limit

    def ok(self, name, detail=""):
        self.passed += 1
        print(f"PASS {name}{': ' + str(detail) if detail else ''}", flush=True)

    def fail(self, name, detail=""):
        self.failed += 1
        d = str(detail)
        if self.detail_limit is not None:
            d = d[:self.detail_limit]
        print(f"FAIL {name}{': ' + d if d else ''}", flush=True)

    def skip(self, name, why):
        self.skipped += 1
        print(f"SKIP {name}: {why}", flush=True)

    def check(self, name, cond, detail=""):
        if cond:
            self.ok(name, detail if self.pass_detail else "")
        else:
            self.fail(name, detail)
        return cond

    def guard(self, label, fn, *args):
        """fn(*args); an exception (a broken harness or scenario) is the failure `label`
        with its reason and traceback, never a silent pass."""
        try:
            return fn(*args)
        except Exception as e:
            import traceback
            traceback.print_exc()
            self.fail(label, repr(e))
            return None

    def finish(self):
        print(f"RESULT: {self.passed} passed, {self.failed} failed, {self.skipped} skipped")
        return 1 if self.failed else 0


def live_unavailable(frc=None):
    """The reason live tests (of the binary frc, default FRC) cannot run here, or None."""
    frc = frc or FRC
    if os.geteuid() != 0:
        return "needs root (the eBPF probe)"
    if not os.access("/sys/kernel/btf/vmlinux", os.R_OK):
        return "needs kernel BTF (/sys/kernel/btf/vmlinux)"
    if not os.access(frc, os.X_OK):
        return f"{frc} not built"
    return None


def wait_for(fn, timeout=60.0, step=0.1):
    """fn()'s first true value, polling every step seconds for at most timeout seconds;
    after the bound, fn()'s last value."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        v = fn()
        if v:
            return v
        time.sleep(step)
    return fn()


def waiter(timeout, step):
    """wait_for with other default bounds (each test keeps its own)."""
    def wait(fn, timeout=timeout, step=step):
        return wait_for(fn, timeout, step)
    return wait


def stop_process(p, sig=signal.SIGTERM, timeout=60):
    """Send sig to a running child and wait for it; SIGKILL after timeout seconds. Its exit
    status (negative: the signal that killed it)."""
    if p.poll() is None:
        p.send_signal(sig)
        try:
            p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()
    return p.returncode


def json_lines(text, on_bad="mark"):
    """The JSON objects of a JSON-lines text (str or bytes). on_bad: "mark" keeps a line
    that does not parse as {"_bad_json": line}, "skip" drops it (both only look at lines
    starting with "{"); "raise" parses every non-blank line and raises ValueError."""
    if isinstance(text, bytes):
        text = text.decode(errors="replace")
    out = []
    for line in text.splitlines():
        line = line.strip()
        if on_bad == "raise":
            if line:
                out.append(json.loads(line))
            continue
        if not line.startswith("{"):
            continue
        try:
            out.append(json.loads(line))
        except ValueError:
            if on_bad == "mark":
                out.append({"_bad_json": line})
    return out


def read_json_lines(path, on_bad="mark"):
    """json_lines() of a file; [] while it does not exist."""
    try:
        with open(path, "rb") as f:
            return json_lines(f.read(), on_bad)
    except FileNotFoundError:
        return []


def free_port():
    """A TCP port free on 127.0.0.1 right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_get(port, path, timeout=10):
    """(status, content type, body) of GET http://127.0.0.1:port/path; an HTTP error status
    is returned, a connection failure raises OSError."""
    url = f"http://127.0.0.1:{port}{path}"
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.headers.get("Content-Type", ""), r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type", ""), e.read().decode()


def metrics(port, labels=True):
    """The daemon's Prometheus /metrics as {sample name: value}, {} when unreachable. With
    labels the name keeps its {labels}; without, labels are dropped and the first sample of
    each name is kept."""
    try:
        text = http_get(port, "/metrics")[2]
    except OSError:
        return {}
    out = {}
    for line in text.splitlines():
        m = re.match(r"^([a-zA-Z_:][\w:]*)(\{[^}]*\})? (\S+)", line)
        if not m:
            continue
        try:
            v = float(m.group(3))
        except ValueError:
            continue
        if labels:
            out[m.group(1) + (m.group(2) or "")] = v
        else:
            out.setdefault(m.group(1), v)
    return out


class Daemon:
    """One `frc run`: JSON alerts in tmp/NAME.jsonl with the fields appended to
    output_fields, logs in tmp/NAME.err, its own lock file tmp/NAME.lock. wait_ready() and
    stop() wait at most ready_timeout and stop_timeout seconds unless told otherwise."""

    def __init__(self, tmp, rules, extra=(), name="frc", fields=("proc.env",),
                 ready_timeout=300, stop_timeout=120):
        self.out = os.path.join(tmp, name + ".jsonl")
        self.err = os.path.join(tmp, name + ".err")
        self.lock = os.path.join(tmp, name + ".lock")
        self.ready_timeout, self.stop_timeout = ready_timeout, stop_timeout
        args = [FRC, "run"]
        for r in rules:
            args += ["-r", r]
        args += ["-o", "json_output=true",
                 "-o", "stdout_output.enabled=false", "-o", "syslog_output.enabled=false",
                 "-o", "file_output.enabled=true", "-o", f"file_output.filename={self.out}",
                 "-o", "file_output.keep_alive=true", "-o", "log_level=info",
                 "-o", "append_output[]=" + json.dumps({"extra_fields": list(fields)}), "-U"]
        args += list(extra)
        env = dict(os.environ, FRC_LOCK_FILE=self.lock)
        env.pop("FRC_LIVE_ID", None)
        self.errf = open(self.err, "w")
        self.p = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=self.errf, cwd=tmp,
                                  env=env, preexec_fn=die_with_parent)
        self._alerts = []
        self._off = 0

    def stderr(self):
        with open(self.err, errors="replace") as f:
            return f.read()

    def wait_ready(self, timeout=None):
        def ready():
            if self.p.poll() is not None:
                return "exited"
            return "ready" if "Events processing started" in self.stderr() else None
        return wait_for(ready, timeout or self.ready_timeout, 0.2) == "ready"

    def alerts(self):
        """Every alert so far (read incrementally)."""
        try:
            with open(self.out, "rb") as f:
                f.seek(self._off)
                data = f.read()
        except FileNotFoundError:
            return self._alerts
        end = data.rfind(b"\n") + 1
        self._alerts += json_lines(data[:end])
        self._off += end
        return self._alerts

    def alerts_of(self, aid, rule=None):
        tag = f"FRC_LIVE_ID={aid}"
        return [a for a in self.alerts()
                if tag in str((a.get("output_fields") or {}).get("proc.env") or "")
                and (rule is None or a.get("rule") == rule)]

    def wait_alert(self, aid, rule, timeout=60):
        """The alerts of rule for the action aid, once there is one (bounded)."""
        return wait_for(lambda: self.alerts_of(aid, rule), timeout)

    def stop(self, sig=signal.SIGTERM, timeout=None):
        rc = stop_process(self.p, sig, timeout or self.stop_timeout)
        self.errf.close()
        return rc


def summary_numbers(text):
    """The counters of the daemon's exit summary."""
    out = {}
    m = re.search(r"Kernel events: (\d+) seen by the probe, (\d+) received, (\d+) dropped", text)
    if m:
        out["seen"], out["received"], out["dropped"] = map(int, m.groups())
    m = re.search(r"Kernel filter: (\d+) events looked at, (\d+) dropped \((\d+) opens shadowed, "
                  r"(\d+) closes of shadowed fds\), (\d+) shadowed opens replayed", text)
    if m:
        (out["kf_seen"], out["kf_dropped"], out["kf_shadowed"], out["kf_closes"],
         out["kf_replayed"]) = map(int, m.groups())
    m = re.search(r"Events processed: (\d+) \((\d+) given to the rules", text)
    if m:
        out["processed"], out["visible"] = map(int, m.groups())
    return out
