# SPDX-License-Identifier: Apache-2.0
"""Helpers for live tests of `frc run` (tests/reload, tests/kfilter): a daemon with JSON
alerts in a file and proc.env appended to every alert (so alerts are attributed to actions
by an id in their environment, never by timing), result counting, polling with generous
bounds.
"""
import ctypes
import json
import os
import signal
import subprocess
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BUILD = os.environ.get("BUILD", "build")
FRC = os.path.join(ROOT, BUILD, "frc")
SHARED = os.path.join(ROOT, "..", "shared")


_prctl = ctypes.CDLL(None, use_errno=True).prctl
PR_SET_PDEATHSIG = 1


def die_with_parent():
    """Popen preexec_fn: the child gets SIGKILL when the test process dies, so an aborted
    or killed test never leaves a daemon tracing the machine behind it. (Resolved at import:
    the forked child of a threaded test must not import anything.)"""
    _prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


class Results:
    def __init__(self):
        self.passed = self.failed = self.skipped = 0

    def ok(self, name, detail=""):
        self.passed += 1
        print(f"PASS {name}{': ' + detail if detail else ''}", flush=True)

    def fail(self, name, detail=""):
        self.failed += 1
        print(f"FAIL {name}: {detail}", flush=True)

    def skip(self, name, why):
        self.skipped += 1
        print(f"SKIP {name}: {why}", flush=True)

    def check(self, name, cond, detail=""):
        if cond:
            self.ok(name, detail)
        else:
            self.fail(name, detail)
        return cond

    def finish(self):
        print(f"RESULT: {self.passed} passed, {self.failed} failed, {self.skipped} skipped")
        return 1 if self.failed else 0


def live_unavailable():
    """The reason live tests cannot run here, or None."""
    if os.geteuid() != 0:
        return "needs root (the eBPF probe)"
    if not os.access("/sys/kernel/btf/vmlinux", os.R_OK):
        return "needs kernel BTF (/sys/kernel/btf/vmlinux)"
    if not os.access(FRC, os.X_OK):
        return f"{FRC} not built"
    return None


def wait_for(fn, timeout=60.0, step=0.1):
    end = time.time() + timeout
    while time.time() < end:
        v = fn()
        if v:
            return v
        time.sleep(step)
    return fn()


class Daemon:
    """One `frc run`: JSON alerts in tmp/NAME.jsonl, logs in tmp/NAME.err."""

    def __init__(self, tmp, rules, extra=(), name="frc"):
        self.out = os.path.join(tmp, name + ".jsonl")
        self.err = os.path.join(tmp, name + ".err")
        args = [FRC, "run"]
        for r in rules:
            args += ["-r", r]
        args += ["-o", "json_output=true",
                 "-o", "stdout_output.enabled=false", "-o", "syslog_output.enabled=false",
                 "-o", "file_output.enabled=true", "-o", f"file_output.filename={self.out}",
                 "-o", "file_output.keep_alive=true", "-o", "log_level=info",
                 "-o", 'append_output[]={"extra_fields": ["proc.env"]}', "-U"]
        args += list(extra)
        env = dict(os.environ, FRC_LOCK_FILE=os.path.join(tmp, name + ".lock"))
        env.pop("FRC_LIVE_ID", None)
        self.errf = open(self.err, "w")
        self.p = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=self.errf, cwd=tmp,
                                  env=env, preexec_fn=die_with_parent)
        self._alerts = []
        self._off = 0

    def stderr(self):
        with open(self.err, errors="replace") as f:
            return f.read()

    def wait_ready(self, timeout=300):
        def ready():
            if self.p.poll() is not None:
                return "exited"
            return "ready" if "Events processing started" in self.stderr() else None
        return wait_for(ready, timeout, 0.2) == "ready"

    def alerts(self):
        """Every alert so far (read incrementally)."""
        try:
            with open(self.out, "rb") as f:
                f.seek(self._off)
                data = f.read()
        except FileNotFoundError:
            return self._alerts
        end = data.rfind(b"\n") + 1
        for line in data[:end].splitlines():
            line = line.strip()
            if line.startswith(b"{"):
                try:
                    self._alerts.append(json.loads(line))
                except ValueError:
                    self._alerts.append({"_bad_json": line.decode(errors="replace")})
        self._off += end
        return self._alerts

    def alerts_of(self, aid, rule=None):
        tag = f"FRC_LIVE_ID={aid}"
        return [a for a in self.alerts()
                if tag in str((a.get("output_fields") or {}).get("proc.env") or "")
                and (rule is None or a.get("rule") == rule)]

    def stop(self, timeout=120):
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM)
            try:
                self.p.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()
        self.errf.close()
        return self.p.returncode


def summary_numbers(text):
    """The counters of the daemon's exit summary."""
    import re
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
