/* SPDX-License-Identifier: Apache-2.0
 *
 * Configuration -> metrics registry, HTTP output channel, web server (see ops.h).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "http_out.h"
#include "logger.h"
#include "metrics.h"
#include "ops.h"
#include "output.h"
#include "outputs_sink.h"
#include "webserver.h"

/* one output channel reported in the metrics */
struct chan_ref {
	struct ops *o;
	uint32_t index;		/* in the sinks set */
};

struct ops {
	const struct frc_config *cfg;
	struct metrics *m;
	struct sinks *sinks;
	struct http_out *http;
	struct webserver *web;
	struct chan_ref *refs;
	uint32_t nrefs;
	int http_index;		/* the "http" channel in the sinks set, or -1 */
	FILE *snap_file;	/* metrics.output_file, opened at the first snapshot */
	bool snap_file_failed;
};

/* ---- the HTTP output as an output channel: the channel's worker hands each alert to
 * the HTTP output's own queue (never blocks); the HTTP output lives as long as ops */

static int http_sink_write(void *ctx, const struct sink_msg *msg)
{
	http_out_push(ctx, msg->text, msg->len);	/* a drop is counted by the output */
	return 0;
}

static const struct sink_ops http_sink_ops = {
	.write = http_sink_write,
};

static void chan_stats(const struct chan_ref *r, struct metrics_output_stats *st)
{
	struct sink_stats ss;
	uint64_t done;

	sinks_get_stats(r->o->sinks, r->index, &ss);
	done = ss.written + ss.write_errors + ss.dropped;
	st->delivered = ss.written;
	st->failed = ss.write_errors;
	st->dropped = ss.dropped;
	st->queued = ss.queued > done ? (uint32_t)(ss.queued - done) : 0;
	st->capacity = (uint32_t)r->o->cfg->outputs_queue_capacity;
}

static void chan_report(void *ctx, struct metrics_output_stats *st)
{
	chan_stats(ctx, st);
}

/* channel "http": the channel's queue in front of the HTTP output's queue */
static void http_report(void *ctx, struct metrics_output_stats *st)
{
	const struct chan_ref *r = ctx;
	struct metrics_output_stats cs = { 0 };

	chan_stats(r, &cs);
	http_out_report(r->o->http, st);
	st->dropped += cs.dropped;
	st->queued += cs.queued;
}

static int setup_http(struct ops *o, char *err, size_t errlen)
{
	const struct cfg_http_output *h = &o->cfg->http_output;
	struct http_out_config hc = {
		.url = h->url,
		.user_agent = h->user_agent,
		.json = o->cfg->json_output,
		.insecure = h->insecure,
		.ca_cert = h->ca_cert,
		.ca_bundle = h->ca_bundle,
		.ca_path = h->ca_path,
		.mtls = h->mtls,
		.client_cert = h->client_cert,
		.client_key = h->client_key,
		.echo = h->echo,
		.compress_uploads = h->compress_uploads,
		.keep_alive = h->keep_alive,
		.max_consecutive_timeouts = h->max_consecutive_timeouts,
		.queue_capacity = h->queue_capacity,
		.timeout_ms = h->timeout_ms,
		.max_retries = h->max_retries,
	};

	if (!h->enabled)
		return 0;
	if (!o->sinks) {
		snprintf(err, errlen, "http_output: no output channels to attach to");
		return -1;
	}
	o->http = http_out_create(&hc, err, errlen);
	if (!o->http)
		return -1;
	if (sinks_add(o->sinks, "http", &http_sink_ops, o->http)) {
		snprintf(err, errlen, "http_output: out of memory");
		return -1;
	}
	o->http_index = (int)sinks_count(o->sinks) - 1;
	return 0;
}

/* every channel of the set in the metrics, under its name */
static int report_channels(struct ops *o)
{
	uint32_t n = o->sinks ? sinks_count(o->sinks) : 0;

	o->refs = calloc(n ? n : 1, sizeof(*o->refs));
	if (!o->refs)
		return -1;
	for (uint32_t i = 0; i < n; i++) {
		struct sink_stats ss;
		struct chan_ref *r = &o->refs[o->nrefs];

		sinks_get_stats(o->sinks, i, &ss);
		r->o = o;
		r->index = i;
		if (metrics_add_output(o->m, ss.name, (int)i == o->http_index ? http_report
									     : chan_report, r))
			return -1;
		o->nrefs++;
	}
	return 0;
}

struct ops *ops_create(const struct frc_config *cfg, struct sinks *sinks, unsigned ncpus,
		       char *err, size_t errlen)
{
	struct ops *o = calloc(1, sizeof(*o));
	struct metrics_options mo = {
		.rules_counters = cfg->metrics.rules_counters,
		.resource_utilization = cfg->metrics.resource_utilization,
		.state_counters = cfg->metrics.state_counters,
		.kernel_event_counters = cfg->metrics.kernel_event_counters,
		.kernel_event_counters_per_cpu = cfg->metrics.kernel_event_counters_per_cpu,
	};

	if (!o) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	o->cfg = cfg;
	o->sinks = sinks;
	o->http_index = -1;
	o->m = metrics_create(ncpus, &mo);
	if (!o->m) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	metrics_set_engine(o->m, cfg->engine_kind == ENGINE_REPLAY ? "replay" :
				 cfg->engine_kind == ENGINE_NODRIVER ? "nodriver" :
				 cfg->engine_kind == ENGINE_KMOD ? "kmod" : "modern_bpf");
	metrics_set_files(o->m, true, (const char *const *)cfg->loaded_config_files,
			  cfg->nloaded_config_files);
	if (setup_http(o, err, errlen))
		goto fail;
	if (report_channels(o)) {
		snprintf(err, errlen, "out of memory");
		goto fail;
	}
	return o;
fail:
	ops_free(o);
	return NULL;
}

int ops_start_web(struct ops *o, char *err, size_t errlen)
{
	const struct frc_config *cfg = o->cfg;
	struct webserver_config wc = {
		.listen_address = cfg->webserver.listen_address,
		.listen_port = (uint16_t)cfg->webserver.listen_port,
		.healthz_endpoint = cfg->webserver.k8s_healthz_endpoint,
		.prometheus_metrics = cfg->metrics.enabled &&
				      cfg->webserver.prometheus_metrics_enabled,
		.ssl_enabled = cfg->webserver.ssl_enabled,
		.ssl_certificate = cfg->webserver.ssl_certificate,
		.threadiness = cfg->webserver.threadiness,
		.stall_timeout_ms = cfg->webserver.healthz_stall_timeout_ms,
	};

	if (!cfg->webserver.enabled || o->web)
		return 0;
	o->web = webserver_start(&wc, o->m, err, errlen);
	return o->web ? 0 : -1;
}

struct metrics *ops_metrics(struct ops *o)
{
	return o->m;
}

struct http_out *ops_http(struct ops *o)
{
	return o->http;
}

unsigned ops_web_port(const struct ops *o)
{
	return o->web ? webserver_port(o->web) : 0;
}

uint64_t ops_snapshot_interval_ms(const struct ops *o)
{
	const struct frc_config *c = o->cfg;

	if (!c->metrics.enabled ||
	    (!c->metrics.output_rule && !(c->metrics.output_file && *c->metrics.output_file)))
		return 0;
	return c->metrics.interval_ms < 100 ? 100 : c->metrics.interval_ms;
}

static void snapshot_to_file(struct ops *o, const struct metrics_snapshot *s)
{
	const char *path = o->cfg->metrics.output_file;
	char *line;
	size_t len;

	if (!path || !*path || o->snap_file_failed)
		return;
	if (!o->snap_file) {
		o->snap_file = fopen(path, "a");
		if (!o->snap_file) {
			flog(LOGL_ERR, "metrics.output_file: cannot open %s: %s", path,
			     strerror(errno));
			o->snap_file_failed = true;	/* said once */
			return;
		}
	}
	line = metrics_snapshot_jsonl(s, &len);
	if (line && (fwrite(line, 1, len, o->snap_file) != len || fputc('\n', o->snap_file) == EOF ||
		     fflush(o->snap_file)))
		flog(LOGL_ERR, "metrics.output_file: cannot write %s: %s", path, strerror(errno));
	free(line);
}

void ops_metrics_snapshot(struct ops *o, struct out_writer *w)
{
	const struct frc_config *c = o->cfg;
	struct metrics_snapshot_options so = {
		.include_empty_values = c->metrics.include_empty_values,
		.convert_memory_to_mb = c->metrics.convert_memory_to_mb,
	};
	struct metrics_snapshot s;
	struct timespec ts;

	if (metrics_snapshot_take(o->m, &so, &s)) {
		flog(LOGL_ERR, "metrics snapshot: out of memory");
		return;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	if (c->metrics.output_rule && o->sinks && w && PRIO_INFORMATIONAL <= c->min_priority) {
		size_t len = 0;
		const char *line = out_format_internal(
			w, (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec,
			PRIO_INFORMATIONAL, METRICS_SNAPSHOT_RULE, METRICS_SNAPSHOT_MSG,
			(const char *const *)s.keys, (const char *const *)s.values, s.n, &len);

		if (line)
			sinks_emit(o->sinks, PRIO_INFORMATIONAL, line, len);
	}
	snapshot_to_file(o, &s);
	metrics_snapshot_free(&s);
}

void ops_free(struct ops *o)
{
	if (!o)
		return;
	if (o->snap_file)
		fclose(o->snap_file);
	webserver_stop(o->web);
	for (uint32_t i = 0; o->m && i < o->nrefs; i++) {
		struct sink_stats ss;

		sinks_get_stats(o->sinks, o->refs[i].index, &ss);
		metrics_remove_output(o->m, ss.name);
	}
	/* the channel no longer writes (sinks_stop() ran): flush what the receiver has not
	 * taken yet, for at most output_timeout, as Falco does at shutdown */
	http_out_destroy(o->http, o->cfg->output_timeout_ms);
	metrics_destroy(o->m);
	free(o->refs);
	free(o);
}
