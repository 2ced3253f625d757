/* SPDX-License-Identifier: Apache-2.0
 *
 * Test-only reference evaluator: a straightforward walk of a checked condition AST that
 * implements fields.md §2-3 directly (absent values false for every operator, `not` the
 * only inversion, any-ancestor / either-end / list quantifiers, glob via fnmatch on
 * copies, pmatch by splitting both paths, regex via PCRE2 full match). It shares no
 * code with the runtime helpers, so the compiled code can be checked against it.
 *
 * Also a fake event model: a table of (field, argument) → value for tests that run
 * without the runtime's extractors.
 */
#ifndef FRC_TESTS_REF_EVAL_H
#define FRC_TESTS_REF_EVAL_H

#include <stdbool.h>
#include <stdint.h>

#include "ast.h"
#include "frc_rt_abi.h"

/* Value of @field (an AST_FIELD node) on the current event, or NULL when absent. */
typedef const struct frc_val *(*ref_get_fn)(void *ctx, const struct ast *field);

bool ref_eval(const struct ast *cond, ref_get_fn get, void *ctx);

/* One value of a fake event. */
struct fake_field {
	uint32_t field;		/* enum field_id */
	const char *arg;	/* NULL if none */
	uint32_t arg_len;
	int64_t arg_index;	/* -1 if none */
	struct frc_val v;
};

struct fake_evt {
	uint32_t code;
	struct fake_field *f;
	uint32_t n;
};

/* The value of (field, arg) on @e, or NULL. */
const struct frc_val *fake_get(const struct fake_evt *e, uint32_t field, const char *arg,
			       uint32_t arg_len, int64_t arg_index);
/* ref_get_fn over a struct fake_evt (ctx). */
const struct frc_val *fake_ref_get(void *ctx, const struct ast *field);

#endif
