/* SPDX-License-Identifier: Apache-2.0
 *
 * HTTP output (see http_out.h). A ring of slots holds the queued alert bodies; the
 * producer copies an alert into the tail slot under a mutex held for a memcpy, the
 * delivery thread swaps the head slot's buffer with its own (no copy, no allocation once
 * the slot buffers have grown to the usual alert size) and performs the POST with the
 * lock released. One libcurl easy handle is reused, so the connection is kept between
 * alerts when the receiver allows it.
 */
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "http_out.h"
#include "logger.h"
#include "metrics.h"

struct slot {
	char *buf;
	size_t len, cap;
};

enum attempt {
	ATT_OK,
	ATT_RETRY,	/* connection error, 408, 429, 5xx */
	ATT_TIMEOUT,
	ATT_REJECTED,	/* any other status: retrying would not help */
	ATT_ABORTED,
};

struct http_out {
	/* owned copies of the configuration */
	struct http_out_config cfg;
	char *url, *shown_url, *user_agent, *ca_cert, *ca_bundle, *ca_path;
	char *client_cert, *client_key;

	CURL *curl;
	struct curl_slist *headers;
	char curl_err[CURL_ERROR_SIZE];

	pthread_t thread;
	bool thread_started;
	pthread_mutex_t lock;
	pthread_cond_t wake;	/* to the idle worker: an alert was queued, or stop/abort */
	pthread_cond_t stop;	/* to the worker in a backoff pause: abort */
	pthread_cond_t idle;	/* from the worker: queue drained, or it exited */

	/* everything below is protected by lock */
	struct slot *slots;
	uint32_t cap, head, count;
	struct slot cur;	/* the worker's buffer (alert in flight) */
	uint32_t in_flight;
	bool closing;		/* no more pushes; drain and exit */
	bool idle_wait;		/* the worker waits for alerts (pushes must wake it) */
	int abort;		/* give up now (also read by the curl progress callback) */
	bool exited;
	uint64_t pushed, delivered, failed, dropped, retries;
	uint64_t abandoned;	/* failed because of the shutdown abort */
	bool receiver_up;
	long last_status;
	bool down_logged;
	uint64_t rejected_logged;
	uint64_t gaveup_logged;
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc;

static void curl_init(void)
{
	curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

static void fmt_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void fmt_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || !errlen)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* operational log line through the daemon's logger (stderr and/or syslog, log_level) */
static void logf_(const struct http_out *h, enum cfg_log_level lvl, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void logf_(const struct http_out *h, enum cfg_log_level lvl, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	flog(lvl, "http output %s: %s", h->shown_url, msg);
}

static struct timespec deadline_ts(uint64_t ms_from_now)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	ts.tv_sec += (time_t)(ms_from_now / 1000u);
	ts.tv_nsec += (long)(ms_from_now % 1000u) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	return ts;
}

static char *dup_opt(const char *s)
{
	return s && *s ? strdup(s) : NULL;
}

/* Falco accepts a URL written with quotes around it (YAML quoting mistakes); so do we. */
static char *unquote_url(const char *s)
{
	size_t n = strlen(s);

	if (n >= 2 && ((s[0] == '"' && s[n - 1] == '"') || (s[0] == '\'' && s[n - 1] == '\'')))
		return strndup(s + 1, n - 2);
	return strdup(s);
}

/* Checks the URL and builds the form shown in logs (user and password left out). */
static int check_url(struct http_out *h, char *err, size_t errlen)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL, *port = NULL, *path = NULL;
	CURLUcode rc;
	int ret = -1;

	if (!u) {
		fmt_err(err, errlen, "http_output: out of memory");
		return -1;
	}
	rc = curl_url_set(u, CURLUPART_URL, h->url, 0);
	if (rc != CURLUE_OK) {
		fmt_err(err, errlen, "http_output.url: invalid URL '%s': %s", h->url,
			curl_url_strerror(rc));
		goto out;
	}
	curl_url_get(u, CURLUPART_SCHEME, &scheme, 0);
	curl_url_get(u, CURLUPART_HOST, &host, 0);
	curl_url_get(u, CURLUPART_PORT, &port, CURLU_DEFAULT_PORT);
	curl_url_get(u, CURLUPART_PATH, &path, 0);
	if (!scheme || (strcmp(scheme, "http") && strcmp(scheme, "https"))) {
		fmt_err(err, errlen, "http_output.url: '%s': only http:// and https:// are supported",
			h->url);
		goto out;
	}
	if (asprintf(&h->shown_url, "%s://%s:%s%s", scheme, host ? host : "", port ? port : "",
		     path ? path : "/") < 0) {
		h->shown_url = NULL;
		fmt_err(err, errlen, "http_output: out of memory");
		goto out;
	}
	ret = 0;
out:
	curl_free(scheme);
	curl_free(host);
	curl_free(port);
	curl_free(path);
	curl_url_cleanup(u);
	return ret;
}

static int check_file(const char *key, const char *path, bool dir, char *err, size_t errlen)
{
	if (!path)
		return 0;
	if (access(path, dir ? (R_OK | X_OK) : R_OK) != 0) {
		fmt_err(err, errlen, "http_output.%s: cannot read '%s': %s", key, path,
			strerror(errno));
		return -1;
	}
	return 0;
}

static size_t discard_body(char *p, size_t size, size_t n, void *ud)
{
	(void)p;
	(void)ud;
	return size * n;
}

static size_t echo_body(char *p, size_t size, size_t n, void *ud)
{
	(void)ud;
	return fwrite(p, size, n, stdout) * size;
}

static int progress_cb(void *ud, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
	struct http_out *h = ud;

	(void)dt;
	(void)dn;
	(void)ut;
	(void)un;
	return __atomic_load_n(&h->abort, __ATOMIC_ACQUIRE) ? 1 : 0;
}

#define SETOPT(opt, val)                                                                   \
	do {                                                                               \
		CURLcode c_ = curl_easy_setopt(h->curl, opt, val);                          \
		if (c_ != CURLE_OK) {                                                      \
			fmt_err(err, errlen, "http_output: libcurl option %s: %s", #opt,   \
				curl_easy_strerror(c_));                                   \
			return -1;                                                         \
		}                                                                          \
	} while (0)

static int setup_curl(struct http_out *h, char *err, size_t errlen)
{
	const struct http_out_config *c = &h->cfg;

	h->curl = curl_easy_init();
	if (!h->curl) {
		fmt_err(err, errlen, "http_output: libcurl could not create a handle");
		return -1;
	}
	h->headers = curl_slist_append(NULL, c->json ? "Content-Type: application/json"
						     : "Content-Type: text/plain");
	/* no "Expect: 100-continue" round trip before each body */
	if (h->headers)
		h->headers = curl_slist_append(h->headers, "Expect:");
	if (!h->headers) {
		fmt_err(err, errlen, "http_output: out of memory");
		return -1;
	}
	SETOPT(CURLOPT_URL, h->url);
	SETOPT(CURLOPT_PROTOCOLS_STR, "http,https");
	SETOPT(CURLOPT_HTTPHEADER, h->headers);
	SETOPT(CURLOPT_USERAGENT, h->user_agent);
	SETOPT(CURLOPT_POST, 1L);
	SETOPT(CURLOPT_NOSIGNAL, 1L);
	SETOPT(CURLOPT_ERRORBUFFER, h->curl_err);
	SETOPT(CURLOPT_TIMEOUT_MS, (long)c->timeout_ms);
	SETOPT(CURLOPT_CONNECTTIMEOUT_MS, (long)c->connect_timeout_ms);
	SETOPT(CURLOPT_WRITEFUNCTION, c->echo ? echo_body : discard_body);
	SETOPT(CURLOPT_NOPROGRESS, 0L);
	SETOPT(CURLOPT_XFERINFOFUNCTION, progress_cb);
	SETOPT(CURLOPT_XFERINFODATA, h);
	if (c->insecure) {
		SETOPT(CURLOPT_SSL_VERIFYPEER, 0L);
		SETOPT(CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (c->mtls) {
		if (!h->client_cert || !h->client_key) {
			fmt_err(err, errlen, "http_output.mtls: client_cert and client_key are required");
			return -1;
		}
		SETOPT(CURLOPT_SSLCERT, h->client_cert);
		SETOPT(CURLOPT_SSLKEY, h->client_key);
	}
	if (h->ca_cert)
		SETOPT(CURLOPT_CAINFO, h->ca_cert);
	else if (h->ca_bundle)
		SETOPT(CURLOPT_CAINFO, h->ca_bundle);
	else if (h->ca_path)
		SETOPT(CURLOPT_CAPATH, h->ca_path);
	if (c->compress_uploads)
		SETOPT(CURLOPT_TRANSFER_ENCODING, 1L);
	if (c->keep_alive)
		SETOPT(CURLOPT_TCP_KEEPALIVE, 1L);
	return 0;
}

static enum attempt post_once(struct http_out *h, const struct slot *a, char *why, size_t wlen)
{
	CURLcode rc;
	long status = 0;

	h->curl_err[0] = 0;
	curl_easy_setopt(h->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)a->len);
	curl_easy_setopt(h->curl, CURLOPT_POSTFIELDS, a->buf);
	rc = curl_easy_perform(h->curl);
	if (rc == CURLE_ABORTED_BY_CALLBACK)
		return ATT_ABORTED;
	if (rc != CURLE_OK) {
		snprintf(why, wlen, "%s", h->curl_err[0] ? h->curl_err : curl_easy_strerror(rc));
		pthread_mutex_lock(&h->lock);
		h->last_status = 0;
		h->receiver_up = false;
		pthread_mutex_unlock(&h->lock);
		return rc == CURLE_OPERATION_TIMEDOUT ? ATT_TIMEOUT : ATT_RETRY;
	}
	curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &status);
	pthread_mutex_lock(&h->lock);
	h->last_status = status;
	h->receiver_up = status >= 200 && status < 300;
	pthread_mutex_unlock(&h->lock);
	if (status >= 200 && status < 300)
		return ATT_OK;
	snprintf(why, wlen, "receiver answered HTTP %ld", status);
	if (status == 408 || status == 429 || status >= 500)
		return ATT_RETRY;
	return ATT_REJECTED;
}

/* Sleeps @ms unless an abort comes first. Returns false on abort. Called unlocked. */
static bool backoff_wait(struct http_out *h, uint32_t ms)
{
	struct timespec ts = deadline_ts(ms);
	bool ok;

	pthread_mutex_lock(&h->lock);
	while (!h->abort) {
		if (pthread_cond_timedwait(&h->stop, &h->lock, &ts) == ETIMEDOUT)
			break;
	}
	ok = !h->abort;
	pthread_mutex_unlock(&h->lock);
	return ok;
}

static void note_result(struct http_out *h, enum attempt r, const char *why)
{
	pthread_mutex_lock(&h->lock);
	if (r == ATT_OK) {
		h->delivered++;
		if (h->down_logged) {
			h->down_logged = false;
			logf_(h, LOGL_INFO, "receiver reachable again, delivery resumed");
		}
	} else {
		h->failed++;
		if (r == ATT_ABORTED)
			h->abandoned++;
		if (r == ATT_REJECTED) {
			/* first rejection, then one line every 1000, never a flood */
			if (h->rejected_logged++ % 1000 == 0)
				logf_(h, LOGL_ERR, "alert not accepted: %s (%llu so far)", why,
				      (unsigned long long)h->rejected_logged);
		}
	}
	h->in_flight = 0;
	if (h->count == 0)
		pthread_cond_broadcast(&h->idle);
	pthread_mutex_unlock(&h->lock);
}

/* first time, then one line every 1000 alerts given up, never a flood */
static void log_gave_up(struct http_out *h, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static void log_gave_up(struct http_out *h, const char *fmt, ...)
{
	char msg[CURL_ERROR_SIZE + 128];
	uint64_t n;
	va_list ap;

	pthread_mutex_lock(&h->lock);
	n = h->gaveup_logged++;
	pthread_mutex_unlock(&h->lock);
	if (n % 1000)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	logf_(h, LOGL_ERR, "alert given up %s (%llu so far)", msg, (unsigned long long)n + 1);
}

/* Delivers the alert in h->cur: retries with exponential backoff until it is delivered,
 * rejected, out of retries or timeouts, or aborted. */
static void deliver(struct http_out *h)
{
	const struct http_out_config *c = &h->cfg;
	uint32_t delay = c->backoff_initial_ms, timeouts = 0;
	int64_t retries = 0;
	char why[CURL_ERROR_SIZE + 64];
	enum attempt r;

	for (;;) {
		why[0] = 0;
		r = post_once(h, &h->cur, why, sizeof(why));
		if (r == ATT_OK || r == ATT_REJECTED || r == ATT_ABORTED)
			break;
		timeouts = r == ATT_TIMEOUT ? timeouts + 1 : 0;
		if (r == ATT_TIMEOUT && timeouts > c->max_consecutive_timeouts) {
			log_gave_up(h, "after %u consecutive timeouts", timeouts);
			break;
		}
		if (c->max_retries >= 0 && retries >= c->max_retries) {
			log_gave_up(h, "after %lld retries: %s", (long long)retries, why);
			break;
		}
		pthread_mutex_lock(&h->lock);
		h->retries++;
		if (!h->down_logged) {
			h->down_logged = true;
			logf_(h, LOGL_ERR, "cannot deliver (%s); retrying with backoff, alerts are queued", why);
		}
		pthread_mutex_unlock(&h->lock);
		retries++;
		if (!backoff_wait(h, delay)) {
			r = ATT_ABORTED;
			break;
		}
		delay = delay > c->backoff_max_ms / 2 ? c->backoff_max_ms : delay * 2;
	}
	note_result(h, r, why);
}

static void *worker(void *arg)
{
	struct http_out *h = arg;
	struct slot tmp;

	pthread_mutex_lock(&h->lock);
	for (;;) {
		while (h->count == 0 && !h->closing && !h->abort) {
			h->idle_wait = true;
			pthread_cond_wait(&h->wake, &h->lock);
			h->idle_wait = false;
		}
		if (h->abort || h->count == 0)
			break;
		tmp = h->slots[h->head];
		h->slots[h->head] = h->cur;
		h->cur = tmp;
		h->head = (h->head + 1) % h->cap;
		h->count--;
		h->in_flight = 1;
		pthread_mutex_unlock(&h->lock);
		deliver(h);
		pthread_mutex_lock(&h->lock);
	}
	/* aborted: what is still queued will never be sent */
	h->failed += h->count;
	h->abandoned += h->count;
	h->count = 0;
	h->exited = true;
	pthread_cond_broadcast(&h->idle);
	pthread_mutex_unlock(&h->lock);
	return NULL;
}

static void free_all(struct http_out *h)
{
	if (h->slots)
		for (uint32_t i = 0; i < h->cap; i++)
			free(h->slots[i].buf);
	free(h->slots);
	free(h->cur.buf);
	if (h->curl)
		curl_easy_cleanup(h->curl);
	curl_slist_free_all(h->headers);
	free(h->url);
	free(h->shown_url);
	free(h->user_agent);
	free(h->ca_cert);
	free(h->ca_bundle);
	free(h->ca_path);
	free(h->client_cert);
	free(h->client_key);
	pthread_cond_destroy(&h->wake);
	pthread_cond_destroy(&h->stop);
	pthread_cond_destroy(&h->idle);
	pthread_mutex_destroy(&h->lock);
	free(h);
}

static void apply_defaults(struct http_out_config *c)
{
	if (!c->max_consecutive_timeouts)
		c->max_consecutive_timeouts = HTTP_OUT_DEFAULT_MAX_TIMEOUTS;
	if (!c->queue_capacity)
		c->queue_capacity = HTTP_OUT_DEFAULT_QUEUE;
	if (!c->timeout_ms)
		c->timeout_ms = HTTP_OUT_DEFAULT_TIMEOUT_MS;
	if (!c->connect_timeout_ms)
		c->connect_timeout_ms = HTTP_OUT_DEFAULT_CONNECT_TIMEOUT_MS;
	if (!c->backoff_initial_ms)
		c->backoff_initial_ms = HTTP_OUT_DEFAULT_BACKOFF_INITIAL_MS;
	if (!c->backoff_max_ms)
		c->backoff_max_ms = HTTP_OUT_DEFAULT_BACKOFF_MAX_MS;
	if (c->backoff_max_ms < c->backoff_initial_ms)
		c->backoff_max_ms = c->backoff_initial_ms;
}

static int init_sync(struct http_out *h)
{
	pthread_condattr_t ca;

	if (pthread_mutex_init(&h->lock, NULL))
		return -1;
	if (pthread_condattr_init(&ca))
		return -1;
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	if (pthread_cond_init(&h->wake, &ca) || pthread_cond_init(&h->idle, &ca) ||
	    pthread_cond_init(&h->stop, &ca)) {
		pthread_condattr_destroy(&ca);
		return -1;
	}
	pthread_condattr_destroy(&ca);
	return 0;
}

struct http_out *http_out_create(const struct http_out_config *cfg, char *err, size_t errlen)
{
	struct http_out *h;

	pthread_once(&curl_once, curl_init);
	if (curl_init_rc != CURLE_OK) {
		fmt_err(err, errlen, "http_output: libcurl initialisation failed: %s",
			curl_easy_strerror(curl_init_rc));
		return NULL;
	}
	if (!cfg || !cfg->url || !*cfg->url) {
		fmt_err(err, errlen, "http_output.url: missing (required when http_output is enabled)");
		return NULL;
	}
	h = calloc(1, sizeof(*h));
	if (!h || init_sync(h)) {
		free(h);
		fmt_err(err, errlen, "http_output: out of memory");
		return NULL;
	}
	h->cfg = *cfg;
	apply_defaults(&h->cfg);
	h->url = unquote_url(cfg->url);
	h->user_agent = strdup(cfg->user_agent ? cfg->user_agent : HTTP_OUT_DEFAULT_USER_AGENT);
	h->ca_cert = dup_opt(cfg->ca_cert);
	h->ca_bundle = dup_opt(cfg->ca_bundle);
	h->ca_path = dup_opt(cfg->ca_path);
	h->client_cert = dup_opt(cfg->client_cert);
	h->client_key = dup_opt(cfg->client_key);
	h->cap = h->cfg.queue_capacity;
	h->slots = calloc(h->cap, sizeof(*h->slots));
	if (!h->url || !h->user_agent || !h->slots) {
		fmt_err(err, errlen, "http_output: out of memory");
		goto fail;
	}
	/* the config strings now live in h; do not keep the caller's pointers */
	h->cfg.url = h->cfg.user_agent = h->cfg.ca_cert = h->cfg.ca_bundle = NULL;
	h->cfg.ca_path = h->cfg.client_cert = h->cfg.client_key = NULL;
	if (check_url(h, err, errlen) || check_file("ca_cert", h->ca_cert, false, err, errlen) ||
	    check_file("ca_bundle", h->ca_bundle, false, err, errlen) ||
	    check_file("ca_path", h->ca_path, true, err, errlen) ||
	    (cfg->mtls && (check_file("client_cert", h->client_cert, false, err, errlen) ||
			   check_file("client_key", h->client_key, false, err, errlen))) ||
	    setup_curl(h, err, errlen))
		goto fail;
	if (pthread_create(&h->thread, NULL, worker, h)) {
		fmt_err(err, errlen, "http_output: cannot start the delivery thread");
		goto fail;
	}
	h->thread_started = true;
	return h;
fail:
	free_all(h);
	return NULL;
}

int http_out_push(struct http_out *h, const char *body, size_t len)
{
	struct slot *s;
	int ret = -1;

	pthread_mutex_lock(&h->lock);
	if (h->closing || h->count == h->cap) {
		h->dropped++;
		goto out;
	}
	s = &h->slots[(h->head + h->count) % h->cap];
	if (s->cap < len + 1) {
		size_t ncap = len + 1 < 1024 ? 1024 : len + 1;
		char *nb = realloc(s->buf, ncap);

		if (!nb) {
			h->dropped++;
			goto out;
		}
		s->buf = nb;
		s->cap = ncap;
	}
	memcpy(s->buf, body, len);
	s->buf[len] = 0;
	s->len = len;
	h->count++;
	h->pushed++;
	/* only an idle worker needs a wake-up: a busy one takes the alert when it is done,
	 * and one pausing between retries must not be woken by every alert */
	if (h->idle_wait)
		pthread_cond_signal(&h->wake);
	ret = 0;
out:
	pthread_mutex_unlock(&h->lock);
	return ret;
}

void http_out_get_stats(struct http_out *h, struct http_out_stats *st)
{
	pthread_mutex_lock(&h->lock);
	st->pushed = h->pushed;
	st->delivered = h->delivered;
	st->failed = h->failed;
	st->dropped = h->dropped;
	st->retries = h->retries;
	st->queued = h->count;
	st->in_flight = h->in_flight;
	st->capacity = h->cap;
	st->receiver_up = h->receiver_up;
	st->last_status = h->last_status;
	pthread_mutex_unlock(&h->lock);
}

void http_out_report(void *ctx, struct metrics_output_stats *st)
{
	struct http_out_stats hs;

	http_out_get_stats(ctx, &hs);
	st->delivered = hs.delivered;
	st->failed = hs.failed;
	st->dropped = hs.dropped;
	st->retries = hs.retries;
	st->queued = hs.queued + hs.in_flight;
	st->capacity = hs.capacity;
}

/* Waits (locked) until the queue is empty and nothing is in flight, or the worker exited,
 * or the absolute monotonic deadline passed. */
static bool wait_idle_locked(struct http_out *h, const struct timespec *ts)
{
	while ((h->count || h->in_flight) && !h->exited)
		if (pthread_cond_timedwait(&h->idle, &h->lock, ts) == ETIMEDOUT)
			break;
	return (!h->count && !h->in_flight) || h->exited;
}

bool http_out_wait_idle(struct http_out *h, uint32_t timeout_ms)
{
	struct timespec ts = deadline_ts(timeout_ms);
	bool idle;

	pthread_mutex_lock(&h->lock);
	idle = wait_idle_locked(h, &ts);
	pthread_mutex_unlock(&h->lock);
	return idle;
}

uint64_t http_out_destroy(struct http_out *h, uint32_t flush_timeout_ms)
{
	struct timespec ts = deadline_ts(flush_timeout_ms);
	uint64_t given_up;

	if (!h)
		return 0;
	pthread_mutex_lock(&h->lock);
	h->closing = true;
	pthread_cond_broadcast(&h->wake);
	if (!wait_idle_locked(h, &ts)) {
		__atomic_store_n(&h->abort, 1, __ATOMIC_RELEASE);
		pthread_cond_broadcast(&h->wake);
		pthread_cond_broadcast(&h->stop);
	}
	pthread_mutex_unlock(&h->lock);
	if (h->thread_started)
		pthread_join(h->thread, NULL);
	given_up = h->abandoned;
	if (given_up)
		logf_(h, LOGL_ERR, "%llu alert(s) not delivered at shutdown (flush timeout %u ms)",
		      (unsigned long long)given_up, flush_timeout_ms);
	free_all(h);
	return given_up;
}
