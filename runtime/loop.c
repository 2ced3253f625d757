/* SPDX-License-Identifier: Apache-2.0
 *
 * epoll event loop: each watched fd, timerfd and the signalfd is an entry whose pointer is
 * the epoll user data; entries live in a small array indexed by slot and are never freed
 * while the loop runs (deleted entries are marked and reused), so a callback may add or
 * delete entries safely.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "loop.h"

enum ent_kind { ENT_FREE, ENT_FD, ENT_TIMER, ENT_SIGNAL };

struct ent {
	enum ent_kind kind;
	int fd;
	void *arg;
	union {
		loop_fd_fn fd_fn;
		loop_timer_fn timer_fn;
		loop_signal_fn sig_fn;
	} u;
};

#define LOOP_MAX_ENT 64

struct loop {
	int epfd;
	bool stop;
	sigset_t sigs;
	bool have_sigs;
	struct ent ent[LOOP_MAX_ENT];
};

struct loop *loop_new(void)
{
	struct loop *l = calloc(1, sizeof(*l));

	if (!l)
		return NULL;
	l->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (l->epfd < 0) {
		free(l);
		return NULL;
	}
	for (int i = 0; i < LOOP_MAX_ENT; i++)
		l->ent[i].fd = -1;
	return l;
}

static struct ent *ent_alloc(struct loop *l, int *slot)
{
	for (int i = 0; i < LOOP_MAX_ENT; i++) {
		if (l->ent[i].kind == ENT_FREE) {
			*slot = i;
			return &l->ent[i];
		}
	}
	return NULL;
}

static int ent_add(struct loop *l, enum ent_kind kind, int fd, void *arg, int *slot)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct ent *e = ent_alloc(l, slot);

	if (!e)
		return -ENOSPC;
	ev.data.ptr = e;
	if (epoll_ctl(l->epfd, EPOLL_CTL_ADD, fd, &ev) < 0)
		return -errno;
	e->kind = kind;
	e->fd = fd;
	e->arg = arg;
	return 0;
}

static void ent_release(struct loop *l, struct ent *e)
{
	epoll_ctl(l->epfd, EPOLL_CTL_DEL, e->fd, NULL);
	if (e->kind == ENT_TIMER || e->kind == ENT_SIGNAL)
		close(e->fd);
	e->kind = ENT_FREE;
	e->fd = -1;
}

void loop_free(struct loop *l)
{
	if (!l)
		return;
	for (int i = 0; i < LOOP_MAX_ENT; i++)
		if (l->ent[i].kind != ENT_FREE)
			ent_release(l, &l->ent[i]);
	if (l->have_sigs)
		sigprocmask(SIG_UNBLOCK, &l->sigs, NULL);
	close(l->epfd);
	free(l);
}

int loop_add_fd(struct loop *l, int fd, loop_fd_fn fn, void *arg)
{
	int slot, rc = ent_add(l, ENT_FD, fd, arg, &slot);

	if (rc == 0)
		l->ent[slot].u.fd_fn = fn;
	return rc;
}

int loop_del_fd(struct loop *l, int fd)
{
	for (int i = 0; i < LOOP_MAX_ENT; i++) {
		if (l->ent[i].kind == ENT_FD && l->ent[i].fd == fd) {
			ent_release(l, &l->ent[i]);
			return 0;
		}
	}
	return -ENOENT;
}

static void ms_to_ts(uint64_t ms, struct timespec *ts)
{
	ts->tv_sec = (time_t)(ms / 1000);
	ts->tv_nsec = (long)(ms % 1000) * 1000000L;
}

int loop_timer_set(struct loop *l, int id, uint64_t first_ms, uint64_t interval_ms)
{
	struct itimerspec its = { 0 };

	if (id < 0 || id >= LOOP_MAX_ENT || l->ent[id].kind != ENT_TIMER)
		return -EINVAL;
	ms_to_ts(first_ms, &its.it_value);
	if (first_ms == 0 && interval_ms)
		its.it_value.tv_nsec = 1;	/* 0 would disarm: fire at once instead */
	ms_to_ts(interval_ms, &its.it_interval);
	if (timerfd_settime(l->ent[id].fd, 0, &its, NULL) < 0)
		return -errno;
	return 0;
}

int loop_add_timer(struct loop *l, uint64_t first_ms, uint64_t interval_ms, loop_timer_fn fn,
		   void *arg)
{
	int fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	int slot, rc;

	if (fd < 0)
		return -errno;
	rc = ent_add(l, ENT_TIMER, fd, arg, &slot);
	if (rc) {
		close(fd);
		return rc;
	}
	l->ent[slot].u.timer_fn = fn;
	rc = loop_timer_set(l, slot, first_ms, interval_ms);
	if (rc) {
		ent_release(l, &l->ent[slot]);
		return rc;
	}
	return slot;
}

int loop_del_timer(struct loop *l, int id)
{
	if (id < 0 || id >= LOOP_MAX_ENT || l->ent[id].kind != ENT_TIMER)
		return -EINVAL;
	ent_release(l, &l->ent[id]);
	return 0;
}

int loop_signals(struct loop *l, const int *signos, loop_signal_fn fn, void *arg)
{
	sigset_t set;
	int fd, slot, rc;

	sigemptyset(&set);
	for (const int *s = signos; *s; s++)
		sigaddset(&set, *s);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -errno;
	fd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (fd < 0) {
		rc = -errno;
		sigprocmask(SIG_UNBLOCK, &set, NULL);
		return rc;
	}
	rc = ent_add(l, ENT_SIGNAL, fd, arg, &slot);
	if (rc) {
		close(fd);
		sigprocmask(SIG_UNBLOCK, &set, NULL);
		return rc;
	}
	l->ent[slot].u.sig_fn = fn;
	if (l->have_sigs) {
		for (const int *s = signos; *s; s++)
			sigaddset(&l->sigs, *s);
	} else {
		l->sigs = set;
		l->have_sigs = true;
	}
	return 0;
}

static void dispatch(struct loop *l, struct ent *e, uint32_t events)
{
	switch (e->kind) {
	case ENT_FD:
		e->u.fd_fn(l, e->fd, events, e->arg);
		break;
	case ENT_TIMER: {
		uint64_t n = 0;

		if (read(e->fd, &n, sizeof(n)) == sizeof(n) && n)
			e->u.timer_fn(l, n, e->arg);
		break;
	}
	case ENT_SIGNAL: {
		struct signalfd_siginfo si;

		while (e->kind == ENT_SIGNAL && read(e->fd, &si, sizeof(si)) == sizeof(si))
			e->u.sig_fn(l, (int)si.ssi_signo, e->arg);
		break;
	}
	case ENT_FREE:
		break;
	}
}

int loop_run(struct loop *l, int max_wait_ms)
{
	struct epoll_event evs[16];

	l->stop = false;
	while (!l->stop) {
		int n = epoll_wait(l->epfd, evs, 16, max_wait_ms);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (int i = 0; i < n && !l->stop; i++)
			dispatch(l, evs[i].data.ptr, evs[i].events);
	}
	return 0;
}

void loop_stop(struct loop *l)
{
	l->stop = true;
}

bool loop_stopping(const struct loop *l)
{
	return l->stop;
}
