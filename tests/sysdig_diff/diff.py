#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Differential test: frc's field extraction and condition evaluation against sysdig 0.29.3.

For every capture of ../shared/compat/traces that sysdig can read and every probe below,
    sysdig -r CAPTURE -p FORMAT 'CONDITION'
    frc replay --filter 'CONDITION' --format FORMAT CAPTURE
must print the same lines, in the same order. frc's --filter mode compiles CONDITION as a
rule through the same loader/JIT path as `frc replay` and `frc run`, and prints FORMAT with the
same renderer as Falco alerts.

How sysdig is run: all probes of a capture in ONE sysdig process, each probe an instance of
probe.lua (a chisel with the probe's filter and formatter, printing what `-p FORMAT CONDITION`
prints), and all probes in ONE frc process (repeated --filter/--format pairs). Besides speed
(two processes per capture instead of ~230) this is the faithful reference: sysdig 0.29.3's
-p filter is applied inside libsinsp's parser, and events it rejects early are not parsed, so
state that Falco (which parses every event, then evaluates its rules) keeps up to date is
stale under `sysdig -p ... CONDITION`. Observed with --exact (one `sysdig -p` per probe):
  * thread.pfminor / proc.vmsize of curl_google: with the filter "evt.dir='<'" the switch
    events (enter-only, they carry the page-fault and memory counters) are dropped before
    parsing: pfminor 34 / vmsize 93240 instead of 334 / 162972 (same sysdig, no filter: 334);
  * fd.name_changed: -p evaluates the filter of an open exit before libsinsp compares the fd's
    old and new names, so `fd.name_changed=true` never matches an open (the chisel, current
    libsinsp and frc: true for the fd an open creates).
A chisel's filter runs after the event has been parsed, as Falco's rules do. --exact runs the
literal one-process-per-probe form (slow) to show these differences.
Every parameter of every event type of a capture is also compared by name (evt.arg.NAME,
evt.rawarg.NAME, evt.info) by the parameter probes of argprobe.py (their design differences
are documented there).
Probes are of two kinds: format probes print groups of fields for every exit event, condition
probes print an identifying format for the events a condition selects (operators, filter-only
fields, any-ancestor semantics). Together they exercise every field of compiler/fields.def that
sysdig 0.29.3 also has; every other field is listed in NOT_COMPARED with the reason. The test
fails if a field of fields.def is in neither place.

Differences by design between sysdig 0.29.3 (libsinsp 2022) and current Falco/libsinsp, which
frc follows (see ../shared/spec/fields.md and events.md):
  * sysdig shows syscall *enter* events; current libsinsp hides them (events.md §1.1). Every
    condition is therefore run as "(CONDITION) and evt.dir='<'" on both sides; single events
    without an exit (procexit, switch, ...) are compared by their own probe.
  * evt.num: sysdig numbers every event block, libsinsp only what reaches its parser.
  * proc.sname without a session id (sid -1: the V5 process tables of the fixtures, fake
    threads): sysdig 0.29.3 prints some ancestor ("systemd", "cat") or <NA>, current libsinsp "".
  * fd.typechar of a failed open(): sysdig 'f', current libsinsp 'o' (fields.md §6.3). The probe
    printing fd.typechar excludes failed open events, conditions on fd.typechar skip them; the
    difference is asserted separately (failed-open probe).
  * fd.dev / fd.dev.major / fd.dev.minor of fds that are not files (sockets, pipes): sysdig
    0.29.3 prints uninitialised memory (the same socket event of connect_localhost gave 5602,
    5625 and 5617 in three runs); current libsinsp's fd entries start at 0, as frc's.
  * fake threads (unknown to the process table): sysdig 0.29.3 makes one its own main thread
    (pid = tid); current libsinsp gives it pid -1 and no main thread (fields.md §4), hence
    thread.ismain false, proc.nthreads/proc.fdopencount/proc.fdlimit 0, pid/ppid/cwd differ.
  * proc.nchilds of a secondary thread: sysdig 0.29.3 counts that thread's own children,
    current libsinsp the non-leader threads of its process.
  * evt.args / evt.arg[N] of events that the libscap converter upgrades (old layouts gain
    parameters), so their text differs: only compared on events whose layout did not change.
  * and the per-event rules of EventInfo/col_rules below (generic events unknown to sysdig's
    syscall table, parameters the libscap converter adds to old layouts, fake threads, unknown
    uids, secondary threads' parents, the container plugin's host values, evt.info's blank).
Differences by design seen on the synthesised captures (tests/scapgen), which hold event
types the real captures lack:
  * accept4 events of old drivers (PPME_SOCKET_ACCEPT4_5_X) are named "accept" by sysdig
    0.29.3; current libscap converts them to ACCEPT4_6_X, named "accept4" (RENAMED).
  * old layouts the converter changes into another event (bpf's DYN res_or_fd becomes BPF_2_X
    with fd and cmd): every parameter and evt.res differ (EventInfo.relayout).
  * EF_USES_FD that current libsinsp added to symlinkat, unlinkat, mkdirat, fchmodat, fchmod,
    mmap, mmap2 (their dirfd/fd is the event's fd): sysdig 0.29.3 has no fd.* values for them;
    userfaultfd (and bpf) fds are added to the fd table by current libsinsp only: fd probes
    skip these events (FD_BY_DESIGN), proc.fdopencount of the process is larger afterwards.
  * failed openat/openat2 with a real dirfd: sysdig 0.29.3 shows the enter event's fd (the
    dirfd, "directory"), current libsinsp has no fd info (fd.typechar 'f', fd.name = dirfd
    path + name, fields.md §6.3).
  * openat/openat2 of old drivers (no ino parameter): current libsinsp reads dev only together
    with ino (parse_open_openat_creat_exit), so fd.dev is 0; sysdig 0.29.3 keeps dev.
  * flag names sysdig 0.29.3's tables lack: O_F_CREATED (open flags), CLONE_CHILD_IN_PIDNS.
  * vfork and clone with CLONE_NEWPID / child in a pid namespace: current libsinsp does not
    create the child from the caller's exit (parse_clone_exit_caller), so the caller's
    evt.arg.res is the bare tid and the child's proc.duration starts at its own clone exit;
    sysdig 0.29.3 created the child from the caller's exit (name resolved, earlier clone_ts).
  * proc.nthreads / proc.nchilds of a process whose secondary threads come from the capture's
    process table: current libsinsp counts the whole thread group, sysdig 0.29.3 only the
    threads it saw being created (same offset on both fields, nchilds = nthreads - 1).
  * execve closes the O_CLOEXEC fds in current libsinsp (parse_execve_exit), not in sysdig
    0.29.3: proc.fdopencount is smaller afterwards.
  * an empty data parameter (read of 0 bytes, failed send): evt.buffer is "NULL" in current
    libsinsp (event.cpp renders empty BYTEBUF/SOCKTUPLE params as NULL), "" in sysdig 0.29.3.
  * a bound socket becomes a server socket in current libsinsp (parse_bind_exit): fd.cport
    has no value; sysdig 0.29.3 kept a client socket with port 0.
  * send/sendto/sendmsg on an fd missing from the table: current libsinsp creates it from the
    tuple (infer_send_sendto_sendmsg_fdinfo, UDP); sysdig 0.29.3 has no fd info.
  * a tuple with a new destination on a socket that already had one (connect, sendto,
    recvmsg, ...): current libsinsp overwrites the destination (update_fd / connect:
    overwrite_dest, libs bd1061cef), sysdig 0.29.3 kept the old one; a failed connect (not
    EINPROGRESS): current libsinsp without connection-status tracking (as in Falco) leaves
    the fd alone, sysdig 0.29.3 took the tuple: that fd's events differ from then on; sysdig 0.29.3 also let IPv4 CIDRs (fd.rnet=
    0.0.0.0/0) match IPv6 sockets, current libsinsp compares families (fields.md §3.2).
  * uid 0 in a container without a user table: current libsinsp adds root with home /root
    and an empty shell (user.cpp), sysdig 0.29.3 used the host's entry.
  * the child-side clone exit of such late children: current libsinsp takes the container
    (cgroups) from the child's own event, sysdig 0.29.3 from the caller's.
  * parameters the converter copies from the enter event (the fd of read/write/connect, the
    socket domain, ...) hold the values sysdig 0.29.3 parsed from that enter event: fields
    (fd.*, ...) are compared on them; only evt.args/evt.arg.NAME text skips them.
  * children of a process that exited: current libsinsp re-parents them (find_new_reaper:
    another thread of the group, a child-subreaper ancestor, else ptid 0 when the parent is
    in another pid namespace); sysdig 0.29.3 keeps the dead parent's tid (its pname <NA>).
Not comparable with sysdig 0.29.3 (kept out of the compared captures, in the rule captures):
execveat with a relative path or AT_EMPTY_PATH (sysdig 0.29.3 crashes), the old bpf layout
(crashes on evt.res), and every event code >= 336 (dup2/dup3/dup_1, bpf_2, memfd_create,
prctl, init_module/finit_module, accept4_6, pipe2, ...), which sysdig 0.29.3 does not know.
Everything else must match exactly. Differences that are frc defects are listed in
KNOWN_DIFFERENCES (reported as XFAIL, counted as skipped, and a FAILURE once they match).
"""
import argparse
import concurrent.futures
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "scapgen"))
import argprobe  # noqa: E402
import randcond  # noqa: E402
import scapgen  # noqa: E402

BASE = "%evt.time.iso8601 %thread.tid %evt.type"

# (name, condition, format) -- format probes: all exit events. Probes in PARAM_PROBES read the
# event's parameters (directly or through its fd) and skip events whose parameter layout the
# libscap converter changed (see compare()).
PARAM_PROBES = {"evt", "evt.arg", "evt.rawarg", "evt.buffer", "fd", "net", "no-star", "evt.more", "fd.more"}
FORMAT_PROBES = [
    ("evt", "evt.type exists",
     "*" + BASE + " | %evt.dir %evt.res %evt.rawres %evt.is_open_read %evt.is_open_write "
     "%evt.is_open_exec %evt.time %syscall.type"),
    ("evt.arg", "evt.type exists",
     "*" + BASE + " | fd=%evt.arg.fd name=%evt.arg.name flags=%evt.arg.flags mode=%evt.arg.mode "
     "res=%evt.arg.res path=%evt.arg.path filename=%evt.arg.filename tuple=%evt.arg.tuple "
     "addr=%evt.arg.addr size=%evt.arg.size domain=%evt.arg.domain"),
    ("evt.rawarg", "evt.type in (open, openat, read, write, close, socket, connect, mmap)",
     "*" + BASE + " | %evt.rawarg.res %evt.rawarg.size"),
    ("evt.buffer", "evt.type in (read, write, sendto, recvfrom, sendmsg)",
     "*" + BASE + " | %evt.buffer"),
    ("proc", "evt.type exists",
     "*" + BASE + " | %proc.name|%proc.exe|%proc.exepath|%proc.args|%proc.cmdline|%proc.pname|"
     "%proc.pcmdline|%proc.cwd|%proc.tty|%proc.vpgid|%proc.vpid|%proc.pid|%proc.ppid|%proc.duration"),
    ("proc.env", "evt.type exists", "*" + BASE + " | %proc.env"),
    ("ancestors", "evt.type exists",
     "*" + BASE + " | %proc.aname[0] %proc.aname[1] %proc.aname[2] %proc.aname[3] %proc.aname[4] "
     "%proc.aname[6] %proc.apid[0] %proc.apid[1] %proc.apid[2]"),
    ("thread", "evt.type exists", "*" + BASE + " | %thread.tid %thread.vtid"),
    ("user", "evt.type exists",
     "*" + BASE + " | %user.uid %user.name %user.loginuid %user.loginname %group.gid %group.name"),
    ("fd", "not (evt.type=open and evt.rawres<0)",
     "*" + BASE + " | %fd.num|%fd.type|%fd.typechar|%fd.name|%fd.directory|%fd.filename|"
     "%fd.l4proto|%fd.sockfamily|%fd.connected|%fd.name_changed"),
    ("net", "fd.type in (ipv4, ipv6)",
     "*" + BASE + " | %fd.cip %fd.sip %fd.lip %fd.rip %fd.cport %fd.sport %fd.lport %fd.rport"),
    ("container", "evt.type exists",
     "*" + BASE + " | %container.id|%container.name|%container.image|%container.image.repository|"
     "%container.image.tag|%container.privileged|%container.mounts|%container.mount.dest[/]|"
     "%k8s.ns.name|%k8s.pod.name"),
    ("no-star", "evt.type exists", BASE + " | %fd.name %proc.pname"),  # events with a missing value are skipped
    ("evt.more", "evt.type exists",
     "*" + BASE + " | %evt.category %evt.cpu %evt.buflen %evt.is_io %evt.is_io_read "
     "%evt.is_io_write %evt.io_dir %evt.is_wait %evt.is_syslog %evt.count %evt.count.exit "
     "%evt.abspath | %evt.info || %evt.args"),
    ("time", "evt.type exists",
     "*" + BASE + " | %evt.time.s %evt.datetime %evt.datetime.s %evt.rawtime %evt.rawtime.s "
     "%evt.rawtime.ns"),
    ("proc.more", "evt.type exists",
     "*" + BASE + " | %proc.sid|%proc.loginshellid|%proc.nthreads|%proc.nchilds|%proc.exeline|"
     "%proc.is_exe_writable|%proc.fdopencount|%proc.fdlimit|%proc.vmsize|%proc.vmrss|%proc.vmswap|"
     "%proc.is_container_healthcheck|%proc.is_container_liveness_probe|"
     "%proc.is_container_readiness_probe"),
    ("thread.more", "evt.type exists",
     "*" + BASE + " | %thread.ismain|%thread.exectime|%thread.totexectime|%thread.cgroup.cpuset|"
     "%thread.pfmajor|%thread.pfminor|%thread.vmsize|%thread.vmrss|%thread.cgroups"),
    ("user.more", "evt.type exists", "*" + BASE + " | %user.homedir %user.shell"),
    ("fd.more", "fd.num exists",
     "*" + BASE + " | %fd.typechar %fd.is_server %fd.uid %fd.containername %fd.containerdirectory "
     "%fd.dev %fd.dev.major %fd.dev.minor"),
]

# condition probes: identifying format for the selected events
CONDITIONS = [
    "evt.type in (open, openat, close, read)",
    "evt.type=open",
    "evt.type!=mmap",
    "fd.name startswith /etc",
    "fd.name contains lib and not fd.name endswith .so.6",
    "fd.name endswith .so.6",
    "proc.name glob 'c*'",
    "fd.name glob '/lib/*/libc*'",
    "fd.name pmatch (/etc, /lib/x86_64-linux-gnu)",
    "proc.aname=sshd",
    "proc.aname!=sshd",
    "proc.aname in (bash, sshd)",
    "proc.aname[1]=bash",
    "evt.rawres < 0",
    "evt.rawres >= 3",
    "evt.rawres <= 0 and evt.rawres > -5",
    "fd.num=3",
    "fd.sport exists",
    "not fd.sport exists",
    "evt.arg.flags contains O_CLOEXEC",
    "evt.arg.flags = O_RDONLY",
    "evt.rawarg.flags = 4097",
    "evt.arg.fd exists",
    "fd.net=127.0.0.0/8",
    "fd.net!=127.0.0.0/8",
    "fd.ip=127.0.0.1",
    "fd.ip!=127.0.0.1",
    "fd.port=80",
    "fd.port in (80, 1234, 53)",
    "fd.snet in (127.0.0.0/8, 10.0.0.0/8)",
    "fd.cnet=127.0.0.0/8",
    "fd.lnet=127.0.0.0/8",
    "fd.rnet=0.0.0.0/0",
    "fd.sip=127.0.0.1",
    "fd.cip=2001:db8::4",
    "fd.sport=1234",
    "fd.rport>1000",
    "user.uid=0",
    "user.name=root",
    "user.name!=root",
    "user.loginuid=-1",
    "fd.typechar=f and evt.is_open_read=true",
    "evt.is_open_write=true",
    "proc.cmdline icontains CURL",
    "proc.cmdline contains \"google.com\"",
    "fd.directory=/etc",
    "fd.filename=ld.so.cache",
    "evt.res=ENOENT",
    "evt.res!=SUCCESS",
    "proc.pname in (bash, sh)",
    "proc.name in (curl, cat, ping)",
    "fd.l4proto=tcp",
    "fd.proto=http",
    "fd.proto=domain",
    "fd.sproto=http or fd.cproto=http",
    "fd.lproto=http or fd.rproto=http",
    "fd.l4proto=udp",
    "fd.sockfamily=ip",
    "fd.sockfamily=unix",
    "fd.type=unix",
    "fd.connected=true",
    "fd.name_changed=true",
    "container.id=host",
    "container.id!=host",
    "proc.tty=0",
    "proc.vpid>0",
    "proc.pid>0",
    "thread.vtid exists",
    "user.uid>=1000",
    "group.gid=0",
    "proc.exe=curl",
    "proc.args contains http",
    "proc.cwd startswith /home",
    "proc.duration exists",
    "evt.buffer contains GET",
    "syscall.type=open",
    "evt.type.is.open=1",
    # sysdig 0.29.3 gives no value to evt.failed / evt.count.error* of successful events,
    # current libsinsp gives 0 (and no value without a return value): failures compare
    "evt.failed=true",
    "evt.count.error=1",
    "evt.count.error.file=1",
    "evt.count.error.net=1",
    "evt.count.error.memory=1 or evt.count.error.other=1",
    "(evt.type=open or evt.type=close) and not fd.name startswith /proc",
]

# sessions: proc.sname is the comm of the session leader (the ancestor whose pid is the sid)
FORMAT_PROBES.append(("session", "evt.type exists",
                      "*" + BASE + " | %proc.sname|%proc.sid|%proc.vpgid|%proc.loginshellid|%proc.tty"))

# fd.typechar of failed open(): sysdig 0.29.3 'f', current libsinsp 'o' (fields.md §6.3):
# every such event must show exactly that difference
FORMAT_PROBES.append(("failed-open", "evt.type=open and evt.rawres<0", "*" + BASE + " | %fd.typechar"))

# single events (no exit counterpart): compared without the evt.dir restriction
SINGLE_PROBES = [
    ("procexit", "evt.type=procexit",
     "*" + BASE + " | %evt.dir %proc.name %proc.pname %evt.arg.status %evt.arg.ret %evt.arg.sig"),
    ("switch", "evt.type=switch", "*" + BASE + " | %evt.dir %proc.name %evt.arg.next"),
]

# fields of compiler/fields.def not compared, with the reason
NOT_COMPARED = {
    "evt.num": "numbering differs by design (sysdig counts every event block)",
    "evt.hostname": "not in sysdig 0.29.3",
    "evt.source": "not in sysdig 0.29.3",
    "proc.acmdline": "not in sysdig 0.29.3",
    "proc.aexe": "not in sysdig 0.29.3",
    "proc.aexepath": "not in sysdig 0.29.3",
    "proc.pexe": "not in sysdig 0.29.3",
    "proc.pexepath": "not in sysdig 0.29.3",
    "proc.vpgid.name": "not in sysdig 0.29.3",
    "proc.vpgid.exe": "not in sysdig 0.29.3",
    "proc.is_vpgid_leader": "not in sysdig 0.29.3",
    "proc.ppid.duration": "not in sysdig 0.29.3",
    "proc.exe_ino.ctime": "not in sysdig 0.29.3",
    "proc.exe_ino.mtime": "not in sysdig 0.29.3",
    "proc.exe_ino.ctime_duration_proc_start": "not in sysdig 0.29.3",
    "proc.is_exe_upper_layer": "not in sysdig 0.29.3",
    "proc.is_exe_from_memfd": "not in sysdig 0.29.3",
    "thread.cap_effective": "not in sysdig 0.29.3",
    "thread.cap_permitted": "not in sysdig 0.29.3",
    "fd.nameraw": "not in sysdig 0.29.3",
    "fd.types": "not in sysdig 0.29.3",
    "fd.cip.name": "DNS resolution of rule domains: not deterministic offline",
    "fd.sip.name": "DNS resolution of rule domains: not deterministic offline",
    "fd.lip.name": "DNS resolution of rule domains: not deterministic offline",
    "fd.rip.name": "DNS resolution of rule domains: not deterministic offline",
    "container.start_ts": "not in sysdig 0.29.3",
    "evt.latency": "enter/exit latency: current libsinsp has no enter events (deprecated field)",
    "evt.latency.s": "enter/exit latency: current libsinsp has no enter events (deprecated field)",
    "evt.latency.ns": "enter/exit latency: current libsinsp has no enter events (deprecated field)",
    "evt.latency.human": "enter/exit latency: current libsinsp has no enter events (deprecated field)",
    "evt.wait_latency": "enter/exit latency: current libsinsp has no enter events (deprecated field)",
    "evt.deltatime": "time since the previous event: sysdig's previous event is often the enter event, "
                     "which current libsinsp does not show",
    "evt.deltatime.s": "as evt.deltatime",
    "evt.deltatime.ns": "as evt.deltatime",
    "evt.reltime": "sysdig 0.29.3 measures from a reference 1-11 s before the first event of these "
                   "captures, not from the first event",
    "evt.reltime.s": "as evt.reltime",
    "evt.reltime.ns": "as evt.reltime",
    "evt.around": "filter-only field taking an absolute time; no deterministic probe across captures",
    "evt.pluginname": "no plugin events in the captures",
    "evt.plugininfo": "no plugin events in the captures",
    "evt.is_open_create": "not in sysdig 0.29.3",
    "evt.is_async": "not in sysdig 0.29.3",
    "evt.asynctype": "not in sysdig 0.29.3",
    "proc.pvpid": "not in sysdig 0.29.3",
    "proc.sid.exe": "not in sysdig 0.29.3",
    "proc.sid.exepath": "not in sysdig 0.29.3",
    "proc.is_sid_leader": "not in sysdig 0.29.3",
    "proc.vpgid.exepath": "not in sysdig 0.29.3",
    "proc.pgid": "not in sysdig 0.29.3",
    "proc.pgid.name": "not in sysdig 0.29.3",
    "proc.pgid.exe": "not in sysdig 0.29.3",
    "proc.pgid.exepath": "not in sysdig 0.29.3",
    "proc.is_pgid_leader": "not in sysdig 0.29.3",
    "proc.cmdnargs": "not in sysdig 0.29.3",
    "proc.cmdlenargs": "not in sysdig 0.29.3",
    "proc.aargs": "not in sysdig 0.29.3",
    "proc.aenv": "not in sysdig 0.29.3",
    "proc.exe_ino": "not in sysdig 0.29.3",
    "proc.exe_ino.ctime_duration_pidns_start": "not in sysdig 0.29.3",
    "proc.pidns_init_start_ts": "not in sysdig 0.29.3",
    "proc.is_exe_lower_layer": "not in sysdig 0.29.3",
    "proc.pid.ts": "not in sysdig 0.29.3",
    "proc.ppid.ts": "not in sysdig 0.29.3",
    "proc.stdin.type": "not in sysdig 0.29.3",
    "proc.stdout.type": "not in sysdig 0.29.3",
    "proc.stderr.type": "not in sysdig 0.29.3",
    "proc.stdin.name": "not in sysdig 0.29.3",
    "proc.stdout.name": "not in sysdig 0.29.3",
    "proc.stderr.name": "not in sysdig 0.29.3",
    "thread.cap_inheritable": "not in sysdig 0.29.3",
    "fd.ino": "not in sysdig 0.29.3",
    "fd.is_upper_layer": "not in sysdig 0.29.3",
    "fd.is_lower_layer": "not in sysdig 0.29.3",
}


# Differences found by this test that are not explained by a documented design difference:
# frc defects (or behaviour of current libsinsp not yet verified), reported to their owners.
# A listed probe that differs is XFAIL (counted as skipped, with the reason printed); a listed
# probe that matches is a FAILURE (the entry must then be removed), so the list stays true.
ALL = None
KNOWN_DIFFERENCES = {
}


def known(cap, probe):
    k = KNOWN_DIFFERENCES.get(probe)
    if not k or (k[0] is not ALL and cap not in k[0]):
        return None
    return k[1]


def fields_def(path):
    names = []
    for line in open(path):
        m = re.match(r'\s*FIELD\(\s*\w+\s*,\s*"([^"]+)"', line)
        if m:
            names.append(m.group(1))
    return names


def coverage(names):
    text = " ".join(c for _, c, _ in FORMAT_PROBES) + " " + " ".join(f for _, _, f in FORMAT_PROBES)
    text += " " + " ".join(CONDITIONS) + " " + " ".join(c + " " + f for _, c, f in SINGLE_PROBES)
    used, missing = [], []
    for n in names:
        if re.search(r"(?<![\w.])%?" + re.escape(n) + r"(?![\w])", text):
            used.append(n)
        elif n not in NOT_COMPARED:
            missing.append(n)
    return used, missing


CACHE = None  # directory caching sysdig's outputs (sysdig 0.29.3 is a fixed reference)


def run(cmd, env, key_extra=b""):
    key = None
    if CACHE and cmd[0] == "sysdig":
        h = hashlib.sha256()
        with open(cmd[2], "rb") as f:
            h.update(f.read())
        h.update("\0".join(cmd[3:]).encode())
        h.update(key_extra)
        key = os.path.join(CACHE, h.hexdigest())
        if os.path.exists(key):
            with open(key) as f:
                d = json.load(f)
            return d["rc"], d["out"], d["err"]
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, timeout=600)
    r = p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")
    if key and r[0] == 0:
        os.makedirs(CACHE, exist_ok=True)
        with open(key + ".tmp", "w") as f:
            json.dump({"rc": r[0], "out": r[1], "err": r[2]}, f)
        os.replace(key + ".tmp", key)
    return r


# Every probe of a capture runs in one sysdig process (one instance of probe.lua per probe,
# each with its own filter and formatter, as `sysdig -p FORMAT CONDITION` would print) and in
# one frc process (one --filter/--format pair per probe). Each probe's format ends with the
# literal " @@Pnnn", which tells the lines of the probes apart; a line without it (a value
# holding a newline) continues the next tagged one. --exact runs every probe as a process of
# its own instead (sysdig -r CAPTURE -p FORMAT CONDITION; frc replay --filter --format), the
# literal form of the comparison, much slower without the cache.
TAG = re.compile(r" @@([PAR]\d{3})$")
CHISEL = os.path.join(os.path.dirname(os.path.abspath(__file__)), "probe.lua")
EXACT = False


def single(tool, path, cond, fmt, env):
    if tool == "sysdig":
        return run(["sysdig", "-r", path, "-p", fmt, cond], env)
    return run([tool, "replay", "--filter", cond, "--format", fmt, path], env)


def split_tagged(out):
    """{tag: [lines]} of a batch's output."""
    res, pending = {}, []
    for line in out.split("\n"):
        m = TAG.search(line)
        if not m:
            pending.append(line)
            continue
        res.setdefault(m.group(1), []).extend(pending + [line[:m.start()]])
        pending = []
    if pending != [""] and pending:
        res.setdefault("untagged", []).extend(pending)
    return res


def batch(tool, path, probes, env, workdir):
    """{tag: (rc, [lines], stderr)} of every probe (tag, cond, fmt) on one capture."""
    for _, cond, fmt in probes:
        assert "\t" not in cond + fmt and "\n" not in cond + fmt
    if tool == "sysdig" and not EXACT:
        # sysdig 0.29.3: rendering an fd parameter (evt.args, evt.info, evt.arg.*) in one
        # chisel's formatter changes what a later chisel's filter sees as the event's fd
        # (observed on an openat with a real dirfd: fd.typechar 'd' instead of 'f'). The
        # format probes and the condition probes therefore run in two sysdig processes.
        fmts = [p for p in probes if p[2] != "*" + BASE]
        conds = [p for p in probes if p[2] == "*" + BASE]
        if fmts and conds:
            res = batch1(tool, path, fmts, env, workdir)
            res.update(batch1(tool, path, conds, env, workdir))
            return res
    return batch1(tool, path, probes, env, workdir)


def batch1(tool, path, probes, env, workdir):
    if not EXACT:
        if tool == "sysdig":
            tsv = "".join("%s\t%s @@%s\n" % (c, f, t) for t, c, f in probes)
            pf = os.path.join(workdir, "probes-%s.tsv" % hashlib.sha256(tsv.encode()).hexdigest()[:16])
            with open(pf, "w") as f:
                f.write(tsv)
            cmd = ["sysdig", "-r", path]
            for i in range(len(probes)):
                cmd += ["-c", CHISEL, str(i + 1)]
            rc, out, err = run(cmd, dict(env, FRC_SYSDIG_PROBES=pf), tsv.encode())
        else:
            cmd = [tool, "replay"]
            for t, c, f in probes:
                cmd += ["--filter", c, "--format", "%s @@%s" % (f, t)]
            rc, out, err = run(cmd + [path], env)
        if rc == 0:
            lines = split_tagged(out)
            return {t: (0, lines.get(t, []), "") for t, _, _ in probes}
        if tool == "sysdig":
            # a capture sysdig cannot read fails every probe alike: no need to run them
            rc1, _, err1 = run(["sysdig", "-r", path, "-p", "%evt.type", "evt.type exists"], env)
            if rc1 != 0:
                return {t: (rc1, [], err1) for t, _, _ in probes}
    # one process per probe: --exact, or a batch failed (a probe one side rejects fails alone)
    res = {}
    for t, c, f in probes:
        rc, out, err = single(tool, path, c, f, env)
        res[t] = (rc, out.splitlines(), err)
    return res


INFO_COND = "evt.dir='<' or evt.type in (procexit, switch)"
INFO_FMT = "*%evt.time.iso8601 %thread.tid %evt.type %proc.name %user.uid %thread.vtid %proc.pid ||| %evt.args"
ENTER_COND = "evt.dir='>'"
CONNECT_COND = "evt.type in (connect, sendto, sendmsg, recvfrom, recvmsg)"
CONNECT_FMT = "*%evt.time.iso8601 %thread.tid %evt.dir %fd.num %fd.name ||| %evt.type %evt.args"
V6_COND = "fd.num exists and evt.dir='<'"
V6_FMT = "*%evt.time.iso8601 %thread.tid %fd.num %fd.type"
GENERIC_COND = "evt.arg.ID exists"
GENERIC_FMT = "%evt.time.iso8601 %thread.tid"
PARAM_NAME = re.compile(r"(?:^| )([A-Za-z_][A-Za-z0-9_]*)=")


ANY = "any"
# (sysdig 0.29.3 evt.type, current evt.type) of old layouts the converter renames
RENAMED = {("accept", "accept4")}
# event types whose fd current libsinsp knows and sysdig 0.29.3 does not: EF_USES_FD added
# after 2022, or an fd-creating event sysdig 0.29.3 does not parse into the fd table
NEW_FD_TYPES = {"userfaultfd", "bpf"}
FD_BY_DESIGN = {"symlinkat", "unlinkat", "mkdirat", "fchmodat", "fchmod", "mmap", "mmap2"} | NEW_FD_TYPES
# flag names sysdig 0.29.3's flag tables lack
NEW_FLAG_NAMES = ("O_F_CREATED", "CLONE_CHILD_IN_PIDNS")


def reads(text):
    """The event parameters a probe's fields read: a set of names, or ANY."""
    need = set()
    if re.search(r"evt\.(args|info)|evt\.arg\[|evt\.rawarg\[", text):
        return ANY
    need.update(re.findall(r"evt\.(?:raw)?arg\.(\w+)", text))
    if re.search(r"(?<![\w.])fd\.", text):
        need.update({"fd", "res", "tuple", "addr", "name", "dirfd", "path"})
    if re.search(r"fd\.(dev|ino)", text):
        need.update({"dev", "ino"})
    if re.search(r"evt\.(res|rawres|failed|count\.error)", text):
        need.add("res")
    if "evt.buffer" in text or "evt.buflen" in text:
        need.update({"data", "size"})
    if "evt.is_open" in text:
        need.update({"flags", "mode"})
    if "evt.abspath" in text:
        need.update({"dirfd", "name", "path", "olddirfd", "newdirfd", "oldpath", "newpath",
                     "linkdirfd", "linkpath", "target"})
    return need


class EventInfo:
    """Per-event facts of one capture, from both tools, keyed by (time, tid):
    unknown: generic events sysdig 0.29.3's syscall table cannot name (evt.type "<unknown>");
    added:   the parameters current libscap's converter added to each event (old layouts get
             the current schema's parameters: e.g. mmap/fstat/sendmsg gain fd, access gains
             mode, read gains size); a probe skips an event only when it reads one of them;
    fake:    events of threads the capture's process table does not know (libsinsp HEAD
             creates a fake thread: pid -1, cwd "./", fields.md §4; sysdig 0.29.3 differs);
    nouser:  events of threads whose uid is unknown (4294967295): HEAD's user.name is the
             value "<NA>" (fields.md §5.4), sysdig 0.29.3 has no value;
    vtid:    events where HEAD's execve on a thread unknown at capture start set vtid/vpid
             (fields.md §4) and sysdig 0.29.3 has none;
    thread:  events of secondary threads (tid != pid): HEAD's parent is the parent of the
             thread's *process* (fields.md §5.3), sysdig 0.29.3 used the thread's own ptid;
    generic: generic events (syscalls without their own event type): HEAD takes evt.category
             from the event table ("other"), sysdig 0.29.3 from its syscall table;
    failed_open: failed open/openat/creat exits: fd.typechar 'o' in current libsinsp, 'f' in
             sysdig 0.29.3 (fields.md §6.3): conditions on fd.typechar skip them."""

    def __init__(self, sout, fout, gout, senter=(), sconn=(), v6=()):
        """sysdig's and frc's lines of INFO_COND/INFO_FMT, frc's of GENERIC_COND/GENERIC_FMT,
        sysdig's lines of ENTER_COND/INFO_FMT and CONNECT_COND/CONNECT_FMT, both tools' lines
        of V6_COND/V6_FMT"""
        sysd, frcd = self.parse(sout), self.parse(fout)
        self.sysd, self.frcd = sysd, frcd
        self.unknown = {k for k, v in sysd.items() if v[0] == "<unknown>"}
        self.fake = {k for k, v in sysd.items() if v[1] == "<NA>"}
        # parameters current libscap's converter added to the event (absent from the capture's
        # old layout, which sysdig shows as is)
        self.added = {k: frozenset(frcd[k][2]) - frozenset(v[2])
                      for k, v in sysd.items() if k in frcd and v[2] != frcd[k][2]}
        # of those, the ones the converter copied from the syscall's enter event, which sysdig
        # 0.29.3 parsed too (same values: fd of read/write/close/connect, socket domain, ...):
        # they change the event's text (evt.args, evt.arg[N]), not what fields read
        last_enter, entered = {}, {}
        ent = self.parse(senter)
        ex_by_tid = {}
        for k, v in sysd.items():
            ex_by_tid.setdefault(k[1], []).append(k)
        for k in sorted(ent):
            last_enter.setdefault(k[1], []).append(k)
        for tid, exits in ex_by_tid.items():
            enters = last_enter.get(tid, [])
            j = 0
            for k in sorted(exits):
                while j < len(enters) and enters[j][0] < k[0]:
                    j += 1
                if j and ent[enters[j - 1]][0] == sysd[k][0]:
                    entered[k] = frozenset(ent[enters[j - 1]][2])
        self.added_field = {k: add - entered.get(k, frozenset()) for k, add in self.added.items()}
        # send*/sendto/sendmsg on an fd sysdig 0.29.3 does not know (its enter shows a bare
        # fd number): current libsinsp creates the fd from the tuple (infer_send_..._fdinfo)
        self.inferred = set()
        for tid, exits in ex_by_tid.items():
            enters = last_enter.get(tid, [])
            j = 0
            for k in sorted(exits):
                while j < len(enters) and enters[j][0] < k[0]:
                    j += 1
                if j and sysd[k][0] in ("send", "sendto", "sendmsg") and \
                        ent[enters[j - 1]][0] == sysd[k][0] and re.match(r"fd=\d+ ", ent[enters[j - 1]][6]):
                    self.inferred.add(k)
        # events on IPv6 fds (either tool): an IPv4 CIDR never matches them in current libsinsp
        fdof = [l.split(" ") for l in v6]
        self.v6 = {(f[0], f[1]) for f in fdof if len(f) == 4 and f[3] == "ipv6"}
        # events on unix sockets: sysdig 0.29.3's filter sees fd.cport 0 on some (the postgres
        # socket of gen_net), current libsinsp has ports of IP sockets only (TYPE_CLIENTPORT)
        self.unix = {(f[0], f[1]) for f in fdof if len(f) == 4 and f[3] == "unix"}
        # a connect to a new destination on a socket that had one: current libsinsp overwrites
        # the destination (overwrite_dest), sysdig 0.29.3 kept the old one: the fd's events
        # differ from then on (by tid and fd number)
        self.reconnect = {}
        enter_tuple = {}
        for line in sconn:
            head, _, args = line.partition(" ||| ")
            f = head.split(" ", 4)
            if len(f) < 4:
                continue
            etype, _, args = args.partition(" ")
            m = re.search(r"tuple=(\S+)", args)
            if f[2] == ">":
                enter_tuple[f[1]] = m.group(1) if m else None
                continue
            name = f[4] if len(f) == 5 else ""
            tup = m.group(1) if m else enter_tuple.get(f[1]) if etype in ("sendto", "sendmsg") else None
            failed = re.match(r"res=-(\d+)", args)
            if etype == "connect" and failed and failed.group(1) != "115":
                # a failed connect: current libsinsp (no connection-status tracking, as
                # Falco) leaves the fd alone, sysdig 0.29.3 took the tuple
                self.reconnect.setdefault((f[1], f[3]), f[0])
                continue
            if failed or not tup or "->" not in tup:
                continue
            a, b = tup.split("->", 1)
            if name not in (tup, b + "->" + a):
                self.reconnect.setdefault((f[1], f[3]), f[0])
        self.reconnected = {(f[0], f[1]) for f in fdof if len(f) == 4 and (f[1], f[2]) in self.reconnect
                            and f[0] >= self.reconnect[(f[1], f[2])]}
        # child-side clone exits of children current libsinsp creates there (late_child,
        # below): sysdig 0.29.3 took their container/cgroups from the caller's exit
        self.late_clone = set()
        self.nouser = {k for k, v in sysd.items() if v[3] == "4294967295"}
        self.vtid = {k for k, v in sysd.items() if k in frcd and v[4] == "<NA>" and frcd[k][4] == k[1]}
        self.thread = {k for k, v in frcd.items() if v[5] not in (k[1], "-1", "<NA>")}
        # generic events (a syscall without its own event type: the ID param names it)
        self.generic = {tuple(l.split(" ", 1)) for l in gout if " " in l}
        # failed opens: fd.typechar 'f' in sysdig 0.29.3, 'o' in current libsinsp (fields.md
        # §6.3; asserted by the failed-open probe)
        self.failed_open = {k for k, v in sysd.items()
                            if v[0] in ("open", "openat", "openat2", "creat") and v[6].startswith("fd=-")}
        # old accept4 layouts: "accept" in sysdig 0.29.3, "accept4" after the converter
        self.renamed = {k: (v[0], frcd[k][0]) for k, v in sysd.items()
                        if k in frcd and (v[0], frcd[k][0]) in RENAMED}
        # events the converter turned into another layout (names are not a prefix)
        self.relayout = {k for k, v in sysd.items()
                         if k in frcd and tuple(frcd[k][2][:len(v[2])]) != tuple(v[2])}
        # events whose fd current libsinsp knows and sysdig 0.29.3 does not (FD_BY_DESIGN),
        # and failed *at opens with a real dirfd (sysdig shows the dirfd's fd)
        self.fd_design = {k for k, v in sysd.items() if v[0] in FD_BY_DESIGN} | self.relayout
        self.fd_design |= {k for k, v in sysd.items()
                           if v[0] in ("openat", "openat2") and v[6].startswith("fd=-")
                           and not re.search(r"dirfd=-100\b", v[6])}
        # processes that got such an fd: proc.fdopencount is larger in frc afterwards
        self.extra_fd_pid = {}
        for k, v in sorted(sysd.items()):
            if v[0] in NEW_FD_TYPES and k in frcd and re.match(r"(res|res_or_fd)=\d", v[6]):
                self.extra_fd_pid.setdefault(frcd[k][5], k[0])
        self.pid_of = {k: v[5] for k, v in frcd.items()}
        # processes after their first successful execve (CLOEXEC fds closed by current libsinsp)
        self.exec_pid = {}
        for k, v in sorted(frcd.items()):
            if v[0] in ("execve", "execveat") and v[6].startswith("res=0 "):
                self.exec_pid.setdefault(v[5], k[0])
        # children current libsinsp creates at their own clone exit (vfork, new pid ns)
        self.late_child = set()
        for k, v in frcd.items():
            if v[0] in ("clone", "fork", "vfork", "clone3"):
                m = re.match(r"res=(\d+) ", v[6])
                if m and m.group(1) != "0" and (v[0] == "vfork" or v[4] not in (k[1], "<NA>") or re.search(
                        r"CLONE_VFORK|CLONE_NEWPID|CLONE_CHILD_IN_PIDNS|CLONE_PARENT\b", v[6])):
                    self.late_child.add(m.group(1))
        self.late_clone = {k for k, v in frcd.items()
                           if v[0] in ("clone", "fork", "vfork", "clone3") and k[1] in self.late_child and
                           v[6].startswith("res=0 ")}
        # fds of old-layout openat/openat2 (no ino: current libsinsp drops dev), by fd.uid
        self.at_dev_fd = set()
        for k, v in sysd.items():
            m = re.match(r"fd=(\d+)\(", v[6])
            if v[0] in ("openat", "openat2") and m and "ino" in self.added.get(k, ()):
                self.at_dev_fd.add(k[1] + m.group(1))

    def set_cgroups(self, lines):
        """ctrd: events of threads in a cgroup only the container plugin's containerd matcher
        takes for a container (a namespace component, then an id of 1..64 characters that is
        not a 64-character runc id; fields.md §7.1), from sysdig's thread.more lines"""
        self.ctrd = set()
        for l in lines:
            head, _, rest = l.partition(" | ")
            f = head.split(" ")
            cols = rest.split("|")
            if len(f) < 2 or len(cols) < 9:
                continue
            for cg in cols[8].split(" "):
                path = cg.partition("=")[2]
                m = re.match(r"^/[A-Za-z0-9]+(?:[._-][A-Za-z0-9]+)*/([^/]{1,64})$", path)
                if m and not re.match(r"^[0-9a-f]{64}$", m.group(1)) and \
                        not path.endswith((".service", ".slice", ".scope")):
                    self.ctrd.add((f[0], f[1]))

    @staticmethod
    def parse(lines):
        out = {}
        for line in lines:
            head, _, args = line.partition(" ||| ")
            f = head.split(" ")
            if len(f) < 7:
                continue
            # (type, proc.name, param names, uid, vtid, pid)
            out[(f[0], f[1])] = (f[2], " ".join(f[3:-3]), tuple(PARAM_NAME.findall(args)),
                                 f[-3], f[-2], f[-1], args)
        return out

    def changed_for(self, text):
        """Events whose converter-added parameters the probe text reads."""
        need = reads(text)
        if need is ANY:
            return {k for k, add in self.added.items() if add}
        named = set(re.findall(r"evt\.(?:raw)?arg\.(\w+)", text))     # read by name: the text
        ex = {k for k, add in self.added.items() if add & named}
        ex |= {k for k, add in self.added_field.items() if add & need}
        if need:
            ex |= self.relayout
        if re.search(r"(?<![\w.])fd\.|evt\.count\.error|proc\.fdopencount", text):
            ex |= self.fd_design | self.inferred | self.reconnected
        return ex

    def excluded_for(self, cond):
        """Events a condition probe skips, by the fields the condition reads."""
        ex = set(self.unknown) | self.changed_for(cond) | self.fake
        if re.search(r"fd\.[a-z]*net\b.*\d+\.\d+\.\d+\.\d+/", cond) or \
                re.search(r"fd\.ip\b.*\d+\.\d+\.\d+\.\d+", cond):
            # sysdig 0.29.3 matched IPv6 addresses against IPv4 networks, and fd.ip=0.0.0.0
            # against a fresh IPv6 socket (::); current libsinsp compares families
            ex |= self.v6
        if "container" in cond:
            ex |= self.late_clone | self.ctrd
        if "fd.typechar" in cond:
            ex |= self.failed_open
        if re.search(r"user\.(name|loginname|homedir|shell)|group\.name", cond):
            ex |= self.nouser
        if re.search(r"proc\.vpid|thread\.vtid", cond):
            ex |= self.vtid
        if re.search(r"proc\.(pname|pcmdline|ppid)", cond):
            ex |= self.thread
        return ex


def col_rules(probe, key, sv, fv, info):
    """True if the probe's columns differ only as documented (module docstring)."""
    if probe == "evt.rawarg" and info.sysd.get(key, ("",))[0] in ("mmap", "mmap2"):
        # evt.rawarg.res of mmap: PT_ERRNO PF_HEX in current libsinsp, printed in hex by
        # rawval_to_string; sysdig 0.29.3 printed it in decimal (argprobe.py)
        s, f = sv.split(" "), fv.split(" ")
        return len(s) == len(f) == 2 and s[1] == f[1] and re.match(r"^\d+$", s[0]) is not None and \
            re.match(r"^[0-9A-F]+$", f[0]) is not None and int(s[0]) == int(f[0], 16)
    if probe in ("evt.arg", "evt.more"):
        # flag names sysdig 0.29.3's tables lack
        for n in NEW_FLAG_NAMES:
            fv = fv.replace("|" + n, "").replace(n + "|", "")
        if sv == fv:
            return True
    if probe == "session":
        # no session id (sid -1: V5 process tables, fake threads): current libsinsp's
        # proc.sname is "" (no session leader), sysdig 0.29.3 walked to some ancestor
        # ("systemd", "cat") or had none (<NA>)
        s, f = sv.split("|"), fv.split("|")
        return len(s) == len(f) == 5 and s[1] == f[1] == "-1" and f[0] == "" and s[1:] == f[1:]
    if probe == "evt.arg":
        # the caller of a vfork / new-pid-namespace clone: the child does not exist yet in
        # current libsinsp, evt.arg.res is the bare tid
        m = re.search(r" res=(\d+) ", fv)
        if m and m.group(1) in info.late_child:
            return re.sub(r" res=\S+ ", " res=X ", sv) == re.sub(r" res=\S+ ", " res=X ", fv)
        return False
    if probe == "proc":
        s, f = sv.split("|"), fv.split("|")
        if len(s) == len(f) and all(
                s[i] == f[i] or
                (i == 13 and key[1] in info.late_child) or       # duration from its own clone
                (i in (5, 6, 12) and s[5] == "<NA>" and s[12] != f[12])   # reparented child
                for i in range(len(s))):
            return True
    if probe == "proc.more":
        s, f = sv.split("|"), fv.split("|")
        if len(s) != len(f):
            return False
        ok = True
        for i in range(len(s)):
            if s[i] == f[i]:
                continue
            pid = info.pid_of.get(key)
            if i == 6 and pid in info.extra_fd_pid and key[0] >= info.extra_fd_pid[pid] and \
                    f[i].isdigit() and s[i].isdigit() and int(f[i]) > int(s[i]):
                continue        # fd that sysdig 0.29.3 does not add (NEW_FD_TYPES)
            if i == 6 and pid in info.exec_pid and key[0] >= info.exec_pid[pid] and \
                    f[i].isdigit() and s[i].isdigit() and int(f[i]) < int(s[i]):
                continue        # CLOEXEC fds closed by execve in current libsinsp only
            if i in (2, 3) and s[2].isdigit() and f[2].isdigit() and s[3].isdigit() and \
                    f[3].isdigit() and int(f[3]) == int(f[2]) - 1 and \
                    (int(f[2]) - int(s[2]) == int(f[3]) - int(s[3]) > 0 or
                     (key in info.thread and s[3] == "0" and int(f[2]) > int(s[2]))):
                continue        # thread group counted whole (module docstring)
            if i == 3 and key in info.thread and s[i] == "0" and f[i].isdigit() and int(f[i]) > 0:
                continue
            ok = False
        if ok:
            return True
    if probe == "fd.more":
        s, f = sv.split(" "), fv.split(" ")
        if len(s) == len(f) == 8 and s[:5] == f[:5] and s[2] in info.at_dev_fd and \
                f[5:] == ["0", "0", "0"]:
            return True     # old-layout openat: no dev without ino in current libsinsp
    if probe == "proc":
        s, f = sv.split("|"), fv.split("|")
        if len(s) != len(f):
            return False
        for i in range(len(s)):
            if s[i] == f[i]:
                continue
            if i in (7, 11, 12) and key in info.fake:      # cwd, pid, ppid of a fake thread
                continue
            if i in (5, 6) and key in info.thread:        # pname, pcmdline of a thread
                continue
            if i == 10 and s[i] == "<NA>" and f[i] == f[11]:  # vpid set by execve (fields.md §4)
                continue
            return False
        return True
    if probe == "thread":
        s, f = sv.split(), fv.split()
        return len(s) == 2 and s[0] == f[0] and s[1] == "<NA>" and f[1] == f[0]
    if probe == "ancestors":
        s, f = sv.split(" "), fv.split(" ")
        return len(s) == len(f) and key in info.fake and \
            all(s[i] == f[i] for i in range(len(s)) if i != 6)
    if probe == "user":
        s, f = sv.split(" "), fv.split(" ")
        return len(s) == len(f) == 6 and all(
            s[i] == f[i] or (i == 4 and s[i].isdigit() and int(s[i]) > 0xffffffff) for i in range(6))
    if probe == "container":
        s, f = sv.split("|"), fv.split("|")
        if len(s) == len(f) and s[0] == "host" and f[0] != "host" and key in info.ctrd:
            # the container plugin's containerd matcher (ctr/nerdctl namespaces: fields.md
            # §7.1) is not in sysdig 0.29.3: a container without metadata there, the host here
            return all(f[i] == "<NA>" for i in range(1, len(f)) if i != 6 and i != 7)
        if len(s) == len(f) and s[0] == f[0] != "host" and all(
                s[i] == f[i] or (i == 5 and s[i] == "false" and f[i] == "<NA>") or
                (i == 6 and s[i] == "" and f[i] == "<NA>") for i in range(len(s))):
            # a container without metadata (no container event, no runtime): the plugin has
            # no container.privileged / container.mounts (fields.md §7.2), sysdig 0.29.3
            # printed its defaults false and ""
            return True
        if len(s) != len(f) or s[0] != f[0] or s[0] != "host":
            return False
        host = {2: "", 3: "", 4: "", 5: "false", 6: ""}   # the container plugin's host values
        return all(s[i] == f[i] or (i in host and s[i] == "<NA>" and f[i] == host[i])
                   for i in range(len(s)))
    if probe == "evt.more":
        # evt.info / evt.args: current libsinsp drops the trailing blank sysdig 0.29.3 leaves
        s, f = sv.rstrip().split(" | ", 1), fv.rstrip().split(" | ", 1)
        if len(s) != 2 or len(f) != 2:
            return False
        sa, fa = [x.rstrip() for x in s[1].split(" || ")], [x.rstrip() for x in f[1].split(" || ")]
        if sa != fa:
            return False
        sc, fc = s[0].split(" "), f[0].split(" ")
        return len(sc) == len(fc) and all(
            sc[i] == fc[i] or (i == 0 and key in info.generic and fc[i] == "other")
            for i in range(len(sc)))
    if probe == "failed-open":
        return sv == "f" and fv == "o"
    if probe == "evt.buffer":
        return sv == "" and fv == "NULL"      # an empty data parameter (event.cpp: "NULL")
    if probe == "net":
        # a bound socket is a server socket in current libsinsp (parse_bind_exit): no client
        # port; sysdig 0.29.3 kept a client socket with port 0
        s, f = sv.split(" "), fv.split(" ")
        return len(s) == len(f) == 8 and s[0] == f[0] == "<NA>" and s[4] == "0" and f[4] == "<NA>" and \
            s[:4] == f[:4] and s[5:] == f[5:]
    if probe == "user.more":
        # uid 0 in a container without a user table: current libsinsp adds root with home
        # /root and an empty shell (user.cpp); sysdig 0.29.3 used the host's entry
        return sv.split(" ")[0] == fv.split(" ")[0] == "/root" and fv.split(" ", 1)[1:] == [""]
    if probe == "proc.more" and key in info.thread:
        # proc.nchilds of a secondary thread: sysdig 0.29.3 counts the children of the thread
        # itself (0 for curl's resolver thread), current libsinsp the non-leader threads of
        # its thread group (the thread itself at least)
        s, f = sv.split("|"), fv.split("|")
        return len(s) == len(f) and all(
            s[i] == f[i] or (i == 3 and s[i] == "0" and f[i].isdigit() and int(f[i]) > 0)
            for i in range(len(s)))
    if probe in ("proc.more", "thread.more") and key in info.fake:
        # a fake thread (unknown to the capture's process table): sysdig 0.29.3 makes it its
        # own main thread (pid = tid), current libsinsp gives it pid -1 and no main thread
        # (fields.md §4): thread.ismain false; proc.nthreads, proc.fdopencount and
        # proc.fdlimit 0 (no thread group, no main thread's fd table)
        s, f = sv.split("|"), fv.split("|")
        head = {"proc.more": {2: "0", 6: "0", 7: "0"}, "thread.more": {0: "false"}}[probe]
        return len(s) == len(f) and all(s[i] == f[i] or head.get(i) == f[i] for i in range(len(s)))
    if probe == "fd.more":
        # fd.dev of an fd that is not a file: sysdig 0.29.3 prints uninitialised memory
        # (the same socket event of connect_localhost gave 5602, 5625, 5617 in three runs);
        # current libsinsp's fd table entries start with dev 0
        s, f = sv.split(" "), fv.split(" ")
        return len(s) == len(f) == 8 and s[0] == f[0] != "f" and f[5:] == ["0", "0", "0"] and \
            s[:5] == f[:5]
    if probe == "no-star":
        s, f = sv.rsplit(" ", 1), fv.rsplit(" ", 1)   # fd.name, proc.pname of a thread
        return len(s) == len(f) == 2 and s[0] == f[0] and key in info.thread
    if probe == "procexit":
        s, f = sv.split(" "), fv.split(" ")
        return len(s) == len(f) and key in info.thread and all(s[i] == f[i] for i in range(len(s)) if i != 2)
    return False


def compare(probe, cond, fmt, slines, flines, info):
    """[(key, sysdig line, frc line)] of the events that differ, the number compared and the
    number excluded by design."""
    def keyed(lines):
        out = []
        for l in lines:
            f = l.split(" ", 2)
            out.append(((f[0], f[1] if len(f) > 1 else ""), l))
        return out
    excl = set(info.unknown)
    if probe in ("container", "thread.more"):
        excl |= info.late_clone
    if probe in PARAM_PROBES:
        excl |= info.changed_for(fmt)
    if probe.startswith(("cond", "rule:")):
        excl = info.excluded_for(cond)
    if probe.startswith("cond-rand"):
        excl = excl | randcond.excluded(cond, info.value_diffs)
        if re.search(r"fd\.[a-z]*port\b", cond):
            excl = excl | info.unix
        if "evt.type" in cond:
            # a generic event of a syscall that has its own event type now (mprotect of the
            # old captures): Falco runs a rule naming it only on its own event codes
            # (libsinsp::events::names_to_event_set adds PPME_GENERIC_E/X only for names
            # without one), sysdig 0.29.3's filter matched the generic event by its name
            excl = excl | info.generic | set(info.renamed)     # (and accept/accept4)
    sk = [x for x in keyed(slines) if x[0] not in excl]
    for i, (k, l) in enumerate(sk):
        if k in info.renamed:
            st, ft = info.renamed[k]
            h, sep, rest = l.partition(" | ")
            if h.endswith(" " + st):
                h = h[:-len(st)] + ft
            elif h == "%s %s %s" % (k[0], k[1], st):
                h = "%s %s %s" % (k[0], k[1], ft)
            if probe == "evt" and rest.endswith(" " + st):    # %syscall.type, last
                rest = rest[:-len(st)] + ft
            sk[i] = (k, h + sep + rest)
    fk = [x for x in keyed(flines) if x[0] not in excl]
    nexcl = len(slines) - len(sk)
    diffs = []
    smap, fmap = dict(sk), dict(fk)
    order = [k for k, _ in sk] + [k for k, _ in fk if k not in smap]
    for k in order:
        sl, fl = smap.get(k, "<none>"), fmap.get(k, "<none>")
        if sl == fl and probe != "failed-open":
            continue
        if sl != "<none>" and fl != "<none>" and " | " in sl and " | " in fl:
            sh, sv = sl.split(" | ", 1)
            fh, fv = fl.split(" | ", 1)
            if sh == fh and col_rules(probe, k, sv, fv, info):
                continue
        diffs.append((k, sl, fl))
    if not diffs and [k for k, _ in sk] != [k for k, _ in fk]:
        diffs.append((("order", ""), "events in a different order", ""))
    return diffs, len(sk), nexcl


def judge(cap, name, cond, fmt, sres, fres, info, verbose):
    """("pass"|"fail"|"skip", lines to print) of one probe on one capture"""
    tag = "%s/%s" % (cap, name)
    src, sout, serr = sres
    if src != 0:
        return "fail", ["FAIL %s: sysdig rejected the probe: %s" % (tag, serr.strip()[-300:])]
    frc_rc, fout, ferr = fres
    if frc_rc != 0:
        diffs, ncmp, nexcl = [(("frc", ""), "frc exited %d" % frc_rc, ferr.strip()[-500:])], 0, 0
    else:
        diffs, ncmp, nexcl = compare(name, cond, fmt, sout, fout, info)
    why = known(cap, name)
    if why and diffs:
        return "skip", ["XFAIL %s: known difference: %s" % (tag, why)]
    if why:
        return "fail", ["FAIL %s: listed in KNOWN_DIFFERENCES but now matches sysdig: remove the entry" % tag]
    if not diffs:
        return "pass", ["PASS %s (%d events compared, %d excluded by design)" % (tag, ncmp, nexcl)] if verbose else []
    out = ["FAIL %s: %d differing events of %d compared; condition: %s" % (tag, len(diffs), ncmp, cond)]
    for key, sl, fl in diffs[:3]:
        out.append("    %s %s\n      sysdig: %s\n      frc:    %s" % (key[0], key[1], sl, fl))
    return "fail", out


FIELD_CLASSES = r"(?:evt|proc|thread|fd|user|group|container|k8s|syscall|fdlist)"


def rule_probes(expander, rules, cap, env):
    """([(rule name, expanded condition)] sysdig 0.29.3 can evaluate, [(rule, why not)]);
    cap: a capture to check that sysdig 0.29.3 compiles each condition"""
    p = subprocess.run([sys.executable, expander] + rules, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=120)
    if p.returncode != 0:
        raise SystemExit("rule expansion failed: " + p.stderr.decode()[-500:])
    lst = subprocess.run(["sysdig", "-l"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, timeout=60)
    known = set(re.findall(r"^([a-z][a-z0-9_]*\.[A-Za-z0-9_.]+)", lst.stdout.decode(), re.M))
    ok, bad = [], []
    for line in p.stdout.decode().splitlines():
        name, _, cond = line.partition("\t")
        if "\t" in cond or "\n" in cond:
            bad.append((name, "condition not representable in a probe"))
        else:
            rc, _, err = run(["sysdig", "-r", cap, "-p", "%evt.num", "(%s) and evt.dir='<'" % cond], env)
            if rc != 0:
                # a field sysdig 0.29.3 does not have, or syntax it does not accept
                text = re.sub(r'"(?:\\.|[^"\\])*"|\'[^\']*\'', "''", cond)
                fields = set(re.findall(r"(?<![\w./-])(" + FIELD_CLASSES + r"\.[a-z][A-Za-z0-9_.]*)", text))
                unknown = sorted(f for f in fields if f not in known and not re.match(r"evt\.(raw)?arg\.", f))
                why = (err.strip().splitlines() or [""])[-1][:160]
                if unknown:
                    why += " (fields sysdig 0.29.3 does not have: %s)" % " ".join(unknown)
                bad.append((name, "sysdig 0.29.3 rejects the condition: " + why))
            else:
                ok.append((name, cond))
    return ok, bad


def extra_probes(a, path, cap, info, env, workdir, evtypes, conds):
    """[(line or "", "pass"|"fail"|"skip")]: the random conditions of randcond.py and the
    parameter probes of argprobe.py on one capture, run after the others (they need the
    capture's values, event types and parameter names). sysdig runs the two sets in two
    processes (rendering evt.arg.* in one chisel changes what a later chisel's filter sees as
    the event's fd: see batch()), frc in one."""
    probes = [] if a.no_args else argprobe.build(info, evtypes, RENAMED)
    probes = [p for p in probes if not a.only or re.search(a.only, p[0])]
    rprobes = [("cond-rand%03d" % i, "(%s) and evt.dir='<'" % c, "*" + BASE) for i, c in enumerate(conds)]
    rprobes = [p for p in rprobes if not a.only or re.search(a.only, p[0])]
    tagged = [("A%03d" % i, c, f) for i, (_, c, f, _, _) in enumerate(probes)]
    rtagged = [("R%03d" % i, c, f) for i, (_, c, f) in enumerate(rprobes)]
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as ex:
        sj = ex.submit(batch1, "sysdig", path, tagged, env, workdir) if tagged else None
        rj = ex.submit(batch1, "sysdig", path, rtagged, env, workdir) if rtagged else None
        fj = ex.submit(batch1, a.frc, path, tagged + rtagged, env, workdir)
        sres = dict(sj.result() if sj else {}, **(rj.result() if rj else {}))
        fres = fj.result()
    out = []
    for (t, _, _), (name, cond, fmt) in zip(rtagged, rprobes):
        kind, lines = judge(cap, name, cond, fmt, sres[t], fres[t], info, a.verbose)
        out.append(("\n".join(lines), kind))
    for (t, _, _), (name, cond, fmt, names, raws) in zip(tagged, probes):
        tag = "%s/%s" % (cap, name)
        if sres[t][0] != 0 or fres[t][0] != 0:
            out.append(("FAIL %s: sysdig exit %d, frc exit %d: %s" % (
                tag, sres[t][0], fres[t][0], (sres[t][2] + fres[t][2]).strip()[-300:]), "fail"))
            continue
        etypes = [name[4:]] + [y for x, y in RENAMED if x == name[4:]]
        diffs, n = argprobe.compare(sres[t][1], fres[t][1], info, NEW_FLAG_NAMES, lambda p: set().union(
            *(evtypes[1].get((x, p), set()) for x in etypes)))
        if not diffs:
            out.append(("PASS %s (%d events, %d params, %d raw)" % (tag, n, len(names), len(raws))
                        if a.verbose else "", "pass"))
            continue
        lines = ["FAIL %s: %d differing values in %d events" % (tag, len(diffs), n)]
        for k, col, sv, fv in diffs[:4]:
            lines.append("    %s %s %s\n      sysdig: %r\n      frc:    %r" % (k[0], k[1], col, sv[:200], fv[:200]))
        out.append(("\n".join(lines), "fail"))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--frc", required=True)
    ap.add_argument("--traces", required=True, action="append",
                    help="directory of captures (repeatable)")
    ap.add_argument("--fields", required=True, help="compiler/fields.def")
    ap.add_argument("--only", default="", help="regex: only the probes whose name matches")
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("--cache", default="", help="directory caching sysdig's outputs")
    ap.add_argument("-j", "--jobs", type=int, default=1,
                    help="captures at a time (each runs sysdig and frc side by side)")
    ap.add_argument("--exact", action="store_true",
                    help="one sysdig -p / frc --filter process per probe (slow)")
    ap.add_argument("--rules", action="append", default=[],
                    help="rules file (repeatable, loaded in order): every rule's condition, "
                         "expanded by --expand, becomes a condition probe (rule:NAME)")
    ap.add_argument("--expand", default="", help="macro/list expander (../shared/bench/falco_expand.py)")
    ap.add_argument("--evtab", default="runtime/evtab.def", help="runtime/evtab.def (parameter types)")
    ap.add_argument("--no-args", action="store_true", help="without the parameter probes (argprobe.py)")
    ap.add_argument("--rand", type=int, default=40, help="random conditions per capture (randcond.py)")
    ap.add_argument("--seed", type=int, default=0, help="seed of the random conditions")
    a = ap.parse_args()
    global CACHE, EXACT
    CACHE = a.cache or None
    EXACT = a.exact
    env = dict(os.environ, TZ="UTC")
    passed = failed = skipped = 0

    names = fields_def(a.fields)
    used, missing = coverage(names)
    print("fields compared (%d): %s" % (len(used), " ".join(used)))
    print("fields not compared (%d):" % len(NOT_COMPARED))
    for n, why in sorted(NOT_COMPARED.items()):
        print("   %s: %s" % (n, why))
    if missing:
        print("FAIL coverage: fields neither compared nor documented: %s" % " ".join(missing))
        failed += 1
    else:
        passed += 1

    probes = []
    for name, cond, fmt in FORMAT_PROBES:
        probes.append((name, "(%s) and evt.dir='<'" % cond, fmt))
    for i, cond in enumerate(CONDITIONS):
        probes.append(("cond%02d" % i, "(%s) and evt.dir='<'" % cond, "*" + BASE))
    for name, cond, fmt in SINGLE_PROBES:
        probes.append((name, cond, fmt))
    if a.rules:
        small = None
        for c in sorted((os.path.join(d, f) for d in a.traces for f in os.listdir(d) if f.endswith(".scap")),
                        key=os.path.getsize):
            if run(["sysdig", "-r", c, "-p", "%evt.num", "evt.num=0"], env)[0] == 0:
                small = c       # the smallest capture sysdig 0.29.3 reads
                break
        ok, skipped_rules = rule_probes(a.expand, a.rules, small, env)
        for name, cond in ok:
            probes.append(("rule:" + name, "(%s) and evt.dir='<'" % cond, "*" + BASE))
        for name, why in skipped_rules:
            print("rule not compared: %s: %s" % (name, why))
    probes = [p for p in probes if not a.only or re.search(a.only, p[0])]
    # tagged: the event facts (EventInfo) first, then the probes
    tagged = [("P000", INFO_COND, INFO_FMT)] + \
        [("P%03d" % (i + 2), c, f) for i, (_, c, f) in enumerate(probes)]
    frc_tagged = tagged + [("P001", GENERIC_COND, GENERIC_FMT)]
    tagged = tagged + [("P001", ENTER_COND, INFO_FMT), ("P998", CONNECT_COND, CONNECT_FMT),
                       ("P997", randcond.VALUE_COND, randcond.VALUE_FMT)]  # sysdig only
    tagged = tagged + [("P999", V6_COND, V6_FMT)]
    frc_tagged = frc_tagged + [("P999", V6_COND, V6_FMT)]
    workdir = tempfile.mkdtemp(prefix="frc-sysdig-diff-")
    evtypes = argprobe.load_types(scapgen.load_evtab(a.evtab))

    def capture(path):
        """(lines to print, passed, failed, skipped) of one capture"""
        cap = os.path.basename(path)
        with concurrent.futures.ThreadPoolExecutor(max_workers=2) as ex:
            sj = ex.submit(batch, "sysdig", path, tagged, env, workdir)
            fj = ex.submit(batch, a.frc, path, frc_tagged, env, workdir)
            sres, fres = sj.result(), fj.result()
        if all(r[0] != 0 for r in sres.values()):
            rc, err = sres["P000"][0], sres["P000"][2]
            why = err.strip().splitlines()[-1] if err.strip() else "exit %d" % rc
            return ["SKIP %s: sysdig 0.29.3 cannot read it (%s)" % (cap, why)], 0, 0, 1
        info = EventInfo(sres["P000"][1], fres["P000"][1], fres["P001"][1], sres["P001"][1],
                         sres["P998"][1], sres["P999"][1] + fres["P999"][1])
        tm = [i for i, p in enumerate(probes) if p[0] == "thread.more"]
        info.set_cgroups(sres["P%03d" % (tm[0] + 2)][1] if tm else [])
        info.value_diffs = randcond.value_diffs(
            [("P%03d" % (i + 2), name) for i, (name, _, _) in enumerate(probes)], sres, fres)
        out, np, nf, ns = [], 0, 0, 0
        for i, (name, cond, fmt) in enumerate(probes):
            t = "P%03d" % (i + 2)
            kind, lines = judge(cap, name, cond, fmt, sres[t], fres[t], info, a.verbose)
            out += lines
            np += kind == "pass"
            nf += kind == "fail"
            ns += kind == "skip"
        conds = randcond.generate(randcond.values(sres["P997"][1]), cap, a.rand, a.seed)
        if conds or not a.no_args:
            for line, kind in extra_probes(a, path, cap, info, env, workdir, evtypes, conds):
                out += [line] if line else []
                np += kind == "pass"
                nf += kind == "fail"
                ns += kind == "skip"
        return out, np, nf, ns

    caps = [os.path.join(d, f) for d in a.traces for f in sorted(os.listdir(d)) if f.endswith(".scap")]
    try:
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, a.jobs)) as ex:
            for lines, np, nf, ns in ex.map(capture, caps):
                for l in lines:
                    print(l)
                passed += np
                failed += nf
                skipped += ns
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print("RESULT: %d passed, %d failed, %d skipped" % (passed, failed, skipped))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
