/* SPDX-License-Identifier: Apache-2.0
 *
 * The extractors: one switch over compiler/fields.def, each case following the libsinsp
 * filtercheck (or container plugin field) of the same name. Texts are built in the
 * per-event scratch arena; most values point straight into the state tables.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "compiler/types.h"
#include "extract.h"
#include "state.h"

/* ---- scratch arena ---- */

struct schunk {
	struct schunk *next;
	size_t cap, used;
	char data[];
};

struct frc_scratch {
	struct schunk *head, *cur;
	bool oom;
	/* per-engine memory for the few stateful libsinsp fields (outputs without a slot) */
	uint64_t delta_prev[3];
	uint64_t first_ts;
	uint64_t *cpu_switch;
	uint32_t ncpu;
};

struct frc_scratch *scratch_new(void)
{
	return calloc(1, sizeof(struct frc_scratch));
}

void scratch_free(struct frc_scratch *s)
{
	if (!s)
		return;
	while (s->head) {
		struct schunk *n = s->head->next;
		free(s->head);
		s->head = n;
	}
	free(s->cpu_switch);
	free(s);
}

/* the chunks after the current one are unused (an allocation only moves forward): the
   reset stops at the current chunk, mostly the first */
void scratch_reset(struct frc_scratch *s)
{
	for (struct schunk *c = s->head; c; c = c->next) {
		c->used = 0;
		if (c == s->cur)
			break;
	}
	s->cur = s->head;
	s->oom = false;
}

void scratch_begin(struct frc_scratch *s, const struct frc_evt *e)
{
	struct schunk *h = s->head;

	if (__builtin_expect(h && h == s->cur, 1)) {	/* one chunk in use (the usual case) */
		h->used = 0;
		s->oom = false;
	} else {
		scratch_reset(s);
	}
	if (__builtin_expect(!s->first_ts, 0) && !(e->info->category & EVC_METAEVENT))
		s->first_ts = e->ts;
}

static void *salloc_slow(struct frc_scratch *s, size_t n)
{
	n = (n + 15) & ~(size_t)15;
	while (s->cur && s->cur->cap - s->cur->used < n) {
		if (!s->cur->next)
			break;
		s->cur = s->cur->next;
	}
	if (!s->cur || s->cur->cap - s->cur->used < n) {
		size_t cap = n > 65536 ? n : 65536;
		struct schunk *c = malloc(sizeof(*c) + cap);
		if (!c) {
			s->oom = true;
			return NULL;
		}
		c->cap = cap;
		c->used = 0;
		if (s->cur) {
			c->next = s->cur->next;
			s->cur->next = c;
		} else {
			c->next = s->head;
			s->head = c;
		}
		s->cur = c;
	}
	void *p = s->cur->data + s->cur->used;
	s->cur->used += n;
	return p;
}

/* @n bytes (rounded up to 16) from the arena: the current chunk's room inline, the rest
   (next chunk, a new one) out of line */
static inline __attribute__((always_inline)) void *salloc(struct frc_scratch *s, size_t n)
{
	struct schunk *c = s->cur;
	size_t r = (n + 15) & ~(size_t)15;
	if (c && c->cap - c->used >= r) {
		void *p = c->data + c->used;
		c->used += r;
		return p;
	}
	return salloc_slow(s, n);
}

/* string builder over the arena */
struct sb {
	struct frc_scratch *s;
	char *p;
	size_t len, cap;
};

static void sb_init(struct sb *b, struct frc_scratch *s)
{
	b->s = s;
	b->p = NULL;
	b->len = b->cap = 0;
}

/* room for @n more bytes and the NUL: where they go, or NULL (out of memory) */
static char *sb_reserve(struct sb *b, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t nc = b->cap ? b->cap * 2 : 128;
		while (nc < b->len + n + 1)
			nc *= 2;
		char *np = salloc(b->s, nc);
		if (!np)
			return NULL;
		if (b->len)
			memcpy(np, b->p, b->len);
		b->p = np;
		b->cap = nc;
	}
	return b->p + b->len;
}

static void sb_put(struct sb *b, const char *x, size_t n)
{
	char *d = sb_reserve(b, n);
	if (!d)
		return;
	memcpy(d, x, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void sb_puts(struct sb *b, const char *x)
{
	sb_put(b, x, strlen(x));
}

static void sb_printf(struct sb *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void sb_printf(struct sb *b, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof(tmp)) {
		sb_put(b, tmp, (size_t)n);
		return;
	}
	char *big = salloc(b->s, (size_t)n + 1);
	if (!big)
		return;
	va_start(ap, fmt);
	vsnprintf(big, (size_t)n + 1, fmt, ap);
	va_end(ap);
	sb_put(b, big, (size_t)n);
}

static const char *sb_str(struct sb *b)
{
	return b->p ? b->p : "";
}

static char *sdup(struct frc_scratch *s, const char *p, size_t n)
{
	char *d = salloc(s, n + 1);
	if (!d)
		return NULL;
	memcpy(d, p, n);
	d[n] = '\0';
	return d;
}

/* ---- event params as text (sinsp_evt::get_param_as_str) ---- */

struct ptext {
	const char *plain, *resolved;	/* resolved is "" when there is none */
};

static const char *thread_container(const struct frc_thread *t)
{
	return t ? t->container_id : "";
}

static void fmt_num(struct sb *b, uint8_t pf, int64_t sv, uint64_t uv, bool is_signed, int bits)
{
	uint64_t mask = bits == 64 ? ~0ull : ((1ull << bits) - 1);
	switch (pf) {
	case PF_OCT:
		sb_printf(b, "%#" PRIo64, uv & mask);
		break;
	case PF_HEX:
		sb_printf(b, "%" PRIX64, uv & mask);
		break;
	case PF_10_PADDED_DEC:
		if (is_signed)
			sb_printf(b, "%09" PRId64, sv);
		else
			sb_printf(b, "%09" PRId64, sv);
		break;
	default:
		sb_printf(b, "%" PRId64, sv);
		break;
	}
}

static int64_t rd_int(const uint8_t *p, uint32_t len, int bytes, bool sgn)
{
	uint8_t buf[8] = { 0 };
	memcpy(buf, p, len < (uint32_t)bytes ? len : (uint32_t)bytes);
	switch (bytes) {
	case 1: return sgn ? (int64_t)(int8_t)buf[0] : (int64_t)buf[0];
	case 2: { uint16_t v; memcpy(&v, buf, 2); return sgn ? (int64_t)(int16_t)v : (int64_t)v; }
	case 4: { uint32_t v; memcpy(&v, buf, 4); return sgn ? (int64_t)(int32_t)v : (int64_t)v; }
	default: { int64_t v; memcpy(&v, buf, 8); return v; }
	}
}

static void render_fd_param(struct frc_evt *e, int64_t fd, struct sb *plain, struct sb *res)
{
	sb_printf(plain, "%" PRId64, fd);
	if (!e->thr)
		return;
	if (fd >= 0) {
		struct frc_fd *f = state_thread_fd(e->thr, fd);
		if (!f)
			return;
		char tc[3] = { state_fd_typechar(f->type), 0, 0 };
		if (f->type == SCAP_FD_IPV4_SOCK || f->type == SCAP_FD_IPV6_SOCK ||
		    f->type == SCAP_FD_IPV4_SERVSOCK || f->type == SCAP_FD_IPV6_SERVSOCK) {
			switch (state_fd_l4proto(f)) {
			case SCAP_L4_TCP: tc[1] = 't'; break;
			case SCAP_L4_UDP: tc[1] = 'u'; break;
			case SCAP_L4_ICMP: tc[1] = 'i'; break;
			case SCAP_L4_RAW: tc[1] = 'r'; break;
			default: break;
			}
		}
		sb_printf(res, "<%s>%s", tc, f->name.s);
	} else if (fd == PPM_AT_FDCWD) {
		sb_puts(res, "AT_FDCWD");
	} else {
		const char *n = evtab_errno_name(-(int64_t)(int32_t)fd);
		if (n)
			sb_puts(res, n);
	}
}

static void dots(struct sb *b, const uint8_t *p, uint32_t n)
{
	char tmp[256];
	uint32_t k = 0;

	if (n == 0) {
		sb_put(b, "", 0);
		return;
	}
	for (uint32_t i = 0; i < n; i++) {
		tmp[k++] = isprint(p[i]) ? (char)p[i] : '.';
		if (k == sizeof(tmp)) {
			sb_put(b, tmp, k);
			k = 0;
		}
	}
	sb_put(b, tmp, k);
}

static void fmt_v4(struct sb *b, const uint8_t *ip, uint16_t port)
{
	sb_printf(b, "%u.%u.%u.%u:%u", ip[0], ip[1], ip[2], ip[3], port);
}

static void fmt_v6(struct sb *b, const uint8_t *ip, uint16_t port)
{
	char a[INET6_ADDRSTRLEN];
	if (inet_ntop(AF_INET6, ip, a, sizeof(a)))
		sb_printf(b, "%s:%u", a, port);
}

static bool mapped(const uint8_t *a)
{
	for (int i = 0; i < 10; i++)
		if (a[i])
			return false;
	return (a[10] == 0xff && a[11] == 0xff) ||
	       (a[10] == 0 && a[11] == 0 && a[12] == 0 && a[13] == 0 && a[14] == 0 && a[15] == 0);
}

static uint16_t u16at(const uint8_t *p)
{
	uint16_t v;
	memcpy(&v, p, 2);
	return v;
}

static void render_sockaddr(const uint8_t *p, uint32_t l, struct sb *b)
{
	bool valid;

	switch (l ? p[0] : 255) {
	case PPM_AF_INET: valid = l >= 7; break;
	case PPM_AF_INET6: valid = l >= 19; break;
	case PPM_AF_UNIX: valid = l >= 2 && p[l - 1] == '\0'; break;
	default: valid = l > 0; break;
	}
	if (!valid) {
		if (l == 0) {
			sb_puts(b, "<NA>");
			return;
		}
		sb_puts(b, p[0] == PPM_AF_UNIX ? "INVALID PATH" : p[0] == PPM_AF_INET ? "INVALID IPv4" :
			   p[0] == PPM_AF_INET6 ? "INVALID IPv6" : "INVALID SOCKADDR");
		return;
	}
	switch (p[0]) {
	case PPM_AF_UNIX:
		sb_puts(b, (const char *)p + 1);
		break;
	case PPM_AF_INET:
		fmt_v4(b, p + 1, u16at(p + 5));
		break;
	case PPM_AF_INET6:
		fmt_v6(b, p + 1, u16at(p + 17));
		break;
	default:
		sb_printf(b, "family %d", p[0]);
		break;
	}
}

static void render_socktuple(const uint8_t *p, uint32_t l, struct sb *b)
{
	bool valid;

	switch (l ? p[0] : 255) {
	case PPM_AF_INET: valid = l >= 13; break;
	case PPM_AF_INET6: valid = l >= 37; break;
	case PPM_AF_UNIX: valid = l >= 18 && p[l - 1] == '\0'; break;
	default: valid = l > 0; break;
	}
	if (!valid) {
		if (l == 0) {
			sb_puts(b, "NULL");
			return;
		}
		sb_puts(b, p[0] == PPM_AF_UNIX ? "INVALID PATH" : p[0] == PPM_AF_INET ? "INVALID IPv4" :
			   p[0] == PPM_AF_INET6 ? "INVALID IPv6" : "INVALID SOCKTUPLE");
		return;
	}
	switch (p[0]) {
	case PPM_AF_UNIX: {
		uint64_t s, d;
		memcpy(&s, p + 1, 8);
		memcpy(&d, p + 9, 8);
		sb_printf(b, "%" PRIx64 "->%" PRIx64 " %s", s, d, (const char *)p + 17);
		break;
	}
	case PPM_AF_INET:
		fmt_v4(b, p + 1, u16at(p + 5));
		sb_puts(b, "->");
		fmt_v4(b, p + 7, u16at(p + 11));
		break;
	case PPM_AF_INET6:
		if (mapped(p + 1) && mapped(p + 19)) {
			fmt_v4(b, p + 13, u16at(p + 17));
			sb_puts(b, "->");
			fmt_v4(b, p + 31, u16at(p + 35));
		} else {
			fmt_v6(b, p + 1, u16at(p + 17));
			sb_puts(b, "->");
			fmt_v6(b, p + 19, u16at(p + 35));
		}
		break;
	default:
		sb_printf(b, "family %d", p[0]);
		break;
	}
}

/* the dirfd-relative base of an FSPATH/FSRELPATH param (sinsp_evt::get_base_dir) */
static const char *base_dir(struct frc_evt *e, uint32_t i, struct sb *tmp)
{
	const struct evt_param *pi = &e->info->params[i];
	const char *cwd = state_cwd(e->thr);
	int64_t dirfd;

	if (pi->type != PT_FSRELPATH)
		return cwd;
	if (pi->aux >= e->info->nparams || e->info->params[pi->aux].type != PT_FD)
		return cwd;
	if (!event_i64(e, pi->aux, &dirfd))
		return cwd;
	if (dirfd == PPM_AT_FDCWD)
		return cwd;
	struct frc_fd *f = state_thread_fd(e->thr, dirfd);
	if (f && f->name.len) {
		sb_puts(tmp, f->name.s);
		if (f->name.s[f->name.len - 1] != '/')
			sb_puts(tmp, "/");
		return sb_str(tmp);
	}
	return "";
}

static bool legacy_null(const struct frc_evt *e, uint32_t i, enum evt_ptype t)
{
	if (t != PT_CHARBUF && t != PT_FSPATH && t != PT_FSRELPATH)
		return false;
	return e->pl[i] == 0 || (e->pl[i] == 7 && memcmp(e->pv[i], "(NULL)", 7) == 0);
}

/* string view of a string param: "<NA>" for legacy nulls, up to the first NUL */
static const char *pstring(struct frc_evt *e, uint32_t i, enum evt_ptype t, size_t *n)
{
	if (legacy_null(e, i, t)) {
		*n = 4;
		return "<NA>";
	}
	const char *s = (const char *)e->pv[i];
	size_t k = strnlen(s, e->pl[i]);
	*n = k;
	if (k == e->pl[i])
		return sdup(e->scratch, s, k);	/* not NUL-terminated: copy */
	return s;
}

static void param_text(struct frc_evt *e, uint32_t i, struct ptext *out)
{
	const struct evt_param *pi = &e->info->params[i];
	const uint8_t *p = e->pv[i];
	uint32_t l = e->pl[i];
	enum evt_ptype t = pi->type;
	uint8_t pf = pi->fmt;
	struct sb plain, res;
	char fl[1024];

	sb_init(&plain, e->scratch);
	sb_init(&res, e->scratch);
	out->plain = out->resolved = "";
	if (l == 0 && !legacy_null(e, i, t)) {
		bool null = t == PT_BYTEBUF || t == PT_SOCKTUPLE || t == PT_FDLIST ||
			    t == PT_CHARBUFARRAY || t == PT_CHARBUF_PAIR_ARRAY || t == PT_DYN;
		out->plain = null ? "NULL" : "<NA>";
		return;
	}
	if (t == PT_DYN && pi->dyn) {
		if (p[0] < pi->ndyn) {
			t = pi->dyn[p[0]].type;
			p++;
			l--;
		} else {
			out->plain = "INVALID DYNAMIC PARAMETER";
			return;
		}
	}
	switch (t) {
	case PT_INT8: case PT_INT16: case PT_INT32: case PT_INT64: {
		int bytes = t == PT_INT8 ? 1 : t == PT_INT16 ? 2 : t == PT_INT32 ? 4 : 8;
		int64_t v = rd_int(p, l, bytes, true);
		fmt_num(&plain, pf, v, (uint64_t)v, true, bytes * 8);
		break;
	}
	case PT_UINT8: case PT_UINT16: case PT_UINT32: {
		int bytes = t == PT_UINT8 ? 1 : t == PT_UINT16 ? 2 : 4;
		uint64_t v = (uint64_t)rd_int(p, l, bytes, false);
		/* libsinsp prints them with signed conversions */
		int64_t sv = bytes == 4 ? (int64_t)(int32_t)(uint32_t)v : (int64_t)v;
		fmt_num(&plain, pf, sv, v, false, bytes * 8);
		break;
	}
	case PT_UINT64: {
		int64_t v = rd_int(p, l, 8, true);
		fmt_num(&plain, pf, v, (uint64_t)v, true, 64);
		break;
	}
	case PT_FD:
		render_fd_param(e, rd_int(p, l, 8, true), &plain, &res);
		break;
	case PT_PID: {
		int64_t v = rd_int(p, l, 8, true);
		sb_printf(&plain, "%" PRId64, v);
		struct frc_thread *pt = e->st ? state_find_thread(e->st, v) : NULL;
		if (pt)
			sb_puts(&res, pt->comm.s);
		break;
	}
	case PT_ERRNO: {
		int64_t v = rd_int(p, l, 8, true);
		sb_printf(&plain, "%" PRId64, v);
		if (v < 0) {
			const char *n = evtab_errno_name(-(int64_t)(int32_t)v);
			if (n)
				sb_puts(&res, n);
		}
		break;
	}
	case PT_CHARBUF: {
		size_t n;
		out->plain = pstring(e, i, t, &n);
		return;
	}
	case PT_FSPATH:
	case PT_FSRELPATH: {
		size_t n;
		const char *path = pstring(e, i, t, &n);
		out->plain = path;
		if (e->thr && strcmp(path, "<NA>") != 0 && n && path[0] != '/') {
			struct sb tmp;
			sb_init(&tmp, e->scratch);
			const char *cwd = base_dir(e, i, &tmp);
			size_t fln = state_concat_paths(cwd, strlen(cwd), path, n, fl);
			out->resolved = sdup(e->scratch, fl, fln);
			if (!out->resolved)
				out->resolved = "";
		}
		return;
	}
	case PT_BYTEBUF:
		dots(&plain, p, l);
		break;
	case PT_SOCKADDR:
		render_sockaddr(p, l, &plain);
		break;
	case PT_SOCKTUPLE:
		render_socktuple(p, l, &plain);
		break;
	case PT_FDLIST: {
		if (!e->thr || l < 2)
			break;
		uint16_t nfds = u16at(p);
		uint32_t pos = 2;
		for (uint16_t j = 0; j < nfds && pos + 10 <= l; j++) {
			uint64_t fd;
			int16_t fl16;
			memcpy(&fd, p + pos, 8);
			memcpy(&fl16, p + pos + 8, 2);
			struct frc_fd *f = state_thread_fd(e->thr, (int64_t)fd);
			sb_printf(&plain, "%" PRIu64 ":%c%x%s", fd, f ? state_fd_typechar(f->type) : '?',
				  (uint32_t)(int32_t)fl16, j + 1 < nfds ? " " : "");
			pos += 10;
		}
		break;
	}
	case PT_SYSCALLID: {
		uint16_t sc = (uint16_t)rd_int(p, l, 2, false);
		sb_printf(&plain, "%u", sc);
		const char *n = evtab_syscall_name(sc);
		if (n)
			sb_puts(&res, n);
		break;
	}
	case PT_SIGTYPE: {
		uint8_t v = p[0];
		sb_printf(&plain, "%u", v);
		const char *n = evtab_signal_name(v);
		if (n)
			sb_puts(&res, n);
		break;
	}
	case PT_RELTIME: {
		uint64_t v = (uint64_t)rd_int(p, l, 8, false);
		if (v == UINT64_MAX) {
			sb_puts(&plain, "none");
		} else {
			sb_printf(&plain, "%" PRIu64, v);
			sb_printf(&res, "%lgs", (double)v / 1000000000);
		}
		break;
	}
	case PT_FLAGS8: case PT_FLAGS16: case PT_FLAGS32:
	case PT_ENUMFLAGS8: case PT_ENUMFLAGS16: case PT_ENUMFLAGS32: {
		int bytes = (t == PT_FLAGS8 || t == PT_ENUMFLAGS8) ? 1 :
			    (t == PT_FLAGS16 || t == PT_ENUMFLAGS16) ? 2 : 4;
		uint32_t v = (uint32_t)rd_int(p, l, bytes, false);
		char tmp[1024];
		sb_printf(&plain, "%u", v);
		evtab_render_flags(t, e->info->params[i].flags, v, tmp, sizeof(tmp));
		sb_puts(&res, tmp);
		break;
	}
	case PT_MODE: {
		uint32_t v = (uint32_t)rd_int(p, l, 4, false);
		char tmp[1024];
		fmt_num(&plain, pf, (int32_t)v, v, false, 32);
		evtab_render_flags(PT_MODE, e->info->params[i].flags, v, tmp, sizeof(tmp));
		sb_puts(&res, tmp);
		break;
	}
	case PT_ABSTIME: {
		uint64_t v = (uint64_t)rd_int(p, l, 8, false);
		time_t sec = (time_t)(v / 1000000000ull);
		struct tm tm;
		char tb[64];
		localtime_r(&sec, &tm);
		strftime(tb, sizeof(tb), "%Y-%m-%d %H:%M:%S.", &tm);
		sb_printf(&plain, "%s%09lu", tb, (unsigned long)(v % 1000000000ull));
		break;
	}
	case PT_UID: case PT_GID: {
		uint32_t v = (uint32_t)rd_int(p, l, 4, false);
		if (v < UINT32_MAX) {
			sb_printf(&plain, "%d", (int32_t)v);
			const char *name = NULL;
			if (e->thr && e->st) {
				if (t == PT_UID) {
					const struct frc_user *u = state_user(e->st, thread_container(e->thr), v);
					name = u && u->name[0] ? u->name : NULL;
				} else {
					const struct frc_group *g = state_group(e->st, thread_container(e->thr), v);
					name = g && g->name[0] ? g->name : NULL;
				}
			}
			sb_puts(&res, name ? name : "<NA>");
		} else {
			sb_puts(&plain, "-1");
			sb_puts(&res, "<NONE>");
		}
		break;
	}
	case PT_SIGSET: {
		uint32_t v = (uint32_t)rd_int(p, l, 4, false);
		bool first = true;
		for (int sig = 0; sig < 32; sig++) {
			const char *n;
			if ((v & (1u << sig)) && (n = evtab_signal_name((unsigned)sig + 1))) {
				sb_printf(&plain, "%s%s", first ? "" : " ", n);
				first = false;
			}
		}
		break;
	}
	default:
		sb_puts(&plain, "(n.a.)");
		break;
	}
	out->plain = sb_str(&plain);
	out->resolved = sb_str(&res);
}

const char *extract_param_text(struct frc_evt *e, uint32_t i, bool resolved, size_t *len)
{
	struct ptext t;

	if (i >= e->nparams)
		return NULL;
	param_text(e, i, &t);
	const char *r = resolved && t.resolved[0] ? t.resolved : t.plain;
	*len = strlen(r);
	return r;
}

/* ---- slots ---- */

struct slot;
struct frc_slots;

/* a slot's extractor, chosen once when the slot table is built (see slot_fn_for): it
   extracts into the slot and returns what frc_field returns */
typedef const struct frc_val *(*slot_fn)(struct frc_evt *e, struct frc_slots *ss, struct slot *sl);

/* what few slots need: kept apart so that a slot is 128 bytes (frc_field indexes the
   table with a shift) */
struct slot_cold {
	pcre2_code *re;		/* container.mount.dest[pattern] */
	uint64_t prev;		/* evt.deltatime* */
	struct {		/* evt.arg.NAME: parameter index per schema, by type */
		const struct evt_schema *info;
		int32_t i;
	} argix[8];
	struct {		/* thread.cap_*: the text of the last sets rendered (slot-owned) */
		char *text;
		uint32_t len;
		bool valid;
		uint64_t caps;
	} capc[4];
	uint32_t capc_next;	/* the entry a new set replaces */
	/* proc.env, proc.args: the last list this slot joined (its bytes and item count) and
	   the text, slot-owned */
	char *jsrc, *jtext;
	uint32_t jlen, jn, jcap;
	bool jvalid;
	uint64_t jid;		/* proc.env: the env_id of a thread with those bytes, or 0 */
};

struct slot {
	slot_fn fn;
	uint64_t gen;
	bool present;
	bool self;		/* the event's thread rather than ancestor @anc */
	uint8_t what;		/* enum anc_what of a list of ancestors */
	uint32_t off;		/* offset of a member of the thread or container */
	struct frc_val val;
	uint32_t anc;		/* which ancestor (1: the parent) */
	struct frc_field_ref ref;
	char *arg;		/* NUL-terminated copy of the argument */
	struct slot_cold *x;
};
/* the table's stride: a power of two (128 bytes on LP64) */
#define SLOT_SHIFT (sizeof(struct slot) <= 64 ? 6 : sizeof(struct slot) <= 128 ? 7 \
		    : sizeof(struct slot) <= 256 ? 8 : 9)
_Static_assert(sizeof(struct slot) <= 512, "struct slot: at most 512 bytes");

/*
 * A lookup that several slots of one event share (the compiled path only: the reference
 * evaluator extracts every field from scratch, as an interpreter does), valid while @gen
 * equals the event's generation: the event's container (when the thread's own cache,
 * struct frc_thread_xc, does not answer).
 */
struct frc_slots {
	uint32_t n;
	char *s;		/* n slots, 1 << SLOT_SHIFT bytes apart (slot_at) */
	frc_field_fn *entry;	/* n accessors: slot i's kind of extractor (extract_field_entries) */
	struct slot_cold *cold;
	uint64_t ctr_gen;
	const struct frc_container *ctr;
	bool ctr_have_thread;
	const char *ctr_cid;
};

static inline struct slot *slot_at(const struct frc_slots *ss, uint32_t i)
{
	return (struct slot *)(void *)(ss->s + ((size_t)i << SLOT_SHIFT));
}

/* one request */
struct xq {
	uint32_t fid;
	const char *arg;	/* NUL-terminated, or NULL */
	uint32_t arglen;
	int64_t idx;		/* numeric argument or -1 */
	bool out;		/* output rendering */
	struct slot *sl;
};

static void vstr(struct frc_val *v, const char *s, size_t n)
{
	v->s = (const frc_u8 *)s;
	v->len = (frc_u32)n;
}

static void vstrz(struct frc_val *v, const char *s)
{
	vstr(v, s, strlen(s));
}

static bool vsb(struct frc_val *v, struct sb *b)
{
	vstr(v, sb_str(b), b->len);
	return true;
}

static bool vint(struct frc_val *v, int64_t i)
{
	v->n.i = i;
	return true;
}

static bool vuint(struct frc_val *v, uint64_t u)
{
	v->n.u = u;
	return true;
}

static bool vbool(struct frc_val *v, bool b)
{
	v->n.u = b ? 1 : 0;
	return true;
}

static void vip4(struct frc_val *v, uint32_t ip)
{
	v->family = 4;
	memset(v->ip, 0, sizeof(v->ip));
	memcpy(v->ip, &ip, 4);
}

static void vip6(struct frc_val *v, const uint8_t *ip)
{
	v->family = 6;
	memcpy(v->ip, ip, 16);
}

static struct frc_val *items_alloc(struct frc_evt *e, uint32_t n)
{
	struct frc_val *it = salloc(e->scratch, (n ? n : 1) * sizeof(*it));
	if (it)
		memset(it, 0, (n ? n : 1) * sizeof(*it));
	return it;
}

static bool should_xid(int64_t x)
{
	return x >= -1 && x <= (int64_t)UINT32_MAX;
}

/* ---- process helpers ---- */

/*
 * NUL bytes of @d[0 .. @len) turned into spaces; returns how many there were. With SSE2,
 * 16 bytes at a time: @d must have 15 writable bytes after @len (the last block may go
 * past it; bytes there may change but are not counted).
 */
static uint32_t nul_to_space(char *d, size_t len)
{
	uint32_t cnt = 0;
#if defined(__SSE2__)
	const __m128i z = _mm_setzero_si128(), sp = _mm_set1_epi8(' ');
	for (size_t i = 0; i < len; i += 16) {
		__m128i x = _mm_loadu_si128((const __m128i *)(void *)(d + i));
		__m128i m = _mm_cmpeq_epi8(x, z);
		unsigned mm = (unsigned)_mm_movemask_epi8(m);
		if (!mm)
			continue;
		_mm_storeu_si128((__m128i *)(void *)(d + i), _mm_or_si128(x, _mm_and_si128(m, sp)));
		if (len - i < 16)
			mm &= (1u << (len - i)) - 1;
		for (; mm; mm &= mm - 1)	/* few bits: no popcount instruction needed */
			cnt++;
	}
#else
	for (char *p = d, *end = d + len; (p = memchr(p, 0, (size_t)(end - p))); cnt++)
		*p++ = ' ';
#endif
	return cnt;
}

/*
 * The @n NUL-terminated strings at @items joined with spaces. @size is the length of the
 * list's buffer: when the @n items fill it exactly (the layout state.c keeps), the result
 * is the buffer with each separating NUL turned into a space, one copy.
 */
static void join_items(struct sb *b, const char *items, uint32_t n, uint32_t size)
{
	if (n && size && items[size - 1] == '\0') {
		char *d = sb_reserve(b, size - 1 + 15);
		if (!d)
			return;
		memcpy(d, items, size - 1);
		if (nul_to_space(d, size - 1) == n - 1) {
			b->len += size - 1;
			b->p[b->len] = '\0';
			return;
		}
		/* not that layout: the general walk below overwrites the copy */
	}
	const char *a = items;
	for (uint32_t i = 0; i < n; i++) {
		size_t l = strlen(a);
		if (i)
			sb_put(b, " ", 1);
		sb_put(b, a, l);
		a += l + 1;
	}
}

/*
 * @l's first @len bytes copied to @d with NULs turned into spaces; returns how many
 * there were (nul_to_space() after a copy). With SSE2 and a buffer of whole 16-byte
 * blocks (its allocation, @l->cap, covers them), one pass; @d must have room for the
 * last block.
 */
static uint32_t copy_nul_to_space(char *d, const struct frc_str *l, size_t len)
{
#if defined(__SSE2__)
	if (l->cap >= ((len + 15) & ~(size_t)15)) {
		const __m128i z = _mm_setzero_si128(), sp = _mm_set1_epi8(' ');
		uint32_t cnt = 0;
		for (size_t i = 0; i < len; i += 16) {
			__m128i x = _mm_loadu_si128((const __m128i *)(const void *)(l->s + i));
			__m128i m = _mm_cmpeq_epi8(x, z);
			_mm_storeu_si128((__m128i *)(void *)(d + i), _mm_or_si128(x, _mm_and_si128(m, sp)));
			unsigned mm = (unsigned)_mm_movemask_epi8(m);
			if (len - i < 16)
				mm &= (1u << (len - i)) - 1;
			for (; mm; mm &= mm - 1)
				cnt++;
		}
		return cnt;
	}
#endif
	memcpy(d, l->s, len);
	return nul_to_space(d, len);
}

/* join_items() straight into a value: the list's buffer copied once, its separating NULs
   turned into spaces (the general walk of join_items() for any other layout) */
static bool vjoin(struct frc_evt *e, struct frc_val *v, const struct frc_str *l, uint32_t n)
{
	if (!n) {
		vstr(v, "", 0);
		return true;
	}
	if (l->len && l->s[l->len - 1] == '\0') {
		size_t len = l->len - 1;
		if (n == 1 && !memchr(l->s, '\0', len)) {
			/* one item: the list's own NUL-terminated text, no copy */
			vstr(v, l->s, len);
			return true;
		}
		char *d = salloc(e->scratch, len + 16);
		if (!d)
			return false;
		if (copy_nul_to_space(d, l, len) == n - 1) {
			d[len] = '\0';
			vstr(v, d, len);
			return true;
		}
	}
	struct sb b;
	sb_init(&b, e->scratch);
	join_items(&b, l->s, n, l->len);
	return vsb(v, &b);
}

static void put_cmdline(struct sb *b, const struct frc_thread *t)
{
	if (t->cmdline.len == 0) {
		sb_put(b, t->comm.s, t->comm.len);
		const char *a = t->args.s;
		for (uint32_t i = 0; i < t->nargs; i++) {
			size_t l = strlen(a);
			sb_put(b, " ", 1);
			sb_put(b, a, l);
			a += l + 1;
		}
	} else {
		sb_put(b, t->cmdline.s, t->cmdline.len);
	}
}

/* the command line kept by the thread (NUL-terminated), without a copy */
static bool cmdline_direct(struct frc_val *v, const struct frc_thread *t)
{
	if (t->cmdline.len == 0)
		return false;
	vstr(v, t->cmdline.s, t->cmdline.len);
	return true;
}

static bool is_main_thr(const struct frc_thread *t)
{
	return t->tid == t->pid || (t->flags & PPM_CL_IS_MAIN_THREAD);
}

static struct frc_thread *env_thread(struct frc_thread *t)
{
	struct frc_thread *m;
	if (is_main_thr(t))
		return t;
	m = state_main_thread(t);
	return m ? m : t;
}

/* proc.env[NAME]: value with surrounding spaces trimmed, "" if absent */
static void env_get(struct sb *b, struct frc_thread *t, const char *name, size_t nl)
{
	struct frc_thread *m = env_thread(t);
	const char *a = m->env.s;

	for (uint32_t i = 0; i < m->nenv; i++) {
		size_t l = strlen(a);
		if (l > nl + 1 && a[nl] == '=' && memcmp(a, name, nl) == 0) {
			size_t first = nl + 1, last = l;
			while (first < l && a[first] == ' ')
				first++;
			if (first == l)
				return;
			while (last > first && a[last - 1] == ' ')
				last--;
			sb_put(b, a + first, last - first);
			return;
		}
		a += l + 1;
	}
}

static void env_all(struct sb *b, struct frc_thread *t)
{
	struct frc_thread *m = env_thread(t);
	join_items(b, m->env.s, m->nenv, m->env.len);
}

/* walk the ancestors of @t's main thread (raw ptid links); NULL main -> -1 */
#define MAX_ANC 256
static int ancestors_floyd(struct frc_evt *e, struct frc_thread *m, struct frc_thread **out);

static int ancestors(struct frc_evt *e, struct frc_thread *t, struct frc_thread **out)
{
	struct frc_thread *m = is_main_thr(t) ? t : state_main_thread(t);
	int n = 0;

	if (!m)
		return -1;
	/* the usual short chain without a loop: one lookup per ancestor; a loop (a thread
	   met again, or its own parent) or a long chain takes the walk with loop detection,
	   which gives the same list where there is no loop */
	struct frc_thread *a = state_find_thread(e->st, m->ptid);
	while (a && a->tid != -1) {
		if (n == 16)
			return ancestors_floyd(e, m, out);
		out[n++] = a;
		a = state_find_thread(e->st, a->ptid);
		if (a && a->tid == a->ptid)
			return ancestors_floyd(e, m, out);
		for (int i = 0; a && i < n; i++)
			if (out[i] == a)
				return ancestors_floyd(e, m, out);
	}
	return n;
}

static int ancestors_floyd(struct frc_evt *e, struct frc_thread *m, struct frc_thread **out)
{
	struct frc_thread *slow, *fast;
	int n = 0;

	slow = state_find_thread(e->st, m->ptid);
	fast = slow ? state_find_thread(e->st, slow->ptid) : NULL;
	while (slow && slow->tid != -1 && n < MAX_ANC) {
		out[n++] = slow;
		slow = state_find_thread(e->st, slow->ptid);
		for (int i = 0; i < 2; i++) {
			fast = fast ? state_find_thread(e->st, fast->ptid) : NULL;
			if (slow && (slow == fast || slow->tid == slow->ptid))
				return n;
		}
	}
	return n;
}

/*
 * The compiled path remembers on each thread what it looked up (struct frc_thread_xc),
 * for as long as the state's counter of the tables it read has not moved (state_gens()):
 * the chain of ancestors, the raw parent walk, the user name and the container. The
 * pointers kept are to threads, users and containers, whose strings are read at each
 * event (an ancestor's exec changes its name, not the chain). The reference evaluator and
 * the outputs (no slot table) look everything up again.
 */

/* state_ancestor(st, @t, @n), @t's chain extended up to level @n */
static __attribute__((noinline)) struct frc_thread *anc_fill(const struct frc_state *st,
							     struct frc_thread *t, uint32_t n)
{
	struct frc_thread_xc *x = &t->xc;
	uint64_t g = state_gens(st)->thr;

	if (n >= FRC_XC_ANC)
		return state_ancestor(st, t, n);
	if (x->anc_gen != g) {
		x->anc_gen = g;
		x->anc[0] = state_main_thread(t);
		x->nanc = 1;
	}
	while (x->nanc <= n) {
		struct frc_thread *m = x->anc[x->nanc - 1];
		if (m) {
			m = state_find_thread(st, m->ptid);
			if (m)
				m = state_main_thread(m);
		}
		x->anc[x->nanc++] = m;
	}
	return x->anc[n];
}

static inline __attribute__((always_inline)) struct frc_thread *
anc_cached(const struct frc_state *st, struct frc_thread *t, uint32_t n)
{
	if (__builtin_expect(n < t->xc.nanc && t->xc.anc_gen == state_gens(st)->thr, 1))
		return t->xc.anc[n];
	return anc_fill(st, t, n);
}

/* ancestors() through @t's cache: the count (-1 without a main thread) and the list in
   *@list (@t's cache, or @buf) */
static int ancestors_cached(struct frc_evt *e, struct frc_thread *t, struct frc_thread **buf,
			    struct frc_thread *const **list)
{
	struct frc_thread_xraw *x = &t->xr;
	uint64_t g = state_gens(e->st)->thr;

	if (x->raw_gen == g) {
		*list = x->raw;
		return x->nraw;
	}
	int n = ancestors(e, t, buf);
	*list = buf;
	if (n <= FRC_XR_ANC) {
		if (n > 0)
			memcpy(x->raw, buf, (size_t)n * sizeof(*buf));
		x->nraw = (int8_t)n;
		x->raw_gen = g;
	}
	return n;
}

enum anc_what { A_NAME, A_EXE, A_EXEPATH, A_CMDLINE, A_ARGS, A_PID, A_ENV };

static void anc_text(struct sb *b, struct frc_thread *p, enum anc_what w)
{
	switch (w) {
	case A_NAME: sb_put(b, p->comm.s, p->comm.len); break;
	case A_EXE: sb_put(b, p->exe.s, p->exe.len); break;
	case A_EXEPATH: sb_put(b, p->exepath.s, p->exepath.len); break;
	case A_CMDLINE: put_cmdline(b, p); break;
	case A_ARGS: join_items(b, p->args.s, p->nargs, p->args.len); break;
	case A_ENV: env_all(b, p); break;
	case A_PID: sb_printf(b, "%" PRId64, p->pid); break;
	}
}

/* a name or path of an ancestor as a value pointing at the thread's string (stable while
   the event is evaluated: the state changes before and after evaluation only) */
static bool anc_direct(struct frc_val *v, struct frc_thread *p, enum anc_what w)
{
	if (w == A_CMDLINE)
		return cmdline_direct(v, p);
	const struct frc_str *s = w == A_NAME ? &p->comm : w == A_EXE ? &p->exe
				: w == A_EXEPATH ? &p->exepath : NULL;
	if (!s)
		return false;
	vstr(v, s->s, s->len);
	return true;
}

/* proc.a* fields */
static bool x_ancestor(struct frc_evt *e, const struct xq *q, struct frc_thread *t, enum anc_what w,
		       struct frc_val *v)
{
	struct frc_thread *buf[MAX_ANC];
	struct frc_thread *const *anc;
	struct sb b;

	sb_init(&b, e->scratch);
	if (q->idx >= 0) {
		struct frc_thread *a = q->sl && q->idx < FRC_XC_ANC
				       ? anc_cached(e->st, t, (uint32_t)q->idx)
				       : state_ancestor(e->st, t, (uint32_t)q->idx);
		if (!a)
			return false;
		if (w == A_PID)
			return should_xid(a->pid) && vint(v, a->pid);
		if (anc_direct(v, a, w))	/* the thread's own string: no copy */
			return true;
		anc_text(&b, a, w);
		return vsb(v, &b);
	}
	if (w == A_PID && q->out) {
		struct frc_thread *a = state_ancestor(e->st, t, 0);
		return a && should_xid(a->pid) && vint(v, a->pid);
	}
	int n;
	if (q->sl) {
		n = ancestors_cached(e, t, buf, &anc);
	} else {
		n = ancestors(e, t, buf);
		anc = buf;
	}
	if (n < 0)
		return false;
	if (q->out) {
		for (int i = 0; i < n; i++) {
			if (b.len)
				sb_put(&b, " ", 1);
			anc_text(&b, anc[i], w);
		}
		if (!b.len)
			return false;
		return vsb(v, &b);
	}
	/* condition: every ancestor's value; the comparison holds if any matches (each item
	   cleared as it is written, rather than all of them by items_alloc's memset) */
	struct frc_val *it = salloc(e->scratch, (size_t)(n ? n : 1) * sizeof(*it));
	if (!it)
		return false;
	if (!n)
		memset(it, 0, sizeof(*it));
	for (int i = 0; i < n; i++) {
		it[i] = (struct frc_val){ 0 };
		if (w == A_PID) {
			it[i].n.i = anc[i]->pid;
			continue;
		}
		if (anc_direct(&it[i], anc[i], w))
			continue;
		struct sb ib;
		sb_init(&ib, e->scratch);
		anc_text(&ib, anc[i], w);
		vstr(&it[i], sb_str(&ib), ib.len);
	}
	v->multi = 1;
	v->items = it;
	v->nitems = (frc_u32)n;
	return true;
}

static bool x_leader(struct frc_evt *e, struct frc_thread *t, int which, int what, struct frc_val *v)
{
	struct frc_thread *l;

	if (which == 2) {	/* pgid: host pid namespace, direct lookup first */
		l = NULL;
		if (t->pgid != -1) {
			l = state_find_thread(e->st, t->pgid);
			if (!l) {
				struct frc_thread *anc[MAX_ANC];
				int n = ancestors(e, t, anc);
				for (int i = 0; i < n; i++) {
					if (anc[i]->pgid != t->pgid)
						break;
					l = anc[i];
				}
			}
		}
	} else {
		l = state_group_leader(e->st, t, which == 1);
	}
	if (!l) {
		vstrz(v, "");
		return true;
	}
	const struct frc_str *s = what == 0 ? &l->comm : what == 1 ? &l->exe : &l->exepath;
	vstr(v, s->s, s->len);
	return true;
}

static const char *caps_names[] = {
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID",
	"CAP_KILL", "CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE",
	"CAP_NET_BIND_SERVICE", "CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW",
	"CAP_IPC_LOCK", "CAP_IPC_OWNER", "CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT",
	"CAP_SYS_PTRACE", "CAP_SYS_PACCT", "CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE",
	"CAP_SYS_RESOURCE", "CAP_SYS_TIME", "CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE",
	"CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL", "CAP_SETFCAP", "CAP_MAC_OVERRIDE",
	"CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM", "CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ",
	"CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
};

#define NCAPS (sizeof(caps_names) / sizeof(caps_names[0]))
static uint8_t caps_len[NCAPS];

__attribute__((constructor)) static void caps_len_init(void)
{
	for (size_t i = 0; i < NCAPS; i++)
		caps_len[i] = (uint8_t)strlen(caps_names[i]);
}

static bool x_caps(struct frc_evt *e, uint64_t caps, struct frc_val *v)
{
	struct sb b;
	size_t tot = 0;

	caps &= NCAPS < 64 ? (1ull << NCAPS) - 1 : ~0ull;
	if (!caps) {
		vstrz(v, "");
		return true;
	}
	for (uint64_t c = caps; c; c &= c - 1)
		tot += caps_len[__builtin_ctzll(c)] + 1u;
	sb_init(&b, e->scratch);
	char *d = sb_reserve(&b, tot);
	if (!d)
		return false;
	for (uint64_t c = caps; c; c &= c - 1) {
		unsigned i = (unsigned)__builtin_ctzll(c);
		memcpy(d, caps_names[i], caps_len[i]);
		d[caps_len[i]] = ' ';
		d += caps_len[i] + 1u;
	}
	b.len = tot - 1;	/* without the last space */
	b.p[b.len] = '\0';
	return vsb(v, &b);
}

static bool x_std_fd(struct frc_thread *t, int64_t fd, bool name, struct frc_val *v)
{
	struct frc_fdtable *ft = state_fdtable(t);
	if (!ft)
		return false;
	struct frc_fd *f = state_thread_fd(t, fd);
	if (!f)
		return false;
	if (name)
		vstr(v, f->name.s, f->name.len);
	else
		vstrz(v, state_fd_typestring(f->type));
	return true;
}

/* thread.exectime: time since the previous switch on this CPU (switch events only) */
static uint64_t exectime(struct frc_evt *e)
{
	struct frc_scratch *s = e->scratch;
	const struct scap_machine *mi = state_machine(e->st);

	if (!s->cpu_switch) {
		if (!mi->num_cpus)
			return 0;
		s->cpu_switch = calloc(mi->num_cpus, sizeof(uint64_t));
		if (!s->cpu_switch)
			return 0;
		s->ncpu = mi->num_cpus;
	}
	if (e->cpuid >= s->ncpu)
		return 0;
	uint64_t last = s->cpu_switch[e->cpuid], res = last ? e->ts - last : 0;
	s->cpu_switch[e->cpuid] = e->ts;
	return res;
}

static bool x_proc(struct frc_evt *e, const struct xq *q, struct frc_val *v)
{
	struct frc_thread *t = e->thr, *p;
	struct sb b;

	sb_init(&b, e->scratch);
	switch (q->fid) {
	case FLD_THREAD_TID:
		return should_xid(e->tid) && vint(v, e->tid);
	case FLD_THREAD_EXECTIME:
		return vuint(v, e->type == PPME_SCHEDSWITCH_6_E ? exectime(e) : 0);
	default:
		break;
	}
	if (!t)
		return false;
	switch (q->fid) {
	case FLD_PROC_NAME:
		vstr(v, t->comm.s, t->comm.len);
		return true;
	case FLD_PROC_EXE:
		vstr(v, t->exe.s, t->exe.len);
		return true;
	case FLD_PROC_EXEPATH:
		vstr(v, t->exepath.s, t->exepath.len);
		return true;
	case FLD_PROC_ARGS:
		if (q->idx >= 0) {
			const char *a = t->args.s;
			for (uint32_t i = 0; i < t->nargs; i++) {
				size_t l = strlen(a);
				if ((int64_t)i == q->idx) {
					vstr(v, a, l);
					return true;
				}
				a += l + 1;
			}
			vstrz(v, "");
			return true;
		}
		join_items(&b, t->args.s, t->nargs, t->args.len);
		return vsb(v, &b);
	case FLD_PROC_CMDLINE:
		if (cmdline_direct(v, t))
			return true;
		put_cmdline(&b, t);
		return vsb(v, &b);
	case FLD_PROC_EXELINE:
		sb_put(&b, t->exe.s, t->exe.len);
		sb_put(&b, " ", 1);
		join_items(&b, t->args.s, t->nargs, t->args.len);
		return vsb(v, &b);
	case FLD_PROC_CMDNARGS:
		return vuint(v, t->nargs);
	case FLD_PROC_CMDLENARGS: {
		uint64_t tot = 0;
		const char *a = t->args.s;
		for (uint32_t i = 0; i < t->nargs; i++) {
			size_t l = strlen(a);
			tot += l;
			a += l + 1;
		}
		return vuint(v, tot);
	}
	case FLD_PROC_PNAME:
	case FLD_PROC_PCMDLINE:
	case FLD_PROC_PEXE:
	case FLD_PROC_PEXEPATH:
	case FLD_PROC_PPID:
		if (!(p = state_ancestor(e->st, t, 1)))
			return false;
		switch (q->fid) {
		case FLD_PROC_PNAME: vstr(v, p->comm.s, p->comm.len); return true;
		case FLD_PROC_PEXE: vstr(v, p->exe.s, p->exe.len); return true;
		case FLD_PROC_PEXEPATH: vstr(v, p->exepath.s, p->exepath.len); return true;
		case FLD_PROC_PPID: return should_xid(p->pid) && vint(v, p->pid);
		default:
			if (cmdline_direct(v, p))
				return true;
			put_cmdline(&b, p);
			return vsb(v, &b);
		}
	case FLD_PROC_ANAME: return x_ancestor(e, q, t, A_NAME, v);
	case FLD_PROC_AEXE: return x_ancestor(e, q, t, A_EXE, v);
	case FLD_PROC_AEXEPATH: return x_ancestor(e, q, t, A_EXEPATH, v);
	case FLD_PROC_ACMDLINE: return x_ancestor(e, q, t, A_CMDLINE, v);
	case FLD_PROC_AARGS: return x_ancestor(e, q, t, A_ARGS, v);
	case FLD_PROC_APID: return x_ancestor(e, q, t, A_PID, v);
	case FLD_PROC_AENV: {
		bool named = q->arg && q->idx < 0 && q->arglen;
		if (!named && q->idx < 1) {
			if (!q->arg && !q->out) {
				/* condition without argument: any ancestor's environment */
				return x_ancestor(e, q, t, A_ENV, v);
			}
			env_all(&b, t);
			return vsb(v, &b);
		}
		struct frc_thread *m = is_main_thr(t) ? t : state_main_thread(t);
		if (!m) {
			vstrz(v, "");
			return true;
		}
		if (named) {
			for (int j = 0; j < 20; j++) {
				m = state_find_thread(e->st, m->ptid);
				if (!m)
					break;
				sb_init(&b, e->scratch);
				env_get(&b, m, q->arg, q->arglen);
				if (b.len)
					break;
			}
			return vsb(v, &b);
		}
		for (int64_t j = 0; j < q->idx; j++) {
			m = state_find_thread(e->st, m->ptid);
			if (!m)
				return false;
		}
		env_all(&b, m);
		return vsb(v, &b);
	}
	case FLD_PROC_CWD:
		vstrz(v, state_cwd(t));
		return true;
	case FLD_PROC_TTY:
		return vuint(v, t->tty);
	case FLD_PROC_SNAME: return x_leader(e, t, 0, 0, v);
	case FLD_PROC_SID_EXE: return x_leader(e, t, 0, 1, v);
	case FLD_PROC_SID_EXEPATH: return x_leader(e, t, 0, 2, v);
	case FLD_PROC_VPGID_NAME: return x_leader(e, t, 1, 0, v);
	case FLD_PROC_VPGID_EXE: return x_leader(e, t, 1, 1, v);
	case FLD_PROC_VPGID_EXEPATH: return x_leader(e, t, 1, 2, v);
	case FLD_PROC_PGID_NAME: return x_leader(e, t, 2, 0, v);
	case FLD_PROC_PGID_EXE: return x_leader(e, t, 2, 1, v);
	case FLD_PROC_PGID_EXEPATH: return x_leader(e, t, 2, 2, v);
	case FLD_PROC_SID: return vint(v, t->sid);
	case FLD_PROC_VPGID: return vint(v, t->vpgid);
	case FLD_PROC_PGID: return vint(v, t->pgid);
	case FLD_PROC_IS_SID_LEADER: return vbool(v, t->sid == t->vpid);
	case FLD_PROC_IS_VPGID_LEADER: return vbool(v, t->vpgid == t->vpid);
	case FLD_PROC_IS_PGID_LEADER: return vbool(v, t->pgid == t->pid);
	case FLD_PROC_VPID: return t->vpid != -1 && vint(v, t->vpid);
	case FLD_THREAD_VTID: return t->vtid != -1 && vint(v, t->vtid);
	case FLD_PROC_PID: return should_xid(t->pid) && vint(v, t->pid);
	case FLD_PROC_PVPID:
		p = state_find_thread(e->st, t->ptid);
		return p && vint(v, p->vpid);
	case FLD_PROC_ENV:
		if (q->arg && q->arglen) {
			env_get(&b, t, q->arg, q->arglen);
			return vsb(v, &b);
		}
		env_all(&b, t);
		return vsb(v, &b);
	case FLD_PROC_DURATION:
		return t->clone_ts != 0 && vint(v, (int64_t)(e->ts - t->clone_ts));
	case FLD_PROC_PPID_DURATION:
		if (!(p = state_ancestor(e->st, t, 1)))
			return false;
		if (p->clone_ts != 0)
			return vint(v, (int64_t)(e->ts - p->clone_ts));
		/* libsinsp falls through to proc.fdopencount here */
		{
			struct frc_thread *m = state_main_thread(t);
			return vuint(v, m ? m->fdt.n : 0);
		}
	case FLD_PROC_EXE_INO: return t->exe_ino != 0 && vint(v, (int64_t)t->exe_ino);
	case FLD_PROC_EXE_INO_CTIME: return t->exe_ino_ctime != 0 && vuint(v, t->exe_ino_ctime);
	case FLD_PROC_EXE_INO_MTIME: return t->exe_ino_mtime != 0 && vuint(v, t->exe_ino_mtime);
	case FLD_PROC_EXE_INO_CTIME_DURATION_PROC_START:
		return t->exe_ino_ctime_duration_clone_ts != 0 && vuint(v, t->exe_ino_ctime_duration_clone_ts);
	case FLD_PROC_EXE_INO_CTIME_DURATION_PIDNS_START:
		return t->exe_ino_ctime_duration_pidns_start != 0 &&
		       vuint(v, t->exe_ino_ctime_duration_pidns_start);
	case FLD_PROC_PIDNS_INIT_START_TS:
		return t->pidns_init_start_ts != 0 && vuint(v, t->pidns_init_start_ts);
	case FLD_PROC_PID_TS:
		return t->clone_ts != 0 && vuint(v, t->clone_ts);
	case FLD_PROC_PPID_TS:
		p = state_find_thread(e->st, t->ptid);
		return p && vuint(v, p->clone_ts);
	case FLD_PROC_IS_EXE_UPPER_LAYER: return vbool(v, t->exe_upper_layer);
	case FLD_PROC_IS_EXE_FROM_MEMFD: return vbool(v, t->exe_from_memfd);
	case FLD_PROC_IS_EXE_WRITABLE: return vbool(v, t->exe_writable);
	case FLD_PROC_IS_EXE_LOWER_LAYER: return vbool(v, t->exe_lower_layer);
	case FLD_PROC_LOGINSHELLID: {
		struct frc_thread *m = is_main_thr(t) ? t : state_main_thread(t);
		struct frc_thread *anc[MAX_ANC];
		int64_t res = 0;
		bool found = false;
		if (!m)
			return false;
		if (m->comm.len >= 2 && !strcmp(m->comm.s + m->comm.len - 2, "sh")) {
			res = m->pid;
			found = true;
		}
		int n = ancestors(e, m, anc);
		for (int i = 0; i < n; i++) {
			if (anc[i]->comm.len >= 2 && !strcmp(anc[i]->comm.s + anc[i]->comm.len - 2, "sh")) {
				res = anc[i]->pid;
				found = true;
			}
		}
		return found && vint(v, res);
	}
	case FLD_PROC_NTHREADS:
		return vuint(v, t->tg ? t->tg->nalive : 0);
	case FLD_PROC_NCHILDS: {
		struct frc_thread *m = state_main_thread(t);
		uint64_t n = t->tg ? t->tg->nalive : 0;
		if (m && !(m->flags & PPM_CL_CLOSED) && n)
			n--;
		return vuint(v, n);
	}
	case FLD_PROC_FDOPENCOUNT: {
		struct frc_thread *m = state_main_thread(t);
		return vuint(v, m ? m->fdt.n : 0);
	}
	case FLD_PROC_FDLIMIT: {
		struct frc_thread *m = state_main_thread(t);
		return vint(v, m ? m->fdlimit : 0);
	}
	case FLD_PROC_VMSIZE: return vuint(v, t->vmsize_kb);
	case FLD_PROC_VMRSS: return vuint(v, t->vmrss_kb);
	case FLD_PROC_VMSWAP: return vuint(v, t->vmswap_kb);
	case FLD_PROC_STDIN_TYPE: return x_std_fd(t, 0, false, v);
	case FLD_PROC_STDOUT_TYPE: return x_std_fd(t, 1, false, v);
	case FLD_PROC_STDERR_TYPE: return x_std_fd(t, 2, false, v);
	case FLD_PROC_STDIN_NAME: return x_std_fd(t, 0, true, v);
	case FLD_PROC_STDOUT_NAME: return x_std_fd(t, 1, true, v);
	case FLD_PROC_STDERR_NAME: return x_std_fd(t, 2, true, v);
	case FLD_PROC_IS_CONTAINER_HEALTHCHECK:
	case FLD_PROC_IS_CONTAINER_LIVENESS_PROBE:
	case FLD_PROC_IS_CONTAINER_READINESS_PROBE:
		/* the container plugin gives every thread it knows a value: true only for a
		 * thread it classified from container metadata (healthcheck/probe commands of
		 * the container's runtime configuration), which a capture does not carry */
		return vbool(v, false);
	case FLD_THREAD_CAP_EFFECTIVE: return x_caps(e, t->cap_effective, v);
	case FLD_THREAD_CAP_PERMITTED: return x_caps(e, t->cap_permitted, v);
	case FLD_THREAD_CAP_INHERITABLE: return x_caps(e, t->cap_inheritable, v);
	case FLD_THREAD_ISMAIN: return vbool(v, is_main_thr(t));
	case FLD_THREAD_TOTEXECTIME:
		return vuint(v, e->type == PPME_SCHEDSWITCH_6_E ? exectime(e) : 0);
	case FLD_THREAD_CGROUPS: {
		const char *a = t->cgroups.s;
		if (!t->ncgroups)
			return false;
		join_items(&b, a, t->ncgroups, t->cgroups.len);
		return vsb(v, &b);
	}
	case FLD_THREAD_CGROUP: {
		const char *a = t->cgroups.s;
		if (!q->arg)
			return false;
		for (uint32_t i = 0; i < t->ncgroups; i++) {
			size_t l = strlen(a);
			const char *eq = strchr(a, '=');
			if (eq && (size_t)(eq - a) == q->arglen && !memcmp(a, q->arg, q->arglen)) {
				vstrz(v, eq + 1);
				return true;
			}
			a += l + 1;
		}
		return false;
	}
	case FLD_THREAD_PFMAJOR: return vuint(v, t->pfmajor);
	case FLD_THREAD_PFMINOR: return vuint(v, t->pfminor);
	case FLD_THREAD_VMSIZE: return vuint(v, is_main_thr(t) ? t->vmsize_kb : 0);
	case FLD_THREAD_VMRSS: return vuint(v, is_main_thr(t) ? t->vmrss_kb : 0);
	default:
		return false;
	}
}

static inline __attribute__((always_inline)) bool user_name(struct frc_evt *e, struct frc_thread *t, struct frc_val *v)
{
	const struct frc_user *u = state_user(e->st, t->container_id, t->uid);
	vstrz(v, u ? u->name : t->uid == 0 ? "root" : "<NA>");
	return true;
}

static bool x_user(struct frc_evt *e, const struct xq *q, struct frc_val *v)
{
	struct frc_thread *t = e->thr;

	if (!t)
		return false;
	const char *cid = t->container_id;
	switch (q->fid) {
	case FLD_USER_UID:
		return vuint(v, t->uid);
	case FLD_USER_NAME:
		return user_name(e, t, v);
	case FLD_USER_HOMEDIR:
	case FLD_USER_SHELL: {
		const struct frc_user *u = state_user(e->st, cid, t->uid);
		if (q->fid == FLD_USER_HOMEDIR)
			vstrz(v, u ? u->home : t->uid == 0 ? "/root" : "<NA>");
		else
			vstrz(v, u ? u->shell : "<NA>");
		return true;
	}
	case FLD_USER_LOGINUID:
		return vint(v, t->loginuid < UINT32_MAX ? (int64_t)t->loginuid : -1);
	case FLD_USER_LOGINNAME: {
		const struct frc_user *u = state_user(e->st, cid, t->loginuid);
		vstrz(v, u ? u->name : t->loginuid == 0 ? "root" : "<NA>");
		return true;
	}
	case FLD_GROUP_GID:
		return vuint(v, t->gid);
	case FLD_GROUP_NAME: {
		const struct frc_group *g = state_group(e->st, cid, t->gid);
		vstrz(v, g ? g->name : t->gid == 0 ? "root" : "<NA>");
		return true;
	}
	default:
		return false;
	}
}

/* ---- fd.* ---- */

/* fd.name without fd info (sinsp_filter_check_fd::extract_fdname_from_event) */
static bool fdname_from_event(struct frc_evt *e, bool raw, struct sb *b)
{
	struct ptext pt;

	if (evtab_is_enter(e->type))
		return false;
	switch (e->type) {
	case PPME_SYSCALL_OPEN_X:
	case PPME_SOCKET_ACCEPT_5_X:
	case PPME_SOCKET_ACCEPT4_6_X:
	case PPME_SYSCALL_CREAT_X:
	case PPME_SOCKET_CONNECT_X:
		if (e->nparams < 2) {
			sb_puts(b, "");
			return true;
		}
		param_text(e, 1, &pt);
		sb_puts(b, pt.resolved[0] ? pt.resolved : pt.plain);
		return true;
	case PPME_SYSCALL_OPENAT_2_X:
	case PPME_SYSCALL_OPENAT2_X: {
		size_t n;
		char sdir[1100], full[1024];
		if (e->nparams < 3 || e->pl[2] == 0)
			return false;
		const char *name = pstring(e, 2, PT_FSRELPATH, &n);
		if (raw) {
			sb_put(b, name, n);
			return true;
		}
		int64_t dirfd;
		if (e->pl[1] == 0 || !event_i64(e, 1, &dirfd))
			return false;
		if (n > 0 && name[0] == '/')
			snprintf(sdir, sizeof(sdir), ".");
		else if (!e->thr)
			snprintf(sdir, sizeof(sdir), "<UNKNOWN>");
		else if (dirfd == PPM_AT_FDCWD)
			snprintf(sdir, sizeof(sdir), "%s", state_cwd(e->thr));
		else {
			struct frc_fd *d = state_thread_fd(e->thr, dirfd);
			if (!d)
				snprintf(sdir, sizeof(sdir), "<UNKNOWN>");
			else if (!d->name.len || d->name.s[d->name.len - 1] == '/')
				snprintf(sdir, sizeof(sdir), "%s", d->name.s);
			else
				snprintf(sdir, sizeof(sdir), "%s/", d->name.s);
		}
		size_t fl = state_concat_paths(sdir, strlen(sdir), name, n, full);
		sb_put(b, full, fl);
		return true;
	}
	case PPME_SYSCALL_OPEN_BY_HANDLE_AT_X: {
		size_t n;
		if (e->nparams < 4)
			return false;
		const char *s = pstring(e, 3, PT_FSPATH, &n);
		/* as<std::string>: "" for an empty param */
		if (e->pl[3] == 0)
			s = "", n = 0;
		sb_put(b, s, n);
		return true;
	}
	default:
		sb_puts(b, "");
		return true;
	}
}

static void dedup_slashes(struct sb *b)
{
	size_t w = 0;
	for (size_t r = 0; r < b->len; r++) {
		if (b->p[r] == '/' && w > 0 && b->p[w - 1] == '/')
			continue;
		b->p[w++] = b->p[r];
	}
	b->len = w;
	if (b->p)
		b->p[w] = '\0';
}

static char typechar_from_event(uint16_t type)
{
	switch (type | 1) {
	case PPME_SYSCALL_OPENAT_2_X: case PPME_SYSCALL_OPENAT2_X: case PPME_SYSCALL_CREAT_X:
		return 'f';
	case PPME_SOCKET_SOCKET_X: case PPME_SOCKET_ACCEPT_5_X: case PPME_SOCKET_ACCEPT4_6_X:
		return '4';
	case PPME_SYSCALL_PIPE_X: case PPME_SYSCALL_PIPE2_X:
		return 'p';
	case PPME_SYSCALL_EVENTFD_X: case PPME_SYSCALL_EVENTFD2_X:
		return 'e';
	case PPME_SYSCALL_SIGNALFD_X: case PPME_SYSCALL_SIGNALFD4_X:
		return 's';
	case PPME_SYSCALL_TIMERFD_CREATE_X:
		return 't';
	case PPME_SYSCALL_INOTIFY_INIT_X: case PPME_SYSCALL_INOTIFY_INIT1_X:
		return 'i';
	default:
		return 'o';
	}
}

static bool is_file(const struct frc_fd *f)
{
	return f->type == SCAP_FD_FILE || f->type == SCAP_FD_FILE_V2;
}

static bool fd_sock(const struct frc_fd *f)
{
	return f->type == SCAP_FD_IPV4_SOCK || f->type == SCAP_FD_IPV6_SOCK;
}

static bool fd_role_none(const struct frc_fd *f)
{
	return !(f->flags & (FDF_ROLE_CLIENT | FDF_ROLE_SERVER));
}

static bool fd_local(struct frc_evt *e, struct frc_fd *f)
{
	if (f->type == SCAP_FD_IPV4_SOCK)
		return state_ip_is_local(e->st, e->thr, 4, (const uint8_t *)&f->sock.v4.sip);
	return state_ip_is_local(e->st, e->thr, 6, f->sock.v6.sip);
}

/* the endpoint @which (0 client/source, 1 server/dest) of a socket tuple */
static void ep_ip(struct frc_fd *f, int which, struct frc_val *v)
{
	if (f->type == SCAP_FD_IPV4_SOCK)
		vip4(v, which ? f->sock.v4.dip : f->sock.v4.sip);
	else
		vip6(v, which ? f->sock.v6.dip : f->sock.v6.sip);
}

static uint16_t ep_port(struct frc_fd *f, int which)
{
	if (f->type == SCAP_FD_IPV4_SOCK)
		return which ? f->sock.v4.dport : f->sock.v4.sport;
	return which ? f->sock.v6.dport : f->sock.v6.sport;
}

/* the fd of an fd event: the one state_pre attached, else the thread's last event fd */
static inline __attribute__((always_inline)) struct frc_fd *event_fd(struct frc_evt *e, struct frc_thread *t)
{
	struct frc_fd *f = e->fdi;
	if (!f && t->lastevent_fd != -1)
		f = state_thread_fd(t, t->lastevent_fd);
	return f;
}

static inline __attribute__((always_inline)) bool fd_event(const struct frc_evt *e)
{
	return (e->info->flags & (EVF_CREATES_FD | EVF_USES_FD | EVF_DESTROYS_FD)) && e->thr;
}

/* fd.typechar values: one NUL-terminated byte each */
static const char typechar_str[256][2] = {
#define TC4(c) { (char)(c), 0 }, { (char)((c) + 1), 0 }, { (char)((c) + 2), 0 }, { (char)((c) + 3), 0 }
#define TC16(c) TC4(c), TC4((c) + 4), TC4((c) + 8), TC4((c) + 12)
#define TC64(c) TC16(c), TC16((c) + 16), TC16((c) + 32), TC16((c) + 48)
	TC64(0), TC64(64), TC64(128), TC64(192)
#undef TC64
#undef TC16
#undef TC4
};

static inline __attribute__((always_inline)) bool fd_typechar(struct frc_evt *e, const struct frc_fd *f, struct frc_val *v)
{
	unsigned char c = (unsigned char)(f ? state_fd_typechar(f->type) : typechar_from_event(e->type));
	vstr(v, typechar_str[c], 1);
	return true;
}

static inline __attribute__((always_inline)) bool fd_l4proto(const struct frc_fd *f, struct frc_val *v)
{
	if (!f)
		return false;
	switch (state_fd_l4proto(f)) {
	case SCAP_L4_TCP: vstr(v, "tcp", 3); break;
	case SCAP_L4_UDP: vstr(v, "udp", 3); break;
	case SCAP_L4_ICMP: vstr(v, "icmp", 4); break;
	case SCAP_L4_RAW: vstr(v, "raw", 3); break;
	default: vstr(v, "<NA>", 4); break;
	}
	return true;
}

static inline __attribute__((always_inline)) bool fd_sockfamily(const struct frc_fd *f, struct frc_val *v)
{
	if (!f)
		return false;
	if (fd_sock(f) || f->type == SCAP_FD_IPV4_SERVSOCK || f->type == SCAP_FD_IPV6_SERVSOCK)
		vstr(v, "ip", 2);
	else if (f->type == SCAP_FD_UNIX_SOCK)
		vstr(v, "unix", 4);
	else
		return false;
	return true;
}

static bool x_fd(struct frc_evt *e, const struct xq *q, struct frc_val *v)
{
	struct frc_thread *t = e->thr;
	struct frc_fd *f;
	struct sb b;

	if (!fd_event(e))
		return false;
	if (q->fid == FLD_FD_TYPES && q->idx >= 0)
		f = state_thread_fd(t, q->idx);
	else
		f = event_fd(e, t);
	sb_init(&b, e->scratch);
	switch (q->fid) {
	case FLD_FD_NUM:
		return vint(v, t->lastevent_fd);
	case FLD_FD_NAME:
	case FLD_FD_CONTAINERNAME:
		if (q->fid == FLD_FD_CONTAINERNAME) {
			sb_puts(&b, t->container_id);
			sb_put(&b, ":", 1);
		}
		if (f)
			sb_put(&b, f->name.s, f->name.len);
		else if (!fdname_from_event(e, false, &b))
			return false;
		return vsb(v, &b);
	case FLD_FD_TYPE:
		if (!f)
			return false;
		vstrz(v, state_fd_typestring(f->type));
		return true;
	case FLD_FD_TYPES: {
		if (q->idx >= 0) {
			if (!f)
				return false;
			vstrz(v, state_fd_typestring(f->type));
			if (!q->out) {
				struct frc_val *it = items_alloc(e, 1);
				if (!it)
					return false;
				it[0] = *v;
				v->multi = 1;
				v->items = it;
				v->nitems = 1;
			}
			return true;
		}
		struct frc_fdtable *ft = state_fdtable(t);
		const char *seen[32];
		uint32_t ns = 0;
		for (uint32_t i = 0; ft && i < ft->cap; i++) {
			struct frc_fd *x = ft->slot[i];
			if (!x)
				continue;
			const char *ts = state_fd_typestring(x->type);
			bool dup = false;
			for (uint32_t k = 0; k < ns; k++)
				dup |= seen[k] == ts;
			if (!dup && ns < 32)
				seen[ns++] = ts;
		}
		struct frc_val *it = items_alloc(e, ns);
		if (!it)
			return false;
		for (uint32_t k = 0; k < ns; k++)
			vstrz(&it[k], seen[k]);
		v->multi = 1;
		v->items = it;
		v->nitems = ns;
		return true;
	}
	case FLD_FD_DIRECTORY:
	case FLD_FD_CONTAINERDIRECTORY: {
		struct sb n;
		sb_init(&n, e->scratch);
		if (!f) {
			if (!fdname_from_event(e, false, &n))
				return false;
		} else if (!(is_file(f) || f->type == SCAP_FD_DIRECTORY)) {
			return false;
		} else {
			sb_put(&n, f->name.s, f->name.len);
		}
		const char *s = sb_str(&n);
		size_t len = n.len;
		if (!f || is_file(f)) {
			const char *slash = len ? memrchr(s, '/', len) : NULL;
			if (slash && slash != s) {
				if ((size_t)(slash - s) < len - 1)
					len = (size_t)(slash - s);
			} else {
				s = "/";
				len = 1;
			}
		}
		if (q->fid == FLD_FD_CONTAINERDIRECTORY) {
			sb_puts(&b, t->container_id);
			sb_put(&b, ":", 1);
		}
		sb_put(&b, s, len);
		return vsb(v, &b);
	}
	case FLD_FD_FILENAME: {
		if (!f || !is_file(f))
			return false;
		const char *s = f->name.s, *slash = f->name.len ? memrchr(s, '/', f->name.len) : NULL;
		if (slash) {
			if ((size_t)(slash - s) < f->name.len - 1)
				vstrz(v, slash + 1);
			else
				vstr(v, s, f->name.len);
		} else {
			vstrz(v, "/");
		}
		return true;
	}
	case FLD_FD_TYPECHAR:
		return fd_typechar(e, f, v);
	case FLD_FD_NAMERAW:
		if (f)
			sb_put(&b, f->name_raw.s, f->name_raw.len);
		else if (!fdname_from_event(e, true, &b))
			return false;
		dedup_slashes(&b);
		return vsb(v, &b);
	case FLD_FD_L4PROTO:
		return fd_l4proto(f, v);
	case FLD_FD_SOCKFAMILY:
		return fd_sockfamily(f, v);
	case FLD_FD_CONNECTED:
		return f && vbool(v, f->flags & FDF_SOCKET_CONNECTED);
	case FLD_FD_NAME_CHANGED:
		return f && vbool(v, e->fd_name_changed);
	case FLD_FD_CIP:
	case FLD_FD_CNET:
		if (!f || fd_role_none(f) || !fd_sock(f))
			return false;
		ep_ip(f, 0, v);
		return true;
	case FLD_FD_SIP:
	case FLD_FD_SNET:
		if (!f || fd_role_none(f))
			return false;
		if (fd_sock(f))
			ep_ip(f, 1, v);
		else if (f->type == SCAP_FD_IPV4_SERVSOCK)
			vip4(v, f->sock.v4srv.ip);
		else if (f->type == SCAP_FD_IPV6_SERVSOCK)
			vip6(v, f->sock.v6srv.ip);
		else
			return false;
		return true;
	case FLD_FD_LIP:
	case FLD_FD_RIP:
	case FLD_FD_LNET:
	case FLD_FD_RNET: {
		if (!f || !fd_sock(f) || fd_role_none(f))
			return false;
		bool local = fd_local(e, f), want_l = q->fid == FLD_FD_LIP || q->fid == FLD_FD_LNET;
		ep_ip(f, local == want_l ? 0 : 1, v);
		return true;
	}
	case FLD_FD_CPORT:
		if (!f || fd_role_none(f) || !fd_sock(f))
			return false;
		return vuint(v, ep_port(f, 0));
	case FLD_FD_SPORT:
		if (!f)
			return false;
		if (fd_sock(f))
			return !fd_role_none(f) && vuint(v, ep_port(f, 1));
		if (f->type == SCAP_FD_IPV4_SERVSOCK)
			return vuint(v, f->sock.v4srv.port);
		if (f->type == SCAP_FD_IPV6_SERVSOCK)
			return vuint(v, f->sock.v6srv.port);
		return false;
	case FLD_FD_LPORT:
	case FLD_FD_RPORT: {
		if (!f || !fd_sock(f) || fd_role_none(f))
			return false;
		bool local = fd_local(e, f), want_l = q->fid == FLD_FD_LPORT;
		return vuint(v, ep_port(f, local == want_l ? 0 : 1));
	}
	case FLD_FD_CPROTO:
		if (!f || fd_role_none(f))
			return false;
		if (fd_sock(f))
			sb_printf(&b, "%u", ep_port(f, 0));
		return vsb(v, &b);
	case FLD_FD_SPROTO: {
		uint16_t port;
		if (!f)
			return false;
		if (fd_sock(f)) {
			if (fd_role_none(f))
				return false;
			port = ep_port(f, 1);
			sb_printf(&b, "%u", port);
		} else if (f->type != SCAP_FD_IPV4_SERVSOCK && f->type != SCAP_FD_IPV6_SERVSOCK) {
			return false;
		}
		return vsb(v, &b);
	}
	case FLD_FD_LPROTO:
	case FLD_FD_RPROTO: {
		if (!f || !fd_sock(f) || fd_role_none(f))
			return false;
		bool local = fd_local(e, f), want_l = q->fid == FLD_FD_LPROTO;
		/* libsinsp renders the port from an int16_t */
		sb_printf(&b, "%u", (unsigned)(uint16_t)(int16_t)ep_port(f, local == want_l ? 0 : 1));
		return vsb(v, &b);
	}
	case FLD_FD_IP:
	case FLD_FD_NET:
	case FLD_FD_PORT:
	case FLD_FD_PROTO: {
		if (!f)
			return false;
		bool port = q->fid == FLD_FD_PORT || q->fid == FLD_FD_PROTO;
		struct frc_val *it = items_alloc(e, 2);
		if (!it)
			return false;
		uint32_t n = 2;
		if (fd_sock(f)) {
			if (port) {
				it[0].n.u = ep_port(f, 0);
				it[1].n.u = ep_port(f, 1);
			} else {
				ep_ip(f, 0, &it[0]);
				ep_ip(f, 1, &it[1]);
			}
		} else if (f->type == SCAP_FD_IPV4_SERVSOCK) {
			n = 1;
			if (port)
				it[0].n.u = f->sock.v4srv.port;
			else
				vip4(&it[0], f->sock.v4srv.ip);
		} else if (f->type == SCAP_FD_IPV6_SERVSOCK) {
			n = 1;
			if (port)
				it[0].n.u = f->sock.v6srv.port;
			else
				vip6(&it[0], f->sock.v6srv.ip);
		} else {
			return false;
		}
		if (port && n == 1) {
			it[1] = it[0];	/* libsinsp compares the bound port twice */
			n = 2;
		}
		v->multi = 1;
		v->items = it;
		v->nitems = n;
		return true;
	}
	case FLD_FD_CIP_NAME:
	case FLD_FD_SIP_NAME:
	case FLD_FD_LIP_NAME:
	case FLD_FD_RIP_NAME:
		return false;	/* no DNS cache: Falco's replay never resolves either */
	case FLD_FD_IS_SERVER:
		if (!f)
			return false;
		if (f->type == SCAP_FD_IPV4_SERVSOCK || f->type == SCAP_FD_IPV6_SERVSOCK)
			return vbool(v, true);
		if (f->type == SCAP_FD_IPV4_SOCK)
			return vbool(v, state_ip_is_local(e->st, t, 4, (const uint8_t *)&f->sock.v4.dip));
		if (f->type == SCAP_FD_IPV6_SOCK)
			return vbool(v, state_ip_is_local(e->st, t, 6, f->sock.v6.dip));
		return vbool(v, false);
	case FLD_FD_UID:
		sb_printf(&b, "%" PRId64 "%" PRId64, t->tid, t->lastevent_fd);
		return vsb(v, &b);
	case FLD_FD_DEV:
		return f && vint(v, (int32_t)f->dev);
	case FLD_FD_DEV_MAJOR:
		return f && vint(v, (int32_t)((f->dev & 0xfff00) >> 8));
	case FLD_FD_DEV_MINOR:
		return f && vint(v, (int32_t)((f->dev & 0xff) | ((f->dev >> 12) & 0xfff00)));
	case FLD_FD_INO:
		return f && vint(v, (int64_t)f->ino);
	case FLD_FD_IS_UPPER_LAYER:
		return f && vbool(v, f->flags & FDF_OVERLAY_UPPER);
	case FLD_FD_IS_LOWER_LAYER:
		return f && vbool(v, f->flags & FDF_OVERLAY_LOWER);
	default:
		return false;
	}
}

/* ---- container.*, k8s.* (container plugin) ---- */

static inline __attribute__((always_inline)) const struct frc_container *
event_container(struct frc_evt *e, bool *have_thread, const char **cid)
{
	*have_thread = false;
	*cid = "";
	if (e->type == PPME_CONTAINER_JSON_2_E || e->type == PPME_CONTAINER_JSON_E ||
	    e->type == PPME_CONTAINER_E) {
		/* the container this very event describes */
		uint32_t pl;
		const uint8_t *pv = event_param(e, 0, &pl);
		if (pv && pl) {
			const char *idk = memmem(pv, pl, "\"id\":\"", 6);
			if (idk) {
				const char *s = idk + 6, *end = memchr(s, '"', (size_t)((const char *)pv + pl - s));
				if (end) {
					char *id = sdup(e->scratch, s, (size_t)(end - s));
					if (id)
						return state_container(e->st, id);
				}
			}
		}
	}
	struct frc_thread *t = e->thr ? e->thr : state_find_thread(e->st, e->tid);
	if (!t)
		return NULL;
	*have_thread = true;
	*cid = t->container_id;
	return state_container(e->st, t->container_id);
}

static const char *label(const struct frc_container *c, const char *k)
{
	for (uint32_t i = 0; i < c->nlabels; i++)
		if (!strcmp(c->labels[2 * i], k))
			return c->labels[2 * i + 1];
	return NULL;
}

/* container.* and k8s.* from the event's container @c (event_container()); inlined in
   both callers so that neither pays a call */
static inline __attribute__((always_inline)) bool x_container_of(struct frc_evt *e, const struct xq *q, struct frc_val *v,
			   const struct frc_container *c, bool have_thread, const char *cid)
{
	struct sb b;

	sb_init(&b, e->scratch);
	if (!c && !have_thread)
		return false;
	switch (q->fid) {
	case FLD_CONTAINER_ID:
		vstrz(v, c ? c->id : cid);
		return true;
	case FLD_CONTAINER_START_TS: {
		struct frc_thread *t = have_thread ? (e->thr ? e->thr : state_find_thread(e->st, e->tid)) : NULL;
		return t && t->pidns_init_start_ts && vuint(v, t->pidns_init_start_ts);
	}
	default:
		break;
	}
	if (!c)
		return false;
	switch (q->fid) {
	case FLD_CONTAINER_NAME: vstrz(v, c->name); return true;
	case FLD_CONTAINER_IMAGE: vstrz(v, c->image); return true;
	case FLD_CONTAINER_IMAGE_REPOSITORY: vstrz(v, c->imagerepo); return true;
	case FLD_CONTAINER_IMAGE_TAG: vstrz(v, c->imagetag); return true;
	case FLD_CONTAINER_PRIVILEGED: return vbool(v, c->privileged);
	case FLD_CONTAINER_MOUNTS:
		for (uint32_t i = 0; i < c->nmounts; i++) {
			const struct frc_mount *m = &c->mounts[i];
			if (i)
				sb_put(&b, ",", 1);
			sb_printf(&b, "%s:%s:%s:%s:%s", m->source, m->dest, m->mode, m->rdwr ? "true" : "false",
				  m->propagation);
		}
		return vsb(v, &b);
	case FLD_CONTAINER_MOUNT_DEST: {
		const struct frc_mount *m = NULL;
		if (q->idx >= 0) {
			if ((uint64_t)q->idx < c->nmounts)
				m = &c->mounts[q->idx];
		} else if (q->sl && q->sl->x->re) {
			pcre2_match_data *md = pcre2_match_data_create_from_pattern(q->sl->x->re, NULL);
			for (uint32_t i = 0; md && i < c->nmounts && !m; i++)
				if (pcre2_match(q->sl->x->re, (PCRE2_SPTR)c->mounts[i].source, PCRE2_ZERO_TERMINATED,
						0, 0, md, NULL) >= 0)
					m = &c->mounts[i];
			pcre2_match_data_free(md);
		} else if (q->arg) {
			int ec;
			PCRE2_SIZE eo;
			pcre2_code *re = pcre2_compile((PCRE2_SPTR)q->arg, q->arglen, PCRE2_MULTILINE, &ec, &eo, NULL);
			pcre2_match_data *md = re ? pcre2_match_data_create_from_pattern(re, NULL) : NULL;
			for (uint32_t i = 0; md && i < c->nmounts && !m; i++)
				if (pcre2_match(re, (PCRE2_SPTR)c->mounts[i].source, PCRE2_ZERO_TERMINATED, 0, 0,
						md, NULL) >= 0)
					m = &c->mounts[i];
			pcre2_match_data_free(md);
			pcre2_code_free(re);
		}
		if (!m)
			return false;
		vstrz(v, m->dest);
		return true;
	}
	case FLD_K8S_NS_NAME: {
		const char *l = label(c, "io.kubernetes.pod.namespace");
		if (!l)
			return false;
		vstrz(v, l);
		return true;
	}
	case FLD_K8S_POD_NAME: {
		const char *l = label(c, "io.kubernetes.pod.name");
		if (!l)
			return false;
		vstrz(v, l);
		return true;
	}
	default:
		return false;
	}
}

static bool x_container(struct frc_evt *e, const struct xq *q, struct frc_val *v)
{
	bool have_thread;
	const char *cid;
	const struct frc_container *c = event_container(e, &have_thread, &cid);
	return x_container_of(e, q, v, c, have_thread, cid);
}

/* ---- evt.* ---- */

static const char *evt_type_name(struct frc_evt *e)
{
	if (e->type == PPME_GENERIC_X) {
		uint16_t sc = 0, native = 0;
		event_u16(e, 0, &sc);
		if (sc == 0 && e->nparams > 1 && e->pl[1] && event_u16(e, 1, &native))
			sc = evtab_sc_from_native(native);
		return evtab_syscall_name(sc);
	}
	if (e->type == PPME_ASYNCEVENT_E) {
		size_t n;
		if (e->nparams < 2)
			return NULL;
		return pstring(e, 1, PT_CHARBUF, &n);
	}
	return e->info->name;
}

static bool is_meta(const struct frc_evt *e)
{
	return (e->info->category & EVC_METAEVENT) != 0;
}

static const char *category_name(const struct frc_evt *e)
{
	uint32_t cat = e->info->category & (EVC_SYSCALL - 1);

	switch (cat) {
	case EVC_UNKNOWN: return "unknown";
	case EVC_OTHER: return "other";
	case EVC_FILE: return "file";
	case EVC_NET: return "net";
	case EVC_IPC: return "IPC";
	case EVC_MEMORY: return "memory";
	case EVC_PROCESS: return "process";
	case EVC_SLEEP: return "sleep";
	case EVC_SYSTEM: return "system";
	case EVC_SIGNAL: return "signal";
	case EVC_USER: return "user";
	case EVC_TIME: return "time";
	case EVC_PROCESSING: return "processing";
	case EVC_IO_READ:
	case EVC_IO_WRITE:
	case EVC_IO_OTHER:
		if (!e->fdi)
			return "unknown";
		switch (e->fdi->type) {
		case SCAP_FD_FILE: case SCAP_FD_FILE_V2: case SCAP_FD_DIRECTORY:
			return "file";
		case SCAP_FD_IPV4_SOCK: case SCAP_FD_IPV6_SOCK: case SCAP_FD_IPV4_SERVSOCK:
		case SCAP_FD_IPV6_SERVSOCK:
			return "net";
		case SCAP_FD_FIFO: case SCAP_FD_UNIX_SOCK: case SCAP_FD_EVENT: case SCAP_FD_SIGNALFD:
		case SCAP_FD_INOTIFY: case SCAP_FD_USERFAULTFD:
			return "ipc";
		default:
			return "unknown";
		}
	case EVC_WAIT: return "wait";
	case EVC_SCHEDULER: return "scheduler";
	case EVC_INTERNAL: return "internal";
	default: return "unknown";
	}
}

static int32_t tz_offset(void)
{
	time_t now = time(NULL);
	struct tm g, l;
	gmtime_r(&now, &g);
	localtime_r(&now, &l);
	int32_t dt = (l.tm_hour - g.tm_hour) * 3600 + (l.tm_min - g.tm_min) * 60;
	int dir = l.tm_year - g.tm_year;
	if (dir == 0)
		dir = l.tm_yday - g.tm_yday;
	dt += dir * 24 * 3600;
	return dt;
}

static bool x_time(struct frc_evt *e, bool date, bool ns, struct frc_val *v)
{
	struct sb b;
	uint64_t sec = e->ts / 1000000000ull, nsec = e->ts % 1000000000ull;
	int32_t zone = tz_offset();
	int32_t s = (int32_t)((int64_t)(sec + (uint64_t)(int64_t)zone) % 86400);

	sb_init(&b, e->scratch);
	if (date) {
		time_t tt = (time_t)((int64_t)sec + zone - s);
		struct tm tm;
		if (gmtime_r(&tt, &tm))
			sb_printf(&b, "%04d-%02d-%02d ", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
		else
			sb_puts(&b, "<date error> ");
	}
	if (ns)
		sb_printf(&b, "%02d:%02d:%02d.%09u", s / 3600, (s % 3600) / 60, s % 60, (unsigned)nsec);
	else
		sb_printf(&b, "%02d:%02d:%02d", s / 3600, (s % 3600) / 60, s % 60);
	return vsb(v, &b);
}

static bool x_abspath(struct frc_evt *e, const struct xq *q, struct frc_val *v)
{
	const char *dname = NULL, *pname = NULL;
	int argid = 0;
	struct sb b;

	if (!e->thr)
		return false;
	if (q->arg && !strcmp(q->arg, "src"))
		argid = 1;
	else if (q->arg && !strcmp(q->arg, "dst"))
		argid = 2;
	sb_init(&b, e->scratch);
	switch (e->type) {
	case PPME_SYSCALL_RENAMEAT_X:
	case PPME_SYSCALL_RENAMEAT2_X:
		if (argid <= 1) {
			dname = "olddirfd";
			pname = "oldpath";
		} else {
			dname = "newdirfd";
			pname = "newpath";
		}
		break;
	case PPME_SYSCALL_SYMLINKAT_X: dname = "linkdirfd"; pname = "linkpath"; break;
	case PPME_SYSCALL_OPENAT_2_X: case PPME_SYSCALL_OPENAT2_X: dname = "dirfd"; pname = "name"; break;
	case PPME_SYSCALL_OPEN_BY_HANDLE_AT_X: {
		char full[1024];
		size_t n;
		if (event_return_value(e) <= 0 || e->nparams < 4)
			return false;
		const char *s = e->pl[3] ? pstring(e, 3, PT_FSPATH, &n) : "";
		n = e->pl[3] ? n : 0;
		size_t fl = state_concat_paths("", 0, s, n, full);
		sb_put(&b, full, fl);
		return vsb(v, &b);
	}
	case PPME_SYSCALL_LINKAT_2_X:
		if (argid <= 1) {
			dname = "olddir";
			pname = "oldpath";
		} else {
			dname = "newdir";
			pname = "newpath";
		}
		break;
	case PPME_SYSCALL_UNLINKAT_2_X: dname = "dirfd"; pname = "name"; break;
	case PPME_SYSCALL_MKDIRAT_X: dname = "dirfd"; pname = "path"; break;
	case PPME_SYSCALL_FCHMODAT_X: dname = "dirfd"; pname = "filename"; break;
	case PPME_SYSCALL_FCHOWNAT_X: dname = "dirfd"; pname = "pathname"; break;
	default:
		return false;
	}
	int di = event_param_index(e, dname, strlen(dname)), pi = event_param_index(e, pname, strlen(pname));
	if (di < 0 || pi < 0 || e->pl[di] == 0 || e->pl[pi] == 0)
		return false;
	int64_t dirfd = 0;
	size_t n;
	event_int(e, (uint32_t)di, &dirfd);
	const char *path = pstring(e, (uint32_t)pi, PT_FSPATH, &n);
	char sdir[1100], full[1024];
	if (path[0] == '/') {
		snprintf(sdir, sizeof(sdir), ".");
	} else if (dirfd == PPM_AT_FDCWD) {
		snprintf(sdir, sizeof(sdir), "%s", state_cwd(e->thr));
	} else {
		struct frc_fd *f = state_thread_fd(e->thr, dirfd);
		if (!f)
			snprintf(sdir, sizeof(sdir), "<UNKNOWN>/");
		else
			snprintf(sdir, sizeof(sdir), "%s/", f->name.s);	/* libsinsp always appends '/' */
	}
	size_t fl = state_concat_paths(sdir, strlen(sdir), path, n, full);
	sb_put(&b, full, fl);
	return vsb(v, &b);
}

/* libsinsp's rendering of a raw parameter of type @t and print format @fmt (rawval_to_string) */
static uint8_t raw_render(enum evt_ptype t, uint8_t fmt)
{
	bool sig = t == PT_INT8 || t == PT_INT16 || t == PT_INT32 || t == PT_INT64 || t == PT_ERRNO ||
		   t == PT_FD || t == PT_PID || t == PT_FD32 || t == PT_PID32;

	switch (t) {
	case PT_BYTEBUF:
		return FRC_RAW_BYTEBUF;
	case PT_SOCKADDR: case PT_SOCKFAMILY:
		return FRC_RAW_NONE;
	case PT_BOOL: case PT_MODE: case PT_SIGSET: case PT_SYSCALLID: case PT_SIGTYPE:
		return FRC_RAW_UDEC;	/* (libsinsp has no rendering for the last four) */
	default:
		break;
	}
	switch (fmt) {
	case PF_HEX:
		return FRC_RAW_HEX;
	case PF_OCT:
		return FRC_RAW_OCT;
	case PF_10_PADDED_DEC:
		return (t == PT_INT64 || t == PT_UINT64 || t == PT_ERRNO || t == PT_FD || t == PT_PID) ?
			FRC_RAW_PAD9 : sig ? FRC_RAW_SDEC : FRC_RAW_UDEC;
	case PF_NA:
		if (!sig && t != PT_L4PROTO && t != PT_PORT)
			return FRC_RAW_NONE;
		return sig ? FRC_RAW_SDEC : FRC_RAW_UDEC;
	default:
		return sig ? FRC_RAW_SDEC : FRC_RAW_UDEC;
	}
}

static bool x_rawarg(struct frc_evt *e, const struct xq *q, struct frc_val *v)
{
	if (!q->arg)
		return false;
	int i = event_param_index(e, q->arg, q->arglen);
	if (i < 0)
		return false;
	enum evt_ptype t = e->info->params[i].type;
	const uint8_t *p = e->pv[i];
	uint32_t l = e->pl[i];
	if (legacy_null(e, (uint32_t)i, t)) {
		vstrz(v, "<NA>");
		return true;
	}
	if (l == 0)
		return false;
	switch (t) {
	case PT_INT8: case PT_INT16: case PT_INT32: case PT_INT64: case PT_ERRNO: case PT_FD: case PT_PID:
	case PT_FD32: case PT_PID32:
		v->family = raw_render(t, e->info->params[i].fmt);
		return vint(v, rd_int(p, l, l >= 8 ? 8 : l >= 4 ? 4 : l >= 2 ? 2 : 1, true));
	case PT_UINT8: case PT_UINT16: case PT_UINT32: case PT_UINT64: case PT_FLAGS8: case PT_FLAGS16:
	case PT_FLAGS32: case PT_ENUMFLAGS8: case PT_ENUMFLAGS16: case PT_ENUMFLAGS32: case PT_UID:
	case PT_GID: case PT_MODE: case PT_SYSCALLID: case PT_SIGTYPE: case PT_RELTIME: case PT_ABSTIME:
	case PT_PORT: case PT_L4PROTO: case PT_SOCKFAMILY: case PT_BOOL: case PT_SIGSET:
		v->family = raw_render(t, e->info->params[i].fmt);
		return vuint(v, (uint64_t)rd_int(p, l, l >= 8 ? 8 : l >= 4 ? 4 : l >= 2 ? 2 : 1, false));
	case PT_CHARBUF: case PT_FSPATH: case PT_FSRELPATH: {
		size_t n;
		const char *s = pstring(e, (uint32_t)i, t, &n);
		vstr(v, s, n);
		return true;
	}
	default: {
		char *d = sdup(e->scratch, (const char *)p, l);
		if (!d)
			return false;
		vstr(v, d, l);
		v->family = raw_render(t, e->info->params[i].fmt);
		return true;
	}
	}
}

/* evt.is_open_read/write/exec/create of @fid */
static inline __attribute__((always_inline)) uint32_t evt_is_open(const struct frc_evt *e, uint32_t fid)
{
	uint16_t t = e->type;
	uint32_t mask = PPM_S_IXUSR | PPM_S_IXGRP | PPM_S_IXOTH, val = 0;
	if (t == PPME_SYSCALL_OPEN_X || t == PPME_SYSCALL_OPENAT_2_X || t == PPME_SYSCALL_OPENAT2_X ||
	    t == PPME_SYSCALL_OPEN_BY_HANDLE_AT_X) {
		bool nv = t == PPME_SYSCALL_OPENAT_2_X || t == PPME_SYSCALL_OPENAT2_X;
		uint32_t flags = 0, mode;
		if (e->nparams > (nv ? 3u : 2u) && e->pl[nv ? 3 : 2])
			event_u32(e, nv ? 3 : 2, &flags);
		if (fid == FLD_EVT_IS_OPEN_READ && (flags & PPM_O_RDONLY))
			val = 1;
		if (fid == FLD_EVT_IS_OPEN_WRITE && (flags & PPM_O_WRONLY))
			val = 1;
		if (fid == FLD_EVT_IS_OPEN_CREATE) {
			if (flags & PPM_O_F_CREATED)
				val = 1;
			if ((flags & PPM_O_TMPFILE) && event_has_return_value(e) && event_return_value(e) >= 0)
				val = 1;
		}
		if (fid == FLD_EVT_IS_OPEN_EXEC && (flags & (PPM_O_TMPFILE | PPM_O_CREAT)) &&
		    t != PPME_SYSCALL_OPEN_BY_HANDLE_AT_X) {
			uint32_t mi = nv ? 4 : 3;
			if (e->nparams > mi && e->pl[mi] && event_u32(e, mi, &mode))
				val = (mode & mask) ? 1 : 0;
		}
	} else if (fid == FLD_EVT_IS_OPEN_EXEC && t == PPME_SYSCALL_CREAT_X) {
		uint32_t mode = 0;
		event_u32(e, 2, &mode);
		val = (mode & mask) ? 1 : 0;
	}
	return val;
}

/* evt.res: SUCCESS, or the error's name (else its number) */
static inline __attribute__((always_inline)) bool evt_res(struct frc_evt *e, struct frc_val *v)
{
	struct ptext pt;

	if (!event_has_return_value(e))
		return false;
	if (event_return_value(e) >= 0) {
		vstr(v, "SUCCESS", 7);
		return true;
	}
	param_text(e, 0, &pt);
	vstrz(v, pt.resolved[0] ? pt.resolved : pt.plain);
	return true;
}

static bool x_evt(struct frc_evt *e, const struct xq *q, struct frc_val *v)
{
	struct sb b;
	struct ptext pt;
	uint32_t ef = e->info->flags;

	sb_init(&b, e->scratch);
	switch (q->fid) {
	case FLD_EVT_TYPE: {
		const char *n = evt_type_name(e);
		if (!n)
			return false;
		vstrz(v, n);
		return true;
	}
	case FLD_SYSCALL_TYPE: {
		if (!(e->info->category & EVC_SYSCALL))
			return false;
		const char *n = evt_type_name(e);
		if (!n)
			return false;
		vstrz(v, n);
		return true;
	}
	case FLD_EVT_NUM:
		return vuint(v, e->num);
	case FLD_EVT_DIR:
		vstrz(v, evtab_is_enter(e->type) ? ">" : "<");
		return true;
	case FLD_EVT_RES:
		return evt_res(e, v);
	case FLD_EVT_RAWRES:
		return event_has_return_value(e) && vint(v, event_return_value(e));
	case FLD_EVT_FAILED:
	case FLD_EVT_COUNT_ERROR:
		if (!event_has_return_value(e))
			return false;
		return q->fid == FLD_EVT_FAILED ? vbool(v, event_return_value(e) < 0) :
						  vuint(v, event_return_value(e) < 0);
	case FLD_EVT_ARGS:
	case FLD_EVT_INFO:
		if (e->type == PPME_GENERIC_X) {
			vstrz(v, "");
			return true;
		}
		for (uint32_t j = 0; j < e->nparams; j++) {
			param_text(e, j, &pt);
			if (b.len)
				sb_put(&b, " ", 1);
			sb_printf(&b, "%s=%s", e->info->params[j].name, pt.plain);
			if (pt.resolved[0])
				sb_printf(&b, "(%s)", pt.resolved);
		}
		return vsb(v, &b);
	case FLD_EVT_ARG: {
		int i;
		if (q->idx >= 0)
			i = q->idx < (int64_t)e->nparams ? (int)q->idx : -1;
		else
			i = q->arg ? event_param_index(e, q->arg, q->arglen) : -1;
		if (i < 0)
			return false;
		param_text(e, (uint32_t)i, &pt);
		vstrz(v, pt.resolved[0] ? pt.resolved : pt.plain);
		return true;
	}
	case FLD_EVT_RAWARG:
		return x_rawarg(e, q, v);
	case FLD_EVT_BUFFER: {
		int i = event_param_index(e, "data", 4);
		if (i < 0)
			return false;
		if (q->out) {
			param_text(e, (uint32_t)i, &pt);
			vstrz(v, pt.plain);
		} else {
			char *d = sdup(e->scratch, (const char *)e->pv[i], e->pl[i]);
			if (!d)
				return false;
			vstr(v, d, e->pl[i]);
		}
		return true;
	}
	case FLD_EVT_IS_OPEN_READ:
	case FLD_EVT_IS_OPEN_WRITE:
	case FLD_EVT_IS_OPEN_EXEC:
	case FLD_EVT_IS_OPEN_CREATE:
		return vbool(v, evt_is_open(e, q->fid));
	case FLD_EVT_TIME: return x_time(e, false, true, v);
	case FLD_EVT_TIME_S: return x_time(e, false, false, v);
	case FLD_EVT_DATETIME: return x_time(e, true, true, v);
	case FLD_EVT_DATETIME_S: return x_time(e, true, false, v);
	case FLD_EVT_TIME_ISO8601: {
		time_t sec = (time_t)(e->ts / 1000000000ull);
		struct tm tm;
		char tb[64];
		gmtime_r(&sec, &tm);
		strftime(tb, sizeof(tb), "%FT%T", &tm);
		sb_printf(&b, "%s.%09u+0000", tb, (unsigned)(e->ts % 1000000000ull));
		return vsb(v, &b);
	}
	case FLD_EVT_HOSTNAME: {
		const struct scap_machine *mi = state_machine(e->st);
		if (!mi->present)
			return false;
		vstrz(v, mi->hostname);
		return true;
	}
	case FLD_EVT_SOURCE:
		vstrz(v, "syscall");
		return true;
	case FLD_EVT_CATEGORY:
		vstrz(v, category_name(e));
		return true;
	case FLD_EVT_CPU:
		return vint(v, e->cpuid);
	case FLD_EVT_LATENCY: case FLD_EVT_LATENCY_S: case FLD_EVT_LATENCY_NS: case FLD_EVT_WAIT_LATENCY:
		return vuint(v, 0);
	case FLD_EVT_LATENCY_HUMAN:
		vstrz(v, "0ns");
		return true;
	case FLD_EVT_DELTATIME: case FLD_EVT_DELTATIME_S: case FLD_EVT_DELTATIME_NS: {
		uint64_t *prev = q->sl ? &q->sl->x->prev :
				 &e->scratch->delta_prev[q->fid - FLD_EVT_DELTATIME];
		uint64_t d = 0;
		if (*prev) {
			d = e->ts - *prev;
			if (q->fid == FLD_EVT_DELTATIME_S)
				d /= 1000000000ull;
			else if (q->fid == FLD_EVT_DELTATIME_NS)
				d %= 1000000000ull;
		}
		*prev = e->ts;
		return vuint(v, d);
	}
	case FLD_EVT_BUFLEN:
		if (!e->fdi || !((e->info->category & EVC_CLASS_MASK) >= EVC_IO_READ &&
				 (e->info->category & EVC_CLASS_MASK) <= EVC_IO_OTHER))
			return false;
		if (evtab_is_enter(e->type) || !event_has_return_value(e) || event_return_value(e) < 0)
			return false;
		return vuint(v, (uint64_t)event_return_value(e));
	case FLD_EVT_IS_IO: return vbool(v, ef & (EVF_READS_FROM_FD | EVF_WRITES_TO_FD));
	case FLD_EVT_IS_IO_READ: return vbool(v, ef & EVF_READS_FROM_FD);
	case FLD_EVT_IS_IO_WRITE: return vbool(v, ef & EVF_WRITES_TO_FD);
	case FLD_EVT_IO_DIR:
		if (ef & EVF_WRITES_TO_FD)
			vstrz(v, "write");
		else if (ef & EVF_READS_FROM_FD)
			vstrz(v, "read");
		else
			return false;
		return true;
	case FLD_EVT_IS_WAIT: return vbool(v, ef & EVF_WAITS);
	case FLD_EVT_IS_SYSLOG:
		return vbool(v, (ef & EVF_WRITES_TO_FD) && e->fdi && strstr(e->fdi->name.s, "/dev/log"));
	case FLD_EVT_COUNT: return vuint(v, 1);
	case FLD_EVT_COUNT_ERROR_FILE:
	case FLD_EVT_COUNT_ERROR_NET:
	case FLD_EVT_COUNT_ERROR_MEMORY:
	case FLD_EVT_COUNT_ERROR_OTHER: {
		uint16_t t = e->type;
		bool file_evt = t == PPME_SYSCALL_OPEN_X || t == PPME_SYSCALL_CREAT_X ||
				t == PPME_SYSCALL_OPENAT_2_X || t == PPME_SYSCALL_OPENAT2_X ||
				t == PPME_SYSCALL_OPEN_BY_HANDLE_AT_X;
		bool net_evt = t == PPME_SOCKET_ACCEPT_5_X || t == PPME_SOCKET_ACCEPT4_6_X ||
			       t == PPME_SOCKET_CONNECT_X;
		bool mem = (e->info->category & (EVC_SYSCALL - 1)) == EVC_MEMORY;
		bool is_file_fd = e->fdi && (is_file(e->fdi) || e->fdi->type == SCAP_FD_DIRECTORY);
		bool is_net_fd = e->fdi && (fd_sock(e->fdi) || e->fdi->type == SCAP_FD_IPV4_SERVSOCK ||
					     e->fdi->type == SCAP_FD_IPV6_SERVSOCK ||
					     e->fdi->type == SCAP_FD_UNIX_SOCK);
		bool take;
		if (q->fid == FLD_EVT_COUNT_ERROR_FILE)
			take = e->fdi ? is_file_fd : file_evt;
		else if (q->fid == FLD_EVT_COUNT_ERROR_NET)
			take = e->fdi ? is_net_fd : net_evt;
		else if (q->fid == FLD_EVT_COUNT_ERROR_MEMORY)
			take = mem;
		else
			take = e->fdi ? !(is_file_fd || is_net_fd) : !(file_evt || net_evt || mem);
		if (!take || !event_has_return_value(e))
			return false;
		return vuint(v, event_return_value(e) < 0);
	}
	case FLD_EVT_COUNT_EXIT:
		return !evtab_is_enter(e->type) && vuint(v, 1);
	case FLD_EVT_AROUND:
		return vuint(v, e->ts);	/* compared as |T - ts| <= D ms by the rule code */
	case FLD_EVT_ABSPATH:
		return x_abspath(e, q, v);
	case FLD_EVT_TYPE_IS: {
		uint32_t id0 = PPM_EVENT_MAX, id1 = PPM_EVENT_MAX;
		if (q->arg) {
			char *end;
			unsigned long n = strtoul(q->arg, &end, 10);
			if (*q->arg && !*end) {
				id0 = (uint32_t)n;
			} else {
				for (uint16_t c = 0; c < evtab_ncodes; c++)
					if (!strcmp(evtab_schema(c)->name, q->arg)) {
						id0 = c;
						id1 = c + 1u;
						break;
					}
			}
		}
		return vuint(v, e->type == id0 || e->type == id1);
	}
	case FLD_EVT_RAWTIME: return vuint(v, e->ts);
	case FLD_EVT_RAWTIME_S: return vuint(v, e->ts / 1000000000ull);
	case FLD_EVT_RAWTIME_NS: return vuint(v, e->ts % 1000000000ull);
	case FLD_EVT_RELTIME:
	case FLD_EVT_RELTIME_S:
	case FLD_EVT_RELTIME_NS: {
		uint64_t d = e->ts - e->scratch->first_ts;
		if (q->fid == FLD_EVT_RELTIME_S)
			d /= 1000000000ull;
		else if (q->fid == FLD_EVT_RELTIME_NS)
			d %= 1000000000ull;
		return vuint(v, d);
	}
	case FLD_EVT_PLUGINNAME:
	case FLD_EVT_PLUGININFO:
		return false;
	case FLD_EVT_IS_ASYNC:
		return vbool(v, is_meta(e));
	case FLD_EVT_ASYNCTYPE: {
		if (!is_meta(e))
			return false;
		const char *n = e->type == PPME_ASYNCEVENT_E ? evt_type_name(e) : e->info->name;
		if (!n)
			return false;
		vstrz(v, n);
		return true;
	}
	default:
		return false;
	}
}

/* ---- dispatch ---- */

/* the extractor class of each field id, from its name prefix: computed once at start-up,
   so that an extraction picks its class with one load instead of comparing names */
enum { XC_NONE, XC_EVT, XC_PROC, XC_USER, XC_FD, XC_CONTAINER };
static uint8_t field_class[FLD__COUNT];

__attribute__((constructor)) static void field_class_init(void)
{
	static const struct { const char *p; uint8_t c; } pre[] = {
		{ "evt.", XC_EVT }, { "syscall.", XC_EVT }, { "proc.", XC_PROC },
		{ "thread.", XC_PROC }, { "user.", XC_USER }, { "group.", XC_USER },
		{ "fd.", XC_FD }, { "container.", XC_CONTAINER }, { "k8s.", XC_CONTAINER },
	};
	for (uint32_t f = 0; f < FLD__COUNT; f++)
		for (size_t i = 0; i < sizeof(pre) / sizeof(pre[0]); i++)
			if (!strncmp(field_table[f].name, pre[i].p, strlen(pre[i].p))) {
				field_class[f] = pre[i].c;
				break;
			}
}

static bool extract(struct frc_evt *e, const struct xq *q, struct frc_val *v)
{
	memset(v, 0, sizeof(*v));
	if (q->fid >= FLD__COUNT || !e->st || !e->scratch)
		return false;
	bool ok;
	switch (field_class[q->fid]) {
	case XC_EVT: ok = x_evt(e, q, v); break;
	case XC_PROC: ok = x_proc(e, q, v); break;
	case XC_USER: ok = x_user(e, q, v); break;
	case XC_FD: ok = x_fd(e, q, v); break;
	case XC_CONTAINER: ok = x_container(e, q, v); break;
	default: ok = false; break;
	}
	if (ok && !v->multi && !v->s && field_table[q->fid].type == FT_CHARBUF)
		vstrz(v, "");
	return ok && !e->scratch->oom;
}

/* ---- slots: the compiled path ---- */

/* any field: the generic extractor */
static inline __attribute__((always_inline)) bool
slot_generic_get(struct frc_evt *e, struct frc_slots *ss, struct slot *sl)
{
	(void)ss;
	struct xq q = { sl->ref.field, sl->arg, sl->ref.arg_len, sl->ref.arg_index, false, sl };
	return extract(e, &q, &sl->val);
}

/*
 * Direct extractors for the fields that rules test most. Each gives exactly the value of
 * the generic extractor (they share its helpers), for a field whose value always has the
 * same shape (a string or a number, never a list), so that the value needs no clearing:
 * the members a field does not set stay zero from the slot table's allocation.
 */

/* state_ancestor(st, e->thr, n) through the thread's chain (anc_cached()) */
static inline __attribute__((always_inline)) struct frc_thread *
slot_ancestor(struct frc_evt *e, struct frc_slots *ss, uint32_t n)
{
	(void)ss;
	return anc_cached(e->st, e->thr, n);
}

static void vstr_or_empty(struct frc_val *v, const struct frc_str *x)
{
	if (x->s)
		vstr(v, x->s, x->len);
	else
		vstr(v, "", 0);
}

/* proc.name, proc.exe, proc.exepath: a string of the thread */
static inline __attribute__((always_inline)) bool
slot_thread_str_get(struct frc_evt *e, struct frc_slots *ss, struct slot *sl)
{
	(void)ss;
	if (!e->thr)
		return false;
	vstr_or_empty(&sl->val, (const struct frc_str *)((const char *)e->thr + sl->off));
	return true;
}

/*
 * proc.pname, proc.aname[N], proc.pexe, proc.aexe[N], ...: a string of an ancestor (@a,
 * NULL when there is none), the slot's value. Written out rather than through SLOT_FN so
 * that the usual case, the thread's remembered chain, makes no call (the chain is
 * extended by a tail call).
 */
static inline __attribute__((always_inline)) const struct frc_val *
anc_str_val(struct frc_evt *e, struct slot *sl, const struct frc_thread *a)
{
	if (!a || e->scratch->oom) {
		sl->present = false;
		return NULL;
	}
	const struct frc_str *x = (const struct frc_str *)(const void *)((const char *)a + sl->off);
	vstr(&sl->val, x->s, x->len);	/* never NULL (struct frc_str) */
	sl->present = true;
	return &sl->val;
}

static __attribute__((noinline)) const struct frc_val *
slot_anc_str_fill(struct frc_evt *e, struct slot *sl)
{
	return anc_str_val(e, sl, anc_fill(e->st, e->thr, sl->anc));
}

static const struct frc_val *slot_anc_str(struct frc_evt *e, struct frc_slots *ss, struct slot *sl)
{
	(void)ss;
	struct frc_thread *t = e->thr;
	if (!t) {
		sl->present = false;
		return NULL;
	}
	if (__builtin_expect(sl->anc >= t->xc.nanc || t->xc.anc_gen != state_gens(e->st)->thr, 0))
		return slot_anc_str_fill(e, sl);
	return anc_str_val(e, sl, t->xc.anc[sl->anc]);
}

/* the event's thread (@sl->self) or ancestor @sl->anc */
static inline __attribute__((always_inline)) struct frc_thread *
slot_thread(struct frc_evt *e, struct frc_slots *ss, struct slot *sl)
{
	if (!e->thr)
		return NULL;
	return sl->self ? e->thr : slot_ancestor(e, ss, sl->anc);
}

/* proc.cmdline, proc.pcmdline, proc.acmdline[N]: the thread's own string if it keeps one */
static inline __attribute__((always_inline)) bool
slot_cmdline_get(struct frc_evt *e, struct frc_slots *ss, struct slot *sl)
{
	struct frc_thread *t = slot_thread(e, ss, sl);
	if (!t)
		return false;
	if (cmdline_direct(&sl->val, t))
		return true;
	struct sb b;
	sb_init(&b, e->scratch);
	put_cmdline(&b, t);
	return vsb(&sl->val, &b);
}

/*
 * vjoin() through the slot's memory of the last list it joined: the same bytes and item
 * count give the same text, so the text is reused after a comparison of the bytes;
 * otherwise joined and remembered (the slot's buffers grow to the longest list seen).
 * For proc.env: environments are inherited, mostly unchanged, by the processes of a
 * session or container (arguments differ from one command to the next: proc.args is
 * joined every time, a comparison that mostly fails would cost more than it saves).
 */
static bool vjoin_slot(struct frc_evt *e, struct slot *sl, const struct frc_str *l, uint32_t n,
		       uint64_t id)
{
	struct slot_cold *x = sl->x;
	/* an environment of the same id has the same bytes and count (struct frc_thread):
	   no comparison */
	if (x->jvalid && x->jid == id) {
		vstr(&sl->val, x->jtext, l->len ? l->len - 1u : 0);
		return true;
	}
	if (x->jvalid && x->jn == n && x->jlen == l->len && !memcmp(x->jsrc, l->s, l->len)) {
		x->jid = id;
		vstr(&sl->val, x->jtext, l->len ? l->len - 1u : 0);
		return true;
	}
	if (!vjoin(e, &sl->val, l, n))
		return false;
	/* remembered only for the usual layout: the text is the list's length less one */
	if (!n || !l->len || sl->val.len != l->len - 1u)
		return true;
	if (l->len + 16u > x->jcap) {
		uint32_t cap = l->len + 16u;
		char *a = malloc(cap), *b = malloc(cap);
		if (!a || !b) {
			free(a);
			free(b);
			return true;
		}
		free(x->jsrc);
		free(x->jtext);
		x->jsrc = a;
		x->jtext = b;
		x->jcap = cap;
	}
	x->jvalid = false;
	memcpy(x->jsrc, l->s, l->len);
	memcpy(x->jtext, sl->val.s, sl->val.len);
	x->jtext[sl->val.len] = '\0';
	x->jlen = l->len;
	x->jn = n;
	x->jid = id;
	x->jvalid = true;
	return true;
}

/* proc.args, proc.aargs[N]: the arguments joined with spaces; the end of the command
   line that state.c built with them when it has that text (args_at), without a copy */
static inline __attribute__((always_inline)) bool
slot_args_get(struct frc_evt *e, struct frc_slots *ss, struct slot *sl)
{
	struct frc_thread *t = slot_thread(e, ss, sl);
	if (!t)
		return false;
	if (t->args_at) {
		vstr(&sl->val, t->cmdline.s + t->args_at, t->cmdline.len - t->args_at);
		return true;
	}
	return vjoin(e, &sl->val, &t->args, t->nargs);
}

/* proc.args[N]: one argument, "" past the last */
static inline __attribute__((always_inline)) bool
slot_arg_n_get(struct frc_evt *e, struct frc_slots *ss, struct slot *sl)
{
	(void)ss;
	struct frc_thread *t = e->thr;
	if (!t)
		return false;
	const char *a = t->args.s;
	for (uint32_t i = 0; i < t->nargs; i++) {
		size_t l = strlen(a);
		if ((int64_t)i == sl->ref.arg_index) {
			vstr(&sl->val, a, l);
			return true;
		}
		a += l + 1;
	}
	vstr(&sl->val, "", 0);
	return true;
}

/* proc.env (the process's environment joined with spaces), proc.env[NAME] */
static inline __attribute__((always_inline)) bool
slot_env_get(struct frc_evt *e, struct frc_slots *ss, struct slot *sl)
{
	(void)ss;
	struct frc_thread *t = e->thr;
	if (!t)
		return false;
	if (sl->arg && sl->ref.arg_len) {
		struct sb b;
		sb_init(&b, e->scratch);
		env_get(&b, t, sl->arg, sl->ref.arg_len);
		return vsb(&sl->val, &b);
	}
	struct frc_thread *m = env_thread(t);
	return vjoin_slot(e, sl, &m->env, m->nenv, m->env_id);
}

/* proc.aname, proc.aexe, proc.apid, ... without index: every ancestor's value */
static inline __attribute__((always_inline)) bool
slot_anc_list_get(struct frc_evt *e, struct frc_slots *ss, struct slot *sl)
{
	(void)ss;
	if (!e->thr)
		return false;
	struct xq q = { sl->ref.field, NULL, 0, -1, false, sl };
	return x_ancestor(e, &q, e->thr, (enum anc_what)sl->what, &sl->val);
}

static inline __attribute__((always_inline)) bool
slot_proc_cwd_get(struct frc_evt *e, struct frc_slots *ss, struct slot *sl)
{
	(void)ss;
	struct frc_thread *t = e->thr;
	if (!t)
		return false;
	/* state_cwd(): the main thread's cwd, or "./" without one (its length is known:
	   struct frc_thread) */
	struct frc_thread *m = is_main_thr(t) ? t : state_main_thread(t);
	if (m)
		vstr(&sl->val, m->cwd.s, m->cwd.len);
	else
		vstr(&sl->val, "./", 2);
	return true;
}

static inline __attribute__((always_inline)) bool
slot_proc_vpid_get(struct frc_evt *e, struct frc_slots *ss, struct slot *sl)
{
	(void)ss;
	return e->thr && e->thr->vpid != -1 && vint(&sl->val, e->thr->vpid);
}

static inline __attribute__((always_inline)) bool
slot_proc_flag_get(struct frc_evt *e, struct frc_slots *ss, struct slot *sl)
{
	(void)ss;
	struct frc_thread *t = e->thr;
	if (!t)
		return false;
	switch (sl->ref.field) {
	case FLD_PROC_IS_VPGID_LEADER: return vbool(&sl->val, t->vpgid == t->vpid);
	case FLD_PROC_IS_SID_LEADER: return vbool(&sl->val, t->sid == t->vpid);
	case FLD_PROC_IS_EXE_UPPER_LAYER: return vbool(&sl->val, t->exe_upper_layer);
	case FLD_PROC_IS_EXE_FROM_MEMFD: return vbool(&sl->val, t->exe_from_memfd);
	case FLD_PROC_IS_EXE_WRITABLE: return vbool(&sl->val, t->exe_writable);
	case FLD_PROC_IS_EXE_LOWER_LAYER: return vbool(&sl->val, t->exe_lower_layer);
	case FLD_PROC_TTY: return vuint(&sl->val, t->tty);
	case FLD_USER_UID: return vuint(&sl->val, t->uid);
	default: return false;
	}
}

/* proc.tty, user.uid: a number of the thread */
static inline __attribute__((always_inline)) bool
slot_thread_u32_get(struct frc_evt *e, struct frc_slots *ss, struct slot *sl)
{
	(void)ss;
	return e->thr && vuint(&sl->val, *(const uint32_t *)(const void *)((const char *)e->thr + sl->off));
}

/* proc.is_exe_writable, ...: a flag of the thread */
static inline __attribute__((always_inline)) bool
slot_thread_bool_get(struct frc_evt *e, struct frc_slots *ss, struct slot *sl)
{
	(void)ss;
	return e->thr && vbool(&sl->val, *(const bool *)(const void *)((const char *)e->thr + sl->off));
}

static inline __attribute__((always_inline)) bool
slot_vpgid_leader_get(struct frc_evt *e, struct frc_slots *ss, struct slot *sl)
{
	(void)ss;
	return e->thr && vbool(&sl->val, e->thr->vpgid == e->thr->vpid);
}

/* thread.cap_*: the names of a capability set, rendered again only when the set is none
   of the 4 this slot rendered last (the text is a function of the set; processes share
   a few sets) */
static inline __attribute__((always_inline)) bool
slot_caps_get(struct frc_evt *e, struct frc_slots *ss, struct slot *sl)
{
	(void)ss;
	struct slot_cold *x = sl->x;
	if (!e->thr)
		return false;
	uint64_t caps = *(const uint64_t *)(const void *)((const char *)e->thr + sl->off);
	const uint32_t nc = sizeof(x->capc) / sizeof(x->capc[0]);
	for (uint32_t i = 0; i < nc; i++)
		if (x->capc[i].valid && x->capc[i].caps == caps) {
			vstr(&sl->val, x->capc[i].text, x->capc[i].len);
			return true;
		}
	if (!x_caps(e, caps, &sl->val))
		return false;
	uint32_t k = x->capc_next;
	if (x->capc[k].text) {	/* sized for every name at once */
		memcpy(x->capc[k].text, sl->val.s, sl->val.len + 1u);
		x->capc[k].len = sl->val.len;
		x->capc[k].caps = caps;
		x->capc[k].valid = true;
		x->capc_next = (k + 1) % nc;
	}
	return true;
}

/* user.name of @t (user_name()), remembered on the thread */
static __attribute__((noinline)) void user_name_fill(const struct frc_state *st, struct frc_thread *t)
{
	const struct frc_user *u = state_user(st, t->container_id, t->uid);
	const char *n = u ? u->name : t->uid == 0 ? "root" : "<NA>";

	t->xc.uname = n;
	t->xc.unamelen = (uint32_t)strlen(n);
	t->xc.uid = t->uid;
	t->xc.usr_gen = state_gens(st)->usr;
}

static inline __attribute__((always_inline)) bool
slot_user_name_get(struct frc_evt *e, struct frc_slots *ss, struct slot *sl)
{
	(void)ss;
	struct frc_thread *t = e->thr;
	if (!t)
		return false;
	if (__builtin_expect(t->xc.usr_gen != state_gens(e->st)->usr || t->xc.uid != t->uid, 0))
		user_name_fill(e->st, t);
	vstr(&sl->val, t->xc.uname, t->xc.unamelen);
	return true;
}

/* state_container() of @t's container id, remembered on the thread */
static __attribute__((noinline)) const struct frc_container *ctr_fill(const struct frc_state *st,
								       struct frc_thread *t)
{
	const struct frc_container *c = state_container(st, t->container_id);
	t->xc.ctr = c;
	t->xc.cid = c ? c->id : t->container_id;
	t->xc.cidlen = (uint32_t)strlen(t->xc.cid);
	t->xc.ctr_gen = state_gens(st)->ctr;
	return c;
}

/* events about a container rather than their thread's (event_container()) */
static inline __attribute__((always_inline)) bool ctr_event(uint16_t type)
{
	return type == PPME_CONTAINER_JSON_2_E || type == PPME_CONTAINER_JSON_E ||
	       type == PPME_CONTAINER_E;
}

/* event_container() of the compiled path: the thread's remembered container, else the
   lookup once per event */
static __attribute__((noinline)) const struct frc_container *slot_ctr_slow(struct frc_evt *e,
									    struct frc_slots *ss)
{
	if (ss->ctr_gen != e->gen) {
		ss->ctr_gen = e->gen;
		ss->ctr = event_container(e, &ss->ctr_have_thread, &ss->ctr_cid);
	}
	return ss->ctr;
}

/* the event's container; @ss->ctr_have_thread and @ss->ctr_cid as event_container() sets
   them */
static inline __attribute__((always_inline)) const struct frc_container *
slot_ctr(struct frc_evt *e, struct frc_slots *ss)
{
	struct frc_thread *t = e->thr;
	if (__builtin_expect(t && !ctr_event(e->type), 1)) {
		ss->ctr_have_thread = true;
		ss->ctr_cid = t->container_id;
		if (__builtin_expect(t->xc.ctr_gen == state_gens(e->st)->ctr, 1))
			return t->xc.ctr;
		return ctr_fill(e->st, t);
	}
	return slot_ctr_slow(e, ss);
}

/* container.* and k8s.* fields */
static inline __attribute__((always_inline)) bool
slot_container_get(struct frc_evt *e, struct frc_slots *ss, struct slot *sl)
{
	const struct frc_container *c = slot_ctr(e, ss);
	struct xq q = { sl->ref.field, sl->arg, sl->ref.arg_len, sl->ref.arg_index, false, sl };
	return x_container_of(e, &q, &sl->val, c, ss->ctr_have_thread, ss->ctr_cid);
}

/* container.id: the container's, or the thread's id without metadata */
static inline __attribute__((always_inline)) bool
slot_ctr_id_get(struct frc_evt *e, struct frc_slots *ss, struct slot *sl)
{
	const struct frc_container *c = slot_ctr(e, ss);
	if (!c && !ss->ctr_have_thread)
		return false;
	vstrz(&sl->val, c ? c->id : ss->ctr_cid);
	return true;
}

static inline __attribute__((always_inline)) bool
slot_ctr_priv_get(struct frc_evt *e, struct frc_slots *ss, struct slot *sl)
{
	const struct frc_container *c = slot_ctr(e, ss);
	return c && vbool(&sl->val, c->privileged);
}

/* container.name, container.image, ...: a string of the container's metadata */
static inline __attribute__((always_inline)) bool
slot_ctr_str_get(struct frc_evt *e, struct frc_slots *ss, struct slot *sl)
{
	const struct frc_container *c = slot_ctr(e, ss);
	if (!c)
		return false;
	vstrz(&sl->val, *(char *const *)(const void *)((const char *)c + sl->off));
	return true;
}

/* evt.arg.NAME: the parameter index found once per event type */
static inline __attribute__((always_inline)) bool
slot_evt_arg_get(struct frc_evt *e, struct frc_slots *ss, struct slot *sl)
{
	(void)ss;
	struct ptext pt;
	uint32_t k = e->type & 7;
	struct slot_cold *x = sl->x;
	if (x->argix[k].info != e->info) {
		x->argix[k].info = e->info;
		x->argix[k].i = evtab_param_index(e->info, sl->arg, sl->ref.arg_len);
	}
	int32_t argi = x->argix[k].i;
	if (argi < 0 || (uint32_t)argi >= e->nparams)
		return false;
	param_text(e, (uint32_t)argi, &pt);
	vstrz(&sl->val, pt.resolved[0] ? pt.resolved : pt.plain);
	return true;
}

static inline __attribute__((always_inline)) bool
slot_fd_get(struct frc_evt *e, struct frc_slots *ss, struct slot *sl)
{
	(void)ss;
	if (!fd_event(e))
		return false;
	struct frc_fd *f = event_fd(e, e->thr);
	switch (sl->ref.field) {
	case FLD_FD_TYPECHAR: return fd_typechar(e, f, &sl->val);
	case FLD_FD_L4PROTO: return fd_l4proto(f, &sl->val);
	case FLD_FD_SOCKFAMILY: return fd_sockfamily(f, &sl->val);
	default: return false;
	}
}

static inline __attribute__((always_inline)) bool
slot_evt_res_get(struct frc_evt *e, struct frc_slots *ss, struct slot *sl)
{
	(void)ss;
	return evt_res(e, &sl->val);
}

static inline __attribute__((always_inline)) bool
slot_evt_rawres_get(struct frc_evt *e, struct frc_slots *ss, struct slot *sl)
{
	(void)ss;
	return event_has_return_value(e) && vint(&sl->val, event_return_value(e));
}

static inline __attribute__((always_inline)) bool
slot_evt_is_open_get(struct frc_evt *e, struct frc_slots *ss, struct slot *sl)
{
	(void)ss;
	return vbool(&sl->val, evt_is_open(e, sl->ref.field));
}

/* evt.failed: the event's extractor without the generic dispatch (a value of one shape:
   no clearing) */
static inline __attribute__((always_inline)) bool
slot_evt_fixed_get(struct frc_evt *e, struct frc_slots *ss, struct slot *sl)
{
	(void)ss;
	struct xq q = { sl->ref.field, NULL, 0, -1, false, sl };
	return x_evt(e, &q, &sl->val);
}

/* fd.name: the fd's own name without a copy, else the name the event gives */
static inline __attribute__((always_inline)) bool
slot_fd_name_get(struct frc_evt *e, struct frc_slots *ss, struct slot *sl)
{
	(void)ss;
	if (!fd_event(e))
		return false;
	struct frc_fd *f = event_fd(e, e->thr);
	if (f) {
		vstr(&sl->val, f->name.s, f->name.len);
		return true;
	}
	struct sb b;
	sb_init(&b, e->scratch);
	if (!fdname_from_event(e, false, &b))
		return false;
	return vsb(&sl->val, &b);
}

/* fd.directory, fd.filename, fd.type: the fd extractor without the generic dispatch */
static inline __attribute__((always_inline)) bool
slot_fd_fixed_get(struct frc_evt *e, struct frc_slots *ss, struct slot *sl)
{
	(void)ss;
	struct xq q = { sl->ref.field, NULL, 0, -1, false, sl };
	return x_fd(e, &q, &sl->val);
}

static inline __attribute__((always_inline)) bool
slot_evt_type_get(struct frc_evt *e, struct frc_slots *ss, struct slot *sl)
{
	(void)ss;
	const char *n = evt_type_name(e);
	if (!n)
		return false;
	vstrz(&sl->val, n);
	return true;
}

/* the slot extractors proper: the value, or absent (also after running out of scratch
   memory in this event, as the generic extractor says) */
/* the same, for a slot whose usual case is written out below: the other cases */
#define SLOT_FN_SLOW(name)                                                             \
	static __attribute__((noinline)) const struct frc_val *                       \
	name##_slow(struct frc_evt *e, struct frc_slots *ss, struct slot *sl)          \
	{                                                                              \
		sl->present = name##_get(e, ss, sl) && !e->scratch->oom;               \
		return sl->present ? &sl->val : NULL;                                  \
	}
#define SLOT_FN(name)                                                                  \
	static const struct frc_val *name(struct frc_evt *e, struct frc_slots *ss,        \
					  struct slot *sl)                                \
	{                                                                              \
		sl->present = name##_get(e, ss, sl) && !e->scratch->oom;               \
		return sl->present ? &sl->val : NULL;                                  \
	}
SLOT_FN(slot_generic)
SLOT_FN(slot_thread_str)
SLOT_FN(slot_cmdline)
SLOT_FN(slot_args)
SLOT_FN(slot_arg_n)
SLOT_FN(slot_env)
SLOT_FN(slot_anc_list)
SLOT_FN(slot_proc_cwd)
SLOT_FN(slot_proc_vpid)
SLOT_FN(slot_proc_flag)
SLOT_FN(slot_thread_u32)
SLOT_FN(slot_caps)
SLOT_FN(slot_thread_bool)
SLOT_FN(slot_vpgid_leader)
SLOT_FN_SLOW(slot_user_name)
SLOT_FN(slot_container)
SLOT_FN_SLOW(slot_ctr_id)
SLOT_FN(slot_ctr_str)
SLOT_FN_SLOW(slot_ctr_priv)
SLOT_FN(slot_evt_arg)
SLOT_FN(slot_fd)
SLOT_FN(slot_evt_type)
SLOT_FN(slot_evt_fixed)
SLOT_FN(slot_evt_res)
SLOT_FN(slot_evt_rawres)
SLOT_FN(slot_evt_is_open)
SLOT_FN(slot_fd_name)
SLOT_FN(slot_fd_fixed)
#undef SLOT_FN
#undef SLOT_FN_SLOW

/*
 * Slots whose usual case is a value the event's thread remembers (struct frc_thread_xc):
 * that case written out without a call, the rest (nothing remembered yet, or no longer
 * valid; no thread; an event about a container) by a tail call to the SLOT_FN_SLOW form,
 * which fills the thread's memory. The same value either way.
 */
static inline __attribute__((always_inline)) const struct frc_val *slot_present(struct frc_evt *e,
										 struct slot *sl)
{
	sl->present = !e->scratch->oom;
	return sl->present ? &sl->val : NULL;
}

static const struct frc_val *slot_user_name(struct frc_evt *e, struct frc_slots *ss, struct slot *sl)
{
	struct frc_thread *t = e->thr;
	if (__builtin_expect(!t || t->xc.usr_gen != state_gens(e->st)->usr || t->xc.uid != t->uid, 0))
		return slot_user_name_slow(e, ss, sl);
	vstr(&sl->val, t->xc.uname, t->xc.unamelen);
	return slot_present(e, sl);
}

/* the event's thread whose remembered container is the event's, or NULL */
static inline __attribute__((always_inline)) struct frc_thread *ctr_thread(const struct frc_evt *e)
{
	struct frc_thread *t = e->thr;
	if (__builtin_expect(t && t->xc.ctr_gen == state_gens(e->st)->ctr && !ctr_event(e->type), 1))
		return t;
	return NULL;
}

static const struct frc_val *slot_ctr_id(struct frc_evt *e, struct frc_slots *ss, struct slot *sl)
{
	struct frc_thread *t = ctr_thread(e);
	if (!t)
		return slot_ctr_id_slow(e, ss, sl);
	vstr(&sl->val, t->xc.cid, t->xc.cidlen);
	return slot_present(e, sl);
}

static const struct frc_val *slot_ctr_priv(struct frc_evt *e, struct frc_slots *ss, struct slot *sl)
{
	struct frc_thread *t = ctr_thread(e);
	if (!t)
		return slot_ctr_priv_slow(e, ss, sl);
	if (!t->xc.ctr) {
		sl->present = false;
		return NULL;
	}
	sl->val.n.u = t->xc.ctr->privileged ? 1 : 0;
	return slot_present(e, sl);
}

/*
 * The accessors of compiled code (struct frc_run's field table, extract_field_entries):
 * per kind of extractor, frc_field's work for one slot with the extractor called
 * directly, so that each call site of emitted code makes an indirect call of its own,
 * always to the same target, rather than all of them sharing frc_field's `sl->fn` call.
 * What frc_field checks on every call but is the same for every slot of an event (a slot
 * table with the slot, state and scratch memory) extract_field_entries has checked once
 * for the event; a slot's accessor is the one of its own extractor (slot_entry_for), so
 * the result is frc_field's.
 */
#define SLOT_ENTRY(name)                                                               \
	static const struct frc_val *name##_entry(struct frc_evt *e, frc_u32 slot)      \
	{                                                                              \
		struct frc_slots *ss = e->slots;                                       \
		struct slot *sl = slot_at(ss, slot);                                   \
		if (sl->gen == e->gen)                                                 \
			return sl->present ? &sl->val : NULL;                          \
		sl->gen = e->gen;                                                      \
		sl->val.hashed = 0;                                                    \
		return name(e, ss, sl);                                                \
	}
#define SLOT_KINDS(X)                                                                  \
	X(slot_generic) X(slot_thread_str) X(slot_anc_str) X(slot_cmdline) X(slot_args)  \
	X(slot_arg_n) X(slot_env) X(slot_anc_list) X(slot_proc_cwd) X(slot_proc_vpid)    \
	X(slot_proc_flag) X(slot_thread_u32) X(slot_caps) X(slot_thread_bool)            \
	X(slot_vpgid_leader) X(slot_user_name) X(slot_container) X(slot_ctr_id)          \
	X(slot_ctr_str) X(slot_ctr_priv) X(slot_evt_arg) X(slot_fd) X(slot_evt_type)     \
	X(slot_evt_fixed) X(slot_evt_res) X(slot_evt_rawres) X(slot_evt_is_open)         \
	X(slot_fd_name) X(slot_fd_fixed)
SLOT_KINDS(SLOT_ENTRY)

/* an extractor that the list above does not name: through its pointer, as frc_field */
static const struct frc_val *slot_any_entry(struct frc_evt *e, frc_u32 slot)
{
	struct frc_slots *ss = e->slots;
	struct slot *sl = slot_at(ss, slot);
	if (sl->gen == e->gen)
		return sl->present ? &sl->val : NULL;
	sl->gen = e->gen;
	sl->val.hashed = 0;
	return sl->fn(e, ss, sl);
}

#define SLOT_KIND_FN(name) name,
#define SLOT_KIND_ENTRY(name) name##_entry,
static const slot_fn slot_kind_fn[] = { SLOT_KINDS(SLOT_KIND_FN) };
static const frc_field_fn slot_kind_entry[] = { SLOT_KINDS(SLOT_KIND_ENTRY) };
#undef SLOT_KIND_FN
#undef SLOT_KIND_ENTRY
#define NKINDS (sizeof(slot_kind_fn) / sizeof(slot_kind_fn[0]))

static frc_field_fn slot_entry_for(slot_fn fn)
{
	for (size_t k = 0; k < NKINDS; k++)
		if (slot_kind_fn[k] == fn)
			return slot_kind_entry[k];
	return slot_any_entry;
}

int extract_slot_kind(const struct frc_slots *ss, uint32_t i, uint32_t *nkinds)
{
	*nkinds = (uint32_t)NKINDS;
	for (size_t k = 0; ss && i < ss->n && k < NKINDS; k++)
		if (ss->entry[i] == slot_kind_entry[k])
			return (int)k;
	return -1;
}
#undef NKINDS
#undef SLOT_KINDS
#undef SLOT_ENTRY

/* the extractor of a slot */
static slot_fn slot_fn_for(struct slot *sl)
{
	const struct frc_field_ref *r = &sl->ref;
	switch (r->field) {
	case FLD_PROC_NAME: sl->off = offsetof(struct frc_thread, comm); return slot_thread_str;
	case FLD_PROC_EXE: sl->off = offsetof(struct frc_thread, exe); return slot_thread_str;
	case FLD_PROC_EXEPATH: sl->off = offsetof(struct frc_thread, exepath); return slot_thread_str;
	case FLD_PROC_PNAME: case FLD_PROC_PEXE: case FLD_PROC_PEXEPATH:
		sl->anc = 1;
		sl->off = r->field == FLD_PROC_PNAME ? offsetof(struct frc_thread, comm)
			  : r->field == FLD_PROC_PEXE ? offsetof(struct frc_thread, exe)
						      : offsetof(struct frc_thread, exepath);
		return slot_anc_str;
	case FLD_PROC_ANAME: case FLD_PROC_AEXE: case FLD_PROC_AEXEPATH:
		if (r->arg_index < 0) {
			sl->what = r->field == FLD_PROC_ANAME ? A_NAME
				   : r->field == FLD_PROC_AEXE ? A_EXE : A_EXEPATH;
			return slot_anc_list;
		}
		if (r->arg_index > UINT32_MAX)
			return slot_generic;
		sl->anc = (uint32_t)r->arg_index;
		sl->off = r->field == FLD_PROC_ANAME ? offsetof(struct frc_thread, comm)
			  : r->field == FLD_PROC_AEXE ? offsetof(struct frc_thread, exe)
						      : offsetof(struct frc_thread, exepath);
		return slot_anc_str;
	case FLD_PROC_CMDLINE: sl->self = true; return slot_cmdline;
	case FLD_PROC_PCMDLINE: sl->anc = 1; return slot_cmdline;
	case FLD_PROC_ARGS:
		if (r->arg_index < 0) {
			sl->self = true;
			return slot_args;
		}
		return slot_arg_n;
	case FLD_PROC_ENV: return slot_env;
	case FLD_PROC_ACMDLINE: case FLD_PROC_AARGS:
		if (r->arg_index > UINT32_MAX)
			return slot_generic;
		if (r->arg_index >= 0) {
			sl->anc = (uint32_t)r->arg_index;
			return r->field == FLD_PROC_ACMDLINE ? slot_cmdline : slot_args;
		}
		sl->what = r->field == FLD_PROC_ACMDLINE ? A_CMDLINE : A_ARGS;
		return slot_anc_list;
	case FLD_PROC_APID:
		if (r->arg_index >= 0)
			return slot_generic;
		sl->what = A_PID;
		return slot_anc_list;
	case FLD_PROC_CWD: return slot_proc_cwd;
	case FLD_PROC_VPID: return slot_proc_vpid;
	case FLD_PROC_IS_VPGID_LEADER: return slot_vpgid_leader;
	case FLD_THREAD_CAP_EFFECTIVE:
		sl->off = offsetof(struct frc_thread, cap_effective);
		return slot_caps;
	case FLD_THREAD_CAP_PERMITTED:
		sl->off = offsetof(struct frc_thread, cap_permitted);
		return slot_caps;
	case FLD_THREAD_CAP_INHERITABLE:
		sl->off = offsetof(struct frc_thread, cap_inheritable);
		return slot_caps;
	case FLD_PROC_TTY: sl->off = offsetof(struct frc_thread, tty); return slot_thread_u32;
	case FLD_USER_UID: sl->off = offsetof(struct frc_thread, uid); return slot_thread_u32;
	case FLD_PROC_IS_EXE_UPPER_LAYER:
		sl->off = offsetof(struct frc_thread, exe_upper_layer);
		return slot_thread_bool;
	case FLD_PROC_IS_EXE_FROM_MEMFD:
		sl->off = offsetof(struct frc_thread, exe_from_memfd);
		return slot_thread_bool;
	case FLD_PROC_IS_EXE_WRITABLE:
		sl->off = offsetof(struct frc_thread, exe_writable);
		return slot_thread_bool;
	case FLD_PROC_IS_EXE_LOWER_LAYER:
		sl->off = offsetof(struct frc_thread, exe_lower_layer);
		return slot_thread_bool;
	case FLD_PROC_IS_SID_LEADER:
		return slot_proc_flag;
	case FLD_USER_NAME: return slot_user_name;
	case FLD_EVT_TYPE: return slot_evt_type;
	case FLD_EVT_RES: return slot_evt_res;
	case FLD_EVT_RAWRES: return slot_evt_rawres;
	case FLD_EVT_FAILED: return slot_evt_fixed;
	case FLD_EVT_IS_OPEN_READ: case FLD_EVT_IS_OPEN_WRITE: case FLD_EVT_IS_OPEN_EXEC:
	case FLD_EVT_IS_OPEN_CREATE:
		return slot_evt_is_open;
	case FLD_FD_NAME: return slot_fd_name;
	case FLD_FD_DIRECTORY: case FLD_FD_FILENAME: case FLD_FD_TYPE:
		return slot_fd_fixed;
	case FLD_EVT_ARG:
		return r->arg && r->arg_index < 0 ? slot_evt_arg : slot_generic;
	case FLD_FD_TYPECHAR: case FLD_FD_L4PROTO: case FLD_FD_SOCKFAMILY:
		return slot_fd;
	case FLD_CONTAINER_ID: return slot_ctr_id;
	case FLD_CONTAINER_NAME: sl->off = offsetof(struct frc_container, name); return slot_ctr_str;
	case FLD_CONTAINER_IMAGE: sl->off = offsetof(struct frc_container, image); return slot_ctr_str;
	case FLD_CONTAINER_IMAGE_REPOSITORY:
		sl->off = offsetof(struct frc_container, imagerepo);
		return slot_ctr_str;
	case FLD_CONTAINER_IMAGE_TAG:
		sl->off = offsetof(struct frc_container, imagetag);
		return slot_ctr_str;
	case FLD_CONTAINER_PRIVILEGED: return slot_ctr_priv;
	case FLD_K8S_NS_NAME: case FLD_K8S_POD_NAME: return slot_container;
	default:
		return slot_generic;
	}
}

/* the filter value of a slot, extracted at most once per event (cached by generation) */
const struct frc_val *frc_field(struct frc_evt *e, frc_u32 slot)
{
	/* the accessors of extract_field_entries are this function for one kind of slot:
	   a change here changes them too */
	struct frc_slots *ss = e->slots;
	struct slot *sl;

	if (!ss || slot >= ss->n)
		return NULL;
	sl = slot_at(ss, slot);
	if (sl->gen == e->gen)
		return sl->present ? &sl->val : NULL;
	sl->gen = e->gen;
	if (!e->st || !e->scratch) {
		sl->present = false;
		return NULL;
	}
	sl->val.hashed = 0;
	return sl->fn(e, ss, sl);	/* a tail call: this function saves no registers */
}

const frc_field_fn *extract_field_entries(const struct frc_evt *e, uint32_t n)
{
	const struct frc_slots *ss = e->slots;

	if (!ss || ss->n < n || !e->st || !e->scratch)
		return NULL;
	return ss->entry;
}

static const struct frc_val *one_shot(struct frc_evt *e, uint32_t fid, const char *arg,
				      uint32_t arg_len, int64_t idx, bool out)
{
	if (!e->scratch)
		return NULL;
	struct frc_val *v = salloc(e->scratch, sizeof(*v));
	char *a = arg ? sdup(e->scratch, arg, arg_len) : NULL;
	if (!v || (arg && !a))
		return NULL;
	struct xq q = { fid, a, arg_len, idx, out, NULL };
	return extract(e, &q, v) ? v : NULL;
}

const struct frc_val *extract_value(struct frc_evt *e, uint32_t field_id, const char *arg,
				    uint32_t arg_len, int64_t arg_index)
{
	return one_shot(e, field_id, arg, arg_len, arg_index, true);
}

const struct frc_val *extract_filter_value(struct frc_evt *e, uint32_t field_id, const char *arg,
					   uint32_t arg_len, int64_t arg_index)
{
	return one_shot(e, field_id, arg, arg_len, arg_index, false);
}

struct frc_slots *extract_slots_new(const struct frc_field_ref *refs, uint32_t n, char *err,
				    size_t errlen)
{
	struct frc_slots *ss = calloc(1, sizeof(*ss));

	if (!ss) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	ss->s = calloc(n ? n : 1, (size_t)1 << SLOT_SHIFT);
	ss->cold = calloc(n ? n : 1, sizeof(*ss->cold));
	ss->entry = calloc(n ? n : 1, sizeof(*ss->entry));
	if (!ss->s || !ss->cold || !ss->entry) {
		free(ss->s);
		free(ss->cold);
		free(ss->entry);
		free(ss);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	ss->n = n;
	for (uint32_t i = 0; i < n; i++)
		slot_at(ss, i)->x = &ss->cold[i];
	for (uint32_t i = 0; i < n; i++) {
		struct slot *sl = slot_at(ss, i);
		sl->ref = refs[i];
		if (refs[i].field >= FLD__COUNT) {
			snprintf(err, errlen, "slot %u: unknown field id %u", i, refs[i].field);
			extract_slots_free(ss);
			return NULL;
		}
		sl->fn = slot_fn_for(sl);
		ss->entry[i] = slot_entry_for(sl->fn);
		for (size_t k = 0; k < sizeof(sl->x->argix) / sizeof(sl->x->argix[0]); k++)
			sl->x->argix[k].i = -1;
		if (sl->fn == slot_caps) {
			size_t tot = 1;
			for (size_t k = 0; k < NCAPS; k++)
				tot += caps_len[k] + 1u;
			/* without them: rendered every time */
			for (size_t k = 0; k < sizeof(sl->x->capc) / sizeof(sl->x->capc[0]); k++)
				sl->x->capc[k].text = malloc(tot);
		}
		if (refs[i].arg) {
			sl->arg = malloc(refs[i].arg_len + 1);
			if (!sl->arg) {
				snprintf(err, errlen, "out of memory");
				extract_slots_free(ss);
				return NULL;
			}
			memcpy(sl->arg, refs[i].arg, refs[i].arg_len);
			sl->arg[refs[i].arg_len] = '\0';
		}
		if (refs[i].field == FLD_CONTAINER_MOUNT_DEST && sl->arg && refs[i].arg_index < 0) {
			int ec;
			PCRE2_SIZE eo;
			sl->x->re = pcre2_compile((PCRE2_SPTR)sl->arg, refs[i].arg_len, PCRE2_MULTILINE, &ec, &eo,
					       NULL);
			if (!sl->x->re) {
				PCRE2_UCHAR msg[128];
				pcre2_get_error_message(ec, msg, sizeof(msg));
				snprintf(err, errlen, "container.mount.dest[%s]: invalid pattern: %s", sl->arg,
					 (const char *)msg);
				extract_slots_free(ss);
				return NULL;
			}
		}
	}
	return ss;
}

void extract_slots_free(struct frc_slots *ss)
{
	if (!ss)
		return;
	for (uint32_t i = 0; i < ss->n; i++) {
		free(slot_at(ss, i)->arg);
		pcre2_code_free(ss->cold[i].re);
		for (size_t k = 0; k < sizeof(ss->cold[i].capc) / sizeof(ss->cold[i].capc[0]); k++)
			free(ss->cold[i].capc[k].text);
		free(ss->cold[i].jsrc);
		free(ss->cold[i].jtext);
	}
	free(ss->s);
	free(ss->cold);
	free(ss->entry);
	free(ss);
}

/* ---- value text ---- */

size_t extract_format(uint32_t fid, const struct frc_val *v, char *buf, size_t size)
{
	int n = 0;

	if (size == 0)
		return 0;
	if (!v)
		return (size_t)snprintf(buf, size, "<NA>");
	if (fid >= FLD__COUNT)
		return (size_t)snprintf(buf, size, "<NA>");
	if (v->multi) {
		bool list = field_table[fid].flags & FF_LIST;
		size_t at = 0;
		if (list)
			at += (size_t)snprintf(buf + at, at < size ? size - at : 0, "(");
		for (uint32_t i = 0; i < v->nitems; i++) {
			if (i && at < size)
				at += (size_t)snprintf(buf + at, size - at, list ? "," : " ");
			if (at < size)
				at += extract_format(fid, &v->items[i], buf + at, size - at);
		}
		if (list && at < size)
			at += (size_t)snprintf(buf + at, size - at, ")");
		return at;
	}
	switch (field_table[fid].type) {
	case FT_CHARBUF: case FT_FSPATH: case FT_BYTEBUF:
		n = snprintf(buf, size, "%.*s", (int)v->len, (const char *)v->s);
		break;
	case FT_BOOL:
		n = snprintf(buf, size, "%s", v->n.u ? "true" : "false");
		break;
	case FT_INT64:
		if (fid == FLD_FD_DEV)
			n = snprintf(buf, size, "%" PRIX32, (uint32_t)v->n.i);
		else
			n = snprintf(buf, size, "%" PRId64, (int64_t)v->n.i);
		break;
	case FT_IPADDR: case FT_IPNET: {
		char a[INET6_ADDRSTRLEN];
		if (v->family == 4)
			n = snprintf(buf, size, "%u.%u.%u.%u", v->ip[0], v->ip[1], v->ip[2], v->ip[3]);
		else if (inet_ntop(AF_INET6, v->ip, a, sizeof(a)))
			n = snprintf(buf, size, "%s", a);
		break;
	}
	case FT_RELTIME: case FT_ABSTIME: case FT_UINT64:
		if (fid == FLD_EVT_LATENCY_NS || fid == FLD_EVT_DELTATIME_NS || fid == FLD_EVT_RAWTIME_NS ||
		    fid == FLD_EVT_RELTIME || fid == FLD_EVT_RELTIME_NS)
			n = snprintf(buf, size, "%09" PRIu64, (uint64_t)v->n.u);
		else
			n = snprintf(buf, size, "%" PRIu64, (uint64_t)v->n.u);
		break;
	default:
		n = snprintf(buf, size, "%" PRIu64, (uint64_t)v->n.u);
		break;
	}
	return n < 0 ? 0 : (size_t)n;
}
