/* SPDX-License-Identifier: Apache-2.0
 *
 * Comparison helpers called by emitted rule code (declared in frc_rt_abi.h, which this
 * header includes), plus the host-side pieces shared with the compiler: the string hash
 * used by emitted hash sets, glob classification and regex compilation (PCRE2, anchored
 * full match, compiled once per ruleset).
 *
 * Per-event path: the helpers never allocate; transformer results go to the per-event
 * scratch of struct frc_run. Regex match data is preallocated per compiled pattern, so a
 * compiled regex must not be used by two threads at once (a ruleset is evaluated by one
 * thread at a time).
 */
#ifndef FRC_RUNTIME_RT_HELPERS_H
#define FRC_RUNTIME_RT_HELPERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "frc_rt_abi.h"

/* FNV-1a over @n bytes (interning). */
uint32_t rt_helpers_hash(const void *p, size_t n);
/* The hash of struct frc_strset buckets (compiler and runtime): the length and the first
 * and last 8 bytes, so that a lookup does not read the whole value. */
uint32_t rt_helpers_set_hash(const void *p, size_t n);

/* The slot of struct frc_strmap for an item (@len bytes at @s, in the sets of @row, not 0)
 * (compiler and tests). */
void rt_helpers_strent(struct frc_strent *e, const uint8_t *s, uint32_t len, uint64_t row);
/* The @mask of a struct frc_strmap of @n items: 0 for at most one item (its slot 0), else
 * a power of two of at least 2 * @n (and 4) slots, minus one. */
uint32_t rt_helpers_strmap_mask(uint32_t n);
/* Put the item of slot @e in the first empty slot from its home slot on (@slots, @tags:
 * @mask + 1 entries, empty ones zero, at least one left) and set its tag; returns that
 * slot. */
uint32_t rt_helpers_strmap_put(struct frc_strent *slots, uint8_t *tags, uint32_t mask,
			       const struct frc_strent *e);
/* The tag of an item of set hash @h (struct frc_strmap). */
static inline uint8_t rt_helpers_strmap_tag(uint32_t h)
{
	return (uint8_t)(0x80 | h >> 25);
}

/**
 * rt_helpers_glob_kind() - classify a glob pattern (FRC_GLOB_*).
 * @lit_off, @lit_len: set to the literal part for EXACT/PREFIX/SUFFIX/CONTAINS.
 * Patterns with '?', '[' or '\' anywhere, or '*' other than at the ends, are FNMATCH.
 */
uint32_t rt_helpers_glob_kind(const uint8_t *pat, size_t len, size_t *lit_off, size_t *lit_len);

/**
 * rt_helpers_regex_compile() - compile @pat (@len bytes) for a full, anchored match.
 * Return: an opaque compiled pattern (free with rt_helpers_regex_free), or NULL with a
 * message in @err.
 */
void *rt_helpers_regex_compile(const uint8_t *pat, size_t len, char *err, size_t errlen);
void rt_helpers_regex_free(void *re);
/* Full match of @s (@n bytes) against a compiled pattern. */
bool rt_helpers_regex_match(void *re, const uint8_t *s, size_t n);

/* Component-prefix match of a path against a pmatch trie (used at compile time too). */
bool rt_helpers_pmatch(const struct frc_pmatch *pm, const uint8_t *s, size_t n);

/* Case-insensitive (ASCII) search of lower-case @needle in @hay. */
bool rt_helpers_icontains(const uint8_t *hay, size_t hn, const uint8_t *needle, size_t nn);

/*
 * rt_helpers_set_simd() - the widest vector code the substring searches (contains,
 * needle sets) may use: 2 AVX2 when the CPU has it (the default), 1 SSE2, 0 none. For
 * tests, so that the paths of CPUs without AVX2 run on this one too; not thread-safe.
 */
void rt_helpers_set_simd(int max);

/* One needle of a struct frc_needles (for icontains already lower case). */
struct rt_needle {
	const uint8_t *s;
	uint32_t len;
};

/**
 * rt_helpers_needles_layout() - the tables of a struct frc_needles for @nd[0 .. @n)
 * (compiler and tests): @order[i] is the needle written i-th (needles ordered by their
 * first three bytes, those of one bucket contiguous), @bucket and @nib as in struct
 * frc_needles. Deterministic. Returns false on allocation failure.
 */
bool rt_helpers_needles_layout(const struct rt_needle *nd, uint32_t n, bool icase,
			       uint32_t *order, uint32_t bucket[9], uint8_t nib[96]);

#endif
