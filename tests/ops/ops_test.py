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
#   detect, and checks alerts arrive and counters move (see daemon_tests()).
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
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))

passed = failed = skipped = 0


def check(name, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
        print(f"PASS {name}")
    else:
        failed += 1
        print(f"FAIL {name}{': ' + str(detail) if detail else ''}")
    return cond


def skip(name, why):
    global skipped
    skipped += 1
    print(f"SKIP {name}: {why}")


def wait_for(pred, timeout=20.0, step=0.02):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        v = pred()
        if v:
            return v
        time.sleep(step)
    return pred()


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

def http_get(port, path, timeout=10):
    url = f"http://127.0.0.1:{port}{path}"
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:
            return r.status, r.headers.get("Content-Type", ""), r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get("Content-Type", ""), e.read().decode()


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

    def quit(self, flush_ms=2000):
        out = self.cmd(f"quit {flush_ms}", timeout=flush_ms / 1000 + 20)
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

def driver_tests(build):
    exe = os.path.join(build, "tests", "ops", "ops_drv")
    if not os.access(exe, os.X_OK):
        check("driver built", False, f"{exe} missing (make test builds it)")
        return
    rx = Receiver()
    rx.start()
    port = rx.port
    drv = Driver(exe, "--url", rx.url(), "--queue", "1000", "--stall-ms", "1000")
    try:
        # -- each alert arrives once, with the expected JSON and headers
        sent = {}
        for n in range(50):
            a = alert(n)
            sent[n] = a
            assert drv.cmd("alert 0 " + json.dumps(a, separators=(",", ":"))) == "ok"
        check("http: output drained", drv.cmd("idle 20000") == "idle 1")
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
        st = drv.stats()
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
        out = drv.quit(2000)
        check("shutdown: nothing left to give up", out == "gaveup 0", out)
    finally:
        drv.kill()
        rx.stop()

    # -- a full queue drops new alerts and counts them; queued ones survive the outage
    rx = Receiver()
    rx.start()
    port = rx.port
    rx.stop()
    drv = Driver(exe, "--url", f"http://127.0.0.1:{port}/", "--queue", "8")
    try:
        for n in range(40):
            drv.cmd("alert 1 " + json.dumps(alert(n, rule="Terminal shell in container",
                                                  priority="Notice")))
        st = drv.stats()
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
        out = drv.quit(300)
        check("shutdown: undeliverable alerts given up and counted", out == "gaveup 3", out)
        check("shutdown: says so in the log", "not delivered at shutdown" in drv.stderr,
              drv.stderr[-300:])
    finally:
        drv.kill()
        rx.stop()


# ------------------------------------------------------------------ part 2: daemon

def daemon_tests(build):
    frc = os.path.join(build, "frc")
    help_ = subprocess.run([frc, "run", "--help"], capture_output=True, text=True, timeout=30)
    if "not built yet" in help_.stderr + help_.stdout:
        skip("daemon", "`frc run` is not built yet")
        return
    skip("daemon", "daemon scenario not wired yet")


# ------------------------------------------------------------------ main

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.environ.get("BUILD", "build"))
    ap.add_argument("--only", choices=["driver", "daemon", "deploy"])
    a = ap.parse_args()
    os.chdir(ROOT)
    signal.alarm(600)   # a hang is a failure
    parts = {"driver": driver_tests, "daemon": daemon_tests}
    for name, fn in parts.items():
        if a.only and a.only != name:
            continue
        try:
            fn(a.build)
        except Exception as e:   # a crash of the harness is a failure, with its reason
            import traceback
            traceback.print_exc()
            check(f"{name}: harness", False, repr(e))
    print(f"RESULT: {passed} passed, {failed} failed, {skipped} skipped")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
