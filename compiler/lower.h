/* SPDX-License-Identifier: Apache-2.0
 *
 * Lowering: the checked AST of every rule (struct frc_rules, compiler/frc.h) into the IR
 * (ir.h): field slots, interned constant pools (strings, numbers, addresses, networks,
 * sets, glob/regex patterns, pmatch lists), one condition root per rule, and the initial
 * event-code dispatch groups built from each rule's event-type set (rule order kept).
 *
 * Errors (limits, malformed or unchecked input) are reported through struct ir_diag and
 * counted; lowering continues with the next rule.
 */
#ifndef FRC_COMPILER_LOWER_H
#define FRC_COMPILER_LOWER_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>

#include "frc.h"
#include "ir.h"

/**
 * struct ir_diag - where back-end errors go.
 * @report: called once per error with the rule concerned (may be NULL) and a message;
 *          when NULL, errors are printed to stderr as "file:line: error: message"
 * @nerrors: number of errors reported so far
 */
struct ir_diag {
	void (*report)(void *ctx, const struct frc_rule *rule, const char *msg);
	void *ctx;
	uint32_t nerrors;
};

void ir_diag_error(struct ir_diag *d, const struct frc_rule *rule, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/**
 * lower_rules() - lower every rule of @rules into @ir (which must be freshly initialised;
 * @ir->normalize decides whether and/or are normalised while building).
 * Rules whose source is neither unset nor "syscall" get a false condition (no syscall
 * event can match them). Return: the number of errors added to @d.
 */
uint32_t lower_rules(struct ir *ir, const struct frc_rules *rules, struct ir_diag *d);

#endif
