/* SPDX-License-Identifier: Apache-2.0
 *
 * Test-only construction of checked ASTs and rulesets, typed the way the checker types
 * them (field ids resolved, constants converted to the field type), so the back end can
 * be tested without the front end. Everything lives in the arena passed in.
 */
#ifndef FRC_TESTS_AST_BUILD_H
#define FRC_TESTS_AST_BUILD_H

#include <stdbool.h>
#include <stdint.h>

#include "arena.h"
#include "ast.h"
#include "frc.h"

/* A field by name, with an optional argument ("proc.aname", "2"); NULL if unknown. */
struct ast *ab_field(struct arena *a, const char *name, const char *arg);
/* A constant (bytes as given) typed for comparison with @field by @op. */
struct ast *ab_value(struct arena *a, const struct ast *field, const char *s, uint32_t len);
/* A list of constants typed for @field. */
struct ast *ab_list(struct arena *a, const struct ast *field, const char *const *items,
		    const uint32_t *lens, uint32_t n);
struct ast *ab_check(struct arena *a, struct ast *lhs, enum cmp_op op, struct ast *rhs);
struct ast *ab_check_field(struct arena *a, struct ast *lhs, enum cmp_op op, struct ast *rhs);
struct ast *ab_xform(struct arena *a, enum xform_kind k, struct ast **args, uint32_t n,
		     const char *arg);
struct ast *ab_and(struct arena *a, struct ast **items, uint32_t n);
struct ast *ab_or(struct arena *a, struct ast **items, uint32_t n);
struct ast *ab_not(struct arena *a, struct ast *c);
/* `field op "value"` in one call (value NUL-terminated); list ops split on ','. */
struct ast *ab_cmp(struct arena *a, const char *field, const char *arg, enum cmp_op op,
		   const char *value);

/* Convert @s to the constant of type @t (false if it does not parse). */
bool ab_convert(struct ast_const *c, enum ft_type t, const char *s, uint32_t len);

/* Event-type set as Falco computes it (and = ∩, or = ∪, not pushed down). @name_codes maps
 * an evt.type name to its codes (bits), as evtab_codes_by_name does. */
void ab_evttypes(const struct ast *cond, struct frc_evtset *out,
		 bool (*name_codes)(const char *name, size_t len, uint64_t bits[8]));

/* Readable text of a condition (malloc'd), for failure messages. */
char *ab_dump(const struct ast *n);

/* A one-rule-at-a-time ruleset builder. */
struct ab_rules {
	struct arena *a;
	struct frc_rules rules;
	uint32_t cap;
};
void ab_rules_init(struct ab_rules *r, struct arena *a);
struct frc_rule *ab_rule(struct ab_rules *r, const char *name, struct ast *cond);

#endif
