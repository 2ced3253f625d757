/* SPDX-License-Identifier: Apache-2.0
 *
 * A small JSON reader for the documents the runtime consumes (container metadata in
 * captures and from runtimes): parses a whole document into a tree owned by one
 * allocation context. Depth and size are bounded; invalid input returns NULL.
 *
 * Owner: rtcore.
 */
#ifndef FRC_RUNTIME_JSONR_H
#define FRC_RUNTIME_JSONR_H

#include <stddef.h>
#include <stdint.h>

enum jsonr_kind { JSONR_NULL, JSONR_FALSE, JSONR_TRUE, JSONR_NUM, JSONR_STR, JSONR_ARR, JSONR_OBJ };

/**
 * struct jsonr_val - one value. Objects and arrays have @n @items (object items carry
 * their @key); strings and numbers their text in @str (strings unescaped, NUL-terminated).
 */
struct jsonr_val {
	enum jsonr_kind kind;
	const char *key;
	const char *str;
	struct jsonr_val *items;
	uint32_t n;
};

struct jsonr;

struct jsonr *jsonr_parse(const char *text, size_t len);
const struct jsonr_val *jsonr_root(const struct jsonr *doc);
/* member @key of object @obj (first match), or NULL */
const struct jsonr_val *jsonr_get(const struct jsonr_val *obj, const char *key);
void jsonr_free(struct jsonr *doc);

#endif
