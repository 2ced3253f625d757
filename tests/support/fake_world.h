/* SPDX-License-Identifier: Apache-2.0
 *
 * Test-only event universe for back-end tests: a small event-code table (names per code,
 * generic codes 0/1), the name -> codes mapping the loader would use for event-type sets,
 * the optimiser's event knowledge derived from it, and a random generator of conditions
 * and of fake events over a fixed vocabulary (so that matches are frequent).
 */
#ifndef FRC_TESTS_FAKE_WORLD_H
#define FRC_TESTS_FAKE_WORLD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "arena.h"
#include "ast.h"
#include "opt.h"
#include "ref_eval.h"

#define FW_NCODES 24	/* codes 0..23 are used by fake events */

/* evt.type of @code when fixed (NULL for the generic codes 0 and 1). */
const char *fw_type_name(void *ctx, unsigned code);
/* Event codes of an evt.type name (bits). */
bool fw_name_codes(const char *name, size_t len, uint64_t bits[8]);
extern const struct opt_evtinfo fw_evtinfo;

/* Deterministic PRNG. */
uint64_t fw_rand(uint64_t *s);

/* A random checked condition (depth <= @depth). NULL never: retries internally. */
struct ast *fw_random_cond(struct arena *a, uint64_t *seed, unsigned depth);
/* `evt.type in (...)` with 1-3 random names. */
struct ast *fw_random_evttypes(struct arena *a, uint64_t *seed);
/* A random event; values live in @a. */
void fw_random_event(struct arena *a, uint64_t *seed, struct fake_evt *out);

#endif
