/* SPDX-License-Identifier: Apache-2.0
 *
 * Back-end tests: the escaper, IR normalisation, emitted-code shape and determinism, the
 * semantics of compiled rules on hand-picked events (absent values, quantifiers, sets,
 * globs, pmatch, regex, transformers), rule selection and rule_matching, and a
 * differential property test: random conditions over random events through the libtcc
 * JIT (optimised and -O0), the gcc AOT build and the reference evaluator, which must all
 * agree on every rule.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <sys/mman.h>

#include "ast_build.h"
#include "cstr.h"
#include "emit_c.h"
#include "fake_world.h"
#include "ir.h"
#include "loader.h"
#include "lower.h"
#include "evtab.h"
#include "opt.h"
#include "ref_eval.h"
#include "rt_helpers.h"
#include "ruleset.h"

/* ------------------------------------------------------------------ field provider */

/* the ruleset whose slots frc_field() resolves (tests evaluate one at a time) */
static const struct frc_field_ref *g_slots;
static uint32_t g_nslots;

const struct frc_val *frc_field(struct frc_evt *e, frc_u32 slot)
{
	const struct fake_evt *fe = (const void *)e;
	if (slot >= g_nslots)
		return NULL;
	const struct frc_field_ref *r = &g_slots[slot];
	return fake_get(fe, r->field, r->arg, r->arg_len, r->arg_index);
}

static void bind(struct ruleset *rs)
{
	g_slots = ruleset_fields(rs, &g_nslots);
}

struct matches {
	uint32_t n;
	uint32_t ids[4096];
};

static void collect(void *ctx, uint32_t id)
{
	struct matches *m = ctx;
	if (m->n < 4096)
		m->ids[m->n++] = id;
}

static uint32_t eval(struct ruleset *rs, const struct fake_evt *ev, struct matches *m)
{
	bind(rs);
	m->n = 0;
	return ruleset_eval(rs, (struct frc_evt *)(uintptr_t)ev, ev->code, collect, m);
}

/* ------------------------------------------------------------------ cstr */

static void test_cstr_escape(void **state)
{
	(void)state;
	char out[4 * 256 + 1];
	unsigned char all[256];
	for (int i = 0; i < 256; i++)
		all[i] = (unsigned char)i;
	size_t n = cstr_escape(out, all, 256);
	assert_int_equal(n, strlen(out));
	/* only printable ASCII; no '?' (trigraphs), no hex escapes */
	for (size_t i = 0; i < n; i++) {
		assert_true(out[i] >= 0x20 && out[i] <= 0x7e);
		assert_true(out[i] != '?');
	}
	assert_null(strstr(out, "\\x"));
	cstr_escape(out, "a?\?/\"\\\n\x01" "9", 9);
	assert_string_equal(out, "a\\077\\077/\\\"\\\\\\012\\0019");
	struct cw w;
	cw_init(&w);
	cstr_comment(&w, "*/ evil \\\n?\?/", 13, 64);
	assert_null(strchr(w.buf, '*'));
	assert_null(strchr(w.buf, '\\'));
	assert_null(strchr(w.buf, '?'));
	assert_null(strchr(w.buf, '\n'));
	cw_fini(&w);
	/* long literals are split into chunks */
	char big[200];
	memset(big, 'a', sizeof(big));
	cw_init(&w);
	cstr_emit_lit(&w, big, sizeof(big));
	size_t quotes = 0;
	for (size_t i = 0; i < w.len; i++)
		quotes += w.buf[i] == '"';
	assert_int_equal(quotes, 8); /* 4 chunks of <= 64 bytes */
	cw_fini(&w);
}

/* ------------------------------------------------------------------ IR */

static void test_ir_normalise(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	struct ir ir;
	ir_init(&ir);
	struct ast *c1 = ab_cmp(&a, "proc.name", NULL, OP_EQ, "bash");
	struct ast *c2 = ab_cmp(&a, "fd.name", NULL, OP_STARTSWITH, "/etc");
	struct ab_rules rb;
	ab_rules_init(&rb, &a);
	struct ast *k[3] = { c1, c2, c1 };
	ab_rule(&rb, "dup", ab_and(&a, k, 3));
	struct ast *k2[2] = { c2, c1 };
	ab_rule(&rb, "swapped", ab_and(&a, k2, 2));
	struct ast *k3[2] = { c1, ab_not(&a, c1) };
	ab_rule(&rb, "contradiction", ab_and(&a, k3, 2));
	ab_rule(&rb, "never", ab_cmp(&a, "evt.num", NULL, OP_EQ, "0"));
	struct ir_diag d = { 0 };
	ir.normalize = true;
	assert_int_equal(lower_rules(&ir, &rb.rules, &d), 0);
	struct opt_opts o = { .level = 1 };
	assert_int_equal(opt_run(&ir, &o, &d), 0);
	/* hash-consing: the same condition whatever the order and duplicates */
	assert_int_equal(ir.rules[0].root, ir.rules[1].root);
	assert_int_equal(ir.nodes[ir.rules[0].root].nkids, 2);
	assert_int_equal(ir.nodes[ir.rules[2].root].kind, IR_FALSE);
	assert_int_equal(ir.nodes[ir.rules[3].root].kind, IR_FALSE);
	char *dump = ir_dump(&ir);
	assert_non_null(strstr(dump, "\"bash\""));
	free(dump);
	ir_fini(&ir);
	arena_free_all(&a);
}

/* or-factoring, absorption, and and-children ordered by cost over the chance to decide */
static void test_ir_factor_order(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	struct ab_rules rb;
	ab_rules_init(&rb, &a);
	struct ast *k = ab_cmp(&a, "proc.name", NULL, OP_IN, "bash,sh");
	struct ast *x = ab_cmp(&a, "fd.name", NULL, OP_STARTSWITH, "/etc");
	struct ast *y = ab_cmp(&a, "fd.name", NULL, OP_STARTSWITH, "/usr");
	struct ast *kx[2] = { k, x }, *yk[2] = { y, k };
	struct ast *o1[2] = { ab_and(&a, kx, 2), ab_and(&a, yk, 2) };
	ab_rule(&rb, "factor", ab_or(&a, o1, 2));
	struct ast *o2[2] = { ab_and(&a, kx, 2), k };
	ab_rule(&rb, "absorb", ab_or(&a, o2, 2));
	struct ast *n[2] = { ab_not(&a, ab_cmp(&a, "user.name", NULL, OP_EQ, "root")), k };
	ab_rule(&rb, "order", ab_and(&a, n, 2));
	struct ir ir;
	ir_init(&ir);
	struct ir_diag d = { 0 };
	assert_int_equal(lower_rules(&ir, &rb.rules, &d), 0);
	struct opt_opts o = { .level = 1 };
	assert_int_equal(opt_run(&ir, &o, &d), 0);
	/* (k and x) or (y and k)  ->  k and (x or y) */
	const struct ir_node *r0 = &ir.nodes[ir.rules[0].root];
	assert_int_equal(r0->kind, IR_AND);
	assert_int_equal(r0->nkids, 2);
	uint32_t kid0 = ir_kids(&ir, ir.rules[0].root)[0], kid1 = ir_kids(&ir, ir.rules[0].root)[1];
	uint32_t or_kid = ir.nodes[kid0].kind == IR_OR ? kid0 : kid1;
	uint32_t k_id = or_kid == kid0 ? kid1 : kid0;
	assert_int_equal(ir.nodes[or_kid].kind, IR_OR);
	assert_int_equal(ir.nodes[or_kid].nkids, 2);
	assert_int_equal(ir.nodes[k_id].kind, IR_TEST);
	assert_int_equal(ir.nodes[k_id].op, OP_IN);
	/* k or (k and x)  ->  k */
	assert_int_equal(ir.rules[1].root, k_id);
	/* the selective `in` first, the negated (usually true) equality after it */
	const struct ir_node *r2 = &ir.nodes[ir.rules[2].root];
	assert_int_equal(r2->kind, IR_AND);
	assert_int_equal(r2->nkids, 2);
	assert_int_equal(ir_kids(&ir, ir.rules[2].root)[0], k_id);
	assert_int_equal(ir.nodes[ir_kids(&ir, ir.rules[2].root)[1]].kind, IR_NOT);
	ir_fini(&ir);
	arena_free_all(&a);
}

/* evt.type tests are decided per event code; rules that cannot match leave the group */
static void test_evttype_specialisation(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	struct ab_rules rb;
	ab_rules_init(&rb, &a);
	struct ast *k[2];
	k[0] = ab_cmp(&a, "evt.type", NULL, OP_IN, "open,openat");
	k[1] = ab_cmp(&a, "proc.name", NULL, OP_EQ, "cat");
	struct frc_rule *r = ab_rule(&rb, "opens", ab_and(&a, k, 2));
	ab_evttypes(r->cond, &r->evttypes, fw_name_codes);
	assert_false(r->evttypes.all);
	struct ir ir;
	ir_init(&ir);
	struct ir_diag d = { 0 };
	assert_int_equal(lower_rules(&ir, &rb.rules, &d), 0);
	struct opt_opts o = { .level = 1, .evt = &fw_evtinfo };
	assert_int_equal(opt_run(&ir, &o, &d), 0);
	/* open is code 2/3: the group's condition is just proc.name = cat */
	uint32_t g = ir.code_group[3];
	assert_true(g != 0);
	uint32_t root = ir.groups[g - 1].roots[0];
	assert_int_equal(ir.nodes[root].kind, IR_TEST);
	assert_int_equal(ir.code_group[6], 0); /* execve: no rule */
	assert_int_equal(ir.code_group[2], ir.code_group[5]); /* open and openat share */
	ir_fini(&ir);
	arena_free_all(&a);
}

/* ------------------------------------------------------------------ semantics */

struct fixture {
	struct arena a;
	struct ab_rules rb;
};

static struct fake_field *ev_add(struct fake_evt *e, const char *name, const char *arg)
{
	struct ast *f;
	struct arena tmp;
	arena_init(&tmp);
	f = ab_field(&tmp, name, arg);
	struct fake_field *x = &e->f[e->n++];
	memset(x, 0, sizeof(*x));
	x->field = f->u.field.id;
	x->arg = arg;
	x->arg_len = arg ? (uint32_t)strlen(arg) : 0;
	x->arg_index = f->u.field.arg ? f->u.field.arg_index : -1;
	arena_free_all(&tmp);
	return x;
}

static void ev_str(struct fake_evt *e, const char *name, const char *arg, const char *v)
{
	struct fake_field *f = ev_add(e, name, arg);
	f->v.s = (const frc_u8 *)v;
	f->v.len = (uint32_t)strlen(v);
}

/* one rule per condition; returns a bitmask of the rules that match @ev, checked against
 * the reference evaluator and the -O0 build */
static uint64_t run_rules(struct ab_rules *rb, const struct fake_evt *ev)
{
	struct ruleset_opts o = { .evt = &fw_evtinfo }, o0 = { .no_opt = true };
	struct ruleset *rs = ruleset_jit(&rb->rules, &o), *r0 = ruleset_jit(&rb->rules, &o0);
	assert_non_null(rs);
	assert_non_null(r0);
	ruleset_set_matching(rs, RULESET_MATCH_ALL);
	ruleset_set_matching(r0, RULESET_MATCH_ALL);
	struct matches m, m0;
	eval(rs, ev, &m);
	eval(r0, ev, &m0);
	uint64_t mask = 0, mask0 = 0, ref = 0;
	for (uint32_t i = 0; i < m.n; i++)
		mask |= 1ull << m.ids[i];
	for (uint32_t i = 0; i < m0.n; i++)
		mask0 |= 1ull << m0.ids[i];
	for (uint32_t i = 0; i < rb->rules.nrules; i++)
		if (ref_eval(rb->rules.rules[i].cond, fake_ref_get, (void *)ev))
			ref |= 1ull << i;
	assert_int_equal(mask, ref);
	assert_int_equal(mask0, ref);
	ruleset_free(rs);
	ruleset_free(r0);
	return mask;
}

static void test_absent_semantics(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	struct ab_rules rb;
	ab_rules_init(&rb, &a);
	ab_rule(&rb, "ne-absent", ab_cmp(&a, "proc.pname", NULL, OP_NE, "bash"));	/* 0 */
	ab_rule(&rb, "not-eq-absent", ab_not(&a, ab_cmp(&a, "proc.pname", NULL, OP_EQ, "bash")));
	ab_rule(&rb, "exists", ab_cmp(&a, "proc.pname", NULL, OP_EXISTS, NULL));	/* 2 */
	ab_rule(&rb, "not-exists", ab_not(&a, ab_cmp(&a, "proc.pname", NULL, OP_EXISTS, NULL)));
	ab_rule(&rb, "in-absent", ab_cmp(&a, "proc.pname", NULL, OP_IN, "a,b"));	/* 4 */
	ab_rule(&rb, "lt-absent", ab_cmp(&a, "proc.pid", NULL, OP_LT, "100"));
	ab_rule(&rb, "present", ab_cmp(&a, "proc.name", NULL, OP_NE, "bash"));	/* 6 */
	struct fake_field ff[8];
	struct fake_evt ev = { 2, ff, 0 };
	ev_str(&ev, "evt.type", NULL, "open");
	ev_str(&ev, "proc.name", NULL, "cat");
	assert_int_equal(run_rules(&rb, &ev), (1u << 1) | (1u << 3) | (1u << 6));
	arena_free_all(&a);
}

static void test_quantifiers(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	struct ab_rules rb;
	ab_rules_init(&rb, &a);
	ab_rule(&rb, "aname=sshd", ab_cmp(&a, "proc.aname", NULL, OP_EQ, "sshd"));	/* 0 */
	ab_rule(&rb, "aname!=sshd", ab_cmp(&a, "proc.aname", NULL, OP_NE, "sshd"));	/* 1 */
	ab_rule(&rb, "aname!=curl", ab_cmp(&a, "proc.aname", NULL, OP_NE, "curl"));	/* 2 */
	ab_rule(&rb, "fd.ip=", ab_cmp(&a, "fd.ip", NULL, OP_EQ, "10.0.0.1"));		/* 3 */
	ab_rule(&rb, "fd.ip!= one end", ab_cmp(&a, "fd.ip", NULL, OP_NE, "10.0.0.1"));	/* 4 */
	ab_rule(&rb, "fd.ip!= neither", ab_cmp(&a, "fd.ip", NULL, OP_NE, "10.9.9.9"));	/* 5 */
	ab_rule(&rb, "fd.net", ab_cmp(&a, "fd.net", NULL, OP_EQ, "192.168.0.0/16"));	/* 6 */
	ab_rule(&rb, "fd.net!=v6", ab_cmp(&a, "fd.net", NULL, OP_NE, "2001:db8::/32"));	/* 7 */
	ab_rule(&rb, "types in", ab_cmp(&a, "fd.types", NULL, OP_IN, "file,ipv4"));	/* 8 */
	ab_rule(&rb, "types in 2", ab_cmp(&a, "fd.types", NULL, OP_IN, "file,pipe"));	/* 9 */
	ab_rule(&rb, "types intersects", ab_cmp(&a, "fd.types", NULL, OP_INTERSECTS,
						  "pipe,ipv4"));			/* 10 */
	struct fake_field ff[8];
	struct fake_evt ev = { 8, ff, 0 };
	ev_str(&ev, "evt.type", NULL, "connect");
	struct frc_val anc[3], ends[2], types[2];
	memset(anc, 0, sizeof(anc));
	memset(ends, 0, sizeof(ends));
	memset(types, 0, sizeof(types));
	const char *an[] = { "bash", "sshd", "curl" };
	for (int i = 0; i < 3; i++) {
		anc[i].s = (const frc_u8 *)an[i];
		anc[i].len = (uint32_t)strlen(an[i]);
	}
	struct fake_field *f = ev_add(&ev, "proc.aname", NULL);
	f->v.multi = 1;
	f->v.items = anc;
	f->v.nitems = 3;
	ends[0].family = ends[1].family = 4;
	memcpy(ends[0].ip, "\x0a\x00\x00\x01", 4);
	memcpy(ends[1].ip, "\xc0\xa8\x01\x05", 4);
	f = ev_add(&ev, "fd.ip", NULL);
	f->v.multi = 1;
	f->v.items = ends;
	f->v.nitems = 2;
	f = ev_add(&ev, "fd.net", NULL);
	f->v = ev.f[ev.n - 2].v;
	types[0].s = (const frc_u8 *)"file";
	types[0].len = 4;
	types[1].s = (const frc_u8 *)"ipv4";
	types[1].len = 4;
	f = ev_add(&ev, "fd.types", NULL);
	f->v.multi = 1;
	f->v.items = types;
	f->v.nitems = 2;
	uint64_t want = 1u << 0 | 1u << 1 | 1u << 2 | 1u << 3 | 1u << 5 | 1u << 6 | 1u << 7 |
			1u << 8 | 1u << 10;
	assert_int_equal(run_rules(&rb, &ev), want);
	arena_free_all(&a);
}

static void test_string_ops(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	struct ab_rules rb;
	ab_rules_init(&rb, &a);
	ab_rule(&rb, "pmatch", ab_cmp(&a, "fd.name", NULL, OP_PMATCH, "/var/run,/etc/x"));	/* 0 */
	ab_rule(&rb, "pmatch-prefix-only", ab_cmp(&a, "fd.name", NULL, OP_PMATCH, "/var/runx"));
	ab_rule(&rb, "pmatch-glob", ab_cmp(&a, "fd.name", NULL, OP_PMATCH, "/var/*/docker.sock"));
	ab_rule(&rb, "pmatch-root", ab_cmp(&a, "fd.name", NULL, OP_PMATCH, "/"));		/* 3 */
	ab_rule(&rb, "glob", ab_cmp(&a, "fd.name", NULL, OP_GLOB, "*docker*"));		/* 4 */
	ab_rule(&rb, "glob-slash", ab_cmp(&a, "fd.name", NULL, OP_GLOB, "/var*sock"));
	ab_rule(&rb, "iglob", ab_cmp(&a, "fd.name", NULL, OP_IGLOB, "/VAR/RUN/*"));		/* 6 */
	ab_rule(&rb, "regex", ab_cmp(&a, "fd.name", NULL, OP_REGEX, "/var/.*\\.sock"));	/* 7 */
	ab_rule(&rb, "regex-anchored", ab_cmp(&a, "fd.name", NULL, OP_REGEX, "docker"));	/* 8 */
	ab_rule(&rb, "icontains", ab_cmp(&a, "fd.name", NULL, OP_ICONTAINS, "DOCKER"));	/* 9 */
	ab_rule(&rb, "endswith", ab_cmp(&a, "fd.name", NULL, OP_ENDSWITH, ".sock"));		/* 10 */
	ab_rule(&rb, "lt", ab_cmp(&a, "fd.name", NULL, OP_LT, "/w"));				/* 11 */
	ab_rule(&rb, "bcontains", ab_cmp(&a, "evt.buffer", NULL, OP_BCONTAINS, "cafebabe"));	/* 12 */
	ab_rule(&rb, "bstartswith", ab_cmp(&a, "evt.buffer", NULL, OP_BSTARTSWITH, "00ca"));	/* 13 */
	struct ast *f = ab_field(&a, "fd.name", NULL);
	struct ast *bn = ab_xform(&a, XF_BASENAME, &f, 1, NULL);
	ab_rule(&rb, "basename", ab_check(&a, bn, OP_EQ, ab_value(&a, bn, "docker.sock", 11)));
	struct ast *pf = ab_field(&a, "proc.name", NULL);
	struct ast *lo = ab_xform(&a, XF_TOUPPER, &pf, 1, NULL);
	ab_rule(&rb, "toupper", ab_check(&a, lo, OP_EQ, ab_value(&a, lo, "RUNC", 4)));		/* 15 */
	struct ast *ln = ab_xform(&a, XF_LEN, &pf, 1, NULL);
	ab_rule(&rb, "len", ab_check(&a, ln, OP_EQ, ab_value(&a, ln, "4", 1)));		/* 16 */
	ab_rule(&rb, "field-rhs", ab_check_field(&a, ab_field(&a, "proc.name", NULL), OP_EQ,
						  ab_field(&a, "proc.pname", NULL)));		/* 17 */
	struct fake_field ff[8];
	struct fake_evt ev = { 8, ff, 0 };
	ev_str(&ev, "evt.type", NULL, "connect");
	ev_str(&ev, "fd.name", NULL, "/var/run/docker.sock");
	ev_str(&ev, "proc.name", NULL, "runc");
	ev_str(&ev, "proc.pname", NULL, "runc");
	struct fake_field *b = ev_add(&ev, "evt.buffer", NULL);
	b->v.s = (const frc_u8 *)"\x00\xca\xfe\xba\xbe";
	b->v.len = 5;
	uint64_t want = 1u << 0 | 1u << 2 | 1u << 3 | 1u << 4 | 1u << 5 | 1u << 6 | 1u << 7 |
			1u << 9 | 1u << 10 | 1u << 11 | 1u << 12 | 1u << 13 | 1u << 14 | 1u << 15 |
			1u << 16 | 1u << 17;
	assert_int_equal(run_rules(&rb, &ev), want);
	arena_free_all(&a);
}

/*
 * contains (block search of 16 positions, and one block that may read past the value but
 * not past its page) and `in` (hash cached in the value) against plain searches: every
 * needle position in values of every length, values ending at a page followed by an
 * unmapped one, and a value looked up in many sets after its hash is cached.
 */
static void test_contains_and_sets(void **state)
{
	(void)state;
	long pg = 4096;
	uint8_t *map = mmap(NULL, (size_t)pg * 2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			    -1, 0);
	assert_true(map != MAP_FAILED);
	assert_int_equal(mprotect(map + pg, (size_t)pg, PROT_NONE), 0);
	static const char needles[][72] = { "a", "ab", "abc", "abcd", "abcdefgh", "abcdefghijk",
					    "abcdefghijklmnopq", "aab", "ba",
					    "abababababababababababababababab",
					    "aabababababababababababababababababababababababababababababababb",
					    "aabababababababababababababababababababababababababababababababab" };
	uint8_t buf[200];
	for (uint32_t len = 0; len < 150; len++) {
		for (size_t k = 0; k < sizeof(needles) / sizeof(needles[0]); k++) {
			const char *nd = needles[k];
			uint32_t n = (uint32_t)strlen(nd);
			for (uint32_t pos = 0; pos <= len + 1; pos++) {
				for (int where = 0; where < 2; where++) {
					/* a value of 'a'/'b' noise with the needle at @pos (when
					   it fits), inline or ending at the unmapped page */
					uint8_t *h = where ? map + pg - len - 1 : buf;
					for (uint32_t i = 0; i < len; i++)
						h[i] = (uint8_t)("ab"[(i * 7 + k) % 3 == 0]);
					if (pos + n <= len)
						memcpy(h + pos, nd, n);
					h[len] = 0;
					struct frc_val v;
					memset(&v, 0, sizeof(v));
					v.s = h;
					v.len = len;
					bool want = len >= n && memmem(h, len, nd, n) != NULL;
					assert_int_equal(frc_s_contains(&v, FRC_Q_ANY, (const frc_u8 *)nd, n),
							 want);
				}
			}
		}
	}
	munmap(map, (size_t)pg * 2);

	/* sets: one value (its hash cached after the first lookup) in sets of 0..40 items */
	static const char *const words[] = { "bash", "sh", "zsh", "python3", "node", "sshd", "runc",
					     "containerd", "dockerd", "kubelet", "curl", "wget", "nc",
					     "ncat", "socat", "perl", "ruby", "php", "java", "go" };
	for (uint32_t nw = 0; nw <= 20; nw++) {
		uint8_t blob[512];
		frc_u32 off[21], o = 0;
		frc_u64 lenmask = 0, buckets[64];
		frc_u32 minlen = nw ? UINT32_MAX : 0, maxlen = 0, mask = nw > 1 ? 63 : 0;
		memset(buckets, 0, sizeof(buckets));
		for (uint32_t i = 0; i < nw; i++) {
			frc_u32 l = (frc_u32)strlen(words[i]);
			off[i] = o;
			memcpy(blob + o, words[i], l + 1);
			o += l + 1;
			lenmask |= 1ull << (l & 63);
			minlen = l < minlen ? l : minlen;
			maxlen = l > maxlen ? l : maxlen;
			if (mask) {
				frc_u32 hh = rt_helpers_set_hash(words[i], l), b = hh & mask;
				while (buckets[b])
					b = (b + 1) & mask;
				buckets[b] = (frc_u64)hh << 32 | (i + 1);
			}
		}
		off[nw] = o;
		struct frc_strset set = { .n = nw, .mask = mask, .minlen = minlen, .maxlen = maxlen,
					  .lenmask = lenmask, .blob = blob, .off = off,
					  .buckets = buckets };
		for (uint32_t w = 0; w < 20; w++) {
			struct frc_val v;
			memset(&v, 0, sizeof(v));
			v.s = (const frc_u8 *)words[w];
			v.len = (uint32_t)strlen(words[w]);
			for (int again = 0; again < 2; again++)
				assert_int_equal(frc_s_in(&v, FRC_Q_ANY, &set), w < nw);
		}
	}
}

/* lower() of every byte of @s equals the lower-case @nd somewhere (the oracle of icontains) */
static bool icontains_naive(const uint8_t *s, uint32_t len, const uint8_t *nd, uint32_t n)
{
	for (uint32_t p = 0; p + n <= len; p++) {
		uint32_t j = 0;
		while (j < n && (s[p + j] >= 'A' && s[p + j] <= 'Z' ? s[p + j] + 32 : s[p + j]) == nd[j])
			j++;
		if (j == n)
			return true;
	}
	return false;
}

/*
 * frc_s_icontains against a byte-wise search: needles of 1 to 65 bytes (letters, digits and
 * the bytes that differ from a letter in bit 5 only: '@' '`' '[' '{' ...), values of mixed
 * case with the needle (or a near miss) at every position, inline or ending at an
 * unmapped page; run at every simd level by main().
 */
static void test_icontains(void **state)
{
	(void)state;
	long pg = 4096;
	uint8_t *map = mmap(NULL, (size_t)pg * 2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			    -1, 0);
	assert_true(map != MAP_FAILED);
	assert_int_equal(mprotect(map + pg, (size_t)pg, PROT_NONE), 0);
	static const char needles[][72] = { "a", "ab", "a@", "@a", "http_proxy", "x[y", "{abc}",
					    "abcdefghijklmnopq", "z`z", "0a9",
					    "abababababababababababababababababababababababababababababababab",
					    "aabababababababababababababababababababababababababababababababab" };
	static const uint8_t noise[] = { 'a', 'A', 'b', 'B', '@', '`', '[', '{', 'z', 'Z', 0xc1, 0xe1 };
	uint8_t buf[200];
	uint64_t seed = 0x1c0a7a1e5ull, hits = 0, tests = 0;
	for (uint32_t len = 0; len < 140; len++) {
		for (size_t k = 0; k < sizeof(needles) / sizeof(needles[0]); k++) {
			const uint8_t *nd = (const uint8_t *)needles[k];
			uint32_t n = (uint32_t)strlen(needles[k]);
			for (uint32_t pos = 0; pos <= len + 1; pos += 1 + (len > 70)) {
				uint8_t *h = pos % 2 ? map + pg - len - 1 : buf;
				for (uint32_t i = 0; i < len; i++)
					h[i] = noise[fw_rand(&seed) % sizeof(noise)];
				if (pos + n <= len) {
					for (uint32_t j = 0; j < n; j++) {
						uint8_t c = nd[j];
						if (c >= 'a' && c <= 'z' && fw_rand(&seed) % 2)
							c = (uint8_t)(c - 32);
						h[pos + j] = c;
					}
					if (fw_rand(&seed) % 3 == 0) /* a near miss: one byte off */
						h[pos + (uint32_t)(fw_rand(&seed) % n)] ^= 0x20;
				}
				h[len] = 0;
				struct frc_val v;
				memset(&v, 0, sizeof(v));
				v.s = h;
				v.len = len;
				bool want = icontains_naive(h, len, nd, n);
				if (frc_s_icontains(&v, FRC_Q_ANY, nd, n) != want)
					fail_msg("icontains \"%s\" in %u bytes, pos %u: %d", needles[k], len,
						 pos, !want);
				assert_int_equal(rt_helpers_icontains(h, len, nd, n), want);
				hits += want;
				tests++;
			}
		}
	}
	assert_true(hits > tests / 10 && hits < tests * 9 / 10);
	munmap(map, (size_t)pg * 2);
}

/* ------------------------------------------------------------------ merged string sets */

/*
 * A struct frc_strmap of @items: the emitter's table (@mask ~0u: rt_helpers_strmap_mask
 * and rt_helpers_strmap_put), or one of @mask + 1 slots filled here by the rule that
 * struct frc_strmap states (linear probing from the home slot hash & mask & ~1), after
 * @nfake decoys: copies of the slot of item @fake_item[i] that claim the hash of the value
 * @fake_val[i] (a collision: the value compares the decoy's item, and goes on when it
 * differs; the decoy's row is its item's, so rows stay right).
 */
struct strmap_buf {
	struct frc_strmap m;
	uint8_t blob[4096];
	frc_u32 off[256];
	uint8_t tags[256];
	struct frc_strent slots[256];
	uint32_t wrapped;	/* items placed before their home slot (the probe wrapped) */
	uint32_t far;		/* items placed 16 slots or more after their home slot */
};

static void strmap_slot_put(struct strmap_buf *b, uint32_t mask, const struct frc_strent *e,
			    uint32_t off)
{
	uint32_t home = e->hash & mask, k = home;
	while (b->slots[k].row) {
		k = (k + 1) & mask;
		assert_true(k != home);	/* a table with no empty slot left */
	}
	b->slots[k] = *e;
	b->tags[k] = rt_helpers_strmap_tag(e->hash);
	b->off[k] = off;
	b->wrapped += k < home;
	b->far += ((k - home) & mask) >= 16;
}

static void strmap_make(struct strmap_buf *b, const char *const *items, uint32_t n,
			const frc_u64 *rows, uint32_t mask, const char *const *fake_val,
			const uint32_t *fake_item, uint32_t nfake)
{
	uint32_t o = 0, minlen = UINT32_MAX, maxlen = 0, offs[128];
	frc_u64 lenmask = 0;
	struct frc_strent ents[128];
	bool emitter = mask == ~0u;
	if (emitter)
		mask = rt_helpers_strmap_mask(n);
	assert_true(n <= 128 && mask < 256 && (mask ? n <= mask : n <= 1));
	memset(b->slots, 0, sizeof(b->slots));
	memset(b->off, 0, sizeof(b->off));
	memset(b->tags, 0, sizeof(b->tags));
	b->wrapped = b->far = 0;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t l = (uint32_t)strlen(items[i]);
		memcpy(b->blob + o, items[i], l + 1);
		rt_helpers_strent(&ents[i], (const uint8_t *)items[i], l, rows[i]);
		assert_int_equal(ents[i].hash, rt_helpers_set_hash(items[i], l));
		offs[i] = o;
		o += l + 1;
		lenmask |= 1ull << (l & 63);
		minlen = l < minlen ? l : minlen;
		maxlen = l > maxlen ? l : maxlen;
	}
	/* the decoys first: a probe meets them before the real items */
	for (uint32_t f = 0; f < nfake; f++) {
		struct frc_strent d = ents[fake_item[f]];
		d.hash = rt_helpers_set_hash(fake_val[f], strlen(fake_val[f]));
		strmap_slot_put(b, mask, &d, offs[fake_item[f]]);
	}
	for (uint32_t i = 0; i < n; i++) {
		if (!emitter) {
			strmap_slot_put(b, mask, &ents[i], offs[i]);
			continue;
		}
		uint32_t k = rt_helpers_strmap_put(b->slots, b->tags, mask, &ents[i]);
		assert_memory_equal(&b->slots[k], &ents[i], sizeof(ents[i]));
		b->off[k] = offs[i];
	}
	b->m = (struct frc_strmap){ .n = n, .mask = mask, .minlen = n ? minlen : 0,
				    .maxlen = maxlen, .lenmask = lenmask, .blob = b->blob,
				    .off = b->off, .tags = b->tags, .slots = b->slots };
}

/* the row of @v by comparing it with every item */
static frc_u64 row_naive(const struct frc_val *v, const char *const *items, uint32_t n,
			 const frc_u64 *rows)
{
	frc_u64 r = 0;
	uint32_t ni = v->multi ? v->nitems : 1;
	for (uint32_t k = 0; k < ni; k++) {
		const struct frc_val *x = v->multi ? &v->items[k] : v;
		for (uint32_t i = 0; i < n; i++)
			if (strlen(items[i]) == x->len && !memcmp(items[i], x->s, x->len))
				r |= rows[i];
	}
	return r;
}

/*
 * frc_s_row against a comparison with every item: items of 0 to 40 bytes (at and around
 * the 16 bytes an entry holds), values equal to an item or one byte off (first, last,
 * 16th, 17th), shorter or longer, at the end of a page, single (hash cached or not) and
 * multi (0 to 4 items, of lengths outside the map's too); maps of 0, 1 (one slot, no
 * hash), 2 and many items as the emitter lays them out, a crowded table (one empty slot:
 * probe runs wrap around its end), and decoys in the probe runs of values (entries of the
 * same length and first 16 bytes as the value, whose tail differs).
 */
static void test_strmap_rows(void **state)
{
	(void)state;
	static const char *const items[] = {
		"", "a", "ab", "abc", "bash", "sshd", "python3", "abcdefg", "abcdefgh", "abcdefghi",
		"abcdefghijklmno", "abcdefghijklmnop", "abcdefghijklmnoq", "abcdefghijklmnopq",
		"abcdefghijklmnopr", "bbcdefghijklmnopq", "abcdefghijklmnopqrstuvwxyz012345",
		"abcdefghijklmnopqrstuvwxyz0123456789abcd", "containerd", "a-very-long-process-name-1",
	};
	enum { NI = sizeof(items) / sizeof(items[0]) };
	frc_u64 rows[NI];
	for (uint32_t i = 0; i < NI; i++)
		rows[i] = 1ull << (i % 7) | 1ull << (7 + i % 11) | (i == 5 ? 1ull << 63 : 0);
	/* values: the items, and variants */
	static char vals[NI * 8 + 8][48];
	uint32_t nv = 0;
	for (uint32_t i = 0; i < NI; i++) {
		size_t l = strlen(items[i]);
		snprintf(vals[nv++], 48, "%s", items[i]);
		snprintf(vals[nv++], 48, "%sx", items[i]);
		if (l) {
			snprintf(vals[nv++], 48, "%.*s", (int)l - 1, items[i]);
			snprintf(vals[nv], 48, "%s", items[i]);
			vals[nv++][0] ^= 1;
			snprintf(vals[nv], 48, "%s", items[i]);
			vals[nv++][l - 1] ^= 0x20;
		}
		if (l > 16) {
			snprintf(vals[nv], 48, "%s", items[i]);
			vals[nv++][15] ^= 2;
			snprintf(vals[nv], 48, "%s", items[i]);
			vals[nv++][16] ^= 2;
		}
	}
	snprintf(vals[nv++], 48, "%s", "abcdefghijklmnopqrstuvwxyz0123456789abcdefg");
	long pg = 4096;
	uint8_t *map = mmap(NULL, (size_t)pg * 2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			    -1, 0);
	assert_true(map != MAP_FAILED);
	assert_int_equal(mprotect(map + pg, (size_t)pg, PROT_NONE), 0);
	static struct strmap_buf sb;
	/* decoys: items that claim the hash of values not in the map (and of some that are),
	   of the same or another length, some of the same first 16 bytes */
	static const char *const fake_val[] = { "abcdefghijklmnoz", "bash", "abcdefghijklmnopz",
						"zzz", "abcdefghijklmnop", "abcdefghijklmnopr" };
	static const uint32_t fake_item[] = { 11, 5, 13, 3, 12, 13 };
	uint64_t seed = 0x5e7507ull;
	for (int layout = 0; layout < 7; layout++) {
		/* all items (the emitter's table); all with decoys; the long items only; one
		   item; none; two; the first 15 items in 16 slots (wrapping probe runs) */
		static const uint32_t lfirst[7] = { 0, 0, 13, 4, 0, 3, 0 };
		static const uint32_t ln[7] = { NI, NI, NI - 13, 1, 0, 2, 15 };
		static const uint32_t lmask[7] = { ~0u, 63, ~0u, ~0u, ~0u, ~0u, 15 };
		uint32_t first = lfirst[layout], n = ln[layout];
		for (;;) {
			strmap_make(&sb, items + first, n, rows + first, lmask[layout], fake_val,
				    fake_item, layout == 1 ? 6 : 0);
			if (layout != 6 || sb.wrapped)
				break;
			/* no run wrapped: the next 15 items (the hashes decide, once for all) */
			assert_true(++first + n <= NI);
		}
		if (layout == 3 || layout == 4)
			assert_int_equal(sb.m.mask, 0);
		for (uint32_t k = 0; k < nv; k++) {
			uint32_t len = (uint32_t)strlen(vals[k]);
			for (int where = 0; where < 2; where++) {
				/* at the end of a page: no byte past the value is readable */
				uint8_t *h = where ? map + pg - len : (uint8_t *)vals[k];
				if (where)
					memcpy(h, vals[k], len);
				struct frc_val v;
				memset(&v, 0, sizeof(v));
				v.s = h;
				v.len = len;
				frc_u64 want = row_naive(&v, items + first, n, rows + first);
				for (int again = 0; again < 2; again++) /* the hash cached */
					if (frc_s_row(&v, &sb.m) != want)
						fail_msg("layout %d value \"%s\": row %llx, want %llx",
							 layout, vals[k],
							 (unsigned long long)frc_s_row(&v, &sb.m),
							 (unsigned long long)want);
			}
		}
		/* multi values of random items and variants */
		for (int round = 0; round < 2000; round++) {
			struct frc_val it[4], v;
			memset(it, 0, sizeof(it));
			memset(&v, 0, sizeof(v));
			v.multi = 1;
			v.items = it;
			v.nitems = (uint32_t)(fw_rand(&seed) % 5);
			for (uint32_t i = 0; i < v.nitems; i++) {
				const char *x = vals[fw_rand(&seed) % nv];
				it[i].s = (const frc_u8 *)x;
				it[i].len = (uint32_t)strlen(x);
				if (fw_rand(&seed) % 4 == 0) {	/* cached before */
					it[i].hashed = 1;
					it[i].hash = rt_helpers_set_hash(x, it[i].len);
				}
			}
			frc_u64 want = row_naive(&v, items + first, n, rows + first);
			assert_true(frc_s_row(&v, &sb.m) == want);
			assert_true(frc_s_row(&v, &sb.m) == want);
		}
	}
	munmap(map, (size_t)pg * 2);
}

/* the set hash written out (two 8-byte loads, or two 4-, 2- or 1-byte ones, by length) */
static uint32_t set_hash_ref(const uint8_t *b, size_t n)
{
	uint64_t head = 0, tail = 0;
	if (n >= 8) {
		memcpy(&head, b, 8);
		memcpy(&tail, b + n - 8, 8);
	} else if (n >= 4) {
		uint32_t x, y;
		memcpy(&x, b, 4);
		memcpy(&y, b + n - 4, 4);
		head = tail = x | (uint64_t)y << 32;
	} else if (n >= 2) {
		uint16_t x, y;
		memcpy(&x, b, 2);
		memcpy(&y, b + n - 2, 2);
		head = tail = x | (uint64_t)y << 16;
	} else if (n == 1) {
		head = tail = b[0];
	}
	uint64_t h = ((head ^ n) * 0xff51afd7ed558ccdull) ^ (tail * 0x94d049bb133111ebull);
	return (uint32_t)(h ^ (h >> 32));
}

/*
 * Probes of every table size and crowding (struct frc_strmap): tables of 2 to 128 slots
 * holding from one item up to all slots but one, laid out by linear probing as the struct
 * states, so that probe runs wrap around the end and some are longer than 16 slots; every
 * item and variants of it (one byte off, one byte shorter or longer) against the naive
 * row, hash cached or not. And the set hash (two loads, by length) against its definition
 * written out, for every length of 0 to 40 bytes at the end of a page.
 */
static void test_strmap_sizes(void **state)
{
	(void)state;
	enum { NI = 127 };
	static char items[NI][32];
	static const char *ip[NI];
	frc_u64 rows[NI];
	for (uint32_t i = 0; i < NI; i++) {
		/* lengths of 1 to 22 bytes, around 4, 8 and 16 */
		static const char *const pre[] = { "", "proc", "/usr/sbin/daemon-", "abcdefgh",
						   "x-abcdefghijkl" };
		snprintf(items[i], sizeof(items[i]), "%s%u", pre[i % 5], i * 7);
		ip[i] = items[i];
		rows[i] = 1ull << (i % 64) | 1ull << ((i * 5 + 3) % 64);
	}
	static struct strmap_buf sb;
	uint32_t wrapped = 0, far = 0, tables = 0;
	for (uint32_t mask = 1; mask < 128; mask = mask * 2 + 1) {
		for (uint32_t n = 1; n <= mask; n++) {
			uint32_t first = (n * 13) % (NI - n + 1);
			strmap_make(&sb, ip + first, n, rows + first, mask, NULL, NULL, 0);
			wrapped += sb.wrapped;
			far += sb.far;
			tables++;
			for (uint32_t k = 0; k < n + 8; k++) {
				char val[40];
				const char *it = ip[(first + k) % NI];
				size_t l = strlen(it);
				for (int var = 0; var < 5; var++) {
					snprintf(val, sizeof(val), "%s", it);
					if (var == 1)
						val[l - 1] ^= 1;
					else if (var == 2)
						val[l / 2] ^= 0x40;
					else if (var == 3)
						val[l - 1] = 0;
					else if (var == 4)
						snprintf(val, sizeof(val), "%sy", it);
					struct frc_val v;
					memset(&v, 0, sizeof(v));
					v.s = (const uint8_t *)val;
					v.len = (uint32_t)strlen(val);
					frc_u64 want = row_naive(&v, ip + first, n, rows + first);
					for (int again = 0; again < 2; again++)
						if (frc_s_row(&v, &sb.m) != want)
							fail_msg("%u slots, %u items: value \"%s\": row "
								 "%llx, want %llx", mask + 1, n, val,
								 (unsigned long long)frc_s_row(&v, &sb.m),
								 (unsigned long long)want);
				}
			}
		}
	}
	/* the layouts above include probe runs that wrap and ones of more than 16 slots */
	assert_true(tables > 200 && wrapped > 0 && far > 0);

	long pg = 4096;
	uint8_t *map = mmap(NULL, (size_t)pg * 2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			    -1, 0);
	assert_true(map != MAP_FAILED);
	assert_int_equal(mprotect(map + pg, (size_t)pg, PROT_NONE), 0);
	uint64_t seed = 0x4a54ull;
	for (int round = 0; round < 64; round++)
		for (size_t n = 0; n <= 40; n++) {
			uint8_t *b = map + pg - n;
			for (size_t i = 0; i < n; i++)
				b[i] = (uint8_t)fw_rand(&seed);
			assert_int_equal(rt_helpers_set_hash(b, n), set_hash_ref(b, n));
		}
	munmap(map, (size_t)pg * 2);
}

/* ------------------------------------------------------------------ needle sets */

/* a struct frc_needles of @nd[0 .. @n) as the emitter lays it out */
struct needles_buf {
	struct frc_needles set;
	uint8_t blob[65536];
	frc_u32 off[1025], bucket[9];
	uint8_t nib[96];
};

static void needles_make(struct needles_buf *b, const struct rt_needle *nd, uint32_t n, bool icase)
{
	uint32_t order[1024], total = 0, minlen = UINT32_MAX;
	assert_true(n <= 1024);
	assert_true(rt_helpers_needles_layout(nd, n, icase, order, b->bucket, b->nib));
	for (uint32_t k = 0; k < n; k++) {
		const struct rt_needle *x = &nd[order[k]];
		b->off[k] = total;
		assert_true(total + x->len <= sizeof(b->blob));
		memcpy(b->blob + total, x->s, x->len);
		total += x->len;
		minlen = x->len < minlen ? x->len : minlen;
	}
	b->off[n] = total;
	/* the buckets partition the needles, in order */
	assert_int_equal(b->bucket[0], 0);
	assert_int_equal(b->bucket[8], n);
	for (int k = 0; k < 8; k++)
		assert_true(b->bucket[k] <= b->bucket[k + 1]);
	b->set = (struct frc_needles){ .n = n, .minlen = n ? minlen : 0, .icase = icase,
				       .blob = b->blob, .off = b->off, .bucket = b->bucket,
				       .nib = b->nib };
}

/* what the or of the single tests gives */
static int needles_want(const struct frc_val *v, frc_u32 q, const struct rt_needle *nd,
			uint32_t n, bool icase)
{
	for (uint32_t k = 0; k < n; k++)
		if ((icase ? frc_s_icontains : frc_s_contains)(v, q, nd[k].s, nd[k].len))
			return 1;
	return 0;
}

/*
 * frc_s_needles against the or of frc_s_contains / frc_s_icontains on random needle sets
 * (1 to 40 needles, some empty, of one byte, longer than 64 bytes, with NUL and bytes
 * >= 0x80) and random values with needles planted in them (case changed for icontains),
 * inline or ending at an unmapped page, single, multi (any/all, 0 to 3 items) and absent.
 */
static void test_needles_helper(void **state)
{
	(void)state;
	long pg = 4096;
	uint8_t *map = mmap(NULL, (size_t)pg * 2, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			    -1, 0);
	assert_true(map != MAP_FAILED);
	assert_int_equal(mprotect(map + pg, (size_t)pg, PROT_NONE), 0);
	static const uint8_t alpha[] = { 'a', 'b', 'c', 'A', 'B', 'C', '-', '/', ' ', 0, 0xc3,
					 0xa9, 0xe0, 0x7f, 0xff, 'z', 'Z', '@', '[', '`', '{' };
	static struct needles_buf nb;
	static uint8_t nbytes[1024][80], hay[4][400];
	struct rt_needle nd[1024];
	uint64_t seed = 0x5eed0fa11ull;
	uint64_t hits = 0, tests = 0;
	for (int round = 0; round < 3000; round++) {
		bool icase = round % 3 == 1;
		uint32_t n = round % 97 == 5 ? 300 + (uint32_t)(fw_rand(&seed) % 700)
					       : 1 + (uint32_t)(fw_rand(&seed) % 40);
		uint32_t nalpha = 3 + (uint32_t)(fw_rand(&seed) % (sizeof(alpha) - 3));
		for (uint32_t k = 0; k < n; k++) {
			uint64_t r = fw_rand(&seed) % 100;
			uint32_t len = r < 3 ? 0 : r < 10 ? 1 : r < 20 ? 2 : r < 25 ? 65 + (uint32_t)(r % 15)
				     : 3 + (uint32_t)(fw_rand(&seed) % 20);
			for (uint32_t j = 0; j < len; j++) {
				uint8_t c = alpha[fw_rand(&seed) % nalpha];
				nbytes[k][j] = icase && c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c;
			}
			nd[k] = (struct rt_needle){ nbytes[k], len };
		}
		needles_make(&nb, nd, n, icase);
		for (int hv = 0; hv < 8; hv++) {
			/* up to 4 values: noise with a needle (or a needle's prefix) planted */
			struct frc_val it[4];
			memset(it, 0, sizeof(it));
			uint32_t nit = (uint32_t)(fw_rand(&seed) % 4);
			for (uint32_t i = 0; i < 4; i++) {
				uint32_t len = (uint32_t)(fw_rand(&seed) % (fw_rand(&seed) % 4 ? 40 : 300));
				uint8_t *h = hv % 2 ? hay[i] : map + pg - len - 1;
				if (i)
					h = hay[i];
				for (uint32_t j = 0; j < len; j++)
					h[j] = alpha[fw_rand(&seed) % nalpha];
				uint32_t k = (uint32_t)(fw_rand(&seed) % n), nl = nd[k].len;
				if (fw_rand(&seed) % 3 == 0 && nl)
					nl = (uint32_t)(fw_rand(&seed) % nl); /* a near miss */
				if (nl <= len && fw_rand(&seed) % 4) {
					uint32_t pos = (uint32_t)(fw_rand(&seed) % (len - nl + 1));
					if (fw_rand(&seed) % 2)
						pos = len - nl;	/* at the very end */
					for (uint32_t j = 0; j < nl; j++) {
						uint8_t c = nd[k].s[j];
						if (icase && c >= 'a' && c <= 'z' && fw_rand(&seed) % 2)
							c = (uint8_t)(c - 32);
						h[pos + j] = c;
					}
				}
				h[len] = 0;
				it[i].s = h;
				it[i].len = len;
			}
			struct frc_val multi;
			memset(&multi, 0, sizeof(multi));
			multi.multi = 1;
			multi.items = it;
			multi.nitems = nit;
			const struct frc_val *vals[3] = { &it[0], &multi, NULL };
			for (int w = 0; w < 3; w++)
				for (frc_u32 q = FRC_Q_ANY; q <= FRC_Q_ALL; q++) {
					int want = needles_want(vals[w], q, nd, n, icase);
					int got = frc_s_needles(vals[w], q, &nb.set);
					if (got != want)
						fail_msg("round %d: %u needles (icase %d), value %d q %u: "
							 "%d, single tests %d", round, n, icase, w, q, got,
							 want);
					hits += (uint64_t)want;
					tests++;
				}
		}
	}
	/* both answers are frequent */
	assert_true(hits > tests / 5 && hits < tests * 4 / 5);
	munmap(map, (size_t)pg * 2);
}

/* ------------------------------------------------------------------ selection */

static void test_matching_and_selection(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	struct ab_rules rb;
	ab_rules_init(&rb, &a);
	ab_rule(&rb, "A one", ab_cmp(&a, "proc.name", NULL, OP_STARTSWITH, "b"));
	struct frc_rule *r1 = ab_rule(&rb, "B two", ab_cmp(&a, "proc.name", NULL, OP_EQ, "bash"));
	static const char *tags[] = { "shell", "mitre" };
	r1->tags = tags;
	r1->ntags = 2;
	r1->priority = PRIO_ERROR;
	struct frc_rule *r2 = ab_rule(&rb, "C three", ab_cmp(&a, "proc.name", NULL, OP_CONTAINS, "as"));
	r2->enabled = false;
	r2->priority = PRIO_DEBUG;
	struct ruleset_opts o = { .evt = &fw_evtinfo };
	struct ruleset *rs = ruleset_jit(&rb.rules, &o);
	assert_non_null(rs);
	struct fake_field ff[4];
	struct fake_evt ev = { 2, ff, 0 };
	ev_str(&ev, "evt.type", NULL, "open");
	ev_str(&ev, "proc.name", NULL, "bash");
	struct matches m;
	assert_int_equal(eval(rs, &ev, &m), 1); /* first (default) */
	assert_int_equal(m.ids[0], 0);
	ruleset_set_matching(rs, RULESET_MATCH_ALL);
	assert_int_equal(eval(rs, &ev, &m), 2); /* C is disabled */
	ruleset_enable_rule(rs, 2, true);
	assert_int_equal(eval(rs, &ev, &m), 3);
	assert_int_equal(ruleset_enable_name(rs, "* t*", false), 2); /* "B two", "C three" */
	assert_int_equal(eval(rs, &ev, &m), 1);
	assert_int_equal(ruleset_enable_tag(rs, "shell", true), 1);
	assert_int_equal(eval(rs, &ev, &m), 2);
	ruleset_set_min_priority(rs, PRIO_ERROR);
	assert_int_equal(eval(rs, &ev, &m), 1);
	assert_int_equal(m.ids[0], 1);
	assert_int_equal(ruleset_matches(rs, 1), 4);
	assert_string_equal(ruleset_rule(rs, 1)->name, "B two");
	assert_string_equal(ruleset_rule(rs, 1)->tags[1], "mitre");
	ruleset_free(rs);
	arena_free_all(&a);
}

/* ------------------------------------------------------------------ differential */

static void test_emit_deterministic(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	struct ab_rules rb;
	ab_rules_init(&rb, &a);
	uint64_t seed = 0x1234567;
	for (int i = 0; i < 50; i++) {
		char name[32];
		snprintf(name, sizeof(name), "r%d", i);
		struct frc_rule *r = ab_rule(&rb, name, fw_random_cond(&a, &seed, 4));
		ab_evttypes(r->cond, &r->evttypes, fw_name_codes);
	}
	struct ruleset_opts o = { .evt = &fw_evtinfo };
	size_t l1, l2;
	char *t1 = ruleset_emit_c(&rb.rules, &o, &l1), *t2 = ruleset_emit_c(&rb.rules, &o, &l2);
	assert_non_null(t1);
	assert_non_null(t2);
	assert_int_equal(l1, l2);
	assert_memory_equal(t1, t2, l1);
	free(t1);
	free(t2);
	arena_free_all(&a);
}

/*
 * Within an and/or, a field already read by an earlier child that always runs is read
 * from the group's field cache directly (fc->v[k]); one read only on some paths, or under
 * a memoised sub-condition, still goes through FRC_FV. Absent values read that way stay
 * false (also for !=), and every path gives the reference's result.
 */
static void test_field_cache_reads(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	struct ab_rules rb;
	ab_rules_init(&rb, &a);
	/* 0: (proc.name = cat or proc.name = ls) and proc.pname != bash */
	struct ast *o0[2] = { ab_cmp(&a, "proc.name", NULL, OP_EQ, "cat"),
			      ab_cmp(&a, "proc.name", NULL, OP_EQ, "ls") };
	struct ast *a0[2] = { ab_or(&a, o0, 2), ab_cmp(&a, "proc.pname", NULL, OP_NE, "bash") };
	ab_rule(&rb, "reuse", ab_and(&a, a0, 2));
	/* 1: (proc.pname = sh and proc.name = cat) or proc.name startswith c: proc.name is
	 * read on one path of the first child only */
	struct ast *a1[2] = { ab_cmp(&a, "proc.pname", NULL, OP_EQ, "sh"),
			      ab_cmp(&a, "proc.name", NULL, OP_EQ, "cat") };
	struct ast *o1[2] = { ab_and(&a, a1, 2), ab_cmp(&a, "proc.name", NULL, OP_STARTSWITH, "c") };
	ab_rule(&rb, "some-path", ab_or(&a, o1, 2));
	/* 2: not proc.cwd = / and proc.cwd != /tmp (absent: both false) */
	struct ast *a2[2] = { ab_not(&a, ab_cmp(&a, "proc.cwd", NULL, OP_EQ, "/")),
			      ab_cmp(&a, "proc.cwd", NULL, OP_NE, "/tmp") };
	ab_rule(&rb, "absent", ab_and(&a, a2, 2));
	/* 3: proc.cwd exists or proc.cwd != /x (absent) */
	struct ast *o3[2] = { ab_cmp(&a, "proc.cwd", NULL, OP_EXISTS, NULL),
			      ab_cmp(&a, "proc.cwd", NULL, OP_NE, "/x") };
	ab_rule(&rb, "absent-or", ab_or(&a, o3, 2));

	struct ruleset_opts o0opts = { .no_opt = true };
	size_t len;
	char *text = ruleset_emit_c(&rb.rules, &o0opts, &len);
	assert_non_null(text);
	const char *r0 = strstr(text, "static int frc_g_rule_0000(struct frc_evt *e, struct frc_run *r, "
				      "struct frc_g_fc *fc)\n{");
	const char *r1 = strstr(text, "static int frc_g_rule_0001(struct frc_evt *e, struct frc_run *r, "
				      "struct frc_g_fc *fc)\n{");
	assert_non_null(r0);
	assert_non_null(r1);
	const char *e0 = strstr(r0, "\n}\n"), *e1 = strstr(r1, "\n}\n");
	/* rule 0: the second proc.name test reads the cache; proc.pname is first read */
	const char *c0 = strstr(r0, "frc_seq(fc->v[");
	assert_true(c0 && c0 < e0);
	const char *f0 = strstr(r0, "frc_sne(FRC_FV(e, fc, ");
	assert_true(f0 && f0 < e0);
	/* rule 1: proc.name after an and that may stop at proc.pname: through FRC_FV */
	const char *f1 = strstr(r1, "frc_sstarts(FRC_FV(e, fc, ");
	assert_true(f1 && f1 < e1);
	free(text);

	struct fake_field ff[8];
	struct fake_evt ev = { 2, ff, 0 };
	ev_str(&ev, "evt.type", NULL, "open");
	ev_str(&ev, "proc.name", NULL, "cat");
	ev_str(&ev, "proc.pname", NULL, "zsh");
	assert_int_equal(run_rules(&rb, &ev), (1u << 0) | (1u << 1));
	struct fake_evt ev2 = { 2, ff, 0 };
	ev_str(&ev2, "evt.type", NULL, "open");
	ev_str(&ev2, "proc.name", NULL, "ls");
	ev_str(&ev2, "proc.pname", NULL, "sh");
	ev_str(&ev2, "proc.cwd", NULL, "/home");
	assert_int_equal(run_rules(&rb, &ev2), (1u << 0) | (1u << 2) | (1u << 3));
	arena_free_all(&a);
}

static void dump_event(const struct fake_evt *ev)
{
	char buf[1024];
	print_error("event code %u:\n", ev->code);
	for (uint32_t i = 0; i < ev->n; i++) {
		const struct fake_field *f = &ev->f[i];
		const struct frc_val *v = &f->v;
		print_error("  %s%s%s%s:", field_table[f->field].name, f->arg ? "[" : "",
			    f->arg ? f->arg : "", f->arg ? "]" : "");
		uint32_t n = v->multi ? v->nitems : 1;
		if (v->multi)
			print_error(" (%u items)", n);
		for (uint32_t k = 0; k < n; k++) {
			const struct frc_val *x = v->multi ? &v->items[k] : v;
			cstr_escape(buf, x->s ? (const char *)x->s : "", x->s ? (x->len > 200 ? 200 : x->len) : 0);
			print_error(" \"%s\"/%llu/fam%u", buf, (unsigned long long)x->n.u, x->family);
		}
		print_error("\n");
	}
}

static const struct frc_rules *g_rules;
static const struct fake_evt *g_ev;

static void compare_sets(const struct matches *x, const uint8_t *ref, uint32_t nrules,
			 const char *what, uint32_t evno)
{
	uint8_t got[4096] = { 0 };
	for (uint32_t i = 0; i < x->n; i++)
		got[x->ids[i]] = 1;
	for (uint32_t r = 0; r < nrules; r++)
		if (got[r] != ref[r]) {
			print_error("%s disagrees with the reference on rule %u, event %u (%d vs %d)\n",
				    what, r, evno, got[r], ref[r]);
			char *t = ab_dump(g_rules->rules[r].cond);
			print_error("rule: %s\n", t);
			free(t);
			dump_event(g_ev);
			fail();
		}
}

/*
 * Merged string sets (struct frc_strmap): `in` tests of one field slot against several
 * sets become bits of one row per value. Every rule is checked, on every event, through
 * the JIT, the JIT at -O0 and the AOT build against the reference evaluator; @want (rule
 * ids, -1 terminated, per event) pins down the expected matches of chosen rules.
 */
static void check_merged(struct ab_rules *rb, const struct fake_evt *evs, uint32_t nev,
			 const int *const *want, uint32_t nwant, uint32_t min_maps,
			 const char *kind)
{
	struct ruleset_opts o = { .evt = &fw_evtinfo }, o0 = { .no_opt = true };
	size_t len;
	char *text = ruleset_emit_c(&rb->rules, &o, &len);
	assert_non_null(text);
	if (getenv("FRC_TEST_DUMP_MERGED")) {
		FILE *f = fopen(getenv("FRC_TEST_DUMP_MERGED"), "w");
		if (f) {
			fwrite(text, 1, len, f);
			fclose(f);
		}
	}
	/* the tests were merged: maps (needle sets) numbered 0 .. min_maps - 1 exist and
	 * are used */
	for (uint32_t m = 0; m < min_maps; m++) {
		char name[64];
		snprintf(name, sizeof(name), "%s frc_g_%s%04u =",
			 strcmp(kind, "m") ? "frc_needles" : "frc_strmap", kind, m);
		assert_non_null(strstr(text, name));
		snprintf(name, sizeof(name), "&frc_g_%s%04u%s", kind, m, strcmp(kind, "m") ? ")" : ", ");
		char alt[64];	/* a map's row loader of the group functions (frc_g_rowNNNN) */
		snprintf(alt, sizeof(alt), "frc_s_row(v, &frc_g_%s%04u)", kind, m);
		assert_true(strstr(text, name) || (!strcmp(kind, "m") && strstr(text, alt)));
	}
	struct ruleset *rs[3] = { ruleset_jit_text(text, &o), ruleset_aot_text(text, &o),
				  ruleset_jit(&rb->rules, &o0) };
	static const char *const what[3] = { "JIT", "AOT", "JIT -O0" };
	free(text);
	for (int k = 0; k < 3; k++) {
		assert_non_null(rs[k]);
		ruleset_set_matching(rs[k], RULESET_MATCH_ALL);
	}
	uint32_t nr = rb->rules.nrules;
	assert_true(nr <= 4096);
	static uint8_t ref[4096];
	static struct matches m;
	for (uint32_t e = 0; e < nev; e++) {
		for (uint32_t r = 0; r < nr; r++)
			ref[r] = ref_eval(rb->rules.rules[r].cond, fake_ref_get, (void *)&evs[e]);
		if (e < nwant)
			for (uint32_t r = 0; r < nr && r < 64; r++) {
				bool listed = false;
				for (const int *w = want[e]; *w >= 0; w++)
					listed |= (uint32_t)*w == r;
				if (listed != (ref[r] != 0))
					print_error("event %u, rule %u: reference %d, expected %d\n", e,
						    r, ref[r], listed);
				assert_int_equal(listed, ref[r] != 0);
			}
		g_rules = &rb->rules;
		g_ev = &evs[e];
		for (int k = 0; k < 3; k++) {
			eval(rs[k], &evs[e], &m);
			compare_sets(&m, ref, nr, what[k], e);
		}
	}
	for (int k = 0; k < 3; k++)
		ruleset_free(rs[k]);
}

static void check_sets(struct ab_rules *rb, const struct fake_evt *evs, uint32_t nev,
		       const int *const *want, uint32_t nwant, uint32_t min_maps)
{
	check_merged(rb, evs, nev, want, nwant, min_maps, "m");
}

static void test_merged_sets(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	struct ab_rules rb;
	ab_rules_init(&rb, &a);
	ab_rule(&rb, "r0", ab_cmp(&a, "proc.name", NULL, OP_IN, "bash,sh,zsh"));
	ab_rule(&rb, "r1", ab_cmp(&a, "proc.name", NULL, OP_IN, "sh,python3"));
	ab_rule(&rb, "r2 empty item", ab_cmp(&a, "proc.name", NULL, OP_IN, ",abc"));
	ab_rule(&rb, "r3 one byte", ab_cmp(&a, "proc.name", NULL, OP_IN, "abcd,abce"));
	ab_rule(&rb, "r4 length", ab_cmp(&a, "proc.name", NULL, OP_IN, "abc,abcde"));
	ab_rule(&rb, "r5 long", ab_cmp(&a, "proc.name", NULL, OP_IN,
				       "a-very-long-process-name-1,a-very-long-process-name-2"));
	ab_rule(&rb, "r6 long", ab_cmp(&a, "proc.name", NULL, OP_IN,
				       "a-very-long-process-name-3,zsh"));
	ab_rule(&rb, "r7 ancestors", ab_cmp(&a, "proc.aname", NULL, OP_IN, "sshd,bash"));
	ab_rule(&rb, "r8 ancestors", ab_cmp(&a, "proc.aname", NULL, OP_IN, "curl,init"));
	ab_rule(&rb, "r9 ancestors", ab_cmp(&a, "proc.aname", NULL, OP_IN, "nothere,zz"));
	ab_rule(&rb, "r10 absent", ab_cmp(&a, "proc.pname", NULL, OP_IN, "a,b"));
	ab_rule(&rb, "r11 absent", ab_cmp(&a, "proc.pname", NULL, OP_IN, "b,c"));
	ab_rule(&rb, "r12 not", ab_not(&a, ab_cmp(&a, "proc.name", NULL, OP_IN, "bash,sh,zsh")));
	struct ast *k[2] = { ab_cmp(&a, "proc.name", NULL, OP_IN, "sh,python3"),
			     ab_cmp(&a, "proc.aname", NULL, OP_IN, "curl,init") };
	ab_rule(&rb, "r13 and", ab_and(&a, k, 2));
	ab_rule(&rb, "r14 not absent", ab_not(&a, ab_cmp(&a, "proc.pname", NULL, OP_IN, "a,b")));

	static const char *const names[] = {
		"sh", "bash", "", "abc", "abcd", "abce", "abcf", "abcde", "ab", "zsh",
		"a-very-long-process-name-1", "a-very-long-process-name-2",
		"a-very-long-process-name-3", "a-very-long-process-name-4",
		"a-very-long-process-name-", "zz", NULL
	};
	enum { NNAMES = sizeof(names) / sizeof(names[0]) };
	static const char *const anc[] = { "bash", "sshd", "curl" };
	struct frc_val items[3];
	memset(items, 0, sizeof(items));
	for (int i = 0; i < 3; i++) {
		items[i].s = (const frc_u8 *)anc[i];
		items[i].len = (uint32_t)strlen(anc[i]);
	}
	/* every name with ancestors (bash sshd curl), (curl), none (0 items) and absent;
	 * proc.pname absent except on the last event */
	static struct fake_field ff[NNAMES * 4 + 1][4];
	static struct fake_evt evs[NNAMES * 4 + 1];
	uint32_t nev = 0;
	for (uint32_t i = 0; i < NNAMES; i++)
		for (int an = 0; an < 4; an++) {
			struct fake_evt *ev = &evs[nev];
			*ev = (struct fake_evt){ 2, ff[nev], 0 };
			nev++;
			if (names[i])
				ev_str(ev, "proc.name", NULL, names[i]);
			if (an == 3)
				continue;
			struct fake_field *f = ev_add(ev, "proc.aname", NULL);
			f->v.multi = 1;
			f->v.items = an == 0 ? items : an == 1 ? items + 2 : NULL;
			f->v.nitems = an == 0 ? 3 : an == 1 ? 1 : 0;
		}
	evs[nev] = (struct fake_evt){ 2, ff[nev], 0 };
	ev_str(&evs[nev], "proc.name", NULL, "sh");
	ev_str(&evs[nev], "proc.pname", NULL, "b");
	nev++;
	/* expected matches of the first events (name x ancestors, in the order built) */
	static const int w_sh0[] = { 0, 1, 7, 8, 13, 14, -1 }, w_sh1[] = { 0, 1, 8, 13, 14, -1 },
			 w_sh2[] = { 0, 1, 14, -1 }, w_sh3[] = { 0, 1, 14, -1 },
			 w_bash0[] = { 0, 7, 8, 14, -1 }, w_bash1[] = { 0, 8, 14, -1 },
			 w_bash2[] = { 0, 14, -1 }, w_bash3[] = { 0, 14, -1 },
			 w_empty[] = { 2, 7, 8, 12, 14, -1 }, w_empty1[] = { 2, 8, 12, 14, -1 },
			 w_empty2[] = { 2, 12, 14, -1 }, w_empty3[] = { 2, 12, 14, -1 },
			 w_abc[] = { 2, 4, 7, 8, 12, 14, -1 }, w_abc1[] = { 2, 4, 8, 12, 14, -1 },
			 w_abc2[] = { 2, 4, 12, 14, -1 }, w_abc3[] = { 2, 4, 12, 14, -1 },
			 w_abcd[] = { 3, 7, 8, 12, 14, -1 }, w_abcd1[] = { 3, 8, 12, 14, -1 },
			 w_abcd2[] = { 3, 12, 14, -1 }, w_abcd3[] = { 3, 12, 14, -1 },
			 w_abce[] = { 3, 7, 8, 12, 14, -1 }, w_abce1[] = { 3, 8, 12, 14, -1 },
			 w_abce2[] = { 3, 12, 14, -1 }, w_abce3[] = { 3, 12, 14, -1 },
			 w_abcf[] = { 7, 8, 12, 14, -1 }, w_abcf1[] = { 8, 12, 14, -1 },
			 w_abcf2[] = { 12, 14, -1 }, w_abcf3[] = { 12, 14, -1 };
	static const int *const want[] = {
		w_sh0, w_sh1, w_sh2, w_sh3, w_bash0, w_bash1, w_bash2, w_bash3,
		w_empty, w_empty1, w_empty2, w_empty3, w_abc, w_abc1, w_abc2, w_abc3,
		w_abcd, w_abcd1, w_abcd2, w_abcd3, w_abce, w_abce1, w_abce2, w_abce3,
		w_abcf, w_abcf1, w_abcf2, w_abcf3,
	};
	/* maps: proc.name (7 sets) and proc.aname (3 sets), proc.pname (2 sets) */
	check_sets(&rb, evs, nev, want, sizeof(want) / sizeof(want[0]), 3);
	arena_free_all(&a);

	/* more than 64 sets: proc.name with 70 (maps of 64 and 6), proc.pname with 65 (a
	 * map of 64, the last set tested alone) */
	arena_init(&a);
	ab_rules_init(&rb, &a);
	char buf[64];
	for (int i = 0; i < 70; i++) {
		snprintf(buf, sizeof(buf), "w%d,common", i);
		ab_rule(&rb, "n", ab_cmp(&a, "proc.name", NULL, OP_IN, buf));
	}
	for (int i = 0; i < 65; i++) {
		snprintf(buf, sizeof(buf), "p%d,pcommon,common", i);
		ab_rule(&rb, "p", ab_cmp(&a, "proc.pname", NULL, OP_IN, buf));
	}
	static const char *const vals[] = { "w0", "w5", "w63", "w64", "w66", "w69", "w70",
					    "common", "pcommon", "p0", "p63", "p64", "nope" };
	enum { NV = sizeof(vals) / sizeof(vals[0]) };
	static struct fake_field gf[NV * NV][2];
	static struct fake_evt gev[NV * NV];
	nev = 0;
	for (uint32_t i = 0; i < NV; i++)
		for (uint32_t j = 0; j < NV; j++) {
			gev[nev] = (struct fake_evt){ 2, gf[nev], 0 };
			ev_str(&gev[nev], "proc.name", NULL, vals[i]);
			ev_str(&gev[nev], "proc.pname", NULL, vals[j]);
			nev++;
		}
	/* vals[0] x vals[0]: w0 matches rule 0 only among the first 64 */
	static const int g0[] = { 0, -1 };
	static const int *const gwant[] = { g0 };
	check_sets(&rb, gev, nev, gwant, 1, 3);
	/* rule 66 (w66, second map) and rule 134 (p64, alone) on their values */
	for (uint32_t e = 0; e < nev; e++) {
		bool w66 = !strcmp(vals[e / NV], "w66"), p64 = !strcmp(vals[e % NV], "p64");
		assert_int_equal(ref_eval(rb.rules.rules[66].cond, fake_ref_get, &gev[e]),
				 w66 || !strcmp(vals[e / NV], "common"));
		assert_int_equal(ref_eval(rb.rules.rules[134].cond, fake_ref_get, &gev[e]),
				 p64 || !strcmp(vals[e % NV], "pcommon") ||
				 !strcmp(vals[e % NV], "common"));
	}
	arena_free_all(&a);
}

/* `F op N1 or F op N2 or ...` for the NULL-terminated needles @nd (@f a field name or,
 * with @x, tolower(field)) */
static struct ast *or_of(struct arena *a, const char *f, bool x, enum cmp_op op,
			 const char *const *nd)
{
	struct ast *k[128];
	uint32_t n = 0;
	for (; nd[n]; n++) {
		if (!x) {
			k[n] = ab_cmp(a, f, NULL, op, nd[n]);
		} else {
			struct ast *fld = ab_field(a, f, NULL);
			struct ast *lo = ab_xform(a, XF_TOLOWER, &fld, 1, NULL);
			k[n] = ab_check(a, lo, op, ab_value(a, lo, nd[n], (uint32_t)strlen(nd[n])));
		}
		assert_non_null(k[n]);
	}
	return ab_or(a, k, n);
}

/*
 * Needle sets (struct frc_needles): an or of contains (icontains) tests on one value is
 * one frc_s_needles test. Every rule on every event through the JIT, the AOT build and
 * the JIT at -O0 (which tests each needle alone) against the reference evaluator: single
 * and multi values, absent values, empty and long needles, a NUL byte (bcontains), bytes
 * >= 0x80 with icontains, `not A and not B`, a transformer value, tests interleaved with
 * others, and a set of 100 needles.
 */
static void test_needle_sets(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	struct ab_rules rb;
	ab_rules_init(&rb, &a);
	static const char long1[] = "a-very-long-needle-of-more-than-sixty-four-bytes-for-memmem-"
				    "0123456789";
	static const char *const n0[] = { "abc", "xyz", "--x", "ab", NULL },
		*const n1[] = { "ABC", "\xc3\xa9t\xc3\xa9", "Q", "zz-top", NULL },
		*const n2[] = { "sh", "ssh", "url", NULL }, *const n4[] = { "a", "b", NULL },
		*const n5[] = { "", "zz", NULL }, *const n6[] = { "abc", "xyz", NULL },
		*const n9[] = { "SSH", "CURL", NULL }, *const n3[] = { "a", "b", "--", NULL };
	ab_rule(&rb, "r0", or_of(&a, "proc.cmdline", false, OP_CONTAINS, n0));
	ab_rule(&rb, "r1 icase", or_of(&a, "proc.cmdline", false, OP_ICONTAINS, n1));
	ab_rule(&rb, "r2 multi", or_of(&a, "proc.aname", false, OP_CONTAINS, n2));
	struct ast *k3[3];
	for (int i = 0; i < 3; i++)
		k3[i] = ab_not(&a, ab_cmp(&a, "proc.cmdline", NULL, OP_CONTAINS, n3[i]));
	ab_rule(&rb, "r3 and not", ab_and(&a, k3, 3));
	ab_rule(&rb, "r4 absent", or_of(&a, "proc.pname", false, OP_CONTAINS, n4));
	ab_rule(&rb, "r5 empty", or_of(&a, "proc.cmdline", false, OP_CONTAINS, n5));
	ab_rule(&rb, "r6 tolower", or_of(&a, "proc.cmdline", true, OP_CONTAINS, n6));
	struct ast *k7[5] = { ab_cmp(&a, "proc.cmdline", NULL, OP_CONTAINS, long1),
			      ab_cmp(&a, "proc.name", NULL, OP_EQ, "bash"),
			      ab_cmp(&a, "proc.cmdline", NULL, OP_ICONTAINS, "QQ"),
			      ab_cmp(&a, "proc.cmdline", NULL, OP_CONTAINS, "xyz"),
			      ab_cmp(&a, "proc.cmdline", NULL, OP_ICONTAINS, "--X") };
	ab_rule(&rb, "r7 mixed", ab_or(&a, k7, 5));
	struct ast *k8[2] = { ab_cmp(&a, "proc.cmdline", NULL, OP_BCONTAINS, "610062"),
			      ab_cmp(&a, "proc.cmdline", NULL, OP_CONTAINS, "q") };
	ab_rule(&rb, "r8 nul", ab_or(&a, k8, 2));
	ab_rule(&rb, "r9 multi icase", or_of(&a, "proc.aname", false, OP_ICONTAINS, n9));
	struct ast *k10[2] = { ab_cmp(&a, "proc.cmdline", NULL, OP_CONTAINS, "abc"),
			       ab_cmp(&a, "proc.exe", NULL, OP_CONTAINS, "abc") };
	ab_rule(&rb, "r10 two values", ab_or(&a, k10, 2));
	static char many[100][16];
	const char *n11[101];
	for (int i = 0; i < 100; i++) {
		snprintf(many[i], sizeof(many[i]), "needle%03d", i * 7);
		n11[i] = many[i];
	}
	n11[100] = NULL;
	ab_rule(&rb, "r11 many", or_of(&a, "proc.cmdline", false, OP_CONTAINS, n11));

	static char longv[300], longv2[300];
	memset(longv, 'x', 250);
	memcpy(longv + 250 - 3, "xyz", 3);
	memset(longv2, 'y', 250);
	memcpy(longv2 + 100, long1, strlen(long1));
	static const char *const cmds[] = {
		"", "a", "ab", "abc", "xabcx", "XYZ", "xyz", "--x", "--X", "-x", "Q", "q",
		"\xc3\xa9t\xc3\xa9", "\xc3\x89T\xc3\x89", "x\xc3\xa9T\xc3\xa9y", "ZZ-TOP", "zz", "z",
		"needle042", "needle42", "xx needle693", "needle700", "AbC", "qq", "..Qq..", longv,
		longv2, "a-very-long-needle", "c", "cd -", NULL
	};
	enum { NCMD = sizeof(cmds) / sizeof(cmds[0]) };
	static const char *const anc[] = { "bash", "sshd", "curl", "CURL" };
	struct frc_val items[4];
	memset(items, 0, sizeof(items));
	for (int i = 0; i < 4; i++) {
		items[i].s = (const frc_u8 *)anc[i];
		items[i].len = (uint32_t)strlen(anc[i]);
	}
	static const uint8_t nul[] = { 'x', 'a', 0, 'b', 'y', 0 };
	static struct fake_field ff[NCMD * 4 + 2][6];
	static struct fake_evt evs[NCMD * 4 + 2];
	uint32_t nev = 0;
	for (uint32_t i = 0; i < NCMD; i++)
		for (int an = 0; an < 4; an++) {
			struct fake_evt *ev = &evs[nev];
			*ev = (struct fake_evt){ 2, ff[nev], 0 };
			nev++;
			if (cmds[i])
				ev_str(ev, "proc.cmdline", NULL, cmds[i]);
			ev_str(ev, "proc.name", NULL, an == 1 ? "bash" : "sh");
			if (an == 2)
				ev_str(ev, "proc.pname", NULL, cmds[i] ? cmds[i] : "b");
			if (an == 0)
				ev_str(ev, "proc.exe", NULL, "/bin/abc");
			if (an == 3)
				continue;
			struct fake_field *f = ev_add(ev, "proc.aname", NULL);
			f->v.multi = 1;
			f->v.items = an == 0 ? items : an == 1 ? items + 3 : NULL;
			f->v.nitems = an == 0 ? 3 : an == 1 ? 1 : 0;
		}
	for (int k = 0; k < 2; k++) { /* "xa\0by": bcontains "a\0b"; "xa" alone: no */
		struct fake_evt *ev = &evs[nev];
		*ev = (struct fake_evt){ 2, ff[nev], 0 };
		nev++;
		struct fake_field *f = ev_add(ev, "proc.cmdline", NULL);
		f->v.s = nul;
		f->v.len = k ? 5 : 2;
	}
	/* the empty command line with each of the four kinds of other fields */
	static const int w0[] = { 2, 3, 5, 9, 10, -1 }, w1[] = { 3, 5, 7, 9, -1 },
			 w2[] = { 3, 5, -1 }, w3[] = { 3, 5, -1 };
	static const int *const want[] = { w0, w1, w2, w3 };
	check_merged(&rb, evs, nev, want, 4, 10, "nd");
	arena_free_all(&a);
}

static void test_differential_random(void **state)
{
	(void)state;
	enum { NRULES = 250, NEVENTS = 3000 };
	struct arena a;
	arena_init(&a);
	struct ab_rules rb;
	ab_rules_init(&rb, &a);
	uint64_t seed = 0x9e3779b97f4a7c15ull;
	for (int i = 0; i < NRULES; i++) {
		char name[32];
		snprintf(name, sizeof(name), "random %d", i);
		struct ast *c = fw_random_cond(&a, &seed, 1 + i % 5);
		if (i % 5) { /* most rules name their event types, as real rules do */
			struct ast *k[2] = { fw_random_evttypes(&a, &seed), c };
			c = ab_and(&a, k, 2);
		}
		struct frc_rule *r = ab_rule(&rb, name, c);
		ab_evttypes(r->cond, &r->evttypes, fw_name_codes);
	}
	struct ruleset_opts o = { .evt = &fw_evtinfo }, o0 = { .no_opt = true };
	size_t len;
	char *text = ruleset_emit_c(&rb.rules, &o, &len);
	assert_non_null(text);
	if (getenv("FRC_TEST_DUMP")) {
		FILE *f = fopen(getenv("FRC_TEST_DUMP"), "w");
		if (f) {
			fwrite(text, 1, len, f);
			fclose(f);
		}
	}
	struct ruleset *jit = ruleset_jit_text(text, &o), *aot = ruleset_aot_text(text, &o);
	struct ruleset *jit0 = ruleset_jit(&rb.rules, &o0);
	assert_non_null(jit);
	assert_non_null(aot);
	assert_non_null(jit0);
	free(text);
	ruleset_set_matching(jit, RULESET_MATCH_ALL);
	ruleset_set_matching(aot, RULESET_MATCH_ALL);
	ruleset_set_matching(jit0, RULESET_MATCH_ALL);
	static struct matches mj, ma, m0;
	uint64_t total = 0;
	for (uint32_t e = 0; e < NEVENTS; e++) {
		struct arena ea;
		arena_init(&ea);
		struct fake_evt ev;
		fw_random_event(&ea, &seed, &ev);
		uint8_t ref[NRULES];
		for (uint32_t r = 0; r < NRULES; r++) {
			const struct frc_rule *rule = &rb.rules.rules[r];
			ref[r] = frc_evtset_has(&rule->evttypes, ev.code) &&
				 ref_eval(rule->cond, fake_ref_get, &ev);
			/* the event-type set never excludes a match, except on generic events
			 * (Falco's sets treat a generic syscall name as all generic codes) */
			if (ev.code >= 2 && !frc_evtset_has(&rule->evttypes, ev.code) &&
			    ref_eval(rule->cond, fake_ref_get, &ev)) {
				char *t = ab_dump(rule->cond);
				print_error("rule %u matches event code %u outside its event types: %s\n",
					    r, ev.code, t);
				free(t);
				fail();
			}
			total += ref[r];
		}
		g_rules = &rb.rules;
		g_ev = &ev;
		eval(jit, &ev, &mj);
		eval(aot, &ev, &ma);
		eval(jit0, &ev, &m0);
		compare_sets(&mj, ref, NRULES, "JIT", e);
		compare_sets(&ma, ref, NRULES, "AOT", e);
		compare_sets(&m0, ref, NRULES, "JIT -O0", e);
		arena_free_all(&ea);
	}
	assert_true(total > NEVENTS); /* the vocabulary makes matches frequent */
	ruleset_free(jit);
	ruleset_free(aot);
	ruleset_free(jit0);
	arena_free_all(&a);
}

/* ------------------------------------------------------------------ upstream rules */

/*
 * The upstream rule files through the same differential check, with events drawn from
 * each field's own constants in the rules (mutated now and then), so that many rules
 * match or nearly match.
 */
struct vocab_field {
	uint32_t field;
	const char *arg;
	uint32_t arg_len;
	int64_t arg_index;
	const struct ast *vals[256];
	uint32_t nvals;
};

struct vocab {
	struct vocab_field f[512];
	uint32_t n;
};

static struct vocab_field *vocab_slot(struct vocab *v, const struct ast *fld)
{
	const char *arg = fld->u.field.arg;
	uint32_t al = arg ? fld->u.field.arg_len : 0;
	int64_t idx = arg ? fld->u.field.arg_index : -1;
	for (uint32_t i = 0; i < v->n; i++)
		if (v->f[i].field == (uint32_t)fld->u.field.id && v->f[i].arg_index == idx &&
		    v->f[i].arg_len == al && (!al || !memcmp(v->f[i].arg, arg, al)))
			return &v->f[i];
	if (v->n == 512)
		return NULL;
	struct vocab_field *f = &v->f[v->n++];
	memset(f, 0, sizeof(*f));
	f->field = fld->u.field.id;
	f->arg = arg;
	f->arg_len = al;
	f->arg_index = idx;
	return f;
}

static void vocab_add(struct vocab_field *f, const struct ast *val)
{
	if (f && val && val->kind == AST_VALUE && f->nvals < 256)
		f->vals[f->nvals++] = val;
}

static void harvest(struct vocab *v, const struct ast *n)
{
	switch (n->kind) {
	case AST_AND: case AST_OR:
		for (uint32_t i = 0; i < n->u.nary.n; i++)
			harvest(v, n->u.nary.items[i]);
		return;
	case AST_NOT:
		harvest(v, n->u.not_.child);
		return;
	case AST_CHECK: {
		const struct ast *l = n->u.check.lhs, *r = n->u.check.rhs;
		if (l->kind != AST_FIELD)
			return;
		struct vocab_field *f = vocab_slot(v, l);
		if (r && r->kind == AST_VALUE && !n->u.check.rhs_is_field)
			vocab_add(f, r);
		else if (r && r->kind == AST_LIST)
			for (uint32_t i = 0; i < r->u.nary.n; i++)
				vocab_add(f, r->u.nary.items[i]);
		return;
	}
	default:
		return;
	}
}

static const char *const junk[] = { "", "x", "/tmp/x", "bash", "/etc/shadow", "root", "<NA>",
				    "sshd", "/usr/bin/", "python3", "/proc/1/environ", "host" };

/* one value of field @f: a constant of the rules (maybe mutated) or junk */
static void vocab_value(struct arena *a, uint64_t *seed, const struct vocab_field *f,
			struct frc_val *out)
{
	memset(out, 0, sizeof(*out));
	enum ft_type t = field_table[f->field].type;
	const struct ast *k = f->nvals && fw_rand(seed) % 4 ? f->vals[fw_rand(seed) % f->nvals] : NULL;
	if (k && k->u.value.c.type != FT_NONE && k->u.value.c.type != FT_CHARBUF &&
	    k->u.value.c.type != FT_FSPATH && k->u.value.c.type != FT_BYTEBUF)
		t = k->u.value.c.type; /* evt.rawarg: the parameter's type */
	if (t == FT_IPADDR || t == FT_IPNET) {
		if (k && k->u.value.c.family) {
			out->family = k->u.value.c.family;
			memcpy(out->ip, k->u.value.c.ip, 16);
			if (fw_rand(seed) % 3 == 0)
				out->ip[out->family == 4 ? 3 : 15] ^= 1;
		} else {
			out->family = 4;
			memcpy(out->ip, "\x0a\x00\x00\x01", 4);
		}
		return;
	}
	if (t != FT_CHARBUF && t != FT_FSPATH && t != FT_BYTEBUF && t != FT_DYN) {
		out->n.u = k ? k->u.value.c.n.u : fw_rand(seed) % 3;
		if (fw_rand(seed) % 4 == 0)
			out->n.u += fw_rand(seed) % 3 - 1;
		if (t == FT_BOOL)
			out->n.u &= 1;
		return;
	}
	const char *s = k ? k->u.value.str : junk[fw_rand(seed) % (sizeof(junk) / sizeof(junk[0]))];
	size_t len = k ? k->u.value.len : strlen(s);
	unsigned m = (unsigned)(fw_rand(seed) % 6);
	char *buf = arena_alloc(a, len + 16);
	size_t o = 0;
	if (m == 0) { /* prefix */
		memcpy(buf, "/x", 2);
		o = 2;
	}
	memcpy(buf + o, s, len);
	o += len;
	if (m == 1) { /* suffix */
		memcpy(buf + o, "/y.z", 4);
		o += 4;
	}
	if (m == 2 && o) /* truncate */
		o--;
	if (m == 3) /* upper-case (icontains, iglob) */
		for (size_t i = 0; i < o; i++)
			buf[i] = (char)(buf[i] >= 'a' && buf[i] <= 'z' ? buf[i] - 32 : buf[i]);
	buf[o] = 0;
	out->s = (const frc_u8 *)buf;
	out->len = (uint32_t)o;
}

static void vocab_event(struct arena *a, uint64_t *seed, const struct vocab *v,
			const struct frc_rules *rules, struct fake_evt *ev)
{
	ev->f = arena_alloc(a, (v->n + 2) * sizeof(*ev->f));
	ev->n = 0;
	/* a code one of the rules wants, with a fixed evt.type */
	const char *tn = NULL;
	for (int tries = 0; tries < 100 && !tn; tries++) {
		const struct frc_rule *r = &rules->rules[fw_rand(seed) % rules->nrules];
		uint32_t c = (uint32_t)(fw_rand(seed) % FRC_EVT_CODES);
		for (uint32_t k = 0; k < FRC_EVT_CODES && !tn; k++, c = (c + 1) % FRC_EVT_CODES)
			if (frc_evtset_has(&r->evttypes, c)) {
				tn = opt_evtinfo_evtab()->type_name(NULL, c);
				ev->code = c;
			}
	}
	struct fake_field *f = &ev->f[ev->n++];
	memset(f, 0, sizeof(*f));
	f->field = FLD_EVT_TYPE;
	f->arg_index = -1;
	f->v.s = (const frc_u8 *)(tn ? tn : "open");
	f->v.len = (uint32_t)strlen((const char *)f->v.s);
	f = &ev->f[ev->n++];
	memset(f, 0, sizeof(*f));
	f->field = FLD_EVT_DIR;
	f->arg_index = -1;
	f->v.s = (const frc_u8 *)(ev->code & 1 ? "<" : ">");
	f->v.len = 1;
	for (uint32_t i = 0; i < v->n; i++) {
		const struct vocab_field *vf = &v->f[i];
		if (vf->field == FLD_EVT_TYPE || vf->field == FLD_EVT_DIR ||
		    (vf->field != FLD_EVT_NUM && fw_rand(seed) % 4 == 0))
			continue;
		f = &ev->f[ev->n++];
		memset(f, 0, sizeof(*f));
		f->field = vf->field;
		f->arg = vf->arg;
		f->arg_len = vf->arg_len;
		f->arg_index = vf->arg_index;
		uint32_t fl = field_table[vf->field].flags;
		bool multi = ((fl & FF_ANCESTOR) && vf->arg_index < 0 && !vf->arg) ||
			     (fl & FF_EITHER_END) || (fl & FF_LIST);
		if (vf->field == FLD_EVT_NUM) { /* always present, >= 1 (the optimiser knows) */
			f->v.n.u = 1 + fw_rand(seed) % 100000;
			continue;
		}
		if (!multi) {
			vocab_value(a, seed, vf, &f->v);
			continue;
		}
		uint32_t n = (uint32_t)(fw_rand(seed) % 4);
		struct frc_val *items = arena_alloc(a, (n ? n : 1) * sizeof(*items));
		for (uint32_t k = 0; k < n; k++)
			vocab_value(a, seed, vf, &items[k]);
		f->v.multi = 1;
		f->v.items = items;
		f->v.nitems = n;
	}
}

static void test_differential_upstream(void **state)
{
	(void)state;
	enum { NEVENTS = 20000 };
	static const char *const files[] = {
		"../shared/compat/rules/falco_rules.yaml",
		"../shared/compat/rules/falco-incubating_rules.yaml",
		"../shared/compat/rules/falco-sandbox_rules.yaml",
	};
	FILE *probe = fopen(files[0], "r");
	if (!probe) {
		print_message("../shared not found: upstream differential test skipped\n");
		skip();
	}
	fclose(probe);
	struct arena a;
	arena_init(&a);
	struct loader_opts lo;
	loader_opts_init(&lo);
	struct frc_rules rules;
	struct loader_results res;
	assert_int_equal(loader_load(&a, files, 3, &lo, &rules, &res), 0);
	assert_true(rules.nrules > 50);
	struct ruleset_opts o = { .evt = opt_evtinfo_evtab() }, o0 = { .no_opt = true };
	size_t len;
	char *text = ruleset_emit_c(&rules, &o, &len);
	assert_non_null(text);
	struct ruleset *jit = ruleset_jit_text(text, &o), *aot = ruleset_aot_text(text, &o);
	struct ruleset *jit0 = ruleset_jit(&rules, &o0);
	free(text);
	assert_non_null(jit);
	assert_non_null(aot);
	assert_non_null(jit0);
	ruleset_set_matching(jit, RULESET_MATCH_ALL);
	ruleset_set_matching(aot, RULESET_MATCH_ALL);
	ruleset_set_matching(jit0, RULESET_MATCH_ALL);
	static struct vocab v;
	memset(&v, 0, sizeof(v));
	for (uint32_t r = 0; r < rules.nrules; r++)
		harvest(&v, rules.rules[r].cond);
	static struct matches mj, ma, m0;
	static uint8_t ref[4096];
	uint64_t seed = 0x51ab1e, total = 0, distinct_rules = 0;
	static uint8_t hit[4096];
	for (uint32_t e = 0; e < NEVENTS; e++) {
		struct arena ea;
		arena_init(&ea);
		struct fake_evt ev;
		vocab_event(&ea, &seed, &v, &rules, &ev);
		for (uint32_t r = 0; r < rules.nrules; r++) {
			const struct frc_rule *rule = &rules.rules[r];
			ref[r] = rule->enabled && frc_evtset_has(&rule->evttypes, ev.code) &&
				 ref_eval(rule->cond, fake_ref_get, &ev);
			total += ref[r];
			if (ref[r] && !hit[r]) {
				hit[r] = 1;
				distinct_rules++;
			}
		}
		g_rules = &rules;
		g_ev = &ev;
		eval(jit, &ev, &mj);
		eval(aot, &ev, &ma);
		eval(jit0, &ev, &m0);
		compare_sets(&mj, ref, rules.nrules, "JIT", e);
		compare_sets(&ma, ref, rules.nrules, "AOT", e);
		compare_sets(&m0, ref, rules.nrules, "JIT -O0", e);
		arena_free_all(&ea);
	}
	print_message("upstream: %u rules, %u events, %llu matches, %llu distinct rules matched\n",
		      rules.nrules, NEVENTS, (unsigned long long)total,
		      (unsigned long long)distinct_rules);
	assert_true(distinct_rules >= 10);
	ruleset_free(jit);
	ruleset_free(aot);
	ruleset_free(jit0);
	arena_free_all(&a);
}

/* occurrences of @needle in @hay */
static unsigned count_of(const char *hay, const char *needle)
{
	unsigned n = 0;
	for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle))
		n++;
	return n;
}

/*
 * Rule gates (tests/golden/gates/rules.yaml, whose emitted C the golden test pins): a
 * group tests the leading cheap conjuncts of a rule inline and calls the rule's function
 * for the rest only when they pass. Every combination of the values the rules read
 * (present, absent, single and multi-valued, a multi value of no item) through the JIT,
 * the AOT build and the JIT at -O0 against the reference evaluator, with every rule
 * evaluated and with the first match stopping the group.
 */
static void test_rule_gates(void **state)
{
	(void)state;
	static const char *const files[] = { "tests/golden/gates/rules.yaml" };
	struct arena a;
	arena_init(&a);
	struct loader_opts lo;
	loader_opts_init(&lo);
	struct frc_rules rules;
	struct loader_results res;
	assert_int_equal(loader_load(&a, files, 1, &lo, &rules, &res), 0);
	assert_int_equal(rules.nrules, 6);
	struct ruleset_opts o = { .evt = opt_evtinfo_evtab() }, o0 = { .no_opt = true };
	size_t len;
	char *text = ruleset_emit_c(&rules, &o, &len);
	assert_non_null(text);
	/* rules 0, 2, 3 and 4 are gated and call a function for the rest, rule 1 is all
	 * gate (no function), rule 5 (an or) has no gate */
	assert_int_equal(count_of(text, "static int frc_g_c"), 5);
	assert_int_equal(count_of(text, "/* conjuncts 1.. (0..0: the gate, in the group) */"), 4);
	assert_non_null(strstr(text, "&& frc_g_c0000(e, r, fc)))\n\t    && frc_g_match(r, 0u))"));
	assert_non_null(strstr(text, "FRC_UNLIKELY(frc_g_c0004(e, r, fc))\n\t    && frc_g_match(r, 5u))"));
	/* proc.aname's row, loaded on entry (the first test of rules 3 and 4) */
	assert_int_equal(count_of(text, "FRC_G_EBIT(fc, 1u, "), 2);
	struct ruleset *rs[3] = { ruleset_jit_text(text, &o), ruleset_aot_text(text, &o),
				  ruleset_jit(&rules, &o0) };
	static const char *const what[3] = { "JIT", "AOT", "JIT -O0" };
	free(text);
	for (int k = 0; k < 3; k++)
		assert_non_null(rs[k]);
	unsigned codes[2], ncodes = 0;
	for (unsigned c = 0; c < FRC_EVT_CODES && ncodes < 2; c++)
		if (frc_evtset_has(&rules.rules[0].evttypes, c))
			codes[ncodes++] = c;
	assert_int_equal(ncodes, 2);

	static const char *const names[] = { "bash", "vi", "nc", "curl", NULL };
	static const char *const cids[] = { "host", "abc123", NULL };
	static const char *const pnames[] = { "sudo", "bash", NULL };
	static const char *const cmds[] = { "curl -c x", "PASSWD -e y", "cat /dev/tcp/1", NULL };
	static const char *const anc[] = { "sshd", "init", "screen", "tmux" };
	struct frc_val items[4];
	memset(items, 0, sizeof(items));
	for (int i = 0; i < 4; i++) {
		items[i].s = (const frc_u8 *)anc[i];
		items[i].len = (uint32_t)strlen(anc[i]);
	}
	/* proc.aname: (sshd init), (screen), (tmux), no item, absent */
	static const uint32_t aoff[] = { 0, 2, 3, 0 }, an[] = { 2, 1, 1, 0 };
	uint32_t nev = 0, nmatch[6] = { 0 };
	for (unsigned c = 0; c < ncodes; c++)
	for (int i = 0; i < 5; i++)
	for (int j = 0; j < 3; j++)
	for (int k = 0; k < 3; k++)
	for (int l = 0; l < 5; l++)
	for (int m = 0; m < 4; m++) {
		struct fake_field ff[8];
		struct fake_evt ev = { codes[c], ff, 0 };
		ev_str(&ev, "evt.type", NULL, "execve");
		if (names[i])
			ev_str(&ev, "proc.name", NULL, names[i]);
		if (cids[j])
			ev_str(&ev, "container.id", NULL, cids[j]);
		if (pnames[k])
			ev_str(&ev, "proc.pname", NULL, pnames[k]);
		if (cmds[m])
			ev_str(&ev, "proc.cmdline", NULL, cmds[m]);
		if (l < 4) {
			struct fake_field *f = ev_add(&ev, "proc.aname", NULL);
			f->v.multi = 1;
			f->v.items = an[l] ? items + aoff[l] : NULL;
			f->v.nitems = an[l];
		}
		uint8_t ref[6];
		int first = -1;
		for (uint32_t r = 0; r < 6; r++) {
			ref[r] = frc_evtset_has(&rules.rules[r].evttypes, ev.code) &&
				 ref_eval(rules.rules[r].cond, fake_ref_get, &ev);
			nmatch[r] += ref[r];
			if (ref[r] && first < 0)
				first = (int)r;
		}
		g_rules = &rules;
		g_ev = &ev;
		for (int x = 0; x < 3; x++) {
			static struct matches mt;
			ruleset_set_matching(rs[x], RULESET_MATCH_ALL);
			eval(rs[x], &ev, &mt);
			compare_sets(&mt, ref, 6, what[x], nev);
			ruleset_set_matching(rs[x], RULESET_MATCH_FIRST);
			eval(rs[x], &ev, &mt);
			assert_int_equal(mt.n, first < 0 ? 0 : 1);
			if (first >= 0)
				assert_int_equal(mt.ids[0], (uint32_t)first);
		}
		nev++;
	}
	/* every rule matched on some events and not on others */
	for (int r = 0; r < 6; r++) {
		assert_true(nmatch[r] > 0);
		assert_true(nmatch[r] < nev);
	}
	for (int k = 0; k < 3; k++)
		ruleset_free(rs[k]);
	arena_free_all(&a);
}

/*
 * Loads on a group's entry (tests/golden/eager/rules.yaml, whose emitted C the golden
 * test pins): the slot of the first test of each enabled rule of a group, and its row
 * when the group tests it inline, are loaded once when the group starts and read
 * directly by the group and by the functions of its rules where every calling group
 * loads them. Every combination of the values read, on an event of each group, through
 * the JIT, the AOT build and the JIT at -O0 against the reference evaluator: with the
 * rules as loaded (rule 0 disabled: its first test is not loaded on entry) and with rule
 * 0 enabled and rule 3 (whose first test has proc.pname loaded) disabled at run time.
 */
static void test_group_eager(void **state)
{
	(void)state;
	static const char *const files[] = { "tests/golden/eager/rules.yaml" };
	struct arena a;
	arena_init(&a);
	struct loader_opts lo;
	loader_opts_init(&lo);
	struct frc_rules rules;
	struct loader_results res;
	assert_int_equal(loader_load(&a, files, 1, &lo, &rules, &res), 0);
	assert_int_equal(rules.nrules, 6);
	assert_false(rules.rules[0].enabled);
	struct ruleset_opts o = { .evt = opt_evtinfo_evtab() }, o0 = { .no_opt = true };
	size_t len;
	char *text = ruleset_emit_c(&rules, &o, &len);
	assert_non_null(text);
	/* two groups (execve, chmod) load proc.name's row on entry; user.name's row (the
	 * first test of the disabled rule 0) is loaded where it is first tested */
	assert_int_equal(count_of(text, "\t(void)frc_g_row0001(e, fc);\n"), 2);
	assert_int_equal(count_of(text, "(void)frc_g_row0000(e, fc)"), 0);
	assert_int_equal(count_of(text, "FRC_G_RBIT(e, fc, 0u, "), 2);
	/* the execve group loads proc.pname (rule 3's first test), the chmod group does not:
	 * rule 4's function, which both call, reads it through FRC_FV; both load proc.name's
	 * row, which the function reads directly */
	assert_int_equal(count_of(text, "(void)FRC_FV(e, fc, 4u);"), 1);
	assert_non_null(strstr(text, "|| FRC_G_EBIT(fc, 1u, 1u)\n\t\t|| frc_seq(FRC_FV(e, fc, 4u), "));
	struct ruleset *rs[3] = { ruleset_jit_text(text, &o), ruleset_aot_text(text, &o),
				  ruleset_jit(&rules, &o0) };
	static const char *const what[3] = { "JIT", "AOT", "JIT -O0" };
	free(text);
	for (int k = 0; k < 3; k++)
		assert_non_null(rs[k]);
	/* an event code of rule 0 (execve) and one of rule 1 that rule 0 does not have */
	unsigned codes[2] = { FRC_EVT_CODES, FRC_EVT_CODES };
	for (unsigned c = 0; c < FRC_EVT_CODES; c++) {
		bool r0 = frc_evtset_has(&rules.rules[0].evttypes, c);
		if (r0 && codes[0] == FRC_EVT_CODES)
			codes[0] = c;
		if (!r0 && frc_evtset_has(&rules.rules[1].evttypes, c) && codes[1] == FRC_EVT_CODES)
			codes[1] = c;
	}
	assert_true(codes[0] < FRC_EVT_CODES && codes[1] < FRC_EVT_CODES);

	static const char *const names[] = { "bash", "vi", "cat", NULL };
	static const char *const users[] = { "root", "admin", "daemon", NULL };
	static const char *const pnames[] = { "sudo", "bash", NULL };
	static const char *const cmds[] = { "sh -c x", "passwd w", "e", NULL };
	uint32_t nev = 0, nmatch[6] = { 0 };
	for (int pass = 0; pass < 2; pass++) {
		uint8_t on[6];
		for (uint32_t r = 0; r < 6; r++)
			on[r] = pass ? r != 3 : rules.rules[r].enabled;
		for (int k = 0; k < 3; k++) {
			ruleset_enable_rule(rs[k], 0, on[0]);
			ruleset_enable_rule(rs[k], 3, on[3]);
		}
		for (unsigned c = 0; c < 2; c++)
		for (int i = 0; i < 4; i++)
		for (int j = 0; j < 4; j++)
		for (int k = 0; k < 3; k++)
		for (int m = 0; m < 4; m++) {
			struct fake_field ff[8];
			struct fake_evt ev = { codes[c], ff, 0 };
			ev_str(&ev, "evt.type", NULL, c ? "chmod" : "execve");
			if (names[i])
				ev_str(&ev, "proc.name", NULL, names[i]);
			if (users[j])
				ev_str(&ev, "user.name", NULL, users[j]);
			if (pnames[k])
				ev_str(&ev, "proc.pname", NULL, pnames[k]);
			if (cmds[m])
				ev_str(&ev, "proc.cmdline", NULL, cmds[m]);
			uint8_t ref[6];
			int first = -1;
			for (uint32_t r = 0; r < 6; r++) {
				ref[r] = on[r] && frc_evtset_has(&rules.rules[r].evttypes, ev.code) &&
					 ref_eval(rules.rules[r].cond, fake_ref_get, &ev);
				nmatch[r] += ref[r];
				if (ref[r] && first < 0)
					first = (int)r;
			}
			g_rules = &rules;
			g_ev = &ev;
			for (int x = 0; x < 3; x++) {
				static struct matches mt;
				ruleset_set_matching(rs[x], RULESET_MATCH_ALL);
				eval(rs[x], &ev, &mt);
				compare_sets(&mt, ref, 6, what[x], nev);
				ruleset_set_matching(rs[x], RULESET_MATCH_FIRST);
				eval(rs[x], &ev, &mt);
				assert_int_equal(mt.n, first < 0 ? 0 : 1);
				if (first >= 0)
					assert_int_equal(mt.ids[0], (uint32_t)first);
			}
			nev++;
		}
	}
	/* every rule matched on some events and not on others */
	for (int r = 0; r < 6; r++) {
		assert_true(nmatch[r] > 0);
		assert_true(nmatch[r] < nev);
	}
	for (int k = 0; k < 3; k++)
		ruleset_free(rs[k]);
	arena_free_all(&a);
}

/* ------------------------------------------------------------------ errors and limits */

static void test_limits_and_errors(void **state)
{
	(void)state;
	struct arena a;
	arena_init(&a);
	struct ab_rules rb;
	ab_rules_init(&rb, &a);
	/* deep nesting */
	struct ast *c = ab_cmp(&a, "proc.name", NULL, OP_EQ, "x");
	for (int i = 0; i < 600; i++)
		c = ab_not(&a, c);
	ab_rule(&rb, "deep", c);
	ab_rule(&rb, "bad regex", ab_cmp(&a, "proc.name", NULL, OP_REGEX, "(unclosed"));
	ab_rule(&rb, "unchecked", ab_check(&a, ab_field(&a, "proc.name", NULL), OP_EQ,
					    ab_value(&a, ab_field(&a, "proc.pid", NULL), "1", 1)));
	rb.rules.rules[2].cond->u.check.rhs->u.value.c.type = FT_NONE;
	struct ir ir;
	ir_init(&ir);
	struct ir_diag d = { 0 };
	assert_int_equal(lower_rules(&ir, &rb.rules, &d), 3);
	ir_fini(&ir);
	struct ruleset_opts o = { .diag = &d };
	assert_null(ruleset_jit(&rb.rules, &o));
	/* a descriptor from another ABI is refused */
	struct frc_ruleset_desc bad = { .abi_version = 999 };
	assert_null(ruleset_from_desc(&bad, &o));
	arena_free_all(&a);
}

/* the substring searches as on CPUs without AVX2 (SSE2) and without vector code */
static int simd_sse2(void **state)
{
	(void)state;
	rt_helpers_set_simd(1);
	return 0;
}

static int simd_none(void **state)
{
	(void)state;
	rt_helpers_set_simd(0);
	return 0;
}

static int simd_default(void **state)
{
	(void)state;
	rt_helpers_set_simd(2);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cstr_escape),
		cmocka_unit_test(test_ir_normalise),
		cmocka_unit_test(test_ir_factor_order),
		cmocka_unit_test(test_evttype_specialisation),
		cmocka_unit_test(test_absent_semantics),
		cmocka_unit_test(test_quantifiers),
		cmocka_unit_test(test_string_ops),
		cmocka_unit_test(test_contains_and_sets),
		cmocka_unit_test(test_icontains),
		cmocka_unit_test(test_strmap_rows),
		cmocka_unit_test(test_strmap_sizes),
		cmocka_unit_test(test_needles_helper),
		cmocka_unit_test_setup_teardown(test_icontains, simd_sse2, simd_default),
		cmocka_unit_test_setup_teardown(test_icontains, simd_none, simd_default),
		cmocka_unit_test_setup_teardown(test_contains_and_sets, simd_sse2, simd_default),
		cmocka_unit_test_setup_teardown(test_needles_helper, simd_sse2, simd_default),
		cmocka_unit_test_setup_teardown(test_needle_sets, simd_sse2, simd_default),
		cmocka_unit_test_setup_teardown(test_contains_and_sets, simd_none, simd_default),
		cmocka_unit_test_setup_teardown(test_needles_helper, simd_none, simd_default),
		cmocka_unit_test_setup_teardown(test_needle_sets, simd_none, simd_default),
		cmocka_unit_test(test_merged_sets),
		cmocka_unit_test(test_needle_sets),
		cmocka_unit_test(test_matching_and_selection),
		cmocka_unit_test(test_emit_deterministic),
		cmocka_unit_test(test_field_cache_reads),
		cmocka_unit_test(test_differential_random),
		cmocka_unit_test(test_differential_upstream),
		cmocka_unit_test(test_rule_gates),
		cmocka_unit_test(test_group_eager),
		cmocka_unit_test(test_limits_and_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
