/* SPDX-License-Identifier: Apache-2.0
 *
 * Hostile strings against the C emitter. Every string of tests/hostile/corpus.txt, every
 * byte 1..255 (alone and between letters), a 64 KiB string and random byte strings go
 * into rule names, tags and condition constants (=, in, startswith, contains, or-ed
 * contains and icontains of one value: needle sets, two of them with every string) of a
 * rules file loaded by the real front end. The emitted C must be printable ASCII without
 * trigraph sequences, carry no rule text in comments, compile with libtcc and with
 * `gcc -std=c11 -pedantic -Wall -Wextra -Werror`, and at run time each rule must match
 * exactly the event whose values are its own bytes, and the rule names and tags kept in
 * the compiled descriptor must equal the loaded ones byte for byte.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "arena.h"
#include "loader.h"
#include "opt.h"
#include "ref_eval.h"
#include "ruleset.h"
#include "types.h"

/* ------------------------------------------------------------------ field provider */

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

/* ------------------------------------------------------------------ corpus */

struct str {
	uint8_t *b;
	uint32_t n;
};

struct corpus {
	struct str *s;
	uint32_t n, cap;
};

static void add(struct corpus *c, const uint8_t *b, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		if (!b[i])
			return; /* NUL is rejected by the parser: not part of the corpus */
	for (uint32_t i = 0; i < c->n; i++)
		if (c->s[i].n == n && !memcmp(c->s[i].b, b, n))
			return;
	if (c->n == c->cap) {
		c->cap = c->cap ? 2 * c->cap : 256;
		c->s = realloc(c->s, c->cap * sizeof(*c->s));
	}
	c->s[c->n].b = malloc(n + 1);
	memcpy(c->s[c->n].b, b, n);
	c->s[c->n++].n = n;
}

static int hexd(int ch)
{
	return ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
	     : ch >= 'A' && ch <= 'F' ? ch - 'A' + 10 : -1;
}

static void load_corpus(struct corpus *c)
{
	FILE *f = fopen("tests/hostile/corpus.txt", "r");
	assert_non_null(f);
	char line[4096];
	while (fgets(line, sizeof(line), f)) {
		size_t l = strlen(line);
		if (l && line[l - 1] == '\n')
			line[--l] = 0;
		if (line[0] == '#')
			continue;
		uint8_t out[4096];
		uint32_t n = 0;
		for (size_t i = 0; i < l; i++) {
			if (line[i] == '\\' && line[i + 1] == '\\') {
				out[n++] = '\\';
				i++;
			} else if (line[i] == '\\' && line[i + 1] == 'x' && hexd(line[i + 2]) >= 0 &&
				   hexd(line[i + 3]) >= 0) {
				out[n++] = (uint8_t)(hexd(line[i + 2]) * 16 + hexd(line[i + 3]));
				i += 3;
			} else {
				out[n++] = (uint8_t)line[i];
			}
		}
		add(c, out, n);
	}
	fclose(f);
	for (int b = 1; b < 256; b++) {
		uint8_t one[3] = { 'a', (uint8_t)b, 'b' };
		add(c, one + 1, 1);
		add(c, one, 3);
	}
	uint64_t s = 0x7e57;
	for (int k = 0; k < 200; k++) {
		uint8_t buf[128];
		s = s * 6364136223846793005ull + 1442695040888963407ull;
		uint32_t n = (uint32_t)(s >> 33) % 100;
		for (uint32_t i = 0; i < n; i++) {
			s = s * 6364136223846793005ull + 1442695040888963407ull;
			buf[i] = (uint8_t)(1 + (s >> 33) % 255);
		}
		add(c, buf, n);
	}
	static uint8_t big[65536];
	for (uint32_t i = 0; i < sizeof(big); i++)
		big[i] = (uint8_t)(1 + (i * 7 + i / 255) % 255);
	add(c, big, sizeof(big));
}

/* ------------------------------------------------------------------ rules file */

struct buf {
	char *p;
	size_t n, cap;
};

static void put(struct buf *b, const char *s, size_t n)
{
	if (b->n + n + 1 > b->cap) {
		b->cap = (b->n + n + 1) * 2;
		b->p = realloc(b->p, b->cap);
	}
	memcpy(b->p + b->n, s, n);
	b->n += n;
	b->p[b->n] = 0;
}

static void puts_(struct buf *b, const char *s)
{
	put(b, s, strlen(s));
}

/* a Falco condition string: every byte but letters and digits as \xHH */
static void put_falco(struct buf *b, const struct str *s)
{
	puts_(b, "\"");
	for (uint32_t i = 0; i < s->n; i++) {
		uint8_t c = s->b[i];
		char t[8];
		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
			snprintf(t, sizeof(t), "%c", c);
		else
			snprintf(t, sizeof(t), "\\x%02x", c);
		puts_(b, t);
	}
	puts_(b, "\"");
}

/* YAML double-quoted text of (at most @max bytes of) @s; bytes >= 0x80 become the code
 * point U+00HH (YAML cannot carry invalid UTF-8), '%' is dropped (output templates) */
static void put_yaml(struct buf *b, const struct str *s, uint32_t max, bool no_percent)
{
	puts_(b, "\"");
	for (uint32_t i = 0; i < s->n && i < max; i++) {
		uint8_t c = s->b[i];
		char t[8];
		if (no_percent && c == '%')
			continue;
		if (c >= 0x20 && c < 0x7f && c != '"' && c != '\\')
			snprintf(t, sizeof(t), "%c", c);
		else
			snprintf(t, sizeof(t), "\\x%02x", c);
		puts_(b, t);
	}
	puts_(b, "\"");
}

static char *rules_yaml(const struct corpus *c, size_t *len)
{
	struct buf b = { 0 };
	for (uint32_t i = 0; i < c->n; i++) {
		bool big = c->s[i].n > 4096;
		/* the name: "R0042 " and the string, unique whatever the string */
		struct str name;
		uint32_t nl = c->s[i].n < 300 ? c->s[i].n : 300;
		name.b = malloc(nl + 16);
		name.n = (uint32_t)snprintf((char *)name.b, 16, "R%04u ", i);
		memcpy(name.b + name.n, c->s[i].b, nl);
		name.n += nl;
		puts_(&b, "- rule: ");
		put_yaml(&b, &name, UINT32_MAX, false);
		puts_(&b, "\n  desc: hostile\n  condition: 'evt.type = open and proc.name = ");
		put_falco(&b, &c->s[i]);
		if (!big) {
			puts_(&b, " and proc.pname in (\"zzz\", ");
			put_falco(&b, &c->s[i]);
			puts_(&b, ") and fd.name startswith ");
			put_falco(&b, &c->s[i]);
			puts_(&b, " and proc.cmdline contains ");
			put_falco(&b, &c->s[i]);
			/* or-ed contains (icontains) of one value: needle sets */
			struct str alt = { malloc(c->s[i].n + 2), c->s[i].n + 2 };
			memcpy(alt.b, c->s[i].b, c->s[i].n);
			memcpy(alt.b + c->s[i].n, "\x01Z", 2);
			puts_(&b, " and (proc.cmdline contains ");
			put_falco(&b, &alt);
			puts_(&b, " or proc.cmdline contains ");
			put_falco(&b, &c->s[i]);
			puts_(&b, ") and (proc.cmdline icontains ");
			put_falco(&b, &alt);
			puts_(&b, " or proc.cmdline icontains ");
			put_falco(&b, &c->s[i]);
			puts_(&b, ")");
			free(alt.b);
		}
		puts_(&b, "'\n  output: ");
		put_yaml(&b, &name, UINT32_MAX, true);
		puts_(&b, "\n  priority: WARNING\n  tags: [");
		put_yaml(&b, &name, UINT32_MAX, false);
		puts_(&b, "]\n");
		free(name.b);
	}
	/* two rules that every event matches: its command line contains its own string, one
	 * of the needles (every string of the corpus, the 64 KiB one too) */
	for (int icase = 0; icase < 2; icase++) {
		puts_(&b, icase ? "- rule: RMANYI\n" : "- rule: RMANY\n");
		puts_(&b, "  desc: hostile\n  condition: 'evt.type = open and (");
		for (uint32_t i = 0; i < c->n; i++) {
			puts_(&b, i ? " or proc.cmdline " : "proc.cmdline ");
			puts_(&b, icase ? "icontains " : "contains ");
			put_falco(&b, &c->s[i]);
		}
		puts_(&b, ")'\n  output: many\n  priority: WARNING\n");
	}
	*len = b.n;
	return b.p;
}

/* ------------------------------------------------------------------ checks */

/* printable ASCII only, no trigraph, comments from the allow-list only */
static void check_text(const char *t)
{
	for (const char *p = t; *p; p++) {
		unsigned char ch = (unsigned char)*p;
		if (!(ch == '\n' || ch == '\t' || (ch >= 0x20 && ch < 0x7f))) {
			print_error("byte 0x%02x in emitted C at offset %zu\n", ch, (size_t)(p - t));
			fail();
		}
		if (p[0] == '?' && p[1] == '?')
			fail_msg("two question marks in emitted C at offset %zu", (size_t)(p - t));
	}
	/* comments, found by a small C scanner that skips string and character literals:
	 * only the emitter's own vocabulary (rule text goes through cstr_comment) */
	for (const char *p = t; *p; p++) {
		if (*p == '"' || *p == '\'') {
			char q = *p;
			for (p++; *p && *p != q; p++)
				if (*p == '\\' && p[1])
					p++;
			assert_true(*p == q);
			continue;
		}
		if (p[0] != '/' || p[1] != '*')
			continue;
		const char *e = strstr(p + 2, "*/");
		assert_non_null(e);
		for (const char *q = p + 2; q < e; q++)
			if (!strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
				    " .,:=@#/_+->()", *q))
				fail_msg("unexpected byte '%c' in a comment", *q);
		p = e + 1;
	}
}

struct matches {
	uint32_t n;
	uint32_t ids[16];
};

static void collect(void *ctx, uint32_t id)
{
	struct matches *m = ctx;
	if (m->n < 16)
		m->ids[m->n++] = id;
}

static void set_str(struct fake_field *f, uint32_t field, const uint8_t *s, uint32_t n)
{
	memset(f, 0, sizeof(*f));
	f->field = field;
	f->arg_index = -1;
	f->v.s = s;
	f->v.len = n;
}

static void check_runs(struct ruleset *rs, const struct corpus *c, const char *what)
{
	g_slots = ruleset_fields(rs, &g_nslots);
	ruleset_set_matching(rs, RULESET_MATCH_ALL);
	for (uint32_t i = 0; i < c->n; i++) {
		const struct str *s = &c->s[i];
		uint8_t *fdn = malloc(s->n + 8), *cmd = malloc(s->n + 8), *alt = malloc(s->n + 2);
		memcpy(fdn, s->b, s->n);
		memcpy(fdn + s->n, "/tail", 6);
		cmd[0] = 'x';
		memcpy(cmd + 1, s->b, s->n);
		memcpy(cmd + 1 + s->n, "y", 2);
		memcpy(alt, s->b, s->n);
		alt[s->n] = 'Q';
		alt[s->n + 1] = 0;
		struct fake_field f[5];
		set_str(&f[0], FLD_EVT_TYPE, (const uint8_t *)"open", 4);
		set_str(&f[1], FLD_PROC_NAME, s->b, s->n);
		set_str(&f[2], FLD_PROC_PNAME, s->b, s->n);
		set_str(&f[3], FLD_FD_NAME, fdn, s->n + 5);
		set_str(&f[4], FLD_PROC_CMDLINE, cmd, s->n + 2);
		struct fake_evt ev = { 3, f, 5 };
		struct matches m = { 0 };
		ruleset_eval(rs, (struct frc_evt *)(void *)&ev, 3, collect, &m);
		/* rule i and the two rules of every string (last) */
		if (m.n != 3 || m.ids[0] != i || m.ids[1] != c->n || m.ids[2] != c->n + 1)
			fail_msg("%s: value %u (%u bytes) matched %u rules (first %u)", what, i, s->n, m.n,
				 m.n ? m.ids[0] : 0);
		/* one byte more: rule i must not match */
		set_str(&f[1], FLD_PROC_NAME, alt, s->n + 1);
		m.n = 0;
		ruleset_eval(rs, (struct frc_evt *)(void *)&ev, 3, collect, &m);
		for (uint32_t k = 0; k < m.n; k++)
			if (m.ids[k] == i)
				fail_msg("%s: rule %u matched a different value", what, i);
		free(fdn);
		free(cmd);
		free(alt);
	}
}

static void check_desc(struct ruleset *rs, const struct frc_rules *rules)
{
	assert_int_equal(ruleset_nrules(rs), rules->nrules);
	for (uint32_t i = 0; i < rules->nrules; i++) {
		const struct frc_rule_info *ri = ruleset_rule(rs, i);
		assert_string_equal(ri->name, rules->rules[i].name);
		assert_int_equal(ri->ntags, rules->rules[i].ntags);
		for (uint32_t t = 0; t < ri->ntags; t++)
			assert_string_equal(ri->tags[t], rules->rules[i].tags[t]);
		assert_string_equal(ri->output, rules->rules[i].output);
	}
}

static void test_hostile_strings(void **state)
{
	(void)state;
	static struct corpus c;
	load_corpus(&c);
	assert_true(c.n > 500);
	size_t ylen;
	char *yaml = rules_yaml(&c, &ylen);
	struct arena a;
	arena_init(&a);
	struct loader_opts lo;
	loader_opts_init(&lo);
	struct loader_input in = { "hostile.yaml", yaml, ylen };
	struct frc_rules rules;
	struct loader_results res;
	int rc = loader_load_inputs(&a, &in, 1, &lo, &rules, &res);
	if (rc)
		loader_print_text(stderr, &res, false);
	assert_int_equal(rc, 0);
	assert_int_equal(rules.nrules, c.n + 2);
	struct ruleset_opts o = { .evt = opt_evtinfo_evtab() };
	size_t len;
	char *text = ruleset_emit_c(&rules, &o, &len);
	assert_non_null(text);
	check_text(text);
	struct ruleset *jit = ruleset_jit_text(text, &o);
	assert_non_null(jit);
	check_desc(jit, &rules);
	check_runs(jit, &c, "libtcc");
	static const char *const strict[] = { "-pedantic", "-Wall", "-Wextra", "-Werror", NULL };
	struct ruleset_opts os = o;
	os.cc_args = strict;
	struct ruleset *aot = ruleset_aot_text(text, &os);
	assert_non_null(aot);
	check_desc(aot, &rules);
	check_runs(aot, &c, "gcc -std=c11 -pedantic");
	ruleset_free(jit);
	ruleset_free(aot);
	free(text);
	free(yaml);
	arena_free_all(&a);
	for (uint32_t i = 0; i < c.n; i++)
		free(c.s[i].b);
	free(c.s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hostile_strings),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
