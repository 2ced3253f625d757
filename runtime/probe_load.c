/* SPDX-License-Identifier: Apache-2.0
 *
 * Loader of the eBPF probe: skeleton open, configuration (own pid, boot time, snaplen,
 * ring size, the ia32 syscall map), load, attach of the three entry programs (sys_exit,
 * sched_process_exec, sched_process_exit; every other program is tail-called), the interest
 * bitmaps the dispatcher tests, ring buffer consumption and the per-CPU counters.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/types.h>

#include "evtab.h"
#include "frc_kfilter.h"
#include "frc.skel.h"
#include "frc_ppm.h"
#include "frc_probe.h"
#include "frc_sysnr.h"
#include "probe_load.h"

_Static_assert(FRC_NR_openat == SYS_openat && FRC_NR_execveat == SYS_execveat &&
	       FRC_NR_getppid == SYS_getppid && FRC_NR_clone3 == SYS_clone3,
	       "probe/frc_sysnr.h does not match this architecture");

struct probe {
	struct frc_bpf *skel;
	struct ring_buffer *rb;
	probe_event_fn fn;
	void *arg;
	int ncpus;
	uint64_t interest[FRC_NR_SYSCALLS / 64];
};

/* the event each traced syscall produces (x86_64 numbers) */
static const struct {
	uint16_t nr;
	uint16_t code;
} sc_events[] = {
	{ FRC_NR_open, FRC_EV_OPEN_X },
	{ FRC_NR_openat, FRC_EV_OPENAT_2_X },
	{ FRC_NR_openat2, FRC_EV_OPENAT2_X },
	{ FRC_NR_creat, FRC_EV_CREAT_X },
	{ FRC_NR_open_by_handle_at, FRC_EV_OPEN_BY_HANDLE_AT_X },
	{ FRC_NR_close, FRC_EV_CLOSE_X },
	{ FRC_NR_close_range, FRC_EV_CLOSE_RANGE_X },
	{ FRC_NR_rmdir, FRC_EV_RMDIR_2_X },
	{ FRC_NR_unlink, FRC_EV_UNLINK_2_X },
	{ FRC_NR_chdir, FRC_EV_CHDIR_X },
	{ FRC_NR_chroot, FRC_EV_CHROOT_X },
	{ FRC_NR_rename, FRC_EV_RENAME_X },
	{ FRC_NR_link, FRC_EV_LINK_2_X },
	{ FRC_NR_symlink, FRC_EV_SYMLINK_X },
	{ FRC_NR_renameat, FRC_EV_RENAMEAT_X },
	{ FRC_NR_renameat2, FRC_EV_RENAMEAT2_X },
	{ FRC_NR_linkat, FRC_EV_LINKAT_2_X },
	{ FRC_NR_symlinkat, FRC_EV_SYMLINKAT_X },
	{ FRC_NR_unlinkat, FRC_EV_UNLINKAT_2_X },
	{ FRC_NR_mkdir, FRC_EV_MKDIR_2_X },
	{ FRC_NR_mkdirat, FRC_EV_MKDIRAT_X },
	{ FRC_NR_chmod, FRC_EV_CHMOD_X },
	{ FRC_NR_fchmod, FRC_EV_FCHMOD_X },
	{ FRC_NR_fchmodat, FRC_EV_FCHMODAT_X },
	{ FRC_NR_fchmodat2, FRC_EV_FCHMODAT_X },
	{ FRC_NR_fchdir, FRC_EV_FCHDIR_X },
	{ FRC_NR_mount, FRC_EV_MOUNT_X },
	{ FRC_NR_umount2, FRC_EV_UMOUNT2_X },
	{ FRC_NR_dup, FRC_EV_DUP_1_X },
	{ FRC_NR_dup2, FRC_EV_DUP2_X },
	{ FRC_NR_dup3, FRC_EV_DUP3_X },
	{ FRC_NR_fcntl, FRC_EV_FCNTL_X },
	{ FRC_NR_pipe, FRC_EV_PIPE_X },
	{ FRC_NR_pipe2, FRC_EV_PIPE2_X },
	{ FRC_NR_eventfd, FRC_EV_EVENTFD_X },
	{ FRC_NR_eventfd2, FRC_EV_EVENTFD2_X },
	{ FRC_NR_signalfd, FRC_EV_SIGNALFD_X },
	{ FRC_NR_signalfd4, FRC_EV_SIGNALFD4_X },
	{ FRC_NR_timerfd_create, FRC_EV_TIMERFD_CREATE_X },
	{ FRC_NR_inotify_init, FRC_EV_INOTIFY_INIT_X },
	{ FRC_NR_inotify_init1, FRC_EV_INOTIFY_INIT1_X },
	{ FRC_NR_epoll_create, FRC_EV_EPOLL_CREATE_X },
	{ FRC_NR_epoll_create1, FRC_EV_EPOLL_CREATE1_X },
	{ FRC_NR_memfd_create, FRC_EV_MEMFD_CREATE_X },
	{ FRC_NR_pidfd_open, FRC_EV_PIDFD_OPEN_X },
	{ FRC_NR_pidfd_getfd, FRC_EV_PIDFD_GETFD_X },
	{ FRC_NR_io_uring_setup, FRC_EV_IO_URING_SETUP_X },
	{ FRC_NR_userfaultfd, FRC_EV_USERFAULTFD_X },
	{ FRC_NR_bpf, FRC_EV_BPF_2_X },
	{ FRC_NR_socket, FRC_EV_SOCKET_X },
	{ FRC_NR_socketpair, FRC_EV_SOCKETPAIR_X },
	{ FRC_NR_bind, FRC_EV_BIND_X },
	{ FRC_NR_connect, FRC_EV_CONNECT_X },
	{ FRC_NR_listen, FRC_EV_LISTEN_X },
	{ FRC_NR_accept, FRC_EV_ACCEPT_5_X },
	{ FRC_NR_accept4, FRC_EV_ACCEPT4_6_X },
	{ FRC_NR_shutdown, FRC_EV_SHUTDOWN_X },
	{ FRC_NR_getsockopt, FRC_EV_GETSOCKOPT_X },
	{ FRC_NR_sendto, FRC_EV_SENDTO_X },
	{ FRC_NR_recvfrom, FRC_EV_RECVFROM_X },
	{ FRC_NR_sendmsg, FRC_EV_SENDMSG_X },
	{ FRC_NR_recvmsg, FRC_EV_RECVMSG_X },
	{ FRC_NR_sendmmsg, FRC_EV_SENDMMSG_X },
	{ FRC_NR_recvmmsg, FRC_EV_RECVMMSG_X },
	{ FRC_NR_setuid, FRC_EV_SETUID_X },
	{ FRC_NR_setgid, FRC_EV_SETGID_X },
	{ FRC_NR_setreuid, FRC_EV_SETREUID_X },
	{ FRC_NR_setregid, FRC_EV_SETREGID_X },
	{ FRC_NR_setresuid, FRC_EV_SETRESUID_X },
	{ FRC_NR_setresgid, FRC_EV_SETRESGID_X },
	{ FRC_NR_setsid, FRC_EV_SETSID_X },
	{ FRC_NR_setpgid, FRC_EV_SETPGID_X },
	{ FRC_NR_capset, FRC_EV_CAPSET_X },
	{ FRC_NR_prctl, FRC_EV_PRCTL_X },
	{ FRC_NR_getrlimit, FRC_EV_GETRLIMIT_X },
	{ FRC_NR_setrlimit, FRC_EV_SETRLIMIT_X },
	{ FRC_NR_prlimit64, FRC_EV_PRLIMIT_X },
	{ FRC_NR_setns, FRC_EV_SETNS_X },
	{ FRC_NR_unshare, FRC_EV_UNSHARE_X },
	{ FRC_NR_ptrace, FRC_EV_PTRACE_X },
	{ FRC_NR_init_module, FRC_EV_INIT_MODULE_X },
	{ FRC_NR_finit_module, FRC_EV_FINIT_MODULE_X },
	{ FRC_NR_clone, FRC_EV_CLONE_20_X },
	{ FRC_NR_fork, FRC_EV_FORK_20_X },
	{ FRC_NR_vfork, FRC_EV_VFORK_20_X },
	{ FRC_NR_clone3, FRC_EV_CLONE3_X },
	{ FRC_NR_execve, FRC_EV_EXECVE_19_X },
	{ FRC_NR_execveat, FRC_EV_EXECVEAT_X },
};

/* the syscalls traced whatever the rules: every one whose event modifies the state tables
 * plus Falco's never-drop set (events.md §6, libsinsp's sinsp_state_sc_set) */
static const uint16_t base_set[] = {
	FRC_NR_accept, FRC_NR_accept4, FRC_NR_bind, FRC_NR_capset, FRC_NR_chdir, FRC_NR_chroot,
	FRC_NR_clone, FRC_NR_clone3, FRC_NR_close, FRC_NR_close_range, FRC_NR_connect,
	FRC_NR_creat, FRC_NR_dup, FRC_NR_dup2, FRC_NR_dup3, FRC_NR_epoll_create,
	FRC_NR_epoll_create1, FRC_NR_eventfd, FRC_NR_eventfd2, FRC_NR_execve, FRC_NR_execveat,
	FRC_NR_fchdir, FRC_NR_fcntl, FRC_NR_fork, FRC_NR_getsockopt, FRC_NR_inotify_init,
	FRC_NR_inotify_init1, FRC_NR_io_uring_setup, FRC_NR_memfd_create, FRC_NR_mount,
	FRC_NR_open, FRC_NR_open_by_handle_at, FRC_NR_openat, FRC_NR_openat2,
	FRC_NR_pidfd_getfd, FRC_NR_pidfd_open, FRC_NR_pipe, FRC_NR_pipe2, FRC_NR_prctl,
	FRC_NR_prlimit64, FRC_NR_recvfrom, FRC_NR_recvmmsg, FRC_NR_recvmsg, FRC_NR_sendmmsg,
	FRC_NR_sendmsg, FRC_NR_sendto, FRC_NR_setgid, FRC_NR_setregid, FRC_NR_setresgid,
	FRC_NR_setresuid, FRC_NR_setreuid, FRC_NR_setrlimit, FRC_NR_setsid, FRC_NR_setuid,
	FRC_NR_shutdown, FRC_NR_signalfd, FRC_NR_signalfd4, FRC_NR_socket, FRC_NR_socketpair,
	FRC_NR_timerfd_create, FRC_NR_umount2, FRC_NR_userfaultfd, FRC_NR_vfork,
	FRC_NR_setpgid,
};

/* ia32 syscall numbers of the handled syscalls (arch/x86/entry/syscalls/syscall_32.tbl) */
static const struct {
	uint16_t ia32;
	uint16_t nr;
} ia32_map[] = {
	{ 5, FRC_NR_open },	/* open */
	{ 6, FRC_NR_close },	/* close */
	{ 11, FRC_NR_execve },	/* execve */
	{ 12, FRC_NR_chdir },	/* chdir */
	{ 133, FRC_NR_fchdir },	/* fchdir */
	{ 15, FRC_NR_chmod },	/* chmod */
	{ 94, FRC_NR_fchmod },	/* fchmod */
	{ 9, FRC_NR_link },	/* link */
	{ 10, FRC_NR_unlink },	/* unlink */
	{ 38, FRC_NR_rename },	/* rename */
	{ 39, FRC_NR_mkdir },	/* mkdir */
	{ 40, FRC_NR_rmdir },	/* rmdir */
	{ 8, FRC_NR_creat },	/* creat */
	{ 83, FRC_NR_symlink },	/* symlink */
	{ 26, FRC_NR_ptrace },	/* ptrace */
	{ 23, FRC_NR_setuid },	/* setuid */
	{ 213, FRC_NR_setuid },	/* setuid32 */
	{ 46, FRC_NR_setgid },	/* setgid */
	{ 214, FRC_NR_setgid },	/* setgid32 */
	{ 70, FRC_NR_setreuid },	/* setreuid */
	{ 203, FRC_NR_setreuid },	/* setreuid32 */
	{ 71, FRC_NR_setregid },	/* setregid */
	{ 204, FRC_NR_setregid },	/* setregid32 */
	{ 164, FRC_NR_setresuid },	/* setresuid */
	{ 208, FRC_NR_setresuid },	/* setresuid32 */
	{ 170, FRC_NR_setresgid },	/* setresgid */
	{ 210, FRC_NR_setresgid },	/* setresgid32 */
	{ 66, FRC_NR_setsid },	/* setsid */
	{ 57, FRC_NR_setpgid },	/* setpgid */
	{ 185, FRC_NR_capset },	/* capset */
	{ 61, FRC_NR_chroot },	/* chroot */
	{ 21, FRC_NR_mount },	/* mount */
	{ 52, FRC_NR_umount2 },	/* umount2 */
	{ 172, FRC_NR_prctl },	/* prctl */
	{ 42, FRC_NR_pipe },	/* pipe */
	{ 331, FRC_NR_pipe2 },	/* pipe2 */
	{ 41, FRC_NR_dup },	/* dup */
	{ 63, FRC_NR_dup2 },	/* dup2 */
	{ 330, FRC_NR_dup3 },	/* dup3 */
	{ 55, FRC_NR_fcntl },	/* fcntl */
	{ 221, FRC_NR_fcntl },	/* fcntl64 */
	{ 254, FRC_NR_epoll_create },	/* epoll_create */
	{ 329, FRC_NR_epoll_create1 },	/* epoll_create1 */
	{ 323, FRC_NR_eventfd },	/* eventfd */
	{ 328, FRC_NR_eventfd2 },	/* eventfd2 */
	{ 321, FRC_NR_signalfd },	/* signalfd */
	{ 327, FRC_NR_signalfd4 },	/* signalfd4 */
	{ 322, FRC_NR_timerfd_create },	/* timerfd_create */
	{ 291, FRC_NR_inotify_init },	/* inotify_init */
	{ 332, FRC_NR_inotify_init1 },	/* inotify_init1 */
	{ 295, FRC_NR_openat },	/* openat */
	{ 296, FRC_NR_mkdirat },	/* mkdirat */
	{ 301, FRC_NR_unlinkat },	/* unlinkat */
	{ 302, FRC_NR_renameat },	/* renameat */
	{ 303, FRC_NR_linkat },	/* linkat */
	{ 304, FRC_NR_symlinkat },	/* symlinkat */
	{ 306, FRC_NR_fchmodat },	/* fchmodat */
	{ 340, FRC_NR_prlimit64 },	/* prlimit64 */
	{ 346, FRC_NR_setns },	/* setns */
	{ 310, FRC_NR_unshare },	/* unshare */
	{ 342, FRC_NR_open_by_handle_at },	/* open_by_handle_at */
	{ 350, FRC_NR_finit_module },	/* finit_module */
	{ 128, FRC_NR_init_module },	/* init_module */
	{ 353, FRC_NR_renameat2 },	/* renameat2 */
	{ 356, FRC_NR_memfd_create },	/* memfd_create */
	{ 357, FRC_NR_bpf },	/* bpf */
	{ 358, FRC_NR_execveat },	/* execveat */
	{ 374, FRC_NR_userfaultfd },	/* userfaultfd */
	{ 425, FRC_NR_io_uring_setup },	/* io_uring_setup */
	{ 434, FRC_NR_pidfd_open },	/* pidfd_open */
	{ 435, FRC_NR_clone3 },	/* clone3 */
	{ 436, FRC_NR_close_range },	/* close_range */
	{ 437, FRC_NR_openat2 },	/* openat2 */
	{ 438, FRC_NR_pidfd_getfd },	/* pidfd_getfd */
	{ 452, FRC_NR_fchmodat2 },	/* fchmodat2 */
	{ 120, FRC_NR_clone },	/* clone */
	{ 2, FRC_NR_fork },	/* fork */
	{ 190, FRC_NR_vfork },	/* vfork */
	{ 359, FRC_NR_socket },	/* socket */
	{ 360, FRC_NR_socketpair },	/* socketpair */
	{ 361, FRC_NR_bind },	/* bind */
	{ 362, FRC_NR_connect },	/* connect */
	{ 363, FRC_NR_listen },	/* listen */
	{ 364, FRC_NR_accept4 },	/* accept4 */
	{ 365, FRC_NR_getsockopt },	/* getsockopt */
	{ 369, FRC_NR_sendto },	/* sendto */
	{ 370, FRC_NR_sendmsg },	/* sendmsg */
	{ 371, FRC_NR_recvfrom },	/* recvfrom */
	{ 372, FRC_NR_recvmsg },	/* recvmsg */
	{ 373, FRC_NR_shutdown },	/* shutdown */
	{ 345, FRC_NR_sendmmsg },	/* sendmmsg */
	{ 337, FRC_NR_recvmmsg },	/* recvmmsg */
	{ 64, FRC_NR_getppid },	/* getppid */
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

static void set_err(char *err, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (!err || !len)
		return;
	va_start(ap, fmt);
	vsnprintf(err, len, fmt, ap);
	va_end(ap);
}

static int on_sample(void *ctx, void *data, size_t size)
{
	struct probe *p = ctx;

	return p->fn(p->arg, data, size);
}

static uint64_t boot_epoch_ns(void)
{
	struct timespec rt, bt;

	clock_gettime(CLOCK_REALTIME, &rt);
	clock_gettime(CLOCK_BOOTTIME, &bt);
	return (uint64_t)(rt.tv_sec - bt.tv_sec) * 1000000000ull + (uint64_t)rt.tv_nsec -
	       (uint64_t)bt.tv_nsec;
}

static int silent_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	if (level != LIBBPF_WARN || !getenv("FRC_LIBBPF_DEBUG"))
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static int debug_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	(void)level;
	return vfprintf(stderr, fmt, ap);
}

struct probe *probe_open(const struct probe_opts *opts, probe_event_fn fn, void *arg,
			 char *err, size_t errlen)
{
	struct probe_opts o = opts ? *opts : (struct probe_opts){ 0 };
	struct bpf_program *prog;
	struct probe *p;
	int rc;

	if (access("/sys/kernel/btf/vmlinux", R_OK) != 0) {
		set_err(err, errlen, "kernel BTF (/sys/kernel/btf/vmlinux) is not available: "
			"the probe needs a kernel built with CONFIG_DEBUG_INFO_BTF");
		errno = ENOENT;
		return NULL;
	}
	if (geteuid() != 0) {
		set_err(err, errlen, "loading the eBPF probe needs root (CAP_BPF, CAP_PERFMON)");
		errno = EPERM;
		return NULL;
	}
	libbpf_set_print(getenv("FRC_LIBBPF_DEBUG") && !strcmp(getenv("FRC_LIBBPF_DEBUG"), "2") ?
			 debug_print : silent_print);
	p = calloc(1, sizeof(*p));
	if (!p) {
		set_err(err, errlen, "out of memory");
		errno = ENOMEM;
		return NULL;
	}
	p->fn = fn;
	p->arg = arg;
	p->ncpus = libbpf_num_possible_cpus();
	if (p->ncpus <= 0) {
		set_err(err, errlen, "cannot count the possible CPUs");
		goto fail_errno;
	}
	p->skel = frc_bpf__open();
	if (!p->skel) {
		set_err(err, errlen, "cannot open the eBPF probe: %s", strerror(errno));
		goto fail_errno;
	}
	if (!o.ringbuf_bytes)
		o.ringbuf_bytes = 16u << 20;
	if (o.ringbuf_bytes & (o.ringbuf_bytes - 1) || o.ringbuf_bytes < 4096) {
		set_err(err, errlen, "ring buffer size %u is not a power of two >= 4096",
			o.ringbuf_bytes);
		errno = EINVAL;
		goto fail;
	}
	if (!o.snaplen)
		o.snaplen = 80;
	if (o.snaplen > FRC_SNAPLEN_MAX)
		o.snaplen = FRC_SNAPLEN_MAX;
	if (!o.own_pid)
		o.own_pid = getpid();
	if (!o.wakeup_bytes)
		o.wakeup_bytes = o.ringbuf_bytes / 8;
	p->skel->rodata->cfg_own_tgid = (uint32_t)o.own_pid;
	p->skel->rodata->cfg_boot_ns = boot_epoch_ns();
	p->skel->rodata->cfg_snaplen = o.snaplen;
	p->skel->rodata->cfg_wakeup_bytes = o.wakeup_bytes;
	for (unsigned i = 0; i < FRC_NR_SYSCALLS; i++)
		p->skel->rodata->cfg_ia32_map[i] = 0xffff;
	for (size_t i = 0; i < NELEM(ia32_map); i++)
		p->skel->rodata->cfg_ia32_map[ia32_map[i].ia32] = ia32_map[i].nr;
	for (unsigned nr = 0; nr < FRC_NR_SYSCALLS; nr++)
		p->skel->rodata->cfg_ppm_sc[nr] = evtab_sc_from_native(nr);
	bpf_map__set_max_entries(p->skel->maps.frc_rb, o.ringbuf_bytes);
	bpf_map__set_max_entries(p->skel->maps.frc_scratch_map, (uint32_t)p->ncpus);
	/* only the three entry programs (and the kernel filter's rename tracker) attach; the
	 * rest are reached by tail calls */
	bpf_object__for_each_program(prog, p->skel->obj) {
		const char *name = bpf_program__name(prog);

		bpf_program__set_autoattach(prog, !strcmp(name, "frc_sys_exit") ||
					    !strcmp(name, "frc_sched_exec") ||
					    !strcmp(name, "frc_sched_exit") ||
					    !strcmp(name, "frc_kf_task_rename"));
	}
	rc = frc_bpf__load(p->skel);
	if (rc) {
		set_err(err, errlen, "cannot load the eBPF probe: %s (FRC_LIBBPF_DEBUG=2 shows "
			"the verifier log)", strerror(-rc));
		errno = -rc;
		goto fail;
	}
	p->rb = ring_buffer__new(bpf_map__fd(p->skel->maps.frc_rb), on_sample, p, NULL);
	if (!p->rb) {
		set_err(err, errlen, "cannot map the ring buffer: %s", strerror(errno));
		goto fail_errno;
	}
	probe_set_interest(p, NULL, false);
	return p;
fail_errno:
	if (!errno)
		errno = EINVAL;
fail:
	rc = errno;
	probe_close(p);
	errno = rc;
	return NULL;
}

static void publish_interest(struct probe *p)
{
	uint64_t hot[FRC_NR_SYSCALLS / 64];

	memcpy(hot, p->interest, sizeof(hot));
	for (size_t i = 0; i < NELEM(ia32_map); i++) {
		unsigned nr = ia32_map[i].nr, n32 = ia32_map[i].ia32;

		if (p->interest[nr / 64] & (1ull << (nr % 64)))
			hot[n32 / 64] |= 1ull << (n32 % 64);
	}
	/* widen first, then narrow: the dispatcher never misses a syscall both sets want */
	for (unsigned i = 0; i < FRC_NR_SYSCALLS / 64; i++) {
		__atomic_store_n(&p->skel->bss->frc_interest[i],
				 p->skel->bss->frc_interest[i] | p->interest[i], __ATOMIC_RELEASE);
		__atomic_store_n(&p->skel->bss->frc_hot[i], p->skel->bss->frc_hot[i] | hot[i],
				 __ATOMIC_RELEASE);
	}
	for (unsigned i = 0; i < FRC_NR_SYSCALLS / 64; i++) {
		__atomic_store_n(&p->skel->bss->frc_hot[i], hot[i], __ATOMIC_RELEASE);
		__atomic_store_n(&p->skel->bss->frc_interest[i], p->interest[i], __ATOMIC_RELEASE);
	}
}

static void want(uint64_t *bits, unsigned nr)
{
	if (nr < FRC_NR_SYSCALLS)
		bits[nr / 64] |= 1ull << (nr % 64);
}

void probe_set_interest(struct probe *p, const uint64_t codes[8], bool generic_all)
{
	memset(p->interest, 0, sizeof(p->interest));
	for (size_t i = 0; i < NELEM(base_set); i++)
		want(p->interest, base_set[i]);
	if (codes) {
		for (size_t i = 0; i < NELEM(sc_events); i++) {
			unsigned c = sc_events[i].code;

			if (codes[c / 64] & (1ull << (c % 64)))
				want(p->interest, sc_events[i].nr);
		}
		if (generic_all && (codes[0] & 3)) {
			uint64_t handled[FRC_NR_SYSCALLS / 64] = { 0 };

			for (size_t i = 0; i < NELEM(sc_events); i++)
				want(handled, sc_events[i].nr);
			for (unsigned nr = 0; nr < FRC_NR_SYSCALLS; nr++)
				if (!(handled[nr / 64] & (1ull << (nr % 64))))
					want(p->interest, nr);
		}
	}
	publish_interest(p);
}

void probe_set_syscalls(struct probe *p, const uint64_t nr_bits[8])
{
	memcpy(p->interest, nr_bits, sizeof(p->interest));
	publish_interest(p);
}

void probe_set_interest_all(struct probe *p)
{
	memset(p->interest, 0xff, sizeof(p->interest));
	publish_interest(p);
}

bool probe_traces_syscall(const struct probe *p, unsigned nr)
{
	return nr < FRC_NR_SYSCALLS && (p->interest[nr / 64] >> (nr % 64)) & 1;
}

int probe_attach(struct probe *p, char *err, size_t errlen)
{
	int rc = frc_bpf__attach(p->skel);

	if (rc) {
		set_err(err, errlen, "cannot attach the eBPF probe: %s", strerror(-rc));
		return rc;
	}
	return 0;
}

void probe_detach(struct probe *p)
{
	frc_bpf__detach(p->skel);
}

int probe_fd(const struct probe *p)
{
	return ring_buffer__epoll_fd(p->rb);
}

long probe_consume(struct probe *p)
{
	return ring_buffer__consume(p->rb);
}

int probe_ncpus(const struct probe *p)
{
	return p->ncpus;
}

static uint64_t prog_misses(struct bpf_program *prog)
{
	struct bpf_prog_info info;
	__u32 len = sizeof(info);

	memset(&info, 0, sizeof(info));
	if (bpf_obj_get_info_by_fd(bpf_program__fd(prog), &info, &len))
		return 0;
	return info.recursion_misses;
}

void probe_read_counters(const struct probe *p, struct probe_counters *sum,
			 struct probe_counters *per_cpu)
{
	struct frc_probe_counters *vals;
	uint32_t zero = 0;

	memset(sum, 0, sizeof(*sum));
	if (per_cpu)
		memset(per_cpu, 0, sizeof(*per_cpu) * (size_t)p->ncpus);
	vals = calloc((size_t)p->ncpus, sizeof(*vals));
	if (!vals)
		return;
	if (bpf_map_lookup_elem(bpf_map__fd(p->skel->maps.frc_counters), &zero, vals) == 0) {
		for (int c = 0; c < p->ncpus; c++) {
			struct probe_counters one = { 0 };

			one.n_evts = vals[c].n_evts;
			one.n_drops_buffer = vals[c].n_drops_buffer;
			for (int k = 0; k < FRC_DC__COUNT; k++)
				one.n_drops_buffer_class[k] = vals[c].n_drops_buffer_class[k];
			one.n_drops_scratch = vals[c].n_drops_scratch;
			one.n_drops_bug = vals[c].n_drops_bug;
			one.n_truncated = vals[c].n_truncated;
			if (per_cpu)
				per_cpu[c] = one;
			sum->n_evts += one.n_evts;
			sum->n_drops_buffer += one.n_drops_buffer;
			for (int k = 0; k < FRC_DC__COUNT; k++)
				sum->n_drops_buffer_class[k] += one.n_drops_buffer_class[k];
			sum->n_drops_scratch += one.n_drops_scratch;
			sum->n_drops_bug += one.n_drops_bug;
			sum->n_truncated += one.n_truncated;
		}
	}
	free(vals);
	sum->n_recursion_misses = prog_misses(p->skel->progs.frc_sys_exit) +
				  prog_misses(p->skel->progs.frc_sched_exec) +
				  prog_misses(p->skel->progs.frc_sched_exit);
	/* a skipped run of an entry program is an event the probe never saw */
	sum->n_evts += sum->n_recursion_misses;
}

struct frc_bpf *probe_skeleton(struct probe *p)
{
	return p->skel;
}

void probe_close(struct probe *p)
{
	if (!p)
		return;
	ring_buffer__free(p->rb);
	frc_bpf__destroy(p->skel);
	free(p);
}
