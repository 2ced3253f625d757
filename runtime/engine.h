/* SPDX-License-Identifier: Apache-2.0
 *
 * The per-event pipeline shared by `frc replay` and the daemon: decode the next event,
 * number it (evt.num), update the state tables before evaluation, hand visible events
 * to a callback (the compiled ruleset and the outputs), then apply the post-evaluation
 * state changes (fd removals after close, reaping of exited threads). Counts events read,
 * by type, visible and hidden.
 *
 * Owner: rtcore. The loop itself does not allocate; the callback owns what it does.
 */
#ifndef FRC_RUNTIME_ENGINE_H
#define FRC_RUNTIME_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"
#include "evtab.h"
#include "scap.h"
#include "state.h"

struct frc_engine;
struct frc_slots;

/* Called for every visible event; return non-zero to stop the run (that value is
 * returned by engine_run_scap). */
typedef int (*frc_evt_cb)(void *ctx, struct frc_evt *e);

struct frc_engine_stats {
	uint64_t read;			/* events delivered to the engine (= last evt.num) */
	uint64_t visible;		/* handed to the callback */
	uint64_t hidden;		/* parsed for state only (enter events, state-only) */
	uint64_t invalid;		/* raw events that failed to decode (live path) */
	uint64_t sections;		/* capture sections (concatenated captures) */
	uint64_t by_type[PPM_EVENT_MAX];
};

struct frc_engine *engine_new(const struct frc_state_cfg *cfg);
void engine_free(struct frc_engine *eng);

void engine_set_callback(struct frc_engine *eng, frc_evt_cb cb, void *ctx);
/* Optional: called for the events hidden from rules (after their state update), for
 * dumps and debugging; its return value is ignored. */
void engine_set_hidden_callback(struct frc_engine *eng, frc_evt_cb cb, void *ctx);

/* The slot table of the loaded ruleset (frc_field() reads it through the event); NULL
 * to unbind. Set between events only (reload). */
void engine_set_slots(struct frc_engine *eng, struct frc_slots *slots);

struct frc_state *engine_state(struct frc_engine *eng);
const struct frc_engine_stats *engine_stats(const struct frc_engine *eng);

/**
 * engine_run_scap() - load the capture's tables into the state and process every event.
 * Return: 0 at the end of the capture, the callback's non-zero value if it stopped the
 * run, or -1 on a reader error (message in @err, with the byte offset).
 */
int engine_run_scap(struct frc_engine *eng, struct scap_reader *r, char *err, size_t errlen);

/**
 * engine_process() - the live path: one raw event in the wire format (e.g. from the probe
 * ring buffer). Invalid events are counted and dropped.
 * Return: the callback's value, or 0.
 */
int engine_process(struct frc_engine *eng, const uint8_t *raw, size_t len, uint16_t cpuid,
		   uint32_t flags);

/* True for the events rules never see although they are parsed (libsinsp hides the
 * enter events kept for TOCTOU checks and fallbacks). */
bool engine_event_hidden(uint16_t type, uint32_t dflags);

#endif
