/* SPDX-License-Identifier: Apache-2.0
 *
 * Kernel filter fragments (see kfilter.h): rule conditions in the IR -> per event code
 * disjunctions of kernel atoms -> the data of one bank of the probe's filter.
 *
 * Each condition is translated with a polarity (pushing `not` down to the tests), into a
 * bounded disjunctive normal form whose atoms are the tests the kernel can decide. Every
 * step may only weaken: a test that is not an atom becomes "true", too many atoms in a
 * clause are dropped, too many clauses are merged into their common (or set-unioned)
 * atoms.
 */
#include "kfilter.h"

#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "cstr.h"
#include "evtab.h"
#include "types.h"

/* limits while building (the kernel's are FRC_KF_CLAUSES x FRC_KF_ATOMS) */
#define B_MAXC 32
#define B_MAXA 6

struct kitem {
	const uint8_t *b;
	uint16_t len;
	bool exact;
};

/* a compiler-side atom (interned in struct kf_rules.atoms) */
struct katom {
	uint8_t kind;		/* FRC_KFA_* */
	uint8_t neg;
	uint8_t cmp;
	int64_t val;
	struct kitem *items;	/* set atoms: sorted, unique */
	uint32_t nitems;
	uint8_t needle[8];
	uint8_t nlen;
	uint32_t hash;		/* of the above (atom_get) */
};

struct kcl {
	uint8_t n;
	uint32_t a[B_MAXA];	/* sorted atom ids */
};

/* n == 0: false unless @is_true */
struct kdnf {
	bool is_true;
	uint32_t n;
	struct kcl *c;
};

struct kf_rule_code {
	uint32_t rule;
	struct kdnf d;
};

struct kf_code {
	uint32_t n;
	struct kf_rule_code *rc;
};

struct kf_rules {
	struct arena ar;
	struct katom *atoms;
	uint32_t natoms, cap_atoms;
	uint32_t *atom_ix;	/* open-addressing index of @atoms by hash: id + 1, 0 empty */
	uint32_t atom_ix_mask;	/* buckets - 1 (kept at most half full) */
	uint64_t *union_key;	/* memo of atom_union: (x + 1) << 32 | (y + 1), 0 empty */
	uint32_t *union_val;	/* its result */
	uint32_t union_mask, nunions;	/* buckets - 1; entries (at most half full) */
	uint64_t work;		/* clause pairs compared so far (the build's budget) */
	struct kf_code codes[FRC_KF_NCODES];
	uint32_t nrules;
	uint8_t *rule_enabled;	/* each rule's own enabled: */
	uint8_t *rule_table;	/* rule reads a whole fd table */
	bool oom;
};

/* ------------------------------------------------------------------ atoms */

/* items of one set atom built from a list (larger sets are not kernel atoms) */
#define MAX_SET_ITEMS 4096
/* items of a union of set atoms: unions are rebuilt at every step of a long `or`, so
 * bigger ones would cost quadratic time (upstream rules reach ~150 items) */
#define MAX_UNION_ITEMS 1024

static bool set_kind(uint8_t k)
{
	return k == FRC_KFA_NAME_PFX || k == FRC_KFA_NAME_SFX || k == FRC_KFA_RAW_PFX ||
	       k == FRC_KFA_RAW_SFX || k == FRC_KFA_COMM;
}

static int item_cmp(const struct kitem *x, const struct kitem *y)
{
	size_t n = x->len < y->len ? x->len : y->len;
	int c = memcmp(x->b, y->b, n);

	if (c)
		return c;
	if (x->len != y->len)
		return x->len < y->len ? -1 : 1;
	return (int)x->exact - (int)y->exact;
}

static int item_qcmp(const void *a, const void *b)
{
	return item_cmp(a, b);
}

static bool atom_eq(const struct katom *x, const struct katom *y)
{
	if (x->kind != y->kind || x->neg != y->neg || x->cmp != y->cmp || x->val != y->val ||
	    x->nitems != y->nitems || x->nlen != y->nlen || memcmp(x->needle, y->needle, 8))
		return false;
	for (uint32_t i = 0; i < x->nitems; i++)
		if (item_cmp(&x->items[i], &y->items[i]))
			return false;
	return true;
}

static uint32_t fnv(uint32_t h, const void *p, size_t n)
{
	const uint8_t *b = p;

	for (size_t i = 0; i < n; i++)
		h = (h ^ b[i]) * 16777619u;
	return h;
}

static uint32_t atom_hash(const struct katom *a)
{
	uint32_t h = 2166136261u;

	h = fnv(h, &a->kind, 1);
	h = fnv(h, &a->neg, 1);
	h = fnv(h, &a->cmp, 1);
	h = fnv(h, &a->val, sizeof(a->val));
	h = fnv(h, a->needle, 8);
	h = fnv(h, &a->nlen, 1);
	h = fnv(h, &a->nitems, sizeof(a->nitems));
	for (uint32_t i = 0; i < a->nitems; i++) {
		h = fnv(h, a->items[i].b, a->items[i].len);
		h = fnv(h, &a->items[i].exact, 1);
	}
	return h;
}

/* doubles the atom index (or creates it); false when out of memory */
static bool atom_ix_grow(struct kf_rules *kr)
{
	uint32_t nb = kr->atom_ix ? 2 * (kr->atom_ix_mask + 1) : 256;
	uint32_t *ix = calloc(nb, sizeof(*ix));

	if (!ix) {
		kr->oom = true;
		return false;
	}
	for (uint32_t i = 0; i < kr->natoms; i++) {
		uint32_t b = kr->atoms[i].hash & (nb - 1);
		while (ix[b])
			b = (b + 1) & (nb - 1);
		ix[b] = i + 1;
	}
	free(kr->atom_ix);
	kr->atom_ix = ix;
	kr->atom_ix_mask = nb - 1;
	return true;
}

/* interns @a (its items are copied); UINT32_MAX when out of memory */
static uint32_t atom_get(struct kf_rules *kr, const struct katom *a0)
{
	struct katom h = *a0;
	const struct katom *a = &h;
	uint32_t b;

	h.hash = atom_hash(a0);
	if (!kr->atom_ix && !atom_ix_grow(kr))
		return UINT32_MAX;
	for (b = h.hash & kr->atom_ix_mask; kr->atom_ix[b]; b = (b + 1) & kr->atom_ix_mask) {
		uint32_t i = kr->atom_ix[b] - 1;
		if (kr->atoms[i].hash == h.hash && atom_eq(&kr->atoms[i], a))
			return i;
	}
	if (kr->natoms == kr->cap_atoms) {
		uint32_t nc = kr->cap_atoms ? 2 * kr->cap_atoms : 64;
		struct katom *na = realloc(kr->atoms, nc * sizeof(*na));

		if (!na) {
			kr->oom = true;
			return UINT32_MAX;
		}
		kr->atoms = na;
		kr->cap_atoms = nc;
	}
	struct katom *t = &kr->atoms[kr->natoms];
	*t = *a;
	if (a->nitems) {
		t->items = arena_alloc(&kr->ar, a->nitems * sizeof(*t->items));
		if (!t->items) {
			kr->oom = true;
			return UINT32_MAX;
		}
		memcpy(t->items, a->items, a->nitems * sizeof(*t->items));
	}
	kr->atom_ix[b] = kr->natoms + 1;
	uint32_t id = kr->natoms++;
	if (2 * kr->natoms > kr->atom_ix_mask + 1 && !atom_ix_grow(kr))
		return UINT32_MAX;	/* out of memory (flagged): callers stay sound */
	return id;
}

/* a set atom from @items (sorted and de-duplicated here; @items is scratch) */
static uint32_t set_atom(struct kf_rules *kr, uint8_t kind, struct kitem *items, uint32_t n)
{
	struct katom a = { .kind = kind };
	uint32_t w = 0;

	if (n > 1)
		qsort(items, n, sizeof(*items), item_qcmp);
	for (uint32_t i = 0; i < n; i++)
		if (!w || item_cmp(&items[w - 1], &items[i]))
			items[w++] = items[i];
	a.items = items;
	a.nitems = w;
	return atom_get(kr, &a);
}

/* the union of two atoms of the same set kind */
static uint32_t atom_union_build(struct kf_rules *kr, uint32_t x, uint32_t y);

static uint32_t union_slot(const struct kf_rules *kr, uint64_t key)
{
	uint32_t b = (uint32_t)((key * 0x9e3779b97f4a7c15ull) >> 32) & kr->union_mask;

	while (kr->union_key[b] && kr->union_key[b] != key)
		b = (b + 1) & kr->union_mask;
	return b;
}

/*
 * The interned union of set atoms @x and @y, or UINT32_MAX. Remembered by (x, y): the
 * builder walks the same `or` once per event code, and each step of a long one unions the
 * growing set with one more item, which would cost time quadratic in the items each time.
 */
static uint32_t atom_union(struct kf_rules *kr, uint32_t x, uint32_t y)
{
	uint64_t key = ((uint64_t)x + 1) << 32 | ((uint64_t)y + 1);

	if (kr->union_key) {
		uint32_t b = union_slot(kr, key);
		if (kr->union_key[b])
			return kr->union_val[b];
	}
	uint32_t r = atom_union_build(kr, x, y);
	if (r == UINT32_MAX && kr->oom)
		return r;
	if (2 * (kr->nunions + 1) > (kr->union_key ? kr->union_mask + 1 : 0)) {
		uint32_t nb = kr->union_key ? 2 * (kr->union_mask + 1) : 256;
		uint64_t *nk = calloc(nb, sizeof(*nk));
		uint32_t *nv = malloc(nb * sizeof(*nv));
		if (!nk || !nv) {
			free(nk);
			free(nv);
			return r;	/* not remembered: still correct */
		}
		uint64_t *ok = kr->union_key;
		uint32_t *ov = kr->union_val, om = kr->union_mask;
		kr->union_key = nk;
		kr->union_val = nv;
		kr->union_mask = nb - 1;
		for (uint32_t i = 0; ok && i <= om; i++)
			if (ok[i]) {
				uint32_t b = union_slot(kr, ok[i]);
				nk[b] = ok[i];
				nv[b] = ov[i];
			}
		free(ok);
		free(ov);
	}
	uint32_t b = union_slot(kr, key);
	kr->union_key[b] = key;
	kr->union_val[b] = r;
	kr->nunions++;
	return r;
}

static uint32_t atom_union_build(struct kf_rules *kr, uint32_t x, uint32_t y)
{
	const struct katom *a = &kr->atoms[x], *b = &kr->atoms[y];
	uint32_t n = a->nitems + b->nitems;
	if (n > MAX_UNION_ITEMS)
		return UINT32_MAX;	/* the callers drop the atom (weaker, still sound) */
	struct kitem *it = malloc((n ? n : 1) * sizeof(*it));

	if (!it) {
		kr->oom = true;
		return UINT32_MAX;
	}
	/* both are sorted and unique: a linear merge (a long `or` unions at every step) */
	uint32_t i = 0, j = 0, w = 0;
	while (i < a->nitems || j < b->nitems) {
		int c = i == a->nitems ? 1 : j == b->nitems ? -1 :
			item_cmp(&a->items[i], &b->items[j]);
		if (c <= 0) {
			it[w++] = a->items[i++];
			j += c == 0;
		} else {
			it[w++] = b->items[j++];
		}
	}
	struct katom u = { .kind = a->kind, .items = it, .nitems = w };
	uint32_t r = atom_get(kr, &u);
	free(it);
	return r;
}

static bool mergeable(const struct kf_rules *kr, uint32_t x, uint32_t y)
{
	const struct katom *a = &kr->atoms[x], *b = &kr->atoms[y];

	return a->kind == b->kind && set_kind(a->kind) && !a->neg && !b->neg;
}

/* which atoms to keep when a clause has too many: the most selective first */
static int atom_rank(const struct katom *a)
{
	switch (a->kind) {
	case FRC_KFA_NAME_PFX: case FRC_KFA_RAW_PFX: return 0;
	case FRC_KFA_NAME_SFX: case FRC_KFA_RAW_SFX: return 1;
	case FRC_KFA_NAME_SUB: case FRC_KFA_RAW_SUB: return 2;
	case FRC_KFA_COMM: return 3;
	case FRC_KFA_FLAGS: return 4;
	default: return 5;
	}
}

/* ------------------------------------------------------------------ clauses */

static bool cl_has(const struct kcl *c, uint32_t a)
{
	for (uint32_t i = 0; i < c->n; i++)
		if (c->a[i] == a)
			return true;
	return false;
}

static void cl_sort(struct kcl *c)
{
	for (uint32_t i = 1; i < c->n; i++)
		for (uint32_t j = i; j > 0 && c->a[j - 1] > c->a[j]; j--) {
			uint32_t t = c->a[j];
			c->a[j] = c->a[j - 1];
			c->a[j - 1] = t;
		}
}

/* drop the lowest-ranked atoms until @c has at most @max */
static void cl_trim(const struct kf_rules *kr, struct kcl *c, uint32_t max)
{
	while (c->n > max) {
		uint32_t worst = 0;
		for (uint32_t i = 1; i < c->n; i++)
			if (atom_rank(&kr->atoms[c->a[i]]) >= atom_rank(&kr->atoms[c->a[worst]]))
				worst = i;
		c->a[worst] = c->a[--c->n];
	}
	cl_sort(c);
}

/* @x implies @y when every atom of @y is in @x */
static bool cl_implies(const struct kcl *x, const struct kcl *y)
{
	for (uint32_t i = 0; i < y->n; i++)
		if (!cl_has(x, y->a[i]))
			return false;
	return true;
}

/* a clause with an atom and its negation is false */
static bool cl_contradicts(const struct kf_rules *kr, const struct kcl *c)
{
	for (uint32_t i = 0; i < c->n; i++)
		for (uint32_t j = i + 1; j < c->n; j++) {
			const struct katom *a = &kr->atoms[c->a[i]], *b = &kr->atoms[c->a[j]];
			if (a->kind == b->kind && a->neg != b->neg && a->cmp == b->cmp &&
			    a->val == b->val && !set_kind(a->kind) && a->nlen == b->nlen &&
			    !memcmp(a->needle, b->needle, 8))
				return true;
		}
	return false;
}

/* over-approximation of (x or y): common atoms, plus unions of same-kind set atoms */
static struct kcl cl_merge(struct kf_rules *kr, const struct kcl *x, const struct kcl *y)
{
	struct kcl r = { 0 };
	bool used[B_MAXA] = { false };

	for (uint32_t i = 0; i < x->n; i++) {
		uint32_t a = x->a[i];
		int k = -1;
		for (uint32_t j = 0; j < y->n && k < 0; j++)
			if (!used[j] && y->a[j] == a)
				k = (int)j;
		if (k >= 0) {
			used[k] = true;
			r.a[r.n++] = a;
			continue;
		}
		for (uint32_t j = 0; j < y->n && k < 0; j++)
			if (!used[j] && mergeable(kr, a, y->a[j]))
				k = (int)j;
		if (k >= 0) {
			uint32_t u = atom_union(kr, a, y->a[k]);
			used[k] = true;
			if (u != UINT32_MAX && !cl_has(&r, u))
				r.a[r.n++] = u;
		}
	}
	cl_sort(&r);
	return r;
}

/*
 * The number of atoms cl_merge(@x, @y) would keep, without building the unions: the pair
 * search of d_weaken() would otherwise intern a union atom for every pair it looks at
 * (unbounded atoms, each lookup linear: a hang on a long `or` of set tests).
 */
static int cl_merge_size(const struct kf_rules *kr, const struct kcl *x, const struct kcl *y)
{
	bool used[B_MAXA] = { false };
	int n = 0;

	for (uint32_t i = 0; i < x->n; i++) {
		uint32_t a = x->a[i];
		int k = -1;
		for (uint32_t j = 0; j < y->n && k < 0; j++)
			if (!used[j] && y->a[j] == a)
				k = (int)j;
		for (uint32_t j = 0; j < y->n && k < 0; j++)
			if (!used[j] && mergeable(kr, a, y->a[j]) &&
			    kr->atoms[a].nitems + kr->atoms[y->a[j]].nitems <= MAX_UNION_ITEMS)
				k = (int)j;
		if (k >= 0) {
			used[k] = true;
			n++;
		}
	}
	return n;
}

/* ------------------------------------------------------------------ DNFs */

static struct kdnf d_true(void)
{
	return (struct kdnf){ .is_true = true };
}

static struct kdnf d_false(void)
{
	return (struct kdnf){ 0 };
}

static struct kdnf d_atom(struct kf_rules *kr, uint32_t a)
{
	struct kdnf d = { 0 };

	if (a == UINT32_MAX)
		return d_true();	/* out of memory: stay sound */
	d.c = arena_alloc(&kr->ar, sizeof(*d.c));
	if (!d.c) {
		kr->oom = true;
		return d_true();
	}
	d.n = 1;
	d.c[0].n = 1;
	d.c[0].a[0] = a;
	return d;
}

/* removes implied clauses and merges single-atom clauses of one set kind (exact) */
static void d_simplify(struct kf_rules *kr, struct kdnf *d)
{
	kr->work += (uint64_t)d->n * d->n + 1;
	for (uint32_t i = 0; i < d->n; i++) {
		if (d->c[i].n == 0) {
			*d = d_true();
			return;
		}
	}
	for (uint32_t i = 0; i < d->n; i++) {
		if (d->c[i].n != 1)
			continue;
		for (uint32_t j = i + 1; j < d->n; j++) {
			if (d->c[j].n == 1 && mergeable(kr, d->c[i].a[0], d->c[j].a[0])) {
				uint32_t u = atom_union(kr, d->c[i].a[0], d->c[j].a[0]);
				if (u == UINT32_MAX)
					continue;
				d->c[i].a[0] = u;
				d->c[j--] = d->c[--d->n];
			}
		}
	}
	for (uint32_t i = 0; i < d->n; i++) {
		for (uint32_t j = 0; j < d->n;) {
			if (i == j || !cl_implies(&d->c[j], &d->c[i])) {
				j++;
				continue;
			}
			/* c[j] implies c[i]: c[j] is redundant (of two equal ones, one stays) */
			d->c[j] = d->c[--d->n];
			if (i == d->n)
				i = j;
		}
	}
}

/* weakens @d to at most @maxc clauses of at most @maxa atoms */
static void d_weaken(struct kf_rules *kr, struct kdnf *d, uint32_t maxc, uint32_t maxa)
{
	if (d->is_true)
		return;
	for (uint32_t i = 0; i < d->n; i++)
		cl_trim(kr, &d->c[i], maxa);
	d_simplify(kr, d);
	while (!d->is_true && d->n > maxc) {
		uint32_t bi = 0, bj = 1;
		int best = -1;
		kr->work += (uint64_t)d->n * d->n;
		for (uint32_t i = 0; i < d->n; i++)
			for (uint32_t j = i + 1; j < d->n; j++) {
				int m = cl_merge_size(kr, &d->c[i], &d->c[j]);
				if (m > best) {
					best = m;
					bi = i;
					bj = j;
				}
			}
		d->c[bi] = cl_merge(kr, &d->c[bi], &d->c[bj]);
		d->c[bj] = d->c[--d->n];
		d_simplify(kr, d);
	}
}

static struct kdnf d_copy(struct kf_rules *kr, const struct kdnf *x, uint32_t extra)
{
	struct kdnf d = { 0 };

	d.c = arena_alloc(&kr->ar, (x->n + extra + 1) * sizeof(*d.c));
	if (!d.c) {
		kr->oom = true;
		return d_true();
	}
	if (x->n)
		memcpy(d.c, x->c, x->n * sizeof(*d.c));
	d.n = x->n;
	return d;
}

static struct kdnf d_or(struct kf_rules *kr, const struct kdnf *x, const struct kdnf *y)
{
	if (x->is_true || y->is_true)
		return d_true();
	struct kdnf d = d_copy(kr, x, y->n);
	if (d.is_true)
		return d;
	if (y->n)
		memcpy(d.c + d.n, y->c, y->n * sizeof(*d.c));
	d.n += y->n;
	d_simplify(kr, &d);
	if (d.n > B_MAXC)
		d_weaken(kr, &d, B_MAXC, B_MAXA);
	return d;
}

static struct kdnf d_and(struct kf_rules *kr, const struct kdnf *x0, const struct kdnf *y0)
{
	if ((!x0->is_true && !x0->n) || (!y0->is_true && !y0->n))
		return d_false();
	if (x0->is_true)
		return *y0;
	if (y0->is_true)
		return *x0;
	struct kdnf x = d_copy(kr, x0, 0), y = d_copy(kr, y0, 0);
	if (x.is_true || y.is_true)
		return d_true();
	/* keep the product bounded: weaken the larger side first */
	while (x.n * y.n > B_MAXC) {
		struct kdnf *big = x.n >= y.n ? &x : &y;
		const struct kdnf *small = big == &x ? &y : &x;
		uint32_t lim = small->n >= B_MAXC ? 1 : B_MAXC / small->n;
		if (lim < 1)
			lim = 1;
		if (big->n <= lim)
			lim = big->n - 1;
		d_weaken(kr, big, lim ? lim : 1, B_MAXA);
		if (big->is_true)
			return big == &x ? y : x;
	}
	struct kdnf d = { 0 };
	d.c = arena_alloc(&kr->ar, (x.n * y.n + 1) * sizeof(*d.c));
	if (!d.c) {
		kr->oom = true;
		return d_true();
	}
	for (uint32_t i = 0; i < x.n; i++)
		for (uint32_t j = 0; j < y.n; j++) {
			/* both clauses: up to 2 * B_MAXA atoms, trimmed */
			uint32_t tmp[2 * B_MAXA], n = 0;
			for (uint32_t k = 0; k < x.c[i].n; k++)
				tmp[n++] = x.c[i].a[k];
			for (uint32_t k = 0; k < y.c[j].n; k++) {
				bool dup = false;
				for (uint32_t m = 0; m < n; m++)
					dup |= tmp[m] == y.c[j].a[k];
				if (!dup)
					tmp[n++] = y.c[j].a[k];
			}
			while (n > B_MAXA) {
				uint32_t worst = 0;
				for (uint32_t m = 1; m < n; m++)
					if (atom_rank(&kr->atoms[tmp[m]]) >=
					    atom_rank(&kr->atoms[tmp[worst]]))
						worst = m;
				tmp[worst] = tmp[--n];
			}
			struct kcl c = { .n = (uint8_t)n };
			memcpy(c.a, tmp, n * sizeof(*tmp));
			cl_sort(&c);
			if (!cl_contradicts(kr, &c))
				d.c[d.n++] = c;
		}
	d_simplify(kr, &d);
	return d;
}

/* ------------------------------------------------------------------ tests -> atoms */

/* what the kernel knows about event code @code */
struct kcode {
	uint16_t code;
	const struct evt_schema *s;
	int path_p;		/* the path argument of an open, or -1 */
	int flags_p;		/* its open flags, or -1 */
	bool res;		/* param 0 is the return value */
};

static int find_param(const struct evt_schema *s, const char *name, enum evt_ptype t1,
		      enum evt_ptype t2)
{
	for (uint32_t i = 0; s && i < s->nparams; i++)
		if (!strcmp(s->params[i].name, name) &&
		    (s->params[i].type == t1 || s->params[i].type == t2))
			return (int)i;
	return -1;
}

static bool is_open_code(uint16_t c)
{
	return c == PPME_SYSCALL_OPEN_X || c == PPME_SYSCALL_OPENAT_2_X ||
	       c == PPME_SYSCALL_OPENAT2_X || c == PPME_SYSCALL_CREAT_X;
}

static void kcode_init(struct kcode *k, uint16_t code)
{
	memset(k, 0, sizeof(*k));
	k->code = code;
	k->s = code < evtab_ncodes ? evtab_schema(code) : NULL;
	k->path_p = k->flags_p = -1;
	if (is_open_code(code)) {
		k->path_p = find_param(k->s, "name", PT_FSPATH, PT_FSRELPATH);
		if (code != PPME_SYSCALL_CREAT_X)
			k->flags_p = find_param(k->s, "flags", PT_FLAGS32, PT_FLAGS32);
	}
	k->res = k->s && !evtab_is_enter(code) && code != PPME_GENERIC_X && k->s->nparams > 0 &&
		 (k->s->category & EVC_SYSCALL) &&
		 (k->s->params[0].type == PT_ERRNO || k->s->params[0].type == PT_FD ||
		  k->s->params[0].type == PT_PID);
}

struct bstr {
	const uint8_t *b;
	uint32_t len;
};

/* the string constants of @c (a string, a string set, or pmatch patterns) */
static uint32_t const_strs(const struct ir *ir, const struct ir_const *c, struct bstr *out,
			   uint32_t max)
{
	if (c->kind == IRC_STR) {
		if (max < 1)
			return UINT32_MAX;
		out[0].b = c->s;
		out[0].len = c->len;
		return 1;
	}
	if (c->kind != IRC_STRSET && c->kind != IRC_PMATCH)
		return UINT32_MAX;
	if (c->nitems > max)
		return UINT32_MAX;
	for (uint32_t i = 0; i < c->nitems; i++) {
		const struct ir_const *it = &ir->consts[ir->citems[c->items + i]];
		if (it->kind != IRC_STR)
			return UINT32_MAX;
		out[i].b = it->s;
		out[i].len = it->len;
	}
	return c->nitems;
}

/* a prefix (@pfx) or suffix set atom of view @raw over @strs; items too long for the
 * kernel are shortened (a prefix of a prefix is still implied), exact ones become
 * prefixes then */
static struct kdnf path_set(struct kf_rules *kr, bool raw, bool pfx, const struct bstr *strs,
			    uint32_t n, bool exact, const uint8_t *pre, uint32_t prelen,
			    const uint8_t *post, uint32_t postlen)
{
	struct kitem *it = malloc((n ? n : 1) * sizeof(*it));
	uint32_t m = 0;

	if (!it) {
		kr->oom = true;
		return d_true();
	}
	for (uint32_t i = 0; i < n; i++) {
		uint32_t len = prelen + strs[i].len + postlen;
		bool ex = exact;
		if (len == 0) {
			free(it);
			return d_true();	/* startswith "": always */
		}
		if (len + 1 > FRC_KF_PATH_MAX) {	/* NUL included */
			if (!pfx) {
				/* a suffix: keep its last bytes */
				uint8_t *b = arena_alloc(&kr->ar, FRC_KF_PATH_MAX - 1);
				if (!b) {
					free(it);
					kr->oom = true;
					return d_true();
				}
				uint32_t keep = FRC_KF_PATH_MAX - 1, skip = len - keep, o = 0;
				for (uint32_t k = 0; k < len; k++) {
					uint8_t ch = k < prelen ? pre[k] :
						     k < prelen + strs[i].len ? strs[i].b[k - prelen] :
						     post[k - prelen - strs[i].len];
					if (k >= skip)
						b[o++] = ch;
				}
				it[m++] = (struct kitem){ b, (uint16_t)keep, false };
				continue;
			}
			len = FRC_KF_PATH_MAX - 1;
			ex = false;
		}
		uint8_t *b = arena_alloc(&kr->ar, len ? len : 1);
		if (!b) {
			free(it);
			kr->oom = true;
			return d_true();
		}
		for (uint32_t k = 0; k < len; k++)
			b[k] = k < prelen ? pre[k] :
			       k < prelen + strs[i].len ? strs[i].b[k - prelen] :
			       post[k - prelen - strs[i].len];
		it[m++] = (struct kitem){ b, (uint16_t)len, ex && pfx };
	}
	uint8_t kind = pfx ? (raw ? FRC_KFA_RAW_PFX : FRC_KFA_NAME_PFX) :
			     (raw ? FRC_KFA_RAW_SFX : FRC_KFA_NAME_SFX);
	struct kdnf d = m ? d_atom(kr, set_atom(kr, kind, it, m)) : d_false();
	free(it);
	return d;
}

static struct kdnf needle_atom(struct kf_rules *kr, bool raw, const uint8_t *b, uint32_t len)
{
	struct katom a = { .kind = raw ? FRC_KFA_RAW_SUB : FRC_KFA_NAME_SUB };

	if (len == 0)
		return d_true();
	if (memchr(b, 0, len))
		return d_true();
	/* "contains X" implies "contains the first 8 bytes of X" */
	a.nlen = (uint8_t)(len > 8 ? 8 : len);
	memcpy(a.needle, b, a.nlen);
	return d_atom(kr, atom_get(kr, &a));
}

static bool is_wild(uint8_t c)
{
	return c == '*' || c == '?' || c == '[' || c == '\\';
}

/* a path test on an open's path argument */
static struct kdnf path_test(struct kf_rules *kr, const struct ir *ir, const struct ir_node *n,
			     const struct ir_slot *sl)
{
	const struct ir_const *c = &ir->consts[n->b];
	static struct bstr strs[MAX_SET_ITEMS];
	bool raw = sl->field == FLD_FD_NAMERAW;
	uint32_t ns;

	switch (sl->field) {
	case FLD_FD_NAME:
	case FLD_FD_NAMERAW:
		switch (n->op) {
		case OP_EQ:
		case OP_IN:
			ns = const_strs(ir, c, strs, MAX_SET_ITEMS);
			if (ns == UINT32_MAX)
				return d_true();
			return path_set(kr, raw, true, strs, ns, true, NULL, 0, NULL, 0);
		case OP_STARTSWITH:
		case OP_PMATCH:
			ns = const_strs(ir, c, strs, MAX_SET_ITEMS);
			if (ns == UINT32_MAX)
				return d_true();
			return path_set(kr, raw, true, strs, ns, false, NULL, 0, NULL, 0);
		case OP_ENDSWITH:
			ns = const_strs(ir, c, strs, MAX_SET_ITEMS);
			if (ns == UINT32_MAX)
				return d_true();
			return path_set(kr, raw, false, strs, ns, false, NULL, 0, NULL, 0);
		case OP_CONTAINS:
			if (c->kind != IRC_STR)
				return d_true();
			return needle_atom(kr, raw, c->s, c->len);
		case OP_GLOB: {
			if (c->kind != IRC_GLOB || c->icase)
				return d_true();
			/* the literal head and tail of the pattern */
			uint32_t h = 0, t = c->len;
			while (h < c->len && !is_wild(c->s[h]))
				h++;
			if (h == c->len) {	/* no wildcard: equality */
				struct bstr one = { c->s, c->len };
				return path_set(kr, raw, true, &one, 1, true, NULL, 0, NULL, 0);
			}
			while (t > h && !is_wild(c->s[t - 1]))
				t--;
			struct kdnf d = d_true();
			if (h) {
				struct bstr one = { c->s, h };
				d = path_set(kr, raw, true, &one, 1, false, NULL, 0, NULL, 0);
			}
			if (t < c->len && c->s[t - 1] != '\\') {
				struct bstr one = { c->s + t, c->len - t };
				struct kdnf e = path_set(kr, raw, false, &one, 1, false, NULL, 0,
							 NULL, 0);
				d = d_and(kr, &d, &e);
			}
			return d;
		}
		default:
			return d_true();
		}
	case FLD_FD_DIRECTORY:
		/* the directory of a file, or a directory's own name: a prefix either way */
		switch (n->op) {
		case OP_EQ:
		case OP_IN:
		case OP_STARTSWITH:
			ns = const_strs(ir, c, strs, MAX_SET_ITEMS);
			if (ns == UINT32_MAX)
				return d_true();
			return path_set(kr, false, true, strs, ns, false, NULL, 0, NULL, 0);
		default:
			return d_true();
		}
	case FLD_FD_FILENAME:
		switch (n->op) {
		case OP_EQ:
		case OP_IN: {
			static const uint8_t slash = '/';
			ns = const_strs(ir, c, strs, MAX_SET_ITEMS);
			if (ns == UINT32_MAX)
				return d_true();
			return path_set(kr, false, false, strs, ns, false, &slash, 1, NULL, 0);
		}
		case OP_ENDSWITH:
			ns = const_strs(ir, c, strs, MAX_SET_ITEMS);
			if (ns == UINT32_MAX)
				return d_true();
			return path_set(kr, false, false, strs, ns, false, NULL, 0, NULL, 0);
		case OP_CONTAINS:
			if (c->kind != IRC_STR || memchr(c->s, '/', c->len))
				return d_true();
			return needle_atom(kr, false, c->s, c->len);
		default:
			return d_true();
		}
	default:
		return d_true();
	}
}

static bool const_num(const struct ir *ir, uint32_t ci, int64_t *v)
{
	const struct ir_const *c = &ir->consts[ci];

	if (c->kind != IRC_NUM)
		return false;
	*v = (int64_t)c->u;
	return true;
}

static struct kdnf res_atom(struct kf_rules *kr, uint8_t cmp, int64_t v, bool neg)
{
	struct katom a = { .kind = FRC_KFA_RES, .cmp = cmp, .val = v, .neg = neg };

	return d_atom(kr, atom_get(kr, &a));
}

static struct kdnf flags_atom(struct kf_rules *kr, uint32_t mask, bool neg)
{
	struct katom a = { .kind = FRC_KFA_FLAGS, .val = mask, .neg = neg };

	return d_atom(kr, atom_get(kr, &a));
}

/* `evt.arg.flags contains NAME` on an open: user space renders the flags as the names of
 * table entries whose bits are all set, joined by '|'; a NAME without '|' is inside one
 * rendered name, so some bit of an entry whose name contains NAME is set (an entry of value
 * 0, rendered for no flags, defeats this) */
static struct kdnf flags_contains(struct kf_rules *kr, const struct ir *ir,
				  const struct evt_param *fp, const struct ir_node *n)
{
	const struct ir_const *c = &ir->consts[n->b];
	uint32_t mask = 0;

	if (c->kind != IRC_STR || !c->len || memchr(c->s, '|', c->len) ||
	    memchr(c->s, 0, c->len) || fp->type != PT_FLAGS32 || !fp->flags)
		return d_true();
	for (const struct evt_flagname *f = fp->flags; f->name; f++) {
		if (!memmem(f->name, strlen(f->name), c->s, c->len))
			continue;
		if (!f->value)
			return d_true();
		mask |= f->value;
	}
	return mask ? flags_atom(kr, mask, false) : d_false();
}

static const uint8_t cmp_of_op[OP__COUNT] = {
	[OP_EQ] = FRC_KF_EQ, [OP_NE] = FRC_KF_NE, [OP_LT] = FRC_KF_LT, [OP_LE] = FRC_KF_LE,
	[OP_GT] = FRC_KF_GT, [OP_GE] = FRC_KF_GE,
};

/* a test whose result the kernel knows exactly (flags, return value): @pos false
 * negates it. Returns false when the test is not one of those. */
static bool exact_test(struct kf_rules *kr, const struct ir *ir, const struct kcode *k,
		       const struct ir_node *n, const struct ir_slot *sl, bool pos,
		       struct kdnf *out)
{
	int64_t v;
	bool neg = !pos;

	switch (sl->field) {
	case FLD_EVT_IS_OPEN_READ:
	case FLD_EVT_IS_OPEN_WRITE: {
		if (k->flags_p < 0 || (n->op != OP_EQ && n->op != OP_NE))
			return false;
		if (!const_num(ir, n->b, &v) || (v != 0 && v != 1))
			return false;
		bool want = (v == 1) == (n->op == OP_EQ);
		*out = flags_atom(kr, sl->field == FLD_EVT_IS_OPEN_READ ? PPM_O_RDONLY :
					      PPM_O_WRONLY, want ? neg : !neg);
		return true;
	}
	case FLD_EVT_FAILED:
		if (!k->res || (n->op != OP_EQ && n->op != OP_NE))
			return false;
		if (!const_num(ir, n->b, &v) || (v != 0 && v != 1))
			return false;
		*out = res_atom(kr, ((v == 1) == (n->op == OP_EQ)) ? FRC_KF_LT : FRC_KF_GE, 0, neg);
		return true;
	case FLD_EVT_RAWRES:
		if (!k->res)
			return false;
		if (n->op == OP_IN) {
			const struct ir_const *c = &ir->consts[n->b];
			if (c->kind != IRC_NUMSET)
				return false;
			struct kdnf d = d_false();
			for (uint32_t i = 0; i < c->nitems; i++) {
				int64_t x = (int64_t)ir->consts[ir->citems[c->items + i]].u;
				struct kdnf e = res_atom(kr, FRC_KF_EQ, x, false);
				d = d_or(kr, &d, &e);
			}
			if (!neg) {
				*out = d;
				return true;
			}
			/* not in (...): all of the inequalities */
			struct kdnf r = d_true();
			for (uint32_t i = 0; i < c->nitems; i++) {
				int64_t x = (int64_t)ir->consts[ir->citems[c->items + i]].u;
				struct kdnf e = res_atom(kr, FRC_KF_NE, x, false);
				r = d_and(kr, &r, &e);
			}
			*out = r;
			return true;
		}
		if (n->op > OP_GE || !const_num(ir, n->b, &v))
			return false;
		*out = res_atom(kr, cmp_of_op[n->op], v, neg);
		return true;
	case FLD_EVT_RES: {
		const struct ir_const *c = &ir->consts[n->b];
		if (!k->res || c->kind != IRC_STR)
			return false;
		bool success = c->len == 7 && !memcmp(c->s, "SUCCESS", 7);
		if ((n->op == OP_EQ || n->op == OP_NE) && success) {
			bool eq = n->op == OP_EQ;
			*out = res_atom(kr, eq ? FRC_KF_GE : FRC_KF_LT, 0, neg);
			return true;
		}
		/* startswith "E": every errno name; implies a failure (positive only) */
		if (n->op == OP_STARTSWITH && c->len >= 1 && c->s[0] == 'E' && pos) {
			*out = res_atom(kr, FRC_KF_LT, 0, false);
			return true;
		}
		return false;
	}
	default:
		return false;
	}
}

static struct kdnf comm_test(struct kf_rules *kr, const struct ir *ir, const struct ir_node *n)
{
	static struct bstr strs[MAX_SET_ITEMS];
	const struct ir_const *c = &ir->consts[n->b];

	if (n->op != OP_EQ && n->op != OP_IN)
		return d_true();
	uint32_t ns = const_strs(ir, c, strs, MAX_SET_ITEMS);
	if (ns == UINT32_MAX)
		return d_true();
	struct kitem *it = malloc((ns ? ns : 1) * sizeof(*it));
	uint32_t m = 0;
	if (!it) {
		kr->oom = true;
		return d_true();
	}
	for (uint32_t i = 0; i < ns; i++) {
		/* "<NA>" is what user space has for threads it does not know yet */
		if (!strs[i].len || strs[i].b[0] == '<' || memchr(strs[i].b, 0, strs[i].len)) {
			free(it);
			return d_true();
		}
		/* a comm has at most 15 bytes: a longer name never equals one */
		if (strs[i].len > 15)
			continue;
		it[m++] = (struct kitem){ strs[i].b, (uint16_t)strs[i].len, true };
	}
	struct kdnf d = m ? d_atom(kr, set_atom(kr, FRC_KFA_COMM, it, m)) : d_false();
	free(it);
	return d;
}

/* a test on the event type, decided by the code (NULL if not decidable) */
static int evttype_test(const struct ir *ir, const struct kcode *k, const struct ir_node *n,
			const struct ir_slot *sl)
{
	static struct bstr strs[MAX_SET_ITEMS];
	const char *name;

	if (!k->s || k->code == PPME_GENERIC_X || k->code == PPME_GENERIC_E)
		return -1;
	if (sl->field == FLD_EVT_TYPE)
		name = k->s->name;
	else if (sl->field == FLD_EVT_DIR)
		name = evtab_is_enter(k->code) ? ">" : "<";
	else
		return -1;
	if (n->op != OP_EQ && n->op != OP_NE && n->op != OP_IN)
		return -1;
	uint32_t ns = const_strs(ir, &ir->consts[n->b], strs, MAX_SET_ITEMS);
	if (ns == UINT32_MAX)
		return -1;
	bool hit = false;
	for (uint32_t i = 0; i < ns; i++)
		hit |= strs[i].len == strlen(name) && !memcmp(strs[i].b, name, strs[i].len);
	return n->op == OP_NE ? !hit : hit;
}

static struct kdnf test_dnf(struct kf_rules *kr, const struct ir *ir, const struct kcode *k,
			    const struct ir_node *n, bool pos)
{
	const struct ir_node *lhs = &ir->nodes[n->a];
	struct kdnf d;
	int64_t v;

	if (n->rhs_val || lhs->kind != IR_VFIELD || n->quant != 0 /* FRC_Q_ALL */)
		return d_true();
	const struct ir_slot *sl = &ir->slots[lhs->a];
	int t = evttype_test(ir, k, n, sl);
	if (t >= 0)
		return (t != 0) == pos ? d_true() : d_false();
	if (exact_test(kr, ir, k, n, sl, pos, &d))
		return d;
	/* `not f != c` is `f = c` where f is always present when the kernel knows the path
	 * (fd.name, fd.nameraw, fd.directory of an open); fd.filename is absent for
	 * directories and failed opens, proc.name for unknown threads: not those */
	if (!pos && n->op == OP_NE && k->path_p >= 0 &&
	    (sl->field == FLD_FD_NAME || sl->field == FLD_FD_NAMERAW ||
	     sl->field == FLD_FD_DIRECTORY)) {
		struct ir_node eq = *n;
		eq.op = OP_EQ;
		return path_test(kr, ir, &eq, sl);
	}
	/* what remains is only sound positively */
	if (!pos)
		return d_true();
	/* fd.num of an open is its result when the open succeeded (and user space added the
	 * fd), -1 otherwise: a test false for -1 implies "res OP c" */
	if (sl->field == FLD_FD_NUM && k->path_p >= 0 && k->res && n->op <= OP_GE &&
	    const_num(ir, n->b, &v)) {
		bool m1;
		switch (n->op) {
		case OP_EQ: m1 = -1 == v; break;
		case OP_NE: m1 = -1 != v; break;
		case OP_LT: m1 = -1 < v; break;
		case OP_LE: m1 = -1 <= v; break;
		case OP_GT: m1 = -1 > v; break;
		default: m1 = -1 >= v; break;
		}
		return m1 ? d_true() : res_atom(kr, cmp_of_op[n->op], v, false);
	}
	if (sl->field == FLD_EVT_ARG && k->flags_p >= 0 && n->op == OP_CONTAINS) {
		const struct evt_param *fp = &k->s->params[k->flags_p];
		bool named = sl->arg && sl->arg_len == strlen(fp->name) &&
			     !memcmp(sl->arg, fp->name, sl->arg_len);
		if (named || (!sl->arg && sl->arg_index == k->flags_p))
			return flags_contains(kr, ir, fp, n);
	}
	/* "!=" and "not in" are never atoms */
	if (sl->field == FLD_PROC_NAME)
		return comm_test(kr, ir, n);
	if (k->path_p >= 0 && (sl->field == FLD_FD_NAME || sl->field == FLD_FD_NAMERAW ||
			       sl->field == FLD_FD_DIRECTORY || sl->field == FLD_FD_FILENAME))
		return path_test(kr, ir, n, sl);
	return d_true();
}

/*
 * Work budgets, in clause pairs compared (struct kf_rules.work): the builder walks each
 * rule once per event code of its group, and each step of a wide `or` compares up to
 * B_MAXC^2 pairs of clauses. The three upstream rule files take ~2,600 in all, an `or` of
 * 500 terms ~8.6 million; macros allow millions of nodes (minutes and gigabytes without a
 * bound). A rule past its own budget, and every rule once the build is past
 * the total one, is "true" for the kernel from there on: it sees all events of its types,
 * as without a filter (sound and deterministic).
 */
#define KF_RULE_WORK 5000000u
#define KF_MAX_WORK 20000000u

struct walk {
	struct kf_rules *kr;
	const struct ir *ir;
	const struct kcode *k;
	struct kdnf *memo;	/* [2 * node + pos] */
	uint8_t *done;
	uint32_t depth;
	uint64_t rule_end;	/* kf_rules.work at which the rule being walked is cut */
};

static struct kdnf walk(struct walk *w, uint32_t id, bool pos)
{
	const struct ir_node *n = &w->ir->nodes[id];
	uint32_t mi = 2 * id + pos;
	struct kdnf d;

	if (w->done[mi])
		return w->memo[mi];
	if (w->kr->work >= w->rule_end)
		return d_true();	/* out of budget: no kernel filtering (sound) */
	if (++w->depth > IR_MAX_DEPTH + 16) {
		w->depth--;
		return d_true();
	}
	switch (n->kind) {
	case IR_TRUE:
		d = pos ? d_true() : d_false();
		break;
	case IR_FALSE:
		d = pos ? d_false() : d_true();
		break;
	case IR_NOT:
		d = walk(w, n->a, !pos);
		break;
	case IR_AND:
	case IR_OR: {
		/* and under pos (or under neg): conjunction of the children */
		bool conj = (n->kind == IR_AND) == pos;
		const uint32_t *kids = ir_kids(w->ir, id);
		d = conj ? d_true() : d_false();
		for (uint32_t i = 0; i < n->nkids; i++) {
			struct kdnf e = walk(w, kids[i], pos);
			d = conj ? d_and(w->kr, &d, &e) : d_or(w->kr, &d, &e);
			if (conj ? (!d.is_true && !d.n) : d.is_true)
				break;
		}
		break;
	}
	case IR_TEST:
		d = test_dnf(w->kr, w->ir, w->k, n, pos);
		break;
	default:
		d = d_true();
		break;
	}
	w->depth--;
	w->memo[mi] = d;
	w->done[mi] = 1;
	return d;
}

/* ------------------------------------------------------------------ build */

static bool output_reads_table(const char *s)
{
	return s && (strstr(s, "fd.types") || strstr(s, "proc.fdopencount") ||
		     strstr(s, "proc.fdusage"));
}

static bool rule_reads_table(const struct ir *ir, uint32_t r)
{
	const struct frc_rule *src = ir->rules[r].src;

	if (output_reads_table(src->output))
		return true;
	for (uint32_t i = 0; i < src->nextra_fields; i++)
		if (output_reads_table(src->extra_fields[i].format))
			return true;
	return false;
}

/* slots read by the whole table: any rule using one of these turns shadowing off */
static bool slot_reads_table(const struct ir_slot *s)
{
	return (s->field == FLD_FD_TYPES && s->arg_index < 0 && !s->arg) ||
	       s->field == FLD_PROC_FDOPENCOUNT;
}

static void mark_table_rules(struct kf_rules *kr, const struct ir *ir)
{
	bool any_slot = false;

	for (uint32_t i = 0; i < ir->nslots; i++)
		any_slot |= slot_reads_table(&ir->slots[i]);
	for (uint32_t r = 0; r < ir->nrules; r++) {
		kr->rule_table[r] = rule_reads_table(ir, r);
		/* conditions: conservative (any rule, if some slot reads a whole table) */
		if (any_slot)
			kr->rule_table[r] = 1;
	}
}

struct kf_rules *kf_build(const struct ir *ir)
{
	struct kf_rules *kr = calloc(1, sizeof(*kr));
	struct walk w = { 0 };

	if (!kr)
		return NULL;
	arena_init(&kr->ar);
	kr->nrules = ir->nrules;
	kr->rule_enabled = arena_alloc(&kr->ar, ir->nrules + 1);
	kr->rule_table = arena_alloc(&kr->ar, ir->nrules + 1);
	w.memo = malloc(2 * (size_t)(ir->nnodes + 1) * sizeof(*w.memo));
	w.done = malloc(2 * (size_t)(ir->nnodes + 1));
	uint64_t *rule_left = arena_alloc(&kr->ar, (ir->nrules + 1) * sizeof(*rule_left));
	if (!kr->rule_enabled || !kr->rule_table || !w.memo || !w.done || !rule_left)
		goto oom;
	for (uint32_t r = 0; r < ir->nrules; r++) {
		kr->rule_enabled[r] = ir->rules[r].src->enabled;
		rule_left[r] = KF_RULE_WORK;
	}
	mark_table_rules(kr, ir);
	w.kr = kr;
	w.ir = ir;
	for (uint32_t code = 0; code < FRC_KF_NCODES && code < evtab_ncodes; code++) {
		/* the probe emits exit events (and the process exit event) only */
		if (evtab_is_enter((uint16_t)code) && code != PPME_PROCEXIT_1_E)
			continue;
		uint32_t g = ir->code_group[code];
		if (!g)
			continue;
		const struct ir_group *gr = &ir->groups[g - 1];
		struct kcode k;
		kcode_init(&k, (uint16_t)code);
		w.k = &k;
		memset(w.done, 0, 2 * (size_t)(ir->nnodes + 1));
		struct kf_code *kc = &kr->codes[code];
		kc->rc = arena_alloc(&kr->ar, (gr->n + 1) * sizeof(*kc->rc));
		if (!kc->rc)
			goto oom;
		for (uint32_t i = 0; i < gr->n; i++) {
			uint64_t *left = &rule_left[gr->rules[i]], start = kr->work;
			w.rule_end = start + *left < KF_MAX_WORK ? start + *left : KF_MAX_WORK;
			struct kdnf d = walk(&w, gr->roots[i], true);
			*left -= kr->work - start < *left ? kr->work - start : *left;
			d_weaken(kr, &d, B_MAXC, B_MAXA);
			kc->rc[kc->n].rule = gr->rules[i];
			kc->rc[kc->n++].d = d;
		}
		if (kr->oom)
			goto oom;
	}
	free(w.memo);
	free(w.done);
	return kr;
oom:
	free(w.memo);
	free(w.done);
	kf_rules_free(kr);
	return NULL;
}

void kf_rules_free(struct kf_rules *kr)
{
	if (!kr)
		return;
	free(kr->atoms);
	free(kr->atom_ix);
	free(kr->union_key);
	free(kr->union_val);
	arena_free_all(&kr->ar);
	free(kr);
}

/* ------------------------------------------------------------------ state classes */

/* exit events that change the state tables (the cases of state.c's process_evt, plus the
 * container parser's): never dropped unless handled by their class */
static bool modifies_state(uint16_t c)
{
	switch (c) {
	case PPME_PROCEXIT_1_E: case PPME_SOCKET_ACCEPT4_6_X: case PPME_SOCKET_ACCEPT_5_X:
	case PPME_SOCKET_BIND_X: case PPME_SOCKET_CONNECT_X: case PPME_SOCKET_RECVFROM_X:
	case PPME_SOCKET_RECVMMSG_X: case PPME_SOCKET_RECVMSG_X: case PPME_SOCKET_RECV_X:
	case PPME_SOCKET_SENDMMSG_X: case PPME_SOCKET_SENDMSG_X: case PPME_SOCKET_SENDTO_X:
	case PPME_SOCKET_SEND_X: case PPME_SOCKET_SOCKETPAIR_X: case PPME_SOCKET_SOCKET_X:
	case PPME_SYSCALL_BPF_2_X: case PPME_SYSCALL_BRK_4_X: case PPME_SYSCALL_CAPSET_X:
	case PPME_SYSCALL_CHDIR_X: case PPME_SYSCALL_CHROOT_X: case PPME_SYSCALL_CLONE3_X:
	case PPME_SYSCALL_CLONE_20_X: case PPME_SYSCALL_CLOSE_RANGE_X: case PPME_SYSCALL_CLOSE_X:
	case PPME_SYSCALL_CREAT_X: case PPME_SYSCALL_DUP2_X: case PPME_SYSCALL_DUP3_X:
	case PPME_SYSCALL_DUP_1_X: case PPME_SYSCALL_EPOLL_CREATE1_X:
	case PPME_SYSCALL_EPOLL_CREATE_X: case PPME_SYSCALL_EVENTFD2_X:
	case PPME_SYSCALL_EVENTFD_X: case PPME_SYSCALL_EXECVEAT_X: case PPME_SYSCALL_EXECVE_19_X:
	case PPME_SYSCALL_FCHDIR_X: case PPME_SYSCALL_FCNTL_X: case PPME_SYSCALL_FORK_20_X:
	case PPME_SYSCALL_GETCWD_X: case PPME_SYSCALL_GETRLIMIT_X:
	case PPME_SYSCALL_INOTIFY_INIT1_X: case PPME_SYSCALL_INOTIFY_INIT_X:
	case PPME_SYSCALL_IO_URING_SETUP_X: case PPME_SYSCALL_MEMFD_CREATE_X:
	case PPME_SYSCALL_MMAP2_X: case PPME_SYSCALL_MMAP_X: case PPME_SYSCALL_MUNMAP_X:
	case PPME_SYSCALL_OPENAT2_X: case PPME_SYSCALL_OPENAT_2_X:
	case PPME_SYSCALL_OPEN_BY_HANDLE_AT_X: case PPME_SYSCALL_OPEN_X:
	case PPME_SYSCALL_PIDFD_GETFD_X: case PPME_SYSCALL_PIDFD_OPEN_X: case PPME_SYSCALL_PIPE2_X:
	case PPME_SYSCALL_PIPE_X: case PPME_SYSCALL_PRCTL_X: case PPME_SYSCALL_PREADV_X:
	case PPME_SYSCALL_PREAD_X: case PPME_SYSCALL_PRLIMIT_X: case PPME_SYSCALL_PWRITEV_X:
	case PPME_SYSCALL_PWRITE_X: case PPME_SYSCALL_READV_X: case PPME_SYSCALL_READ_X:
	case PPME_SYSCALL_SETGID_X: case PPME_SYSCALL_SETNS_X: case PPME_SYSCALL_SETREGID_X:
	case PPME_SYSCALL_SETRESGID_X: case PPME_SYSCALL_SETRESUID_X: case PPME_SYSCALL_SETREUID_X:
	case PPME_SYSCALL_SETRLIMIT_X: case PPME_SYSCALL_SETSID_X: case PPME_SYSCALL_SETUID_X:
	case PPME_SYSCALL_SIGNALFD4_X: case PPME_SYSCALL_SIGNALFD_X:
	case PPME_SYSCALL_TIMERFD_CREATE_X: case PPME_SYSCALL_UNSHARE_X:
	case PPME_SYSCALL_USERFAULTFD_X: case PPME_SYSCALL_VFORK_20_X: case PPME_SYSCALL_WRITEV_X:
	case PPME_SYSCALL_WRITE_X: case PPME_SYSCALL_SETPGID_X:
		return true;
	default:
		return false;
	}
}

/* events that feed the state tables only for some values of one param (state.c):
 * fcntl only duplicates fds (F_DUPFD, F_DUPFD_CLOEXEC) or sets close-on-exec (F_SETFD);
 * the rlimit calls only record RLIMIT_NOFILE */
static bool cond_state(uint16_t code, struct frc_kf_prog *p)
{
	switch (code) {
	case PPME_SYSCALL_FCNTL_X:
		p->state_p = 2;
		p->state_mask = (1ull << PPM_FCNTL_F_DUPFD) | (1ull << PPM_FCNTL_F_SETFD) |
				(1ull << PPM_FCNTL_F_DUPFD_CLOEXEC);
		return true;
	case PPME_SYSCALL_PRLIMIT_X:
		p->state_p = 6;
		p->state_mask = 1ull << PPM_RLIMIT_NOFILE;
		return true;
	case PPME_SYSCALL_GETRLIMIT_X:
	case PPME_SYSCALL_SETRLIMIT_X:
		p->state_p = 3;
		p->state_mask = 1ull << PPM_RLIMIT_NOFILE;
		return true;
	default:
		return false;
	}
}

void kf_code_params(uint16_t code, struct frc_kf_prog *p)
{
	const struct evt_schema *s = code < evtab_ncodes ? evtab_schema(code) : NULL;
	struct kcode k;
	uint32_t nu = 0, nn = 0;

	memset(p, 0, offsetof(struct frc_kf_prog, c));
	p->path_p = p->flags_p = p->res_p = FRC_KF_NOPARAM;
	memset(p->used_fd, FRC_KF_NOPARAM, sizeof(p->used_fd));
	memset(p->new_fd, FRC_KF_NOPARAM, sizeof(p->new_fd));
	p->state = FRC_KF_ST_KEEP;
	p->state_p = FRC_KF_NOPARAM;
	if (!s || (evtab_is_enter(code) && code != PPME_PROCEXIT_1_E))
		return;
	kcode_init(&k, code);
	if (k.path_p >= 0)
		p->path_p = (uint8_t)k.path_p;
	if (k.flags_p >= 0)
		p->flags_p = (uint8_t)k.flags_p;
	if (k.res)
		p->res_p = 0;
	p->raw_rel = code == PPME_SYSCALL_OPENAT_2_X || code == PPME_SYSCALL_OPENAT2_X;
	for (uint32_t i = 0; i < s->nparams; i++) {
		const struct evt_param *pa = &s->params[i];
		if (pa->type != PT_FD && pa->type != PT_FD32)
			continue;
		bool created = (s->flags & EVF_CREATES_FD) &&
			       (i == 0 || !strcmp(pa->name, "fd1") || !strcmp(pa->name, "fd2"));
		if (created && nn < 3)
			p->new_fd[nn++] = (uint8_t)i;
		else if (!created && nu < 3)
			p->used_fd[nu++] = (uint8_t)i;
	}
	if (is_open_code(code) && k.path_p >= 0)
		p->state = FRC_KF_ST_OPEN;
	else if (code == PPME_SYSCALL_CLOSE_X)
		p->state = FRC_KF_ST_CLOSE;
	else if (code == PPME_SYSCALL_CLONE_20_X || code == PPME_SYSCALL_FORK_20_X ||
		 code == PPME_SYSCALL_VFORK_20_X || code == PPME_SYSCALL_CLONE3_X)
		p->state = FRC_KF_ST_CLONE;
	else if (cond_state(code, p))
		p->state = FRC_KF_ST_COND;
	else if (!modifies_state(code) &&
		 !(s->flags & (EVF_CREATES_FD | EVF_DESTROYS_FD | EVF_MODIFIES_STATE)))
		p->state = FRC_KF_ST_NONE;
}

/* ------------------------------------------------------------------ link */

struct setmap {
	uint32_t atom;
	uint32_t set;
};

static void put_atom(struct kf_rules *kr, struct kf_image *img, struct setmap **sm,
		     uint32_t *nsm, uint32_t ai, struct frc_kf_atom *out, bool *ok)
{
	const struct katom *a = &kr->atoms[ai];

	memset(out, 0, sizeof(*out));
	out->kind = a->kind;
	out->neg = a->neg;
	out->cmp = a->cmp;
	out->val = a->val;
	if (a->kind == FRC_KFA_NAME_SUB || a->kind == FRC_KFA_RAW_SUB) {
		uint32_t i;
		for (i = 0; i < img->needles.n; i++)
			if (img->needle_len[i] == a->nlen &&
			    !memcmp(img->needle_bytes[i], a->needle, a->nlen))
				break;
		if (i == img->needles.n) {
			if (i == FRC_KF_NEEDLES) {
				*ok = false;	/* no room: the atom is dropped (true) */
				return;
			}
			img->needles.n++;
			img->needles.len[i] = a->nlen;
			memcpy(img->needle_bytes[i], a->needle, a->nlen);
			img->needle_len[i] = a->nlen;
			uint64_t v = 0, m = 0;
			for (uint32_t k = 0; k < a->nlen; k++) {
				v = (v << 8) | a->needle[k];
				m = (m << 8) | 0xff;
			}
			img->needles.val[i] = v;
			img->needles.mask[i] = m;
		}
		out->arg = i;
		return;
	}
	if (!set_kind(a->kind))
		return;
	for (uint32_t i = 0; i < *nsm; i++)
		if ((*sm)[i].atom == ai) {
			out->arg = (*sm)[i].set;
			return;
		}
	uint32_t set = img->nsets++;
	struct setmap *ns = realloc(*sm, (*nsm + 1) * sizeof(**sm));
	struct kf_item *ni = realloc(img->items, (img->nitems + a->nitems) * sizeof(*ni));
	if (ns)
		*sm = ns;
	if (ni)
		img->items = ni;
	if (!ns || !ni) {
		kr->oom = true;
		*ok = false;
		return;
	}
	(*sm)[(*nsm)++] = (struct setmap){ ai, set };
	for (uint32_t i = 0; i < a->nitems; i++) {
		struct kf_item *it = &img->items[img->nitems++];
		memset(it, 0, sizeof(*it));
		it->set = set;
		it->kind = a->kind == FRC_KFA_COMM ? FRC_KFA_COMM :
			   (a->kind == FRC_KFA_NAME_PFX || a->kind == FRC_KFA_RAW_PFX) ?
				   FRC_KFA_NAME_PFX : FRC_KFA_NAME_SFX;
		it->exact = a->items[i].exact;
		it->len = a->items[i].len;
		memcpy(it->bytes, a->items[i].b, it->len);
	}
	out->arg = set;
}

/* relative cost of an atom in the probe: integer tests, then the comm, then the path */
static int kernel_cost(const struct frc_kf_atom *a)
{
	switch (a->kind) {
	case FRC_KFA_RES: return 0;
	case FRC_KFA_FLAGS: return 1;
	case FRC_KFA_COMM: return 2;
	case FRC_KFA_NAME_SUB: case FRC_KFA_RAW_SUB: return 3;
	default: return 4;
	}
}

static uint8_t scan_of(uint8_t kind)
{
	const uint8_t name = FRC_KF_SCAN_PATH | FRC_KF_SCAN_NAME;

	switch (kind) {
	case FRC_KFA_NAME_PFX: return name;
	case FRC_KFA_NAME_SFX: return name | FRC_KF_SCAN_SFX;
	case FRC_KFA_NAME_SUB: return name | FRC_KF_SCAN_SUB;
	case FRC_KFA_RAW_PFX: return FRC_KF_SCAN_PATH;
	case FRC_KFA_RAW_SFX: return FRC_KF_SCAN_PATH | FRC_KF_SCAN_SFX;
	case FRC_KFA_RAW_SUB: return FRC_KF_SCAN_PATH | FRC_KF_SCAN_SUB;
	default: return 0;
	}
}

struct kf_image *kf_link(const struct kf_rules *kr0, const uint8_t *enabled)
{
	struct kf_rules *kr = (struct kf_rules *)kr0;	/* interns new atoms when merging */
	struct kf_image *img = calloc(1, sizeof(*img));
	struct setmap *sm = NULL;
	uint32_t nsm = 0;

	if (!img)
		return NULL;
	img->shadow = true;
	for (uint32_t r = 0; r < kr->nrules; r++) {
		bool on = enabled ? enabled[r] : kr->rule_enabled[r];
		if (!on)
			continue;
		img->nrules++;
		if (kr->rule_table[r])
			img->shadow = false;
	}
	for (uint32_t code = 0; code < FRC_KF_NCODES; code++) {
		struct frc_kf_prog *p = &img->progs[code];
		kf_code_params((uint16_t)code, p);
		p->shadow = img->shadow;
		p->mode = FRC_KF_PASS;
		const struct kf_code *kc = &kr->codes[code];
		for (uint32_t i = 0; i < kc->n; i++)
			img->ruled[code] |= enabled ? enabled[kc->rc[i].rule] :
						      kr->rule_enabled[kc->rc[i].rule];
		if (p->state == FRC_KF_ST_KEEP)
			continue;
		/* OR of the enabled rules of this code (none: no rule can match it) */
		struct kdnf d = d_false();
		for (uint32_t i = 0; i < kc->n && !d.is_true; i++) {
			uint32_t r = kc->rc[i].rule;
			if (enabled ? !enabled[r] : !kr->rule_enabled[r])
				continue;
			d = d_or(kr, &d, &kc->rc[i].d);
		}
		d_weaken(kr, &d, FRC_KF_CLAUSES, FRC_KF_ATOMS);
		if (kr->oom)
			goto oom;
		if (d.is_true)
			continue;	/* pass: some rule may match anything */
		if (p->state == FRC_KF_ST_CLONE)
			continue;	/* never dropped; the probe handles inheritance */
		p->mode = FRC_KF_EVAL;
		for (uint32_t i = 0; i < d.n; i++) {
			struct frc_kf_clause *c = &p->c[p->nclauses];
			bool ok = true;
			c->n = 0;
			for (uint32_t j = 0; j < d.c[i].n; j++) {
				bool aok = true;
				put_atom(kr, img, &sm, &nsm, d.c[i].a[j], &c->a[c->n], &aok);
				if (aok)
					c->n++;
				ok &= !kr->oom;
			}
			if (!ok)
				goto oom;
			if (c->n == 0) {	/* an atom was dropped: the clause is true */
				p->mode = FRC_KF_PASS;
				p->nclauses = 0;
				p->scan = 0;
				break;
			}
			/* the kernel stops at the first false atom: cheap ones first */
			for (uint32_t x = 1; x < c->n; x++)
				for (uint32_t y = x; y > 0 && kernel_cost(&c->a[y - 1]) >
							       kernel_cost(&c->a[y]); y--) {
					struct frc_kf_atom t = c->a[y];
					c->a[y] = c->a[y - 1];
					c->a[y - 1] = t;
				}
			for (uint32_t x = 0; x < c->n; x++)
				p->scan |= scan_of(c->a[x].kind);
			p->nclauses++;
		}
	}
	/* clone events: evaluated for inheritance only, never dropped */
	free(sm);
	return img;
oom:
	free(sm);
	kf_image_free(img);
	return NULL;
}

void kf_image_free(struct kf_image *img)
{
	if (!img)
		return;
	free(img->items);
	free(img);
}

/* ------------------------------------------------------------------ text */

static const char *const kind_name[FRC_KFA__COUNT] = {
	[FRC_KFA_NAME_PFX] = "fd.name prefix", [FRC_KFA_NAME_SFX] = "fd.name suffix",
	[FRC_KFA_NAME_SUB] = "fd.name contains", [FRC_KFA_RAW_PFX] = "fd.nameraw prefix",
	[FRC_KFA_RAW_SFX] = "fd.nameraw suffix", [FRC_KFA_RAW_SUB] = "fd.nameraw contains",
	[FRC_KFA_FLAGS] = "flags &", [FRC_KFA_RES] = "res", [FRC_KFA_COMM] = "comm in",
};

static const char *const cmp_name[] = { "=", "!=", "<", "<=", ">", ">=" };

static const char *const state_name[] = {
	[FRC_KF_ST_KEEP] = "state", [FRC_KF_ST_NONE] = "none", [FRC_KF_ST_OPEN] = "open",
	[FRC_KF_ST_CLOSE] = "close", [FRC_KF_ST_CLONE] = "clone",
	[FRC_KF_ST_COND] = "state for some values of one param",
};

static void put_bytes(struct cw *w, const uint8_t *b, size_t n)
{
	char *esc = malloc(4 * n + 1);

	if (!esc) {
		w->oom = true;
		return;
	}
	cstr_escape(esc, b, n);
	cw_put(w, "\"%s\"", esc);
	free(esc);
}

char *kf_image_text(const struct kf_image *img, size_t *len)
{
	struct cw w;
	uint32_t nother = 0;

	cw_init(&w);
	cw_line(&w, "# Kernel filter: per event code, the probe drops an event when every clause");
	cw_line(&w, "# is false (an atom the kernel cannot decide counts as true). Classes: open =");
	cw_line(&w, "# dropped with its fd shadowed (replayed before a use), close = dropped when");
	cw_line(&w, "# its fd is shadowed, none = no state effect, state = never dropped.");
	cw_line(&w, "enabled rules: %" PRIu32, img->nrules);
	cw_line(&w, "shadowing: %s", img->shadow ? "on" : "off (a rule reads a whole fd table)");
	for (uint32_t code = 0; code < FRC_KF_NCODES; code++) {
		const struct frc_kf_prog *p = &img->progs[code];
		if (p->mode != FRC_KF_EVAL) {
			const struct evt_schema *s = code < evtab_ncodes ?
				evtab_schema((uint16_t)code) : NULL;
			if (img->ruled[code])
				cw_line(&w, "code %" PRIu32 " %s (%s): kept (%s)", code,
					s && s->name ? s->name : "?", state_name[p->state],
					p->state == FRC_KF_ST_KEEP || p->state == FRC_KF_ST_CLONE ?
						"feeds the state tables" :
						"a rule needs what the kernel cannot see");
			continue;
		}
		if (!img->ruled[code] && p->state == FRC_KF_ST_NONE) {
			nother++;
			continue;
		}
		const struct evt_schema *s = code < evtab_ncodes ? evtab_schema((uint16_t)code) : NULL;
		cw_put(&w, "code %" PRIu32 " %s (%s):", code, s && s->name ? s->name : "?",
		       state_name[p->state]);
		if (!p->nclauses)
			cw_put(&w, " %s", p->state == FRC_KF_ST_CLOSE ? "dropped when the fd is shadowed" :
					  "no rule can match: dropped");
		if (p->state == FRC_KF_ST_COND && s && p->state_p < s->nparams) {
			cw_put(&w, " (kept when %s is", s->params[p->state_p].name);
			for (uint32_t v = 0; v < 64; v++)
				if ((p->state_mask >> v) & 1)
					cw_put(&w, " %" PRIu32, v);
			cw_put(&w, ")");
		}
		cw_put(&w, "\n");
		for (uint32_t i = 0; i < p->nclauses; i++) {
			const struct frc_kf_clause *c = &p->c[i];
			cw_put(&w, "\t%s", i ? "or " : "   ");
			for (uint32_t j = 0; j < c->n; j++) {
				const struct frc_kf_atom *a = &c->a[j];
				if (j)
					cw_put(&w, " and ");
				if (a->neg)
					cw_put(&w, "not ");
				switch (a->kind) {
				case FRC_KFA_FLAGS:
					cw_put(&w, "(flags & 0x%" PRIx64 ")", (uint64_t)a->val);
					break;
				case FRC_KFA_RES:
					cw_put(&w, "res %s %" PRId64, cmp_name[a->cmp % 6], (int64_t)a->val);
					break;
				case FRC_KFA_NAME_SUB:
				case FRC_KFA_RAW_SUB:
					cw_put(&w, "%s ", kind_name[a->kind]);
					put_bytes(&w, img->needle_bytes[a->arg % FRC_KF_NEEDLES],
						  img->needle_len[a->arg % FRC_KF_NEEDLES]);
					break;
				default:
					cw_put(&w, "%s set%" PRIu32, kind_name[a->kind % FRC_KFA__COUNT],
					       a->arg);
					break;
				}
			}
			cw_put(&w, "\n");
		}
	}
	cw_line(&w, "other exit events without state effect and without rules: dropped (%" PRIu32
		" codes)", nother);
	for (uint32_t s = 0; s < img->nsets; s++) {
		cw_put(&w, "set%" PRIu32 ":", s);
		for (uint32_t i = 0; i < img->nitems; i++) {
			const struct kf_item *it = &img->items[i];
			if (it->set != s)
				continue;
			/* "x" equal, "x*" prefix, "*x" suffix */
			cw_put(&w, " %s", it->kind == FRC_KFA_NAME_SFX ? "*" : "");
			put_bytes(&w, it->bytes, it->len);
			if (!it->exact && it->kind == FRC_KFA_NAME_PFX)
				cw_put(&w, "*");
		}
		cw_put(&w, "\n");
	}
	return cw_take(&w, len);
}
