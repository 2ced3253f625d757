/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests of the HTTP output (runtime/http_out.c) against a receiver on 127.0.0.1
 * (libmicrohttpd, one thread per connection) that records every body and can answer
 * errors, block, go away and come back on the same port, or speak TLS.
 * Waits are bounded polls; nothing asserts on speed.
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
#include <time.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <microhttpd.h>

#include "http_out.h"
#include "metrics.h"
#include "ops_tls.h"

/* ---------------------------------------------------------------- receiver */

struct rx {
	struct MHD_Daemon *d;
	uint16_t port;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	unsigned status;	/* answer to give */
	unsigned fail_first;	/* answer 503 to this many requests first */
	unsigned delay_ms;	/* hold each request this long before answering */
	bool block;		/* hold requests until rx_release() */
	unsigned requests;
	char **bodies;
	size_t nbodies;
	char ctype[128], ua[128];
	char *pem;		/* TLS when set */
};

struct req {
	char *buf;
	size_t len;
};

static void rx_done(void *cls, struct MHD_Connection *c, void **con_cls,
		    enum MHD_RequestTerminationCode toe)
{
	struct req *r = *con_cls;

	(void)cls;
	(void)c;
	(void)toe;
	if (r) {
		free(r->buf);
		free(r);
	}
	*con_cls = NULL;
}

static enum MHD_Result rx_handle(void *cls, struct MHD_Connection *c, const char *url,
				 const char *method, const char *version, const char *data,
				 size_t *size, void **con_cls)
{
	struct rx *rx = cls;
	struct req *r = *con_cls;
	struct MHD_Response *resp;
	enum MHD_Result ret;
	unsigned status;
	const char *v;

	(void)url;
	(void)method;
	(void)version;
	if (!r) {
		*con_cls = calloc(1, sizeof(struct req));
		return *con_cls ? MHD_YES : MHD_NO;
	}
	if (*size) {
		r->buf = realloc(r->buf, r->len + *size + 1);
		memcpy(r->buf + r->len, data, *size);
		r->len += *size;
		r->buf[r->len] = 0;
		*size = 0;
		return MHD_YES;
	}
	pthread_mutex_lock(&rx->lock);
	rx->requests++;
	if (rx->delay_ms) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_sec += rx->delay_ms / 1000;
		ts.tv_nsec += (long)(rx->delay_ms % 1000) * 1000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		while (rx->delay_ms && pthread_cond_timedwait(&rx->cond, &rx->lock, &ts) == 0)
			;
	}
	for (int i = 0; rx->block && i < 3000; i++) {
		struct timespec ts;

		clock_gettime(CLOCK_REALTIME, &ts);
		ts.tv_nsec += 10000000L;
		if (ts.tv_nsec >= 1000000000L) {
			ts.tv_sec++;
			ts.tv_nsec -= 1000000000L;
		}
		pthread_cond_timedwait(&rx->cond, &rx->lock, &ts);
	}
	if (rx->fail_first) {
		rx->fail_first--;
		status = 503;
	} else {
		status = rx->status;
	}
	if (status >= 200 && status < 300) {
		rx->bodies = realloc(rx->bodies, (rx->nbodies + 1) * sizeof(char *));
		rx->bodies[rx->nbodies++] = strdup(r->buf ? r->buf : "");
	}
	v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "Content-Type");
	snprintf(rx->ctype, sizeof(rx->ctype), "%s", v ? v : "");
	v = MHD_lookup_connection_value(c, MHD_HEADER_KIND, "User-Agent");
	snprintf(rx->ua, sizeof(rx->ua), "%s", v ? v : "");
	pthread_mutex_unlock(&rx->lock);
	resp = MHD_create_response_from_buffer(2, (void *)"ok", MHD_RESPMEM_PERSISTENT);
	ret = MHD_queue_response(c, status, resp);
	MHD_destroy_response(resp);
	return ret;
}

static void rx_start(struct rx *rx, uint16_t port)
{
	unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD;
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
	const union MHD_DaemonInfo *di;

	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (rx->pem)
		flags |= MHD_USE_TLS;
	for (int tries = 0; tries < 200; tries++) {
		if (rx->pem)
			rx->d = MHD_start_daemon(flags, port, NULL, NULL, rx_handle, rx,
						 MHD_OPTION_SOCK_ADDR, &sa,
						 MHD_OPTION_NOTIFY_COMPLETED, rx_done, rx,
						 MHD_OPTION_HTTPS_MEM_KEY, rx->pem,
						 MHD_OPTION_HTTPS_MEM_CERT, rx->pem, MHD_OPTION_END);
		else
			rx->d = MHD_start_daemon(flags, port, NULL, NULL, rx_handle, rx,
						 MHD_OPTION_SOCK_ADDR, &sa,
						 MHD_OPTION_NOTIFY_COMPLETED, rx_done, rx,
						 MHD_OPTION_END);
		if (rx->d || !port)
			break;
		usleep(20000);	/* the port is being released */
	}
	assert_non_null(rx->d);
	di = MHD_get_daemon_info(rx->d, MHD_DAEMON_INFO_BIND_PORT);
	rx->port = di->port;
}

static struct rx *rx_new(const char *pem_file)
{
	struct rx *rx = calloc(1, sizeof(*rx));

	pthread_mutex_init(&rx->lock, NULL);
	pthread_cond_init(&rx->cond, NULL);
	rx->status = 200;
	if (pem_file) {
		FILE *f = fopen(pem_file, "r");

		assert_non_null(f);
		rx->pem = calloc(1, 65536);
		assert_true(fread(rx->pem, 1, 65535, f) > 0);
		fclose(f);
	}
	rx_start(rx, 0);
	return rx;
}

static void rx_release(struct rx *rx)
{
	pthread_mutex_lock(&rx->lock);
	rx->block = false;
	rx->delay_ms = 0;
	pthread_cond_broadcast(&rx->cond);
	pthread_mutex_unlock(&rx->lock);
}

static void rx_stop(struct rx *rx)
{
	rx_release(rx);
	if (rx->d)
		MHD_stop_daemon(rx->d);
	rx->d = NULL;
}

static void rx_free(struct rx *rx)
{
	rx_stop(rx);
	for (size_t i = 0; i < rx->nbodies; i++)
		free(rx->bodies[i]);
	free(rx->bodies);
	free(rx->pem);
	pthread_mutex_destroy(&rx->lock);
	pthread_cond_destroy(&rx->cond);
	free(rx);
}

static size_t rx_count(struct rx *rx)
{
	size_t n;

	pthread_mutex_lock(&rx->lock);
	n = rx->nbodies;
	pthread_mutex_unlock(&rx->lock);
	return n;
}

static unsigned rx_requests(struct rx *rx)
{
	unsigned n;

	pthread_mutex_lock(&rx->lock);
	n = rx->requests;
	pthread_mutex_unlock(&rx->lock);
	return n;
}

/* ---------------------------------------------------------------- helpers */

static char url_buf[128];

static const char *rx_url(const struct rx *rx, const char *scheme)
{
	snprintf(url_buf, sizeof(url_buf), "%s://127.0.0.1:%u/", scheme, rx->port);
	return url_buf;
}

static void base_cfg(struct http_out_config *c, const char *url)
{
	memset(c, 0, sizeof(*c));
	c->url = url;
	c->json = true;
	c->backoff_initial_ms = 10;
	c->backoff_max_ms = 50;
	c->max_retries = -1;
}

static struct http_out *mk(const struct http_out_config *c)
{
	char err[256] = "";
	struct http_out *h = http_out_create(c, err, sizeof(err));

	if (!h)
		fprintf(stderr, "http_out_create: %s\n", err);
	assert_non_null(h);
	return h;
}

static struct http_out_stats stats(struct http_out *h)
{
	struct http_out_stats st;

	http_out_get_stats(h, &st);
	return st;
}

/* bounded poll: up to 20 s */
#define WAIT_FOR(cond)                                                                     \
	do {                                                                               \
		for (int w_ = 0; w_ < 4000 && !(cond); w_++)                               \
			usleep(5000);                                                      \
		assert_true(cond);                                                         \
	} while (0)

static void push_alert(struct http_out *h, unsigned id, int expect)
{
	char buf[256];
	int n = snprintf(buf, sizeof(buf),
			 "{\"hostname\":\"h\",\"output\":\"alert %u\",\"output_fields\":{\"n\":%u},"
			 "\"priority\":\"Warning\",\"rule\":\"r\",\"source\":\"syscall\","
			 "\"tags\":[],\"time\":\"2024-01-01T00:00:00.000000000Z\"}",
			 id, id);

	assert_int_equal(http_out_push(h, buf, (size_t)n), expect);
}

/* every id in [0, n) was received exactly once */
static void assert_each_once(struct rx *rx, unsigned n)
{
	unsigned *seen = calloc(n, sizeof(unsigned));

	pthread_mutex_lock(&rx->lock);
	assert_int_equal(rx->nbodies, n);
	for (size_t i = 0; i < rx->nbodies; i++) {
		unsigned id;

		assert_int_equal(sscanf(rx->bodies[i], "{\"hostname\":\"h\",\"output\":\"alert %u\"", &id), 1);
		assert_true(id < n);
		seen[id]++;
	}
	pthread_mutex_unlock(&rx->lock);
	for (unsigned i = 0; i < n; i++)
		assert_int_equal(seen[i], 1);
	free(seen);
}

/* ---------------------------------------------------------------- tests */

static void test_delivers_each_alert_once(void **state)
{
	struct rx *rx = rx_new(NULL);
	struct http_out_config c;
	struct http_out *h;
	struct http_out_stats st;

	(void)state;
	base_cfg(&c, rx_url(rx, "http"));
	h = mk(&c);
	for (unsigned i = 0; i < 200; i++)
		push_alert(h, i, 0);
	assert_true(http_out_wait_idle(h, 20000));
	assert_each_once(rx, 200);
	/* order is kept */
	for (unsigned i = 0; i < 200; i++) {
		unsigned id = 9999;

		sscanf(rx->bodies[i], "{\"hostname\":\"h\",\"output\":\"alert %u\"", &id);
		assert_int_equal(id, i);
	}
	assert_string_equal(rx->ctype, "application/json");
	assert_string_equal(rx->ua, "falcosecurity/falco");
	st = stats(h);
	assert_int_equal(st.pushed, 200);
	assert_int_equal(st.delivered, 200);
	assert_int_equal(st.failed, 0);
	assert_int_equal(st.dropped, 0);
	assert_int_equal(st.queued, 0);
	assert_true(st.receiver_up);
	assert_int_equal(st.last_status, 200);
	assert_int_equal(http_out_destroy(h, 1000), 0);
	rx_free(rx);
}

static void test_text_and_user_agent(void **state)
{
	struct rx *rx = rx_new(NULL);
	struct http_out_config c;
	struct http_out *h;
	static const char line[] = "10:20:05.408091526: Warning text \"alert\"\twith tab";

	(void)state;
	base_cfg(&c, rx_url(rx, "http"));
	c.json = false;
	c.user_agent = "frc-test/1";
	c.compress_uploads = true;
	c.keep_alive = true;
	h = mk(&c);
	assert_int_equal(http_out_push(h, line, strlen(line)), 0);
	assert_true(http_out_wait_idle(h, 20000));
	assert_int_equal(rx_count(rx), 1);
	assert_string_equal(rx->bodies[0], line);
	assert_string_equal(rx->ctype, "text/plain");
	assert_string_equal(rx->ua, "frc-test/1");
	http_out_destroy(h, 1000);
	rx_free(rx);
}

/* the receiver goes away mid-stream: the producer keeps going, nothing is lost while the
 * queue has room, and delivery resumes when the receiver returns on the same port */
static void test_receiver_down_and_back(void **state)
{
	struct rx *rx = rx_new(NULL);
	struct http_out_config c;
	struct http_out *h;
	struct http_out_stats st;
	uint16_t port = rx->port;

	(void)state;
	base_cfg(&c, rx_url(rx, "http"));
	c.queue_capacity = 1000;
	h = mk(&c);
	for (unsigned i = 0; i < 10; i++)
		push_alert(h, i, 0);
	assert_true(http_out_wait_idle(h, 20000));
	rx_stop(rx);
	for (unsigned i = 10; i < 60; i++)
		push_alert(h, i, 0);
	WAIT_FOR(stats(h).retries > 2);
	st = stats(h);
	assert_false(st.receiver_up);
	assert_int_equal(st.delivered, 10);
	assert_int_equal(st.queued + st.in_flight, 50);	/* undelivered, counted */
	assert_int_equal(st.failed, 0);
	rx_start(rx, port);
	assert_true(http_out_wait_idle(h, 20000));
	assert_each_once(rx, 60);
	st = stats(h);
	assert_int_equal(st.delivered, 60);
	assert_true(st.receiver_up);
	http_out_destroy(h, 1000);
	rx_free(rx);
}

/* a receiver that does not answer never blocks the producer: the queue fills, the rest is
 * dropped and counted, and the queued alerts are delivered once it answers */
static void test_blocked_receiver_never_blocks_push(void **state)
{
	struct rx *rx = rx_new(NULL);
	struct http_out_config c;
	struct http_out *h;
	struct http_out_stats st;
	unsigned accepted = 0;

	(void)state;
	rx->block = true;
	base_cfg(&c, rx_url(rx, "http"));
	c.queue_capacity = 8;
	c.timeout_ms = 60000;
	h = mk(&c);
	push_alert(h, 0, 0);
	WAIT_FOR(rx_requests(rx) == 1);	/* alert 0 is in flight, held by the receiver */
	for (unsigned i = 1; i < 1000; i++) {
		char buf[64];
		int n = snprintf(buf, sizeof(buf), "{\"output\":\"alert %u\"}", i);

		accepted += http_out_push(h, buf, (size_t)n) == 0;
	}
	st = stats(h);
	assert_int_equal(accepted, 8);
	assert_int_equal(st.dropped, 999 - 8);
	assert_int_equal(st.pushed, 9);
	assert_int_equal(st.queued, 8);
	assert_int_equal(st.in_flight, 1);
	rx_release(rx);
	assert_true(http_out_wait_idle(h, 20000));
	st = stats(h);
	assert_int_equal(st.delivered, 9);
	assert_int_equal(rx_count(rx), 9);
	http_out_destroy(h, 1000);
	rx_free(rx);
}

static void test_retries_5xx_with_backoff(void **state)
{
	struct rx *rx = rx_new(NULL);
	struct http_out_config c;
	struct http_out *h;
	struct http_out_stats st;

	(void)state;
	rx->fail_first = 4;
	base_cfg(&c, rx_url(rx, "http"));
	h = mk(&c);
	push_alert(h, 0, 0);
	assert_true(http_out_wait_idle(h, 20000));
	st = stats(h);
	assert_int_equal(st.delivered, 1);
	assert_int_equal(st.retries, 4);
	assert_int_equal(rx_requests(rx), 5);
	assert_each_once(rx, 1);
	http_out_destroy(h, 1000);
	rx_free(rx);
}

static void test_rejected_is_failed_not_retried(void **state)
{
	struct rx *rx = rx_new(NULL);
	struct http_out_config c;
	struct http_out *h;
	struct http_out_stats st;

	(void)state;
	rx->status = 400;	/* what Falcosidekick answers to a body it cannot use */
	base_cfg(&c, rx_url(rx, "http"));
	h = mk(&c);
	for (unsigned i = 0; i < 5; i++)
		push_alert(h, i, 0);
	assert_true(http_out_wait_idle(h, 20000));
	st = stats(h);
	assert_int_equal(st.failed, 5);
	assert_int_equal(st.delivered, 0);
	assert_int_equal(st.retries, 0);
	assert_int_equal(rx_requests(rx), 5);
	assert_int_equal(st.last_status, 400);
	http_out_destroy(h, 1000);
	rx_free(rx);
}

static void test_max_retries(void **state)
{
	struct rx *rx = rx_new(NULL);
	struct http_out_config c;
	struct http_out *h;
	struct http_out_stats st;

	(void)state;
	base_cfg(&c, rx_url(rx, "http"));
	rx_stop(rx);
	c.max_retries = 2;
	h = mk(&c);
	for (unsigned i = 0; i < 3; i++)
		push_alert(h, i, 0);
	assert_true(http_out_wait_idle(h, 20000));
	st = stats(h);
	assert_int_equal(st.failed, 3);
	assert_int_equal(st.retries, 6);
	assert_int_equal(st.delivered, 0);
	http_out_destroy(h, 1000);
	rx_free(rx);
}

static void test_timeouts(void **state)
{
	struct rx *rx = rx_new(NULL);
	struct http_out_config c;
	struct http_out *h;
	struct http_out_stats st;

	(void)state;
	rx->block = true;
	base_cfg(&c, rx_url(rx, "http"));
	c.timeout_ms = 100;
	c.max_consecutive_timeouts = 1;
	h = mk(&c);
	push_alert(h, 0, 0);
	assert_true(http_out_wait_idle(h, 20000));
	st = stats(h);
	assert_int_equal(st.failed, 1);
	assert_int_equal(st.retries, 1);	/* two attempts, both timed out */
	rx_release(rx);
	http_out_destroy(h, 1000);
	rx_free(rx);
}

/* at shutdown with a dead receiver, destroy gives up after its flush timeout */
static void test_destroy_flush_timeout(void **state)
{
	struct rx *rx = rx_new(NULL);
	struct http_out_config c;
	struct http_out *h;

	(void)state;
	base_cfg(&c, rx_url(rx, "http"));
	rx_stop(rx);
	h = mk(&c);
	for (unsigned i = 0; i < 5; i++)
		push_alert(h, i, 0);
	assert_int_equal(http_out_destroy(h, 200), 5);
	rx_free(rx);
}

/* at shutdown with a live receiver, what is queued is delivered */
static void test_destroy_flushes(void **state)
{
	struct rx *rx = rx_new(NULL);
	struct http_out_config c;
	struct http_out *h;

	(void)state;
	base_cfg(&c, rx_url(rx, "http"));
	h = mk(&c);
	for (unsigned i = 0; i < 50; i++)
		push_alert(h, i, 0);
	assert_int_equal(http_out_destroy(h, 20000), 0);
	assert_each_once(rx, 50);
	rx_free(rx);
}

static void expect_error(const struct http_out_config *c, const char *needle)
{
	char err[256] = "";

	assert_null(http_out_create(c, err, sizeof(err)));
	if (!strstr(err, needle))
		fprintf(stderr, "error '%s' lacks '%s'\n", err, needle);
	assert_non_null(strstr(err, needle));
}

static void test_bad_config(void **state)
{
	struct http_out_config c;

	(void)state;
	base_cfg(&c, NULL);
	expect_error(&c, "http_output.url: missing");
	base_cfg(&c, "ftp://127.0.0.1/");
	expect_error(&c, "only http:// and https://");
	base_cfg(&c, "http://[::1");
	expect_error(&c, "invalid URL");
	base_cfg(&c, "https://127.0.0.1:1/");
	c.ca_cert = "/nonexistent/ca.pem";
	expect_error(&c, "http_output.ca_cert: cannot read '/nonexistent/ca.pem'");
	base_cfg(&c, "https://127.0.0.1:1/");
	c.mtls = true;
	expect_error(&c, "client_cert and client_key are required");
}

static void test_quoted_url_and_metrics_report(void **state)
{
	struct rx *rx = rx_new(NULL);
	struct http_out_config c;
	struct http_out *h;
	struct metrics *m = metrics_create(1, NULL);
	char quoted[160];
	char *text;

	(void)state;
	snprintf(quoted, sizeof(quoted), "\"%s\"", rx_url(rx, "http"));
	base_cfg(&c, quoted);
	h = mk(&c);
	assert_int_equal(metrics_add_output(m, "http", http_out_report, h), 0);
	push_alert(h, 0, 0);
	assert_true(http_out_wait_idle(h, 20000));
	text = metrics_render_prometheus(m, NULL);
	assert_non_null(strstr(text, "frc_output_delivered_total{output=\"http\"} 1\n"));
	assert_non_null(strstr(text, "frc_output_queue_capacity{output=\"http\"} 4096\n"));
	free(text);
	metrics_remove_output(m, "http");
	http_out_destroy(h, 1000);
	metrics_destroy(m);
	rx_free(rx);
}

static char tmpdir[64];

static void test_tls(void **state)
{
	char cert[128], key[128], pem[128];
	struct http_out_config c;
	struct http_out *h;
	struct rx *rx;

	(void)state;
	snprintf(cert, sizeof(cert), "%s/cert.pem", tmpdir);
	snprintf(key, sizeof(key), "%s/key.pem", tmpdir);
	snprintf(pem, sizeof(pem), "%s/both.pem", tmpdir);
	assert_int_equal(ops_tls_make_cert(cert, key, pem), 0);
	rx = rx_new(pem);

	/* trusted through ca_cert */
	base_cfg(&c, rx_url(rx, "https"));
	c.ca_cert = cert;
	h = mk(&c);
	push_alert(h, 0, 0);
	assert_true(http_out_wait_idle(h, 20000));
	assert_int_equal(stats(h).delivered, 1);
	http_out_destroy(h, 1000);

	/* not trusted: the certificate is self-signed */
	base_cfg(&c, rx_url(rx, "https"));
	c.ca_path = tmpdir;	/* a directory without the hashed CA links */
	c.max_retries = 0;
	h = mk(&c);
	push_alert(h, 1, 0);
	assert_true(http_out_wait_idle(h, 20000));
	assert_int_equal(stats(h).failed, 1);
	assert_int_equal(stats(h).delivered, 0);
	http_out_destroy(h, 1000);

	/* insecure: no verification */
	base_cfg(&c, rx_url(rx, "https"));
	c.ca_path = tmpdir;
	c.insecure = true;
	h = mk(&c);
	push_alert(h, 1, 0);
	assert_true(http_out_wait_idle(h, 20000));
	assert_int_equal(stats(h).delivered, 1);
	http_out_destroy(h, 1000);

	assert_each_once(rx, 2);
	rx_free(rx);
	unlink(cert);
	unlink(key);
	unlink(pem);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_delivers_each_alert_once),
		cmocka_unit_test(test_text_and_user_agent),
		cmocka_unit_test(test_receiver_down_and_back),
		cmocka_unit_test(test_blocked_receiver_never_blocks_push),
		cmocka_unit_test(test_retries_5xx_with_backoff),
		cmocka_unit_test(test_rejected_is_failed_not_retried),
		cmocka_unit_test(test_max_retries),
		cmocka_unit_test(test_timeouts),
		cmocka_unit_test(test_destroy_flush_timeout),
		cmocka_unit_test(test_destroy_flushes),
		cmocka_unit_test(test_bad_config),
		cmocka_unit_test(test_quoted_url_and_metrics_report),
		cmocka_unit_test(test_tls),
	};
	int rc;

	signal(SIGPIPE, SIG_IGN);
	alarm(300);	/* a hang is a failure, not a stuck CI job */
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/frc-http-out-XXXXXX");
	if (!mkdtemp(tmpdir))
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	rmdir(tmpdir);
	return rc;
}
