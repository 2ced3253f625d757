/* SPDX-License-Identifier: Apache-2.0
 *
 * The embedded web server (libmicrohttpd), with Falco's endpoints on Falco's default port:
 *   GET <k8s_healthz_endpoint>  (default /healthz)  {"status": "ok"}, or HTTP 503 with
 *       {"status": "unhealthy", "checks": {...}} when detection is broken: the event loop
 *       has not started or stalled (heartbeat older than the stall timeout), the probe is
 *       detached, or no ruleset is loaded. Falco always answers ok (issue #3968).
 *   GET /versions  the JSON falcoctl reads (engine_version, engine_version_semver, ...)
 *   GET /metrics   Prometheus text (metrics.h), when enabled
 * Requests run on the server's own thread(s); they only read the metrics registry.
 */
#ifndef FRC_RUNTIME_WEBSERVER_H
#define FRC_RUNTIME_WEBSERVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct metrics;

#define WEBSERVER_DEFAULT_PORT 8765
#define WEBSERVER_DEFAULT_STALL_MS 10000u

/**
 * struct webserver_config - the webserver section of the configuration.
 * @listen_address: IPv4 or IPv6 address; NULL or "" gives 0.0.0.0 (Falco's default)
 * @listen_port: 0 picks a free port (see webserver_port())
 * @healthz_endpoint: NULL gives "/healthz"
 * @prometheus_metrics: serve /metrics (Falco: metrics.enabled and
 *                      webserver.prometheus_metrics_enabled)
 * @ssl_enabled, @ssl_certificate: HTTPS; the PEM file holds the certificate and its key
 * @threadiness: worker threads; 0 gives one
 * @stall_timeout_ms: /healthz fails when the event loop's heartbeat is older; 0 gives
 *                    WEBSERVER_DEFAULT_STALL_MS
 */
struct webserver_config {
	const char *listen_address;
	uint16_t listen_port;
	const char *healthz_endpoint;
	bool prometheus_metrics;
	bool ssl_enabled;
	const char *ssl_certificate;
	unsigned threadiness;
	uint32_t stall_timeout_ms;
};

struct webserver;

/* Starts serving. @m must outlive the server. NULL with a message in @err on error
 * (address in use, bad address, unreadable certificate). */
struct webserver *webserver_start(const struct webserver_config *cfg, struct metrics *m,
				  char *err, size_t errlen);

/* the port actually bound (useful with listen_port 0) */
uint16_t webserver_port(const struct webserver *w);

/* Stops the server and waits for its threads. NULL is a no-op. */
void webserver_stop(struct webserver *w);

/* The /versions JSON (also what `frc --version` prints with json_output), NUL-terminated;
 * returns its length (truncated to @len - 1 if @len is too small, as snprintf). */
size_t webserver_versions_json(char *buf, size_t len);

/* The /healthz answer for @m: returns the HTTP status (200 or 503) and writes the body. */
unsigned webserver_health_json(struct metrics *m, uint32_t stall_timeout_ms, char *buf,
			       size_t len);

#endif
