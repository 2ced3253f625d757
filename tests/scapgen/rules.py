#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Alerts of the upstream rules on the synthesised captures, against the expected alerts.

For every capture DIR/NAME.scap with a DIR/NAME.expect.json (written by scapgen.py from the
scenario's expect() calls) and every ruleset named in it (RULESETS below):
    frc replay -r RULES... -o json_output=true NAME.scap
must print exactly the expected alerts: same event time, rule, priority and output text, no
missing and no extra alert; and for every expect_format() declaration,
    frc replay --filter COND --format FMT NAME.scap
must print exactly the expected lines (fields sysdig 0.29.3 cannot check). The expected texts were reasoned from each rule's output format
and the fields' semantics (../shared/spec/fields.md), not copied from frc.
"""
import argparse
import json
import os
import subprocess
import sys

RULES = "../shared/compat/rules"
RULESETS = {
    "falco": ["falco_rules.yaml"],
    "all": ["falco_rules.yaml", "falco-incubating_rules.yaml", "falco-sandbox_rules.yaml"],
}


def alerts(frc, rules, cap, env):
    cmd = [frc, "replay"]
    for r in rules:
        cmd += ["-r", os.path.join(RULES, r)]
    cmd += ["-o", "json_output=true", cap]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, timeout=300)
    if p.returncode != 0:
        return None, p.stderr.decode("utf-8", "replace")[-800:]
    out = []
    for line in p.stdout.decode("utf-8", "replace").splitlines():
        if not line.startswith("{"):
            continue
        a = json.loads(line)
        # "TIME: PRIORITY TEXT": the text is compared without the time and priority
        text = a["output"].split(": ", 1)[1] if ": " in a["output"] else a["output"]
        if text.startswith(a["priority"] + " "):
            text = text[len(a["priority"]) + 1:]
        out.append({"time": a["output_fields"].get("evt.time"), "rule": a["rule"],
                    "priority": a["priority"], "output": text})
    return out, ""


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--frc", required=True)
    ap.add_argument("--dir", required=True, help="directory of NAME.scap + NAME.expect.json")
    ap.add_argument("-v", "--verbose", action="store_true")
    a = ap.parse_args()
    env = dict(os.environ, TZ="UTC")
    passed = failed = 0
    for f in sorted(os.listdir(a.dir)):
        if not f.endswith(".expect.json"):
            continue
        name = f[:-len(".expect.json")]
        cap = os.path.join(a.dir, name + ".scap")
        exp = json.load(open(os.path.join(a.dir, f)))
        for i, f in enumerate(exp.pop("formats", [])):
            tag = "%s/format%d" % (name, i)
            p = subprocess.run([a.frc, "replay", "--filter", f["cond"], "--format", f["fmt"], cap],
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, timeout=300)
            got = p.stdout.decode("utf-8", "replace").splitlines()
            if p.returncode == 0 and got == f["lines"]:
                passed += 1
                if a.verbose:
                    print("PASS %s (%d lines)" % (tag, len(got)))
                continue
            failed += 1
            print("FAIL %s: --filter %s --format %s" % (tag, f["cond"], f["fmt"]))
            for l in f["lines"]:
                print("    expected: " + l)
            for l in got:
                print("    frc:      " + l)
            if p.returncode:
                print("    frc exited %d: %s" % (p.returncode, p.stderr.decode()[-300:]))
        for rs, want in sorted(exp.items()):
            tag = "%s/%s" % (name, rs)
            got, err = alerts(a.frc, RULESETS[rs], cap, env)
            if got is None:
                print("FAIL %s: frc replay failed: %s" % (tag, err))
                failed += 1
                continue
            want_k = [(e["time"], e["rule"], e["priority"], e["output"]) for e in want]
            got_k = [(g["time"], g["rule"], g["priority"], g["output"]) for g in got]
            missing = [w for w in want_k if w not in got_k]
            extra = [g for g in got_k if g not in want_k]
            if not missing and not extra and sorted(want_k) == sorted(got_k):
                passed += 1
                if a.verbose:
                    print("PASS %s (%d alerts)" % (tag, len(want_k)))
                continue
            failed += 1
            print("FAIL %s: %d expected alerts missing or different, %d unexpected" % (tag, len(missing), len(extra)))
            for w in missing:
                print("    expected at %d: %s | %s %s" % (w[0], w[1], w[2], w[3]))
                for g in got_k:
                    if g[0] == w[0]:
                        print("      frc:        %s | %s %s" % (g[1], g[2], g[3]))
            for g in extra:
                print("    unexpected at %d: %s | %s %s" % (g[0], g[1], g[2], g[3]))
    print("RESULT: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
