/* SPDX-License-Identifier: Apache-2.0
 *
 * Kernel-side cost of the frc probe (performance-notes.md §4 and §6 item 3): ns per syscall
 * of a tight loop, in four modes measured in the same run and interleaved over rounds:
 *   none   no program attached
 *   floor  an empty program on the raw sys_exit tracepoint (probe/empty.bpf.c)
 *   frc-nil the frc probe with an empty syscall set: the dispatcher alone, and no event
 *          from the rest of the machine either (a diagnostic of the machine-wide load)
 *   frc    the frc probe, tracing what the upstream rules name plus the state base set,
 *          with a consumer thread draining the ring buffer on another CPU. The getppid
 *          loop runs twice: with the consumer paused (the kernel side alone: the figure
 *          held against the target) and with it running (its work for the rest of the
 *          machine's traced syscalls then competes with the loop for CPUs and caches)
 * for two loops: getppid() (no rule needs it: the probe must drop it at the first test) and
 * openat() of a missing file (the rules need it: one event per call). Every program is
 * loaded once; a measurement attaches one mode alone, runs the loop (best of -R repetitions
 * of -n calls) and detaches it. Each round measures every mode in turn (order rotated), and a
 * mode's added cost is taken against the 'none' run of the same round, so that the slow
 * drifts of a shared machine cancel; the figures are medians over the rounds. Time is the
 * loop thread's CPU time (user + kernel), so other load on the machine does not count
 * directly. Other eBPF programs attached to sys_exit meanwhile (another frc) add to every
 * mode alike: run it on an otherwise idle machine.
 * A benchmark, not a test: it prints numbers and never fails on them.
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <bpf/libbpf.h>

#include "empty.skel.h"
#include "evtab.h"
#include "probe_load.h"

enum mode { M_NONE, M_FLOOR, M_FRC, M_NIL, M__N };
enum lp { L_GETPPID, L_OPENAT, L__N };
static const char *mode_name[M__N] = { "none", "floor", "frc", "frc-nil" };
static const char *loop_name[L__N] = { "getppid", "openat" };

/* the evt.type names of the three upstream rule files (events.md §2) */
static const char *rule_types[] = {
	"execve", "execveat", "open", "openat", "openat2", "connect", "accept", "accept4",
	"listen", "sendmsg", "sendto", "rename", "renameat", "renameat2", "rmdir", "unlink",
	"unlinkat", "recvfrom", "chmod", "creat", "fchmod", "fchmodat", "mkdir", "mkdirat",
	"ptrace", "recvmsg", "bpf", "dup", "dup2", "dup3", "finit_module", "init_module", "link",
	"linkat", "setns", "setuid", "socket", "symlink", "symlinkat", "unshare", "userfaultfd",
};

static long iters = 200000;
static int rounds = 21, reps = 2;
static atomic_int stop_consumer, pause_consumer;
static atomic_ulong consumed;

static double now_ns(void)
{
	struct timespec ts;

	/* the loop thread's own CPU time (user + kernel): other load on this shared machine
	 * preempts the loop but does not count */
	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

static void pin(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

static double run_loop(enum lp l)
{
	double best = 1e18;

	for (int r = 0; r < reps; r++) {
		double t0 = now_ns(), dt;

		if (l == L_GETPPID)
			for (long i = 0; i < iters; i++)
				syscall(SYS_getppid);
		else
			for (long i = 0; i < iters; i++)
				syscall(SYS_openat, AT_FDCWD, "/nonexistent/frc-bench", O_RDONLY);
		dt = (now_ns() - t0) / (double)iters;
		if (dt < best)
			best = dt;
	}
	return best;
}

static int on_event(void *arg, const void *evt, size_t len)
{
	(void)arg;
	(void)evt;
	(void)len;
	atomic_fetch_add_explicit(&consumed, 1, memory_order_relaxed);
	return 0;
}

static void *consumer(void *arg)
{
	struct probe *p = arg;

	pin(1);
	while (!atomic_load(&stop_consumer)) {
		if (atomic_load(&pause_consumer) || probe_consume(p) == 0)
			usleep(200);	/* the daemon's idle poll */
	}
	probe_consume(p);
	return NULL;
}

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(double), cmp_d);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static int silent(enum libbpf_print_level lvl, const char *fmt, va_list ap)
{
	(void)lvl;
	(void)fmt;
	(void)ap;
	return 0;
}

/* the attached programs of each mode (loaded once; attaching is cheap, loading is not) */
struct modes {
	struct empty_bpf *e;
	struct probe *p[2];	/* frc (rules' interest set), frc-nil (empty set) */
};

static int attach(struct modes *ms, enum mode m)
{
	char err[256];

	if (m == M_FLOOR)
		return empty_bpf__attach(ms->e);
	if (m == M_FRC || m == M_NIL) {
		if (probe_attach(ms->p[m == M_NIL], err, sizeof(err))) {
			fprintf(stderr, "probe: %s\n", err);
			return -1;
		}
	}
	return 0;
}

static void detach(struct modes *ms, enum mode m)
{
	if (m == M_FLOOR)
		empty_bpf__detach(ms->e);
	else if (m == M_FRC || m == M_NIL)
		probe_detach(ms->p[m == M_NIL]);
}

static double paired_median(double (*res)[128], int m, int rounds, double *v)
{
	for (int r = 0; r < rounds; r++)
		v[r] = res[m][r] - res[M_NONE][r];
	return median(v, rounds);
}

int main(int argc, char **argv)
{
	static double res[L__N][M__N][128], live[128], tmp[128];
	uint64_t drops_total = 0, evts_total = 0;
	uint64_t codes[8] = { 0 };
	static const uint64_t nothing[8];
	struct modes ms = { 0 };
	pthread_t th[2];
	char err[256];
	int opt;

	while ((opt = getopt(argc, argv, "n:r:R:")) != -1) {
		if (opt == 'n')
			iters = atol(optarg);
		else if (opt == 'r')
			rounds = atoi(optarg);
		else if (opt == 'R')
			reps = atoi(optarg);
		else {
			fprintf(stderr, "usage: %s [-n ITERATIONS] [-r ROUNDS] [-R REPS]\n", argv[0]);
			return 2;
		}
	}
	if (rounds < 1 || rounds > 128 || iters < 1000 || reps < 1) {
		fprintf(stderr, "bad -n/-r/-R\n");
		return 2;
	}
	if (geteuid() != 0) {
		printf("SKIP: the probe benchmark needs root\n");
		return 0;
	}
	libbpf_set_print(silent);
	for (size_t i = 0; i < sizeof(rule_types) / sizeof(rule_types[0]); i++)
		evtab_codes_by_name(rule_types[i], strlen(rule_types[i]), codes);
	ms.e = empty_bpf__open_and_load();
	if (!ms.e) {
		fprintf(stderr, "cannot load the empty program\n");
		return 1;
	}
	for (int i = 0; i < 2; i++) {
		/* trace this process too (the daemon ignores its own pid) */
		struct probe_opts o = { .own_pid = 0x7ffffff0 };

		ms.p[i] = probe_open(&o, on_event, NULL, err, sizeof(err));
		if (!ms.p[i]) {
			fprintf(stderr, "probe: %s\n", err);
			return 1;
		}
		if (i == 0)
			probe_set_interest(ms.p[i], codes, false);
		else
			probe_set_syscalls(ms.p[i], nothing);
		pthread_create(&th[i], NULL, consumer, ms.p[i]);
	}
	pin(0);
	/* every measurement is one mode attached alone; the modes alternate within each round
	 * (order rotated), so slow drifts of the machine hit them alike and each mode's cost
	 * is compared with the 'none' run of the same round */
	for (int r = 0; r < rounds; r++) {
		for (int l = 0; l < L__N; l++) {
			for (int k = 0; k < M__N; k++) {
				enum mode m = (enum mode)((k + r) % M__N);

				if (attach(&ms, m))
					return 1;
				/* the untraced loop measures the kernel side alone: the frc
				 * consumer (busy with the rest of the machine's events) waits */
				atomic_store(&pause_consumer, m == M_FRC && l == L_GETPPID);
				res[l][m][r] = run_loop((enum lp)l);
				atomic_store(&pause_consumer, 0);
				if (m == M_FRC && l == L_GETPPID)
					live[r] = run_loop(L_GETPPID);	/* consumer running */
				detach(&ms, m);
			}
		}
	}
	atomic_store(&stop_consumer, 1);
	for (int i = 0; i < 2; i++) {
		struct probe_counters c;

		pthread_join(th[i], NULL);
		probe_read_counters(ms.p[i], &c, NULL);
		drops_total += probe_counters_drops(&c);
		evts_total += c.n_evts;
		probe_close(ms.p[i]);
	}
	empty_bpf__destroy(ms.e);

	printf("probe overhead: %d rounds; per round and syscall, each mode attached alone in turn "
	       "for the best of %d x %ld calls; loop on CPU 0, consumer on CPU 1\n", rounds, reps,
	       iters);
	printf("ns per syscall, median over the rounds; added = above the same round's 'none':\n");
	printf("%-8s %9s %9s %9s %9s   %9s %9s %9s\n", "syscall", "none", "floor", "frc-nil",
	       "frc", "floor+", "frc-nil+", "frc+");
	double add[L__N][M__N];
	for (int l = 0; l < L__N; l++) {
		double mn, mf, mz, mr;

		for (int m = 0; m < M__N; m++)
			add[l][m] = m == M_NONE ? 0 : paired_median(res[l], m, rounds, tmp);
		memcpy(tmp, res[l][M_NONE], sizeof(tmp));
		mn = median(tmp, rounds);
		memcpy(tmp, res[l][M_FLOOR], sizeof(tmp));
		mf = median(tmp, rounds);
		memcpy(tmp, res[l][M_NIL], sizeof(tmp));
		mz = median(tmp, rounds);
		memcpy(tmp, res[l][M_FRC], sizeof(tmp));
		mr = median(tmp, rounds);
		printf("%-8s %9.1f %9.1f %9.1f %9.1f   %+9.1f %+9.1f %+9.1f\n", loop_name[l], mn, mf,
		       mz, mr, add[l][M_FLOOR], add[l][M_NIL], add[l][M_FRC]);
	}
	for (int m = M_NIL; m >= M_FRC; m--) {
		for (int r = 0; r < rounds; r++)
			tmp[r] = res[L_GETPPID][m][r] / res[L_GETPPID][M_FLOOR][r];
		printf("getppid (no rule needs it): %-7s total = %.3fx the floor's (median of the "
		       "rounds' ratios), added = %.2fx the floor's added%s\n", mode_name[m],
		       median(tmp, rounds),
		       add[L_GETPPID][M_FLOOR] > 0 ? add[L_GETPPID][m] / add[L_GETPPID][M_FLOOR] : 0.0,
		       m == M_FRC ? " (target <= 1.30x)" : "");
	}
	for (int r = 0; r < rounds; r++)
		tmp[r] = live[r] - res[L_GETPPID][M_NONE][r];
	printf("getppid with the frc consumer running meanwhile: %+.1f ns above none\n",
	       median(tmp, rounds));
	printf("openat (one event each): frc adds %.1f ns per call above the floor's\n",
	       add[L_OPENAT][M_FRC] - add[L_OPENAT][M_FLOOR]);
	printf("frc probes: %llu events seen by the probe, %llu consumed, %llu dropped\n",
	       (unsigned long long)evts_total, (unsigned long long)atomic_load(&consumed),
	       (unsigned long long)drops_total);
	return 0;
}
