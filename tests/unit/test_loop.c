/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests of the event loop (runtime/loop.c): fd readiness, timers, signals, stop.
 */
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <unistd.h>
#include <cmocka.h>

#include "loop.h"

struct counts {
	int fd, timer, once, sig, signo;
	int pipe_r;
};

static void on_fd(struct loop *l, int fd, uint32_t events, void *arg)
{
	struct counts *c = arg;
	char b[16];

	(void)l;
	(void)events;
	if (read(fd, b, sizeof(b)) > 0)
		c->fd++;
}

static void on_timer(struct loop *l, uint64_t n, void *arg)
{
	struct counts *c = arg;

	c->timer += (int)n;
	if (c->timer >= 3)
		loop_stop(l);
}

static void on_once(struct loop *l, uint64_t n, void *arg)
{
	struct counts *c = arg;

	(void)l;
	c->once += (int)n;
}

static void on_sig(struct loop *l, int signo, void *arg)
{
	struct counts *c = arg;

	c->sig++;
	c->signo = signo;
	loop_stop(l);
}

static void test_fd_and_timers(void **state)
{
	struct counts c = { 0 };
	struct loop *l = loop_new();
	int p[2];

	(void)state;
	assert_non_null(l);
	assert_int_equal(pipe(p), 0);
	assert_int_equal(loop_add_fd(l, p[0], on_fd, &c), 0);
	assert_int_equal(write(p[1], "x", 1), 1);
	assert_true(loop_add_timer(l, 1, 0, on_once, &c) >= 0);
	assert_true(loop_add_timer(l, 5, 5, on_timer, &c) >= 0);
	assert_int_equal(loop_run(l, 1000), 0);
	assert_int_equal(c.fd, 1);
	assert_int_equal(c.once, 1);
	assert_true(c.timer >= 3);
	assert_int_equal(loop_del_fd(l, p[0]), 0);
	assert_int_equal(loop_del_fd(l, p[0]), -2);
	loop_free(l);
	close(p[0]);
	close(p[1]);
}

static void test_signals(void **state)
{
	static const int sigs[] = { SIGUSR1, SIGHUP, 0 };
	struct counts c = { 0 };
	struct loop *l = loop_new();

	(void)state;
	assert_int_equal(loop_signals(l, sigs, on_sig, &c), 0);
	raise(SIGUSR1);	/* blocked: waits in the signalfd */
	assert_int_equal(loop_run(l, 1000), 0);
	assert_int_equal(c.sig, 1);
	assert_int_equal(c.signo, SIGUSR1);
	assert_true(loop_stopping(l));
	loop_free(l);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fd_and_timers),
		cmocka_unit_test(test_signals),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
