/* SPDX-License-Identifier: Apache-2.0
 *
 * Syscall event drop monitoring (see drops.h), following Falco's syscall_evt_drop_mgr.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "config.h"
#include "drops.h"
#include "logger.h"

#define ONE_SECOND_NS 1000000000ull

static uint64_t wall_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * ONE_SECOND_NS + (uint64_t)ts.tv_nsec;
}

void token_bucket_init(struct token_bucket *b, double rate, double max_tokens, uint64_t now)
{
	b->rate = rate;
	b->max_tokens = max_tokens;
	b->tokens = max_tokens;
	b->last_seen = now ? now : wall_ns();
}

bool token_bucket_claim(struct token_bucket *b, double tokens, uint64_t now)
{
	/* unsigned difference, as libsinsp computes it: an event older than last_seen (a
	 * replayed capture) wraps around and refills the bucket */
	double gained = b->rate * ((double)(now - b->last_seen) / 1e9);

	b->last_seen = now;
	b->tokens += gained;
	if (b->tokens > b->max_tokens)
		b->tokens = b->max_tokens;
	if (b->tokens < tokens)
		return false;
	b->tokens -= tokens;
	return true;
}

void drop_mgr_init(struct drop_mgr *m, const struct frc_config *cfg,
		   const struct drop_counters *initial, bool ebpf, const struct drop_alert *alert)
{
	memset(m, 0, sizeof(*m));
	m->actions = cfg->drop_actions;
	m->threshold = cfg->drop_simulate ? 0 : cfg->drop_threshold;
	m->simulate = cfg->drop_simulate;
	m->ebpf = ebpf;
	token_bucket_init(&m->bucket, cfg->drop_rate, cfg->drop_max_burst, 0);
	if (initial)
		m->last = *initial;
	if (alert)
		m->alert = *alert;
}

#define D(f) delta.f = now->f - m->last.f

static bool perform_actions(struct drop_mgr *m, uint64_t ts, const struct drop_counters *d)
{
	const char *rule = "Falco internal: syscall event drop";
	char msg[160];
	bool ret = true;

	snprintf(msg, sizeof(msg), "%s. %" PRIu64 " system calls dropped in last second.", rule,
		 d->n_drops);
	/* Falco iterates its (ordered) action set: ignore, log, alert, exit */
	if (m->actions & DROP_ACT_IGNORE)
		return true;
	if (m->actions & DROP_ACT_LOG)
		flog(LOGL_DEBUG, "%s", msg);
	if ((m->actions & DROP_ACT_ALERT) && m->alert.emit) {
		const char *keys[] = {
			"n_evts", "n_drops", "n_drops_buffer_total",
			"n_drops_buffer_clone_fork_exit", "n_drops_buffer_execve_exit",
			"n_drops_buffer_connect_exit", "n_drops_buffer_open_exit",
			"n_drops_buffer_dir_file_exit", "n_drops_buffer_other_interest_exit",
			"n_drops_buffer_close_exit", "n_drops_buffer_proc_exit",
			"n_drops_scratch_map", "n_drops_page_faults", "n_drops_bug", "ebpf_enabled",
		};
		uint64_t v[] = {
			d->n_evts, d->n_drops, d->n_drops_buffer, d->n_drops_buffer_clone_fork_exit,
			d->n_drops_buffer_execve_exit, d->n_drops_buffer_connect_exit,
			d->n_drops_buffer_open_exit, d->n_drops_buffer_dir_file_exit,
			d->n_drops_buffer_other_interest_exit, d->n_drops_buffer_close_exit,
			d->n_drops_buffer_proc_exit, d->n_drops_scratch_map, d->n_drops_pf,
			d->n_drops_bug, m->ebpf ? 1 : 0,
		};
		enum { N = sizeof(keys) / sizeof(keys[0]) };
		char vbuf[N][24];
		const char *vals[N];
		for (int i = 0; i < N; i++) {
			snprintf(vbuf[i], sizeof(vbuf[i]), "%" PRIu64, v[i]);
			vals[i] = vbuf[i];
		}
		m->alert.emit(m->alert.ctx, ts, PRIO_DEBUG, rule, msg, keys, vals, N);
	}
	if (m->actions & DROP_ACT_EXIT) {
		flog(LOGL_CRIT, "%s", msg);
		flog(LOGL_CRIT, "Exiting.");
		ret = false;
	}
	return ret;
}

bool drop_mgr_event(struct drop_mgr *m, uint64_t ts, const struct drop_counters *now)
{
	struct drop_counters delta;

	if (m->next_check_ts == 0)
		m->next_check_ts = ts + ONE_SECOND_NS;
	if (!(m->next_check_ts < ts))
		return true;
	m->next_check_ts = ts + ONE_SECOND_NS;
	D(n_evts);
	D(n_drops);
	D(n_drops_buffer);
	D(n_drops_buffer_clone_fork_exit);
	D(n_drops_buffer_execve_exit);
	D(n_drops_buffer_connect_exit);
	D(n_drops_buffer_open_exit);
	D(n_drops_buffer_dir_file_exit);
	D(n_drops_buffer_other_interest_exit);
	D(n_drops_buffer_close_exit);
	D(n_drops_buffer_proc_exit);
	D(n_drops_scratch_map);
	D(n_drops_pf);
	D(n_drops_bug);
	m->last = *now;
	if (m->simulate) {
		flog(LOGL_INFO, "Simulating syscall event drop");
		delta.n_drops++;
	}
	if (delta.n_drops > 0) {
		double ratio = (double)delta.n_drops / (double)delta.n_evts;
		if (ratio > m->threshold) {
			m->num_drops_detected++;
			if (token_bucket_claim(&m->bucket, 1, ts)) {
				m->num_actions++;
				return perform_actions(m, ts, &delta);
			}
			flog(LOGL_DEBUG, "Syscall event drop but token bucket depleted, skipping "
					 "actions");
		}
	}
	return true;
}

void drop_mgr_print_stats(const struct drop_mgr *m, FILE *f)
{
	fprintf(f, "Syscall event drop monitoring:\n");
	fprintf(f, "   - event drop detected: %" PRIu64 " occurrences\n", m->num_drops_detected);
	fprintf(f, "   - num times actions taken: %" PRIu64 "\n", m->num_actions);
}
