/* SPDX-License-Identifier: Apache-2.0
 *
 * The kernel side of a compiled ruleset. For now: the per-syscall interest set, i.e. the
 * event codes whose dispatch group can match some enabled rule (after the evttype pass
 * dropped rules that cannot match a code), as the 512-bit code bitmap the probe loader
 * takes (runtime/probe_load.h: probe_set_interest adds the state tables' base set of
 * events itself), plus a readable text form (`frc compile --emit bpf`).
 *
 * Invariant: the set over-approximates — it never lacks a code some enabled rule could
 * match (a code served by a rule's group is in the set; a rule without an event-type
 * restriction makes the set "all").
 */
#ifndef FRC_COMPILER_EMIT_BPF_H
#define FRC_COMPILER_EMIT_BPF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "frc.h"
#include "ir.h"

/**
 * struct emit_bpf_interest - what the probe must trace.
 * @codes: event codes (bit N = ppm event code N)
 * @generic_all: some rule wants generic syscall events (codes 0/1): trace every syscall
 *               without a dedicated event
 * @all: some rule matches any event type: trace everything
 */
struct emit_bpf_interest {
	uint64_t codes[FRC_EVT_CODES / 64];
	bool generic_all;
	bool all;
};

/* Codes of rule @rule in @ir: those whose group evaluates it; sets *@all for the other group. */
void emit_bpf_rule_codes(const struct ir *ir, uint32_t rule, uint64_t codes[8], bool *all);

/**
 * emit_bpf_interest() - the union over the rules whose @enabled byte is set (NULL: each
 * rule's own `enabled:`).
 */
void emit_bpf_interest(const struct ir *ir, const uint8_t *enabled, struct emit_bpf_interest *out);

/**
 * emit_bpf_text() - readable, deterministic text of the interest set: the codes as ranges
 * with their event names, the syscalls, and each rule's codes. Returns malloc'd text
 * (caller frees), or NULL when out of memory.
 */
char *emit_bpf_text(const struct ir *ir, const char *version, size_t *len);

#endif
