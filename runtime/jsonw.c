/* SPDX-License-Identifier: Apache-2.0
 *
 * Growable buffer and Falco-compatible JSON string escaping (see jsonw.h).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "jsonw.h"

void jw_init(struct jw_buf *b)
{
	memset(b, 0, sizeof(*b));
}

void jw_free(struct jw_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

static bool jw_grow(struct jw_buf *b, size_t extra)
{
	if (b->oom)
		return false;
	if (b->len + extra + 1 <= b->cap)
		return true;
	size_t ncap = b->cap ? b->cap : 256;
	while (ncap < b->len + extra + 1) {
		if (ncap > ((size_t)-1) / 2) {
			b->oom = true;
			return false;
		}
		ncap *= 2;
	}
	char *np = realloc(b->p, ncap);
	if (!np) {
		b->oom = true;
		return false;
	}
	b->p = np;
	b->cap = ncap;
	return true;
}

void jw_put(struct jw_buf *b, const void *s, size_t len)
{
	if (!jw_grow(b, len))
		return;
	if (len)
		memcpy(b->p + b->len, s, len);
	b->len += len;
	b->p[b->len] = 0;
}

void jw_puts(struct jw_buf *b, const char *s)
{
	jw_put(b, s, strlen(s));
}

void jw_putc(struct jw_buf *b, char c)
{
	if (!jw_grow(b, 1))
		return;
	b->p[b->len++] = c;
	b->p[b->len] = 0;
}

void jw_printf(struct jw_buf *b, const char *fmt, ...)
{
	va_list ap;
	char tmp[256];

	va_start(ap, fmt);
	int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	if ((size_t)n < sizeof(tmp)) {
		jw_put(b, tmp, (size_t)n);
		return;
	}
	if (!jw_grow(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void jw_u64(struct jw_buf *b, uint64_t v)
{
	char tmp[24];
	int i = (int)sizeof(tmp);

	do {
		tmp[--i] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	jw_put(b, tmp + i, sizeof(tmp) - (size_t)i);
}

void jw_i64(struct jw_buf *b, int64_t v)
{
	if (v < 0) {
		jw_putc(b, '-');
		jw_u64(b, (uint64_t)0 - (uint64_t)v);
	} else {
		jw_u64(b, (uint64_t)v);
	}
}

/*
 * Length of the valid UTF-8 sequence starting at @s (at most @n bytes), or 0 if the lead
 * byte is invalid, or -k when the sequence breaks after k valid bytes (the byte at s[k] must
 * then be examined again as a new lead, as the nlohmann decoder does). A sequence cut by the
 * end of the input also returns -k. Rejects overlongs, surrogates and code points > U+10FFFF,
 * like the Hoehrmann DFA used by nlohmann::json.
 */
static int utf8_seq(const unsigned char *s, size_t n)
{
	unsigned char c = s[0];
	int need;
	unsigned char lo = 0x80, hi = 0xBF;

	if (c < 0x80)
		return 1;
	if (c < 0xC2)
		return 0;
	if (c < 0xE0) {
		need = 1;
	} else if (c < 0xF0) {
		need = 2;
		if (c == 0xE0)
			lo = 0xA0;
		else if (c == 0xED)
			hi = 0x9F;
	} else if (c < 0xF5) {
		need = 3;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F;
	} else {
		return 0;
	}
	for (int k = 1; k <= need; k++) {
		if ((size_t)k >= n)
			return -k;
		unsigned char d = s[k];
		if (k == 1 ? (d < lo || d > hi) : (d < 0x80 || d > 0xBF))
			return -k;
	}
	return need + 1;
}

void jw_escape(struct jw_buf *b, const void *sv, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s = sv;
	size_t i = 0, run = 0;

	if (!jw_grow(b, len))
		return;
	while (i < len) {
		unsigned char c = s[i];
		if (c >= 0x20 && c != '"' && c != '\\' && c < 0x80) {
			i++;
			run++;
			continue;
		}
		if (run) {
			jw_put(b, s + i - run, run);
			run = 0;
		}
		if (c < 0x80) {
			char e[6] = { '\\', 0, 0, 0, 0, 0 };
			size_t el = 2;
			switch (c) {
			case '"': e[1] = '"'; break;
			case '\\': e[1] = '\\'; break;
			case '\b': e[1] = 'b'; break;
			case '\f': e[1] = 'f'; break;
			case '\n': e[1] = 'n'; break;
			case '\r': e[1] = 'r'; break;
			case '\t': e[1] = 't'; break;
			default:
				e[1] = 'u';
				e[2] = '0';
				e[3] = '0';
				e[4] = hex[c >> 4];
				e[5] = hex[c & 15];
				el = 6;
			}
			jw_put(b, e, el);
			i++;
			continue;
		}
		int k = utf8_seq(s + i, len - i);
		if (k > 0) {
			jw_put(b, s + i, (size_t)k);
			i += (size_t)k;
		} else {
			jw_put(b, "\xEF\xBF\xBD", 3);
			i += k == 0 ? 1 : (size_t)-k;
		}
	}
	if (run)
		jw_put(b, s + i - run, run);
}

void jw_str(struct jw_buf *b, const void *s, size_t len)
{
	jw_putc(b, '"');
	jw_escape(b, s, len);
	jw_putc(b, '"');
}
