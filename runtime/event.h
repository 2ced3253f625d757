/* SPDX-License-Identifier: Apache-2.0
 *
 * struct frc_evt: a decoded, read-only view over one event in the scap wire format
 * (ppm header + u16/u32 parameter lengths + data), as read from a capture or received
 * from the probe. Decoding validates every length and records where each parameter
 * is; nothing is copied. The struct also carries the per-event context the engine and
 * the state tables attach (thread, fd, evt.num, extraction cache), so that frc_field()
 * (runtime/frc_rt_abi.h) can work from the event pointer alone.
 *
 * Also a small builder that writes synthetic events in the same format (tests, probe
 * self-checks).
 *
 * Owner: rtcore. Per-event rule: event_decode() and the accessors never allocate.
 */
#ifndef FRC_RUNTIME_EVENT_H
#define FRC_RUNTIME_EVENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "evtab.h"

#define FRC_EVT_HDR_LEN 26	/* ts u64, tid u64, len u32, type u16, nparams u32 */
#define FRC_EVT_MAXP 32		/* most params of any schema (evtab) */

struct frc_state;
struct frc_thread;
struct frc_fd;
struct frc_slots;
struct frc_scratch;

/**
 * struct frc_evt - one event being processed.
 * @raw, @len: the event bytes (header included)
 * @nparams: params present in the event, at most the schema's count (extra ones are
 *           ignored) and at most FRC_EVT_MAXP
 * @pv, @pl: data pointer and length of each param (length 0 = empty param)
 * @dflags: SCAP_DF_* block flags (captures)
 * @num: evt.num (set by the engine)
 * @gen: generation counter, bumped for each event (extraction cache key)
 * @hidden: parsed for state but not shown to rules/outputs (enter events, state-only)
 * @thr: thread of the event after state parsing, or NULL
 * @fdi: fd info of the event after state parsing, or NULL
 * @fd_name_changed: fd.name changed while parsing this event
 * @errorcode: positive errno of a failed syscall, 0 otherwise
 */
struct frc_evt {
	const uint8_t *raw;
	uint32_t len;
	uint64_t ts;
	int64_t tid;
	uint16_t type;
	uint16_t cpuid;
	uint32_t nparams;
	uint32_t dflags;
	const struct evt_schema *info;
	const uint8_t *pv[FRC_EVT_MAXP];
	uint32_t pl[FRC_EVT_MAXP];

	uint64_t num;
	uint64_t gen;
	bool hidden;

	struct frc_state *st;
	struct frc_thread *thr;
	struct frc_fd *fdi;
	bool fd_name_changed;
	int32_t errorcode;

	struct frc_slots *slots;
	struct frc_scratch *scratch;
};

/**
 * event_decode() - point @e at the event in @buf (@len bytes available) and locate its
 * params. The per-event context fields (num, thread, ...) are left untouched.
 * Return: NULL on success, else a static message (the event must then be dropped).
 */
const char *event_decode(struct frc_evt *e, const uint8_t *buf, size_t len);

/* Param @i: data pointer and length, or NULL if the event has no such param. An
 * empty param returns a non-NULL pointer with *len == 0. */
const uint8_t *event_param(const struct frc_evt *e, uint32_t i, uint32_t *len);

/* Index of the param called @name in the event's schema, if present in the event; or -1. */
int event_param_index(const struct frc_evt *e, const char *name, size_t len);

/* Typed reads of param @i; false if absent or too short (empty params included). */
bool event_u64(const struct frc_evt *e, uint32_t i, uint64_t *v);	/* 8 bytes */
bool event_i64(const struct frc_evt *e, uint32_t i, int64_t *v);	/* 8 bytes */
bool event_u32(const struct frc_evt *e, uint32_t i, uint32_t *v);	/* 4 bytes */
bool event_u16(const struct frc_evt *e, uint32_t i, uint16_t *v);	/* 2 bytes */
bool event_u8(const struct frc_evt *e, uint32_t i, uint8_t *v);	/* 1 byte */

/* Param @i read as an integer of whatever width it has (1/2/4/8 bytes, sign-extended
 * for signed param types); false if absent or empty. */
bool event_int(const struct frc_evt *e, uint32_t i, int64_t *v);

/* True if param @i exists and has length 0. */
bool event_param_empty(const struct frc_evt *e, uint32_t i);

/* Param @i as a C string (CHARBUF/FSPATH: stops at the first NUL or the param end);
 * *n gets the length. NULL if absent. An empty param gives "" (len 0). */
const char *event_str(const struct frc_evt *e, uint32_t i, size_t *n);

/**
 * event_return_value() - the syscall return value (param 0, read by its width) when the
 * event has one: an exit event other than generic, with at least one param.
 */
static inline bool event_has_return_value(const struct frc_evt *e)
{
	if (evtab_is_enter(e->type) || e->type == PPME_GENERIC_X || e->nparams == 0)
		return false;
	return (e->info->category & EVC_SYSCALL) != 0;
}

static inline int64_t event_return_value(const struct frc_evt *e)
{
	int64_t v = 0;

	if (e->nparams == 0)
		return 0;
	if (e->pl[0] == 8) {
		__builtin_memcpy(&v, e->pv[0], 8);
	} else if (e->pl[0] == 4) {
		int32_t w;
		__builtin_memcpy(&w, e->pv[0], 4);
		v = w;
	}
	return v;
}

/* ---- builder for synthetic events ---- */

#define FRC_EVB_DATA 65536

/**
 * struct frc_evb - builds one event. Usage: evb_begin(), one evb_*() call per param in
 * schema order, evb_end(), which returns the event bytes (valid until the next begin).
 */
struct frc_evb {
	uint16_t type;
	uint64_t ts;
	int64_t tid;
	uint32_t nparams;
	uint32_t plen[64];
	uint32_t dlen;
	bool overflow;
	uint8_t data[FRC_EVB_DATA];
	uint8_t out[FRC_EVB_DATA + FRC_EVT_HDR_LEN + 64 * 4];
};

void evb_begin(struct frc_evb *b, uint16_t type, uint64_t ts, int64_t tid);
void evb_bytes(struct frc_evb *b, const void *p, uint32_t n);	/* raw param (n may be 0: empty) */
void evb_empty(struct frc_evb *b);
void evb_u8(struct frc_evb *b, uint8_t v);
void evb_u16(struct frc_evb *b, uint16_t v);
void evb_u32(struct frc_evb *b, uint32_t v);
void evb_u64(struct frc_evb *b, uint64_t v);
void evb_i64(struct frc_evb *b, int64_t v);
void evb_str(struct frc_evb *b, const char *s);			/* with its NUL */
void evb_strs(struct frc_evb *b, const char *const *v, size_t n);	/* NUL-separated blob */
/* SOCKADDR / SOCKTUPLE params; addresses as text ("1.2.3.4" or "::1") */
void evb_sockaddr_in(struct frc_evb *b, const char *ip, uint16_t port);
void evb_sockaddr_un(struct frc_evb *b, const char *path);
void evb_tuple_in(struct frc_evb *b, const char *sip, uint16_t sport, const char *dip,
		  uint16_t dport);
void evb_tuple_un(struct frc_evb *b, uint64_t src, uint64_t dst, const char *path);
/* An integer param written with the width of the next param's schema type (1/2/4/8
 * bytes; non-integer types get 8). */
void evb_int(struct frc_evb *b, int64_t v);
/* Add empty params up to the schema's param count. */
void evb_fill(struct frc_evb *b);
/* Finish; returns the event and its length, or NULL if it did not fit. */
const uint8_t *evb_end(struct frc_evb *b, uint32_t *len);

#endif
