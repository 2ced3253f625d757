#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
#
# Configuration tests: what a Falco user's falco.yaml and -o overrides turn into in frc.
#
# The configurations are Falco's current stock falco.yaml (../shared/compat/config) and the
# older test configurations of Falco's regression suites (../shared/compat/testing_legacy/confs,
# ../shared/compat/falco_regression/confs), read in place.
#
#  dump:      `frc run --dump-config` (and `frc replay --dump-config`, which must agree) for
#             every file: the document is the file's content; then the same with a dozen -o
#             overrides (scalars, nested keys, list index, list append `key[]=`, `{...}` object
#             values, escaped dots, unknown keys, later -o wins) and the whole effective
#             document compared with the file's content plus exactly those edits (Falco's
#             yaml_helper semantics). Files Falco rejects must be rejected with Falco's message.
#  effective: `frc replay` of a real capture with each configuration plus overrides that
#             select the rules (rules_files / rules_file by index, a rules folder), the
#             priority threshold, rule selection (`rules[]={disable: ...}`), JSON output to a
#             file, text output with ISO 8601 times to a program: the alerts must follow.
#  merge:     config_files (from the file and from -o config_files=...), Falco's append /
#             override / add-only strategies, ${ENV} expansion in files but not in -o values.
#  errors:    malformed YAML -> `file:line:col: ...` and exit status 1 (run, replay, dry run);
#             bad -o syntax, missing file, semantic errors; unknown keys only warn (exit 0).
#  daemon:    `frc run -c falco.yaml` (stock) as root with overrides that keep it
#             self-contained: it starts, detects scripted actions and behaves as configured
#             (JSON to the configured file, priority threshold, web server address/port,
#             config_files merged, append_output extra fields, stdout off); then the same
#             with two older configurations (rules_file, legacy keys, text output).
#
# Without ../shared everything here is skipped (counted as skipped). Every wait is bounded;
# every process started here is stopped here. Last line: "RESULT: N passed, M failed, K skipped".
import argparse
import copy
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

import yaml   # python3-yaml (DEB_PKGS)
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from frc_live import (Results, die_with_parent, free_port, http_get,  # noqa: E402
                      read_json_lines, stop_process, waiter)

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
COMPAT = os.path.normpath(os.path.join(ROOT, "..", "shared", "compat"))
STOCK = os.path.join(COMPAT, "config", "falco.yaml")
TRACE = os.path.join(COMPAT, "traces", "cat_write.scap")
RULES1 = os.path.join(COMPAT, "falco_regression", "rules", "single_rule.yaml")
RULES2 = os.path.join(COMPAT, "falco_regression", "rules", "double_rule.yaml")

R = Results(pass_detail=False, detail_limit=1500)
check, skip = R.check, R.skip
wait_for = waiter(timeout=30.0, step=0.05)


def config_files():
    """(label, path) of every configuration under test, stock first"""
    out = [("stock", STOCK)]
    for suite in ("testing_legacy", "falco_regression"):
        d = os.path.join(COMPAT, suite, "confs")
        for f in sorted(os.listdir(d)):
            if f.endswith(".yaml"):
                out.append((f"{suite}/{f}", os.path.join(d, f)))
    return out


# Files Falco rejects, with the text of its error (../shared/compat/manifest.jsonl cases
# monitor_syscall_drops_ignore_and_log and monitor_syscall_drops_threshold_oor).
REJECTED = {
    "drops_ignore_log.yaml": 'syscall event drop action "log" does not make sense with the "ignore" action',
    "drops_threshold_oor.yaml": "syscall event drops threshold must be a double in the range [0, 1]",
}


# ------------------------------------------------------------------ value comparison

def canon(v):
    """A YAML value as Falco's yaml-cpp would compare it: scalars by their meaning (".1" and
    0.1 are the same number, "true" and True the same boolean), maps and lists structurally."""
    if isinstance(v, dict):
        return {str(k): canon(x) for k, x in v.items()}
    if isinstance(v, list):
        return [canon(x) for x in v]
    if v is None:
        return None
    if isinstance(v, bool):
        return "bool:" + ("true" if v else "false")
    if isinstance(v, (int, float)):
        return "num:" + repr(float(v))
    s = str(v)
    if s.lower() in ("true", "false"):
        return "bool:" + s.lower()
    try:
        return "num:" + repr(float(s))
    except ValueError:
        return "str:" + s


def diff(a, b, path="$"):
    """first few differences between two canon() values"""
    out = []
    if isinstance(a, dict) and isinstance(b, dict):
        for k in sorted(set(a) | set(b)):
            if k not in a:
                out.append(f"{path}.{k}: only in frc's dump")
            elif k not in b:
                out.append(f"{path}.{k}: missing from frc's dump")
            else:
                out += diff(a[k], b[k], f"{path}.{k}")
    elif isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for i, (x, y) in enumerate(zip(a, b)):
            out += diff(x, y, f"{path}[{i}]")
    elif a != b:
        out.append(f"{path}: expected {a!r}, frc has {b!r}")
    return out[:6]


# ------------------------------------------------------------------ running frc

class Frc:
    def __init__(self, build):
        self.exe = os.path.abspath(os.path.join(build, "frc"))

    def run(self, args, env=None, timeout=120, cwd=None):
        e = dict(os.environ)
        if env:
            e.update(env)
        return subprocess.run([self.exe, *args], capture_output=True, text=True,
                              timeout=timeout, env=e, cwd=cwd)

    def dump(self, cmd, conf, overrides, env=None):
        """(rc, parsed JSON or None, stderr) of `frc CMD -c CONF -o ... --dump-config`"""
        args = [cmd]
        if conf:
            args += ["-c", conf]
        for o in overrides:
            args += ["-o", o]
        args.append("--dump-config")
        if cmd == "replay":
            args.append(TRACE)
        r = self.run(args, env=env)
        try:
            doc = json.loads(r.stdout) if r.returncode == 0 else None
        except ValueError:
            doc = None
        return r.returncode, doc, r.stderr


# ------------------------------------------------------------------ part 1: dump

def dump_tests(frc, tmp):
    for label, path in config_files():
        base_name = os.path.basename(path)
        rc, doc, err = frc.dump("run", path, [])
        if base_name in REJECTED:
            check(f"dump {label}: rejected like Falco (exit 1, Falco's message)",
                  rc == 1 and REJECTED[base_name] in err and path in err, (rc, err[-400:]))
            rc2, _, err2 = frc.dump("replay", path, [])
            check(f"dump {label}: replay rejects it too", rc2 == 1 and REJECTED[base_name] in err2,
                  (rc2, err2[-300:]))
            continue
        if not check(f"dump {label}: loads (exit 0, JSON)", rc == 0 and isinstance(doc, dict),
                     (rc, err[-400:])):
            continue
        with open(path) as f:
            want = yaml.safe_load(f)
        check(f"dump {label}: the document is the file's content",
              canon(want) == canon(doc), diff(canon(want), canon(doc)))
        rc2, doc2, _ = frc.dump("replay", path, [])
        check(f"dump {label}: frc replay --dump-config agrees", rc2 == 0 and doc2 == doc)

        # -- overrides, each with the edit Falco's yaml_helper makes
        exp = copy.deepcopy(doc)
        ovr = []

        def edit(o, fn):
            ovr.append(o)
            fn(exp)

        def sub(d, k):
            if not isinstance(d.get(k), dict):
                d[k] = {}
            return d[k]
        alerts = os.path.join(tmp, "alerts.json")
        edit("priority=error", lambda d: d.__setitem__("priority", "error"))
        edit("json_output=true", lambda d: d.__setitem__("json_output", True))
        edit("file_output.enabled=true", lambda d: sub(d, "file_output").__setitem__("enabled", True))
        edit(f"file_output.filename={alerts}",
             lambda d: sub(d, "file_output").__setitem__("filename", alerts))
        edit("webserver.listen_port=18765",
             lambda d: sub(d, "webserver").__setitem__("listen_port", 18765))
        edit("http_output.url=http://127.0.0.1:9/falco?a=b=c",
             lambda d: sub(d, "http_output").__setitem__("url", "http://127.0.0.1:9/falco?a=b=c"))
        edit("metrics.interval=15s", lambda d: sub(d, "metrics").__setitem__("interval", "15s"))
        # the rules key the file uses (rules_file in the older configurations): append a
        # file to a list; setting the other key as well is an error (tested below)
        rk = "rules_file" if "rules_file" in doc else "rules_files"
        extra_rules = os.path.join(tmp, "extra_rules.yaml")
        if isinstance(doc.get(rk), list) or rk not in doc:
            edit(f"{rk}[]={extra_rules}", lambda d: d.setdefault(rk, []).append(extra_rules))
        acts = doc.get("syscall_event_drops", {}).get("actions") \
            if isinstance(doc.get("syscall_event_drops"), dict) else None
        if isinstance(acts, list) and acts:
            edit("syscall_event_drops.actions[0]=alert",
                 lambda d: d["syscall_event_drops"]["actions"].__setitem__(0, "alert"))
        edit('append_output[]={"extra_fields": ["proc.env"]}',
             lambda d: d.setdefault("append_output", []).append({"extra_fields": ["proc.env"]}))
        edit('rules[]={disable: {rule: "open_*"}}',
             lambda d: d.setdefault("rules", []).append({"disable": {"rule": "open_*"}}))
        edit("frc_test_unknown.nested[0].key=1",
             lambda d: d.__setitem__("frc_test_unknown", {"nested": [{"key": 1}]}))
        edit(r"frc\.test\.dotted=v", lambda d: d.__setitem__("frc.test.dotted", "v"))
        edit("engine.modern_ebpf.buf_size_preset=6",
             lambda d: sub(sub(d, "engine"), "modern_ebpf").__setitem__("buf_size_preset", 6))
        edit("priority=notice", lambda d: d.__setitem__("priority", "notice"))   # later -o wins
        edit("log_stderr=true", lambda d: d.__setitem__("log_stderr", True))
        rc, got, err = frc.dump("run", path, ovr)
        if check(f"dump {label}: with {len(ovr)} -o overrides loads", rc == 0 and got,
                 (rc, err[-400:])):
            check(f"dump {label}: effective document = file + the overrides",
                  canon(exp) == canon(got), diff(canon(exp), canon(got)))
            check(f"dump {label}: unknown keys only warn, naming the key",
                  "frc_test_unknown" in err and "frc.test.dotted" in err, err[-600:])
            rc2, got2, _ = frc.dump("replay", path, ovr)
            check(f"dump {label}: replay applies the same overrides", rc2 == 0 and got2 == got)

        # -- both rules_file and rules_files: Falco refuses
        other = "rules_files" if rk == "rules_file" else "rules_file"
        rc, _, err = frc.dump("run", path, [f"{other}[]={extra_rules}"] +
                              ([] if rk in doc else [f"{rk}[]={extra_rules}"]))
        check(f"dump {label}: rules_file and rules_files both set is an error",
              rc == 1 and "both 'rules_files' and 'rules_file' keys set" in err, (rc, err[-300:]))
        if isinstance(doc.get(rk), str):
            rc, _, err = frc.dump("run", path, [f"{rk}[]={extra_rules}"])
            check(f"dump {label}: appending to the scalar {rk} is a config error",
                  rc == 1 and f'Config error at key "{rk}[]"' in err, (rc, err[-300:]))


# ------------------------------------------------------------------ part 2: effective

def alerts_of(path):
    """The JSON alerts of a file ([] while it does not exist); a bad line raises."""
    return read_json_lines(path, on_bad="raise")


def by_rule(alerts):
    n = {}
    for a in alerts:
        n[a["rule"]] = n.get(a["rule"], 0) + 1
    return n


ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}[+-]\d{4}: ")


def effective_tests(frc, tmp):
    # a rules folder (Falco reads *.yaml of a folder in name order): single_rule.yaml
    # defines the is_cat macro double_rule.yaml uses
    rdir = os.path.join(tmp, "rules.d")
    os.makedirs(rdir, exist_ok=True)
    for name, src in (("10-single.yaml", RULES1), ("20-double.yaml", RULES2)):
        if not os.path.exists(os.path.join(rdir, name)):
            os.symlink(src, os.path.join(rdir, name))
    with open(os.path.join(rdir, "30-ignored.txt"), "w") as f:
        f.write("not yaml: [\n")   # not *.yaml: never read
    all_rules = {"open_from_cat": 4, "exec_from_cat": 1, "access_from_cat": 3}
    for label, path in config_files():
        if os.path.basename(path) in REJECTED:
            continue
        with open(path) as f:
            doc = yaml.safe_load(f)
        rk = "rules_file" if "rules_file" in doc else "rules_files"
        out = os.path.join(tmp, "effective.json")
        if os.path.exists(out):
            os.unlink(out)
        common = ["syscall_event_drops.simulate_drops=false",   # the drops_* files simulate drops
                  "stdout_output.enabled=false", "syslog_output.enabled=false",
                  "program_output.enabled=false", "log_syslog=false", "log_stderr=true"]
        # 1. the rules by list index (a missing entry is skipped, as Falco does), JSON to a
        #    file, priority threshold warning, one rule disabled by the rules: selection
        if isinstance(doc.get(rk), str):
            sel = [f"{rk}={rdir}"]
        else:
            sel = [f"{rk}[0]={RULES1}", f"{rk}[1]={RULES2}", f"{rk}[2]={tmp}/missing.yaml"]
        ovr = common + sel + ["json_output=true", "file_output.enabled=true",
                              f"file_output.filename={out}", "priority=warning",
                              'rules[]={"disable": {"rule": "exec_from_cat"}}']
        args = ["replay", "-c", path]
        for o in ovr:
            args += ["-o", o]
        r = frc.run(args + [TRACE])
        al = alerts_of(out)
        check(f"effective {label}: replay exit 0", r.returncode == 0, r.stderr[-500:])
        check(f"effective {label}: JSON alerts in file_output.filename, nothing on stdout",
              al and all({"output", "priority", "rule", "time", "output_fields", "source",
                          "hostname"} <= set(a) for a in al) and not r.stdout.strip(),
              (len(al), r.stdout[:200]))
        check(f"effective {label}: priority threshold and rules selection applied",
              by_rule(al) == {"open_from_cat": 4}, by_rule(al))
        check(f"effective {label}: rule files named in the log",
              RULES2 in r.stderr or rdir in r.stderr or "20-double.yaml" in r.stderr,
              r.stderr[-400:])
        # 2. the same folder for the whole key, text output with ISO 8601 times to a
        #    program, every priority
        os.unlink(out) if os.path.exists(out) else None
        prog_out = os.path.join(tmp, "program.txt")
        if os.path.exists(prog_out):
            os.unlink(prog_out)
        ovr = common[:2] + ["syslog_output.enabled=false", "log_syslog=false",
                            "file_output.enabled=false", f"{rk}={rdir}", "priority=debug",
                            "json_output=false", "time_format_iso_8601=true",
                            "program_output.enabled=true",
                            f"program_output.program=cat >> {prog_out}"]
        args = ["replay", "-c", path]
        for o in ovr:
            args += ["-o", o]
        r = frc.run(args + [TRACE])
        lines = open(prog_out).read().splitlines() if os.path.exists(prog_out) else []
        check(f"effective {label}: text alerts through program_output, ISO 8601 times",
              r.returncode == 0 and len(lines) == 8 and all(ISO.match(l) for l in lines),
              (r.returncode, lines[:2], r.stderr[-300:]))
        got = {k: sum(1 for l in lines if t in l) for k, t in
               (("open_from_cat", "An open was seen"), ("exec_from_cat", "An exec was seen"),
                ("access_from_cat", "An access was seen"))}
        check(f"effective {label}: priority=debug and a rules folder give every rule",
              got == all_rules, got)


def boolean_tests(frc, tmp):
    """yaml-cpp's boolean spellings (Falco reads values with yaml-cpp's as<bool>): the
    effective json_output follows them; anything else warns and keeps the default."""
    for v, js in (("True", True), ("on", True), ("YES", True), ("y", True), ("TRUE", True),
                  ("false", False), ("Off", False), ("n", False),
                  ("1", None), ("tRue", None), ("enabled", None)):
        r = frc.run(["replay", "-c", STOCK, "-o", f"rules_files[0]={RULES1}",
                     "-o", "syslog_output.enabled=false", "-o", "log_syslog=false",
                     "-o", f"json_output={v}", TRACE])
        first = (r.stdout.splitlines() or [""])[0]
        is_json = first.startswith("{")
        if js is None:
            check(f"effective: json_output={v} is not a yaml-cpp boolean: warning, default false",
                  r.returncode == 0 and not is_json and "Warning An open was seen" in first
                  and f"-o json_output={v}: 'json_output' is not a boolean" in r.stderr,
                  (first[:80], r.stderr[-300:]))
        else:
            check(f"effective: json_output={v} is {js}", r.returncode == 0 and is_json == js
                  and "An open was seen" in first, first[:80])


# ------------------------------------------------------------------ part 3: merge, env

def merge_tests(frc, tmp):
    d = os.path.join(tmp, "merge")
    os.makedirs(os.path.join(d, "conf.d"), exist_ok=True)

    def w(name, text):
        p = os.path.join(d, name)
        with open(p, "w") as f:
            f.write(text)
        return p
    w("conf.d/10-append.yaml", "rules_files: [/opt/extra_rules.yaml]\n"
                               "webserver:\n  listen_port: 1234\n"
                               "json_output: true\n")
    w("conf.d/20-local.conf", "buffered_outputs: true\n")   # Falco reads every file of a folder
    w("override.yaml", "append_output:\n  - extra_output: over\n")
    w("addonly.yaml", "priority: critical\nbuffered_outputs: true\n")
    rc, base, err = frc.dump("run", STOCK, [])
    rc, got, err = frc.dump("run", STOCK, [f"config_files[0]={d}/conf.d"])
    if check("merge: -o config_files=<folder> (before the merge, as Falco)", rc == 0 and got,
             err[-300:]):
        check("merge: append strategy appends lists, replaces maps and scalars",
              got["rules_files"] == base["rules_files"] + ["/opt/extra_rules.yaml"]
              and got["webserver"] == {"listen_port": 1234} and got["json_output"] is True,
              (got.get("rules_files"), got.get("webserver"), got.get("json_output")))
        check("merge: every regular file of the folder, in name order (Falco)",
              got["buffered_outputs"] is True, got.get("buffered_outputs"))
    broken = w("conf.d/30-broken.yaml", "json_output: true\npriority: [debug\n")
    r = frc.run(["run", "-c", STOCK, "-o", f"config_files[0]={d}/conf.d", "--dry-run"])
    check("merge: a malformed included file: exit 1 with its file:line:col",
          r.returncode == 1 and re.search(re.escape(broken) + r":3:1: ", r.stderr), r.stderr[-300:])
    os.unlink(broken)
    main = w("main.yaml",
             "config_files:\n"
             f"  - path: {d}/override.yaml\n    strategy: override\n"
             f"  - path: {d}/addonly.yaml\n    strategy: add-only\n"
             f"  - {d}/does-not-exist.yaml\n"
             "append_output:\n  - suggested_output: true\n"
             "priority: warning\n"
             "file_output:\n  enabled: false\n  filename: ${FRC_CFGTEST_DIR}/events.txt\n"
             "program_output:\n  program: \"echo $${NOT_EXPANDED} ${FRC_CFGTEST_UNSET}x\"\n")
    env = {"FRC_CFGTEST_DIR": "/var/tmp/frc-test"}
    env_o = f"http_output.url=${{FRC_CFGTEST_DIR}}/x"
    rc, got, err = frc.dump("run", main, [env_o, "priority=error"], env=env)
    if check("merge: strategies from the file (override, add-only, missing file skipped)",
             rc == 0 and got, err[-300:]):
        check("merge: override replaces the key", got["append_output"] == [{"extra_output": "over"}],
              got.get("append_output"))
        check("merge: add-only adds missing keys only, -o wins over every file",
              got["buffered_outputs"] is True and got["priority"] == "error",
              (got.get("buffered_outputs"), got.get("priority")))
        check("merge: ${ENV} expanded in files, $${x} is a literal ${x}, unset is empty",
              got["file_output"]["filename"] == "/var/tmp/frc-test/events.txt"
              and got["program_output"]["program"] == "echo ${NOT_EXPANDED} x",
              (got["file_output"], got["program_output"]))
        check("merge: -o values are not expanded (Falco expands files only)",
              got["http_output"]["url"] == "${FRC_CFGTEST_DIR}/x", got.get("http_output"))
    rec = w("recursive.yaml", f"config_files: [{d}/recursive.yaml]\n")
    r = frc.run(["run", "-c", rec, "--dry-run"])
    check("merge: a file including itself is an error",
          r.returncode == 1 and "recursively include main config file" in r.stderr, r.stderr[-300:])
    w("nested.yaml", f"config_files: [{d}/addonly.yaml]\n")
    inc = w("includes_nested.yaml", f"config_files: [{d}/nested.yaml]\n")
    r = frc.run(["run", "-c", inc, "--dry-run"])
    check("merge: config_files inside an included file is an error (Falco)",
          r.returncode == 1 and "'config_files' directive in included config file" in r.stderr,
          r.stderr[-300:])


# ------------------------------------------------------------------ part 4: errors

MALFORMED = [
    # name, text, (line, col) of the error as libyaml reports it
    ("bad_indent.yaml", "json_output: true\nfile_output:\n  enabled: true\n   filename: x\n", 4),
    ("unterminated.yaml", "priority: debug\njson_output: \"unterminated\nlog_level: info\n", 4),
    ("flow.yaml", "rules_files: [a.yaml, b.yaml\npriority: debug\n", 2),
    ("tab.yaml", "json_output: true\n\tpriority: debug\n", 2),
    ("dup_colon.yaml", "webserver:\n  enabled: true\n  listen_port: 8765: 1\n", 3),
]


def error_tests(frc, tmp):
    d = os.path.join(tmp, "errors")
    os.makedirs(d, exist_ok=True)
    for name, text, line in MALFORMED:
        p = os.path.join(d, name)
        with open(p, "w") as f:
            f.write(text)
        for mode in (["run", "--dry-run"], ["run", "--dump-config"], ["replay", TRACE]):
            r = frc.run([mode[0], "-c", p, *mode[1:]])
            m = re.search(re.escape(p) + r":(\d+):(\d+): \S", r.stderr)
            check(f"errors: {name} ({' '.join(m_ for m_ in mode if m_ != TRACE)}): "
                  f"exit 1 with {name}:{line}:col",
                  r.returncode == 1 and m and int(m.group(1)) == line and int(m.group(2)) >= 1
                  and not r.stdout.strip(), (r.returncode, r.stderr[-300:]))
        # the daemon itself (no --dry-run) stops at the configuration, before needing root
        r = frc.run(["run", "-c", p, "-M", "1"])
        check(f"errors: {name}: frc run exits 1 before starting",
              r.returncode == 1 and f"{p}:{line}:" in r.stderr, r.stderr[-300:])
    # not a map
    p = os.path.join(d, "list.yaml")
    with open(p, "w") as f:
        f.write("- json_output: true\n- priority: debug\n")
    r = frc.run(["run", "-c", p, "--dry-run"])
    check("errors: a document that is not a map: exit 1, file:line:col",
          r.returncode == 1 and re.search(re.escape(p) + r":1:1: ", r.stderr), r.stderr[-300:])
    # semantic errors keep Falco's text, and name where the value is
    for name, text, msg, line in (
            ("prio.yaml", "json_output: true\npriority: loud\n", 'Unknown priority "loud"', 2),
            ("thr.yaml", "syscall_event_drops:\n  threshold: 2.5\n",
             "syscall event drops threshold must be a double in the range [0, 1]", 2),
            ("interval.yaml", "metrics:\n  enabled: true\n  interval: 10 parsecs\n",
             "metrics interval '10 parsecs'", 3),
            ("loglevel.yaml", "log_level: chatty\n", "Unknown log level chatty", 1),
            ("matching.yaml", "rule_matching: some\n", 'Unknown rule matching strategy "some"', 1),
            ("engine.yaml", "engine:\n  kind: gvisor2\n", "engine.kind 'gvisor2'", 2)):
        p = os.path.join(d, name)
        with open(p, "w") as f:
            f.write(text)
        r = frc.run(["run", "-c", p, "--dry-run"])
        check(f"errors: {name}: exit 1, Falco's message at {name}:{line}:col",
              r.returncode == 1 and msg in r.stderr
              and re.search(re.escape(p) + f":{line}:\\d+: ", r.stderr), r.stderr[-300:])
    r = frc.run(["run", "-o", "priority=loud", "--dry-run"])
    check("errors: a bad -o value names the option",
          r.returncode == 1 and 'Unknown priority "loud"' in r.stderr and "-o priority=loud"
          in r.stderr, r.stderr[-300:])
    # command-line syntax
    for opt, msg in (("noequals", 'Error parsing config option "noequals". Must be of the form '
                                  'key=val or key.subkey=val'),
                     ("a..b=1", 'Config error at key "a..b"'),
                     ("list[x]=1", 'Config error at key "list[x]": ')):
        r = frc.run(["run", "-o", opt, "--dry-run"])
        check(f"errors: -o {opt}: exit 1 with Falco's message",
              r.returncode == 1 and msg in r.stderr, r.stderr[-300:])
    # entries of append_output and rules: where the bad entry is (file:line:col, or the -o)
    for name, text, msg, pos in (
            ("append_nomap.yaml", "append_output:\n  - extra_output: x\n  - 5\n",
             "append_output entry 1 is not a map", "3:5"),
            ("append_fields.yaml", "append_output:\n  - extra_fields: proc.pid\n",
             "append_output extra_fields must be a list", "2:19"),
            ("rules_entry.yaml", "rules:\n  - disable: {rule: a}\n  - enable: [x]\n",
             "rules entry 1 must be", "3:5"),
            ("rules_none.yaml", "rules:\n  - enable: {other: x}\n",
             "rules entry 0 names neither a rule nor a tag", "2:5")):
        p = os.path.join(d, name)
        with open(p, "w") as f:
            f.write(text)
        for mode in (["run", "--dry-run"], ["replay", TRACE]):
            r = frc.run([mode[0], "-c", p, "-o", f"rules_files[0]={RULES1}", *mode[1:]])
            check(f"errors: {name} ({mode[0]}): exit 1 with {name}:{pos}",
                  r.returncode == 1 and f"{p}:{pos}: " in r.stderr and msg in r.stderr,
                  (r.returncode, r.stderr[-300:]))
    for opt, msg in (('append_output[]={"extra_fields": 3}',
                      "-o append_output[0].extra_fields=3: append_output extra_fields must be "
                      "a list"),
                     ("rules[]=3", "-o rules[0]=3: rules entry 0 must be")):
        r = frc.run(["run", "-o", opt, "--dry-run"])
        check(f"errors: -o {opt}: exit 1 naming the option", r.returncode == 1 and msg in r.stderr,
              r.stderr[-300:])
    r = frc.run(["run", "-o", "outputs.rate=1", "-r", RULES1, "--dry-run"])
    check("errors: a legacy key set by -o warns naming the option (exit 0)",
          r.returncode == 0 and "-o outputs=...: configuration key 'outputs' is not used"
          in r.stderr and "(command line)" not in r.stderr, (r.returncode, r.stderr[-300:]))
    # an index past the end of a list (yaml-cpp): the list becomes a map keyed by the
    # indexes, which Falco reads as no list at all
    rc, got, err = frc.dump("run", None, [f"rules_files[0]={RULES1}", "rules_files[3]=/x.yaml"])
    check("errors: -o list[N]=x past the end turns the list into a map, as Falco",
          rc == 0 and got and got.get("rules_files") == {"0": RULES1, "3": "/x.yaml"},
          (rc, got and got.get("rules_files"), err[-300:]))
    r = frc.run(["replay", "-o", f"rules_files[0]={RULES1}", "-o", "rules_files[3]=/x.yaml",
                 TRACE])
    check("errors: ... so no rules file is configured (Falco's error, exit 1)",
          r.returncode == 1 and "You must specify at least one rules file" in r.stderr,
          (r.returncode, r.stderr[-300:]))
    r = frc.run(["run", "-c", os.path.join(d, "nope.yaml"), "--dry-run"])
    check("errors: missing -c file",
          r.returncode == 1 and "Could not find configuration file at" in r.stderr, r.stderr[-200:])
    # unknown keys and wrongly typed values: a warning with the location, not a failure
    p = os.path.join(d, "unknown.yaml")
    with open(p, "w") as f:
        f.write("json_output: true\nmy_custom_section:\n  a: 1\nwebserver:\n  bogus_key: 2\n"
                "json_include_tags_property: maybe\n")
    r = frc.run(["run", "-c", p, "-o", "log_stderr=true", "--dry-run"])
    check("errors: unknown keys accepted (exit 0)", r.returncode == 0, r.stderr[-300:])
    check("errors: unknown keys warn with file:line:col and the key",
          re.search(re.escape(p) + r":2:\d+: unknown configuration key 'my_custom_section'",
                    r.stderr)
          and re.search(re.escape(p) + r":5:\d+: unknown configuration key 'webserver.bogus_key'",
                        r.stderr), r.stderr[-500:])
    check("errors: a wrongly typed value warns with file:line:col and keeps the default",
          re.search(re.escape(p) + r":6:\d+: 'json_include_tags_property' is not a boolean",
                    r.stderr), r.stderr[-500:])
    r = frc.run(["run", "-c", p, "-o", "log_stderr=true", "--dump-config"])
    check("errors: --dump-config prints the warnings too (stderr), the JSON on stdout",
          r.returncode == 0 and "my_custom_section" in r.stderr and json.loads(r.stdout)
          .get("my_custom_section") == {"a": 1}, (r.returncode, r.stderr[-300:]))


# ------------------------------------------------------------------ part 5: daemon

NOTICE_RULE = "frc config test notice"
MARKER_RULES = f"""\
- rule: {NOTICE_RULE}
  desc: a file only this test uses was opened (Notice)
  condition: >
    evt.type in (open, openat, openat2) and evt.is_open_read=true
    and fd.name startswith /tmp/frc-cfg-notice-
  output: cfg notice marker | file=%fd.name process=%proc.name
  priority: NOTICE
  tags: [frc_config_test]
- rule: frc config test info
  desc: a file only this test uses was opened (Informational, below the threshold)
  condition: >
    evt.type in (open, openat, openat2) and evt.is_open_read=true
    and fd.name startswith /tmp/frc-cfg-info-
  output: cfg info marker | file=%fd.name process=%proc.name
  priority: INFORMATIONAL
  tags: [frc_config_test]
"""


def http_status(port, path):
    try:
        return http_get(port, path, timeout=5)[0]
    except OSError:
        return None


def start_daemon(frc, args, d, port, out_p, err_p):
    """`frc ARGS` in the directory d with its own lock file, stdout and stderr to out_p and
    err_p; waits (bounded) for /healthz on port. (process, "ok" | "exited" | None)"""
    env = dict(os.environ, FRC_LOCK_FILE=os.path.join(d, "frc.lock"))
    with open(out_p, "w") as out, open(err_p, "w") as err:
        p = subprocess.Popen([frc.exe, *args], stdout=out, stderr=err, cwd=d, env=env,
                             preexec_fn=die_with_parent)

    def up():
        if p.poll() is not None:
            return "exited"
        return "ok" if http_status(port, "/healthz") == 200 else None
    return p, wait_for(up, timeout=120, step=0.2)


def daemon_tests(frc, tmp):
    if os.geteuid() != 0:
        skip("daemon: stock falco.yaml", "needs root (eBPF probe)")
        return
    if not os.path.exists("/sys/kernel/btf/vmlinux"):
        skip("daemon: stock falco.yaml", "no kernel BTF")
        return
    upstream = os.path.join(COMPAT, "rules", "falco_rules.yaml")
    d = os.path.join(tmp, "daemon")
    os.makedirs(os.path.join(d, "config.d"), exist_ok=True)
    marker_rules = os.path.join(d, "marker_rules.yaml")
    with open(marker_rules, "w") as f:
        f.write(MARKER_RULES)
    # merged over the stock file by config_files (append strategy): ISO 8601 times
    with open(os.path.join(d, "config.d", "local.yaml"), "w") as f:
        f.write("time_format_iso_8601: true\n")
    alerts = os.path.join(d, "alerts.json")
    port = free_port()
    ovr = [f"config_files[0]={d}/config.d",
           f"rules_files[0]={upstream}", f"rules_files[1]={marker_rules}",
           f"rules_files[2]={d}/rules.d",           # does not exist: skipped, as Falco
           "json_output=true", "priority=notice",
           "stdout_output.enabled=false", "syslog_output.enabled=false", "log_syslog=false",
           "file_output.enabled=true", f"file_output.filename={alerts}",
           "webserver.listen_address=127.0.0.1", f"webserver.listen_port={port}",
           'append_output[]={"match": {"rule": "' + NOTICE_RULE + '"}, '
           '"extra_fields": ["proc.pid"]}']
    args = ["run", "-c", STOCK]
    for o in ovr:
        args += ["-o", o]
    r = frc.run(args + ["--dump-config"])
    doc = json.loads(r.stdout) if r.returncode == 0 else {}
    check("daemon: --dump-config of the daemon's command line",
          doc.get("rules_files") == [upstream, marker_rules, f"{d}/rules.d"]
          and doc.get("config_files") == [f"{d}/config.d"] and doc.get("json_output") is True
          and doc.get("time_format_iso_8601") is True and doc.get("priority") == "notice"
          and doc.get("webserver", {}).get("listen_port") == port
          and doc.get("webserver", {}).get("enabled") is True
          and doc.get("webserver", {}).get("prometheus_metrics_enabled") is False
          and doc.get("append_output", [{}])[-1].get("extra_fields") == ["proc.pid"],
          (r.returncode, r.stderr[-300:]))
    out_p, err_p = os.path.join(d, "stdout.txt"), os.path.join(d, "stderr.txt")
    p, st = start_daemon(frc, args, d, port, out_p, err_p)
    try:
        if not check("daemon: frc run -c falco.yaml starts, /healthz on the configured port",
                     st == "ok", (st, p.poll(), open(err_p).read()[-800:])):
            return
        check("daemon: /versions served, /metrics not (prometheus_metrics_enabled: false)",
              http_status(port, "/versions") == 200 and http_status(port, "/metrics") == 404)
        tag = f"{os.getpid()}-{int(time.time())}"
        info_m = f"/tmp/frc-cfg-info-{tag}"
        notice_m = f"/tmp/frc-cfg-notice-{tag}"
        for m in (info_m, notice_m):
            with open(m, "w") as f:
                f.write("x")
        try:
            with open(info_m) as f:
                f.read()
            for _ in range(3):
                with open(notice_m) as f:
                    f.read()
            subprocess.run(["cat", "/etc/shadow"], stdout=subprocess.DEVNULL, timeout=30)
        finally:
            os.unlink(info_m)
            os.unlink(notice_m)

        def parsed():
            try:
                return alerts_of(alerts)
            except ValueError:
                return []

        def notice_alerts():
            return [a for a in parsed() if a.get("rule") == NOTICE_RULE
                    and a.get("output_fields", {}).get("fd.name") == notice_m]

        def shadow():
            return [a for a in parsed() if a.get("rule") == "Read sensitive file untrusted"
                    and a.get("output_fields", {}).get("proc.name") == "cat"]
        wait_for(lambda: len(notice_alerts()) >= 3 and shadow(), timeout=60, step=0.2)
        na = notice_alerts()
        check("daemon: each scripted open alerted once, as JSON in file_output.filename",
              len(na) == 3, len(na))
        check("daemon: upstream rule from rules_files[0] fires (`cat /etc/shadow`)",
              len(shadow()) >= 1 and shadow()[0].get("priority") == "Warning")
        if na:
            a = na[0]
            check("daemon: ISO 8601 time from the config.d file in the text output",
                  re.match(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}[+-]\d{4}: Notice ",
                           a.get("output", "")), a.get("output"))
            check("daemon: append_output from -o adds proc.pid to output_fields",
                  a["output_fields"].get("proc.pid") == os.getpid(), a["output_fields"])
            check("daemon: Falco's JSON shape (priority, source, tags, hostname)",
                  a.get("priority") == "Notice" and a.get("source") == "syscall"
                  and a.get("tags") == ["frc_config_test"] and a.get("hostname"), a)
        check("daemon: priority=notice keeps the Informational rule out",
              not [a for a in parsed() if a.get("rule") == "frc config test info"])
    finally:
        if p.poll() is None:
            rc = stop_process(p, timeout=60)
            check("daemon: SIGTERM stops it with status 0", rc == 0, rc)
    outtxt = open(out_p).read()
    errtxt = open(err_p).read()
    check("daemon: stdout_output disabled: no alert on stdout",
          NOTICE_RULE not in outtxt and "cfg notice marker" not in outtxt, outtxt[-300:])
    check("daemon: the log names the merged config file and the rules files",
          os.path.join(d, "config.d", "local.yaml") in errtxt and marker_rules in errtxt
          and STOCK in errtxt, errtxt[-800:])
    check("daemon: no alert lost after stop (the 3 opens, once each)",
          len([a for a in alerts_of(alerts) if a.get("rule") == NOTICE_RULE]) == 3)
    if R.failed:
        print("INFO daemon stderr (tail):\n" + errtxt[-1500:])


LEGACY_DAEMON = [
    # (label, file, what the log must say about it)
    ("falco_regression/falco.yaml (Falco 0.35 defaults)",
     os.path.join(COMPAT, "falco_regression", "confs", "falco.yaml"),
     "configuration key 'outputs' is not used"),
    ("testing_legacy/file_output.yaml",
     os.path.join(COMPAT, "testing_legacy", "confs", "file_output.yaml"), None),
]
TEXT_ALERT = re.compile(r"^\d\d:\d\d:\d\d\.\d{9}: Notice cfg notice marker \| file=(\S+) ")


def legacy_daemon_tests(frc, tmp):
    """The daemon started with older configurations (rules_file, legacy keys, text output)."""
    if os.geteuid() != 0 or not os.path.exists("/sys/kernel/btf/vmlinux"):
        skip("daemon (older configurations)", "needs root and kernel BTF")
        return
    for n, (label, conf, logmsg) in enumerate(LEGACY_DAEMON):
        d = os.path.join(tmp, f"legacy-daemon-{n}")
        os.makedirs(d, exist_ok=True)
        marker_rules = os.path.join(d, "marker_rules.yaml")
        with open(marker_rules, "w") as f:
            f.write(MARKER_RULES)
        with open(conf) as f:
            doc = yaml.safe_load(f)
        alerts = os.path.join(d, "events.txt")
        port = free_port()
        # the file's own rules key: a list gets its first entry replaced, a scalar the value
        rsel = (f"rules_file[0]={marker_rules}" if isinstance(doc.get("rules_file"), list)
                else f"rules_file={marker_rules}")
        ovr = [rsel, "priority=notice", "stdout_output.enabled=false",
               "syslog_output.enabled=false", "log_syslog=false", "log_stderr=true",
               "file_output.enabled=true", f"file_output.filename={alerts}",
               "webserver.enabled=true", "webserver.listen_address=127.0.0.1",
               f"webserver.listen_port={port}"]
        args = ["run", "-c", conf]
        for o in ovr:
            args += ["-o", o]
        err_p = os.path.join(d, "stderr.txt")
        p, st = start_daemon(frc, args, d, port, os.path.join(d, "stdout.txt"), err_p)
        try:
            if not check(f"daemon {label}: starts (/healthz on the -o port)", st == "ok",
                         (st, open(err_p).read()[-800:])):
                continue
            tag = f"{os.getpid()}-{n}-{int(time.time())}"
            info_m, notice_m = f"/tmp/frc-cfg-info-{tag}", f"/tmp/frc-cfg-notice-{tag}"
            for m in (info_m, notice_m):
                with open(m, "w") as f:
                    f.write("x")
            try:
                for m in (info_m, notice_m, notice_m):
                    with open(m) as f:
                        f.read()
            finally:
                os.unlink(info_m)
                os.unlink(notice_m)

            def lines():
                if not os.path.exists(alerts):
                    return []
                return [l for l in open(alerts).read().split("\n") if l]
            wait_for(lambda: len([l for l in lines() if notice_m in l]) >= 2, timeout=60,
                     step=0.2)
            got = [l for l in lines() if notice_m in l]
            check(f"daemon {label}: each open alerted once, in file_output.filename",
                  len(got) == 2, lines()[-3:])
            check(f"daemon {label}: text output (json_output false in the file)",
                  got and all(TEXT_ALERT.match(l) and TEXT_ALERT.match(l).group(1) == notice_m
                              for l in got), got[:1])
            check(f"daemon {label}: priority=notice keeps the Informational rule out",
                  not [l for l in lines() if info_m in l])
        finally:
            if p.poll() is None:
                rc = stop_process(p, timeout=60)
                check(f"daemon {label}: SIGTERM stops it with status 0", rc == 0, rc)
        errtxt = open(err_p).read()
        if logmsg:
            check(f"daemon {label}: keys of older Falco versions only warn",
                  logmsg in errtxt, errtxt[-500:])
        check(f"daemon {label}: deprecated rules_file named in the log",
              "Using deprecated config key 'rules_file'" in errtxt and marker_rules in errtxt,
              errtxt[-500:])


# ------------------------------------------------------------------ main

def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default=os.environ.get("BUILD", "build"))
    ap.add_argument("--only", choices=["dump", "effective", "booleans", "merge", "errors",
                                       "daemon",
                                       "legacy_daemon"])
    a = ap.parse_args()
    os.chdir(ROOT)
    signal.alarm(900)   # a hang is a failure
    parts = {"dump": dump_tests, "effective": effective_tests, "booleans": boolean_tests,
             "merge": merge_tests,
             "errors": error_tests, "daemon": daemon_tests,
             "legacy_daemon": legacy_daemon_tests}
    frc = Frc(a.build)
    if not os.access(frc.exe, os.X_OK):
        check("frc built", False, f"{frc.exe} missing")
    elif not os.path.exists(STOCK):
        for name in parts:
            skip(f"config {name}", f"{COMPAT} is absent")
    else:
        with tempfile.TemporaryDirectory(prefix="frc-cfgtest-") as tmp:
            for name, fn in parts.items():
                if a.only and a.only != name:
                    continue
                R.guard(f"{name}: harness", fn, frc, tmp)
    return R.finish()


if __name__ == "__main__":
    sys.exit(main())
