/* SPDX-License-Identifier: Apache-2.0
 *
 * Rule-evaluation benchmark (not a test): the three upstream rule files loaded together,
 * evaluated on one synthetic event stream by
 *   - the libtcc JIT,
 *   - the gcc -O2 AOT build (shared object),
 *   - the reference evaluator (tests/support/ref_eval.c: a tree walk over the AST with
 *     the same event-type dispatch, i.e. an interpreter like Falco's),
 * with rule_matching: first, printing ns/event for each and the ratios; plus the time to
 * compile the ruleset (lower + optimise + emit C, then libtcc compile and relocate), as
 * CPU time and wall time, median of 15 runs.
 *
 * The events are real frc events (runtime/event.h) in the wire format, built with the
 * event builder and decoded by event_decode, over real state tables (runtime/state.h:
 * a few hundred processes with parent chains, their fds, users, containers) seeded like
 * a /proc scan. Names, paths, arguments, addresses and ports are drawn from the rules'
 * own constants (3 times in 4) so that evaluation goes deep; event types from the
 * rules' event-type sets. Each event is about the size of a real one (its decoded view
 * plus its bytes: a few hundred bytes), and fields are extracted by the runtime's own
 * extractors, exactly as in the daemon: the compiled code through frc_field() and its
 * per-event cache, the reference evaluator through extract_filter_value() at each check
 * (an interpreter without a cache). The thread and fd are attached as state_pre() would
 * attach them, but state_pre() itself does not run, so that the figures measure rule
 * evaluation and field extraction, not state upkeep.
 *
 * usage: rules_bench [EVENTS] [ROUNDS]
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <arpa/inet.h>

#include "arena.h"
#include "emit_c.h"
#include "engine.h"
#include "event.h"
#include "evtab.h"
#include "extract.h"
#include "ir.h"
#include "jit.h"
#include "loader.h"
#include "lower.h"
#include "opt.h"
#include "ref_eval.h"
#include "ruleset.h"
#include "scap.h"
#include "state.h"
#include "types.h"

/* ------------------------------------------------------------------ constants */

/* string and numeric constants the rules compare each field (and argument) with */
struct cset {
	const char **s;
	uint32_t *l;
	uint32_t n, cap;
	uint64_t *num;
	uint32_t nn, ncap;
	struct ast_const *ip;
	uint32_t nip, ipcap;
};

static struct cset fc[FLD__COUNT];
#define MAXARG 256
static struct {
	const char *arg;
	uint32_t len;
	struct cset c;
} argc_[MAXARG];	/* evt.arg.NAME / evt.rawarg.NAME constants, by NAME */
static uint32_t nargc;

static void grow(void **p, uint32_t *cap, uint32_t n, size_t sz)
{
	if (n < *cap)
		return;
	*cap = *cap ? *cap * 2 : 16;
	*p = realloc(*p, *cap * sz);
	if (!*p)
		exit(1);
}

static void cset_add(struct cset *c, const struct ast *k)
{
	const struct ast_const *v = &k->u.value.c;
	if (v->type == FT_IPADDR || v->type == FT_IPNET) {
		grow((void **)&c->ip, &c->ipcap, c->nip, sizeof(*c->ip));
		c->ip[c->nip++] = *v;
	} else if (v->type != FT_NONE && v->type != FT_CHARBUF && v->type != FT_FSPATH &&
		   v->type != FT_BYTEBUF) {
		grow((void **)&c->num, &c->ncap, c->nn, sizeof(*c->num));
		c->num[c->nn++] = v->n.u;
	}
	if (!k->u.value.str || memchr(k->u.value.str, 0, k->u.value.len))
		return;
	if (c->n >= c->cap) {
		grow((void **)&c->s, &c->cap, c->n, sizeof(*c->s));
		c->l = realloc(c->l, c->cap * sizeof(*c->l));
	}
	c->s[c->n] = k->u.value.str;
	c->l[c->n++] = k->u.value.len;
}

static struct cset *arg_cset(const char *a, uint32_t len, bool add)
{
	for (uint32_t i = 0; i < nargc; i++)
		if (argc_[i].len == len && !memcmp(argc_[i].arg, a, len))
			return &argc_[i].c;
	if (!add || nargc == MAXARG)
		return NULL;
	argc_[nargc].arg = a;
	argc_[nargc].len = len;
	return &argc_[nargc++].c;
}

static void harvest(const struct ast *n)
{
	if (n->kind == AST_AND || n->kind == AST_OR) {
		for (uint32_t i = 0; i < n->u.nary.n; i++)
			harvest(n->u.nary.items[i]);
	} else if (n->kind == AST_NOT) {
		harvest(n->u.not_.child);
	} else if (n->kind == AST_CHECK && n->u.check.lhs->kind == AST_FIELD) {
		const struct ast *f = n->u.check.lhs, *r = n->u.check.rhs;
		uint32_t id = f->u.field.id;
		struct cset *c = &fc[id];
		if ((id == FLD_EVT_ARG || id == FLD_EVT_RAWARG) && f->u.field.arg)
			c = arg_cset(f->u.field.arg, f->u.field.arg_len, true);
		if (!c || !r || n->u.check.rhs_is_field)
			return;
		if (r->kind == AST_VALUE)
			cset_add(c, r);
		else if (r->kind == AST_LIST)
			for (uint32_t i = 0; i < r->u.nary.n; i++)
				if (r->u.nary.items[i]->kind == AST_VALUE)
					cset_add(c, r->u.nary.items[i]);
	}
}

static uint64_t rnd(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

/* a string for a field: 3 times in 4 one of the rules' constants (sometimes inside a
   longer path), else a common value; NUL-terminated, in @a */
static const char *str_for(struct arena *a, uint64_t *seed, const struct cset *c,
			   const char *dflt)
{
	static const char *const junk[] = { "bash", "/tmp/x", "python3", "/usr/bin/ls", "root",
					    "/etc/hosts", "node", "/var/log/syslog" };
	const char *s = dflt ? dflt : junk[rnd(seed) % 8];
	size_t len = strlen(s);
	if (c && c->n && rnd(seed) % 4) {
		uint32_t k = (uint32_t)(rnd(seed) % c->n);
		s = c->s[k];
		len = c->l[k];
	}
	char *buf = arena_alloc(a, len + 8);
	size_t o = 0;
	if (rnd(seed) % 6 == 0 && s[0] == '/') {
		memcpy(buf, "/x", 2);
		o = 2;
	}
	memcpy(buf + o, s, len);
	o += len;
	if (rnd(seed) % 6 == 0) {
		memcpy(buf + o, "/y.z", 4);
		o += 4;
	}
	buf[o] = 0;
	return buf;
}

static uint64_t num_for(uint64_t *seed, const struct cset *c, uint64_t dflt)
{
	return c && c->nn && rnd(seed) % 2 ? c->num[rnd(seed) % c->nn] : dflt;
}

static const struct ast_const *ip_for(uint64_t *seed, const struct cset *c)
{
	return c && c->nip && rnd(seed) % 2 ? &c->ip[rnd(seed) % c->nip] : NULL;
}

/* ------------------------------------------------------------------ state */

#define NPROC 384	/* processes in the thread table */
#define NFD 8		/* fds per process */
#define NCONT 6		/* containers */

static struct frc_state *st;
static char cont_ids[NCONT][65];

static void add_containers(struct arena *a, uint64_t *seed)
{
	for (int i = 0; i < NCONT; i++) {
		for (int k = 0; k < 64; k++)
			cont_ids[i][k] = "0123456789abcdef"[rnd(seed) % 16];
		cont_ids[i][64] = 0;
		const char *repo = str_for(a, seed, &fc[FLD_CONTAINER_IMAGE_REPOSITORY], "nginx");
		const char *name = str_for(a, seed, &fc[FLD_CONTAINER_NAME], "web");
		char json[1024];
		bool quote = strpbrk(repo, "\"\\") || strpbrk(name, "\"\\");
		snprintf(json, sizeof(json),
			 "{\"container\":{\"id\":\"%.12s\",\"name\":\"%s\",\"image\":\"%s:latest\","
			 "\"imagerepo\":\"%s\",\"imagetag\":\"latest\",\"privileged\":%s,"
			 "\"Mounts\":[{\"Source\":\"/var/run/docker.sock\",\"Destination\":"
			 "\"/var/run/docker.sock\",\"Mode\":\"\",\"RW\":true,\"Propagation\":\"\"}]}}",
			 cont_ids[i], quote ? "c" : name, quote ? "r" : repo, quote ? "r" : repo,
			 rnd(seed) % 3 ? "false" : "true");
		if (!state_add_container_json(st, json, strlen(json))) {
			fprintf(stderr, "container json rejected\n");
			exit(1);
		}
	}
}

/* argv[1..] as NUL-terminated items from a constant of proc.args/proc.cmdline */
static uint32_t split_args(const char *s, char *out, uint32_t *nitems)
{
	uint32_t o = 0, n = 0;
	while (*s) {
		while (*s == ' ')
			s++;
		if (!*s)
			break;
		while (*s && *s != ' ')
			out[o++] = *s++;
		out[o++] = 0;
		n++;
	}
	*nitems = n;
	return o;
}

static void add_process(struct arena *a, uint64_t *seed, int64_t pid, int64_t ppid)
{
	struct scap_thread_rec t;
	memset(&t, 0, sizeof(t));
	t.tid = t.pid = t.vtid = t.vpid = pid;
	t.ptid = ppid;
	t.sid = t.pgid = t.vpgid = pid;
	char comm[16];
	snprintf(comm, sizeof(comm), "%s", str_for(a, seed, &fc[FLD_PROC_NAME], NULL));
	t.comm = arena_strdup(a, comm);
	char path[512];
	snprintf(path, sizeof(path), "/usr/bin/%s", comm);
	t.exe = str_for(a, seed, &fc[FLD_PROC_EXE], path);
	t.exepath = str_for(a, seed, &fc[FLD_PROC_EXEPATH], path);
	t.cwd = str_for(a, seed, &fc[FLD_PROC_CWD], rnd(seed) % 2 ? "/root/" : "/home/user/");
	t.root = "/";
	const char *args = str_for(a, seed, &fc[rnd(seed) % 2 ? FLD_PROC_ARGS : FLD_PROC_CMDLINE],
				   "-c id");
	char *ab = arena_alloc(a, strlen(args) + 2);
	uint32_t nargs;
	t.args_len = split_args(args, ab, &nargs);
	t.args = ab;
	static const char env[] = "PATH=/usr/bin:/bin\0HOME=/root\0TERM=xterm\0";
	t.env = env;
	t.env_len = sizeof(env) - 1;
	if (rnd(seed) % 3 == 0) {
		char *cg = arena_alloc(a, 128);
		int n = snprintf(cg, 128, "cpuset=/docker/%s", cont_ids[rnd(seed) % NCONT]);
		t.cgroups = cg;
		t.cgroups_len = (uint32_t)n + 1;
	}
	t.fdlimit = 1024;
	t.flags = 0;
	static const uint32_t uids[] = { 0, 0, 0, 33, 1000, 1001, 65534 };
	t.uid = t.gid = uids[rnd(seed) % 7];
	t.loginuid = rnd(seed) % 2 ? t.uid : 0xffffffffu;
	t.tty = rnd(seed) % 4 == 0 ? 34816 : 0;
	t.vmsize_kb = 10000;
	t.vmrss_kb = 2000;
	t.exe_writable = rnd(seed) % 8 == 0;
	t.exe_upper_layer = rnd(seed) % 8 == 0;
	t.exe_from_memfd = rnd(seed) % 16 == 0;
	t.cap_permitted = t.cap_effective = t.uid ? 0 : ~0ull >> 23;
	t.exe_ino = 1000 + (uint64_t)pid;
	if (!state_add_thread(st, &t)) {
		fprintf(stderr, "state_add_thread failed\n");
		exit(1);
	}
	for (int64_t fd = 0; fd < NFD; fd++) {
		struct scap_fd_rec f;
		memset(&f, 0, sizeof(f));
		f.tid = pid;
		f.fd = fd;
		f.ino = 5000 + (uint64_t)fd;
		f.name = "";
		uint64_t k = rnd(seed) % 8;
		if (fd < 2) {
			f.type = SCAP_FD_FILE_V2;
			f.name = t.tty ? "/dev/pts/0" : "/dev/null";
		} else if (k < 4) {
			f.type = rnd(seed) % 8 ? SCAP_FD_FILE_V2 : SCAP_FD_DIRECTORY;
			f.open_flags = rnd(seed) % 2 ? PPM_O_RDONLY : PPM_O_WRONLY | PPM_O_CREAT;
			if (rnd(seed) % 2) {
				f.name = str_for(a, seed, &fc[FLD_FD_NAME], NULL);
			} else {
				snprintf(path, sizeof(path), "%s/%s",
					 str_for(a, seed, &fc[FLD_FD_DIRECTORY], "/etc"),
					 str_for(a, seed, &fc[FLD_FD_FILENAME], "passwd"));
				f.name = arena_strdup(a, path);
			}
			if (f.name[0] != '/')
				f.name = "/etc/passwd";
		} else if (k < 7) {
			const struct ast_const *sip = ip_for(seed, &fc[rnd(seed) % 2 ? FLD_FD_SIP : FLD_FD_RIP]);
			const struct ast_const *cip = ip_for(seed, &fc[rnd(seed) % 2 ? FLD_FD_CIP : FLD_FD_LIP]);
			bool v6 = (sip && sip->family == 6) || (cip && cip->family == 6);
			f.type = v6 ? SCAP_FD_IPV6_SOCK : SCAP_FD_IPV4_SOCK;
			f.l4proto = rnd(seed) % 4 ? SCAP_L4_TCP : SCAP_L4_UDP;
			if (v6) {
				memcpy(f.sip, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x01", 16);
				memcpy(f.dip, "\x20\x01\x0d\xb8\0\0\0\0\0\0\0\0\0\0\0\x02", 16);
			} else {
				memcpy(f.sip, "\x0a\x00\x00\x05", 4);
				memcpy(f.dip, "\x5d\xb8\xd8\x22", 4);
			}
			if (cip && cip->family == (v6 ? 6 : 4))
				memcpy(f.sip, cip->ip, v6 ? 16 : 4);
			if (sip && sip->family == (v6 ? 6 : 4))
				memcpy(f.dip, sip->ip, v6 ? 16 : 4);
			f.sport = (uint16_t)(32768 + rnd(seed) % 20000);
			f.dport = (uint16_t)num_for(seed, &fc[rnd(seed) % 2 ? FLD_FD_SPORT : FLD_FD_RPORT],
						    rnd(seed) % 2 ? 443 : 80);
		} else {
			f.type = SCAP_FD_UNIX_SOCK;
			f.unix_src = 0xffff000000001000ull + (uint64_t)pid;
			f.unix_dst = 0xffff000000002000ull;
			f.name = str_for(a, seed, &fc[FLD_FD_NAME], "/run/systemd/journal/socket");
		}
		if (!state_add_fd(st, &f)) {
			fprintf(stderr, "state_add_fd failed\n");
			exit(1);
		}
	}
}

static void build_state(struct arena *a, uint64_t *seed)
{
	st = state_new(NULL);
	state_add_user(st, "", 0, 0, "root", "/root", "/bin/bash");
	state_add_user(st, "", 33, 33, "www-data", "/var/www", "/usr/sbin/nologin");
	state_add_user(st, "", 1000, 1000, str_for(a, seed, &fc[FLD_USER_NAME], "alice"), "/home/a",
		       "/bin/bash");
	state_add_user(st, "", 1001, 1001, str_for(a, seed, &fc[FLD_USER_NAME], "bob"), "/home/b",
		       "/bin/sh");
	state_add_user(st, "", 65534, 65534, "nobody", "/nonexistent", "/usr/sbin/nologin");
	state_add_group(st, "", 0, "root");
	state_add_group(st, "", 1000, "users");
	add_containers(a, seed);
	add_process(a, seed, 1, 0);
	/* parents come before their children: every process has a chain of ancestors */
	for (int64_t p = 0; p < NPROC; p++)
		add_process(a, seed, 1000 + p, p < 4 ? 1 : 1000 + (int64_t)(rnd(seed) % (uint64_t)p));
	state_finish_load(st);
}

/* ------------------------------------------------------------------ events */

struct bev {
	struct frc_evt e;	/* decoded, thread and fd attached as state_pre would */
};

static struct frc_evb evb;

static bool make_event(struct arena *a, uint64_t *seed, const struct frc_rules *rules,
		       uint64_t num, struct frc_evt *e)
{
	uint32_t code = 0;
	const struct evt_schema *sc = NULL;
	while (!sc) {
		const struct frc_rule *r = &rules->rules[rnd(seed) % rules->nrules];
		uint32_t c = (uint32_t)(rnd(seed) % FRC_EVT_CODES);
		for (uint32_t k = 0; k < FRC_EVT_CODES && !sc; k++, c = (c + 1) % FRC_EVT_CODES)
			if (frc_evtset_has(&r->evttypes, c) && c < evtab_ncodes &&
			    !engine_event_hidden((uint16_t)c, 0) &&
			    (sc = evtab_schema((uint16_t)c)) && !strcmp(sc->name, "NA"))
				sc = NULL;
		code = c;
	}
	int64_t pid = 1000 + (int64_t)(rnd(seed) % NPROC);
	struct frc_thread *thr = state_find_thread(st, pid);
	int64_t fd = (int64_t)(rnd(seed) % NFD);
	struct frc_fd *fdi = state_thread_fd(thr, fd);
	bool exitev = !evtab_is_enter((uint16_t)code);
	int64_t res = rnd(seed) % 4 ? ((sc->flags & EVF_CREATES_FD) ? fd : 0)
				    : -(int64_t)(1 + rnd(seed) % 13);
	bool uses_fd = false;
	char ipa[64], ipb[64];
	evb_begin(&evb, (uint16_t)code, 1700000000000000000ull + num * 1000ull, pid);
	for (uint32_t i = 0; i < sc->nparams; i++) {
		const struct evt_param *p = &sc->params[i];
		struct cset *ac = arg_cset(p->name, (uint32_t)strlen(p->name), false);
		switch (p->type) {
		case PT_ERRNO:
			evb_int(&evb, i == 0 && exitev ? res : 0);
			break;
		case PT_FD: case PT_FD32:
			uses_fd = true;
			evb_int(&evb, i == 0 && exitev && !(sc->flags & EVF_CREATES_FD) ? res : fd);
			break;
		case PT_PID: case PT_PID32:
			evb_int(&evb, i == 0 && exitev ? (rnd(seed) % 4 ? pid + 1 : 0) : pid);
			break;
		case PT_CHARBUF: case PT_FSPATH: case PT_FSRELPATH: case PT_BYTEBUF: {
			const char *dflt = fdi && fdi->name.len ? fdi->name.s : thr->exe.s;
			evb_str(&evb, str_for(a, seed, ac, dflt));
			break;
		}
		case PT_CHARBUFARRAY:
			if (!strcmp(p->name, "args"))
				evb_bytes(&evb, thr->args.s, thr->args.len);
			else
				evb_bytes(&evb, "PATH=/usr/bin\0HOME=/root\0", 25);
			break;
		case PT_SOCKADDR:
		case PT_SOCKTUPLE:
			if (fdi && fdi->type == SCAP_FD_IPV4_SOCK) {
				inet_ntop(AF_INET, &fdi->sock.v4.sip, ipa, sizeof(ipa));
				inet_ntop(AF_INET, &fdi->sock.v4.dip, ipb, sizeof(ipb));
			} else if (fdi && fdi->type == SCAP_FD_IPV6_SOCK) {
				inet_ntop(AF_INET6, fdi->sock.v6.sip, ipa, sizeof(ipa));
				inet_ntop(AF_INET6, fdi->sock.v6.dip, ipb, sizeof(ipb));
			} else {
				snprintf(ipa, sizeof(ipa), "10.0.0.5");
				snprintf(ipb, sizeof(ipb), "93.184.216.34");
			}
			if (p->type == PT_SOCKADDR)
				evb_sockaddr_in(&evb, ipb, fdi ? fdi->sock.v4.dport : 80);
			else
				evb_tuple_in(&evb, ipa, fdi ? fdi->sock.v4.sport : 40000, ipb,
					     fdi ? fdi->sock.v4.dport : 80);
			break;
		case PT_UID: case PT_GID:
			evb_int(&evb, (int64_t)num_for(seed, ac, thr->uid));
			break;
		case PT_INT8: case PT_INT16: case PT_INT32: case PT_INT64: case PT_UINT8:
		case PT_UINT16: case PT_UINT32: case PT_UINT64: case PT_FLAGS8: case PT_FLAGS16:
		case PT_FLAGS32: case PT_ENUMFLAGS8: case PT_ENUMFLAGS16: case PT_ENUMFLAGS32:
		case PT_MODE: case PT_SYSCALLID: case PT_SIGTYPE: case PT_PORT: case PT_L4PROTO:
		case PT_SOCKFAMILY: case PT_BOOL: case PT_RELTIME: case PT_ABSTIME: {
			uint64_t v = rnd(seed) % 3;
			if (p->flags && p->flags[0].name) {
				uint32_t nf = 0;
				while (p->flags[nf].name)
					nf++;
				v = p->flags[rnd(seed) % nf].value | p->flags[rnd(seed) % nf].value;
			}
			evb_int(&evb, (int64_t)num_for(seed, ac, v));
			break;
		}
		default:
			evb_empty(&evb);
			break;
		}
	}
	evb_fill(&evb);
	uint32_t len;
	const uint8_t *raw = evb_end(&evb, &len);
	if (!raw)
		return false;
	uint8_t *copy = arena_alloc(a, len);
	memcpy(copy, raw, len);
	memset(e, 0, sizeof(*e));
	if (event_decode(e, copy, len))
		return false;
	e->num = num;
	e->st = st;
	e->thr = thr;
	/* the fd state_pre would attach: the fd param, or the new fd of a successful open */
	if (uses_fd || (exitev && (sc->flags & EVF_CREATES_FD) && res >= 0))
		e->fdi = fdi;
	if (exitev && res < 0 && sc->nparams && sc->params[0].type == PT_ERRNO)
		e->errorcode = (int32_t)-res;
	return true;
}

/* ------------------------------------------------------------------ field access */

static const struct frc_val *ref_get(void *ctx, const struct ast *f)
{
	return extract_filter_value(ctx, f->u.field.id, f->u.field.arg, f->u.field.arg_len,
				    f->u.field.arg ? f->u.field.arg_index : -1);
}

/* the reference's answer for @e: the first enabled rule of its event type whose condition
   holds (rule_matching: first), or UINT32_MAX */
static inline uint32_t ref_first(const struct frc_rules *rules, struct frc_evt *e)
{
	for (uint32_t r = 0; r < rules->nrules; r++) {
		const struct frc_rule *rule = &rules->rules[r];
		if (rule->enabled && frc_evtset_has(&rule->evttypes, e->type) &&
		    ref_eval(rule->cond, ref_get, e))
			return r;
	}
	return UINT32_MAX;
}

static struct frc_scratch *scr;
static uint64_t gen;

/* what the engine does for every event before evaluation (state_pre aside) */
static inline void begin_event(struct frc_evt *e, struct frc_slots *slots)
{
	e->gen = ++gen;
	e->slots = slots;
	e->scratch = scr;
	scratch_begin(scr, e);
}

/* ------------------------------------------------------------------ timing */

static double now(clockid_t c)
{
	struct timespec t;
	clock_gettime(c, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static int cmpd(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

__attribute__((noinline)) static uint64_t run_compiled(struct ruleset *rs, struct frc_slots *slots,
							struct bev *evs, uint32_t n)
{
	uint64_t m = 0;
	for (uint32_t i = 0; i < n; i++) {
		struct frc_evt *e = &evs[i].e;
		begin_event(e, slots);
		m += ruleset_eval(rs, e, e->type, NULL, NULL);
	}
	return m;
}

__attribute__((noinline)) static uint64_t run_ref(const struct frc_rules *rules, struct bev *evs,
						   uint32_t n)
{
	uint64_t m = 0;
	for (uint32_t i = 0; i < n; i++) {
		struct frc_evt *e = &evs[i].e;
		begin_event(e, NULL);
		m += ref_first(rules, e) != UINT32_MAX;
	}
	return m;
}

/* The engine decodes each event into one view that it reuses (engine_process) and
   state_pre looks its thread and fd up before the rules run, so those are hot then; the
   stream's own views above are each touched first by the rules. The "reused view" loop
   does what the engine does before evaluation, from the event's raw bytes: decode into
   one view, look the thread and fd up and check the fd's name version (state_find_thread,
   state_thread_fd: what state_pre reads, not its updates), then evaluate. Its evaluation
   figure is that loop's time minus the same loop without rules, for every path alike. */
struct hev {
	const uint8_t *raw;
	uint32_t len;
	int32_t errorcode;
	int64_t fd;	/* -1: no fd attached */
};

static struct frc_evt hv;

static inline struct frc_evt *hot_pre(const struct hev *h, uint64_t num)
{
	struct frc_evt *e = &hv;
	if (event_decode(e, h->raw, h->len))
		abort(); /* every event decoded once already when the stream was built */
	e->num = num;
	e->st = st;
	e->thr = state_find_thread(st, e->tid);
	e->fdi = h->fd >= 0 && e->thr ? state_thread_fd(e->thr, h->fd) : NULL;
	e->fd_name_changed = e->fdi && e->fdi->name_ver != e->fdi->oldname_ver;
	e->errorcode = h->errorcode;
	return e;
}

__attribute__((noinline)) static uint64_t run_reused(struct ruleset *rs, struct frc_slots *slots,
						      const struct frc_rules *rules,
						      const struct hev *hs, uint32_t n)
{
	uint64_t m = 0;
	for (uint32_t i = 0; i < n; i++) {
		struct frc_evt *e = hot_pre(&hs[i], i + 1);
		begin_event(e, slots);
		if (rs) {
			m += ruleset_eval(rs, e, e->type, NULL, NULL);
		} else if (rules) {
			m += ref_first(rules, e) != UINT32_MAX;
		} else {
			m += e->thr != NULL; /* the lookups alone */
		}
	}
	return m;
}

/* one block of figures: the paths @modes selected, and the ratios between those */
static void print_block(const double t[3], const uint64_t m[3], unsigned modes)
{
	static const char *const name[3] = { "JIT (libtcc)", "AOT (gcc -O2)", "reference (tree)" };
	static const int ratio[3][2] = { { 2, 0 }, { 2, 1 }, { 0, 1 } };
	static const char *const rname[3] = { "reference/JIT", "reference/AOT", "JIT/AOT" };
	bool differ = false;
	int first = -1;
	for (int k = 0; k < 3; k++) {
		if (!(modes & (1u << k)))
			continue;
		printf("  %-17s %8.1f ns/event  (%llu matches)\n", name[k], t[k],
		       (unsigned long long)m[k]);
		if (first < 0)
			first = k;
		else if (m[k] != m[first])
			differ = true;
	}
	const char *sep = "ratios: ";
	for (int r = 0; r < 3; r++) {
		int a = ratio[r][0], b = ratio[r][1];
		if ((modes & (1u << a)) && (modes & (1u << b))) {
			printf("%s%s %.*fx", sep, rname[r], r == 2 ? 2 : 1, t[a] / t[b]);
			sep = ", ";
		}
	}
	if (*sep == ',' || differ)
		printf("%s\n", differ ? "  (MATCH COUNTS DIFFER)" : "");
}

static void first_match(void *ctx, uint32_t rule)
{
	uint32_t *m = ctx;
	if (*m == UINT32_MAX)
		*m = rule;
}

/* diagnosis (env RULES_BENCH_DIFF): events where the AOT code and the reference match
   different rules, with the fields whose two extractions print differently;
   RULES_BENCH_DIFF=slots also lists events where some slot's value differs */
static void diff_events(const struct frc_rules *rules, struct ruleset *rs,
			struct frc_slots *slots, struct bev *evs, uint32_t n)
{
	uint32_t nd = 0, nf;
	const struct frc_field_ref *fr = ruleset_fields(rs, &nf);
	const char *env = getenv("RULES_BENCH_DIFF");
	bool all_slots = env && !strcmp(env, "slots");
	for (uint32_t i = 0; i < n && nd < 20; i++) {
		struct frc_evt *e = &evs[i].e;
		uint32_t rc = UINT32_MAX, rr;
		begin_event(e, slots);
		ruleset_eval(rs, e, e->type, first_match, &rc);
		begin_event(e, NULL);
		rr = ref_first(rules, e);
		if (rc == rr && !all_slots)
			continue;
		if (rc == rr) {
			/* every slot: the compiled path's value against a fresh extraction */
			bool same = true;
			begin_event(e, slots);
			for (uint32_t k = 0; k < nf && same; k++) {
				char bx[256], by[256];
				extract_format(fr[k].field, frc_field(e, k), bx, sizeof(bx));
				extract_format(fr[k].field,
					       extract_filter_value(e, fr[k].field, fr[k].arg,
								    fr[k].arg_len, fr[k].arg_index),
					       by, sizeof(by));
				same = !strcmp(bx, by);
			}
			if (same)
				continue;
		}
		nd++;
		printf("event %u (%s, tid %lld): compiled '%s', reference '%s'\n", i, e->info->name,
		       (long long)e->tid, rc == UINT32_MAX ? "-" : rules->rules[rc].name,
		       rr == UINT32_MAX ? "-" : rules->rules[rr].name);
		begin_event(e, slots);
		for (uint32_t k = 0; k < nf; k++) {
			char bx[256], by[256];
			extract_format(fr[k].field, frc_field(e, k), bx, sizeof(bx));
			extract_format(fr[k].field, extract_filter_value(e, fr[k].field, fr[k].arg,
									 fr[k].arg_len, fr[k].arg_index),
				       by, sizeof(by));
			if (strcmp(bx, by))
				printf("  slot %u %s: compiled '%s', reference '%s'\n", k,
				       field_table[fr[k].field].name, bx, by);
		}
	}
	printf("%u events with different matches%s\n", nd, nd == 20 ? " (at least)" : "");
}

static void compile_times(const struct frc_rules *rules)
{
	enum { N = 15 };
	double ccpu[N], cwall[N], tcpu[N], twall[N];
	for (int i = 0; i < N; i++) {
		double w0 = now(CLOCK_MONOTONIC), c0 = now(CLOCK_PROCESS_CPUTIME_ID);
		struct ruleset_opts o = { .evt = opt_evtinfo_evtab() };
		char *text = ruleset_emit_c(rules, &o, NULL);
		double w1 = now(CLOCK_MONOTONIC), c1 = now(CLOCK_PROCESS_CPUTIME_ID);
		const struct frc_ruleset_desc *d;
		char err[256];
		struct jit *j = jit_compile(text, NULL, 0, &d, err, sizeof(err));
		double w2 = now(CLOCK_MONOTONIC), c2 = now(CLOCK_PROCESS_CPUTIME_ID);
		if (!j) {
			fprintf(stderr, "jit: %s\n", err);
			exit(1);
		}
		jit_free(j);
		free(text);
		ccpu[i] = (c1 - c0) * 1e3;
		cwall[i] = (w1 - w0) * 1e3;
		tcpu[i] = (c2 - c1) * 1e3;
		twall[i] = (w2 - w1) * 1e3;
	}
	qsort(ccpu, N, sizeof(double), cmpd);
	qsort(cwall, N, sizeof(double), cmpd);
	qsort(tcpu, N, sizeof(double), cmpd);
	qsort(twall, N, sizeof(double), cmpd);
	printf("compile (median of %d): lower+opt+emit %.1f ms CPU (%.1f ms wall), "
	       "libtcc compile+relocate %.1f ms CPU (%.1f ms wall), total %.1f ms CPU "
	       "(%.1f ms wall)\n", N, ccpu[N / 2], cwall[N / 2], tcpu[N / 2], twall[N / 2],
	       ccpu[N / 2] + tcpu[N / 2], cwall[N / 2] + twall[N / 2]);
}

int main(int argc, char **argv)
{
	uint32_t nev = argc > 1 ? (uint32_t)atoi(argv[1]) : 50000;
	int rounds = argc > 2 ? atoi(argv[2]) : 5;
	/* bits: 1 JIT, 2 AOT, 4 reference; 8 skips the stream's views (a.), 16 the reused view (b.) */
	unsigned modes = argc > 3 ? (unsigned)atoi(argv[3]) : 7;
	bool timing = argc <= 4;	/* a 5th argument skips the compile-time measurement */
	static const char *const files[] = {
		"../shared/compat/rules/falco_rules.yaml",
		"../shared/compat/rules/falco-incubating_rules.yaml",
		"../shared/compat/rules/falco-sandbox_rules.yaml",
	};
	struct arena a;
	arena_init(&a);
	struct loader_opts lo;
	loader_opts_init(&lo);
	struct frc_rules rules;
	struct loader_results res;
	if (loader_load(&a, files, 3, &lo, &rules, &res)) {
		loader_print_text(stderr, &res, false);
		return 1;
	}
	printf("ruleset: %u upstream rules (stable + incubating + sandbox)\n", rules.nrules);
	if (timing)
		compile_times(&rules);

	for (uint32_t r = 0; r < rules.nrules; r++)
		harvest(rules.rules[r].cond);
	struct arena ea;
	arena_init(&ea);
	uint64_t seed = 0x5eed;
	build_state(&ea, &seed);
	scr = scratch_new();
	struct bev *evs = malloc(nev * sizeof(*evs));
	for (uint32_t i = 0; i < nev; i++)
		if (!make_event(&ea, &seed, &rules, i + 1, &evs[i].e)) {
			fprintf(stderr, "event %u: could not build\n", i);
			return 1;
		}

	struct ruleset_opts o = { .evt = opt_evtinfo_evtab() };
	char *text = ruleset_emit_c(&rules, &o, NULL);
	double g0 = now(CLOCK_MONOTONIC);
	struct ruleset *aot = ruleset_aot_text(text, &o);
	double g1 = now(CLOCK_MONOTONIC);
	struct ruleset *jit = ruleset_jit_text(text, &o);
	free(text);
	if (!jit || !aot)
		return 1;
	char err[256];
	uint32_t nf;
	const struct frc_field_ref *refs = ruleset_fields(jit, &nf);
	struct frc_slots *jslots = extract_slots_new(refs, nf, err, sizeof(err));
	refs = ruleset_fields(aot, &nf);
	struct frc_slots *aslots = extract_slots_new(refs, nf, err, sizeof(err));
	if (!jslots || !aslots) {
		fprintf(stderr, "slots: %s\n", err);
		return 1;
	}
	if (getenv("RULES_BENCH_DIFF"))
		diff_events(&rules, aot, aslots, evs, nev);
	printf("gcc -O2 AOT build of the same C: %.0f ms wall\n", (g1 - g0) * 1e3);

	/* the same events as the reused view loop sees them: raw bytes, and the fd to look up */
	struct hev *hs = malloc(nev * sizeof(*hs));
	for (uint32_t i = 0; i < nev; i++) {
		const struct frc_evt *e = &evs[i].e;
		if (state_find_thread(st, e->tid) != e->thr) {
			fprintf(stderr, "event %u: thread lookup differs\n", i);
			return 1;
		}
		hs[i] = (struct hev){ e->raw, e->len, e->errorcode, e->fdi ? e->fdi->fd : -1 };
	}

	/* k: 0 JIT, 1 AOT, 2 reference over the stream's views; 3-5 the same over one reused
	   view, 6 that loop's decode and lookups alone; rounds interleave them all */
	double best[7];
	uint64_t m[7] = { 0 };
	for (int k = 0; k < 7; k++)
		best[k] = 1e30;
	bool cold = !(modes & 8), hot = !(modes & 16);
	for (int rd = 0; rd < rounds; rd++)
		for (int k = 0; k < 7; k++) {
			if ((k < 6 && !(modes & (1u << (k % 3)))) || (k < 3 && !cold) || (k >= 3 && !hot))
				continue;
			struct ruleset *rs = k % 3 == 0 ? jit : k % 3 == 1 ? aot : NULL;
			struct frc_slots *sl = k % 3 == 0 ? jslots : k % 3 == 1 ? aslots : NULL;
			double t0 = now(CLOCK_PROCESS_CPUTIME_ID);
			if (k < 2)
				m[k] = run_compiled(rs, sl, evs, nev);
			else if (k == 2)
				m[k] = run_ref(&rules, evs, nev);
			else if (k < 6)
				m[k] = run_reused(k == 5 ? NULL : rs, sl, k == 5 ? &rules : NULL, hs, nev);
			else
				m[k] = run_reused(NULL, NULL, NULL, hs, nev);
			double t = (now(CLOCK_PROCESS_CPUTIME_ID) - t0) * 1e9 / nev;
			best[k] = t < best[k] ? t : best[k];
		}
	free(hs);
	if (cold) {
		printf("events: %u synthetic frc events (real extraction), rounds: %d, best CPU time "
		       "per event:\n", nev, rounds);
		printf(" a. over the stream's decoded views (each event's view first touched by the "
		       "rules):\n");
		print_block(best, m, modes);
	}
	if (hot) {
		double h[3];
		for (int k = 0; k < 3; k++)
			h[k] = best[3 + k] - best[6];
		printf(" b. as the engine runs: decoded into one reused view, thread and fd looked up "
		       "(%.1f ns/event,\n    subtracted), then evaluated:\n", best[6]);
		print_block(h, m + 3, modes);
	}
	ruleset_free(jit);
	ruleset_free(aot);
	extract_slots_free(jslots);
	extract_slots_free(aslots);
	scratch_free(scr);
	state_free(st);
	free(evs);
	arena_free_all(&ea);
	arena_free_all(&a);
	return 0;
}
