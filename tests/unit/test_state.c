/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests of the state tables (runtime/state.c) driven through the event pipeline
 * (runtime/engine.c): tables loaded from every fixture capture, parent links and thread
 * groups, the process lifecycle from synthetic events (clone, execve, procexit and
 * reaping, fake threads), the fd table (open/openat, socket/connect, dup, pipe, close
 * removing after evaluation), the container matchers of fields.md §7.1, users and
 * groups, bounded tables. Fixture tests are skipped when ../shared is absent.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "engine.h"
#include "event.h"
#include "evtab.h"
#include "scap.h"
#include "state.h"

#define TRACES "../shared/compat/traces/"

static bool have_traces(void)
{
	if (access(TRACES "curl_google.scap", R_OK) == 0)
		return true;
	print_message("skipped: %s is absent\n", TRACES);
	return false;
}

/* ---- helpers ---- */

static struct frc_evb B;
static uint64_t now_ts = 1000000000ull;

/* feed the event being built to the engine; returns what the callback saw */
struct seen {
	int calls;
	uint16_t type;
	struct frc_thread *thr;
	struct frc_fd *fdi;
	int64_t fdnum;
	char fdname[256];
	char comm[64];
	uint64_t num;
};

static int seen_cb(void *ctx, struct frc_evt *e)
{
	struct seen *s = ctx;

	s->calls++;
	s->type = e->type;
	s->thr = e->thr;
	s->fdi = e->fdi;
	s->num = e->num;
	s->fdnum = e->fdi ? e->fdi->fd : -999;
	snprintf(s->fdname, sizeof(s->fdname), "%s", e->fdi ? e->fdi->name.s : "");
	snprintf(s->comm, sizeof(s->comm), "%s", e->thr ? e->thr->comm.s : "");
	return 0;
}

static void send(struct frc_engine *eng, struct seen *s)
{
	uint32_t len;
	const uint8_t *raw;

	evb_fill(&B);
	raw = evb_end(&B, &len);
	assert_non_null(raw);
	memset(s, 0, sizeof(*s));
	engine_set_callback(eng, seen_cb, s);
	engine_process(eng, raw, len, 0, 0);
}

static void begin(uint16_t type, int64_t tid)
{
	now_ts += 1000;
	evb_begin(&B, type, now_ts, tid);
}

static struct frc_thread *seed_thread(struct frc_state *st, int64_t tid, int64_t pid, int64_t ptid,
				      const char *comm, const char *exepath, const char *args,
				      uint32_t args_len, const char *cwd, uint32_t uid)
{
	struct scap_thread_rec r;

	memset(&r, 0, sizeof(r));
	r.tid = tid;
	r.pid = pid;
	r.ptid = ptid;
	r.sid = pid;
	r.vpgid = pid;
	r.pgid = pid;
	r.vtid = tid;
	r.vpid = pid;
	r.comm = comm;
	r.exe = comm;
	r.exepath = exepath;
	r.cwd = cwd;
	r.args = args;
	r.args_len = args_len;
	r.fdlimit = 1024;
	r.uid = uid;
	r.gid = uid;
	r.loginuid = uid;
	r.cgroups = "cpuset=/\0";
	r.cgroups_len = 9;
	return state_add_thread(st, &r);
}

static void seed_file_fd(struct frc_state *st, int64_t tid, int64_t fd, const char *name)
{
	struct scap_fd_rec f;

	memset(&f, 0, sizeof(f));
	f.tid = tid;
	f.fd = fd;
	f.type = SCAP_FD_FILE_V2;
	f.name = name;
	assert_true(state_add_fd(st, &f));
}

/* a small process tree: init(1) -> sshd(50) -> bash(100) */
static struct frc_engine *mk_engine(const struct frc_state_cfg *cfg)
{
	struct frc_engine *eng = engine_new(cfg);
	struct frc_state *st = engine_state(eng);

	assert_non_null(seed_thread(st, 1, 1, 0, "systemd", "/sbin/init", "", 0, "/", 0));
	assert_non_null(seed_thread(st, 50, 50, 1, "sshd", "/usr/sbin/sshd", "-D\0", 3, "/", 0));
	assert_non_null(seed_thread(st, 100, 100, 50, "bash", "/usr/bin/bash", "", 0,
				    "/home/u/", 1000));
	seed_file_fd(st, 100, 0, "/dev/pts/0");
	seed_file_fd(st, 100, 1, "/dev/pts/0");
	state_add_user(st, "", 1000, 1000, "u", "/home/u", "/bin/bash");
	state_add_group(st, "", 1000, "u");
	state_finish_load(st);
	return eng;
}

/* ---- fixtures ---- */

struct fixture_expect {
	const char *file;
	size_t threads;
};

static bool count_fd_cb(struct frc_fd *f, void *ctx)
{
	(void)f;
	(*(size_t *)ctx)++;
	return true;
}

struct walk_ctx {
	struct frc_state *st;
	size_t n, fds, orphans, mains;
};

static bool walk_thread_cb(struct frc_thread *t, void *ctx)
{
	struct walk_ctx *w = ctx;

	w->n++;
	if (t->tid == t->pid) {
		w->mains++;
		state_foreach_fd(state_fdtable(t), count_fd_cb, &w->fds);
	}
	/* a parent link, when present, points at a thread of the table whose tid is ptid */
	if (t->parent) {
		assert_ptr_equal(state_find_thread(w->st, t->parent->tid), t->parent);
	} else if (t->ptid > 0 && state_find_thread(w->st, t->ptid)) {
		w->orphans++;
	}
	return true;
}

static void test_load_fixtures(void **unused)
{
	static const struct fixture_expect fx[] = {
		{ "curl_google.scap", 54 },   { "single_ipv6_conn.scap", 154 },
		{ "test_ipv6_client.scap", 58 }, { "cat_write.scap", 73 },
		{ "connect_localhost.scap", 184 }, { "empty.scap", 218 },
		{ "open-multiple-files.scap", 128 }, { "ping_sendto.scap", 136 },
		{ "syscall.scap", 229 },
	};
	(void)unused;
	if (!have_traces())
		skip();
	for (size_t i = 0; i < sizeof(fx) / sizeof(fx[0]); i++) {
		char path[256], err[256];
		struct scap_reader *r;
		struct frc_state *st = state_new(NULL);
		struct scap_raw raw;
		struct walk_ctx w = { .st = st };
		size_t nfdrec;

		snprintf(path, sizeof(path), TRACES "%s", fx[i].file);
		r = scap_open(path, err, sizeof(err));
		assert_non_null(r);
		/* the tables are read with the first event */
		assert_int_equal(scap_next(r, &raw), SCAP_RC_EVENT);
		assert_int_equal(state_load_scap(st, r), 0);
		assert_int_equal(state_nthreads(st), fx[i].threads);
		scap_fds(r, &nfdrec);
		state_foreach_thread(st, walk_thread_cb, &w);
		assert_int_equal(w.n, fx[i].threads);
		assert_int_equal(w.orphans, 0);
		/* fds of non-main threads are kept by their main thread in libsinsp's /proc
		   approximation, so the total is at most the record count */
		assert_true(w.fds <= nfdrec);
		assert_true(w.fds > 0);
		scap_close(r);
		state_free(st);
	}
}

/* curl_google: the thread tree, fds and users after running the whole capture */
struct curl_ctx {
	struct frc_engine *eng;
	int opens_seen;
	bool checked_chain;
};

static int curl_cb(void *ctx, struct frc_evt *e)
{
	struct curl_ctx *c = ctx;
	struct frc_state *st = engine_state(c->eng);

	if (e->type == PPME_SYSCALL_OPEN_X && e->thr && !strcmp(e->thr->comm.s, "curl") &&
	    e->fdi && !strcmp(e->fdi->name.s, "/etc/ld.so.cache") && !c->checked_chain) {
		struct frc_thread *a1 = state_ancestor(st, e->thr, 1);
		struct frc_thread *a2 = state_ancestor(st, e->thr, 2);
		struct frc_thread *a3 = state_ancestor(st, e->thr, 3);
		assert_non_null(a1);
		assert_non_null(a2);
		assert_non_null(a3);
		assert_string_equal(a1->comm.s, "bash");
		assert_string_equal(a2->comm.s, "sshd");
		assert_string_equal(a3->comm.s, "sshd");
		assert_ptr_equal(state_ancestor(st, e->thr, 0), state_main_thread(e->thr));
		assert_int_equal(e->fdi->fd, 3);
		assert_int_equal(e->fdi->type, SCAP_FD_FILE_V2);
		/* as in sysdig: bash's process-table entry carries no cwd */
		assert_string_equal(state_cwd(e->thr), "");
		assert_int_equal(e->thr->tid, 17497);
		assert_int_equal(e->thr->ptid, 3200);
		/* the V5 process table has no sid/loginuid; execve did not carry uid */
		assert_int_equal(e->thr->uid, 0xffffffffu);
		c->checked_chain = true;
	}
	if (e->type == PPME_SYSCALL_OPEN_X)
		c->opens_seen++;
	/* the helper thread of curl: same process, parent is the process's parent */
	if (e->type == PPME_SYSCALL_CLONE_20_X && e->thr && e->thr->tid == 17498) {
		assert_int_equal(e->thr->pid, 17497);
		assert_int_equal(e->thr->ptid, 3200);
		assert_ptr_equal(state_main_thread(e->thr), state_find_thread(st, 17497));
		/* threads share the main thread's fd table */
		assert_ptr_equal(state_fdtable(e->thr), state_fdtable(state_main_thread(e->thr)));
	}
	return 0;
}

static void test_curl_run(void **unused)
{
	char err[256];
	struct scap_reader *r;
	struct curl_ctx c = { 0 };

	(void)unused;
	if (!have_traces())
		skip();
	r = scap_open(TRACES "curl_google.scap", err, sizeof(err));
	assert_non_null(r);
	c.eng = engine_new(NULL);
	engine_set_callback(c.eng, curl_cb, &c);
	assert_int_equal(engine_run_scap(c.eng, r, err, sizeof(err)), 0);
	assert_true(c.checked_chain);
	assert_true(c.opens_seen > 10);
	/* the user table of the capture */
	const struct frc_user *u = state_user(engine_state(c.eng), "", 1000);
	assert_non_null(u);
	assert_string_equal(u->name, "ubuntu");
	assert_non_null(state_user(engine_state(c.eng), "", 0));
	assert_string_equal(state_user(engine_state(c.eng), "", 0)->name, "root");
	/* the engine counted every delivered event (scap-format.md §11.3) */
	assert_int_equal(engine_stats(c.eng)->read, 991);
	assert_int_equal(engine_stats(c.eng)->visible + engine_stats(c.eng)->hidden, 991);
	engine_free(c.eng);
	scap_close(r);
}

/* open-multiple-files: container ids from the cgroups and names from the container JSON */
struct cid_ctx {
	int ad, ea, host;
};

static bool cid_cb(struct frc_thread *t, void *ctx)
{
	struct cid_ctx *c = ctx;

	if (!strcmp(t->container_id, "ad64969c62e5"))
		c->ad++;
	else if (!strcmp(t->container_id, "5ea733068030"))
		c->ea++;
	else if (!t->container_id[0])
		c->host++;
	return true;
}

static int null_cb(void *ctx, struct frc_evt *e)
{
	(void)ctx;
	(void)e;
	return 0;
}

static void test_containers_fixture(void **unused)
{
	char err[256];
	struct scap_reader *r;
	struct frc_engine *eng;
	struct cid_ctx c = { 0 };

	(void)unused;
	if (!have_traces())
		skip();
	r = scap_open(TRACES "open-multiple-files.scap", err, sizeof(err));
	assert_non_null(r);
	eng = engine_new(NULL);
	engine_set_callback(eng, null_cb, NULL);
	assert_int_equal(engine_run_scap(eng, r, err, sizeof(err)), 0);
	state_foreach_thread(engine_state(eng), cid_cb, &c);
	assert_true(c.ad > 0);
	assert_true(c.ea > 0);
	assert_true(c.host > 0);
	const struct frc_container *ct = state_container(engine_state(eng), "ad64969c62e5");
	assert_non_null(ct);
	assert_string_equal(ct->name, "express_server");
	assert_string_equal(ct->image, "node:latest");
	const struct frc_container *h = state_container(engine_state(eng), "");
	assert_non_null(h);
	assert_string_equal(h->name, "host");
	engine_free(eng);
	scap_close(r);
}

/* ---- container id matchers (fields.md §7.1) ---- */

static void test_container_matchers(void **unused)
{
	static const struct {
		const char *cg, *id;
	} cases[] = {
		{ "/docker/ad64969c62e5c3d2b8a0e2b1f0f2e5a7a0f7c8d9e1b2c3d4e5f6a7b8c9d0e1f2",
		  "ad64969c62e5" },
		{ "/system.slice/docker-5ea7330680301234567890abcdef1234567890abcdef1234567890abcdef1234.scope",
		  "5ea733068030" },
		{ "/kubepods/besteffort/pod1234/3f4e5d6c7b8a3f4e5d6c7b8a3f4e5d6c7b8a3f4e5d6c7b8a3f4e5d6c7b8a1234",
		  "3f4e5d6c7b8a" },
		{ "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod12.slice/"
		  "cri-containerd-0123456789ab0123456789ab0123456789ab0123456789ab0123456789ab0123.scope",
		  "0123456789ab" },
		{ "/kubepods.slice/kubepods-pod1.slice/crio-abcdefabcdef0123456789abcdefabcdef0123456789abcdefabcdef01234567.scope",
		  "abcdefabcdef" },
		{ "/machine.slice/libpod-fedcba987654fedcba987654fedcba987654fedcba987654fedcba9876543210.scope",
		  "fedcba987654" },
		/* not containers */
		{ "/system.slice/docker.service", "" },
		{ "/user.slice/user-1000.slice/session-1.scope", "" },
		{ "/init.scope", "" },
		{ "/", "" },
		/* the containerd matcher takes any 1..64-char id under a namespace */
		{ "/docker/short", "short" },
		{ "/system.slice/cron.service", "" },
	};
	(void)unused;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char out[80];
		state_container_id_from_cgroup(cases[i].cg, strlen(cases[i].cg), out, sizeof(out));
		if (strcmp(out, cases[i].id))
			print_message("cgroup %s -> '%s', want '%s'\n", cases[i].cg, out, cases[i].id);
		assert_string_equal(out, cases[i].id);
	}
}

/* ---- synthetic lifecycle ---- */

static void test_open_close(void **unused)
{
	struct frc_engine *eng = mk_engine(NULL);
	struct frc_state *st = engine_state(eng);
	struct frc_thread *bash = state_find_thread(st, 100);
	struct seen s;

	(void)unused;
	assert_non_null(bash);
	assert_string_equal(state_cwd(bash), "/home/u/");

	/* openat(AT_FDCWD, "notes.txt") -> 3: relative to the cwd */
	begin(PPME_SYSCALL_OPENAT_2_X, 100);
	evb_int(&B, 3);
	evb_int(&B, PPM_AT_FDCWD);
	evb_str(&B, "notes.txt");
	evb_int(&B, PPM_O_RDONLY);
	evb_int(&B, 0);
	send(eng, &s);
	assert_int_equal(s.calls, 1);
	assert_int_equal(s.fdnum, 3);
	assert_string_equal(s.fdname, "/home/u/notes.txt");
	assert_non_null(state_thread_fd(bash, 3));

	/* a failed open does not add an fd */
	begin(PPME_SYSCALL_OPENAT_2_X, 100);
	evb_int(&B, -2);
	evb_int(&B, PPM_AT_FDCWD);
	evb_str(&B, "/nope");
	evb_int(&B, PPM_O_RDONLY);
	evb_int(&B, 0);
	send(eng, &s);
	assert_int_equal(s.calls, 1);
	assert_null(state_thread_fd(bash, -2));

	/* openat relative to a directory fd */
	begin(PPME_SYSCALL_OPENAT_2_X, 100);
	evb_int(&B, 4);
	evb_int(&B, PPM_AT_FDCWD);
	evb_str(&B, "/etc");
	evb_int(&B, PPM_O_RDONLY | PPM_O_DIRECTORY);
	evb_int(&B, 0);
	send(eng, &s);
	assert_string_equal(s.fdname, "/etc");
	begin(PPME_SYSCALL_OPENAT_2_X, 100);
	evb_int(&B, 5);
	evb_int(&B, 4);
	evb_str(&B, "./passwd");
	evb_int(&B, PPM_O_RDONLY);
	evb_int(&B, 0);
	send(eng, &s);
	assert_string_equal(s.fdname, "/etc/passwd");

	/* dup2-like: dup(5) -> 7 copies the fd */
	begin(PPME_SYSCALL_DUP_1_X, 100);
	evb_int(&B, 7);
	evb_int(&B, 5);
	send(eng, &s);
	assert_non_null(state_thread_fd(bash, 7));
	assert_string_equal(state_thread_fd(bash, 7)->name.s, "/etc/passwd");

	/* close: the fd is still there while rules see the event, gone afterwards */
	begin(PPME_SYSCALL_CLOSE_X, 100);
	evb_int(&B, 0);
	evb_int(&B, 3);
	send(eng, &s);
	assert_int_equal(s.calls, 1);
	assert_int_equal(s.fdnum, 3);
	assert_string_equal(s.fdname, "/home/u/notes.txt");
	assert_null(state_thread_fd(bash, 3));
	/* a failed close keeps it */
	begin(PPME_SYSCALL_CLOSE_X, 100);
	evb_int(&B, -9);
	evb_int(&B, 5);
	send(eng, &s);
	assert_non_null(state_thread_fd(bash, 5));

	/* pipe: two fds */
	begin(PPME_SYSCALL_PIPE_X, 100);
	evb_int(&B, 0);
	evb_int(&B, 8);
	evb_int(&B, 9);
	evb_int(&B, 12345);
	send(eng, &s);
	assert_int_equal(state_thread_fd(bash, 8)->type, SCAP_FD_FIFO);
	assert_int_equal(state_thread_fd(bash, 9)->type, SCAP_FD_FIFO);
	engine_free(eng);
}

static void test_socket_connect(void **unused)
{
	struct frc_engine *eng = mk_engine(NULL);
	struct frc_state *st = engine_state(eng);
	struct frc_thread *bash = state_find_thread(st, 100);
	struct seen s;
	char buf[128];

	(void)unused;
	begin(PPME_SOCKET_SOCKET_X, 100);
	evb_int(&B, 3);
	evb_int(&B, PPM_AF_INET);
	evb_int(&B, 1);
	evb_int(&B, 0);
	evb_int(&B, 0);
	send(eng, &s);
	assert_int_equal(s.fdnum, 3);
	assert_string_equal(s.fdname, "");
	assert_int_equal(state_thread_fd(bash, 3)->type, SCAP_FD_IPV4_SOCK);
	assert_int_equal(state_fd_typechar(SCAP_FD_IPV4_SOCK), '4');

	/* the connect enter carries the address; it is hidden from rules */
	begin(PPME_SOCKET_CONNECT_E, 100);
	evb_int(&B, 3);
	evb_sockaddr_in(&B, "127.0.0.1", 80);
	send(eng, &s);
	assert_int_equal(s.calls, 0);

	begin(PPME_SOCKET_CONNECT_X, 100);
	evb_int(&B, -115);
	evb_tuple_in(&B, "127.0.0.1", 47192, "127.0.0.1", 80);
	evb_int(&B, 3);
	evb_sockaddr_in(&B, "127.0.0.1", 80);
	send(eng, &s);
	assert_int_equal(s.calls, 1);
	assert_string_equal(s.fdname, "127.0.0.1:47192->127.0.0.1:80");
	struct frc_fd *f = state_thread_fd(bash, 3);
	assert_int_equal(state_fd_l4proto(f), 2 /* SCAP_L4_TCP */);
	assert_true(f->flags & FDF_ROLE_CLIENT);
	state_fmt_sockinfo(f, buf, sizeof(buf));
	assert_string_equal(buf, "127.0.0.1:47192->127.0.0.1:80");

	/* a unix socket connect that fails leaves the name empty (libsinsp without
	   connection status tracking) */
	begin(PPME_SOCKET_SOCKET_X, 100);
	evb_int(&B, 4);
	evb_int(&B, PPM_AF_UNIX);
	evb_int(&B, 1);
	evb_int(&B, 0);
	evb_int(&B, 0);
	send(eng, &s);
	begin(PPME_SOCKET_CONNECT_X, 100);
	evb_int(&B, -2);
	evb_tuple_un(&B, 0, 0xffff94dc817b9400ull, "/var/run/nscd/socket");
	evb_int(&B, 4);
	send(eng, &s);
	assert_string_equal(s.fdname, "");
	assert_int_equal(state_thread_fd(bash, 4)->type, SCAP_FD_UNIX_SOCK);
	engine_free(eng);
}

static void build_clone_x(int64_t tid, int64_t res, int64_t ctid, int64_t pid, int64_t ptid,
			  const char *comm, uint32_t flags)
{
	begin(PPME_SYSCALL_CLONE_20_X, tid);
	evb_int(&B, res);		/* res */
	evb_str(&B, "/usr/bin/bash");	/* exe */
	evb_bytes(&B, "", 0);		/* args */
	evb_int(&B, ctid);		/* tid */
	evb_int(&B, pid);		/* pid */
	evb_int(&B, ptid);		/* ptid */
	evb_str(&B, "/home/u/");	/* cwd */
	evb_int(&B, 1024);		/* fdlimit */
	evb_int(&B, 0);
	evb_int(&B, 0);
	evb_int(&B, 0);
	evb_int(&B, 0);
	evb_int(&B, 0);
	evb_str(&B, comm);		/* comm */
	evb_bytes(&B, "cpuset=/\0", 9);	/* cgroups */
	evb_int(&B, flags);		/* flags */
	evb_int(&B, 1000);		/* uid */
	evb_int(&B, 1000);		/* gid */
	evb_int(&B, ctid);		/* vtid */
	evb_int(&B, pid);		/* vpid */
	evb_int(&B, 0);
}

static void test_clone_exec_exit(void **unused)
{
	struct frc_engine *eng = mk_engine(NULL);
	struct frc_state *st = engine_state(eng);
	struct seen s;

	(void)unused;
	/* bash forks 200 (caller event first) */
	build_clone_x(100, 200, 100, 100, 50, "bash", 0);
	send(eng, &s);
	assert_int_equal(s.calls, 1);
	struct frc_thread *c = state_find_thread(st, 200);
	assert_non_null(c);
	assert_int_equal(c->pid, 200);
	assert_int_equal(c->ptid, 100);
	assert_string_equal(c->comm.s, "bash");
	assert_string_equal(state_cwd(c), "/home/u/");
	/* the child inherited the fd table (copy) */
	assert_non_null(state_thread_fd(c, 0));
	assert_ptr_not_equal(state_fdtable(c), state_fdtable(state_find_thread(st, 100)));
	/* the child's own clone exit (res 0) changes nothing */
	build_clone_x(200, 0, 200, 200, 100, "bash", 0);
	send(eng, &s);
	assert_int_equal(s.calls, 1);
	assert_ptr_equal(s.thr, c);

	/* execve in the child: new comm/exe/args */
	const char *args[] = { "-la", "/tmp" };
	begin(PPME_SYSCALL_EXECVE_19_X, 200);
	evb_int(&B, 0);			/* res */
	evb_str(&B, "ls");		/* exe */
	evb_strs(&B, args, 2);		/* args */
	evb_int(&B, 200);		/* tid */
	evb_int(&B, 200);		/* pid */
	evb_int(&B, 100);		/* ptid */
	evb_str(&B, "/home/u/");	/* cwd */
	evb_int(&B, 1024);		/* fdlimit */
	for (int i = 0; i < 5; i++)
		evb_int(&B, 0);
	evb_str(&B, "ls");		/* comm */
	evb_bytes(&B, "cpuset=/\0", 9);	/* cgroups */
	evb_bytes(&B, "HOME=/home/u\0", 13); /* env */
	evb_int(&B, 34816);		/* tty */
	evb_int(&B, 200);		/* vpgid */
	evb_int(&B, 1000);		/* loginuid */
	evb_int(&B, 0);			/* flags */
	evb_int(&B, 0);
	evb_int(&B, 0);
	evb_int(&B, 0);
	evb_int(&B, 0);
	evb_int(&B, 0);
	evb_int(&B, 0);
	evb_int(&B, 1000);		/* uid */
	evb_str(&B, "/usr/bin/ls");	/* trusted_exepath */
	send(eng, &s);
	assert_int_equal(s.calls, 1);
	assert_string_equal(s.comm, "ls");
	c = state_find_thread(st, 200);
	assert_string_equal(c->exe.s, "ls");
	assert_string_equal(c->exepath.s, "/usr/bin/ls");
	assert_string_equal(c->cmdline.s, "ls -la /tmp");
	assert_int_equal(c->nargs, 2);
	assert_int_equal(c->loginuid, 1000);
	assert_string_equal(state_ancestor(st, c, 1)->comm.s, "bash");
	assert_string_equal(state_ancestor(st, c, 2)->comm.s, "sshd");
	assert_string_equal(state_ancestor(st, c, 3)->comm.s, "systemd");
	assert_null(state_ancestor(st, c, 4));

	/* procexit: visible with the thread, removed after evaluation */
	begin(PPME_PROCEXIT_1_E, 200);
	evb_int(&B, 0);
	evb_int(&B, 0);
	evb_int(&B, 0);
	evb_int(&B, 0);
	evb_int(&B, 0);
	send(eng, &s);
	assert_int_equal(s.calls, 1);
	assert_ptr_equal(s.thr, c);
	/* libsinsp removes the exited thread when the next event arrives */
	begin(PPME_SYSCALL_CLOSE_X, 100);
	evb_int(&B, -9);
	evb_int(&B, 77);
	send(eng, &s);
	assert_null(state_find_thread(st, 200));
	assert_non_null(state_find_thread(st, 100));
	engine_free(eng);
}

static void test_fake_threads(void **unused)
{
	struct frc_engine *eng = mk_engine(NULL);
	struct frc_state *st = engine_state(eng);
	struct seen s;

	(void)unused;
	size_t before = state_nthreads(st);
	begin(PPME_SYSCALL_CLOSE_X, 4242);
	evb_int(&B, 0);
	evb_int(&B, 3);
	send(eng, &s);
	assert_int_equal(s.calls, 1);
	assert_non_null(s.thr);
	assert_int_equal(s.thr->tid, 4242);
	assert_int_equal(s.thr->pid, -1);
	assert_int_equal(s.thr->ptid, -1);
	assert_string_equal(s.thr->comm.s, "<NA>");
	assert_string_equal(s.thr->exe.s, "<NA>");
	assert_int_equal(s.thr->uid, 0xffffffffu);
	assert_int_equal(state_nthreads(st), before + 1);
	assert_int_equal(state_get_stats(st)->fake_threads, 1);
	/* an fd of a fake thread is unknown */
	assert_null(s.fdi);
	engine_free(eng);
}

static void test_bounded_tables(void **unused)
{
	struct frc_state_cfg cfg = { .max_threads = 8, .max_fds = 4 };
	struct frc_engine *eng = mk_engine(&cfg);
	struct frc_state *st = engine_state(eng);
	struct seen s;

	(void)unused;
	for (int64_t tid = 1000; tid < 1020; tid++) {
		begin(PPME_SYSCALL_CLOSE_X, tid);
		evb_int(&B, -9);
		evb_int(&B, 3);
		send(eng, &s);
		assert_int_equal(s.calls, 1);
	}
	assert_true(state_nthreads(st) <= 8);
	/* fds per process are bounded too */
	for (int64_t fd = 10; fd < 30; fd++) {
		begin(PPME_SYSCALL_OPENAT_2_X, 100);
		evb_int(&B, fd);
		evb_int(&B, PPM_AT_FDCWD);
		evb_str(&B, "/tmp/x");
		evb_int(&B, PPM_O_RDONLY);
		evb_int(&B, 0);
		send(eng, &s);
	}
	size_t nfd = 0;
	state_foreach_fd(state_fdtable(state_find_thread(st, 100)), count_fd_cb, &nfd);
	assert_true(nfd <= 4);
	assert_true(state_get_stats(st)->fds_dropped_full > 0);
	engine_free(eng);
}

static void test_users_groups(void **unused)
{
	struct frc_engine *eng = mk_engine(NULL);
	struct frc_state *st = engine_state(eng);

	(void)unused;
	const struct frc_user *u = state_user(st, "", 1000);
	assert_non_null(u);
	assert_string_equal(u->name, "u");
	assert_string_equal(u->home, "/home/u");
	const struct frc_group *g = state_group(st, "", 1000);
	assert_non_null(g);
	assert_string_equal(g->name, "u");
	/* updates replace */
	state_add_user(st, "", 1000, 1000, "u2", "/home/u2", "/bin/sh");
	assert_string_equal(state_user(st, "", 1000)->name, "u2");
	/* per-container tables are separate */
	state_add_user(st, "abcdef123456", 1000, 1000, "app", "/app", "/bin/sh");
	assert_string_equal(state_user(st, "abcdef123456", 1000)->name, "app");
	assert_string_equal(state_user(st, "", 1000)->name, "u2");
	engine_free(eng);
}

static void test_paths(void **unused)
{
	char out[1024];

	(void)unused;
	state_concat_paths("/home/u/", 8, "a/../b/./c", 10, out);
	assert_string_equal(out, "/home/u/b/c");
	state_concat_paths("/home/u/", 8, "/etc//passwd", 12, out);
	assert_string_equal(out, "/etc/passwd");
	state_concat_paths("/", 1, "..", 2, out);
	assert_string_equal(out, "/");
}

/* a thread added as a /proc scan adds it, with these strings */
static struct frc_thread *add_named(struct frc_state *st, int64_t tid, const char *comm,
				    const char *exe, const char *cwd)
{
	struct scap_thread_rec tr;

	memset(&tr, 0, sizeof(tr));
	tr.tid = tr.pid = tr.vtid = tr.vpid = tid;
	tr.ptid = 1;
	tr.comm = comm;
	tr.exe = exe;
	tr.cwd = cwd;
	return state_add_thread(st, &tr);
}

static void check_named(const struct frc_thread *t, const char *comm, const char *exe,
			const char *cwd)
{
	assert_non_null(t);
	assert_int_equal((uintptr_t)t % 64, 0);	/* records are cache-line aligned */
	assert_string_equal(t->comm.s, comm);
	assert_int_equal(t->comm.len, strlen(comm));
	assert_string_equal(t->exe.s, exe);
	assert_int_equal(t->exe.len, strlen(exe));
	assert_string_equal(t->cwd.s, cwd);
	assert_int_equal(t->cwd.len, strlen(t->cwd.s));	/* what proc.cwd relies on */
	/* short strings live in the record, next to their struct frc_str */
	assert_int_equal(t->comm.s == t->comm_buf, strlen(comm) < FRC_COMM_INLINE);
	assert_int_equal(t->exe.s == t->exe_buf, strlen(exe) < FRC_EXE_INLINE);
	assert_int_equal(t->cwd.s == t->cwd_buf, strlen(cwd) < FRC_CWD_INLINE);
}

/* comm, exe and cwd move between the record's buffers and allocations as their length
   crosses the buffers' size, on new and on pooled records (leaks and bad frees show
   under SAN=1) */
static void test_thread_strings(void **unused)
{
	struct frc_state *st = state_new(NULL);
	char lcomm[64], lexe[300], lcwd[200];

	(void)unused;
	assert_non_null(st);
	memset(lcomm, 'c', sizeof(lcomm) - 1);
	lcomm[sizeof(lcomm) - 1] = '\0';
	lexe[0] = '/';
	memset(lexe + 1, 'e', sizeof(lexe) - 2);
	lexe[sizeof(lexe) - 1] = '\0';
	lcwd[0] = '/';
	memset(lcwd + 1, 'd', sizeof(lcwd) - 3);
	lcwd[sizeof(lcwd) - 2] = '/';
	lcwd[sizeof(lcwd) - 1] = '\0';

	check_named(add_named(st, 100, "sh", "/bin/sh", "/tmp/"), "sh", "/bin/sh", "/tmp/");
	check_named(add_named(st, 101, lcomm, lexe, lcwd), lcomm, lexe, lcwd);
	/* replacing a tid takes a record from the pool: long then short, short then long */
	for (int round = 0; round < 3; round++) {
		check_named(add_named(st, 100, lcomm, lexe, lcwd), lcomm, lexe, lcwd);
		check_named(add_named(st, 101, "bash", "/usr/bin/bash", "/"), "bash",
			    "/usr/bin/bash", "/");
		check_named(add_named(st, 100, "123456789012345", "/x", "/y/"), "123456789012345",
			    "/x", "/y/");
		check_named(add_named(st, 101, "1234567890123456", lexe + 260, lcwd + 170),
			    "1234567890123456", lexe + 260, lcwd + 170);
	}
	state_free(st);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load_fixtures),
		cmocka_unit_test(test_curl_run),
		cmocka_unit_test(test_containers_fixture),
		cmocka_unit_test(test_container_matchers),
		cmocka_unit_test(test_open_close),
		cmocka_unit_test(test_socket_connect),
		cmocka_unit_test(test_clone_exec_exit),
		cmocka_unit_test(test_fake_threads),
		cmocka_unit_test(test_bounded_tables),
		cmocka_unit_test(test_users_groups),
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_thread_strings),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
