#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Run every `run`-mode case of the compat manifest against `frc replay`.

Each case is turned into the command line its upstream suite used (manifest README, "Modes"):
  falco_regression: -c CONFIG -r F... -e TRACE -o json_output=.. -o json_include_*=..
                    -o priority=.. [-o time_format_iso_8601=true] [-D/-T/-t/-A] -v
  testing_legacy:   the suite's baseline arguments (its -c points at Falco's default config;
                    ../shared/compat/config/falco.yaml is used, or the case's config_file),
                    -r F..., -o engine.kind=replay -o engine.replay.capture_file=TRACE and the
                    options as -o keys (rules[].disable.rule=..., base_syscalls.all=true, ...)
and every key of `expect` is asserted:
  exit_status, process_error, detections_total, detect_levels, detect_levels_absent,
  detections_by_rule, stdout/stderr (not_)contains_regex, output_contains_lines(_in_order),
  output_file_equals.
Alerts are counted from stdout (JSON objects, or Falco text lines "<time>: <Priority> ...");
engine-internal alerts ("Falco internal: ...", source "internal") are not detections.
Per-rule counts of text runs come from frc's end-of-run summary on stderr ("Triggered rules
by rule name:"), cross-checked against the number of alert lines.
A case that cannot run (capture missing, unknown mode) is SKIPPED with its reason and is
never counted as passed.

HEAD adjustment. The suites' expectations were recorded with Falco <= 0.42, whose libsinsp
still showed the open() *enter* events of old captures to rules (an `evt.type=open` rule
fired on both the enter and the exit event). Since falcosecurity/libs 618c2f675 (2025-10)
rules never see enter events (../shared/spec/events.md §1.1), and frc follows HEAD. When a
case fails as recorded, the runner derives HEAD's expectation mechanically and checks it
instead: every alert an enter event raised is removed -- per-rule and total counts minus the
enter events matching the rule's macro-expanded condition (../shared/bench/falco_expand.py),
counted with sysdig 0.29.3 (which still shows enter events); expected output lines minus the
lines stamped with an enter event's time. Such cases are reported as "PASS(head)" and counted
separately; nothing else is adjusted.
"""
import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

PRIOS = ["Emergency", "Alert", "Critical", "Error", "Warning", "Notice", "Informational", "Debug"]
TEXT_ALERT = re.compile(r"^(\d\d:\d\d:\d\d\.\d{9}|\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}\+0000): "
                        r"(Emergency|Alert|Critical|Error|Warning|Notice|Informational|Debug) (.*)$")


def b(v):
    return "true" if v else "false"


def build_cmd(case, frc, compat, tmp):
    """Command line, extra environment and the temp-file substitutions of one case."""
    o = case["options"]
    src = case["source"]
    p = lambda rel: os.path.join(compat, rel)
    rules = ["-r", p(case["rules_dir"])] if case.get("rules_dir") else \
        [x for f in case["rules_files"] for x in ("-r", p(f))]
    trace = p(case["trace_file"])
    temp_file = os.path.join(tmp, "temp_file.txt")
    env = dict(o.get("env") or {})
    if src == "falco_regression":
        cmd = [frc, "replay"]
        if o.get("config_file"):
            cmd += ["-c", p(o["config_file"])]
        cmd += rules + ["-e", trace]
        cmd += ["-o", "json_output=" + b(o.get("json_output", False))]
        cmd += ["-o", "json_include_output_property=" + b(o.get("json_include_output_property", True))]
        cmd += ["-o", "json_include_tags_property=" + b(o.get("json_include_tags_property", True))]
        cmd += ["-o", "priority=" + o.get("min_priority", "debug")]
        if o.get("time_format_iso_8601"):
            cmd += ["-o", "time_format_iso_8601=true"]
        for d in o.get("disabled_rules", []):
            cmd += ["-D", d]
        for t in o.get("disabled_tags", []):
            cmd += ["-T", t]
        for t in o.get("enabled_tags", []):
            cmd += ["-t", t]
        if o.get("all_events"):
            cmd += ["-A"]
        cmd += ["-v"]
    elif src == "testing_legacy":
        cmd = [frc, "replay"]
        base = list(o.get("baseline_args", []))
        i = 0
        while i < len(base):
            if base[i] == "-c" and i + 1 < len(base):
                cfg = o.get("config_file")
                cmd += ["-c", p(cfg) if cfg else p("config/falco.yaml")]
                i += 2
                continue
            cmd.append(base[i])
            i += 1
        if "-c" not in cmd and o.get("config_file"):
            cmd += ["-c", p(o["config_file"])]
        cmd += rules
        cmd += ["-o", "engine.kind=replay", "-o", "engine.replay.capture_file=" + trace]
        if "json_output" in o:
            cmd += ["-o", "json_output=" + b(o["json_output"])]
        for k in ("json_include_output_property", "json_include_tags_property", "time_format_iso_8601"):
            if k in o:
                cmd += ["-o", "%s=%s" % (k, b(o[k]))]
        if "min_priority" in o:
            cmd += ["-o", "priority=" + o["min_priority"]]
        for d in o.get("disabled_rules", []):
            cmd += ["-o", "rules[].disable.rule=" + d]
        for t in o.get("disabled_tags", []):
            cmd += ["-o", "rules[].disable.tag=" + t]
        if o.get("enabled_tags"):
            cmd += ["-o", "rules[].disable.rule=*"]
            for t in o["enabled_tags"]:
                cmd += ["-o", "rules[].enable.tag=" + t]
        if o.get("all_events"):
            cmd += ["-o", "base_syscalls.all=true"]
    else:
        return None, None, None
    for a in o.get("extra_args", []):
        cmd.append(a.replace("<TEMP_FILE>", temp_file))
    return cmd, env, temp_file


def parse_alerts(stdout, json_mode):
    """[(rule or None, priority, internal)] for every alert printed on stdout."""
    out = []
    for line in stdout.splitlines():
        if json_mode:
            try:
                obj = json.loads(line)
            except ValueError:
                continue
            if isinstance(obj, dict) and "rule" in obj and "priority" in obj:
                internal = obj.get("source") == "internal" or str(obj["rule"]).startswith("Falco internal:")
                out.append((obj["rule"], obj["priority"], internal))
            continue
        m = TEXT_ALERT.match(line)
        if m:
            out.append((None, m.group(2), m.group(3).startswith("Falco internal:")))
    return out


def parse_summary(stderr):
    """frc's end-of-run summary: (total or None, {rule: count})."""
    total, rules = None, {}
    m = re.search(r"^Events detected: (\d+)$", stderr, re.M)
    if m:
        total = int(m.group(1))
    m = re.search(r"^Triggered rules by rule name:\n((?:   .*\n?)*)", stderr, re.M)
    if m:
        for line in m.group(1).splitlines():
            name, _, cnt = line[3:].rpartition(": ")
            if name:
                rules[name] = int(cnt)
    return total, rules


class HeadAdjust:
    """HEAD's expectation of a case: the upstream one without the alerts of enter events."""

    def __init__(self, case, compat):
        self.case = case
        self.compat = compat
        self.trace = os.path.join(compat, case["trace_file"])
        self._conds = None
        self._enter_ts = None
        self.notes = []

    def _run(self, cmd):
        p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=120,
                           env=dict(os.environ, TZ="UTC"))
        if p.returncode != 0:
            raise RuntimeError("%s: %s" % (cmd[0], p.stderr.decode(errors="replace").strip()[-300:]))
        return p.stdout.decode("utf-8", "replace")

    def conditions(self):
        if self._conds is None:
            files = [os.path.join(self.compat, f) for f in self.case["rules_files"]]
            out = self._run([sys.executable, os.path.join(self.compat, "..", "bench", "falco_expand.py")] + files)
            self._conds = dict(l.split("\t", 1) for l in out.splitlines() if "\t" in l)
        return self._conds

    def enter_matches(self, cond):
        out = self._run(["sysdig", "-r", self.trace, "-p", "%evt.num", "(%s) and evt.dir='>'" % cond])
        return len(out.splitlines())

    def enter_times(self):
        if self._enter_ts is None:
            out = self._run(["sysdig", "-r", self.trace, "-p", "%evt.time.iso8601 %evt.time", "evt.dir='>'"])
            self._enter_ts = set()
            for line in out.splitlines():
                self._enter_ts.update(line.split())
        return self._enter_ts

    def expect(self):
        e = json.loads(json.dumps(self.case["expect"]))
        conds = self.conditions()
        removed = {}
        if "detections_by_rule" in e:
            for rule, want in e["detections_by_rule"].items():
                if want and rule in conds:
                    k = self.enter_matches(conds[rule])
                    if k:
                        removed[rule] = k
                        e["detections_by_rule"][rule] = want - k
        if "detections_total" in e and e["detections_total"]["op"] == "==" and e["detections_total"]["value"]:
            if removed:
                total = sum(removed.values())
            else:
                total = self.enter_matches(" or ".join("(%s)" % c for c in conds.values())) if conds else 0
            e["detections_total"]["value"] -= total
        self.notes = ["%s: -%d enter-event alerts" % (r, k) for r, k in removed.items()]
        return e

    def lines(self, lines):
        ts = self.enter_times()
        kept = [l for l in lines if l.split(": ", 1)[0] not in ts]
        if len(kept) != len(lines):
            self.notes.append("%d expected lines of enter events dropped" % (len(lines) - len(kept)))
        return kept


def prio_matches(want, got):
    return want.lower() in got.lower()


def check(case, rc, stdout, stderr, tmp, temp_file, compat, head=None):
    e = head.expect() if head else case["expect"]
    adj = head.lines if head else (lambda ls: ls)
    o = case["options"]
    errs = []
    json_mode = bool(o.get("json_output"))
    alerts = [a for a in parse_alerts(stdout, json_mode) if not a[2]]
    n = len(alerts)
    if "exit_status" in e and rc != e["exit_status"]:
        errs.append("exit status %d, expected %d" % (rc, e["exit_status"]))
    if "process_error" in e and (rc != 0) != e["process_error"]:
        errs.append("process_error %s, expected %s" % (rc != 0, e["process_error"]))
    if "detections_total" in e:
        op, v = e["detections_total"]["op"], e["detections_total"]["value"]
        ok = n > v if op == ">" else n == v if op == "==" else None
        if ok is None:
            errs.append("unknown detections_total op %r" % op)
        elif not ok:
            errs.append("%d detections, expected %s %d" % (n, op, v))
    for lvl in e.get("detect_levels", []):
        if not any(prio_matches(lvl, a[1]) for a in alerts):
            errs.append("no alert with priority %s" % lvl)
    for lvl in e.get("detect_levels_absent", []):
        if any(prio_matches(lvl, a[1]) for a in alerts):
            errs.append("an alert has priority %s" % lvl)
    if "detections_by_rule" in e:
        if json_mode:
            counts = {}
            for r, _, _ in alerts:
                counts[r] = counts.get(r, 0) + 1
        else:
            total, counts = parse_summary(stderr)
            if total is None:
                errs.append("no end-of-run summary on stderr (per-rule counts of a text run)")
            elif total != n:
                errs.append("summary says %d alerts, stdout has %d" % (total, n))
        for rule, want in e["detections_by_rule"].items():
            got = counts.get(rule, 0)
            if got != want:
                errs.append("rule %r: %d detections, expected %d" % (rule, got, want))
    for rx in e.get("stdout_contains_regex", []):
        if not re.search(rx, stdout):
            errs.append("stdout does not match /%s/" % rx)
    for rx in e.get("stdout_not_contains_regex", []):
        if re.search(rx, stdout):
            errs.append("stdout matches /%s/" % rx)
    for rx in e.get("stderr_contains_regex", []):
        if not re.search(rx, stderr):
            errs.append("stderr does not match /%s/" % rx)
    for rx in e.get("stderr_not_contains_regex", []):
        if re.search(rx, stderr):
            errs.append("stderr matches /%s/" % rx)
    for spec in e.get("output_contains_lines_in_order", []):
        want = adj(open(os.path.join(compat, spec["expected_file"])).read().splitlines())
        if spec["actual"] == "stdout":
            have = stdout.splitlines()
        elif os.path.exists(spec["actual"]):
            have = open(spec["actual"], errors="replace").read().splitlines()
        else:
            errs.append("output file %s was not written" % spec["actual"])
            continue
        i = 0
        for line in have:
            if i < len(want) and line == want[i]:
                i += 1
        if i < len(want):
            errs.append("%s lacks expected line %d in order: %r" % (spec["actual"], i + 1, want[i]))
    for spec in e.get("output_contains_lines", []):
        want = adj(open(os.path.join(compat, spec["expected_file"])).read().splitlines())
        have = set((stdout if spec["actual"] == "stdout" else open(spec["actual"]).read()).splitlines())
        for line in want:
            if line not in have:
                errs.append("%s lacks line %r" % (spec["actual"], line))
                break
    for spec in e.get("output_file_equals", []):
        want = "\n".join(adj(open(os.path.join(compat, spec["expected_file"])).read().splitlines()))
        path = temp_file if spec["actual"] == "file_output.filename" else spec["actual"]
        if not os.path.exists(path):
            errs.append("output file %s was not written" % spec["actual"])
            continue
        have = open(path, errors="replace").read()
        if have.rstrip("\n") != want.rstrip("\n"):
            errs.append("output file %s differs from %s" % (spec["actual"], spec["expected_file"]))
    known = {"exit_status", "process_error", "detections_total", "detect_levels", "detect_levels_absent",
             "detections_by_rule", "stdout_contains_regex", "stdout_not_contains_regex",
             "stderr_contains_regex", "stderr_not_contains_regex", "output_contains_lines_in_order",
             "output_contains_lines", "output_file_equals"}
    for k in e:
        if k not in known:
            errs.append("expectation %r is not implemented by the runner" % k)
    return errs


def output_paths(case):
    """Absolute output files the case's config writes (they are reset before the run)."""
    paths = []
    for spec in case["expect"].get("output_contains_lines_in_order", []):
        if spec["actual"] != "stdout":
            paths.append(spec["actual"])
    return paths


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--frc", required=True)
    ap.add_argument("--compat", required=True)
    ap.add_argument("--only", default="", help="regex on case ids")
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("--timeout", type=float, default=120)
    a = ap.parse_args()
    compat = os.path.abspath(a.compat)
    frc = os.path.abspath(a.frc)
    cases = [json.loads(l) for l in open(os.path.join(compat, "manifest.jsonl")) if l.strip()]
    cases = [c for c in cases if c["mode"] == "run" and re.search(a.only, c["id"])]
    passed = failed = skipped = head_passed = 0
    for case in cases:
        cid = case["id"]
        if not case.get("trace_present") or not case.get("trace_file") or \
                not os.path.exists(os.path.join(compat, case["trace_file"])):
            print("SKIP %s: capture %s not available" % (cid, case.get("trace_file")))
            skipped += 1
            continue
        tmp = tempfile.mkdtemp(prefix="frc-compat-")
        try:
            cmd, extra_env, temp_file = build_cmd(case, frc, compat, tmp)
            if cmd is None:
                print("SKIP %s: unknown suite %s" % (cid, case["source"]))
                skipped += 1
                continue
            for path in output_paths(case):
                os.makedirs(os.path.dirname(path), exist_ok=True)
                if os.path.exists(path):
                    os.unlink(path)
            env = dict(os.environ)
            env.update(extra_env)
            try:
                p = subprocess.run(cmd, cwd=tmp, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                                   timeout=a.timeout)
            except subprocess.TimeoutExpired:
                print("FAIL %s: timed out after %gs\n    cmd: %s" % (cid, a.timeout, " ".join(cmd)))
                failed += 1
                continue
            stdout = p.stdout.decode("utf-8", "replace")
            stderr = p.stderr.decode("utf-8", "replace")
            errs = check(case, p.returncode, stdout, stderr, tmp, temp_file, compat)
            if errs and shutil.which("sysdig"):
                head = HeadAdjust(case, compat)
                try:
                    herrs = check(case, p.returncode, stdout, stderr, tmp, temp_file, compat, head)
                except (RuntimeError, OSError, ValueError) as ex:
                    herrs = ["HEAD adjustment impossible: %s" % ex]
                if not herrs and head.notes:
                    passed += 1
                    head_passed += 1
                    print("PASS(head) %s: as recorded: %s; HEAD expectation (%s) holds" %
                          (cid, "; ".join(errs), "; ".join(head.notes)))
                    continue
            if errs:
                failed += 1
                print("FAIL %s: %s" % (cid, "; ".join(errs)))
                print("    cmd: %s" % " ".join(cmd))
                if a.verbose:
                    print("    stdout: %s" % stdout[-2000:].replace("\n", "\n            "))
                    print("    stderr: %s" % stderr[-2000:].replace("\n", "\n            "))
            else:
                passed += 1
                print("PASS %s" % cid)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    print("(%d of the passed cases against the HEAD-adjusted expectation, see --help)" % head_passed)
    print("RESULT: %d passed, %d failed, %d skipped" % (passed, failed, skipped))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
