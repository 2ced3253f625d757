/* SPDX-License-Identifier: Apache-2.0
 *
 * The ABI between emitted rule code and the runtime. Emitted C includes this header and
 * nothing else (it is compiled with -nostdinc under libtcc, and with
 * `gcc -std=c11 -pedantic` for AOT), so it uses no system header: only compiler built-in
 * types. Changing anything here bumps FRC_ABI_VERSION.
 *
 * Field access: emitted code names each distinct (field, argument) pair it uses as a
 * "slot" in its frc_g_fields[] table; frc_field(e, slot) returns the value for the current
 * event, extracted at most once per event (the runtime caches it), or 0 when the field has
 * no value on this event (a comparison on an absent field is false, also !=). Emitted
 * code reads slots through FRC_FV, a cache of the pointers on the group function's stack,
 * so that a slot tested by many rules costs one call per event, not one per test. The
 * call goes through the per-slot table of accessors in struct frc_run (@field), which the
 * runtime fills for each event: frc_field itself, or for each slot an accessor that does
 * frc_field's work for that slot's kind of field with its extractor called directly, so
 * that each call site in emitted code has an indirect call of its own, always to the
 * same target (predicted), rather than all sites sharing frc_field's dispatch.
 *
 * Evaluation: the runtime looks up the event code in frc_g_ruleset.dispatch and calls
 * the group function found there with a struct frc_run (enabled-rule mask, memo storage,
 * compiled regexes, per-event scratch). A group function evaluates, in rule order, only
 * the rules whose event-type set contains that code, and reports each match through
 * frc_rt_match(), which says whether to stop (rule_matching: first).
 *
 * Comparison helpers (frc_s_*, frc_n_*, ...) take the extracted value (possibly 0 =
 * absent: result 0), a quantifier for multi-valued values (FRC_Q_ANY: some item
 * satisfies, FRC_Q_ALL: every item does and there is at least one) and the constant.
 * They are implemented in runtime/rt_helpers.c and are the only functions (with
 * frc_field, frc_rt_match, memset, memcpy and the accessors of struct frc_run's @field
 * table) that JIT-compiled code can call.
 */
#ifndef FRC_RUNTIME_ABI_H
#define FRC_RUNTIME_ABI_H

#define FRC_ABI_VERSION 13

typedef unsigned char frc_u8;
typedef unsigned short frc_u16;
typedef unsigned int frc_u32;
typedef int frc_i32;
typedef long long frc_i64;
typedef unsigned long long frc_u64;
typedef unsigned long frc_size;

/*
 * frc_val.family of an evt.rawarg value (FT_DYN, see struct frc_val): how output renders it,
 * as libsinsp's rawval_to_string does with the parameter's own type and print format.
 * Filters compare the value itself (n, or s/len) whatever the rendering.
 */
enum frc_raw_render {
	FRC_RAW_SDEC = 0,	/* signed decimal (or the bytes of a string) */
	FRC_RAW_UDEC = 'u',	/* unsigned decimal */
	FRC_RAW_HEX = 'x',	/* upper-case hexadecimal, no prefix */
	FRC_RAW_OCT = 'o',	/* octal, no prefix */
	FRC_RAW_PAD9 = '9',	/* decimal padded to 9 digits */
	FRC_RAW_BYTEBUF = 'b',	/* a byte buffer: printable bytes as is, others '.' */
	FRC_RAW_NONE = 'n',	/* no text (libsinsp has none: <NA>) */
};

/* the event being evaluated; opaque to emitted code */
struct frc_evt;

/**
 * struct frc_val - one extracted field value.
 * @s, @len: bytes of a CHARBUF/FSPATH/BYTEBUF value; @s[@len] is always a NUL byte
 *           (the value itself may not contain NUL for strings)
 * @n: integer value for numeric, BOOL (0/1), PORT, RELTIME, ABSTIME types
 * @family, @ip: IPADDR value (4 or 6, address in network byte order; IPv4 in ip[0..3]);
 *               of an evt.rawarg value (FT_DYN): its rendering, enum frc_raw_render
 * @multi, @items, @nitems: for multi-valued fields (ancestors without index, either socket
 *                  end, list fields): @multi is 1 and @items holds the individual values;
 *                  then the scalar members are unused
 * @hashed, @hash: a cache of the string-set hash of @s/@len (rt_helpers_set_hash), filled
 *                 in by the set helpers the first time a value is looked up in a set, so
 *                 that a value tested against many sets is hashed once; whoever sets
 *                 @s/@len clears @hashed (values live in writable memory: slots, scratch)
 */
struct frc_val {
	const frc_u8 *s;
	frc_u32 len;
	frc_u8 family;
	frc_u8 multi;
	frc_u8 hashed;
	frc_u8 pad_;
	union {
		frc_i64 i;
		frc_u64 u;
	} n;
	frc_u8 ip[16];
	const struct frc_val *items;
	frc_u32 nitems;
	frc_u32 hash;
};

/**
 * struct frc_field_ref - one slot of the emitted frc_g_fields[] table.
 * @field: enum field_id (compiler/fields.def order)
 * @arg, @arg_len: bracket or dotted argument text, or 0/0
 * @arg_index: numeric argument, or -1
 */
struct frc_field_ref {
	frc_u32 field;
	frc_u32 arg_len;
	const char *arg;
	frc_i64 arg_index;
};

/* Value of slot @slot for the current event, or 0 if absent. Never allocates. */
const struct frc_val *frc_field(struct frc_evt *e, frc_u32 slot);

/* an accessor of struct frc_run's @field table: what frc_field(e, slot) returns */
typedef const struct frc_val *(*frc_field_fn)(struct frc_evt *e, frc_u32 slot);

/*
 * FRC_FV(e, c, k): the value of slot @k (frc_field(e, k)) through the per-evaluation cache
 * @c, a struct that the emitted unit defines with `const frc_field_fn *get` (the group
 * function copies struct frc_run's @field there), `frc_u64 have[(nslots + 63) / 64]`
 * (bit k set: v[k] holds slot k's value, possibly 0) and `const struct frc_val *v[nslots]`;
 * the group function clears @have once per event. @k is a constant, so the test is one
 * load and one bit test, and the call on a miss is an indirect call of this site only
 * (a macro, not a function: libtcc does not inline).
 */
#define FRC_FV(e, c, k) \
	((((c)->have[(k) >> 6] >> ((k) & 63)) & 1) \
		 ? (c)->v[(k)] \
		 : ((c)->have[(k) >> 6] |= 1ULL << ((k) & 63), (c)->v[(k)] = (c)->get[(k)]((e), (k))))

/* ------------------------------------------------------------------ constants */

/* A byte-string constant; @s[@len] is a NUL byte. */
struct frc_lit {
	const frc_u8 *s;
	frc_u32 len;
};

/**
 * struct frc_strset - a set of byte strings for `in`/`intersects`.
 * @blob, @off: item i is the bytes blob[off[i] .. off[i + 1] - 1) (each item is followed
 *              by a NUL in @blob); @off has @n + 1 entries
 * @mask: number of buckets - 1 (a power of two minus one), or 0 for a linear scan
 * @buckets: per bucket 0 (empty) or the item's rt_helpers_set_hash() << 32 | its index + 1;
 *           open addressing with linear probing from the hash; a probe compares the stored
 *           hash before reading the item
 * @minlen, @maxlen: lengths of the shortest/longest item (quick reject)
 * @lenmask: bit (length % 64) set for the length of every item (quick reject inline)
 */
struct frc_strset {
	frc_u32 n;
	frc_u32 mask;
	frc_u32 minlen, maxlen;
	frc_u64 lenmask;
	const frc_u8 *blob;
	const frc_u32 *off;
	const frc_u64 *buckets;
};

/**
 * struct frc_strent - one slot of a merged string set (struct frc_strmap): 32 bytes,
 * aligned so that it lies in one cache line: all that a hit reads of its item besides its
 * tag.
 * @row: bit j set when the item belongs to set j of the map; 0 for an empty slot
 * @hash: the item's rt_helpers_set_hash()
 * @len: the item's length
 * @head: the item's first min(@len, 16) bytes, then zero bytes, as two native words
 *        (rt_helpers_strent, used by the compiler: one machine, as for the set hash)
 */
struct frc_strent {
	frc_u64 row;
	frc_u32 hash;
	frc_u32 len;
	frc_u64 head[2];
}
#if defined(__GNUC__) || defined(__TINYC__)
__attribute__((aligned(32)))
#endif
;

/**
 * struct frc_strmap - the string sets that `in` tests compare one field slot with, merged.
 * @n: distinct items of those sets
 * @mask: number of slots - 1 (a power of two minus one): 0 for a map of at most one item
 *        (slot 0 holds it, compared without hashing), else at least 2 * @n slots
 * @minlen, @maxlen: lengths of the shortest/longest item (quick reject)
 * @lenmask: bit (length % 64) set for the length of every item (quick reject inline)
 * @tags: per slot a byte, 0 when empty, else 0x80 | the top 7 bits of its item's hash
 *        (rt_helpers_strmap_tag): a probe reads these, 64 slots a cache line, and a slot
 *        only when its tag is the value's, so that a miss usually reads one line of tags
 *        (small and dense: it stays cached) and a hit that line and its slot
 * @slots: the open-addressed table: an item of set hash h is in the first empty slot from
 *         its home slot h & @mask on (linear probing, wrapping at the end)
 * @blob: the items' bytes, each followed by a NUL
 * @off: per slot, the offset of its item in @blob, for the bytes past the 16th of an item
 *       (0 when no item has more than 16 bytes)
 * The struct is aligned to a cache line, so that a lookup reads one line of it.
 *
 * Emitted code looks the slot's value up once per evaluation (frc_s_row, cached by
 * FRC_SINM or a group's row loader) and then tests `slot in (set j)` as bit j of the row
 * (FRC_SINM). A slot compared with more than 64 sets has one map per 64 of them.
 */
struct frc_strmap {
	frc_u32 n;
	frc_u32 mask;
	frc_u32 minlen, maxlen;
	frc_u64 lenmask;
	const frc_u8 *tags;
	const struct frc_strent *slots;
	const frc_u8 *blob;
	const frc_u32 *off;
}
#if defined(__GNUC__) || defined(__TINYC__)
__attribute__((aligned(64)))	/* what a lookup reads of it is one cache line */
#endif
;

/**
 * struct frc_needles - the needles of an `or` of contains (or of icontains) tests on one
 * value, searched for in one pass over the value (frc_s_needles).
 * @n: needles; needle k is the bytes blob[off[k] .. off[k + 1]) (@off has @n + 1 entries)
 * @minlen: length of the shortest needle (0: an empty needle, which every value contains)
 * @icase: the needles are lower case and compared ignoring ASCII case (icontains)
 * @bucket: 9 entries: the needles of bucket b are those from bucket[b] to bucket[b + 1]
 * @nib: 96 bytes, for the first three bytes t of a needle (at a candidate position p of
 *       the value, byte p + t): 16 bytes indexed by the low nibble of the value's byte,
 *       then 16 by its high nibble; bit b set when some needle of bucket b allows that
 *       nibble there (every nibble past a needle's end, both cases of a letter for
 *       @icase). A position is a candidate for bucket b when the six lookups all have bit b.
 */
struct frc_needles {
	frc_u32 n;
	frc_u32 minlen;
	frc_u32 icase;
	frc_u32 pad_;
	const frc_u8 *blob;
	const frc_u32 *off;
	const frc_u32 *bucket;
	const frc_u8 *nib;
};

/* A set of integers (bit patterns of the field's width), sorted as unsigned. */
struct frc_numset {
	frc_u32 n;
	frc_u32 pad_;
	const frc_u64 *items;
};

/* An IP address (@prefix 0) or network (@prefix bits); @family 4 or 6. */
struct frc_ip {
	frc_u8 family;
	frc_u8 prefix;
	frc_u8 pad_[2];
	frc_u8 b[16];
};

struct frc_ipset {
	frc_u32 n;
	frc_u32 pad_;
	const struct frc_ip *items;
};

/* Glob kinds, decided at compile time from the pattern. */
enum {
	FRC_GLOB_FNMATCH = 0,	/* general pattern: fnmatch(pat, value, 0) */
	FRC_GLOB_EXACT = 1,	/* no metacharacter: equality with @lit */
	FRC_GLOB_PREFIX = 2,	/* "lit*" */
	FRC_GLOB_SUFFIX = 3,	/* "*lit" */
	FRC_GLOB_CONTAINS = 4,	/* "*lit*" */
	FRC_GLOB_ANY = 5	/* only stars: matches every value */
};

/* A compiled glob pattern: @pat the pattern (NUL-terminated), @lit/@len its literal part. */
struct frc_glob {
	frc_u32 kind;
	frc_u32 len;
	const frc_u8 *lit;
	const frc_u8 *pat;
};

/**
 * struct frc_pm_node - a node of a pmatch trie: one path component.
 * @c, @len: the component (NUL-terminated), unused for the root
 * @glob: the component contains * ? [ and is matched with fnmatch
 * @terminal: a pattern ends here (every path below matches)
 * @first, @nexact, @nglob: children are nodes[@first .. @first + @nexact + @nglob), exact
 *           ones first and sorted by (length, bytes), then glob ones
 */
struct frc_pm_node {
	const frc_u8 *c;
	frc_u32 len;
	frc_u8 glob;
	frc_u8 terminal;
	frc_u8 pad_[2];
	frc_u32 first;
	frc_u32 nexact;
	frc_u32 nglob;
	frc_u32 pad2_;
};

struct frc_pmatch {
	frc_u32 nnodes;
	frc_u32 pad_;
	const struct frc_pm_node *nodes;	/* nodes[0] is the root */
};

/* ------------------------------------------------------------------ evaluation */

/**
 * struct frc_run - per-ruleset evaluation state handed to group functions.
 * @enabled: one byte per rule, non-zero when the rule is enabled
 * @gen: generation of the current event (memo entries equal to it are valid)
 * @memo_gen, @memo_val: memo storage for shared sub-conditions ([nmemo] each)
 * @regex: compiled regular expressions ([nregex], opaque to emitted code)
 * @scratch, @scratch_cap, @scratch_used: per-event storage for transformer results
 * @host: the runtime's own context (opaque)
 * @field: per field slot of frc_g_fields[], the accessor that FRC_FV calls for it (the
 *         runtime sets it before each call of a group function; valid for that event)
 */
struct frc_run {
	const frc_u8 *enabled;
	frc_u32 gen;
	frc_u32 scratch_cap;
	frc_u32 scratch_used;
	frc_u32 pad_;
	frc_u32 *memo_gen;
	frc_u8 *memo_val;
	void *const *regex;
	frc_u8 *scratch;
	void *host;
	const frc_field_fn *field;
};

/* Branch hints for the layout of emitted code (no effect on results). */
#if defined(__GNUC__) && !defined(__TINYC__)
#define FRC_LIKELY(x) __builtin_expect(!!(x), 1)
#define FRC_UNLIKELY(x) __builtin_expect(!!(x), 0)
#else
#define FRC_LIKELY(x) (x)
#define FRC_UNLIKELY(x) (x)
#endif

/* Reports that rule @rule matched; returns non-zero when evaluation must stop. */
int frc_rt_match(struct frc_run *r, frc_u32 rule);

static inline int frc_memo_set(struct frc_run *r, frc_u32 k, int v)
{
	r->memo_gen[k] = r->gen;
	r->memo_val[k] = (frc_u8)v;
	return v;
}

/*
 * The memoised value of shared sub-condition @k; @f (a call of the function that computes
 * and stores it with frc_memo_set) runs the first time in an event.
 */
#define FRC_MEMO(r, k, f) ((r)->memo_gen[(k)] == (r)->gen ? (int)(r)->memo_val[(k)] : (f))

typedef void (*frc_group_fn)(struct frc_evt *e, struct frc_run *r);

/**
 * struct frc_rule_info - what the runtime needs to know about a compiled rule.
 * @name, @output, @source, @file: NUL-terminated; @tags: @ntags NUL-terminated strings
 * @priority: enum frc_priority (compiler/frc.h)
 * @enabled: the rule's `enabled:` value
 * @codes: the event codes whose dispatch group evaluates this rule (512 bits, the kernel
 *         interest set is the union over enabled rules); @all_codes: also codes >= 512
 *         (the rule does not restrict the event type)
 */
struct frc_rule_info {
	const char *name;
	const char *output;
	const char *source;
	const char *file;
	const char *const *tags;
	frc_u32 ntags;
	frc_u32 line;
	frc_u32 priority;
	frc_u32 enabled;
	frc_u64 codes[8];
	frc_u32 all_codes;
	frc_u32 pad_;
};

/**
 * struct frc_ruleset_desc - the one exported object of emitted code (frc_g_ruleset).
 * @abi_version: FRC_ABI_VERSION of the emitter; @desc_size: sizeof(struct frc_ruleset_desc)
 * @ncodes: entries of @dispatch (event codes 0..ncodes-1); @other serves larger codes
 * @nmemo: memo entries the code uses; @nregex: entries of @regex
 */
struct frc_ruleset_desc {
	frc_u32 abi_version;
	frc_u32 desc_size;
	frc_u32 nrules;
	frc_u32 nfields;
	frc_u32 ncodes;
	frc_u32 nmemo;
	frc_u32 nregex;
	frc_u32 ngroups;
	const struct frc_rule_info *rules;
	const struct frc_field_ref *fields;
	const frc_group_fn *dispatch;
	frc_group_fn other;
	const struct frc_lit *regex;
};

/* The descriptor every emitted translation unit defines. */
extern const struct frc_ruleset_desc frc_g_ruleset;

/* ------------------------------------------------------------------ helpers */

enum { FRC_Q_ANY = 0, FRC_Q_ALL = 1 };

/* strings and byte buffers (@s has @n bytes; for icontains @s is lower-case) */
int frc_s_eq(const struct frc_val *v, frc_u32 q, const frc_u8 *s, frc_u32 n);
int frc_s_ne(const struct frc_val *v, frc_u32 q, const frc_u8 *s, frc_u32 n);
int frc_s_lt(const struct frc_val *v, frc_u32 q, const frc_u8 *s, frc_u32 n);
int frc_s_le(const struct frc_val *v, frc_u32 q, const frc_u8 *s, frc_u32 n);
int frc_s_gt(const struct frc_val *v, frc_u32 q, const frc_u8 *s, frc_u32 n);
int frc_s_ge(const struct frc_val *v, frc_u32 q, const frc_u8 *s, frc_u32 n);
int frc_s_contains(const struct frc_val *v, frc_u32 q, const frc_u8 *s, frc_u32 n);
int frc_s_icontains(const struct frc_val *v, frc_u32 q, const frc_u8 *s, frc_u32 n);
int frc_s_startswith(const struct frc_val *v, frc_u32 q, const frc_u8 *s, frc_u32 n);
int frc_s_endswith(const struct frc_val *v, frc_u32 q, const frc_u8 *s, frc_u32 n);
int frc_s_glob(const struct frc_val *v, frc_u32 q, const struct frc_glob *g);
int frc_s_iglob(const struct frc_val *v, frc_u32 q, const struct frc_glob *g);
int frc_s_regex(const struct frc_val *v, frc_u32 q, struct frc_run *r, frc_u32 idx);
int frc_s_pmatch(const struct frc_val *v, frc_u32 q, struct frc_run *r,
		 const struct frc_pmatch *pm);
int frc_s_in(const struct frc_val *v, frc_u32 q, const struct frc_strset *set);
/*
 * `V contains N1 or V contains N2 or ...` (icontains when @nd->icase) with the same
 * quantifier: one pass over each value for all the needles of @nd. The same result as the
 * `or` of the single tests, also for absent values (0) and FRC_Q_ALL (some needle is in
 * every item).
 */
int frc_s_needles(const struct frc_val *v, frc_u32 q, const struct frc_needles *nd);
/*
 * The row of @m for @v (not 0): the row of the item equal to the value, 0 when there is
 * none; for a multi value the OR of its items' rows (bit j: some item is in set j, as
 * frc_s_in with FRC_Q_ANY).
 */
frc_u64 frc_s_row(const struct frc_val *v, const struct frc_strmap *m);

/* integers: eq/ne/in on bit patterns, ordering signed (i) or unsigned (u) */
int frc_n_eq(const struct frc_val *v, frc_u32 q, frc_u64 k);
int frc_n_ne(const struct frc_val *v, frc_u32 q, frc_u64 k);
int frc_n_in(const struct frc_val *v, frc_u32 q, const struct frc_numset *set);
int frc_i_lt(const struct frc_val *v, frc_u32 q, frc_i64 k);
int frc_i_le(const struct frc_val *v, frc_u32 q, frc_i64 k);
int frc_i_gt(const struct frc_val *v, frc_u32 q, frc_i64 k);
int frc_i_ge(const struct frc_val *v, frc_u32 q, frc_i64 k);
int frc_u_lt(const struct frc_val *v, frc_u32 q, frc_u64 k);
int frc_u_le(const struct frc_val *v, frc_u32 q, frc_u64 k);
int frc_u_gt(const struct frc_val *v, frc_u32 q, frc_u64 k);
int frc_u_ge(const struct frc_val *v, frc_u32 q, frc_u64 k);

/* addresses (equality) and networks (containment); a family mismatch is "not equal" */
int frc_ip_eq(const struct frc_val *v, frc_u32 q, const struct frc_ip *k);
int frc_ip_ne(const struct frc_val *v, frc_u32 q, const struct frc_ip *k);
int frc_ip_in(const struct frc_val *v, frc_u32 q, const struct frc_ipset *set);
int frc_net_eq(const struct frc_val *v, frc_u32 q, const struct frc_ip *k);
int frc_net_ne(const struct frc_val *v, frc_u32 q, const struct frc_ip *k);
int frc_net_in(const struct frc_val *v, frc_u32 q, const struct frc_ipset *set);

/* `exists` */
int frc_exists(const struct frc_val *v);

/* byte equality of @n bytes (gcc: a builtin it can expand for constant @n) */
int frc_memeq(const frc_u8 *a, const frc_u8 *b, frc_u32 n);
#if defined(__GNUC__) && !defined(__TINYC__)
#define FRC_MEMEQ(a, b, n) (__builtin_memcmp((a), (b), (n)) == 0)
#else
#define FRC_MEMEQ(a, b, n) frc_memeq((a), (b), (n))
#endif

/*
 * Inline fast paths for the most frequent tests (a single value, or any item of a multi
 * value): the length decides most comparisons without a call.
 */
static inline int frc_seq(const struct frc_val *v, const frc_u8 *s, frc_u32 n)
{
	if (!v)
		return 0;
	if (v->multi)
		return frc_s_eq(v, FRC_Q_ANY, s, n);
	return v->len == n && (n == 0 || FRC_MEMEQ(v->s, s, n));
}

static inline int frc_sne(const struct frc_val *v, const frc_u8 *s, frc_u32 n)
{
	if (!v)
		return 0;
	if (v->multi)
		return frc_s_ne(v, FRC_Q_ANY, s, n);
	return v->len != n || (n != 0 && !FRC_MEMEQ(v->s, s, n));
}

static inline int frc_sstarts(const struct frc_val *v, const frc_u8 *s, frc_u32 n)
{
	if (!v)
		return 0;
	if (v->multi)
		return frc_s_startswith(v, FRC_Q_ANY, s, n);
	return v->len >= n && (n == 0 || FRC_MEMEQ(v->s, s, n));
}

static inline int frc_sends(const struct frc_val *v, const frc_u8 *s, frc_u32 n)
{
	if (!v)
		return 0;
	if (v->multi)
		return frc_s_endswith(v, FRC_Q_ANY, s, n);
	return v->len >= n && (n == 0 || FRC_MEMEQ(v->s + (v->len - n), s, n));
}

static inline int frc_sin(const struct frc_val *v, const struct frc_strset *set)
{
	if (!v)
		return 0;
	if (v->multi)
		return frc_s_in(v, FRC_Q_ANY, set);
	return (set->lenmask >> (v->len & 63)) & 1 ? frc_s_in(v, FRC_Q_ANY, set) : 0;
}

/*
 * FRC_SINM(c, V, m, M, j, L): `V in (set j of map M)` with FRC_Q_ANY, where @V is a field
 * slot's value (FRC_FV), M the map numbered @m of the unit and @L the lenmask of set j (a
 * quick reject of a single value whose length no item of set j has, before any lookup).
 * The row of the slot's value is cached in the struct @c of FRC_FV, which the emitted unit
 * defines with `frc_u64 rhave[(nmaps + 63) / 64]` (bit m set: row[m] holds map m's row for
 * this event) and `frc_u64 row[nmaps]`; the group function clears @rhave once per event.
 * An absent value is false, as with frc_sin.
 */
static inline frc_u64 frc_row_load(const struct frc_val *v, frc_u64 *rhave, frc_u64 *row,
				   frc_u32 m, const struct frc_strmap *map)
{
	rhave[m >> 6] |= 1ULL << (m & 63);
	return row[m] = frc_s_row(v, map);
}

/* FRC_SINM when the row is not cached yet (@V is then read) */
static inline int frc_sinm(const struct frc_val *v, frc_u64 *rhave, frc_u64 *row, frc_u32 m,
			   const struct frc_strmap *map, frc_u32 j, frc_u64 lenmask)
{
	if (!v || (!v->multi && !((lenmask >> (v->len & 63)) & 1)))
		return 0;
	return (int)((frc_row_load(v, rhave, row, m, map) >> j) & 1);
}

/*
 * A cached row answers without reading the value (the row is only cached for a present
 * value, and the lenmask reject only spares a lookup: its answer is the row's bit j, 0).
 * gcc cannot see that a set bit of @rhave means a stored row (both are written together
 * in frc_row_load) and warns that the row may be read uninitialized: not so.
 */
#if defined(__GNUC__) && !defined(__clang__) && !defined(__TINYC__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#define FRC_SINM(c, V, m, M, j, L) \
	((((c)->rhave[(m) >> 6] >> ((m) & 63)) & 1) \
		 ? (int)(((c)->row[(m)] >> (j)) & 1) \
		 : frc_sinm((V), (c)->rhave, (c)->row, (m), (M), (j), (L)))

static inline int frc_neq(const struct frc_val *v, frc_u64 k)
{
	if (!v)
		return 0;
	if (v->multi)
		return frc_n_eq(v, FRC_Q_ANY, k);
	return v->n.u == k;
}

#if defined(__TINYC__)
/*
 * libtcc does not inline functions: under the JIT the fast paths above are statement
 * expressions (a GNU extension libtcc implements), so that a test costs no call when the
 * length or the absence of the value decides it.
 */
#define frc_seq(V, S, N) ({ const struct frc_val *frc_v_ = (V); \
	!frc_v_ ? 0 : frc_v_->multi ? frc_s_eq(frc_v_, FRC_Q_ANY, (S), (N)) \
		: frc_v_->len == (N) && ((N) == 0 || frc_memeq(frc_v_->s, (S), (N))); })
#define frc_sne(V, S, N) ({ const struct frc_val *frc_v_ = (V); \
	!frc_v_ ? 0 : frc_v_->multi ? frc_s_ne(frc_v_, FRC_Q_ANY, (S), (N)) \
		: frc_v_->len != (N) || ((N) != 0 && !frc_memeq(frc_v_->s, (S), (N))); })
#define frc_sstarts(V, S, N) ({ const struct frc_val *frc_v_ = (V); \
	!frc_v_ ? 0 : frc_v_->multi ? frc_s_startswith(frc_v_, FRC_Q_ANY, (S), (N)) \
		: frc_v_->len >= (N) && ((N) == 0 || frc_memeq(frc_v_->s, (S), (N))); })
#define frc_sends(V, S, N) ({ const struct frc_val *frc_v_ = (V); \
	!frc_v_ ? 0 : frc_v_->multi ? frc_s_endswith(frc_v_, FRC_Q_ANY, (S), (N)) \
		: frc_v_->len >= (N) && \
		  ((N) == 0 || frc_memeq(frc_v_->s + (frc_v_->len - (N)), (S), (N))); })
#define frc_sin(V, SET) ({ const struct frc_val *frc_v_ = (V); \
	!frc_v_ ? 0 : frc_v_->multi || (((SET)->lenmask >> (frc_v_->len & 63)) & 1) \
		? frc_s_in(frc_v_, FRC_Q_ANY, (SET)) : 0; })
#undef FRC_SINM
#define FRC_SINM(c, V, m, M, j, L) ((((c)->rhave[(m) >> 6] >> ((m) & 63)) & 1) \
	? (int)(((c)->row[(m)] >> (j)) & 1) : ({ const struct frc_val *frc_v_ = (V); \
	!frc_v_ || (!frc_v_->multi && !(((L) >> (frc_v_->len & 63)) & 1)) ? 0 : \
	(int)(((((c)->rhave[(m) >> 6] |= 1ULL << ((m) & 63)), \
		 (c)->row[(m)] = frc_s_row(frc_v_, (M))) >> (j)) & 1); }))
#define frc_neq(V, K) ({ const struct frc_val *frc_v_ = (V); \
	!frc_v_ ? 0 : frc_v_->multi ? frc_n_eq(frc_v_, FRC_Q_ANY, (K)) : frc_v_->n.u == (K); })
#endif

/* field compared with field: @op is an enum cmp_op, @type an enum ft_type */
int frc_vv(const struct frc_val *a, frc_u32 q, frc_u32 op, frc_u32 type, const struct frc_val *b);

/* transformers: results live in the per-event scratch of @r; 0 when absent or no room */
const struct frc_val *frc_x_tolower(struct frc_run *r, const struct frc_val *v);
const struct frc_val *frc_x_toupper(struct frc_run *r, const struct frc_val *v);
const struct frc_val *frc_x_b64(struct frc_run *r, const struct frc_val *v);
const struct frc_val *frc_x_basename(struct frc_run *r, const struct frc_val *v);
const struct frc_val *frc_x_len(struct frc_run *r, const struct frc_val *v);
const struct frc_val *frc_x_join(struct frc_run *r, const struct frc_val *sep,
				 const struct frc_val *list);
const struct frc_val *frc_x_concat2(struct frc_run *r, const struct frc_val *a,
				    const struct frc_val *b);
const struct frc_val *frc_x_getopt(struct frc_run *r, const struct frc_val *args,
				   const struct frc_val *optstring, const frc_u8 *sel, frc_u32 nsel);

#endif
