# SPDX-License-Identifier: Apache-2.0
"""Random conditions of the differential test (diff.py): a property test of frc's condition
evaluation against sysdig 0.29.3.

For each capture, conditions are drawn with a fixed seed (the capture's name and --seed) from
the fields below: an operator of the field's kind, constants taken from the values the capture
itself holds for that field (sysdig's value probe, VALUE_FMT) and mutated (substrings for
contains/startswith/endswith, case changes for icontains, '*'/'?' for glob, parent directories
for pmatch, neighbours for numeric comparisons, networks around addresses), atoms nested with
and/or/not. Each condition is a condition probe of diff.py: the events it selects, compared
with the same exclusions (events with documented design differences for the fields it reads).

Fields whose values differ by design between sysdig 0.29.3 and current libsinsp on whole
classes of events are left out (see diff.NOT_COMPARED and the diff.py docstring: proc.sname,
proc.nchilds, evt.num, times, latencies).
"""
import random
import re
import zlib

SEP = "\x1f"
# field: kind (str, path, num, ip, bool); "path" strings also get pmatch
FIELDS = {
    "evt.type": "str", "evt.res": "str", "proc.name": "str", "proc.pname": "str",
    "proc.exe": "path", "proc.exepath": "path", "proc.cmdline": "str", "proc.args": "str",
    "proc.cwd": "path", "proc.aname[1]": "str", "proc.aname[2]": "str", "proc.aname": "str",
    "fd.name": "path", "fd.directory": "path", "fd.filename": "str", "fd.typechar": "str",
    "fd.type": "str", "fd.l4proto": "str", "fd.sockfamily": "str", "user.name": "str",
    "group.name": "str", "user.homedir": "path", "user.shell": "path", "container.id": "str",
    "evt.arg.flags": "str", "evt.arg.name": "path", "evt.arg.mode": "str",
    "proc.pid": "num", "proc.ppid": "num", "thread.tid": "num", "proc.vpid": "num",
    "fd.num": "num", "evt.rawres": "num", "user.uid": "num",
    "user.loginuid": "num", "proc.tty": "num", "fd.sport": "num", "fd.cport": "num",
    "fd.lport": "num", "fd.rport": "num", "fd.port": "num", "proc.apid[1]": "num",
    "evt.rawarg.res": "num", "evt.buflen": "num",
    "fd.sip": "ip", "fd.cip": "ip", "fd.lip": "ip", "fd.rip": "ip", "fd.ip": "ip",
    "evt.is_open_read": "bool", "evt.is_open_write": "bool", "fd.connected": "bool",
    "evt.is_io": "bool", "evt.is_io_write": "bool", "thread.ismain": "bool", "evt.failed": "bool",
}
# left out: group.gid (sysdig 0.29.3 gives values above 2^32 on some events: diff.py "user"
# probe); evt.failed only as evt.failed=true (see Gen.atom)
# the any-end / any-ancestor fields take their values from one end / the parent
VALUE_OF = {"proc.aname": "proc.pname", "fd.port": "fd.sport", "fd.ip": "fd.sip"}
NET_OF = {"fd.sip": "fd.snet", "fd.cip": "fd.cnet", "fd.lip": "fd.lnet", "fd.rip": "fd.rnet",
          "fd.ip": "fd.net"}
# numeric fields without negative values: sysdig 0.29.3 rejects a negative port ("unrecognized
# protocol -1") and compares a negative constant with unsigned fields differently (proc.tty <
# -1 is false there, true in current libsinsp: sinsp_numparser::parseu32 reads "-1" with
# sscanf("%u") as 4294967295)
UNSIGNED = {"proc.tty", "user.uid", "fd.sport", "fd.cport", "fd.lport", "fd.rport", "fd.port",
            "evt.buflen"}
# the fields each format probe of diff.py prints: an event whose line of that probe differs
# between the tools (by design: the probe passed) has conditions on those fields skipped (a
# random condition tests operators and logic; the values are the format probes' business)
PROBE_FIELDS = {
    # (a parent that differs changes every ancestor: proc.a* follow proc.ppid)
    "proc": r"proc\.(name|exe|exepath|args|cmdline|pname|pcmdline|cwd|tty|vpgid|vpid|pid|ppid|aname|apid)\b",
    "ancestors": r"proc\.a(name|pid)\b", "user": r"user\.(uid|name|loginuid|loginname)\b|group\.",
    "user.more": r"user\.(homedir|shell)\b", "net": r"fd\.[a-z]*(ip|port|net)\b", "fd": r"fd\.",
    "evt": r"evt\.(res|rawres|is_open_\w+)\b", "evt.more": r"evt\.(buflen|is_io\w*)\b",
    "evt.arg": r"evt\.(raw)?arg\.", "thread.more": r"thread\.ismain\b", "container": r"container\.",
    "thread": r"thread\.tid\b",
}
VALUE_FIELDS = [f for f in FIELDS if f not in VALUE_OF]
VALUE_COND = "evt.dir='<'"
VALUE_FMT = "*%evt.time.iso8601 %thread.tid %evt.type ||| " + SEP.join("%" + f for f in VALUE_FIELDS)
OPS = {
    "str": ["=", "=", "!=", "in", "contains", "icontains", "startswith", "endswith", "glob", "exists"],
    "path": ["=", "!=", "in", "contains", "startswith", "endswith", "glob", "pmatch", "pmatch", "exists"],
    "num": ["=", "!=", "<", "<=", ">", ">=", "in", "exists"],
    "ip": ["=", "!=", "in", "net"],
    "bool": ["="],
}
PLAIN = re.compile(r"^[A-Za-z0-9_./:-]+$")


def values(lines):
    """{field: sorted values} of sysdig's VALUE_FMT lines"""
    out = {f: set() for f in VALUE_FIELDS}
    for l in lines:
        _, sep, rest = l.partition(" ||| ")
        cols = rest.split(SEP)
        if not sep or len(cols) != len(VALUE_FIELDS):
            continue
        for f, v in zip(VALUE_FIELDS, cols):
            if v and v != "<NA>" and "\n" not in v:
                out[f].add(v)
    return {f: sorted(v) for f, v in out.items()}


def quote(v):
    if PLAIN.match(v) and v not in ("and", "or", "not", "in", "exists"):
        return v
    if '"' in v or "\\" in v or "'" in v:
        return None
    return '"%s"' % v


class Gen:
    def __init__(self, vals, seed):
        self.vals, self.r = vals, random.Random(seed)

    def value(self, f):
        vs = self.vals.get(VALUE_OF.get(f, f), [])
        if f == "evt.type":
            vs = [v for v in vs if re.match(r"^[a-z0-9_]+$", v)]    # not "<unknown>"
        return self.r.choice(vs) if vs else None

    def atom(self):
        r = self.r
        f = r.choice(sorted(FIELDS))
        kind = FIELDS[f]
        op = r.choice(OPS[kind])
        if f == "evt.type" and op not in ("=", "!=", "in"):
            op = "in"           # sysdig 0.29.3 checks every evt.type operand is an event name
        if f == "evt.rawarg.res" and op == "in":
            op = "="            # sysdig 0.29.3 fails on rawarg in (...), without a message
        if f == "fd.port" and op == "exists":
            op = "="            # sysdig 0.29.3: "unsupported port comparison operator"
        if op == "exists":
            return "%s exists" % f
        v = self.value(f)
        if v is None:
            return "%s exists" % f
        if f == "evt.failed":
            # sysdig 0.29.3: false on events without a return value, current libsinsp: none
            # (extract_error_count: no value without has_return_value()); true compares
            return "evt.failed=true"
        if kind == "bool":
            return "%s=%s" % (f, r.choice(["true", "false", v]))
        if kind == "num":
            if not re.match(r"^-?\d+$", v):
                return "%s exists" % f
            n = int(v) + r.choice([0, 0, 0, -1, 1])
            if f in UNSIGNED:
                n = max(0, n)
            if op == "in" and f.startswith("proc.apid["):
                op = "="        # sysdig 0.29.3: proc.apid[N] in (...) is never true
            if op == "in":
                more = [self.value(f) for _ in range(r.randint(0, 2))]
                items = [str(n)] + [m for m in more if m and re.match(r"^\d+$" if f in UNSIGNED else r"^-?\d+$", m)]
                return "%s in (%s)" % (f, ", ".join(items))
            return "%s%s%d" % (f, op if op in ("=", "!=") else " %s " % op, n)
        if kind == "ip":
            if op == "net" and f in NET_OF and ":" not in v:
                bits = r.choice([8, 16, 24, 32])
                parts = v.split(".")
                masked = [p if i * 8 < bits else "0" for i, p in enumerate(parts)]
                return "%s=%s/%d" % (NET_OF[f], ".".join(masked), bits)
            if op == "in":
                more = [self.value(f) for _ in range(r.randint(0, 2))]
                return "%s in (%s)" % (f, ", ".join([v] + [m for m in more if m]))
            return "%s%s%s" % (f, "=" if op == "net" else op, v)
        # strings
        if op == "in":
            items = [v] + [self.value(f) for _ in range(r.randint(0, 2))]
            q = [quote(x) for x in items if x]
            if None in q:
                return "%s exists" % f
            return "%s in (%s)" % (f, ", ".join(q))
        if op == "contains" or op == "icontains":
            i = r.randrange(len(v))
            v = v[i:i + r.randint(1, 6)]
            if op == "icontains":
                v = "".join(c.upper() if r.random() < 0.5 else c.lower() for c in v)
        elif op == "startswith":
            v = v[:r.randint(1, len(v))]
        elif op == "endswith":
            v = v[-r.randint(1, len(v)):]
        elif op == "glob":
            if re.search(r"[][*?\\]", v):
                return "%s exists" % f
            i = r.randrange(len(v))
            j = r.randint(i, min(len(v), i + 5))
            v = v[:i] + r.choice(["*", "?" * max(1, j - i), "*"]) + v[j:]
        elif op == "pmatch":
            if not v.startswith("/"):
                return "%s exists" % f
            d = v.rsplit("/", r.randint(0, max(0, v.count("/") - 1)))[0] or "/"
            q = quote(d)
            other = self.value(f)
            items = [q] + ([quote(other)] if other and other.startswith("/") and quote(other) else [])
            return "%s pmatch (%s)" % (f, ", ".join(items)) if q else "%s exists" % f
        q = quote(v)
        if q is None or v == "":
            return "%s exists" % f
        return "%s %s %s" % (f, op, q) if op not in ("=", "!=") else "%s%s%s" % (f, op, q)

    def expr(self, depth=0):
        r = self.r.random()
        if depth >= 2 or r < 0.35:
            return self.atom()
        if r < 0.5:
            return "not %s" % self.expr(depth + 1) if depth else "not (%s)" % self.expr(depth + 1)
        op = "and" if r < 0.8 else "or"
        return "(%s %s %s)" % (self.expr(depth + 1), op, self.expr(depth + 1))


def generate(vals, capname, n, seed=0):
    """n conditions for the capture named capname (deterministic)"""
    g = Gen(vals, zlib.crc32(capname.encode()) ^ seed)
    out = []
    seen = set()
    while len(out) < n:
        c = g.expr()
        if c not in seen:
            seen.add(c)
            out.append(c)
    return out


def value_diffs(fmt_probes, sres, fres):
    """{probe name: events (time, tid) whose line differs between the tools} of the format
    probes named in PROBE_FIELDS; fmt_probes: [(tag, name)], sres/fres: {tag: (rc, lines, err)}"""
    out = {}
    for tag, name in fmt_probes:
        if name not in PROBE_FIELDS or sres[tag][0] or fres[tag][0]:
            continue
        def keyed(lines):
            d = {}
            for l in lines:
                f = l.split(" ", 2)
                d[(f[0], f[1] if len(f) > 1 else "")] = l
            return d
        s, f = keyed(sres[tag][1]), keyed(fres[tag][1])
        out[name] = {k for k in set(s) | set(f) if s.get(k) != f.get(k)}
    return out


def excluded(cond, diffs):
    """events a random condition skips: those whose values of the fields it reads differ"""
    ex = set()
    for name, keys in diffs.items():
        if re.search(PROBE_FIELDS[name], cond):
            ex |= keys
    return ex
