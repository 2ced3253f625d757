/* SPDX-License-Identifier: Apache-2.0
 *
 * YAML layer of the front end: libyaml's event API → a small read-only node tree in which
 * every node keeps its start mark (line, column, byte offset, 0-based), its end offset and,
 * for scalars, its style. Scalar text is yaml-cpp's view (raw text, no typing), because
 * that is what Falco's rule reader sees: typing (null, bool, unsigned) is done on demand
 * by the helpers below with yaml-cpp's rules.
 *
 * Also here: the informational JSON-schema check of a rules document (Falco's
 * rule_json_schema.h under valijson's weak typing) and the mapping of an offset inside a
 * scalar's value back to the file (used to put condition errors at file:line:col).
 *
 * Ownership: the tree, its strings and error messages live in the arena given to
 * yaml_load(); the file text is not copied (it must outlive the tree).
 */
#ifndef FRC_COMPILER_LOAD_YAML_H
#define FRC_COMPILER_LOAD_YAML_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct arena;

enum ynode_kind { YN_NULL, YN_SCALAR, YN_SEQ, YN_MAP };

enum yscalar_style { YS_PLAIN, YS_SINGLE, YS_DOUBLE, YS_LITERAL, YS_FOLDED, YS_NONE };

/**
 * struct ynode - one YAML node.
 * @kind: YN_NULL for a plain untagged "", "~", "null", "Null", "NULL" (yaml-cpp's IsNull)
 * @style: scalar style (YS_NONE for collections)
 * @line, @col, @offset: start mark, 0-based
 * @end: byte offset just past the node
 * @str, @len: scalar text (also set for YN_NULL), NUL-terminated
 * @items, @n: YN_SEQ: @n elements; YN_MAP: @n key/value pairs stored flat (2*@n pointers)
 * @weight: nodes in the subtree (aliases count their target's weight)
 */
struct ynode {
	enum ynode_kind kind;
	enum yscalar_style style;
	uint32_t line, col, offset, end;
	const char *str;
	uint32_t len;
	struct ynode **items;
	uint32_t n;
	uint32_t weight;
};

/**
 * struct yaml_limits - explicit limits against hostile input (0 = default).
 * @max_depth: nesting of sequences/maps (default 64)
 * @max_nodes: nodes in one file, aliases counted by weight (default 2,000,000)
 * @max_scalar: bytes in one scalar (default 1 MiB)
 */
struct yaml_limits {
	uint32_t max_depth;
	uint32_t max_nodes;
	uint32_t max_scalar;
};

/**
 * struct yfile - a parsed YAML stream.
 * @name: file name as reported in diagnostics
 * @text, @len: the file bytes
 * @docs, @ndocs: document roots (NULL for an empty document)
 * @lines, @nlines: byte offset of every line start (for fast offset → line:col)
 * @ascii: the file has no byte >= 0x80 (columns are byte counts)
 */
struct yfile {
	const char *name;
	const char *text;
	size_t len;
	struct ynode **docs;
	uint32_t ndocs;
	const uint32_t *lines;
	uint32_t nlines;
	bool ascii;
};

/* 0-based line and column (characters) of byte @off of @f, and the line's start offset. */
void yfile_linecol(const struct yfile *f, size_t off, uint32_t *line, uint32_t *col,
		   size_t *line_start);

/**
 * struct yaml_error - a syntax error or limit hit.
 * @msg: yaml-cpp's wording where known: "yaml-cpp: error at line L, column C: <problem>"
 *       (1-based L, C), else the same shape with libyaml's problem text
 * @line, @col, @offset: 0-based mark of the problem
 */
struct yaml_error {
	const char *msg;
	uint32_t line, col, offset;
};

/**
 * yaml_load() - parse @text (@len bytes) into @out. The whole stream is parsed first, as
 * yaml-cpp's LoadAll does: on a syntax error no document is returned.
 * Return: 0, or -1 with @err filled.
 */
int yaml_load(struct arena *a, const char *name, const char *text, size_t len,
	      const struct yaml_limits *lim, struct yfile *out, struct yaml_error *err);

/* Value of @key in map @map (first match; keys compared as scalar text), or NULL. */
const struct ynode *ynode_get(const struct ynode *map, const char *key);

/* Key node of @key in @map, or NULL. */
const struct ynode *ynode_get_key(const struct ynode *map, const char *key);

/* yaml-cpp's convert<bool>: true/false, yes/no, on/off, y/n in lower, UPPER or Capitalised. */
bool ynode_bool(const struct ynode *n, bool *out);

/* yaml-cpp's convert<uint32_t>: whole scalar (trailing blanks allowed), C++ base prefixes. */
bool ynode_u32(const struct ynode *n, uint32_t *out);

/**
 * yaml_schema_check() - Falco's rules JSON schema, as valijson checks it with weak types,
 * on one document root (NULL = empty document). Fills @msg with the first problem
 * ("failed for <path>: <what>") when the document does not conform.
 * Return: true if the document conforms.
 */
bool yaml_schema_check(struct arena *a, const struct ynode *doc, const char **msg);

/**
 * yaml_value_offset() - map byte @voff of scalar @n's value to a byte offset in the file.
 * Return: true if the mapping is exact; false if only approximate (then *@off is the
 * scalar's start or the start of its line).
 */
bool yaml_value_offset(const struct yfile *f, const struct ynode *n, size_t voff, size_t *off);

#endif
