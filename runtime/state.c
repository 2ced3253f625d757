/* SPDX-License-Identifier: Apache-2.0
 *
 * The state tables and the parsers that keep them current. Behaviour follows libsinsp's
 * thread manager, fd tables, user/group manager and parser (and the container plugin for
 * container ids): see runtime/state.h and spec/fields.md §4. Objects (threads, fds) are
 * pooled and keep their string buffers when recycled.
 */
#include <arpa/inet.h>
#include <grp.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "state.h"
#include "jsonr.h"

#define CLONE_STALE_TIME_NS 2000000000ull
#define SP_EVT_BUF_SIZE 4096
#define RECENT_EXITS 8192
#define RECENT_BUCKETS 4096	/* power of 2 */
#define MAX_UID_ENTRIES 65536

/* ---- strings ---- */

static char empty_str[1] = "";

static void str_init(struct frc_str *s)
{
	s->s = empty_str;
	s->len = s->cap = 0;
}

/* a string kept in a buffer right after it in its record (struct frc_thread's comm) */
static bool str_inline(const struct frc_str *s)
{
	return s->s == (const char *)(const void *)(s + 1);
}

static bool str_reserve(struct frc_str *s, size_t n)
{
	if (n + 1 <= s->cap)
		return true;
	size_t nc = s->cap ? s->cap : 16;
	while (nc < n + 1)
		nc *= 2;
	if (nc > UINT32_MAX)
		return false;
	bool inl = str_inline(s);
	char *ns = s->cap && !inl ? realloc(s->s, nc) : malloc(nc);
	if (!ns)
		return false;
	if (inl)
		memcpy(ns, s->s, s->len + 1u);
	s->s = ns;
	s->cap = (uint32_t)nc;
	return true;
}

static void str_set(struct frc_str *s, const char *p, size_t n)
{
	if (n == 0) {
		if (s->cap)
			s->s[0] = '\0';
		s->len = 0;
		return;
	}
	if (!str_reserve(s, n))
		return;
	memmove(s->s, p, n);
	s->s[n] = '\0';
	s->len = (uint32_t)n;
}

static void str_setz(struct frc_str *s, const char *p)
{
	str_set(s, p, strlen(p));
}

static void str_append(struct frc_str *s, const char *p, size_t n)
{
	if (!str_reserve(s, s->len + n))
		return;
	memcpy(s->s + s->len, p, n);
	s->len += (uint32_t)n;
	s->s[s->len] = '\0';
}

static void str_copy(struct frc_str *d, const struct frc_str *s)
{
	str_set(d, s->s, s->len);
}

static void str_free(struct frc_str *s)
{
	if (s->cap && !str_inline(s))
		free(s->s);
	str_init(s);
}

/*
 * comm, exe and cwd of a thread: in the buffer that follows them in the record whenever
 * the text fits (struct frc_thread), else in an allocation as the other strings.
 */
#define ISTR_FOLLOWS(m) \
	_Static_assert(offsetof(struct frc_thread, m##_buf) == \
			       offsetof(struct frc_thread, m) + sizeof(struct frc_str), \
		       #m "_buf right after " #m " (str_inline)")
ISTR_FOLLOWS(comm);
ISTR_FOLLOWS(exe);
ISTR_FOLLOWS(cwd);
#undef ISTR_FOLLOWS

static void istr_init(struct frc_str *s, size_t size)
{
	s->s = (char *)(void *)(s + 1);
	s->s[0] = '\0';
	s->len = 0;
	s->cap = (uint32_t)size;
}

/* str_set() that moves the text back into the buffer when it fits again (@p may point
   into the string's own allocation) */
static void istr_set(struct frc_str *s, size_t size, const char *p, size_t n)
{
	if (n < size && !str_inline(s)) {
		char *old = s->s;
		bool heap = s->cap != 0;
		char *d = (char *)(void *)(s + 1);
		memmove(d, p, n);
		d[n] = '\0';
		s->s = d;
		s->len = (uint32_t)n;
		s->cap = (uint32_t)size;
		if (heap)
			free(old);
		return;
	}
	str_set(s, p, n);
}

/* a new env_id (struct frc_thread): process-wide, so that ids of different states never
   meet either */
static uint64_t env_id_next(void)
{
	static uint64_t last;
	return __atomic_add_fetch(&last, 1, __ATOMIC_RELAXED);
}

#define thr_str_init(t, m) istr_init(&(t)->m, sizeof((t)->m##_buf))
#define thr_str_set(t, m, p, n) istr_set(&(t)->m, sizeof((t)->m##_buf), (p), (n))

static bool str_eq(const struct frc_str *s, const char *p, size_t n)
{
	return s->len == n && memcmp(s->s, p, n) == 0;
}

/* ---- the state ---- */

struct uid_entry {
	uint32_t key;
	bool used;
	void *val;
};

struct uid_map {
	struct uid_entry *e;
	uint32_t cap, n;
};

struct ctr_users {
	char *id;
	struct uid_map users, groups;
};

struct recent_exit {
	uint64_t key, ts;
	int32_t next, prev;	/* chain of the key's bucket (entries with a non-zero key) */
};

struct frc_state {
	struct frc_state_gens gens;	/* first: state_gens() */
	struct frc_state_cfg cfg;
	struct frc_thread **buckets;
	uint32_t nbuckets, nthreads;
	struct frc_tgroup **gbuckets;
	uint32_t ngbuckets, ngroups;
	struct frc_thread *thread_pool;
	struct frc_fd *fd_pool;
	struct frc_tgroup *group_pool;
	struct frc_thread *last;	/* lookup cache */

	struct ctr_users *ctrs;		/* [0] is the host ("") */
	uint32_t nctrs;
	struct frc_container *containers;
	uint32_t ncontainers;
	struct frc_container host_ctr;

	struct frc_iface *ifaces;
	uint32_t nifaces;
	struct scap_machine mi;

	uint16_t *server_ports;
	uint32_t nserver_ports;

	/* delayed work of the current event */
	int64_t remove_tid;
	bool have_remove_tid;
	int64_t rm_fds_tid;
	int64_t rm_fds[8];
	uint32_t nrm_fds;

	struct recent_exit *recent;
	uint32_t recent_at;
	int32_t *recent_heads;	/* RECENT_BUCKETS chains over recent[], -1 terminated */

	struct frc_state_stats stats;
	char tmp[8192];
};

_Static_assert(offsetof(struct frc_state, gens) == 0, "state_gens(): the counters come first");

/* a change the caches of derived values must see (struct frc_state_gens) */
static void gen_thr(struct frc_state *st)
{
	st->gens.thr++;
}

static void gen_usr(struct frc_state *st)
{
	st->gens.usr++;
}

static void gen_ctr(struct frc_state *st)
{
	st->gens.ctr++;
}

/* ---- uid-keyed maps ---- */

static uint32_t hash32(uint32_t k)
{
	k ^= k >> 16;
	k *= 0x7feb352d;
	k ^= k >> 15;
	k *= 0x846ca68b;
	k ^= k >> 16;
	return k;
}

static void *uid_get(const struct uid_map *m, uint32_t key)
{
	if (!m->cap)
		return NULL;
	for (uint32_t i = hash32(key) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
		if (!m->e[i].used)
			return NULL;
		if (m->e[i].key == key)
			return m->e[i].val;
	}
}

static bool uid_put(struct uid_map *m, uint32_t key, void *val)
{
	if ((m->n + 1) * 4 > m->cap * 3) {
		uint32_t nc = m->cap ? m->cap * 2 : 64;
		struct uid_entry *ne = calloc(nc, sizeof(*ne));
		if (!ne)
			return false;
		for (uint32_t i = 0; i < m->cap; i++) {
			if (!m->e[i].used)
				continue;
			uint32_t j = hash32(m->e[i].key) & (nc - 1);
			while (ne[j].used)
				j = (j + 1) & (nc - 1);
			ne[j] = m->e[i];
		}
		free(m->e);
		m->e = ne;
		m->cap = nc;
	}
	uint32_t i = hash32(key) & (m->cap - 1);
	while (m->e[i].used && m->e[i].key != key)
		i = (i + 1) & (m->cap - 1);
	if (!m->e[i].used)
		m->n++;
	m->e[i].used = true;
	m->e[i].key = key;
	m->e[i].val = val;
	return true;
}

/* remove by backward-shift deletion */
static void *uid_del(struct uid_map *m, uint32_t key)
{
	if (!m->cap)
		return NULL;
	uint32_t i = hash32(key) & (m->cap - 1);
	while (m->e[i].used && m->e[i].key != key)
		i = (i + 1) & (m->cap - 1);
	if (!m->e[i].used)
		return NULL;
	void *val = m->e[i].val;
	uint32_t j = i;
	for (;;) {
		m->e[i].used = false;
		for (;;) {
			j = (j + 1) & (m->cap - 1);
			if (!m->e[j].used)
				goto done;
			uint32_t h = hash32(m->e[j].key) & (m->cap - 1);
			if ((j > i && (h <= i || h > j)) || (j < i && (h <= i && h > j)))
				break;
		}
		m->e[i] = m->e[j];
		i = j;
	}
done:
	m->n--;
	return val;
}

static char *xstrdup(const char *s)
{
	return strdup(s ? s : "");
}

static void free_user(struct frc_user *u)
{
	if (!u)
		return;
	free(u->name);
	free(u->home);
	free(u->shell);
	free(u);
}

static void free_group(struct frc_group *g)
{
	if (!g)
		return;
	free(g->name);
	free(g);
}

static void uid_map_free(struct uid_map *m, bool users)
{
	for (uint32_t i = 0; i < m->cap; i++) {
		if (!m->e[i].used)
			continue;
		if (users)
			free_user(m->e[i].val);
		else
			free_group(m->e[i].val);
	}
	free(m->e);
	memset(m, 0, sizeof(*m));
}

/* ---- fds ---- */

static struct frc_fd *fd_alloc(struct frc_state *st)
{
	struct frc_fd *f = st->fd_pool;

	if (f) {
		st->fd_pool = f->pool_next;
	} else {
		/* 64-byte aligned: struct frc_fd keeps what most events read in one line */
		void *mem = NULL;
		if (posix_memalign(&mem, 64, sizeof(*f)))
			return NULL;
		f = memset(mem, 0, sizeof(*f));
		str_init(&f->name);
		str_init(&f->name_raw);
	}
	struct frc_str n = f->name, r = f->name_raw;
	memset(f, 0, sizeof(*f));
	f->name = n;
	f->name_raw = r;
	str_set(&f->name, "", 0);
	str_set(&f->name_raw, "", 0);
	f->fd = -1;
	f->type = SCAP_FD_UNINITIALIZED;
	return f;
}

static void fd_release(struct frc_state *st, struct frc_fd *f)
{
	f->pool_next = st->fd_pool;
	st->fd_pool = f;
}

/* copy everything but the pool link (sinsp_fdinfo::clone) */
static void fd_copy(struct frc_fd *d, const struct frc_fd *s)
{
	struct frc_str n = d->name, r = d->name_raw;
	*d = *s;
	d->name = n;
	d->name_raw = r;
	str_copy(&d->name, &s->name);
	str_copy(&d->name_raw, &s->name_raw);
	d->pool_next = NULL;
}

static void fd_set_name(struct frc_fd *f, const char *p, size_t n)
{
	if (str_eq(&f->name, p, n))
		return;
	str_set(&f->name, p, n);
	f->name_ver++;
}

static uint32_t fdhash(int64_t fd)
{
	return hash32((uint32_t)fd ^ (uint32_t)((uint64_t)fd >> 32));
}

static struct frc_fd *fdt_find(const struct frc_fdtable *t, int64_t fd)
{
	if (!t->cap)
		return NULL;
	for (uint32_t i = fdhash(fd) & (t->cap - 1);; i = (i + 1) & (t->cap - 1)) {
		if (!t->slot[i])
			return NULL;
		if (t->slot[i]->fd == fd)
			return t->slot[i];
	}
}

static bool fdt_grow(struct frc_fdtable *t)
{
	uint32_t nc = t->cap ? t->cap * 2 : 16;
	struct frc_fd **ns = calloc(nc, sizeof(*ns));

	if (!ns)
		return false;
	for (uint32_t i = 0; i < t->cap; i++) {
		struct frc_fd *f = t->slot[i];
		if (!f)
			continue;
		uint32_t j = fdhash(f->fd) & (nc - 1);
		while (ns[j])
			j = (j + 1) & (nc - 1);
		ns[j] = f;
	}
	free(t->slot);
	t->slot = ns;
	t->cap = nc;
	return true;
}

/* insert @f (f->fd set); replaces and returns any previous entry via *old */
static bool fdt_put(struct frc_fdtable *t, struct frc_fd *f, struct frc_fd **old)
{
	*old = NULL;
	if ((t->n + 1) * 4 > t->cap * 3 && !fdt_grow(t))
		return false;
	uint32_t i = fdhash(f->fd) & (t->cap - 1);
	while (t->slot[i] && t->slot[i]->fd != f->fd)
		i = (i + 1) & (t->cap - 1);
	if (t->slot[i])
		*old = t->slot[i];
	else
		t->n++;
	t->slot[i] = f;
	return true;
}

static struct frc_fd *fdt_del(struct frc_fdtable *t, int64_t fd)
{
	if (!t->cap)
		return NULL;
	uint32_t i = fdhash(fd) & (t->cap - 1);
	while (t->slot[i] && t->slot[i]->fd != fd)
		i = (i + 1) & (t->cap - 1);
	struct frc_fd *f = t->slot[i];
	if (!f)
		return NULL;
	uint32_t j = i;
	for (;;) {
		t->slot[i] = NULL;
		for (;;) {
			j = (j + 1) & (t->cap - 1);
			if (!t->slot[j])
				goto done;
			uint32_t h = fdhash(t->slot[j]->fd) & (t->cap - 1);
			if ((j > i && (h <= i || h > j)) || (j < i && (h <= i && h > j)))
				break;
		}
		t->slot[i] = t->slot[j];
		i = j;
	}
done:
	t->n--;
	return f;
}

static void fdt_clear(struct frc_state *st, struct frc_fdtable *t)
{
	for (uint32_t i = 0; i < t->cap; i++) {
		if (t->slot[i]) {
			fd_release(st, t->slot[i]);
			t->slot[i] = NULL;
		}
	}
	t->n = 0;
}

void state_foreach_fd(struct frc_fdtable *ft, bool (*fn)(struct frc_fd *f, void *ctx), void *ctx)
{
	if (!ft)
		return;
	for (uint32_t i = 0; i < ft->cap; i++)
		if (ft->slot[i] && !fn(ft->slot[i], ctx))
			return;
}

/* ---- threads: pool, hash, groups ---- */

static bool is_main_thread(const struct frc_thread *t)
{
	return t->tid == t->pid || (t->flags & PPM_CL_IS_MAIN_THREAD);
}

static bool is_invalid(const struct frc_thread *t)
{
	return t->tid < 0 || t->pid < 0 || t->ptid < 0;
}

static bool is_dead(const struct frc_thread *t)
{
	return t->flags & PPM_CL_CLOSED;
}

static bool in_pidns(const struct frc_thread *t)
{
	return (t->flags & PPM_CL_CHILD_IN_PIDNS) || (t->tid != t->vtid && t->vtid >= 0);
}

static void thread_init(struct frc_thread *t)
{
	struct frc_str keep[11] = { t->comm, t->exe, t->exepath, t->cwd, t->root, t->cmdline,
				    t->args, t->env, t->cgroups };
	struct frc_fdtable fdt = t->fdt;
	uint8_t *le = t->last_evt;
	uint32_t lecap = t->last_evt_cap;

	memset(t, 0, sizeof(*t));
	t->comm = keep[0];
	t->exe = keep[1];
	t->exepath = keep[2];
	t->cwd = keep[3];
	t->root = keep[4];
	t->cmdline = keep[5];
	t->args = keep[6];
	t->env = keep[7];
	t->cgroups = keep[8];
	t->fdt = fdt;
	t->last_evt = le;
	t->last_evt_cap = lecap;
	thr_str_set(t, comm, "", 0);
	thr_str_set(t, exe, "", 0);
	str_set(&t->exepath, "", 0);
	thr_str_set(t, cwd, "", 0);
	str_set(&t->root, "", 0);
	str_set(&t->cmdline, "", 0);
	str_set(&t->args, "", 0);
	str_set(&t->env, "", 0);
	t->env_id = env_id_next();
	str_set(&t->cgroups, "", 0);
	t->pid = t->sid = t->ptid = t->vpgid = t->pgid = -1;
	t->uid = t->gid = t->loginuid = 0xffffffff;
	t->reaper_tid = -1;
	t->lastevent_type = 0xffff;
	t->flags = PPM_CL_NAME_CHANGED;
	t->fdlimit = -1;
	t->vtid = t->vpid = -1;
}

static struct frc_thread *thread_alloc(struct frc_state *st)
{
	struct frc_thread *t = st->thread_pool;

	if (t) {
		st->thread_pool = t->hnext;
	} else {
		/* 64-byte aligned: struct frc_thread groups its members by cache line */
		void *mem = NULL;
		if (posix_memalign(&mem, 64, sizeof(*t)))
			return NULL;
		t = memset(mem, 0, sizeof(*t));
		thr_str_init(t, comm);
		thr_str_init(t, exe);
		str_init(&t->exepath);
		thr_str_init(t, cwd);
		str_init(&t->root);
		str_init(&t->cmdline);
		str_init(&t->args);
		str_init(&t->env);
		str_init(&t->cgroups);
	}
	thread_init(t);
	return t;
}

static void thread_release(struct frc_state *st, struct frc_thread *t)
{
	fdt_clear(st, &t->fdt);
	t->in_table = false;
	t->hnext = st->thread_pool;
	st->thread_pool = t;
}

static uint32_t tidhash(int64_t tid)
{
	return (uint32_t)(((uint64_t)tid * 0x9E3779B97F4A7C15ull) >> 32);
}

static struct frc_thread *thash_find(const struct frc_state *st, int64_t tid)
{
	/* the thread of the last get_thread(): tids are unique in the table and an erased
	   thread clears it */
	if (st->last && st->last->tid == tid)
		return st->last;
	for (struct frc_thread *t = st->buckets[tidhash(tid) & (st->nbuckets - 1)]; t; t = t->hnext)
		if (t->tid == tid)
			return t;
	return NULL;
}

static void thash_grow(struct frc_state *st)
{
	uint32_t nb = st->nbuckets * 2;
	struct frc_thread **b = calloc(nb, sizeof(*b));

	if (!b)
		return;
	for (uint32_t i = 0; i < st->nbuckets; i++) {
		struct frc_thread *t = st->buckets[i], *n;
		for (; t; t = n) {
			n = t->hnext;
			uint32_t j = tidhash(t->tid) & (nb - 1);
			t->hnext = b[j];
			b[j] = t;
		}
	}
	free(st->buckets);
	st->buckets = b;
	st->nbuckets = nb;
}

static void thash_insert(struct frc_state *st, struct frc_thread *t)
{
	if (st->nthreads + 1 > st->nbuckets)
		thash_grow(st);
	uint32_t j = tidhash(t->tid) & (st->nbuckets - 1);
	t->hnext = st->buckets[j];
	st->buckets[j] = t;
	t->in_table = true;
	st->nthreads++;
	gen_thr(st);
}

static void thash_unlink(struct frc_state *st, struct frc_thread *t)
{
	struct frc_thread **pp = &st->buckets[tidhash(t->tid) & (st->nbuckets - 1)];

	gen_thr(st);
	for (; *pp; pp = &(*pp)->hnext) {
		if (*pp == t) {
			*pp = t->hnext;
			st->nthreads--;
			t->in_table = false;
			return;
		}
	}
}

static struct frc_tgroup *group_find(const struct frc_state *st, int64_t pid)
{
	for (struct frc_tgroup *g = st->gbuckets[tidhash(pid) & (st->ngbuckets - 1)]; g; g = g->hnext)
		if (g->pid == pid)
			return g;
	return NULL;
}

static struct frc_tgroup *group_new(struct frc_state *st, int64_t pid, bool reaper)
{
	struct frc_tgroup *g = st->group_pool;

	if (g)
		st->group_pool = g->hnext;
	else if (!(g = malloc(sizeof(*g))))
		return NULL;
	memset(g, 0, sizeof(*g));
	g->pid = pid;
	g->reaper = reaper;
	if (st->ngroups + 1 > st->ngbuckets) {
		uint32_t nb = st->ngbuckets * 2;
		struct frc_tgroup **b = calloc(nb, sizeof(*b));
		if (b) {
			for (uint32_t i = 0; i < st->ngbuckets; i++) {
				struct frc_tgroup *x = st->gbuckets[i], *n;
				for (; x; x = n) {
					n = x->hnext;
					uint32_t j = tidhash(x->pid) & (nb - 1);
					x->hnext = b[j];
					b[j] = x;
				}
			}
			free(st->gbuckets);
			st->gbuckets = b;
			st->ngbuckets = nb;
		}
	}
	uint32_t j = tidhash(pid) & (st->ngbuckets - 1);
	g->hnext = st->gbuckets[j];
	st->gbuckets[j] = g;
	st->ngroups++;
	return g;
}

static void group_unlink_thread(struct frc_thread *t)
{
	struct frc_tgroup *g = t->tg;

	if (!g)
		return;
	if (t->tg_prev)
		t->tg_prev->tg_next = t->tg_next;
	else
		g->head = t->tg_next;
	if (t->tg_next)
		t->tg_next->tg_prev = t->tg_prev;
	else
		g->tail = t->tg_prev;
	t->tg = NULL;
	t->tg_prev = t->tg_next = NULL;
}

static void group_add_thread(struct frc_tgroup *g, struct frc_thread *t, bool main)
{
	t->tg = g;
	if (main) {
		t->tg_prev = NULL;
		t->tg_next = g->head;
		if (g->head)
			g->head->tg_prev = t;
		else
			g->tail = t;
		g->head = t;
	} else {
		t->tg_next = NULL;
		t->tg_prev = g->tail;
		if (g->tail)
			g->tail->tg_next = t;
		else
			g->head = t;
		g->tail = t;
	}
	g->nalive++;
}

static void group_erase(struct frc_state *st, struct frc_tgroup *g)
{
	struct frc_tgroup **pp = &st->gbuckets[tidhash(g->pid) & (st->ngbuckets - 1)];

	gen_thr(st);
	while (g->head)
		group_unlink_thread(g->head);
	for (; *pp; pp = &(*pp)->hnext) {
		if (*pp == g) {
			*pp = g->hnext;
			st->ngroups--;
			break;
		}
	}
	g->hnext = st->group_pool;
	st->group_pool = g;
}

/* children lists */
static void child_unlink(struct frc_thread *c)
{
	struct frc_thread *p = c->parent;

	if (!p)
		return;
	if (c->sib_prev)
		c->sib_prev->sib_next = c->sib_next;
	else
		p->child_head = c->sib_next;
	if (c->sib_next)
		c->sib_next->sib_prev = c->sib_prev;
	p->nchildren--;
	c->parent = NULL;
	c->sib_prev = c->sib_next = NULL;
}

static void add_child(struct frc_thread *p, struct frc_thread *c)
{
	child_unlink(c);
	c->ptid = p->tid;
	c->parent = p;
	c->sib_prev = NULL;
	c->sib_next = p->child_head;
	if (p->child_head)
		p->child_head->sib_prev = c;
	p->child_head = c;
	p->nchildren++;
}

struct frc_thread *state_main_thread(struct frc_thread *t)
{
	if (!t)
		return NULL;
	if (is_main_thread(t))
		return t;
	if (!t->tg)
		return NULL;
	struct frc_thread *m = t->tg->head;
	return m && is_main_thread(m) ? m : NULL;
}

struct frc_fdtable *state_fdtable(struct frc_thread *t)
{
	if (!(t->flags & PPM_CL_CLONE_FILES))
		return &t->fdt;
	struct frc_thread *m = state_main_thread(t);
	return m ? &m->fdt : NULL;
}

struct frc_thread *state_find_thread(const struct frc_state *st, int64_t tid)
{
	return thash_find(st, tid);
}

/* get_fd: lookup that snapshots the name for fd.name_changed */
static struct frc_fd *thread_get_fd(struct frc_thread *t, int64_t fd)
{
	struct frc_fdtable *ft = state_fdtable(t);
	struct frc_fd *f;

	if (!ft)
		return NULL;
	f = fdt_find(ft, fd);
	if (f)
		f->oldname_ver = f->name_ver;
	return f;
}

struct frc_fd *state_thread_fd(struct frc_thread *t, int64_t fd)
{
	struct frc_fdtable *ft = t ? state_fdtable(t) : NULL;
	return ft ? fdt_find(ft, fd) : NULL;
}

/* add @f to the thread's fd table (replacing); returns the stored fd or NULL */
static struct frc_fd *thread_add_fd(struct frc_state *st, struct frc_thread *t, int64_t fd,
				    struct frc_fd *f)
{
	struct frc_fdtable *ft = state_fdtable(t);
	struct frc_fd *old;

	f->fd = fd;
	if (!ft) {
		fd_release(st, f);
		return NULL;
	}
	if (!fdt_find(ft, fd) && ft->n >= st->cfg.max_fds) {
		st->stats.fds_dropped_full++;
		fd_release(st, f);
		return NULL;
	}
	if (!fdt_put(ft, f, &old)) {
		fd_release(st, f);
		return NULL;
	}
	if (old)
		fd_release(st, old);
	st->stats.fds_added++;
	t->lastevent_fd = fd;
	return f;
}

static void thread_remove_fd(struct frc_state *st, struct frc_thread *t, int64_t fd)
{
	struct frc_fdtable *ft = state_fdtable(t);
	struct frc_fd *f = ft ? fdt_del(ft, fd) : NULL;

	if (f) {
		fd_release(st, f);
		st->stats.fds_removed++;
	}
}

/* ---- thread table ---- */

/* drop @t from every structure and recycle it */
static void thread_erase(struct frc_state *st, struct frc_thread *t)
{
	gen_thr(st);
	if (st->last == t)
		st->last = NULL;
	if (t->in_table)
		thash_unlink(st, t);
	group_unlink_thread(t);
	child_unlink(t);
	while (t->child_head) {
		struct frc_thread *c = t->child_head;
		child_unlink(c);
	}
	st->stats.threads_removed++;
	thread_release(st, t);
}

static void create_dependencies(struct frc_state *st, struct frc_thread *t)
{
	if (is_invalid(t) || t->tg)
		return;
	gen_thr(st);
	bool reaper = t->pid == 1 || t->vpid == 1;
	struct frc_tgroup *g = group_find(st, t->pid);
	if (!g && !(g = group_new(st, t->pid, reaper)))
		return;
	group_add_thread(g, t, is_main_thread(t));
	if (t->pid == 1)
		return;
	struct frc_thread *p = thash_find(st, t->ptid);
	if (!p || is_invalid(p)) {
		t->ptid = 0;
		return;
	}
	add_child(p, t);
}

/* add @t (tid set) to the table, replacing any thread with the same tid */
static struct frc_thread *table_add(struct frc_state *st, struct frc_thread *t, bool deps)
{
	struct frc_thread *old = thash_find(st, t->tid);

	if (!old && st->nthreads >= st->cfg.max_threads) {
		st->stats.threads_dropped_full++;
		thread_release(st, t);
		return NULL;
	}
	if (old)
		thread_erase(st, old);
	thash_insert(st, t);
	if (deps)
		create_dependencies(st, t);
	st->stats.threads_added++;
	return t;
}

static struct frc_thread *find_new_reaper(struct frc_state *st, struct frc_thread *t)
{
	if (t->tg && t->tg->nalive > 0)
		for (struct frc_thread *x = t->tg->head; x; x = x->tg_next)
			if (!is_dead(x) && x != t)
				return x;
	/* walk up, stopping on loops (bounded walk) */
	struct frc_thread *p = thash_find(st, t->ptid);
	for (uint32_t steps = 0; p && steps < 4096; steps++) {
		if (p == t)
			break;
		if (in_pidns(p) != in_pidns(t))
			break;
		if (p->tg && p->tg->reaper && p->tg->nalive > 0)
			for (struct frc_thread *x = p->tg->head; x; x = x->tg_next)
				if (!is_dead(x))
					return x;
		struct frc_thread *n = thash_find(st, p->ptid);
		if (n == p)
			break;
		p = n;
	}
	return NULL;
}

static struct frc_thread *get_thread(struct frc_state *st, int64_t tid, bool query_os);

static void remove_thread(struct frc_state *st, int64_t tid)
{
	struct frc_thread *t = thash_find(st, tid);

	if (!t)
		return;
	gen_thr(st);	/* children move to a reaper; the group or the thread may go */
	if (is_invalid(t) || !t->tg) {
		thread_erase(st, t);
		return;
	}
	if (!is_dead(t)) {
		t->tg->nalive--;
		t->flags |= PPM_CL_CLOSED;
	}
	if (t->child_head) {
		struct frc_thread *reaper = NULL;
		if (t->reaper_tid > 0)
			reaper = get_thread(st, t->reaper_tid, true);
		if (!reaper || is_invalid(reaper))
			reaper = find_new_reaper(st, t);
		if (reaper == t)
			reaper = NULL;
		if (reaper) {
			t->reaper_tid = reaper->tid;
			if (reaper->pid != t->pid && reaper->tg)
				reaper->tg->reaper = true;
		}
		while (t->child_head) {
			struct frc_thread *c = t->child_head;
			if (reaper) {
				add_child(reaper, c);
			} else {
				child_unlink(c);
				c->ptid = 0;
			}
		}
	}
	struct frc_tgroup *g = t->tg;
	bool main = is_main_thread(t);
	if (g->nalive == 0) {
		struct frc_thread *m = thash_find(st, g->pid);
		group_erase(st, g);
		if (m && m != t)
			thread_erase(st, m);
		if (main)
			thread_erase(st, t);
	}
	if (!main && thash_find(st, tid) == t)
		thread_erase(st, t);
}

static struct frc_thread *add_fake_thread(struct frc_state *st, int64_t tid)
{
	struct frc_thread *t = thread_alloc(st);

	if (!t)
		return NULL;
	t->tid = tid;
	t->pid = t->ptid = -1;
	thr_str_set(t, comm, "<NA>", 4);
	thr_str_set(t, exe, "<NA>", 4);
	st->stats.fake_threads++;
	return table_add(st, t, true);
}

/* libsinsp get_thread(tid, lookup_only=false) in a capture: find, else a fake thread */
static struct frc_thread *get_thread(struct frc_state *st, int64_t tid, bool query_os)
{
	struct frc_thread *t;

	if (st->last && st->last->tid == tid)
		return st->last;
	t = thash_find(st, tid);
	if (!t && query_os && st->nthreads < st->cfg.max_threads) {
		if (st->cfg.proc_lookup && st->cfg.proc_lookup(st->cfg.proc_lookup_ctx, st, tid))
			t = thash_find(st, tid);
		if (!t)
			t = add_fake_thread(st, tid);
	}
	if (t)
		st->last = t;
	return t;
}

static uint64_t exit_key(int64_t ptid, int64_t tid)
{
	return ((uint64_t)ptid & 0xffffffffull) << 32 | ((uint64_t)tid & 0xffffffffull);
}

static uint32_t recent_bucket(uint64_t k)
{
	return (uint32_t)((k * 0x9E3779B97F4A7C15ull) >> 40) & (RECENT_BUCKETS - 1);
}

static void recent_clear(struct frc_state *st)
{
	memset(st->recent, 0, RECENT_EXITS * sizeof(*st->recent));
	for (uint32_t i = 0; i < RECENT_BUCKETS; i++)
		st->recent_heads[i] = -1;
	st->recent_at = 0;
}

/*
 * The last RECENT_EXITS exits in a ring; entries with a non-zero key are also chained by
 * key hash, so that a clone looks up its child in a few steps instead of scanning the
 * ring (the zero key, of unused entries too, is looked up by a scan).
 */
static void record_recent_exit(struct frc_state *st, int64_t tid, int64_t ptid, uint64_t ts)
{
	int32_t i = (int32_t)st->recent_at;
	struct recent_exit *x = &st->recent[i];

	if (x->key) {
		if (x->prev >= 0)
			st->recent[x->prev].next = x->next;
		else
			st->recent_heads[recent_bucket(x->key)] = x->next;
		if (x->next >= 0)
			st->recent[x->next].prev = x->prev;
	}
	x->key = exit_key(ptid, tid);
	x->ts = ts;
	if (x->key) {
		int32_t *h = &st->recent_heads[recent_bucket(x->key)];
		x->prev = -1;
		x->next = *h;
		if (*h >= 0)
			st->recent[*h].prev = i;
		*h = i;
	}
	st->recent_at = (st->recent_at + 1) % RECENT_EXITS;
}

static bool recent_match(const struct recent_exit *x, uint64_t k, uint64_t ts)
{
	return x->key == k && ts >= x->ts && ts - x->ts < CLONE_STALE_TIME_NS;
}

static bool recently_exited(const struct frc_state *st, int64_t tid, int64_t ptid, uint64_t ts)
{
	uint64_t k = exit_key(ptid, tid);

	if (!k) {
		for (uint32_t i = 0; i < RECENT_EXITS; i++)
			if (recent_match(&st->recent[i], k, ts))
				return true;
		return false;
	}
	for (int32_t i = st->recent_heads[recent_bucket(k)]; i >= 0; i = st->recent[i].next)
		if (recent_match(&st->recent[i], k, ts))
			return true;
	return false;
}

size_t state_nthreads(const struct frc_state *st)
{
	return st->nthreads;
}

void state_foreach_thread(struct frc_state *st, bool (*fn)(struct frc_thread *t, void *ctx), void *ctx)
{
	for (uint32_t i = 0; i < st->nbuckets; i++)
		for (struct frc_thread *t = st->buckets[i], *n; t; t = n) {
			n = t->hnext;
			if (!fn(t, ctx))
				return;
		}
}

/* ---- users and groups (libsinsp usergroup manager) ---- */

static struct ctr_users *ctr_users(struct frc_state *st, const char *cid, bool create)
{
	for (uint32_t i = 0; i < st->nctrs; i++)
		if (st->ctrs[i].id[0] == cid[0] && strcmp(st->ctrs[i].id, cid) == 0)
			return &st->ctrs[i];
	if (!create)
		return NULL;
	gen_usr(st);
	struct ctr_users *n = realloc(st->ctrs, (st->nctrs + 1) * sizeof(*n));
	if (!n)
		return NULL;
	st->ctrs = n;
	memset(&n[st->nctrs], 0, sizeof(n[0]));
	n[st->nctrs].id = xstrdup(cid);
	return &n[st->nctrs++];
}

static const struct frc_user *put_user(struct frc_state *st, const char *cid, uint32_t uid,
				       uint32_t gid, const char *name, const char *home,
				       const char *shell)
{
	struct ctr_users *cu = ctr_users(st, cid, true);
	struct frc_user *u;

	gen_usr(st);
	if (!cu)
		return NULL;
	u = uid_get(&cu->users, uid);
	if (u) {
		char *nn = xstrdup(name), *nh = xstrdup(home), *ns = xstrdup(shell);
		free(u->name);
		free(u->home);
		free(u->shell);
		u->name = nn;
		u->home = nh;
		u->shell = ns;
		return u;
	}
	if (cu->users.n >= MAX_UID_ENTRIES)
		return NULL;
	u = calloc(1, sizeof(*u));
	if (!u)
		return NULL;
	u->uid = uid;
	u->gid = gid;
	u->name = xstrdup(name);
	u->home = xstrdup(home);
	u->shell = xstrdup(shell);
	if (!uid_put(&cu->users, uid, u)) {
		free_user(u);
		return NULL;
	}
	return u;
}

void state_add_user(struct frc_state *st, const char *cid, uint32_t uid, uint32_t gid,
		    const char *name, const char *home, const char *shell)
{
	if (name && (name[0] == '+' || name[0] == '-'))
		return;	/* NSS entries */
	put_user(st, cid ? cid : "", uid, gid, name, home, shell);
}

void state_add_group(struct frc_state *st, const char *cid, uint32_t gid, const char *name)
{
	struct ctr_users *cu = ctr_users(st, cid ? cid : "", true);
	struct frc_group *g;

	gen_usr(st);
	if (!cu)
		return;
	if (name && (name[0] == '+' || name[0] == '-'))
		return;
	g = uid_get(&cu->groups, gid);
	if (g) {
		char *nn = xstrdup(name);
		free(g->name);
		g->name = nn;
		return;
	}
	if (cu->groups.n >= MAX_UID_ENTRIES)
		return;
	g = calloc(1, sizeof(*g));
	if (!g)
		return;
	g->gid = gid;
	g->name = xstrdup(name);
	if (!uid_put(&cu->groups, gid, g))
		free_group(g);
}

/*
 * The container's /etc/passwd through /proc/PID/root. Events are handled after the fact:
 * a short-lived process (a setuid helper, `login` run as nobody) is often gone, or a
 * zombie without a root, by then. Its living ancestors in the same container see the same
 * file, so they are tried next (a bounded walk); the walk stops at a process that is alive
 * (its root resolves), where a missing passwd means the container has none.
 */
static FILE *open_container_passwd(const struct frc_state *st, const char *cid, int64_t pid)
{
	char path[64];
	FILE *f;

	for (int hop = 0; hop < 16 && pid > 0; hop++) {
		snprintf(path, sizeof(path), "/proc/%lld/root/etc/passwd", (long long)pid);
		f = fopen(path, "re");
		if (f)
			return f;
		snprintf(path, sizeof(path), "/proc/%lld/root/", (long long)pid);
		if (access(path, F_OK) == 0)
			return NULL;	/* alive: the container has no passwd */
		const struct frc_thread *t = thash_find(st, pid);
		const struct frc_thread *p = t ? thash_find(st, t->ptid) : NULL;
		if (!p || p->pid == pid || strcmp(p->container_id, cid) != 0)
			return NULL;
		pid = p->pid;
	}
	return NULL;
}

/* container users from /proc/PID/root/etc/passwd (live only) */
static void load_container_users(struct frc_state *st, const char *cid, int64_t pid)
{
	FILE *f;
	char line[1024];

	if (!st->cfg.live || pid <= 0)
		return;
	f = open_container_passwd(st, cid, pid);
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *fld[7];
		int n = 0;
		char *p = line, *nl = strchr(line, '\n');
		if (nl)
			*nl = '\0';
		while (n < 7) {
			fld[n++] = p;
			p = strchr(p, ':');
			if (!p)
				break;
			*p++ = '\0';
		}
		if (n < 7)
			continue;
		char *end1, *end2;
		unsigned long u = strtoul(fld[2], &end1, 10), g = strtoul(fld[3], &end2, 10);
		if (*end1 || *end2 || !*fld[2] || !*fld[3] || u > UINT32_MAX || g > UINT32_MAX)
			continue;
		put_user(st, cid, (uint32_t)u, (uint32_t)g, fld[0], fld[5], fld[6]);
	}
	fclose(f);
}

/* libsinsp add_user(container, pid, uid, gid) without a name: root, host db, container */
static void ensure_user(struct frc_state *st, const char *cid, int64_t pid, uint32_t uid, uint32_t gid)
{
	struct ctr_users *cu;

	if (uid == 0xffffffff)
		return;
	cu = ctr_users(st, cid, false);
	if (cu && uid_get(&cu->users, uid))
		return;
	if (uid == 0) {
		put_user(st, cid, uid, gid, "root", "/root", "");
		return;
	}
	if (cid[0]) {
		load_container_users(st, cid, pid);
		return;
	}
	if (st->cfg.host_user_lookup) {
		struct passwd pw, *res = NULL;
		char buf[4096];
		if (getpwuid_r(uid, &pw, buf, sizeof(buf), &res) == 0 && res)
			state_add_user(st, "", res->pw_uid, res->pw_gid, res->pw_name ? res->pw_name : "",
				       res->pw_dir ? res->pw_dir : "", res->pw_shell ? res->pw_shell : "");
	}
}

static void ensure_group(struct frc_state *st, const char *cid, uint32_t gid)
{
	struct ctr_users *cu;

	if (gid == 0xffffffff)
		return;
	cu = ctr_users(st, cid, false);
	if (cu && uid_get(&cu->groups, gid))
		return;
	if (gid == 0) {
		state_add_group(st, cid, gid, "root");
		return;
	}
	if (cid[0])
		return;	/* container groups are not read (libsinsp does not either) */
	if (st->cfg.host_user_lookup) {
		struct group gr, *res = NULL;
		char buf[8192];
		if (getgrgid_r(gid, &gr, buf, sizeof(buf), &res) == 0 && res)
			state_add_group(st, "", res->gr_gid, res->gr_name ? res->gr_name : "");
	}
}

const struct frc_user *state_user(const struct frc_state *st, const char *cid, uint32_t uid)
{
	for (uint32_t i = 0; i < st->nctrs; i++)
		if (st->ctrs[i].id[0] == cid[0] && strcmp(st->ctrs[i].id, cid) == 0)
			return uid_get(&st->ctrs[i].users, uid);
	return NULL;
}

const struct frc_group *state_group(const struct frc_state *st, const char *cid, uint32_t gid)
{
	for (uint32_t i = 0; i < st->nctrs; i++)
		if (st->ctrs[i].id[0] == cid[0] && strcmp(st->ctrs[i].id, cid) == 0)
			return uid_get(&st->ctrs[i].groups, gid);
	return NULL;
}

/* ---- containers ---- */

static void container_free(struct frc_container *c)
{
	free(c->id);
	free(c->name);
	free(c->image);
	free(c->imagerepo);
	free(c->imagetag);
	free(c->ip);
	free(c->user);
	for (uint32_t i = 0; i < c->nmounts; i++) {
		free(c->mounts[i].source);
		free(c->mounts[i].dest);
		free(c->mounts[i].mode);
		free(c->mounts[i].propagation);
	}
	free(c->mounts);
	for (uint32_t i = 0; i < c->nlabels * 2; i++)
		free(c->labels[i]);
	free(c->labels);
	memset(c, 0, sizeof(*c));
}

const struct frc_container *state_container(const struct frc_state *st, const char *id)
{
	if (!id[0])
		return &st->host_ctr;
	for (uint32_t i = 0; i < st->ncontainers; i++)	/* first byte first: ids differ early */
		if (st->containers[i].id[0] == id[0] && strcmp(st->containers[i].id, id) == 0)
			return &st->containers[i];
	return NULL;
}

static char *json_dup_str(const struct jsonr_val *obj, const char *key)
{
	const struct jsonr_val *v = jsonr_get(obj, key);
	return xstrdup(v && v->kind == JSONR_STR ? v->str : "");
}

static bool json_bool(const struct jsonr_val *obj, const char *key)
{
	const struct jsonr_val *v = jsonr_get(obj, key);
	return v && v->kind == JSONR_TRUE;
}

bool state_add_container_json(struct frc_state *st, const char *json, size_t len)
{
	struct jsonr *doc = jsonr_parse(json, len);
	const struct jsonr_val *c;
	struct frc_container nc;

	if (!doc)
		return false;
	c = jsonr_get(jsonr_root(doc), "container");
	if (!c || c->kind != JSONR_OBJ) {
		jsonr_free(doc);
		return false;
	}
	memset(&nc, 0, sizeof(nc));
	nc.id = json_dup_str(c, "id");
	nc.name = json_dup_str(c, "name");
	nc.image = json_dup_str(c, "image");
	nc.imagerepo = json_dup_str(c, "imagerepo");
	nc.imagetag = json_dup_str(c, "imagetag");
	nc.ip = json_dup_str(c, "ip");
	nc.user = json_dup_str(c, "User");
	nc.privileged = json_bool(c, "privileged");
	const struct jsonr_val *m = jsonr_get(c, "Mounts");
	if (m && m->kind == JSONR_ARR && m->n) {
		nc.mounts = calloc(m->n, sizeof(*nc.mounts));
		for (uint32_t i = 0; nc.mounts && i < m->n; i++) {
			const struct jsonr_val *e = &m->items[i];
			nc.mounts[i].source = json_dup_str(e, "Source");
			nc.mounts[i].dest = json_dup_str(e, "Destination");
			nc.mounts[i].mode = json_dup_str(e, "Mode");
			nc.mounts[i].propagation = json_dup_str(e, "Propagation");
			nc.mounts[i].rdwr = json_bool(e, "RW");
			nc.nmounts++;
		}
	}
	const struct jsonr_val *l = jsonr_get(c, "labels");
	if (l && l->kind == JSONR_OBJ && l->n) {
		nc.labels = calloc(l->n * 2, sizeof(char *));
		for (uint32_t i = 0; nc.labels && i < l->n; i++) {
			const struct jsonr_val *e = &l->items[i];
			nc.labels[2 * i] = xstrdup(e->key);
			nc.labels[2 * i + 1] = xstrdup(e->kind == JSONR_STR ? e->str : "");
			nc.nlabels++;
		}
	}
	jsonr_free(doc);
	gen_ctr(st);
	for (uint32_t i = 0; i < st->ncontainers; i++) {
		if (strcmp(st->containers[i].id, nc.id) == 0) {
			container_free(&st->containers[i]);
			st->containers[i] = nc;
			return true;
		}
	}
	struct frc_container *arr = realloc(st->containers, (st->ncontainers + 1) * sizeof(*arr));
	if (!arr) {
		container_free(&nc);
		return false;
	}
	st->containers = arr;
	arr[st->ncontainers++] = nc;
	return true;
}

/* container plugin matchers (runc-style layouts, containerd, lxc, libvirt-lxc, bpm) */
static bool ends_with(const char *s, size_t n, const char *suf)
{
	size_t k = strlen(suf);
	return n >= k && memcmp(s + n - k, suf, k) == 0;
}

static size_t rfind(const char *s, size_t n, const char *pat, size_t pl)
{
	if (pl > n || pl == 0)
		return pl == 0 ? n : (size_t)-1;
	for (size_t i = n - pl + 1; i-- > 0;)
		if (s[i] == pat[0] && memcmp(s + i, pat, pl) == 0)
			return i;
	return (size_t)-1;
}

static bool runc_match(const char *cg, size_t n, const char *pre, size_t prel, const char *suf,
		       bool containerd, char *out, size_t outsz)
{
	size_t start = rfind(cg, n, pre, prel), end;

	if (start == (size_t)-1)
		return false;
	start += prel;
	if (!suf[0]) {
		end = n;
	} else {
		end = rfind(cg, n, suf, strlen(suf));
		if (end == (size_t)-1)
			return false;
	}
	size_t len = end - start;	/* wraps when end < start, as in the plugin */
	if (len == 64) {
		size_t first_bad = (size_t)-1;
		for (size_t i = start; i < n; i++) {
			if (!strchr("0123456789abcdefABCDEF", cg[i])) {
				first_bad = i;
				break;
			}
		}
		if (first_bad >= 64) {
			snprintf(out, outsz, "%.*s", 12, cg + start);
			return true;
		}
	}
	if (len > 64 || len == 0)
		return false;
	if (containerd && !ends_with(cg, n, ".service") && !ends_with(cg, n, ".slice") &&
	    !ends_with(cg, n, ".scope")) {
		snprintf(out, outsz, "%.*s", (int)(len >= 12 ? 12 : len), cg + start);
		return true;
	}
	return false;
}

struct layout {
	const char *pre, *suf;
};

static bool runc_layouts(const char *cg, size_t n, const struct layout *l, char *out, size_t outsz)
{
	for (; l->pre; l++)
		if (runc_match(cg, n, l->pre, strlen(l->pre), l->suf, false, out, outsz))
			return true;
	return false;
}

static bool is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

/* first match of /[A-Za-z0-9]+([._-][A-Za-z0-9]+)*\/ (the containerd namespace) */
static bool containerd_ns(const char *cg, size_t n, size_t *ms, size_t *me)
{
	for (size_t i = 0; i < n; i++) {
		if (cg[i] != '/')
			continue;
		size_t j = i + 1;
		if (j >= n || !is_alnum(cg[j]))
			continue;
		while (j < n) {
			while (j < n && is_alnum(cg[j]))
				j++;
			if (j + 1 < n && (cg[j] == '.' || cg[j] == '_' || cg[j] == '-') && is_alnum(cg[j + 1]))
				j++;
			else
				break;
		}
		if (j < n && cg[j] == '/') {
			*ms = i;
			*me = j + 1;
			return true;
		}
	}
	return false;
}

void state_container_id_from_cgroup(const char *cg, size_t n, char *out, size_t outsz)
{
	static const struct layout podman[] = {
		{ "/libpod-", ".scope" }, { "/libpod-", ".scope/container" }, { "/libpod-", "" },
		{ "/libpod-payload-", ".scope" }, { "/libpod-payload-", ".scope/container" },
		{ "/libpod-payload-", "" }, { NULL, NULL },
	};
	static const struct layout docker[] = {
		{ "/", "" }, { "/docker-", ".scope" }, { NULL, NULL },
	};
	static const struct layout cri[] = {
		{ "/", "" }, { "/crio-", "" }, { "/cri-containerd-", ".scope" }, { "/crio-", ".scope" },
		{ ":cri-containerd:", "" }, { "/docker-", ".scope" }, { "/nerdctl-", ".scope" },
		{ NULL, NULL },
	};
	size_t ms, me;

	out[0] = '\0';
	if (!n)
		return;
	if (runc_layouts(cg, n, podman, out, outsz) || runc_layouts(cg, n, docker, out, outsz) ||
	    runc_layouts(cg, n, cri, out, outsz))
		return;
	if (containerd_ns(cg, n, &ms, &me)) {
		if (runc_match(cg, n, cg + ms, me - ms, "", true, out, outsz))
			return;
	}
	/* lxc, libvirt-lxc and bpm are disabled by default in the plugin */
	out[0] = '\0';
}

static void container_id_of(const struct frc_thread *t, char *out, size_t outsz)
{
	const char *p = t->cgroups.s, *end = t->cgroups.s + t->cgroups.len;

	out[0] = '\0';
	for (uint32_t i = 0; i < t->ncgroups && p < end; i++) {
		size_t l = strlen(p);
		const char *eq = memchr(p, '=', l);
		if (eq && eq + 1 < p + l) {
			state_container_id_from_cgroup(eq + 1, (size_t)(p + l - eq - 1), out, outsz);
			if (out[0])
				return;
		}
		p += l + 1;
	}
}

/* the thread's container id from its cgroups; a change moves the counters of the tables
   looked up by container id */
static void compute_container_id(struct frc_state *st, struct frc_thread *t)
{
	char id[sizeof(t->container_id)];

	container_id_of(t, id, sizeof(id));
	if (strcmp(id, t->container_id) != 0) {
		gen_usr(st);
		gen_ctr(st);
		memcpy(t->container_id, id, sizeof(id));
	}
}

/* ---- interfaces and machine ---- */

void state_add_iface(struct frc_state *st, const struct scap_iface *ifc)
{
	struct frc_iface *n = realloc(st->ifaces, (st->nifaces + 1) * sizeof(*n));

	if (!n)
		return;
	st->ifaces = n;
	memset(&n[st->nifaces], 0, sizeof(n[0]));
	n[st->nifaces].family = ifc->family;
	memcpy(n[st->nifaces].addr, ifc->addr, 16);
	memcpy(n[st->nifaces].netmask, ifc->netmask, 16);
	st->nifaces++;
}

void state_set_machine(struct frc_state *st, const struct scap_machine *mi)
{
	st->mi = *mi;
}

const struct scap_machine *state_machine(const struct frc_state *st)
{
	return &st->mi;
}

static uint32_t rd32(const uint8_t *p)
{
	uint32_t v;
	memcpy(&v, p, 4);
	return v;
}

/* infer_ipv4_address: the interface address to patch an incomplete tuple with */
static uint32_t infer_ipv4(const struct frc_state *st, uint32_t dst)
{
	for (uint32_t i = 0; i < st->nifaces; i++)
		if (st->ifaces[i].family == 4 && rd32(st->ifaces[i].addr) == dst)
			return dst;
	for (uint32_t i = 0; i < st->nifaces; i++) {
		const struct frc_iface *f = &st->ifaces[i];
		if (f->family == 4 && (rd32(f->addr) & rd32(f->netmask)) == (dst & rd32(f->netmask)))
			return rd32(f->addr);
	}
	for (uint32_t i = 0; i < st->nifaces; i++)
		if (st->ifaces[i].family == 4 && rd32(st->ifaces[i].addr) != htonl(INADDR_LOOPBACK))
			return rd32(st->ifaces[i].addr);
	return 0;
}

static const uint8_t zero16[16];

static void infer_ipv6(const struct frc_state *st, const uint8_t *dst, uint8_t *out)
{
	static const uint8_t lo[16] = { [15] = 1 };

	for (uint32_t i = 0; i < st->nifaces; i++)
		if (st->ifaces[i].family == 6 && memcmp(st->ifaces[i].addr, dst, 16) == 0) {
			memcpy(out, dst, 16);
			return;
		}
	for (uint32_t i = 0; i < st->nifaces; i++)
		if (st->ifaces[i].family == 6 && memcmp(st->ifaces[i].addr, dst, 8) == 0) {
			memcpy(out, st->ifaces[i].addr, 16);
			return;
		}
	for (uint32_t i = 0; i < st->nifaces; i++)
		if (st->ifaces[i].family == 6 && memcmp(st->ifaces[i].addr, lo, 16) != 0) {
			memcpy(out, st->ifaces[i].addr, 16);
			return;
		}
	memset(out, 0, 16);
}

/* network_interfaces::update_fd: patch a tuple missing one address */
static void ifaces_update_fd(const struct frc_state *st, struct frc_fd *f)
{
	if (f->type == SCAP_FD_IPV4_SOCK) {
		uint32_t sip = f->sock.v4.sip, dip = f->sock.v4.dip;
		if (sip && dip)
			return;
		if (!sip) {
			uint32_t na = infer_ipv4(st, dip);
			if (na == dip && f->sock.v4.sport == f->sock.v4.dport)
				return;
			f->sock.v4.sip = na;
		} else {
			uint32_t na = infer_ipv4(st, sip);
			if (na == sip && f->sock.v4.sport == f->sock.v4.dport)
				return;
			f->sock.v4.dip = na;
		}
	} else if (f->type == SCAP_FD_IPV6_SOCK) {
		uint8_t na[16];
		if (memcmp(f->sock.v6.sip, zero16, 16) && memcmp(f->sock.v6.dip, zero16, 16))
			return;
		if (!memcmp(f->sock.v6.sip, zero16, 16)) {
			infer_ipv6(st, f->sock.v6.dip, na);
			if (!memcmp(na, f->sock.v6.dip, 16) && f->sock.v6.sport == f->sock.v6.dport)
				return;
			memcpy(f->sock.v6.sip, na, 16);
		} else {
			infer_ipv6(st, f->sock.v6.sip, na);
			if (!memcmp(na, f->sock.v6.sip, 16) && f->sock.v6.sport == f->sock.v6.dport)
				return;
			memcpy(f->sock.v6.dip, na, 16);
		}
	}
}

bool state_ip_is_local(const struct frc_state *st, struct frc_thread *t, int family, const uint8_t *addr)
{
	if (family == 4) {
		uint32_t a = rd32(addr);
		if (t && t->container_id[0]) {
			const struct frc_container *c = state_container(st, t->container_id);
			struct in_addr in;
			if (c && c->ip[0]) {
				if (inet_pton(AF_INET, c->ip, &in) == 1 && in.s_addr == a)
					return true;
			} else {
				for (uint32_t i = 0; i < st->ncontainers; i++)
					if (st->containers[i].ip[0] &&
					    inet_pton(AF_INET, st->containers[i].ip, &in) == 1 && in.s_addr == a)
						return true;
				return false;
			}
		}
		for (uint32_t i = 0; i < st->nifaces; i++)
			if (st->ifaces[i].family == 4 && rd32(st->ifaces[i].addr) == a)
				return true;
		return false;
	}
	if (t && t->container_id[0])
		return false;
	for (uint32_t i = 0; i < st->nifaces; i++)
		if (st->ifaces[i].family == 6 && memcmp(st->ifaces[i].addr, addr, 8) == 0)
			return true;
	return false;
}

/* ---- thread attributes ---- */

/* split a NUL-separated blob (trailing NUL optional) into the item layout we keep */
static uint32_t set_list(struct frc_str *dst, const char *p, size_t n)
{
	uint32_t cnt = 0;

	if (n > 0 && p[n - 1] == '\0')
		n--;
	if (n == 0) {
		str_set(dst, "", 0);
		return 0;
	}
	if (!str_reserve(dst, n + 1))
		return 0;
	memmove(dst->s, p, n);
	dst->s[n] = '\0';
	dst->len = (uint32_t)(n + 1);
	for (size_t i = 0; i <= n; i++)
		if (dst->s[i] == '\0')
			cnt++;
	return cnt;
}

/* libsinsp set_args: the command line is computed now, from the current comm */
static void thread_set_args(struct frc_thread *t, const char *p, size_t n)
{
	t->nargs = set_list(&t->args, p, n);
	str_copy(&t->cmdline, &t->comm);
	t->args_at = 0;
	if (t->cmdline.len) {
		const char *a = t->args.s;
		for (uint32_t i = 0; i < t->nargs; i++) {
			size_t l = strlen(a);
			str_append(&t->cmdline, " ", 1);
			str_append(&t->cmdline, a, l);
			a += l + 1;
		}
		/* the items fill the list (set_list): after the name and a space, the command
		   line is the arguments joined with spaces (proc.args), unless an append ran
		   out of memory */
		if (t->nargs && t->cmdline.len == t->comm.len + t->args.len)
			t->args_at = t->comm.len + 1;
	}
}

/* would set_list(&@t->env, @p, @n) leave the bytes of @o->env? */
static bool env_same(const struct frc_thread *o, const char *p, size_t n)
{
	if (n > 0 && p[n - 1] == '\0')
		n--;
	if (n == 0)
		return o->env.len == 0;
	return o->env.len == n + 1 && memcmp(o->env.s, p, n) == 0 && o->env.s[n] == '\0';
}

/* the environment; its id is @t's own or @parent's (may be NULL) when the content is
   theirs, else a new one */
static void thread_set_env(struct frc_thread *t, const struct frc_thread *parent, const char *p,
			   size_t n)
{
	const struct frc_thread *o = env_same(t, p, n) ? t
				     : parent && env_same(parent, p, n) ? parent : NULL;
	uint64_t id = o ? o->env_id : 0;
	uint32_t nenv = o ? o->nenv : 0;

	t->nenv = set_list(&t->env, p, n);
	t->env_id = o && t->nenv == nenv && env_same(t, p, n) ? id : env_id_next();
}

/* @c's environment copied from @p's (clone), with @p's id when the copy took place */
static void thread_copy_env(struct frc_thread *c, const struct frc_thread *p)
{
	str_copy(&c->env, &p->env);
	c->nenv = p->nenv;
	c->env_id = c->env.len == p->env.len && !memcmp(c->env.s, p->env.s, p->env.len)
		    ? p->env_id : env_id_next();
}

/* libsinsp set_cgroups: normalise subsystem names; keep the old list on a bad entry */
static void thread_set_cgroups(struct frc_state *st, struct frc_thread *t, const char *p, size_t n)
{
	char *o = st->tmp;
	size_t at = 0;
	uint32_t cnt = 0;

	if (n > 0 && p[n - 1] == '\0')
		n--;
	if (n == 0) {
		str_set(&t->cgroups, "", 0);
		t->ncgroups = 0;
		return;
	}
	for (size_t s = 0; s <= n;) {
		const char *item = p + s;
		size_t il = strnlen(item, n - s);
		const char *eq = memchr(item, '=', il);
		if (!eq)
			return;
		char sub[256];
		size_t sl = (size_t)(eq - item);
		if (sl >= sizeof(sub))
			sl = sizeof(sub) - 1;
		memcpy(sub, item, sl);
		sub[sl] = '\0';
		char *cg = strstr(sub, "_cgroup");
		if (cg)
			memmove(cg, cg + 7, strlen(cg + 7) + 1);
		const char *name = sub;
		if (!strcmp(sub, "perf"))
			name = "perf_event";
		else if (!strcmp(sub, "mem"))
			name = "memory";
		else if (!strcmp(sub, "io"))
			name = "blkio";
		size_t nl = strlen(name), pl = il - (size_t)(eq - item) - 1;
		if (at + nl + 1 + pl + 1 > sizeof(st->tmp))
			break;
		memcpy(o + at, name, nl);
		at += nl;
		o[at++] = '=';
		memcpy(o + at, eq + 1, pl);
		at += pl;
		o[at++] = '\0';
		cnt++;
		s += il + 1;
	}
	str_set(&t->cgroups, o, at);	/* items keep their NULs; len counts the last one */
	t->ncgroups = cnt;
}

static void thread_set_exepath(struct frc_thread *t, const char *p, size_t n)
{
	static const char suf[] = " (deleted)";
	if (n > sizeof(suf) - 1 && memcmp(p + n - (sizeof(suf) - 1), suf, sizeof(suf) - 1) == 0)
		n -= sizeof(suf) - 1;
	str_set(&t->exepath, p, n);
}

/* libsinsp update_cwd: concatenated with the calling thread's own cwd, stored on the main */
static void thread_update_cwd(struct frc_thread *t, const char *p, size_t n)
{
	struct frc_thread *m = state_main_thread(t);
	char buf[1024];
	size_t l;

	if (!m)
		return;
	l = state_concat_paths(t->cwd.s, t->cwd.len, p, n, buf);
	if (l == 0 || buf[l - 1] != '/') {
		if (l < sizeof(buf) - 1)
			buf[l++] = '/';
		buf[l] = '\0';
	}
	thr_str_set(m, cwd, buf, l);
}

const char *state_cwd(struct frc_thread *t)
{
	struct frc_thread *m = state_main_thread(t);
	return m ? m->cwd.s : "./";
}

/* ---- seeding ---- */

struct frc_thread *state_add_thread(struct frc_state *st, const struct scap_thread_rec *r)
{
	struct frc_thread *t = thread_alloc(st);

	if (!t)
		return NULL;
	t->tid = r->tid;
	t->pid = r->pid;
	t->ptid = r->ptid;
	t->sid = r->sid;
	t->vpgid = r->vpgid;
	t->pgid = r->pgid;
	thr_str_set(t, comm, r->comm ? r->comm : "", r->comm ? strlen(r->comm) : 0);
	thr_str_set(t, exe, r->exe ? r->exe : "", r->exe ? strlen(r->exe) : 0);
	thread_set_exepath(t, r->exepath ? r->exepath : "", r->exepath ? strlen(r->exepath) : 0);
	t->exe_writable = r->exe_writable;
	t->exe_upper_layer = r->exe_upper_layer;
	t->exe_lower_layer = r->exe_lower_layer;
	t->exe_from_memfd = r->exe_from_memfd;
	thread_set_args(t, r->args ? r->args : "", r->args ? r->args_len : 0);
	if (is_main_thread(t)) {
		/* a process usually has its parent's environment (a /proc scan adds parents
		   first) */
		thread_set_env(t, state_main_thread(state_find_thread(st, r->ptid)),
			       r->env ? r->env : "", r->env ? r->env_len : 0);
		thread_update_cwd(t, r->cwd ? r->cwd : "", r->cwd ? strlen(r->cwd) : 0);
	}
	t->flags |= r->flags | PPM_CL_ACTIVE;
	t->fdlimit = r->fdlimit;
	t->cap_permitted = r->cap_permitted;
	t->cap_effective = r->cap_effective;
	t->cap_inheritable = r->cap_inheritable;
	t->exe_ino = r->exe_ino;
	t->exe_ino_ctime = r->exe_ino_ctime;
	t->exe_ino_mtime = r->exe_ino_mtime;
	t->vmsize_kb = r->vmsize_kb;
	t->vmrss_kb = r->vmrss_kb;
	t->vmswap_kb = r->vmswap_kb;
	t->pfmajor = r->pfmajor;
	t->pfminor = r->pfminor;
	t->vtid = r->vtid;
	t->vpid = r->vpid;
	t->pidns_init_start_ts = r->pidns_init_start_ts;
	t->tty = r->tty;
	thread_set_cgroups(st, t, r->cgroups ? r->cgroups : "", r->cgroups ? r->cgroups_len : 0);
	str_setz(&t->root, r->root ? r->root : "");
	t->gid = r->gid;
	t->uid = r->uid;
	t->loginuid = r->loginuid;
	ensure_user(st, "", t->pid, t->uid, t->gid);
	ensure_group(st, "", t->gid);
	return table_add(st, t, false);
}

size_t state_fmt_tuple4(uint32_t sip, uint16_t sport, uint32_t dip, uint16_t dport, char *buf,
			size_t size)
{
	const uint8_t *a = (const uint8_t *)&sip, *b = (const uint8_t *)&dip;
	int n = snprintf(buf, size, "%u.%u.%u.%u:%u->%u.%u.%u.%u:%u", a[0], a[1], a[2], a[3], sport, b[0],
			 b[1], b[2], b[3], dport);
	return n < 0 ? 0 : (size_t)n < size ? (size_t)n : size - 1;
}

static size_t fmt_tuple6(const uint8_t *sip, uint16_t sport, const uint8_t *dip, uint16_t dport,
			 char *buf, size_t size)
{
	char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
	if (!inet_ntop(AF_INET6, sip, a, sizeof(a)) || !inet_ntop(AF_INET6, dip, b, sizeof(b))) {
		buf[0] = '\0';
		return 0;
	}
	int n = snprintf(buf, size, "%s:%u->%s:%u", a, sport, b, dport);
	return n < 0 ? 0 : (size_t)n < size ? (size_t)n : size - 1;
}

static size_t fmt_serv4(uint32_t ip, uint16_t port, char *buf, size_t size)
{
	const uint8_t *a = (const uint8_t *)&ip;
	int n = snprintf(buf, size, "%u.%u.%u.%u:%u", a[0], a[1], a[2], a[3], port);
	return n < 0 ? 0 : (size_t)n < size ? (size_t)n : size - 1;
}

static size_t fmt_serv6(const uint8_t *ip, uint16_t port, char *buf, size_t size)
{
	char a[INET6_ADDRSTRLEN];
	if (!inet_ntop(AF_INET6, ip, a, sizeof(a))) {
		buf[0] = '\0';
		return 0;
	}
	int n = snprintf(buf, size, "%s:%u", a, port);
	return n < 0 ? 0 : (size_t)n < size ? (size_t)n : size - 1;
}

static bool is_v4_mapped(const uint8_t *a)
{
	for (int i = 0; i < 10; i++)
		if (a[i])
			return false;
	return (a[10] == 0xff && a[11] == 0xff) ||
	       (a[10] == 0 && a[11] == 0 && a[12] == 0 && a[13] == 0 && a[14] == 0 && a[15] == 0);
}

/* sinsp_utils::sockinfo_to_str */
size_t state_fmt_sockinfo(const struct frc_fd *f, char *buf, size_t size)
{
	int n = 0;

	buf[0] = '\0';
	if (f->type == SCAP_FD_IPV4_SOCK) {
		const uint8_t *a = (const uint8_t *)&f->sock.v4.sip, *b = (const uint8_t *)&f->sock.v4.dip;
		uint8_t l4 = f->sock.v4.l4proto;
		if (l4 == SCAP_L4_TCP || l4 == SCAP_L4_UDP)
			return state_fmt_tuple4(f->sock.v4.sip, f->sock.v4.sport, f->sock.v4.dip,
						f->sock.v4.dport, buf, size);
		if (l4 == SCAP_L4_ICMP || l4 == SCAP_L4_RAW)
			n = snprintf(buf, size, "%u.%u.%u.%u->%u.%u.%u.%u", a[0], a[1], a[2], a[3], b[0],
				     b[1], b[2], b[3]);
		else
			n = snprintf(buf, size, "<unknown>");
	} else if (f->type == SCAP_FD_IPV6_SOCK) {
		const uint8_t *a = f->sock.v6.sip, *b = f->sock.v6.dip;
		uint8_t l4 = f->sock.v6.l4proto;
		bool mapped = is_v4_mapped(a) && is_v4_mapped(b);
		if (l4 == SCAP_L4_TCP || l4 == SCAP_L4_UDP) {
			if (mapped) {
				uint32_t s4, d4;
				memcpy(&s4, a + 12, 4);
				memcpy(&d4, b + 12, 4);
				/* libsinsp reads the ports through the IPv4 view here */
				return state_fmt_tuple4(s4, f->sock.v4.sport, d4, f->sock.v4.dport, buf, size);
			}
			return fmt_tuple6(a, f->sock.v6.sport, b, f->sock.v6.dport, buf, size);
		}
		if (l4 == SCAP_L4_ICMP) {
			if (mapped) {
				n = snprintf(buf, size, "%u.%u.%u.%u->%u.%u.%u.%u", a[12], a[13], a[14], a[15],
					     b[12], b[13], b[14], b[15]);
			} else {
				char x[INET6_ADDRSTRLEN], y[INET6_ADDRSTRLEN];
				if (inet_ntop(AF_INET6, a, x, sizeof(x)) && inet_ntop(AF_INET6, b, y, sizeof(y)))
					n = snprintf(buf, size, "%s->%s", x, y);
			}
		} else {
			n = snprintf(buf, size, "<unknown>");
		}
	}
	return n < 0 ? 0 : (size_t)n < size ? (size_t)n : size - 1;
}

static void add_server_port(struct frc_state *st, uint16_t port)
{
	for (uint32_t i = 0; i < st->nserver_ports; i++)
		if (st->server_ports[i] == port)
			return;
	uint16_t *n = realloc(st->server_ports, (st->nserver_ports + 1) * sizeof(*n));
	if (!n)
		return;
	st->server_ports = n;
	n[st->nserver_ports++] = port;
}

bool state_add_fd(struct frc_state *st, const struct scap_fd_rec *r)
{
	struct frc_thread *t = thash_find(st, r->tid);
	struct frc_fd *f, *old;
	char buf[256];
	size_t n;

	if (!t || r->type == SCAP_FD_UNKNOWN || r->type == SCAP_FD_UNINITIALIZED)
		return false;
	f = fd_alloc(st);
	if (!f)
		return false;
	f->type = r->type;
	f->flags = FDF_FROM_PROC;
	f->ino = r->ino;
	f->fd = r->fd;
	switch (r->type) {
	case SCAP_FD_IPV4_SOCK:
		memcpy(&f->sock.v4.sip, r->sip, 4);
		memcpy(&f->sock.v4.dip, r->dip, 4);
		f->sock.v4.sport = r->sport;
		f->sock.v4.dport = r->dport;
		f->sock.v4.l4proto = r->l4proto;
		if (r->l4proto == SCAP_L4_TCP)
			f->flags |= FDF_SOCKET_CONNECTED;
		ifaces_update_fd(st, f);
		n = state_fmt_tuple4(f->sock.v4.sip, f->sock.v4.sport, f->sock.v4.dip, f->sock.v4.dport,
				     buf, sizeof(buf));
		fd_set_name(f, buf, n);
		break;
	case SCAP_FD_IPV4_SERVSOCK:
		memcpy(&f->sock.v4srv.ip, r->sip, 4);
		f->sock.v4srv.port = r->sport;
		f->sock.v4srv.l4proto = r->l4proto;
		fd_set_name(f, buf, fmt_serv4(f->sock.v4srv.ip, f->sock.v4srv.port, buf, sizeof(buf)));
		add_server_port(st, f->sock.v4srv.port);
		break;
	case SCAP_FD_IPV6_SOCK:
		if (is_v4_mapped(r->sip) && is_v4_mapped(r->dip)) {
			f->type = SCAP_FD_IPV4_SOCK;
			memcpy(&f->sock.v4.sip, r->sip + 12, 4);
			memcpy(&f->sock.v4.dip, r->dip + 12, 4);
			f->sock.v4.sport = r->sport;
			f->sock.v4.dport = r->dport;
			f->sock.v4.l4proto = r->l4proto;
			if (r->l4proto == SCAP_L4_TCP)
				f->flags |= FDF_SOCKET_CONNECTED;
			ifaces_update_fd(st, f);
			n = state_fmt_tuple4(f->sock.v4.sip, f->sock.v4.sport, f->sock.v4.dip,
					     f->sock.v4.dport, buf, sizeof(buf));
			fd_set_name(f, buf, n);
		} else {
			memcpy(f->sock.v6.sip, r->sip, 16);
			memcpy(f->sock.v6.dip, r->dip, 16);
			f->sock.v6.sport = r->sport;
			f->sock.v6.dport = r->dport;
			f->sock.v6.l4proto = r->l4proto;
			if (r->l4proto == SCAP_L4_TCP)
				f->flags |= FDF_SOCKET_CONNECTED;
			n = fmt_tuple6(f->sock.v6.sip, f->sock.v6.sport, f->sock.v6.dip, f->sock.v6.dport, buf,
				       sizeof(buf));
			fd_set_name(f, buf, n);
		}
		break;
	case SCAP_FD_IPV6_SERVSOCK:
		memcpy(f->sock.v6srv.ip, r->sip, 16);
		f->sock.v6srv.port = r->sport;
		f->sock.v6srv.l4proto = r->l4proto;
		fd_set_name(f, buf, fmt_serv6(f->sock.v6srv.ip, f->sock.v6srv.port, buf, sizeof(buf)));
		add_server_port(st, f->sock.v6srv.port);
		break;
	case SCAP_FD_UNIX_SOCK:
		f->sock.un.src = r->unix_src;
		f->sock.un.dst = r->unix_dst;
		fd_set_name(f, r->name, strlen(r->name));
		f->flags |= r->name[0] ? FDF_ROLE_SERVER : FDF_ROLE_CLIENT;
		break;
	case SCAP_FD_FILE_V2:
		f->openflags = r->open_flags;
		fd_set_name(f, r->name, strlen(r->name));
		f->dev = r->dev;
		break;
	default:
		fd_set_name(f, r->name, strlen(r->name));
		break;
	}
	f->name_ver = f->oldname_ver = 0;
	if (t->fdt.n >= st->cfg.max_fds && !fdt_find(&t->fdt, f->fd)) {
		fd_release(st, f);
		return false;
	}
	if (!fdt_put(&t->fdt, f, &old)) {
		fd_release(st, f);
		return false;
	}
	if (old)
		fd_release(st, old);
	return true;
}

/* fix_sockets_coming_from_proc: table IPv4 sockets become client or (swapped) server */
static void fix_proc_sockets(struct frc_state *st)
{
	char buf[128];

	for (uint32_t b = 0; b < st->nbuckets; b++)
		for (struct frc_thread *t = st->buckets[b]; t; t = t->hnext)
			for (uint32_t i = 0; i < t->fdt.cap; i++) {
				struct frc_fd *f = t->fdt.slot[i];
				bool server = false;
				if (!f || f->type != SCAP_FD_IPV4_SOCK)
					continue;
				for (uint32_t k = 0; k < st->nserver_ports; k++)
					server |= st->server_ports[k] == f->sock.v4.sport;
				if (!server) {
					f->flags |= FDF_ROLE_CLIENT;
					continue;
				}
				uint32_t ip = f->sock.v4.sip;
				uint16_t port = f->sock.v4.sport;
				f->sock.v4.sip = f->sock.v4.dip;
				f->sock.v4.dip = ip;
				f->sock.v4.sport = f->sock.v4.dport;
				f->sock.v4.dport = port;
				size_t n = state_fmt_tuple4(f->sock.v4.sip, f->sock.v4.sport, f->sock.v4.dip,
							    f->sock.v4.dport, buf, sizeof(buf));
				fd_set_name(f, buf, n);
				f->oldname_ver = f->name_ver;
				f->flags |= FDF_ROLE_SERVER;
			}
}

void state_finish_load(struct frc_state *st)
{
	for (uint32_t b = 0; b < st->nbuckets; b++)
		for (struct frc_thread *t = st->buckets[b]; t; t = t->hnext)
			create_dependencies(st, t);
	fix_proc_sockets(st);
	for (uint32_t b = 0; b < st->nbuckets; b++)
		for (struct frc_thread *t = st->buckets[b]; t; t = t->hnext)
			compute_container_id(st, t);
}

int state_load_scap(struct frc_state *st, const struct scap_reader *r)
{
	size_t n;
	const struct scap_thread_rec *th = scap_threads(r, &n);

	state_set_machine(st, scap_machine(r));
	for (size_t i = 0; i < n; i++)
		state_add_thread(st, &th[i]);
	const struct scap_fd_rec *fd = scap_fds(r, &n);
	for (size_t i = 0; i < n; i++) {
		if (!thash_find(st, fd[i].tid))
			continue;
		state_add_fd(st, &fd[i]);
	}
	const struct scap_iface *ifc = scap_ifaces(r, &n);
	for (size_t i = 0; i < n; i++)
		state_add_iface(st, &ifc[i]);
	const struct scap_user *u = scap_users(r, &n);
	for (size_t i = 0; i < n; i++)
		state_add_user(st, "", u[i].uid, u[i].gid, u[i].name, u[i].home, u[i].shell);
	const struct scap_group *g = scap_groups(r, &n);
	for (size_t i = 0; i < n; i++)
		state_add_group(st, "", g[i].gid, g[i].name);
	state_finish_load(st);
	return 0;
}

/* ---- parsers (libsinsp sinsp_parser) ---- */

static int64_t ret_of(const struct frc_evt *e)
{
	return event_has_return_value(e) ? event_return_value(e) : 0;
}

/* param @i as an integer of its natural width, or @def when absent/empty */
static int64_t pint(const struct frc_evt *e, uint32_t i, int64_t def)
{
	int64_t v;
	return event_int(e, i, &v) ? v : def;
}

static bool pempty(const struct frc_evt *e, uint32_t i)
{
	return i >= e->nparams || e->pl[i] == 0;
}

/* CHARBUF/FSPATH param as libsinsp reads it: empty or "(NULL)" become "<NA>" */
static const char *pstr(const struct frc_evt *e, uint32_t i, size_t *n)
{
	const char *s = event_str(e, i, n);

	if (!s || *n == 0 || (e->pl[i] == 7 && memcmp(s, "(NULL)", 7) == 0)) {
		*n = 4;
		return "<NA>";
	}
	return s;
}

static struct frc_fd *new_fd(struct frc_state *st)
{
	return fd_alloc(st);
}

static void schedule_fd_removal(struct frc_state *st, struct frc_thread *t, int64_t fd)
{
	if (st->nrm_fds && st->rm_fds_tid != t->tid)
		st->nrm_fds = 0;	/* one thread per event */
	st->rm_fds_tid = t->tid;
	if (st->nrm_fds < sizeof(st->rm_fds) / sizeof(st->rm_fds[0]))
		st->rm_fds[st->nrm_fds++] = fd;
}

/* the stored enter event of the exit @e (libsinsp retrieve_enter_event) */
static bool retrieve_enter(struct frc_state *st, struct frc_evt *e, struct frc_evt *enter)
{
	struct frc_thread *t = e->thr;

	if (!t || !t->lastevent_valid || !t->last_evt_len) {
		st->stats.enter_missing++;
		return false;
	}
	memset(enter, 0, sizeof(*enter));
	if (event_decode(enter, t->last_evt, t->last_evt_len))
		return false;
	enter->thr = t;
	if (e->type == PPME_SYSCALL_EXECVE_19_X && enter->type == PPME_SYSCALL_EXECVEAT_E) {
		st->stats.enter_retrieved++;
		return true;
	}
	if (enter->type != e->type - 1) {
		t->lastevent_valid = false;
		st->stats.enter_missing++;
		return false;
	}
	st->stats.enter_retrieved++;
	return true;
}

static void store_enter(struct frc_state *st, struct frc_evt *e)
{
	struct frc_thread *t = e->thr;

	if (!t || e->len > SP_EVT_BUF_SIZE)
		return;
	if (t->last_evt_cap < e->len) {
		uint8_t *n = realloc(t->last_evt, SP_EVT_BUF_SIZE);
		if (!n)
			return;
		t->last_evt = n;
		t->last_evt_cap = SP_EVT_BUF_SIZE;
	}
	memcpy(t->last_evt, e->raw, e->len);
	t->last_evt_len = e->len;
	t->lastevent_valid = true;
	st->stats.enter_stored++;
}

/* snprintf(out, size, "%s", s) without the format machinery (per-event path) */
static size_t copy_str(char *out, size_t size, const char *s)
{
	size_t n = strlen(s);

	if (size) {
		size_t c = n < size ? n : size - 1;
		memcpy(out, s, c);
		out[c] = '\0';
	}
	return n;
}

/* parse_dirfd: the directory a relative path is resolved against */
static size_t parse_dirfd(struct frc_thread *t, const char *name, size_t nl, int64_t dirfd, char *out,
			  size_t size)
{
	int n;

	if (nl > 0 && name[0] == '/')
		return (size_t)snprintf(out, size, ".");
	if (!t)
		return (size_t)snprintf(out, size, "<UNKNOWN>");
	if (dirfd == PPM_AT_FDCWD)
		return copy_str(out, size, state_cwd(t));
	struct frc_fd *f = thread_get_fd(t, dirfd);
	if (!f)
		return (size_t)snprintf(out, size, "<UNKNOWN>");
	if (f->name.len == 0 || f->name.s[f->name.len - 1] == '/')
		n = (int)copy_str(out, size, f->name.s);
	else
		n = snprintf(out, size, "%s/", f->name.s);
	return n < 0 ? 0 : (size_t)n < size ? (size_t)n : size - 1;
}

static void parse_open(struct frc_state *st, struct frc_evt *e)
{
	struct frc_thread *t = e->thr;
	struct frc_evt enter;
	bool have_enter = false;
	const char *name = "";
	size_t nl = 0;
	uint32_t flags = 0, dev = 0;
	uint64_t ino = 0;
	char sdir[1100], full[1024];
	size_t sdl = 0;
	int64_t fd;

	if (!t)
		return;
	if (e->type != PPME_SYSCALL_OPEN_BY_HANDLE_AT_X)
		have_enter = retrieve_enter(st, e, &enter);
	fd = ret_of(e);
	sdir[0] = '\0';
	switch (e->type) {
	case PPME_SYSCALL_OPEN_X:
		name = pstr(e, 1, &nl);
		flags = (uint32_t)pint(e, 2, 0);
		if (!pempty(e, 4)) {
			dev = (uint32_t)pint(e, 4, 0);
			if (!pempty(e, 5))
				ino = (uint64_t)pint(e, 5, 0);
		}
		if (have_enter) {
			size_t en;
			const char *ename = pstr(&enter, 0, &en);
			if (strcmp(ename, "<NA>") != 0) {
				name = ename;
				nl = en;
				flags = (uint32_t)pint(&enter, 1, 0) | (flags & ~(PPM_O_F_CREATED - 1));
			}
		}
		sdl = copy_str(sdir, sizeof(sdir), state_cwd(t));
		break;
	case PPME_SYSCALL_CREAT_X:
		name = pstr(e, 1, &nl);
		if (!pempty(e, 3)) {
			dev = (uint32_t)pint(e, 3, 0);
			if (!pempty(e, 4)) {
				ino = (uint64_t)pint(e, 4, 0);
				if (!pempty(e, 5)) {
					uint32_t cf = (uint32_t)pint(e, 5, 0);
					if (cf & PPM_FD_UPPER_LAYER_CREAT)
						flags |= PPM_FD_UPPER_LAYER;
					else if (cf & PPM_FD_LOWER_LAYER_CREAT)
						flags |= PPM_FD_LOWER_LAYER;
				}
			}
		}
		if (have_enter) {
			size_t en;
			const char *ename = pstr(&enter, 0, &en);
			if (strcmp(ename, "<NA>") != 0) {
				name = ename;
				nl = en;
			}
		}
		sdl = copy_str(sdir, sizeof(sdir), state_cwd(t));
		break;
	case PPME_SYSCALL_OPENAT_2_X:
	case PPME_SYSCALL_OPENAT2_X: {
		const struct frc_evt *dsrc = e;
		uint32_t dirfd_idx = 1;
		name = "<NA>";
		nl = 4;
		if (!pempty(e, 2))
			name = pstr(e, 2, &nl);
		if (!pempty(e, 3))
			flags = (uint32_t)pint(e, 3, 0);
		uint32_t di = e->type == PPME_SYSCALL_OPENAT_2_X ? 5 : 6;
		if (!pempty(e, di + 1)) {
			dev = (uint32_t)pint(e, di, 0);
			ino = (uint64_t)pint(e, di + 1, 0);
		}
		if (have_enter) {
			size_t en;
			const char *ename = pstr(&enter, 1, &en);
			if (strcmp(ename, "<NA>") != 0) {
				name = ename;
				nl = en;
				flags = (uint32_t)pint(&enter, 2, 0) | (flags & ~(PPM_O_F_CREATED - 1));
				dsrc = &enter;
				dirfd_idx = 0;
			}
		}
		if (!pempty(dsrc, dirfd_idx))
			sdl = parse_dirfd(t, name, nl, pint(dsrc, dirfd_idx, 0), sdir, sizeof(sdir));
		else
			sdl = 0;
		break;
	}
	case PPME_SYSCALL_OPEN_BY_HANDLE_AT_X:
		flags = (uint32_t)pint(e, 2, 0);
		name = pstr(e, 3, &nl);
		if (e->nparams > 4) {
			dev = (uint32_t)pint(e, 4, 0);
			if (e->nparams > 5)
				ino = (uint64_t)pint(e, 5, 0);
		}
		break;
	default:
		return;
	}
	size_t fl = state_concat_paths(sdir, sdl, name, nl, full);
	if (fd >= 0) {
		struct frc_fd *f = new_fd(st);
		if (!f)
			return;
		f->type = (flags & PPM_O_DIRECTORY) ? SCAP_FD_DIRECTORY : SCAP_FD_FILE_V2;
		f->openflags = flags;
		f->dev = dev;
		f->ino = ino;
		str_set(&f->name_raw, name, nl);
		fd_set_name(f, full, fl);
		if (flags & PPM_FD_UPPER_LAYER)
			f->flags |= FDF_OVERLAY_UPPER;
		if (flags & PPM_FD_LOWER_LAYER)
			f->flags |= FDF_OVERLAY_LOWER;
		e->fdi = thread_add_fd(st, t, fd, f);
	}
}

static void add_socket(struct frc_state *st, struct frc_evt *e, int64_t fd, uint32_t domain,
		       uint32_t type, uint32_t proto, uint32_t flags)
{
	struct frc_fd *f = new_fd(st);

	if (!f)
		return;
	memset(&f->sock, 0, sizeof(f->sock));
	f->type = SCAP_FD_UNKNOWN;
	f->sock.v4.l4proto = SCAP_L4_UNKNOWN;
	f->openflags = flags;
	if (domain == PPM_AF_UNIX) {
		f->type = SCAP_FD_UNIX_SOCK;
	} else if (domain == PPM_AF_INET || domain == PPM_AF_INET6) {
		uint8_t l4 = SCAP_L4_UNKNOWN;
		enum { SOCK_STREAM_ = 1, SOCK_DGRAM_ = 2, SOCK_RAW_ = 3 };
		enum { IP_ = 0, ICMP_ = 1, TCP_ = 6, UDP_ = 17, RAW_ = 255 };
		f->type = domain == PPM_AF_INET ? SCAP_FD_IPV4_SOCK : SCAP_FD_IPV6_SOCK;
		if (proto == TCP_)
			l4 = type == SOCK_RAW_ ? SCAP_L4_RAW : SCAP_L4_TCP;
		else if (proto == UDP_)
			l4 = type == SOCK_RAW_ ? SCAP_L4_RAW : SCAP_L4_UDP;
		else if (proto == IP_) {
			if ((type & 0xff) == SOCK_STREAM_)
				l4 = SCAP_L4_TCP;
			else if ((type & 0xff) == SOCK_DGRAM_)
				l4 = SCAP_L4_UDP;
		} else if (proto == ICMP_)
			l4 = type == SOCK_RAW_ ? SCAP_L4_RAW : SCAP_L4_ICMP;
		else if (proto == RAW_)
			l4 = SCAP_L4_RAW;
		if (domain == PPM_AF_INET)
			f->sock.v4.l4proto = l4;
		else {
			memset(&f->sock, 0, sizeof(f->sock));
			f->sock.v6.l4proto = l4;
		}
	} else if (domain == PPM_AF_NETLINK) {
		f->type = SCAP_FD_NETLINK;
	}
	e->fdi = thread_add_fd(st, e->thr, fd, f);
}

static bool sockaddr_valid(const struct frc_evt *e, uint32_t i)
{
	if (pempty(e, i))
		return false;
	const uint8_t *p = e->pv[i];
	uint32_t l = e->pl[i];
	switch (p[0]) {
	case PPM_AF_INET: return l >= 7;
	case PPM_AF_INET6: return l >= 19;
	case PPM_AF_UNIX: return l >= 2 && p[l - 1] == '\0';
	default: return true;
	}
}

static bool socktuple_valid(const struct frc_evt *e, uint32_t i)
{
	if (pempty(e, i))
		return false;
	const uint8_t *p = e->pv[i];
	uint32_t l = e->pl[i];
	switch (p[0]) {
	case PPM_AF_INET: return l >= 13;
	case PPM_AF_INET6: return l >= 37;
	case PPM_AF_UNIX: return l >= 18 && p[l - 1] == '\0';
	default: return true;
	}
}

/* update_ipv4_addresses_and_ports */
static bool set_v4(struct frc_fd *f, uint32_t sip, uint16_t sport, uint32_t dip, uint16_t dport,
		   bool overwrite)
{
	bool changed = false;

	if (f->type == SCAP_FD_IPV4_SOCK &&
	    ((sip == f->sock.v4.sip && sport == f->sock.v4.sport && dip == f->sock.v4.dip &&
	      dport == f->sock.v4.dport) ||
	     (dip == f->sock.v4.sip && dport == f->sock.v4.sport && sip == f->sock.v4.dip &&
	      sport == f->sock.v4.dport)))
		return false;
	if (f->sock.v4.sip != sip) {
		f->sock.v4.sip = sip;
		changed = true;
	}
	if (f->sock.v4.sport != sport) {
		f->sock.v4.sport = sport;
		changed = true;
	}
	if (f->sock.v4.dip == 0 || (overwrite && f->sock.v4.dip != dip)) {
		f->sock.v4.dip = dip;
		changed = true;
	}
	if (f->sock.v4.dport == 0 || (overwrite && f->sock.v4.dport != dport)) {
		f->sock.v4.dport = dport;
		changed = true;
	}
	return changed;
}

static bool set_v6(struct frc_fd *f, const uint8_t *sip, uint16_t sport, const uint8_t *dip,
		   uint16_t dport, bool overwrite)
{
	bool changed = false;

	if (f->type == SCAP_FD_IPV6_SOCK &&
	    ((!memcmp(sip, f->sock.v6.sip, 16) && sport == f->sock.v6.sport &&
	      !memcmp(dip, f->sock.v6.dip, 16) && dport == f->sock.v6.dport) ||
	     (!memcmp(dip, f->sock.v6.sip, 16) && dport == f->sock.v6.sport &&
	      !memcmp(sip, f->sock.v6.dip, 16) && sport == f->sock.v6.dport)))
		return false;
	if (memcmp(f->sock.v6.sip, sip, 16)) {
		memcpy(f->sock.v6.sip, sip, 16);
		changed = true;
	}
	if (f->sock.v6.sport != sport) {
		f->sock.v6.sport = sport;
		changed = true;
	}
	if (!memcmp(f->sock.v6.dip, zero16, 16) || (overwrite && memcmp(f->sock.v6.dip, dip, 16))) {
		memcpy(f->sock.v6.dip, dip, 16);
		changed = true;
	}
	if (f->sock.v6.dport == 0 || (overwrite && f->sock.v6.dport != dport)) {
		f->sock.v6.dport = dport;
		changed = true;
	}
	return changed;
}

static uint16_t rd16(const uint8_t *p)
{
	uint16_t v;
	memcpy(&v, p, 2);
	return v;
}

static void swap_addresses(struct frc_fd *f)
{
	if (f->type == SCAP_FD_IPV4_SOCK) {
		uint32_t ip = f->sock.v4.sip;
		uint16_t port = f->sock.v4.sport;
		f->sock.v4.sip = f->sock.v4.dip;
		f->sock.v4.sport = f->sock.v4.dport;
		f->sock.v4.dip = ip;
		f->sock.v4.dport = port;
	} else {
		uint8_t ip[16];
		uint16_t port = f->sock.v6.sport;
		memcpy(ip, f->sock.v6.sip, 16);
		memcpy(f->sock.v6.sip, f->sock.v6.dip, 16);
		f->sock.v6.sport = f->sock.v6.dport;
		memcpy(f->sock.v6.dip, ip, 16);
		f->sock.v6.dport = port;
	}
}

/* SOCKTUPLE/SOCKADDR params rendered as in event params (PF_SIMPLE) */
static size_t fmt_tuple_param(const uint8_t *p, uint32_t l, char *buf, size_t size)
{
	int n = 0;

	if (l == 0)
		return (size_t)snprintf(buf, size, "NULL");
	switch (p[0]) {
	case PPM_AF_UNIX: {
		uint64_t s, d;
		memcpy(&s, p + 1, 8);
		memcpy(&d, p + 9, 8);
		n = snprintf(buf, size, "%llx->%llx %.*s", (unsigned long long)s, (unsigned long long)d,
			     (int)strnlen((const char *)p + 17, l - 17), (const char *)p + 17);
		break;
	}
	case PPM_AF_INET:
		return state_fmt_tuple4(rd32(p + 1), rd16(p + 5), rd32(p + 7), rd16(p + 11), buf, size);
	case PPM_AF_INET6:
		if (is_v4_mapped(p + 1) && is_v4_mapped(p + 19))
			return state_fmt_tuple4(rd32(p + 13), rd16(p + 17), rd32(p + 31), rd16(p + 35), buf,
						size);
		return fmt_tuple6(p + 1, rd16(p + 17), p + 19, rd16(p + 35), buf, size);
	default:
		n = snprintf(buf, size, "family %d", p[0]);
	}
	return n < 0 ? 0 : (size_t)n < size ? (size_t)n : size - 1;
}

static size_t fmt_sockaddr_param(const uint8_t *p, uint32_t l, char *buf, size_t size)
{
	int n;

	if (l == 0)
		return (size_t)snprintf(buf, size, "<NA>");
	switch (p[0]) {
	case PPM_AF_UNIX:
		n = snprintf(buf, size, "%.*s", (int)strnlen((const char *)p + 1, l - 1), (const char *)p + 1);
		break;
	case PPM_AF_INET:
		return fmt_serv4(rd32(p + 1), rd16(p + 5), buf, size);
	case PPM_AF_INET6:
		return fmt_serv6(p + 1, rd16(p + 17), buf, size);
	default:
		n = snprintf(buf, size, "family %d", p[0]);
	}
	return n < 0 ? 0 : (size_t)n < size ? (size_t)n : size - 1;
}

/* update_fd: absorb a tuple seen on a read/write; false if nothing changed. A new destination
 * replaces the old one (libsinsp update_fd: overwrite_dest defaults to true), e.g. a UDP socket
 * sending to another peer after a connect. */
static bool update_fd(struct frc_state *st, struct frc_evt *e, uint32_t pi)
{
	struct frc_fd *f = e->fdi;

	if (!socktuple_valid(e, pi))
		return false;
	const uint8_t *p = e->pv[pi];
	if (p[0] == PPM_AF_INET) {
		if (f->type == SCAP_FD_IPV4_SERVSOCK)
			f->sock.v4.l4proto = f->sock.v4srv.l4proto;
		f->type = SCAP_FD_IPV4_SOCK;
		if (!set_v4(f, rd32(p + 1), rd16(p + 5), rd32(p + 7), rd16(p + 11), true))
			return false;
	} else if (p[0] == PPM_AF_INET6) {
		if (is_v4_mapped(p + 1) && is_v4_mapped(p + 19)) {
			f->type = SCAP_FD_IPV4_SOCK;
			if (!set_v4(f, rd32(p + 13), rd16(p + 17), rd32(p + 31), rd16(p + 35), true))
				return false;
		} else if (!set_v6(f, p + 1, rd16(p + 17), p + 19, rd16(p + 35), true)) {
			return false;
		}
	} else if (p[0] == PPM_AF_UNIX) {
		uint32_t l = e->pl[pi];
		f->type = SCAP_FD_UNIX_SOCK;
		memcpy(&f->sock.un.src, p + 1, 8);
		memcpy(&f->sock.un.dst, p + 9, 8);
		fd_set_name(f, (const char *)p + 17, strnlen((const char *)p + 17, l - 17));
		return true;
	}
	if (f->type == SCAP_FD_IPV4_SOCK && f->sock.v4.l4proto == SCAP_L4_UNKNOWN)
		f->sock.v4.l4proto = SCAP_L4_UDP;
	else if (f->type == SCAP_FD_IPV6_SOCK && f->sock.v6.l4proto == SCAP_L4_UNKNOWN)
		f->sock.v6.l4proto = SCAP_L4_UDP;
	ifaces_update_fd(st, f);
	return true;
}

static bool bound_to_port(struct frc_thread *t, uint16_t port)
{
	struct frc_fdtable *ft = state_fdtable(t);

	if (!ft)
		return false;
	for (uint32_t i = 0; i < ft->cap; i++) {
		struct frc_fd *f = ft->slot[i];
		if (!f)
			continue;
		if (f->type == SCAP_FD_IPV4_SOCK && f->sock.v4.dport == port)
			return true;
		if (f->type == SCAP_FD_IPV4_SERVSOCK && f->sock.v4srv.port == port)
			return true;
	}
	return false;
}

static bool uses_client_port(struct frc_thread *t, uint16_t port)
{
	struct frc_fdtable *ft = state_fdtable(t);

	if (!ft)
		return false;
	for (uint32_t i = 0; i < ft->cap; i++) {
		struct frc_fd *f = ft->slot[i];
		if (f && f->type == SCAP_FD_IPV4_SOCK && f->sock.v4.sport == port)
			return true;
	}
	return false;
}

static void guess_role(struct frc_thread *t, struct frc_fd *f, bool incoming)
{
	if (!bound_to_port(t, f->sock.v4.dport)) {
		f->flags |= FDF_ROLE_CLIENT;
		return;
	}
	if (!uses_client_port(t, f->sock.v4.sport)) {
		f->flags |= FDF_ROLE_SERVER;
		return;
	}
	if (!(f->flags & (FDF_ROLE_CLIENT | FDF_ROLE_SERVER)))
		f->flags |= incoming ? FDF_ROLE_SERVER : FDF_ROLE_CLIENT;
}

static bool role_none(const struct frc_fd *f)
{
	return !(f->flags & (FDF_ROLE_CLIENT | FDF_ROLE_SERVER));
}

static void set_connected(struct frc_fd *f)
{
	f->flags &= ~(FDF_CONNECTION_PENDING | FDF_CONNECTION_FAILED);
	f->flags |= FDF_SOCKET_CONNECTED;
}

static bool is_tcp(const struct frc_fd *f)
{
	return f->type == SCAP_FD_IPV4_SOCK && f->sock.v4.l4proto == SCAP_L4_TCP;
}

static void rw_tuple(struct frc_state *st, struct frc_evt *e, int pi, bool incoming)
{
	struct frc_fd *f = e->fdi;
	char buf[512];

	if (pi < 0 || !(f->name.len == 0 || !is_tcp(f)))
		return;
	if (!update_fd(st, e, (uint32_t)pi))
		return;
	if (f->type == SCAP_FD_IPV4_SOCK || f->type == SCAP_FD_IPV6_SOCK) {
		if (role_none(f))
			guess_role(e->thr, f, incoming);
		if (incoming ? (f->flags & FDF_ROLE_CLIENT) : (f->flags & FDF_ROLE_SERVER))
			swap_addresses(f);
		fd_set_name(f, buf, state_fmt_sockinfo(f, buf, sizeof(buf)));
	} else {
		fd_set_name(f, buf, fmt_tuple_param(e->pv[pi], e->pl[pi], buf, sizeof(buf)));
	}
}

static void parse_read(struct frc_state *st, struct frc_evt *e)
{
	int pi = -1;

	if (e->type == PPME_SOCKET_RECVMMSG_X && pempty(e, 0))
		return;
	if (!e->fdi)
		return;
	if (ret_of(e) < 0)
		return;
	if (e->fdi->type == SCAP_FD_IPV4_SOCK || e->fdi->type == SCAP_FD_IPV6_SOCK)
		set_connected(e->fdi);
	if (e->type == PPME_SOCKET_RECVFROM_X)
		pi = 2;
	else if (e->type == PPME_SOCKET_RECVMSG_X)
		pi = 3;
	else if (e->type == PPME_SOCKET_RECVMMSG_X || e->type == PPME_SOCKET_RECV_X)
		pi = 4;
	rw_tuple(st, e, pi, true);
}

/* a send on an unknown fd: assume a UDP socket */
static void infer_send_fd(struct frc_state *st, struct frc_evt *e)
{
	if (e->fdi || !e->thr || ret_of(e) < 0 || pempty(e, 4))
		return;
	int64_t fd = pint(e, 2, -1);
	uint8_t fam = e->pv[4][0];
	if (fam == PPM_AF_INET || fam == PPM_AF_INET6)
		add_socket(st, e, fd, fam, 2 /* SOCK_DGRAM */, 17 /* UDP */, 0);
}

static void parse_write(struct frc_state *st, struct frc_evt *e)
{
	uint16_t et = e->type;

	if (et == PPME_SOCKET_SENDMMSG_X && pempty(e, 0))
		return;
	if ((et == PPME_SOCKET_SEND_X || et == PPME_SOCKET_SENDTO_X || et == PPME_SOCKET_SENDMSG_X) &&
	    !e->fdi && e->thr)
		infer_send_fd(st, e);
	if (!e->fdi)
		return;
	if (ret_of(e) < 0)
		return;
	if (e->fdi->type == SCAP_FD_IPV4_SOCK || e->fdi->type == SCAP_FD_IPV6_SOCK)
		set_connected(e->fdi);
	if (et == PPME_SOCKET_SEND_X || et == PPME_SOCKET_SENDTO_X || et == PPME_SOCKET_SENDMSG_X ||
	    et == PPME_SOCKET_SENDMMSG_X)
		rw_tuple(st, e, 4, false);
}

static void parse_socket(struct frc_state *st, struct frc_evt *e)
{
	int64_t fd = ret_of(e);

	if (fd < 0 || !e->thr)
		return;
	add_socket(st, e, fd, (uint32_t)pint(e, 1, 0), (uint32_t)pint(e, 2, 0), (uint32_t)pint(e, 3, 0),
		   (uint32_t)pint(e, 4, 0));
}

static void parse_bind(struct frc_state *st, struct frc_evt *e)
{
	struct frc_fd *f = e->fdi;
	char buf[512];

	(void)st;
	if (!f || ret_of(e) < 0 || !sockaddr_valid(e, 1))
		return;
	const uint8_t *p = e->pv[1];
	if (p[0] == PPM_AF_INET) {
		uint16_t port = rd16(p + 5);
		if (port > 0) {
			f->type = SCAP_FD_IPV4_SERVSOCK;
			f->sock.v4srv.ip = rd32(p + 1);
			f->sock.v4srv.port = port;
			f->sock.v4srv.l4proto = f->sock.v4.l4proto;
			f->flags |= FDF_ROLE_SERVER;
		}
	} else if (p[0] == PPM_AF_INET6) {
		uint16_t port = rd16(p + 17);
		if (port > 0) {
			if (is_v4_mapped(p + 1)) {
				f->type = SCAP_FD_IPV4_SERVSOCK;
				f->sock.v4srv.l4proto = f->sock.v6.l4proto;
				f->sock.v4srv.ip = rd32(p + 13);
				f->sock.v4srv.port = port;
			} else {
				f->type = SCAP_FD_IPV6_SERVSOCK;
				f->sock.v6srv.port = port;
				memcpy(f->sock.v6srv.ip, p + 1, 16);
				f->sock.v6srv.l4proto = f->sock.v6.l4proto;
			}
			f->flags |= FDF_ROLE_SERVER;
		}
	}
	fd_set_name(f, buf, fmt_sockaddr_param(e->pv[1], e->pl[1], buf, sizeof(buf)));
}

/* resolve_connect_*_destination: prefer the enter address unless the kernel changed it */
static void parse_connect(struct frc_state *st, struct frc_evt *e)
{
	struct frc_fd *f = e->fdi;
	struct frc_evt enter;
	const uint8_t *eaddr = NULL, *xaddr = NULL;
	char buf[512];

	if (!e->thr || !f)
		return;
	int64_t rv = ret_of(e);
	if (rv < 0 && rv != -115 /* EINPROGRESS */)
		return;
	set_connected(f);
	if (retrieve_enter(st, e, &enter) && sockaddr_valid(&enter, 1))
		eaddr = enter.pv[1];
	if (pempty(e, 1)) {
		if (!eaddr)
			return;
		/* fill_client_socket_info_from_addr */
		if (eaddr[0] == PPM_AF_INET) {
			f->type = SCAP_FD_IPV4_SOCK;
			f->sock.v4.dip = rd32(eaddr + 1);
			f->sock.v4.dport = rd16(eaddr + 5);
		} else if (eaddr[0] == PPM_AF_INET6) {
			uint16_t port = rd16(eaddr + 17);
			if (is_v4_mapped(eaddr + 1)) {
				f->type = SCAP_FD_IPV4_SOCK;
				f->sock.v4.dip = rd32(eaddr + 13);
				f->sock.v4.dport = port;
			} else {
				f->type = SCAP_FD_IPV6_SOCK;
				f->sock.v6.dport = port;
				memcpy(f->sock.v6.dip, eaddr + 1, 16);
			}
		} else {
			fd_set_name(f, buf, fmt_sockaddr_param(enter.pv[1], enter.pl[1], buf, sizeof(buf)));
		}
		return;
	}
	if (sockaddr_valid(e, 3))
		xaddr = e->pv[3];
	if (!socktuple_valid(e, 1))
		return;
	const uint8_t *tp = e->pv[1];
	if (tp[0] == PPM_AF_INET || tp[0] == PPM_AF_INET6) {
		bool changed;
		if (tp[0] == PPM_AF_INET6) {
			const uint8_t *sip = tp + 1, *dip = tp + 19, *dport = tp + 35;
			if (xaddr && eaddr && !memcmp(dport, xaddr + 17, 2) && !memcmp(dip, xaddr + 1, 16)) {
				dip = eaddr + 1;
				dport = eaddr + 17;
			}
			if (!(is_v4_mapped(sip) && is_v4_mapped(dip))) {
				f->type = SCAP_FD_IPV6_SOCK;
				changed = set_v6(f, sip, rd16(tp + 17), dip, rd16(dport), true);
			} else {
				f->type = SCAP_FD_IPV4_SOCK;
				changed = set_v4(f, rd32(sip + 12), rd16(tp + 17), rd32(dip + 12), rd16(dport), true);
			}
		} else {
			const uint8_t *dip = tp + 7, *dport = tp + 11;
			f->type = SCAP_FD_IPV4_SOCK;
			if (xaddr && eaddr && !memcmp(dport, xaddr + 5, 2) && !memcmp(dip, xaddr + 1, 4)) {
				dip = eaddr + 1;
				dport = eaddr + 5;
			}
			changed = set_v4(f, rd32(tp + 1), rd16(tp + 5), rd32(dip), rd16(dport), true);
		}
		if (changed && (f->flags & FDF_ROLE_SERVER) && f->type == SCAP_FD_IPV4_SOCK &&
		    f->sock.v4.l4proto == SCAP_L4_UDP)
			swap_addresses(f);
		fd_set_name(f, buf, state_fmt_sockinfo(f, buf, sizeof(buf)));
	} else {
		if (f->type != SCAP_FD_UNIX_SOCK)
			return;
		uint32_t l = e->pl[1];
		const char *dpath = (const char *)tp + 17;
		size_t dl = strnlen(dpath, l - 17);
		if (xaddr && eaddr && strncmp(dpath, (const char *)xaddr + 1, 108) == 0) {
			dpath = (const char *)eaddr + 1;
			dl = strlen(dpath);
		}
		memcpy(&f->sock.un.src, tp + 1, 8);
		memcpy(&f->sock.un.dst, tp + 9, 8);
		int n = snprintf(buf, sizeof(buf), "%llx->%llx %.*s", (unsigned long long)f->sock.un.src,
				 (unsigned long long)f->sock.un.dst, (int)dl, dpath);
		fd_set_name(f, buf, n < 0 ? 0 : (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
	}
	if (role_none(f))
		f->flags |= FDF_ROLE_CLIENT;
}

static void parse_accept(struct frc_state *st, struct frc_evt *e)
{
	struct frc_thread *t = e->thr;
	char buf[512];

	if (!t)
		return;
	int64_t fd = ret_of(e);
	if (fd < 0)
		return;
	t->lastevent_fd = fd;
	if (!socktuple_valid(e, 1))
		return;
	const uint8_t *p = e->pv[1];
	struct frc_fd *f = new_fd(st);
	if (!f)
		return;
	if (p[0] == PPM_AF_INET) {
		set_v4(f, rd32(p + 1), rd16(p + 5), rd32(p + 7), rd16(p + 11), false);
		f->type = SCAP_FD_IPV4_SOCK;
		f->sock.v4.l4proto = SCAP_L4_TCP;
	} else if (p[0] == PPM_AF_INET6) {
		if (is_v4_mapped(p + 1) && is_v4_mapped(p + 19)) {
			set_v4(f, rd32(p + 13), rd16(p + 17), rd32(p + 31), rd16(p + 35), false);
			f->type = SCAP_FD_IPV4_SOCK;
			f->sock.v4.l4proto = SCAP_L4_TCP;
		} else {
			set_v6(f, p + 1, rd16(p + 17), p + 19, rd16(p + 35), false);
			f->type = SCAP_FD_IPV6_SOCK;
			f->sock.v6.l4proto = SCAP_L4_TCP;
		}
	} else if (p[0] == PPM_AF_UNIX) {
		f->type = SCAP_FD_UNIX_SOCK;
		memcpy(&f->sock.un.src, p + 1, 8);
		memcpy(&f->sock.un.dst, p + 9, 8);
	} else {
		fd_release(st, f);
		return;
	}
	fd_set_name(f, buf, fmt_tuple_param(e->pv[1], e->pl[1], buf, sizeof(buf)));
	f->openflags = 0;
	if (e->type == PPME_SOCKET_ACCEPT4_6_X)
		f->openflags = (uint32_t)pint(e, 5, 0) & PPM_O_CLOEXEC;
	f->flags = FDF_ROLE_SERVER;
	set_connected(f);
	e->fdi = thread_add_fd(st, t, fd, f);
}

static void parse_close(struct frc_state *st, struct frc_evt *e)
{
	if (ret_of(e) < 0 || !e->fdi || !e->thr)
		return;
	schedule_fd_removal(st, e->thr, e->thr->lastevent_fd);
}

static void parse_close_range(struct frc_state *st, struct frc_evt *e)
{
	struct frc_fdtable *ft;

	if (!e->thr || ret_of(e) < 0 || !(ft = state_fdtable(e->thr)))
		return;
	uint32_t first = (uint32_t)pint(e, 1, 0), last = (uint32_t)pint(e, 2, 0);
	uint32_t flags = (uint32_t)pint(e, 3, 0);
	for (uint32_t i = 0; i < ft->cap;) {
		struct frc_fd *f = ft->slot[i];
		if (!f || f->fd < 0 || (uint64_t)f->fd < first || (uint64_t)f->fd > last) {
			i++;
			continue;
		}
		if (flags & PPM_CLOSE_RANGE_CLOEXEC) {
			f->openflags |= PPM_O_CLOEXEC;
			i++;
		} else {
			fd_release(st, fdt_del(ft, f->fd));
			/* the slot may now hold a shifted entry: look at it again */
		}
	}
}

static void add_pipe(struct frc_state *st, struct frc_evt *e, int64_t fd, uint64_t ino, uint32_t flags)
{
	struct frc_fd *f = new_fd(st);

	if (!f)
		return;
	f->type = SCAP_FD_FIFO;
	f->ino = ino;
	f->openflags = flags;
	e->fdi = thread_add_fd(st, e->thr, fd, f);
}

static void parse_pipe(struct frc_state *st, struct frc_evt *e)
{
	if (ret_of(e) < 0 || !e->thr)
		return;
	int64_t fd1 = pint(e, 1, -1), fd2 = pint(e, 2, -1);
	uint64_t ino = (uint64_t)pint(e, 3, 0);
	uint32_t flags = e->type == PPME_SYSCALL_PIPE2_X ? (uint32_t)pint(e, 4, 0) : 0;
	add_pipe(st, e, fd1, ino, flags);
	add_pipe(st, e, fd2, ino, flags);
}

static void parse_socketpair(struct frc_state *st, struct frc_evt *e)
{
	if (ret_of(e) < 0 || !e->thr)
		return;
	int64_t fd1 = pint(e, 1, -1), fd2 = pint(e, 2, -1);
	if (fd1 == fd2) {
		e->fdi = NULL;
		return;
	}
	struct frc_fd *a = new_fd(st), *b = new_fd(st);
	if (!a || !b) {
		if (a)
			fd_release(st, a);
		if (b)
			fd_release(st, b);
		return;
	}
	a->type = SCAP_FD_UNIX_SOCK;
	a->sock.un.src = (uint64_t)pint(e, 3, 0);
	a->sock.un.dst = (uint64_t)pint(e, 4, 0);
	fd_copy(b, a);
	e->fdi = thread_add_fd(st, e->thr, fd1, a);
	thread_add_fd(st, e->thr, fd2, b);
}

static void single_fd(struct frc_state *st, struct frc_evt *e, int type)
{
	int64_t fd = ret_of(e);

	if (!e->thr || fd < 0)
		return;
	struct frc_fd *f = new_fd(st);
	if (!f)
		return;
	f->type = (int8_t)type;
	switch (e->type) {
	case PPME_SYSCALL_INOTIFY_INIT1_X:
	case PPME_SYSCALL_SIGNALFD4_X:
		f->openflags = (uint16_t)pint(e, 1, 0);
		break;
	case PPME_SYSCALL_TIMERFD_CREATE_X:
		f->openflags = (uint8_t)pint(e, 2, 0);
		break;
	case PPME_SYSCALL_EPOLL_CREATE1_X:
		if ((uint32_t)pint(e, 1, 0) & PPM_EPOLL_CLOEXEC)
			f->openflags |= PPM_O_CLOEXEC;
		break;
	default:
		break;
	}
	e->fdi = thread_add_fd(st, e->thr, fd, f);
}

static void parse_eventfd(struct frc_state *st, struct frc_evt *e)
{
	int64_t fd = ret_of(e);

	if (!e->thr || fd < 0)
		return;
	struct frc_fd *f = new_fd(st);
	if (!f)
		return;
	f->type = SCAP_FD_EVENT;
	if (e->type == PPME_SYSCALL_EVENTFD2_X)
		f->openflags = (uint16_t)pint(e, 1, 0);
	e->fdi = thread_add_fd(st, e->thr, fd, f);
}

static void clear_cloexec(struct frc_fd *f)
{
	f->openflags &= ~(uint32_t)PPM_O_CLOEXEC;
	/* PPM_EPOLL_CLOEXEC and PPM_MFD_CLOEXEC are bit 0: cleared as libsinsp does */
	f->openflags &= ~(uint32_t)1;
}

static void parse_dup(struct frc_state *st, struct frc_evt *e)
{
	struct frc_thread *t = e->thr;
	int64_t rv = ret_of(e);

	if (!t || rv < 0 || !e->fdi)
		return;
	if (rv == 0)
		t->flags |= PPM_CL_PIPE_DST;
	if (rv == 1)
		t->flags |= PPM_CL_PIPE_SRC;
	struct frc_fd *f = new_fd(st);
	if (!f)
		return;
	fd_copy(f, e->fdi);
	clear_cloexec(f);
	if (e->type == PPME_SYSCALL_DUP3_X && ((uint32_t)pint(e, 3, 0) & PPM_O_CLOEXEC))
		f->openflags |= PPM_O_CLOEXEC;
	e->fdi = thread_add_fd(st, t, rv, f);
}

static void parse_fcntl(struct frc_state *st, struct frc_evt *e)
{
	if (!e->thr)
		return;
	uint8_t cmd = (uint8_t)pint(e, 2, 0);
	if (cmd != PPM_FCNTL_F_DUPFD && cmd != PPM_FCNTL_F_DUPFD_CLOEXEC && cmd != PPM_FCNTL_F_SETFD)
		return;
	int64_t rv = ret_of(e);
	if (rv < 0 || !e->fdi)
		return;
	if (cmd == PPM_FCNTL_F_SETFD) {
		clear_cloexec(e->fdi);
		if ((uint64_t)pint(e, 3, 0) & 1 /* FD_CLOEXEC */)
			e->fdi->openflags |= PPM_O_CLOEXEC;
		return;
	}
	struct frc_fd *f = new_fd(st);
	if (!f)
		return;
	fd_copy(f, e->fdi);
	clear_cloexec(f);
	if (cmd == PPM_FCNTL_F_DUPFD_CLOEXEC)
		f->openflags |= PPM_O_CLOEXEC;
	e->fdi = thread_add_fd(st, e->thr, rv, f);
}

static void parse_memfd(struct frc_state *st, struct frc_evt *e)
{
	if (!e->thr)
		return;
	int64_t fd = ret_of(e);
	struct frc_fd *f = new_fd(st);
	if (!f)
		return;
	if (fd >= 0) {
		size_t n;
		const char *name = pstr(e, 1, &n);
		f->type = SCAP_FD_MEMFD;
		fd_set_name(f, name, n);
		f->openflags = (uint32_t)pint(e, 2, 0);
	}
	/* libsinsp adds the entry even for a failed call (fd < 0) */
	e->fdi = thread_add_fd(st, e->thr, fd, f);
}

static void parse_pidfd_open(struct frc_state *st, struct frc_evt *e)
{
	char buf[64];

	if (!e->thr)
		return;
	int64_t fd = ret_of(e);
	if (fd < 0)
		return;
	struct frc_fd *f = new_fd(st);
	if (!f)
		return;
	int64_t pid = pint(e, 1, 0);
	int n = snprintf(buf, sizeof(buf), "/proc/%lld", (long long)pid);
	f->type = SCAP_FD_PIDFD;
	fd_set_name(f, buf, (size_t)n);
	f->openflags = (uint32_t)pint(e, 2, 0);
	f->pid = pid;
	e->fdi = thread_add_fd(st, e->thr, fd, f);
}

static void parse_pidfd_getfd(struct frc_state *st, struct frc_evt *e)
{
	if (!e->thr)
		return;
	int64_t fd = ret_of(e);
	struct frc_fd *pf = thread_get_fd(e->thr, pint(e, 1, -1));
	if (!pf || pf->type != SCAP_FD_PIDFD)
		return;
	struct frc_thread *pt = thash_find(st, pf->pid);
	if (!pt)
		return;
	struct frc_fd *tf = thread_get_fd(pt, pint(e, 2, -1));
	if (!tf)
		return;
	struct frc_fd *f = new_fd(st);
	if (!f)
		return;
	fd_copy(f, tf);
	clear_cloexec(f);
	f->openflags |= PPM_O_CLOEXEC;
	e->fdi = thread_add_fd(st, e->thr, fd, f);
}

static void parse_chdir(struct frc_evt *e)
{
	size_t n;
	const char *p;

	if (ret_of(e) < 0 || !e->thr)
		return;
	p = pstr(e, 1, &n);
	thread_update_cwd(e->thr, p, n);
}

static void parse_fchdir(struct frc_evt *e)
{
	if (ret_of(e) >= 0 && e->fdi && e->thr)
		thread_update_cwd(e->thr, e->fdi->name.s, e->fdi->name.len);
}

static void parse_getcwd(struct frc_evt *e)
{
	size_t n;
	const char *p;

	if (ret_of(e) < 0 || !e->thr)
		return;
	p = pstr(e, 1, &n);
	thread_update_cwd(e->thr, p, n);
}

static void parse_rlimit(struct frc_evt *e)
{
	if (!e->thr || ret_of(e) < 0)
		return;
	if ((uint8_t)pint(e, 3, 0) != PPM_RLIMIT_NOFILE)
		return;
	int64_t cur = pint(e, 1, -1);
	if (cur == -1)
		return;
	struct frc_thread *m = state_main_thread(e->thr);
	if (m)
		m->fdlimit = cur;
}

static void parse_prlimit(struct frc_state *st, struct frc_evt *e)
{
	if (!event_has_return_value(e) || ret_of(e) != 0)
		return;
	if (pempty(e, 6) || (uint8_t)pint(e, 6, 0) != PPM_RLIMIT_NOFILE)
		return;
	int64_t cur = pint(e, 1, -1);
	if (cur == -1 || pempty(e, 5))
		return;
	int64_t tid = pint(e, 5, 0);
	if (tid == 0)
		tid = e->tid;
	struct frc_thread *t = get_thread(st, tid, true);
	if (!t || is_invalid(t))
		return;
	struct frc_thread *m = state_main_thread(t);
	if (m)
		m->fdlimit = cur;
}

static void parse_switch(struct frc_evt *e)
{
	struct frc_thread *t = e->thr;

	if (!t || pempty(e, 5))
		return;
	t->pfmajor = (uint64_t)pint(e, 1, 0);
	t->pfminor = (uint64_t)pint(e, 2, 0);
	struct frc_thread *m = state_main_thread(t);
	if (m) {
		m->vmsize_kb = (uint32_t)pint(e, 3, 0);
		m->vmrss_kb = (uint32_t)pint(e, 4, 0);
		m->vmswap_kb = (uint32_t)pint(e, 5, 0);
	}
}

static void parse_mem(struct frc_evt *e)
{
	struct frc_thread *t = e->thr;

	if (!t)
		return;
	if (!pempty(e, 1))
		t->vmsize_kb = (uint32_t)pint(e, 1, 0);
	if (!pempty(e, 3)) {
		t->vmrss_kb = (uint32_t)pint(e, 2, 0);
		t->vmswap_kb = (uint32_t)pint(e, 3, 0);
	}
}

static void set_user(struct frc_state *st, struct frc_evt *e, uint32_t pi)
{
	struct frc_thread *t = e->thr;

	if (pempty(e, pi) || !t)
		return;
	t->uid = (uint32_t)pint(e, pi, 0);
	ensure_user(st, t->container_id, t->pid, t->uid, t->gid);
}

static void set_group(struct frc_state *st, struct frc_evt *e, uint32_t pi)
{
	struct frc_thread *t = e->thr;

	if (pempty(e, pi) || !t)
		return;
	t->gid = (uint32_t)pint(e, pi, 0);
	ensure_group(st, t->container_id, t->gid);
}

static void parse_user_evt(struct frc_state *st, struct frc_evt *e)
{
	size_t n1, n2, n3, n4;
	uint32_t uid = (uint32_t)pint(e, 0, 0);
	const char *cid = event_str(e, 5, &n4);

	if (!cid)
		cid = "";
	if (e->type == PPME_USER_ADDED_E) {
		const char *name = event_str(e, 2, &n1), *home = event_str(e, 3, &n2);
		const char *shell = event_str(e, 4, &n3);
		state_add_user(st, cid, uid, (uint32_t)pint(e, 1, 0), name ? name : "", home ? home : "",
			       shell ? shell : "");
	} else {
		struct ctr_users *cu = ctr_users(st, cid, false);
		gen_usr(st);
		if (cu)
			free_user(uid_del(&cu->users, uid));
	}
}

static void parse_group_evt(struct frc_state *st, struct frc_evt *e)
{
	size_t n;
	uint32_t gid = (uint32_t)pint(e, 0, 0);
	const char *name = event_str(e, 1, &n), *cid = event_str(e, 2, &n);

	if (!cid)
		cid = "";
	if (e->type == PPME_GROUP_ADDED_E) {
		state_add_group(st, cid, gid, name ? name : "");
	} else {
		struct ctr_users *cu = ctr_users(st, cid, false);
		gen_usr(st);
		if (cu)
			free_group(uid_del(&cu->groups, gid));
	}
}

static void parse_prctl(struct frc_evt *e)
{
	struct frc_thread *t = e->thr;

	if (ret_of(e) < 0 || !t || is_invalid(t) || !t->tg)
		return;
	uint32_t opt = (uint32_t)pint(e, 1, 0);
	if (opt != PPM_PR_SET_CHILD_SUBREAPER && opt != PPM_PR_GET_CHILD_SUBREAPER)
		return;
	t->tg->reaper = pint(e, 3, 0) != 0;
}

static void parse_chroot(struct frc_evt *e)
{
	size_t n;
	char buf[1024];
	const char *p;

	if (!e->thr || ret_of(e) != 0)
		return;
	p = pstr(e, 1, &n);
	if (strcmp(p, "<NA>") != 0 && n && p[0] != '/') {
		const char *cwd = state_cwd(e->thr);
		size_t l = state_concat_paths(cwd, strlen(cwd), p, n, buf);
		if (l) {
			str_set(&e->thr->root, buf, l);
			return;
		}
	}
	str_set(&e->thr->root, p, n);
}

static void parse_setsid(struct frc_evt *e)
{
	int64_t rv = ret_of(e);

	if (rv >= 0 && e->thr)
		e->thr->sid = rv;
}

static void parse_capset(struct frc_evt *e)
{
	if (ret_of(e) < 0 || !e->thr)
		return;
	e->thr->cap_inheritable = (uint64_t)pint(e, 1, 0);
	e->thr->cap_permitted = (uint64_t)pint(e, 2, 0);
	e->thr->cap_effective = (uint64_t)pint(e, 3, 0);
}

static void parse_unshare_setns(struct frc_evt *e)
{
	uint32_t flags = 0;

	if (ret_of(e) < 0 || !e->thr)
		return;
	if (e->type == PPME_SYSCALL_UNSHARE_X)
		flags = (uint32_t)pint(e, 1, 0);
	else if (!pempty(e, 2))
		flags = (uint32_t)pint(e, 2, 0);
	if (!(flags & PPM_CL_CLONE_NEWUSER))
		return;
	uint64_t max = (1ull << 41) - 1;	/* every capability libsinsp knows */
	e->thr->cap_inheritable = e->thr->cap_permitted = e->thr->cap_effective = max;
}

/* copy what a new process inherits from its parent thread */
static void inherit_from(struct frc_thread *c, const struct frc_thread *p)
{
	str_copy(&c->exepath, &p->exepath);
	c->exe_writable = p->exe_writable;
	c->exe_upper_layer = p->exe_upper_layer;
	c->exe_lower_layer = p->exe_lower_layer;
	c->exe_from_memfd = p->exe_from_memfd;
	str_copy(&c->root, &p->root);
	c->sid = p->sid;
	c->vpgid = p->vpgid;
	c->pgid = p->pgid;
	c->tty = p->tty;
	c->loginuid = p->loginuid;
	c->cap_permitted = p->cap_permitted;
	c->cap_inheritable = p->cap_inheritable;
	c->cap_effective = p->cap_effective;
	c->exe_ino = p->exe_ino;
	c->exe_ino_ctime = p->exe_ino_ctime;
	c->exe_ino_mtime = p->exe_ino_mtime;
	c->exe_ino_ctime_duration_clone_ts = p->exe_ino_ctime_duration_clone_ts;
}

static void copy_fdtable(struct frc_state *st, struct frc_thread *dst, struct frc_thread *src)
{
	struct frc_fdtable *ft = state_fdtable(src);

	fdt_clear(st, &dst->fdt);
	if (!ft)
		return;
	for (uint32_t i = 0; i < ft->cap; i++) {
		struct frc_fd *f = ft->slot[i], *n, *old;
		if (!f || !(n = new_fd(st)))
			continue;
		fd_copy(n, f);
		n->flags |= FDF_IS_CLONED;
		if (!fdt_put(&dst->fdt, n, &old))
			fd_release(st, n);
		else if (old)
			fd_release(st, old);
	}
}

static void clone_common(struct frc_state *st, struct frc_evt *e, struct frc_thread *c)
{
	size_t n;
	const char *s;
	uint32_t pl;
	const uint8_t *pv;

	c->fdlimit = pint(e, 7, 0);
	if (!pempty(e, 12)) {
		c->pfmajor = (uint64_t)pint(e, 8, 0);
		c->pfminor = (uint64_t)pint(e, 9, 0);
		c->vmsize_kb = (uint32_t)pint(e, 10, 0);
		c->vmrss_kb = (uint32_t)pint(e, 11, 0);
		c->vmswap_kb = (uint32_t)pint(e, 12, 0);
	}
	c->uid = (uint32_t)pint(e, 16, 0);
	c->gid = (uint32_t)pint(e, 17, 0);
	ensure_user(st, "", c->pid, c->uid, c->gid);
	ensure_group(st, "", c->gid);
	if ((pv = event_param(e, 14, &pl)) && pl)
		thread_set_cgroups(st, c, (const char *)pv, pl);
	c->clone_ts = e->ts;
	(void)s;
	(void)n;
}

static void set_exe_comm_args(struct frc_evt *e, struct frc_thread *c, bool args_before_comm)
{
	size_t n;
	const char *s = pstr(e, 1, &n);
	uint32_t pl = 0;
	const uint8_t *pv = event_param(e, 2, &pl);

	thr_str_set(c, exe, s, n);
	if (args_before_comm)
		thread_set_args(c, pv ? (const char *)pv : "", pv ? pl : 0);
	if (!pempty(e, 13)) {
		s = pstr(e, 13, &n);
		thr_str_set(c, comm, s, n);
	} else {
		thr_str_set(c, comm, c->exe.s, c->exe.len);
	}
	if (!args_before_comm)
		thread_set_args(c, pv ? (const char *)pv : "", pv ? pl : 0);
}

static void parse_clone_caller(struct frc_state *st, struct frc_evt *e, int64_t child_tid)
{
	int64_t caller_tid = e->tid;
	struct frc_thread *caller = get_thread(st, caller_tid, true);
	bool valid_caller = true;

	if (!caller) {
		e->thr = NULL;
		return;
	}
	if (is_invalid(caller)) {
		valid_caller = false;
		gen_thr(st);
		caller->pid = pint(e, 4, -1);
		caller->ptid = pint(e, 5, -1);
		if (!pempty(e, 19)) {
			caller->vtid = pint(e, 18, -1);
			caller->vpid = pint(e, 19, -1);
		} else {
			caller->vtid = caller_tid;
			caller->vpid = -1;
		}
		create_dependencies(st, caller);
	}
	e->thr = caller;
	uint32_t flags = (uint32_t)pint(e, 15, 0);
	if ((flags & PPM_CL_CHILD_IN_PIDNS) || (flags & PPM_CL_CLONE_NEWPID) ||
	    (flags & PPM_CL_CLONE_PARENT) || caller_tid != caller->vtid)
		return;
	if ((flags & PPM_CL_CLONE_VFORK) || e->type == PPME_SYSCALL_VFORK_20_X)
		return;
	if (recently_exited(st, child_tid, caller_tid, e->ts))
		return;
	struct frc_thread *existing = thash_find(st, child_tid);
	bool collision = false;
	if (existing) {
		if (existing->flags & PPM_CL_CLONE_INVERTED)
			return;
		remove_thread(st, child_tid);
		collision = true;
	}
	struct frc_thread *c = thread_alloc(st);
	if (!c)
		return;
	c->lastexec_ts = 0;
	c->flags = flags;
	c->tid = child_tid;
	if (!(flags & PPM_CL_CLONE_THREAD)) {
		if (valid_caller) {
			copy_fdtable(st, c, caller);
			thr_str_set(c, cwd, state_cwd(caller), strlen(state_cwd(caller)));
			thread_copy_env(c, caller);
		}
		c->pid = c->tid;
		c->ptid = caller->tid;
	} else {
		c->pid = caller->pid;
		c->ptid = caller->ptid;
		c->flags |= PPM_CL_CLONE_FILES;
		c->lastexec_ts = caller->lastexec_ts;
	}
	c->vtid = c->tid;
	c->vpid = c->pid;
	set_exe_comm_args(e, c, true);
	clone_common(st, e, c);
	c->pidns_init_start_ts = st->mi.boot_ts_epoch;
	if (valid_caller) {
		inherit_from(c, caller);
	} else {
		thr_str_set(caller, exe, c->exe.s, c->exe.len);
		thr_str_set(caller, comm, c->comm.s, c->comm.len);
		uint32_t pl = 0;
		const uint8_t *pv = event_param(e, 2, &pl);
		thread_set_args(caller, pv ? (const char *)pv : "", pv ? pl : 0);
	}
	if (!table_add(st, c, true))
		return;
	if (collision)
		e->thr = get_thread(st, caller_tid, true);
}

static void parse_clone_child(struct frc_state *st, struct frc_evt *e)
{
	int64_t child_tid = e->tid;
	bool valid_lookup = true, collision = false;

	if (e->thr && e->thr->clone_ts != 0) {
		if (e->ts - e->thr->clone_ts < CLONE_STALE_TIME_NS)
			return;
		remove_thread(st, child_tid);
		collision = true;
		e->thr = NULL;
	}
	struct frc_thread *c = thread_alloc(st);
	if (!c)
		return;
	c->lastexec_ts = 0;
	c->tid = child_tid;
	c->pid = pint(e, 4, -1);
	c->ptid = pint(e, 5, -1);
	if (!pempty(e, 19)) {
		c->vtid = pint(e, 18, -1);
		c->vpid = pint(e, 19, -1);
	} else {
		c->vtid = c->tid;
		c->vpid = -1;
	}
	c->flags = (uint32_t)pint(e, 15, 0) | PPM_CL_CLONE_INVERTED;
	bool leader = !(c->flags & PPM_CL_CLONE_THREAD);
	int64_t lookup_tid = leader ? c->ptid : c->pid;
	if (!leader)
		c->flags |= PPM_CL_CLONE_FILES;
	struct frc_thread *lk = get_thread(st, lookup_tid, true);
	if (!lk) {
		thread_release(st, c);
		e->thr = NULL;
		return;
	}
	if (is_invalid(lk)) {
		valid_lookup = false;
		if (!leader) {
			gen_thr(st);
			lk->pid = c->pid;
			lk->ptid = c->ptid;
			lk->vpid = c->vpid;
			lk->vtid = lk->vpid;
			create_dependencies(st, lk);
		}
	}
	set_exe_comm_args(e, c, false);
	if (valid_lookup) {
		inherit_from(c, lk);
		if (leader) {
			copy_fdtable(st, c, lk);
			thr_str_set(c, cwd, state_cwd(lk), strlen(state_cwd(lk)));
			thread_copy_env(c, lk);
		} else {
			c->lastexec_ts = lk->lastexec_ts;
		}
	} else if (!leader) {
		thr_str_set(lk, exe, c->exe.s, c->exe.len);
		thr_str_set(lk, comm, c->comm.s, c->comm.len);
		uint32_t pl = 0;
		const uint8_t *pv = event_param(e, 2, &pl);
		thread_set_args(lk, pv ? (const char *)pv : "", pv ? pl : 0);
	}
	clone_common(st, e, c);
	if ((c->flags & PPM_CL_CHILD_IN_PIDNS) || (c->flags & PPM_CL_CLONE_NEWPID) || c->tid != c->vtid) {
		if (!pempty(e, 20))
			c->pidns_init_start_ts = (uint64_t)pint(e, 20, 0) + st->mi.boot_ts_epoch;
	} else {
		c->pidns_init_start_ts = st->mi.boot_ts_epoch;
	}
	struct frc_thread *added = table_add(st, c, true);
	e->thr = added;
	(void)collision;
}

static void parse_clone(struct frc_state *st, struct frc_evt *e)
{
	int64_t child = ret_of(e);

	if (child < 0)
		return;
	if (child == 0)
		parse_clone_child(st, e);
	else
		parse_clone_caller(st, e, child);
}

static void parse_execve(struct frc_state *st, struct frc_evt *e)
{
	struct frc_thread *t = e->thr;
	struct frc_evt enter;
	size_t n;
	const char *s;
	uint32_t pl;
	const uint8_t *pv;
	char full[1024];

	if (ret_of(e) < 0 || !t)
		return;
	if (is_dead(t)) {
		t->flags &= ~(uint32_t)PPM_CL_CLOSED;
		if (t->tg)
			t->tg->nalive++;
	}
	s = pstr(e, 1, &n);
	thr_str_set(t, exe, s, n);
	t->lastexec_ts = e->ts;
	if (!pempty(e, 13)) {
		s = pstr(e, 13, &n);
		thr_str_set(t, comm, s, n);
	} else {
		thr_str_set(t, comm, t->exe.s, t->exe.len);
	}
	pv = event_param(e, 2, &pl);
	thread_set_args(t, pv ? (const char *)pv : "", pv ? pl : 0);
	int64_t pid = pint(e, 4, t->pid);
	if (pid != t->pid) {
		gen_thr(st);
		t->pid = pid;
	}
	if (is_invalid(t)) {
		gen_thr(st);
		t->ptid = pint(e, 5, t->ptid);
		if (!(t->flags & PPM_CL_CHILD_IN_PIDNS)) {
			t->vtid = t->tid;
			t->vpid = t->pid;
		}
		create_dependencies(st, t);
	}
	t->fdlimit = pint(e, 7, t->fdlimit);
	if (!pempty(e, 12)) {
		t->pfmajor = (uint64_t)pint(e, 8, 0);
		t->pfminor = (uint64_t)pint(e, 9, 0);
		t->vmsize_kb = (uint32_t)pint(e, 10, 0);
		t->vmrss_kb = (uint32_t)pint(e, 11, 0);
		t->vmswap_kb = (uint32_t)pint(e, 12, 0);
	}
	if ((pv = event_param(e, 15, &pl)) && pl)
		thread_set_env(t, NULL, (const char *)pv, pl);
	if ((pv = event_param(e, 14, &pl)) && pl)
		thread_set_cgroups(st, t, (const char *)pv, pl);
	if (!pempty(e, 16))
		t->tty = (uint32_t)pint(e, 16, 0);
	if (!pempty(e, 27)) {
		s = pstr(e, 27, &n);
		thread_set_exepath(t, s, n);
	} else if (retrieve_enter(st, e, &enter)) {
		size_t fl = 0;
		bool set = false;
		if (enter.type == PPME_SYSCALL_EXECVE_19_E) {
			const char *fn = pstr(&enter, 0, &n);
			if (strcmp(fn, "<NA>") == 0) {
				fl = (size_t)snprintf(full, sizeof(full), "<NA>");
			} else {
				const char *cwd = state_cwd(t);
				fl = state_concat_paths(cwd, strlen(cwd), fn, n, full);
			}
			set = true;
		} else if (enter.type == PPME_SYSCALL_EXECVEAT_E) {
			int64_t dirfd = pint(&enter, 0, 0);
			uint32_t flags = (uint32_t)pint(&enter, 2, 0);
			const char *path = pstr(&enter, 1, &n);
			char sdir[1100];
			size_t sl = parse_dirfd(t, path, n, dirfd, sdir, sizeof(sdir));
			if (strcmp(sdir, ".") && strcmp(sdir, "<UNKNOWN>"))
				e->fdi = thread_get_fd(t, dirfd);
			if ((!(flags & PPM_EXVAT_AT_EMPTY_PATH) && strcmp(path, "<NA>") == 0) ||
			    strcmp(sdir, "<UNKNOWN>") == 0)
				fl = (size_t)snprintf(full, sizeof(full), "<NA>");
			else if (flags & PPM_EXVAT_AT_EMPTY_PATH)
				fl = state_concat_paths("", 0, sdir, sl, full);
			else
				fl = state_concat_paths(sdir, sl, path, n, full);
			set = true;
		}
		if (set)
			thread_set_exepath(t, full, fl);
	}
	if (!pempty(e, 17))
		t->vpgid = pint(e, 17, 0);
	if (!pempty(e, 18))
		t->loginuid = (uint32_t)pint(e, 18, 0);
	if (!pempty(e, 19)) {
		uint32_t f = (uint32_t)pint(e, 19, 0);
		t->exe_writable = f & PPM_EXE_WRITABLE;
		t->exe_upper_layer = f & PPM_EXE_UPPER_LAYER;
		t->exe_from_memfd = f & PPM_EXE_FROM_MEMFD;
		t->exe_lower_layer = f & PPM_EXE_LOWER_LAYER;
	}
	if (!pempty(e, 22)) {
		t->cap_inheritable = (uint64_t)pint(e, 20, 0);
		t->cap_permitted = (uint64_t)pint(e, 21, 0);
		t->cap_effective = (uint64_t)pint(e, 22, 0);
	}
	if (!pempty(e, 25)) {
		t->exe_ino = (uint64_t)pint(e, 23, 0);
		t->exe_ino_ctime = (uint64_t)pint(e, 24, 0);
		t->exe_ino_mtime = (uint64_t)pint(e, 25, 0);
		if (t->clone_ts != 0)
			t->exe_ino_ctime_duration_clone_ts = t->clone_ts - t->exe_ino_ctime;
		if (t->pidns_init_start_ts != 0 && t->exe_ino_ctime > t->pidns_init_start_ts)
			t->exe_ino_ctime_duration_pidns_start = t->exe_ino_ctime - t->pidns_init_start_ts;
	}
	if (!pempty(e, 26))
		t->uid = (uint32_t)pint(e, 26, 0);
	t->pgid = pempty(e, 28) ? -1 : pint(e, 28, -1);
	if (!pempty(e, 29))
		t->gid = (uint32_t)pint(e, 29, 0);
	ensure_user(st, t->container_id, t->pid, t->uid, t->gid);
	ensure_group(st, t->container_id, t->gid);
	/* close-on-exec fds go away */
	struct frc_fdtable *ft = state_fdtable(t);
	if (ft) {
		for (uint32_t i = 0; i < ft->cap;) {
			struct frc_fd *f = ft->slot[i];
			bool cloexec = f && ((f->openflags & PPM_O_CLOEXEC) ||
					     (f->type == SCAP_FD_EVENTPOLL && (f->openflags & PPM_EPOLL_CLOEXEC)) ||
					     (f->type == SCAP_FD_MEMFD && (f->openflags & PPM_MFD_CLOEXEC)));
			if (!cloexec) {
				i++;
				continue;
			}
			if (e->fdi == f)
				e->fdi = NULL;
			fd_release(st, fdt_del(ft, f->fd));
		}
	}
	uint32_t keep = t->flags & (PPM_CL_PIPE_SRC | PPM_CL_PIPE_DST | PPM_CL_IS_MAIN_THREAD);
	bool inverted = t->flags & PPM_CL_CLONE_INVERTED;
	if ((t->flags ^ keep) & PPM_CL_IS_MAIN_THREAD)
		gen_thr(st);	/* (keep has the flag as it was: never taken) */
	t->flags = PPM_CL_ACTIVE | keep | PPM_CL_NAME_CHANGED;
	if (inverted)
		t->flags |= PPM_CL_CLONE_INVERTED;
	/* other threads of the group are gone */
	if (t->tg && t->tg->nalive > 1) {
		for (struct frc_thread *x = t->tg->head, *nx; x; x = nx) {
			nx = x->tg_next;
			if (is_main_thread(x) || x->tid == t->tid)
				continue;
			remove_thread(st, x->tid);
		}
	}
}

static void parse_procexit(struct frc_state *st, struct frc_evt *e)
{
	struct frc_thread *t = e->thr;

	if (!t)
		return;
	if (t->tg && !is_dead(t))
		t->tg->nalive--;
	t->flags |= PPM_CL_CLOSED;
	st->remove_tid = e->tid;
	st->have_remove_tid = true;
	if (!t->child_head)
		return;
	if (e->nparams > 4) {
		if (!pempty(e, 4))
			t->reaper_tid = pint(e, 4, -1);
	} else {
		t->reaper_tid = -1;
	}
}

/* ---- per-event driver ---- */

/* how reset_evt attaches the thread, by event type (one load instead of compare chains) */
enum { RK_QUERY = 0, RK_NONE, RK_FIND };
static const uint8_t reset_kind[PPM_EVENT_MAX] = {
	/* events without a thread of their own */
	[PPME_CONTAINER_JSON_2_E] = RK_NONE, [PPME_USER_ADDED_E] = RK_NONE,
	[PPME_USER_DELETED_E] = RK_NONE, [PPME_GROUP_ADDED_E] = RK_NONE,
	[PPME_GROUP_DELETED_E] = RK_NONE, [PPME_PLUGINEVENT_E] = RK_NONE,
	[PPME_ASYNCEVENT_E] = RK_NONE,
	/* the thread is looked up, not created (clone exits, switch, procexit) */
	[PPME_SYSCALL_CLONE_20_X] = RK_FIND, [PPME_SYSCALL_CLONE3_X] = RK_FIND,
	[PPME_SYSCALL_FORK_20_X] = RK_FIND, [PPME_SYSCALL_VFORK_20_X] = RK_FIND,
	[PPME_SCHEDSWITCH_6_E] = RK_FIND, [PPME_PROCEXIT_1_E] = RK_FIND,
};

/* sinsp_parser::reset: attach thread and fd, track the enter/exit pairing */
static void reset_evt(struct frc_state *st, struct frc_evt *e)
{
	uint16_t et = e->type;
	uint32_t ef = e->info->flags;

	if (ef & EVF_SKIPPARSERESET) {
		e->thr = et == PPME_PROCINFO_E ? thash_find(st, e->tid) : NULL;
		return;
	}
	if (reset_kind[et] == RK_NONE)
		return;
	bool query = reset_kind[et] == RK_QUERY;
	struct frc_thread *t = query ? get_thread(st, e->tid, true) : thash_find(st, e->tid);
	e->thr = t;
	if (et == PPME_SCHEDSWITCH_6_E || !t)
		return;
	if (query)
		t->flags |= PPM_CL_ACTIVE;
	if (evtab_is_enter(et)) {
		t->lastevent_fd = -1;
		t->lastevent_type = et;
		if (ef & EVF_USES_FD) {
			uint32_t loc = 0;
			if (et == PPME_SYSCALL_MMAP_E || et == PPME_SYSCALL_MMAP2_E)
				loc = 4;
			else if (et == PPME_SYSCALL_SPLICE_E)
				loc = 1;
			int64_t fd;
			if (event_int(e, loc, &fd)) {
				t->lastevent_fd = fd;
				e->fdi = thread_get_fd(t, fd);
			}
		}
		return;
	}
	if ((et == PPME_SYSCALL_EXECVE_19_X && t->lastevent_type == PPME_SYSCALL_EXECVEAT_E) ||
	    (uint32_t)et == (uint32_t)t->lastevent_type + 1) {
		t->lastevent_valid = true;
	} else {
		t->lastevent_valid = false;
		t->lastevent_fd = -1;
	}
	if (event_has_return_value(e)) {
		int64_t rv = event_return_value(e);
		if (rv < 0)
			e->errorcode = -(int32_t)rv;
	}
	if (!(ef & EVF_USES_FD))
		return;
	if (t->lastevent_fd == -1) {
		int loc = evtab_exit_fd_param(et);
		int64_t fd;
		if (loc >= 0 && (uint32_t)loc < e->nparams && !pempty(e, (uint32_t)loc) &&
		    event_int(e, (uint32_t)loc, &fd))
			t->lastevent_fd = fd;
	}
	e->fdi = thread_get_fd(t, t->lastevent_fd);
}

static void process_evt(struct frc_state *st, struct frc_evt *e)
{
	switch (e->type) {
	case PPME_SYSCALL_OPEN_E:
	case PPME_SYSCALL_CREAT_E:
	case PPME_SYSCALL_OPENAT_2_E:
	case PPME_SYSCALL_OPENAT2_E:
	case PPME_SYSCALL_EXECVE_19_E:
		if (pempty(e, 0))
			break;
		/* fall through */
	case PPME_SYSCALL_EXECVEAT_E:
	case PPME_SOCKET_CONNECT_E:
		store_enter(st, e);
		break;
	case PPME_SYSCALL_READ_X: case PPME_SYSCALL_READV_X: case PPME_SYSCALL_PREAD_X:
	case PPME_SYSCALL_PREADV_X: case PPME_SOCKET_RECV_X: case PPME_SOCKET_RECVFROM_X:
	case PPME_SOCKET_RECVMSG_X: case PPME_SOCKET_RECVMMSG_X:
		parse_read(st, e);
		break;
	case PPME_SYSCALL_WRITE_X: case PPME_SYSCALL_WRITEV_X: case PPME_SYSCALL_PWRITE_X:
	case PPME_SYSCALL_PWRITEV_X: case PPME_SOCKET_SEND_X: case PPME_SOCKET_SENDTO_X:
	case PPME_SOCKET_SENDMSG_X: case PPME_SOCKET_SENDMMSG_X:
		parse_write(st, e);
		break;
	case PPME_SYSCALL_OPEN_X: case PPME_SYSCALL_CREAT_X: case PPME_SYSCALL_OPENAT_2_X:
	case PPME_SYSCALL_OPENAT2_X: case PPME_SYSCALL_OPEN_BY_HANDLE_AT_X:
		parse_open(st, e);
		break;
	case PPME_SYSCALL_UNSHARE_X: case PPME_SYSCALL_SETNS_X:
		parse_unshare_setns(e);
		break;
	case PPME_SYSCALL_MEMFD_CREATE_X:
		parse_memfd(st, e);
		break;
	case PPME_SYSCALL_CLONE_20_X: case PPME_SYSCALL_FORK_20_X: case PPME_SYSCALL_VFORK_20_X:
	case PPME_SYSCALL_CLONE3_X:
		parse_clone(st, e);
		break;
	case PPME_SYSCALL_PIDFD_OPEN_X:
		parse_pidfd_open(st, e);
		break;
	case PPME_SYSCALL_PIDFD_GETFD_X:
		parse_pidfd_getfd(st, e);
		break;
	case PPME_SYSCALL_EXECVE_19_X: case PPME_SYSCALL_EXECVEAT_X:
		parse_execve(st, e);
		break;
	case PPME_PROCEXIT_1_E:
		parse_procexit(st, e);
		break;
	case PPME_SYSCALL_PIPE_X: case PPME_SYSCALL_PIPE2_X:
		parse_pipe(st, e);
		break;
	case PPME_SOCKET_SOCKET_X:
		parse_socket(st, e);
		break;
	case PPME_SOCKET_BIND_X:
		parse_bind(st, e);
		break;
	case PPME_SOCKET_CONNECT_X:
		parse_connect(st, e);
		break;
	case PPME_SOCKET_ACCEPT_5_X: case PPME_SOCKET_ACCEPT4_6_X:
		parse_accept(st, e);
		break;
	case PPME_SYSCALL_CLOSE_X:
		parse_close(st, e);
		break;
	case PPME_SYSCALL_CLOSE_RANGE_X:
		parse_close_range(st, e);
		break;
	case PPME_SYSCALL_FCNTL_X:
		parse_fcntl(st, e);
		break;
	case PPME_SYSCALL_EVENTFD_X: case PPME_SYSCALL_EVENTFD2_X:
		parse_eventfd(st, e);
		break;
	case PPME_SYSCALL_CHDIR_X:
		parse_chdir(e);
		break;
	case PPME_SYSCALL_FCHDIR_X:
		parse_fchdir(e);
		break;
	case PPME_SYSCALL_GETCWD_X:
		parse_getcwd(e);
		break;
	case PPME_SYSCALL_DUP_1_X: case PPME_SYSCALL_DUP2_X: case PPME_SYSCALL_DUP3_X:
		parse_dup(st, e);
		break;
	case PPME_SYSCALL_SIGNALFD_X: case PPME_SYSCALL_SIGNALFD4_X:
		single_fd(st, e, SCAP_FD_SIGNALFD);
		break;
	case PPME_SYSCALL_TIMERFD_CREATE_X:
		single_fd(st, e, SCAP_FD_TIMERFD);
		break;
	case PPME_SYSCALL_INOTIFY_INIT_X: case PPME_SYSCALL_INOTIFY_INIT1_X:
		single_fd(st, e, SCAP_FD_INOTIFY);
		break;
	case PPME_SYSCALL_BPF_2_X:
		single_fd(st, e, SCAP_FD_BPF);
		break;
	case PPME_SYSCALL_USERFAULTFD_X:
		single_fd(st, e, SCAP_FD_USERFAULTFD);
		break;
	case PPME_SYSCALL_IO_URING_SETUP_X:
		single_fd(st, e, SCAP_FD_IOURING);
		break;
	case PPME_SYSCALL_EPOLL_CREATE_X: case PPME_SYSCALL_EPOLL_CREATE1_X:
		single_fd(st, e, SCAP_FD_EVENTPOLL);
		break;
	case PPME_SYSCALL_GETRLIMIT_X: case PPME_SYSCALL_SETRLIMIT_X:
		parse_rlimit(e);
		break;
	case PPME_SYSCALL_PRLIMIT_X:
		parse_prlimit(st, e);
		break;
	case PPME_SOCKET_SOCKETPAIR_X:
		parse_socketpair(st, e);
		break;
	case PPME_SCHEDSWITCH_6_E:
		parse_switch(e);
		break;
	case PPME_SYSCALL_BRK_4_X: case PPME_SYSCALL_MMAP_X: case PPME_SYSCALL_MMAP2_X:
	case PPME_SYSCALL_MUNMAP_X:
		parse_mem(e);
		break;
	case PPME_SYSCALL_SETRESUID_X: case PPME_SYSCALL_SETREUID_X:
		if (event_has_return_value(e) && ret_of(e) == 0)
			set_user(st, e, 2);
		break;
	case PPME_SYSCALL_SETRESGID_X: case PPME_SYSCALL_SETREGID_X:
		if (event_has_return_value(e) && ret_of(e) == 0)
			set_group(st, e, 2);
		break;
	case PPME_SYSCALL_SETUID_X:
		if (event_has_return_value(e) && ret_of(e) == 0)
			set_user(st, e, 1);
		break;
	case PPME_SYSCALL_SETGID_X:
		if (event_has_return_value(e) && ret_of(e) == 0)
			set_group(st, e, 1);
		break;
	case PPME_SYSCALL_CHROOT_X:
		parse_chroot(e);
		break;
	case PPME_SYSCALL_SETSID_X:
		parse_setsid(e);
		break;
	case PPME_SYSCALL_CAPSET_X:
		parse_capset(e);
		break;
	case PPME_USER_ADDED_E: case PPME_USER_DELETED_E:
		parse_user_evt(st, e);
		break;
	case PPME_GROUP_ADDED_E: case PPME_GROUP_DELETED_E:
		parse_group_evt(st, e);
		break;
	case PPME_SYSCALL_PRCTL_X:
		parse_prctl(e);
		break;
	default:
		break;
	}
}

/* what the container plugin does with the same events */
static void container_parse(struct frc_state *st, struct frc_evt *e)
{
	uint32_t pl;
	const uint8_t *pv;

	switch (e->type) {
	case PPME_CONTAINER_JSON_2_E:
	case PPME_CONTAINER_JSON_E:
		if ((pv = event_param(e, 0, &pl)) && pl)
			state_add_container_json(st, (const char *)pv, pl);
		return;
	case PPME_SYSCALL_CLONE_20_X: case PPME_SYSCALL_FORK_20_X: case PPME_SYSCALL_VFORK_20_X:
	case PPME_SYSCALL_CLONE3_X: case PPME_SYSCALL_EXECVE_19_X: case PPME_SYSCALL_EXECVEAT_X:
	case PPME_SYSCALL_CHROOT_X: {
		if (pempty(e, 0) || pint(e, 0, -1) < 0)
			return;
		struct frc_thread *t = thash_find(st, e->tid);
		if (!t)
			return;
		char old[sizeof(t->container_id)];
		memcpy(old, t->container_id, sizeof(old));
		compute_container_id(st, t);
		if (strcmp(old, t->container_id) != 0 && t->container_id[0]) {
			ensure_user(st, t->container_id, t->pid, t->uid, t->gid);
			ensure_group(st, t->container_id, t->gid);
		}
		return;
	}
	default:
		return;
	}
}

void state_pre(struct frc_state *st, struct frc_evt *e)
{
	e->st = st;
	e->thr = NULL;
	e->fdi = NULL;
	e->fd_name_changed = false;
	e->errorcode = 0;
	reset_evt(st, e);
	process_evt(st, e);
	if (e->fdi)
		e->fd_name_changed = e->fdi->name_ver != e->fdi->oldname_ver;
	container_parse(st, e);
	if (e->thr && !evtab_is_enter(e->type)) {
		e->thr->last_evt_len = 0;
		e->thr->lastevent_valid = false;
	}
	if (e->thr && e->type != PPME_SCHEDSWITCH_6_E)
		e->thr->lastaccess_ts = e->ts;
}

void state_post(struct frc_state *st, struct frc_evt *e)
{
	if (st->have_remove_tid) {
		struct frc_thread *t = thash_find(st, st->remove_tid);
		record_recent_exit(st, st->remove_tid, t ? t->ptid : -1, e->ts);
		remove_thread(st, st->remove_tid);
		st->have_remove_tid = false;
	}
	if (st->nrm_fds) {
		struct frc_thread *t = thash_find(st, st->rm_fds_tid);
		for (uint32_t i = 0; t && i < st->nrm_fds; i++)
			thread_remove_fd(st, t, st->rm_fds[i]);
		st->nrm_fds = 0;
	}
}

uint32_t state_purge_inactive(struct frc_state *st, uint64_t now, uint64_t max_age)
{
	uint32_t n = 0;

	for (uint32_t b = 0; b < st->nbuckets; b++) {
		struct frc_thread *t = st->buckets[b], *nx;
		for (; t; t = nx) {
			nx = t->hnext;
			if (t->lastaccess_ts && now > t->lastaccess_ts && now - t->lastaccess_ts > max_age &&
			    !is_main_thread(t)) {
				remove_thread(st, t->tid);
				n++;
				/* removals can unlink neighbours: restart this bucket */
				nx = st->buckets[b];
			}
		}
	}
	return n;
}

/* ---- lookups ---- */

struct frc_thread *state_ancestor(const struct frc_state *st, struct frc_thread *t, uint32_t n)
{
	struct frc_thread *m = state_main_thread(t);

	for (uint32_t i = 0; i < n; i++) {
		if (!m)
			return NULL;
		m = thash_find(st, m->ptid);
		if (!m)
			return NULL;
		m = state_main_thread(m);
	}
	return m;
}

void state_walk_parents(const struct frc_state *st, struct frc_thread *t,
			bool (*fn)(struct frc_thread *p, void *ctx), void *ctx)
{
	struct frc_thread *slow = thash_find(st, t->ptid), *fast = slow;

	fast = fast ? thash_find(st, fast->ptid) : NULL;
	while (slow && slow->tid != -1) {
		if (!fn(slow, ctx))
			return;
		slow = thash_find(st, slow->ptid);
		for (int i = 0; i < 2; i++) {
			fast = fast ? thash_find(st, fast->ptid) : NULL;
			if (slow && (slow == fast || slow->tid == slow->ptid))
				return;
		}
	}
}

struct leader_ctx {
	int64_t id;
	bool vpgid;
	struct frc_thread *found;
};

static bool leader_visit(struct frc_thread *p, void *vctx)
{
	struct leader_ctx *c = vctx;
	if ((c->vpgid ? p->vpgid : p->sid) != c->id)
		return false;
	c->found = p;
	return true;
}

struct frc_thread *state_group_leader(const struct frc_state *st, struct frc_thread *t, bool vpgid)
{
	struct leader_ctx c = { vpgid ? t->vpgid : t->sid, vpgid, NULL };

	if (c.id == -1)
		return NULL;
	if (!in_pidns(t)) {
		struct frc_thread *l = thash_find(st, c.id);
		if (l)
			return l;
	}
	state_walk_parents(st, t, leader_visit, &c);
	return c.found;
}

const struct frc_state_stats *state_get_stats(const struct frc_state *st)
{
	return &st->stats;
}

const char *state_fd_typestring(int type)
{
	switch (type) {
	case SCAP_FD_FILE_V2: case SCAP_FD_FILE: return "file";
	case SCAP_FD_DIRECTORY: return "directory";
	case SCAP_FD_IPV4_SOCK: case SCAP_FD_IPV4_SERVSOCK: return "ipv4";
	case SCAP_FD_IPV6_SOCK: case SCAP_FD_IPV6_SERVSOCK: return "ipv6";
	case SCAP_FD_UNIX_SOCK: return "unix";
	case SCAP_FD_FIFO: return "pipe";
	case SCAP_FD_EVENT: return "event";
	case SCAP_FD_SIGNALFD: return "signalfd";
	case SCAP_FD_EVENTPOLL: return "eventpoll";
	case SCAP_FD_INOTIFY: return "inotify";
	case SCAP_FD_TIMERFD: return "timerfd";
	case SCAP_FD_NETLINK: return "netlink";
	case SCAP_FD_BPF: return "bpf";
	case SCAP_FD_USERFAULTFD: return "userfaultfd";
	case SCAP_FD_IOURING: return "io_uring";
	case SCAP_FD_MEMFD: return "memfd";
	case SCAP_FD_PIDFD: return "pidfd";
	default: return "<NA>";
	}
}

char state_fd_typechar(int type)
{
	switch (type) {
	case SCAP_FD_FILE_V2: case SCAP_FD_FILE: return 'f';
	case SCAP_FD_IPV4_SOCK: case SCAP_FD_IPV4_SERVSOCK: return '4';
	case SCAP_FD_IPV6_SOCK: case SCAP_FD_IPV6_SERVSOCK: return '6';
	case SCAP_FD_DIRECTORY: return 'd';
	case SCAP_FD_FIFO: return 'p';
	case SCAP_FD_UNIX_SOCK: return 'u';
	case SCAP_FD_EVENT: return 'e';
	case SCAP_FD_UNKNOWN: return 'o';
	case SCAP_FD_UNSUPPORTED: return 'X';
	case SCAP_FD_SIGNALFD: return 's';
	case SCAP_FD_EVENTPOLL: return 'l';
	case SCAP_FD_INOTIFY: return 'i';
	case SCAP_FD_TIMERFD: return 't';
	case SCAP_FD_NETLINK: return 'n';
	case SCAP_FD_BPF: return 'b';
	case SCAP_FD_USERFAULTFD: return 'u';
	case SCAP_FD_IOURING: return 'r';
	case SCAP_FD_MEMFD: return 'm';
	case SCAP_FD_PIDFD: return 'P';
	default: return '?';
	}
}

int state_fd_l4proto(const struct frc_fd *f)
{
	switch (f->type) {
	case SCAP_FD_IPV4_SOCK:
		if (f->sock.v4.l4proto == SCAP_L4_RAW)
			return SCAP_L4_RAW;
		if (role_none(f))
			return SCAP_L4_NA;
		return f->sock.v4.l4proto;
	case SCAP_FD_IPV4_SERVSOCK:
		return f->sock.v4srv.l4proto;
	case SCAP_FD_IPV6_SOCK:
		if (f->sock.v6.l4proto == SCAP_L4_RAW)
			return SCAP_L4_RAW;
		if (role_none(f))
			return SCAP_L4_NA;
		return f->sock.v6.l4proto;
	case SCAP_FD_IPV6_SERVSOCK:
		return f->sock.v6srv.l4proto;
	default:
		return SCAP_L4_NA;
	}
}

/* ---- paths (sinsp_utils::concatenate_paths) ---- */

static void rewind_parent(const char *base, char **tc, const char **pc, int delta)
{
	if (*tc <= base + 1) {
		*pc += delta;
		return;
	}
	(*tc)--;
	while (*tc >= base + 1 && *(*tc - 1) != '/')
		(*tc)--;
	*pc += delta;
}

static void normalize_into(char *target, char *base, char *end, const char *path)
{
	char *tc = target;
	const char *pc = path;
	bool empty_base = target == base;

	for (;;) {
		if (*pc == 0) {
			*tc = 0;
			if (tc > base + 1 && *(tc - 1) == '/')
				*(tc - 1) = 0;
			return;
		}
		if (*pc == '.' && (tc == base || *(tc - 1) == '/')) {
			if (pc[1] == '.' && pc[2] == '/') {
				rewind_parent(base, &tc, &pc, 3);
			} else if (pc[1] == '.' && pc[2] == 0) {
				rewind_parent(base, &tc, &pc, 2);
			} else if (pc[1] == '/') {
				pc += 2;
			} else if (pc[1] == 0) {
				pc++;
			} else {
				if (tc + 1 >= end) {
					*tc = 0;
					return;
				}
				*tc++ = *pc++;
			}
		} else if (*pc == '/') {
			if ((tc > base && *(tc - 1) == '/') || (tc == base && !empty_base)) {
				pc++;
			} else {
				if (tc + 1 >= end) {
					*tc = 0;
					return;
				}
				*tc++ = *pc++;
			}
		} else {
			if (tc + 1 >= end) {
				*tc = 0;
				return;
			}
			*tc++ = *pc++;
		}
	}
}

size_t state_concat_paths(const char *p1, size_t l1, const char *p2, size_t l2, char *out)
{
	char path2[1024];

	if (l1 + l2 + 1 > 1024) {
		strcpy(out, "/DIR_TOO_LONG/FILENAME_TOO_LONG");
		return strlen(out);
	}
	memcpy(path2, p2, l2);
	path2[l2] = '\0';
	if (l2 != 0 && p2[0] != '/') {
		memcpy(out, p1, l1);
		normalize_into(out + l1, out, out + 1024, path2);
	} else {
		out[0] = 0;
		normalize_into(out, out, out + 1024, path2);
	}
	return strlen(out);
}

/* ---- lifetime ---- */

struct frc_state *state_new(const struct frc_state_cfg *cfg)
{
	struct frc_state *st = calloc(1, sizeof(*st));

	if (!st)
		return NULL;
	st->gens.thr = st->gens.usr = st->gens.ctr = 1;
	if (cfg)
		st->cfg = *cfg;
	if (!st->cfg.max_threads)
		st->cfg.max_threads = 262144;
	if (!st->cfg.max_fds)
		st->cfg.max_fds = 4096;
	st->nbuckets = 1024;
	st->buckets = calloc(st->nbuckets, sizeof(*st->buckets));
	st->ngbuckets = 1024;
	st->gbuckets = calloc(st->ngbuckets, sizeof(*st->gbuckets));
	st->recent = calloc(RECENT_EXITS, sizeof(*st->recent));
	st->recent_heads = malloc(RECENT_BUCKETS * sizeof(*st->recent_heads));
	if (st->recent && st->recent_heads)
		recent_clear(st);
	st->host_ctr.id = xstrdup("host");
	st->host_ctr.name = xstrdup("host");
	st->host_ctr.image = xstrdup("");
	st->host_ctr.imagerepo = xstrdup("");
	st->host_ctr.imagetag = xstrdup("");
	st->host_ctr.ip = xstrdup("");
	st->host_ctr.user = xstrdup("");
	if (!st->buckets || !st->gbuckets || !st->recent || !st->recent_heads ||
	    !ctr_users(st, "", true)) {
		state_free(st);
		return NULL;
	}
	return st;
}

void state_reset(struct frc_state *st)
{
	gen_thr(st);
	gen_usr(st);
	gen_ctr(st);
	for (uint32_t b = 0; b < st->nbuckets; b++) {
		while (st->buckets[b])
			thread_erase(st, st->buckets[b]);
	}
	for (uint32_t b = 0; b < st->ngbuckets; b++) {
		while (st->gbuckets[b])
			group_erase(st, st->gbuckets[b]);
	}
	for (uint32_t i = 0; i < st->nctrs; i++) {
		uid_map_free(&st->ctrs[i].users, true);
		uid_map_free(&st->ctrs[i].groups, false);
		free(st->ctrs[i].id);
	}
	st->nctrs = 0;
	ctr_users(st, "", true);
	for (uint32_t i = 0; i < st->ncontainers; i++)
		container_free(&st->containers[i]);
	st->ncontainers = 0;
	st->nifaces = 0;
	st->nserver_ports = 0;
	memset(&st->mi, 0, sizeof(st->mi));
	st->have_remove_tid = false;
	st->nrm_fds = 0;
	st->last = NULL;
	recent_clear(st);
}

static void free_thread_mem(struct frc_thread *t)
{
	str_free(&t->comm);
	str_free(&t->exe);
	str_free(&t->exepath);
	str_free(&t->cwd);
	str_free(&t->root);
	str_free(&t->cmdline);
	str_free(&t->args);
	str_free(&t->env);
	str_free(&t->cgroups);
	free(t->fdt.slot);
	free(t->last_evt);
	free(t);
}

void state_free(struct frc_state *st)
{
	if (!st)
		return;
	if (st->buckets && st->gbuckets)
		state_reset(st);
	while (st->thread_pool) {
		struct frc_thread *n = st->thread_pool->hnext;
		free_thread_mem(st->thread_pool);
		st->thread_pool = n;
	}
	while (st->fd_pool) {
		struct frc_fd *n = st->fd_pool->pool_next;
		str_free(&st->fd_pool->name);
		str_free(&st->fd_pool->name_raw);
		free(st->fd_pool);
		st->fd_pool = n;
	}
	while (st->group_pool) {
		struct frc_tgroup *n = st->group_pool->hnext;
		free(st->group_pool);
		st->group_pool = n;
	}
	for (uint32_t i = 0; i < st->nctrs; i++) {
		uid_map_free(&st->ctrs[i].users, true);
		uid_map_free(&st->ctrs[i].groups, false);
		free(st->ctrs[i].id);
	}
	free(st->ctrs);
	for (uint32_t i = 0; i < st->ncontainers; i++)
		container_free(&st->containers[i]);
	free(st->containers);
	container_free(&st->host_ctr);
	free(st->ifaces);
	free(st->server_ports);
	free(st->buckets);
	free(st->gbuckets);
	free(st->recent);
	free(st->recent_heads);
	free(st);
}
