/* SPDX-License-Identifier: Apache-2.0
 *
 * IR → one C translation unit per ruleset, for libtcc (JIT) and gcc (AOT). The unit
 * includes only "frc_rt_abi.h" and defines one exported object, frc_g_ruleset (struct
 * frc_ruleset_desc). Layout, in this order: banner; field-slot table; constant pools
 * (strings with explicit lengths, sets, globs, pmatch tries, regex sources, address
 * constants); rule descriptions (names, outputs, tags as escaped strings); prototypes;
 * one function per rule condition, per shared (memoised) sub-condition and per
 * specialised condition; one function per dispatch group evaluating its rules in rule
 * order; the per-event-code dispatch table; the descriptor.
 *
 * Output is deterministic (same IR, same bytes) and rule text reaches it only through
 * cstr.h: identifiers are numeric, comments carry ordinals and line numbers only.
 */
#ifndef FRC_COMPILER_EMIT_C_H
#define FRC_COMPILER_EMIT_C_H

#include <stddef.h>

#include "ir.h"
#include "lower.h"

/* Largest translation unit emitted (bytes). */
#define EMIT_C_MAX_OUTPUT (512u << 20)

/**
 * emit_c_ruleset() - the C text of @ir.
 * @version: frc version printed in the banner
 * @len: set to the length of the text
 * Return: malloc'd NUL-terminated text (caller frees), or NULL after reporting errors
 * (limits, out of memory) to @d.
 */
char *emit_c_ruleset(const struct ir *ir, const char *version, struct ir_diag *d, size_t *len);

#endif
