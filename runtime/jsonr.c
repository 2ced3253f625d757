/* SPDX-License-Identifier: Apache-2.0
 *
 * Recursive-descent JSON reader into a tree; every node and string lives in one chunk
 * list freed with the document.
 */
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "jsonr.h"

#define MAX_DEPTH 64

struct jchunk {
	struct jchunk *next;
	size_t used, cap;
	char data[];
};

struct jsonr {
	struct jchunk *chunks;
	struct jsonr_val root;
	const char *p, *end;
	bool bad;
};

static void *jalloc(struct jsonr *d, size_t n)
{
	n = (n + 15) & ~(size_t)15;
	if (!d->chunks || d->chunks->cap - d->chunks->used < n) {
		size_t cap = n > 16384 ? n : 16384;
		struct jchunk *c = malloc(sizeof(*c) + cap);
		if (!c) {
			d->bad = true;
			return NULL;
		}
		c->next = d->chunks;
		c->used = 0;
		c->cap = cap;
		d->chunks = c;
	}
	void *r = d->chunks->data + d->chunks->used;
	d->chunks->used += n;
	return r;
}

static void ws(struct jsonr *d)
{
	while (d->p < d->end && (*d->p == ' ' || *d->p == '\t' || *d->p == '\n' || *d->p == '\r'))
		d->p++;
}

static int hexv(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static size_t put_utf8(char *o, uint32_t cp)
{
	if (cp < 0x80) {
		o[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (char)(0xc0 | (cp >> 6));
		o[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (char)(0xe0 | (cp >> 12));
		o[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		o[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	o[0] = (char)(0xf0 | (cp >> 18));
	o[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	o[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	o[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

static const char *parse_str(struct jsonr *d)
{
	const char *s = ++d->p;
	size_t max = 0;

	while (d->p < d->end && *d->p != '"') {
		if (*d->p == '\\')
			d->p++;
		d->p++;
		max++;
	}
	if (d->p >= d->end) {
		d->bad = true;
		return NULL;
	}
	char *o = jalloc(d, (size_t)(d->p - s) * 2 + 1), *w = o;
	if (!o)
		return NULL;
	for (const char *q = s; q < d->p; q++) {
		if (*q != '\\') {
			*w++ = *q;
			continue;
		}
		q++;
		switch (*q) {
		case 'n': *w++ = '\n'; break;
		case 't': *w++ = '\t'; break;
		case 'r': *w++ = '\r'; break;
		case 'b': *w++ = '\b'; break;
		case 'f': *w++ = '\f'; break;
		case 'u': {
			uint32_t cp = 0;
			for (int k = 1; k <= 4; k++) {
				int h = q + k < d->p ? hexv(q[k]) : -1;
				if (h < 0) {
					d->bad = true;
					return NULL;
				}
				cp = cp * 16 + (uint32_t)h;
			}
			q += 4;
			w += put_utf8(w, cp);
			break;
		}
		default: *w++ = *q; break;
		}
	}
	*w = '\0';
	d->p++;
	(void)max;
	return o;
}

static void parse_val(struct jsonr *d, struct jsonr_val *v, int depth);

static void parse_list(struct jsonr *d, struct jsonr_val *v, int depth, bool obj)
{
	char close = obj ? '}' : ']';
	uint32_t cap = 0;

	d->p++;
	v->kind = obj ? JSONR_OBJ : JSONR_ARR;
	v->n = 0;
	v->items = NULL;
	ws(d);
	if (d->p < d->end && *d->p == close) {
		d->p++;
		return;
	}
	for (;;) {
		const char *key = NULL;
		ws(d);
		if (obj) {
			if (d->p >= d->end || *d->p != '"') {
				d->bad = true;
				return;
			}
			key = parse_str(d);
			ws(d);
			if (d->bad || d->p >= d->end || *d->p != ':') {
				d->bad = true;
				return;
			}
			d->p++;
		}
		if (v->n == cap) {
			uint32_t nc = cap ? cap * 2 : 8;
			struct jsonr_val *ni = jalloc(d, nc * sizeof(*ni));
			if (!ni)
				return;
			if (cap)
				memcpy(ni, v->items, cap * sizeof(*ni));
			v->items = ni;
			cap = nc;
		}
		struct jsonr_val *it = &v->items[v->n++];
		memset(it, 0, sizeof(*it));
		parse_val(d, it, depth + 1);
		it->key = key;
		if (d->bad)
			return;
		ws(d);
		if (d->p < d->end && *d->p == ',') {
			d->p++;
			continue;
		}
		if (d->p < d->end && *d->p == close) {
			d->p++;
			return;
		}
		d->bad = true;
		return;
	}
}

static bool lit(struct jsonr *d, const char *w)
{
	size_t n = strlen(w);
	if ((size_t)(d->end - d->p) >= n && memcmp(d->p, w, n) == 0) {
		d->p += n;
		return true;
	}
	return false;
}

static void parse_val(struct jsonr *d, struct jsonr_val *v, int depth)
{
	ws(d);
	if (depth > MAX_DEPTH || d->p >= d->end) {
		d->bad = true;
		return;
	}
	switch (*d->p) {
	case '{':
		parse_list(d, v, depth, true);
		return;
	case '[':
		parse_list(d, v, depth, false);
		return;
	case '"':
		v->kind = JSONR_STR;
		v->str = parse_str(d);
		return;
	case 't':
		v->kind = JSONR_TRUE;
		d->bad |= !lit(d, "true");
		return;
	case 'f':
		v->kind = JSONR_FALSE;
		d->bad |= !lit(d, "false");
		return;
	case 'n':
		v->kind = JSONR_NULL;
		d->bad |= !lit(d, "null");
		return;
	default: {
		const char *s = d->p;
		while (d->p < d->end && strchr("+-0123456789.eE", *d->p))
			d->p++;
		if (d->p == s) {
			d->bad = true;
			return;
		}
		char *t = jalloc(d, (size_t)(d->p - s) + 1);
		if (!t)
			return;
		memcpy(t, s, (size_t)(d->p - s));
		t[d->p - s] = '\0';
		v->kind = JSONR_NUM;
		v->str = t;
		return;
	}
	}
}

struct jsonr *jsonr_parse(const char *text, size_t len)
{
	struct jsonr *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	d->p = text;
	d->end = text + len;
	/* tolerate a trailing NUL and newline inside the length (capture params) */
	while (d->end > d->p && (d->end[-1] == '\0' || d->end[-1] == '\n' || d->end[-1] == ' '))
		d->end--;
	parse_val(d, &d->root, 0);
	ws(d);
	if (d->bad || d->p != d->end) {
		jsonr_free(d);
		return NULL;
	}
	return d;
}

const struct jsonr_val *jsonr_root(const struct jsonr *doc)
{
	return &doc->root;
}

const struct jsonr_val *jsonr_get(const struct jsonr_val *obj, const char *key)
{
	if (!obj || obj->kind != JSONR_OBJ)
		return NULL;
	for (uint32_t i = 0; i < obj->n; i++)
		if (obj->items[i].key && strcmp(obj->items[i].key, key) == 0)
			return &obj->items[i];
	return NULL;
}

void jsonr_free(struct jsonr *doc)
{
	if (!doc)
		return;
	while (doc->chunks) {
		struct jchunk *n = doc->chunks->next;
		free(doc->chunks);
		doc->chunks = n;
	}
	free(doc);
}
