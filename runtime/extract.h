/* SPDX-License-Identifier: Apache-2.0
 *
 * Field extraction: the value of every field of compiler/fields.def on an event, with
 * libsinsp's exact semantics and text (fields.md). Two entry points:
 *  - frc_field(e, slot) (runtime/frc_rt_abi.h), for compiled conditions: values as the
 *    filter compares them; multi-valued fields (ancestors without index, either socket
 *    end, list fields) return .items; cached per event by a generation counter;
 *  - extract_value(e, field, arg, arg_len, arg_index), for outputs: values as Falco
 *    prints them (ancestors joined with spaces, evt.buffer escaped, ...).
 * Absent values are NULL (outputs print "<NA>", conditions are false).
 *
 * Owner: rtcore. No allocation on the per-event path: values point into the event, the
 * state tables, a per-event scratch arena that only grows past its high-water mark, or
 * (frc_field) memory of the slot table: a few slots remember texts that are a function of
 * their inputs (a capability set's names, the last environment joined, compared byte for
 * byte before reuse); such a value stays valid until the slot is extracted again, for
 * the next event.
 */
#ifndef FRC_RUNTIME_EXTRACT_H
#define FRC_RUNTIME_EXTRACT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"
#include "frc_rt_abi.h"

/* the per-event scratch arena */
struct frc_scratch *scratch_new(void);
void scratch_free(struct frc_scratch *s);
void scratch_reset(struct frc_scratch *s);
/* start of an event: reset, and note the first event time (evt.reltime) */
void scratch_begin(struct frc_scratch *s, const struct frc_evt *e);

/**
 * extract_slots_new() - bind the slot table of a compiled ruleset: resolves arguments
 * once (evt.arg names, container.mount patterns, ...). Returns NULL and a message in
 * @err for an unusable slot (unknown field id, bad argument).
 */
struct frc_slots *extract_slots_new(const struct frc_field_ref *refs, uint32_t n, char *err,
				    size_t errlen);
void extract_slots_free(struct frc_slots *s);

/**
 * extract_field_entries() - the accessors for struct frc_run's field table on event @e
 * for a unit of @n slots: per slot of @e's slot table, a function that returns what
 * frc_field(e, slot) returns, for as long as @e's slot table, state and scratch memory
 * stay the same. NULL when frc_field itself must serve (no slot table, fewer than @n
 * slots, no state or no scratch memory).
 */
const frc_field_fn *extract_field_entries(const struct frc_evt *e, uint32_t n);

/*
 * For tests: the kind of extractor of slot @i of @ss, 0 .. *@nkinds - 1 (each kind has an
 * accessor of its own among extract_field_entries'), or -1 for an extractor without one
 * (its accessor calls it through its pointer, as frc_field does) or no such slot.
 */
int extract_slot_kind(const struct frc_slots *ss, uint32_t i, uint32_t *nkinds);

/* The output rendering of a field (see above). */
const struct frc_val *extract_value(struct frc_evt *e, uint32_t field_id, const char *arg,
				    uint32_t arg_len, int64_t arg_index);

/* The filter view of a field without a slot table (tests, tools). */
const struct frc_val *extract_filter_value(struct frc_evt *e, uint32_t field_id, const char *arg,
					   uint32_t arg_len, int64_t arg_index);

/**
 * extract_format() - render a value as Falco prints it in text outputs (numbers in
 * decimal, booleans true/false, IPs dotted/inet_ntop, multi values space-joined); "<NA>"
 * for NULL. Writes at most @size - 1 bytes plus a NUL; returns the full length.
 */
size_t extract_format(uint32_t field_id, const struct frc_val *v, char *buf, size_t size);

/**
 * extract_param_text() - param @i of @e rendered as evt.arg shows it: the resolved form
 * when there is one, else the plain one (@resolved selects; evt.args shows both).
 * Returns the text in the event's scratch arena, or NULL if the event has no such param.
 */
const char *extract_param_text(struct frc_evt *e, uint32_t i, bool resolved, size_t *len);

#endif
