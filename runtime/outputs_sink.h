/* SPDX-License-Identifier: Apache-2.0
 *
 * Alert output channels: stdout, file, program and syslog as Falco implements them
 * (falco.yaml stdout_output / file_output / program_output / syslog_output), plus a hook for
 * channels provided by other modules (the HTTP output registers itself with sinks_add()).
 *
 * Each channel has its own bounded queue (outputs_queue.capacity; 0 = unbounded) and its own
 * worker thread, so a slow program or HTTP endpoint never stalls the event loop nor the other
 * channels. A full queue drops the alert for that channel and counts it (never silently: the
 * first drop is logged, and the counts are reported at exit and in metrics). A channel blocked
 * longer than output_timeout is logged as blocked. Formatting is done once per alert by the
 * caller (output.h); every channel receives the same bytes.
 *
 * Threading: sinks_emit(), sinks_reopen(), sinks_stop() are called from the event-loop thread
 * only; channel write callbacks run on that channel's worker thread only.
 */
#ifndef FRC_RUNTIME_OUTPUTS_SINK_H
#define FRC_RUNTIME_OUTPUTS_SINK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "compiler/frc.h"

struct frc_config;
struct sinks;

/**
 * struct sink_msg - one formatted alert shared by every channel (reference counted).
 * @text: the line, without trailing newline, NUL-terminated
 */
struct sink_msg {
	uint32_t refs;
	enum frc_priority priority;
	size_t len;
	char text[];
};

/**
 * struct sink_ops - a channel implementation. Every callback runs on the channel's worker
 * thread (open included), except destroy which runs after the worker has stopped.
 * @open: prepare (may be NULL); return 0 or -1 with @err set — the channel is then disabled
 * @write: deliver one alert; return 0, or -1 (counted as a write error, logged once)
 * @reopen: close and reopen files/programs (SIGUSR1); may be NULL
 * @close: flush and release (may be NULL)
 * @destroy: free @ctx (may be NULL)
 */
struct sink_ops {
	int (*open)(void *ctx, char *err, size_t errlen);
	int (*write)(void *ctx, const struct sink_msg *m);
	void (*reopen)(void *ctx);
	void (*close)(void *ctx);
	void (*destroy)(void *ctx);
};

/* Counters of one channel. */
struct sink_stats {
	const char *name;
	uint64_t queued, written, dropped, write_errors;
};

/**
 * sinks_create() - the channels enabled in @cfg (stdout, syslog, file, program; HTTP is
 * added by its own module through sinks_add()).
 * Return: the set (possibly with no channel), or NULL on allocation failure.
 */
struct sinks *sinks_create(const struct frc_config *cfg);

/* Adds a channel named @name (copied); @ctx is owned by the set once added. 0 or -1. */
int sinks_add(struct sinks *s, const char *name, const struct sink_ops *ops, void *ctx);

/* Number of channels. */
uint32_t sinks_count(const struct sinks *s);

/* Starts the worker threads. Return 0, or -1 with @err set. */
int sinks_start(struct sinks *s, char *err, size_t errlen);

/* Queues one alert line on every channel; never blocks on a channel. */
void sinks_emit(struct sinks *s, enum frc_priority prio, const char *line, size_t len);

/* Asks every channel to reopen its file/program (SIGUSR1). */
void sinks_reopen(struct sinks *s);

/**
 * sinks_stop() - deliver what is queued (waiting at most output_timeout per channel; the
 * rest is discarded and counted as dropped), stop the workers, close the channels.
 */
void sinks_stop(struct sinks *s);

/* Counters of channel @i (0 <= i < sinks_count). */
void sinks_get_stats(const struct sinks *s, uint32_t i, struct sink_stats *st);
/* Total alerts dropped over all channels. */
uint64_t sinks_total_dropped(const struct sinks *s);

void sinks_free(struct sinks *s);

#endif
