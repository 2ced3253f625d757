/* SPDX-License-Identifier: Apache-2.0
 *
 * The .scap reader. The stream is read in large chunks into one input buffer and blocks
 * are used in place (each checked against its trailer): metadata blocks are parsed
 * through a bounds-checked cursor, events go through the converter (scapconv.def) and are
 * returned as pointers into the buffer, or into a conversion buffer when their layout
 * changed. Every error names the byte offset (uncompressed stream) where it was found.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include <zlib.h>

#include "evtab.h"
#include "scap.h"

#define SHB_MAGIC 0x1A2B3C4Du
#define HDR_V2 26u
#define HDR_V1 22u
#define MAX_NONLARGE_BODY 65536u	 /* libscap READER_BUF_SIZE for total - 8 */
#define MAX_BLOCK_BYTES (256u << 20)	 /* sanity cap on any block */
#define MAX_CONV_EVENT (64u * 1024u)	 /* libscap MAX_EVENT_SIZE for conversions */
#define MAX_CONVERSIONS 50
#define STORE_SLOTS 4096		 /* stored enter events (one per tid), power of 2 */
#define MAX_PATH_LEN 1024
#define MAX_ARGS_LEN 4096

/* ---- small growable arrays and a string arena ---- */

struct vec {
	void *v;
	size_t n, cap, esz;
};

static void *vec_push(struct vec *a)
{
	if (a->n == a->cap) {
		size_t nc = a->cap ? a->cap * 2 : 64;
		void *nv = realloc(a->v, nc * a->esz);
		if (!nv)
			return NULL;
		a->v = nv;
		a->cap = nc;
	}
	void *p = (char *)a->v + a->n * a->esz;
	memset(p, 0, a->esz);
	a->n++;
	return p;
}

struct chunk {
	struct chunk *next;
	size_t used, cap;
	char data[];
};

struct arena {
	struct chunk *head;
};

static void *arena_alloc(struct arena *ar, size_t n)
{
	n = (n + 7) & ~(size_t)7;
	if (!ar->head || ar->head->cap - ar->head->used < n) {
		size_t cap = n > 65536 ? n : 65536;
		struct chunk *c = malloc(sizeof(*c) + cap);
		if (!c)
			return NULL;
		c->next = ar->head;
		c->used = 0;
		c->cap = cap;
		ar->head = c;
	}
	void *p = ar->head->data + ar->head->used;
	ar->head->used += n;
	return p;
}

static void arena_free(struct arena *ar)
{
	while (ar->head) {
		struct chunk *n = ar->head->next;
		free(ar->head);
		ar->head = n;
	}
}

/* copy @n bytes plus a NUL */
static char *arena_strndup(struct arena *ar, const uint8_t *s, size_t n)
{
	char *d = arena_alloc(ar, n + 1);
	if (!d)
		return NULL;
	if (n)
		memcpy(d, s, n);
	d[n] = '\0';
	return d;
}

/* ---- the reader ---- */

/*
 * What the reader looks up on every event, per event type (< PPM_EVENT_MAX: every code
 * has a schema), built once (tables_init).
 */
struct tinfo {
	const struct evt_schema *s;
	uint32_t flags;		/* EVF_* */
	uint32_t pass_np;	/* CT_MEXIT: the nparams passed as is (none for old versions) */
	uint16_t nparams;
	uint8_t ls;		/* bytes per param length: 2, or 4 for EVF_LARGE_PAYLOAD */
	uint8_t ct;		/* what conv_test does with the type (enum ct_class) */
};

/* conv_test's decision by event type, from its flags (tables_init) */
enum ct_class {
	CT_PASS,	/* not converter-managed, current version */
	CT_DROP,	/* unused, or an old enter the converter does not manage */
	CT_OLDEXIT,	/* old exit without a conversion: error */
	CT_CONT,	/* managed enter: always converted (stored or passed by its row) */
	CT_MEXIT,	/* managed exit: passed when complete (pass_np), else converted */
};
static struct tinfo tinfo[PPM_EVENT_MAX];
static uint8_t ptsize[PT__COUNT];	/* evtab_ptype_size() by type */
static pthread_once_t tables_once = PTHREAD_ONCE_INIT;
static void tables_init(void);


struct stored_evt {
	int64_t tid;
	uint8_t *buf;
	uint32_t len, cap;
	bool used;
};

struct bt_count {
	uint32_t bt;
	uint64_t n;
};

struct scap_reader {
	gzFile gz;
	uint64_t off;		/* uncompressed offset of the next byte to read */
	char err[384];
	bool failed;
	uint16_t major, minor;
	bool in_events;		/* first event block of the section was seen */
	bool have_pending;	/* a block header already read, not yet consumed */
	uint32_t pend_bt, pend_total;
	uint64_t pend_off;

	struct scap_machine mi;
	struct vec threads, fds, ifaces, users, groups;
	struct arena strs;

	/* input buffer: stream bytes [ib_base, ib_base + ib_end) are in ib[0, ib_end), the
	   next unread one is ib[ib_pos] (r->off = ib_base + ib_pos). Blocks and events are
	   handed out as pointers into it (valid until the next read), never copied. */
	uint8_t *ib;
	size_t ib_cap, ib_pos, ib_end;
	uint64_t ib_base;
	bool ib_eof;
	size_t chunk;		/* refill size */

	uint8_t *blk;		/* body of the current block (points into ib) */
	uint8_t *conv_in, *conv_out; /* MAX_CONV_EVENT each, used alternately */
	uint32_t last_count;	/* index in counts of the last counted block type */

	struct stored_evt *store; /* STORE_SLOTS, open addressing by tid */
	struct stored_evt *last_slot; /* the slot store_slot() returned last, or NULL */
	uint32_t nstored;

	struct bt_count counts[40];
	uint32_t ncounts;
	struct scap_stats stats;
};

static int fail(struct scap_reader *r, uint64_t off, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(struct scap_reader *r, uint64_t off, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (r->failed)
		return SCAP_RC_ERROR;
	n = snprintf(r->err, sizeof(r->err), "offset %llu: ", (unsigned long long)off);
	va_start(ap, fmt);
	vsnprintf(r->err + n, sizeof(r->err) - (size_t)n, fmt, ap);
	va_end(ap);
	r->failed = true;
	return SCAP_RC_ERROR;
}

static void count_block(struct scap_reader *r, uint32_t bt)
{
	r->stats.blocks++;
	if (r->last_count < r->ncounts && r->counts[r->last_count].bt == bt) {
		r->counts[r->last_count].n++;
		return;
	}
	for (uint32_t i = 0; i < r->ncounts; i++) {
		if (r->counts[i].bt == bt) {
			r->last_count = i;
			r->counts[i].n++;
			return;
		}
	}
	if (r->ncounts < sizeof(r->counts) / sizeof(r->counts[0])) {
		r->counts[r->ncounts].bt = bt;
		r->counts[r->ncounts].n = 1;
		r->ncounts++;
	}
}

uint64_t scap_block_count(const struct scap_reader *r, uint32_t bt)
{
	for (uint32_t i = 0; i < r->ncounts; i++)
		if (r->counts[i].bt == bt)
			return r->counts[i].n;
	return 0;
}

static const char *bt_name(uint32_t bt)
{
	switch (bt) {
	case SCAP_BT_SHB: return "SHB";
	case SCAP_BT_MI: return "MI";
	case SCAP_BT_MI_INT: return "MI_INT";
	case SCAP_BT_PL_V1: return "PL_V1";
	case SCAP_BT_PL_V1_INT: return "PL_V1_INT";
	case SCAP_BT_PL_V2: return "PL_V2";
	case SCAP_BT_PL_V2_INT: return "PL_V2_INT";
	case SCAP_BT_PL_V3: return "PL_V3";
	case SCAP_BT_PL_V3_INT: return "PL_V3_INT";
	case SCAP_BT_PL_V4: return "PL_V4";
	case SCAP_BT_PL_V5: return "PL_V5";
	case SCAP_BT_PL_V6: return "PL_V6";
	case SCAP_BT_PL_V7: return "PL_V7";
	case SCAP_BT_PL_V8: return "PL_V8";
	case SCAP_BT_PL_V9: return "PL_V9";
	case SCAP_BT_FDL: return "FDL";
	case SCAP_BT_FDL_INT: return "FDL_INT";
	case SCAP_BT_FDL_V2: return "FDL_V2";
	case SCAP_BT_EV: return "EV";
	case SCAP_BT_EV_INT: return "EV_INT";
	case SCAP_BT_EV_V2: return "EV_V2";
	case SCAP_BT_EV_V2_LARGE: return "EV_V2_LARGE";
	case SCAP_BT_EVF: return "EVF";
	case SCAP_BT_EVF_V2: return "EVF_V2";
	case SCAP_BT_EVF_V2_LARGE: return "EVF_V2_LARGE";
	case SCAP_BT_IL: return "IL";
	case SCAP_BT_IL_INT: return "IL_INT";
	case SCAP_BT_IL_V2: return "IL_V2";
	case SCAP_BT_UL: return "UL";
	case SCAP_BT_UL_INT: return "UL_INT";
	case SCAP_BT_UL_V2: return "UL_V2";
	default: return NULL;
	}
}

size_t scap_block_summary(const struct scap_reader *r, char *buf, size_t size)
{
	size_t at = 0;

	if (size)
		buf[0] = '\0';
	for (uint32_t i = 0; i < r->ncounts && at < size; i++) {
		const char *n = bt_name(r->counts[i].bt);
		char tmp[32];
		int w;

		if (!n) {
			snprintf(tmp, sizeof(tmp), "0x%x", r->counts[i].bt);
			n = tmp;
		}
		w = snprintf(buf + at, size - at, "%s%s:%llu", i ? ", " : "", n,
			     (unsigned long long)r->counts[i].n);
		if (w < 0)
			break;
		at += (size_t)w;
	}
	return at < size ? at : (size ? size - 1 : 0);
}

static bool is_event_block(uint32_t bt)
{
	return bt == SCAP_BT_EV || bt == SCAP_BT_EV_INT || bt == SCAP_BT_EV_V2 ||
	       bt == SCAP_BT_EV_V2_LARGE || bt == SCAP_BT_EVF || bt == SCAP_BT_EVF_V2 ||
	       bt == SCAP_BT_EVF_V2_LARGE;
}

/* the input buffer is refilled by this many bytes at a time (gzread then decompresses or
   reads straight into it, without an intermediate copy) */
#define IB_CHUNK (256u << 10)
/* room kept before the unread bytes: a v1 event is upgraded in place by moving its header
   4 bytes back, and an event block has at least 8 bytes before its event, but after a
   refill the block header may no longer be in the buffer */
#define IB_LEAD 16u

/*
 * Make at least @n unread bytes available at ib[ib_pos] if the stream has them. Return the
 * number available (less than @n only at the end of the stream), or -1 on a stream error.
 * The buffer grows as data actually arrives, so a bogus block length cannot make us
 * allocate much more than the file holds.
 */
static long fill_slow(struct scap_reader *r, size_t n)
{
	while (r->ib_end - r->ib_pos < n && !r->ib_eof) {
		size_t avail = r->ib_end - r->ib_pos, want;
		int k;

		if (r->ib_pos > IB_LEAD) {
			/* keep the unread tail only (less than @n bytes: part of one block), after
			   IB_LEAD bytes of room */
			memmove(r->ib + IB_LEAD, r->ib + r->ib_pos, avail);
			r->ib_base += r->ib_pos - IB_LEAD;
			r->ib_end = IB_LEAD + avail;
			r->ib_pos = IB_LEAD;
		}
		if (r->ib_end == r->ib_cap) {
			size_t nc = r->ib_cap * 2;
			uint8_t *nb = realloc(r->ib, nc);
			if (!nb) {
				fail(r, r->ib_base + r->ib_end, "out of memory reading the capture");
				return -1;
			}
			r->ib = nb;
			r->ib_cap = nc;
		}
		want = n - avail > r->chunk ? n - avail : r->chunk;
		if (want > r->ib_cap - r->ib_end)
			want = r->ib_cap - r->ib_end;
		if (want > (1u << 30))
			want = 1u << 30;
		k = gzread(r->gz, r->ib + r->ib_end, (unsigned)want);
		if (k < 0) {
			int errnum = 0;
			const char *m = gzerror(r->gz, &errnum);
			fail(r, r->ib_base + r->ib_end, "cannot read capture: %s",
			     errnum == Z_ERRNO ? strerror(errno) : m);
			return -1;
		}
		if (k == 0) {
			int errnum = 0;
			const char *m = gzerror(r->gz, &errnum);
			if (errnum != Z_OK && errnum != Z_BUF_ERROR) {
				fail(r, r->ib_base + r->ib_end, "cannot read capture: %s", m);
				return -1;
			}
			r->ib_eof = true;
			break;
		}
		r->ib_end += (size_t)k;
	}
	return (long)(r->ib_end - r->ib_pos < n ? r->ib_end - r->ib_pos : n);
}

static inline long fill(struct scap_reader *r, size_t n)
{
	if (__builtin_expect(r->ib_end - r->ib_pos >= n, 1))
		return (long)n;
	return fill_slow(r, n);
}

/* consume @n bytes (made available by fill) */
static void take(struct scap_reader *r, size_t n)
{
	r->ib_pos += n;
	r->off = r->ib_base + r->ib_pos;
}

/*
 * Read a block header. Return 1 with the type, total length and offset filled, 0 at a
 * clean end of file,
 * or SCAP_RC_ERROR.
 */
static int read_header(struct scap_reader *r, uint32_t *bt, uint32_t *total, uint64_t *boff)
{
	const uint8_t *h;
	long k;

	if (r->have_pending) {
		r->have_pending = false;
		*bt = r->pend_bt;
		*total = r->pend_total;
		*boff = r->pend_off;
		return 1;
	}
	*boff = r->off;
	k = fill(r, 8);
	if (k < 0)
		return SCAP_RC_ERROR;
	if (k == 0)
		return 0;
	if (k < 8)
		return fail(r, *boff, "truncated block header (%ld of 8 bytes): the capture is truncated", k);
	h = r->ib + r->ib_pos;
	take(r, 8);
	memcpy(bt, h, 4);
	memcpy(total, h + 4, 4);
	if (*total < 12)
		return fail(r, *boff, "block of type 0x%x has invalid total length %u (< 12)", *bt, *total);
	if (*total % 4)
		return fail(r, *boff, "block of type 0x%x has total length %u, not a multiple of 4", *bt, *total);
	return 1;
}

/*
 * Take the rest of the block (body and trailer): r->blk points to it in the input buffer
 * until the next read; body length = total - 12.
 */
static int read_body(struct scap_reader *r, uint32_t bt, uint32_t total, uint64_t boff, size_t limit)
{
	size_t need = (size_t)total - 8;
	uint32_t trailer;
	long k;

	if (need > limit)
		return fail(r, boff, "block of type 0x%x is %u bytes, more than the %zu allowed",
			    bt, total, limit + 8);
	k = fill(r, need);
	if (k < 0)
		return SCAP_RC_ERROR;
	if ((size_t)k < need)
		return fail(r, r->off + (uint64_t)k, "truncated block of type 0x%x starting at offset %llu: "
			    "expected %u bytes, the capture ends after %zu",
			    bt, (unsigned long long)boff, total, (size_t)k + 8);
	r->blk = r->ib + r->ib_pos;
	take(r, need);
	memcpy(&trailer, r->blk + need - 4, 4);
	if (trailer != total)
		return fail(r, boff + total - 4, "block of type 0x%x: trailer length %u does not match "
			    "header length %u (corrupted capture)", bt, trailer, total);
	return 1;
}

/* ---- bounds-checked cursor over a block body ---- */

struct cur {
	struct scap_reader *r;
	const uint8_t *p, *end, *base;
	uint64_t off0;		/* stream offset of base */
	bool bad;
};

static uint64_t cur_off(const struct cur *c)
{
	return c->off0 + (uint64_t)(c->p - c->base);
}

static bool need(struct cur *c, size_t n, const char *what)
{
	if (c->bad)
		return false;
	if ((size_t)(c->end - c->p) < n) {
		fail(c->r, cur_off(c), "%s: needs %zu bytes, only %zu left in the block (corrupted capture)",
		     what, n, (size_t)(c->end - c->p));
		c->bad = true;
		return false;
	}
	return true;
}

#define GETTER(name, T)                                                  \
	static T name(struct cur *c, const char *what)                    \
	{                                                                 \
		T v = 0;                                                  \
		if (need(c, sizeof(T), what)) {                           \
			memcpy(&v, c->p, sizeof(T));                      \
			c->p += sizeof(T);                                \
		}                                                         \
		return v;                                                 \
	}
GETTER(get_u8, uint8_t)
GETTER(get_u16, uint16_t)
GETTER(get_u32, uint32_t)
GETTER(get_u64, uint64_t)
#undef GETTER

static int64_t get_i64(struct cur *c, const char *what)
{
	return (int64_t)get_u64(c, what);
}

/* u16 length + bytes (no NUL on file); the copy is NUL-terminated */
static const char *get_str(struct cur *c, size_t maxlen, const char *what, uint16_t *lenp)
{
	uint64_t at = cur_off(c);
	uint16_t n = get_u16(c, what);

	if (c->bad)
		return NULL;
	if (n > maxlen) {
		fail(c->r, at, "%s: length %u exceeds the maximum %zu (corrupted capture)", what, n, maxlen);
		c->bad = true;
		return NULL;
	}
	if (!need(c, n, what))
		return NULL;
	const char *s = arena_strndup(&c->r->strs, c->p, n);
	if (!s) {
		fail(c->r, at, "out of memory");
		c->bad = true;
		return NULL;
	}
	c->p += n;
	if (lenp)
		*lenp = n;
	return s;
}

/* ---- metadata blocks ---- */

static int parse_shb(struct scap_reader *r, uint32_t total, uint64_t boff)
{
	struct cur c = { r, r->blk, r->blk + total - 12, r->blk, boff + 8, false };
	uint32_t magic;

	if (total < 28)
		return fail(r, boff, "section header block length %u is less than 28", total);
	magic = get_u32(&c, "section header");
	if (magic != SHB_MAGIC)
		return fail(r, boff + 8, "invalid magic number 0x%08x in the section header "
			    "(not a scap capture, or a big-endian one)", magic);
	r->major = get_u16(&c, "section header");
	r->minor = get_u16(&c, "section header");
	if (r->major > 1)
		return fail(r, boff + 12, "unsupported capture version %u.%u (this reader knows 1.x)",
			    r->major, r->minor);
	/* section length and pcapng options (total - 28 bytes) are skipped */
	return 1;
}

static int parse_mi(struct scap_reader *r, uint32_t total, uint64_t boff)
{
	struct cur c = { r, r->blk, r->blk + total - 12, r->blk, boff + 8, false };

	if (total - 12 < 180)
		return fail(r, boff, "machine info block body is %u bytes, expected 180", total - 12);
	r->mi.present = true;
	r->mi.num_cpus = get_u32(&c, "machine info");
	r->mi.memory_bytes = get_u64(&c, "machine info");
	r->mi.max_pid = get_u64(&c, "machine info");
	memcpy(r->mi.hostname, c.p, 128);
	r->mi.hostname[128] = '\0';
	c.p += 128;
	r->mi.boot_ts_epoch = get_u64(&c, "machine info");
	r->mi.flags = get_u64(&c, "machine info");
	return 1;
}

static int pl_version(uint32_t bt)
{
	switch (bt) {
	case SCAP_BT_PL_V1: case SCAP_BT_PL_V1_INT: return 1;
	case SCAP_BT_PL_V2: case SCAP_BT_PL_V2_INT: return 2;
	case SCAP_BT_PL_V3: case SCAP_BT_PL_V3_INT: return 3;
	case SCAP_BT_PL_V4: return 4;
	case SCAP_BT_PL_V5: return 5;
	case SCAP_BT_PL_V6: return 6;
	case SCAP_BT_PL_V7: return 7;
	case SCAP_BT_PL_V8: return 8;
	case SCAP_BT_PL_V9: return 9;
	default: return 0;
	}
}

/* a blob whose last byte is not NUL gets one appended (as libscap does for args/env) */
static const char *get_blob(struct cur *c, size_t maxlen, const char *what, uint32_t *lenp, bool add_nul)
{
	uint16_t n = 0;
	const char *s = get_str(c, maxlen, what, &n);
	uint32_t len = n;

	if (!s)
		return NULL;
	if (add_nul && len > 0 && s[len - 1] != '\0')
		len++;	/* the arena copy already has the NUL */
	*lenp = len;
	return s;
}

static int parse_pl(struct scap_reader *r, uint32_t bt, uint32_t total, uint64_t boff)
{
	int v = pl_version(bt);
	struct cur c = { r, r->blk, r->blk + total - 12, r->blk, boff + 8, false };

	while (c.end - c.p >= 4) {
		const uint8_t *start = c.p;
		uint32_t sub_len = 0;
		uint64_t eoff = cur_off(&c);
		struct scap_thread_rec *t = vec_push(&r->threads);

		if (!t)
			return fail(r, eoff, "out of memory");
		t->sid = t->vpgid = t->pgid = t->vtid = t->vpid = -1;
		t->loginuid = UINT32_MAX;
		if (v == 9) {
			sub_len = get_u32(&c, "process entry length");
			if (!c.bad && sub_len < 4)
				return fail(r, eoff, "process entry length %u is too small", sub_len);
			if (!c.bad && sub_len > (size_t)(c.end - start))
				return fail(r, eoff, "process entry length %u runs past the end of the block",
					    sub_len);
		}
		t->tid = get_i64(&c, "process entry");
		t->pid = get_i64(&c, "process entry");
		t->ptid = get_i64(&c, "process entry");
		if (v >= 6)
			t->sid = get_i64(&c, "process entry");
		if (v >= 8)
			t->vpgid = get_i64(&c, "process entry");
		t->comm = get_str(&c, MAX_PATH_LEN, "process comm", NULL);
		t->exe = get_str(&c, MAX_PATH_LEN, "process exe", NULL);
		t->exepath = v >= 7 ? get_str(&c, MAX_PATH_LEN, "process exepath", NULL) : "";
		t->args = get_blob(&c, MAX_ARGS_LEN, "process args", &t->args_len, true);
		t->cwd = get_str(&c, MAX_PATH_LEN, "process cwd", NULL);
		t->fdlimit = get_i64(&c, "process entry");
		t->flags = get_u32(&c, "process entry");
		t->uid = get_u32(&c, "process entry");
		t->gid = get_u32(&c, "process entry");
		t->env = "";
		t->cgroups = "";
		t->root = "";
		if (v >= 2) {
			t->vmsize_kb = get_u32(&c, "process entry");
			t->vmrss_kb = get_u32(&c, "process entry");
			t->vmswap_kb = get_u32(&c, "process entry");
			t->pfmajor = get_u64(&c, "process entry");
			t->pfminor = get_u64(&c, "process entry");
			if (v >= 3)
				t->env = get_blob(&c, MAX_ARGS_LEN, "process env", &t->env_len, true);
			if (v >= 4) {
				t->vtid = get_i64(&c, "process entry");
				t->vpid = get_i64(&c, "process entry");
				t->cgroups = get_blob(&c, MAX_ARGS_LEN, "process cgroups", &t->cgroups_len, false);
				if (v >= 5)
					t->root = get_str(&c, MAX_PATH_LEN, "process root", NULL);
			}
		}
		if (c.bad)
			return SCAP_RC_ERROR;
		if (v == 9) {
			size_t rdn = (size_t)(c.p - start);
#define FITS(n) (rdn + (n) <= sub_len)
#define TAKE(dst, fn, n)                                   \
	do {                                               \
		if (FITS(n)) {                             \
			dst = fn(&c, "process entry");     \
			rdn += (n);                        \
		}                                          \
	} while (0)
			/* libs 0.10 inserted pidns_init_start_ts and tty before loginuid */
			if (sub_len - rdn > 29) {
				TAKE(t->pidns_init_start_ts, get_u64, 8);
				TAKE(t->tty, get_u32, 4);
			}
			TAKE(t->loginuid, get_u32, 4);
			if (FITS(1)) {
				t->exe_writable = get_u8(&c, "process entry") != 0;
				rdn++;
			}
			TAKE(t->cap_inheritable, get_u64, 8);
			TAKE(t->cap_permitted, get_u64, 8);
			TAKE(t->cap_effective, get_u64, 8);
			if (FITS(1)) {
				t->exe_upper_layer = get_u8(&c, "process entry") != 0;
				rdn++;
			}
			TAKE(t->exe_ino, get_u64, 8);
			TAKE(t->exe_ino_ctime, get_u64, 8);
			TAKE(t->exe_ino_mtime, get_u64, 8);
			if (FITS(1)) {
				t->exe_from_memfd = get_u8(&c, "process entry") != 0;
				rdn++;
			}
			if (FITS(1)) {
				t->exe_lower_layer = get_u8(&c, "process entry") != 0;
				rdn++;
			}
			if (FITS(8)) {
				t->pgid = get_i64(&c, "process entry");
				rdn += 8;
			}
#undef TAKE
#undef FITS
			if (c.bad)
				return SCAP_RC_ERROR;
			if (rdn > sub_len)
				return fail(r, eoff, "process entry: read %zu bytes but its length is %u", rdn,
					    sub_len);
			c.p = start + sub_len;
		}
	}
	return 1;
}

static int parse_fdl(struct scap_reader *r, uint32_t bt, uint32_t total, uint64_t boff)
{
	struct cur c = { r, r->blk, r->blk + total - 12, r->blk, boff + 8, false };
	int64_t tid = get_i64(&c, "fd list");

	if (c.bad)
		return SCAP_RC_ERROR;
	while (c.end - c.p >= 4) {
		const uint8_t *start = c.p;
		uint64_t eoff = cur_off(&c);
		uint32_t sub_len = 0;
		struct scap_fd_rec *f = vec_push(&r->fds);
		uint8_t type;

		if (!f)
			return fail(r, eoff, "out of memory");
		if (bt == SCAP_BT_FDL_V2) {
			sub_len = get_u32(&c, "fd entry length");
			if (!c.bad && (sub_len < 4 || sub_len > (size_t)(c.end - start)))
				return fail(r, eoff, "fd entry length %u is invalid", sub_len);
		}
		f->tid = tid;
		f->fd = get_i64(&c, "fd entry");
		f->ino = get_u64(&c, "fd entry");
		type = get_u8(&c, "fd entry");
		f->type = (int8_t)type;
		f->name = "";
		switch (type) {
		case SCAP_FD_IPV4_SOCK:
			if (need(&c, 13, "ipv4 socket entry")) {
				memcpy(f->sip, c.p, 4);
				memcpy(f->dip, c.p + 4, 4);
				c.p += 8;
				f->sport = get_u16(&c, "");
				f->dport = get_u16(&c, "");
				f->l4proto = get_u8(&c, "");
			}
			break;
		case SCAP_FD_IPV4_SERVSOCK:
			if (need(&c, 7, "ipv4 server socket entry")) {
				memcpy(f->sip, c.p, 4);
				c.p += 4;
				f->sport = get_u16(&c, "");
				f->l4proto = get_u8(&c, "");
			}
			break;
		case SCAP_FD_IPV6_SOCK:
			if (need(&c, 37, "ipv6 socket entry")) {
				memcpy(f->sip, c.p, 16);
				memcpy(f->dip, c.p + 16, 16);
				c.p += 32;
				f->sport = get_u16(&c, "");
				f->dport = get_u16(&c, "");
				f->l4proto = get_u8(&c, "");
			}
			break;
		case SCAP_FD_IPV6_SERVSOCK:
			if (need(&c, 19, "ipv6 server socket entry")) {
				memcpy(f->sip, c.p, 16);
				c.p += 16;
				f->sport = get_u16(&c, "");
				f->l4proto = get_u8(&c, "");
			}
			break;
		case SCAP_FD_UNIX_SOCK:
			f->unix_src = get_u64(&c, "unix socket entry");
			f->unix_dst = get_u64(&c, "unix socket entry");
			f->name = get_str(&c, MAX_PATH_LEN - 1, "unix socket name", NULL);
			break;
		case SCAP_FD_FILE_V2:
			f->open_flags = get_u32(&c, "file entry");
			f->name = get_str(&c, MAX_PATH_LEN - 1, "file name", NULL);
			if (sub_len && !c.bad && (size_t)(c.p - start) + 4 <= sub_len)
				f->dev = get_u32(&c, "file entry");
			break;
		case SCAP_FD_FIFO: case SCAP_FD_FILE: case SCAP_FD_DIRECTORY:
		case SCAP_FD_UNSUPPORTED: case SCAP_FD_EVENT: case SCAP_FD_SIGNALFD:
		case SCAP_FD_EVENTPOLL: case SCAP_FD_INOTIFY: case SCAP_FD_TIMERFD:
		case SCAP_FD_NETLINK: case SCAP_FD_BPF: case SCAP_FD_USERFAULTFD:
		case SCAP_FD_IOURING: case SCAP_FD_MEMFD: case SCAP_FD_PIDFD:
			f->name = get_str(&c, MAX_PATH_LEN - 1, "fd name", NULL);
			break;
		case SCAP_FD_UNKNOWN:
			break;
		default: {
			char tmp[32];
			int n = snprintf(tmp, sizeof(tmp), "unknown-type:[%d]", (int)type);
			f->type = SCAP_FD_UNSUPPORTED;
			f->name = arena_strndup(&r->strs, (const uint8_t *)tmp, (size_t)n);
			break;
		}
		}
		if (c.bad || !f->name)
			return c.bad ? SCAP_RC_ERROR : fail(r, eoff, "out of memory");
		if (sub_len) {
			size_t rdn = (size_t)(c.p - start);
			if (rdn > sub_len)
				return fail(r, eoff, "fd entry: read %zu bytes but its length is %u", rdn, sub_len);
			c.p = start + sub_len;
		}
	}
	return 1;
}

static int parse_il(struct scap_reader *r, uint32_t bt, uint32_t total, uint64_t boff)
{
	struct cur c = { r, r->blk, r->blk + total - 12, r->blk, boff + 8, false };

	while (c.end - c.p >= 4) {
		const uint8_t *start = c.p;
		uint64_t eoff = cur_off(&c);
		size_t entry = 0;
		uint16_t type, nlen;
		struct scap_iface *i;

		if (bt == SCAP_BT_IL_V2) {
			uint32_t l = get_u32(&c, "interface entry length");
			entry = (size_t)l + 4;
			if (!c.bad && entry > (size_t)(c.end - start))
				return fail(r, eoff, "interface entry length %u runs past the block", l);
		}
		type = get_u16(&c, "interface entry");
		nlen = get_u16(&c, "interface entry");
		if (c.bad)
			return SCAP_RC_ERROR;
		if (type < 1 || type > 4)
			return fail(r, eoff, "unknown interface type %u (corrupted interface list)", type);
		if (nlen >= MAX_PATH_LEN)
			return fail(r, eoff, "interface name length %u is too long", nlen);
		i = vec_push(&r->ifaces);
		if (!i)
			return fail(r, eoff, "out of memory");
		if (type == 1 || type == 3) {
			i->family = 4;
			if (!need(&c, 12, "ipv4 interface"))
				return SCAP_RC_ERROR;
			memcpy(i->addr, c.p, 4);
			memcpy(i->netmask, c.p + 4, 4);
			memcpy(i->bcast, c.p + 8, 4);
			c.p += 12;
		} else {
			i->family = 6;
			if (!need(&c, 48, "ipv6 interface"))
				return SCAP_RC_ERROR;
			memcpy(i->addr, c.p, 16);
			memcpy(i->netmask, c.p + 16, 16);
			memcpy(i->bcast, c.p + 32, 16);
			c.p += 48;
		}
		if (type == 1 || type == 2)
			i->linkspeed = get_u64(&c, "interface entry");
		if (!need(&c, nlen, "interface name"))
			return SCAP_RC_ERROR;
		i->name = arena_strndup(&r->strs, c.p, nlen);
		if (!i->name)
			return fail(r, eoff, "out of memory");
		c.p += nlen;
		if (bt == SCAP_BT_IL_V2) {
			if ((size_t)(c.p - start) > entry)
				return fail(r, eoff, "interface entry longer than its length");
			c.p = start + entry;
		}
	}
	return 1;
}

static int parse_ul(struct scap_reader *r, uint32_t bt, uint32_t total, uint64_t boff)
{
	struct cur c = { r, r->blk, r->blk + total - 12, r->blk, boff + 8, false };

	while (c.end - c.p >= 4) {
		const uint8_t *start = c.p;
		uint64_t eoff = cur_off(&c);
		uint32_t sub_len = 0;
		uint8_t type;

		if (bt == SCAP_BT_UL_V2) {
			sub_len = get_u32(&c, "user entry length");
			if (!c.bad && (sub_len < 4 || sub_len > (size_t)(c.end - start)))
				return fail(r, eoff, "user entry length %u is invalid", sub_len);
		}
		type = get_u8(&c, "user entry");
		if (type == 0) {
			struct scap_user *u = vec_push(&r->users);
			if (!u)
				return fail(r, eoff, "out of memory");
			u->uid = get_u32(&c, "user entry");
			u->gid = get_u32(&c, "user entry");
			u->name = get_str(&c, 255, "user name", NULL);
			u->home = get_str(&c, 255, "user home", NULL);
			u->shell = get_str(&c, 255, "user shell", NULL);
		} else {
			struct scap_group *g = vec_push(&r->groups);
			if (!g)
				return fail(r, eoff, "out of memory");
			g->gid = get_u32(&c, "group entry");
			g->name = get_str(&c, 255, "group name", NULL);
		}
		if (c.bad)
			return SCAP_RC_ERROR;
		if (sub_len) {
			size_t rdn = (size_t)(c.p - start);
			if (rdn > sub_len)
				return fail(r, eoff, "user entry: read %zu bytes but its length is %u", rdn, sub_len);
			c.p = start + sub_len;
		}
	}
	return 1;
}

static void reset_section(struct scap_reader *r)
{
	r->threads.n = r->fds.n = r->ifaces.n = r->users.n = r->groups.n = 0;
	arena_free(&r->strs);
	memset(&r->mi, 0, sizeof(r->mi));
	r->in_events = false;
	for (uint32_t i = 0; i < STORE_SLOTS; i++)
		r->store[i].used = false;
	r->nstored = 0;
}

/*
 * Read the SHB (whose header was just read) and the metadata blocks up to the first
 * event block, which is left pending.
 */
static int read_section(struct scap_reader *r, uint32_t bt, uint32_t total, uint64_t boff)
{
	int rc;
	bool any_event = false;

	reset_section(r);
	if (bt != SCAP_BT_SHB)
		return fail(r, boff, "expected a section header block, found block type 0x%x "
			    "(not a scap capture?)", bt);
	if (total < 28)
		return fail(r, boff, "section header block length %u is less than 28", total);
	count_block(r, bt);
	if ((rc = read_body(r, bt, total, boff, MAX_BLOCK_BYTES)) != 1)
		return rc;
	if ((rc = parse_shb(r, total, boff)) != 1)
		return rc;
	for (;;) {
		rc = read_header(r, &bt, &total, &boff);
		if (rc < 0)
			return rc;
		if (rc == 0) {
			if (!any_event)
				return fail(r, r->off, "no events in the capture");
			return 1;
		}
		if (is_event_block(bt)) {
			r->have_pending = true;
			r->pend_bt = bt;
			r->pend_total = total;
			r->pend_off = boff;
			return 1;
		}
		count_block(r, bt);
		if ((rc = read_body(r, bt, total, boff, MAX_BLOCK_BYTES)) != 1)
			return rc;
		switch (bt) {
		case SCAP_BT_MI: case SCAP_BT_MI_INT:
			rc = parse_mi(r, total, boff);
			break;
		case SCAP_BT_PL_V1: case SCAP_BT_PL_V1_INT: case SCAP_BT_PL_V2:
		case SCAP_BT_PL_V2_INT: case SCAP_BT_PL_V3: case SCAP_BT_PL_V3_INT:
		case SCAP_BT_PL_V4: case SCAP_BT_PL_V5: case SCAP_BT_PL_V6: case SCAP_BT_PL_V7:
		case SCAP_BT_PL_V8: case SCAP_BT_PL_V9:
			rc = parse_pl(r, bt, total, boff);
			break;
		case SCAP_BT_FDL: case SCAP_BT_FDL_INT: case SCAP_BT_FDL_V2:
			rc = parse_fdl(r, bt, total, boff);
			break;
		case SCAP_BT_IL: case SCAP_BT_IL_INT: case SCAP_BT_IL_V2:
			rc = parse_il(r, bt, total, boff);
			break;
		case SCAP_BT_UL: case SCAP_BT_UL_INT: case SCAP_BT_UL_V2:
			rc = parse_ul(r, bt, total, boff);
			break;
		case SCAP_BT_SHB:
			return fail(r, boff, "a second section header before any event (corrupted capture)");
		default:
			rc = 1;	/* unknown metadata block: skipped */
			break;
		}
		if (rc != 1)
			return rc;
	}
}

/* ---- opening ---- */

static struct scap_reader *reader_new(void)
{
	struct scap_reader *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->threads.esz = sizeof(struct scap_thread_rec);
	r->fds.esz = sizeof(struct scap_fd_rec);
	r->ifaces.esz = sizeof(struct scap_iface);
	r->users.esz = sizeof(struct scap_user);
	r->groups.esz = sizeof(struct scap_group);
	pthread_once(&tables_once, tables_init);
	r->chunk = IB_CHUNK;
	r->ib_cap = 2 * (size_t)IB_CHUNK;
	r->ib = malloc(r->ib_cap);
	r->ib_pos = r->ib_end = IB_LEAD;
	r->ib_base = (uint64_t)0 - IB_LEAD;	/* r->off = ib_base + ib_pos = 0 (mod 2^64) */
	r->store = calloc(STORE_SLOTS, sizeof(*r->store));
	r->conv_in = malloc(MAX_CONV_EVENT);
	r->conv_out = malloc(MAX_CONV_EVENT);
	if (!r->ib || !r->store || !r->conv_in || !r->conv_out) {
		scap_close(r);
		return NULL;
	}
	return r;
}

static struct scap_reader *finish_open(struct scap_reader *r, char *err, size_t errlen)
{
	uint32_t bt, total;
	uint64_t boff;
	int rc;

	gzbuffer(r->gz, 1u << 16);	/* reads of IB_CHUNK then bypass zlib's own buffer */
	rc = read_header(r, &bt, &total, &boff);
	if (rc == 0)
		fail(r, 0, "empty file: not a scap capture");
	else if (rc == 1)
		read_section(r, bt, total, boff);
	if (r->failed) {
		snprintf(err, errlen, "%s", r->err);
		scap_close(r);
		return NULL;
	}
	return r;
}

struct scap_reader *scap_open(const char *path, char *err, size_t errlen)
{
	struct scap_reader *r = reader_new();

	if (!r) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	r->gz = gzopen(path, "rb");
	if (!r->gz) {
		snprintf(err, errlen, "cannot open %s: %s", path, errno ? strerror(errno) : "zlib error");
		scap_close(r);
		return NULL;
	}
	return finish_open(r, err, errlen);
}

struct scap_reader *scap_open_mem(const void *data, size_t len, char *err, size_t errlen)
{
	struct scap_reader *r = reader_new();
	int fd;

	if (!r) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	/* tests and fuzzing: small, varying refills, so that blocks straddle refills and the
	   buffer is compacted and grown (the file path refills by IB_CHUNK) */
	r->chunk = 16 + (len * 7919) % 1009;
	fd = memfd_create("frc-scap", MFD_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "memfd_create: %s", strerror(errno));
		scap_close(r);
		return NULL;
	}
	for (size_t done = 0; done < len;) {
		ssize_t w = write(fd, (const char *)data + done, len - done);
		if (w <= 0) {
			snprintf(err, errlen, "write to memfd: %s", strerror(errno));
			close(fd);
			scap_close(r);
			return NULL;
		}
		done += (size_t)w;
	}
	if (lseek(fd, 0, SEEK_SET) < 0 || !(r->gz = gzdopen(fd, "rb"))) {
		snprintf(err, errlen, "cannot read the buffer");
		close(fd);
		scap_close(r);
		return NULL;
	}
	return finish_open(r, err, errlen);
}

void scap_close(struct scap_reader *r)
{
	if (!r)
		return;
	if (r->gz)
		gzclose(r->gz);
	free(r->threads.v);
	free(r->fds.v);
	free(r->ifaces.v);
	free(r->users.v);
	free(r->groups.v);
	arena_free(&r->strs);
	free(r->ib);
	free(r->conv_in);
	free(r->conv_out);
	if (r->store)
		for (uint32_t i = 0; i < STORE_SLOTS; i++)
			free(r->store[i].buf);
	free(r->store);
	free(r);
}

const char *scap_error(const struct scap_reader *r)
{
	return r->err;
}

const struct scap_machine *scap_machine(const struct scap_reader *r)
{
	return &r->mi;
}

const struct scap_thread_rec *scap_threads(const struct scap_reader *r, size_t *n)
{
	*n = r->threads.n;
	return r->threads.v;
}

const struct scap_fd_rec *scap_fds(const struct scap_reader *r, size_t *n)
{
	*n = r->fds.n;
	return r->fds.v;
}

const struct scap_iface *scap_ifaces(const struct scap_reader *r, size_t *n)
{
	*n = r->ifaces.n;
	return r->ifaces.v;
}

const struct scap_user *scap_users(const struct scap_reader *r, size_t *n)
{
	*n = r->users.n;
	return r->users.v;
}

const struct scap_group *scap_groups(const struct scap_reader *r, size_t *n)
{
	*n = r->groups.n;
	return r->groups.v;
}

void scap_version(const struct scap_reader *r, uint16_t *major, uint16_t *minor)
{
	*major = r->major;
	*minor = r->minor;
}

const struct scap_stats *scap_get_stats(const struct scap_reader *r)
{
	return &r->stats;
}

/* ---- event layout helpers (v2 header: ts u64, tid u64, len u32, type u16, nparams u32) ---- */

static uint32_t ev_len(const uint8_t *e)
{
	uint32_t v;
	memcpy(&v, e + 16, 4);
	return v;
}

static uint16_t ev_type(const uint8_t *e)
{
	uint16_t v;
	memcpy(&v, e + 20, 2);
	return v;
}

static uint32_t ev_nparams(const uint8_t *e)
{
	uint32_t v;
	memcpy(&v, e + 22, 4);
	return v;
}

static int64_t ev_tid(const uint8_t *e)
{
	int64_t v;
	memcpy(&v, e + 8, 8);
	return v;
}

static void set_len(uint8_t *e, uint32_t v)
{
	memcpy(e + 16, &v, 4);
}

static void set_type(uint8_t *e, uint16_t v)
{
	memcpy(e + 20, &v, 2);
}

static void set_nparams(uint8_t *e, uint32_t v)
{
	memcpy(e + 22, &v, 4);
}

/* @type < PPM_EVENT_MAX */
static uint32_t lensz(uint16_t type)
{
	return tinfo[type].ls;
}

static uint32_t plen_at(const uint8_t *e, uint32_t i, uint32_t ls)
{
	if (ls == 4) {
		uint32_t v;
		memcpy(&v, e + HDR_V2 + i * 4, 4);
		return v;
	}
	uint16_t v;
	memcpy(&v, e + HDR_V2 + i * 2, 2);
	return v;
}

static void set_plen(uint8_t *e, uint32_t i, uint32_t ls, uint32_t v)
{
	if (ls == 4) {
		memcpy(e + HDR_V2 + i * 4, &v, 4);
	} else {
		uint16_t s = (uint16_t)v;
		memcpy(e + HDR_V2 + i * 2, &s, 2);
	}
}

static const char *event_check(const uint8_t *e, size_t avail)
{
	uint32_t len, np, ls;
	uint64_t at;

	if (avail < HDR_V2)
		return "event header does not fit in the block";
	len = ev_len(e);
	if (len < HDR_V2)
		return "event length is smaller than the event header";
	if (len > avail)
		return "event length is larger than the bytes available in the block";
	if (ev_type(e) >= PPM_EVENT_MAX)
		return "unknown event type";
	np = ev_nparams(e);
	ls = lensz(ev_type(e));
	at = HDR_V2 + (uint64_t)np * ls;
	if (at > len)
		return "nparams does not fit in the event length";
	for (uint32_t i = 0; i < np; i++) {
		uint32_t pl = plen_at(e, i, ls);
		if (pl > len - at)
			return "a parameter length exceeds the event length";
		at += pl;
	}
	return NULL;
}

const char *scap_event_check(const uint8_t *e, size_t avail)
{
	pthread_once(&tables_once, tables_init);
	return event_check(e, avail);
}

/* ---- converter (scap-format.md §10) ---- */

enum conv_action { A_PASS, A_STORE, A_STORE_AND_PASS, A_ADD_PARAMS, A_CHANGE_TYPE };
enum conv_kind { K_OLD, K_ENTER, K_EMPTY, K_DEFAULT, K_CALLBACK };
enum conv_res { C_PASS, C_DROP, C_CONTINUE, C_ERROR };

/* one parameter the conversion writes; pt, sz and beyond are derived once (tables_init) */
struct conv_instr {
	uint8_t kind, param, fb;
	uint8_t pt;		/* schema type of the param written (PT_BYTEBUF past the schema) */
	uint8_t sz;		/* its fixed size (evtab_ptype_size), 0 = variable */
	bool beyond;		/* the param is past the schema of the result: an error */
};

struct conv_entry {
	uint16_t type;
	uint8_t nparams;
	uint8_t action;
	uint16_t new_type;
	uint8_t ninstr;
	struct conv_instr *instr;
	uint8_t ls;		/* param length size of the result (tables_init) */
};

#define FB 1
#define I(k, p, f) { K_##k, p, f, 0, 0, false },
#define CONV(t, n, a, nt, ...) static struct conv_instr ci_##t##_##n[] = { __VA_ARGS__ { 0, 0, 0, 0, 0, false } };
#include "scapconv.def"
#undef CONV

#define CONV(t, n, a, nt, ...) \
	{ t, n, A_##a, nt, sizeof(ci_##t##_##n) / sizeof(ci_##t##_##n[0]) - 1, ci_##t##_##n, 0 },
static struct conv_entry conv_table[] = {
#include "scapconv.def"
};
#undef CONV
#undef I
#undef FB

#define NCONV (sizeof(conv_table) / sizeof(conv_table[0]))

/* rows of conv_table grouped by event type: conv_rows[conv_first[t] .. conv_first[t + 1]) */
static uint16_t conv_first[PPM_EVENT_MAX + 2];
static uint16_t conv_rows[NCONV];
static void tables_init(void)
{
	uint32_t n = 0;

	for (uint32_t t = 0; t < PT__COUNT; t++)
		ptsize[t] = (uint8_t)evtab_ptype_size((enum evt_ptype)t);

	for (uint32_t t = 0; t < PPM_EVENT_MAX; t++) {
		const struct evt_schema *s = evtab_schema((uint16_t)t);
		tinfo[t].s = s;
		tinfo[t].flags = s->flags;
		tinfo[t].nparams = s->nparams;
		tinfo[t].ls = (s->flags & EVF_LARGE_PAYLOAD) ? 4 : 2;
		tinfo[t].pass_np = UINT32_MAX;
		if (s->flags & EVF_UNUSED)
			tinfo[t].ct = CT_DROP;
		else if (!(s->flags & EVF_CONVERTER_MANAGED))
			tinfo[t].ct = !(s->flags & EVF_OLD_VERSION) ? CT_PASS :
				      evtab_is_enter((uint16_t)t) ? CT_DROP : CT_OLDEXIT;
		else if (evtab_is_enter((uint16_t)t))
			tinfo[t].ct = CT_CONT;
		else {
			tinfo[t].ct = CT_MEXIT;
			if (!(s->flags & EVF_OLD_VERSION))
				tinfo[t].pass_np = s->nparams;
		}
	}

	for (size_t i = 0; i < NCONV; i++) {
		struct conv_entry *ce = &conv_table[i];
		uint16_t nt = ce->action == A_CHANGE_TYPE ? ce->new_type : ce->type;
		uint32_t first = ce->action == A_ADD_PARAMS ? ce->nparams : 0;
		const struct evt_schema *ns = evtab_schema(nt);

		ce->ls = (ns->flags & EVF_LARGE_PAYLOAD) ? 4 : 2;
		for (uint32_t k = 0; k < ce->ninstr; k++) {
			struct conv_instr *ins = &ce->instr[k];
			uint32_t idx = first + k;
			ins->beyond = idx >= ns->nparams;
			ins->pt = (uint8_t)(ins->beyond ? PT_BYTEBUF : ns->params[idx].type);
			ins->sz = ptsize[ins->pt];
		}
	}
	for (uint32_t t = 0; t <= PPM_EVENT_MAX; t++) {
		conv_first[t] = (uint16_t)n;
		for (size_t i = 0; i < NCONV; i++)
			if (conv_table[i].type == t)
				conv_rows[n++] = (uint16_t)i;
	}
	conv_first[PPM_EVENT_MAX + 1] = (uint16_t)n;
}

static const struct conv_entry *conv_find(uint16_t type, uint32_t nparams)
{
	/* every old-layout event of a capture gets here: only the rows of its type are scanned */
	if (type > PPM_EVENT_MAX)
		return NULL;
	for (uint32_t k = conv_first[type]; k < conv_first[type + 1]; k++)
		if (conv_table[conv_rows[k]].nparams == nparams)
			return &conv_table[conv_rows[k]];
	return NULL;
}

/* the converter's verdict on @e: pass as is, drop, or convert (by type and nparams only) */
static inline enum conv_res conv_test(struct scap_reader *r, const uint8_t *e, uint64_t off)
{
	uint16_t type = ev_type(e);
	const struct tinfo *ti;
	uint32_t np;

	if (type >= PPM_EVENT_MAX)
		return C_DROP;
	ti = &tinfo[type];
	switch (ti->ct) {
	case CT_PASS:
		return C_PASS;
	case CT_DROP:
		return C_DROP;
	case CT_CONT:
		return C_CONTINUE;
	case CT_OLDEXIT:
		fail(r, off, "old exit event %s has no conversion", ti->s->sym);
		return C_ERROR;
	default:
		np = ev_nparams(e);
		if (np == ti->pass_np)
			return C_PASS;
		if (np > ti->nparams) {
			fail(r, off, "event %s has %u parameters, more than the %u expected", ti->s->sym,
			     np, ti->nparams);
			return C_ERROR;
		}
		return C_CONTINUE;
	}
}

static struct stored_evt *store_slot(struct scap_reader *r, int64_t tid, bool create)
{
	uint32_t h;

	/* an exit usually follows its enter: the slot found last (tids are unique among the
	   used slots, so it is the one the probe would find) */
	if (r->last_slot && r->last_slot->used && r->last_slot->tid == tid)
		return r->last_slot;
	h = (uint32_t)((uint64_t)tid * 0x9E3779B97F4A7C15ull >> 40) & (STORE_SLOTS - 1);
	for (uint32_t i = 0; i < STORE_SLOTS; i++) {
		struct stored_evt *s = &r->store[(h + i) & (STORE_SLOTS - 1)];
		if (!s->used) {
			if (!create)
				return NULL;
			if (r->nstored >= STORE_SLOTS * 3 / 4) {
				/* too many threads with a pending enter: forget them all */
				for (uint32_t j = 0; j < STORE_SLOTS; j++)
					r->store[j].used = false;
				r->nstored = 0;
				return store_slot(r, tid, true);
			}
			s->used = true;
			s->tid = tid;
			s->len = 0;
			r->nstored++;
			r->last_slot = s;
			return s;
		}
		if (s->tid == tid) {
			r->last_slot = s;
			return s;
		}
	}
	return NULL;
}

/* memcpy for the short copies of the converter (most params and events are a few bytes
   to a few dozen): overlapping word moves instead of a library call; no byte outside
   [s, s + n) is read or outside [d, d + n) written */
static inline void copy16(uint8_t *d, const uint8_t *s)
{
	uint64_t a, b;
	memcpy(&a, s, 8);
	memcpy(&b, s + 8, 8);
	memcpy(d, &a, 8);
	memcpy(d + 8, &b, 8);
}

static inline void copy_short(uint8_t *d, const uint8_t *s, size_t n)
{
	if (n >= 16) {
		if (n > 32) {
			memcpy(d, s, n);
			return;
		}
		copy16(d, s);
		copy16(d + n - 16, s + n - 16);
	} else if (n >= 8) {
		uint64_t a, b;
		memcpy(&a, s, 8);
		memcpy(&b, s + n - 8, 8);
		memcpy(d, &a, 8);
		memcpy(d + n - 8, &b, 8);
	} else if (n >= 4) {
		uint32_t a, b;
		memcpy(&a, s, 4);
		memcpy(&b, s + n - 4, 4);
		memcpy(d, &a, 4);
		memcpy(d + n - 4, &b, 4);
	} else if (n) {
		uint8_t a = s[0], b = s[n / 2], c = s[n - 1];
		d[0] = a;
		d[n / 2] = b;
		d[n - 1] = c;
	}
}

static bool store_put(struct scap_reader *r, const uint8_t *e)
{
	struct stored_evt *s = store_slot(r, ev_tid(e), true);
	uint32_t len = ev_len(e);

	if (!s)
		return false;
	if (s->cap < len) {
		uint8_t *nb = realloc(s->buf, len);
		if (!nb)
			return false;
		s->buf = nb;
		s->cap = len;
	}
	memcpy(s->buf, e, len);
	s->len = len;
	return true;
}

static inline uint32_t type_max_len(enum evt_ptype t, uint32_t ls)
{
	uint32_t m = (uint32_t)t < PT__COUNT ? ptsize[t] : 0;
	if (m)
		return m;
	return ls == 4 ? UINT32_MAX : UINT16_MAX;
}

/* param @i of event @e: pointer and length (caller checked i < nparams) */
static const uint8_t *param_ptr(const uint8_t *e, uint32_t i, uint32_t *plen)
{
	uint32_t ls = lensz(ev_type(e)), np = ev_nparams(e);
	uint64_t at = HDR_V2 + (uint64_t)np * ls;

	for (uint32_t k = 0; k < i; k++)
		at += plen_at(e, k, ls);
	*plen = plen_at(e, i, ls);
	return e + at;
}

struct builder {
	uint8_t *e;
	uint32_t ls;
	uint32_t at;		/* next data byte */
	bool overflow;
};

static inline void push_bytes(struct builder *b, uint32_t idx, const void *data, uint32_t n)
{
	if (b->overflow || (uint64_t)b->at + n > MAX_CONV_EVENT) {
		b->overflow = true;
		return;
	}
	copy_short(b->e + b->at, data, n);
	b->at += n;
	set_plen(b->e, idx, b->ls, n);
}

static void push_default(struct builder *b, uint32_t idx, enum evt_ptype t)
{
	uint8_t v[16];
	uint32_t n = (uint32_t)t < PT__COUNT ? ptsize[t] : 0;

	memset(v, 0, sizeof(v));
	if (t == PT_UID || t == PT_GID)
		memset(v, 0xff, 4);
	if (b->overflow || (uint64_t)b->at + n > MAX_CONV_EVENT) {
		b->overflow = true;
		return;
	}
	memcpy(b->e + b->at, v, n);
	b->at += n;
	set_plen(b->e, idx, b->ls, n);
}

/* JSON for an old PPME_CONTAINER_E: id, type, name, image */
static bool container_json(const uint8_t *old, char *out, size_t size, uint32_t *outlen)
{
	uint32_t l0, l1, l2, l3, ty = 0;
	const uint8_t *id, *typ, *name, *img;
	int n;

	if (ev_nparams(old) < 4)
		return false;
	id = param_ptr(old, 0, &l0);
	typ = param_ptr(old, 1, &l1);
	name = param_ptr(old, 2, &l2);
	img = param_ptr(old, 3, &l3);
	if (!l0 || !l2 || !l3 || l1 < 4)
		return false;
	memcpy(&ty, typ, 4);
	n = snprintf(out, size, "{\"id\":\"%.*s\",\"type\":%u,\"name\":\"%.*s\",\"image\":\"%.*s\"}",
		     (int)(l0 - 1), (const char *)id, ty, (int)(l2 - 1), (const char *)name,
		     (int)(l3 - 1), (const char *)img);
	if (n < 0 || (size_t)n + 1 > size)
		return false;
	*outlen = (uint32_t)n + 1;
	return true;
}

/*
 * One rebuilding conversion step (ADD_PARAMS or CHANGE_TYPE by row @ce) of @in into @dst;
 * then the converter's verdict on the result.
 */
static enum conv_res conv_build(struct scap_reader *r, const struct conv_entry *ce, const uint8_t *in,
				uint8_t *dst, uint64_t off)
{
	uint16_t type = ev_type(in);
	uint32_t np = ev_nparams(in);
	const struct evt_schema *ns;
	struct builder b;
	uint32_t first = 0;
	bool used_enter = false;
	struct stored_evt *slot = NULL;	/* the tid's stored enter, looked up once */
	bool slot_known = false;
	const uint8_t *src = NULL;	/* its event, when it has one */
	uint32_t ek = 0, els = 0;	/* stored enter: param ek starts at byte eat */
	uint64_t eat = 0, ehdr = 0;

	memcpy(dst, in, HDR_V2);
	b.e = dst;
	b.overflow = false;
	b.ls = ce->ls;
	if (ce->action == A_ADD_PARAMS) {
		uint32_t ls = ce->ls;
		uint32_t old_hdr = HDR_V2 + np * ls;
		uint32_t nnp = np + ce->ninstr;

		b.at = HDR_V2 + nnp * ls;
		if (b.at > MAX_CONV_EVENT || ev_len(in) - old_hdr + (uint64_t)b.at > MAX_CONV_EVENT) {
			fail(r, off, "converted event would exceed %u bytes", MAX_CONV_EVENT);
			return C_ERROR;
		}
		set_nparams(b.e, nnp);
		copy_short(b.e + HDR_V2, in + HDR_V2, np * ls);
		copy_short(b.e + b.at, in + old_hdr, ev_len(in) - old_hdr);
		b.at += ev_len(in) - old_hdr;
		first = np;
	} else {
		set_type(b.e, ce->new_type);
		set_nparams(b.e, ce->ninstr);
		b.at = HDR_V2 + ce->ninstr * b.ls;
	}
	ns = tinfo[ev_type(b.e)].s;

	for (uint32_t i = 0; i < ce->ninstr; i++) {
		const struct conv_instr *ins = &ce->instr[i];
		uint32_t idx = first + i;
		enum evt_ptype pt = (enum evt_ptype)ins->pt;
		const uint8_t *from;
		uint32_t pl;

		if (ins->beyond) {
			fail(r, off, "conversion of %s adds parameter %u beyond its schema", ns->sym, idx);
			return C_ERROR;
		}
		switch (ins->kind) {
		case K_EMPTY:
			set_plen(b.e, idx, b.ls, 0);
			continue;
		case K_DEFAULT:
			push_default(&b, idx, pt);
			continue;
		case K_CALLBACK: {
			char json[1024];
			uint32_t jl;
			if (container_json(in, json, sizeof(json), &jl))
				push_bytes(&b, idx, json, jl);
			else if (ins->fb)
				set_plen(b.e, idx, b.ls, 0);
			else
				push_default(&b, idx, pt);
			continue;
		}
		case K_ENTER:
			if (!slot_known) {
				slot = store_slot(r, ev_tid(in), false);
				slot_known = true;
				src = slot && slot->len ? slot->buf : NULL;
				if (src) {
					if (ev_type(src) != type - 1) {
						fail(r, off, "the stored enter event of tid %lld is %s, "
						     "not the enter of %s", (long long)ev_tid(in),
						     evtab_schema(ev_type(src))->sym, evtab_schema(type)->sym);
						return C_ERROR;
					}
					els = lensz(ev_type(src));
					ehdr = HDR_V2 + (uint64_t)ev_nparams(src) * els;
					eat = ehdr;
				}
			}
			if (!src) {
				if (ins->fb)
					set_plen(b.e, idx, b.ls, 0);
				else
					push_default(&b, idx, pt);
				continue;
			}
			if (ev_nparams(src) <= ins->param) {
				fail(r, off, "enter event %s has no parameter %u",
				     evtab_schema(ev_type(src))->sym, ins->param);
				return C_ERROR;
			}
			used_enter = true;
			/* the rows take enter params in increasing order: one walk */
			if (ins->param != ek) {
				if (ins->param < ek) {
					ek = 0;
					eat = ehdr;
				}
				for (; ek < ins->param; ek++)
					eat += plen_at(src, ek, els);
			}
			from = src + eat;
			pl = plen_at(src, ek, els);
			break;
		case K_OLD:
		default:
			if (np <= ins->param) {
				fail(r, off, "event %s has no parameter %u to convert", evtab_schema(type)->sym,
				     ins->param);
				return C_ERROR;
			}
			from = param_ptr(in, ins->param, &pl);
			break;
		}
		uint32_t maxl = ins->sz ? ins->sz : b.ls == 4 ? UINT32_MAX : UINT16_MAX;
		push_bytes(&b, idx, from, pl < maxl ? pl : maxl);
	}
	if (b.overflow) {
		fail(r, off, "converted event would exceed %u bytes", MAX_CONV_EVENT);
		return C_ERROR;
	}
	if (used_enter)
		slot->len = 0;	/* keep the slot (and its buffer) for the tid */
	set_len(b.e, b.at);
	r->stats.converted++;
	return conv_test(r, b.e, off);
}

/*
 * Run @e through the converter; on PASS *out is the event to deliver: @e itself or one of
 * the two conversion buffers (each step writes the one its input is not in).
 */
static enum conv_res convert(struct scap_reader *r, const uint8_t *e, uint64_t off, const uint8_t **out)
{
	enum conv_res res = conv_test(r, e, off);
	int n;

	*out = e;
	if (res != C_CONTINUE)
		return res;
	for (n = 0; n < MAX_CONVERSIONS && res == C_CONTINUE; n++) {
		uint16_t type = ev_type(e);
		uint32_t np = ev_nparams(e);
		const struct conv_entry *ce;

		if (ev_len(e) > MAX_CONV_EVENT) {
			fail(r, off, "event of %u bytes is too large to convert", ev_len(e));
			return C_ERROR;
		}
		ce = conv_find(type, np);
		if (!ce) {
			fail(r, off, "no conversion for event %s with %u parameters (unsupported capture layout)",
			     evtab_schema(type)->sym, np);
			return C_ERROR;
		}
		switch (ce->action) {
		case A_STORE:
			store_put(r, e);
			return C_DROP;
		case A_PASS:
			*out = e;
			return C_PASS;
		case A_STORE_AND_PASS:
			store_put(r, e);
			*out = e;
			return C_PASS;
		default:
			break;
		}
		uint8_t *dst = e == r->conv_out ? r->conv_in : r->conv_out;
		res = conv_build(r, ce, e, dst, off);
		e = dst;
	}
	if (res == C_CONTINUE) {
		fail(r, off, "event conversion did not terminate");
		return C_ERROR;
	}
	*out = e;
	return res;
}

/* ---- events ---- */

/*
 * Upgrade a v1 event (22-byte header) to v2 in place: the header moves 4 bytes back, over
 * the end of the block header and the cpuid already read (@ev is at least 10 bytes into
 * the block), and nparams, recomputed from the lengths, fills the gap.
 */
static int upgrade_v1(struct scap_reader *r, uint8_t *ev, uint32_t avail, uint64_t off,
		      uint8_t **out)
{
	uint32_t len;
	uint16_t type;
	const struct evt_schema *s;
	uint8_t *e = ev - 4;
	int64_t n;

	memcpy(&len, ev + 16, 4);
	memcpy(&type, ev + 20, 2);
	if (len < HDR_V1)
		return fail(r, off, "event length %u is smaller than the v1 header", len);
	if (len > avail)
		return fail(r, off, "event length %u is larger than the %u bytes in its block", len, avail);
	{
		/* all 22 bytes loaded before the overlapping stores, in registers */
		uint64_t w0, w1;
		uint32_t w2;
		uint16_t w3;
		memcpy(&w0, ev, 8);
		memcpy(&w1, ev + 8, 8);
		memcpy(&w2, ev + 16, 4);
		memcpy(&w3, ev + 20, 2);
		memcpy(e, &w0, 8);
		memcpy(e + 8, &w1, 8);
		memcpy(e + 16, &w2, 4);
		memcpy(e + 20, &w3, 2);
	}
	len += 4;
	if (type == PPME_NOTIFICATION_E || type == PPME_INFRASTRUCTURE_EVENT_E) {
		if (len < HDR_V2 + 3)
			return fail(r, off, "notification event too short");
		len -= 3;
	}
	s = tinfo[type].s;
	/*
	 * nparams: the largest n <= the schema's count whose lengths add up to the event
	 * length; from the largest n whose length array fits, the first n that does not
	 * overshoot must match exactly.
	 */
	uint64_t sum = 0, end;
	int64_t maxn = tinfo[type].nparams < 255 ? tinfo[type].nparams : 255;
	if (HDR_V2 + (uint64_t)maxn * 2 > len)
		maxn = len >= HDR_V2 ? (int64_t)((len - HDR_V2) / 2) : -1;
	for (int64_t i = 0; i < maxn; i++) {
		uint16_t l;
		memcpy(&l, e + HDR_V2 + i * 2, 2);
		sum += l;
	}
	/* end of the params if there are n of them, from n = maxn down (usually the first) */
	end = HDR_V2 + (uint64_t)(maxn > 0 ? maxn : 0) * 2 + sum;
	for (n = maxn; n >= 0; n--) {
		if (end < len)
			return fail(r, off, "cannot compute the parameter count of a v1 %s event "
				    "(corrupted capture)", s->sym);
		if (end == len)
			break;
		if (n > 0) {
			uint16_t l;
			memcpy(&l, e + HDR_V2 + (n - 1) * 2, 2);
			end -= 2 + (uint64_t)l;
		}
	}
	if (n < 0)
		return fail(r, off, "cannot compute the parameter count of a v1 %s event (corrupted capture)",
			    s->sym);
	set_len(e, len);
	set_nparams(e, (uint32_t)n);
	*out = e;
	return 1;
}

/* event block kinds: 0 = not an event block */
enum { EK_EVENT = 1, EK_V2 = 2, EK_EVF = 4, EK_LARGE = 8 };

static inline unsigned ev_kind(uint32_t bt)
{
	switch (bt) {
	case SCAP_BT_EV: case SCAP_BT_EV_INT: return EK_EVENT;
	case SCAP_BT_EV_V2: return EK_EVENT | EK_V2;
	case SCAP_BT_EV_V2_LARGE: return EK_EVENT | EK_V2 | EK_LARGE;
	case SCAP_BT_EVF: return EK_EVENT | EK_EVF;
	case SCAP_BT_EVF_V2: return EK_EVENT | EK_V2 | EK_EVF;
	case SCAP_BT_EVF_V2_LARGE: return EK_EVENT | EK_V2 | EK_EVF | EK_LARGE;
	default: return 0;
	}
}

int scap_next(struct scap_reader *r, struct scap_raw *out)
{
	for (;;) {
		uint32_t bt, total;
		uint64_t boff;
		unsigned kind;
		int rc;

		if (r->failed)
			return SCAP_RC_ERROR;
		/*
		 * Fast path: a whole, well-formed event block already in the buffer is taken at
		 * once. Anything else (buffer end, pending header, metadata, a bad length) goes
		 * the general way below, which reports the errors.
		 */
		size_t have = r->ib_end - r->ib_pos;
		if (__builtin_expect(!r->have_pending && have >= 12, 1)) {
			const uint8_t *h = r->ib + r->ib_pos;
			uint32_t trailer;
			memcpy(&bt, h, 4);
			memcpy(&total, h + 4, 4);
			kind = ev_kind(bt);
			if (kind && total >= 12 && total % 4 == 0 && total <= have &&
			    total - 8 <= ((kind & EK_LARGE) ? MAX_BLOCK_BYTES : MAX_NONLARGE_BODY) &&
			    (memcpy(&trailer, h + total - 4, 4), trailer == total)) {
				boff = r->off;
				r->blk = r->ib + r->ib_pos + 8;
				take(r, total);
				if (__builtin_expect(r->last_count < r->ncounts &&
						     r->counts[r->last_count].bt == bt, 1)) {
					r->stats.blocks++;
					r->counts[r->last_count].n++;
				} else {
					count_block(r, bt);
				}
				r->in_events = true;
				r->stats.event_blocks++;
				goto have_block;
			}
		}
		rc = read_header(r, &bt, &total, &boff);
		if (rc <= 0)
			return rc;
		kind = ev_kind(bt);
		if (!kind) {
			if (bt == SCAP_BT_SHB) {
				/* concatenated capture: a new section with its own tables */
				rc = read_section(r, bt, total, boff);
				return rc == 1 ? SCAP_RC_SECTION : rc;
			}
			return fail(r, boff, "unexpected block type 0x%x after the events started "
				    "(corrupted capture)", bt);
		}
		count_block(r, bt);
		r->in_events = true;
		r->stats.event_blocks++;
		if ((rc = read_body(r, bt, total, boff,
				    (kind & EK_LARGE) ? MAX_BLOCK_BYTES : MAX_NONLARGE_BODY)) != 1)
			return rc;
have_block:;
		bool v2 = kind & EK_V2;
		bool evf = kind & EK_EVF;
		uint32_t hdr = v2 ? HDR_V2 : HDR_V1;
		uint32_t body = total - 12;
		uint32_t evoff = evf ? 6 : 2;
		if (body < evoff || body - evoff < hdr)
			return fail(r, boff, "event block too short for its event header (%u bytes)", total);
		memcpy(&out->cpuid, r->blk, 2);
		out->flags = 0;
		if (evf)
			memcpy(&out->flags, r->blk + 2, 4);
		uint8_t *ev = r->blk + evoff;
		uint32_t avail = body - evoff;
		uint16_t type;
		memcpy(&type, ev + 20, 2);
		if (type >= PPM_EVENT_MAX) {
			r->stats.unknown_type++;
			continue;
		}
		if (!v2) {
			if ((rc = upgrade_v1(r, ev, avail, boff, &ev)) != 1)
				return rc;
		} else {
			const char *why = event_check(ev, avail);
			if (why)
				return fail(r, boff, "invalid event: %s", why);
		}
		const uint8_t *res;
		enum conv_res cr = convert(r, ev, boff, &res);
		if (cr == C_ERROR)
			return SCAP_RC_ERROR;
		if (cr == C_DROP) {
			r->stats.conv_dropped++;
			continue;
		}
		out->hdr = res;
		out->len = ev_len(res);
		out->offset = boff;
		out->block_index = r->stats.event_blocks;
		r->stats.delivered++;
		return SCAP_RC_EVENT;
	}
}
