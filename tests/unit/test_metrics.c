/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests of the metrics registry (runtime/metrics.c): counters, rule tables across
 * reloads, files, outputs, health, and the Prometheus text it renders, which every test
 * runs through a strict validator of the exposition format.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <ctype.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "frc.h"
#include "metrics.h"

/* ---------------------------------------------------------------- validator */

#define MAXFAM 512

/* Checks @text against the Prometheus text format 0.0.4: HELP then TYPE once per family,
 * samples of a family contiguous and after its TYPE, valid names, label syntax and
 * escapes, unique label names per sample, numeric values, counters named *_total. */
static void validate(const char *text)
{
	char *fams[MAXFAM];
	int nfam = 0;
	char cur[256] = "", curtype[32] = "";
	const char *p = text;
	int lineno = 0;

	assert_non_null(text);
	while (*p) {
		const char *eol = strchr(p, '\n');
		char line[4096], name[256];
		size_t n;

		assert_non_null(eol);	/* every line ends with \n */
		n = (size_t)(eol - p);
		assert_true(n < sizeof(line));
		memcpy(line, p, n);
		line[n] = 0;
		p = eol + 1;
		lineno++;
		if (!strncmp(line, "# HELP ", 7)) {
			assert_int_equal(sscanf(line + 7, "%255s", name), 1);
			for (int i = 0; i < nfam; i++)
				if (!strcmp(fams[i], name)) {
					fprintf(stderr, "line %d: family %s declared twice\n", lineno, name);
					fail();
				}
			assert_true(nfam < MAXFAM);
			fams[nfam++] = strdup(name);
			snprintf(cur, sizeof(cur), "%s", name);
			curtype[0] = 0;
			continue;
		}
		if (!strncmp(line, "# TYPE ", 7)) {
			char t[32];

			assert_int_equal(sscanf(line + 7, "%255s %31s", name, t), 2);
			assert_string_equal(name, cur);
			assert_true(!strcmp(t, "counter") || !strcmp(t, "gauge"));
			snprintf(curtype, sizeof(curtype), "%s", t);
			if (!strcmp(t, "counter")) {
				size_t l = strlen(name);

				assert_true(l > 6 && !strcmp(name + l - 6, "_total"));
			}
			continue;
		}
		assert_true(line[0] != '#');
		/* sample: name{labels} value */
		const char *q = line;
		size_t k = 0;

		assert_true(isalpha((unsigned char)*q) || *q == '_' || *q == ':');
		while (isalnum((unsigned char)*q) || *q == '_' || *q == ':')
			name[k++] = *q++;
		name[k] = 0;
		if (strcmp(name, cur) || !curtype[0]) {
			fprintf(stderr, "line %d: sample %s outside its family (%s)\n", lineno, name, cur);
			fail();
		}
		if (*q == '{') {
			char lnames[32][128];
			int nl = 0;

			q++;
			while (*q != '}') {
				size_t j = 0;

				assert_true(isalpha((unsigned char)*q) || *q == '_');
				while (isalnum((unsigned char)*q) || *q == '_')
					lnames[nl][j++] = *q++;
				lnames[nl][j] = 0;
				for (int i = 0; i < nl; i++)
					assert_string_not_equal(lnames[i], lnames[nl]);
				nl++;
				assert_true(nl < 32);
				assert_int_equal(*q++, '=');
				assert_int_equal(*q++, '"');
				while (*q != '"') {
					assert_true(*q != 0);
					if (*q == '\\') {
						q++;
						assert_true(*q == '\\' || *q == '"' || *q == 'n');
					}
					q++;
				}
				q++;
				if (*q == ',')
					q++;
				else
					assert_int_equal(*q, '}');
			}
			q++;
		}
		assert_int_equal(*q++, ' ');
		char *end;

		strtod(q, &end);
		assert_true(end != q && *end == 0);
	}
	for (int i = 0; i < nfam; i++)
		free(fams[i]);
}

static char *render(struct metrics *m)
{
	size_t len = 0;
	char *t = metrics_render_prometheus(m, &len);

	assert_non_null(t);
	assert_int_equal(strlen(t), len);
	validate(t);
	return t;
}

static void assert_has(const char *text, const char *needle)
{
	if (!strstr(text, needle)) {
		fprintf(stderr, "missing: %s\n", needle);
		fail();
	}
}

static void assert_lacks(const char *text, const char *needle)
{
	if (strstr(text, needle)) {
		fprintf(stderr, "unexpected: %s\n", needle);
		fail();
	}
}

/* ---------------------------------------------------------------- rule fixtures */

static const char *tags_a[] = { "host", "container", "mitre_credential_access", "T1555",
				"maturity_stable" };
static const char *tags_b[] = { "a-b", "a_b", "x.y" };

static void mk_rules(struct frc_rules *rs, struct frc_rule *r, int variant)
{
	memset(r, 0, 3 * sizeof(*r));
	r[0].name = "Read sensitive file untrusted";
	r[0].priority = PRIO_WARNING;
	r[0].source = "syscall";
	r[0].tags = tags_a;
	r[0].ntags = 5;
	r[0].enabled = true;
	r[1].name = "Weird \"name\" with \\ and\nnewline";
	r[1].priority = PRIO_CRITICAL;
	r[1].source = "syscall";
	r[1].tags = tags_b;
	r[1].ntags = 3;
	r[1].enabled = true;
	r[2].name = "Never matches";
	r[2].priority = PRIO_DEBUG;
	r[2].enabled = false;
	for (uint32_t i = 0; i < 3; i++)
		r[i].id = i;
	if (variant) {
		/* a reload: another order, one rule renamed */
		struct frc_rule t = r[0];

		r[0] = r[1];
		r[1] = t;
		r[2].name = "Brand new rule";
		for (uint32_t i = 0; i < 3; i++)
			r[i].id = i;
	}
	rs->rules = r;
	rs->nrules = 3;
}

/* ---------------------------------------------------------------- tests */

static void test_defaults_render_falco_names(void **state)
{
	struct metrics *m = metrics_create(2, NULL);
	struct metrics_counters *c = metrics_counters(m);
	char *t;

	(void)state;
	mc_add(c, MET_SCAP_N_EVTS, 5);
	mc_add(c, MET_SCAP_N_EVTS, 2);
	mc_set(c, MET_SCAP_N_DROPS, 3);
	mc_add(c, MET_SCAP_DROPS_BUF_EXECVE_EXIT, 3);
	mc_add_shared(c, MET_FALCO_OUTPUTS_QUEUE_DROPS, 4);
	mc_add(c, MET_FRC_KFILTER_DROPS, 1000);
	t = render(m);
	/* the set the official Grafana dashboard queries */
	assert_has(t, "\nfalcosecurity_scap_n_evts_total 7\n");
	assert_has(t, "\nfalcosecurity_falco_n_evts_total 7\n");
	assert_has(t, "\nfalcosecurity_scap_n_drops_total 3\n");
	assert_has(t, "\nfalcosecurity_scap_n_drops_buffer_total{dir=\"exit\",drop=\"execve\"} 3\n");
	assert_has(t, "\nfalcosecurity_scap_n_drops_buffer_total{dir=\"enter\",drop=\"execve\"} 0\n");
	assert_has(t, "\nfalcosecurity_scap_n_drops_scratch_map_total 0\n");
	assert_has(t, "\nfalcosecurity_scap_n_drops_full_threadtable_total 0\n");
	assert_has(t, "\nfalcosecurity_falco_outputs_queue_num_drops_total 4\n");
	assert_has(t, "# TYPE falcosecurity_falco_cpu_usage_ratio gauge\n");
	assert_has(t, "\nfalcosecurity_falco_memory_rss_bytes ");
	assert_has(t, "\nfalcosecurity_falco_memory_vsz_bytes ");
	assert_has(t, "falcosecurity_falco_version_info{version=\"");
	assert_has(t, "falcosecurity_scap_engine_name_info{engine_name=\"modern_bpf\",evt_source=\"syscall\"} 1\n");
	assert_has(t, "# HELP falcosecurity_scap_n_evts_total https://falco.org/docs/metrics/\n");
	assert_has(t, "# TYPE falcosecurity_scap_n_evts_total counter\n");
	assert_has(t, "\nfrc_kernel_filter_dropped_events_total 1000\n");
	assert_has(t, "falcosecurity_falco_host_num_cpus_total ");
	assert_has(t, "falcosecurity_falco_kernel_release_info{kernel_release=\"");
	assert_has(t, "falcosecurity_evt_hostname_info{hostname=\"");
	/* no rules: no rule lines, the ruleset gauges say so */
	assert_lacks(t, "rules_matches_total");
	assert_has(t, "\nfrc_rules_loaded 0\n");
	assert_has(t, "\nfrc_ruleset_generation 0\n");
	/* per-CPU counters are off by default, as in Falco */
	assert_lacks(t, "n_evts_cpu_total");
	free(t);
	metrics_destroy(m);
}

static void test_options(void **state)
{
	struct metrics_options o;
	struct metrics *m;
	char *t;

	(void)state;
	metrics_default_options(&o);
	o.kernel_event_counters = false;
	o.state_counters = false;
	o.resource_utilization = false;
	o.kernel_event_counters_per_cpu = true;
	m = metrics_create(4, &o);
	metrics_set_cpu(m, 3, 42, 7);
	metrics_set_cpu(m, 9, 1, 1);	/* out of range: ignored */
	metrics_set_engine(m, "replay");
	t = render(m);
	assert_lacks(t, "falcosecurity_scap_n_evts_total");
	assert_lacks(t, "n_threads_total");
	assert_lacks(t, "cpu_usage_ratio");
	assert_has(t, "\nfalcosecurity_scap_n_evts_cpu_total{cpu=\"3\"} 42\n");
	assert_has(t, "\nfalcosecurity_scap_n_drops_cpu_total{cpu=\"3\"} 7\n");
	assert_has(t, "\nfalcosecurity_scap_n_evts_cpu_total{cpu=\"0\"} 0\n");
	assert_lacks(t, "cpu=\"4\"");
	assert_has(t, "engine_name=\"replay\"");
	free(t);
	metrics_destroy(m);
}

static void test_rule_counters_and_labels(void **state)
{
	struct metrics *m = metrics_create(1, NULL);
	struct frc_rule r[3];
	struct frc_rules rs;
	struct metrics_ruletab *tab;
	char *t;

	(void)state;
	mk_rules(&rs, r, 0);
	tab = metrics_set_rules(m, &rs, 1);
	assert_non_null(tab);
	assert_ptr_equal(metrics_rules(m), tab);
	assert_int_equal(tab->n, 3);
	for (int i = 0; i < 32; i++)
		metrics_rule_match(tab, 0);
	metrics_rule_match(tab, 1);
	metrics_rule_match(tab, 99);	/* out of range: ignored */
	metrics_rule_evaluated(tab, 0, 1000);
	metrics_rule_timed(tab, 0, 1500);
	metrics_rule_timed(tab, 0, 500);
	t = render(m);
	/* Falco's labels, sorted: priority (number), rule_name, source, tag_* */
	assert_has(t, "\nfalcosecurity_falco_rules_matches_total{priority=\"4\","
		      "rule_name=\"Read sensitive file untrusted\",source=\"syscall\","
		      "tag_T1555=\"true\",tag_container=\"true\",tag_host=\"true\","
		      "tag_maturity_stable=\"true\",tag_mitre_credential_access=\"true\"} 32\n");
	/* escaped name, sanitised and de-duplicated tag labels */
	assert_has(t, "\nfalcosecurity_falco_rules_matches_total{priority=\"2\","
		      "rule_name=\"Weird \\\"name\\\" with \\\\ and\\nnewline\",source=\"syscall\","
		      "tag_a_b=\"true\",tag_x_y=\"true\"} 1\n");
	/* only rules that matched */
	assert_lacks(t, "Never matches");
	assert_has(t, "\nfrc_rule_evaluations_total{priority=\"4\",rule_name=\"Read sensitive "
		      "file untrusted\",source=\"syscall\"} 1000\n");
	assert_has(t, "\nfrc_rule_timed_evaluations_total{priority=\"4\",rule_name=\"Read "
		      "sensitive file untrusted\",source=\"syscall\"} 2\n");
	assert_has(t, "\nfrc_rule_evaluation_seconds_total{priority=\"4\",rule_name=\"Read "
		      "sensitive file untrusted\",source=\"syscall\"} 0.000002000\n");
	assert_has(t, "\nfrc_rules_enabled 2\n");
	assert_has(t, "\nfrc_ruleset_generation 1\n");
	assert_has(t, "\nfrc_rules_loaded 1\n");
	assert_has(t, "\nfrc_reloads_total{result=\"ok\"} 0\n");
	free(t);
	metrics_destroy(m);
}

static void test_reload_carries_counts(void **state)
{
	struct metrics *m = metrics_create(1, NULL);
	struct frc_rule r[3], r2[3];
	struct frc_rules rs, rs2;
	struct metrics_ruletab *tab;
	uint64_t ts0, ts1;
	char *t;

	(void)state;
	mk_rules(&rs, r, 0);
	tab = metrics_set_rules(m, &rs, 1);
	for (int i = 0; i < 5; i++)
		metrics_rule_match(tab, 0);
	metrics_rule_match(tab, 1);
	metrics_rule_match(tab, 2);
	ts0 = mc_get(metrics_counters(m), MET_FALCO_RELOAD_TS);
	usleep(2000);
	mk_rules(&rs2, r2, 1);
	tab = metrics_set_rules(m, &rs2, 2);
	assert_non_null(tab);
	/* new ids: 0 = Weird, 1 = Read sensitive, 2 = Brand new */
	assert_int_equal(tab->ctr[0].matches, 1);
	assert_int_equal(tab->ctr[1].matches, 5);
	assert_int_equal(tab->ctr[2].matches, 0);
	metrics_rule_match(tab, 1);
	ts1 = mc_get(metrics_counters(m), MET_FALCO_RELOAD_TS);
	assert_true(ts1 > ts0);
	metrics_reload_failed(m, "bad rule");
	t = render(m);
	assert_has(t, "rule_name=\"Read sensitive file untrusted\"");
	assert_has(t, "tag_mitre_credential_access=\"true\"} 6\n");
	assert_lacks(t, "Never matches");
	assert_lacks(t, "Brand new rule");
	assert_has(t, "\nfrc_ruleset_generation 2\n");
	assert_has(t, "\nfrc_reloads_total{result=\"ok\"} 1\n");
	assert_has(t, "\nfrc_reloads_total{result=\"failed\"} 1\n");
	free(t);
	metrics_destroy(m);
}

static void test_sparse_ids(void **state)
{
	struct metrics *m = metrics_create(1, NULL);
	struct frc_rule r[2];
	struct frc_rules rs = { r, 2 };
	struct metrics_ruletab *tab;
	char *t;

	(void)state;
	memset(r, 0, sizeof(r));
	r[0].name = "a";
	r[0].id = 3;
	r[0].enabled = true;
	r[1].name = "b";
	r[1].id = 7;
	r[1].enabled = true;
	tab = metrics_set_rules(m, &rs, 1);
	assert_int_equal(tab->n, 8);
	metrics_rule_match(tab, 7);
	metrics_rule_match(tab, 5);	/* no rule there: counted nowhere visible */
	t = render(m);
	assert_has(t, "rule_name=\"b\",source=\"syscall\"} 1\n");
	assert_has(t, "\nfrc_rules_enabled 2\n");
	free(t);
	metrics_destroy(m);
}

static void test_files_sha256(void **state)
{
	struct metrics *m = metrics_create(1, NULL);
	char path[64] = "/tmp/frc-metrics-XXXXXX";
	char cfg[] = "/etc/hostname-does-not-exist";
	const char *paths[2];
	int fd = mkstemp(path);
	char *t;

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "abc", 3), 3);
	close(fd);
	paths[0] = path;
	paths[1] = "/nonexistent/rules.yaml";
	metrics_set_files(m, false, paths, 2);
	paths[0] = cfg;
	metrics_set_files(m, true, paths, 1);
	t = render(m);
	/* SHA-256("abc") */
	assert_has(t, "falcosecurity_falco_sha256_rules_files_info{file_name=\"");
	assert_has(t, "\",sha256=\"ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\"} 1\n");
	assert_lacks(t, "rules.yaml");
	assert_lacks(t, "sha256_config_files_info");	/* nothing readable */
	free(t);
	unlink(path);
	metrics_destroy(m);
}

static void fake_output(void *ctx, struct metrics_output_stats *st)
{
	const struct metrics_output_stats *src = ctx;

	*st = *src;
}

static void test_outputs(void **state)
{
	struct metrics *m = metrics_create(1, NULL);
	struct metrics_output_stats a = { .delivered = 10, .failed = 2, .dropped = 7,
					  .retries = 3, .queued = 5, .capacity = 100 };
	struct metrics_output_stats b = { .dropped = 1 };
	char *t;

	(void)state;
	mc_add_shared(metrics_counters(m), MET_FALCO_OUTPUTS_QUEUE_DROPS, 2);
	assert_int_equal(metrics_add_output(m, "http", fake_output, &a), 0);
	assert_int_equal(metrics_add_output(m, "file", fake_output, &b), 0);
	t = render(m);
	assert_has(t, "\nfrc_output_queue_length{output=\"http\"} 5\n");
	assert_has(t, "\nfrc_output_queue_capacity{output=\"http\"} 100\n");
	assert_has(t, "\nfrc_output_delivered_total{output=\"http\"} 10\n");
	assert_has(t, "\nfrc_output_failed_total{output=\"http\"} 2\n");
	assert_has(t, "\nfrc_output_dropped_total{output=\"http\"} 7\n");
	assert_has(t, "\nfrc_output_retries_total{output=\"http\"} 3\n");
	assert_has(t, "\nfrc_output_dropped_total{output=\"file\"} 1\n");
	/* Falco's single "alerts lost before output" counter covers every queue */
	assert_has(t, "\nfalcosecurity_falco_outputs_queue_num_drops_total 10\n");
	free(t);
	metrics_remove_output(m, "http");
	t = render(m);
	assert_lacks(t, "output=\"http\"");
	assert_has(t, "\nfalcosecurity_falco_outputs_queue_num_drops_total 3\n");
	free(t);
	metrics_destroy(m);
}

static void test_health(void **state)
{
	struct metrics *m = metrics_create(1, NULL);
	struct metrics_health h;
	struct frc_rule r[3];
	struct frc_rules rs;
	char *t;

	(void)state;
	metrics_get_health(m, 1000000000u, &h);
	assert_false(h.ok);
	assert_false(h.loop_started);
	assert_false(h.rules_loaded);
	metrics_set_rules_failed(m, "rules.yaml:3:7: syntax error");
	metrics_get_health(m, 1000000000u, &h);
	assert_string_equal(h.rules_error, "rules.yaml:3:7: syntax error");

	mk_rules(&rs, r, 0);
	metrics_set_rules(m, &rs, 1);
	metrics_heartbeat(m);
	metrics_get_health(m, 60000000000u, &h);
	assert_true(h.ok);
	assert_true(h.rules_loaded);
	assert_int_equal(h.probe, PROBE_NOT_USED);

	/* a later failure does not unload the running rules */
	metrics_set_rules_failed(m, "reload failed");
	metrics_get_health(m, 60000000000u, &h);
	assert_true(h.ok);

	metrics_set_probe(m, PROBE_ATTACHED, NULL);
	t = render(m);
	assert_has(t, "\nfrc_probe_attached 1\n");
	assert_has(t, "\nfrc_event_loop_heartbeat_age_seconds ");
	free(t);
	metrics_set_probe(m, PROBE_DETACHED, "ring buffer closed");
	metrics_get_health(m, 60000000000u, &h);
	assert_false(h.ok);
	assert_string_equal(h.probe_detail, "ring buffer closed");
	metrics_set_probe(m, PROBE_ATTACHED, NULL);

	/* the heartbeat stops: stalled once older than the threshold (1 ms here) */
	usleep(5000);
	metrics_get_health(m, 1000000u, &h);
	assert_false(h.ok);
	assert_true(h.loop_stalled);
	assert_true(h.heartbeat_age_ns >= 1000000u);
	metrics_heartbeat(m);
	metrics_get_health(m, 60000000000u, &h);
	assert_true(h.ok);
	metrics_destroy(m);
}

/* the event thread counts while another thread renders and reloads happen */
struct race {
	struct metrics *m;
	volatile int stop;
};

static void *renderer(void *arg)
{
	struct race *r = arg;

	while (!r->stop) {
		char *t = metrics_render_prometheus(r->m, NULL);

		assert_non_null(t);
		free(t);
	}
	return NULL;
}

static void test_concurrent_render(void **state)
{
	struct race rc = { metrics_create(2, NULL), 0 };
	struct frc_rule r[3];
	struct frc_rules rs;
	struct metrics_ruletab *tab;
	pthread_t th;
	char *t;

	(void)state;
	mk_rules(&rs, r, 0);
	tab = metrics_set_rules(rc.m, &rs, 1);
	assert_int_equal(pthread_create(&th, NULL, renderer, &rc), 0);
	for (int gen = 2; gen < 40; gen++) {
		for (int i = 0; i < 10000; i++) {
			mc_add(metrics_counters(rc.m), MET_SCAP_N_EVTS, 1);
			metrics_rule_match(tab, (uint32_t)(i % 3));
		}
		metrics_heartbeat(rc.m);
		tab = metrics_set_rules(rc.m, &rs, (uint64_t)gen);
		assert_non_null(tab);
	}
	rc.stop = 1;
	pthread_join(th, NULL);
	t = render(rc.m);
	assert_has(t, "\nfalcosecurity_scap_n_evts_total 380000\n");
	assert_has(t, "tag_mitre_credential_access=\"true\"} 126692\n");
	free(t);
	metrics_destroy(rc.m);
}

static const char *snap_get(const struct metrics_snapshot *s, const char *key)
{
	for (uint32_t i = 0; i < s->n; i++)
		if (!strcmp(s->keys[i], key))
			return s->values[i];
	return NULL;
}

static void test_snapshot(void **state)
{
	struct metrics *m = metrics_create(2, NULL);
	struct metrics_counters *c = metrics_counters(m);
	struct metrics_snapshot_options o = { .include_empty_values = false,
					      .convert_memory_to_mb = true };
	struct metrics_snapshot s1, s2;
	struct frc_rule r[3];
	struct frc_rules rs;
	struct metrics_ruletab *tab;
	char *line;
	size_t len;

	(void)state;
	mk_rules(&rs, r, 0);
	tab = metrics_set_rules(m, &rs, 1);
	metrics_rule_match(tab, 0);
	metrics_rule_match(tab, 1);
	metrics_rule_match(tab, 1);
	mc_add(c, MET_SCAP_N_EVTS, 1000);
	mc_add(c, MET_FRC_EVTS_PROCESSED, 990);
	mc_add(c, MET_SCAP_N_DROPS, 10);
	mc_add(c, MET_SCAP_DROPS_BUF_OPEN_EXIT, 10);
	assert_int_equal(metrics_snapshot_take(m, &o, &s1), 0);
	assert_int_equal(s1.sample, 1);
	for (uint32_t i = 1; i < s1.n; i++)
		assert_true(strcmp(s1.keys[i - 1], s1.keys[i]) < 0);	/* sorted, unique */
	assert_string_equal(snap_get(&s1, "scap.n_evts"), "1000");
	assert_string_equal(snap_get(&s1, "scap.n_evts_prev"), "0");
	assert_string_equal(snap_get(&s1, "scap.n_drops"), "10");
	assert_string_equal(snap_get(&s1, "scap.n_drops_buffer_open_exit"), "10");
	assert_string_equal(snap_get(&s1, "scap.n_drops_buffer_total"), "10");
	assert_string_equal(snap_get(&s1, "scap.n_drops_perc"), "1");
	assert_null(snap_get(&s1, "scap.n_drops_buffer_execve_exit"));	/* empty: left out */
	assert_string_equal(snap_get(&s1, "falco.num_evts"), "990");
	assert_null(snap_get(&s1, "falco.evts_rate_sec"));	/* no previous sample */
	assert_string_equal(snap_get(&s1, "falco.rules.matches_total"), "3");
	assert_string_equal(snap_get(&s1, "falco.rules.Read_sensitive_file_untrusted"), "1");
	assert_string_equal(snap_get(&s1, "falco.rules.Weird_name_with_and_newline"), "2");
	assert_null(snap_get(&s1, "falco.rules.Never_matches"));
	assert_string_equal(snap_get(&s1, "evt.source"), "syscall");
	assert_string_equal(snap_get(&s1, "scap.engine_name"), "modern_bpf");
	assert_non_null(snap_get(&s1, "falco.memory_rss_mb"));
	assert_non_null(snap_get(&s1, "falco.version"));
	assert_string_equal(snap_get(&s1, "frc.ruleset_generation"), "1");
	line = metrics_snapshot_jsonl(&s1, &len);
	assert_non_null(line);
	assert_int_equal(strlen(line), len);
	{
		static const char head[] = "{\"output_fields\":{\"evt.hostname\":\"";

		assert_true(!strncmp(line, head, sizeof(head) - 1));
	}
	assert_non_null(strstr(line, ",\"scap.n_evts\":1000,"));
	assert_non_null(strstr(line, "\"falco.version\":\""));
	{
		static const char tail[] = "},\"sample\":1}";

		assert_true(len > sizeof(tail) && !strcmp(line + len - (sizeof(tail) - 1), tail));
	}
	free(line);

	usleep(20000);
	mc_add(c, MET_SCAP_N_EVTS, 500);
	mc_add(c, MET_FRC_EVTS_PROCESSED, 500);
	o.include_empty_values = true;
	o.convert_memory_to_mb = false;
	assert_int_equal(metrics_snapshot_take(m, &o, &s2), 0);
	assert_int_equal(s2.sample, 2);
	assert_string_equal(snap_get(&s2, "scap.n_evts_prev"), "1000");
	assert_string_equal(snap_get(&s2, "falco.num_evts_prev"), "990");
	assert_true(atof(snap_get(&s2, "scap.evts_rate_sec")) > 0);
	assert_true(atof(snap_get(&s2, "falco.evts_rate_sec")) > 0);
	assert_string_equal(snap_get(&s2, "scap.evts_drop_rate_sec"), "0.0");
	assert_string_equal(snap_get(&s2, "scap.n_drops_perc"), "0");
	assert_string_equal(snap_get(&s2, "scap.n_drops_buffer_execve_exit"), "0");
	assert_string_equal(snap_get(&s2, "falco.rules.Never_matches"), "0");
	assert_non_null(snap_get(&s2, "falco.memory_rss_kb"));
	metrics_snapshot_free(&s1);
	metrics_snapshot_free(&s2);
	metrics_destroy(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults_render_falco_names),
		cmocka_unit_test(test_options),
		cmocka_unit_test(test_rule_counters_and_labels),
		cmocka_unit_test(test_reload_carries_counts),
		cmocka_unit_test(test_sparse_ids),
		cmocka_unit_test(test_files_sha256),
		cmocka_unit_test(test_outputs),
		cmocka_unit_test(test_health),
		cmocka_unit_test(test_concurrent_render),
		cmocka_unit_test(test_snapshot),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
