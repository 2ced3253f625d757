/* SPDX-License-Identifier: Apache-2.0
 *
 * The embedded web server (see webserver.h). libmicrohttpd runs its own polling thread
 * (or a pool of them); each request is answered from a buffer built on that thread.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <microhttpd.h>

#include "logger.h"
#include "metrics.h"
#include "version.h"
#include "webserver.h"

struct webserver {
	struct MHD_Daemon *d;
	struct metrics *m;
	char healthz[256];
	bool prometheus;
	uint32_t stall_ms;
	uint16_t port;
	char *tls_pem;
	char start_err[256];	/* last libmicrohttpd message while starting */
	bool started;
};

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

static void mhd_log(void *cls, const char *fm, va_list ap)
{
	struct webserver *w = cls;
	char msg[256];
	size_t n;

	vsnprintf(msg, sizeof(msg), fm, ap);
	n = strlen(msg);
	while (n && (msg[n - 1] == '\n' || msg[n - 1] == '\r'))
		msg[--n] = 0;
	if (!w->started)
		snprintf(w->start_err, sizeof(w->start_err), "%s", msg);
	else
		flog(LOGL_WARNING, "webserver: %s", msg);
}

size_t webserver_versions_json(char *buf, size_t len)
{
	int n = snprintf(buf, len,
			 "{\"engine_version\":\"%d\",\"engine_version_semver\":\"%s\","
			 "\"frc_version\":\"%s\",\"plugin_versions\":{},\"version\":\"%s\"}",
			 FRC_ENGINE_VERSION_MINOR, FRC_ENGINE_VERSION, FRC_VERSION, FRC_VERSION);

	return n < 0 ? 0 : (size_t)n;
}

/* appends @s as a JSON string (RFC 8259 escaping) */
static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char ch = (unsigned char)*s;

		if (ch == '"' || ch == '\\')
			fprintf(f, "\\%c", ch);
		else if (ch == '\n')
			fputs("\\n", f);
		else if (ch < 0x20 || ch == 0x7f)
			fprintf(f, "\\u%04x", ch);
		else
			fputc(ch, f);
	}
	fputc('"', f);
}

static void health_body(FILE *f, const struct metrics_health *h, uint32_t stall_ms)
{
	char msg[160];
	bool first = true;

	if (h->ok) {
		fputs("{\"status\": \"ok\"}", f);	/* Falco's exact body */
		return;
	}
	fputs("{\"status\": \"unhealthy\", \"checks\": {", f);
	if (!h->loop_started || h->loop_stalled) {
		if (!h->loop_started)
			snprintf(msg, sizeof(msg), "not started");
		else
			snprintf(msg, sizeof(msg), "stalled: no heartbeat for %.1f s (limit %.1f s)",
				 (double)h->heartbeat_age_ns / 1e9, stall_ms / 1000.0);
		fputs("\"event_loop\": ", f);
		json_str(f, msg);
		first = false;
	}
	if (h->probe == PROBE_DETACHED) {
		snprintf(msg, sizeof(msg), "detached%s%s", h->probe_detail[0] ? ": " : "",
			 h->probe_detail);
		fputs(first ? "\"probe\": " : ", \"probe\": ", f);
		json_str(f, msg);
		first = false;
	}
	if (!h->rules_loaded) {
		fputs(first ? "\"rules\": " : ", \"rules\": ", f);
		json_str(f, h->rules_error[0] ? h->rules_error : "not loaded");
	}
	fputs("}}", f);
}

unsigned webserver_health_json(struct metrics *m, uint32_t stall_timeout_ms, char *buf,
			       size_t len)
{
	struct metrics_health h;
	FILE *f;

	if (!stall_timeout_ms)
		stall_timeout_ms = WEBSERVER_DEFAULT_STALL_MS;
	metrics_get_health(m, (uint64_t)stall_timeout_ms * 1000000u, &h);
	if (len) {
		buf[0] = 0;
		f = fmemopen(buf, len, "w");
		if (f) {
			health_body(f, &h, stall_timeout_ms);
			fclose(f);
		}
	}
	return h.ok ? 200 : 503;
}

static enum MHD_Result reply(struct MHD_Connection *c, unsigned status, const char *ctype,
			     char *body, size_t len)
{
	struct MHD_Response *r;
	enum MHD_Result ret;

	r = MHD_create_response_from_buffer(len, body, MHD_RESPMEM_MUST_FREE);
	if (!r) {
		free(body);
		return MHD_NO;
	}
	MHD_add_response_header(r, "Content-Type", ctype);
	MHD_add_response_header(r, "Cache-Control", "no-store");
	ret = MHD_queue_response(c, status, r);
	MHD_destroy_response(r);
	return ret;
}

static enum MHD_Result reply_text(struct MHD_Connection *c, unsigned status, const char *ctype,
				  const char *text)
{
	char *b = strdup(text);

	return b ? reply(c, status, ctype, b, strlen(b)) : MHD_NO;
}

static enum MHD_Result handle(void *cls, struct MHD_Connection *c, const char *url,
			      const char *method, const char *version, const char *upload,
			      size_t *upload_size, void **req)
{
	struct webserver *w = cls;
	char *body;
	size_t len;

	(void)version;
	(void)upload;
	/* one call per request for GET/HEAD; a request body is never read */
	if (*req == NULL) {
		*req = w;
		if (strcmp(method, "GET") && strcmp(method, "HEAD"))
			return reply_text(c, 405, "text/plain", "method not allowed\n");
		return MHD_YES;
	}
	if (*upload_size) {
		*upload_size = 0;
		return MHD_YES;
	}
	if (!strcmp(url, w->healthz)) {
		body = malloc(1024);
		if (!body)
			return MHD_NO;
		unsigned st = webserver_health_json(w->m, w->stall_ms, body, 1024);
		return reply(c, st, "application/json", body, strlen(body));
	}
	if (!strcmp(url, "/versions")) {
		body = malloc(512);
		if (!body)
			return MHD_NO;
		len = webserver_versions_json(body, 512);
		return reply(c, 200, "application/json", body, len);
	}
	if (w->prometheus && !strcmp(url, "/metrics")) {
		body = metrics_render_prometheus(w->m, &len);
		if (!body)
			return reply_text(c, 500, "text/plain", "cannot render metrics\n");
		return reply(c, 200, METRICS_CONTENT_TYPE, body, len);
	}
	return reply_text(c, 404, "text/plain", "not found\n");
}

static char *read_file(const char *path, char *err, size_t errlen)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0, cap = 0, r;

	if (!f) {
		fmt_err(err, errlen, "webserver.ssl_certificate: cannot open '%s': %s", path,
			strerror(errno));
		return NULL;
	}
	do {
		if (cap - n < 4096) {
			char *nb = cap > (1u << 20) ? NULL : realloc(buf, cap + 8192);

			if (!nb) {
				fmt_err(err, errlen, "webserver.ssl_certificate: '%s' is too large", path);
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = nb;
			cap += 8192;
		}
		r = fread(buf + n, 1, cap - n - 1, f);
		n += r;
	} while (r > 0);
	fclose(f);
	buf[n] = 0;
	return buf;
}

/* Resolves the listen address into @ss. Returns 0, or -1 with a message. */
static int listen_addr(const struct webserver_config *cfg, struct sockaddr_storage *ss,
		       bool *v6, char *err, size_t errlen)
{
	const char *a = cfg->listen_address && *cfg->listen_address ? cfg->listen_address
								    : "0.0.0.0";
	struct addrinfo hints = { .ai_flags = AI_PASSIVE | AI_NUMERICSERV,
				  .ai_socktype = SOCK_STREAM };
	struct addrinfo *res = NULL;
	char port[8];
	int rc;

	snprintf(port, sizeof(port), "%u", cfg->listen_port);
	rc = getaddrinfo(a, port, &hints, &res);
	if (rc || !res) {
		fmt_err(err, errlen, "webserver.listen_address: '%s': %s", a, gai_strerror(rc));
		return -1;
	}
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*v6 = res->ai_family == AF_INET6;
	freeaddrinfo(res);
	return 0;
}

struct webserver *webserver_start(const struct webserver_config *cfg, struct metrics *m,
				  char *err, size_t errlen)
{
	struct webserver *w = calloc(1, sizeof(*w));
	struct sockaddr_storage ss;
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_ERROR_LOG;
	const union MHD_DaemonInfo *di;
	bool v6 = false;

	if (!w) {
		fmt_err(err, errlen, "webserver: out of memory");
		return NULL;
	}
	w->m = m;
	w->prometheus = cfg->prometheus_metrics;
	w->stall_ms = cfg->stall_timeout_ms ? cfg->stall_timeout_ms : WEBSERVER_DEFAULT_STALL_MS;
	snprintf(w->healthz, sizeof(w->healthz), "%s",
		 cfg->healthz_endpoint && *cfg->healthz_endpoint ? cfg->healthz_endpoint : "/healthz");
	if (w->healthz[0] != '/') {
		fmt_err(err, errlen, "webserver.k8s_healthz_endpoint: '%s' must start with '/'",
			w->healthz);
		goto fail;
	}
	if (listen_addr(cfg, &ss, &v6, err, errlen))
		goto fail;
	if (v6)
		flags |= MHD_USE_IPv6;
	if (cfg->ssl_enabled) {
		if (MHD_is_feature_supported(MHD_FEATURE_TLS) != MHD_YES) {
			fmt_err(err, errlen, "webserver.ssl_enabled: libmicrohttpd was built without TLS");
			goto fail;
		}
		if (!cfg->ssl_certificate || !*cfg->ssl_certificate) {
			fmt_err(err, errlen, "webserver.ssl_certificate: required with ssl_enabled");
			goto fail;
		}
		w->tls_pem = read_file(cfg->ssl_certificate, err, errlen);
		if (!w->tls_pem)
			goto fail;
		flags |= MHD_USE_TLS;
	}
	struct MHD_OptionItem opts[] = {
		{ MHD_OPTION_EXTERNAL_LOGGER, (intptr_t)mhd_log, w },
		{ MHD_OPTION_SOCK_ADDR, 0, &ss },
		{ MHD_OPTION_CONNECTION_LIMIT, 64, NULL },
		{ MHD_OPTION_CONNECTION_TIMEOUT, 10, NULL },
		{ MHD_OPTION_THREAD_POOL_SIZE, cfg->threadiness > 1 ? cfg->threadiness : 0, NULL },
		/* Falco's convention: one PEM file holds the certificate and its key */
		{ MHD_OPTION_HTTPS_MEM_KEY, 0, w->tls_pem },
		{ MHD_OPTION_HTTPS_MEM_CERT, 0, w->tls_pem },
		{ MHD_OPTION_END, 0, NULL },
	};
	if (!cfg->ssl_enabled)
		opts[5].option = opts[6].option = MHD_OPTION_END;
	w->d = MHD_start_daemon(flags, cfg->listen_port, NULL, NULL, handle, w,
				MHD_OPTION_ARRAY, opts, MHD_OPTION_END);
	if (!w->d) {
		fmt_err(err, errlen, "webserver: cannot listen on %s:%u: %s",
			cfg->listen_address && *cfg->listen_address ? cfg->listen_address : "0.0.0.0",
			cfg->listen_port, w->start_err[0] ? w->start_err : "failed to start");
		goto fail;
	}
	w->started = true;
	di = MHD_get_daemon_info(w->d, MHD_DAEMON_INFO_BIND_PORT);
	w->port = di && di->port ? di->port : cfg->listen_port;
	return w;
fail:
	free(w->tls_pem);
	free(w);
	return NULL;
}

uint16_t webserver_port(const struct webserver *w)
{
	return w->port;
}

void webserver_stop(struct webserver *w)
{
	if (!w)
		return;
	MHD_stop_daemon(w->d);
	free(w->tls_pem);
	free(w);
}
