#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
#
# Operations tests: HTTP output against a local receiver, /metrics, /healthz, /versions.
#
# Part 1 drives $BUILD/tests/ops/ops_drv (the HTTP output, metrics registry and web
#   server wired as the daemon wires them) as the event loop would, so that the receiver
#   can be stopped mid-stream and the heartbeat stopped while the web server keeps running.
# Part 2 (daemon) runs the real `frc run` as root with JSON + HTTP output to the receiver
#   and the web server on a free loopback port, performs actions that upstream rules
#   detect, and checks alerts arrive and counters move (see daemon_tests()); stops the
#   receiver mid-stream (detection goes on, the undelivered alerts are counted, delivered
#   once each when it returns); stops the event loop thread with ptrace while the web
#   server threads run on (/healthz turns unhealthy, then healthy again).
# Part 3 checks the deployment files (deploy/): the Kubernetes manifest against a small
#   schema of required fields, the systemd unit, the default configuration.
#
# Only loopback addresses; every wait is bounded; every process started here is stopped
# here. Prints PASS/FAIL/SKIP lines and a last line "RESULT: N passed, M failed, K skipped".
import argparse
import http.server
import json
import os
import re
import select
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from frc_live import (Results, die_with_parent, free_port, http_get,  # noqa: E402
                      read_json_lines, stop_process, waiter)

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

R = Results(pass_detail=False)
check, skip = R.check, R.skip
wait_for = waiter(timeout=20.0, step=0.02)


# ------------------------------------------------------------------ receiver

class Receiver:
    """A Falcosidekick stand-in on 127.0.0.1: records each POST; can stop and come back
    on the same port. HTTP/1.1 with keep-alive, like sidekick; stop() also closes the
    kept-alive connections so the sender really sees the receiver go away."""

    def __init__(self):
        self.lock = threading.Lock()
        self.posts = []          # (path, headers dict, body bytes)
        self.status = 200
        self.port = 0
        self.server = None
        self.conns = set()

    def start(self, port=0):
        rx = self

        class Handler(http.server.BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def setup(self):
                super().setup()
                with rx.lock:
                    rx.conns.add(self.connection)

            def finish(self):
                with rx.lock:
                    rx.conns.discard(self.connection)
                super().finish()

            def do_POST(self):
                n = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(n)
                with rx.lock:
                    status = rx.status
                    if 200 <= status < 300:
                        rx.posts.append((self.path, dict(self.headers), body))
                reply = b"ok"
                self.send_response(status)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)

            def log_message(self, *args):
                pass

        class Server(http.server.ThreadingHTTPServer):
            allow_reuse_address = True
            daemon_threads = True

        for _ in range(200):
            try:
                self.server = Server(("127.0.0.1", port), Handler)
                break
            except OSError:
                time.sleep(0.05)
        else:
            raise RuntimeError(f"cannot bind 127.0.0.1:{port}")
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self):
        if not self.server:
            return
        self.server.shutdown()
        self.server.server_close()
        with self.lock:
            for c in list(self.conns):
                try:
                    c.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
        self.server = None

    def bodies(self):
        with self.lock:
            return [p[2] for p in self.posts]

    def url(self):
        return f"http://127.0.0.1:{self.port}/"


# ------------------------------------------------------------------ helpers

SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\[\\"n])*)"(,|$)')


def parse_prometheus(text):
    """Strict enough parser of the text format: returns {(name, frozenset(labels)): value}
    and a list of problems (families declared twice, samples outside their family, bad
    label syntax, non-numeric values, counters not named *_total)."""
    samples, problems, families = {}, [], set()
    cur, cur_type = None, None
    for ln, line in enumerate(text.split("\n"), 1):
        if not line:
            continue
        if line.startswith("# HELP "):
            cur = line.split(" ")[2]
            if cur in families:
                problems.append(f"line {ln}: family {cur} twice")
            families.add(cur)
            cur_type = None
            continue
        if line.startswith("# TYPE "):
            _, _, name, t = line.split(" ")
            if name != cur or t not in ("counter", "gauge"):
                problems.append(f"line {ln}: bad TYPE {line}")
            if t == "counter" and not name.endswith("_total"):
                problems.append(f"line {ln}: counter {name} not *_total")
            cur_type = t
            continue
        m = SAMPLE.match(line)
        if not m:
            problems.append(f"line {ln}: bad sample {line!r}")
            continue
        name, _, labels, value = m.groups()
        if name != cur or cur_type is None:
            problems.append(f"line {ln}: {name} outside its family")
        lab = {}
        if labels:
            pos = 0
            while pos < len(labels):
                lm = LABEL.match(labels, pos)
                if not lm:
                    problems.append(f"line {ln}: bad labels {labels!r}")
                    break
                if lm.group(1) in lab:
                    problems.append(f"line {ln}: label {lm.group(1)} twice")
                lab[lm.group(1)] = lm.group(2)
                pos = lm.end()
        try:
            v = float(value)
        except ValueError:
            problems.append(f"line {ln}: bad value {value!r}")
            continue
        samples[(name, frozenset(lab.items()))] = v
    return samples, problems


def metric(samples, name, **labels):
    return samples.get((name, frozenset(labels.items())))


def metric_sum(samples, name, **labels):
    """sum of the samples of @name whose labels include @labels"""
    tot, found = 0.0, False
    for (n, lab), v in samples.items():
        if n == name and all((k, val) in lab for k, val in labels.items()):
            tot += v
            found = True
    return tot if found else None


def scrape(port):
    status, ctype, body = http_get(port, "/metrics")
    samples, problems = parse_prometheus(body)
    return status, ctype, samples, problems


PRIORITIES = {"emergency", "alert", "critical", "error", "warning", "notice",
              "informational", "info", "debug"}
RFC3339_NS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z$")


def sidekick_problems(obj):
    """What Falcosidekick would reject (HTTP 400) or misread in an alert body."""
    p = []
    if not isinstance(obj, dict):
        return ["not a JSON object"]
    if str(obj.get("priority", "")).lower() not in PRIORITIES:
        p.append(f"priority {obj.get('priority')!r}")
    if not obj.get("rule"):
        p.append("empty rule")
    if not RFC3339_NS.match(str(obj.get("time", ""))):
        p.append(f"time {obj.get('time')!r}")
    if not isinstance(obj.get("output_fields"), dict) or not obj["output_fields"]:
        p.append("output_fields empty")
    for k in ("output", "source", "hostname"):
        if not isinstance(obj.get(k), str):
            p.append(f"{k} missing")
    if obj.get("source") != "internal" and not isinstance(obj.get("tags"), list):
        p.append("tags missing")
    if list(obj.keys()) != sorted(obj.keys()):
        p.append("keys not sorted")
    return p


class Driver:
    def __init__(self, exe, *args):
        self.p = subprocess.Popen([exe, *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                  stderr=subprocess.PIPE, text=True, bufsize=1)
        line = self._read(20)
        if not line.startswith("port "):
            self.p.kill()
            raise RuntimeError(f"driver did not start: {line!r} {self.p.stderr.read()}")
        self.port = int(line.split()[1])

    def _read(self, timeout):
        r, _, _ = select.select([self.p.stdout], [], [], timeout)
        if not r:
            raise RuntimeError("driver did not answer in time")
        return self.p.stdout.readline().strip()

    def cmd(self, line, timeout=20):
        self.p.stdin.write(line + "\n")
        self.p.stdin.flush()
        return self._read(timeout)

    def stats(self):
        parts = self.cmd("stats").split()[1:]
        return {k: int(v) for k, v in (p.split("=") for p in parts)}

    def quit(self):
        out = self.cmd("quit", timeout=60)
        try:
            self.p.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
        self.p.stdin.close()
        self.p.stdout.close()
        self.stderr = self.p.stderr.read()
        self.p.stderr.close()
        return out

    def given_up(self):
        m = re.search(r"(\d+) alert\(s\) not delivered at shutdown", self.stderr)
        return int(m.group(1)) if m else 0

    def kill(self):
        if self.p.poll() is None:
            self.p.kill()
            self.p.wait()


def alert(n, rule="Read sensitive file untrusted", priority="Warning"):
    """an alert in Falco's JSON shape (keys sorted), unique by output_fields.n"""
    return {
        "hostname": "test-host",
        "output": f"10:20:05.408091526: {priority} Sensitive file opened | n={n} "
                  "file=/etc/shadow quote=\" nl=\\n",
        "output_fields": {"evt.time": 1700000000000000000 + n, "fd.name": "/etc/shadow",
                          "n": n, "proc.cmdline": "cat \"/etc/shadow\"\n"},
        "priority": priority,
        "rule": rule,
        "source": "syscall",
        "tags": ["T1555", "filesystem", "maturity_stable", "mitre_credential_access"],
        "time": "2023-11-14T22:13:20.000000000Z",
    }


def ids_received(rx):
    ids = []
    for b in rx.bodies():
        ids.append(json.loads(b)["output_fields"]["n"])
    return ids


# ------------------------------------------------------------------ part 1: driver

def driver_opts(url, *extra):
    """the configuration a Falcosidekick user writes, web server on a free loopback port"""
    return ["json_output=true", "http_output.enabled=true", f"http_output.url={url}",
            "webserver.enabled=true", "webserver.listen_address=127.0.0.1",
            "webserver.listen_port=0", "webserver.prometheus_metrics_enabled=true",
            "metrics.enabled=true", *extra]


def driver_tests(build):
    exe = os.path.join(build, "tests", "ops", "ops_drv")
    if not os.access(exe, os.X_OK):
        check("driver built", False, f"{exe} missing (make test builds it)")
        return
    rx = Receiver()
    rx.start()
    port = rx.port
    snap_file = os.path.join(tempfile.mkdtemp(prefix="frc-ops-"), "metrics.jsonl")
    drv = Driver(exe, *driver_opts(rx.url(), "http_output.queue_capacity=1000",
                                   "webserver.healthz_stall_timeout_ms=1000",
                                   "metrics.output_rule=true",
                                   f"metrics.output_file={snap_file}"))
    try:
        # -- each alert arrives once, with the expected JSON and headers
        sent = {}
        for n in range(50):
            a = alert(n)
            sent[n] = a
            assert drv.cmd("alert 0 " + json.dumps(a, separators=(",", ":"))) == "ok"
        check("http: output drained",
              wait_for(lambda: drv.stats()["pushed"] == 50) and drv.cmd("idle 20000") == "idle 1")
        ids = ids_received(rx)
        check("http: 50 alerts received", len(ids) == 50, len(ids))
        check("http: each alert exactly once, in order", ids == list(range(50)), ids[:10])
        got = [json.loads(b) for b in rx.bodies()]
        check("http: bodies are the alerts, byte for byte JSON",
              all(g == sent[g["output_fields"]["n"]] for g in got))
        probs = [p for g in got for p in sidekick_problems(g)]
        check("http: bodies are what Falcosidekick accepts", not probs, probs[:3])
        with rx.lock:
            hdr = rx.posts[0][1]
            paths = {p[0] for p in rx.posts}
        check("http: Content-Type application/json",
              hdr.get("Content-Type") == "application/json", hdr.get("Content-Type"))
        check("http: User-Agent falcosecurity/falco",
              hdr.get("User-Agent") == "falcosecurity/falco", hdr.get("User-Agent"))
        check("http: POST to the URL's path", paths == {"/"}, paths)
        st = drv.stats()
        check("http: counters after delivery",
              st["delivered"] == 50 and st["failed"] == 0 and st["dropped"] == 0, st)

        # -- the receiver goes away mid-stream: the producer keeps going, counts what is
        #    undelivered, and delivery resumes when the receiver returns
        rx.stop()
        t0 = time.monotonic()
        answers = [drv.cmd("alert 0 " + json.dumps(alert(n))) for n in range(50, 80)]
        check("outage: producer keeps going (every push answered)",
              answers == ["ok"] * 30, answers[:3])
        check("outage: sender notices (retries counted)",
              wait_for(lambda: drv.stats()["retries"] > 0), drv.stats())
        st = wait_for(lambda: (lambda x: x if x["pushed"] == 80 else None)(drv.stats()))
        st = st or drv.stats()
        check("outage: undelivered alerts counted, none lost",
              st["queued"] + st["inflight"] == 30 and st["delivered"] == 50
              and st["failed"] == 0 and st["dropped"] == 0, st)
        status, _, s, probs = scrape(drv.port)
        check("outage: /metrics shows the queue",
              metric(s, "frc_output_queue_length", output="http") == 30
              and (metric(s, "frc_output_retries_total", output="http") or 0) > 0,
              (metric(s, "frc_output_queue_length", output="http"),
               metric(s, "frc_output_retries_total", output="http")))
        rx.start(port)
        check("outage: drained after the receiver returned", drv.cmd("idle 20000") == "idle 1")
        ids = ids_received(rx)
        check("outage: every alert delivered exactly once",
              sorted(ids) == list(range(80)) and len(ids) == 80, (len(ids), ids[-5:]))
        st = drv.stats()
        check("outage: counters after recovery",
              st["delivered"] == 80 and st["queued"] == 0 and st["failed"] == 0, st)
        print(f"INFO outage handled in {time.monotonic() - t0:.2f}s")

        # -- counters move on /metrics
        status, ctype, s, probs = scrape(drv.port)
        check("metrics: HTTP 200 and Prometheus content type",
              status == 200 and ctype == "text/plain; version=0.0.4", (status, ctype))
        check("metrics: valid exposition format", not probs, probs[:5])
        base = metric(s, "falcosecurity_scap_n_evts_total") or 0
        drv.cmd("events 1000")
        _, _, s, _ = scrape(drv.port)
        check("metrics: scap_n_evts_total moves",
              metric(s, "falcosecurity_scap_n_evts_total") == base + 1000,
              metric(s, "falcosecurity_scap_n_evts_total"))
        check("metrics: drops and drops by buffer",
              metric(s, "falcosecurity_scap_n_drops_total") == 10
              and metric(s, "falcosecurity_scap_n_drops_buffer_total", dir="exit",
                         drop="open") == 10)
        drv.cmd("events 500")
        _, _, s, _ = scrape(drv.port)
        check("metrics: and moves again",
              metric(s, "falcosecurity_scap_n_evts_total") == base + 1500
              and metric(s, "falcosecurity_falco_n_evts_total") == base + 1500)
        rm = metric_sum(s, "falcosecurity_falco_rules_matches_total",
                        rule_name="Read sensitive file untrusted", priority="4",
                        source="syscall", tag_mitre_credential_access="true")
        check("metrics: rules_matches_total with Falco's labels", rm == 80, rm)
        check("metrics: alerts counted", metric(s, "frc_alerts_total") == 80)
        check("metrics: http output delivered",
              metric(s, "frc_output_delivered_total", output="http") == 80)
        for name in ("falcosecurity_scap_n_drops_scratch_map_total",
                     "falcosecurity_scap_n_drops_full_threadtable_total",
                     "falcosecurity_falco_outputs_queue_num_drops_total",
                     "falcosecurity_falco_cpu_usage_ratio",
                     "falcosecurity_falco_memory_rss_bytes",
                     "falcosecurity_falco_memory_vsz_bytes"):
            check(f"metrics: dashboard metric {name}", metric(s, name) is not None)
        check("metrics: dashboard metric falcosecurity_scap_engine_name_info",
              metric_sum(s, "falcosecurity_scap_engine_name_info") == 1)
        check("metrics: dashboard metric falcosecurity_falco_version_info",
              metric_sum(s, "falcosecurity_falco_version_info") == 1)

        # -- /healthz follows the heartbeat, the probe and the rules
        st_, _, body = http_get(drv.port, "/healthz")
        check("healthz: unhealthy before the loop runs",
              st_ == 503 and "not started" in body, (st_, body))
        drv.cmd("beat on")
        st_, ct, body = http_get(drv.port, "/healthz")
        check("healthz: ok while the loop beats",
              st_ == 200 and body == '{"status": "ok"}' and ct == "application/json",
              (st_, body))
        drv.cmd("beat off")
        res = wait_for(lambda: (lambda r: r if r[0] == 503 else None)(
            http_get(drv.port, "/healthz")), timeout=15, step=0.05)
        check("healthz: unhealthy when the heartbeat stops",
              res is not None and "stalled" in res[2], res)
        if res:
            try:
                js = json.loads(res[2])
                check("healthz: unhealthy answer is JSON with the failing check",
                      js["status"] == "unhealthy" and "event_loop" in js["checks"], js)
            except ValueError as e:
                check("healthz: unhealthy answer is JSON", False, e)
        drv.cmd("beat on")
        st_, _, _ = http_get(drv.port, "/healthz")
        check("healthz: ok again when the loop resumes", st_ == 200)
        drv.cmd("probe detached")
        st_, _, body = http_get(drv.port, "/healthz")
        check("healthz: unhealthy when the probe is detached",
              st_ == 503 and "probe" in body, (st_, body))
        drv.cmd("probe attached")
        check("healthz: ok with the probe back", http_get(drv.port, "/healthz")[0] == 200)
        _, _, s, _ = scrape(drv.port)
        check("metrics: health gauges",
              metric(s, "frc_probe_attached") == 1 and metric(s, "frc_rules_loaded") == 1
              and (metric(s, "frc_event_loop_heartbeat_age_seconds") or 99) < 5)

        # -- Falco's metrics snapshot: internal alert on the outputs + metrics.output_file
        n_before = len(rx.bodies())
        drv.cmd("snapshot")
        drv.cmd("events 250")
        time.sleep(0.05)
        drv.cmd("snapshot")
        snaps = wait_for(lambda: (lambda l: l if len(l) >= 2 else None)(
            [json.loads(b) for b in rx.bodies()[n_before:]
             if b"Falco internal: metrics snapshot" in b]), timeout=20)
        check("snapshot: internal alert 'Falco internal: metrics snapshot' posted",
              snaps and len(snaps) == 2, snaps)
        if snaps:
            a = snaps[1]
            of = a.get("output_fields", {})
            check("snapshot: Falco's internal alert shape",
                  a.get("priority") == "Informational" and a.get("source") == "internal"
                  and "tags" not in a and a.get("output", "").startswith("Falco metrics snapshot")
                  and RFC3339_NS.match(a.get("time", "")), a)
            check("snapshot: Falco's dotted fields",
                  of.get("evt.source") == "syscall" and "falco.version" in of
                  and int(of.get("scap.n_evts_prev", -1)) + 250 == int(of.get("scap.n_evts", 0))
                  and "falco.rules.Read_sensitive_file_untrusted" in of
                  and "falco.memory_rss_mb" in of, of)
        lines = open(snap_file).read().split("\n") if os.path.exists(snap_file) else []
        recs = [json.loads(l) for l in lines if l]
        check("snapshot: metrics.output_file gets one JSON line per snapshot",
              [r.get("sample") for r in recs] == [1, 2]
              and isinstance(recs[1]["output_fields"].get("scap.n_evts"), int), recs[-1:])

        # -- /versions for falcoctl
        st_, ct, body = http_get(drv.port, "/versions")
        try:
            v = json.loads(body)
        except ValueError:
            v = {}
        check("versions: JSON with engine_version_semver",
              st_ == 200 and re.match(r"^\d+\.\d+\.\d+$", v.get("engine_version_semver", ""))
              and v.get("engine_version") == v["engine_version_semver"].split(".")[1], v)
        check("versions: only string values at the top level besides plugin_versions",
              all(isinstance(x, str) for k, x in v.items() if k != "plugin_versions"), v)
        check("unknown path is 404", http_get(drv.port, "/nope")[0] == 404)
        out = drv.quit()
        check("shutdown: clean, nothing left to give up",
              out == "bye" and drv.given_up() == 0 and drv.p.returncode == 0,
              (out, drv.p.returncode, drv.stderr[-600:]))
    finally:
        drv.kill()
        rx.stop()
        shutil.rmtree(os.path.dirname(snap_file), ignore_errors=True)

    # -- a full queue drops new alerts and counts them; queued ones survive the outage
    rx = Receiver()
    rx.start()
    port = rx.port
    rx.stop()
    drv = Driver(exe, *driver_opts(f"http://127.0.0.1:{port}/", "http_output.queue_capacity=8",
                                   "output_timeout=300"))
    try:
        for n in range(40):
            drv.cmd("alert 1 " + json.dumps(alert(n, rule="Terminal shell in container",
                                                  priority="Notice")))
        st = wait_for(lambda: (lambda x: x if x["pushed"] + x["dropped"] == 40 else None)(
            drv.stats())) or drv.stats()
        check("overflow: pushed + dropped = produced, queue bounded",
              st["pushed"] + st["dropped"] == 40 and st["pushed"] <= 9
              and st["queued"] <= 8, st)
        _, _, s, probs = scrape(drv.port)
        check("overflow: drops on /metrics (Falco's and frc's names)",
              metric(s, "falcosecurity_falco_outputs_queue_num_drops_total") == st["dropped"]
              and metric(s, "frc_output_dropped_total", output="http") == st["dropped"],
              (metric(s, "falcosecurity_falco_outputs_queue_num_drops_total"), st))
        check("overflow: valid exposition format", not probs, probs[:5])
        rx.start(port)
        check("overflow: drained", drv.cmd("idle 20000") == "idle 1")
        ids = ids_received(rx)
        check("overflow: every accepted alert delivered once",
              len(ids) == st["pushed"] and len(set(ids)) == len(ids), (len(ids), st))
        rx.stop()
        for n in range(100, 103):
            drv.cmd("alert 1 " + json.dumps(alert(n)))
        wait_for(lambda: drv.stats()["pushed"] == st["pushed"] + 3)
        out = drv.quit()
        check("shutdown: undeliverable alerts given up after output_timeout, and logged",
              out == "bye" and drv.given_up() == 3 and drv.p.returncode == 0,
              (out, drv.p.returncode, drv.stderr[-600:]))
    finally:
        drv.kill()
        rx.stop()


# ------------------------------------------------------------------ part 2: daemon

MARKER_RULE = """\
- rule: frc ops test marker
  desc: a file whose name only the ops test uses was opened
  condition: >
    evt.type in (open, openat, openat2) and evt.is_open_read=true
    and fd.name startswith /tmp/frc-ops-marker-
  output: ops marker opened | file=%fd.name process=%proc.name command=%proc.cmdline
  priority: NOTICE
  tags: [frc_ops_test]
"""


STALL_MS = 3000   # webserver.healthz_stall_timeout_ms of the daemon under test


def daemon_tests(build):
    import tempfile
    frc = os.path.abspath(os.path.join(build, "frc"))
    help_ = subprocess.run([frc, "run", "--help"], capture_output=True, text=True, timeout=30)
    if "not built yet" in help_.stderr + help_.stdout:
        skip("daemon", "`frc run` is not built yet")
        return
    if os.geteuid() != 0:
        skip("daemon", "needs root (eBPF probe)")
        return
    if not os.path.exists("/sys/kernel/btf/vmlinux"):
        skip("daemon", "no kernel BTF (/sys/kernel/btf/vmlinux)")
        return
    upstream = os.path.join(ROOT, "..", "shared", "compat", "rules", "falco_rules.yaml")
    have_upstream = os.path.exists(upstream)
    rx = Receiver()
    rx.start()
    wport = free_port()
    with tempfile.TemporaryDirectory(prefix="frc-ops-daemon-") as tmp:
        local = os.path.join(tmp, "marker_rules.yaml")
        with open(local, "w") as f:
            f.write(MARKER_RULE)
        out_path = os.path.join(tmp, "stdout.jsonl")
        err_path = os.path.join(tmp, "stderr.txt")
        args = [frc, "run"]
        if have_upstream:
            args += ["-r", upstream]
        args += ["-r", local,
                 "-o", "json_output=true", "-o", "stdout_output.enabled=true",
                 "-o", "syslog_output.enabled=false",
                 "-o", "http_output.enabled=true", "-o", f"http_output.url={rx.url()}",
                 "-o", "webserver.enabled=true", "-o", "webserver.listen_address=127.0.0.1",
                 "-o", f"webserver.listen_port={wport}",
                 "-o", "webserver.prometheus_metrics_enabled=true", "-o", "metrics.enabled=true",
                 "-o", "metrics.interval=1s", "-o", "metrics.output_rule=true",
                 "-o", f"metrics.output_file={tmp}/metrics.jsonl",
                 "-o", f"webserver.healthz_stall_timeout_ms={STALL_MS}"]
        env = dict(os.environ, FRC_LOCK_FILE=os.path.join(tmp, "frc.lock"))
        with open(out_path, "w") as out, open(err_path, "w") as err:
            p = subprocess.Popen(args, stdout=out, stderr=err, cwd=tmp, env=env,
                                 preexec_fn=die_with_parent)
        try:
            daemon_scenario(p, wport, rx, tmp, have_upstream, out_path, err_path)
        finally:
            if p.poll() is None:
                rc = stop_process(p, timeout=30)
                check("daemon: SIGTERM stops it with status 0", rc == 0, rc)
            errtxt = open(err_path).read()
            if R.failed:
                print("INFO daemon stderr (tail):\n" + errtxt[-1500:])
            rx.stop()
    if not have_upstream:
        skip("daemon: upstream rule 'Read sensitive file untrusted'", "../shared is absent")


def daemon_scenario(p, wport, rx, tmp, have_upstream, out_path, err_path):
    def healthy():
        if p.poll() is not None:
            return "exited"
        try:
            return "ok" if http_get(wport, "/healthz", timeout=2)[0] == 200 else None
        except OSError:
            return None
    state = wait_for(healthy, timeout=90, step=0.2)
    if not check("daemon: /healthz ok after start", state == "ok",
                 f"state={state} rc={p.poll()}"):
        return
    _, _, s0, probs = scrape(wport)
    check("daemon: /metrics valid", not probs, probs[:5])
    evts0 = metric(s0, "falcosecurity_scap_n_evts_total") or 0

    # -- actions: a marker file read N times by this process, /etc/shadow read by cat
    tag = f"{os.getpid()}-{int(time.time())}"
    marker = f"/tmp/frc-ops-marker-{tag}"
    with open(marker, "w") as f:
        f.write("x")
    n = 5
    try:
        for _ in range(n):
            with open(marker) as f:
                f.read()
        if have_upstream:
            subprocess.run(["cat", "/etc/shadow"], stdout=subprocess.DEVNULL, timeout=30)
    finally:
        os.unlink(marker)

    def marker_alerts():
        out = []
        for b in rx.bodies():
            try:
                a = json.loads(b)
            except ValueError:
                continue
            if a.get("rule") == "frc ops test marker" and \
                    a.get("output_fields", {}).get("fd.name") == marker:
                out.append(a)
        return out
    got = wait_for(lambda: len(marker_alerts()) >= n, timeout=30) and marker_alerts()
    check("daemon: each marker read alerted once over HTTP",
          got and len(got) == n, len(got or marker_alerts()))
    for a in (got or [])[:1]:
        probs = sidekick_problems(a)
        check("daemon: HTTP alert is what Falcosidekick accepts", not probs, probs)
        check("daemon: alert fields",
              a.get("priority") == "Notice" and a.get("source") == "syscall"
              and a.get("tags") == ["frc_ops_test"]
              and a["output_fields"].get("proc.name", "").startswith("python")
              and "ops marker opened" in a.get("output", ""), a)
    with rx.lock:
        hdrs = [h for _, h, _ in rx.posts]
    check("daemon: HTTP posts are application/json",
          hdrs and all(h.get("Content-Type") == "application/json" for h in hdrs))
    if have_upstream:
        def shadow():
            for b in rx.bodies():
                a = json.loads(b)
                if a.get("rule") == "Read sensitive file untrusted" and \
                        a.get("output_fields", {}).get("fd.name") == "/etc/shadow" and \
                        a["output_fields"].get("proc.name") == "cat":
                    return a
            return None
        a = wait_for(shadow, timeout=30)
        check("daemon: `cat /etc/shadow` raises 'Read sensitive file untrusted'", a is not None)
        if a:
            check("daemon: its alert is Falco's (Warning, tags, output text)",
                  a["priority"] == "Warning" and "mitre_credential_access" in a["tags"]
                  and "Sensitive file opened for reading by non-trusted program" in a["output"]
                  and not sidekick_problems(a), a)

    # -- counters moved
    _, _, s1, probs = scrape(wport)
    check("daemon: /metrics still valid", not probs, probs[:5])
    rm = metric_sum(s1, "falcosecurity_falco_rules_matches_total",
                    rule_name="frc ops test marker", tag_frc_ops_test="true")
    check("daemon: rules_matches_total counts the marker alerts", rm == n, rm)
    moved = wait_for(lambda: (metric(scrape(wport)[2], "falcosecurity_scap_n_evts_total")
                              or 0) > evts0, timeout=15, step=0.25)
    check("daemon: scap_n_evts_total moves", moved,
          (evts0, metric(scrape(wport)[2], "falcosecurity_scap_n_evts_total")))
    _, _, s1, _ = scrape(wport)
    check("daemon: events processed and kernel events counted",
          (metric(s1, "frc_events_processed_total") or 0) > 0
          and metric(s1, "falcosecurity_falco_n_evts_total")
          == metric(s1, "falcosecurity_scap_n_evts_total"))
    delivered = metric(s1, "frc_output_delivered_total", output="http") or 0
    check("daemon: http output delivered counter", delivered >= n, delivered)
    check("daemon: health gauges", metric(s1, "frc_probe_attached") == 1
          and metric(s1, "frc_rules_loaded") == 1)
    st, _, body = http_get(wport, "/versions")
    check("daemon: /versions", st == 200 and "engine_version_semver" in body, body)

    # -- the same alerts on stdout, one JSON object per line
    outs = read_json_lines(out_path, on_bad="skip")
    check("daemon: stdout has the marker alerts as JSON lines",
          len([a for a in outs if a.get("rule") == "frc ops test marker"
               and a.get("output_fields", {}).get("fd.name") == marker]) == n)

    # -- metrics snapshots: at start and every metrics.interval (1s here)
    def snaps():
        return [json.loads(b) for b in rx.bodies() if b"Falco internal: metrics snapshot" in b]
    got = wait_for(lambda: len(snaps()) >= 2, timeout=20)
    check("daemon: metrics snapshot alerts every metrics.interval", got, len(snaps()))
    if got:
        of = snaps()[-1].get("output_fields", {})
        check("daemon: snapshot carries kernel and rule counters",
              int(of.get("scap.n_evts", 0)) > 0 and "falco.rules.frc_ops_test_marker" in of
              and of.get("scap.engine_name") == "modern_bpf", of)
    recs = [json.loads(l) for l in open(os.path.join(tmp, "metrics.jsonl")).read().split("\n")
            if l] if os.path.exists(os.path.join(tmp, "metrics.jsonl")) else []
    check("daemon: metrics.output_file lines", len(recs) >= 2
          and [r["sample"] for r in recs] == list(range(1, len(recs) + 1)), recs[-1:])

    # -- the receiver goes away while alerts happen: detection goes on (stdout), the
    #    undelivered alerts are counted (queue length, retries, log), and they arrive, once
    #    each, when it returns
    rport = rx.port
    _, _, s0, _ = scrape(wport)
    delivered0 = metric(s0, "frc_output_delivered_total", output="http") or 0
    rx.stop()
    marker2 = marker + "-outage"
    with open(marker2, "w") as f:
        f.write("x")
    try:
        for _ in range(3):
            with open(marker2) as f:
                f.read()
    finally:
        os.unlink(marker2)

    def stdout_alerts(path):
        out = []
        for l in open(out_path).read().split("\n"):
            if l.startswith("{") and path in l:
                try:
                    a = json.loads(l)
                except ValueError:
                    continue
                if a.get("output_fields", {}).get("fd.name") == path:
                    out.append(a)
        return out
    check("daemon: keeps detecting while the receiver is down (alerts on stdout)",
          wait_for(lambda: len(stdout_alerts(marker2)) >= 3, timeout=30)
          and len(stdout_alerts(marker2)) == 3, len(stdout_alerts(marker2)))

    def undelivered():
        _, _, s_, _ = scrape(wport)
        q = metric(s_, "frc_output_queue_length", output="http") or 0
        r = metric(s_, "frc_output_retries_total", output="http") or 0
        return (q, r) if q >= 3 and r > 0 else None
    u = wait_for(undelivered, timeout=30, step=0.2)
    check("daemon: undelivered alerts counted on /metrics (http queue length, retries)",
          u is not None, u)
    check("daemon: the failed delivery is logged",
          wait_for(lambda: "cannot deliver" in open(err_path).read(), timeout=30),
          open(err_path).read()[-500:])
    check("daemon: keeps running and serving while the receiver is down",
          p.poll() is None and wait_for(lambda: http_get(wport, "/healthz")[0] == 200,
                                        timeout=30, step=0.2))
    rx.start(rport)

    def outage_alerts():
        return [b for b in rx.bodies() if marker2.encode() in b]
    got = wait_for(lambda: len(outage_alerts()) >= 3, timeout=60)

    def drained():
        _, _, s_, _ = scrape(wport)
        return s_ if (metric(s_, "frc_output_queue_length", output="http") or 0) == 0 else None
    s2 = wait_for(drained, timeout=60, step=0.2)
    check("daemon: alerts raised during the outage delivered after it, exactly once", got and
          len(outage_alerts()) == 3, len(outage_alerts()))
    check("daemon: queue drained, nothing dropped or given up",
          s2 is not None and (metric(s2, "frc_output_delivered_total", output="http") or 0)
          >= delivered0 + 3 and (metric(s2, "frc_output_failed_total", output="http") or 0) == 0
          and (metric(s2, "frc_output_dropped_total", output="http") or 0) == 0,
          s2 and {k: metric(s2, k, output="http") for k in
                  ("frc_output_delivered_total", "frc_output_failed_total",
                   "frc_output_dropped_total")})

    # -- the event loop stops (its thread is stopped with ptrace; the web server threads
    #    run on): /healthz turns unhealthy, then healthy again when the loop resumes
    loop_stall_test(p, wport, marker + "-stall", rx)


PTRACE_DETACH, PTRACE_SEIZE, PTRACE_INTERRUPT = 17, 0x4206, 0x4207
WALL = 0x40000000


def loop_stall_test(p, wport, marker3, rx):
    import ctypes
    libc = ctypes.CDLL(None, use_errno=True)
    libc.ptrace.argtypes = [ctypes.c_long, ctypes.c_long, ctypes.c_void_p, ctypes.c_void_p]
    libc.ptrace.restype = ctypes.c_long
    tid = p.pid   # the event loop runs on the main thread; outputs and web server have their own
    if libc.ptrace(PTRACE_SEIZE, tid, None, None) != 0:
        skip("daemon: /healthz when the event loop stops", "ptrace: " +
             os.strerror(ctypes.get_errno()))
        return
    stopped = False
    try:
        if libc.ptrace(PTRACE_INTERRUPT, tid, None, None) == 0:
            os.waitpid(tid, WALL)   # the main thread is in a ptrace stop
            stopped = True
        check("daemon: event loop thread stopped (ptrace)", stopped)

        def unhealthy():
            r = http_get(wport, "/healthz", timeout=5)
            return r if r[0] == 503 else None
        res = wait_for(unhealthy, timeout=30, step=0.2)
        check("daemon: /healthz unhealthy (503, stalled event loop) while the loop is stopped",
              res is not None and "stalled" in res[2] and "event_loop" in res[2], res)
        _, _, s_, _ = scrape(wport)
        age = metric(s_, "frc_event_loop_heartbeat_age_seconds")
        check("daemon: heartbeat age on /metrics grows past the stall limit",
              age is not None and age > STALL_MS / 1000.0, age)
    finally:
        if libc.ptrace(PTRACE_DETACH, tid, None, None) != 0 and stopped:
            print("INFO ptrace detach: " + os.strerror(ctypes.get_errno()))
    res = wait_for(lambda: http_get(wport, "/healthz", timeout=5)[0] == 200, timeout=30, step=0.2)
    check("daemon: /healthz ok again when the loop resumes", res)
    with open(marker3, "w") as f:
        f.write("x")
    try:
        with open(marker3) as f:
            f.read()
    finally:
        os.unlink(marker3)
    check("daemon: detects again after the stall",
          wait_for(lambda: any(marker3.encode() in b for b in rx.bodies()), timeout=30))


# ------------------------------------------------------------------ part 3: deployment

# A small schema language: a dict maps required keys to sub-schemas; a one-item list means
# "a non-empty list whose items match"; a type means "an instance of"; any other value must
# be equal; a callable is a predicate.
def schema_errors(obj, schema, path="$"):
    errs = []
    if isinstance(schema, dict):
        if not isinstance(obj, dict):
            return [f"{path}: expected a mapping"]
        for k, sub in schema.items():
            if k not in obj:
                errs.append(f"{path}.{k}: missing")
            else:
                errs += schema_errors(obj[k], sub, f"{path}.{k}")
    elif isinstance(schema, list):
        if not isinstance(obj, list) or not obj:
            return [f"{path}: expected a non-empty list"]
        for i, item in enumerate(obj):
            errs += schema_errors(item, schema[0], f"{path}[{i}]")
    elif isinstance(schema, type):
        if not isinstance(obj, schema) or isinstance(obj, bool) != (schema is bool):
            errs.append(f"{path}: expected {schema.__name__}, got {obj!r}")
    elif callable(schema):
        if not schema(obj):
            errs.append(f"{path}: unexpected value {obj!r}")
    elif obj != schema:
        errs.append(f"{path}: expected {schema!r}, got {obj!r}")
    return errs


K8S_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
META = {"name": lambda v: isinstance(v, str) and bool(K8S_NAME.match(v)),
        "namespace": lambda v: isinstance(v, str) and bool(K8S_NAME.match(v))}
HTTP_PROBE = {"httpGet": {"path": str, "port": lambda v: isinstance(v, (int, str))},
              "periodSeconds": int, "timeoutSeconds": int, "failureThreshold": int}
DAEMONSET_SCHEMA = {
    "apiVersion": "apps/v1",
    "kind": "DaemonSet",
    "metadata": META,
    "spec": {
        "selector": {"matchLabels": dict},
        "template": {
            "metadata": {"labels": dict},
            "spec": {
                "hostPID": True,
                "serviceAccountName": str,
                "containers": [{
                    "name": str,
                    "image": lambda v: isinstance(v, str) and ":" in v,
                    "securityContext": {"privileged": True},
                    "ports": [{"containerPort": int}],
                    "livenessProbe": HTTP_PROBE,
                    "readinessProbe": HTTP_PROBE,
                    "volumeMounts": [{"name": str, "mountPath": str}],
                    "resources": {"requests": dict, "limits": dict},
                }],
                "volumes": [{"name": str}],
            },
        },
    },
}
CONFIGMAP_SCHEMA = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": META,
                    "data": {"frc.yaml": str}}


def deploy_tests(build):
    import yaml   # python3-yaml (DEB_PKGS)
    import tempfile

    # -- the Kubernetes manifest
    path = os.path.join("deploy", "kubernetes", "frc-daemonset.yaml")
    try:
        docs = [d for d in yaml.safe_load_all(open(path)) if d is not None]
    except (OSError, yaml.YAMLError) as e:
        check("k8s: manifest parses", False, e)
        return
    check("k8s: manifest parses", True)
    by_kind = {}
    for d in docs:
        by_kind.setdefault(d.get("kind"), []).append(d)
    ds = (by_kind.get("DaemonSet") or [None])[0]
    cm = (by_kind.get("ConfigMap") or [None])[0]
    if not check("k8s: has a DaemonSet and a ConfigMap", ds is not None and cm is not None,
                 list(by_kind)):
        return
    errs = schema_errors(ds, DAEMONSET_SCHEMA) + schema_errors(cm, CONFIGMAP_SCHEMA)
    check("k8s: required fields present (schema)", not errs, errs[:5])
    if errs:
        return
    spec = ds["spec"]["template"]["spec"]
    c0 = spec["containers"][0]
    ns = {d["metadata"].get("namespace") for d in docs if d["kind"] != "Namespace"}
    ns_objs = {d["metadata"]["name"] for d in by_kind.get("Namespace", [])}
    check("k8s: one namespace, declared", len(ns) == 1 and ns <= ns_objs, (ns, ns_objs))
    sel = ds["spec"]["selector"]["matchLabels"]
    labels = ds["spec"]["template"]["metadata"]["labels"]
    check("k8s: selector matches the pod labels",
          all(labels.get(k) == v for k, v in sel.items()), (sel, labels))
    sas = {d["metadata"]["name"] for d in by_kind.get("ServiceAccount", [])}
    check("k8s: service account declared", spec["serviceAccountName"] in sas)
    vols = {v["name"]: v for v in spec["volumes"]}
    mounts = {m["mountPath"]: m for m in c0["volumeMounts"]}
    check("k8s: every mount has a volume, every volume is mounted",
          {m["name"] for m in c0["volumeMounts"]} == set(vols))
    btf = mounts.get("/sys/kernel/btf")
    check("k8s: /sys/kernel/btf mounted read-only from the host",
          btf is not None and btf.get("readOnly") is True
          and vols[btf["name"]].get("hostPath", {}).get("path") == "/sys/kernel/btf")
    cmvols = [v for v in vols.values() if "configMap" in v]
    check("k8s: configuration mounted from the ConfigMap",
          any(v["configMap"].get("name") == cm["metadata"]["name"] for v in cmvols))
    cmmount = [m for m in c0["volumeMounts"]
               if "configMap" in vols[m["name"]]]
    check("k8s: ConfigMap lands in /etc/frc/config.d (merged over the image's frc.yaml)",
          [m["mountPath"] for m in cmmount] == ["/etc/frc/config.d"], cmmount)
    cmd = c0.get("command", []) + c0.get("args", [])
    check("k8s: runs `frc run`", len(cmd) >= 2 and cmd[0].endswith("/frc") and cmd[1] == "run",
          cmd)
    env = {e["name"]: e for e in c0.get("env", [])}
    check("k8s: FALCO_HOSTNAME is the node name",
          env.get("FALCO_HOSTNAME", {}).get("valueFrom", {}).get("fieldRef", {})
          .get("fieldPath") == "spec.nodeName")

    # the pod's configuration: image default + ConfigMap, through frc's own loader
    conf = yaml.safe_load(cm["data"]["frc.yaml"])
    port = c0["ports"][0]["containerPort"]
    ws = conf.get("webserver", {})
    check("k8s: ConfigMap is YAML with webserver, metrics and http_output",
          isinstance(conf, dict) and ws.get("enabled") is True
          and ws.get("prometheus_metrics_enabled") is True
          and conf.get("metrics", {}).get("enabled") is True
          and conf.get("json_output") is True
          and conf.get("http_output", {}).get("enabled") is True
          and re.match(r"^https?://", conf["http_output"].get("url", "")), conf)
    for probe in ("livenessProbe", "readinessProbe"):
        hg = c0[probe]["httpGet"]
        check(f"k8s: {probe} on /healthz of the web server",
              hg["path"] == ws.get("k8s_healthz_endpoint", "/healthz") == "/healthz"
              and hg["port"] in (port, c0["ports"][0].get("name"))
              and ws.get("listen_port", 8765) == port, (hg, ws))
    svc = by_kind.get("Service", [])
    check("k8s: metrics Service targets the web port",
          all(p.get("targetPort") in (port, c0["ports"][0].get("name"))
              for s_ in svc for p in s_["spec"]["ports"]) and svc)
    drv = os.path.join(build, "tests", "ops", "ops_drv")
    with tempfile.TemporaryDirectory(prefix="frc-ops-") as tmp:
        os.makedirs(os.path.join(tmp, "config.d"))
        with open(os.path.join(tmp, "config.d", "frc.yaml"), "w") as f:
            f.write(cm["data"]["frc.yaml"])
        r = subprocess.run([drv, "--check-config", "deploy/frc.yaml",
                            f"config_files[0]={tmp}/config.d"],
                           capture_output=True, text=True, timeout=60)
        out = r.stdout.strip().split("\n")
        warns = [l for l in out if l.startswith("warning:")]
        okl = [l for l in out if l.startswith("ok ")]
        check("config: pod configuration loads with frc's loader, no warning",
              r.returncode == 0 and okl and not warns, r.stdout + r.stderr)
        vals = dict(kv.split("=", 1) for kv in okl[0].split()[1:]) if okl else {}
        check("config: pod gets JSON + HTTP output to the collector, web server, metrics",
              vals.get("json_output") == "1" and vals.get("http_output.enabled") == "1"
              and vals.get("http_output.url") == conf["http_output"]["url"]
              and vals.get("webserver.listen_port") == str(port)
              and vals.get("webserver.prometheus_metrics_enabled") == "1"
              and vals.get("metrics.enabled") == "1" and vals.get("config_files") == "2",
              vals)
        r = subprocess.run([drv, "--check-config", "deploy/frc.yaml"],
                           capture_output=True, text=True, timeout=60)
        check("config: deploy/frc.yaml loads with frc's loader, no warning",
              r.returncode == 0 and r.stdout.startswith("ok "), r.stdout + r.stderr)

        # -- systemd unit
        unit = open(os.path.join("deploy", "frc.service")).read()
        sections = re.findall(r"^\[(\w+)\]$", unit, re.M)
        keys = dict(re.findall(r"^(\w+)=(.*)$", unit, re.M))
        check("systemd: [Unit] [Service] [Install]",
              sections == ["Unit", "Service", "Install"], sections)
        check("systemd: runs frc run with the config, reloads with SIGHUP, restarts",
              "frc run -c @SYSCONFDIR@/frc/frc.yaml" in keys.get("ExecStart", "")
              and "-HUP" in keys.get("ExecReload", "")
              and keys.get("Restart") == "on-failure"
              and keys.get("WantedBy") == "multi-user.target", keys)

        # -- make install into a staging directory
        dest = os.path.join(tmp, "root")
        mk = ["make", "--no-print-directory", "-s", f"BUILD={build}",
              f"SAN={os.environ.get('SAN', '')}", "install", f"DESTDIR={dest}",
              "PREFIX=/usr", "SYSCONFDIR=/etc"]
        r = subprocess.run(mk, capture_output=True, text=True, timeout=300)
        check("install: make install succeeds", r.returncode == 0, r.stderr[-500:])
        files = {os.path.relpath(os.path.join(d, f), dest)
                 for d, _, fs in os.walk(dest) for f in fs}
        want = {"usr/bin/frc", "etc/frc/frc.yaml", "etc/frc/frc_rules.local.yaml",
                "usr/lib/systemd/system/frc.service", "usr/share/man/man8/frc.8"}
        want |= {f"etc/frc/rules.d/{os.path.basename(p)}" for p in
                 sorted(os.listdir("rules")) if p.endswith(".yaml")} \
            if os.path.isdir("rules") else set()
        check("install: binary, rules, config, unit, man page", want <= files,
              sorted(want - files))
        check("install: binary is executable",
              os.access(os.path.join(dest, "usr/bin/frc"), os.X_OK))
        iunit = open(os.path.join(dest, "usr/lib/systemd/system/frc.service")).read()
        check("install: unit paths substituted",
              "@" not in iunit and "ExecStart=/usr/bin/frc run -c /etc/frc/frc.yaml" in iunit)
        sa = shutil.which("systemd-analyze")
        if sa:
            unit_t = os.path.join(tmp, "frc.service")
            with open(unit_t, "w") as f:
                f.write(iunit.replace("/usr/bin/frc", os.path.abspath(os.path.join(build, "frc"))))
            r = subprocess.run([sa, "verify", "--man=no", unit_t], capture_output=True,
                               text=True, timeout=120)
            msgs = [l for l in (r.stdout + r.stderr).split("\n")
                    if l.strip() and "frc.service" in l]
            check("systemd: systemd-analyze verify finds nothing", r.returncode == 0 and not msgs,
                  msgs[:3])
        else:
            skip("systemd: systemd-analyze verify", "systemd-analyze not installed")
        with open(os.path.join(dest, "etc/frc/frc.yaml"), "a") as f:
            f.write("\n# local change\n")
        r = subprocess.run(mk, capture_output=True, text=True, timeout=300)
        kept = open(os.path.join(dest, "etc/frc/frc.yaml")).read().endswith("# local change\n")
        check("install: a second install keeps the administrator's configuration",
              r.returncode == 0 and kept
              and os.path.exists(os.path.join(dest, "etc/frc/frc.yaml.new")))

    # -- man page: renders without warnings and covers every subcommand
    man = open(os.path.join("docs", "frc.8")).read()
    subs = re.findall(r'\{ "([a-z]+)", cli_\w+,', open(os.path.join("runtime", "main.c")).read())
    documented = set(re.findall(r"^\.B ([a-z]+)\n", man.split(".SH COMMANDS")[1]
                                .split(".SH OPTIONS")[0], re.M))
    check("man: documents every subcommand", subs and set(subs) <= documented,
          sorted(set(subs) - documented))
    groff = shutil.which("groff")
    if groff:
        r = subprocess.run([groff, "-man", "-Tutf8", "-ww", "-z", "docs/frc.8"],
                           capture_output=True, text=True, timeout=60)
        check("man: groff finds no problem", r.returncode == 0 and not r.stderr.strip(),
              r.stderr[:300])
    else:
        skip("man: groff check", "groff not installed")


# ------------------------------------------------------------------ main

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.environ.get("BUILD", "build"))
    ap.add_argument("--only", choices=["driver", "daemon", "deploy"])
    a = ap.parse_args()
    os.chdir(ROOT)
    signal.alarm(600)   # a hang is a failure
    parts = {"driver": driver_tests, "daemon": daemon_tests, "deploy": deploy_tests}
    for name, fn in parts.items():
        if a.only and a.only != name:
            continue
        R.guard(f"{name}: harness", fn, a.build)
    return R.finish()


if __name__ == "__main__":
    sys.exit(main())
