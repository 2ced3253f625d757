/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests of the /proc scan (runtime/proc_scan.c) on the test process itself: its
 * thread record, its fds (a file, a directory, a pipe, a listening TCP socket, a connected
 * unix socket pair, an eventfd), a second thread, and a scan of the whole /proc.
 */
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "proc_scan.h"

struct seen {
	int threads, fds;
	int64_t tids[16];
	char comm[32], exepath[256], cwd[256], exe[256];
	uint32_t args_len, env_len, cgroups_len;
	bool args_ok;
	int64_t pid, ptid;
	struct scap_fd_rec fd[256];
	char fdname[256][128];
};

static void on_thread(void *ctx, const struct scap_thread_rec *t)
{
	struct seen *s = ctx;

	if (s->threads < 16)
		s->tids[s->threads] = t->tid;
	s->threads++;
	if (t->tid != t->pid)
		return;
	snprintf(s->comm, sizeof(s->comm), "%s", t->comm);
	snprintf(s->exepath, sizeof(s->exepath), "%s", t->exepath);
	snprintf(s->exe, sizeof(s->exe), "%s", t->exe);
	snprintf(s->cwd, sizeof(s->cwd), "%s", t->cwd);
	s->pid = t->pid;
	s->ptid = t->ptid;
	s->args_len = t->args_len;
	s->env_len = t->env_len;
	s->cgroups_len = t->cgroups_len;
	s->args_ok = t->args_len == 0 || t->args[t->args_len - 1] == 0;
}

static void on_fd(void *ctx, const struct scap_fd_rec *f)
{
	struct seen *s = ctx;

	if (s->fds < 256) {
		s->fd[s->fds] = *f;
		snprintf(s->fdname[s->fds], sizeof(s->fdname[0]), "%s", f->name);
	}
	s->fds++;
}

static const struct scap_fd_rec *fd_of(struct seen *s, int fd, const char **name)
{
	for (int i = 0; i < s->fds && i < 256; i++) {
		if (s->fd[i].fd == fd) {
			*name = s->fdname[i];
			return &s->fd[i];
		}
	}
	return NULL;
}

static void *idle(void *arg)
{
	int *p = arg;
	char c;

	if (read(p[0], &c, 1) < 0)
		return NULL;
	return NULL;
}

static void test_self(void **state)
{
	static const struct proc_scan_ops ops = { on_thread, on_fd };
	struct seen *s = calloc(1, sizeof(*s));
	struct sockaddr_in sa = { .sin_family = AF_INET };
	socklen_t l = sizeof(sa);
	const struct scap_fd_rec *r;
	const char *name;
	char path[64], cwd[256];
	int ffd, dfd, p[2], tfd, up[2], efd, port;
	pthread_t th;
	struct stat st;

	(void)state;
	snprintf(path, sizeof(path), "/tmp/frc-scan-%d", (int)getpid());
	ffd = open(path, O_CREAT | O_RDWR | O_APPEND, 0600);
	dfd = open("/tmp", O_RDONLY | O_DIRECTORY);
	assert_int_equal(pipe(p), 0);
	tfd = socket(AF_INET, SOCK_STREAM, 0);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(tfd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(tfd, 1), 0);
	assert_int_equal(getsockname(tfd, (struct sockaddr *)&sa, &l), 0);
	port = ntohs(sa.sin_port);
	assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, up), 0);
	efd = eventfd(0, 0);
	assert_int_equal(pthread_create(&th, NULL, idle, p), 0);

	assert_true(proc_scan_tid("/proc", getpid(), false, &ops, s));
	assert_int_equal(s->pid, getpid());
	assert_int_equal(s->ptid, getppid());
	assert_string_equal(s->comm, "test_proc_scan");
	assert_non_null(strstr(s->exepath, "test_proc_scan"));
	assert_non_null(strstr(s->exe, "test_proc_scan"));
	assert_non_null(getcwd(cwd, sizeof(cwd)));
	assert_string_equal(s->cwd, cwd);
	assert_true(s->args_ok);
	assert_true(s->env_len > 0);
	assert_true(s->threads >= 2);	/* the main thread and the idle one */

	r = fd_of(s, ffd, &name);
	assert_non_null(r);
	assert_int_equal(r->type, SCAP_FD_FILE_V2);
	assert_string_equal(name, path);
	assert_int_equal(fstat(ffd, &st), 0);
	assert_int_equal(r->ino, st.st_ino);
	assert_int_equal(r->open_flags & 0xf, 3 | (1u << 3));	/* RDWR | APPEND */
	r = fd_of(s, dfd, &name);
	assert_non_null(r);
	assert_int_equal(r->type, SCAP_FD_DIRECTORY);
	assert_string_equal(name, "/tmp");
	r = fd_of(s, p[0], &name);
	assert_non_null(r);
	assert_int_equal(r->type, SCAP_FD_FIFO);
	assert_true(r->ino != 0);
	r = fd_of(s, tfd, &name);
	assert_non_null(r);
	assert_int_equal(r->type, SCAP_FD_IPV4_SERVSOCK);
	assert_int_equal(r->l4proto, SCAP_L4_TCP);
	assert_int_equal(r->sport, port);
	assert_memory_equal(r->sip, "\x7f\0\0\1", 4);
	r = fd_of(s, up[0], &name);
	assert_non_null(r);
	assert_int_equal(r->type, SCAP_FD_UNIX_SOCK);
	r = fd_of(s, efd, &name);
	assert_non_null(r);
	assert_int_equal(r->type, SCAP_FD_EVENT);

	assert_int_equal(write(p[1], "x", 1), 1);
	pthread_join(th, NULL);
	close(ffd);
	close(dfd);
	close(p[0]);
	close(p[1]);
	close(tfd);
	close(up[0]);
	close(up[1]);
	close(efd);
	unlink(path);
	free(s);
}

static void test_all(void **state)
{
	static const struct proc_scan_ops ops = { on_thread, on_fd };
	struct seen *s = calloc(1, sizeof(*s));
	struct proc_scan_stats st;
	struct scap_machine mi;

	(void)state;
	assert_int_equal(proc_scan_all("/proc", &ops, s, &st), 0);
	assert_true(st.processes >= 2);	/* at least init and us */
	assert_true(st.threads >= st.processes);
	assert_int_equal(st.fds, (uint64_t)s->fds);
	assert_int_equal(proc_scan_all("/nonexistent-proc", &ops, s, &st), -2);
	assert_false(proc_scan_tid("/proc", 0x7ffffff0, false, &ops, s));
	proc_scan_machine("/proc", &mi);
	assert_true(mi.num_cpus >= 1);
	assert_true(mi.memory_bytes > 0);
	assert_true(mi.hostname[0] != 0);
	assert_true(mi.boot_ts_epoch > 1500000000ull * 1000000000ull);
	free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_self),
		cmocka_unit_test(test_all),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
