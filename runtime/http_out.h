/* SPDX-License-Identifier: Apache-2.0
 *
 * HTTP output: one POST per alert, as Falco's http_output does, so frc can feed
 * Falcosidekick, the event-generator and any webhook receiver. The body is the formatted
 * alert (one JSON object when json_output is on). Unlike Falco, delivery never blocks the
 * caller and never silently loses an alert: a bounded queue sits in front of a delivery
 * thread; a full queue drops the new alert and counts it; a failing receiver is retried
 * with exponential backoff; every alert ends up counted as delivered, failed or dropped.
 *
 * Threads: http_out_push() and http_out_stats() may be called from any thread;
 * http_out_create()/http_out_destroy() from one owner thread.
 */
#ifndef FRC_RUNTIME_HTTP_OUT_H
#define FRC_RUNTIME_HTTP_OUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HTTP_OUT_DEFAULT_USER_AGENT "falcosecurity/falco"
#define HTTP_OUT_DEFAULT_QUEUE 4096u
#define HTTP_OUT_DEFAULT_TIMEOUT_MS 5000u
#define HTTP_OUT_DEFAULT_CONNECT_TIMEOUT_MS 2000u
#define HTTP_OUT_DEFAULT_BACKOFF_INITIAL_MS 100u
#define HTTP_OUT_DEFAULT_BACKOFF_MAX_MS 5000u
#define HTTP_OUT_DEFAULT_MAX_TIMEOUTS 5u

/**
 * struct http_out_config - what the http_output section of the configuration says.
 * The strings are copied by http_out_create(); NULL or "" means "not set".
 * @url: receiver URL (quotes around it are removed, as Falco does); required
 * @user_agent: User-Agent header; NULL gives HTTP_OUT_DEFAULT_USER_AGENT
 * @json: Content-Type application/json (json_output) instead of text/plain
 * @insecure: do not verify the server certificate nor its host name
 * @ca_cert, @ca_bundle, @ca_path: trust anchors, in Falco's order of precedence
 *                                 (ca_cert, else ca_bundle, else ca_path)
 * @mtls, @client_cert, @client_key: client certificate authentication
 * @echo: write the receiver's response bodies to stdout
 * @compress_uploads: Falco's key: ask for a compressed transfer encoding
 * @keep_alive: TCP keep-alive probes on the (reused) connection
 * @max_consecutive_timeouts: an alert whose request timed out more than this many times
 *                            in a row is given up (counted failed); 0 gives the default 5
 * @queue_capacity: alerts waiting for delivery; 0 gives HTTP_OUT_DEFAULT_QUEUE
 * @timeout_ms, @connect_timeout_ms: per request; 0 gives the defaults above
 * @backoff_initial_ms, @backoff_max_ms: retry delay, doubled after each failure of the
 *                                       same alert, capped at the max; 0 gives defaults
 * @max_retries: retries of one alert after connection errors, 408/429 and 5xx answers
 *               before it is given up; negative = keep retrying (the queue bounds memory,
 *               and the alerts behind it are counted as dropped once it is full)
 */
struct http_out_config {
	const char *url;
	const char *user_agent;
	bool json;
	bool insecure;
	const char *ca_cert;
	const char *ca_bundle;
	const char *ca_path;
	bool mtls;
	const char *client_cert;
	const char *client_key;
	bool echo;
	bool compress_uploads;
	bool keep_alive;
	uint32_t max_consecutive_timeouts;
	uint32_t queue_capacity;
	uint32_t timeout_ms;
	uint32_t connect_timeout_ms;
	uint32_t backoff_initial_ms;
	uint32_t backoff_max_ms;
	int32_t max_retries;
};

/**
 * struct http_out_stats - counters since creation.
 * Every pushed alert is, at any time, exactly one of: queued, in flight, delivered, failed.
 * @pushed: accepted into the queue
 * @delivered: answered with a 2xx status
 * @failed: given up: a 4xx answer (other than 408/429), too many timeouts or retries,
 *          or still undelivered when http_out_destroy()'s flush timeout expired
 * @dropped: refused by http_out_push() because the queue was full (or closing)
 * @retries: failed attempts that were retried
 * @queued: waiting in the queue now (not counting the one in flight)
 * @in_flight: 1 while an alert is being sent or waits for its next retry
 * @capacity: queue capacity
 * @receiver_up: the last attempt reached the receiver and got a 2xx answer
 * @last_status: HTTP status of the last answer, 0 if none
 */
struct http_out_stats {
	uint64_t pushed;
	uint64_t delivered;
	uint64_t failed;
	uint64_t dropped;
	uint64_t retries;
	uint32_t queued;
	uint32_t in_flight;
	uint32_t capacity;
	bool receiver_up;
	long last_status;
};

struct http_out;

/* Validates @cfg (URL syntax, files named for TLS), starts the delivery thread.
 * Returns NULL with a message in @err on error. */
struct http_out *http_out_create(const struct http_out_config *cfg, char *err, size_t errlen);

/* Queues a copy of @body. Never blocks on the network: returns 0 if queued, -1 if the
 * alert was dropped (queue full, or the output is shutting down); drops are counted. */
int http_out_push(struct http_out *h, const char *body, size_t len);

void http_out_get_stats(struct http_out *h, struct http_out_stats *st);

/* A metrics_output_fn (metrics.h) for metrics_add_output(m, "http", http_out_report, h):
 * the registry then renders this output's queue and delivery counters. */
struct metrics_output_stats;
void http_out_report(void *h, struct metrics_output_stats *st);

/* Waits until nothing is queued or in flight, or @timeout_ms passed; true if idle. */
bool http_out_wait_idle(struct http_out *h, uint32_t timeout_ms);

/* Stops accepting alerts, keeps delivering for up to @flush_timeout_ms, then aborts the
 * transfer in progress, counts what is left as failed, and frees everything.
 * Returns the number of alerts given up at shutdown. NULL is a no-op. */
uint64_t http_out_destroy(struct http_out *h, uint32_t flush_timeout_ms);

#endif
