/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests of the web server (runtime/webserver.c) on 127.0.0.1, queried with libcurl:
 * /healthz (ok, and unhealthy for each broken part), /versions, /metrics, errors, TLS.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>

#include "frc.h"
#include "metrics.h"
#include "ops_tls.h"
#include "version.h"
#include "webserver.h"

struct resp {
	long status;
	char ctype[128];
	char *body;
	size_t len;
};

static size_t sink(char *p, size_t size, size_t n, void *ud)
{
	struct resp *r = ud;

	r->body = realloc(r->body, r->len + size * n + 1);
	memcpy(r->body + r->len, p, size * n);
	r->len += size * n;
	r->body[r->len] = 0;
	return size * n;
}

static struct resp request(const char *method, const char *scheme, uint16_t port,
			   const char *path, const char *cacert)
{
	struct resp r = { 0 };
	char url[256];
	char *ct = NULL;
	CURL *c = curl_easy_init();
	CURLcode rc;

	assert_non_null(c);
	snprintf(url, sizeof(url), "%s://127.0.0.1:%u%s", scheme, port, path);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, sink);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &r);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 10000L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	if (cacert)
		curl_easy_setopt(c, CURLOPT_CAINFO, cacert);
	if (!strcmp(method, "POST"))
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, "{}");
	rc = curl_easy_perform(c);
	if (rc != CURLE_OK)
		fprintf(stderr, "GET %s: %s\n", url, curl_easy_strerror(rc));
	assert_int_equal(rc, CURLE_OK);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &r.status);
	curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &ct);
	snprintf(r.ctype, sizeof(r.ctype), "%s", ct ? ct : "");
	if (!r.body)
		r.body = calloc(1, 1);
	curl_easy_cleanup(c);
	return r;
}

static struct resp get(uint16_t port, const char *path)
{
	return request("GET", "http", port, path, NULL);
}

static struct webserver *start(const struct webserver_config *cfg, struct metrics *m)
{
	char err[256] = "";
	struct webserver *w = webserver_start(cfg, m, err, sizeof(err));

	if (!w)
		fprintf(stderr, "webserver_start: %s\n", err);
	assert_non_null(w);
	assert_true(webserver_port(w) != 0);
	return w;
}

static void base_cfg(struct webserver_config *c)
{
	memset(c, 0, sizeof(*c));
	c->listen_address = "127.0.0.1";
	c->prometheus_metrics = true;
}

static struct frc_rule one_rule[1];
static struct frc_rules one_ruleset = { one_rule, 1 };

/* a stand-in for the event loop: heartbeats until told to stop */
struct beat {
	struct metrics *m;
	volatile int stop;
};

static void *beater(void *arg)
{
	struct beat *b = arg;

	while (!b->stop) {
		metrics_heartbeat(b->m);
		usleep(10000);
	}
	return NULL;
}

static void test_healthz_lifecycle(void **state)
{
	struct metrics *m = metrics_create(1, NULL);
	struct webserver_config c;
	struct webserver *w;
	struct beat b = { m, 0 };
	pthread_t th;
	struct resp r;
	int i;

	(void)state;
	base_cfg(&c);
	c.stall_timeout_ms = 1000;
	w = start(&c, m);

	/* before the loop and the rules: unhealthy, saying why */
	r = get(webserver_port(w), "/healthz");
	assert_int_equal(r.status, 503);
	assert_string_equal(r.ctype, "application/json");
	assert_non_null(strstr(r.body, "\"status\": \"unhealthy\""));
	assert_non_null(strstr(r.body, "\"event_loop\": \"not started\""));
	assert_non_null(strstr(r.body, "\"rules\": \"no rules loaded yet\""));
	free(r.body);

	metrics_set_rules_failed(m, "rules.yaml:1:1: \"bad\"\n");
	r = get(webserver_port(w), "/healthz");
	assert_non_null(strstr(r.body, "\"rules\": \"rules.yaml:1:1: \\\"bad\\\"\\n\""));
	free(r.body);

	/* running: Falco's exact answer */
	one_rule[0].name = "r";
	metrics_set_rules(m, &one_ruleset, 1);
	metrics_set_probe(m, PROBE_ATTACHED, NULL);
	metrics_heartbeat(m);
	assert_int_equal(pthread_create(&th, NULL, beater, &b), 0);
	r = get(webserver_port(w), "/healthz");
	assert_int_equal(r.status, 200);
	assert_string_equal(r.body, "{\"status\": \"ok\"}");
	free(r.body);

	/* probe detached */
	metrics_set_probe(m, PROBE_DETACHED, "ring buffer lost");
	r = get(webserver_port(w), "/healthz");
	assert_int_equal(r.status, 503);
	assert_non_null(strstr(r.body, "\"probe\": \"detached: ring buffer lost\""));
	assert_null(strstr(r.body, "event_loop"));
	free(r.body);
	metrics_set_probe(m, PROBE_ATTACHED, NULL);
	r = get(webserver_port(w), "/healthz");
	assert_int_equal(r.status, 200);
	free(r.body);

	/* the loop stops beating: unhealthy once the heartbeat is older than 1 s */
	b.stop = 1;
	pthread_join(th, NULL);
	for (i = 0; i < 400; i++) {
		r = get(webserver_port(w), "/healthz");
		if (r.status == 503)
			break;
		free(r.body);
		usleep(25000);
	}
	assert_int_equal(r.status, 503);
	assert_non_null(strstr(r.body, "\"event_loop\": \"stalled: no heartbeat for "));
	free(r.body);

	/* and healthy again when it resumes */
	b.stop = 0;
	metrics_heartbeat(m);
	assert_int_equal(pthread_create(&th, NULL, beater, &b), 0);
	r = get(webserver_port(w), "/healthz");
	assert_int_equal(r.status, 200);
	free(r.body);
	b.stop = 1;
	pthread_join(th, NULL);

	webserver_stop(w);
	metrics_destroy(m);
}

static void test_versions_and_metrics(void **state)
{
	struct metrics *m = metrics_create(1, NULL);
	struct webserver_config c;
	struct webserver *w;
	struct resp r;
	char expect[128];

	(void)state;
	base_cfg(&c);
	w = start(&c, m);
	r = get(webserver_port(w), "/versions");
	assert_int_equal(r.status, 200);
	assert_string_equal(r.ctype, "application/json");
	snprintf(expect, sizeof(expect), "\"engine_version_semver\":\"%s\"", FRC_ENGINE_VERSION);
	assert_non_null(strstr(r.body, expect));
	snprintf(expect, sizeof(expect), "\"engine_version\":\"%d\"", FRC_ENGINE_VERSION_MINOR);
	assert_non_null(strstr(r.body, expect));
	snprintf(expect, sizeof(expect), "\"version\":\"%s\"", FRC_VERSION);
	assert_non_null(strstr(r.body, expect));
	assert_int_equal(r.body[0], '{');
	assert_int_equal(r.body[r.len - 1], '}');
	free(r.body);

	mc_add(metrics_counters(m), MET_SCAP_N_EVTS, 11);
	r = get(webserver_port(w), "/metrics");
	assert_int_equal(r.status, 200);
	assert_string_equal(r.ctype, "text/plain; version=0.0.4");
	assert_non_null(strstr(r.body, "\nfalcosecurity_scap_n_evts_total 11\n"));
	free(r.body);
	mc_add(metrics_counters(m), MET_SCAP_N_EVTS, 1);
	r = get(webserver_port(w), "/metrics");
	assert_non_null(strstr(r.body, "\nfalcosecurity_scap_n_evts_total 12\n"));
	free(r.body);

	r = get(webserver_port(w), "/nothing");
	assert_int_equal(r.status, 404);
	free(r.body);
	r = request("POST", "http", webserver_port(w), "/healthz", NULL);
	assert_int_equal(r.status, 405);
	free(r.body);
	webserver_stop(w);

	/* /metrics only when Prometheus metrics are enabled (as in Falco) */
	base_cfg(&c);
	c.prometheus_metrics = false;
	c.healthz_endpoint = "/ready";
	w = start(&c, m);
	r = get(webserver_port(w), "/metrics");
	assert_int_equal(r.status, 404);
	free(r.body);
	r = get(webserver_port(w), "/healthz");
	assert_int_equal(r.status, 404);
	free(r.body);
	r = get(webserver_port(w), "/ready");
	assert_int_equal(r.status, 503);
	free(r.body);
	webserver_stop(w);
	metrics_destroy(m);
}

static void test_errors(void **state)
{
	struct metrics *m = metrics_create(1, NULL);
	struct webserver_config c;
	struct webserver *w, *w2;
	char err[256];

	(void)state;
	base_cfg(&c);
	w = start(&c, m);
	c.listen_port = webserver_port(w);
	err[0] = 0;
	w2 = webserver_start(&c, m, err, sizeof(err));
	assert_null(w2);
	assert_non_null(strstr(err, "webserver: cannot listen on 127.0.0.1:"));
	webserver_stop(w);

	base_cfg(&c);
	c.listen_address = "300.1.2.3";
	assert_null(webserver_start(&c, m, err, sizeof(err)));
	assert_non_null(strstr(err, "webserver.listen_address: '300.1.2.3'"));

	base_cfg(&c);
	c.healthz_endpoint = "healthz";
	assert_null(webserver_start(&c, m, err, sizeof(err)));
	assert_non_null(strstr(err, "must start with '/'"));

	base_cfg(&c);
	c.ssl_enabled = true;
	c.ssl_certificate = "/nonexistent/frc.pem";
	assert_null(webserver_start(&c, m, err, sizeof(err)));
	assert_non_null(strstr(err, "webserver.ssl_certificate: cannot open '/nonexistent/frc.pem'"));
	metrics_destroy(m);
}

static void test_ipv6_loopback(void **state)
{
	struct metrics *m = metrics_create(1, NULL);
	struct webserver_config c;
	struct webserver *w;
	char err[256] = "";
	struct resp r = { 0 };
	CURL *cu;
	char url[64];

	(void)state;
	base_cfg(&c);
	c.listen_address = "::1";
	w = webserver_start(&c, m, err, sizeof(err));
	if (!w) {
		/* a host without IPv6: nothing to test */
		fprintf(stderr, "skipping IPv6: %s\n", err);
		metrics_destroy(m);
		skip();
	}
	cu = curl_easy_init();
	snprintf(url, sizeof(url), "http://[::1]:%u/versions", webserver_port(w));
	curl_easy_setopt(cu, CURLOPT_URL, url);
	curl_easy_setopt(cu, CURLOPT_WRITEFUNCTION, sink);
	curl_easy_setopt(cu, CURLOPT_WRITEDATA, &r);
	assert_int_equal(curl_easy_perform(cu), CURLE_OK);
	curl_easy_getinfo(cu, CURLINFO_RESPONSE_CODE, &r.status);
	assert_int_equal(r.status, 200);
	curl_easy_cleanup(cu);
	free(r.body);
	webserver_stop(w);
	metrics_destroy(m);
}

static void test_tls(void **state)
{
	char dir[64] = "/tmp/frc-webserver-XXXXXX", cert[128], key[128], pem[128];
	struct metrics *m = metrics_create(1, NULL);
	struct webserver_config c;
	struct webserver *w;
	struct resp r;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(cert, sizeof(cert), "%s/cert.pem", dir);
	snprintf(key, sizeof(key), "%s/key.pem", dir);
	snprintf(pem, sizeof(pem), "%s/frc.pem", dir);
	assert_int_equal(ops_tls_make_cert(cert, key, pem), 0);
	base_cfg(&c);
	c.ssl_enabled = true;
	c.ssl_certificate = pem;
	w = start(&c, m);
	r = request("GET", "https", webserver_port(w), "/versions", cert);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(r.body, "engine_version_semver"));
	free(r.body);
	webserver_stop(w);
	metrics_destroy(m);
	unlink(cert);
	unlink(key);
	unlink(pem);
	rmdir(dir);
}

static void test_health_json_direct(void **state)
{
	struct metrics *m = metrics_create(1, NULL);
	char small[8], big[512];

	(void)state;
	/* a short buffer is truncated, never overrun */
	assert_int_equal(webserver_health_json(m, 0, small, sizeof(small)), 503);
	assert_true(strlen(small) < sizeof(small));
	assert_int_equal(webserver_health_json(m, 0, big, sizeof(big)), 503);
	assert_int_equal(webserver_versions_json(small, sizeof(small)),
			 webserver_versions_json(big, sizeof(big)));
	assert_int_equal(strlen(small), sizeof(small) - 1);
	metrics_destroy(m);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_healthz_lifecycle),
		cmocka_unit_test(test_versions_and_metrics),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_ipv6_loopback),
		cmocka_unit_test(test_tls),
		cmocka_unit_test(test_health_json_direct),
	};

	signal(SIGPIPE, SIG_IGN);
	alarm(300);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
