/* SPDX-License-Identifier: Apache-2.0
 *
 * A strict JSON checker for the fuzz targets (RFC 8259): one value, then only white space;
 * strings without raw control bytes, with valid escapes (\uXXXX included) and valid UTF-8
 * (no overlong forms, surrogates or code points above U+10FFFF); numbers in JSON syntax.
 * runtime/jsonr.c is a lenient reader for our own files, so the targets check with this.
 * json_strict_ok() returns true when @s[0..@n) is one valid JSON text.
 */
#ifndef FRC_TESTS_FUZZ_JSON_STRICT_H
#define FRC_TESTS_FUZZ_JSON_STRICT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct js {
	const unsigned char *p, *end;
	int depth;
};

static void js_ws(struct js *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' || *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

static bool js_utf8(struct js *j)
{
	unsigned char c = *j->p;
	int n;
	uint32_t cp;

	if (c < 0x80) {
		j->p++;
		return true;
	}
	if (c >= 0xc2 && c <= 0xdf) {
		n = 1;
		cp = c & 0x1f;
	} else if (c >= 0xe0 && c <= 0xef) {
		n = 2;
		cp = c & 0x0f;
	} else if (c >= 0xf0 && c <= 0xf4) {
		n = 3;
		cp = c & 0x07;
	} else {
		return false;
	}
	if (j->end - j->p <= n)
		return false;
	for (int i = 1; i <= n; i++) {
		if ((j->p[i] & 0xc0) != 0x80)
			return false;
		cp = cp << 6 | (j->p[i] & 0x3f);
	}
	if ((n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return false;
	j->p += n + 1;
	return true;
}

static bool js_hex(unsigned char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static bool js_string(struct js *j)
{
	j->p++;	/* the opening quote */
	while (j->p < j->end) {
		unsigned char c = *j->p;
		if (c == '"') {
			j->p++;
			return true;
		}
		if (c < 0x20)
			return false;
		if (c == '\\') {
			if (j->end - j->p < 2)
				return false;
			unsigned char e = j->p[1];
			if (e == 'u') {
				if (j->end - j->p < 6)
					return false;
				for (int i = 2; i < 6; i++)
					if (!js_hex(j->p[i]))
						return false;
				j->p += 6;
			} else if (e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' ||
				   e == 'n' || e == 'r' || e == 't') {
				j->p += 2;
			} else {
				return false;
			}
			continue;
		}
		if (!js_utf8(j))
			return false;
	}
	return false;
}

static bool js_digits(struct js *j)
{
	const unsigned char *s = j->p;
	while (j->p < j->end && *j->p >= '0' && *j->p <= '9')
		j->p++;
	return j->p > s;
}

static bool js_number(struct js *j)
{
	if (*j->p == '-')
		j->p++;
	if (j->p < j->end && *j->p == '0')
		j->p++;
	else if (!js_digits(j))
		return false;
	if (j->p < j->end && *j->p == '.') {
		j->p++;
		if (!js_digits(j))
			return false;
	}
	if (j->p < j->end && (*j->p == 'e' || *j->p == 'E')) {
		j->p++;
		if (j->p < j->end && (*j->p == '+' || *j->p == '-'))
			j->p++;
		if (!js_digits(j))
			return false;
	}
	return true;
}

static bool js_lit(struct js *j, const char *w)
{
	for (; *w; w++, j->p++)
		if (j->p >= j->end || *j->p != (unsigned char)*w)
			return false;
	return true;
}

static bool js_value(struct js *j)
{
	js_ws(j);
	if (j->p >= j->end || ++j->depth > 512)
		return false;
	bool ok;
	switch (*j->p) {
	case '{':
	case '[': {
		unsigned char close = *j->p == '{' ? '}' : ']';
		bool obj = close == '}';
		j->p++;
		js_ws(j);
		if (j->p < j->end && *j->p == close) {
			j->p++;
			ok = true;
			break;
		}
		for (;;) {
			if (obj) {
				js_ws(j);
				if (j->p >= j->end || *j->p != '"' || !js_string(j))
					return false;
				js_ws(j);
				if (j->p >= j->end || *j->p++ != ':')
					return false;
			}
			if (!js_value(j))
				return false;
			js_ws(j);
			if (j->p >= j->end)
				return false;
			if (*j->p == ',') {
				j->p++;
				continue;
			}
			if (*j->p++ != close)
				return false;
			break;
		}
		ok = true;
		break;
	}
	case '"':
		ok = js_string(j);
		break;
	case 't':
		ok = js_lit(j, "true");
		break;
	case 'f':
		ok = js_lit(j, "false");
		break;
	case 'n':
		ok = js_lit(j, "null");
		break;
	default:
		ok = js_number(j);
		break;
	}
	j->depth--;
	return ok;
}

static inline bool json_strict_ok(const char *s, size_t n)
{
	struct js j = { (const unsigned char *)s, (const unsigned char *)s + n, 0 };

	if (!js_value(&j))
		return false;
	js_ws(&j);
	return j.p == j.end;
}

#endif
