/* SPDX-License-Identifier: Apache-2.0
 *
 * libFuzzer target over alert formatting (runtime/output.c, jsonw.c): an input is
 *   [flags byte] [output template] 0x00 [rule name] 0x00 [tag] 0x00 [value bytes...]
 * The template is prepared as a rule output, then rendered as Falco's text line and as its
 * JSON object over an event whose field values are cut from the value bytes (strings with
 * any byte, numbers, addresses, lists, absent values). Checks: the text line holds no
 * newline or carriage return that the template and the rule name do not have, and the JSON
 * line is one valid JSON object (strict: escapes, UTF-8) with no raw newline. Template errors are expected;
 * crashes, sanitizer reports and broken lines are findings.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "json_strict.h"
#include "output.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct pool {
	const uint8_t *p;
	size_t n;
	struct frc_val v[64];
	struct frc_val items[64][3];
	uint32_t used;
};

static uint8_t byte_at(const struct pool *P, size_t i)
{
	return P->n ? P->p[i % P->n] : 0;
}

static const struct frc_val *get(void *ctx, uint32_t slot, const struct frc_field_ref *ref)
{
	struct pool *P = ctx;
	size_t base = (size_t)slot * 7 + ref->field;
	uint8_t sel = byte_at(P, base);

	if ((sel & 7) == 7 || P->used >= 64)
		return NULL;	/* absent */
	struct frc_val *v = &P->v[P->used];
	struct frc_val *it = P->items[P->used];
	P->used++;
	memset(v, 0, sizeof(*v));
	size_t off = P->n ? (base * 13) % P->n : 0;
	size_t len = P->n - off;
	if (len > (size_t)(sel >> 3) * 4)
		len = (size_t)(sel >> 3) * 4;
	v->s = P->p + off;
	v->len = (frc_u32)len;
	for (int i = 0; i < 8; i++)
		v->n.u |= (uint64_t)byte_at(P, off + (size_t)i) << (8 * i);
	v->family = (sel & 8) ? 10 : 2;
	for (int i = 0; i < 16; i++)
		v->ip[i] = byte_at(P, off + (size_t)i);
	if (sel & 64) {
		uint32_t k = (uint32_t)(sel >> 4) % 4;
		for (uint32_t i = 0; i < k; i++) {
			it[i] = *v;
			it[i].s = P->p + off + (len ? i % len : 0);
			it[i].len = (frc_u32)(len > i ? len - i : 0);
		}
		v->multi = 1;
		v->items = it;
		v->nitems = k;
	}
	return v;
}

static size_t count_nl(const char *s, size_t n)
{
	size_t c = 0;
	for (size_t i = 0; i < n; i++)
		c += s[i] == '\n' || s[i] == '\r';
	return c;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (size < 2 || size > 65536)
		return 0;
	uint8_t flags = data[0];
	char *text = malloc(size + 3);
	if (!text)
		return 0;
	memcpy(text, data + 1, size - 1);
	memset(text + size - 1, 0, 4);
	/* template, rule name, tag: NUL-terminated pieces; the rest are value bytes */
	const char *tmpl = text;
	const char *name = tmpl + strlen(tmpl) + 1;
	if (name > text + size - 1)
		name = text + size - 1;
	const char *tag = name + strlen(name) + 1;
	if (tag > text + size - 1)
		tag = text + size - 1;
	const char *vals = tag + strlen(tag) + 1;
	size_t nvals = vals < text + size - 1 ? (size_t)(text + size - 1 - vals) : 0;

	struct frc_rule fr;
	memset(&fr, 0, sizeof(fr));
	const char *tags[1] = { tag };
	fr.name = name;
	fr.output = tmpl;
	fr.priority = (enum frc_priority)(flags % PRIO__COUNT);
	fr.tags = tags;
	fr.ntags = tag[0] ? 1 : 0;
	fr.source = "syscall";
	fr.enabled = true;

	struct out_pool pool;
	struct out_rule r;
	char err[512];
	out_pool_init(&pool);
	if (out_rule_prepare(&r, &pool, &fr, NULL, false, err, sizeof(err)) == 0) {
		struct pool P = { .p = (const uint8_t *)vals, .n = nvals };
		struct out_event ev = { .ts = 1470327477881781397ull, .get = get, .ctx = &P };
		struct out_opts o;
		memset(&o, 0, sizeof(o));
		o.hostname = "fuzz-host";
		o.time_format_iso_8601 = flags & 8;
		o.buffer_format_base64 = flags & 16;
		struct out_writer w;
		size_t len;

		out_writer_init(&w, &o);
		const char *line = out_format_alert(&w, &r, &pool, &ev, &len);
		if (!line || strlen(line) != len ||
		    count_nl(line, len) > count_nl(tmpl, strlen(tmpl))) {
			fprintf(stderr, "fuzz_output: bad text line\n");
			abort();
		}
		out_writer_free(&w);

		P.used = 0;
		o.json_output = true;
		o.json_include_output_property = !(flags & 32);
		o.json_include_tags_property = true;
		o.json_include_message_property = flags & 64;
		o.json_include_output_fields_property = !(flags & 128);
		out_writer_init(&w, &o);
		line = out_format_alert(&w, &r, &pool, &ev, &len);
		if (!line || strlen(line) != len || memchr(line, '\n', len) || line[0] != '{' ||
		    !json_strict_ok(line, len)) {
			fprintf(stderr, "fuzz_output: bad JSON line: %s\n", line ? line : "(null)");
			abort();
		}
		out_writer_free(&w);
		out_rule_free(&r);
	}
	out_pool_free(&pool);
	free(text);
	return 0;
}
