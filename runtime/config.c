/* SPDX-License-Identifier: Apache-2.0
 *
 * Falco configuration loading (see config.h). The order of work is Falco's: read the main
 * file (expanding ${ENV}), apply `-o config_files...` overrides, merge the config_files
 * entries, apply every `-o` override, then read the typed values with Falco's defaults and
 * checks. Unknown keys are reported through the warn callback only.
 */
#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "cfgtree.h"
#include "config.h"

struct cfg_ctx {
	struct frc_config *cfg;
	const struct config_opts *o;
	const char *name;	/* config file name used in messages */
	char *err;
	size_t errlen;
};

static int cfg_fail(struct cfg_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int cfg_fail(struct cfg_ctx *c, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->err, c->errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static void cfg_warn(struct cfg_ctx *c, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void cfg_warn(struct cfg_ctx *c, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	if (!c->o->warn)
		return;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	c->o->warn(c->o->warn_ctx, buf);
}

/* The name of the nodes of an `-o key={...}` value (compared by address). */
static const char override_name[] = "(-o value)";

static const char *node_where(const struct cnode *n, const char *path, char *buf, size_t len);

/* ---------------------------------------------------------------- priorities */

static const char *const prio_names[PRIO__COUNT] = {
	"Emergency", "Alert", "Critical", "Error", "Warning", "Notice", "Informational", "Debug",
};

bool config_parse_priority(const char *s, enum frc_priority *out)
{
	for (int i = 0; i < PRIO__COUNT; i++) {
		if (!strcasecmp(s, prio_names[i]) ||
		    (i == PRIO_INFORMATIONAL && !strcasecmp(s, "info"))) {
			*out = (enum frc_priority)i;
			return true;
		}
	}
	return false;
}

const char *config_priority_name(enum frc_priority p)
{
	return (unsigned)p < PRIO__COUNT ? prio_names[p] : "Unknown";
}

/*
 * Falco's matches_wildcard(): literal segments are searched left to right at their first
 * occurrence, without backtracking; a pattern without '*' is an exact comparison.
 */
bool config_wildcard_match(const char *pat, const char *s)
{
	for (;;) {
		const char *star = strchr(pat, '*');
		if (!star)
			return !strcmp(pat, s);
		if (star != pat) {
			size_t k = (size_t)(star - pat);
			if (strncmp(pat, s, k))
				return false;
			pat += k;
			s += k;
			continue;
		}
		while (*pat == '*')
			pat++;
		if (!*pat)
			return true;
		size_t lit = strcspn(pat, "*");
		const char *hit = NULL;
		for (const char *p = s; *p; p++) {
			if (!strncmp(p, pat, lit)) {
				hit = p;
				break;
			}
		}
		if (!hit)
			return false;
		s = hit + lit;
		pat += lit;
	}
}

/* ---------------------------------------------------------------- known keys */

/*
 * The keys frc understands, as dotted paths. A path ending in ".*" accepts anything below.
 * LEGACY entries are keys of older Falco versions that are accepted and ignored with a
 * warning naming the replacement.
 */
struct known_key {
	const char *path;
	const char *legacy; /* NULL, or the note printed when the key is present */
};

static const struct known_key known_keys[] = {
	{ "config_files.*", NULL },
	{ "watch_config_files", NULL },
	{ "rules_files.*", NULL },
	{ "rules_file.*", NULL },
	{ "rules.*", NULL },
	{ "engine.kind", NULL },
	{ "engine.kmod.buf_size_preset", NULL },
	{ "engine.kmod.drop_failed_exit", NULL },
	{ "engine.modern_ebpf.cpus_for_each_buffer", NULL },
	{ "engine.modern_ebpf.buf_size_preset", NULL },
	{ "engine.modern_ebpf.drop_failed_exit", NULL },
	{ "engine.modern_ebpf.disable_iterators", NULL },
	{ "engine.replay.capture_file", NULL },
	{ "engine.ebpf.*", "the legacy eBPF probe was removed in Falco 0.44; use engine.kind=modern_ebpf" },
	{ "engine.gvisor.*", "the gVisor engine was removed in Falco 0.44" },
	{ "capture.enabled", NULL },
	{ "capture.path_prefix", NULL },
	{ "capture.mode", NULL },
	{ "capture.default_duration", NULL },
	{ "capture.max_file_size_mb", NULL },
	{ "load_plugins.*", NULL },
	{ "plugins.*", NULL },
	{ "plugins_hostinfo", NULL },
	{ "time_format_iso_8601", NULL },
	{ "buffer_format_base64", NULL },
	{ "priority", NULL },
	{ "json_output", NULL },
	{ "json_include_output_property", NULL },
	{ "json_include_message_property", NULL },
	{ "json_include_output_fields_property", NULL },
	{ "json_include_tags_property", NULL },
	{ "buffered_outputs", NULL },
	{ "rule_matching", NULL },
	{ "outputs_queue.capacity", NULL },
	{ "append_output.*", NULL },
	{ "static_fields.*", NULL },
	{ "stdout_output.enabled", NULL },
	{ "syslog_output.enabled", NULL },
	{ "file_output.enabled", NULL },
	{ "file_output.keep_alive", NULL },
	{ "file_output.filename", NULL },
	{ "http_output.enabled", NULL },
	{ "http_output.url", NULL },
	{ "http_output.user_agent", NULL },
	{ "http_output.insecure", NULL },
	{ "http_output.ca_cert", NULL },
	{ "http_output.ca_bundle", NULL },
	{ "http_output.ca_path", NULL },
	{ "http_output.mtls", NULL },
	{ "http_output.client_cert", NULL },
	{ "http_output.client_key", NULL },
	{ "http_output.echo", NULL },
	{ "http_output.compress_uploads", NULL },
	{ "http_output.keep_alive", NULL },
	{ "http_output.max_consecutive_timeouts", NULL },
	{ "http_output.queue_capacity", NULL },		/* frc: http_out.h */
	{ "http_output.max_retries", NULL },		/* frc */
	{ "http_output.timeout_ms", NULL },		/* frc */
	{ "program_output.enabled", NULL },
	{ "program_output.keep_alive", NULL },
	{ "program_output.program", NULL },
	{ "grpc_output.*", "gRPC output was removed in Falco 0.44; use http_output" },
	{ "grpc.*", "the gRPC server was removed in Falco 0.44; use http_output" },
	{ "webserver.enabled", NULL },
	{ "webserver.threadiness", NULL },
	{ "webserver.listen_port", NULL },
	{ "webserver.listen_address", NULL },
	{ "webserver.k8s_healthz_endpoint", NULL },
	{ "webserver.prometheus_metrics_enabled", NULL },
	{ "webserver.ssl_enabled", NULL },
	{ "webserver.ssl_certificate", NULL },
	{ "webserver.healthz_stall_timeout_ms", NULL },	/* frc: webserver.h */
	{ "log_stderr", NULL },
	{ "log_syslog", NULL },
	{ "log_level", NULL },
	{ "libs_logger.enabled", NULL },
	{ "libs_logger.severity", NULL },
	{ "output_timeout", NULL },
	{ "syscall_event_timeouts.max_consecutives", NULL },
	{ "syscall_event_drops.threshold", NULL },
	{ "syscall_event_drops.actions.*", NULL },
	{ "syscall_event_drops.rate", NULL },
	{ "syscall_event_drops.max_burst", NULL },
	{ "syscall_event_drops.simulate_drops", NULL },
	{ "metrics.enabled", NULL },
	{ "metrics.interval", NULL },
	{ "metrics.output_rule", NULL },
	{ "metrics.output_file", NULL },
	{ "metrics.rules_counters_enabled", NULL },
	{ "metrics.resource_utilization_enabled", NULL },
	{ "metrics.state_counters_enabled", NULL },
	{ "metrics.kernel_event_counters_enabled", NULL },
	{ "metrics.kernel_event_counters_per_cpu_enabled", NULL },
	{ "metrics.libbpf_stats_enabled", NULL },
	{ "metrics.plugins_metrics_enabled", NULL },
	{ "metrics.kernel_iter_event_counters_enabled", NULL },
	{ "metrics.jemalloc_stats_enabled", NULL },
	{ "metrics.convert_memory_to_mb", NULL },
	{ "metrics.include_empty_values", NULL },
	{ "base_syscalls.custom_set.*", NULL },
	{ "base_syscalls.repair", NULL },
	{ "base_syscalls.all", NULL },
	{ "falco_libs.thread_table_size", NULL },
	{ "falco_libs.thread_table_auto_purging_interval_s", NULL },
	{ "falco_libs.thread_table_auto_purging_thread_timeout_s", NULL },
	{ "falco_libs.snaplen", NULL },
	/* frc's own keys (read by runtime/reload.c from the merged document) */
	{ "frc.kernel_filter", NULL },
	{ "frc.reload_settle_ms", NULL },
	{ "frc.reload_thread", NULL },
	{ "frc.json_include_ruleset_generation", NULL },
	/* keys of older Falco versions (the regression-suite configs still carry them) */
	{ "outputs.*", "outputs.rate/max_burst were removed in Falco 0.37 (alerts are never rate limited)" },
	{ "syscall_buf_size_preset", "replaced by engine.<kind>.buf_size_preset in Falco 0.38" },
	{ "syscall_drop_failed_exit", "replaced by engine.<kind>.drop_failed_exit in Falco 0.38" },
	{ "modern_bpf.*", "replaced by engine.modern_ebpf in Falco 0.38" },
	{ "metadata_download.*", "k8s/mesos metadata download was removed in Falco 0.37" },
	{ "stats_interval", "replaced by the metrics block" },
};

/* 1 = known, 2 = known prefix (descend), 0 = unknown; *legacy set for legacy keys */
static int key_status(const char *path, const char **legacy)
{
	size_t pl = strlen(path);
	int st = 0;

	*legacy = NULL;
	for (size_t i = 0; i < sizeof(known_keys) / sizeof(known_keys[0]); i++) {
		const char *k = known_keys[i].path;
		size_t kl = strlen(k);
		bool wild = kl >= 2 && !strcmp(k + kl - 2, ".*");
		size_t base = wild ? kl - 2 : kl;
		if (pl == base && !strncmp(k, path, pl)) {
			*legacy = known_keys[i].legacy;
			return wild ? 1 : 1;
		}
		if (pl < base && !strncmp(k, path, pl) && k[pl] == '.')
			st = 2;
	}
	return st;
}

static void check_keys(struct cfg_ctx *c, const struct cnode *n, char *path, size_t plen)
{
	if (n->kind != CN_MAP)
		return;
	for (uint32_t i = 0; i < n->n; i++) {
		size_t kl = strlen(n->keys[i]);
		if (plen + kl + 2 >= 512)
			continue;
		size_t np = plen;
		if (plen)
			path[np++] = '.';
		memcpy(path + np, n->keys[i], kl + 1);
		const char *legacy;
		const struct cnode *v = n->items[i];
		int st = key_status(path, &legacy);
		char loc[600];
		if (st == 0) {
			cfg_warn(c, "%sunknown configuration key '%s' (ignored)",
				 node_where(v, path, loc, sizeof(loc)), path);
		} else if (legacy) {
			cfg_warn(c, "%sconfiguration key '%s' is not used: %s",
				 node_where(v, path, loc, sizeof(loc)), path, legacy);
		} else if (st == 2) {
			check_keys(c, v, path, np + kl);
		}
		path[plen] = 0;
	}
}

/* ---------------------------------------------------------------- typed getters */

static struct cnode *get(struct cfg_ctx *c, const char *path)
{
	return cn_lookup(c->cfg->doc, path);
}

/*
 * Where the node @n at @path comes from, as a message prefix: "file:line:col: " for a node
 * read from a file, "-o path=value: " (or "-o path=...: " for a map or list) for one set on
 * the command line, "" for NULL. Falco's own texts follow the prefix unchanged.
 */
static const char *node_where(const struct cnode *n, const char *path, char *buf, size_t len)
{
	buf[0] = 0;
	if (n && n->file && n->file != override_name)
		snprintf(buf, len, "%s:%u:%u: ", n->file, n->line, n->col);
	else if (n)
		snprintf(buf, len, "-o %s=%s: ", path, n->kind == CN_SCALAR ? n->str : "...");
	return buf;
}

/*
 * An error about the node @n at @path: "file:line:col: Error reading config file (file): "
 * before the message for a node read from a file, "-o path=value: " for one set on the
 * command line. Returns -1.
 */
static int node_fail(struct cfg_ctx *c, const struct cnode *n, const char *path, const char *fmt,
		     ...) __attribute__((format(printf, 4, 5)));
static int node_fail(struct cfg_ctx *c, const struct cnode *n, const char *path, const char *fmt,
		     ...)
{
	char msg[512], loc[600];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	node_where(n, path, loc, sizeof(loc));
	if (n && n->file && n->file != override_name)
		return cfg_fail(c, "%sError reading config file (%s): %s", loc, n->file, msg);
	return cfg_fail(c, "%s%s", loc, msg);
}

/* node_where() of the value of @path. */
static const char *where(struct cfg_ctx *c, const char *path, char *buf, size_t len)
{
	return node_where(get(c, path), path, buf, len);
}

/* A value of the wrong type keeps the default, with a warning (Falco's yaml-cpp as<T>(def)
 * silently falls back to it); a null value keeps it silently. */
static void type_warn(struct cfg_ctx *c, const char *path, const struct cnode *n,
		      const char *what, const char *def)
{
	char loc[512];

	if (n->kind == CN_SCALAR)
		cfg_warn(c, "%s'%s' is not %s: '%s' (using %s)", where(c, path, loc, sizeof(loc)),
			 path, what, n->str, def);
	else if (n->kind != CN_NULL)
		cfg_warn(c, "%s'%s' is not %s but a %s (using %s)", where(c, path, loc, sizeof(loc)),
			 path, what, n->kind == CN_MAP ? "map" : "list", def);
}

static bool get_bool(struct cfg_ctx *c, const char *path, bool def)
{
	bool v;
	struct cnode *n = get(c, path);

	if (!n)
		return def;
	if (cn_as_bool(n, &v))
		return v;
	type_warn(c, path, n, "a boolean", def ? "true" : "false");
	return def;
}

static uint64_t get_u64(struct cfg_ctx *c, const char *path, uint64_t def)
{
	uint64_t v;
	struct cnode *n = get(c, path);
	char d[32];

	if (!n)
		return def;
	if (cn_as_u64(n, &v))
		return v;
	snprintf(d, sizeof(d), "%llu", (unsigned long long)def);
	type_warn(c, path, n, "an unsigned integer", d);
	return def;
}

static int64_t get_i64(struct cfg_ctx *c, const char *path, int64_t def)
{
	int64_t v;
	struct cnode *n = get(c, path);
	char d[32];

	if (!n)
		return def;
	if (cn_as_i64(n, &v))
		return v;
	snprintf(d, sizeof(d), "%lld", (long long)def);
	type_warn(c, path, n, "an integer", d);
	return def;
}

static double get_double(struct cfg_ctx *c, const char *path, double def)
{
	double v;
	struct cnode *n = get(c, path);
	char d[32];

	if (!n)
		return def;
	if (cn_as_double(n, &v))
		return v;
	snprintf(d, sizeof(d), "%g", def);
	type_warn(c, path, n, "a number", d);
	return def;
}

/* A string value (malloc'ed); the default when absent or not a scalar. */
static char *get_str(struct cfg_ctx *c, const char *path, const char *def)
{
	const struct cnode *n = get(c, path);
	const char *s = cn_as_str(n);

	if (!s) {
		if (n)
			type_warn(c, path, n, "a string", def ? def : "none");
		s = def;
	}
	return s ? strdup(s) : NULL;
}

static void free_str_list(char **v, uint32_t n)
{
	for (uint32_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

/* Falco's get_sequence: a sequence of scalars, or a single scalar; anything else is empty. */
static int get_str_list(struct cfg_ctx *c, const char *path, char ***out, uint32_t *nout)
{
	struct cnode *n = get(c, path);
	char **v = NULL;
	uint32_t k = 0;

	*out = NULL;
	*nout = 0;
	if (!n)
		return 0;
	if (n->kind == CN_SCALAR) {
		v = calloc(1, sizeof(*v));
		if (!v || !(v[0] = strdup(n->str))) {
			free(v);
			return -1;
		}
		*out = v;
		*nout = 1;
		return 0;
	}
	if (n->kind != CN_SEQ) {
		type_warn(c, path, n, "a list", "none");
		return 0;
	}
	v = calloc(n->n ? n->n : 1, sizeof(*v));
	if (!v)
		return -1;
	for (uint32_t i = 0; i < n->n; i++) {
		const struct cnode *it = n->items[i];
		if (it->kind != CN_SCALAR) {
			free_str_list(v, k);
			return node_fail(c, it, path, "'%s' must be a list of strings", path);
		}
		v[k] = strdup(it->str);
		if (!v[k]) {
			free_str_list(v, k);
			return -1;
		}
		k++;
	}
	*out = v;
	*nout = k;
	return 0;
}

/* ---------------------------------------------------------------- structured sections */

static int read_append_output(struct cfg_ctx *c)
{
	struct frc_config *cfg = c->cfg;
	struct cnode *n = get(c, "append_output");

	if (!n)
		return 0;
	if (n->kind == CN_MAP) {
		/* e.g. `-o append_output.suggested_output=false` turned the list into a map: Falco
		 * then reads no entries at all */
		cfg_warn(c, "append_output is not a list; no output is appended");
		return 0;
	}
	if (n->kind != CN_SEQ)
		return 0;
	cfg->append_output = calloc(n->n ? n->n : 1, sizeof(*cfg->append_output));
	if (!cfg->append_output)
		return -1;
	for (uint32_t i = 0; i < n->n; i++) {
		const struct cnode *e = n->items[i];
		struct cfg_append_output *a = &cfg->append_output[cfg->nappend_output++];
		char path[96];
		snprintf(path, sizeof(path), "append_output[%u]", i);
		if (e->kind != CN_MAP)
			return node_fail(c, e, path, "append_output entry %u is not a map", i);
		const struct cnode *m = cn_map_get(e, "match");
		if (m && m->kind == CN_MAP) {
			const char *s;
			if ((s = cn_as_str(cn_map_get(m, "source"))) && !(a->source = strdup(s)))
				return -1;
			if ((s = cn_as_str(cn_map_get(m, "rule"))) && !(a->rule = strdup(s)))
				return -1;
			const struct cnode *t = cn_map_get(m, "tags");
			if (t && t->kind == CN_SEQ) {
				a->tags = calloc(t->n ? t->n : 1, sizeof(char *));
				if (!a->tags)
					return -1;
				for (uint32_t j = 0; j < t->n; j++) {
					if (t->items[j]->kind != CN_SCALAR) {
						snprintf(path, sizeof(path),
							 "append_output[%u].match.tags[%u]", i, j);
						return node_fail(c, t->items[j], path, "append_output "
								 "match tags must be strings");
					}
					if (!(a->tags[a->ntags++] = strdup(t->items[j]->str)))
						return -1;
				}
			}
		}
		const char *eo = cn_as_str(cn_map_get(e, "extra_output"));
		if (eo && !(a->extra_output = strdup(eo)))
			return -1;
		const struct cnode *f = cn_map_get(e, "extra_fields");
		if (f) {
			snprintf(path, sizeof(path), "append_output[%u].extra_fields", i);
			if (f->kind != CN_SEQ)
				return node_fail(c, f, path, "append_output extra_fields must be a list");
			a->field_keys = calloc(f->n ? f->n : 1, sizeof(char *));
			a->field_formats = calloc(f->n ? f->n : 1, sizeof(char *));
			a->field_raw = calloc(f->n ? f->n : 1, sizeof(bool));
			if (!a->field_keys || !a->field_formats || !a->field_raw)
				return -1;
			for (uint32_t j = 0; j < f->n; j++) {
				const struct cnode *d = f->items[j];
				const char *key, *fmt;
				bool raw;
				if (d->kind == CN_MAP && d->n == 1 && d->items[0]->kind == CN_SCALAR) {
					key = d->keys[0];
					fmt = d->items[0]->str;
					raw = false;
				} else if (d->kind == CN_SCALAR) {
					key = d->str;
					fmt = d->str;
					raw = true;
				} else {
					snprintf(path, sizeof(path), "append_output[%u].extra_fields[%u]",
						 i, j);
					return node_fail(c, d, path,
							 "invalid append_output extra_fields entry");
				}
				for (uint32_t k = 0; k < a->nfields; k++) {
					if (strcmp(a->field_keys[k], key))
						continue;
					snprintf(path, sizeof(path), "append_output[%u].extra_fields[%u]",
						 i, j);
					return node_fail(c, d, path, "append_output extra_fields key "
							 "'%s' defined twice", key);
				}
				a->field_keys[a->nfields] = strdup(key);
				a->field_formats[a->nfields] = strdup(fmt);
				a->field_raw[a->nfields] = raw;
				if (!a->field_keys[a->nfields] || !a->field_formats[a->nfields])
					return -1;
				a->nfields++;
			}
		}
		const struct cnode *so = cn_map_get(e, "suggested_output");
		if (so) {
			bool b;
			snprintf(path, sizeof(path), "append_output[%u].suggested_output", i);
			if (!cn_as_bool(so, &b))
				return node_fail(c, so, path,
						 "append_output suggested_output must be a boolean");
			a->suggested_output = b;
		}
		if (a->rule && a->ntags) {
			char tl[512] = "";
			for (uint32_t k = 0; k < a->ntags; k++)
				snprintf(tl + strlen(tl), sizeof(tl) - strlen(tl), "%s%s", k ? ", " : "",
					 a->tags[k]);
			cfg_warn(c, "An append_output entry specifies both a rule (%s) and a list of "
				    "tags (%s). This means that output will be appended only to the %s "
				    "rule and only if it has all the tags: %s.", a->rule, tl, a->rule, tl);
		}
	}
	return 0;
}

static int add_sel(struct frc_config *cfg, bool enable, enum cfg_sel_kind kind, const char *pat)
{
	struct cfg_rule_sel *ns = realloc(cfg->rules_sel, (cfg->nrules_sel + 1) * sizeof(*ns));

	if (!ns)
		return -1;
	cfg->rules_sel = ns;
	ns[cfg->nrules_sel].enable = enable;
	ns[cfg->nrules_sel].kind = kind;
	ns[cfg->nrules_sel].pattern = strdup(pat ? pat : "");
	if (!ns[cfg->nrules_sel].pattern)
		return -1;
	cfg->nrules_sel++;
	return 0;
}

static int read_rules_selection(struct cfg_ctx *c)
{
	struct cnode *n = get(c, "rules");

	if (!n || n->kind == CN_NULL)
		return 0;
	if (n->kind != CN_SEQ)
		return node_fail(c, n, "rules", "'rules' must be a list of enable/disable entries");
	for (uint32_t i = 0; i < n->n; i++) {
		const struct cnode *e = n->items[i];
		const struct cnode *op = NULL;
		bool enable = false;
		char path[64];
		snprintf(path, sizeof(path), "rules[%u]", i);
		if (e->kind == CN_MAP) {
			if ((op = cn_map_get(e, "enable")))
				enable = true;
			else
				op = cn_map_get(e, "disable");
		}
		if (!op || op->kind != CN_MAP)
			return node_fail(c, op ? op : e, path, "rules entry %u must be "
					 "{enable: {rule|tag: ...}} or {disable: {rule|tag: ...}}", i);
		const char *r = cn_as_str(cn_map_get(op, "rule"));
		const char *t = cn_as_str(cn_map_get(op, "tag"));
		if ((!r || !*r) && (!t || !*t))
			return node_fail(c, op, path, "rules entry %u names neither a rule nor a tag",
					 i);
		if (r && *r && add_sel(c->cfg, enable, SEL_RULE_WILDCARD, r))
			return -1;
		if (t && *t && add_sel(c->cfg, enable, SEL_TAG, t))
			return -1;
	}
	return 0;
}

static int read_drops(struct cfg_ctx *c)
{
	struct frc_config *cfg = c->cfg;
	char **acts;
	uint32_t nacts;
	char loc[512];

	if (get_str_list(c, "syscall_event_drops.actions", &acts, &nacts))
		return -1;
	cfg->drop_actions = 0;
	for (uint32_t i = 0; i < nacts; i++) {
		const char *a = acts[i];
		int rc = 0;
		if (!strcmp(a, "ignore")) {
			cfg->drop_actions |= DROP_ACT_IGNORE;
		} else if (!strcmp(a, "log") || !strcmp(a, "alert")) {
			if (cfg->drop_actions & DROP_ACT_IGNORE)
				rc = cfg_fail(c, "%sError reading config file (%s): syscall event "
						 "drop action \"%s\" does not make sense with the "
						 "\"ignore\" action",
					      where(c, "syscall_event_drops.actions", loc, sizeof(loc)),
					      c->name, a);
			cfg->drop_actions |= a[0] == 'l' ? DROP_ACT_LOG : DROP_ACT_ALERT;
		} else if (!strcmp(a, "exit")) {
			cfg->drop_actions |= DROP_ACT_EXIT;
		} else {
			rc = cfg_fail(c, "%sError reading config file (%s): available actions for "
					 "syscall event drops are \"ignore\", \"log\", \"alert\", and "
					 "\"exit\"", where(c, "syscall_event_drops.actions", loc,
							     sizeof(loc)), c->name);
		}
		if (rc) {
			free_str_list(acts, nacts);
			return -1;
		}
	}
	free_str_list(acts, nacts);
	if (!cfg->drop_actions)
		cfg->drop_actions = DROP_ACT_IGNORE;
	cfg->drop_threshold = get_double(c, "syscall_event_drops.threshold", .1);
	if (!(cfg->drop_threshold >= 0 && cfg->drop_threshold <= 1))
		return cfg_fail(c, "%sError reading config file (%s): syscall event drops threshold "
				   "must be a double in the range [0, 1]",
				where(c, "syscall_event_drops.threshold", loc, sizeof(loc)), c->name);
	cfg->drop_rate = get_double(c, "syscall_event_drops.rate", .03333);
	cfg->drop_max_burst = get_double(c, "syscall_event_drops.max_burst", 1);
	cfg->drop_simulate = get_bool(c, "syscall_event_drops.simulate_drops", false);
	cfg->timeouts_max_consecutives =
		(uint32_t)get_u64(c, "syscall_event_timeouts.max_consecutives", 1000);
	if (!cfg->timeouts_max_consecutives)
		return cfg_fail(c, "Error reading config file(%s): the maximum consecutive timeouts "
				   "without an event must be an unsigned integer > 0", c->name);
	return 0;
}

/* Prometheus-style duration (1y2w3d4h5m6s7ms) or a plain number of milliseconds. */
static bool parse_interval(const char *s, uint64_t *ms)
{
	static const struct { const char *u; uint64_t ms; } units[] = {
		{ "y", 365ull * 86400000 }, { "w", 7ull * 86400000 }, { "d", 86400000 },
		{ "h", 3600000 }, { "m", 60000 }, { "s", 1000 }, { "ms", 1 },
	};
	uint64_t total = 0;
	size_t next = 0;
	const char *p = s;

	while (*p == ' ')
		p++;
	if (!*p)
		return false;
	if (strspn(p, "0123456789") == strlen(p)) {
		*ms = strtoull(p, NULL, 10);
		return true;
	}
	while (*p) {
		size_t d = strspn(p, "0123456789");
		if (!d)
			return false;
		uint64_t v = strtoull(p, NULL, 10);
		p += d;
		size_t u;
		for (u = next; u < sizeof(units) / sizeof(units[0]); u++) {
			size_t ul = strlen(units[u].u);
			/* "m" must not swallow the "m" of "ms" */
			if (!strncmp(p, units[u].u, ul) && !(ul == 1 && p[0] == 'm' && p[1] == 's'))
				break;
		}
		if (u == sizeof(units) / sizeof(units[0]))
			return false;
		total += v * units[u].ms;
		p += strlen(units[u].u);
		next = u + 1;
	}
	*ms = total;
	return true;
}

static int read_outputs(struct cfg_ctx *c)
{
	struct frc_config *cfg = c->cfg;

	cfg->json_output = get_bool(c, "json_output", false);
	cfg->json_include_output_property = get_bool(c, "json_include_output_property", true);
	cfg->json_include_tags_property = get_bool(c, "json_include_tags_property", true);
	cfg->json_include_message_property = get_bool(c, "json_include_message_property", false);
	cfg->json_include_output_fields_property =
		get_bool(c, "json_include_output_fields_property", true);

	cfg->file_output.enabled = get_bool(c, "file_output.enabled", false);
	cfg->file_output.keep_alive = get_bool(c, "file_output.keep_alive", false);
	cfg->file_output.filename = get_str(c, "file_output.filename", "");
	if (cfg->file_output.enabled && (!cfg->file_output.filename || !*cfg->file_output.filename))
		return cfg_fail(c, "Error reading config file (%s): file output enabled but no "
				   "filename in configuration block", c->name);
	cfg->stdout_output.enabled = get_bool(c, "stdout_output.enabled", false);
	cfg->syslog_output.enabled = get_bool(c, "syslog_output.enabled", false);
	cfg->program_output.enabled = get_bool(c, "program_output.enabled", false);
	cfg->program_output.keep_alive = get_bool(c, "program_output.keep_alive", false);
	cfg->program_output.program = get_str(c, "program_output.program", "");
	if (cfg->program_output.enabled &&
	    (!cfg->program_output.program || !*cfg->program_output.program))
		return cfg_fail(c, "Error reading config file (%s): program output enabled but no "
				   "program in configuration block", c->name);

	struct cfg_http_output *h = &cfg->http_output;
	h->enabled = get_bool(c, "http_output.enabled", false);
	h->url = get_str(c, "http_output.url", "");
	if (h->enabled && (!h->url || !*h->url))
		return cfg_fail(c, "Error reading config file (%s): http output enabled but no url "
				   "in configuration block", c->name);
	h->user_agent = get_str(c, "http_output.user_agent", "falcosecurity/falco");
	h->insecure = get_bool(c, "http_output.insecure", false);
	h->echo = get_bool(c, "http_output.echo", false);
	h->ca_cert = get_str(c, "http_output.ca_cert", "");
	h->ca_bundle = get_str(c, "http_output.ca_bundle", "");
	h->ca_path = get_str(c, "http_output.ca_path", "/etc/ssl/certs");
	h->mtls = get_bool(c, "http_output.mtls", false);
	h->client_cert = get_str(c, "http_output.client_cert", "/etc/ssl/certs/client.crt");
	h->client_key = get_str(c, "http_output.client_key", "/etc/ssl/certs/client.key");
	h->compress_uploads = get_bool(c, "http_output.compress_uploads", false);
	h->keep_alive = get_bool(c, "http_output.keep_alive", false);
	h->max_consecutive_timeouts =
		(uint32_t)get_u64(c, "http_output.max_consecutive_timeouts", 5) & 0xff;
	h->queue_capacity = (uint32_t)get_u64(c, "http_output.queue_capacity", 4096);
	h->max_retries = (int32_t)get_i64(c, "http_output.max_retries", -1);
	h->timeout_ms = (uint32_t)get_u64(c, "http_output.timeout_ms", 5000);

	cfg->output_timeout_ms = (uint32_t)get_u64(c, "output_timeout", 2000);
	cfg->buffered_outputs = get_bool(c, "buffered_outputs", false);
	cfg->outputs_queue_capacity = get_u64(c, "outputs_queue.capacity", 0);
	cfg->time_format_iso_8601 = get_bool(c, "time_format_iso_8601", false);
	cfg->buffer_format_base64 = get_bool(c, "buffer_format_base64", false);
	return read_append_output(c);
}

static int read_misc(struct cfg_ctx *c)
{
	struct frc_config *cfg = c->cfg;
	char loc[512];
	char *s;

	s = get_str(c, "rule_matching", "first");
	if (!s)
		return -1;
	if (!strcasecmp(s, "first")) {
		cfg->rule_matching = RULE_MATCHING_FIRST;
	} else if (!strcasecmp(s, "all")) {
		cfg->rule_matching = RULE_MATCHING_ALL;
	} else {
		cfg_fail(c, "%sUnknown rule matching strategy \"%s\"--must be one of first, all",
			 where(c, "rule_matching", loc, sizeof(loc)), s);
		free(s);
		return -1;
	}
	free(s);
	s = get_str(c, "priority", "debug");
	if (!s)
		return -1;
	if (!config_parse_priority(s, &cfg->min_priority)) {
		cfg_fail(c, "%sUnknown priority \"%s\"--must be one of emergency, alert, critical, "
			    "error, warning, notice, informational, debug",
			 where(c, "priority", loc, sizeof(loc)), s);
		free(s);
		return -1;
	}
	free(s);

	cfg->webserver.enabled = get_bool(c, "webserver.enabled", false);
	cfg->webserver.threadiness = (uint32_t)get_u64(c, "webserver.threadiness", 0);
	cfg->webserver.listen_port = (uint32_t)get_u64(c, "webserver.listen_port", 8765);
	cfg->webserver.listen_address = get_str(c, "webserver.listen_address", "0.0.0.0");
	cfg->webserver.k8s_healthz_endpoint =
		get_str(c, "webserver.k8s_healthz_endpoint", "/healthz");
	cfg->webserver.ssl_enabled = get_bool(c, "webserver.ssl_enabled", false);
	cfg->webserver.ssl_certificate =
		get_str(c, "webserver.ssl_certificate", "/etc/falco/falco.pem");
	cfg->webserver.prometheus_metrics_enabled =
		get_bool(c, "webserver.prometheus_metrics_enabled", false);
	cfg->webserver.healthz_stall_timeout_ms =
		(uint32_t)get_u64(c, "webserver.healthz_stall_timeout_ms", 10000);
	if (cfg->webserver.listen_port > 65535)
		return cfg_fail(c, "%sError reading config file (%s): webserver listen port %u is "
				   "out of range", where(c, "webserver.listen_port", loc, sizeof(loc)),
				c->name, cfg->webserver.listen_port);

	if (get_str_list(c, "base_syscalls.custom_set", &cfg->base_syscalls_custom_set,
			 &cfg->nbase_syscalls_custom_set))
		return -1;
	cfg->base_syscalls_repair = get_bool(c, "base_syscalls.repair", false);
	cfg->base_syscalls_all = get_bool(c, "base_syscalls.all", false);

	cfg->thread_table_size = (uint32_t)get_u64(c, "falco_libs.thread_table_size", 262144);
	cfg->thread_table_auto_purging_interval_s =
		(uint32_t)get_u64(c, "falco_libs.thread_table_auto_purging_interval_s", 300);
	cfg->thread_table_auto_purging_thread_timeout_s =
		(uint32_t)get_u64(c, "falco_libs.thread_table_auto_purging_thread_timeout_s", 300);
	cfg->snaplen = get_u64(c, "falco_libs.snaplen", 0);

	cfg->metrics.enabled = get_bool(c, "metrics.enabled", false);
	cfg->metrics.interval_str = get_str(c, "metrics.interval", "5000");
	if (!cfg->metrics.interval_str)
		return -1;
	if (!parse_interval(cfg->metrics.interval_str, &cfg->metrics.interval_ms))
		cfg->metrics.interval_ms = 0;
	if (cfg->metrics.enabled && cfg->metrics.interval_ms < 100)
		return cfg_fail(c, "%sError reading config file (%s): metrics interval '%s' must be a "
				   "Prometheus duration of at least 100ms",
				where(c, "metrics.interval", loc, sizeof(loc)), c->name,
				cfg->metrics.interval_str);
	cfg->metrics.output_rule = get_bool(c, "metrics.output_rule", false);
	cfg->metrics.output_file = get_str(c, "metrics.output_file", "");
	cfg->metrics.rules_counters = get_bool(c, "metrics.rules_counters_enabled", true);
	cfg->metrics.resource_utilization =
		get_bool(c, "metrics.resource_utilization_enabled", true);
	cfg->metrics.state_counters = get_bool(c, "metrics.state_counters_enabled", true);
	cfg->metrics.kernel_event_counters =
		get_bool(c, "metrics.kernel_event_counters_enabled", true);
	cfg->metrics.kernel_event_counters_per_cpu =
		get_bool(c, "metrics.kernel_event_counters_per_cpu_enabled", true);
	cfg->metrics.libbpf_stats = get_bool(c, "metrics.libbpf_stats_enabled", true);
	cfg->metrics.plugins_metrics = get_bool(c, "metrics.plugins_metrics_enabled", true);
	cfg->metrics.kernel_iter_event_counters =
		get_bool(c, "metrics.kernel_iter_event_counters_enabled", true);
	cfg->metrics.jemalloc_stats = get_bool(c, "metrics.jemalloc_stats_enabled", true);
	cfg->metrics.convert_memory_to_mb = get_bool(c, "metrics.convert_memory_to_mb", true);
	cfg->metrics.include_empty_values = get_bool(c, "metrics.include_empty_values", false);

	cfg->capture.enabled = get_bool(c, "capture.enabled", false);
	cfg->capture.path_prefix = get_str(c, "capture.path_prefix", "/tmp/falco");
	s = get_str(c, "capture.mode", "rules");
	if (!s)
		return -1;
	if (!strcmp(s, "rules") || !strcmp(s, "all_rules")) {
		cfg->capture.all_rules = s[0] == 'a';
	} else {
		cfg_fail(c, "%sError reading config file (%s): capture.mode '%s' is not a valid mode.",
			 where(c, "capture.mode", loc, sizeof(loc)), c->name, s);
		free(s);
		return -1;
	}
	free(s);
	cfg->capture.default_duration_ns = get_u64(c, "capture.default_duration", 5000) * 1000000ull;
	cfg->capture.max_file_size_mb = get_u64(c, "capture.max_file_size_mb", 0);
	cfg->watch_config_files = get_bool(c, "watch_config_files", true);
	return 0;
}

static int read_engine(struct cfg_ctx *c)
{
	struct frc_config *cfg = c->cfg;
	char *kind = get_str(c, "engine.kind", "kmod");
	char loc[512];

	if (!kind)
		return -1;
	if (!strcmp(kind, "kmod")) {
		cfg->engine_kind = ENGINE_KMOD;
	} else if (!strcmp(kind, "modern_ebpf")) {
		cfg->engine_kind = ENGINE_MODERN_EBPF;
	} else if (!strcmp(kind, "replay")) {
		cfg->engine_kind = ENGINE_REPLAY;
	} else if (!strcmp(kind, "nodriver")) {
		cfg->engine_kind = ENGINE_NODRIVER;
	} else {
		cfg_fail(c, "%sError reading config file (%s): engine.kind '%s' is not a valid kind.",
			 where(c, "engine.kind", loc, sizeof(loc)), c->name, kind);
		free(kind);
		return -1;
	}
	free(kind);
	const char *sect = cfg->engine_kind == ENGINE_KMOD ? "engine.kmod" : "engine.modern_ebpf";
	char path[64];
	snprintf(path, sizeof(path), "%s.buf_size_preset", sect);
	cfg->buf_size_preset = (int32_t)get_i64(c, path, 4);
	snprintf(path, sizeof(path), "%s.drop_failed_exit", sect);
	cfg->drop_failed_exit = get_bool(c, path, false);
	cfg->cpus_for_each_buffer = (uint32_t)get_u64(c, "engine.modern_ebpf.cpus_for_each_buffer", 2);
	cfg->disable_iterators = get_bool(c, "engine.modern_ebpf.disable_iterators", false);
	cfg->replay_capture_file = get_str(c, "engine.replay.capture_file", "");
	if (cfg->engine_kind == ENGINE_REPLAY &&
	    (!cfg->replay_capture_file || !*cfg->replay_capture_file))
		return cfg_fail(c, "Error reading config file (%s): engine.kind is 'replay' but no "
				   "engine.replay.capture_file specified.", c->name);
	return 0;
}

static int read_logging(struct cfg_ctx *c)
{
	struct frc_config *cfg = c->cfg;
	static const char *const levels[] = { "emergency", "alert", "critical", "error",
					      "warning", "notice", "info", "debug" };
	char *l = get_str(c, "log_level", "info");
	char loc[512];
	int i;

	if (!l)
		return -1;
	for (i = 0; i < 8; i++)
		if (!strcmp(l, levels[i]))
			break;
	if (i == 8) {
		cfg_fail(c, "%sUnknown log level %s", where(c, "log_level", loc, sizeof(loc)), l);
		free(l);
		return -1;
	}
	free(l);
	cfg->log_level = (enum cfg_log_level)i;
	cfg->log_stderr = get_bool(c, "log_stderr", false);
	cfg->log_syslog = get_bool(c, "log_syslog", true);
	cfg->libs_logger_enabled = get_bool(c, "libs_logger.enabled", true);
	cfg->libs_logger_severity = get_str(c, "libs_logger.severity", "info");
	return 0;
}

static int read_rules_files(struct cfg_ctx *c)
{
	struct frc_config *cfg = c->cfg;
	char **a = NULL, **b = NULL;
	uint32_t na = 0, nb = 0;
	bool has_a = get(c, "rules_files") != NULL, has_b = get(c, "rules_file") != NULL;

	if (has_a && has_b)
		return cfg_fail(c, "Error reading config file (%s): both 'rules_files' and "
				   "'rules_file' keys set", c->name);
	if (has_b)
		cfg_warn(c, "Using deprecated config key 'rules_file' (singular form). Please use "
			    "new 'rules_files' config key (plural form).");
	if (get_str_list(c, has_b ? "rules_file" : "rules_files", &a, &na))
		return -1;
	b = calloc(na ? na : 1, sizeof(*b));
	if (!b) {
		free_str_list(a, na);
		return -1;
	}
	/* like Falco, only entries that exist are kept */
	for (uint32_t i = 0; i < na; i++) {
		struct stat st;
		if (stat(a[i], &st) == 0) {
			b[nb++] = a[i];
			a[i] = NULL;
		}
	}
	free_str_list(a, na);
	cfg->rules_files = b;
	cfg->nrules_files = nb;
	return 0;
}

static int read_plugins(struct cfg_ctx *c)
{
	struct frc_config *cfg = c->cfg;
	struct cnode *p = get(c, "plugins");
	char **load = NULL;
	uint32_t nload = 0;
	bool load_defined = get(c, "load_plugins") != NULL;

	if (get_str_list(c, "load_plugins", &load, &nload))
		return -1;
	for (uint32_t i = 0; i < nload; i++) {
		bool found = false;
		for (uint32_t j = 0; p && p->kind == CN_SEQ && j < p->n; j++) {
			const char *nm = cn_as_str(cn_map_get(p->items[j], "name"));
			if (nm && !strcmp(nm, load[i]))
				found = true;
		}
		if (!found) {
			cfg_fail(c, "Cannot load plugin '%s': plugin config not found for given name",
				 load[i]);
			free_str_list(load, nload);
			return -1;
		}
	}
	if (!load_defined && p && p->kind == CN_SEQ) {
		free_str_list(load, nload);
		load = calloc(p->n ? p->n : 1, sizeof(*load));
		nload = 0;
		if (!load)
			return -1;
		for (uint32_t j = 0; j < p->n; j++) {
			const char *nm = cn_as_str(cn_map_get(p->items[j], "name"));
			if (nm && !(load[nload++] = strdup(nm)))
				return -1;
		}
	}
	cfg->plugins = load;
	cfg->nplugins = nload;
	for (uint32_t i = 0; i < nload; i++) {
		if (!strcmp(load[i], "container"))
			cfg_warn(c, "plugin 'container': frc provides the container.* and k8s.* "
				    "fields itself; the plugin library is not loaded");
		else
			cfg_warn(c, "plugin '%s' is configured but frc does not load plugins; its "
				    "fields and sources are unavailable", load[i]);
	}
	return 0;
}

/* ---------------------------------------------------------------- config_files merging */

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int note_loaded(struct frc_config *cfg, const char *path)
{
	char **n = realloc(cfg->loaded_config_files, (cfg->nloaded_config_files + 1) * sizeof(*n));

	if (!n)
		return -1;
	cfg->loaded_config_files = n;
	if (!(n[cfg->nloaded_config_files] = strdup(path)))
		return -1;
	cfg->nloaded_config_files++;
	return 0;
}

static int include_file(struct cfg_ctx *c, const char *path, enum cn_merge how)
{
	struct cnode *inc = cn_load_file(path, true);

	if (!inc)
		return cfg_fail(c, "Cannot read config file (%s): %s", path, cn_error());
	if (inc->kind == CN_NULL) {
		cn_free(inc);
		return note_loaded(c->cfg, path);
	}
	if (inc->kind != CN_MAP) {
		uint32_t line = inc->line, col = inc->col;

		cn_free(inc);
		return cfg_fail(c, "Cannot read config file (%s): %s:%u:%u: the document is not a "
				   "map", path, path, line, col);
	}
	if (cn_map_get(inc, "config_files")) {
		cn_free(inc);
		return cfg_fail(c, "Config error: 'config_files' directive in included config file "
				   "%s.", path);
	}
	cn_merge_top(c->cfg->doc, inc, how);
	return note_loaded(c->cfg, path);
}

static int merge_config_files(struct cfg_ctx *c)
{
	struct cnode *list = cn_clone(get(c, "config_files"));
	int rc = 0;

	if (!list)
		return 0;
	if (list->kind == CN_SCALAR) {
		struct cnode *s = cn_new(CN_SEQ);
		if (!s || cn_seq_push(s, list)) {
			cn_free(s);
			return -1;
		}
		list = s;
	}
	for (uint32_t i = 0; list->kind == CN_SEQ && i < list->n && !rc; i++) {
		const struct cnode *e = list->items[i];
		const char *path;
		enum cn_merge how = CN_MERGE_APPEND;
		if (e->kind == CN_MAP) {
			path = cn_as_str(cn_map_get(e, "path"));
			const char *st = cn_as_str(cn_map_get(e, "strategy"));
			if (!path) {
				rc = cfg_fail(c, "Error reading config file (%s): config_files entry "
						 "without a path", c->name);
				break;
			}
			if (st && !strcmp(st, "override"))
				how = CN_MERGE_OVERRIDE;
			else if (st && !strcmp(st, "add-only"))
				how = CN_MERGE_ADDONLY;
		} else {
			path = cn_as_str(e);
			if (!path)
				continue;
		}
		if (c->cfg->config_file && !strcmp(path, c->cfg->config_file)) {
			rc = cfg_fail(c, "Config error: 'config_files' directive tried to recursively "
					 "include main config file: %s.", c->cfg->config_file);
			break;
		}
		struct stat st;
		if (stat(path, &st) != 0)
			continue; /* like rules files: missing entries are skipped */
		if (S_ISREG(st.st_mode)) {
			rc = include_file(c, path, how);
		} else if (S_ISDIR(st.st_mode)) {
			DIR *d = opendir(path);
			char **names = NULL;
			size_t nn = 0;
			struct dirent *de;
			if (!d)
				continue;
			while ((de = readdir(d))) {
				char full[4096];
				struct stat fs;
				snprintf(full, sizeof(full), "%s/%s", path, de->d_name);
				if (stat(full, &fs) || !S_ISREG(fs.st_mode))
					continue;
				char **nv = realloc(names, (nn + 1) * sizeof(*nv));
				if (!nv)
					break;
				names = nv;
				if (!(names[nn] = strdup(full)))
					break;
				nn++;
			}
			closedir(d);
			if (nn)	/* an empty directory: names is NULL, and qsort(NULL, 0) is undefined */
				qsort(names, nn, sizeof(*names), cmp_str);
			for (size_t k = 0; k < nn; k++) {
				if (!rc)
					rc = include_file(c, names[k], how);
				free(names[k]);
			}
			free(names);
		}
	}
	cn_free(list);
	return rc;
}

/* ---------------------------------------------------------------- overrides */

static int apply_override(struct cfg_ctx *c, const char *opt)
{
	const char *eq = strchr(opt, '=');
	struct cnode *v;

	if (!eq)
		return cfg_fail(c, "Error parsing config option \"%s\". Must be of the form "
				   "key=val or key.subkey=val", opt);
	size_t kl = (size_t)(eq - opt);
	char *key = strndup(opt, kl);
	const char *val = eq + 1;
	size_t vl = strlen(val);
	if (!key)
		return -1;
	if (vl >= 2 && val[0] == '{' && val[vl - 1] == '}') {
		v = cn_load_string(val, vl, override_name, false);
		if (!v) {
			cfg_fail(c, "Error parsing config option \"%s\": %s", opt, cn_error());
			free(key);
			return -1;
		}
	} else {
		v = cn_new_scalar(val, vl);
	}
	if (cn_set_path(c->cfg->doc, key, v)) {
		cfg_fail(c, "%s", cn_error());
		free(key);
		return -1;
	}
	free(key);
	return 0;
}

/* ---------------------------------------------------------------- entry points */

int config_load(struct frc_config *cfg, const struct config_opts *o, char *err, size_t errlen)
{
	struct cfg_ctx c = { .cfg = cfg, .o = o, .err = err, .errlen = errlen };
	int rc = -1;

	memset(cfg, 0, sizeof(*cfg));
	if (errlen)
		err[0] = 0;
	c.name = o->path ? o->path : "(defaults)";
	if (o->path) {
		struct stat st;
		if (stat(o->path, &st) != 0) {
			cfg_fail(&c, "Could not find configuration file at %s", o->path);
			goto out;
		}
		cfg->config_file = strdup(o->path);
		cfg->doc = cn_load_file(o->path, true);
		if (!cfg->doc) {
			cfg_fail(&c, "Cannot read config file (%s): %s", o->path, cn_error());
			goto out;
		}
		if (cfg->doc->kind == CN_NULL)
			cfg->doc->kind = CN_MAP;
		if (cfg->doc->kind != CN_MAP) {
			cfg_fail(&c, "Cannot read config file (%s): %s:%u:%u: the document is not a "
				 "map", o->path, o->path, cfg->doc->line, cfg->doc->col);
			goto out;
		}
		if (note_loaded(cfg, o->path))
			goto oom;
	} else {
		cfg->doc = cn_new(CN_MAP);
		if (!cfg->doc)
			goto oom;
	}
	for (uint32_t i = 0; i < o->noverrides; i++)
		if (!strncmp(o->overrides[i], "config_files", 12) && apply_override(&c, o->overrides[i]))
			goto out;
	if (merge_config_files(&c))
		goto out;
	for (uint32_t i = 0; i < o->noverrides; i++)
		if (apply_override(&c, o->overrides[i]))
			goto out;

	{
		char path[512] = "";
		check_keys(&c, cfg->doc, path, 0);
	}
	if (read_logging(&c) || read_engine(&c) || read_rules_files(&c) || read_outputs(&c) ||
	    read_misc(&c) || read_drops(&c) || read_rules_selection(&c) || read_plugins(&c))
		goto fail_checked;
	return 0;
fail_checked:
	if (!err[0])
		goto oom;
	goto out;
oom:
	cfg_fail(&c, "out of memory while reading the configuration");
out:
	rc = -1;
	config_free(cfg);
	return rc;
}

void config_free(struct frc_config *cfg)
{
	free(cfg->config_file);
	free_str_list(cfg->loaded_config_files, cfg->nloaded_config_files);
	free_str_list(cfg->rules_files, cfg->nrules_files);
	free(cfg->replay_capture_file);
	for (uint32_t i = 0; i < cfg->nrules_sel; i++)
		free(cfg->rules_sel[i].pattern);
	free(cfg->rules_sel);
	for (uint32_t i = 0; i < cfg->nappend_output; i++) {
		struct cfg_append_output *a = &cfg->append_output[i];
		free(a->source);
		free(a->rule);
		free_str_list(a->tags, a->ntags);
		free(a->extra_output);
		free_str_list(a->field_keys, a->nfields);
		free_str_list(a->field_formats, a->nfields);
		free(a->field_raw);
	}
	free(cfg->append_output);
	free(cfg->file_output.filename);
	free(cfg->program_output.program);
	struct cfg_http_output *h = &cfg->http_output;
	free(h->url);
	free(h->user_agent);
	free(h->ca_cert);
	free(h->ca_bundle);
	free(h->ca_path);
	free(h->client_cert);
	free(h->client_key);
	free(cfg->libs_logger_severity);
	free_str_list(cfg->base_syscalls_custom_set, cfg->nbase_syscalls_custom_set);
	free(cfg->metrics.interval_str);
	free(cfg->metrics.output_file);
	free(cfg->webserver.listen_address);
	free(cfg->webserver.k8s_healthz_endpoint);
	free(cfg->webserver.ssl_certificate);
	free(cfg->capture.path_prefix);
	free_str_list(cfg->plugins, cfg->nplugins);
	cn_free(cfg->doc);
	memset(cfg, 0, sizeof(*cfg));
}

void config_dump(const struct frc_config *cfg, FILE *f)
{
	if (cfg->doc)
		cn_dump_json(f, cfg->doc);
	else
		fputs("{}", f);
	fputc('\n', f);
}
