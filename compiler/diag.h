/* SPDX-License-Identifier: Apache-2.0
 *
 * Diagnostics: the error and warning records of the front end (load_yaml → expand → check),
 * with Falco's codes (diag_codes.def), Falco's "context" (a chain of locations from the
 * rules file down to the offending node) and a precise file position for the text form.
 *
 * Two printed forms:
 *  - text: `file:line:col: error|warning: message [CODE]`, the source line, a caret run and
 *    "in expansion of macro" notes (1-based line:col, like compilers);
 *  - JSON: Falco's `falco -V -o json_output=true` record shape (0-based positions).
 *
 * Ownership: every record, location and string lives in the arena passed to the
 * constructors; lists are singly linked in creation order.
 */
#ifndef FRC_COMPILER_DIAG_H
#define FRC_COMPILER_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct arena;

enum diag_sev { DIAG_SEV_ERROR, DIAG_SEV_WARNING };

enum diag_code {
#define DIAG_CODE(id, name, sev, shorttext, desc) DIAG_##id,
#include "diag_codes.def"
#undef DIAG_CODE
	DIAG__COUNT
};

const char *diag_code_name(enum diag_code c);	/* "LOAD_ERR_VALIDATE" */
const char *diag_code_short(enum diag_code c);	/* "Error validating ..." */
const char *diag_code_desc(enum diag_code c);	/* JSON "codedesc" */
enum diag_sev diag_code_sev(enum diag_code c);

/* Falco's context item types (rule_loader::context::item_type), same order. */
enum diag_item {
	DI_VALUE_FOR,
	DI_EXCEPTIONS,
	DI_EXCEPTION,
	DI_EXCEPTION_VALUES,
	DI_EXCEPTION_VALUE,
	DI_RULES_CONTENT,
	DI_RULES_CONTENT_ITEM,
	DI_REQUIRED_ENGINE_VERSION,
	DI_REQUIRED_PLUGIN_VERSIONS,
	DI_REQUIRED_PLUGIN_VERSIONS_ENTRY,
	DI_REQUIRED_PLUGIN_VERSIONS_ALTERNATIVE,
	DI_LIST,
	DI_LIST_ITEM,
	DI_MACRO,
	DI_MACRO_CONDITION,
	DI_RULE,
	DI_RULE_CONDITION,
	DI_CONDITION_EXPRESSION,
	DI_RULE_OUTPUT,
	DI_RULE_OUTPUT_EXPRESSION,
	DI_RULE_PRIORITY,
	DI_OVERRIDE,
	DI_EXTENSION_ITEM,
	DI__COUNT
};

/* "rule condition", "exception", ... */
const char *diag_item_name(enum diag_item t);

/**
 * struct diag_loc - one location of a context chain (Falco's rule_loader::context).
 * @parent: the enclosing location (NULL for the outermost "rules content")
 * @type: what is at this location
 * @item_name: its name ("" if none)
 * @name: the file name, or for locations inside a condition a quoted 20-character prefix
 *        of the condition (Falco's convention)
 * @line, @col, @offset: 0-based position in the file
 */
struct diag_loc {
	const struct diag_loc *parent;
	enum diag_item type;
	const char *item_name;
	const char *name;
	uint32_t line, col, offset;
};

/* A new location below @parent; strings are not copied (they must outlive the record). */
struct diag_loc *diag_loc_new(struct arena *a, const struct diag_loc *parent, enum diag_item type,
			      const char *item_name, const char *name, uint32_t line, uint32_t col,
			      uint32_t offset);

/**
 * struct diag_note - a secondary position printed after the record ("in expansion of ...").
 */
struct diag_note {
	struct diag_note *next;
	const char *file;
	uint32_t line, col;	/* 1-based; line 0 = no position */
	const char *msg;
};

/**
 * struct diag - one error or warning.
 * @code: Falco code (the severity follows from it)
 * @msg: message text (Falco's wording)
 * @ctx: innermost location of the Falco context chain
 * @snippet: Falco's snippet (source line + caret line, each ending in '\n'), or NULL
 * @deprecated_field: for deprecated-field warnings, the field ("evt.dir"), else NULL
 * @file, @line, @col: precise 1-based position for the text form (@file NULL: none)
 * @srcline, @srcline_len: the source line at that position (not NUL-terminated)
 * @caret_off: byte offset of the position inside @srcline
 * @caret_len: bytes covered by the caret run (>= 1)
 * @col_note: printed after the position when it is only approximate, e.g.
 *            "(condition column 17)"
 * @notes: expansion chain, innermost first
 * @seq: creation order, for stable sorting
 */
struct diag {
	struct diag *next;
	enum diag_code code;
	const char *msg;
	const struct diag_loc *ctx;
	const char *snippet;
	const char *deprecated_field;
	const char *file;
	uint32_t line, col;
	const char *srcline;
	uint32_t srcline_len;
	uint32_t caret_off;
	uint32_t caret_len;
	const char *col_note;
	struct diag_note *notes;
	uint32_t seq;
};

/* At most DIAG_MAX_PER_LIST records are kept per list; later ones are only counted in
 * @dropped (a hostile file cannot make the lint output or its cost unbounded). */
#define DIAG_MAX_PER_LIST 10000u

struct diag_list {
	struct diag *head, *tail;
	uint32_t n;
	uint32_t dropped;
};

/**
 * diag_add() - append a record to @l. @msg is copied. Returns the record (so the caller can
 * set positions and notes), or NULL when out of memory or when @l is full (then counted in
 * @l->dropped).
 */
struct diag *diag_add(struct arena *a, struct diag_list *l, enum diag_code code, const char *msg,
		      const struct diag_loc *ctx);

/* Append a note at the end of @d's chain (strings copied). */
void diag_add_note(struct arena *a, struct diag *d, const char *file, uint32_t line, uint32_t col,
		   const char *msg);

/**
 * diag_set_pos() - set @d's text position from a 0-based byte @offset in @content (the
 * whole file), with a caret of @len bytes (clipped to the line).
 */
void diag_set_pos(struct diag *d, const char *file, const char *content, size_t content_len,
		  size_t offset, size_t len);

/**
 * diag_set_pos_lc() - like diag_set_pos() when the 0-based @line, @col (characters) and the
 * byte offset @line_start of that line are known: cost independent of the file size. The
 * source line kept for printing is a window of at most 100 bytes each side of @offset.
 */
void diag_set_pos_lc(struct diag *d, const char *file, const char *content, size_t content_len,
		     size_t offset, size_t len, uint32_t line, uint32_t col, size_t line_start);

/**
 * diag_snippet() - Falco's snippet for position @pos of @content: the line around it (at
 * most 80 bytes each side, elided with "..."), then a line with '^' under @pos.
 * Returns "<No context available>\n" for empty content. Allocated in @a.
 */
char *diag_snippet(struct arena *a, const char *content, size_t len, size_t pos);

/* Offset → 0-based line and column (characters: UTF-8 continuation bytes not counted). */
void diag_offset_to_linecol(const char *content, size_t len, size_t offset, uint32_t *line,
			    uint32_t *col);

/**
 * diag_print_text() - the human form of one record:
 *   file:line:col: error: message [CODE]
 *       <source line>
 *       ^~~~
 *   file:line:col: note: in expansion of macro 'm'
 * @color: use ANSI colours.
 */
void diag_print_text(FILE *f, const struct diag *d, bool color);

/* Falco's JSON record: {"context":{"locations":[...],"snippet":...},"code","codedesc","message"}. */
void diag_print_json(FILE *f, const struct diag *d);

/* Falco's verbose text form of one record (context lines, snippet, "CODE (short): msg"). */
void diag_print_falco(FILE *f, const struct diag *d);

/* A JSON string literal of @s (@len bytes): control bytes escaped, invalid UTF-8 → U+FFFD. */
void diag_json_string(FILE *f, const char *s, size_t len);

#endif
