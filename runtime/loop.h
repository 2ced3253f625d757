/* SPDX-License-Identifier: Apache-2.0
 *
 * The daemon's event loop, on epoll: file descriptors with a readiness callback, periodic
 * and one-shot timers (timerfd), and signals delivered through a signalfd. Single-threaded;
 * callbacks run on the thread that calls loop_run().
 */
#ifndef FRC_RUNTIME_LOOP_H
#define FRC_RUNTIME_LOOP_H

#include <stdbool.h>
#include <stdint.h>

struct loop;

/* fd readable; @events are the epoll events */
typedef void (*loop_fd_fn)(struct loop *l, int fd, uint32_t events, void *arg);
/* timer expired (@expirations since the last call) */
typedef void (*loop_timer_fn)(struct loop *l, uint64_t expirations, void *arg);
/* signal @signo arrived (blocked for the process and read from the signalfd) */
typedef void (*loop_signal_fn)(struct loop *l, int signo, void *arg);

struct loop *loop_new(void);
/* Closes the loop's own fds (timers, signalfd, epoll); fds added with loop_add_fd stay open.
 * The signals given to loop_signals() are unblocked again. */
void loop_free(struct loop *l);

/* Watch @fd for input. Return 0 or -errno. */
int loop_add_fd(struct loop *l, int fd, loop_fd_fn fn, void *arg);
int loop_del_fd(struct loop *l, int fd);

/**
 * loop_add_timer() - call @fn after @first_ms, then every @interval_ms (0: once).
 * Return: a timer id (>= 0) for loop_timer_set()/loop_del_timer(), or -errno.
 */
int loop_add_timer(struct loop *l, uint64_t first_ms, uint64_t interval_ms, loop_timer_fn fn,
		   void *arg);
/* Re-arm timer @id (0/0 disarms it). */
int loop_timer_set(struct loop *l, int id, uint64_t first_ms, uint64_t interval_ms);
int loop_del_timer(struct loop *l, int id);

/* Deliver the signals of the 0-terminated list @signos to @fn (they are blocked for the
 * whole process, so call this before starting threads). Return 0 or -errno. */
int loop_signals(struct loop *l, const int *signos, loop_signal_fn fn, void *arg);

/* Run until loop_stop(); @max_wait_ms bounds each wait (-1: none). Return 0 or -errno. */
int loop_run(struct loop *l, int max_wait_ms);
void loop_stop(struct loop *l);
bool loop_stopping(const struct loop *l);

#endif
