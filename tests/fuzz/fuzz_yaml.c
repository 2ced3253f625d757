/* SPDX-License-Identifier: Apache-2.0
 *
 * libFuzzer target over the rules-file front end: the input is split into up to three
 * rules files at "\n---8<---\n" markers and loaded in order into one engine (YAML, reader,
 * collector, expansion, checking, event types), then every printer runs over the results
 * (text, Falco JSON, Falco text, describe) into /dev/null. Any crash, sanitizer report or
 * leak is a finding; errors in the input are expected.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "loader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char sep[] = "\n---8<---\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *null;
	if (!null)
		null = fopen("/dev/null", "w");
	if (size > (1u << 20))
		return 0;
	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = 0;

	struct loader_input in[3];
	static const char *const names[] = { "a.yaml", "b.yaml", "c.yaml" };
	size_t n = 0, off = 0;
	while (n < 3) {
		const char *next = n < 2 ? memmem(text + off, size - off, sep, sizeof(sep) - 1) : NULL;
		size_t end = next ? (size_t)(next - text) : size;
		in[n].name = names[n];
		in[n].data = text + off;
		in[n].len = end - off;
		n++;
		if (!next)
			break;
		off = end + sizeof(sep) - 1;
	}

	struct arena a;
	arena_init(&a);
	a.limit = 256u << 20;
	struct loader_opts o;
	loader_opts_init(&o);
	o.keep_going = true;
	o.container_plugin = size & 1;
	o.limits.max_nodes = 200000;
	o.limits.max_items = 100000;
	o.limits.max_cond = 1u << 20;
	struct frc_rules rules;
	struct loader_results res;
	int rc = loader_load_inputs(&a, in, n, &o, &rules, &res);
	if (rc >= 0 && null) {
		loader_print_text(null, &res, true);
		loader_print_json(null, &res);
		loader_print_falco(null, &res);
		if (rc == 0)
			loader_print_describe_json(null, &res, &rules);
	}
	arena_free_all(&a);
	free(text);
	return 0;
}
