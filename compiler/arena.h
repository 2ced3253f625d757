/* SPDX-License-Identifier: Apache-2.0
 *
 * Bump allocator: chunks that double in size, 16-byte alignment, freed all at once.
 * One arena per compilation and one per loaded ruleset. Not thread-safe.
 */
#ifndef FRC_COMPILER_ARENA_H
#define FRC_COMPILER_ARENA_H

#include <stddef.h>

struct arena_chunk;

struct arena {
	struct arena_chunk *head;
	size_t total;	/* bytes handed out */
	size_t limit;	/* 0 = no limit; else allocations beyond it fail (hostile input) */
};

void arena_init(struct arena *a);
/* Returns zeroed memory, or NULL when out of memory or over the limit. */
void *arena_alloc(struct arena *a, size_t size);
/* Copies @len bytes and adds a NUL; NULL on failure. */
char *arena_strndup(struct arena *a, const char *s, size_t len);
char *arena_strdup(struct arena *a, const char *s);
/* printf into the arena; NULL on failure. */
char *arena_printf(struct arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void arena_free_all(struct arena *a);

#endif
