/* SPDX-License-Identifier: Apache-2.0
 *
 * Operational log lines in Falco's shape: to stderr prefixed by the wall-clock time
 * ("Wed Mar 27 15:28:22 2019: msg", or "2019-03-27T15:28:22+0000: msg" with
 * time_format_iso_8601) and/or to syslog, filtered by the configured level. These are never
 * alerts: alerts go through outputs_sink.h.
 */
#ifndef FRC_RUNTIME_LOGGER_H
#define FRC_RUNTIME_LOGGER_H

#include <stdbool.h>

#include "config.h"

/* Sets where and what is logged; before the first call: stderr only, level info. */
void flog_configure(bool to_stderr, bool to_syslog, enum cfg_log_level level, bool iso8601);

/* Logs one message at @level (LOGL_*); a trailing newline is added when missing. */
void flog(enum cfg_log_level level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* True when a message at @level would be written somewhere. */
bool flog_enabled(enum cfg_log_level level);

#endif
