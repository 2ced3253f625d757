/* SPDX-License-Identifier: Apache-2.0
 *
 * Test driver for tests/ops: the configuration, the output channels and the operations
 * modules wired exactly as the daemon wires them (config_load -> sinks_create ->
 * ops_create -> sinks_start -> ops_start_web), driven line by line from stdin so that
 * ops_test.py can play the event loop: emit alerts, count events, stop the heartbeat.
 *
 *   ops_drv [KEY=VALUE]...            configuration overrides (-o), over built-in defaults
 *   ops_drv --check-config FILE [KEY=VALUE]...
 *
 * Prints "port N" (the web server's port) when ready, then answers each command with one
 * line, so the script never races the driver:
 *   alert RULE_ID JSON   emit JSON on the output channels, count a match of rule RULE_ID
 *   events N             N more kernel events (and N/100 drops, in the "open" buffer)
 *   beat on|off          start or stop the heartbeat thread (the event loop stand-in)
 *   probe attached|detached
 *   stats                "stats pushed=.. delivered=.. failed=.. dropped=.. queued=.. inflight=.. retries=.."
 *                        of the HTTP output
 *   idle MS              "idle 1" when the HTTP output drained within MS ms, else "idle 0"
 *   snapshot             one metrics snapshot (ops_metrics_snapshot), as the daemon's timer
 *   quit                 stop as the daemon does (channels, then ops), print "bye", exit 0
 * End of input is "quit".
 *
 * --check-config loads FILE with frc's configuration loader, the overrides after it, and
 * prints "warning: ..." lines, then either "error: ..." or one "ok" line with the values
 * the operations modules use.
 */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "frc.h"
#include "http_out.h"
#include "metrics.h"
#include "ops.h"
#include "output.h"
#include "outputs_sink.h"

static struct metrics *m;
static struct metrics_ruletab *tab;
static struct ops *ops;
static struct sinks *sinks;
static struct out_writer writer;
static pthread_t beat_th;
static volatile int beat_stop = 1;

static void *beater(void *arg)
{
	(void)arg;
	while (!beat_stop) {
		metrics_heartbeat(m);
		usleep(20000);
	}
	return NULL;
}

static void beat(bool on)
{
	if (on && beat_stop) {
		beat_stop = 0;
		metrics_heartbeat(m);
		pthread_create(&beat_th, NULL, beater, NULL);
	} else if (!on && !beat_stop) {
		beat_stop = 1;
		pthread_join(beat_th, NULL);
	}
}

static const char *tags0[] = { "filesystem", "mitre_credential_access", "maturity_stable" };
static struct frc_rule rules[2] = {
	{ .id = 0, .name = "Read sensitive file untrusted", .priority = PRIO_WARNING,
	  .source = "syscall", .tags = tags0, .ntags = 3, .enabled = true },
	{ .id = 1, .name = "Terminal shell in container", .priority = PRIO_NOTICE,
	  .source = "syscall", .enabled = true },
};

static void print_stats(void)
{
	struct http_out_stats st = { 0 };

	if (ops_http(ops))
		http_out_get_stats(ops_http(ops), &st);
	printf("stats pushed=%llu delivered=%llu failed=%llu dropped=%llu queued=%u inflight=%u "
	       "retries=%llu\n",
	       (unsigned long long)st.pushed, (unsigned long long)st.delivered,
	       (unsigned long long)st.failed, (unsigned long long)st.dropped, st.queued,
	       st.in_flight, (unsigned long long)st.retries);
}

static int command(char *line)
{
	struct metrics_counters *c = metrics_counters(m);
	char *arg = strchr(line, ' ');

	if (arg)
		*arg++ = 0;
	if (!strcmp(line, "alert") && arg) {
		char *json;
		unsigned long id = strtoul(arg, &json, 10);

		json += *json == ' ';
		sinks_emit(sinks, id < 2 ? rules[id].priority : PRIO_WARNING, json, strlen(json));
		metrics_rule_match(tab, (uint32_t)id);
		mc_add(c, MET_FRC_ALERTS, 1);
		printf("ok\n");
	} else if (!strcmp(line, "events") && arg) {
		unsigned long long n = strtoull(arg, NULL, 10);

		mc_add(c, MET_SCAP_N_EVTS, n);
		mc_add(c, MET_FRC_EVTS_PROCESSED, n - n / 100);
		mc_add(c, MET_SCAP_N_DROPS, n / 100);
		mc_add(c, MET_SCAP_DROPS_BUF_OPEN_EXIT, n / 100);
		printf("ok\n");
	} else if (!strcmp(line, "beat") && arg) {
		beat(!strcmp(arg, "on"));
		printf("ok\n");
	} else if (!strcmp(line, "probe") && arg) {
		metrics_set_probe(m, strcmp(arg, "attached") ? PROBE_DETACHED : PROBE_ATTACHED,
				  "test");
		printf("ok\n");
	} else if (!strcmp(line, "stats")) {
		print_stats();
	} else if (!strcmp(line, "idle") && arg) {
		printf("idle %d\n", ops_http(ops) ? http_out_wait_idle(ops_http(ops),
								      (uint32_t)atoi(arg)) : 1);
	} else if (!strcmp(line, "snapshot")) {
		ops_metrics_snapshot(ops, &writer);
		printf("ok\n");
	} else if (!strcmp(line, "quit")) {
		return 1;
	} else {
		printf("error unknown command '%s'\n", line);
	}
	return 0;
}

static void warn_line(void *ctx, const char *msg)
{
	(void)ctx;
	printf("warning: %s\n", msg);
}

static int check_config(int argc, char **argv)
{
	struct config_opts o = { .path = argv[0], .overrides = (const char *const *)argv + 1,
				 .noverrides = (uint32_t)(argc - 1), .warn = warn_line };
	struct frc_config cfg;
	char err[1024];

	if (config_load(&cfg, &o, err, sizeof(err))) {
		printf("error: %s\n", err);
		return 1;
	}
	printf("ok json_output=%d stdout_output=%d http_output.enabled=%d http_output.url=%s "
	       "webserver.enabled=%d webserver.listen_address=%s webserver.listen_port=%u "
	       "webserver.k8s_healthz_endpoint=%s webserver.prometheus_metrics_enabled=%d "
	       "metrics.enabled=%d rules_files=%u config_files=%u\n",
	       cfg.json_output, cfg.stdout_output.enabled, cfg.http_output.enabled,
	       cfg.http_output.url, cfg.webserver.enabled, cfg.webserver.listen_address,
	       cfg.webserver.listen_port, cfg.webserver.k8s_healthz_endpoint,
	       cfg.webserver.prometheus_metrics_enabled, cfg.metrics.enabled, cfg.nrules_files,
	       cfg.nloaded_config_files);
	config_free(&cfg);
	return 0;
}

int main(int argc, char **argv)
{
	struct config_opts co = { .overrides = (const char *const *)argv + 1,
				  .noverrides = (uint32_t)(argc - 1), .warn = warn_line };
	struct frc_rules rs = { rules, 2 };
	struct frc_config cfg;
	char err[1024], line[65536];

	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc >= 3 && !strcmp(argv[1], "--check-config"))
		return check_config(argc - 2, argv + 2);
	if (config_load(&cfg, &co, err, sizeof(err))) {
		fprintf(stderr, "ops_drv: %s\n", err);
		return 1;
	}
	{
		struct out_opts oo;

		out_opts_from_config(&oo, &cfg);
		out_writer_init(&writer, &oo);
	}
	sinks = sinks_create(&cfg);
	ops = sinks ? ops_create(&cfg, sinks, 2, err, sizeof(err)) : NULL;
	if (!ops || sinks_start(sinks, err, sizeof(err))) {
		fprintf(stderr, "ops_drv: %s\n", err);
		return 1;
	}
	m = ops_metrics(ops);
	tab = metrics_set_rules(m, &rs, 1);
	metrics_set_probe(m, PROBE_ATTACHED, NULL);
	if (ops_start_web(ops, err, sizeof(err))) {
		fprintf(stderr, "ops_drv: %s\n", err);
		return 1;
	}
	printf("port %u\n", ops_web_port(ops));
	while (fgets(line, sizeof(line), stdin)) {
		line[strcspn(line, "\n")] = 0;
		if (command(line))
			break;
	}
	/* the daemon's shutdown order */
	beat(false);
	sinks_stop(sinks);
	ops_free(ops);
	sinks_free(sinks);
	out_writer_free(&writer);
	config_free(&cfg);
	printf("bye\n");
	return 0;
}
