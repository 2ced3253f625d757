/* SPDX-License-Identifier: Apache-2.0
 *
 * A small mutable YAML document tree for configuration files: loaded with libyaml (every
 * node keeps its file, line and column), edited by Falco-style dotted paths (`-o key=value`,
 * `list[2].x`, `list[]` appends, backslash escapes), merged (config_files strategies), and
 * dumped as JSON for `--dump-config`. ${ENV} references in scalars are expanded at load time
 * like Falco's yaml_helper does.
 *
 * Ownership: every node and string is malloc'ed and owned by its parent; cn_free() frees a
 * whole subtree. Nothing here is used on the per-event path.
 */
#ifndef FRC_RUNTIME_CFGTREE_H
#define FRC_RUNTIME_CFGTREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum cn_kind {
	CN_NULL,	/* `key:` with no value, `~`, `null` */
	CN_SCALAR,
	CN_MAP,
	CN_SEQ,
};

/**
 * struct cnode - one YAML node.
 * @str, @len: scalar text (CN_SCALAR), NUL-terminated
 * @quoted: the scalar was written quoted (so "null"/"true" stay strings for the dump)
 * @keys: map keys (CN_MAP), parallel to @items
 * @items, @n: children (CN_MAP values, CN_SEQ elements)
 * @file, @line, @col: where the node was read (1-based; a map or list that is the value of a
 *     key: where its key is); @file NULL for nodes built by `-o`
 */
struct cnode {
	enum cn_kind kind;
	bool quoted;
	char *str;
	size_t len;
	char **keys;
	struct cnode **items;
	uint32_t n, cap;
	const char *file;
	uint32_t line, col;
};

/* Error text of the last failing call (static buffer, overwritten by each failure). */
const char *cn_error(void);

/**
 * cn_load_file() - parse the first YAML document of @path.
 * @expand_env: replace ${VAR} by getenv(VAR) (empty if unset) and $${x} by ${x} in scalars
 * Return: the root (a CN_NULL node for an empty file), or NULL with cn_error() set to
 * "<path>:<line>:<col>: <problem>".
 */
struct cnode *cn_load_file(const char *path, bool expand_env);

/* Same for an in-memory text; @name is used in messages and node locations. */
struct cnode *cn_load_string(const char *text, size_t len, const char *name, bool expand_env);

void cn_free(struct cnode *n);
struct cnode *cn_new(enum cn_kind kind);
struct cnode *cn_new_scalar(const char *s, size_t len);
struct cnode *cn_clone(const struct cnode *n);

/* Child of map @n under @key, or NULL (also when @n is not a map). */
struct cnode *cn_map_get(const struct cnode *n, const char *key);
/* Sets @key of map @n to @v (takes ownership of @v; replaces and frees an old value). */
int cn_map_set(struct cnode *n, const char *key, struct cnode *v);
/* Appends @v (ownership taken) to sequence @n. */
int cn_seq_push(struct cnode *n, struct cnode *v);

/**
 * cn_lookup() - node at a plain dotted path (`a.b.c`, `a.list[2].x`), or NULL.
 * Read-only: no escapes, no appends; a missing step yields NULL.
 */
struct cnode *cn_lookup(const struct cnode *root, const char *path);

/**
 * cn_set_path() - Falco's `-o key=value` assignment.
 * @root: the document root (must be a map, or CN_NULL which becomes a map)
 * @key: Key := NodeKey ('.' NodeKey)*, NodeKey := (Char | '\' ('.'|'['|']'|'\'))+
 *       ('[' integer? ']')*; an empty index appends a new element
 * @value: the new node (ownership taken, also on failure)
 * Return: 0, or -1 with cn_error() set to `Config error at key "<key>": <problem>`.
 */
int cn_set_path(struct cnode *root, const char *key, struct cnode *value);

/* Merge strategies of `config_files` entries. */
enum cn_merge { CN_MERGE_APPEND, CN_MERGE_OVERRIDE, CN_MERGE_ADDONLY };

/* Merges the top-level keys of @src into @dst (both maps); @src is consumed. */
void cn_merge_top(struct cnode *dst, struct cnode *src, enum cn_merge how);

/* Scalar accessors following yaml-cpp conversions; false when absent or not convertible. */
bool cn_as_bool(const struct cnode *n, bool *out);
bool cn_as_i64(const struct cnode *n, int64_t *out);
bool cn_as_u64(const struct cnode *n, uint64_t *out);
bool cn_as_double(const struct cnode *n, double *out);
/* Scalar text, or NULL when @n is absent or not a scalar. */
const char *cn_as_str(const struct cnode *n);

/* Writes @n as compact JSON (scalars that look like numbers/bools unquoted unless quoted). */
void cn_dump_json(FILE *f, const struct cnode *n);

#endif
