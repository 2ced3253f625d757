/* SPDX-License-Identifier: Apache-2.0
 *
 * Live tests of the eBPF probe (runtime/probe_load.c + probe/frc.bpf.c): real syscalls made
 * by child processes, the events read back from the ring buffer, every event checked
 * against its schema in the event table and the interesting ones checked parameter by
 * parameter. Needs root and kernel BTF; each test is skipped (with the reason) otherwise.
 *
 * No timing is involved: a child's sched_process_exit event is in the ring buffer before
 * waitpid() returns, so draining the buffer after waitpid() sees everything it did.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/ptrace.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cmocka.h>

#include "evtab.h"
#include "frc_ppm.h"
#include "probe_load.h"

#define MAXEV 20000
#define MAXTRACK 64

struct ev {
	uint16_t type;
	int64_t tid;
	uint32_t np;
	uint16_t len[32];
	const uint8_t *p[32];
	uint8_t *raw;
};

static struct {
	struct probe *p;
	struct ev evs[MAXEV];
	int nev;
	int64_t track[MAXTRACK];
	int ntrack;
	int schema_errors;
	char why[256];
} T;

static bool tracked(int64_t tid)
{
	for (int i = 0; i < T.ntrack; i++)
		if (T.track[i] == tid)
			return true;
	return false;
}

/* every event of every process must match its schema */
static void check_schema(const uint8_t *b, size_t len)
{
	uint32_t elen, np;
	uint16_t type;
	const struct evt_schema *s;
	size_t off;

	memcpy(&elen, b + 16, 4);
	memcpy(&type, b + 20, 2);
	memcpy(&np, b + 22, 4);
	s = evtab_schema(type);
	if (elen != len || !s || np != s->nparams || np > 32 || 26 + 2 * np > len) {
		snprintf(T.why, sizeof(T.why), "type %u: len %u/%zu nparams %u", type, elen, len, np);
		T.schema_errors++;
		return;
	}
	off = 26 + 2 * np;
	for (uint32_t i = 0; i < np; i++) {
		uint16_t pl;
		size_t fs = evtab_ptype_size(s->params[i].type);

		memcpy(&pl, b + 26 + 2 * i, 2);
		if (off + pl > len || (fs && pl != 0 && pl != fs)) {
			snprintf(T.why, sizeof(T.why), "type %u param %u (%s): len %u", type, i,
				 s->params[i].name, pl);
			T.schema_errors++;
			return;
		}
		if ((s->params[i].type == PT_CHARBUF || s->params[i].type == PT_FSPATH ||
		     s->params[i].type == PT_FSRELPATH) && pl && b[off + pl - 1] != 0) {
			snprintf(T.why, sizeof(T.why), "type %u param %s: no NUL", type,
				 s->params[i].name);
			T.schema_errors++;
			return;
		}
		off += pl;
	}
	if (off != len) {
		snprintf(T.why, sizeof(T.why), "type %u: params end at %zu of %zu", type, off, len);
		T.schema_errors++;
	}
}

static int64_t get_s64(const struct ev *e, unsigned i)
{
	int64_t v = 0;

	if (i < e->np && e->len[i] == 8)
		memcpy(&v, e->p[i], 8);
	return v;
}

static uint64_t get_u(const struct ev *e, unsigned i)
{
	uint64_t v = 0;

	if (i < e->np && e->len[i] <= 8)
		memcpy(&v, e->p[i], e->len[i]);
	return v;
}

static const char *get_str(const struct ev *e, unsigned i)
{
	return i < e->np && e->len[i] ? (const char *)e->p[i] : "";
}

static int on_event(void *arg, const void *evt, size_t len)
{
	const uint8_t *b = evt;
	struct ev *e;
	size_t off;
	uint16_t type;
	int64_t tid;

	(void)arg;
	check_schema(b, len);
	memcpy(&type, b + 20, 2);
	memcpy(&tid, b + 8, 8);
	if (!tracked(tid) || T.nev >= MAXEV)
		return 0;
	e = &T.evs[T.nev++];
	e->raw = malloc(len);
	memcpy(e->raw, b, len);
	e->type = type;
	e->tid = tid;
	memcpy(&e->np, b + 22, 4);
	if (e->np > 32)
		e->np = 32;
	off = 26 + 2 * e->np;
	for (unsigned i = 0; i < e->np; i++) {
		memcpy(&e->len[i], b + 26 + 2 * i, 2);
		e->p[i] = e->raw + off;
		off += e->len[i];
	}
	/* follow the children of tracked processes */
	if ((type == PPME_SYSCALL_CLONE_20_X || type == PPME_SYSCALL_FORK_20_X ||
	     type == PPME_SYSCALL_VFORK_20_X || type == PPME_SYSCALL_CLONE3_X) &&
	    get_s64(e, 0) > 0 && T.ntrack < MAXTRACK)
		T.track[T.ntrack++] = get_s64(e, 0);
	return 0;
}

static void reset(void)
{
	for (int i = 0; i < T.nev; i++)
		free(T.evs[i].raw);
	T.nev = 0;
	T.ntrack = 0;
}

static int setup(void **state)
{
	char err[256];
	struct probe_opts o = { .own_pid = 0x7ffffff0 };

	(void)state;
	if (geteuid() != 0 || access("/sys/kernel/btf/vmlinux", R_OK) != 0)
		return 0;
	T.p = probe_open(&o, on_event, NULL, err, sizeof(err));
	if (!T.p) {
		fprintf(stderr, "probe_open: %s\n", err);
		return -1;
	}
	if (probe_attach(T.p, err, sizeof(err))) {
		fprintf(stderr, "probe_attach: %s\n", err);
		return -1;
	}
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	reset();
	probe_close(T.p);
	return 0;
}

#define NEED_PROBE()								\
	do {									\
		if (!T.p) {							\
			fprintf(stderr, "SKIP: needs root and kernel BTF\n");	\
			skip();							\
		}								\
		probe_set_interest_all(T.p);					\
	} while (0)

/* run @fn in a child, wait for it, collect what it and its descendants did */
static int run_child(void (*fn)(void *), void *arg)
{
	pid_t c;
	int st = 0;

	reset();
	probe_consume(T.p);	/* nothing of earlier tests may be attributed to this child */
	c = fork();
	if (c == 0) {
		fn(arg);
		_exit(0);
	}
	T.track[T.ntrack++] = c;
	waitpid(c, &st, 0);
	probe_consume(T.p);
	return st;
}

static const struct ev *find(uint16_t type, int from)
{
	for (int i = from; i < T.nev; i++)
		if (T.evs[i].type == type)
			return &T.evs[i];
	return NULL;
}

/* the first event of @type whose string param @i equals @s */
static const struct ev *find_str(uint16_t type, unsigned i, const char *s)
{
	for (int k = 0; k < T.nev; k++)
		if (T.evs[k].type == type && !strcmp(get_str(&T.evs[k], i), s))
			return &T.evs[k];
	return NULL;
}

/* ---------------------------------------------------------------- files */

static char tmpdir[64];

static void do_files(void *arg)
{
	char a[128], b[128], d[128];
	int fd;

	(void)arg;
	snprintf(a, sizeof(a), "%s/a", tmpdir);
	snprintf(b, sizeof(b), "%s/b", tmpdir);
	snprintf(d, sizeof(d), "%s/d", tmpdir);
	fd = open(a, O_CREAT | O_WRONLY | O_CLOEXEC, 0640);
	if (write(fd, "x", 1) != 1)
		_exit(2);
	close(fd);
	fd = openat(AT_FDCWD, a, O_RDONLY);
	close(fd);
	if (symlink("/etc/shadow", b) || rename(b, d) || unlink(d) || mkdir(b, 0700) ||
	    rmdir(b) || chmod(a, 04755) || link(a, b) || unlink(b))
		_exit(3);
	fd = open("/nonexistent/x", O_RDONLY);
	(void)fd;
}

static void test_files(void **state)
{
	const struct ev *e;
	struct stat st;
	char path[128];

	(void)state;
	NEED_PROBE();
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/frc-probe-%d", (int)getpid());
	mkdir(tmpdir, 0700);
	assert_int_equal(run_child(do_files, NULL), 0);
	snprintf(path, sizeof(path), "%s/a", tmpdir);
	assert_int_equal(stat(path, &st), 0);

	/* open(O_CREAT) is openat(AT_FDCWD) in glibc: fd, dirfd, name, flags, mode, dev, ino */
	e = find_str(PPME_SYSCALL_OPENAT_2_X, 2, path);
	assert_non_null(e);
	assert_true(get_s64(e, 0) >= 0);
	assert_int_equal(get_s64(e, 1), FRC_AT_FDCWD);
	assert_int_equal(get_u(e, 3), FRC_O_WRONLY | FRC_O_CREAT | FRC_O_CLOEXEC | FRC_O_F_CREATED);
	assert_int_equal(get_u(e, 4), 0640);
	assert_int_equal(get_u(e, 6), st.st_ino);
	assert_int_equal(get_u(e, 5), (uint32_t)st.st_dev);
	/* the second open: read-only, not created */
	e = find(PPME_SYSCALL_OPENAT_2_X, (int)(e - T.evs) + 1);
	assert_non_null(e);
	assert_string_equal(get_str(e, 2), path);
	assert_int_equal(get_u(e, 3), FRC_O_RDONLY);
	/* a failed open: fd = -ENOENT */
	e = find_str(PPME_SYSCALL_OPENAT_2_X, 2, "/nonexistent/x");
	assert_non_null(e);
	assert_int_equal(get_s64(e, 0), -ENOENT);
	/* symlink(target, linkpath): the legacy syscall on x86_64 */
	e = find(PPME_SYSCALL_SYMLINK_X, 0);
	assert_non_null(e);
	assert_int_equal(get_s64(e, 0), 0);
	assert_string_equal(get_str(e, 1), "/etc/shadow");
	snprintf(path, sizeof(path), "%s/b", tmpdir);
	assert_string_equal(get_str(e, 2), path);
	snprintf(path, sizeof(path), "%s/a", tmpdir);
	/* rename is renameat/renameat2 in glibc */
	e = find(PPME_SYSCALL_RENAMEAT2_X, 0);
	if (!e)
		e = find(PPME_SYSCALL_RENAME_X, 0);
	if (!e)
		e = find(PPME_SYSCALL_RENAMEAT_X, 0);
	assert_non_null(e);
	assert_int_equal(get_s64(e, 0), 0);
	e = find(PPME_SYSCALL_UNLINKAT_2_X, 0);
	if (!e)
		e = find(PPME_SYSCALL_UNLINK_2_X, 0);
	assert_non_null(e);
	e = find(PPME_SYSCALL_MKDIRAT_X, 0);
	if (!e)
		e = find(PPME_SYSCALL_MKDIR_2_X, 0);
	assert_non_null(e);
	e = find(PPME_SYSCALL_FCHMODAT_X, 0);
	if (!e)
		e = find(PPME_SYSCALL_CHMOD_X, 0);
	assert_non_null(e);
	assert_int_equal(get_u(e, e->np - 1), 04755);
	e = find(PPME_SYSCALL_LINKAT_2_X, 0);
	if (!e)
		e = find(PPME_SYSCALL_LINK_2_X, 0);
	assert_non_null(e);
	assert_int_equal(get_s64(e, 0), 0);
	/* the child's exit */
	e = find(PPME_PROCEXIT_1_E, 0);
	assert_non_null(e);
	unlink(path);
	rmdir(tmpdir);
	assert_int_equal(T.schema_errors, 0);
}

/* ---------------------------------------------------------------- processes */

static void do_exec(void *arg)
{
	static char a0[] = "true-argv0", a1[] = "alpha", a2[] = "beta gamma";
	static char e0[] = "FRC_PROBE_TEST=1", e1[] = "PATH=/usr/bin";
	char *argv[] = { a0, a1, a2, NULL };
	char *envp[] = { e0, e1, NULL };

	(void)arg;
	execve("/bin/true", argv, envp);
	_exit(9);
}

static void test_execve(void **state)
{
	const struct ev *e;
	static const char args[] = "alpha\0beta gamma";
	pid_t self = getpid();

	(void)state;
	NEED_PROBE();
	assert_int_equal(run_child(do_exec, NULL), 0);
	e = find(PPME_SYSCALL_EXECVE_19_X, 0);
	assert_non_null(e);
	assert_int_equal(e->np, 31);
	assert_int_equal(get_s64(e, 0), 0);
	assert_string_equal(get_str(e, 1), "true-argv0");
	assert_int_equal(e->len[2], sizeof(args));
	assert_memory_equal(e->p[2], args, sizeof(args));
	assert_int_equal(get_s64(e, 3), e->tid);
	assert_int_equal(get_s64(e, 4), e->tid);
	assert_int_equal(get_s64(e, 5), self);
	assert_int_equal(e->len[6], 0);			/* cwd: not sent */
	assert_string_equal(get_str(e, 13), "true");	/* comm */
	assert_non_null(memmem(e->p[14], e->len[14], "memory=/", 8));	/* cgroups */
	assert_int_equal(e->p[14][e->len[14] - 1], 0);
	assert_int_equal(e->len[15], sizeof("FRC_PROBE_TEST=1\0PATH=/usr/bin"));
	assert_string_equal(get_str(e, 15), "FRC_PROBE_TEST=1");
	assert_int_equal(get_u(e, 19) & FRC_EXE_FROM_MEMFD, 0);
	assert_true(get_u(e, 23) != 0);			/* exe_ino */
	assert_int_equal(get_u(e, 26), geteuid());
	assert_string_equal(get_str(e, 27), "/usr/bin/true");	/* trusted_exepath: /bin -> usr/bin */
	assert_string_equal(get_str(e, 30), "/bin/true");	/* filename as passed */
	/* the fork that made the child: clone() in the parent is not tracked; the child side is
	 * followed by the exit event of the exec-ed process */
	e = find(PPME_PROCEXIT_1_E, 0);
	assert_non_null(e);
	assert_int_equal(get_s64(e, 0), 0);
	assert_int_equal(T.schema_errors, 0);
}

static void do_exec_fail(void *arg)
{
	static char a0[] = "nothere", a1[] = "x", e0[] = "A=1";
	char *argv[] = { a0, a1, NULL };
	char *envp[] = { e0, NULL };

	(void)arg;
	execve("/nonexistent/bin", argv, envp);
	_exit(7);
}

static void test_execve_fail(void **state)
{
	const struct ev *e;

	(void)state;
	NEED_PROBE();
	assert_int_equal(WEXITSTATUS(run_child(do_exec_fail, NULL)), 7);
	e = find(PPME_SYSCALL_EXECVE_19_X, 0);
	assert_non_null(e);
	assert_int_equal(get_s64(e, 0), -ENOENT);
	assert_string_equal(get_str(e, 1), "nothere");
	assert_int_equal(e->len[2], 2);
	assert_string_equal(get_str(e, 2), "x");
	assert_string_equal(get_str(e, 15), "A=1");
	assert_string_equal(get_str(e, 30), "/nonexistent/bin");
	e = find(PPME_PROCEXIT_1_E, 0);
	assert_non_null(e);
	assert_int_equal(get_s64(e, 1), 7);		/* ret */
	assert_int_equal(get_u(e, 2), 0);		/* sig */
	assert_int_equal(T.schema_errors, 0);
}

static void do_memfd_exec(void *arg)
{
	char buf[65536];
	static char a0[] = "fileless";
	char *argv[] = { a0, NULL };
	char *envp[] = { NULL };
	int in, fd;
	ssize_t n;

	(void)arg;
	fd = (int)syscall(SYS_memfd_create, "payload", 0);
	in = open("/bin/true", O_RDONLY);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(fd, buf, (size_t)n) != n)
			_exit(3);
	close(in);
	syscall(SYS_execveat, fd, "", argv, envp, AT_EMPTY_PATH);
	_exit(8);
}

static void test_memfd_exec(void **state)
{
	const struct ev *e;

	(void)state;
	NEED_PROBE();
	assert_int_equal(run_child(do_memfd_exec, NULL), 0);
	e = find(PPME_SYSCALL_MEMFD_CREATE_X, 0);
	assert_non_null(e);
	assert_true(get_s64(e, 0) >= 0);
	assert_string_equal(get_str(e, 1), "payload");
	e = find(PPME_SYSCALL_EXECVE_19_X, 0);
	assert_non_null(e);
	assert_int_equal(get_s64(e, 0), 0);
	assert_true(get_u(e, 19) & FRC_EXE_FROM_MEMFD);
	assert_string_equal(get_str(e, 27), "memfd:payload");
	assert_int_equal(T.schema_errors, 0);
}

static void do_clone_exit(void *arg)
{
	pid_t c;
	int st;

	(void)arg;
	c = fork();
	if (c == 0) {
		raise(SIGKILL);
		_exit(1);
	}
	waitpid(c, &st, 0);
	_exit(WIFSIGNALED(st) ? 5 : 6);
}

static void test_clone_and_exit(void **state)
{
	const struct ev *e, *parent = NULL, *child = NULL;

	(void)state;
	NEED_PROBE();
	assert_int_equal(WEXITSTATUS(run_child(do_clone_exit, NULL)), 5);
	for (int i = 0; i < T.nev; i++) {
		e = &T.evs[i];
		if (e->type != PPME_SYSCALL_CLONE_20_X && e->type != PPME_SYSCALL_CLONE3_X &&
		    e->type != PPME_SYSCALL_FORK_20_X)
			continue;
		if (get_s64(e, 0) > 0)
			parent = e;
		else if (get_s64(e, 0) == 0)
			child = e;
	}
	assert_non_null(parent);
	assert_non_null(child);
	assert_int_equal(get_s64(child, 3), get_s64(parent, 0));	/* tid of the child */
	assert_int_equal(get_s64(child, 5), parent->tid);		/* its parent */
	assert_true(get_u(child, 20) != 0);	/* pidns init start time, child side only */
	assert_int_equal(get_u(parent, 20), 0);
	/* the grandchild died of SIGKILL */
	e = NULL;
	for (int i = 0; i < T.nev; i++)
		if (T.evs[i].type == PPME_PROCEXIT_1_E && T.evs[i].tid == get_s64(parent, 0))
			e = &T.evs[i];
	assert_non_null(e);
	assert_int_equal(get_u(e, 2), SIGKILL);
	assert_int_equal(T.schema_errors, 0);
}

static void do_ptrace(void *arg)
{
	pid_t c;

	(void)arg;
	c = fork();
	if (c == 0) {
		pause();
		_exit(0);
	}
	if (ptrace(PTRACE_ATTACH, c, 0, 0) != 0)
		_exit(4);
	waitpid(c, NULL, 0);
	ptrace(PTRACE_DETACH, c, 0, 0);
	kill(c, SIGKILL);
	waitpid(c, NULL, 0);
}

static void test_ptrace(void **state)
{
	const struct ev *e = NULL;

	(void)state;
	NEED_PROBE();
	assert_int_equal(run_child(do_ptrace, NULL), 0);
	for (int i = 0; i < T.nev; i++)
		if (T.evs[i].type == PPME_SYSCALL_PTRACE_X && get_u(&T.evs[i], 3) == 11)
			e = &T.evs[i];
	assert_non_null(e);	/* request PTRACE_ATTACH (PPM 11) */
	assert_int_equal(get_s64(e, 0), 0);
	assert_true(get_s64(e, 4) > 0);
	assert_int_equal(T.schema_errors, 0);
}

/* ---------------------------------------------------------------- network */

static int port_tcp, port_udp;

static void do_net(void *arg)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	int s;

	(void)arg;
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	sa.sin_port = htons((uint16_t)port_tcp);
	s = socket(AF_INET, SOCK_STREAM, 0);
	if (connect(s, (struct sockaddr *)&sa, sizeof(sa)))
		_exit(2);
	close(s);
	s = socket(AF_INET, SOCK_DGRAM, 0);
	sa.sin_port = htons((uint16_t)port_udp);
	if (sendto(s, "hello", 5, 0, (struct sockaddr *)&sa, sizeof(sa)) != 5)
		_exit(3);
	close(s);
}

static int bound_socket(int type, int *port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t l = sizeof(sa);
	int s = socket(AF_INET, type, 0);

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (bind(s, (struct sockaddr *)&sa, sizeof(sa)) || getsockname(s, (void *)&sa, &l))
		return -1;
	*port = ntohs(sa.sin_port);
	return s;
}

static void test_network(void **state)
{
	const struct ev *e;
	int lt, lu;
	uint32_t ip;
	uint16_t port;

	(void)state;
	NEED_PROBE();
	lt = bound_socket(SOCK_STREAM, &port_tcp);
	lu = bound_socket(SOCK_DGRAM, &port_udp);
	assert_true(lt >= 0 && lu >= 0);
	assert_int_equal(listen(lt, 4), 0);
	assert_int_equal(run_child(do_net, NULL), 0);
	close(lt);
	close(lu);

	e = find(PPME_SOCKET_SOCKET_X, 0);
	assert_non_null(e);
	assert_int_equal(get_u(e, 1), AF_INET);
	assert_int_equal(get_u(e, 2), SOCK_STREAM);
	e = find(PPME_SOCKET_CONNECT_X, 0);
	assert_non_null(e);
	assert_int_equal(get_s64(e, 0), 0);
	/* tuple: family, sip, sport, dip, dport (local -> remote) */
	assert_int_equal(e->len[1], 13);
	assert_int_equal(e->p[1][0], AF_INET);
	memcpy(&ip, e->p[1] + 7, 4);
	memcpy(&port, e->p[1] + 11, 2);
	assert_int_equal(ip, htonl(INADDR_LOOPBACK));
	assert_int_equal(port, port_tcp);
	/* addr: family, ip, port */
	assert_int_equal(e->len[3], 7);
	memcpy(&port, e->p[3] + 5, 2);
	assert_int_equal(port, port_tcp);
	e = find(PPME_SOCKET_SENDTO_X, 0);
	assert_non_null(e);
	assert_int_equal(get_s64(e, 0), 5);
	assert_int_equal(e->len[1], 5);
	assert_memory_equal(e->p[1], "hello", 5);
	assert_int_equal(get_u(e, 3), 5);
	assert_int_equal(e->len[4], 13);
	memcpy(&port, e->p[4] + 11, 2);
	assert_int_equal(port, port_udp);
	assert_int_equal(T.schema_errors, 0);
}

/* ---------------------------------------------------------------- interest and self */

static void do_getppid(void *arg)
{
	(void)arg;
	for (int i = 0; i < 10; i++)
		syscall(SYS_getppid);
}

static void test_interest(void **state)
{
	uint64_t codes[8] = { 0 };
	const struct ev *e;
	int n = 0;

	(void)state;
	NEED_PROBE();
	/* base set only: getppid is not traced */
	probe_set_interest(T.p, codes, false);
	assert_false(probe_traces_syscall(T.p, SYS_getppid));
	assert_true(probe_traces_syscall(T.p, SYS_execve));
	assert_true(probe_traces_syscall(T.p, SYS_openat));
	assert_false(probe_traces_syscall(T.p, SYS_ptrace));
	assert_int_equal(run_child(do_getppid, NULL), 0);
	assert_null(find(PPME_GENERIC_X, 0));
	/* a rule on a syscall without a dedicated event: generic events */
	codes[0] = 3;
	probe_set_interest(T.p, codes, true);
	assert_true(probe_traces_syscall(T.p, SYS_getppid));
	assert_int_equal(run_child(do_getppid, NULL), 0);
	for (int i = 0; i < T.nev; i++) {
		e = &T.evs[i];
		if (e->type == PPME_GENERIC_X && get_u(e, 1) == SYS_getppid) {
			assert_int_equal(get_u(e, 0), evtab_syscall_code("getppid", 7));
			n++;
		}
	}
	assert_int_equal(n, 10);
	/* ptrace is named by a rule */
	memset(codes, 0, sizeof(codes));
	codes[PPME_SYSCALL_PTRACE_X / 64] |= 1ull << (PPME_SYSCALL_PTRACE_X % 64);
	probe_set_interest(T.p, codes, false);
	assert_true(probe_traces_syscall(T.p, SYS_ptrace));
	assert_false(probe_traces_syscall(T.p, SYS_getppid));
	/* back to everything the other tests need */
	probe_set_interest_all(T.p);
	assert_int_equal(T.schema_errors, 0);
}

static void test_counters(void **state)
{
	struct probe_counters c;

	(void)state;
	NEED_PROBE();
	probe_read_counters(T.p, &c, NULL);
	assert_true(c.n_evts > 0);
	assert_int_equal(c.n_drops_bug, 0);
	assert_int_equal(c.n_drops_buffer, 0);
	assert_int_equal(c.n_drops_scratch, 0);
	if (T.schema_errors)
		fprintf(stderr, "schema error: %s\n", T.why);
	assert_int_equal(T.schema_errors, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_interest),
		cmocka_unit_test(test_files),
		cmocka_unit_test(test_execve),
		cmocka_unit_test(test_execve_fail),
		cmocka_unit_test(test_memfd_exec),
		cmocka_unit_test(test_clone_and_exit),
		cmocka_unit_test(test_ptrace),
		cmocka_unit_test(test_network),
		cmocka_unit_test(test_counters),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
