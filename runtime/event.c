/* SPDX-License-Identifier: Apache-2.0
 *
 * Event decoding (bounds-checked param table over the wire bytes) and the builder.
 */
#include <arpa/inet.h>
#include <string.h>

#include "event.h"

const char *event_decode(struct frc_evt *e, const uint8_t *buf, size_t len)
{
	uint32_t elen, np, ls, keep, i;
	uint16_t type;
	uint64_t at, room;
	const struct evt_schema *s;
	const uint8_t *lens = buf + FRC_EVT_HDR_LEN;

	if (len < FRC_EVT_HDR_LEN)
		return "event shorter than its header";
	memcpy(&elen, buf + 16, 4);
	memcpy(&type, buf + 20, 2);
	memcpy(&np, buf + 22, 4);
	if (elen < FRC_EVT_HDR_LEN || elen > len)
		return "event length out of bounds";
	if (type >= PPM_EVENT_MAX)
		return "unknown event type";
	s = &evtab_schemas[type];
	ls = (s->flags & EVF_LARGE_PAYLOAD) ? 4 : 2;
	at = FRC_EVT_HDR_LEN + (uint64_t)np * ls;
	if (at > elen)
		return "parameter count does not fit in the event";
	e->raw = buf;
	e->len = elen;
	memcpy(&e->ts, buf, 8);
	memcpy(&e->tid, buf + 8, 8);
	e->type = type;
	e->info = s;
	e->nparams = 0;
	/* params past the schema's count (or FRC_EVT_MAXP) are checked, not recorded */
	keep = np < s->nparams ? np : s->nparams;
	if (keep > FRC_EVT_MAXP)
		keep = FRC_EVT_MAXP;
	room = elen - at;
	if (ls == 2) {
		for (i = 0; i < keep; i++) {
			uint16_t pl;
			memcpy(&pl, lens + i * 2, 2);
			if (pl > room)
				return "parameter length exceeds the event";
			e->pv[i] = buf + at;
			e->pl[i] = pl;
			at += pl;
			room -= pl;
		}
		for (; i < np; i++) {
			uint16_t pl;
			memcpy(&pl, lens + i * 2, 2);
			if (pl > room)
				return "parameter length exceeds the event";
			room -= pl;
		}
	} else {
		for (i = 0; i < keep; i++) {
			uint32_t pl;
			memcpy(&pl, lens + i * 4, 4);
			if (pl > room)
				return "parameter length exceeds the event";
			e->pv[i] = buf + at;
			e->pl[i] = pl;
			at += pl;
			room -= pl;
		}
		for (; i < np; i++) {
			uint32_t pl;
			memcpy(&pl, lens + i * 4, 4);
			if (pl > room)
				return "parameter length exceeds the event";
			room -= pl;
		}
	}
	e->nparams = keep;
	return NULL;
}

const uint8_t *event_param(const struct frc_evt *e, uint32_t i, uint32_t *len)
{
	if (i >= e->nparams)
		return NULL;
	*len = e->pl[i];
	return e->pv[i];
}

int event_param_index(const struct frc_evt *e, const char *name, size_t len)
{
	int i = evtab_param_index(e->info, name, len);
	return i >= 0 && (uint32_t)i < e->nparams ? i : -1;
}

#define READER(fname, T, N)                                                      \
	bool fname(const struct frc_evt *e, uint32_t i, T *v)                   \
	{                                                                        \
		if (i >= e->nparams || e->pl[i] < (N))                           \
			return false;                                            \
		memcpy(v, e->pv[i], (N));                                        \
		return true;                                                     \
	}
READER(event_u64, uint64_t, 8)
READER(event_i64, int64_t, 8)
READER(event_u32, uint32_t, 4)
READER(event_u16, uint16_t, 2)
READER(event_u8, uint8_t, 1)
#undef READER

bool event_int(const struct frc_evt *e, uint32_t i, int64_t *v)
{
	uint32_t n;
	bool sgn;

	if (i >= e->nparams)
		return false;
	n = e->pl[i];
	switch (e->info->params[i].type) {
	case PT_INT8: case PT_INT16: case PT_INT32: case PT_INT64: case PT_ERRNO: case PT_FD:
	case PT_PID: case PT_FD32: case PT_PID32:
		sgn = true;
		break;
	default:
		sgn = false;
		break;
	}
	if (n >= 8) {
		memcpy(v, e->pv[i], 8);
	} else if (n >= 4) {
		uint32_t u;
		memcpy(&u, e->pv[i], 4);
		*v = sgn ? (int64_t)(int32_t)u : (int64_t)u;
	} else if (n >= 2) {
		uint16_t u;
		memcpy(&u, e->pv[i], 2);
		*v = sgn ? (int64_t)(int16_t)u : (int64_t)u;
	} else if (n == 1) {
		*v = sgn ? (int64_t)(int8_t)e->pv[i][0] : (int64_t)e->pv[i][0];
	} else {
		return false;
	}
	return true;
}

bool event_param_empty(const struct frc_evt *e, uint32_t i)
{
	return i < e->nparams && e->pl[i] == 0;
}

const char *event_str(const struct frc_evt *e, uint32_t i, size_t *n)
{
	const uint8_t *p;
	size_t k = 0;

	if (i >= e->nparams)
		return NULL;
	p = e->pv[i];
	if (e->pl[i] == 0) {
		*n = 0;
		return "";
	}
	while (k < e->pl[i] && p[k])
		k++;
	*n = k;
	return (const char *)p;
}

/* ---- builder ---- */

void evb_begin(struct frc_evb *b, uint16_t type, uint64_t ts, int64_t tid)
{
	b->type = type;
	b->ts = ts;
	b->tid = tid;
	b->nparams = 0;
	b->dlen = 0;
	b->overflow = false;
}

void evb_bytes(struct frc_evb *b, const void *p, uint32_t n)
{
	if (b->nparams >= 64 || b->dlen + (uint64_t)n > FRC_EVB_DATA) {
		b->overflow = true;
		return;
	}
	if (n)
		memcpy(b->data + b->dlen, p, n);
	b->dlen += n;
	b->plen[b->nparams++] = n;
}

void evb_empty(struct frc_evb *b)
{
	evb_bytes(b, NULL, 0);
}

void evb_u8(struct frc_evb *b, uint8_t v)
{
	evb_bytes(b, &v, 1);
}

void evb_u16(struct frc_evb *b, uint16_t v)
{
	evb_bytes(b, &v, 2);
}

void evb_u32(struct frc_evb *b, uint32_t v)
{
	evb_bytes(b, &v, 4);
}

void evb_u64(struct frc_evb *b, uint64_t v)
{
	evb_bytes(b, &v, 8);
}

void evb_i64(struct frc_evb *b, int64_t v)
{
	evb_bytes(b, &v, 8);
}

void evb_str(struct frc_evb *b, const char *s)
{
	evb_bytes(b, s, (uint32_t)strlen(s) + 1);
}

void evb_strs(struct frc_evb *b, const char *const *v, size_t n)
{
	uint8_t tmp[8192];
	size_t at = 0;

	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(v[i]) + 1;
		if (at + l > sizeof(tmp)) {
			b->overflow = true;
			return;
		}
		memcpy(tmp + at, v[i], l);
		at += l;
	}
	evb_bytes(b, tmp, (uint32_t)at);
}

/* PPM_AF_* values */
#define PPM_AF_UNIX 1
#define PPM_AF_INET 2
#define PPM_AF_INET6 10

static int parse_ip(const char *ip, uint8_t out[16])
{
	if (strchr(ip, ':'))
		return inet_pton(AF_INET6, ip, out) == 1 ? 6 : 0;
	return inet_pton(AF_INET, ip, out) == 1 ? 4 : 0;
}

void evb_sockaddr_in(struct frc_evb *b, const char *ip, uint16_t port)
{
	uint8_t a[16], buf[19];
	int fam = parse_ip(ip, a);

	if (fam == 4) {
		buf[0] = PPM_AF_INET;
		memcpy(buf + 1, a, 4);
		memcpy(buf + 5, &port, 2);
		evb_bytes(b, buf, 7);
	} else if (fam == 6) {
		buf[0] = PPM_AF_INET6;
		memcpy(buf + 1, a, 16);
		memcpy(buf + 17, &port, 2);
		evb_bytes(b, buf, 19);
	} else {
		b->overflow = true;
	}
}

void evb_sockaddr_un(struct frc_evb *b, const char *path)
{
	uint8_t buf[256];
	size_t l = strlen(path) + 1;

	if (l + 1 > sizeof(buf)) {
		b->overflow = true;
		return;
	}
	buf[0] = PPM_AF_UNIX;
	memcpy(buf + 1, path, l);
	evb_bytes(b, buf, (uint32_t)(l + 1));
}

void evb_tuple_in(struct frc_evb *b, const char *sip, uint16_t sport, const char *dip, uint16_t dport)
{
	uint8_t s[16], d[16], buf[37];
	int f1 = parse_ip(sip, s), f2 = parse_ip(dip, d);

	if (f1 == 4 && f2 == 4) {
		buf[0] = PPM_AF_INET;
		memcpy(buf + 1, s, 4);
		memcpy(buf + 5, &sport, 2);
		memcpy(buf + 7, d, 4);
		memcpy(buf + 11, &dport, 2);
		evb_bytes(b, buf, 13);
	} else if (f1 == 6 && f2 == 6) {
		buf[0] = PPM_AF_INET6;
		memcpy(buf + 1, s, 16);
		memcpy(buf + 17, &sport, 2);
		memcpy(buf + 19, d, 16);
		memcpy(buf + 35, &dport, 2);
		evb_bytes(b, buf, 37);
	} else {
		b->overflow = true;
	}
}

void evb_tuple_un(struct frc_evb *b, uint64_t src, uint64_t dst, const char *path)
{
	uint8_t buf[300];
	size_t l = strlen(path) + 1;

	if (17 + l > sizeof(buf)) {
		b->overflow = true;
		return;
	}
	buf[0] = PPM_AF_UNIX;
	memcpy(buf + 1, &src, 8);
	memcpy(buf + 9, &dst, 8);
	memcpy(buf + 17, path, l);
	evb_bytes(b, buf, (uint32_t)(17 + l));
}

void evb_int(struct frc_evb *b, int64_t v)
{
	const struct evt_schema *s = evtab_schema(b->type);
	unsigned w = 8;

	if (s && b->nparams < s->nparams)
		w = evtab_ptype_size(s->params[b->nparams].type);
	switch (w) {
	case 1: evb_u8(b, (uint8_t)v); break;
	case 2: evb_u16(b, (uint16_t)v); break;
	case 4: evb_u32(b, (uint32_t)v); break;
	default: evb_i64(b, v); break;
	}
}

void evb_fill(struct frc_evb *b)
{
	const struct evt_schema *s = evtab_schema(b->type);

	while (s && b->nparams < s->nparams && !b->overflow)
		evb_empty(b);
}

const uint8_t *evb_end(struct frc_evb *b, uint32_t *len)
{
	const struct evt_schema *s = evtab_schema(b->type);
	uint32_t ls = s && (s->flags & EVF_LARGE_PAYLOAD) ? 4 : 2;
	uint32_t total = FRC_EVT_HDR_LEN + b->nparams * ls + b->dlen;
	uint8_t *o = b->out;

	if (b->overflow || !s || total > sizeof(b->out))
		return NULL;
	memcpy(o, &b->ts, 8);
	memcpy(o + 8, &b->tid, 8);
	memcpy(o + 16, &total, 4);
	memcpy(o + 20, &b->type, 2);
	memcpy(o + 22, &b->nparams, 4);
	for (uint32_t i = 0; i < b->nparams; i++) {
		if (ls == 4) {
			memcpy(o + FRC_EVT_HDR_LEN + i * 4, &b->plen[i], 4);
		} else {
			uint16_t l = (uint16_t)b->plen[i];
			if (b->plen[i] > UINT16_MAX)
				return NULL;
			memcpy(o + FRC_EVT_HDR_LEN + i * 2, &l, 2);
		}
	}
	memcpy(o + FRC_EVT_HDR_LEN + b->nparams * ls, b->data, b->dlen);
	*len = total;
	return o;
}
