/* SPDX-License-Identifier: Apache-2.0
 *
 * Operating frc like Falco: the glue between the configuration and the operations
 * modules, so the daemon wires them with a few calls:
 *   - the metrics registry (metrics.h), with the metrics.*_enabled groups;
 *   - the HTTP output (http_out.h) from http_output.*, added to the output channels
 *     (outputs_sink.h) as channel "http";
 *   - every output channel reported in the metrics (frc_output_*{output=...} and
 *     falcosecurity_falco_outputs_queue_num_drops_total);
 *   - the web server (webserver.h) from webserver.*, /metrics when metrics.enabled and
 *     webserver.prometheus_metrics_enabled.
 *
 * Order in the daemon:
 *   sinks = sinks_create(cfg); ops = ops_create(cfg, sinks, ncpus, ...); sinks_start(sinks);
 *   load rules, metrics_set_rules(ops_metrics(ops), ...); attach the probe,
 *   metrics_set_probe(...); ops_start_web(ops, ...); event loop (metrics_heartbeat(), counters);
 *   sinks_stop(sinks); ops_free(ops); sinks_free(sinks).
 */
#ifndef FRC_RUNTIME_OPS_H
#define FRC_RUNTIME_OPS_H

#include <stddef.h>

struct frc_config;
struct metrics;
struct out_writer;
struct sinks;

struct ops;

/* Creates the registry and, if enabled, the HTTP output (added to @sinks, which may be
 * NULL when there are no alert outputs). NULL with a message in @err on error (e.g. a bad
 * http_output.url). */
struct ops *ops_create(const struct frc_config *cfg, struct sinks *sinks, unsigned ncpus,
		       char *err, size_t errlen);

/* Starts the web server if webserver.enabled. 0, or -1 with a message in @err. */
int ops_start_web(struct ops *o, char *err, size_t errlen);

struct metrics *ops_metrics(struct ops *o);

/* The HTTP output, or NULL when http_output is not enabled. */
struct http_out *ops_http(struct ops *o);

/* The web server's port (0 when not running). */
unsigned ops_web_port(const struct ops *o);

/* Period of Falco's metrics snapshot (metrics.interval, at least 100 ms), or 0 when no
 * snapshot is wanted (metrics.enabled false, or neither output_rule nor output_file). */
uint64_t ops_snapshot_interval_ms(const struct ops *o);

/**
 * ops_metrics_snapshot() - one metrics snapshot, as Falco's stats writer makes it: the
 * internal alert "Falco internal: metrics snapshot" (Informational, when metrics.output_rule
 * and the priority setting lets Informational through) on every output channel, formatted
 * with @w, and one line {"sample":N,"output_fields":{...}} appended to metrics.output_file.
 * Call from the event thread (the owner of @w), at start and every interval.
 */
void ops_metrics_snapshot(struct ops *o, struct out_writer *w);

/* Stops the web server, flushes the HTTP output for up to output_timeout, frees all.
 * Call after sinks_stop() and before sinks_free(). NULL is a no-op. */
void ops_free(struct ops *o);

#endif
