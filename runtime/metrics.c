/* SPDX-License-Identifier: Apache-2.0
 *
 * The metrics registry (see metrics.h): storage, rule tables, health, and the Prometheus
 * text renderer. The renderer runs on the web server's thread; it takes the registry
 * mutex, which the event thread only takes for rare changes (a new rule table, a file
 * list, an output registration), never per event.
 */
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/times.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "frc.h"
#include "metrics.h"
#include "version.h"

enum mtype { COUNTER, GAUGE };
enum mcat { MC_ALWAYS, MC_KERNEL, MC_STATE };

struct mdesc {
	const char *name;
	const char *labels;
	enum mtype type;
	enum mcat cat;
	const char *help;
};

static const struct mdesc mdesc[MET__COUNT] = {
#define MET(id, n, l, t, c, h) [MET_##id] = { n, l, t, c, h },
#include "metrics.def"
#undef MET
};

struct rmeta {
	char *name;
	char *source;
	int priority;
	bool enabled;
	char **tags;	/* label names "tag_<sanitized>", sorted, unique */
	uint32_t ntags;
};

struct ruletab {
	struct metrics_ruletab pub;	/* first: handed to the event thread */
	struct rmeta *meta;
};

struct mfile {
	char *name;
	char sha256[65];
};

struct moutput {
	char name[32];
	metrics_output_fn fn;
	void *ctx;
};

struct metrics {
	struct metrics_counters c;
	struct metrics_options opt;
	unsigned ncpus;
	uint64_t *cpu_evts, *cpu_drops;	/* atomics, written by the loop */
	uint64_t heartbeat_ns;		/* atomic, CLOCK_MONOTONIC */
	int probe;			/* atomic enum metrics_probe_state */
	uint64_t start_ns;		/* CLOCK_REALTIME at creation */
	char hostname[256];
	char kernel_release[128];

	pthread_mutex_t lock;		/* protects everything below */
	char engine[32];
	char probe_detail[128];
	struct ruletab *rules;
	bool rules_loaded;
	char rules_error[256];
	struct mfile *files[2];		/* [0] rules, [1] config */
	size_t nfiles[2];
	struct moutput *outputs;
	size_t noutputs;
};

static uint64_t clock_ns(clockid_t id)
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
	m->start_ns = clock_ns(CLOCK_REALTIME);
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
		mc_set(&m->c, MET_FALCO_RELOAD_TS, clock_ns(CLOCK_REALTIME));
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
	__atomic_store_n(&m->heartbeat_ns, clock_ns(CLOCK_MONOTONIC), __ATOMIC_RELAXED);
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
	uint64_t now = clock_ns(CLOCK_MONOTONIC);

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

/* ---------------------------------------------------------------- rendering */

static void put_help_type(FILE *f, const char *name, const char *help, enum mtype t)
{
	fprintf(f, "# HELP %s %s\n# TYPE %s %s\n", name, help, name,
		t == COUNTER ? "counter" : "gauge");
}

/* label value escaping of the text format: \\, \" and \n; other control bytes, which
 * could confuse line-based readers, become spaces */
static void put_label_value(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '\\' || ch == '"')
			fprintf(f, "\\%c", ch);
		else if (ch == '\n')
			fputs("\\n", f);
		else if (ch < 0x20 || ch == 0x7f)
			fputc(' ', f);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

static void put_info(FILE *f, const char *name, const char *l1, const char *v1, const char *l2,
		     const char *v2)
{
	put_help_type(f, name, FALCO_HELP, GAUGE);
	fprintf(f, "%s{%s=", name, l1);
	put_label_value(f, v1);
	if (l2) {
		fprintf(f, ",%s=", l2);
		put_label_value(f, v2);
	}
	fputs("} 1\n", f);
}

static void put_u64(FILE *f, const char *name, const char *help, enum mtype t, uint64_t v)
{
	put_help_type(f, name, help, t);
	fprintf(f, "%s %" PRIu64 "\n", name, v);
}

static void put_double(FILE *f, const char *name, const char *help, enum mtype t, double v)
{
	put_help_type(f, name, help, t);
	fprintf(f, "%s %.6f\n", name, v);
}

static bool cat_enabled(const struct metrics *m, enum mcat c)
{
	switch (c) {
	case MC_ALWAYS:
		return true;
	case MC_KERNEL:
		return m->opt.kernel_event_counters;
	case MC_STATE:
		return m->opt.state_counters;
	}
	return false;
}

static uint64_t outputs_drops(const struct metrics *m, struct metrics_output_stats *st)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < m->noutputs; i++) {
		memset(&st[i], 0, sizeof(st[i]));
		m->outputs[i].fn(m->outputs[i].ctx, &st[i]);
		sum += st[i].dropped;
	}
	return sum;
}

static void render_table(FILE *f, const struct metrics *m, uint64_t extra_output_drops)
{
	const char *family = NULL;

	for (int i = 0; i < MET__COUNT; i++) {
		const struct mdesc *d = &mdesc[i];
		uint64_t v = mc_get(&m->c, (enum metric_id)i);

		if (!cat_enabled(m, d->cat))
			continue;
		if (i == MET_FALCO_OUTPUTS_QUEUE_DROPS)
			v += extra_output_drops;
		if (!family || strcmp(family, d->name))
			put_help_type(f, d->name, d->help, d->type);
		family = d->name;
		if (d->labels)
			fprintf(f, "%s{%s} %" PRIu64 "\n", d->name, d->labels, v);
		else
			fprintf(f, "%s %" PRIu64 "\n", d->name, v);
	}
	/* the stale dashboard panel's name, as an alias (falco_n_evts_total) */
	if (m->opt.kernel_event_counters)
		put_u64(f, "falcosecurity_falco_n_evts_total", FALCO_HELP, COUNTER,
			mc_get(&m->c, MET_SCAP_N_EVTS));
}

static void render_per_cpu(FILE *f, const struct metrics *m)
{
	if (!m->opt.kernel_event_counters_per_cpu)
		return;
	put_help_type(f, "falcosecurity_scap_n_evts_cpu_total", FALCO_HELP, COUNTER);
	for (unsigned i = 0; i < m->ncpus; i++)
		fprintf(f, "falcosecurity_scap_n_evts_cpu_total{cpu=\"%u\"} %" PRIu64 "\n", i,
			__atomic_load_n(&m->cpu_evts[i], __ATOMIC_RELAXED));
	put_help_type(f, "falcosecurity_scap_n_drops_cpu_total", FALCO_HELP, COUNTER);
	for (unsigned i = 0; i < m->ncpus; i++)
		fprintf(f, "falcosecurity_scap_n_drops_cpu_total{cpu=\"%u\"} %" PRIu64 "\n", i,
			__atomic_load_n(&m->cpu_drops[i], __ATOMIC_RELAXED));
}

/* labels of one rule: priority, rule_name, source, tag_* (sorted, as Falco sorts them) */
static void put_rule_labels(FILE *f, const struct rmeta *rm, bool with_tags)
{
	fprintf(f, "{priority=\"%d\",rule_name=", rm->priority);
	put_label_value(f, rm->name);
	fputs(",source=", f);
	put_label_value(f, rm->source);
	for (uint32_t j = 0; with_tags && j < rm->ntags; j++)
		fprintf(f, ",%s=\"true\"", rm->tags[j]);
	fputs("}", f);
}

static void render_rules(FILE *f, const struct metrics *m)
{
	const struct ruletab *t = m->rules;
	uint64_t any_match = 0, any_eval = 0, any_timed = 0;
	uint32_t enabled = 0;

	for (uint32_t i = 0; t && i < t->pub.n; i++) {
		any_match |= __atomic_load_n(&t->pub.ctr[i].matches, __ATOMIC_RELAXED);
		any_eval |= __atomic_load_n(&t->pub.ctr[i].evals, __ATOMIC_RELAXED);
		any_timed |= __atomic_load_n(&t->pub.ctr[i].timed, __ATOMIC_RELAXED);
		enabled += t->meta[i].name && t->meta[i].enabled;
	}
	/* Falco lists only the rules that matched at least once */
	if (m->opt.rules_counters && any_match) {
		put_help_type(f, "falcosecurity_falco_rules_matches_total", FALCO_HELP, COUNTER);
		for (uint32_t i = 0; i < t->pub.n; i++) {
			uint64_t v = __atomic_load_n(&t->pub.ctr[i].matches, __ATOMIC_RELAXED);

			if (!v || !t->meta[i].name)
				continue;
			fputs("falcosecurity_falco_rules_matches_total", f);
			put_rule_labels(f, &t->meta[i], true);
			fprintf(f, " %" PRIu64 "\n", v);
		}
	}
	if (m->opt.rules_counters && any_eval) {
		put_help_type(f, "frc_rule_evaluations_total",
			      "Times a rule's condition was evaluated (events of its types).", COUNTER);
		for (uint32_t i = 0; i < t->pub.n; i++) {
			uint64_t v = __atomic_load_n(&t->pub.ctr[i].evals, __ATOMIC_RELAXED);

			if (!v || !t->meta[i].name)
				continue;
			fputs("frc_rule_evaluations_total", f);
			put_rule_labels(f, &t->meta[i], false);
			fprintf(f, " %" PRIu64 "\n", v);
		}
	}
	if (m->opt.rules_counters && any_timed) {
		put_help_type(f, "frc_rule_timed_evaluations_total",
			      "Evaluations of a rule whose duration was measured (a sample).", COUNTER);
		for (uint32_t i = 0; i < t->pub.n; i++) {
			uint64_t v = __atomic_load_n(&t->pub.ctr[i].timed, __ATOMIC_RELAXED);

			if (!v || !t->meta[i].name)
				continue;
			fputs("frc_rule_timed_evaluations_total", f);
			put_rule_labels(f, &t->meta[i], false);
			fprintf(f, " %" PRIu64 "\n", v);
		}
		put_help_type(f, "frc_rule_evaluation_seconds_total",
			      "Time spent evaluating a rule's condition, over the timed evaluations "
			      "(divide by frc_rule_timed_evaluations_total for the mean cost).",
			      COUNTER);
		for (uint32_t i = 0; i < t->pub.n; i++) {
			uint64_t n = __atomic_load_n(&t->pub.ctr[i].timed, __ATOMIC_RELAXED);
			uint64_t ns = __atomic_load_n(&t->pub.ctr[i].eval_ns, __ATOMIC_RELAXED);

			if (!n || !t->meta[i].name)
				continue;
			fputs("frc_rule_evaluation_seconds_total", f);
			put_rule_labels(f, &t->meta[i], false);
			fprintf(f, " %.9f\n", (double)ns / 1e9);
		}
	}
	put_u64(f, "frc_rules_enabled", "Rules of the running ruleset that are enabled.", GAUGE,
		enabled);
	put_u64(f, "frc_ruleset_generation",
		"Generation of the running ruleset: 1 at start, +1 for each successful reload.",
		GAUGE, t ? t->pub.generation : 0);
}

static void render_files(FILE *f, const struct metrics *m)
{
	static const char *const names[2] = { "falcosecurity_falco_sha256_rules_files_info",
					      "falcosecurity_falco_sha256_config_files_info" };

	for (int k = 0; k < 2; k++) {
		if (!m->nfiles[k])
			continue;
		put_help_type(f, names[k], FALCO_HELP, GAUGE);
		for (size_t i = 0; i < m->nfiles[k]; i++) {
			fprintf(f, "%s{file_name=", names[k]);
			put_label_value(f, m->files[k][i].name);
			fprintf(f, ",sha256=\"%s\"} 1\n", m->files[k][i].sha256);
		}
	}
}

static void render_outputs(FILE *f, const struct metrics *m, const struct metrics_output_stats *st)
{
	static const struct {
		const char *name, *help;
		enum mtype type;
	} fam[] = {
		{ "frc_output_queue_length", "Alerts waiting in an output's queue.", GAUGE },
		{ "frc_output_queue_capacity", "Capacity of an output's queue.", GAUGE },
		{ "frc_output_delivered_total", "Alerts an output delivered.", COUNTER },
		{ "frc_output_failed_total", "Alerts an output gave up (rejected, or retries exhausted).", COUNTER },
		{ "frc_output_dropped_total", "Alerts an output dropped because its queue was full.", COUNTER },
		{ "frc_output_retries_total", "Failed delivery attempts an output retried.", COUNTER },
	};

	if (!m->noutputs)
		return;
	for (size_t k = 0; k < sizeof(fam) / sizeof(fam[0]); k++) {
		put_help_type(f, fam[k].name, fam[k].help, fam[k].type);
		for (size_t i = 0; i < m->noutputs; i++) {
			uint64_t v = k == 0 ? st[i].queued : k == 1 ? st[i].capacity :
				     k == 2 ? st[i].delivered : k == 3 ? st[i].failed :
				     k == 4 ? st[i].dropped : st[i].retries;

			fprintf(f, "%s{output=", fam[k].name);
			put_label_value(f, m->outputs[i].name);
			fprintf(f, "} %" PRIu64 "\n", v);
		}
	}
}

/* ---- resource utilisation, read from /proc as Falco's libs read it ---- */

static const char *host_root(void)
{
	const char *r = getenv("HOST_ROOT");

	return r ? r : "";
}

/* value (kB) of "Key:" in a /proc status-like file, or -1 */
static long long proc_kv(const char *path, const char *key)
{
	char line[256];
	size_t kl = strlen(key);
	long long v = -1;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, kl) && line[kl] == ':') {
			v = strtoll(line + kl + 1, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

static bool read_first_u64(const char *path, uint64_t *v)
{
	unsigned long long x;
	FILE *f = fopen(path, "r");
	bool ok;

	if (!f)
		return false;
	ok = fscanf(f, "%llu", &x) == 1;
	fclose(f);
	if (ok)
		*v = x;
	return ok;
}

static double process_cpu_ratio(void)
{
	char buf[1024], path[300], *p;
	double uptime = 0, start;
	long hz = sysconf(_SC_CLK_TCK);
	unsigned long long starttime = 0;
	struct tms tm;
	FILE *f;
	int field;

	if (hz <= 0)
		hz = 100;
	snprintf(path, sizeof(path), "%s/proc/uptime", host_root());
	f = fopen(path, "r");
	if (!f || fscanf(f, "%lf", &uptime) != 1) {
		if (f)
			fclose(f);
		return 0;
	}
	fclose(f);
	f = fopen("/proc/self/stat", "r");
	if (!f || !fgets(buf, sizeof(buf), f)) {
		if (f)
			fclose(f);
		return 0;
	}
	fclose(f);
	/* field 22 is starttime; fields after the ")" of the command name start at 3 */
	p = strrchr(buf, ')');
	for (field = 2; p && *p && field < 22; p++)
		if (*p == ' ')
			field++;
	if (p)
		starttime = strtoull(p, NULL, 10);
	start = (double)starttime / (double)hz;
	if (times(&tm) == (clock_t)-1 || uptime - start <= 0)
		return 0;
	return ((double)(tm.tms_utime + tm.tms_stime) / (double)hz) / (uptime - start);
}

static double host_cpu_ratio(uint64_t *procs_running)
{
	char line[512], path[300];
	unsigned long long u = 0, n = 0, s = 0, idle = 0, io = 0, irq = 0, sirq = 0, sum;
	FILE *f;

	snprintf(path, sizeof(path), "%s/proc/stat", host_root());
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (!strncmp(line, "cpu ", 4))
			sscanf(line + 4, "%llu %llu %llu %llu %llu %llu %llu", &u, &n, &s, &idle, &io,
			       &irq, &sirq);
		else if (!strncmp(line, "procs_running ", 14))
			*procs_running = strtoull(line + 14, NULL, 10);
	}
	fclose(f);
	sum = u + n + s + idle + io + irq + sirq;
	return sum ? 1.0 - (double)idle / (double)sum : 0;
}

static uint64_t boot_ts_ns(void)
{
	char line[256], path[300];
	uint64_t bt = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/proc/stat", host_root());
	f = fopen(path, "r");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "btime ", 6)) {
			bt = strtoull(line + 6, NULL, 10);
			break;
		}
	fclose(f);
	return bt * 1000000000u;
}

static uint64_t container_memory(void)
{
	const char *env = getenv("FALCO_CGROUP_MEM_PATH");
	uint64_t v = 0;

	if (env && read_first_u64(env, &v))
		return v;
	if (read_first_u64("/sys/fs/cgroup/memory.current", &v))
		return v;
	if (read_first_u64("/sys/fs/cgroup/memory/memory.usage_in_bytes", &v))
		return v;
	return 0;
}

static void render_resources(FILE *f)
{
	char path[300];
	long long rss = proc_kv("/proc/self/status", "VmRSS");
	long long vsz = proc_kv("/proc/self/status", "VmSize");
	long long pss = proc_kv("/proc/self/smaps_rollup", "Pss");
	long long tot, fr, bu, ca;
	uint64_t procs = 0, fds = 0;
	double host_cpu;

	snprintf(path, sizeof(path), "%s/proc/meminfo", host_root());
	tot = proc_kv(path, "MemTotal");
	fr = proc_kv(path, "MemFree");
	bu = proc_kv(path, "Buffers");
	ca = proc_kv(path, "Cached");
	put_double(f, "falcosecurity_falco_cpu_usage_ratio", FALCO_HELP, GAUGE, process_cpu_ratio());
	put_double(f, "falcosecurity_falco_memory_rss_bytes", FALCO_HELP, GAUGE,
		   rss > 0 ? (double)rss * 1024 : 0);
	put_double(f, "falcosecurity_falco_memory_vsz_bytes", FALCO_HELP, GAUGE,
		   vsz > 0 ? (double)vsz * 1024 : 0);
	put_double(f, "falcosecurity_falco_memory_pss_bytes", FALCO_HELP, GAUGE,
		   pss > 0 ? (double)pss * 1024 : 0);
	put_double(f, "falcosecurity_falco_container_memory_used_bytes", FALCO_HELP, GAUGE,
		   (double)container_memory());
	host_cpu = host_cpu_ratio(&procs);
	put_double(f, "falcosecurity_falco_host_cpu_usage_ratio", FALCO_HELP, GAUGE, host_cpu);
	put_double(f, "falcosecurity_falco_host_memory_used_bytes", FALCO_HELP, GAUGE,
		   tot > 0 && fr >= 0 && bu >= 0 && ca >= 0 ? (double)(tot - fr - bu - ca) * 1024 : 0);
	put_u64(f, "falcosecurity_falco_host_procs_running_total", FALCO_HELP, GAUGE, procs);
	snprintf(path, sizeof(path), "%s/proc/sys/fs/file-nr", host_root());
	read_first_u64(path, &fds);
	put_u64(f, "falcosecurity_falco_host_open_fds_total", FALCO_HELP, GAUGE, fds);
}

static void render_health(FILE *f, struct metrics *m)
{
	uint64_t hb = __atomic_load_n(&m->heartbeat_ns, __ATOMIC_RELAXED);
	uint64_t now = clock_ns(CLOCK_MONOTONIC);
	int probe = __atomic_load_n(&m->probe, __ATOMIC_RELAXED);

	if (hb)
		put_double(f, "frc_event_loop_heartbeat_age_seconds",
			   "Seconds since the event loop last showed it is running.", GAUGE,
			   now > hb ? (double)(now - hb) / 1e9 : 0);
	if (probe != PROBE_NOT_USED)
		put_u64(f, "frc_probe_attached", "1 while the eBPF probe is attached.", GAUGE,
			probe == PROBE_ATTACHED);
	put_u64(f, "frc_rules_loaded", "1 while a ruleset is installed.", GAUGE, m->rules_loaded);
}

static void render(FILE *f, struct metrics *m)
{
	struct metrics_output_stats *st = calloc(m->noutputs ? m->noutputs : 1, sizeof(*st));
	uint64_t now = clock_ns(CLOCK_REALTIME);
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	uint64_t out_drops = st ? outputs_drops(m, st) : 0;

	put_info(f, "falcosecurity_falco_version_info", "version", FRC_VERSION, NULL, NULL);
	render_files(f, m);
	put_info(f, "falcosecurity_scap_engine_name_info", "engine_name", m->engine, "evt_source",
		 "syscall");
	put_info(f, "falcosecurity_falco_kernel_release_info", "kernel_release", m->kernel_release,
		 NULL, NULL);
	put_info(f, "falcosecurity_evt_hostname_info", "hostname", m->hostname, NULL, NULL);
	put_u64(f, "falcosecurity_falco_start_timestamp_nanoseconds", FALCO_HELP, GAUGE, m->start_ns);
	put_u64(f, "falcosecurity_falco_duration_seconds_total", FALCO_HELP, COUNTER,
		now > m->start_ns ? (now - m->start_ns) / 1000000000u : 0);
	put_u64(f, "falcosecurity_falco_host_boot_timestamp_nanoseconds", FALCO_HELP, GAUGE,
		boot_ts_ns());
	put_u64(f, "falcosecurity_falco_host_num_cpus_total", FALCO_HELP, GAUGE,
		ncpu > 0 ? (uint64_t)ncpu : 0);
	render_table(f, m, out_drops);
	render_per_cpu(f, m);
	render_rules(f, m);
	if (st)
		render_outputs(f, m, st);
	if (m->opt.resource_utilization)
		render_resources(f);
	render_health(f, m);
	free(st);
}

char *metrics_render_prometheus(struct metrics *m, size_t *len)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);

	if (!f)
		return NULL;
	pthread_mutex_lock(&m->lock);
	render(f, m);
	pthread_mutex_unlock(&m->lock);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	if (len)
		*len = n;
	return buf;
}
