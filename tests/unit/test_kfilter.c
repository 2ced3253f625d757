/* SPDX-License-Identifier: Apache-2.0
 *
 * Kernel filter fragments (compiler/kfilter.c): the shape of the programs for hand-written
 * rules, and the soundness property on the upstream rules and on rules written to stress
 * the translation: for random events seen the way the probe sees them (path argument,
 * flags, return value, comm), whenever some enabled rule matches the event as user space
 * sees it (fd.name normalised from the path and the cwd, fd.nameraw, fd.directory,
 * fd.filename, evt.res, proc.name, ...), a simulator of the probe's interpreter must let
 * the event through. The simulator follows probe/frc_kfilter.bpf.h; the live differential
 * test (tests/kfilter) checks the probe itself.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "arena.h"
#include "evtab.h"
#include "fake_world.h"
#include "ir.h"
#include "kfilter.h"
#include "loader.h"
#include "lower.h"
#include "opt.h"
#include "ref_eval.h"
#include "state.h"

/* ------------------------------------------------------------------ building */

struct built {
	struct arena a;
	struct frc_rules rules;
	struct ir ir;
	struct kf_rules *kr;
	struct kf_image *img;
};

static void build(struct built *b, const struct loader_input *in, size_t n)
{
	struct loader_opts lo;
	struct loader_results res;
	struct ir_diag d = { 0 };
	struct opt_opts oo = { .level = 1, .evt = opt_evtinfo_evtab() };

	memset(b, 0, sizeof(*b));
	arena_init(&b->a);
	loader_opts_init(&lo);
	assert_int_equal(loader_load_inputs(&b->a, in, n, &lo, &b->rules, &res), 0);
	ir_init(&b->ir);
	b->ir.normalize = false;
	assert_int_equal(lower_rules(&b->ir, &b->rules, &d), 0);
	assert_int_equal(opt_run(&b->ir, &oo, &d), 0);
	b->kr = kf_build(&b->ir);
	assert_non_null(b->kr);
	b->img = kf_link(b->kr, NULL);
	assert_non_null(b->img);
}

static void unbuild(struct built *b)
{
	kf_image_free(b->img);
	kf_rules_free(b->kr);
	ir_fini(&b->ir);
	arena_free_all(&b->a);
}

static void build_text(struct built *b, const char *yaml)
{
	struct loader_input in = { "t.yaml", yaml, strlen(yaml) };

	build(b, &in, 1);
}

/* ------------------------------------------------------------------ the simulator */

struct kview {
	uint16_t code;
	const char *path;	/* NULL: no path param */
	uint32_t flags;
	int64_t res;
	char comm[16];
	bool renamed;
};

static bool has_item(const struct kf_image *img, uint32_t set, const char *p, bool sfx)
{
	size_t pl = strlen(p);

	for (uint32_t i = 0; i < img->nitems; i++) {
		const struct kf_item *it = &img->items[i];
		if (it->set != set)
			continue;
		if (it->kind == FRC_KFA_COMM) {
			if (strlen(p) == it->len && !memcmp(p, it->bytes, it->len))
				return true;
			continue;
		}
		if (sfx != (it->kind == FRC_KFA_NAME_SFX))
			continue;
		if (it->len > pl)
			continue;
		if (sfx ? !memcmp(p + pl - it->len, it->bytes, it->len) :
			  (!memcmp(p, it->bytes, it->len) && (!it->exact || it->len == pl)))
			return true;
	}
	return false;
}

/* fd.name of an absolute path the way the probe computes it (kf_norm_byte: one step per
 * raw byte, the output length after each '/' on a stack); false if it gives up */
static bool sim_normalize(const char *in, char *out)
{
	size_t plen = strlen(in) + 1, tc = 0, sp = 0, skip = 0;
	uint8_t stk[128];

	for (size_t i = 0; i + 1 < plen && i < FRC_KF_PATH_MAX; i++) {
		if (skip) {
			skip--;
			continue;
		}
		char c = in[i], c1 = i + 2 < plen ? in[i + 1] : 0, last = tc ? out[tc - 1] : 0;
		if (c == '.' && (!tc || last == '/')) {
			if (c1 == '.') {
				char c2 = i + 3 < plen ? in[i + 2] : 0;
				if (c2 == '/' || c2 == 0) {
					if (tc > 1 && sp >= 2) {
						sp--;
						tc = stk[sp - 1];
					}
					skip = c2 == '/' ? 2 : 1;
					continue;
				}
			} else if (c1 == '/') {
				skip = 1;
				continue;
			} else if (c1 == 0) {
				continue;
			}
		} else if (c == '/' && tc && last == '/') {
			continue;
		}
		if (tc >= FRC_KF_PATH_MAX - 1)
			return false;
		out[tc++] = c;
		if (c == '/') {
			if (sp >= 128)
				return false;
			stk[sp++] = (uint8_t)tc;
		}
	}
	if (!tc || tc >= FRC_KF_PATH_MAX - 1)
		return false;
	if (tc > 1 && out[tc - 1] == '/')
		tc--;
	out[tc] = 0;
	return true;
}

static bool sim_atom(const struct kf_image *img, const struct frc_kf_prog *p,
		     const struct frc_kf_atom *a, const struct kview *v)
{
	size_t plen = v->path ? strlen(v->path) + 1 : 0;
	bool noncanon = true, dslash = false, name_known = false;
	char name[FRC_KF_PATH_MAX + 1];

	if (v->path && plen >= 2 && plen <= FRC_KF_PATH_MAX) {
		noncanon = v->path[0] != '/' || strstr(v->path, "/.") || (plen > 2 &&
			   v->path[plen - 2] == '/');
		dslash = strstr(v->path, "//") != NULL;
		noncanon |= dslash;
		/* fd.name: the path itself when canonical, normalised when absolute */
		if (!noncanon) {
			snprintf(name, sizeof(name), "%s", v->path);
			name_known = true;
		} else if (v->path[0] == '/') {
			name_known = sim_normalize(v->path, name);
		}
	} else {
		plen = 0;
	}
	switch (a->kind) {
	case FRC_KFA_NAME_PFX: case FRC_KFA_NAME_SFX: case FRC_KFA_NAME_SUB:
	case FRC_KFA_RAW_PFX: case FRC_KFA_RAW_SFX: case FRC_KFA_RAW_SUB: {
		bool raw = a->kind >= FRC_KFA_RAW_PFX;
		bool known = plen && (raw ? !dslash && (!noncanon || p->raw_rel) : name_known);
		const char *s = raw ? v->path : name;
		if (!known)
			return true;
		if (a->kind == FRC_KFA_NAME_SUB || a->kind == FRC_KFA_RAW_SUB)
			return memmem(s, strlen(s), img->needle_bytes[a->arg],
				      img->needle_len[a->arg]) != NULL;
		return has_item(img, a->arg, s,
				a->kind == FRC_KFA_NAME_SFX || a->kind == FRC_KFA_RAW_SFX);
	}
	case FRC_KFA_FLAGS:
		return ((v->flags & (uint32_t)a->val) != 0) != a->neg;
	case FRC_KFA_RES: {
		bool r;
		switch (a->cmp) {
		case FRC_KF_EQ: r = v->res == a->val; break;
		case FRC_KF_NE: r = v->res != a->val; break;
		case FRC_KF_LT: r = v->res < a->val; break;
		case FRC_KF_LE: r = v->res <= a->val; break;
		case FRC_KF_GT: r = v->res > a->val; break;
		default: r = v->res >= a->val; break;
		}
		return r != a->neg;
	}
	case FRC_KFA_COMM:
		return v->renamed || has_item(img, a->arg, v->comm, false);
	default:
		return true;
	}
}

/* may the event pass the program of its code (the predicate only) */
static bool sim_pass(const struct kf_image *img, const struct kview *v)
{
	const struct frc_kf_prog *p = &img->progs[v->code];

	if (p->mode != FRC_KF_EVAL)
		return true;
	for (uint32_t c = 0; c < p->nclauses; c++) {
		bool all = true;
		for (uint32_t k = 0; k < p->c[c].n && all; k++)
			all = sim_atom(img, p, &p->c[c].a[k], v);
		if (all)
			return true;
	}
	return false;
}

/* ------------------------------------------------------------------ normalisation */

/* the probe's one-pass normalisation agrees with user space's state_concat_paths */
static void test_normalize(void **state)
{
	(void)state;
	static const char *const parts[] = { "/", "//", "/.", "/..", "/./", "/../", "a", "bc",
					     ".x", "..y", "...", ".", "..", "etc", "/etc/" };
	static const char *const fixed[] = { "/", "/..", "/../..", "/a/..", "/a/../", "/.", "/./",
					     "/a/./b/", "/a//b", "/usr/lib/../../etc/passwd",
					     "/a/b/c/../../../../d", "/..a/.b/...", "/a/.." };
	uint64_t seed = 0x4e4f;
	char in[1100], want[1100], got[FRC_KF_PATH_MAX + 1];
	uint32_t n = 0;

	for (uint32_t i = 0; i < 200000; i++) {
		if (i < sizeof(fixed) / sizeof(fixed[0])) {
			snprintf(in, sizeof(in), "%s", fixed[i]);
		} else {
			size_t l = 1;
			in[0] = '/';
			in[1] = 0;
			for (uint32_t k = fw_rand(&seed) % 12; k > 0 && l < 200; k--) {
				const char *p = parts[fw_rand(&seed) % (sizeof(parts) / sizeof(parts[0]))];
				snprintf(in + l, sizeof(in) - l, "%s", p);
				l = strlen(in);
			}
		}
		state_concat_paths(".", 1, in, strlen(in), want);
		if (!sim_normalize(in, got))
			continue;
		n++;
		if (strcmp(want, got))
			print_message("normalise '%s': user space '%s', probe '%s'\n", in, want, got);
		assert_string_equal(want, got);
	}
	assert_true(n > 190000);
}

/* ------------------------------------------------------------------ shapes */

static void test_shapes(void **state)
{
	(void)state;
	struct built b;

	build_text(&b,
		   "- rule: r1\n  desc: d\n  condition: evt.type = openat and fd.name startswith /etc/"
		   " and evt.is_open_write = true\n  output: o\n  priority: INFO\n"
		   "- rule: r2\n  desc: d\n  condition: evt.type = openat and not fd.name startswith"
		   " /tmp/\n  output: o\n  priority: INFO\n");
	/* r2 is a negated path test: not decidable, so openat passes */
	assert_int_equal(b.img->progs[PPME_SYSCALL_OPENAT_2_X].mode, FRC_KF_PASS);
	unbuild(&b);

	build_text(&b,
		   "- rule: r1\n  desc: d\n  condition: evt.type = openat and fd.name startswith /etc/"
		   " and evt.is_open_write = true\n  output: o\n  priority: INFO\n"
		   "- rule: r2\n  desc: d\n  condition: evt.type = openat and fd.filename in (a, b)"
		   " and evt.rawres >= 0\n  output: o\n  priority: INFO\n"
		   "- rule: r3\n  desc: d\n  condition: evt.type = ptrace and proc.name = gdb\n"
		   "  output: o\n  priority: INFO\n");
	const struct frc_kf_prog *p = &b.img->progs[PPME_SYSCALL_OPENAT_2_X];
	assert_int_equal(p->mode, FRC_KF_EVAL);
	assert_int_equal(p->state, FRC_KF_ST_OPEN);
	assert_int_equal(p->nclauses, 2);
	assert_int_equal(b.img->progs[PPME_SYSCALL_PTRACE_X].mode, FRC_KF_EVAL);
	assert_int_equal(b.img->progs[PPME_SYSCALL_PTRACE_X].c[0].a[0].kind, FRC_KFA_COMM);
	/* fcntl and the rlimit calls feed state for some commands/resources only */
	p = &b.img->progs[PPME_SYSCALL_FCNTL_X];
	assert_int_equal(p->state, FRC_KF_ST_COND);
	assert_int_equal(p->mode, FRC_KF_EVAL);
	assert_int_equal(p->nclauses, 0);
	assert_int_equal(p->state_p, 2);
	assert_true(p->state_mask == ((1ull << PPM_FCNTL_F_DUPFD) | (1ull << PPM_FCNTL_F_SETFD) |
				      (1ull << PPM_FCNTL_F_DUPFD_CLOEXEC)));
	assert_int_equal(b.img->progs[PPME_SYSCALL_PRLIMIT_X].state, FRC_KF_ST_COND);
	assert_int_equal(b.img->progs[PPME_SYSCALL_PRLIMIT_X].state_p, 6);
	assert_true(b.img->progs[PPME_SYSCALL_PRLIMIT_X].state_mask == 1ull << PPM_RLIMIT_NOFILE);
	p = &b.img->progs[PPME_SYSCALL_OPENAT_2_X];
	/* thread state events are never evaluated */
	assert_int_equal(b.img->progs[PPME_SYSCALL_EXECVE_19_X].mode, FRC_KF_PASS);
	assert_int_equal(b.img->progs[PPME_SYSCALL_CLONE_20_X].mode, FRC_KF_PASS);
	struct kview v = { .code = PPME_SYSCALL_OPENAT_2_X, .path = "/etc/passwd", .flags = 2 };
	assert_true(sim_pass(b.img, &v));
	v.flags = 1;
	assert_false(sim_pass(b.img, &v));
	v.path = "/usr/lib/b";
	assert_true(sim_pass(b.img, &v));	/* fd.filename = b */
	v.res = -2;
	assert_false(sim_pass(b.img, &v));
	v.res = 0;
	v.path = "lib/c";			/* relative: fd.name unknown */
	assert_true(sim_pass(b.img, &v));
	v.path = "/tmp/../etc/passwd";		/* not canonical: normalised */
	v.flags = 2;
	assert_true(sim_pass(b.img, &v));
	v.path = "/etc/../tmp/passwd";
	assert_false(sim_pass(b.img, &v));
	v.path = "/etc//passwd/";
	assert_true(sim_pass(b.img, &v));
	char *text = kf_image_text(b.img, NULL);
	assert_non_null(text);
	assert_non_null(strstr(text, "fd.name prefix"));
	assert_non_null(strstr(text, "\"/etc/\"*"));
	assert_non_null(strstr(text, "*\"/a\""));
	free(text);
	unbuild(&b);
}

/* ------------------------------------------------------------------ soundness */

/* rules written to stress the translation: negations, sets, globs, suffixes, mixes */
static const char *const stress_rules =
	"- list: kf_dirs\n  items: [/etc, /etc/ssh, /root/.ssh, /var/log]\n"
	"- macro: kf_open\n  condition: evt.type in (open, openat, openat2, creat)\n"
	"- rule: s1\n  desc: d\n  condition: kf_open and fd.directory in (kf_dirs) and not "
	"evt.is_open_read = true\n  output: o\n  priority: INFO\n"
	"- rule: s2\n  desc: d\n  condition: kf_open and (fd.name glob '/etc/*.conf' or fd.name "
	"pmatch (/usr/local/bin, /opt)) and evt.rawres in (3, 4, 5)\n  output: o\n  priority: INFO\n"
	"- rule: s3\n  desc: d\n  condition: kf_open and not (fd.name != /etc/shadow and fd.nameraw "
	"!= ../shadow)\n  output: o\n  priority: INFO\n"
	"- rule: s4\n  desc: d\n  condition: kf_open and (fd.filename endswith .pem or fd.name "
	"contains id_ and fd.name contains /.ssh/) and evt.res = SUCCESS\n  output: o\n  priority: INFO\n"
	"- rule: s5\n  desc: d\n  condition: kf_open and proc.name in (cat, frckfcat, "
	"averyveryverylongname) and evt.failed = true\n  output: o\n  priority: INFO\n"
	"- rule: s6\n  desc: d\n  condition: kf_open and fd.nameraw startswith sub/ and "
	"not evt.rawres < 0\n  output: o\n  priority: INFO\n"
	/* s7: more needles than the kernel holds, more clauses than it evaluates */
	"- rule: s7\n  desc: d\n  condition: kf_open and (fd.name = /a or fd.name = /b or fd.name = /c "
	"or fd.name startswith /d or fd.name endswith /e or fd.directory = /f or fd.filename = g or "
	"fd.name contains h1 or fd.name contains h2 or fd.name contains h3 or fd.name contains h4 or "
	"fd.name contains h5 or fd.name contains h6) and (evt.is_open_write = true or "
	"evt.rawres = 7 or proc.name = x)\n  output: o\n  priority: INFO\n"
	"- rule: s8\n  desc: d\n  condition: kf_open and fd.name in (/etc/a, /etc/b) and not "
	"proc.name in (cat) and not fd.name startswith /etc/b\n  output: o\n  priority: INFO\n"
	"- rule: s9\n  desc: d\n  condition: kf_open and (evt.arg.flags contains O_CREAT or "
	"evt.arg.flags contains \"TRUNC\") and fd.directory = /etc\n  output: o\n  priority: INFO\n";

struct vocab {
	const char *s[512];
	uint32_t n;
};

static void vadd(struct vocab *v, const char *s)
{
	for (uint32_t i = 0; i < v->n; i++)
		if (!strcmp(v->s[i], s))
			return;
	if (v->n < 512)
		v->s[v->n++] = s;
}

/* string constants of path and comm tests */
static void harvest(struct vocab *paths, struct vocab *comms, const struct ast *n)
{
	switch (n->kind) {
	case AST_AND: case AST_OR:
		for (uint32_t i = 0; i < n->u.nary.n; i++)
			harvest(paths, comms, n->u.nary.items[i]);
		return;
	case AST_NOT:
		harvest(paths, comms, n->u.not_.child);
		return;
	case AST_CHECK: {
		const struct ast *l = n->u.check.lhs, *r = n->u.check.rhs;
		if (l->kind != AST_FIELD || !r)
			return;
		enum field_id f = l->u.field.id;
		struct vocab *v = f == FLD_PROC_NAME ? comms :
				  (f == FLD_FD_NAME || f == FLD_FD_NAMERAW || f == FLD_FD_DIRECTORY ||
				   f == FLD_FD_FILENAME) ? paths : NULL;
		if (!v)
			return;
		if (r->kind == AST_VALUE)
			vadd(v, r->u.value.str);
		else if (r->kind == AST_LIST)
			for (uint32_t i = 0; i < r->u.nary.n; i++)
				if (r->u.nary.items[i]->kind == AST_VALUE)
					vadd(v, r->u.nary.items[i]->u.value.str);
		return;
	}
	default:
		return;
	}
}

struct evbuf {
	struct fake_field f[32];
	char name[1100], raw[1100], dir[1100], file[1100], path[1100], comm[32], flagtxt[1024];
};

static void add_str(struct fake_evt *e, uint32_t field, const char *s)
{
	struct fake_field *f = &e->f[e->n++];
	memset(f, 0, sizeof(*f));
	f->field = field;
	f->arg_index = -1;
	f->v.s = (const frc_u8 *)s;
	f->v.len = (uint32_t)strlen(s);
}

static void add_num(struct fake_evt *e, uint32_t field, uint64_t u)
{
	struct fake_field *f = &e->f[e->n++];
	memset(f, 0, sizeof(*f));
	f->field = field;
	f->arg_index = -1;
	f->v.n.u = u;
}

/* a random path from @v, mutated the ways paths reach the probe */
static void random_path(uint64_t *seed, const struct vocab *v, char *out, size_t size)
{
	static const char *const junk[] = { "/etc/passwd", "/usr/lib/x.so", "/tmp/a", "x", "",
					    "/", "/etc", "../etc/shadow", "sub/f" };
	const char *base = v->n && fw_rand(seed) % 4 ? v->s[fw_rand(seed) % v->n] :
			   junk[fw_rand(seed) % (sizeof(junk) / sizeof(junk[0]))];
	const char *suffix[] = { "", "", "/x", "x", "/y.pem", "/", "/../z", "/./q" };
	const char *prefix[] = { "", "", "", "/", "/tmp/..", "/x", "//", "." };
	char tmp[1100];
	snprintf(tmp, sizeof(tmp), "%s%s%s", prefix[fw_rand(seed) % 8], base,
		 suffix[fw_rand(seed) % 8]);
	/* sometimes strip the leading slash (relative), sometimes double a slash */
	const char *s = tmp;
	if (fw_rand(seed) % 8 == 0 && s[0] == '/')
		s++;
	snprintf(out, size, "%s", s);
	if (fw_rand(seed) % 16 == 0) {
		char *sl = strchr(out + 1, '/');
		if (sl && strlen(out) + 2 < size) {
			memmove(sl + 1, sl, strlen(sl) + 1);
		}
	}
}

/* the user-space fields of the kernel view @k (cwd chosen from the vocabulary) */
static void user_event(uint64_t *seed, const struct vocab *paths, const struct vocab *comms,
		       const struct kview *k, struct evbuf *b, struct fake_evt *e)
{
	e->f = b->f;
	e->n = 0;
	e->code = k->code;
	const struct evt_schema *s = evtab_schema(k->code);
	add_str(e, FLD_EVT_TYPE, s->name);
	add_str(e, FLD_EVT_DIR, "<");
	/* fd.name: the path against a cwd (relative) or itself, normalised like state.c */
	const char *cwd = paths->n && fw_rand(seed) % 2 ? paths->s[fw_rand(seed) % paths->n] : "/";
	if (k->path[0] == '/')
		state_concat_paths(".", 1, k->path, strlen(k->path), b->name);
	else {
		char c[1100];
		snprintf(c, sizeof(c), "%s%s", cwd, cwd[0] && cwd[strlen(cwd) - 1] == '/' ? "" : "/");
		state_concat_paths(c, strlen(c), k->path, strlen(k->path), b->name);
	}
	bool success = k->res >= 0, dir = success && (k->flags & PPM_O_DIRECTORY);
	add_str(e, FLD_FD_NAME, b->name);
	/* fd.nameraw: the argument without repeated slashes (open/creat failures: resolved) */
	bool openat = k->code == PPME_SYSCALL_OPENAT_2_X || k->code == PPME_SYSCALL_OPENAT2_X;
	if (openat || success) {
		size_t w = 0;
		for (size_t r = 0; k->path[r] && w + 1 < sizeof(b->raw); r++)
			if (!(k->path[r] == '/' && w && b->raw[w - 1] == '/'))
				b->raw[w++] = k->path[r];
		b->raw[w] = 0;
	} else {
		snprintf(b->raw, sizeof(b->raw), "%s", b->name);
	}
	add_str(e, FLD_FD_NAMERAW, b->raw);
	/* fd.directory / fd.filename as extract.c computes them */
	const char *nm = b->name, *sl = strrchr(nm, '/');
	size_t nl = strlen(nm);
	if (dir) {
		snprintf(b->dir, sizeof(b->dir), "%s", nm);
	} else if (sl && sl != nm) {
		size_t dl = (size_t)(sl - nm) < nl - 1 ? (size_t)(sl - nm) : nl;
		snprintf(b->dir, sizeof(b->dir), "%.*s", (int)dl, nm);
	} else {
		snprintf(b->dir, sizeof(b->dir), "/");
	}
	add_str(e, FLD_FD_DIRECTORY, b->dir);
	if (success && !dir) {
		if (sl)
			snprintf(b->file, sizeof(b->file), "%s", (size_t)(sl - nm) < nl - 1 ? sl + 1 : nm);
		else
			snprintf(b->file, sizeof(b->file), "/");
		add_str(e, FLD_FD_FILENAME, b->file);
	}
	bool flags_known = k->code != PPME_SYSCALL_CREAT_X;
	/* evt.arg.flags: the flags param rendered the way extract.c renders it */
	for (uint32_t i = 0; flags_known && i < s->nparams; i++) {
		if (strcmp(s->params[i].name, "flags"))
			continue;
		evtab_render_flags(s->params[i].type, s->params[i].flags, k->flags, b->flagtxt,
				   sizeof(b->flagtxt));
		add_str(e, FLD_EVT_ARG, b->flagtxt);
		e->f[e->n - 1].arg = "flags";
		e->f[e->n - 1].arg_len = 5;
	}
	add_num(e, FLD_EVT_IS_OPEN_READ, flags_known && (k->flags & PPM_O_RDONLY));
	add_num(e, FLD_EVT_IS_OPEN_WRITE, flags_known && (k->flags & PPM_O_WRONLY));
	add_num(e, FLD_EVT_RAWRES, (uint64_t)k->res);
	add_num(e, FLD_EVT_FAILED, k->res < 0);
	add_str(e, FLD_EVT_RES, k->res >= 0 ? "SUCCESS" : evtab_errno_name(-k->res));
	/* proc.name: the comm unless the task was renamed since user space learnt it */
	if (k->renamed && comms->n)
		snprintf(b->comm, sizeof(b->comm), "%.15s", comms->s[fw_rand(seed) % comms->n]);
	else
		snprintf(b->comm, sizeof(b->comm), "%s", k->comm);
	add_str(e, FLD_PROC_NAME, b->comm);
	add_num(e, FLD_EVT_NUM, 1 + fw_rand(seed) % 1000);
	/* fd.typechar, fd.num: what state.c and extract.c give (the kernel never decides
	 * them, so any consistent value is fine) */
	add_str(e, FLD_FD_TYPECHAR, success ? (dir ? "d" : "f") :
				     (k->code == PPME_SYSCALL_OPEN_X ? "o" : "f"));
	add_num(e, FLD_FD_NUM, (uint64_t)(success ? k->res : -1));
}

static void soundness(const struct built *b, uint32_t nevents, double min_drop)
{
	static struct vocab paths, comms;
	static const uint16_t codes[] = { PPME_SYSCALL_OPEN_X, PPME_SYSCALL_OPENAT_2_X,
					  PPME_SYSCALL_OPENAT2_X, PPME_SYSCALL_CREAT_X };
	static const int64_t results[] = { -2, -13, -20, 0, 3, 4, 5, 7, 100 };
	uint64_t seed = 0x6b66, unmatched = 0, dropped = 0, matched = 0;

	memset(&paths, 0, sizeof(paths));
	memset(&comms, 0, sizeof(comms));
	for (uint32_t r = 0; r < b->rules.nrules; r++)
		harvest(&paths, &comms, b->rules.rules[r].cond);
	for (uint32_t i = 0; i < nevents; i++) {
		struct kview k = { .code = codes[fw_rand(&seed) % 4] };
		struct evbuf eb;
		struct fake_evt e;
		random_path(&seed, &paths, eb.path, sizeof(eb.path));
		k.path = eb.path;
		k.flags = (uint32_t)(fw_rand(&seed) % 4) | (fw_rand(&seed) % 4 ? 0 : PPM_O_DIRECTORY) |
			  (fw_rand(&seed) % 4 ? 0 : PPM_O_CREAT) |
			  (fw_rand(&seed) % 4 ? 0 : 0x100u /* O_TRUNC */);
		k.res = results[fw_rand(&seed) % 9];
		const char *c = comms.n && fw_rand(&seed) % 2 ? comms.s[fw_rand(&seed) % comms.n] :
				"bash";
		snprintf(k.comm, sizeof(k.comm), "%.15s", c);
		k.renamed = fw_rand(&seed) % 8 == 0;
		user_event(&seed, &paths, &comms, &k, &eb, &e);
		bool any = false;
		for (uint32_t r = 0; r < b->rules.nrules && !any; r++) {
			const struct frc_rule *rule = &b->rules.rules[r];
			any = rule->enabled && frc_evtset_has(&rule->evttypes, k.code) &&
			      ref_eval(rule->cond, fake_ref_get, &e);
		}
		bool pass = sim_pass(b->img, &k);
		if (any) {
			matched++;
			if (!pass)
				print_message("dropped a match: code %u path '%s' flags %x res %lld comm "
					      "'%s'%s fd.name '%s'\n", k.code, k.path, k.flags,
					      (long long)k.res, k.comm, k.renamed ? " (renamed)" : "",
					      eb.name);
			assert_true(pass);
		} else {
			unmatched++;
			dropped += !pass;
		}
	}
	print_message("%llu events matched a rule (all passed), %llu of %llu others dropped\n",
		      (unsigned long long)matched, (unsigned long long)dropped,
		      (unsigned long long)unmatched);
	assert_true(matched > nevents / 1000);
	assert_true(dropped >= (uint64_t)(min_drop * (double)unmatched));
}

static void test_sound_stress(void **state)
{
	(void)state;
	struct built b;
	char *selective = strdup(stress_rules);
	char *s7 = strstr(selective, "- rule: s7"), *s8 = strstr(selective, "- rule: s8");

	/* all rules: sound, whatever weakening did */
	build_text(&b, stress_rules);
	soundness(&b, 200000, 0.0);
	unbuild(&b);
	/* without s7 the filter must also be selective */
	memmove(s7, s8, strlen(s8) + 1);
	build_text(&b, selective);
	soundness(&b, 200000, 0.1);
	unbuild(&b);
	free(selective);
}

static void test_sound_upstream(void **state)
{
	(void)state;
	static const char *const files[] = {
		"../shared/compat/rules/falco_rules.yaml",
		"../shared/compat/rules/falco-incubating_rules.yaml",
		"../shared/compat/rules/falco-sandbox_rules.yaml",
	};
	struct loader_input in[3];
	char *data[3] = { NULL, NULL, NULL };

	for (int i = 0; i < 3; i++) {
		FILE *f = fopen(files[i], "rb");
		if (!f) {
			for (int k = 0; k < i; k++)
				free(data[k]);
			print_message("../shared not found: upstream soundness test skipped\n");
			skip();
		}
		fseek(f, 0, SEEK_END);
		long n = ftell(f);
		fseek(f, 0, SEEK_SET);
		data[i] = malloc((size_t)n + 1);
		assert_int_equal(fread(data[i], 1, (size_t)n, f), (size_t)n);
		data[i][n] = 0;
		fclose(f);
		in[i] = (struct loader_input){ files[i], data[i], (size_t)n };
	}
	struct built b;
	/* the default ruleset, then everything (incubating and sandbox rules read more fields) */
	build(&b, in, 1);
	soundness(&b, 200000, 0.3);
	unbuild(&b);
	build(&b, in, 3);
	soundness(&b, 200000, 0.0);
	unbuild(&b);
	for (int i = 0; i < 3; i++)
		free(data[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_normalize),
		cmocka_unit_test(test_shapes),
		cmocka_unit_test(test_sound_stress),
		cmocka_unit_test(test_sound_upstream),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
