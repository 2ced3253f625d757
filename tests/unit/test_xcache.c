/* SPDX-License-Identifier: Apache-2.0
 *
 * The values compiled conditions read through the slot table (frc_field) stay those of
 * a fresh extraction (extract_filter_value, which remembers nothing) across a sequence
 * of events that change the state between them: the ancestors, user and container each
 * thread remembers (struct frc_thread_xc) must follow thread exits and reaping,
 * reparenting to init and to a subreaper, pid reuse (a clone and a /proc-style re-add of
 * a tid that still has children), the exec of an ancestor, a thread group losing threads,
 * user table changes and a uid change, and container metadata that arrives late or
 * changes. Every slot is compared on every event, inside the rules callback (between
 * state_pre and state_post, where conditions run), twice: with the thread's memory as it
 * was, then again after it was filled.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "compiler/types.h"
#include "engine.h"
#include "event.h"
#include "evtab.h"
#include "extract.h"
#include "state.h"

static struct frc_evb B;
static uint64_t now_ts = 9000000000ull;

#define CID_A "4bd97be00c1a0b1e9d6d8e7b23da7d48fe889434573036c27ae5a74837233de4"
#define CID_B "900ab52de40f0b1e9d6d8e7b23da7d48fe889434573036c27ae5a74837233de4"

/* fields whose value depends on the previous extraction of the same field */
static bool stateful_field(uint32_t f)
{
	return f == FLD_EVT_DELTATIME || f == FLD_EVT_DELTATIME_S || f == FLD_EVT_DELTATIME_NS ||
	       f == FLD_THREAD_EXECTIME || f == FLD_THREAD_TOTEXECTIME;
}

struct check {
	struct frc_slots *slots;
	const struct frc_field_ref *refs;
	uint32_t n;
	uint32_t events;	/* events checked */
	/* expectations for the next event: field spec -> text ("" = none) */
	uint32_t want_field;
	int64_t want_idx;
	const char *want;
	char got[512];
};

static void fmt(uint32_t f, const struct frc_val *v, char *buf, size_t size)
{
	extract_format(f, v, buf, size);
}

static int check_cb(void *ctx, struct frc_evt *e)
{
	struct check *c = ctx;

	assert_ptr_equal(e->slots, c->slots);
	for (int round = 0; round < 2; round++) {
		if (round)
			e->gen++;	/* the same event again: the threads' memory is filled now */
		for (uint32_t i = 0; i < c->n; i++) {
			static char a[8192], b[8192];
			const struct frc_field_ref *r = &c->refs[i];
			const struct frc_val *x = frc_field(e, i);
			const struct frc_val *y = extract_filter_value(e, r->field, r->arg, r->arg_len,
								       r->arg_index);
			fmt(r->field, x, a, sizeof(a));
			fmt(r->field, y, b, sizeof(b));
			bool same = !strcmp(a, b) && !x == !y &&
				    (!x || (x->multi == y->multi && x->nitems == y->nitems));
			if (!same)
				print_message("event %u (%s, tid %lld) round %d: %s[%s]: slot '%s', fresh '%s'\n",
					      c->events, e->info->name, (long long)e->tid, round,
					      field_table[r->field].name, r->arg ? r->arg : "", a, b);
			assert_true(same);
		}
	}
	if (c->want) {
		const struct frc_val *v = extract_filter_value(e, c->want_field, NULL, 0, c->want_idx);
		fmt(c->want_field, v, c->got, sizeof(c->got));
	}
	c->events++;
	return 0;
}

static void send(struct frc_engine *eng)
{
	uint32_t len;
	const uint8_t *raw;

	evb_fill(&B);
	raw = evb_end(&B, &len);
	assert_non_null(raw);
	engine_process(eng, raw, len, 0, 0);
}

static void begin(uint16_t type, int64_t tid)
{
	now_ts += 1000;
	evb_begin(&B, type, now_ts, tid);
}

/* a plain syscall of @tid, and what @field[@idx] shows there */
static void probe(struct frc_engine *eng, struct check *c, int64_t tid, uint32_t field, int64_t idx,
		  const char *want)
{
	uint32_t before = c->events;

	begin(PPME_GENERIC_X, tid);
	evb_int(&B, evtab_syscall_code("mlock", 5));
	c->want_field = field;
	c->want_idx = idx;
	c->want = want;
	send(eng);
	assert_int_equal(c->events, before + 1);
	if (want) {
		if (strcmp(c->got, want))
			print_message("tid %lld %s[%lld]: got '%s' want '%s'\n", (long long)tid,
				      field_table[field].name, (long long)idx, c->got, want);
		assert_string_equal(c->got, want);
	}
	c->want = NULL;
}

static void add_thread(struct frc_state *st, int64_t tid, int64_t pid, int64_t ptid, const char *comm,
		       uint32_t uid, const char *cgroups)
{
	struct scap_thread_rec r;

	memset(&r, 0, sizeof(r));
	r.tid = tid;
	r.pid = pid;
	r.ptid = ptid;
	r.sid = r.vpgid = r.pgid = pid;
	r.vtid = tid;
	r.vpid = pid;
	r.comm = comm;
	r.exe = comm;
	r.exepath = "/usr/bin/x";
	r.cwd = "/";
	r.args = "-x\0";
	r.args_len = 3;
	r.fdlimit = 1024;
	r.uid = r.gid = r.loginuid = uid;
	r.cgroups = cgroups ? cgroups : "cpuset=/";
	r.cgroups_len = (uint32_t)strlen(r.cgroups) + 1;
	assert_non_null(state_add_thread(st, &r));
}

static void clone_x(int64_t tid, int64_t res, int64_t ctid, int64_t pid, int64_t ptid,
		    const char *comm, uint32_t flags)
{
	begin(PPME_SYSCALL_CLONE_20_X, tid);
	evb_int(&B, res);
	evb_str(&B, comm);
	evb_bytes(&B, "", 0);
	evb_int(&B, ctid);
	evb_int(&B, pid);
	evb_int(&B, ptid);
	evb_str(&B, "/");
	evb_int(&B, 1024);
	for (int i = 0; i < 5; i++)
		evb_int(&B, 0);
	evb_str(&B, comm);
	evb_bytes(&B, "cpuset=/\0", 9);
	evb_int(&B, flags);
	evb_int(&B, 1000);
	evb_int(&B, 1000);
	evb_int(&B, ctid);
	evb_int(&B, pid);
	evb_int(&B, 0);
}

static void execve_x(int64_t tid, int64_t pid, int64_t ptid, const char *comm, const char *cgroup,
		     uint32_t uid)
{
	const char *args[] = { "-c", comm };
	char cg[256];
	int n = snprintf(cg, sizeof(cg), "cpuset=%s", cgroup);

	begin(PPME_SYSCALL_EXECVE_19_X, tid);
	evb_int(&B, 0);			/* res */
	evb_str(&B, comm);		/* exe */
	evb_strs(&B, args, 2);		/* args */
	evb_int(&B, tid);
	evb_int(&B, pid);
	evb_int(&B, ptid);
	evb_str(&B, "/");		/* cwd */
	evb_int(&B, 1024);		/* fdlimit */
	for (int i = 0; i < 5; i++)
		evb_int(&B, 0);
	evb_str(&B, comm);		/* comm */
	evb_bytes(&B, cg, (uint32_t)n + 1);	/* cgroups */
	evb_bytes(&B, "HOME=/\0", 7);	/* env */
	evb_int(&B, 0);			/* tty */
	evb_int(&B, pid);		/* vpgid */
	evb_int(&B, uid);		/* loginuid */
	evb_int(&B, 0);			/* flags */
	for (int i = 0; i < 6; i++)
		evb_int(&B, 0);
	evb_int(&B, uid);		/* uid */
	evb_str(&B, "/usr/bin/x");	/* trusted_exepath */
}

static void procexit(int64_t tid, int64_t reaper)
{
	begin(PPME_PROCEXIT_1_E, tid);
	for (int i = 0; i < 4; i++)
		evb_int(&B, 0);
	evb_int(&B, reaper);
}

static void container_json(const char *id12, const char *name, bool privileged)
{
	char json[512];
	snprintf(json, sizeof(json),
		 "{\"container\":{\"id\":\"%s\",\"name\":\"%s\",\"image\":\"img:1\","
		 "\"imagerepo\":\"img\",\"imagetag\":\"1\",\"privileged\":%s}}",
		 id12, name, privileged ? "true" : "false");
	begin(PPME_CONTAINER_JSON_2_E, -1);
	evb_str(&B, json);
}

static void user_evt(uint16_t type, uint32_t uid, const char *name)
{
	begin(type, -1);
	evb_int(&B, uid);
	evb_int(&B, uid);
	evb_str(&B, name);
	evb_str(&B, "/home/x");
	evb_str(&B, "/bin/sh");
	evb_str(&B, "");
}

static void test_cached_slots_follow_state(void **unused)
{
	struct frc_engine *eng = engine_new(NULL);
	struct frc_state *st = engine_state(eng);
	struct check c;
	char err[256];

	(void)unused;
	memset(&c, 0, sizeof(c));
	add_thread(st, 1, 1, 0, "systemd", 0, NULL);
	add_thread(st, 100, 100, 1, "sshd", 0, NULL);
	add_thread(st, 101, 101, 100, "bash", 1000, NULL);
	add_thread(st, 102, 102, 101, "python", 1000, NULL);
	add_thread(st, 103, 102, 101, "python", 1000, NULL);	/* a thread of 102 */
	add_thread(st, 104, 104, 102, "sh", 1000, NULL);
	add_thread(st, 105, 104, 102, "sh", 1000, NULL);	/* a thread of 104 */
	add_thread(st, 110, 110, 1, "shim", 0, NULL);
	add_thread(st, 111, 111, 110, "app", 1000, "cpuset=/docker/" CID_A);
	add_thread(st, 112, 112, 111, "worker", 1000, "cpuset=/docker/" CID_A);
	state_add_user(st, "", 1000, 1000, "alice", "/home/alice", "/bin/bash");
	state_add_user(st, "4bd97be00c1a", 1000, 1000, "app", "/app", "/bin/sh");
	state_finish_load(st);

	/* every field without argument, and ancestors by index */
	struct frc_field_ref refs[FLD__COUNT + 50];
	uint32_t n = 0;
	for (uint32_t f = 0; f < FLD__COUNT; f++)
		if (!stateful_field(f))
			refs[n++] = (struct frc_field_ref){ f, 0, NULL, -1 };
	static const char *const idx[] = { "0", "1", "2", "3", "4", "5", "6", "7", "8", "9" };
	static const uint32_t byidx[] = { FLD_PROC_ANAME, FLD_PROC_AEXE, FLD_PROC_APID,
					  FLD_PROC_ACMDLINE, FLD_PROC_AARGS };
	for (uint32_t k = 0; k < sizeof(byidx) / sizeof(byidx[0]); k++)
		for (uint32_t i = 0; i < 10; i++)
			refs[n++] = (struct frc_field_ref){ byidx[k], 1, idx[i], (int64_t)i };
	c.slots = extract_slots_new(refs, n, err, sizeof(err));
	assert_non_null(c.slots);
	c.refs = refs;
	c.n = n;
	engine_set_slots(eng, c.slots);
	engine_set_callback(eng, check_cb, &c);

	/* the threads' memory filled */
	probe(eng, &c, 104, FLD_PROC_ANAME, 2, "bash");
	probe(eng, &c, 105, FLD_PROC_ANAME, 1, "python");
	probe(eng, &c, 103, FLD_PROC_PNAME, -1, "bash");
	probe(eng, &c, 112, FLD_PROC_ANAME, 2, "shim");
	probe(eng, &c, 112, FLD_CONTAINER_NAME, -1, "<NA>");
	probe(eng, &c, 112, FLD_CONTAINER_ID, -1, "4bd97be00c1a");
	probe(eng, &c, 104, FLD_USER_NAME, -1, "alice");
	probe(eng, &c, 112, FLD_USER_NAME, -1, "app");

	/* an ancestor execs: its name changes, the chain does not */
	execve_x(101, 101, 100, "zsh", "/", 1000);
	send(eng);
	probe(eng, &c, 104, FLD_PROC_ANAME, 2, "zsh");
	probe(eng, &c, 105, FLD_PROC_ANAME, 2, "zsh");

	/* 102 execs: its other thread (103) goes; 103 comes back as an unknown thread */
	execve_x(102, 102, 101, "perl", "/", 1000);
	send(eng);
	probe(eng, &c, 104, FLD_PROC_PNAME, -1, "perl");
	probe(eng, &c, 103, FLD_PROC_PNAME, -1, "<NA>");
	/* the unknown thread execs: its pid and parent become known */
	execve_x(103, 103, 101, "ls", "/", 1000);
	send(eng);
	probe(eng, &c, 103, FLD_PROC_PNAME, -1, "zsh");
	probe(eng, &c, 103, FLD_PROC_ANAME, 3, "systemd");

	/* the parent of 104 exits: 104 goes to init */
	procexit(102, 0);
	send(eng);
	probe(eng, &c, 104, FLD_PROC_PNAME, -1, "systemd");
	probe(eng, &c, 105, FLD_PROC_ANAME, 2, "<NA>");
	probe(eng, &c, 104, FLD_PROC_APID, 1, "1");

	/* 111 exits with a subreaper named: 112 goes to shim */
	procexit(111, 110);
	send(eng);
	probe(eng, &c, 112, FLD_PROC_PNAME, -1, "shim");
	probe(eng, &c, 112, FLD_PROC_ANAME, 2, "systemd");

	/* shim becomes a subreaper (prctl); a grandchild's parent exits without naming one */
	clone_x(112, 114, 112, 112, 110, "worker", 0);
	send(eng);
	clone_x(114, 115, 114, 114, 112, "worker", 0);
	send(eng);
	probe(eng, &c, 115, FLD_PROC_ANAME, 2, "worker");
	begin(PPME_SYSCALL_PRCTL_X, 110);
	evb_int(&B, 0);
	evb_int(&B, PPM_PR_SET_CHILD_SUBREAPER);
	evb_str(&B, "");
	evb_int(&B, 1);
	send(eng);
	procexit(114, 0);
	send(eng);
	probe(eng, &c, 115, FLD_PROC_PNAME, -1, "shim");
	probe(eng, &c, 115, FLD_PROC_ARGS, -1, "");
	probe(eng, &c, 104, FLD_PROC_ARGS, -1, "-x");

	/* pid reuse: sshd clones a new 102 */
	clone_x(100, 102, 100, 100, 1, "sshd", 0);
	send(eng);
	probe(eng, &c, 102, FLD_PROC_PNAME, -1, "sshd");
	probe(eng, &c, 104, FLD_PROC_PNAME, -1, "systemd");

	/* pid reuse by a re-read of the process table: 100 replaced while 101 and 102 still
	   name it as their parent */
	probe(eng, &c, 101, FLD_PROC_ANAME, 2, "systemd");
	add_thread(st, 100, 100, 110, "sshd2", 0, NULL);
	probe(eng, &c, 101, FLD_PROC_PNAME, -1, "sshd2");
	probe(eng, &c, 101, FLD_PROC_ANAME, 2, "shim");
	probe(eng, &c, 102, FLD_PROC_ANAME, 3, "systemd");

	/* users: a name changed, a uid changed, a user added and deleted by events */
	state_add_user(st, "", 1000, 1000, "alice2", "/home/alice", "/bin/bash");
	probe(eng, &c, 104, FLD_USER_NAME, -1, "alice2");
	user_evt(PPME_USER_ADDED_E, 1001, "bob");
	send(eng);
	begin(PPME_SYSCALL_SETUID_X, 104);
	evb_int(&B, 0);
	evb_int(&B, 1001);
	send(eng);
	probe(eng, &c, 104, FLD_USER_NAME, -1, "bob");
	probe(eng, &c, 105, FLD_USER_NAME, -1, "alice2");
	user_evt(PPME_USER_DELETED_E, 1001, "bob");
	send(eng);
	probe(eng, &c, 104, FLD_USER_NAME, -1, "<NA>");

	/* container metadata arrives late, then changes */
	container_json("4bd97be00c1a", "late", true);
	send(eng);
	probe(eng, &c, 112, FLD_CONTAINER_NAME, -1, "late");
	probe(eng, &c, 112, FLD_CONTAINER_PRIVILEGED, -1, "true");
	container_json("4bd97be00c1a", "later", false);
	send(eng);
	probe(eng, &c, 112, FLD_CONTAINER_NAME, -1, "later");
	probe(eng, &c, 112, FLD_CONTAINER_PRIVILEGED, -1, "false");
	/* a thread moves to another container (exec with new cgroups) */
	execve_x(112, 112, 110, "worker2", "/docker/" CID_B, 1000);
	send(eng);
	probe(eng, &c, 112, FLD_CONTAINER_ID, -1, "900ab52de40f");
	probe(eng, &c, 112, FLD_CONTAINER_NAME, -1, "<NA>");
	probe(eng, &c, 112, FLD_USER_NAME, -1, "<NA>");
	container_json("900ab52de40f", "b", true);
	send(eng);
	probe(eng, &c, 112, FLD_CONTAINER_PRIVILEGED, -1, "true");

	/* a whole process tree goes and its pids come back in another shape */
	procexit(104, 0);
	send(eng);
	procexit(105, 0);
	send(eng);
	probe(eng, &c, 101, FLD_PROC_PNAME, -1, "sshd2");
	clone_x(112, 104, 112, 112, 110, "worker2", 0);
	send(eng);
	probe(eng, &c, 104, FLD_PROC_PNAME, -1, "worker2");
	probe(eng, &c, 104, FLD_CONTAINER_ID, -1, "host");

	/* a new capture section: every table emptied, the pooled threads reused in another
	   shape */
	probe(eng, &c, 101, FLD_PROC_ANAME, 2, "shim");
	state_reset(st);
	add_thread(st, 1, 1, 0, "init2", 0, NULL);
	add_thread(st, 112, 112, 1, "top", 0, "cpuset=/docker/" CID_B);
	add_thread(st, 101, 101, 112, "leaf", 1000, NULL);
	add_thread(st, 104, 104, 101, "leaf2", 1000, NULL);
	state_add_user(st, "", 1000, 1000, "carol", "/home/carol", "/bin/bash");
	state_finish_load(st);
	probe(eng, &c, 101, FLD_PROC_ANAME, 2, "init2");
	probe(eng, &c, 104, FLD_PROC_ANAME, 2, "top");
	probe(eng, &c, 101, FLD_USER_NAME, -1, "carol");
	probe(eng, &c, 112, FLD_CONTAINER_NAME, -1, "<NA>");
	probe(eng, &c, 112, FLD_CONTAINER_ID, -1, "900ab52de40f");
	assert_true(c.events > 40);

	engine_set_slots(eng, NULL);
	extract_slots_free(c.slots);
	engine_free(eng);
}

/* a /proc-style thread (its own process) with environment @env (@len bytes) */
static struct frc_thread *add_env_thread(struct frc_state *st, int64_t tid, int64_t ptid,
					 const char *comm, const char *env, uint32_t len)
{
	struct scap_thread_rec r;

	memset(&r, 0, sizeof(r));
	r.tid = r.pid = r.vtid = r.vpid = tid;
	r.ptid = ptid;
	r.sid = r.vpgid = r.pgid = tid;
	r.comm = r.exe = comm;
	r.cwd = "/";
	r.env = env;
	r.env_len = len;
	r.cgroups = "cpuset=/";
	r.cgroups_len = 9;
	struct frc_thread *t = state_add_thread(st, &r);
	assert_non_null(t);
	return t;
}

/*
 * proc.env through a slot, which remembers the last environment it joined and knows it
 * again by the thread's env_id without reading it: threads that share an environment
 * (inherited from the parent when added, copied by a clone) share the id, and every
 * other environment (an exec with another one, a byte changed, a re-added thread, a new
 * capture section) has its own; the slot's text stays that of a fresh extraction
 * (check_cb compares every slot on every event).
 */
static void test_env_ids(void **unused)
{
	struct frc_engine *eng = engine_new(NULL);
	struct frc_state *st = engine_state(eng);
	struct check c;
	char err[256];
	static const char e1[] = "PATH=/bin\0HOME=/root\0";
	static const char e2[] = "PATH=/bin\0HOME=/home/u\0";
	static const char e3[] = "PATH=/bin\0HOME=/roov\0";	/* e1 with a byte changed */

	(void)unused;
	memset(&c, 0, sizeof(c));
	struct frc_thread *t1 = add_env_thread(st, 1, 0, "init", e1, sizeof(e1) - 1);
	struct frc_thread *t200 = add_env_thread(st, 200, 1, "sh", e1, sizeof(e1) - 1);
	struct frc_thread *t201 = add_env_thread(st, 201, 200, "su", e2, sizeof(e2) - 1);
	struct frc_thread *t202 = add_env_thread(st, 202, 201, "bash", e2, sizeof(e2) - 1);
	struct frc_thread *t203 = add_env_thread(st, 203, 1, "cron", e3, sizeof(e3) - 1);
	struct frc_thread *t204 = add_env_thread(st, 204, 1, "empty", "", 0);
	state_finish_load(st);
	assert_true(t1->env_id != 0);
	assert_true(t200->env_id == t1->env_id);
	assert_true(t201->env_id != t1->env_id);
	assert_true(t202->env_id == t201->env_id);
	assert_true(t203->env_id != t1->env_id && t203->env_id != t201->env_id);
	assert_true(t204->env_id != t1->env_id && t204->env_id != t203->env_id);

	struct frc_field_ref refs[] = {
		{ FLD_PROC_ENV, 0, NULL, -1 },
		{ FLD_PROC_ENV, 0, NULL, -1 },
		{ FLD_PROC_ENV, 4, "HOME", -1 },
		{ FLD_PROC_NAME, 0, NULL, -1 },
	};
	c.n = sizeof(refs) / sizeof(refs[0]);
	c.slots = extract_slots_new(refs, c.n, err, sizeof(err));
	assert_non_null(c.slots);
	c.refs = refs;
	engine_set_slots(eng, c.slots);
	engine_set_callback(eng, check_cb, &c);

	for (int round = 0; round < 2; round++) {
		probe(eng, &c, 200, FLD_PROC_ENV, -1, "PATH=/bin HOME=/root");
		probe(eng, &c, 1, FLD_PROC_ENV, -1, "PATH=/bin HOME=/root");
		probe(eng, &c, 201, FLD_PROC_ENV, -1, "PATH=/bin HOME=/home/u");
		probe(eng, &c, 202, FLD_PROC_ENV, -1, "PATH=/bin HOME=/home/u");
		probe(eng, &c, 203, FLD_PROC_ENV, -1, "PATH=/bin HOME=/roov");
		probe(eng, &c, 204, FLD_PROC_ENV, -1, "");
		probe(eng, &c, 200, FLD_PROC_ENV, -1, "PATH=/bin HOME=/root");
	}
	/* an exec with another environment: a new id; then one with the same as before */
	uint64_t before = t200->env_id;
	execve_x(200, 200, 1, "env", "/", 0);
	send(eng);
	assert_true(t200->env_id != before && t200->env_id != t1->env_id);
	probe(eng, &c, 200, FLD_PROC_ENV, -1, "HOME=/");
	probe(eng, &c, 1, FLD_PROC_ENV, -1, "PATH=/bin HOME=/root");
	probe(eng, &c, 200, FLD_PROC_ENV, -1, "HOME=/");
	before = t200->env_id;
	execve_x(200, 200, 1, "env2", "/", 0);
	send(eng);
	assert_true(t200->env_id == before);
	probe(eng, &c, 200, FLD_PROC_ENV, -1, "HOME=/");
	/* a clone copies the environment and its id */
	clone_x(202, 205, 205, 205, 202, "bash", 0);
	send(eng);
	struct frc_thread *t205 = state_find_thread(st, 205);
	assert_non_null(t205);
	assert_true(t205->env_id == t202->env_id);
	probe(eng, &c, 205, FLD_PROC_ENV, -1, "PATH=/bin HOME=/home/u");
	probe(eng, &c, 203, FLD_PROC_ENV, -1, "PATH=/bin HOME=/roov");
	probe(eng, &c, 205, FLD_PROC_ENV, -1, "PATH=/bin HOME=/home/u");
	/* a re-added tid (a pooled record) with its parent's environment, then another one */
	t203 = add_env_thread(st, 203, 1, "cron", e1, sizeof(e1) - 1);
	assert_true(t203->env_id == t1->env_id);
	probe(eng, &c, 203, FLD_PROC_ENV, -1, "PATH=/bin HOME=/root");
	t203 = add_env_thread(st, 203, 201, "cron", e1, sizeof(e1) - 1);
	assert_true(t203->env_id != t1->env_id && t203->env_id != t201->env_id);
	probe(eng, &c, 203, FLD_PROC_ENV, -1, "PATH=/bin HOME=/root");
	probe(eng, &c, 202, FLD_PROC_ENV, -1, "PATH=/bin HOME=/home/u");
	/* a new capture section: the records come back from the pool with new ids */
	uint64_t old1 = t1->env_id;
	state_reset(st);
	t1 = add_env_thread(st, 1, 0, "init", e2, sizeof(e2) - 1);
	t200 = add_env_thread(st, 200, 1, "sh", e2, sizeof(e2) - 1);
	state_finish_load(st);
	assert_true(t1->env_id != old1 && t200->env_id == t1->env_id);
	probe(eng, &c, 200, FLD_PROC_ENV, -1, "PATH=/bin HOME=/home/u");
	probe(eng, &c, 1, FLD_PROC_ENV, -1, "PATH=/bin HOME=/home/u");
	assert_true(c.events > 20);

	engine_set_slots(eng, NULL);
	extract_slots_free(c.slots);
	engine_free(eng);
}

/*
 * Lists of ancestors (proc.aname, proc.apid, ... without index) on chains around the
 * length a thread remembers (FRC_XR_ANC): the remembered walk follows an exec in the
 * middle of the chain and the exit of an ancestor (check_cb compares every slot with a
 * fresh extraction on every event).
 */
static void test_deep_chains(void **unused)
{
	struct frc_engine *eng = engine_new(NULL);
	struct frc_state *st = engine_state(eng);
	struct check c;
	char err[256], name[16];

	(void)unused;
	memset(&c, 0, sizeof(c));
	add_env_thread(st, 1, 0, "init", "", 0);
	for (int64_t i = 0; i < FRC_XR_ANC + 4; i++) {
		snprintf(name, sizeof(name), "p%lld", (long long)i);
		add_env_thread(st, 300 + i, i ? 300 + i - 1 : 1, name, "", 0);
	}
	state_finish_load(st);
	struct frc_field_ref refs[] = {
		{ FLD_PROC_ANAME, 0, NULL, -1 },
		{ FLD_PROC_APID, 0, NULL, -1 },
		{ FLD_PROC_AEXE, 0, NULL, -1 },
		{ FLD_PROC_ANAME, 2, "15", 15 },
		{ FLD_PROC_PNAME, 0, NULL, -1 },
	};
	c.n = sizeof(refs) / sizeof(refs[0]);
	c.slots = extract_slots_new(refs, c.n, err, sizeof(err));
	assert_non_null(c.slots);
	c.refs = refs;
	engine_set_slots(eng, c.slots);
	engine_set_callback(eng, check_cb, &c);

	/* chains of FRC_XR_ANC - 2 .. FRC_XR_ANC + 4 ancestors (init included) */
	for (int round = 0; round < 2; round++)
		for (int64_t i = FRC_XR_ANC - 3; i < FRC_XR_ANC + 4; i++)
			probe(eng, &c, 300 + i, FLD_PROC_ANAME, 1,
			      i >= 1 ? NULL : "init");
	probe(eng, &c, 300 + FRC_XR_ANC + 3, FLD_PROC_ANAME, FRC_XR_ANC + 3, "p0");
	/* an ancestor in the middle execs: its name changes, the chain does not */
	execve_x(305, 305, 304, "renamed", "/", 0);
	send(eng);
	probe(eng, &c, 300 + FRC_XR_ANC - 1, FLD_PROC_ANAME, FRC_XR_ANC - 6, "renamed");
	probe(eng, &c, 300 + FRC_XR_ANC + 3, FLD_PROC_ANAME, FRC_XR_ANC - 2, "renamed");
	/* an ancestor exits: its children go to init */
	procexit(306, 0);
	send(eng);
	probe(eng, &c, 300 + FRC_XR_ANC + 3, FLD_PROC_ANAME, FRC_XR_ANC - 3, "init");
	probe(eng, &c, 300 + FRC_XR_ANC - 1, FLD_PROC_ANAME, FRC_XR_ANC - 7, "init");
	probe(eng, &c, 305, FLD_PROC_ANAME, 1, "p4");
	assert_true(c.events > 15);

	engine_set_slots(eng, NULL);
	extract_slots_free(c.slots);
	engine_free(eng);
}

/*
 * proc.pname and proc.aname[N] through the chain each thread remembers (struct
 * frc_thread_xc) while the ancestors' names change under it: names of 15 bytes (the
 * thread record's inline buffer) and longer, execs that rename an ancestor without
 * changing the thread table's shape (a short name to a long one and back), a clone, a
 * parent's thread exiting, reparenting to init and to a subreaper, the deepest
 * remembered level and the first one past it, and a new capture section that reuses the
 * records in another shape. check_cb compares every slot with a fresh extraction on
 * every event; the probes say what the fresh value must be.
 */
static void test_ancestor_names(void **unused)
{
	struct frc_engine *eng = engine_new(NULL);
	struct frc_state *st = engine_state(eng);
	struct check c;
	char err[256];

	(void)unused;
	memset(&c, 0, sizeof(c));
	add_thread(st, 1, 1, 0, "systemd", 0, NULL);
	add_thread(st, 10, 10, 1, "containerd-shim", 0, NULL);	/* 15 bytes: kept */
	add_thread(st, 11, 11, 10, "a-name-longer-than-comm", 0, NULL);
	add_thread(st, 12, 12, 11, "bash", 1000, NULL);
	add_thread(st, 16, 12, 11, "bash", 1000, NULL);		/* a thread of 12 */
	add_thread(st, 13, 13, 12, "sh", 1000, NULL);
	add_thread(st, 14, 13, 12, "sh", 1000, NULL);		/* a thread of 13 */
	add_thread(st, 20, 20, 13, "l1", 1000, NULL);
	add_thread(st, 21, 21, 20, "l2", 1000, NULL);
	add_thread(st, 22, 22, 21, "l3", 1000, NULL);
	add_thread(st, 23, 23, 22, "l4", 1000, NULL);
	state_finish_load(st);

	static const char *const idx[] = { "0", "1", "2", "3", "4", "5", "6", "7", "8", "9" };
	struct frc_field_ref refs[16];
	uint32_t n = 0;
	refs[n++] = (struct frc_field_ref){ FLD_PROC_PNAME, 0, NULL, -1 };
	for (uint32_t i = 0; i < 10; i++)
		refs[n++] = (struct frc_field_ref){ FLD_PROC_ANAME, 1, idx[i], (int64_t)i };
	refs[n++] = (struct frc_field_ref){ FLD_PROC_ANAME, 0, NULL, -1 };
	refs[n++] = (struct frc_field_ref){ FLD_PROC_PEXE, 0, NULL, -1 };
	refs[n++] = (struct frc_field_ref){ FLD_PROC_PCMDLINE, 0, NULL, -1 };
	refs[n++] = (struct frc_field_ref){ FLD_PROC_AEXE, 1, idx[2], 2 };
	c.slots = extract_slots_new(refs, n, err, sizeof(err));
	assert_non_null(c.slots);
	c.refs = refs;
	c.n = n;
	engine_set_slots(eng, c.slots);
	engine_set_callback(eng, check_cb, &c);

	/* the chains filled: 23 has seven ancestors below init's parent */
	probe(eng, &c, 23, FLD_PROC_PNAME, -1, "l3");
	probe(eng, &c, 23, FLD_PROC_ANAME, 5, "bash");
	probe(eng, &c, 23, FLD_PROC_ANAME, 6, "a-name-longer-than-comm");
	probe(eng, &c, 23, FLD_PROC_ANAME, 7, "containerd-shim");
	probe(eng, &c, 23, FLD_PROC_ANAME, 8, "systemd");
	probe(eng, &c, 23, FLD_PROC_ANAME, 9, "<NA>");
	probe(eng, &c, 14, FLD_PROC_PNAME, -1, "bash");
	probe(eng, &c, 14, FLD_PROC_ANAME, 2, "a-name-longer-than-comm");
	probe(eng, &c, 13, FLD_PROC_ANAME, 3, "containerd-shim");

	/* execs that change names and not the thread table's shape: the shim (kept in
	   every chain below it); the long-named ancestor to a short name (kept), then to a
	   long one again (read from its record); then the parent of 13, whose other thread
	   goes */
	execve_x(10, 10, 1, "shim2", "/", 0);
	send(eng);
	probe(eng, &c, 23, FLD_PROC_ANAME, 7, "shim2");
	probe(eng, &c, 13, FLD_PROC_ANAME, 3, "shim2");
	execve_x(11, 11, 10, "short", "/", 0);
	send(eng);
	probe(eng, &c, 14, FLD_PROC_ANAME, 2, "short");
	probe(eng, &c, 23, FLD_PROC_ANAME, 6, "short");
	execve_x(11, 11, 10, "long-name-again-and-more", "/", 0);
	send(eng);
	probe(eng, &c, 14, FLD_PROC_ANAME, 2, "long-name-again-and-more");
	probe(eng, &c, 23, FLD_PROC_ANAME, 6, "long-name-again-and-more");
	execve_x(13, 13, 12, "python3", "/", 1000);
	send(eng);
	probe(eng, &c, 20, FLD_PROC_PNAME, -1, "python3");
	probe(eng, &c, 23, FLD_PROC_ANAME, 4, "python3");

	/* a clone: the child's chain; a thread of the parent exits (the chain goes through
	   main threads and stays) */
	clone_x(23, 24, 23, 23, 22, "l4", 0);
	send(eng);
	probe(eng, &c, 24, FLD_PROC_PNAME, -1, "l4");
	probe(eng, &c, 24, FLD_PROC_ANAME, 7, "long-name-again-and-more");
	probe(eng, &c, 24, FLD_PROC_ANAME, 8, "shim2");
	procexit(16, 0);
	send(eng);
	probe(eng, &c, 13, FLD_PROC_PNAME, -1, "bash");

	/* the parent of 20 exits: 20 goes to init, its descendants' chains are shorter */
	procexit(14, 0);
	send(eng);
	procexit(13, 0);
	send(eng);
	probe(eng, &c, 20, FLD_PROC_PNAME, -1, "systemd");
	probe(eng, &c, 23, FLD_PROC_ANAME, 4, "systemd");
	probe(eng, &c, 23, FLD_PROC_ANAME, 5, "<NA>");

	/* the shim becomes a subreaper; l2 exits and l3 goes to it */
	begin(PPME_SYSCALL_PRCTL_X, 10);
	evb_int(&B, 0);
	evb_int(&B, PPM_PR_SET_CHILD_SUBREAPER);
	evb_str(&B, "");
	evb_int(&B, 1);
	send(eng);
	procexit(21, 10);
	send(eng);
	probe(eng, &c, 22, FLD_PROC_PNAME, -1, "shim2");
	probe(eng, &c, 24, FLD_PROC_ANAME, 3, "shim2");
	probe(eng, &c, 24, FLD_PROC_ANAME, 4, "systemd");

	/* a new capture section: the records come back from the pool in another shape */
	state_reset(st);
	add_thread(st, 1, 1, 0, "init2", 0, NULL);
	add_thread(st, 23, 23, 1, "top", 0, NULL);
	add_thread(st, 22, 22, 23, "exactly15bytes!", 0, NULL);
	add_thread(st, 24, 24, 22, "leaf", 0, NULL);
	state_finish_load(st);
	probe(eng, &c, 24, FLD_PROC_PNAME, -1, "exactly15bytes!");
	probe(eng, &c, 24, FLD_PROC_ANAME, 2, "top");
	probe(eng, &c, 24, FLD_PROC_ANAME, 3, "init2");
	probe(eng, &c, 24, FLD_PROC_ANAME, 4, "<NA>");
	probe(eng, &c, 22, FLD_PROC_ANAME, 2, "init2");
	assert_true(c.events > 25);

	engine_set_slots(eng, NULL);
	extract_slots_free(c.slots);
	engine_free(eng);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cached_slots_follow_state),
		cmocka_unit_test(test_env_ids),
		cmocka_unit_test(test_deep_chains),
		cmocka_unit_test(test_ancestor_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
