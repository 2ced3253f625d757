/* SPDX-License-Identifier: Apache-2.0
 *
 * Comparison and transformer helpers for emitted rule code (fields.md §3 semantics):
 * absent values (v == 0) never satisfy a comparison; multi-valued values are quantified
 * (FRC_Q_ANY / FRC_Q_ALL) over their items; strings compare byte-wise with lengths;
 * glob/iglob follow fnmatch(3) without FNM_PATHNAME; regex is a PCRE2 anchored full
 * match; pmatch is a path-component prefix search over a trie built at compile time.
 */
#include "rt_helpers.h"

#define PCRE2_CODE_UNIT_WIDTH 8
#include <fnmatch.h>
#include <pcre2.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "types.h"
#include "ast.h"

/* the widest vector code the substring searches may use (rt_helpers_set_simd) */
static int simd_max = 2;

void rt_helpers_set_simd(int max)
{
	simd_max = max;
}

#define USE_AVX2() (simd_max >= 2 && __builtin_cpu_supports("avx2"))
#define USE_SSE2() (simd_max >= 1)

/* ------------------------------------------------------------------ quantifier */

/*
 * Evaluate EXPR (which reads `x`) for a scalar value, or for every item of a multi
 * value: FRC_Q_ANY is true when some item satisfies it, FRC_Q_ALL when all do (and
 * there is at least one). An absent value is false.
 */
#define QUANT(v, q, EXPR)                                                      \
	do {                                                                   \
		const struct frc_val *x;                                       \
		if (!(v))                                                      \
			return 0;                                              \
		if (!(v)->multi) {                                             \
			x = (v);                                               \
			return (EXPR) ? 1 : 0;                                 \
		}                                                              \
		if (!(v)->nitems)                                              \
			return 0;                                              \
		for (frc_u32 qi = 0; qi < (v)->nitems; qi++) {                 \
			x = &(v)->items[qi];                                   \
			int hit = (EXPR) ? 1 : 0;                              \
			if ((q) == FRC_Q_ALL && !hit)                          \
				return 0;                                      \
			if ((q) != FRC_Q_ALL && hit)                           \
				return 1;                                      \
		}                                                              \
		return (q) == FRC_Q_ALL;                                       \
	} while (0)

/* ------------------------------------------------------------------ strings */

static inline unsigned char lower(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
}

static inline unsigned char upper(unsigned char c)
{
	return (c >= 'a' && c <= 'z') ? (unsigned char)(c - 32) : c;
}

/* strcmp order: unsigned bytes, then length */
static int s_cmp(const struct frc_val *x, const frc_u8 *s, frc_u32 n)
{
	frc_u32 m = x->len < n ? x->len : n;
	int c = m ? memcmp(x->s, s, m) : 0;
	if (c)
		return c;
	return x->len < n ? -1 : x->len > n ? 1 : 0;
}

/* @n bytes of @a and @b equal; both have at least @n readable bytes. Short lengths (the
   common case: names, paths, set items) compare with two overlapping loads, no call. */
static inline bool bytes_eq(const frc_u8 *a, const frc_u8 *b, frc_u32 n)
{
	if (n > 16)
		return !memcmp(a, b, n);
	if (n >= 8) {
		uint64_t x, y, u, w;
		memcpy(&x, a, 8);
		memcpy(&y, b, 8);
		memcpy(&u, a + n - 8, 8);
		memcpy(&w, b + n - 8, 8);
		return ((x ^ y) | (u ^ w)) == 0;
	}
	if (n >= 4) {
		uint32_t x, y, u, w;
		memcpy(&x, a, 4);
		memcpy(&y, b, 4);
		memcpy(&u, a + n - 4, 4);
		memcpy(&w, b + n - 4, 4);
		return ((x ^ y) | (u ^ w)) == 0;
	}
	if (n >= 2) {
		uint16_t x, y, u, w;
		memcpy(&x, a, 2);
		memcpy(&y, b, 2);
		memcpy(&u, a + n - 2, 2);
		memcpy(&w, b + n - 2, 2);
		return ((x ^ y) | (u ^ w)) == 0;
	}
	return n == 0 || a[0] == b[0];
}

/* the items of multi values (names of ancestors, ...) are short: bytes_eq, no call */
static inline bool s_eq(const struct frc_val *x, const frc_u8 *s, frc_u32 n)
{
	return x->len == n && bytes_eq(x->s, s, n);
}

static bool icontains_plain(const uint8_t *hay, size_t hn, const uint8_t *needle, size_t nn);

/* one byte (memchr), more than 64 (memmem), or no SIMD: the value byte-wise */
static __attribute__((noinline)) bool contains_plain(const frc_u8 *h, frc_u32 len, const frc_u8 *s,
						     frc_u32 n)
{
	if (n > 64)
		return memmem(h, len, s, n) != NULL;
	const frc_u8 *p = h, *last = h + (len - n);
	while (p <= last) {
		p = memchr(p, s[0], (size_t)(last - p) + 1);
		if (!p)
			return false;
		if (bytes_eq(p + 1, s + 1, n - 1))
			return true;
		p++;
	}
	return false;
}

#if defined(__SSE2__)
/*
 * 16 candidate positions at once: a position is a candidate when the value has the
 * needle's first byte there and its last byte n - 1 further (two loads, two compares),
 * then only candidates compare the middle bytes. Blocks start at @h + i for i + 15 + n
 * <= @len (both loads stay inside the value); the last block is moved back to end at
 * the last position (it overlaps the previous one: the answer is a boolean).
 */
static bool contains_sse2(const frc_u8 *h, frc_u32 len, const frc_u8 *s, frc_u32 n)
{
	const __m128i f = _mm_set1_epi8((char)s[0]), l = _mm_set1_epi8((char)s[n - 1]);
	frc_u32 end = len - n - 15;	/* start of the last block; len >= n + 15 */
	for (frc_u32 i = 0;; i += 16) {
		if (i > end)
			i = end;
		__m128i a = _mm_loadu_si128((const __m128i *)(const void *)(h + i));
		__m128i b = _mm_loadu_si128((const __m128i *)(const void *)(h + i + n - 1));
		unsigned m = (unsigned)_mm_movemask_epi8(_mm_and_si128(_mm_cmpeq_epi8(a, f),
								      _mm_cmpeq_epi8(b, l)));
		for (; m; m &= m - 1)
			if (n <= 2 || bytes_eq(h + i + (frc_u32)__builtin_ctz(m) + 1, s + 1, n - 2))
				return true;
		if (i == end)
			return false;
	}
}
#endif

#if defined(__SSE2__)
/*
 * A value shorter than n + 15 (fewer than 16 candidate positions): one block whose loads
 * may read past the value's end (its NUL) but not past its page, so they cannot fault;
 * the bytes beyond the value only make candidates past the last position, masked off.
 * Returns -1 when a load would cross a page (the caller then searches byte-wise).
 */
__attribute__((no_sanitize_address)) static int contains_sse2_short(const frc_u8 *h, frc_u32 len,
								    const frc_u8 *s, frc_u32 n)
{
	uintptr_t a0 = (uintptr_t)h, a1 = (uintptr_t)(h + n - 1);
	if ((a0 & 4095) > 4096 - 16 || (a1 & 4095) > 4096 - 16)
		return -1;
	const __m128i f = _mm_set1_epi8((char)s[0]), l = _mm_set1_epi8((char)s[n - 1]);
	__m128i a = _mm_loadu_si128((const __m128i *)(const void *)h);
	__m128i b = _mm_loadu_si128((const __m128i *)(const void *)(h + n - 1));
	unsigned m = (unsigned)_mm_movemask_epi8(_mm_and_si128(_mm_cmpeq_epi8(a, f), _mm_cmpeq_epi8(b, l)));
	m &= (1u << (len - n + 1)) - 1;		/* positions 0 .. len - n */
	for (; m; m &= m - 1)
		if (n <= 2 || bytes_eq(h + (frc_u32)__builtin_ctz(m) + 1, s + 1, n - 2))
			return 1;
	return 0;
}

/* SSE2 without AVX2: a value of at least n + 15 bytes in blocks, a shorter one at once */
static __attribute__((noinline)) bool contains_sse2_any(const frc_u8 *h, frc_u32 len,
							const frc_u8 *s, frc_u32 n)
{
	if (len >= n + 15)
		return contains_sse2(h, len, s, n);
	int r = contains_sse2_short(h, len, s, n);
	if (r >= 0)
		return r;
	return contains_plain(h, len, s, n);
}
#endif

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#include <immintrin.h>
#define FRC_CONTAINS_AVX2 1

/* the candidates @m of the block at @i, then contains_avx2 from the next block on */
static bool contains_avx2_from(const frc_u8 *h, frc_u32 len, const frc_u8 *s, frc_u32 n,
			       frc_u32 i);

/*
 * The candidates of the 32 positions from @i of contains_avx2 (bit k: position i + k has
 * the needle's first byte @f and, n - 1 further, its last byte @l; positions past the
 * last are masked off), or false when a load could cross into the next page past the
 * value's end (the caller goes to contains_plain from @i).
 */
__attribute__((target("avx2"), always_inline, no_sanitize_address)) static inline bool
avx2_block(const frc_u8 *h, frc_u32 len, frc_u32 n, frc_u32 i, __m256i f, __m256i l,
	   frc_u32 *m, bool fold)
{
	frc_u32 end = len - n + 1;
	if (len - i < n + 31 && (((uintptr_t)(h + i) & 4095) > 4096 - 32 ||
				 ((uintptr_t)(h + i + n - 1) & 4095) > 4096 - 32))
		return false;
	__m256i a = _mm256_loadu_si256((const __m256i *)(const void *)(h + i));
	__m256i b = _mm256_loadu_si256((const __m256i *)(const void *)(h + i + n - 1));
	if (fold) { /* icontains: bytes with bit 5 set (@f, @l too), a superset of lower() */
		const __m256i c = _mm256_set1_epi8(0x20);
		a = _mm256_or_si256(a, c);
		b = _mm256_or_si256(b, c);
	}
	*m = (frc_u32)_mm256_movemask_epi8(
		_mm256_and_si256(_mm256_cmpeq_epi8(a, f), _mm256_cmpeq_epi8(b, l)));
	if (end - i < 32)
		*m &= (1u << (end - i)) - 1;
	return true;
}

/*
 * contains_sse2 with 32 positions at once (AVX2), 2 <= n <= 64. Loads may read past the
 * value's end within its page (avx2_block). The usual path (no candidate) calls nothing
 * but tail calls.
 */
__attribute__((target("avx2"), no_sanitize_address)) static bool
contains_avx2(const frc_u8 *h, frc_u32 len, const frc_u8 *s, frc_u32 n)
{
	const __m256i f = _mm256_set1_epi8((char)s[0]), l = _mm256_set1_epi8((char)s[n - 1]);
	frc_u32 end = len - n + 1; /* candidate positions: 0 .. end - 1 */
	for (frc_u32 i = 0; i < end; i += 32) {
		frc_u32 m;
		if (!avx2_block(h, len, n, i, f, l, &m, false))
			return contains_plain(h + i, len - i, s, n);
		if (FRC_UNLIKELY(m))
			return contains_avx2_from(h, len, s, n, i);
	}
	return false;
}

/* contains_avx2 at the block at @i (which has candidates) and on */
__attribute__((target("avx2"), noinline, no_sanitize_address)) static bool
contains_avx2_from(const frc_u8 *h, frc_u32 len, const frc_u8 *s, frc_u32 n, frc_u32 i)
{
	const __m256i f = _mm256_set1_epi8((char)s[0]), l = _mm256_set1_epi8((char)s[n - 1]);
	frc_u32 end = len - n + 1;
	for (; i < end; i += 32) {
		frc_u32 m;
		if (!avx2_block(h, len, n, i, f, l, &m, false))
			return contains_plain(h + i, len - i, s, n);
		for (; m; m &= m - 1)
			if (n <= 2 || bytes_eq(h + i + (frc_u32)__builtin_ctz(m) + 1, s + 1, n - 2))
				return true;
	}
	return false;
}

/* lower() of the @n bytes of @a are @lowered */
static inline bool ieq_bytes(const frc_u8 *a, const frc_u8 *lowered, frc_u32 n)
{
	for (frc_u32 j = 0; j < n; j++)
		if (lower(a[j]) != lowered[j])
			return false;
	return true;
}

static bool icontains_avx2_from(const frc_u8 *h, frc_u32 len, const frc_u8 *s, frc_u32 n,
				frc_u32 i);

/*
 * icontains of the lower-case @s (2 <= n <= 64) as contains_avx2 does contains: the
 * candidates are the positions whose byte and the byte n - 1 further, with bit 5 set,
 * equal the needle's first and last bytes with bit 5 set (every byte whose lower() is the
 * needle's byte is one, plus a few others, which the comparison of the whole needle
 * rejects).
 */
__attribute__((target("avx2"), no_sanitize_address)) static bool
icontains_avx2(const frc_u8 *h, frc_u32 len, const frc_u8 *s, frc_u32 n)
{
	const __m256i f = _mm256_set1_epi8((char)(s[0] | 0x20)),
		      l = _mm256_set1_epi8((char)(s[n - 1] | 0x20));
	frc_u32 end = len - n + 1;
	for (frc_u32 i = 0; i < end; i += 32) {
		frc_u32 m;
		if (!avx2_block(h, len, n, i, f, l, &m, true))
			return icontains_plain(h + i, len - i, s, n);
		if (FRC_UNLIKELY(m))
			return icontains_avx2_from(h, len, s, n, i);
	}
	return false;
}

/* icontains_avx2 at the block at @i (which has candidates) and on */
__attribute__((target("avx2"), noinline, no_sanitize_address)) static bool
icontains_avx2_from(const frc_u8 *h, frc_u32 len, const frc_u8 *s, frc_u32 n, frc_u32 i)
{
	const __m256i f = _mm256_set1_epi8((char)(s[0] | 0x20)),
		      l = _mm256_set1_epi8((char)(s[n - 1] | 0x20));
	frc_u32 end = len - n + 1;
	for (; i < end; i += 32) {
		frc_u32 m;
		if (!avx2_block(h, len, n, i, f, l, &m, true))
			return icontains_plain(h + i, len - i, s, n);
		for (; m; m &= m - 1) {
			const frc_u8 *c = h + i + (frc_u32)__builtin_ctz(m);
			/* the first byte as icontains_plain finds it (either case of @s[0]) */
			if ((c[0] == s[0] || lower(c[0]) == s[0]) && ieq_bytes(c + 1, s + 1, n - 1))
				return true;
		}
	}
	return false;
}
#endif

/* the usual paths make no call but tail calls (no saved registers) */
static inline bool s_contains(const struct frc_val *x, const frc_u8 *s, frc_u32 n)
{
	if (n == 0)
		return true;
	if (x->len < n)
		return false;
#if defined(FRC_CONTAINS_AVX2)
	if (n >= 2 && n <= 64 && USE_AVX2())
		return contains_avx2(x->s, x->len, s, n);
#endif
#if defined(__SSE2__)
	if (n >= 2 && n <= 64 && USE_SSE2())
		return contains_sse2_any(x->s, x->len, s, n);
#endif
	return contains_plain(x->s, x->len, s, n);
}

/* rt_helpers_icontains inline (the usual paths make no call but tail calls) */
static inline bool s_icontains(const uint8_t *hay, size_t hn, const uint8_t *needle, size_t nn)
{
	if (nn == 0)
		return true;
	if (hn < nn)
		return false;
#if defined(FRC_CONTAINS_AVX2)
	if (nn >= 2 && nn <= 64 && hn <= UINT32_MAX && USE_AVX2())
		return icontains_avx2(hay, (frc_u32)hn, needle, (frc_u32)nn);
#endif
	return icontains_plain(hay, hn, needle, nn);
}

bool rt_helpers_icontains(const uint8_t *hay, size_t hn, const uint8_t *needle, size_t nn)
{
	return s_icontains(hay, hn, needle, nn);
}

/* byte-wise: the places of the needle's first byte in either case (memchr), 1 <= nn <= hn */
static __attribute__((noinline)) bool icontains_plain(const uint8_t *hay, size_t hn,
						      const uint8_t *needle, size_t nn)
{
	if (hn < nn)
		return false;
	/* candidates are the places of the first byte in either case, found with memchr */
	unsigned char lo = needle[0], up = lo >= 'a' && lo <= 'z' ? (unsigned char)(lo - 32) : lo;
	const uint8_t *last = hay + (hn - nn);
	const uint8_t *a = memchr(hay, lo, hn - nn + 1);
	const uint8_t *b = up != lo ? memchr(hay, up, hn - nn + 1) : NULL;
	while (a || b) {
		const uint8_t *c = !b || (a && a < b) ? a : b;
		size_t j = 1;
		while (j < nn && lower(c[j]) == needle[j])
			j++;
		if (j == nn)
			return true;
		const uint8_t *next = c < last ? memchr(c + 1, *c, (size_t)(last - c)) : NULL;
		if (c == a)
			a = next;
		else
			b = next;
	}
	return false;
}

static bool s_ieq(const frc_u8 *a, const frc_u8 *lowered, frc_u32 n)
{
	for (frc_u32 i = 0; i < n; i++)
		if (lower(a[i]) != lowered[i])
			return false;
	return true;
}

static bool s_ieq2(const frc_u8 *a, const frc_u8 *b, frc_u32 n)
{
	for (frc_u32 i = 0; i < n; i++)
		if (lower(a[i]) != lower(b[i]))
			return false;
	return true;
}

static bool s_starts(const struct frc_val *x, const frc_u8 *s, frc_u32 n)
{
	return x->len >= n && (n == 0 || memcmp(x->s, s, n) == 0);
}

static bool s_ends(const struct frc_val *x, const frc_u8 *s, frc_u32 n)
{
	return x->len >= n && (n == 0 || memcmp(x->s + (x->len - n), s, n) == 0);
}

int frc_s_eq(const struct frc_val *v, frc_u32 q, const frc_u8 *s, frc_u32 n)
{
	QUANT(v, q, s_eq(x, s, n));
}

int frc_s_ne(const struct frc_val *v, frc_u32 q, const frc_u8 *s, frc_u32 n)
{
	QUANT(v, q, !s_eq(x, s, n));
}

int frc_s_lt(const struct frc_val *v, frc_u32 q, const frc_u8 *s, frc_u32 n)
{
	QUANT(v, q, s_cmp(x, s, n) < 0);
}

int frc_s_le(const struct frc_val *v, frc_u32 q, const frc_u8 *s, frc_u32 n)
{
	QUANT(v, q, s_cmp(x, s, n) <= 0);
}

int frc_s_gt(const struct frc_val *v, frc_u32 q, const frc_u8 *s, frc_u32 n)
{
	QUANT(v, q, s_cmp(x, s, n) > 0);
}

int frc_s_ge(const struct frc_val *v, frc_u32 q, const frc_u8 *s, frc_u32 n)
{
	QUANT(v, q, s_cmp(x, s, n) >= 0);
}

static __attribute__((noinline)) int s_contains_multi(const struct frc_val *v, frc_u32 q,
						      const frc_u8 *s, frc_u32 n)
{
	QUANT(v, q, s_contains(x, s, n));
}

int frc_s_contains(const struct frc_val *v, frc_u32 q, const frc_u8 *s, frc_u32 n)
{
	if (!v)
		return 0;
	if (v->multi)
		return s_contains_multi(v, q, s, n);
	return s_contains(v, s, n);
}

static __attribute__((noinline)) int s_icontains_multi(const struct frc_val *v, frc_u32 q,
						       const frc_u8 *s, frc_u32 n)
{
	QUANT(v, q, s_icontains(x->s, x->len, s, n));
}

int frc_s_icontains(const struct frc_val *v, frc_u32 q, const frc_u8 *s, frc_u32 n)
{
	if (!v)
		return 0;
	if (v->multi)
		return s_icontains_multi(v, q, s, n);
	return s_icontains(v->s, v->len, s, n);
}

int frc_s_startswith(const struct frc_val *v, frc_u32 q, const frc_u8 *s, frc_u32 n)
{
	QUANT(v, q, s_starts(x, s, n));
}

int frc_s_endswith(const struct frc_val *v, frc_u32 q, const frc_u8 *s, frc_u32 n)
{
	QUANT(v, q, s_ends(x, s, n));
}

/* ------------------------------------------------------------------ needle sets */

/* the single test of needle @k of @nd on one value (what frc_s_contains/icontains do) */
static bool needle1(const struct frc_val *x, const struct frc_needles *nd, frc_u32 k)
{
	const frc_u8 *s = nd->blob + nd->off[k];
	frc_u32 n = nd->off[k + 1] - nd->off[k];
	return nd->icase ? rt_helpers_icontains(x->s, x->len, s, n) : s_contains(x, s, n);
}

/* needle @k of @nd at @h (@room bytes of the value from there), n >= 1 */
static inline bool needle_at(const frc_u8 *h, frc_u32 room, const struct frc_needles *nd,
			     frc_u32 k)
{
	const frc_u8 *s = nd->blob + nd->off[k];
	frc_u32 n = nd->off[k + 1] - nd->off[k];
	if (n > room)
		return false;
	if (!nd->icase)
		return bytes_eq(h, s, n);
	for (frc_u32 j = 0; j < n; j++)
		if (lower(h[j]) != s[j])
			return false;
	return true;
}

/* positions @from .. @end - 1 of @h, every needle (a block whose loads would cross into
 * the next page; rare) */
static __attribute__((noinline)) bool needles_tail(const frc_u8 *h, frc_u32 len, frc_u32 from,
						   frc_u32 end, const struct frc_needles *nd)
{
	for (frc_u32 p = from; p < end; p++)
		for (frc_u32 k = 0; k < nd->n; k++)
			if (needle_at(h + p, len - p, nd, k))
				return true;
	return false;
}

/* the needles of the buckets @b (bit set) at position @p of @h */
static __attribute__((noinline)) bool needles_verify(const frc_u8 *h, frc_u32 len, frc_u32 p,
						     unsigned b, const struct frc_needles *nd)
{
	for (; b; b &= b - 1) {
		unsigned k = (unsigned)__builtin_ctz(b);
		for (frc_u32 i = nd->bucket[k]; i < nd->bucket[k + 1]; i++)
			if (needle_at(h + p, len - p, nd, i))
				return true;
	}
	return false;
}

/* without SIMD: the single tests one after the other */
static __attribute__((noinline)) bool needles_loop(const struct frc_val *x,
						   const struct frc_needles *nd)
{
	for (frc_u32 k = 0; k < nd->n; k++)
		if (needle1(x, nd, k))
			return true;
	return false;
}

#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__)
#include <immintrin.h>
#define FRC_NEEDLES_AVX2 1

/* the nibble tables of a struct frc_needles, in both lanes */
struct nib_tabs {
	__m256i lo0, hi0, lo1, hi1, lo2, hi2, m4;
};

__attribute__((target("avx2"), always_inline)) static inline void
nib_load(struct nib_tabs *tb, const frc_u8 *t)
{
#define NIB(k) _mm256_broadcastsi128_si256(_mm_loadu_si128((const __m128i *)(const void *)(t + 16 * (k))))
	tb->lo0 = NIB(0);
	tb->hi0 = NIB(1);
	tb->lo1 = NIB(2);
	tb->hi1 = NIB(3);
	tb->lo2 = NIB(4);
	tb->hi2 = NIB(5);
#undef NIB
	tb->m4 = _mm256_set1_epi8(0x0f);
}

/*
 * Bucket bits of the 32 positions at @p: each of the first three bytes of a candidate
 * (loads at p, p + 1, p + 2) looks up its bucket bits by low and high nibble (pshufb);
 * a byte stays non-zero when some bucket keeps its bit through the six lookups.
 */
__attribute__((target("avx2"), always_inline, no_sanitize_address)) static inline __m256i
nib_block(const struct nib_tabs *tb, const frc_u8 *p)
{
	__m256i a0 = _mm256_loadu_si256((const __m256i *)(const void *)p);
	__m256i a1 = _mm256_loadu_si256((const __m256i *)(const void *)(p + 1));
	__m256i a2 = _mm256_loadu_si256((const __m256i *)(const void *)(p + 2));
	__m256i m4 = tb->m4;
	__m256i c = _mm256_and_si256(
		_mm256_shuffle_epi8(tb->lo0, _mm256_and_si256(a0, m4)),
		_mm256_shuffle_epi8(tb->hi0, _mm256_and_si256(_mm256_srli_epi16(a0, 4), m4)));
	c = _mm256_and_si256(c, _mm256_shuffle_epi8(tb->lo1, _mm256_and_si256(a1, m4)));
	c = _mm256_and_si256(
		c, _mm256_shuffle_epi8(tb->hi1, _mm256_and_si256(_mm256_srli_epi16(a1, 4), m4)));
	c = _mm256_and_si256(c, _mm256_shuffle_epi8(tb->lo2, _mm256_and_si256(a2, m4)));
	return _mm256_and_si256(
		c, _mm256_shuffle_epi8(tb->hi2, _mm256_and_si256(_mm256_srli_epi16(a2, 4), m4)));
}

/* positions 0 .. @end - 1 of the block at @i with a non-zero byte in @c */
__attribute__((target("avx2"), always_inline)) static inline frc_u32
nib_mask(__m256i c, frc_u32 i, frc_u32 end)
{
	frc_u32 m = ~(frc_u32)_mm256_movemask_epi8(_mm256_cmpeq_epi8(c, _mm256_setzero_si256()));
	return end - i < 32 ? m & ((1u << (end - i)) - 1) : m;
}

/*
 * Loads may read past the value's end (its NUL, then other bytes of the same page; a
 * block that would cross into the next page goes byte-wise): bytes past the end only
 * make candidates that the needle's length then rejects, and the bytes a needle is
 * compared with by its first three never lie past the end (nibble tables have every
 * bucket bit past a short needle's end).
 */
static inline bool nib_page_cross(const frc_u8 *h, frc_u32 len, frc_u32 i)
{
	return len - i < 34 && ((uintptr_t)(h + i) & 4095) > 4096 - 34;
}

/* needles_avx2 from the block at @i on, comparing the needles at candidate positions */
__attribute__((target("avx2"), noinline, no_sanitize_address)) static bool
needles_avx2_verify(const frc_u8 *h, frc_u32 len, const struct frc_needles *nd, frc_u32 i)
{
	struct nib_tabs tb;
	nib_load(&tb, nd->nib);
	frc_u32 end = len - nd->minlen + 1;
	for (; i < end; i += 32) {
		if (nib_page_cross(h, len, i))
			return needles_tail(h, len, i, end, nd);
		__m256i c = nib_block(&tb, h + i);
		frc_u32 m = nib_mask(c, i, end);
		if (!m)
			continue;
		frc_u8 cb[32];
		_mm256_storeu_si256((__m256i *)(void *)cb, c);
		for (; m; m &= m - 1) {
			unsigned p = (unsigned)__builtin_ctz(m);
			if (needles_verify(h, len, i + p, cb[p], nd))
				return true;
		}
	}
	return false;
}

/*
 * 32 positions at once (AVX2). The usual path (no candidate, no page crossing) calls
 * nothing but tail calls, so it needs no saved registers.
 */
__attribute__((target("avx2"), no_sanitize_address)) static bool
needles_avx2(const frc_u8 *h, frc_u32 len, const struct frc_needles *nd)
{
	struct nib_tabs tb;
	nib_load(&tb, nd->nib);
	frc_u32 end = len - nd->minlen + 1; /* candidate positions: 0 .. end - 1 */
	for (frc_u32 i = 0; i < end; i += 32) {
		if (nib_page_cross(h, len, i))
			return needles_tail(h, len, i, end, nd);
		if (FRC_UNLIKELY(nib_mask(nib_block(&tb, h + i), i, end)))
			return needles_avx2_verify(h, len, nd, i);
	}
	return false;
}
#endif

/* some needle of @nd in one value */
static bool needles_any(const struct frc_val *x, const struct frc_needles *nd)
{
	if (x->len < nd->minlen)
		return false;
	if (!nd->minlen)
		return true;
#if defined(FRC_NEEDLES_AVX2)
	if (USE_AVX2())
		return needles_avx2(x->s, x->len, nd);
#endif
	return needles_loop(x, nd);
}

static __attribute__((noinline)) int s_needles_multi(const struct frc_val *v, frc_u32 q,
						     const struct frc_needles *nd)
{
	if (!v->nitems)
		return 0;
	if (q != FRC_Q_ALL) {
		for (frc_u32 i = 0; i < v->nitems; i++)
			if (needles_any(&v->items[i], nd))
				return 1;
		return 0;
	}
	/* the or of the single tests: some needle is in every item */
	for (frc_u32 k = 0; k < nd->n; k++) {
		frc_u32 i = 0;
		while (i < v->nitems && needle1(&v->items[i], nd, k))
			i++;
		if (i == v->nitems)
			return 1;
	}
	return 0;
}

int frc_s_needles(const struct frc_val *v, frc_u32 q, const struct frc_needles *nd)
{
	if (!v)
		return 0;
	if (v->multi)
		return s_needles_multi(v, q, nd);
	if (v->len < nd->minlen)
		return 0;
	if (!nd->minlen)
		return 1;
#if defined(FRC_NEEDLES_AVX2)
	if (USE_AVX2())
		return needles_avx2(v->s, v->len, nd);
#endif
	return needles_loop(v, nd);
}

static int needle_cmp(const void *a, const void *b, void *ctx)
{
	const struct rt_needle *nd = ctx;
	const struct rt_needle *x = &nd[*(const uint32_t *)a], *y = &nd[*(const uint32_t *)b];
	size_t m = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->s, y->s, m < 3 ? m : 3);
	if (c)
		return c;
	if ((x->len < 3 || y->len < 3) && x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return *(const uint32_t *)a < *(const uint32_t *)b ? -1 : *(const uint32_t *)a > *(const uint32_t *)b;
}

/* two needles with the same fingerprint (first three bytes, or the whole of a shorter one) */
static bool same_print(const struct rt_needle *x, const struct rt_needle *y)
{
	if (x->len < 3 || y->len < 3)
		return x->len == y->len && !memcmp(x->s, y->s, x->len);
	return !memcmp(x->s, y->s, 3);
}

bool rt_helpers_needles_layout(const struct rt_needle *nd, uint32_t n, bool icase,
			       uint32_t *order, uint32_t bucket[9], uint8_t nib[96])
{
	uint32_t *grp = malloc((n ? n : 1) * sizeof(*grp));
	if (!grp)
		return false;
	for (uint32_t i = 0; i < n; i++)
		order[i] = i;
	if (n)
		qsort_r(order, n, sizeof(*order), needle_cmp, (void *)nd);
	/* groups of equal fingerprints, in sorted order; then 8 runs of groups as buckets */
	uint32_t ng = 0;
	for (uint32_t i = 0; i < n; i++) {
		if (i && !same_print(&nd[order[i - 1]], &nd[order[i]]))
			ng++;
		grp[i] = ng;
	}
	ng += n ? 1 : 0;
	memset(nib, 0, 96);
	for (uint32_t b = 0; b <= 8; b++)
		bucket[b] = n;
	for (uint32_t i = n; i-- > 0;) {
		uint32_t b = ng <= 8 ? grp[i] : (uint32_t)((uint64_t)grp[i] * 8 / ng);
		bucket[b] = i;	/* the lowest index of the bucket, found last */
		const struct rt_needle *x = &nd[order[i]];
		for (uint32_t t = 0; t < 3; t++) {
			uint8_t *lo = nib + 32 * t, *hi = lo + 16;
			if (t >= x->len) {
				for (int v = 0; v < 16; v++) {
					lo[v] |= (uint8_t)(1u << b);
					hi[v] |= (uint8_t)(1u << b);
				}
				continue;
			}
			uint8_t c = x->s[t];
			lo[c & 15] |= (uint8_t)(1u << b);
			hi[c >> 4] |= (uint8_t)(1u << b);
			if (icase && c >= 'a' && c <= 'z') {
				lo[(c - 32) & 15] |= (uint8_t)(1u << b);
				hi[(c - 32) >> 4] |= (uint8_t)(1u << b);
			}
		}
	}
	/* an empty bucket starts where the next one does */
	for (uint32_t b = 8; b-- > 0;)
		if (bucket[b] > bucket[b + 1])
			bucket[b] = bucket[b + 1];
	free(grp);
	return true;
}

/* ------------------------------------------------------------------ glob */

uint32_t rt_helpers_glob_kind(const uint8_t *pat, size_t len, size_t *lit_off, size_t *lit_len)
{
	size_t a = 0, b = len;
	while (a < len && pat[a] == '*')
		a++;
	if (a == len) {
		*lit_off = 0;
		*lit_len = 0;
		return len ? FRC_GLOB_ANY : FRC_GLOB_EXACT;
	}
	while (b > a && pat[b - 1] == '*')
		b--;
	for (size_t i = a; i < b; i++)
		if (pat[i] == '*' || pat[i] == '?' || pat[i] == '[' || pat[i] == '\\' || pat[i] == 0)
			return FRC_GLOB_FNMATCH;
	*lit_off = a;
	*lit_len = b - a;
	if (a == 0 && b == len)
		return FRC_GLOB_EXACT;
	if (a == 0)
		return FRC_GLOB_PREFIX;
	if (b == len)
		return FRC_GLOB_SUFFIX;
	return FRC_GLOB_CONTAINS;
}

static bool glob1(const struct frc_val *x, const struct frc_glob *g)
{
	switch (g->kind) {
	case FRC_GLOB_EXACT:
		return s_eq(x, g->lit, g->len);
	case FRC_GLOB_PREFIX:
		return s_starts(x, g->lit, g->len);
	case FRC_GLOB_SUFFIX:
		return s_ends(x, g->lit, g->len);
	case FRC_GLOB_CONTAINS:
		return s_contains(x, g->lit, g->len);
	case FRC_GLOB_ANY:
		return true;
	default:
		return fnmatch((const char *)g->pat, (const char *)x->s, 0) == 0;
	}
}

/* iglob: @g->lit is lower-case */
static bool iglob1(const struct frc_val *x, const struct frc_glob *g)
{
	switch (g->kind) {
	case FRC_GLOB_EXACT:
		return x->len == g->len && s_ieq(x->s, g->lit, g->len);
	case FRC_GLOB_PREFIX:
		return x->len >= g->len && s_ieq(x->s, g->lit, g->len);
	case FRC_GLOB_SUFFIX:
		return x->len >= g->len && s_ieq(x->s + (x->len - g->len), g->lit, g->len);
	case FRC_GLOB_CONTAINS:
		return rt_helpers_icontains(x->s, x->len, g->lit, g->len);
	case FRC_GLOB_ANY:
		return true;
	default:
		return fnmatch((const char *)g->pat, (const char *)x->s, FNM_CASEFOLD) == 0;
	}
}

int frc_s_glob(const struct frc_val *v, frc_u32 q, const struct frc_glob *g)
{
	QUANT(v, q, glob1(x, g));
}

int frc_s_iglob(const struct frc_val *v, frc_u32 q, const struct frc_glob *g)
{
	QUANT(v, q, iglob1(x, g));
}

/* ------------------------------------------------------------------ regex */

struct rt_regex {
	pcre2_code *code;
	pcre2_match_data *md;
};

/*
 * UTF-8 sequence at @p: its length (> 0) when valid, else minus the length of the maximal
 * invalid subpart (Unicode §3.9), which becomes one U+FFFD.
 */
static int utf8_seq(const uint8_t *p, const uint8_t *end)
{
	uint8_t c = p[0], lo = 0x80, hi = 0xbf;
	int need;
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		need = 1;
	else if (c >= 0xe0 && c <= 0xef)
		need = 2;
	else if (c >= 0xf0 && c <= 0xf4)
		need = 3;
	else
		return -1;
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	for (int i = 1; i <= need; i++) {
		if (p + i >= end || p[i] < lo || p[i] > hi)
			return -i;
		lo = 0x80;
		hi = 0xbf;
	}
	return need + 1;
}

/* true when @s is valid UTF-8 */
static bool utf8_valid(const uint8_t *s, size_t n)
{
	const uint8_t *p = s, *end = s + n;
	while (p < end) {
		int k = utf8_seq(p, end);
		if (k < 0)
			return false;
		p += k;
	}
	return true;
}

/* @s with invalid sequences replaced by U+FFFD into @out (room for 3 * @n bytes) */
static size_t utf8_sanitize(const uint8_t *s, size_t n, uint8_t *out)
{
	const uint8_t *p = s, *end = s + n;
	size_t o = 0;
	while (p < end) {
		int k = utf8_seq(p, end);
		if (k > 0) {
			memcpy(out + o, p, (size_t)k);
			o += (size_t)k;
			p += k;
		} else {
			memcpy(out + o, "\xef\xbf\xbd", 3);
			o += 3;
			p += -k;
		}
	}
	return o;
}

void *rt_helpers_regex_compile(const uint8_t *pat, size_t len, char *err, size_t errlen)
{
	int ec;
	PCRE2_SIZE eoff;
	uint32_t opts = PCRE2_ANCHORED | PCRE2_ENDANCHORED | PCRE2_UTF;
	pcre2_code *code = pcre2_compile(pat, len, opts, &ec, &eoff, NULL);
	if (!code) {
		PCRE2_UCHAR msg[256];
		pcre2_get_error_message(ec, msg, sizeof(msg));
		if (err && errlen)
			snprintf(err, errlen, "%s (at offset %zu)", (const char *)msg, (size_t)eoff);
		return NULL;
	}
	struct rt_regex *re = calloc(1, sizeof(*re));
	if (re)
		re->md = pcre2_match_data_create_from_pattern(code, NULL);
	if (!re || !re->md) {
		pcre2_code_free(code);
		free(re);
		if (err && errlen)
			snprintf(err, errlen, "out of memory");
		return NULL;
	}
	(void)pcre2_jit_compile(code, PCRE2_JIT_COMPLETE);
	re->code = code;
	return re;
}

void rt_helpers_regex_free(void *p)
{
	struct rt_regex *re = p;
	if (!re)
		return;
	pcre2_match_data_free(re->md);
	pcre2_code_free(re->code);
	free(re);
}

/* full match of valid UTF-8 */
static bool regex_valid(struct rt_regex *re, const uint8_t *s, size_t n)
{
	return pcre2_match(re->code, s, n, 0, PCRE2_NO_UTF_CHECK, re->md, NULL) >= 0;
}

bool rt_helpers_regex_match(void *p, const uint8_t *s, size_t n)
{
	if (utf8_valid(s, n))
		return regex_valid(p, s, n);
	uint8_t *tmp = n <= SIZE_MAX / 3 ? malloc(3 * n) : NULL;
	if (!tmp)
		return false;
	bool m = regex_valid(p, tmp, utf8_sanitize(s, n, tmp));
	free(tmp);
	return m;
}

/* the value sanitised like Falco does before matching (invalid UTF-8 -> U+FFFD); the
 * copy lives in the free part of the per-event scratch and is dropped afterwards */
static bool regex1(struct frc_run *r, void *re, const struct frc_val *x)
{
	if (utf8_valid(x->s, x->len))
		return regex_valid(re, x->s, x->len);
	size_t off = r->scratch_used, need = 3 * (size_t)x->len;
	if (!r->scratch || need > r->scratch_cap - off)
		return false;
	return regex_valid(re, r->scratch + off, utf8_sanitize(x->s, x->len, r->scratch + off));
}

int frc_s_regex(const struct frc_val *v, frc_u32 q, struct frc_run *r, frc_u32 idx)
{
	void *re = r->regex[idx];
	QUANT(v, q, regex1(r, re, x));
}

/* ------------------------------------------------------------------ pmatch */

/*
 * Does glob component @pat match the path component starting at @s (length @n, followed
 * by '/' or by the NUL that ends the value)? With FNM_PATHNAME no wildcard crosses '/',
 * and FNM_LEADING_DIR accepts the "/rest" after the component, which makes this equal to
 * fnmatch(pat, component, 0) without copying the component.
 */
static bool pm_glob(const frc_u8 *pat, const frc_u8 *s, size_t n, bool last)
{
	(void)n;
	if (last)
		return fnmatch((const char *)pat, (const char *)s, 0) == 0;
	return fnmatch((const char *)pat, (const char *)s, FNM_PATHNAME | FNM_LEADING_DIR) == 0;
}

static int pm_cmp(const struct frc_pm_node *c, const frc_u8 *s, size_t n)
{
	if (c->len != n)
		return c->len < n ? -1 : 1;
	return n ? memcmp(c->c, s, n) : 0;
}

/* next non-empty component at or after *pos; false at the end */
static bool pm_next(const frc_u8 *s, size_t len, size_t *pos, size_t *clen)
{
	size_t p = *pos;
	while (p < len && s[p] == '/')
		p++;
	if (p >= len)
		return false;
	size_t e = p;
	while (e < len && s[e] != '/')
		e++;
	*pos = p;
	*clen = e - p;
	return true;
}

static bool pm_walk(const struct frc_pmatch *pm, frc_u32 node, const frc_u8 *s, size_t len,
		    size_t pos)
{
	const struct frc_pm_node *nd = &pm->nodes[node];
	if (nd->terminal)
		return true;
	size_t clen;
	if (!pm_next(s, len, &pos, &clen))
		return false;
	const frc_u8 *c = s + pos;
	/* exact children: binary search */
	frc_u32 lo = 0, hi = nd->nexact;
	while (lo < hi) {
		frc_u32 mid = lo + (hi - lo) / 2;
		int k = pm_cmp(&pm->nodes[nd->first + mid], c, clen);
		if (k == 0) {
			if (pm_walk(pm, nd->first + mid, s, len, pos + clen))
				return true;
			break;
		}
		if (k < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	bool last = pos + clen >= len;
	for (frc_u32 i = 0; i < nd->nglob; i++) {
		frc_u32 ch = nd->first + nd->nexact + i;
		if (pm_glob(pm->nodes[ch].c, c, clen, last) && pm_walk(pm, ch, s, len, pos + clen))
			return true;
	}
	return false;
}

bool rt_helpers_pmatch(const struct frc_pmatch *pm, const uint8_t *s, size_t n)
{
	return pm->nnodes && pm_walk(pm, 0, s, n, 0);
}

int frc_s_pmatch(const struct frc_val *v, frc_u32 q, struct frc_run *r,
		 const struct frc_pmatch *pm)
{
	(void)r;
	QUANT(v, q, rt_helpers_pmatch(pm, x->s, x->len));
}

/* ------------------------------------------------------------------ sets */

static inline uint32_t set_hash(const void *p, size_t n)
{
	const unsigned char *b = p;
	uint64_t head = 0, tail = 0;
	if (n >= 8) { /* two loads (native byte order: compiler and runtime are one machine) */
		memcpy(&head, b, 8);
		memcpy(&tail, b + n - 8, 8);
	} else if (n >= 4) { /* two overlapping loads cover every byte; n is in the hash */
		uint32_t x, y;
		memcpy(&x, b, 4);
		memcpy(&y, b + n - 4, 4);
		head = tail = x | (uint64_t)y << 32;
	} else if (n >= 2) {
		uint16_t x, y;
		memcpy(&x, b, 2);
		memcpy(&y, b + n - 2, 2);
		head = tail = x | (uint64_t)y << 16;
	} else if (n == 1) {
		head = tail = b[0];
	}
	/* two independent products (every byte reaches their high halves), folded */
	uint64_t h = ((head ^ n) * 0xff51afd7ed558ccdull) ^ (tail * 0x94d049bb133111ebull);
	return (uint32_t)(h ^ (h >> 32));
}

uint32_t rt_helpers_set_hash(const void *p, size_t n)
{
	return set_hash(p, n);
}

uint32_t rt_helpers_hash(const void *p, size_t n)
{
	const unsigned char *b = p;
	uint32_t h = 2166136261u;
	for (size_t i = 0; i < n; i++) {
		h ^= b[i];
		h *= 16777619u;
	}
	return h;
}

/* the set hash of @x's string, computed once per value (the value's cache member) */
static __attribute__((noinline)) frc_u32 val_hash_fill(const struct frc_val *x)
{
	struct frc_val *w = (struct frc_val *)x;	/* values are writable: frc_rt_abi.h */
	w->hash = rt_helpers_set_hash(x->s, x->len);
	w->hashed = 1;
	return w->hash;
}

/* a small set without buckets: every item */
static __attribute__((noinline)) bool strset_scan(const struct frc_strset *set, const frc_u8 *s,
						  frc_u32 n)
{
	for (frc_u32 i = 0; i < set->n; i++)
		if (set->off[i + 1] - set->off[i] - 1 == n && bytes_eq(set->blob + set->off[i], s, n))
			return true;
	return false;
}

/* the probe from bucket @b on, whose stored hash equals @h: compares items */
static __attribute__((noinline)) bool strset_probe(const struct frc_strset *set,
						   const struct frc_val *v, frc_u32 h, frc_u32 b)
{
	for (;;) {
		frc_u64 x = set->buckets[b];
		if (!x)
			return false;
		if ((frc_u32)(x >> 32) == h) {
			frc_u32 ix = (frc_u32)x, o = set->off[ix - 1];
			if (set->off[ix] - o - 1 == v->len && bytes_eq(set->blob + o, v->s, v->len))
				return true;
		}
		b = (b + 1) & set->mask;
	}
}

/*
 * The usual path (a length outside the set's, or a probe that meets an empty bucket
 * before any with the value's hash) makes no call but tail calls, so it needs no saved
 * registers; comparing items, hashing and scanning small sets are out of line.
 */
static inline bool strset_has(const struct frc_strset *set, const struct frc_val *v)
{
	frc_u32 n = v->len;
	if (n - set->minlen > set->maxlen - set->minlen || !((set->lenmask >> (n & 63)) & 1))
		return false;
	if (!set->mask)
		return strset_scan(set, v->s, n);
	frc_u32 h = v->hashed ? v->hash : val_hash_fill(v), b = h & set->mask;
	for (;;) {
		frc_u64 x = set->buckets[b];
		if (!x)
			return false;
		if ((frc_u32)(x >> 32) == h)
			return strset_probe(set, v, h, b);
		b = (b + 1) & set->mask;
	}
}

static __attribute__((noinline)) int s_in_multi(const struct frc_val *v, frc_u32 q,
						const struct frc_strset *set)
{
	QUANT(v, q, strset_has(set, x));
}

int frc_s_in(const struct frc_val *v, frc_u32 q, const struct frc_strset *set)
{
	if (!v)
		return 0;
	if (v->multi)
		return s_in_multi(v, q, set);
	return strset_has(set, v);
}

void rt_helpers_strent(struct frc_strent *e, const uint8_t *s, uint32_t len, uint64_t row)
{
	memset(e, 0, sizeof(*e));
	e->row = row;
	e->hash = set_hash(s, len);
	e->len = len;
	if (len)
		memcpy(e->head, s, len < 16 ? len : 16);
}

uint32_t rt_helpers_strmap_mask(uint32_t n)
{
	if (n <= 1)
		return 0;
	uint32_t cap = 4;
	while (cap < 2 * n)
		cap *= 2;
	return cap - 1;
}

uint32_t rt_helpers_strmap_put(struct frc_strent *slots, uint8_t *tags, uint32_t mask,
			       const struct frc_strent *e)
{
	uint32_t b = e->hash & mask;
	while (slots[b].row)
		b = (b + 1) & mask;
	slots[b] = *e;
	tags[b] = rt_helpers_strmap_tag(e->hash);
	return b;
}

/* slot @b holds the item equal to @v: its length, first 16 bytes, and (for more than 16
   bytes) the rest in the blob */
static inline bool strent_is(const struct frc_strmap *m, frc_u32 b, const struct frc_val *v)
{
	const struct frc_strent *e = &m->slots[b];
	frc_u32 n = v->len;
	if (e->len != n)
		return false;
	if (n <= 16)
		return bytes_eq((const frc_u8 *)e->head, v->s, n);
	return !memcmp(e->head, v->s, 16) && !memcmp(m->blob + m->off[b] + 16, v->s + 16, n - 16);
}

/* a map of at most one item (no hash): slot 0 */
static __attribute__((noinline)) frc_u64 strmap_one(const struct frc_strmap *m,
						    const struct frc_val *v)
{
	return strent_is(m, 0, v) ? m->slots[0].row : 0;
}

/* the probe from slot @b on, whose tag is the value's, of a value of more than 16 bytes
   (the rest compared with memcmp) */
static __attribute__((noinline)) frc_u64 strmap_probe_long(const struct frc_strmap *m,
							   const struct frc_val *v, frc_u32 h,
							   frc_u32 b)
{
	frc_u8 t = rt_helpers_strmap_tag(h);
	for (;; b = (b + 1) & m->mask) {
		frc_u8 x = m->tags[b];
		if (x == t && m->slots[b].hash == h && strent_is(m, b, v))
			return m->slots[b].row;
		if (!x)
			return 0;
	}
}

/* the same for a value of at most 16 bytes (compared inline: no call, no saved
   registers) */
static __attribute__((noinline)) frc_u64 strmap_probe(const struct frc_strmap *m,
						      const struct frc_val *v, frc_u32 h, frc_u32 b)
{
	frc_u8 t = rt_helpers_strmap_tag(h), x;
	frc_u32 n = v->len;
	if (n > 16) /* never: tells the compiler that bytes_eq calls nothing */
		return strmap_probe_long(m, v, h, b);
	for (;;) {
		const struct frc_strent *e = &m->slots[b];
		if (e->hash == h && e->len == n && bytes_eq((const frc_u8 *)e->head, v->s, n))
			return e->row;
		do { /* the next slot of the value's tag */
			b = (b + 1) & m->mask;
			x = m->tags[b];
			if (!x)
				return 0;
		} while (x != t);
	}
}

/*
 * The row of a single value: the tags from the value's home slot on, up to the item equal
 * to it or an empty slot (struct frc_strmap): a miss usually reads one cache line of tags
 * and no slot, a hit that line and its slot's (the item's hash, length, first 16 bytes and
 * row). The usual path (a length outside the map's, or a probe that meets an empty slot
 * before a slot of the value's tag) calls nothing but tail calls, so it needs no saved
 * registers; comparing items is out of line. The hash is computed inline and cached in the
 * value for other set helpers; a map of at most one item is compared without it.
 * Measured and not kept (Nov 29, rules_bench (a) and (b)): a group probe (the tags of 16
 * slots compared at once with SSE2, a cloned tail of tags) and a set hash without the
 * n >= 8 branch (four 4-byte loads at offsets chosen by the length) halve callgrind's
 * simulated mispredicts here but add a third more instructions, and gave no CPU time
 * gain beyond noise: probe runs are short (tables at most half full: 1.4 tags read per
 * lookup on the bench) and the machine predicts these branches better than the model.
 */
static inline __attribute__((always_inline)) frc_u64 strmap_row(const struct frc_strmap *m,
								const struct frc_val *v,
								bool quick)
{
	frc_u32 n = v->len;
	if (quick && (n - m->minlen > m->maxlen - m->minlen || !((m->lenmask >> (n & 63)) & 1)))
		return 0;
	if (!m->mask)
		return strmap_one(m, v);
	frc_u32 h;
	if (v->hashed) {
		h = v->hash;
	} else {
		struct frc_val *w = (struct frc_val *)v;	/* writable: frc_rt_abi.h */
		h = w->hash = set_hash(v->s, n);
		w->hashed = 1;
	}
	frc_u8 t = rt_helpers_strmap_tag(h);
	for (frc_u32 b = h & m->mask;; b = (b + 1) & m->mask) {
		frc_u8 x = m->tags[b];
		if (x == t) /* compare items: out of line */
			return n > 16 ? strmap_probe_long(m, v, h, b) : strmap_probe(m, v, h, b);
		if (!x)
			return 0;
	}
}

/* a multi value: the OR of its items' rows (bit j: some item is in set j) */
static __attribute__((noinline)) frc_u64 strmap_row_multi(const struct frc_strmap *m,
							  const struct frc_val *v)
{
	frc_u64 row = 0;
	for (frc_u32 i = 0; i < v->nitems; i++)
		row |= strmap_row(m, &v->items[i], true);
	return row;
}

frc_u64 frc_s_row(const struct frc_val *v, const struct frc_strmap *m)
{
	if (v->multi)
		return strmap_row_multi(m, v);
	/* no quick reject by length: FRC_SINM has just made one with the set's own */
	return strmap_row(m, v, false);
}

/* ------------------------------------------------------------------ numbers */

static bool numset_has(const struct frc_numset *set, frc_u64 k)
{
	frc_u32 lo = 0, hi = set->n;
	while (lo < hi) {
		frc_u32 mid = lo + (hi - lo) / 2;
		if (set->items[mid] == k)
			return true;
		if (set->items[mid] < k)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

int frc_n_eq(const struct frc_val *v, frc_u32 q, frc_u64 k)
{
	QUANT(v, q, x->n.u == k);
}

int frc_n_ne(const struct frc_val *v, frc_u32 q, frc_u64 k)
{
	QUANT(v, q, x->n.u != k);
}

int frc_n_in(const struct frc_val *v, frc_u32 q, const struct frc_numset *set)
{
	QUANT(v, q, numset_has(set, x->n.u));
}

int frc_i_lt(const struct frc_val *v, frc_u32 q, frc_i64 k)
{
	QUANT(v, q, x->n.i < k);
}

int frc_i_le(const struct frc_val *v, frc_u32 q, frc_i64 k)
{
	QUANT(v, q, x->n.i <= k);
}

int frc_i_gt(const struct frc_val *v, frc_u32 q, frc_i64 k)
{
	QUANT(v, q, x->n.i > k);
}

int frc_i_ge(const struct frc_val *v, frc_u32 q, frc_i64 k)
{
	QUANT(v, q, x->n.i >= k);
}

int frc_u_lt(const struct frc_val *v, frc_u32 q, frc_u64 k)
{
	QUANT(v, q, x->n.u < k);
}

int frc_u_le(const struct frc_val *v, frc_u32 q, frc_u64 k)
{
	QUANT(v, q, x->n.u <= k);
}

int frc_u_gt(const struct frc_val *v, frc_u32 q, frc_u64 k)
{
	QUANT(v, q, x->n.u > k);
}

int frc_u_ge(const struct frc_val *v, frc_u32 q, frc_u64 k)
{
	QUANT(v, q, x->n.u >= k);
}

/* ------------------------------------------------------------------ addresses */

static bool ip_eq1(const struct frc_val *x, const struct frc_ip *k)
{
	if (x->family != k->family)
		return false;
	return !memcmp(x->ip, k->b, k->family == 4 ? 4 : 16);
}

static bool net_has(const struct frc_val *x, const struct frc_ip *k)
{
	if (x->family != k->family)
		return false;
	unsigned bits = k->prefix, full = bits / 8, rest = bits % 8;
	if (full && memcmp(x->ip, k->b, full))
		return false;
	if (rest) {
		frc_u8 mask = (frc_u8)(0xff << (8 - rest));
		if ((x->ip[full] & mask) != (k->b[full] & mask))
			return false;
	}
	return true;
}

int frc_ip_eq(const struct frc_val *v, frc_u32 q, const struct frc_ip *k)
{
	QUANT(v, q, ip_eq1(x, k));
}

int frc_ip_ne(const struct frc_val *v, frc_u32 q, const struct frc_ip *k)
{
	QUANT(v, q, !ip_eq1(x, k));
}

static bool ipset_has(const struct frc_ipset *set, const struct frc_val *x, bool nets)
{
	for (frc_u32 i = 0; i < set->n; i++)
		if (nets ? net_has(x, &set->items[i]) : ip_eq1(x, &set->items[i]))
			return true;
	return false;
}

int frc_ip_in(const struct frc_val *v, frc_u32 q, const struct frc_ipset *set)
{
	QUANT(v, q, ipset_has(set, x, false));
}

int frc_net_eq(const struct frc_val *v, frc_u32 q, const struct frc_ip *k)
{
	QUANT(v, q, net_has(x, k));
}

int frc_net_ne(const struct frc_val *v, frc_u32 q, const struct frc_ip *k)
{
	QUANT(v, q, !net_has(x, k));
}

int frc_net_in(const struct frc_val *v, frc_u32 q, const struct frc_ipset *set)
{
	QUANT(v, q, ipset_has(set, x, true));
}

int frc_exists(const struct frc_val *v)
{
	return v != 0;
}

int frc_memeq(const frc_u8 *a, const frc_u8 *b, frc_u32 n)
{
	return bytes_eq(a, b, n);
}

/* ------------------------------------------------------------------ field vs field */

static bool is_signed_type(frc_u32 type)
{
	return type == FT_INT64;
}

static bool is_string_type(frc_u32 type)
{
	return type == FT_CHARBUF || type == FT_FSPATH || type == FT_BYTEBUF;
}

/* one item of a compared with the scalar b */
static bool vv1(const struct frc_val *x, frc_u32 op, frc_u32 type, const struct frc_val *b)
{
	if (is_string_type(type)) {
		switch (op) {
		case OP_EQ: case OP_IN: case OP_INTERSECTS: return s_eq(x, b->s, b->len);
		case OP_NE: return !s_eq(x, b->s, b->len);
		case OP_LT: return s_cmp(x, b->s, b->len) < 0;
		case OP_LE: return s_cmp(x, b->s, b->len) <= 0;
		case OP_GT: return s_cmp(x, b->s, b->len) > 0;
		case OP_GE: return s_cmp(x, b->s, b->len) >= 0;
		case OP_CONTAINS: case OP_BCONTAINS: return s_contains(x, b->s, b->len);
		case OP_STARTSWITH: case OP_BSTARTSWITH: return s_starts(x, b->s, b->len);
		case OP_ENDSWITH: return s_ends(x, b->s, b->len);
		case OP_GLOB: return fnmatch((const char *)b->s, (const char *)x->s, 0) == 0;
		case OP_IGLOB:
			return fnmatch((const char *)b->s, (const char *)x->s, FNM_CASEFOLD) == 0;
		case OP_ICONTAINS: {
			for (frc_u32 i = 0; i + b->len <= x->len; i++)
				if (s_ieq2(x->s + i, b->s, b->len))
					return true;
			return false;
		}
		default: return false;
		}
	}
	if (type == FT_IPADDR) {
		bool eq = x->family == b->family &&
			  !memcmp(x->ip, b->ip, x->family == 4 ? 4 : 16);
		return op == OP_NE ? !eq : (op == OP_EQ || op == OP_IN || op == OP_INTERSECTS) && eq;
	}
	bool sg = is_signed_type(type);
	switch (op) {
	case OP_EQ: case OP_IN: case OP_INTERSECTS: return x->n.u == b->n.u;
	case OP_NE: return x->n.u != b->n.u;
	case OP_LT: return sg ? x->n.i < b->n.i : x->n.u < b->n.u;
	case OP_LE: return sg ? x->n.i <= b->n.i : x->n.u <= b->n.u;
	case OP_GT: return sg ? x->n.i > b->n.i : x->n.u > b->n.u;
	case OP_GE: return sg ? x->n.i >= b->n.i : x->n.u >= b->n.u;
	default: return false;
	}
}

static bool vv_any_rhs(const struct frc_val *x, frc_u32 op, frc_u32 type, const struct frc_val *b)
{
	if (!b->multi)
		return vv1(x, op, type, b);
	if (op == OP_IN || op == OP_INTERSECTS) {
		for (frc_u32 i = 0; i < b->nitems; i++)
			if (vv1(x, op, type, &b->items[i]))
				return true;
		return false;
	}
	return b->nitems && vv1(x, op, type, &b->items[0]);
}

int frc_vv(const struct frc_val *a, frc_u32 q, frc_u32 op, frc_u32 type, const struct frc_val *b)
{
	if (!b)
		return 0;
	QUANT(a, q, vv_any_rhs(x, op, type, b));
}

/* ------------------------------------------------------------------ transformers */

/* @n bytes of the per-event scratch, 8-aligned; 0 when full */
static void *scratch(struct frc_run *r, size_t n)
{
	size_t off = ((size_t)r->scratch_used + 7) & ~(size_t)7;
	if (!r->scratch || n > r->scratch_cap || off > r->scratch_cap - n)
		return 0;
	r->scratch_used = (frc_u32)(off + n);
	return r->scratch + off;
}

/* a string value with room for @cap bytes plus the NUL */
static struct frc_val *new_str(struct frc_run *r, size_t cap)
{
	if (cap > 0xfffffffeu)
		return 0;
	struct frc_val *v = scratch(r, sizeof(*v) + cap + 1);
	if (!v)
		return 0;
	memset(v, 0, sizeof(*v));
	v->s = (const frc_u8 *)(v + 1);
	return v;
}

enum xs { XS_LOWER, XS_UPPER, XS_BASENAME, XS_B64 };

static int b64_digit(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '+')
		return 62;
	if (c == '/')
		return 63;
	return -1;
}

/* standard alphabet, padding optional; false on any other byte or a dangling digit */
static bool b64_decode(const frc_u8 *in, frc_u32 n, frc_u8 *out, frc_u32 *outn)
{
	while (n && in[n - 1] == '=')
		n--;
	if (n % 4 == 1)
		return false;
	frc_u32 o = 0, acc = 0, bits = 0;
	for (frc_u32 i = 0; i < n; i++) {
		int d = b64_digit(in[i]);
		if (d < 0)
			return false;
		acc = (acc << 6) | (frc_u32)d;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (frc_u8)(acc >> bits);
		}
	}
	*outn = o;
	return true;
}

/* one scalar string through transformer @k into a new value; 0 when absent/no room */
static const struct frc_val *xs1(struct frc_run *r, const struct frc_val *x, enum xs k)
{
	struct frc_val *o = new_str(r, x->len);
	if (!o)
		return 0;
	frc_u8 *d = (frc_u8 *)o->s;
	frc_u32 n = 0;
	switch (k) {
	case XS_LOWER:
	case XS_UPPER:
		for (n = 0; n < x->len; n++)
			d[n] = k == XS_LOWER ? lower(x->s[n]) : upper(x->s[n]);
		break;
	case XS_BASENAME: {
		frc_u32 st = x->len;
		while (st && x->s[st - 1] != '/')
			st--;
		n = x->len - st;
		if (n)
			memcpy(d, x->s + st, n);
		break;
	}
	case XS_B64:
		if (!b64_decode(x->s, x->len, d, &n))
			return 0;
		break;
	}
	d[n] = 0;
	o->len = n;
	return o;
}

static const struct frc_val *xs(struct frc_run *r, const struct frc_val *v, enum xs k)
{
	if (!v)
		return 0;
	if (!v->multi)
		return xs1(r, v, k);
	struct frc_val *o = scratch(r, sizeof(*o) + (size_t)v->nitems * sizeof(*o));
	if (!o)
		return 0;
	memset(o, 0, sizeof(*o));
	struct frc_val *items = o + 1;
	frc_u32 m = 0;
	for (frc_u32 i = 0; i < v->nitems; i++) {
		const struct frc_val *t = xs1(r, &v->items[i], k);
		if (t)
			items[m++] = *t;
	}
	o->multi = 1;
	o->items = items;
	o->nitems = m;
	return o;
}

const struct frc_val *frc_x_tolower(struct frc_run *r, const struct frc_val *v)
{
	return xs(r, v, XS_LOWER);
}

const struct frc_val *frc_x_toupper(struct frc_run *r, const struct frc_val *v)
{
	return xs(r, v, XS_UPPER);
}

const struct frc_val *frc_x_b64(struct frc_run *r, const struct frc_val *v)
{
	return xs(r, v, XS_B64);
}

const struct frc_val *frc_x_basename(struct frc_run *r, const struct frc_val *v)
{
	return xs(r, v, XS_BASENAME);
}

const struct frc_val *frc_x_len(struct frc_run *r, const struct frc_val *v)
{
	if (!v)
		return 0;
	struct frc_val *o = scratch(r, sizeof(*o));
	if (!o)
		return 0;
	memset(o, 0, sizeof(*o));
	o->n.u = v->multi ? v->nitems : v->len;
	return o;
}

static size_t total_len(const struct frc_val *list, size_t seplen)
{
	size_t t = 0;
	for (frc_u32 i = 0; i < list->nitems; i++)
		t += list->items[i].len + seplen;
	return t;
}

const struct frc_val *frc_x_join(struct frc_run *r, const struct frc_val *sep,
				 const struct frc_val *list)
{
	if (!sep || !list || sep->multi)
		return 0;
	if (!list->multi)
		return list;
	struct frc_val *o = new_str(r, total_len(list, sep->len));
	if (!o)
		return 0;
	frc_u8 *d = (frc_u8 *)o->s;
	size_t n = 0;
	for (frc_u32 i = 0; i < list->nitems; i++) {
		if (i && sep->len) {
			memcpy(d + n, sep->s, sep->len);
			n += sep->len;
		}
		if (list->items[i].len)
			memcpy(d + n, list->items[i].s, list->items[i].len);
		n += list->items[i].len;
	}
	d[n] = 0;
	o->len = (frc_u32)n;
	return o;
}

const struct frc_val *frc_x_concat2(struct frc_run *r, const struct frc_val *a,
				    const struct frc_val *b)
{
	if (!a || !b || a->multi || b->multi)
		return 0;
	struct frc_val *o = new_str(r, (size_t)a->len + b->len);
	if (!o)
		return 0;
	frc_u8 *d = (frc_u8 *)o->s;
	if (a->len)
		memcpy(d, a->s, a->len);
	if (b->len)
		memcpy(d + a->len, b->s, b->len);
	d[a->len + b->len] = 0;
	o->len = a->len + b->len;
	return o;
}

/* getopt: option characters of @opt; @arg[c] set when option c takes an argument */
static void getopt_parse(const struct frc_val *opt, bool valid[256], bool arg[256])
{
	memset(valid, 0, 256);
	memset(arg, 0, 256);
	frc_u32 i = opt->len && opt->s[0] == ':' ? 1 : 0;
	for (; i < opt->len; i++) {
		unsigned char c = opt->s[i];
		if (c == ':')
			continue;
		valid[c] = true;
		if (i + 1 < opt->len && opt->s[i + 1] == ':') {
			arg[c] = true;
			i++;
		}
	}
}

struct gopt_out {
	struct frc_run *r;
	bool oom;
	struct frc_val *items;
	frc_u32 n, cap;
	const struct frc_val *sel;	/* selector mode: last selected value */
	struct frc_val selv;
	bool has_sel;
};

/* a copy of @n bytes at @s (NUL-terminated) as an item or the selected value */
static void gopt_emit(struct gopt_out *o, const frc_u8 *s, frc_u32 n, bool selector)
{
	struct frc_val t;
	struct frc_val *c = new_str(o->r, n);
	if (!c) {
		o->oom = true;
		return;
	}
	if (n)
		memcpy((frc_u8 *)c->s, s, n);
	((frc_u8 *)c->s)[n] = 0;
	c->len = n;
	t = *c;
	if (selector) {
		o->selv = t;
		o->has_sel = true;
	} else if (o->n < o->cap) {
		o->items[o->n++] = t;
	}
}

static const struct frc_val *item_at(const struct frc_val *v, frc_u32 i)
{
	return v->multi ? &v->items[i] : v;
}

/* one argv entry: -abc, -tvalue, -t value; returns false to stop scanning */
static bool gopt_token(struct gopt_out *o, const struct frc_val *args, frc_u32 *ai,
		       const bool valid[256], const bool arg[256], int sel)
{
	const struct frc_val *a = item_at(args, *ai);
	frc_u32 nargs = args->multi ? args->nitems : 1;
	static const frc_u8 qm[] = "?", empty[] = "";
	if (a->len == 2 && a->s[0] == '-' && a->s[1] == '-')
		return false;
	if (a->len > 2 && a->s[0] == '-' && a->s[1] == '-')
		return true;
	if (a->len < 2 || a->s[0] != '-')
		return false;
	for (frc_u32 i = 1; i < a->len; i++) {
		unsigned char c = a->s[i];
		if (c == ':' || !valid[c]) {
			if (sel < 0)
				gopt_emit(o, qm, 1, false);
			continue;
		}
		bool match = sel < 0 || c == sel;
		if (!arg[c]) {
			if (match)
				gopt_emit(o, a->s + i, 1, sel >= 0);
			continue;
		}
		const frc_u8 *vs;
		frc_u32 vn;
		if (i + 1 < a->len) {
			vs = a->s + i + 1;
			vn = a->len - i - 1;
		} else if (*ai + 1 < nargs) {
			(*ai)++;
			vs = item_at(args, *ai)->s;
			vn = item_at(args, *ai)->len;
		} else {
			if (match)
				gopt_emit(o, empty, 0, sel >= 0);
			return true;
		}
		if (match) {
			if (sel < 0)
				gopt_emit(o, a->s + i, 1, false);
			gopt_emit(o, vs, vn, sel >= 0);
		}
		return true;
	}
	return true;
}

const struct frc_val *frc_x_getopt(struct frc_run *r, const struct frc_val *args,
				   const struct frc_val *optstring, const frc_u8 *sel, frc_u32 nsel)
{
	if (!args || !optstring || optstring->multi)
		return 0;
	bool valid[256], arg[256];
	getopt_parse(optstring, valid, arg);
	frc_u32 nargs = args->multi ? args->nitems : 1;
	struct gopt_out o;
	memset(&o, 0, sizeof(o));
	o.r = r;
	size_t cap = 2;
	for (frc_u32 i = 0; i < nargs; i++)
		cap += item_at(args, i)->len + 1;
	if (cap > 0xffffffu)
		return 0;
	o.cap = (frc_u32)cap;
	struct frc_val *res = scratch(r, sizeof(*res) * (1 + (size_t)o.cap));
	if (!res)
		return 0;
	memset(res, 0, sizeof(*res));
	o.items = res + 1;
	int s = nsel == 1 ? sel[0] : -1;
	for (frc_u32 ai = 0; ai < nargs; ai++)
		if (!gopt_token(&o, args, &ai, valid, arg, s))
			break;
	if (o.oom)
		return 0;
	if (s >= 0) {
		if (!o.has_sel)
			return 0;
		*res = o.selv;
		return res;
	}
	res->multi = 1;
	res->items = o.items;
	res->nitems = o.n;
	return res;
}
