/* SPDX-License-Identifier: Apache-2.0
 *
 * The event loop: reader or raw buffer -> decode -> evt.num -> state_pre -> callback
 * (visible events) -> state_post.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "extract.h"

struct frc_engine {
	struct frc_state *st;
	struct frc_scratch *scratch;
	struct frc_slots *slots;
	frc_evt_cb cb, hcb;
	void *ctx, *hctx;
	struct frc_evt e;
	uint64_t num;			/* evt.num of the current section */
	struct frc_engine_stats stats;
};

struct frc_engine *engine_new(const struct frc_state_cfg *cfg)
{
	struct frc_engine *eng = calloc(1, sizeof(*eng));

	if (!eng)
		return NULL;
	eng->st = state_new(cfg);
	eng->scratch = scratch_new();
	if (!eng->st || !eng->scratch) {
		engine_free(eng);
		return NULL;
	}
	return eng;
}

void engine_free(struct frc_engine *eng)
{
	if (!eng)
		return;
	state_free(eng->st);
	scratch_free(eng->scratch);
	free(eng);
}

void engine_set_callback(struct frc_engine *eng, frc_evt_cb cb, void *ctx)
{
	eng->cb = cb;
	eng->ctx = ctx;
}

void engine_set_slots(struct frc_engine *eng, struct frc_slots *slots)
{
	eng->slots = slots;
}

struct frc_state *engine_state(struct frc_engine *eng)
{
	return eng->st;
}

const struct frc_engine_stats *engine_stats(const struct frc_engine *eng)
{
	return &eng->stats;
}

void engine_set_hidden_callback(struct frc_engine *eng, frc_evt_cb cb, void *ctx)
{
	eng->hcb = cb;
	eng->hctx = ctx;
}

bool engine_event_hidden(uint16_t type, uint32_t dflags)
{
	switch (type) {
	case PPME_SYSCALL_OPEN_E:
	case PPME_SYSCALL_OPENAT_2_E:
	case PPME_SYSCALL_OPENAT2_E:
	case PPME_SYSCALL_CREAT_E:
	case PPME_SOCKET_CONNECT_E:
	case PPME_SYSCALL_EXECVE_19_E:
	case PPME_SYSCALL_EXECVEAT_E:
		return true;
	default:
		return (dflags & SCAP_DF_STATE_ONLY) != 0;
	}
}

/* the common per-event path; @e is decoded */
static int run_one(struct frc_engine *eng, struct frc_evt *e)
{
	int rc = 0;

	eng->stats.read++;
	eng->stats.by_type[e->type]++;
	e->num = ++eng->num;
	e->gen++;
	e->slots = eng->slots;
	e->scratch = eng->scratch;
	scratch_begin(eng->scratch, e);
	state_pre(eng->st, e);
	e->hidden = engine_event_hidden(e->type, e->dflags);
	if (e->hidden) {
		eng->stats.hidden++;
		if (eng->hcb)
			(void)eng->hcb(eng->hctx, e);
	} else {
		eng->stats.visible++;
		if (eng->cb)
			rc = eng->cb(eng->ctx, e);
	}
	state_post(eng->st, e);
	return rc;
}

int engine_process(struct frc_engine *eng, const uint8_t *raw, size_t len, uint16_t cpuid,
		   uint32_t flags)
{
	struct frc_evt *e = &eng->e;

	if (event_decode(e, raw, len)) {
		eng->stats.invalid++;
		return 0;
	}
	e->cpuid = cpuid;
	e->dflags = flags;
	return run_one(eng, e);
}

int engine_run_scap(struct frc_engine *eng, struct scap_reader *r, char *err, size_t errlen)
{
	struct frc_evt *e = &eng->e;
	struct scap_raw raw;
	int rc;

	state_reset(eng->st);
	state_load_scap(eng->st, r);
	eng->stats.sections++;
	for (;;) {
		rc = scap_next(r, &raw);
		if (rc == SCAP_RC_EOF)
			return 0;
		if (rc == SCAP_RC_ERROR) {
			snprintf(err, errlen, "%s", scap_error(r));
			return -1;
		}
		if (rc == SCAP_RC_SECTION) {
			/* libsinsp restarts: new tables, numbering from 1 again */
			state_reset(eng->st);
			state_load_scap(eng->st, r);
			eng->stats.sections++;
			eng->num = 0;
			continue;
		}
		const char *why = event_decode(e, raw.hdr, raw.len);
		if (why) {
			snprintf(err, errlen, "offset %llu: invalid event: %s",
				 (unsigned long long)raw.offset, why);
			return -1;
		}
		e->cpuid = raw.cpuid;
		e->dflags = raw.flags;
		rc = run_one(eng, e);
		if (rc)
			return rc;
	}
}
