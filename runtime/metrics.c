/* SPDX-License-Identifier: Apache-2.0
 *
 * The metrics registry (see metrics.h): storage, rule tables, files, outputs and health.
 * Readers on other threads (the web server) take the registry mutex, which the event
 * thread only takes for rare changes (a new rule table, a file list, an output
 * registration), never per event.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "frc.h"
#include "metrics.h"
#include "metrics_priv.h"

const struct mdesc metrics_desc[MET__COUNT] = {
#define MET(id, sn, n, l, t, c, h) [MET_##id] = { n, l, t, c, h, sn },
#include "metrics.def"
#undef MET
};


uint64_t metrics_clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void copy_str(char *dst, size_t n, const char *src)
{
	snprintf(dst, n, "%s", src ? src : "");
}

void metrics_default_options(struct metrics_options *o)
{
	o->rules_counters = true;
	o->resource_utilization = true;
	o->state_counters = true;
	o->kernel_event_counters = true;
	o->kernel_event_counters_per_cpu = false;
}

struct metrics *metrics_create(unsigned ncpus, const struct metrics_options *opt)
{
	struct metrics *m = calloc(1, sizeof(*m));
	struct utsname un;
	const char *env;

	if (!m)
		return NULL;
	if (ncpus == 0)
		ncpus = 1;
	m->ncpus = ncpus;
	m->cpu_evts = calloc(ncpus, sizeof(uint64_t));
	m->cpu_drops = calloc(ncpus, sizeof(uint64_t));
	if (!m->cpu_evts || !m->cpu_drops || pthread_mutex_init(&m->lock, NULL)) {
		free(m->cpu_evts);
		free(m->cpu_drops);
		free(m);
		return NULL;
	}
	if (opt)
		m->opt = *opt;
	else
		metrics_default_options(&m->opt);
	m->start_ns = metrics_clock_ns(CLOCK_REALTIME);
	m->c.v[MET_FALCO_RELOAD_TS] = m->start_ns;
	env = getenv("FALCO_HOSTNAME");
	if (env && *env)
		copy_str(m->hostname, sizeof(m->hostname), env);
	else if (gethostname(m->hostname, sizeof(m->hostname) - 1) != 0)
		copy_str(m->hostname, sizeof(m->hostname), "unknown");
	if (uname(&un) == 0)
		copy_str(m->kernel_release, sizeof(m->kernel_release), un.release);
	copy_str(m->engine, sizeof(m->engine), "modern_bpf");
	copy_str(m->rules_error, sizeof(m->rules_error), "no rules loaded yet");
	return m;
}

static void free_ruletab(struct ruletab *t)
{
	if (!t)
		return;
	for (uint32_t i = 0; i < t->pub.n; i++) {
		free(t->meta[i].name);
		free(t->meta[i].source);
		for (uint32_t j = 0; j < t->meta[i].ntags; j++)
			free(t->meta[i].tags[j]);
		free(t->meta[i].tags);
	}
	free(t->meta);
	free(t->pub.ctr);
	free(t);
}

static void free_files(struct mfile *f, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(f[i].name);
	free(f);
}

void metrics_destroy(struct metrics *m)
{
	if (!m)
		return;
	free_ruletab(m->rules);
	free_files(m->files[0], m->nfiles[0]);
	free_files(m->files[1], m->nfiles[1]);
	free(m->outputs);
	free(m->cpu_evts);
	free(m->cpu_drops);
	pthread_mutex_destroy(&m->lock);
	free(m);
}

struct metrics_counters *metrics_counters(struct metrics *m)
{
	return &m->c;
}

void metrics_set_cpu(struct metrics *m, unsigned cpu, uint64_t n_evts, uint64_t n_drops)
{
	if (cpu >= m->ncpus)
		return;
	__atomic_store_n(&m->cpu_evts[cpu], n_evts, __ATOMIC_RELAXED);
	__atomic_store_n(&m->cpu_drops[cpu], n_drops, __ATOMIC_RELAXED);
}

void metrics_set_engine(struct metrics *m, const char *engine_name)
{
	pthread_mutex_lock(&m->lock);
	copy_str(m->engine, sizeof(m->engine), engine_name);
	pthread_mutex_unlock(&m->lock);
}

/* ---------------------------------------------------------------- rule tables */

/* Prometheus label name from a tag, as Falco makes it: "tag_" + tag with every character
 * outside [a-zA-Z0-9_] turned into '_', runs of '_' collapsed. */
static char *tag_label(const char *tag)
{
	size_t n = strlen(tag);
	char *out = malloc(n + 5), *p;

	if (!out)
		return NULL;
	memcpy(out, "tag_", 4);
	p = out + 4;
	for (const char *s = tag; *s; s++) {
		char ch = *s;

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '_'))
			ch = '_';
		if (ch == '_' && p[-1] == '_')
			continue;
		*p++ = ch;
	}
	*p = 0;
	return out;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int fill_meta(struct rmeta *rm, const struct frc_rule *r)
{
	rm->name = strdup(r->name ? r->name : "");
	rm->source = strdup(r->source ? r->source : "syscall");
	rm->priority = (int)r->priority;
	rm->enabled = r->enabled;
	if (!rm->name || !rm->source)
		return -1;
	if (!r->ntags)
		return 0;
	rm->tags = calloc(r->ntags, sizeof(char *));
	if (!rm->tags)
		return -1;
	for (uint32_t i = 0; i < r->ntags; i++) {
		char *t = tag_label(r->tags[i] ? r->tags[i] : "");

		if (!t)
			return -1;
		rm->tags[rm->ntags++] = t;
	}
	qsort(rm->tags, rm->ntags, sizeof(char *), cmp_str);
	/* drop duplicates (two tags that sanitise to the same label name) */
	uint32_t k = 0;
	for (uint32_t i = 0; i < rm->ntags; i++) {
		if (k && !strcmp(rm->tags[k - 1], rm->tags[i])) {
			free(rm->tags[i]);
			continue;
		}
		rm->tags[k++] = rm->tags[i];
	}
	rm->ntags = k;
	return 0;
}

static uint32_t hash_str(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s)
		h = (h ^ (uint8_t)*s++) * 16777619u;
	return h;
}

/* Copies the counts of @old's rules into the same-named (same source) rules of @t. */
static void carry_over(struct ruletab *t, const struct ruletab *old)
{
	uint32_t size = 16, *slot;

	if (!old || !old->pub.n)
		return;
	while (size < old->pub.n * 2)
		size *= 2;
	slot = malloc(size * sizeof(uint32_t));
	if (!slot)
		return;
	memset(slot, 0xff, size * sizeof(uint32_t));
	for (uint32_t i = 0; i < old->pub.n; i++) {
		uint32_t h;

		if (!old->meta[i].name)
			continue;
		h = hash_str(old->meta[i].name) & (size - 1);

		while (slot[h] != UINT32_MAX)
			h = (h + 1) & (size - 1);
		slot[h] = i;
	}
	for (uint32_t i = 0; i < t->pub.n; i++) {
		uint32_t h;

		if (!t->meta[i].name)
			continue;
		h = hash_str(t->meta[i].name) & (size - 1);
		for (; slot[h] != UINT32_MAX; h = (h + 1) & (size - 1)) {
			const struct rmeta *om = &old->meta[slot[h]];

			if (!strcmp(om->name, t->meta[i].name) && !strcmp(om->source, t->meta[i].source)) {
				t->pub.ctr[i] = old->pub.ctr[slot[h]];
				break;
			}
		}
	}
	free(slot);
}

struct metrics_ruletab *metrics_set_rules(struct metrics *m, const struct frc_rules *rules,
					  uint64_t generation)
{
	struct ruletab *t = calloc(1, sizeof(*t)), *old;
	uint32_t n = 0, nr = rules ? rules->nrules : 0;

	if (!t)
		return NULL;
	/* indexed by frc_rule.id, the ordinal the compiled code reports matches with */
	for (uint32_t i = 0; i < nr; i++)
		if (rules->rules[i].id >= n)
			n = rules->rules[i].id + 1;
	t->pub.generation = generation;
	t->pub.n = n;
	t->pub.ctr = calloc(n ? n : 1, sizeof(*t->pub.ctr));
	t->meta = calloc(n ? n : 1, sizeof(*t->meta));
	if (!t->pub.ctr || !t->meta) {
		free_ruletab(t);
		return NULL;
	}
	for (uint32_t i = 0; i < nr; i++) {
		const struct frc_rule *r = &rules->rules[i];

		if (t->meta[r->id].name)
			continue;	/* the same id twice: keep the first */
		if (fill_meta(&t->meta[r->id], r)) {
			free_ruletab(t);
			return NULL;
		}
	}
	pthread_mutex_lock(&m->lock);
	old = m->rules;
	carry_over(t, old);
	if (old) {
		mc_set(&m->c, MET_FALCO_RELOAD_TS, metrics_clock_ns(CLOCK_REALTIME));
		mc_add_shared(&m->c, MET_FRC_RELOADS, 1);
	}
	m->rules = t;
	m->rules_loaded = true;
	m->rules_error[0] = 0;
	free_ruletab(old);
	pthread_mutex_unlock(&m->lock);
	return &t->pub;
}

struct metrics_ruletab *metrics_rules(struct metrics *m)
{
	struct metrics_ruletab *t;

	pthread_mutex_lock(&m->lock);
	t = m->rules ? &m->rules->pub : NULL;
	pthread_mutex_unlock(&m->lock);
	return t;
}

void metrics_reload_failed(struct metrics *m, const char *error)
{
	(void)error;	/* reported by the reload itself (log and internal alert) */
	mc_add_shared(&m->c, MET_FRC_RELOAD_FAILURES, 1);
}

/* ---------------------------------------------------------------- files */

static int sha256_file(const char *path, char out[65])
{
	unsigned char buf[16384], md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	EVP_MD_CTX *ctx;
	FILE *f;
	size_t n;
	int ret = -1;

	f = fopen(path, "rb");
	if (!f)
		return -1;
	ctx = EVP_MD_CTX_new();
	if (ctx && EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) == 1) {
		while ((n = fread(buf, 1, sizeof(buf), f)) > 0)
			if (EVP_DigestUpdate(ctx, buf, n) != 1)
				break;
		if (!ferror(f) && EVP_DigestFinal_ex(ctx, md, &mdlen) == 1 && mdlen == 32) {
			for (unsigned i = 0; i < 32; i++)
				snprintf(out + 2 * i, 3, "%02x", md[i]);
			ret = 0;
		}
	}
	EVP_MD_CTX_free(ctx);
	fclose(f);
	return ret;
}

void metrics_set_files(struct metrics *m, bool config, const char *const *paths, size_t n)
{
	struct mfile *f = calloc(n ? n : 1, sizeof(*f)), *old;
	size_t k = 0, oldn;

	if (!f)
		return;
	for (size_t i = 0; i < n; i++) {
		const char *base = strrchr(paths[i], '/');

		if (sha256_file(paths[i], f[k].sha256) != 0)
			continue;	/* a directory, or unreadable: nothing to hash */
		f[k].name = strdup(base ? base + 1 : paths[i]);
		if (f[k].name)
			k++;
	}
	pthread_mutex_lock(&m->lock);
	old = m->files[config];
	oldn = m->nfiles[config];
	m->files[config] = f;
	m->nfiles[config] = k;
	pthread_mutex_unlock(&m->lock);
	free_files(old, oldn);
}

/* ---------------------------------------------------------------- outputs */

int metrics_add_output(struct metrics *m, const char *name, metrics_output_fn fn, void *ctx)
{
	struct moutput *o;
	int ret = -1;

	pthread_mutex_lock(&m->lock);
	o = realloc(m->outputs, (m->noutputs + 1) * sizeof(*o));
	if (o) {
		m->outputs = o;
		copy_str(o[m->noutputs].name, sizeof(o->name), name);
		o[m->noutputs].fn = fn;
		o[m->noutputs].ctx = ctx;
		m->noutputs++;
		ret = 0;
	}
	pthread_mutex_unlock(&m->lock);
	return ret;
}

void metrics_remove_output(struct metrics *m, const char *name)
{
	pthread_mutex_lock(&m->lock);
	for (size_t i = 0; i < m->noutputs; i++) {
		if (strcmp(m->outputs[i].name, name))
			continue;
		memmove(&m->outputs[i], &m->outputs[i + 1],
			(m->noutputs - i - 1) * sizeof(*m->outputs));
		m->noutputs--;
		break;
	}
	pthread_mutex_unlock(&m->lock);
}

/* ---------------------------------------------------------------- health */

void metrics_heartbeat(struct metrics *m)
{
	__atomic_store_n(&m->heartbeat_ns, metrics_clock_ns(CLOCK_MONOTONIC), __ATOMIC_RELAXED);
}

void metrics_set_probe(struct metrics *m, enum metrics_probe_state st, const char *detail)
{
	pthread_mutex_lock(&m->lock);
	copy_str(m->probe_detail, sizeof(m->probe_detail), detail);
	__atomic_store_n(&m->probe, (int)st, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&m->lock);
}

void metrics_set_rules_failed(struct metrics *m, const char *error)
{
	pthread_mutex_lock(&m->lock);
	if (!m->rules) {
		m->rules_loaded = false;
		copy_str(m->rules_error, sizeof(m->rules_error), error ? error : "rules failed to load");
	}
	pthread_mutex_unlock(&m->lock);
}

void metrics_get_health(struct metrics *m, uint64_t stall_ns, struct metrics_health *h)
{
	uint64_t hb = __atomic_load_n(&m->heartbeat_ns, __ATOMIC_RELAXED);
	uint64_t now = metrics_clock_ns(CLOCK_MONOTONIC);

	memset(h, 0, sizeof(*h));
	h->loop_started = hb != 0;
	h->heartbeat_age_ns = hb && now > hb ? now - hb : 0;
	h->loop_stalled = h->loop_started && h->heartbeat_age_ns > stall_ns;
	pthread_mutex_lock(&m->lock);
	h->probe = (enum metrics_probe_state)__atomic_load_n(&m->probe, __ATOMIC_RELAXED);
	copy_str(h->probe_detail, sizeof(h->probe_detail), m->probe_detail);
	h->rules_loaded = m->rules_loaded;
	copy_str(h->rules_error, sizeof(h->rules_error), m->rules_loaded ? "" : m->rules_error);
	pthread_mutex_unlock(&m->lock);
	h->ok = h->loop_started && !h->loop_stalled && h->probe != PROBE_DETACHED &&
		h->rules_loaded;
}
