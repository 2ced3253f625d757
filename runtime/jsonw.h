/* SPDX-License-Identifier: Apache-2.0
 *
 * A growable byte buffer and JSON string escaping exactly as Falco's JSON library
 * (nlohmann::json dump with error_handler_t::replace, ensure_ascii off) does it:
 * `"` and `\` escaped, \b \f \n \r \t, other bytes below 0x20 as \u00xx (lowercase hex),
 * DEL and valid UTF-8 copied as is, and every invalid or truncated UTF-8 sequence replaced
 * by U+FFFD. Falco uses the same escaping for its text output lines (without the quotes).
 *
 * Ownership: a jw_buf owns its bytes (malloc); jw_free() releases them. A buffer is reused
 * across alerts (jw_reset keeps the allocation), so steady-state formatting does not allocate.
 */
#ifndef FRC_RUNTIME_JSONW_H
#define FRC_RUNTIME_JSONW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/**
 * struct jw_buf - growable buffer; @p is always NUL-terminated when non-NULL.
 * @oom: set when an allocation failed (then writes are dropped; callers check it once)
 */
struct jw_buf {
	char *p;
	size_t len, cap;
	bool oom;
};

void jw_init(struct jw_buf *b);
void jw_free(struct jw_buf *b);
static inline void jw_reset(struct jw_buf *b)
{
	b->len = 0;
	b->oom = false;
	if (b->p)
		b->p[0] = 0;
}
void jw_put(struct jw_buf *b, const void *s, size_t len);
void jw_puts(struct jw_buf *b, const char *s);
void jw_putc(struct jw_buf *b, char c);
void jw_printf(struct jw_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void jw_i64(struct jw_buf *b, int64_t v);
void jw_u64(struct jw_buf *b, uint64_t v);

/* Appends @s escaped as JSON string content (no surrounding quotes). */
void jw_escape(struct jw_buf *b, const void *s, size_t len);
/* Appends @s as a quoted JSON string. */
void jw_str(struct jw_buf *b, const void *s, size_t len);
static inline void jw_cstr(struct jw_buf *b, const char *s)
{
	jw_str(b, s, s ? __builtin_strlen(s) : 0);
}

#endif
