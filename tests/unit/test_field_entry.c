/* SPDX-License-Identifier: Apache-2.0
 *
 * The per-slot field accessors of compiled code (struct frc_run's field table, filled
 * from extract_field_entries): a ruleset with one `exists` rule per field slot, JIT
 * (libtcc) and AOT (gcc) from the same C, evaluated through the accessors, against the
 * same code evaluated through frc_field itself (an accessor of the test's own, which
 * turns the per-slot accessors off) on a twin slot table: the same matches and, for
 * every slot, the same value (presence, shape, text). The slots cover every kind of
 * extractor that has an accessor of its own; the events cover present and absent
 * values (threads with and without ancestors, user, container, fd), a generation change
 * (a new event) and a repeated evaluation in one generation (the per-slot cache), and
 * the events on which frc_field must serve every slot: no slot table, a slot table
 * smaller than the unit's, no state, no scratch memory.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "ast_build.h"
#include "compiler/types.h"
#include "engine.h"
#include "event.h"
#include "evtab.h"
#include "extract.h"
#include "ruleset.h"
#include "scap.h"
#include "state.h"
#include "thread_rec.h"

/* frc_field under another name: a ruleset built with it never uses the per-slot accessors */
static const struct frc_val *plain_field(struct frc_evt *e, frc_u32 slot)
{
	return frc_field(e, slot);
}

static int grab_cb(void *ctx, struct frc_evt *e)
{
	struct frc_evt **pe = ctx;
	*pe = e;
	return 0;
}

struct matches {
	uint32_t n;
	uint32_t ids[1024];
};

static void collect(void *ctx, uint32_t id)
{
	struct matches *m = ctx;
	if (m->n < 1024)
		m->ids[m->n++] = id;
}

static void add_rec(struct frc_engine *eng, int64_t tid, int64_t pid, int64_t ptid, const char *comm,
		    const char *args, uint32_t args_len, const char *env, uint32_t env_len,
		    const char *cgroups, uint32_t uid)
{
	assert_non_null(tr_add_thread(eng, tid, pid, ptid, comm, args, args_len, env, env_len,
				      cgroups, uid));
}

static void fixture(struct frc_engine *eng)
{
	static const char env1[] = "A=1\0\0B= two \0PATH=/bin\0";
	state_add_user(engine_state(eng), "", 7, 7, "seven", "/home/seven", "/bin/sh");
	add_rec(eng, 50, 50, 1, "init", "x\0", 2, env1, sizeof(env1) - 1, NULL, 0);
	add_rec(eng, 51, 51, 50, "bash", "-c\0ls\0", 6, env1, sizeof(env1) - 1, NULL, 7);
	add_rec(eng, 52, 52, 51, "", "-c\0\0x y\0", 8, "", 0, NULL, 1000);
	add_rec(eng, 53, 52, 51, "worker", "", 0, env1, sizeof(env1) - 1, NULL, 7);
	add_rec(eng, 55, 55, 56, "p", "p\0", 2, "", 0, NULL, 0);
	add_rec(eng, 56, 56, 55, "q", "q\0", 2, env1, sizeof(env1) - 1, NULL, 0);
	static const char *ctrs[] = {
		"{\"container\":{\"id\":\"4bd97be00c1a\",\"name\":\"web\",\"image\":\"nginx:1.25\","
		"\"imagerepo\":\"nginx\",\"imagetag\":\"1.25\",\"privileged\":true,"
		"\"labels\":{\"io.kubernetes.pod.namespace\":\"prod\",\"io.kubernetes.pod.name\":\"web-0\"}}}",
	};
	assert_true(state_add_container_json(engine_state(eng), ctrs[0], strlen(ctrs[0])));
	add_rec(eng, 58, 58, 51, "ctr", "c\0", 2, env1, sizeof(env1) - 1,
		"cpuset=/docker/3ad7b26ded6d8e7b23da7d48fe889434573036c27ae5a74837233de441c3601e", 0);
	add_rec(eng, 59, 59, 58, "nginx", "-g\0daemon off;\0", 15, env1, sizeof(env1) - 1,
		"cpuset=/docker/4bd97be00c1a0b1e9d6d8e7b23da7d48fe889434573036c27ae5a74837233de4", 7);
	state_finish_load(engine_state(eng));
}

static bool stateful_field(uint32_t f)
{
	/* values that depend on the previous extraction of the same field: the two slot
	   tables of the test would not see the same sequence */
	return f == FLD_EVT_DELTATIME || f == FLD_EVT_DELTATIME_S || f == FLD_EVT_DELTATIME_NS ||
	       f == FLD_THREAD_EXECTIME || f == FLD_THREAD_TOTEXECTIME;
}

/* one `exists` rule per field (and argument form); evt.type by value (exists is folded) */
static void build_rules(struct ab_rules *rb, struct arena *a)
{
	static const struct { uint32_t f; const char *arg; int64_t idx; } withargs[] = {
		{ FLD_PROC_ARGS, "0", 0 }, { FLD_PROC_ARGS, "1", 1 }, { FLD_PROC_ANAME, "1", 1 },
		{ FLD_PROC_ANAME, "3", 3 }, { FLD_PROC_AEXE, "2", 2 }, { FLD_PROC_AEXEPATH, "1", 1 },
		{ FLD_PROC_ACMDLINE, "1", 1 }, { FLD_PROC_AARGS, "1", 1 }, { FLD_PROC_APID, "1", 1 },
		{ FLD_PROC_ENV, "A", -1 }, { FLD_PROC_ENV, "NOPE", -1 }, { FLD_PROC_AENV, "1", 1 },
		{ FLD_EVT_ARG, "name", -1 }, { FLD_EVT_ARG, "flags", -1 }, { FLD_EVT_ARG, "fd", -1 },
		{ FLD_EVT_ARG, "1", 1 }, { FLD_EVT_RAWARG, "flags", -1 },
	};
	char name[64];
	uint32_t n = 0;
	for (uint32_t f = 0; f < FLD__COUNT; f++) {
		if (stateful_field(f))
			continue;
		struct ast *fld = ab_field(a, field_table[f].name, NULL);
		assert_non_null(fld);
		struct ast *c = f == FLD_EVT_TYPE ? ab_cmp(a, "evt.type", NULL, OP_NE, "nope")
						  : ab_check(a, fld, OP_EXISTS, NULL);
		assert_non_null(c);
		snprintf(name, sizeof(name), "r%u", n++);
		ab_rule(rb, name, c);
	}
	for (size_t i = 0; i < sizeof(withargs) / sizeof(withargs[0]); i++) {
		struct ast *fld = ab_field(a, field_table[withargs[i].f].name, withargs[i].arg);
		assert_non_null(fld);
		fld->u.field.arg_index = withargs[i].idx;
		snprintf(name, sizeof(name), "r%u", n++);
		ab_rule(rb, name, ab_check(a, fld, OP_EXISTS, NULL));
	}
}

/* the value of slot @k through table @ss, as frc_field gives it in @e's generation */
static const struct frc_val *val_in(struct frc_evt *e, struct frc_slots *ss, uint32_t k)
{
	struct frc_slots *keep = e->slots;
	e->slots = ss;
	const struct frc_val *v = frc_field(e, k);
	e->slots = keep;
	return v;
}

static void same_values(struct frc_evt *e, const struct frc_field_ref *refs, uint32_t n,
			struct frc_slots *a, struct frc_slots *b, const char *what)
{
	for (uint32_t k = 0; k < n; k++) {
		static char ta[8192], tb[8192];
		const struct frc_val *x = val_in(e, a, k), *y = val_in(e, b, k);
		extract_format(refs[k].field, x, ta, sizeof(ta));
		extract_format(refs[k].field, y, tb, sizeof(tb));
		bool same = !strcmp(ta, tb) && !x == !y &&
			    (!x || (x->multi == y->multi && x->nitems == y->nitems));
		if (!same)
			print_message("%s: tid %lld slot %u %s[%s]: '%s' vs frc_field '%s'\n", what,
				      (long long)e->tid, k, field_table[refs[k].field].name,
				      refs[k].arg ? refs[k].arg : "", ta, tb);
		assert_true(same);
	}
}

static void same_matches(const struct matches *x, const struct matches *y, const char *what)
{
	if (x->n != y->n || memcmp(x->ids, y->ids, x->n * sizeof(x->ids[0])))
		print_message("%s: %u matches through the accessors, %u through frc_field\n", what,
			      x->n, y->n);
	assert_int_equal(x->n, y->n);
	assert_memory_equal(x->ids, y->ids, x->n * sizeof(x->ids[0]));
}

static void test_entries_equal_frc_field(void **unused)
{
	(void)unused;
	struct arena a;
	arena_init(&a);
	struct ab_rules rb;
	ab_rules_init(&rb, &a);
	build_rules(&rb, &a);
	struct ruleset_opts o = { 0 }, oref = { .field_fn = plain_field };
	char *text = ruleset_emit_c(&rb.rules, &o, NULL);
	assert_non_null(text);
	struct ruleset *rs[2][2] = {
		{ ruleset_jit_text(text, &o), ruleset_jit_text(text, &oref) },
		{ ruleset_aot_text(text, &o), ruleset_aot_text(text, &oref) },
	};
	free(text);
	static const char *const kind_name[2] = { "JIT", "AOT" };
	for (int k = 0; k < 2; k++)
		for (int j = 0; j < 2; j++) {
			assert_non_null(rs[k][j]);
			ruleset_set_matching(rs[k][j], RULESET_MATCH_ALL);
		}

	uint32_t n, nref;
	const struct frc_field_ref *refs = ruleset_fields(rs[0][0], &n);
	for (int k = 0; k < 2; k++)
		for (int j = 0; j < 2; j++) {
			const struct frc_field_ref *r = ruleset_fields(rs[k][j], &nref);
			assert_int_equal(nref, n);
			for (uint32_t i = 0; i < n; i++)
				assert_int_equal(r[i].field, refs[i].field);
		}
	char err[256];
	struct frc_slots *mine = extract_slots_new(refs, n, err, sizeof(err));
	struct frc_slots *twin = extract_slots_new(refs, n, err, sizeof(err));
	struct frc_slots *small = extract_slots_new(refs, n - 1, err, sizeof(err));
	assert_non_null(mine);
	assert_non_null(twin);
	assert_non_null(small);

	/* every kind of extractor with an accessor of its own is among the slots, and no
	   slot lacks one (a kind missing from SLOT_KINDS in extract.c) */
	uint32_t nkinds = 0;
	bool seen[64] = { false };
	for (uint32_t i = 0; i < n; i++) {
		int kind = extract_slot_kind(mine, i, &nkinds);
		if (kind < 0)
			print_message("slot %u (%s) has no accessor of its own\n", i,
				      field_table[refs[i].field].name);
		assert_true(kind >= 0);
		assert_true(nkinds <= 64);
		seen[kind] = true;
	}
	for (uint32_t k = 0; k < nkinds; k++) {
		if (!seen[k])
			print_message("no slot of extractor kind %u\n", k);
		assert_true(seen[k]);
	}
	assert_true(nkinds >= 20);

	struct frc_engine *eng = engine_new(NULL);
	assert_non_null(eng);
	fixture(eng);
	struct frc_evt *e = NULL;
	engine_set_callback(eng, grab_cb, &e);
	static struct frc_evb B;
	uint32_t len;
	static const int64_t tids[] = { 50, 51, 52, 53, 55, 58, 59, 77 /* unknown thread */ };
	uint64_t total = 0;
	for (size_t t = 0; t < sizeof(tids) / sizeof(tids[0]); t++) {
		for (int ev = 0; ev < 3; ev++) {
			uint64_t ts = 8000000000ull + t * 10 + (uint64_t)ev;
			if (ev == 0) { /* a syscall without fd */
				evb_begin(&B, PPME_GENERIC_X, ts, tids[t]);
				evb_int(&B, evtab_syscall_code("mlock", 5));
			} else if (ev == 1) { /* a file created for writing */
				evb_begin(&B, PPME_SYSCALL_OPENAT_2_X, ts, tids[t]);
				evb_int(&B, 5);
				evb_int(&B, PPM_AT_FDCWD);
				evb_str(&B, "/tmp/dropper/payload.bin");
				evb_int(&B, PPM_O_WRONLY | PPM_O_CREAT | PPM_O_F_CREATED);
				evb_int(&B, 0755);
				evb_int(&B, 0x803);
				evb_int(&B, 1234);
			} else { /* a failed openat */
				evb_begin(&B, PPME_SYSCALL_OPENAT_2_X, ts, tids[t]);
				evb_int(&B, -2);
				evb_int(&B, PPM_AT_FDCWD);
				evb_str(&B, "etc/shadow");
				evb_int(&B, PPM_O_RDONLY);
				evb_int(&B, 0);
			}
			evb_fill(&B);
			const uint8_t *raw = evb_end(&B, &len);
			e = NULL;
			engine_process(eng, raw, len, 0, 0);
			assert_non_null(e);
			/* per back end, rounds: a new generation, the same one again (cached
			   values), a new one; then frc_field serves: no slot table, too small a
			   table, no state, no scratch memory */
			for (int k = 0; k < 2; k++) {
				for (int round = 0; round < 7; round++) {
					static struct matches mx, my;
					char what[64];
					struct frc_slots *use = round == 3 ? NULL : round == 4 ? small : mine;
					struct frc_state *st = e->st;
					struct frc_scratch *sc = e->scratch;
					snprintf(what, sizeof(what), "%s round %d event %d", kind_name[k],
						 round, ev);
					if (round != 1)
						e->gen++;
					if (round == 5)
						e->st = NULL;
					if (round == 6)
						e->scratch = NULL;
					e->slots = use;
					assert_true((extract_field_entries(e, n) != NULL) == (round < 3));
					mx.n = my.n = 0;
					ruleset_eval(rs[k][0], e, e->type, collect, &mx);
					e->slots = use == mine ? twin : use;
					ruleset_eval(rs[k][1], e, e->type, collect, &my);
					e->slots = use;
					same_matches(&mx, &my, what);
					total += mx.n;
					if (use == mine)
						same_values(e, refs, n, mine, twin, what);
					e->st = st;
					e->scratch = sc;
				}
			}
			e->slots = NULL;
		}
	}
	assert_true(total > 0);
	engine_free(eng);
	extract_slots_free(mine);
	extract_slots_free(twin);
	extract_slots_free(small);
	for (int k = 0; k < 2; k++)
		for (int j = 0; j < 2; j++)
			ruleset_free(rs[k][j]);
	arena_free_all(&a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_entries_equal_frc_field),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
