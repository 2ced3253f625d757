/* SPDX-License-Identifier: Apache-2.0
 *
 * libFuzzer target over a rules file end to end: the input is split into up to two rules
 * files at "\n---8<---\n" markers, loaded as `frc compile` does (YAML, expansion, checking),
 * and when the loader accepts it, lowered, optimised and emitted as C and as the kernel
 * filter twice (the C text must be identical: emitted code is deterministic), then the C is
 * compiled in process with libtcc. The
 * emitted C of an accepted ruleset must always compile: a failure means a rule string broke
 * out of its literal (code injection) or the emitter wrote invalid C. Load errors are
 * expected; crashes, sanitizer reports, leaks and those two invariants are findings.
 * Set FRC_FUZZ_NO_JIT=1 in the environment to skip libtcc (faster, front end only).
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "json_strict.h"
#include "emit_bpf.h"
#include "emit_c.h"
#include "loader.h"
#include "lower.h"
#include "opt.h"
#include "frc_rt_abi.h"
#include "ruleset.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char sep[] = "\n---8<---\n";

static char last_msg[4096];

static void quiet(void *ctx, const struct frc_rule *rule, const char *msg)
{
	(void)ctx;
	(void)rule;
	snprintf(last_msg, sizeof(last_msg), "%s", msg);
}

/* `frc compile`: lower, optimise, emit C and the kernel filter text; the C text or NULL */
static char *compile(const struct frc_rules *rules, struct ir_diag *d, size_t *len)
{
	struct ir ir;
	char *text = NULL;

	ir_init(&ir);
	ir.normalize = false;
	if (lower_rules(&ir, rules, d) == 0) {
		struct opt_opts oo = { .level = 1, .evt = opt_evtinfo_evtab() };
		if (opt_run(&ir, &oo, d) == 0) {
			text = emit_c_ruleset(&ir, "fuzz", d, len);
			size_t blen;
			free(emit_bpf_text(&ir, "fuzz", &blen));
		}
	}
	ir_fini(&ir);
	if (d->nerrors) {
		free(text);
		return NULL;
	}
	return text;
}

static void check_json(const struct loader_results *res, const struct frc_rules *rules)
{
	for (int k = 0; k < (rules ? 2 : 1); k++) {
		char *buf = NULL;
		size_t len = 0;
		FILE *m = open_memstream(&buf, &len);
		if (!m)
			return;
		if (k == 0)
			loader_print_json(m, res);
		else
			loader_print_describe_json(m, res, rules);
		fclose(m);
		if (!json_strict_ok(buf, len)) {
			fprintf(stderr, "fuzz_rules: invalid JSON from %s:\n%s\n",
				k ? "loader_print_describe_json" : "loader_print_json", buf);
			abort();
		}
		free(buf);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int no_jit = -1;
	if (no_jit < 0)
		no_jit = getenv("FRC_FUZZ_NO_JIT") != NULL;
	if (size > (256u << 10))
		return 0;
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = 0;

	struct loader_input in[2];
	static const char *const names[] = { "a.yaml", "b.yaml" };
	size_t n = 0, off = 0;
	while (n < 2) {
		const char *next = n < 1 ? memmem(text + off, size - off, sep, sizeof(sep) - 1) : NULL;
		size_t end = next ? (size_t)(next - text) : size;
		in[n].name = names[n];
		in[n].data = text + off;
		in[n].len = end - off;
		n++;
		if (!next)
			break;
		off = end + sizeof(sep) - 1;
	}

	struct arena a;
	arena_init(&a);
	a.limit = 256u << 20;
	struct loader_opts o;
	loader_opts_init(&o);
	o.limits.max_nodes = 200000;
	o.limits.max_items = 100000;
	o.limits.max_cond = 1u << 20;
	struct frc_rules rules;
	struct loader_results res;
	int rc = loader_load_inputs(&a, in, n, &o, &rules, &res);
	if (rc >= 0) {
		/* the JSON results (Falco's falco_load_results) and description must parse */
		check_json(&res, rc == 0 ? &rules : NULL);
	}
	if (rc == 0) {
		struct ir_diag d = { .report = quiet };
		struct ruleset_opts ro = { .evt = opt_evtinfo_evtab(), .diag = &d,
					  .field_fn = frc_field };
		size_t len1 = 0, len2 = 0;
		char *c1 = compile(&rules, &d, &len1);
		d.nerrors = 0;
		char *c2 = compile(&rules, &d, &len2);
		if (!c1 != !c2 || (c1 && (len1 != len2 || memcmp(c1, c2, len1)))) {
			fprintf(stderr, "fuzz_rules: emitted C differs between two runs\n");
			abort();
		}
		free(c2);
		if (c1 && !no_jit) {
			ro.diag->nerrors = 0;
			struct ruleset *rs = ruleset_jit_text(c1, &ro);
			if (!rs) {
				fprintf(stderr, "fuzz_rules: emitted C does not compile: %s\n%s\n",
					last_msg, c1);
				abort();
			}
			ruleset_free(rs);
		}
		free(c1);
	}
	arena_free_all(&a);
	free(text);
	return 0;
}
