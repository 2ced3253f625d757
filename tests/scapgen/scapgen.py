#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Synthesised .scap captures for the differential and rule tests.

Writes valid capture files (scap-format.md): a section header, machine info, interface list
(IL_V2), user/group list (UL_V2), process list (PL_V9), one fd list (FDL_V2) per thread with
fds, then event blocks (EV_V2). Event parameter types come from runtime/evtab.def (the scap
wire schema), so an event is written by naming its code symbol and giving its parameter
values in schema order; a short list writes an older layout (the first n parameters of the
current schema, as old drivers wrote it), None writes an empty (zero-length) parameter.

The captures (see scenarios.py) hold what the ten real captures of ../shared/compat/traces
lack: execve with env/cwd/tty/loginuid, clone/fork/vfork parent and child sides, the openat
family, dup*, sockets of every family, the *at file syscalls, chmod family, setuid/setns/
unshare, ptrace, mmap/mprotect, pipes, prctl, module loading, bpf, userfaultfd, and attack
sequences that the upstream rules must flag.

    scapgen.py --evtab runtime/evtab.def --out DIR      writes DIR/<scenario>.scap
"""
import argparse
import ipaddress
import json
import os
import re
import struct
import sys

SIZES = {
    "INT8": "<b", "UINT8": "<B", "SIGTYPE": "<B", "L4PROTO": "<B", "SOCKFAMILY": "<B",
    "FLAGS8": "<B", "ENUMFLAGS8": "<B",
    "INT16": "<h", "UINT16": "<H", "SYSCALLID": "<H", "PORT": "<H", "FLAGS16": "<H",
    "ENUMFLAGS16": "<H",
    "INT32": "<i", "UINT32": "<I", "BOOL": "<I", "FLAGS32": "<I", "UID": "<I", "GID": "<I",
    "SIGSET": "<I", "MODE": "<I", "ENUMFLAGS32": "<I", "FD32": "<i", "PID32": "<i",
    "INT64": "<q", "UINT64": "<Q", "ERRNO": "<q", "FD": "<q", "PID": "<q", "RELTIME": "<Q",
    "ABSTIME": "<Q", "DOUBLE": "<d",
}
STRINGS = {"CHARBUF", "FSPATH", "FSRELPATH"}
AF = {"unix": 1, "inet": 2, "inet6": 10}


def load_evtab(path):
    """{SYM: (code, name, [(param name, TYPE)])} from runtime/evtab.def"""
    text = open(path).read()
    out = {}
    for m in re.finditer(r"^EVENT\((\w+),\s*(\d+),\s*\"([^\"]*)\",(.*?)\)\n(?=EVENT|SC|/\*|#|$)",
                         text, re.S | re.M):
        params = re.findall(r"P(?:FL|REL|DYN)?\(\"([^\"]*)\",\s*(\w+)", m.group(4))
        out[m.group(1)] = (int(m.group(2)), m.group(3), params)
    return out


def ip4(s):
    return ipaddress.IPv4Address(s).packed


def ip6(s):
    return ipaddress.IPv6Address(s).packed


def enc_sockaddr(v):
    fam = v[0]
    if fam == "inet":
        return struct.pack("<B", 2) + ip4(v[1]) + struct.pack("<H", v[2])
    if fam == "inet6":
        return struct.pack("<B", 10) + ip6(v[1]) + struct.pack("<H", v[2])
    if fam == "unix":
        return struct.pack("<B", 1) + v[1].encode() + b"\0"
    raise ValueError(v)


def enc_tuple(v):
    fam = v[0]
    if fam == "inet":
        return struct.pack("<B", 2) + ip4(v[1]) + struct.pack("<H", v[2]) + ip4(v[3]) + struct.pack("<H", v[4])
    if fam == "inet6":
        return struct.pack("<B", 10) + ip6(v[1]) + struct.pack("<H", v[2]) + ip6(v[3]) + struct.pack("<H", v[4])
    if fam == "unix":
        return struct.pack("<BQQ", 1, v[1], v[2]) + v[3].encode() + b"\0"
    raise ValueError(v)


def enc_param(ptype, v):
    if v is None:
        return b""
    if isinstance(v, Raw):
        return v.data
    if ptype in SIZES:
        fmt = SIZES[ptype]
        if fmt[1] in "BHIQ" and isinstance(v, int) and v < 0:
            v &= (1 << (8 * struct.calcsize(fmt))) - 1
        return struct.pack(fmt, v)
    if ptype in STRINGS:
        return (v if isinstance(v, bytes) else v.encode()) + b"\0"
    if ptype == "BYTEBUF":
        if isinstance(v, (list, tuple)):
            return b"".join(x.encode() + b"\0" for x in v)
        return v if isinstance(v, bytes) else v.encode()
    if ptype == "SOCKADDR":
        return enc_sockaddr(v)
    if ptype == "SOCKTUPLE":
        return enc_tuple(v)
    if ptype == "FDLIST":
        return struct.pack("<H", len(v)) + b"".join(struct.pack("<qh", fd, fl) for fd, fl in v)
    if ptype == "DYN":
        idx, t, val = v
        return struct.pack("<B", idx) + enc_param(t, val)
    raise ValueError("cannot encode %s" % ptype)


class Raw:
    """A parameter given as raw bytes (any type)."""
    def __init__(self, data):
        self.data = data


def block(bt, body):
    pad = (4 - len(body) % 4) % 4
    total = 12 + len(body) + pad
    return struct.pack("<II", bt, total) + body + b"\0" * pad + struct.pack("<I", total)


def s16(s):
    b = s.encode() if isinstance(s, str) else s
    return struct.pack("<H", len(b)) + b


class Thread:
    def __init__(self, tid, pid, ptid, comm, exe, args=(), cwd="/", uid=0, gid=0, env=(),
                 exepath=None, sid=None, vpgid=None, vtid=None, vpid=None, loginuid=0xffffffff,
                 cgroups=(), fds=(), flags=0, fdlimit=1024, root="/", v10=None):
        self.tid, self.pid, self.ptid = tid, pid, ptid
        self.comm, self.exe, self.args, self.cwd = comm, exe, list(args), cwd
        self.uid, self.gid, self.env = uid, gid, list(env)
        self.exepath = exepath if exepath is not None else exe
        self.sid = sid if sid is not None else pid
        self.vpgid = vpgid if vpgid is not None else pid
        self.vtid = vtid if vtid is not None else tid
        self.vpid = vpid if vpid is not None else pid
        self.loginuid, self.cgroups, self.fds = loginuid, list(cgroups), list(fds)
        self.flags, self.fdlimit, self.root = flags, fdlimit, root
        # the libs >= 0.10 PL_V9 tail, a dict: pidns_init_start_ts, tty, exe_writable, caps
        # (inheritable, permitted, effective), exe_upper_layer, exe_ino (ino, ctime, mtime),
        # exe_from_memfd, exe_lower_layer, pgid; None: the pre-0.10 tail (loginuid only)
        self.v10 = v10

    def pl_entry(self, version=9):
        """the thread's entry of a PL_V<version> block (scap-format.md §7)"""
        b = struct.pack("<qqq", self.tid, self.pid, self.ptid)
        if version >= 6:
            b += struct.pack("<q", self.sid)
        if version >= 8:
            b += struct.pack("<q", self.vpgid)
        b += s16(self.comm) + s16(self.exe)
        if version >= 7:
            b += s16(self.exepath)
        b += s16(b"".join(a.encode() + b"\0" for a in self.args))
        b += s16(self.cwd) + struct.pack("<qIII", self.fdlimit, self.flags, self.uid, self.gid)
        if version >= 2:
            b += struct.pack("<IIIQQ", 10240, 2048, 0, 1, 100)
        if version >= 3:
            b += s16(b"".join(a.encode() + b"\0" for a in self.env))
        if version >= 4:
            b += struct.pack("<qq", self.vtid, self.vpid)
            b += s16(b"".join(a.encode() + b"\0" for a in self.cgroups))
        if version >= 5:
            b += s16(self.root)
        if version < 9:
            return b
        if self.v10 is None:
            b += struct.pack("<I", self.loginuid)   # pre-0.10 V9 tail: loginuid only
        else:
            v = self.v10
            b += struct.pack("<QII", v.get("pidns_init_start_ts", 0), v.get("tty", 0), self.loginuid)
            b += struct.pack("<B", v.get("exe_writable", 0)) + struct.pack("<QQQ", *v.get("caps", (0, 0, 0)))
            b += struct.pack("<B", v.get("exe_upper_layer", 0)) + struct.pack("<QQQ", *v.get("exe_ino", (0, 0, 0)))
            b += struct.pack("<BBq", v.get("exe_from_memfd", 0), v.get("exe_lower_layer", 0), v.get("pgid", -1))
        return struct.pack("<I", 4 + len(b)) + b


# fd table entries: (fd, kind, ...) with kind file/dir/ipv4/ipv6/ipv4srv/ipv6srv/unix/fifo/other
FDT = {"file": 16, "dir": 2, "ipv4": 3, "ipv6": 4, "ipv4srv": 5, "ipv6srv": 6, "fifo": 7,
       "unix": 8, "event": 9, "signalfd": 11, "epoll": 12, "inotify": 13, "timerfd": 14}
L4 = {"tcp": 2, "udp": 3, "icmp": 4, "raw": 5}


def fd_entry(e, v2=True):
    fd, kind = e[0], e[1]
    b = struct.pack("<qQB", fd, 1000 + fd, FDT[kind])
    if kind == "file":
        b += struct.pack("<I", e[3] if len(e) > 3 else 1) + s16(e[2])
        if v2:
            b += struct.pack("<I", 0x803)      # dev: FDL_V2 only
    elif kind in ("dir", "fifo", "event", "signalfd", "epoll", "inotify", "timerfd"):
        b += s16(e[2])
    elif kind == "ipv4":
        b += ip4(e[2]) + ip4(e[4]) + struct.pack("<HHB", e[3], e[5], L4[e[6]])
    elif kind == "ipv6":
        b += ip6(e[2]) + ip6(e[4]) + struct.pack("<HHB", e[3], e[5], L4[e[6]])
    elif kind == "ipv4srv":
        b += ip4(e[2]) + struct.pack("<HB", e[3], L4[e[4]])
    elif kind == "ipv6srv":
        b += ip6(e[2]) + struct.pack("<HB", e[3], L4[e[4]])
    elif kind == "unix":
        b += struct.pack("<QQ", e[2], e[3]) + s16(e[4])
    return struct.pack("<I", 4 + len(b)) + b


USERS = [(0, 0, "root", "/root", "/bin/bash"), (33, 33, "www-data", "/var/www", "/usr/sbin/nologin"),
         (1000, 1000, "alice", "/home/alice", "/bin/bash"), (999, 999, "postgres", "/var/lib/postgresql",
                                                             "/bin/bash")]
GROUPS = [(0, "root"), (33, "www-data"), (1000, "alice"), (999, "postgres"), (27, "sudo")]


class Capture:
    """One capture: the initial tables and the events, written by save()."""

    def __init__(self, evtab, hostname="scapgen-host", t0=1700000000000000000):
        self.ev = evtab
        self.hostname = hostname
        self.threads = []
        self.events = []
        self.ts = t0
        self.ifaces = [("lo", "127.0.0.1", "255.0.0.0"), ("eth0", "10.0.0.5", "255.255.255.0")]
        self.ifaces6 = [("lo", "::1"), ("eth0", "2001:db8::5")]
        self.extra_blocks = []
        self.boot_ts = 0        # machine info boot_ts_epoch
        # block formats: event blocks "v2" (EV_V2), "v1" (EV, no nparams), "evf_v2" (EVF_V2,
        # flags 0), "evf" (EVF, v1 header); process list version 5..9; v1 or v2 fd, interface
        # and user lists
        self.ev_format = "v2"
        self.pl_version = 9
        self.lists_v2 = True
        self.large = False
        # expected alerts per ruleset of tests/scapgen/rules.py: none unless declared
        self.expected = {"falco": [], "all": []}

    def expect_format(self, cond, fmt, lines):
        """Declares what `frc replay --filter COND --format FMT` prints (frc only: fields
        sysdig 0.29.3 lacks, current layouts), one string per line."""
        self.expected.setdefault("formats", []).append({"cond": cond, "fmt": fmt, "lines": list(lines)})

    def expect(self, ruleset, rule, priority, output):
        """Declares that loading RULESET (a key of rules.RULESETS), Falco raises RULE with
        PRIORITY and OUTPUT (the text after "PRIORITY ") for the last event written."""
        for rs in (ruleset,) if isinstance(ruleset, str) else ruleset:
            self.expected.setdefault(rs, []).append(
                {"time": self.ts, "rule": rule, "priority": priority, "output": output})

    def thread(self, *a, **k):
        t = Thread(*a, **k)
        self.threads.append(t)
        return t

    def event(self, sym, tid, *params, cpu=0, dt=1000, n=None, flags=0):
        """Appends event SYM of thread tid with the given params (schema order; fewer = old
        layout). n: write exactly n params (missing ones empty)."""
        code, name, schema = self.ev[sym]
        vals = list(params)
        if n is not None:
            vals += [None] * (n - len(vals))
        if len(vals) > len(schema):
            raise ValueError("%s: %d params given, schema has %d" % (sym, len(vals), len(schema)))
        data = [enc_param(schema[i][1], v) for i, v in enumerate(vals)]
        self.ts += dt
        large = sym in ("PPME_PLUGINEVENT_E", "PPME_CONTAINER_JSON_2_E", "PPME_ASYNCEVENT_E")
        lfmt = "<I" if large else "<H"
        hdr_len = 26 + len(data) * struct.calcsize(lfmt) + sum(len(d) for d in data)
        fmt = self.ev_format
        if flags and fmt in ("v1", "v2"):
            fmt = "evf" if fmt == "v1" else "evf_v2"
        if fmt in ("v1", "evf"):
            hdr_len -= 4
            ev = struct.pack("<QQIH", self.ts, tid & 0xffffffffffffffff, hdr_len, code)
        else:
            ev = struct.pack("<QQIHI", self.ts, tid & 0xffffffffffffffff, hdr_len, code, len(data))
        ev += b"".join(struct.pack(lfmt, len(d)) for d in data) + b"".join(data)
        if self.large:
            fmt = "large"
        bt, pre = {"large": (0x221, b""), "v2": (0x216, b""), "v1": (0x204, b""), "evf_v2": (0x217, struct.pack("<I", flags)),
                   "evf": (0x208, struct.pack("<I", flags))}[fmt]
        self.events.append(block(bt, struct.pack("<H", cpu) + pre + ev))

    def raw_block(self, bt, body):
        self.events.append(block(bt, body))

    def raw_event(self, code, tid, params, bt=0x216, lsize=2):
        """an event block with any code and raw parameters (bytes or None for empty)"""
        data = [b"" if p is None else p for p in params]
        self.ts += 1000
        lfmt = "<I" if lsize == 4 else "<H"
        hdr_len = 26 + len(data) * lsize + sum(len(d) for d in data)
        ev = struct.pack("<QQIHI", self.ts, tid, hdr_len, code, len(data))
        ev += b"".join(struct.pack(lfmt, len(d)) for d in data) + b"".join(data)
        self.events.append(block(bt, struct.pack("<H", 0) + ev))

    def save(self, path):
        out = bytearray()
        out += block(0x0A0D0D0A, struct.pack("<IHHq", 0x1A2B3C4D, 1, 2, -1))
        mi = struct.pack("<IQQ", 2, 8 << 30, 4194304) + self.hostname.encode().ljust(128, b"\0")
        mi += struct.pack("<QQQQ", self.boot_ts, 0, 0, 0)
        out += block(0x201, mi)
        v2 = self.lists_v2
        il = b""
        for name, addr, mask in self.ifaces:
            a, m = ip4(addr), ip4(mask)
            bc = bytes(x | (~y & 0xff) for x, y in zip(a, m))
            e = struct.pack("<HH", 1, len(name)) + a + m + bc + struct.pack("<Q", 1000) + name.encode()
            il += (struct.pack("<I", len(e)) if v2 else b"") + e
        for name, addr in self.ifaces6:
            e = struct.pack("<HH", 2, len(name)) + ip6(addr) + b"\xff" * 8 + b"\0" * 8 + b"\0" * 16 + \
                struct.pack("<Q", 1000) + name.encode()
            il += (struct.pack("<I", len(e)) if v2 else b"") + e
        out += block(0x219 if v2 else 0x205, il)
        ul = b""
        for uid, gid, name, home, shell in USERS:
            e = struct.pack("<BII", 0, uid, gid) + s16(name) + s16(home) + s16(shell)
            ul += (struct.pack("<I", 4 + len(e)) if v2 else b"") + e
        for gid, name in GROUPS:
            e = struct.pack("<BI", 1, gid) + s16(name)
            ul += (struct.pack("<I", 4 + len(e)) if v2 else b"") + e
        out += block(0x220 if v2 else 0x206, ul)
        plbt = {5: 0x211, 6: 0x212, 7: 0x213, 8: 0x214, 9: 0x215}[self.pl_version]
        out += block(plbt, b"".join(t.pl_entry(self.pl_version) for t in self.threads))
        for t in self.threads:
            if t.fds:
                ents = b"".join(fd_entry(e) if v2 else fd_entry(e, False)[4:] for e in t.fds)
                out += block(0x218 if v2 else 0x203, struct.pack("<Q", t.tid) + ents)
        for b in self.extra_blocks:
            out += b
        for e in self.events:
            out += e
        with open(path, "wb") as f:
            f.write(out)
        with open(path[:-5] + ".expect.json", "w") as f:
            json.dump(self.expected, f, indent=1, sort_keys=True)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--evtab", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--only", default="", help="regex: only the scenarios whose name matches")
    ap.add_argument("--compared", action="store_true",
                    help="only the captures compared with sysdig 0.29.3 (scenarios.COMPARED)")
    a = ap.parse_args()
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import scenarios
    ev = load_evtab(a.evtab)
    os.makedirs(a.out, exist_ok=True)
    for name, fn in scenarios.SCENARIOS:
        if a.only and not re.search(a.only, name):
            continue
        if a.compared and name not in scenarios.COMPARED:
            continue
        c = Capture(ev)
        fn(c)
        c.save(os.path.join(a.out, name + ".scap"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
