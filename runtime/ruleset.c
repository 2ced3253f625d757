/* SPDX-License-Identifier: Apache-2.0
 *
 * Loaded rulesets (see ruleset.h): building (JIT, AOT shared object, linked-in),
 * validating a descriptor before first use, rule selection, and the per-event entry.
 */
#include "ruleset.h"

#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "arena.h"
#include "emit_c.h"
#include "extract.h"
#include "frc.h"
#include "ir.h"
#include "jit.h"
#include "lower.h"
#include "opt.h"
#include "rt_helpers.h"
#include "types.h"
#include "version.h"

extern char **environ;

/* the default rules linked into the binary (generated/rules.c), if any */
extern const struct frc_ruleset_desc frc_g_ruleset __attribute__((weak));

/*
 * The per-slot accessors of the field extractor (extract.c), when this program has it: a
 * program that supplies its own frc_field (tests with events of their own) does not link
 * extract.c, and then frc_field serves every slot.
 */
#pragma weak extract_field_entries

enum code_kind { CODE_LINKED, CODE_JIT, CODE_SO };

struct ruleset {
	struct arena arena;	/* every table below */
	enum code_kind kind;
	struct jit *jit;
	void *so;
	const struct frc_ruleset_desc *desc;
	struct frc_run run;
	frc_field_fn *field;	/* [nfields] the field accessor (frc_field or opts' field_fn) */
	bool entries;		/* ... is frc_field: use extract_field_entries when it can */
	void **regex;		/* compiled patterns, freed one by one */
	uint8_t *sel;		/* selection (enable/disable calls) */
	uint8_t *enabled;	/* effective mask handed to the code */
	uint32_t min_prio;
	enum ruleset_matching matching;
	uint64_t *counts;
	uint64_t events;
	ruleset_match_fn cb;	/* current evaluation */
	void *cb_ctx;
	uint32_t nmatch;
};

/* one error: @what followed by @detail */
static void report(const struct ruleset_opts *o, const char *what, const char *detail)
{
	struct ir_diag fallback = { 0 };
	struct ir_diag *d = o && o->diag ? o->diag : &fallback;
	ir_diag_error(d, NULL, "%s%s", what, detail);
}

/* ------------------------------------------------------------------ evaluation */

int frc_rt_match(struct frc_run *r, frc_u32 rule)
{
	struct ruleset *rs = r->host;
	rs->counts[rule]++;
	rs->nmatch++;
	if (rs->cb)
		rs->cb(rs->cb_ctx, rule);
	return rs->matching == RULESET_MATCH_FIRST;
}

uint32_t ruleset_eval(struct ruleset *rs, struct frc_evt *e, uint32_t code,
		      ruleset_match_fn on_match, void *ctx)
{
	const struct frc_ruleset_desc *d = rs->desc;
	frc_group_fn fn = code < d->ncodes ? d->dispatch[code] : d->other;
	rs->events++;
	if (!fn)
		return 0;
	if (++rs->run.gen == 0) { /* wrapped: old memo stamps could look current */
		if (d->nmemo)
			memset(rs->run.memo_gen, 0, d->nmemo * sizeof(frc_u32));
		rs->run.gen = 1;
	}
	rs->run.scratch_used = 0;
	rs->cb = on_match;
	rs->cb_ctx = ctx;
	rs->nmatch = 0;
	/* the accessors of the event's slot table: what frc_field returns, from a call site
	 * of each slot (the caller changes none of e's slot table, state and scratch memory
	 * until the evaluation returns) */
	const frc_field_fn *ft = rs->entries ? extract_field_entries(e, d->nfields) : NULL;
	rs->run.field = ft ? ft : rs->field;
	fn(e, &rs->run);
	return rs->nmatch;
}

/* ------------------------------------------------------------------ selection */

static void recompute(struct ruleset *rs)
{
	for (uint32_t i = 0; i < rs->desc->nrules; i++)
		rs->enabled[i] = rs->sel[i] && rs->desc->rules[i].priority <= rs->min_prio;
}

void ruleset_set_matching(struct ruleset *rs, enum ruleset_matching m)
{
	rs->matching = m;
}

void ruleset_enable_rule(struct ruleset *rs, uint32_t id, bool on)
{
	if (id < rs->desc->nrules) {
		rs->sel[id] = on;
		recompute(rs);
	}
}

/* '*' matches any run of characters */
static bool wild(const char *p, const char *s)
{
	while (*p && *p != '*') {
		if (*p++ != *s++)
			return false;
	}
	if (!*p)
		return !*s;
	while (*p == '*')
		p++;
	if (!*p)
		return true;
	for (; *s; s++)
		if (wild(p, s))
			return true;
	return wild(p, s);
}

uint32_t ruleset_enable_name(struct ruleset *rs, const char *pattern, bool on)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < rs->desc->nrules; i++)
		if (rs->desc->rules[i].name && wild(pattern, rs->desc->rules[i].name)) {
			rs->sel[i] = on;
			n++;
		}
	recompute(rs);
	return n;
}

uint32_t ruleset_enable_tag(struct ruleset *rs, const char *tag, bool on)
{
	uint32_t n = 0;
	for (uint32_t i = 0; i < rs->desc->nrules; i++) {
		const struct frc_rule_info *r = &rs->desc->rules[i];
		for (uint32_t t = 0; t < r->ntags; t++)
			if (!strcmp(r->tags[t], tag)) {
				rs->sel[i] = on;
				n++;
				break;
			}
	}
	recompute(rs);
	return n;
}

void ruleset_set_min_priority(struct ruleset *rs, uint32_t prio)
{
	rs->min_prio = prio;
	recompute(rs);
}

bool ruleset_rule_enabled(const struct ruleset *rs, uint32_t id)
{
	return id < rs->desc->nrules && rs->enabled[id];
}

uint32_t ruleset_nrules(const struct ruleset *rs)
{
	return rs->desc->nrules;
}

const struct frc_rule_info *ruleset_rule(const struct ruleset *rs, uint32_t id)
{
	return id < rs->desc->nrules ? &rs->desc->rules[id] : NULL;
}

const struct frc_field_ref *ruleset_fields(const struct ruleset *rs, uint32_t *n)
{
	*n = rs->desc->nfields;
	return rs->desc->fields;
}

void ruleset_interest(const struct ruleset *rs, uint64_t codes[8], bool *generic_all, bool *all)
{
	memset(codes, 0, 8 * sizeof(uint64_t));
	*all = false;
	for (uint32_t i = 0; i < rs->desc->nrules; i++) {
		if (!rs->enabled[i])
			continue;
		const struct frc_rule_info *r = &rs->desc->rules[i];
		for (int w = 0; w < 8; w++)
			codes[w] |= r->codes[w];
		*all |= r->all_codes != 0;
	}
	*generic_all = (codes[0] & 3) != 0;
}

uint64_t ruleset_matches(const struct ruleset *rs, uint32_t id)
{
	return id < rs->desc->nrules ? rs->counts[id] : 0;
}

uint64_t ruleset_events(const struct ruleset *rs)
{
	return rs->events;
}

/* ------------------------------------------------------------------ loading */

/* the checks done before compiled code is ever called */
static const char *validate(const struct frc_ruleset_desc *d)
{
	if (!d)
		return "no descriptor";
	if (d->abi_version != FRC_ABI_VERSION)
		return "ABI version mismatch (code emitted by another frc)";
	if (d->desc_size != sizeof(*d))
		return "descriptor size mismatch";
	if (d->ncodes != FRC_EVT_CODES || !d->dispatch)
		return "dispatch table has the wrong size";
	if (d->nrules && !d->rules)
		return "rule table missing";
	if (d->nfields && !d->fields)
		return "field table missing";
	if (d->nregex && !d->regex)
		return "regex table missing";
	for (uint32_t i = 0; i < d->nfields; i++)
		if (d->fields[i].field >= FLD__COUNT || (d->fields[i].arg_len && !d->fields[i].arg))
			return "field table names an unknown field";
	for (uint32_t i = 0; i < d->nrules; i++)
		if (!d->rules[i].name || d->rules[i].priority >= PRIO__COUNT ||
		    (d->rules[i].ntags && !d->rules[i].tags))
			return "rule table entry malformed";
	return NULL;
}

static struct ruleset *load(const struct frc_ruleset_desc *d, enum code_kind kind,
			    const struct ruleset_opts *o)
{
	const char *why = validate(d);
	if (why) {
		report(o, "compiled ruleset rejected: ", why);
		return NULL;
	}
	struct ruleset *rs = calloc(1, sizeof(*rs));
	if (!rs)
		goto oom;
	arena_init(&rs->arena);
	rs->kind = kind;
	rs->desc = d;
	rs->min_prio = PRIO_DEBUG;
	uint32_t n = d->nrules ? d->nrules : 1, scratch = o && o->scratch_bytes ? o->scratch_bytes
									       : 256u << 10;
	rs->sel = arena_alloc(&rs->arena, n);
	rs->enabled = arena_alloc(&rs->arena, n);
	rs->counts = arena_alloc(&rs->arena, n * sizeof(uint64_t));
	rs->run.memo_gen = arena_alloc(&rs->arena, (d->nmemo ? d->nmemo : 1) * sizeof(frc_u32));
	rs->run.memo_val = arena_alloc(&rs->arena, d->nmemo ? d->nmemo : 1);
	rs->regex = arena_alloc(&rs->arena, (d->nregex ? d->nregex : 1) * sizeof(void *));
	rs->run.scratch = arena_alloc(&rs->arena, scratch);
	rs->field = arena_alloc(&rs->arena, (d->nfields ? d->nfields : 1) * sizeof(frc_field_fn));
	if (!rs->sel || !rs->enabled || !rs->counts || !rs->run.memo_gen || !rs->run.memo_val ||
	    !rs->regex || !rs->run.scratch || !rs->field)
		goto oom;
	frc_field_fn acc = o && o->field_fn ? o->field_fn : frc_field;
	for (uint32_t i = 0; i < d->nfields; i++)
		rs->field[i] = acc;
	rs->entries = acc == frc_field && extract_field_entries;
	rs->run.field = rs->field;
	for (uint32_t i = 0; i < d->nregex; i++) {
		char err[256];
		rs->regex[i] = rt_helpers_regex_compile(d->regex[i].s, d->regex[i].len, err,
							sizeof(err));
		if (!rs->regex[i]) {
			report(o, "invalid regex pattern: ", err);
			ruleset_free(rs);
			return NULL;
		}
	}
	rs->run.scratch_cap = scratch;
	rs->run.regex = rs->regex;
	rs->run.enabled = rs->enabled;
	rs->run.host = rs;
	rs->run.gen = 0;
	for (uint32_t i = 0; i < d->nrules; i++)
		rs->sel[i] = d->rules[i].enabled != 0;
	recompute(rs);
	return rs;
oom:
	report(o, "out of memory loading a ruleset", "");
	if (rs)
		ruleset_free(rs);
	return NULL;
}

void ruleset_free(struct ruleset *rs)
{
	if (!rs)
		return;
	if (rs->regex)
		for (uint32_t i = 0; i < rs->desc->nregex; i++)
			rt_helpers_regex_free(rs->regex[i]);
	if (rs->jit)
		jit_free(rs->jit);
	if (rs->so)
		dlclose(rs->so);
	arena_free_all(&rs->arena);
	free(rs);
}

struct ruleset *ruleset_from_desc(const struct frc_ruleset_desc *d, const struct ruleset_opts *o)
{
	return load(d, CODE_LINKED, o);
}

struct ruleset *ruleset_builtin(const struct ruleset_opts *o)
{
	if (!&frc_g_ruleset)
		return NULL;
	return load(&frc_g_ruleset, CODE_LINKED, o);
}

char *ruleset_emit_c(const struct frc_rules *rules, const struct ruleset_opts *o, size_t *len)
{
	struct ir_diag fallback = { 0 };
	struct ir_diag *d = o && o->diag ? o->diag : &fallback;
	uint32_t before = d->nerrors;
	struct ir ir;
	char *text = NULL;
	ir_init(&ir);
	bool opt = !(o && o->no_opt);
	ir.normalize = false;
	if (lower_rules(&ir, rules, d) == 0) {
		struct opt_opts oo = { .level = opt ? 1 : 0, .evt = o ? o->evt : NULL };
		if (opt_run(&ir, &oo, d) == 0)
			text = emit_c_ruleset(&ir, FRC_VERSION, d, len);
	}
	ir_fini(&ir);
	if (d->nerrors != before) {
		free(text);
		return NULL;
	}
	return text;
}

struct ruleset *ruleset_jit_text(const char *c_text, const struct ruleset_opts *o)
{
	char err[4096];
	const struct frc_ruleset_desc *d = NULL;
	struct jit_sym extra[1] = { { NULL, NULL } };
	size_t nextra = 0;
	if (o && o->field_fn) {
		extra[0].name = "frc_field";
		extra[0].addr = (const void *)o->field_fn;
		nextra = 1;
	}
	struct jit *j = jit_compile(c_text, extra, nextra, &d, err, sizeof(err));
	if (!j) {
		report(o, "JIT compilation failed: ", err);
		return NULL;
	}
	struct ruleset *rs = load(d, CODE_JIT, o);
	if (!rs) {
		jit_free(j);
		return NULL;
	}
	rs->jit = j;
	return rs;
}

struct ruleset *ruleset_jit(const struct frc_rules *rules, const struct ruleset_opts *o)
{
	char *text = ruleset_emit_c(rules, o, NULL);
	if (!text)
		return NULL;
	struct ruleset *rs = ruleset_jit_text(text, o);
	free(text);
	return rs;
}

/* ------------------------------------------------------------------ AOT (gcc + dlopen) */

static bool write_file(const char *path, const char *text, size_t len)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0)
		return false;
	size_t off = 0;
	while (off < len) {
		ssize_t n = write(fd, text + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			close(fd);
			return false;
		}
		off += (size_t)n;
	}
	return close(fd) == 0;
}

/* run @argv with stderr into @errpath; true on exit status 0 */
static bool run_cc(char *const argv[], const char *errpath)
{
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 2, errpath, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	pid_t pid;
	int rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	if (rc)
		return false;
	int st;
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return false;
	return WIFEXITED(st) && WEXITSTATUS(st) == 0;
}

static void cc_errors(const struct ruleset_opts *o, const char *errpath)
{
	char buf[2048] = "";
	FILE *f = fopen(errpath, "r");
	if (f) {
		size_t n = fread(buf, 1, sizeof(buf) - 1, f);
		buf[n] = 0;
		fclose(f);
	}
	report(o, "AOT compilation failed: ", buf[0] ? buf : "(compiler did not run)");
}

struct ruleset *ruleset_aot_text(const char *c_text, const struct ruleset_opts *o)
{
	const char *base = o && o->tmpdir ? o->tmpdir : getenv("TMPDIR");
	char dir[4096], c[4200], h[4200], so[4200], er[4200];
	struct ruleset *rs = NULL;
	void *handle = NULL;
	snprintf(dir, sizeof(dir), "%s/frc-aot-XXXXXX", base && *base ? base : "/tmp");
	if (!mkdtemp(dir)) {
		report(o, "cannot create a directory for AOT compilation: ", strerror(errno));
		return NULL;
	}
	snprintf(c, sizeof(c), "%s/rules.c", dir);
	snprintf(h, sizeof(h), "%s/frc_rt_abi.h", dir);
	snprintf(so, sizeof(so), "%s/rules.so", dir);
	snprintf(er, sizeof(er), "%s/cc.err", dir);
	size_t hlen;
	const char *hdr = jit_abi_header(&hlen);
	if (!write_file(c, c_text, strlen(c_text)) || !write_file(h, hdr, hlen)) {
		report(o, "cannot write AOT sources: ", strerror(errno));
		goto out;
	}
	/* -fno-plt: the code's calls into the runtime (frc_field, helpers) go through the GOT
	 * directly, without a PLT stub's extra jump */
	char *argv[64] = { (char *)(o && o->cc ? o->cc : "gcc"), (char *)"-std=c11", (char *)"-O2",
			   (char *)"-fno-plt", (char *)"-fPIC", (char *)"-shared",
			   (char *)"-Wl,-Bsymbolic" };
	int argc = 7;
	for (size_t i = 0; o && o->cc_args && o->cc_args[i] && argc < 58; i++)
		argv[argc++] = (char *)o->cc_args[i];
	argv[argc++] = (char *)"-o";
	argv[argc++] = so;
	argv[argc++] = c;
	argv[argc] = NULL;
	if (!run_cc(argv, er)) {
		cc_errors(o, er);
		goto out;
	}
	handle = dlopen(so, RTLD_NOW | RTLD_LOCAL);
	if (!handle) {
		report(o, "dlopen failed: ", dlerror());
		goto out;
	}
	rs = load(dlsym(handle, "frc_g_ruleset"), CODE_SO, o);
	if (rs) {
		rs->so = handle;
		handle = NULL;
	}
out:
	if (handle)
		dlclose(handle);
	unlink(c);
	unlink(h);
	unlink(so);
	unlink(er);
	rmdir(dir);
	return rs;
}

struct ruleset *ruleset_aot(const struct frc_rules *rules, const struct ruleset_opts *o)
{
	char *text = ruleset_emit_c(rules, o, NULL);
	if (!text)
		return NULL;
	struct ruleset *rs = ruleset_aot_text(text, o);
	free(text);
	return rs;
}
