/* SPDX-License-Identifier: Apache-2.0
 *
 * The predicate IR: a hash-consed DAG of boolean nodes (and/or/not/test) over value nodes
 * (field slots, transformers, constants), with constant pools, a field-slot table and the
 * per-event-code dispatch groups. Built by lower.c from the checked AST, rewritten by the
 * passes of opt.c, read by emit_c.c and emit_bpf.c.
 *
 * Nodes live in one array and refer to each other by uint32_t index; identical nodes are
 * created once (ir_node_get), so structurally equal sub-conditions of different rules are
 * the same node. Nodes are never removed: passes build new roots.
 *
 * Ownership: struct ir owns its arrays (malloc'd, freed by ir_fini) and an arena for bytes
 * it creates (decoded hex, lower-cased constants). Bytes of constants taken from the AST
 * point into the AST's arena, which must outlive the IR.
 */
#ifndef FRC_COMPILER_IR_H
#define FRC_COMPILER_IR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "ast.h"
#include "frc.h"
#include "types.h"

/* Explicit limits (errors name them). */
#define IR_MAX_NODES (1u << 24)
#define IR_MAX_DEPTH 500	  /* nesting of and/or/not/transformers in one condition */
#define IR_MAX_LIST (1u << 20)	  /* items of one `in`/`pmatch` list */
#define IR_MAX_STRLEN (1u << 24)  /* bytes of one string constant */
#define IR_MAX_RULES (1u << 20)
#define IR_MAX_PM_DEPTH 1024	  /* path components of one pmatch pattern */

enum ir_kind {
	IR_TRUE,
	IR_FALSE,
	IR_AND,		/* kids: conditions, all true */
	IR_OR,		/* kids: conditions, one true */
	IR_NOT,		/* a: condition */
	IR_TEST,	/* a: lhs value node; op; quant; b: constant, or rhs value node (rhs_val) */
	IR_VFIELD,	/* a: field slot */
	IR_VXFORM,	/* op: enum xform_kind; kids: argument value nodes; b: constant of [arg]
			 * or UINT32_MAX */
	IR_VCONST,	/* a: constant (a transformer argument) */
	IR__COUNT
};

/**
 * struct ir_node - one node.
 * @kind: enum ir_kind
 * @op: enum cmp_op (IR_TEST) or enum xform_kind (IR_VXFORM)
 * @quant: FRC_Q_ANY or FRC_Q_ALL (IR_TEST on a multi-valued field)
 * @rhs_val: IR_TEST compares with another value node (field/transformer) in @b
 * @type: enum ft_type of the value (V* nodes) or of the compared lhs (IR_TEST)
 * @a, @b: see enum ir_kind
 * @nkids, @kids: children, at ir.kids[@kids .. @kids + @nkids)
 * @cost: estimated cost of evaluating every part once (the share pass's worthiness)
 * @ptrue: estimated probability that a condition is true, per mille (1..999)
 * @ecost: estimated expected cost of evaluating the condition with short-circuit, in 1/16
 *         units: for and/or the cost of each child weighted by the probability that it is
 *         reached. and/or children are ordered by @ecost / P(child decides) (fold pass).
 */
struct ir_node {
	uint8_t kind;
	uint8_t op;
	uint8_t quant;
	uint8_t rhs_val;
	uint8_t type;
	uint8_t pad_;
	uint16_t ptrue;
	uint32_t a, b;
	uint32_t nkids, kids;
	uint32_t cost;
	uint32_t ecost;
};

enum ir_ckind {
	IRC_STR,	/* s/len: bytes */
	IRC_NUM,	/* u: 64-bit pattern; sgn: signed ordering */
	IRC_IP,		/* ip */
	IRC_NET,	/* ip with prefix */
	IRC_STRSET,	/* items: IRC_STR constants, sorted, unique */
	IRC_NUMSET,	/* items: IRC_NUM constants, sorted by value, unique */
	IRC_IPSET,	/* items: IRC_IP constants */
	IRC_NETSET,	/* items: IRC_NET constants */
	IRC_GLOB,	/* s/len: pattern; icase: iglob */
	IRC_REGEX,	/* s/len: pattern */
	IRC_PMATCH,	/* items: IRC_STR patterns */
	IRC__COUNT
};

struct ir_ip {
	uint8_t family;	/* 4 or 6 */
	uint8_t prefix;	/* IRC_NET only */
	uint8_t b[16];
};

/**
 * struct ir_const - one pooled constant. Pools are interned: equal constants share an
 * index.
 */
struct ir_const {
	uint8_t kind;
	uint8_t sgn;
	uint8_t icase;
	uint8_t pad_;
	uint32_t len;
	const uint8_t *s;
	uint64_t u;
	struct ir_ip ip;
	uint32_t nitems, items; /* ir.citems[items .. items + nitems) */
};

/* A field slot: one distinct (field, argument) pair, an index of frc_g_fields[]. */
struct ir_slot {
	enum field_id field;
	const char *arg;
	uint32_t arg_len;
	int64_t arg_index;
};

/* A rule and its condition. */
struct ir_rule {
	const struct frc_rule *src;
	uint32_t root;
};

/**
 * struct ir_group - the rules evaluated for a set of event codes, in rule order.
 * @rules, @roots: rule ids and the condition evaluated for each (may differ from the
 *                 rule's root when specialised to the group's event codes)
 */
struct ir_group {
	uint32_t n;
	uint32_t *rules;
	uint32_t *roots;
};

/**
 * struct ir - the whole IR of a ruleset.
 * @code_group: per event code, group index + 1, or 0 when no rule wants the code
 * @other_group: group index + 1 for codes >= FRC_EVT_CODES (rules without an
 *               event-type restriction), or 0
 * @normalize: constructors flatten, fold and sort and/or (off at -O0)
 */
struct ir {
	struct arena arena;
	struct ir_node *nodes;
	uint32_t nnodes, cap_nodes;
	uint32_t *kids;
	uint32_t nkids, cap_kids;
	struct ir_const *consts;
	uint32_t nconsts, cap_consts;
	uint32_t *citems;
	uint32_t ncitems, cap_citems;
	struct ir_slot *slots;
	uint32_t nslots, cap_slots;
	struct ir_rule *rules;
	uint32_t nrules;
	struct ir_group *groups;
	uint32_t ngroups, cap_groups;
	uint32_t code_group[FRC_EVT_CODES];
	uint32_t other_group;
	uint32_t *memo;		/* per node: memo index + 1 (share pass), or 0 */
	uint32_t nmemo_nodes;	/* entries of @memo */
	uint32_t nmemo;		/* memo indexes handed out */
	bool normalize;
	bool oom;
	unsigned factor_depth;	/* nesting of or-factoring inside the constructors (bounded) */
	/* hash tables (open addressing, value = index + 1) */
	uint32_t *nhash, nhash_cap;
	uint32_t *chash, chash_cap;
	uint32_t *shash, shash_cap;
};

void ir_init(struct ir *ir);
void ir_fini(struct ir *ir);

/**
 * ir_node_get() - the index of the node equal to @tmpl with children @kids (copied),
 * creating it if needed. @tmpl's @nkids/@kids/@cost/@ptrue/@ecost are ignored. Returns UINT32_MAX and
 * sets @ir->oom on allocation failure or when IR_MAX_NODES is reached.
 */
uint32_t ir_node_get(struct ir *ir, const struct ir_node *tmpl, const uint32_t *kids,
		     uint32_t nkids);

/* Constructors (hash-consed). ir_and/ir_or normalise when @ir->normalize. */
uint32_t ir_true(struct ir *ir);
uint32_t ir_false(struct ir *ir);
uint32_t ir_not(struct ir *ir, uint32_t child);
uint32_t ir_and(struct ir *ir, const uint32_t *kids, uint32_t n);
uint32_t ir_or(struct ir *ir, const uint32_t *kids, uint32_t n);

/* Children of node @id. */
static inline const uint32_t *ir_kids(const struct ir *ir, uint32_t id)
{
	return ir->kids + ir->nodes[id].kids;
}

/* Interned constant equal to @c (items copied from @items); UINT32_MAX on failure. */
uint32_t ir_const_get(struct ir *ir, const struct ir_const *c, const uint32_t *items,
		      uint32_t nitems);
/* Interned field slot; UINT32_MAX on failure. */
uint32_t ir_slot_get(struct ir *ir, enum field_id field, const char *arg, uint32_t arg_len,
		     int64_t arg_index);

/* Appends a group (arrays copied) and returns its index, reusing an identical group. */
uint32_t ir_group_get(struct ir *ir, const uint32_t *rules, const uint32_t *roots, uint32_t n);

/* Spelling of an operator / transformer / ir kind (for dumps). */
const char *ir_op_name(unsigned op);
const char *ir_xform_name(unsigned k);

/**
 * ir_dump() - deterministic text of the IR: slots, constants, each rule's condition
 * tree (shared nodes printed once, then referenced as @N) and the dispatch groups.
 * Returns a malloc'd NUL-terminated string (caller frees), NULL on allocation failure.
 */
char *ir_dump(const struct ir *ir);

#endif
