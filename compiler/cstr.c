/* SPDX-License-Identifier: Apache-2.0
 *
 * The code writer and the C literal escaper (see cstr.h). Used by emit_c and emit_bpf;
 * nothing else writes emitted text.
 */
#include "cstr.h"

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void cw_init(struct cw *w)
{
	memset(w, 0, sizeof(*w));
}

void cw_fini(struct cw *w)
{
	free(w->buf);
	memset(w, 0, sizeof(*w));
}

char *cw_take(struct cw *w, size_t *len)
{
	char *b = w->oom ? NULL : w->buf;
	if (!b && !w->oom)
		b = calloc(1, 1);
	if (len)
		*len = b ? w->len : 0;
	if (b != w->buf)
		free(w->buf);
	memset(w, 0, sizeof(*w));
	return b;
}

static bool reserve(struct cw *w, size_t more)
{
	if (w->oom)
		return false;
	if (w->len + more + 1 <= w->cap)
		return true;
	size_t cap = w->cap ? w->cap : 4096;
	while (cap < w->len + more + 1) {
		if (cap > SIZE_MAX / 2) {
			w->oom = true;
			return false;
		}
		cap *= 2;
	}
	char *nb = realloc(w->buf, cap);
	if (!nb) {
		w->oom = true;
		return false;
	}
	w->buf = nb;
	w->cap = cap;
	return true;
}

static void put_raw(struct cw *w, const char *s, size_t n)
{
	if (!reserve(w, n))
		return;
	memcpy(w->buf + w->len, s, n);
	w->len += n;
	w->buf[w->len] = '\0';
}

static void put_char(struct cw *w, char c)
{
	put_raw(w, &c, 1);
}

static void vput(struct cw *w, const char *fmt, va_list ap)
{
	va_list ap2;
	va_copy(ap2, ap);
	int n = vsnprintf(NULL, 0, fmt, ap2);
	va_end(ap2);
	if (n < 0 || !reserve(w, (size_t)n)) {
		w->oom = true;
		return;
	}
	vsnprintf(w->buf + w->len, (size_t)n + 1, fmt, ap);
	w->len += (size_t)n;
}

void cw_tabs(struct cw *w)
{
	for (unsigned i = 0; i < w->indent; i++)
		put_char(w, '\t');
}

void cw_line(struct cw *w, const char *fmt, ...)
{
	va_list ap;
	cw_tabs(w);
	va_start(ap, fmt);
	vput(w, fmt, ap);
	va_end(ap);
	put_char(w, '\n');
}

void cw_nl(struct cw *w)
{
	put_char(w, '\n');
}

void cw_put(struct cw *w, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vput(w, fmt, ap);
	va_end(ap);
}

void cw_ident(struct cw *w, const char *kind, uint32_t id)
{
	cw_put(w, "frc_g_%s%04" PRIu32, kind, id);
}

void cw_u64(struct cw *w, uint64_t v)
{
	cw_put(w, "%" PRIu64 "ULL", v);
}

/* one byte of a literal body: itself, a two-character escape or a 3-digit octal escape */
static size_t escape_byte(char *out, unsigned char c)
{
	if (c == '"' || c == '\\') {
		out[0] = '\\';
		out[1] = (char)c;
		return 2;
	}
	if (c >= 0x20 && c <= 0x7e && c != '?') {
		out[0] = (char)c;
		return 1;
	}
	out[0] = '\\';
	out[1] = (char)('0' + ((c >> 6) & 7));
	out[2] = (char)('0' + ((c >> 3) & 7));
	out[3] = (char)('0' + (c & 7));
	return 4;
}

size_t cstr_escape(char *out, const void *bytes, size_t len)
{
	const unsigned char *p = bytes;
	size_t n = 0;
	for (size_t i = 0; i < len; i++)
		n += escape_byte(out + n, p[i]);
	out[n] = '\0';
	return n;
}

void cstr_emit_lit(struct cw *w, const void *bytes, size_t len)
{
	const unsigned char *p = bytes;
	char tmp[4 * CSTR_CHUNK + 1];
	size_t off = 0;
	do {
		size_t n = len - off < CSTR_CHUNK ? len - off : CSTR_CHUNK;
		if (off) {
			put_char(w, '\n');
			cw_tabs(w);
			put_char(w, '\t');
		}
		size_t m = cstr_escape(tmp, p + off, n);
		put_char(w, '"');
		put_raw(w, tmp, m);
		put_char(w, '"');
		off += n;
	} while (off < len);
}

void cstr_emit_bytes(struct cw *w, const void *bytes, size_t len)
{
	const unsigned char *p = bytes;
	put_char(w, '{');
	for (size_t i = 0; i <= len; i++) {
		if (i % 16 == 0) {
			put_char(w, '\n');
			cw_tabs(w);
			put_char(w, '\t');
		} else {
			put_char(w, ' ');
		}
		cw_put(w, "%u", i < len ? (unsigned)p[i] : 0u);
		if (i < len)
			put_char(w, ',');
	}
	put_char(w, '\n');
	cw_tabs(w);
	put_char(w, '}');
}

static bool comment_safe(unsigned char c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
		return true;
	return c && strchr(".-+,:=@#/ ", c) != NULL;
}

void cstr_comment(struct cw *w, const void *bytes, size_t len, size_t max)
{
	const unsigned char *p = bytes;
	size_t n = len < max ? len : max;
	for (size_t i = 0; i < n; i++)
		put_char(w, comment_safe(p[i]) ? (char)p[i] : '_');
	if (n < len)
		put_raw(w, "...", 3);
}
