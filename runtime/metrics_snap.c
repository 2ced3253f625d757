/* SPDX-License-Identifier: Apache-2.0
 *
 * Falco's metrics snapshot (see metrics.h): the same figures as the Prometheus text, under
 * the dotted names Falco puts in the output_fields of "Falco internal: metrics snapshot"
 * and in metrics.output_file, with the rates Falco derives from the previous snapshot.
 */
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "jsonw.h"
#include "metrics.h"
#include "metrics_priv.h"
#include "version.h"

struct kv {
	char *key, *val;
	bool is_str;
};

struct kvs {
	struct kv *v;
	uint32_t n, cap;
	bool oom;
};

static void add(struct kvs *k, bool is_str, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void add(struct kvs *k, bool is_str, const char *key, const char *fmt, ...)
{
	va_list ap;
	char *val = NULL;
	int r;

	if (k->oom)
		return;
	if (k->n == k->cap) {
		uint32_t nc = k->cap ? k->cap * 2 : 64;
		struct kv *nv = realloc(k->v, nc * sizeof(*nv));

		if (!nv) {
			k->oom = true;
			return;
		}
		k->v = nv;
		k->cap = nc;
	}
	va_start(ap, fmt);
	r = vasprintf(&val, fmt, ap);
	va_end(ap);
	k->v[k->n].key = strdup(key);
	if (r < 0 || !k->v[k->n].key) {
		if (r >= 0)
			free(val);
		free(k->v[k->n].key);
		k->oom = true;
		return;
	}
	k->v[k->n].val = val;
	k->v[k->n].is_str = is_str;
	k->n++;
}

static void add_u64(struct kvs *k, const char *key, uint64_t v)
{
	add(k, false, key, "%" PRIu64, v);
}

/* Falco rounds rates and percentages to one decimal */
static void add_d1(struct kvs *k, const char *key, double v)
{
	add(k, false, key, "%.1f", round(v * 10.0) / 10.0);
}

static void add_str(struct kvs *k, const char *key, const char *v)
{
	add(k, true, key, "%s", v ? v : "");
}

/* Falco's sanitize_rule_name: [^a-zA-Z0-9_:] -> '_', runs of '_' collapsed, no '_' at end */
static void sanitize(char *out, size_t n, const char *prefix, const char *name)
{
	size_t k = (size_t)snprintf(out, n, "%s", prefix);

	for (const char *s = name; *s && k + 1 < n; s++) {
		char ch = *s;

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '_' || ch == ':'))
			ch = '_';
		if (ch == '_' && k > 0 && out[k - 1] == '_')
			continue;
		out[k++] = ch;
	}
	while (k > strlen(prefix) && out[k - 1] == '_')
		k--;
	out[k] = 0;
}

static void wrapper_fields(struct kvs *k, struct metrics *m, uint64_t now, double dt,
			   uint64_t out_drops)
{
	char key[512];
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	uint64_t num_evts = mc_get(&m->c, MET_FRC_EVTS_PROCESSED);

	add_u64(k, "evt.time", now);
	add_u64(k, "falco.reload_ts", mc_get(&m->c, MET_FALCO_RELOAD_TS));
	add_str(k, "falco.version", FRC_VERSION);
	add_u64(k, "falco.start_ts", m->start_ns);
	add_u64(k, "falco.duration_sec", now > m->start_ns ? (now - m->start_ns) / 1000000000u : 0);
	add_str(k, "falco.kernel_release", m->kernel_release);
	add_str(k, "evt.hostname", m->hostname);
	add_u64(k, "falco.host_boot_ts", metrics_boot_ts_ns());
	add_u64(k, "falco.host_num_cpus", ncpu > 0 ? (uint64_t)ncpu : 0);
	add_u64(k, "falco.outputs_queue_num_drops",
		mc_get(&m->c, MET_FALCO_OUTPUTS_QUEUE_DROPS) + out_drops);
	for (int c = 0; c < 2; c++)
		for (size_t i = 0; i < m->nfiles[c]; i++) {
			sanitize(key, sizeof(key), c ? "falco.sha256_config_file." :
						       "falco.sha256_rules_file.", m->files[c][i].name);
			add_str(k, key, m->files[c][i].sha256);
		}
	add_str(k, "evt.source", "syscall");
	add_str(k, "scap.engine_name", m->engine);
	if (m->snap_num_evts && dt > 0)
		add_d1(k, "falco.evts_rate_sec", (double)(num_evts - m->snap_num_evts) / dt);
	add_u64(k, "falco.num_evts", num_evts);
	add_u64(k, "falco.num_evts_prev", m->snap_num_evts);
	m->snap_num_evts = num_evts;
}

static void rule_fields(struct kvs *k, const struct metrics *m, bool empty)
{
	const struct ruletab *t = m->rules;
	uint64_t total = 0;
	char key[512];

	for (uint32_t i = 0; t && i < t->pub.n; i++)
		total += __atomic_load_n(&t->pub.ctr[i].matches, __ATOMIC_RELAXED);
	add_u64(k, "falco.rules.matches_total", total);
	for (uint32_t i = 0; t && i < t->pub.n; i++) {
		uint64_t v = __atomic_load_n(&t->pub.ctr[i].matches, __ATOMIC_RELAXED);

		if (!t->meta[i].name || (!v && !empty))
			continue;
		sanitize(key, sizeof(key), "falco.rules.", t->meta[i].name);
		add_u64(k, key, v);
	}
}

static void add_mem(struct kvs *k, const char *base, uint64_t kb, bool mb, bool empty)
{
	char key[64];

	if (!kb && !empty)
		return;
	snprintf(key, sizeof(key), "%s_%s", base, mb ? "mb" : "kb");
	if (mb)
		add(k, false, key, "%.1f", (double)kb / 1024.0);
	else
		add_u64(k, key, kb);
}

static void resource_fields(struct kvs *k, bool mb, bool empty)
{
	struct host_usage u;

	metrics_host_usage(&u);
	if (u.cpu_ratio != 0 || empty)
		add_d1(k, "falco.cpu_usage_perc", u.cpu_ratio * 100.0);
	add_mem(k, "falco.memory_rss", u.rss_kb, mb, empty);
	add_mem(k, "falco.memory_vsz", u.vsz_kb, mb, empty);
	add_mem(k, "falco.memory_pss", u.pss_kb, mb, empty);
	if (u.container_mem_b || empty) {
		if (mb)
			add(k, false, "falco.container_memory_used_mb", "%.1f",
			    (double)u.container_mem_b / (1024.0 * 1024.0));
		else
			add_u64(k, "falco.container_memory_used_bytes", u.container_mem_b);
	}
	if (u.host_cpu_ratio != 0 || empty)
		add_d1(k, "falco.host_cpu_usage_perc", u.host_cpu_ratio * 100.0);
	add_mem(k, "falco.host_memory_used", u.host_mem_used_kb, mb, empty);
	if (u.procs_running || empty)
		add_u64(k, "falco.host_procs_running", u.procs_running);
	if (u.open_fds || empty)
		add_u64(k, "falco.host_open_fds", u.open_fds);
}

/* the table's counters that have a snapshot name; n_evts and n_drops always, with rates */
static void table_fields(struct kvs *k, struct metrics *m, double dt, bool empty)
{
	uint64_t n_evts = mc_get(&m->c, MET_SCAP_N_EVTS), n_drops = mc_get(&m->c, MET_SCAP_N_DROPS);
	uint64_t de = n_evts - m->snap_n_evts, dd = n_drops - m->snap_n_drops, buf = 0;
	bool kernel = m->opt.kernel_event_counters;

	for (int i = 0; i < MET__COUNT; i++) {
		const struct mdesc *d = &metrics_desc[i];
		uint64_t v = mc_get(&m->c, (enum metric_id)i);

		if (!d->snap || i == MET_SCAP_N_EVTS || i == MET_SCAP_N_DROPS)
			continue;
		if ((d->cat == MC_KERNEL && !kernel) || (d->cat == MC_STATE && !m->opt.state_counters))
			continue;
		if (!strncmp(d->snap, "scap.n_drops_buffer_", 20))
			buf += v;
		if (v || empty || d->cat == MC_ALWAYS)
			add_u64(k, d->snap, v);
	}
	if (!kernel)
		return;
	if (buf || empty)
		add_u64(k, "scap.n_drops_buffer_total", buf);
	add_u64(k, "scap.n_evts", n_evts);
	add_u64(k, "scap.n_evts_prev", m->snap_n_evts);
	add_d1(k, "scap.evts_rate_sec", de && dt > 0 ? (double)de / dt : 0);
	add_u64(k, "scap.n_drops", n_drops);
	add_u64(k, "scap.n_drops_prev", m->snap_n_drops);
	add_d1(k, "scap.evts_drop_rate_sec", dd && dt > 0 ? (double)dd / dt : 0);
	add(k, false, "scap.n_drops_perc", "%g", de ? 100.0 * (double)dd / (double)de : 0.0);
	m->snap_n_evts = n_evts;
	m->snap_n_drops = n_drops;
	for (unsigned c = 0; m->opt.kernel_event_counters_per_cpu && c < m->ncpus; c++) {
		char key[64];

		snprintf(key, sizeof(key), "scap.n_evts_cpu_%u", c);
		add_u64(k, key, __atomic_load_n(&m->cpu_evts[c], __ATOMIC_RELAXED));
		snprintf(key, sizeof(key), "scap.n_drops_cpu_%u", c);
		add_u64(k, key, __atomic_load_n(&m->cpu_drops[c], __ATOMIC_RELAXED));
	}
}

static int cmp_kv(const void *a, const void *b)
{
	return strcmp(((const struct kv *)a)->key, ((const struct kv *)b)->key);
}

int metrics_snapshot_take(struct metrics *m, const struct metrics_snapshot_options *o,
			  struct metrics_snapshot *s)
{
	struct metrics_snapshot_options def = { false, true };
	struct kvs k = { 0 };
	struct metrics_output_stats *st;
	uint64_t now = metrics_clock_ns(CLOCK_REALTIME), drops;
	double dt;

	memset(s, 0, sizeof(*s));
	if (!o)
		o = &def;
	pthread_mutex_lock(&m->lock);
	st = calloc(m->noutputs ? m->noutputs : 1, sizeof(*st));
	drops = st ? metrics_outputs_drops(m, st) : 0;
	free(st);
	dt = m->snap_last_ns && now > m->snap_last_ns ? (double)(now - m->snap_last_ns) / 1e9 : 0;
	wrapper_fields(&k, m, now, dt, drops);
	if (m->opt.rules_counters)
		rule_fields(&k, m, o->include_empty_values);
	if (m->opt.resource_utilization)
		resource_fields(&k, o->convert_memory_to_mb, o->include_empty_values);
	table_fields(&k, m, dt, o->include_empty_values);
	add_u64(&k, "frc.ruleset_generation", m->rules ? m->rules->pub.generation : 0);
	m->snap_last_ns = now;
	s->sample = ++m->snap_samples;
	pthread_mutex_unlock(&m->lock);
	qsort(k.v, k.n, sizeof(*k.v), cmp_kv);
	s->n = k.n;
	s->keys = calloc(k.n ? k.n : 1, sizeof(char *));
	s->values = calloc(k.n ? k.n : 1, sizeof(char *));
	s->is_str = calloc(k.n ? k.n : 1, sizeof(bool));
	for (uint32_t i = 0; i < k.n && s->keys && s->values && s->is_str; i++) {
		s->keys[i] = k.v[i].key;
		s->values[i] = k.v[i].val;
		s->is_str[i] = k.v[i].is_str;
		k.v[i].key = k.v[i].val = NULL;
	}
	for (uint32_t i = 0; i < k.n; i++) {
		free(k.v[i].key);
		free(k.v[i].val);
	}
	free(k.v);
	if (k.oom || !s->keys || !s->values || !s->is_str) {
		metrics_snapshot_free(s);
		return -1;
	}
	return 0;
}

char *metrics_snapshot_jsonl(const struct metrics_snapshot *s, size_t *len)
{
	struct jw_buf b;

	jw_init(&b);
	jw_printf(&b, "{\"output_fields\":{");
	for (uint32_t i = 0; i < s->n; i++) {
		if (i)
			jw_putc(&b, ',');
		jw_cstr(&b, s->keys[i]);
		jw_putc(&b, ':');
		if (s->is_str[i])
			jw_cstr(&b, s->values[i]);
		else
			jw_puts(&b, s->values[i]);
	}
	jw_printf(&b, "},\"sample\":%" PRIu64 "}", s->sample);
	if (b.oom) {
		jw_free(&b);
		return NULL;
	}
	if (len)
		*len = b.len;
	return b.p;
}

void metrics_snapshot_free(struct metrics_snapshot *s)
{
	for (uint32_t i = 0; i < s->n; i++) {
		if (s->keys)
			free(s->keys[i]);
		if (s->values)
			free(s->values[i]);
	}
	free(s->keys);
	free(s->values);
	free(s->is_str);
	memset(s, 0, sizeof(*s));
}
