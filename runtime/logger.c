/* SPDX-License-Identifier: Apache-2.0
 *
 * Falco-style operational logger (see logger.h).
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <time.h>

#include "logger.h"

/*
 * Process-wide logger settings: like Falco's falco_logger statics, logging is a property of
 * the process (set once from the configuration, read by every module and by the output
 * worker threads). Protected by flog_lock so a reconfiguration is never seen half-done.
 */
static struct {
	bool to_stderr, to_syslog, iso8601;
	enum cfg_log_level level;
} flog_cfg = { true, false, false, LOGL_INFO };
static pthread_mutex_t flog_lock = PTHREAD_MUTEX_INITIALIZER;

void flog_configure(bool to_stderr, bool to_syslog, enum cfg_log_level level, bool iso8601)
{
	pthread_mutex_lock(&flog_lock);
	flog_cfg.to_stderr = to_stderr;
	flog_cfg.to_syslog = to_syslog;
	flog_cfg.level = level;
	flog_cfg.iso8601 = iso8601;
	pthread_mutex_unlock(&flog_lock);
}

bool flog_enabled(enum cfg_log_level level)
{
	bool on;

	pthread_mutex_lock(&flog_lock);
	on = level <= flog_cfg.level && (flog_cfg.to_stderr || flog_cfg.to_syslog);
	pthread_mutex_unlock(&flog_lock);
	return on;
}

void flog(enum cfg_log_level level, const char *fmt, ...)
{
	char msg[4096];
	va_list ap;
	size_t n;

	pthread_mutex_lock(&flog_lock);
	if (level > flog_cfg.level) {
		pthread_mutex_unlock(&flog_lock);
		return;
	}
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	n = strlen(msg);
	while (n && msg[n - 1] == '\n')
		msg[--n] = 0;
	if (flog_cfg.to_syslog)
		syslog((int)level, "%s", msg);
	if (flog_cfg.to_stderr) {
		char ts[64];
		time_t now = time(NULL);
		struct tm tm;
		if (flog_cfg.iso8601) {
			gmtime_r(&now, &tm);
			strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S%z", &tm);
		} else {
			localtime_r(&now, &tm);
			strftime(ts, sizeof(ts), "%a %b %d %H:%M:%S %Y", &tm);
		}
		fprintf(stderr, "%s: %s\n", ts, msg);
	}
	pthread_mutex_unlock(&flog_lock);
}
