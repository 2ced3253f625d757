#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Run the non-replay cases of the compat manifest against frc.

Modes handled here (the replay mode `run` belongs to the replay runner):
  validate            `frc lint --format json FILE...` (falco -V -o json_output=true)
  load                `frc lint --format json --describe --no-container-plugin ...`
                      (Falco's engine unit tests: a fresh engine, syscall source, no plugins)
  condition_warnings  `frc lint --condition TEXT` (Falco's filter warning resolver only)

Every case is PASS, FAIL (with the reasons) or SKIP (with the reason; never counted as
passed). Cases whose expectation is known not to hold at Falco HEAD (head_divergence) are
checked against HEAD's behaviour, encoded in HEAD_EXPECT below, and say so.
Last line: RESULT: N passed, M failed, K skipped.
"""
import argparse
import json
import os
import re
import subprocess
import sys

# Falco HEAD behaviour for the cases whose manifest expectation predates it
# (rules-language.md section 12; each case's head_divergence text says the same).
UNKNOWN_FILTER_OUT = "unknown filter: unexpected token after '"


def head_expect(case):
    """Return the expectation to check for @case (HEAD's when it diverges) and a note.

    The head_divergence texts of the manifest say what HEAD does instead; the forms they
    take are recognised here. A divergence this runner cannot turn into an expectation
    makes the case SKIP (never PASS)."""
    exp = json.loads(json.dumps(case.get("expect", {})))
    hd = case.get("head_divergence")
    if not hd:
        return exp, None
    note = "checked against Falco HEAD (head_divergence)"
    errs = exp.get("errors", [])
    warns = exp.get("warnings", [])
    m = re.search(r"the message is:? '([^']*)'", hd) or re.search(r"the message is: (.*)$", hd)
    if "LOAD_UNKNOWN_FIELD" in hd and "LOAD_UNKNOWN_FILTER" in hd:
        for w in warns:
            if w.get("code") == "LOAD_UNKNOWN_FIELD":
                w["code"] = "LOAD_UNKNOWN_FILTER"
        return exp, note
    if "unknown filter" in hd:
        hit = False
        for e in errs + warns:
            for k in ("message", "message_contains"):
                if e.get(k, "").startswith("invalid formatting token"):
                    e.pop(k)
                    e["message"] = UNKNOWN_FILTER_OUT
                    hit = True
        if hit:
            return exp, note
    if "Unable to parse engine version" in hd:
        for e in errs:
            if "Can't decode YAML scalar value" in (e.get("message", "") +
                                                     e.get("message_contains", "")):
                e.pop("message", None)
                e["message_contains"] = "Unable to parse engine version"
        return exp, note
    if m and len(errs) == 1:
        errs[0].pop("message_contains", None)
        errs[0]["message"] = m.group(1).strip()
        return exp, note
    return None, "head_divergence not encoded in the runner: " + hd


def run(cmd, cwd):
    p = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=120)
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def all_diags(results, kind):
    out = []
    for r in results:
        out.extend(r.get(kind, []))
    return out


def diag_matches(d, e):
    if d.get("code") != e.get("code"):
        return False
    if "message" in e and d.get("message") != e["message"]:
        return False
    if "message_contains" in e and e["message_contains"] not in d.get("message", ""):
        return False
    if "item_type" in e:
        locs = d.get("context", {}).get("locations", [])
        ok = any(l.get("item_type") == e["item_type"] and
                 ("item_name" not in e or l.get("item_name") == e["item_name"]) for l in locs)
        if not ok:
            return False
    return True


def check_diags(errs, results, exp, kind):
    diags = all_diags(results, kind)
    for e in exp.get(kind, []):
        if not any(diag_matches(d, e) for d in diags):
            got = ["%s %r" % (d.get("code"), d.get("message")) for d in diags]
            errs.append("no %s matching %s (got %s)" % (kind[:-1], json.dumps(e), got))


def check_validate(case, exp, frc, compat):
    cmd = [frc, "lint", "--format", "json", "--no-color"] + case["rules_files"]
    rc, out, err = run(cmd, compat)
    errs = []
    try:
        j = json.loads(out)
    except ValueError:
        return ["output is not JSON (rc=%d): %s %s" % (rc, out[:300], err[:300])]
    results = j.get("falco_load_results", [])
    if "exit_status" in exp and rc != exp["exit_status"]:
        errs.append("exit status %d, expected %d" % (rc, exp["exit_status"]))
    if "process_error" in exp and (rc != 0) != exp["process_error"]:
        errs.append("process error %s, expected %s" % (rc != 0, exp["process_error"]))
    check_diags(errs, results, exp, "errors")
    check_diags(errs, results, exp, "warnings")
    if "error_count" in exp:
        n = len(all_diags(results, "errors"))
        if n != exp["error_count"]:
            errs.append("%d errors, expected %d" % (n, exp["error_count"]))
    if "warning_count" in exp:
        n = len(all_diags(results, "warnings"))
        if n != exp["warning_count"]:
            errs.append("%d warnings, expected %d" % (n, exp["warning_count"]))
    for f in exp.get("files_successful", []):
        r = [x for x in results if x.get("name") == f]
        if not r or not r[0].get("successful"):
            errs.append("file %s not successful" % f)
    return errs


PRIOS = ["emergency", "alert", "critical", "error", "warning", "notice", "informational",
         "debug"]


def load_cmd(case, frc):
    o = case.get("options", {})
    cmd = [frc, "lint", "--format", "json", "--describe", "--no-color", "--no-container-plugin"]
    srcs = o.get("sources", ["syscall"])
    if srcs != ["syscall"]:
        for s in srcs:
            cmd += ["--source", s]
    for p in o.get("loaded_plugins", []):
        cmd += ["--plugin", "%s=%s" % (p["name"], p["version"])]
    for e in o.get("extra_output_format", []):
        cmd += ["--extra-format", e["format"]]
        if e.get("source"):
            cmd += ["--extra-source", e["source"]]
        if e.get("tags"):
            cmd += ["--extra-tags", ",".join(e["tags"])]
        if e.get("rule"):
            cmd += ["--extra-rule", e["rule"]]
    for e in o.get("extra_output_fields", []):
        if e.get("raw"):
            cmd += ["--extra-raw-field", e["key"]]
        else:
            cmd += ["--extra-field", "%s=%s" % (e["key"], e["format"])]
        if e.get("source"):
            cmd += ["--extra-source", e["source"]]
        if e.get("tags"):
            cmd += ["--extra-tags", ",".join(e["tags"])]
        if e.get("rule"):
            cmd += ["--extra-rule", e["rule"]]
    return cmd + case["rules_files"]


def check_load(case, exp, frc, compat):
    known = {"sources", "plugins", "loaded_plugins", "extra_output_format",
             "extra_output_fields"}
    unknown = set(case.get("options", {})) - known
    if unknown:
        return None, "options not supported by this runner: %s" % sorted(unknown)
    rc, out, err = run(load_cmd(case, frc), compat)
    try:
        j = json.loads(out)
    except ValueError:
        return ["output is not JSON (rc=%d): %s %s" % (rc, out[:300], err[:300])], None
    results = j.get("falco_load_results", [])
    desc = j.get("falco_describe_results")
    ok = bool(results) and all(r.get("successful") for r in results)
    errs = []
    msgs = lambda kind: [d.get("message", "") for d in all_diags(results, kind)]
    if "load_successful" in exp and ok != exp["load_successful"]:
        errs.append("load successful %s, expected %s (errors: %s)" %
                    (ok, exp["load_successful"], msgs("errors")))
    if "load_successful_and_plugin_requirements_satisfied" in exp:
        got = ok and rc == 0
        if got != exp["load_successful_and_plugin_requirements_satisfied"]:
            errs.append("load+plugins %s, expected %s (stderr: %s)" %
                        (got, exp["load_successful_and_plugin_requirements_satisfied"],
                         err.strip()[:200]))
    if "schema_validation" in exp:
        sv = results[0].get("schema_valid") if results else None
        got = "none" if sv is None else ("ok" if sv else "failed")
        if got != exp["schema_validation"]:
            errs.append("schema %s, expected %s" % (got, exp["schema_validation"]))
    for kind, key, neg in (("errors", "errors_contain", False),
                           ("warnings", "warnings_contain", False),
                           ("errors", "errors_not_contain", True),
                           ("warnings", "warnings_not_contain", True)):
        for s in exp.get(key, []):
            hit = any(s in m for m in msgs(kind))
            if hit == neg:
                errs.append("%s %r: %s" % (key, s, msgs(kind)))
    if "has_warnings" in exp and bool(msgs("warnings")) != exp["has_warnings"]:
        errs.append("has_warnings %s, expected %s: %s" %
                    (bool(msgs("warnings")), exp["has_warnings"], msgs("warnings")))
    if "first_error_snippet_contains" in exp:
        e = all_diags(results, "errors")
        snip = e[0].get("context", {}).get("snippet", "") if e else ""
        for s in exp["first_error_snippet_contains"]:
            if s not in snip:
                errs.append("first error snippet %r lacks %r" % (snip, s))
    for chk in exp.get("warning_snippet_checks", []):
        ws = [w for w in all_diags(results, "warnings") if w.get("code") == chk["select_code"]]
        if not ws:
            errs.append("no %s warning for the snippet check" % chk["select_code"])
        for w in ws:
            snip = w.get("context", {}).get("snippet", "")
            for s in chk.get("snippet_contains", []):
                if s not in snip:
                    errs.append("snippet %r lacks %r" % (snip, s))
            for s in chk.get("snippet_not_contains", []):
                if s in snip:
                    errs.append("snippet %r contains %r" % (snip, s))
    need_desc = [k for k in ("compiled_conditions", "compiled_outputs",
                             "compiled_outputs_not_contain", "compiled_extra_fields",
                             "enabled_rules_count", "rule_info", "describe_counts",
                             "first_list_details") if k in exp]
    if need_desc and desc is None:
        errs.append("no description (load failed): %s" % msgs("errors"))
        return errs, None
    if not need_desc:
        return errs, None
    rules = {r["info"]["name"]: r for r in desc.get("rules", [])}

    def rule(name):
        r = rules.get(name)
        if r is None:
            errs.append("rule %r not loaded" % name)
        return r
    for name, cond in exp.get("compiled_conditions", {}).items():
        r = rule(name)
        if r and r["details"]["condition_compiled"] != cond:
            errs.append("%s: compiled condition %r, expected %r" %
                        (name, r["details"]["condition_compiled"], cond))
    for name, o in exp.get("compiled_outputs", {}).items():
        r = rule(name)
        if r and r["details"]["output_compiled"] != o:
            errs.append("%s: output %r, expected %r" % (name, r["details"]["output_compiled"], o))
    for name, subs in exp.get("compiled_outputs_not_contain", {}).items():
        r = rule(name)
        for s in subs:
            if r and s in r["details"]["output_compiled"]:
                errs.append("%s: output %r contains %r" % (name, r["details"]["output_compiled"], s))
    for name, fields in exp.get("compiled_extra_fields", {}).items():
        r = rule(name)
        got = r["details"].get("extra_output_formatted_fields", {}) if r else {}
        if r and got != fields:
            errs.append("%s: extra fields %r, expected %r" % (name, got, fields))
    if "enabled_rules_count" in exp:
        n = sum(1 for r in desc.get("rules", []) if r["info"]["enabled"])
        if n != exp["enabled_rules_count"]:
            errs.append("%d enabled rules, expected %d" % (n, exp["enabled_rules_count"]))
    for name, props in exp.get("rule_info", {}).items():
        r = rule(name)
        if not r:
            continue
        for k, v in props.items():
            got = r["info"].get(k)
            if k == "priority":
                ok2 = str(v).lower() in str(got).lower()
            else:
                ok2 = got == v
            if not ok2:
                errs.append("%s: %s %r, expected %r" % (name, k, got, v))
    if "describe_counts" in exp:
        for k, v in exp["describe_counts"].items():
            if len(desc.get(k, [])) != v:
                errs.append("%d %s described, expected %d" % (len(desc.get(k, [])), k, v))
    if "first_list_details" in exp:
        lists = desc.get("lists", [])
        fd = exp["first_list_details"]
        if not lists:
            errs.append("no list described")
        else:
            d = lists[0]["details"]
            if "lists_count" in fd and len(d["lists"]) != fd["lists_count"]:
                errs.append("first list refs %r" % d["lists"])
            if "items_compiled_count" in fd and len(d["items_compiled"]) != fd["items_compiled_count"]:
                errs.append("first list items %r" % d["items_compiled"])
            if "items_compiled" in fd and d["items_compiled"] != fd["items_compiled"]:
                errs.append("first list items %r, expected %r" % (d["items_compiled"], fd["items_compiled"]))
    return errs, None


def check_condition_warnings(case, exp, frc, compat):
    rc, out, err = run([frc, "lint", "--condition", case["condition"]], compat)
    if rc not in (0, 1):
        return ["exit status %d: %s" % (rc, err)]
    lines = [l for l in out.splitlines() if l.startswith("condition: ") and l.endswith(" warnings")]
    if not lines:
        return ["no warning summary: %s %s" % (out[:200], err[:200])]
    n = int(lines[-1].split()[1])
    if "has_warnings" in exp and (n > 0) != exp["has_warnings"]:
        return ["has_warnings %s, expected %s (%s)" % (n > 0, exp["has_warnings"], out.strip())]
    return []


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--frc", required=True)
    ap.add_argument("--compat", required=True)
    ap.add_argument("-k", help="only cases whose id contains this text")
    ap.add_argument("-v", action="store_true", help="print passing cases too")
    a = ap.parse_args()
    frc = os.path.abspath(a.frc)
    compat = os.path.abspath(a.compat)
    if not os.access(frc, os.X_OK):
        print("FAIL: %s is not executable (build first)" % frc)
        print("RESULT: 0 passed, 1 failed, 0 skipped")
        return 1
    passed = failed = skipped = 0
    by_mode = {}
    with open(os.path.join(compat, "manifest.jsonl")) as f:
        cases = [json.loads(l) for l in f if l.strip()]
    for case in cases:
        mode = case.get("mode")
        if mode not in ("validate", "load", "condition_warnings"):
            continue
        if a.k and a.k not in case["id"]:
            continue
        exp, note = head_expect(case)
        if exp is None:
            print("SKIP %s: %s" % (case["id"], note))
            skipped += 1
            continue
        missing = [f for f in case.get("rules_files", [])
                   if not os.path.exists(os.path.join(compat, f))]
        if missing:
            print("SKIP %s: rules files missing: %s" % (case["id"], missing))
            skipped += 1
            continue
        try:
            if mode == "validate":
                errs, why = check_validate(case, exp, frc, compat), None
            elif mode == "load":
                errs, why = check_load(case, exp, frc, compat)
            else:
                errs, why = check_condition_warnings(case, exp, frc, compat), None
        except subprocess.TimeoutExpired:
            errs, why = ["timed out"], None
        st = by_mode.setdefault(mode, [0, 0, 0])
        if errs is None:
            print("SKIP %s: %s" % (case["id"], why))
            skipped += 1
            st[2] += 1
        elif errs:
            print("FAIL %s%s" % (case["id"], " [%s]" % note if note else ""))
            for e in errs:
                print("    " + e)
            failed += 1
            st[1] += 1
        else:
            if a.v or note:
                print("PASS %s%s" % (case["id"], " [%s]" % note if note else ""))
            passed += 1
            st[0] += 1
    for m, (p, f_, s) in sorted(by_mode.items()):
        print("mode %-18s %3d passed, %d failed, %d skipped" % (m, p, f_, s))
    print("RESULT: %d passed, %d failed, %d skipped" % (passed, failed, skipped))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
