/* SPDX-License-Identifier: Apache-2.0
 *
 * The code writer and the C literal escaper: the ONLY way text reaches emitted C.
 *
 * Rule bytes (strings from a rules file, names, paths) are written exclusively with
 * cstr_emit_lit() (a C string literal: printable ASCII as itself except `"` `\` `?`, every
 * other byte as a three-digit octal escape, never \x, split in chunks of at most 64
 * bytes), cstr_emit_bytes() (a brace list of numbers, for constants longer than ISO C's
 * 4095-byte literal minimum) or cstr_comment() (an allow-list that turns anything but
 * letters, digits and a few safe punctuation bytes into '_'). Everything else is written
 * with cw_line()/cw_put(), whose format must be a string literal and whose %s arguments
 * must be text of the compiler itself (helper names), never rule text.
 *
 * Ownership: the writer's buffer is malloc'd; cw_take() hands it to the caller (free()),
 * cw_fini() frees it.
 */
#ifndef FRC_COMPILER_CSTR_H
#define FRC_COMPILER_CSTR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest literal chunk on one line (bytes of the source string). */
#define CSTR_CHUNK 64
/* Longest constant written as a string literal; longer ones become byte lists. */
#define CSTR_MAX_LITERAL 4095

/**
 * struct cw - a growing text buffer with an indentation level.
 * @buf, @len, @cap: the text (NUL-terminated when @len > 0)
 * @indent: tabs written at the start of each cw_line()
 * @oom: set once an allocation failed; further output is dropped
 */
struct cw {
	char *buf;
	size_t len, cap;
	unsigned indent;
	bool oom;
};

void cw_init(struct cw *w);
void cw_fini(struct cw *w);
/* Detach the buffer (NUL-terminated, malloc'd, owned by the caller); NULL if @w->oom. */
char *cw_take(struct cw *w, size_t *len);

/* Indentation, then the formatted text, then a newline. */
void cw_line(struct cw *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The formatted text only (no indentation, no newline). */
void cw_put(struct cw *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A newline (an empty line). */
void cw_nl(struct cw *w);
/* Indentation only (to start a line continued with cw_put()). */
void cw_tabs(struct cw *w);
/* An emitted identifier: "frc_g_" @kind and @id zero-padded to 4 digits (frc_g_s0017). */
void cw_ident(struct cw *w, const char *kind, uint32_t id);
/* An unsigned decimal constant with the ULL suffix. */
void cw_u64(struct cw *w, uint64_t v);

/**
 * cstr_emit_lit() - write @len bytes as one or more adjacent C string literals.
 * Chunks of at most CSTR_CHUNK source bytes; after each chunk but the last, a newline and
 * the current indentation plus one tab. An empty string is written as "".
 */
void cstr_emit_lit(struct cw *w, const void *bytes, size_t len);

/**
 * cstr_emit_bytes() - write @len bytes as a brace-enclosed list of decimal numbers,
 * 16 per line, followed by a terminating 0 (so the array is also NUL-terminated).
 */
void cstr_emit_bytes(struct cw *w, const void *bytes, size_t len);

/**
 * cstr_comment() - write @len bytes for use inside a C comment: letters, digits and
 * `.`, `-`, `+`, `,`, `:`, `=`, `@`, `#`, `/` and space as themselves, everything else as
 * '_', at most @max bytes (then "..."). '*', '\', '?' and control bytes are never written,
 * so neither a comment end, a comment start, a line splice nor a trigraph can appear.
 */
void cstr_comment(struct cw *w, const void *bytes, size_t len, size_t max);

/**
 * cstr_escape() - the escaped body of one literal (without quotes) into @out, which must
 * hold 4 * @len + 1 bytes; returns the number of characters written (for unit tests and
 * for building escaped text elsewhere).
 */
size_t cstr_escape(char *out, const void *bytes, size_t len);

#endif
