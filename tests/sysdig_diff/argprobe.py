# SPDX-License-Identifier: Apache-2.0
"""Parameter probes of the differential test (diff.py): every parameter of every event type of
a capture, by name, through both tools.

For each event type T seen in a capture (exit events, and the single events procexit and
switch), one probe
    condition  evt.type=T and (evt.dir='<' or evt.type in (procexit, switch))
    format     *TIME TID TYPE | NAME=%evt.arg.NAME ... NAME=%evt.rawarg.NAME ... || %evt.info
for every parameter NAME the two tools show on events of T (the names of evt.args). The columns
are compared one by one, so an event whose layout the libscap converter extended still has its
other parameters compared: the parameters the converter added (absent from the capture, which
sysdig 0.29.3 shows as written) are skipped on that event only. evt.info (= evt.args in both
tools, and libsinsp's text rendering of every parameter) is compared on events whose layout the
converter did not change.

Differences by design (each rule below names its evidence):
  * evt.rawarg.NAME: sysdig 0.29.3 gives the field the type of the first event of its table
    with a parameter NAME and aborts the whole run ("wrong event type N") on an event whose
    NAME has another type; current libsinsp takes the type from the current event
    (sinsp_filter_check_event::extract_argraw overrides m_customfield.m_type). Such NAMEs are
    printed through evt.arg only (raw_ok()).
  * evt.rawarg of a byte buffer: sysdig 0.29.3 prints the bytes up to the first NUL; current
    libsinsp renders them as evt.arg does (rawval_to_string: binary_buffer_to_string with the
    inspector's buffer format, at most 1023 bytes). Compared as: sysdig's text is the prefix,
    up to the first NUL, of the bytes frc renders, non-printable bytes '.' (bytebuf_ok()).
  * evt.rawarg of socket addresses and families (PT_SOCKADDR, PT_SOCKFAMILY): current libsinsp
    has no text for them (rawval_to_string returns NULL: "<NA>"); sysdig 0.29.3 printed the
    raw bytes. Tuples, fd lists, argument arrays, dynamic params, modes, sigsets: current
    libsinsp throws "wrong param type" while formatting; frc prints evt.arg's text there.
    Not compared (RAW_TEXTLESS).
  * an empty data parameter: evt.arg "NULL" in current libsinsp, "" in sysdig 0.29.3 (diff.py
    docstring); evt.rawarg of it has no value (<NA>) in current libsinsp (extract_argraw: a
    zero-length parameter is not extracted), "" in sysdig 0.29.3.
  * flag names sysdig 0.29.3's tables lack, the caller's res of late children: diff.py.
"""
import re

SEP = "\x1f"
# parameter types whose rawarg text current libsinsp does not give as sysdig 0.29.3 did
RAW_TEXTLESS = {"SOCKADDR", "SOCKFAMILY", "SOCKTUPLE", "FDLIST", "BYTEBUF_ARRAY", "CHARBUFARRAY",
                "CHARBUF_PAIR_ARRAY", "DYN", "MODE", "SIGSET"}
# parameter types whose rawarg sysdig 0.29.3 cannot print (it aborts the run: "wrong event
# type N", N the ppm_param_type: 14 PT_FD, 19 PT_SIGTYPE, 28 PT_FLAGS8, 30 PT_FLAGS32)
RAW_ABORTS = {"FD", "SIGTYPE", "FLAGS8", "FLAGS16", "FLAGS32",
              "ENUMFLAGS8", "ENUMFLAGS16", "ENUMFLAGS32"}    # (these were FLAGS* then)
SINGLE = ("procexit", "switch")
UNSIGNED = {"UINT8", "UINT16", "UINT32", "UINT64", "FLAGS8", "FLAGS16", "FLAGS32", "MODE", "UID",
            "GID", "ENUMFLAGS8", "ENUMFLAGS16", "ENUMFLAGS32", "SIGSET"}
SYSDIG_LAST_CODE = 335      # sysdig 0.29.3's event table ends there


def load_types(evtab):
    """(first type of each param name in sysdig 0.29.3's table order, {(event name, param): {types}})
    from scapgen.load_evtab()'s {SYM: (code, name, [(param, TYPE)])}."""
    first, bytype = {}, {}
    for sym, (code, name, params) in sorted(evtab.items(), key=lambda x: x[1][0]):
        for p, t in params:
            if code <= SYSDIG_LAST_CODE:
                first.setdefault(p, t)
            if sym.endswith("_X") or name in SINGLE:
                bytype.setdefault((name, p), set()).add(t)
    return first, bytype


def raw_ok(first, bytype, etype, pname):
    """True if evt.rawarg.PNAME is comparable on events of ETYPE (see the module docstring)"""
    ts = bytype.get((etype, pname))
    return bool(ts) and len(ts) == 1 and first.get(pname) in ts and not (ts & (RAW_TEXTLESS | RAW_ABORTS))


def build(info, evtab_types, renamed):
    """[(probe name, condition, format, [names], [raw names])] for the event types of a capture;
    info: diff.EventInfo (sysd/frcd: per-event (type, ..., param names, ...))"""
    first, bytype = evtab_types
    names = {}
    for k, v in info.sysd.items():
        if v[0] in ("<unknown>",) or k in info.unknown or k in info.relayout:
            continue
        t = v[0]
        lst = names.setdefault(t, [])
        for n in v[2]:          # sysdig 0.29.3 rejects a name its table lacks
            if n not in lst:
                lst.append(n)
    out = []
    for t in sorted(names):
        if not names[t] or not re.match(r"^[a-z0-9_]+$", t):
            continue
        types = [t] + [b for a, b in renamed if a == t]
        cond = "evt.type in (%s) and (evt.dir='<' or evt.type in (%s))" % (", ".join(types), ", ".join(SINGLE))
        # names of the event's schema (evt.args text may hold NAME= inside a value)
        ns = [n for n in names[t] if any((x, n) in bytype for x in types)]
        raws = [n for n in ns if all(raw_ok(first, bytype, x, n) for x in types)]
        cols = ["%s=%%evt.arg.%s" % (n, n) for n in ns] + ["raw.%s=%%evt.rawarg.%s" % (n, n) for n in raws]
        cols.append("info=%evt.info")
        fmt = "*%evt.time.iso8601 %thread.tid %evt.type | " + SEP.join(cols)
        out.append(("arg:" + t, cond, fmt, ns, raws))
    return out


def printable(b):
    return "".join(c if 32 <= ord(c) < 127 else "." for c in b)


def bytebuf_ok(sv, fv):
    """rawarg of a byte buffer: sysdig 0.29.3 prints the raw bytes up to the first NUL,
    current libsinsp renders them (non-printable bytes '.'): sysdig's text rendered must
    prefix frc's (runs of '.' collapsed: the outputs are read as UTF-8, a replaced sequence of
    bytes is one character)"""
    s, f = re.sub(r"\.+", ".", printable(sv)), re.sub(r"\.+", ".", fv)
    return f.startswith(s) and (len(s) == len(f) or f[len(s)] == "." or s.endswith("."))


def etype_hex_res(sc, fc):
    """mmap/mmap2 exits: res in hexadecimal (evt.arg in sysdig 0.29.3, evt.rawarg in frc)"""
    return bool(re.match(r"^[0-9A-F]+$", sc.get("res", "")) and re.match(r"^\d+$", fc.get("res", "")) and
                re.match(r"^\d+$", sc.get("raw.res", "0")) and re.match(r"^[0-9A-F]+$", fc.get("raw.res", "0")))


def compare(slines, flines, info, new_flag_names, ptypes):
    """[(key, column, sysdig, frc)] of the differing columns, number of events compared;
    ptypes(NAME): the set of parameter types of NAME on the probe's event types"""
    def parse(lines):
        out, joined = {}, []
        for l in lines:         # a value holding a newline continues the event's line
            if joined and not re.match(r"\d{4}-\d\d-\d\dT", l):
                joined[-1] += "\n" + l
            else:
                joined.append(l)
        for l in joined:
            head, sep, rest = l.partition(" | ")
            f = head.split(" ")
            if not sep or len(f) < 3:
                out[(l, "")] = None
                continue
            cols = {}
            for c in rest.split(SEP):
                n, _, val = c.partition("=")
                cols[n] = val
            out[(f[0], f[1])] = cols
        return out
    s, f = parse(slines), parse(flines)
    diffs, n = [], 0
    for k in list(s) + [k for k in f if k not in s]:
        if k in info.unknown or k in info.relayout:
            continue
        sc, fc = s.get(k), f.get(k)
        if sc is None or fc is None:
            diffs.append((k, "event", "present" if sc is not None else "<none>",
                          "present" if fc is not None else "<none>"))
            continue
        n += 1
        added = info.added.get(k, frozenset())
        for c in sc:
            sv, fv = sc[c], fc.get(c, "<missing column>")
            if sv == fv:
                continue
            name = c[4:] if c.startswith("raw.") else c
            if name in added:
                continue        # a parameter the converter added: sysdig's layout lacks it
            if c == "info":
                if added or sv.rstrip() == fv.rstrip():
                    continue
            for nf in new_flag_names:
                fv = fv.replace("|" + nf, "").replace(nf + "|", "")
            if sv == fv:
                continue
            ts = ptypes(name)
            if "BYTEBUF" in ts:
                if c.startswith("raw.") and bytebuf_ok(sv, fv):
                    continue
                if sv == "" and fv in ("NULL", "<NA>"):
                    continue    # an empty data parameter
                if not c.startswith("raw.") and len(sv) <= 83 and sv.endswith("...") and \
                        fv.startswith(sv[:-3]) and len(fv) > len(sv) - 3:
                    continue    # sysdig 0.29.3 prints 80 bytes of a buffer at most
            if c.startswith("raw.") and sv == "<NA>" and re.match(r"^[0-9A-F]+$", fv) and \
                    ts and ts <= UNSIGNED and fc.get(name, "<NA>") != "<NA>":
                continue        # sysdig 0.29.3: no rawarg value of unsigned params
            if name == "res" and ts == {"ERRNO"} and etype_hex_res(sc, fc) and (
                    (c == "res" and int(sv, 16) == int(fv)) or (c == "raw.res" and int(sv) == int(fv, 16))):
                continue        # mmap/mmap2 res (module docstring)
            if name == "res" and fv in info.late_child:
                continue        # the caller of a late child (diff.py)
            diffs.append((k, c, sv, fv))
    return diffs, n
