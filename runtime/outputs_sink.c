/* SPDX-License-Identifier: Apache-2.0
 *
 * Alert output channels with per-channel bounded queues and worker threads (see
 * outputs_sink.h).
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "config.h"
#include "logger.h"
#include "outputs_sink.h"

struct channel {
	char *name;
	const struct sink_ops *ops;
	void *ctx;
	/* queue: ring of message pointers */
	struct sink_msg **ring;
	size_t cap, head, count;
	size_t limit;			/* 0 = unbounded (the ring grows) */
	pthread_mutex_t lock;
	pthread_cond_t cond_nonempty, cond_empty;
	pthread_t thread;
	bool started, stopping, discard, disabled, reopen;
	/* counters (written under lock, or by the worker for written/errors) */
	uint64_t queued, written, dropped, write_errors;
	bool drop_logged, err_logged, timeout_logged;
	_Atomic uint64_t busy_since_ms;	/* 0 when idle */
};

struct sinks {
	struct channel *ch;
	uint32_t n;
	uint32_t timeout_ms;
	size_t limit;
};

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void msg_unref(struct sink_msg *m)
{
	if (__atomic_sub_fetch(&m->refs, 1, __ATOMIC_ACQ_REL) == 0)
		free(m);
}

/* ---------------------------------------------------------------- built-in channels */

struct stdout_ctx {
	bool buffered;
	bool broken;
};

static int stdout_write(void *vc, const struct sink_msg *m)
{
	struct stdout_ctx *c = vc;

	if (c->broken)
		return -1;
	if (fwrite(m->text, 1, m->len, stdout) != m->len || fputc('\n', stdout) == EOF ||
	    (!c->buffered && fflush(stdout) == EOF)) {
		if (errno == EPIPE)
			c->broken = true;
		return -1;
	}
	return 0;
}

static void stdout_close(void *vc)
{
	(void)vc;
	fflush(stdout);
}

static const struct sink_ops stdout_ops = {
	.write = stdout_write,
	.close = stdout_close,
	.destroy = free,
};

static int syslog_write(void *vc, const struct sink_msg *m)
{
	(void)vc;
	syslog((int)m->priority | LOG_USER, "%s", m->text);
	return 0;
}

static const struct sink_ops syslog_ops = {
	.write = syslog_write,
};

struct file_ctx {
	char *path;
	bool keep_alive, buffered;
	FILE *f;
};

static int file_open(void *vc, char *err, size_t errlen)
{
	struct file_ctx *c = vc;

	if (!c->keep_alive)
		return 0;
	c->f = fopen(c->path, "a");
	if (!c->f) {
		snprintf(err, errlen, "cannot open output file %s: %s", c->path, strerror(errno));
		return -1;
	}
	return 0;
}

static int file_write(void *vc, const struct sink_msg *m)
{
	struct file_ctx *c = vc;
	FILE *f = c->f;
	int rc = 0;

	if (!f) {
		f = fopen(c->path, "a");
		if (!f)
			return -1;
	}
	if (fwrite(m->text, 1, m->len, f) != m->len || fputc('\n', f) == EOF)
		rc = -1;
	if (f != c->f) {
		if (fclose(f))
			rc = -1;
	} else if (!c->buffered && fflush(f)) {
		rc = -1;
	}
	return rc;
}

static void file_close(void *vc)
{
	struct file_ctx *c = vc;

	if (c->f)
		fclose(c->f);
	c->f = NULL;
}

static void file_reopen(void *vc)
{
	struct file_ctx *c = vc;
	char err[256];

	file_close(c);
	if (file_open(c, err, sizeof(err)))
		flog(LOGL_ERR, "%s", err);
}

static void file_destroy(void *vc)
{
	struct file_ctx *c = vc;

	free(c->path);
	free(c);
}

static const struct sink_ops file_ops = {
	.open = file_open,
	.write = file_write,
	.reopen = file_reopen,
	.close = file_close,
	.destroy = file_destroy,
};

struct program_ctx {
	char *program;
	bool keep_alive, buffered;
	FILE *p;
};

static int program_open(void *vc, char *err, size_t errlen)
{
	struct program_ctx *c = vc;

	if (!c->keep_alive)
		return 0;
	fflush(NULL);
	c->p = popen(c->program, "w");
	if (!c->p) {
		snprintf(err, errlen, "cannot start output program '%s': %s", c->program,
			 strerror(errno));
		return -1;
	}
	return 0;
}

static int program_write(void *vc, const struct sink_msg *m)
{
	struct program_ctx *c = vc;
	FILE *p = c->p;
	int rc = 0;

	if (!p) {
		fflush(NULL);
		p = popen(c->program, "w");
		if (!p)
			return -1;
	}
	if (fwrite(m->text, 1, m->len, p) != m->len || fputc('\n', p) == EOF)
		rc = -1;
	if (p != c->p) {
		if (pclose(p) == -1)
			rc = -1;
	} else if (!c->buffered && fflush(p)) {
		rc = -1;
	}
	return rc;
}

static void program_close(void *vc)
{
	struct program_ctx *c = vc;

	if (c->p)
		pclose(c->p);
	c->p = NULL;
}

static void program_reopen(void *vc)
{
	struct program_ctx *c = vc;
	char err[256];

	program_close(c);
	if (program_open(c, err, sizeof(err)))
		flog(LOGL_ERR, "%s", err);
}

static void program_destroy(void *vc)
{
	struct program_ctx *c = vc;

	free(c->program);
	free(c);
}

static const struct sink_ops program_ops = {
	.open = program_open,
	.write = program_write,
	.reopen = program_reopen,
	.close = program_close,
	.destroy = program_destroy,
};

/* ---------------------------------------------------------------- the set */

struct sinks *sinks_create(const struct frc_config *cfg)
{
	struct sinks *s = calloc(1, sizeof(*s));

	if (!s)
		return NULL;
	s->timeout_ms = cfg->output_timeout_ms;
	s->limit = (size_t)cfg->outputs_queue_capacity;
	if (cfg->file_output.enabled) {
		struct file_ctx *c = calloc(1, sizeof(*c));
		if (!c || !(c->path = strdup(cfg->file_output.filename))) {
			free(c);
			goto fail;
		}
		c->keep_alive = cfg->file_output.keep_alive;
		c->buffered = cfg->buffered_outputs;
		if (sinks_add(s, "file", &file_ops, c))
			goto fail;
	}
	if (cfg->stdout_output.enabled) {
		struct stdout_ctx *c = calloc(1, sizeof(*c));
		if (!c)
			goto fail;
		c->buffered = cfg->buffered_outputs;
		if (sinks_add(s, "stdout", &stdout_ops, c))
			goto fail;
	}
	if (cfg->syslog_output.enabled && sinks_add(s, "syslog", &syslog_ops, NULL))
		goto fail;
	if (cfg->program_output.enabled) {
		struct program_ctx *c = calloc(1, sizeof(*c));
		if (!c || !(c->program = strdup(cfg->program_output.program))) {
			free(c);
			goto fail;
		}
		c->keep_alive = cfg->program_output.keep_alive;
		c->buffered = cfg->buffered_outputs;
		if (sinks_add(s, "program", &program_ops, c))
			goto fail;
	}
	return s;
fail:
	sinks_free(s);
	return NULL;
}

int sinks_add(struct sinks *s, const char *name, const struct sink_ops *ops, void *ctx)
{
	struct channel *nc = realloc(s->ch, (s->n + 1) * sizeof(*nc));

	if (!nc) {
		if (ops->destroy)
			ops->destroy(ctx);
		return -1;
	}
	s->ch = nc;
	struct channel *c = &s->ch[s->n];
	memset(c, 0, sizeof(*c));
	c->name = strdup(name);
	c->ops = ops;
	c->ctx = ctx;
	c->limit = s->limit;
	c->cap = c->limit && c->limit < 1024 ? c->limit : 1024;
	c->ring = calloc(c->cap, sizeof(*c->ring));
	if (!c->name || !c->ring) {
		free(c->name);
		free(c->ring);
		if (ops->destroy)
			ops->destroy(ctx);
		return -1;
	}
	pthread_mutex_init(&c->lock, NULL);
	pthread_cond_init(&c->cond_nonempty, NULL);
	pthread_cond_init(&c->cond_empty, NULL);
	s->n++;
	return 0;
}

uint32_t sinks_count(const struct sinks *s)
{
	return s ? s->n : 0;
}

static void *worker(void *arg)
{
	struct channel *c = arg;
	sigset_t set;

	/* writes to a closed pipe must fail with EPIPE here, not kill the process */
	sigemptyset(&set);
	sigaddset(&set, SIGPIPE);
	pthread_sigmask(SIG_BLOCK, &set, NULL);

	if (c->ops->open) {
		char err[512] = "";
		if (c->ops->open(c->ctx, err, sizeof(err))) {
			flog(LOGL_ERR, "Failed to init output: %s", err);
			pthread_mutex_lock(&c->lock);
			c->disabled = true;
			pthread_mutex_unlock(&c->lock);
		}
	}
	pthread_mutex_lock(&c->lock);
	for (;;) {
		while (!c->count && !c->stopping && !c->reopen)
			pthread_cond_wait(&c->cond_nonempty, &c->lock);
		if (c->reopen) {
			c->reopen = false;
			pthread_mutex_unlock(&c->lock);
			if (c->ops->reopen && !c->disabled)
				c->ops->reopen(c->ctx);
			pthread_mutex_lock(&c->lock);
			continue;
		}
		if (!c->count) {
			if (c->stopping)
				break;
			continue;
		}
		struct sink_msg *m = c->ring[c->head];
		c->head = (c->head + 1) % c->cap;
		c->count--;
		bool discard = c->discard || c->disabled;
		if (discard)
			c->dropped++;
		pthread_mutex_unlock(&c->lock);
		if (!discard) {
			atomic_store(&c->busy_since_ms, now_ms());
			int rc = c->ops->write(c->ctx, m);
			atomic_store(&c->busy_since_ms, 0);
			pthread_mutex_lock(&c->lock);
			if (rc) {
				c->write_errors++;
				if (!c->err_logged) {
					c->err_logged = true;
					pthread_mutex_unlock(&c->lock);
					flog(LOGL_ERR, "Output channel \"%s\": write failed (%s); "
						       "further failures are counted",
					     c->name, strerror(errno));
					pthread_mutex_lock(&c->lock);
				}
			} else {
				c->written++;
			}
		} else {
			pthread_mutex_lock(&c->lock);
		}
		msg_unref(m);
		if (!c->count)
			pthread_cond_broadcast(&c->cond_empty);
	}
	pthread_cond_broadcast(&c->cond_empty);
	pthread_mutex_unlock(&c->lock);
	if (c->ops->close && !c->disabled)
		c->ops->close(c->ctx);
	return NULL;
}

int sinks_start(struct sinks *s, char *err, size_t errlen)
{
	for (uint32_t i = 0; i < s->n; i++) {
		struct channel *c = &s->ch[i];
		int rc = pthread_create(&c->thread, NULL, worker, c);
		if (rc) {
			snprintf(err, errlen, "cannot start the output thread of \"%s\": %s", c->name,
				 strerror(rc));
			return -1;
		}
		c->started = true;
	}
	return 0;
}

/* enqueue under c->lock; false when the queue is full */
static bool enqueue(struct channel *c, struct sink_msg *m)
{
	if (c->count == c->cap) {
		if (c->limit && c->count >= c->limit)
			return false;
		size_t ncap = c->cap * 2;
		if (c->limit && ncap > c->limit)
			ncap = c->limit;
		struct sink_msg **nr = calloc(ncap, sizeof(*nr));
		if (!nr)
			return false;
		for (size_t i = 0; i < c->count; i++)
			nr[i] = c->ring[(c->head + i) % c->cap];
		free(c->ring);
		c->ring = nr;
		c->cap = ncap;
		c->head = 0;
	}
	c->ring[(c->head + c->count) % c->cap] = m;
	c->count++;
	return true;
}

void sinks_emit(struct sinks *s, enum frc_priority prio, const char *line, size_t len)
{
	struct sink_msg *m;

	if (!s || !s->n)
		return;
	m = malloc(sizeof(*m) + len + 1);
	if (!m) {
		for (uint32_t i = 0; i < s->n; i++) {
			pthread_mutex_lock(&s->ch[i].lock);
			s->ch[i].dropped++;
			pthread_mutex_unlock(&s->ch[i].lock);
		}
		return;
	}
	m->refs = s->n;
	m->priority = prio;
	m->len = len;
	memcpy(m->text, line, len);
	m->text[len] = 0;
	uint64_t now = s->timeout_ms ? now_ms() : 0;
	for (uint32_t i = 0; i < s->n; i++) {
		struct channel *c = &s->ch[i];
		bool log_drop = false, log_timeout = false;
		pthread_mutex_lock(&c->lock);
		c->queued++;
		if (!enqueue(c, m)) {
			c->dropped++;
			log_drop = !c->drop_logged;
			c->drop_logged = true;
			pthread_mutex_unlock(&c->lock);
			msg_unref(m);
		} else {
			pthread_cond_signal(&c->cond_nonempty);
			pthread_mutex_unlock(&c->lock);
		}
		uint64_t busy = atomic_load(&c->busy_since_ms);
		if (busy && now > busy + s->timeout_ms && !c->timeout_logged) {
			c->timeout_logged = true;
			log_timeout = true;
		}
		if (log_drop)
			flog(LOGL_ERR, "Outputs queue out of memory. Drop event and continue on ... "
				       "(channel \"%s\")", c->name);
		if (log_timeout)
			flog(LOGL_CRIT, "\"%s\" output timeout, all output channels are blocked",
			     c->name);
	}
}

void sinks_reopen(struct sinks *s)
{
	for (uint32_t i = 0; s && i < s->n; i++) {
		struct channel *c = &s->ch[i];
		pthread_mutex_lock(&c->lock);
		c->reopen = true;
		pthread_cond_signal(&c->cond_nonempty);
		pthread_mutex_unlock(&c->lock);
	}
}

void sinks_stop(struct sinks *s)
{
	if (!s)
		return;
	for (uint32_t i = 0; i < s->n; i++) {
		struct channel *c = &s->ch[i];
		if (!c->started)
			continue;
		struct timespec dl;
		clock_gettime(CLOCK_REALTIME, &dl);
		uint64_t t = s->timeout_ms ? s->timeout_ms : 2000;
		pthread_mutex_lock(&c->lock);
		c->stopping = true;
		pthread_cond_signal(&c->cond_nonempty);
		/* wait for the queue to drain while it makes progress; give up after the
		 * output timeout without progress */
		size_t last = c->count + 1;
		while (c->count) {
			if (c->count < last) {
				last = c->count;
				clock_gettime(CLOCK_REALTIME, &dl);
				dl.tv_sec += (time_t)(t / 1000);
				dl.tv_nsec += (long)(t % 1000) * 1000000;
				if (dl.tv_nsec >= 1000000000) {
					dl.tv_sec++;
					dl.tv_nsec -= 1000000000;
				}
			}
			if (pthread_cond_timedwait(&c->cond_empty, &c->lock, &dl) == ETIMEDOUT &&
			    c->count >= last) {
				flog(LOGL_NOTICE, "output channels still blocked, discarding all "
						  "remaining notifications");
				c->discard = true;
				break;
			}
		}
		pthread_mutex_unlock(&c->lock);
		/* a worker stuck in a write past the timeout is cancelled */
		struct timespec jd;
		clock_gettime(CLOCK_REALTIME, &jd);
		jd.tv_sec += (time_t)(t / 1000) + 1;
		if (pthread_timedjoin_np(c->thread, NULL, &jd) == ETIMEDOUT) {
			pthread_cancel(c->thread);
			pthread_join(c->thread, NULL);
			pthread_mutex_lock(&c->lock);
			while (c->count) {
				struct sink_msg *m = c->ring[c->head];
				c->head = (c->head + 1) % c->cap;
				c->count--;
				c->dropped++;
				msg_unref(m);
			}
			pthread_mutex_unlock(&c->lock);
		}
		c->started = false;
	}
}

void sinks_get_stats(const struct sinks *s, uint32_t i, struct sink_stats *st)
{
	struct channel *c = &s->ch[i];

	pthread_mutex_lock(&c->lock);
	st->name = c->name;
	st->queued = c->queued;
	st->written = c->written;
	st->dropped = c->dropped;
	st->write_errors = c->write_errors;
	pthread_mutex_unlock(&c->lock);
}

uint64_t sinks_total_dropped(const struct sinks *s)
{
	uint64_t d = 0;

	for (uint32_t i = 0; s && i < s->n; i++) {
		struct sink_stats st;
		sinks_get_stats(s, i, &st);
		d += st.dropped;
	}
	return d;
}

void sinks_free(struct sinks *s)
{
	if (!s)
		return;
	sinks_stop(s);
	for (uint32_t i = 0; i < s->n; i++) {
		struct channel *c = &s->ch[i];
		while (c->count) {
			msg_unref(c->ring[c->head]);
			c->head = (c->head + 1) % c->cap;
			c->count--;
		}
		if (c->ops->destroy)
			c->ops->destroy(c->ctx);
		pthread_mutex_destroy(&c->lock);
		pthread_cond_destroy(&c->cond_nonempty);
		pthread_cond_destroy(&c->cond_empty);
		free(c->ring);
		free(c->name);
	}
	free(s->ch);
	free(s);
}
