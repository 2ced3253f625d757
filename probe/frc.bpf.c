// SPDX-License-Identifier: GPL-2.0-only
/*
 * The frc probe: CO-RE programs on the raw syscall-exit tracepoint and on the scheduler's
 * exec/exit tracepoints that emit exit-only scap events (libs HEAD exit schemas, events.md
 * §3) into one BPF ring buffer.
 *
 * frc_sys_exit is the only program every syscall runs: it tests the syscall number against
 * the interest bitmap (filled from the compiled ruleset plus the state base set) and returns
 * at once for everything else, before touching any other memory. An interesting syscall
 * tail-calls its handler (frc_handlers, indexed by x86_64 syscall number); a syscall without
 * a handler becomes a generic event. Successful execve/execveat are emitted from
 * sched_process_exec (the new image is in place there), failed ones from sys_exit; thread
 * exit from sched_process_exit. Events too large for one program continue through the
 * frc_cont_* program arrays with the builder state kept in the per-CPU scratch area.
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_endian.h>

#include "frc_probe.h"
#include "frc_ppm.h"
#include "frc_sysnr.h"
#include "frc_builder.bpf.h"
#include "frc_flags.bpf.h"
#include "frc_extract.bpf.h"
#include "frc_kfilter.bpf.h"

char LICENSE[] SEC("license") = "GPL";

/* ia32 syscall number -> x86_64 syscall number (0xffff: none), filled by the loader */
const volatile __u16 cfg_ia32_map[FRC_NR_SYSCALLS] = {};
/* the fast-path bitmap: x86_64 numbers of interest plus the ia32 numbers mapping to them */
__u64 frc_hot[FRC_NR_SYSCALLS / 64] = {};

#define TS_COMPAT 0x0002
#define FRC_EINPROGRESS 115

/* continuation programs (defined below) */
int frc_generic_x(unsigned long long *ctx);
int frc_clone_x1(unsigned long long *ctx);
int frc_execx1(unsigned long long *ctx);
int frc_execx2(unsigned long long *ctx);
int frc_sched_exec1(unsigned long long *ctx);
int frc_sched_exec2(unsigned long long *ctx);

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, FRC_CONT__COUNT);
	__uint(key_size, sizeof(__u32));
	__array(values, int(void *));
} frc_cont_exit SEC(".maps") = {
	.values = {
		[FRC_CONT_GENERIC] = (void *)&frc_generic_x,
		[FRC_CONT_CLONE_1] = (void *)&frc_clone_x1,
		[FRC_CONT_EXECX_1] = (void *)&frc_execx1,
		[FRC_CONT_EXECX_2] = (void *)&frc_execx2,
	},
};

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, FRC_CONT__COUNT);
	__uint(key_size, sizeof(__u32));
	__array(values, int(void *));
} frc_cont_exec SEC(".maps") = {
	.values = {
		[FRC_CONT_EXEC_1] = (void *)&frc_sched_exec1,
		[FRC_CONT_EXEC_2] = (void *)&frc_sched_exec2,
	},
};

static __always_inline int bit_set(const __u64 *bm, __u32 nr)
{
	return (bm[(nr >> 6) & (FRC_NR_SYSCALLS / 64 - 1)] >> (nr & 63)) & 1;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(frc_generic_x, struct pt_regs *regs, long ret)
{
	struct frc_scratch *s = scratch_get();
	__u32 nr;

	if (!s)
		return 0;
	nr = s->idx;
	ev_begin(s, FRC_EV_GENERIC_X, 2, FRC_DC_OTHER);
	ev_u16(s, cfg_ppm_sc[nr & (FRC_NR_SYSCALLS - 1)]);
	ev_u16(s, (__u16)nr);
	ev_submit(s);
	return 0;
}

/* ================================================================ handler helpers */

#define HANDLER(name) \
	SEC("tp_btf/sys_exit") int BPF_PROG(name, struct pt_regs *regs, long ret)

/* opens the handler's event; `s`, `cx` (compat) and ARG(i) are then in scope */
#define BEGIN(type, n, dc)						\
	struct frc_scratch *s = scratch_get();				\
	__u8 cx;							\
	if (!s) {							\
		count_bug();						\
		return 0;						\
	}								\
	cx = s->compat;							\
	ev_begin(s, type, n, dc)

#define ARG(i) sc_arg(regs, i, cx)
#define IARG(i) ((__s64)(__s32)sc_arg(regs, i, cx))
#define UPTR(i) ((const void *)sc_arg(regs, i, cx))
#define CUR() bpf_get_current_task_btf()

/* the dev, ino and driver flag bits of a freshly opened fd */
static __always_inline void fd_open_info(__s64 fd, __u32 *dev, __u64 *ino, __u32 *flags,
					 int creat_style)
{
	struct file *f;
	int layer;

	*dev = 0;
	*ino = 0;
	if (fd < 0)
		return;
	f = fd_file(CUR(), fd);
	if (!f)
		return;
	file_dev_ino(f, dev, ino);
	layer = file_overlay_layer(f);
	if (creat_style) {
		if (layer == 1)
			*flags |= FRC_FD_UPPER_LAYER_CREAT;
		else if (layer == 2)
			*flags |= FRC_FD_LOWER_LAYER_CREAT;
		return;
	}
	if (BPF_CORE_READ(f, f_mode) & cfg_fmode_created)
		*flags |= FRC_O_F_CREATED;
	if (layer == 1)
		*flags |= FRC_FD_UPPER_LAYER;
	else if (layer == 2)
		*flags |= FRC_FD_LOWER_LAYER;
}

/* ================================================================ files */

HANDLER(h_open)
{
	__u32 dev, kf, flags;
	__u64 ino;

	BEGIN(FRC_EV_OPEN_X, 6, FRC_DC_OPEN);
	kf = (__u32)ARG(1);
	flags = open_flags_ppm(kf);
	fd_open_info(ret, &dev, &ino, &flags, 0);
	ev_s64(s, ret);
	ev_str_user(s, UPTR(0), FRC_MAX_PATH);
	ev_u32(s, flags);
	ev_u32(s, open_mode_ppm(kf, ARG(2)));
	ev_u32(s, dev);
	ev_u64(s, ino);
	ev_submit(s);
	return 0;
}

HANDLER(h_openat)
{
	__u32 dev, kf, flags;
	__u64 ino;

	BEGIN(FRC_EV_OPENAT_2_X, 7, FRC_DC_OPEN);
	kf = (__u32)ARG(2);
	flags = open_flags_ppm(kf);
	fd_open_info(ret, &dev, &ino, &flags, 0);
	ev_s64(s, ret);
	ev_s64(s, dirfd_arg(ARG(0)));
	ev_str_user(s, UPTR(1), FRC_MAX_PATH);
	ev_u32(s, flags);
	ev_u32(s, open_mode_ppm(kf, ARG(3)));
	ev_u32(s, dev);
	ev_u64(s, ino);
	ev_submit(s);
	return 0;
}

HANDLER(h_openat2)
{
	struct { __u64 flags, mode, resolve; } how = {};
	__u32 dev, flags;
	__u64 ino;

	BEGIN(FRC_EV_OPENAT2_X, 8, FRC_DC_OPEN);
	bpf_probe_read_user(&how, sizeof(how), UPTR(2));
	flags = open_flags_ppm((__u32)how.flags);
	fd_open_info(ret, &dev, &ino, &flags, 0);
	ev_s64(s, ret);
	ev_s64(s, dirfd_arg(ARG(0)));
	ev_str_user(s, UPTR(1), FRC_MAX_PATH);
	ev_u32(s, flags);
	ev_u32(s, open_mode_ppm((__u32)how.flags, how.mode));
	ev_u32(s, openat2_resolve_ppm(how.resolve));
	ev_u32(s, dev);
	ev_u64(s, ino);
	ev_submit(s);
	return 0;
}

HANDLER(h_creat)
{
	__u32 dev, cflags = 0;
	__u64 ino;

	BEGIN(FRC_EV_CREAT_X, 6, FRC_DC_OPEN);
	fd_open_info(ret, &dev, &ino, &cflags, 1);
	ev_s64(s, ret);
	ev_str_user(s, UPTR(0), FRC_MAX_PATH);
	ev_u32(s, mode_ppm(ARG(1)));
	ev_u32(s, dev);
	ev_u64(s, ino);
	ev_u16(s, (__u16)cflags);
	ev_submit(s);
	return 0;
}

HANDLER(h_open_by_handle_at)
{
	__u32 dev, flags;
	__u64 ino;

	BEGIN(FRC_EV_OPEN_BY_HANDLE_AT_X, 6, FRC_DC_OPEN);
	flags = open_flags_ppm((__u32)ARG(2));
	fd_open_info(ret, &dev, &ino, &flags, 0);
	ev_s64(s, ret);
	ev_s64(s, dirfd_arg(ARG(0)));
	ev_u32(s, flags);
	if (ret >= 0)
		ev_file_path(s, fd_file(CUR(), ret));
	else
		ev_empty(s);
	ev_u32(s, dev);
	ev_u64(s, ino);
	ev_submit(s);
	return 0;
}

HANDLER(h_close)
{
	BEGIN(FRC_EV_CLOSE_X, 2, FRC_DC_CLOSE);
	ev_s64(s, ret);
	ev_s64(s, IARG(0));
	ev_submit(s);
	return 0;
}

HANDLER(h_close_range)
{
	BEGIN(FRC_EV_CLOSE_RANGE_X, 4, FRC_DC_CLOSE);
	ev_s64(s, ret);
	ev_u32(s, (__u32)ARG(0));
	ev_u32(s, (__u32)ARG(1));
	ev_u32(s, close_range_flags_ppm(ARG(2)));
	ev_submit(s);
	return 0;
}

/* res, one path argument (rmdir, unlink, chdir, chroot, umount) */
#define PATH1_HANDLER(name, code, dc)					\
HANDLER(name)								\
{									\
	BEGIN(code, 2, dc);						\
	ev_s64(s, ret);							\
	ev_str_user(s, UPTR(0), FRC_MAX_PATH);				\
	ev_submit(s);							\
	return 0;							\
}

PATH1_HANDLER(h_rmdir, FRC_EV_RMDIR_2_X, FRC_DC_DIR_FILE)
PATH1_HANDLER(h_unlink, FRC_EV_UNLINK_2_X, FRC_DC_DIR_FILE)
PATH1_HANDLER(h_chdir, FRC_EV_CHDIR_X, FRC_DC_OTHER)
PATH1_HANDLER(h_chroot, FRC_EV_CHROOT_X, FRC_DC_OTHER)

/* res, two path arguments (rename, link, symlink) */
#define PATH2_HANDLER(name, code)					\
HANDLER(name)								\
{									\
	BEGIN(code, 3, FRC_DC_DIR_FILE);				\
	ev_s64(s, ret);							\
	ev_str_user(s, UPTR(0), FRC_MAX_PATH);				\
	ev_str_user(s, UPTR(1), FRC_MAX_PATH);				\
	ev_submit(s);							\
	return 0;							\
}

PATH2_HANDLER(h_rename, FRC_EV_RENAME_X)
PATH2_HANDLER(h_link, FRC_EV_LINK_2_X)
PATH2_HANDLER(h_symlink, FRC_EV_SYMLINK_X)

HANDLER(h_renameat)
{
	BEGIN(FRC_EV_RENAMEAT_X, 5, FRC_DC_DIR_FILE);
	ev_s64(s, ret);
	ev_s64(s, dirfd_arg(ARG(0)));
	ev_str_user(s, UPTR(1), FRC_MAX_PATH);
	ev_s64(s, dirfd_arg(ARG(2)));
	ev_str_user(s, UPTR(3), FRC_MAX_PATH);
	ev_submit(s);
	return 0;
}

HANDLER(h_renameat2)
{
	BEGIN(FRC_EV_RENAMEAT2_X, 6, FRC_DC_DIR_FILE);
	ev_s64(s, ret);
	ev_s64(s, dirfd_arg(ARG(0)));
	ev_str_user(s, UPTR(1), FRC_MAX_PATH);
	ev_s64(s, dirfd_arg(ARG(2)));
	ev_str_user(s, UPTR(3), FRC_MAX_PATH);
	ev_u32(s, (__u32)ARG(4) & 7);
	ev_submit(s);
	return 0;
}

HANDLER(h_linkat)
{
	BEGIN(FRC_EV_LINKAT_2_X, 6, FRC_DC_DIR_FILE);
	ev_s64(s, ret);
	ev_s64(s, dirfd_arg(ARG(0)));
	ev_str_user(s, UPTR(1), FRC_MAX_PATH);
	ev_s64(s, dirfd_arg(ARG(2)));
	ev_str_user(s, UPTR(3), FRC_MAX_PATH);
	ev_u32(s, linkat_flags_ppm(ARG(4)));
	ev_submit(s);
	return 0;
}

HANDLER(h_symlinkat)
{
	BEGIN(FRC_EV_SYMLINKAT_X, 4, FRC_DC_DIR_FILE);
	ev_s64(s, ret);
	ev_str_user(s, UPTR(0), FRC_MAX_PATH);
	ev_s64(s, dirfd_arg(ARG(1)));
	ev_str_user(s, UPTR(2), FRC_MAX_PATH);
	ev_submit(s);
	return 0;
}

HANDLER(h_unlinkat)
{
	BEGIN(FRC_EV_UNLINKAT_2_X, 4, FRC_DC_DIR_FILE);
	ev_s64(s, ret);
	ev_s64(s, dirfd_arg(ARG(0)));
	ev_str_user(s, UPTR(1), FRC_MAX_PATH);
	ev_u32(s, unlinkat_flags_ppm(ARG(2)));
	ev_submit(s);
	return 0;
}

HANDLER(h_mkdir)
{
	BEGIN(FRC_EV_MKDIR_2_X, 3, FRC_DC_DIR_FILE);
	ev_s64(s, ret);
	ev_str_user(s, UPTR(0), FRC_MAX_PATH);
	ev_u32(s, (__u32)ARG(1));
	ev_submit(s);
	return 0;
}

HANDLER(h_mkdirat)
{
	BEGIN(FRC_EV_MKDIRAT_X, 4, FRC_DC_DIR_FILE);
	ev_s64(s, ret);
	ev_s64(s, dirfd_arg(ARG(0)));
	ev_str_user(s, UPTR(1), FRC_MAX_PATH);
	ev_u32(s, (__u32)ARG(2));
	ev_submit(s);
	return 0;
}

HANDLER(h_chmod)
{
	BEGIN(FRC_EV_CHMOD_X, 3, FRC_DC_DIR_FILE);
	ev_s64(s, ret);
	ev_str_user(s, UPTR(0), FRC_MAX_PATH);
	ev_u32(s, mode_ppm(ARG(1)));
	ev_submit(s);
	return 0;
}

HANDLER(h_fchmod)
{
	BEGIN(FRC_EV_FCHMOD_X, 3, FRC_DC_DIR_FILE);
	ev_s64(s, ret);
	ev_s64(s, IARG(0));
	ev_u32(s, mode_ppm(ARG(1)));
	ev_submit(s);
	return 0;
}

/* fchmodat and fchmodat2 (reported as fchmodat: same arguments plus flags) */
HANDLER(h_fchmodat)
{
	BEGIN(FRC_EV_FCHMODAT_X, 4, FRC_DC_DIR_FILE);
	ev_s64(s, ret);
	ev_s64(s, dirfd_arg(ARG(0)));
	ev_str_user(s, UPTR(1), FRC_MAX_PATH);
	ev_u32(s, mode_ppm(ARG(2)));
	ev_submit(s);
	return 0;
}

HANDLER(h_fchdir)
{
	BEGIN(FRC_EV_FCHDIR_X, 2, FRC_DC_OTHER);
	ev_s64(s, ret);
	ev_s64(s, IARG(0));
	ev_submit(s);
	return 0;
}

HANDLER(h_mount)
{
	BEGIN(FRC_EV_MOUNT_X, 5, FRC_DC_OTHER);
	ev_s64(s, ret);
	ev_str_user(s, UPTR(0), FRC_MAX_PATH);
	ev_str_user(s, UPTR(1), FRC_MAX_PATH);
	ev_str_user(s, UPTR(2), FRC_MAX_COMPONENT);
	ev_u32(s, mount_flags_ppm(ARG(3)));
	ev_submit(s);
	return 0;
}

HANDLER(h_umount2)
{
	BEGIN(FRC_EV_UMOUNT2_X, 3, FRC_DC_OTHER);
	ev_s64(s, ret);
	ev_str_user(s, UPTR(0), FRC_MAX_PATH);
	ev_u32(s, umount2_flags_ppm(ARG(1)));
	ev_submit(s);
	return 0;
}

/* ================================================================ fd creation */

HANDLER(h_dup)
{
	BEGIN(FRC_EV_DUP_1_X, 2, FRC_DC_OTHER);
	ev_s64(s, ret);
	ev_s64(s, IARG(0));
	ev_submit(s);
	return 0;
}

HANDLER(h_dup2)
{
	BEGIN(FRC_EV_DUP2_X, 3, FRC_DC_OTHER);
	ev_s64(s, ret);
	ev_s64(s, IARG(0));
	ev_s64(s, IARG(1));
	ev_submit(s);
	return 0;
}

HANDLER(h_dup3)
{
	BEGIN(FRC_EV_DUP3_X, 4, FRC_DC_OTHER);
	ev_s64(s, ret);
	ev_s64(s, IARG(0));
	ev_s64(s, IARG(1));
	ev_u32(s, dup3_flags_ppm(ARG(2)));
	ev_submit(s);
	return 0;
}

HANDLER(h_fcntl)
{
	BEGIN(FRC_EV_FCNTL_X, 4, FRC_DC_OTHER);
	ev_s64(s, ret);
	ev_s64(s, IARG(0));
	ev_u8(s, fcntl_cmd_ppm(ARG(1)));
	ev_u64(s, ARG(2));
	ev_submit(s);
	return 0;
}

static __always_inline void pipe_common(struct frc_scratch *s, long ret, const void *ufds)
{
	__s32 fds[2] = { -1, -1 };
	__u32 dev;
	__u64 ino = 0;

	if (bpf_probe_read_user(fds, sizeof(fds), ufds)) {
		fds[0] = -1;
		fds[1] = -1;
	}
	if (ret == 0) {
		struct file *f = fd_file(CUR(), fds[0]);

		if (f)
			file_dev_ino(f, &dev, &ino);
	}
	ev_s64(s, ret);
	ev_s64(s, fds[0]);
	ev_s64(s, fds[1]);
	ev_u64(s, ino);
}

HANDLER(h_pipe)
{
	BEGIN(FRC_EV_PIPE_X, 4, FRC_DC_OTHER);
	pipe_common(s, ret, UPTR(0));
	ev_submit(s);
	return 0;
}

HANDLER(h_pipe2)
{
	BEGIN(FRC_EV_PIPE2_X, 5, FRC_DC_OTHER);
	pipe_common(s, ret, UPTR(0));
	ev_u32(s, pipe2_flags_ppm((__s32)ARG(1)));
	ev_submit(s);
	return 0;
}

HANDLER(h_eventfd)
{
	BEGIN(FRC_EV_EVENTFD_X, 3, FRC_DC_OTHER);
	ev_s64(s, ret);
	ev_u64(s, ARG(0));
	ev_u32(s, 0);
	ev_submit(s);
	return 0;
}

HANDLER(h_eventfd2)
{
	BEGIN(FRC_EV_EVENTFD2_X, 3, FRC_DC_OTHER);
	ev_s64(s, ret);
	ev_u16(s, (__u16)nonblock_cloexec_ppm((__s32)ARG(1)));
	ev_u64(s, ARG(0));
	ev_submit(s);
	return 0;
}

HANDLER(h_signalfd)
{
	BEGIN(FRC_EV_SIGNALFD_X, 4, FRC_DC_OTHER);
	ev_s64(s, ret);
	ev_s64(s, IARG(0));
	ev_u32(s, 0);
	ev_u8(s, 0);
	ev_submit(s);
	return 0;
}

HANDLER(h_signalfd4)
{
	BEGIN(FRC_EV_SIGNALFD4_X, 4, FRC_DC_OTHER);
	ev_s64(s, ret);
	ev_u16(s, (__u16)nonblock_cloexec_ppm((__s32)ARG(3)));
	ev_s64(s, IARG(0));
	ev_u32(s, 0);
	ev_submit(s);
	return 0;
}

HANDLER(h_timerfd_create)
{
	BEGIN(FRC_EV_TIMERFD_CREATE_X, 3, FRC_DC_OTHER);
	ev_s64(s, ret);
	ev_u8(s, (__u8)ARG(0));
	ev_u8(s, (__u8)nonblock_cloexec_ppm((__s32)ARG(1)));
	ev_submit(s);
	return 0;
}

HANDLER(h_inotify_init)
{
	BEGIN(FRC_EV_INOTIFY_INIT_X, 2, FRC_DC_OTHER);
	ev_s64(s, ret);
	ev_u8(s, 0);
	ev_submit(s);
	return 0;
}

HANDLER(h_inotify_init1)
{
	BEGIN(FRC_EV_INOTIFY_INIT1_X, 2, FRC_DC_OTHER);
	ev_s64(s, ret);
	ev_u16(s, (__u16)nonblock_cloexec_ppm((__s32)ARG(0)));
	ev_submit(s);
	return 0;
}

HANDLER(h_epoll_create)
{
	BEGIN(FRC_EV_EPOLL_CREATE_X, 2, FRC_DC_OTHER);
	ev_s64(s, ret);
	ev_u32(s, (__u32)ARG(0));
	ev_submit(s);
	return 0;
}

HANDLER(h_epoll_create1)
{
	BEGIN(FRC_EV_EPOLL_CREATE1_X, 2, FRC_DC_OTHER);
	ev_s64(s, ret);
	ev_u32(s, epoll_create1_flags_ppm(ARG(0)));
	ev_submit(s);
	return 0;
}

HANDLER(h_memfd_create)
{
	BEGIN(FRC_EV_MEMFD_CREATE_X, 3, FRC_DC_OTHER);
	ev_s64(s, ret);
	ev_str_user(s, UPTR(0), FRC_MAX_COMPONENT);
	ev_u32(s, memfd_flags_ppm(ARG(1)));
	ev_submit(s);
	return 0;
}

HANDLER(h_pidfd_open)
{
	BEGIN(FRC_EV_PIDFD_OPEN_X, 3, FRC_DC_OTHER);
	ev_s64(s, ret);
	ev_s64(s, IARG(0));
	ev_u32(s, pidfd_open_flags_ppm(ARG(1)));
	ev_submit(s);
	return 0;
}

HANDLER(h_pidfd_getfd)
{
	BEGIN(FRC_EV_PIDFD_GETFD_X, 4, FRC_DC_OTHER);
	ev_s64(s, ret);
	ev_s64(s, IARG(0));
	ev_s64(s, IARG(1));
	ev_u32(s, (__u32)ARG(2));
	ev_submit(s);
	return 0;
}

HANDLER(h_io_uring_setup)
{
	struct { __u32 sq, cq, flags, cpu, idle, features; } p = {};

	BEGIN(FRC_EV_IO_URING_SETUP_X, 8, FRC_DC_OTHER);
	bpf_probe_read_user(&p, sizeof(p), UPTR(1));
	ev_s64(s, ret);
	ev_u32(s, (__u32)ARG(0));
	ev_u32(s, p.sq);
	ev_u32(s, p.cq);
	ev_u32(s, p.flags);
	ev_u32(s, p.cpu);
	ev_u32(s, p.idle);
	ev_u32(s, p.features);
	ev_submit(s);
	return 0;
}

HANDLER(h_userfaultfd)
{
	BEGIN(FRC_EV_USERFAULTFD_X, 2, FRC_DC_OTHER);
	ev_s64(s, ret);
	ev_u32(s, nonblock_cloexec_ppm((__s32)ARG(0)));
	ev_submit(s);
	return 0;
}

HANDLER(h_bpf)
{
	BEGIN(FRC_EV_BPF_2_X, 2, FRC_DC_OTHER);
	ev_s64(s, ret);
	ev_u32(s, (__u32)ARG(0));
	ev_submit(s);
	return 0;
}

/* ================================================================ sockets */

HANDLER(h_socket)
{
	BEGIN(FRC_EV_SOCKET_X, 5, FRC_DC_OTHER);
	ev_s64(s, ret);
	ev_u32(s, (__u32)ARG(0) & 0xff);
	ev_u32(s, (__u32)ARG(1));
	ev_u32(s, (__u32)ARG(2));
	ev_u32(s, nonblock_cloexec_ppm((__s32)ARG(1) & 0x7fffffff));
	ev_submit(s);
	return 0;
}

HANDLER(h_socketpair)
{
	__s32 fds[2] = { -1, -1 };
	__u64 src = 0, peer = 0;

	BEGIN(FRC_EV_SOCKETPAIR_X, 8, FRC_DC_OTHER);
	if (ret == 0) {
		struct socket *so;

		bpf_probe_read_user(fds, sizeof(fds), UPTR(3));
		so = file_socket(fd_file(CUR(), fds[0]));
		if (so) {
			struct sock *sk = BPF_CORE_READ(so, sk);

			src = (__u64)sk;
			peer = (__u64)BPF_CORE_READ((struct unix_sock *)sk, peer);
		}
	}
	ev_s64(s, ret);
	ev_s64(s, fds[0]);
	ev_s64(s, fds[1]);
	ev_u64(s, src);
	ev_u64(s, peer);
	ev_u32(s, (__u32)ARG(0) & 0xff);
	ev_u32(s, (__u32)ARG(1));
	ev_u32(s, (__u32)ARG(2));
	ev_submit(s);
	return 0;
}

HANDLER(h_bind)
{
	BEGIN(FRC_EV_BIND_X, 3, FRC_DC_OTHER);
	ev_s64(s, ret);
	ev_sockaddr_user(s, UPTR(1), (__u32)ARG(2));
	ev_s64(s, IARG(0));
	ev_submit(s);
	return 0;
}

HANDLER(h_connect)
{
	__s64 fd;

	BEGIN(FRC_EV_CONNECT_X, 4, FRC_DC_CONNECT);
	fd = IARG(0);
	ev_s64(s, ret);
	if (ret == 0 || ret == -FRC_EINPROGRESS)
		ev_socktuple(s, CUR(), fd, 1, UPTR(1));
	else
		ev_empty(s);
	ev_s64(s, fd);
	ev_sockaddr_user(s, UPTR(1), (__u32)ARG(2));
	ev_submit(s);
	return 0;
}

HANDLER(h_listen)
{
	BEGIN(FRC_EV_LISTEN_X, 3, FRC_DC_OTHER);
	ev_s64(s, ret);
	ev_s64(s, IARG(0));
	ev_u32(s, (__u32)ARG(1));
	ev_submit(s);
	return 0;
}

static __always_inline void accept_common(struct frc_scratch *s, struct pt_regs *regs, long ret,
					  __u8 cx)
{
	__u32 qlen = 0, qmax = 0;
	__u8 pct = 0;

	ev_s64(s, ret);
	if (ret >= 0) {
		struct task_struct *t = CUR();
		struct socket *ls;

		ev_socktuple(s, t, ret, 0, NULL);
		ls = file_socket(fd_file(t, IARG(0)));
		if (ls) {
			struct sock *sk = BPF_CORE_READ(ls, sk);

			qlen = BPF_CORE_READ(sk, sk_ack_backlog);
			qmax = BPF_CORE_READ(sk, sk_max_ack_backlog);
			if (qlen && qmax)
				pct = (__u8)((__u64)qlen * 100 / qmax);
		}
	} else {
		ev_empty(s);
	}
	ev_u8(s, pct);
	ev_u32(s, qlen);
	ev_u32(s, qmax);
}

HANDLER(h_accept)
{
	BEGIN(FRC_EV_ACCEPT_5_X, 5, FRC_DC_OTHER);
	accept_common(s, regs, ret, cx);
	ev_submit(s);
	return 0;
}

HANDLER(h_accept4)
{
	BEGIN(FRC_EV_ACCEPT4_6_X, 6, FRC_DC_OTHER);
	accept_common(s, regs, ret, cx);
	ev_u32(s, nonblock_cloexec_ppm((__s32)ARG(3)));
	ev_submit(s);
	return 0;
}

HANDLER(h_shutdown)
{
	BEGIN(FRC_EV_SHUTDOWN_X, 3, FRC_DC_OTHER);
	ev_s64(s, ret);
	ev_s64(s, IARG(0));
	ev_u8(s, shutdown_how_ppm(ARG(1)));
	ev_submit(s);
	return 0;
}

HANDLER(h_getsockopt)
{
	__s32 level, optname, optlen = 0;
	__u8 plevel = 0, pname = 0;
	__u32 off = 0;

	BEGIN(FRC_EV_GETSOCKOPT_X, 6, FRC_DC_OTHER);
	level = (__s32)ARG(1);
	optname = (__s32)ARG(2);
	bpf_probe_read_user(&optlen, sizeof(optlen), UPTR(4));
	if (level == 1) {	/* SOL_SOCKET */
		plevel = 1;
		if (optname == 4)	/* SO_ERROR */
			pname = 4;
	} else if (level == 6) {	/* SOL_TCP */
		plevel = 2;
	}
	ev_s64(s, ret);
	ev_s64(s, IARG(0));
	ev_u8(s, plevel);
	ev_u8(s, pname);
	/* val: SO_ERROR as an errno (negated, as the drivers do), anything else as raw bytes */
	if (ret == 0 && pname == 4) {
		__s32 err = 0;

		bpf_probe_read_user(&err, sizeof(err), UPTR(3));
		ev_raw_u8(s, &off, 1);	/* PPM_SOCKOPT_IDX_ERRNO */
		ev_raw_u64(s, &off, (__u64)(-(__s64)err));
		ev_plen(s, off);
	} else if (ret == 0 && optlen == 4) {
		__u32 v = 0;

		bpf_probe_read_user(&v, sizeof(v), UPTR(3));
		ev_raw_u8(s, &off, 2);	/* PPM_SOCKOPT_IDX_UINT32 */
		ev_raw_u32(s, &off, v);
		ev_plen(s, off);
	} else {
		ev_raw_u8(s, &off, 0);	/* PPM_SOCKOPT_IDX_UNKNOWN, no data */
		ev_plen(s, off);
	}
	ev_u32(s, (__u32)optlen);
	ev_submit(s);
	return 0;
}

/* the byte count of a user iovec array (up to 16 entries) */
struct frc_iovec {
	__u64 base;
	__u64 len;
};

static __always_inline __u64 iov_total(const struct frc_iovec *uiov, __u64 cnt)
{
	struct frc_iovec v;
	__u64 tot = 0;
	int i;

	for (i = 0; i < 16; i++) {
		if (i >= cnt)
			break;
		if (bpf_probe_read_user(&v, sizeof(v), &uiov[i]))
			break;
		tot += v.len;
	}
	return tot;
}

/* data of the first iovec, up to the snaplen and @avail bytes */
static __always_inline void ev_iov_data(struct frc_scratch *s, const struct frc_iovec *uiov,
					__u64 cnt, __s64 avail)
{
	struct frc_iovec v = {};
	__u64 n;

	if (!cnt || avail <= 0 || bpf_probe_read_user(&v, sizeof(v), uiov)) {
		ev_empty(s);
		return;
	}
	n = v.len < (__u64)avail ? v.len : (__u64)avail;
	if (n > cfg_snaplen)
		n = cfg_snaplen;
	ev_bytes_user(s, (const void *)v.base, n, FRC_SNAPLEN_MAX);
}

struct frc_msghdr {
	__u64 name;
	__u32 namelen;
	__u32 pad0;
	__u64 iov;
	__u64 iovlen;
	__u64 control;
	__u64 controllen;
	__u32 flags;
	__u32 pad1;
};

HANDLER(h_sendto)
{
	__u64 size, n;
	__s64 fd;

	BEGIN(FRC_EV_SENDTO_X, 5, FRC_DC_OTHER);
	fd = IARG(0);
	size = (__u32)ARG(2);
	n = ret > 0 ? (__u64)ret : size;
	if (n > cfg_snaplen)
		n = cfg_snaplen;
	ev_s64(s, ret);
	ev_bytes_user(s, UPTR(1), n, FRC_SNAPLEN_MAX);
	ev_s64(s, fd);
	ev_u32(s, (__u32)size);
	if (ret >= 0)
		ev_socktuple(s, CUR(), fd, 1, UPTR(4));
	else
		ev_empty(s);
	ev_submit(s);
	return 0;
}

HANDLER(h_recvfrom)
{
	__s64 fd;
	__u64 n;

	BEGIN(FRC_EV_RECVFROM_X, 5, FRC_DC_OTHER);
	fd = IARG(0);
	ev_s64(s, ret);
	if (ret >= 0) {
		n = (__u64)ret;
		if (n > cfg_snaplen)
			n = cfg_snaplen;
		ev_bytes_user(s, UPTR(1), n, FRC_SNAPLEN_MAX);
		ev_socktuple(s, CUR(), fd, 0, UPTR(4));
	} else {
		ev_empty(s);
		ev_empty(s);
	}
	ev_s64(s, fd);
	ev_u32(s, (__u32)ARG(2));
	ev_submit(s);
	return 0;
}

HANDLER(h_sendmsg)
{
	struct frc_msghdr m = {};
	__s64 fd;
	int ok;

	BEGIN(FRC_EV_SENDMSG_X, 5, FRC_DC_OTHER);
	fd = IARG(0);
	ok = !cx && !bpf_probe_read_user(&m, sizeof(m), UPTR(1));
	ev_s64(s, ret);
	if (ok)
		ev_iov_data(s, (void *)m.iov, m.iovlen, ret > 0 ? ret : 0x7fffffff);
	else
		ev_empty(s);
	ev_s64(s, fd);
	ev_u32(s, ok ? (__u32)iov_total((void *)m.iov, m.iovlen) : 0);
	if (ret >= 0)
		ev_socktuple(s, CUR(), fd, 1, ok ? (void *)m.name : NULL);
	else
		ev_empty(s);
	ev_submit(s);
	return 0;
}

HANDLER(h_recvmsg)
{
	struct frc_msghdr m = {};
	__s64 fd;
	int ok;

	BEGIN(FRC_EV_RECVMSG_X, 6, FRC_DC_OTHER);
	fd = IARG(0);
	ok = !cx && !bpf_probe_read_user(&m, sizeof(m), UPTR(1));
	ev_s64(s, ret);
	if (ret >= 0) {
		ev_u32(s, (__u32)ret);
		if (ok)
			ev_iov_data(s, (void *)m.iov, m.iovlen, ret);
		else
			ev_empty(s);
		ev_socktuple(s, CUR(), fd, 0, ok ? (void *)m.name : NULL);
		if (ok && m.control && m.controllen > 0 && m.controllen <= 0xffff)
			ev_bytes_user(s, (void *)m.control, m.controllen, FRC_SNAPLEN_MAX);
		else
			ev_empty(s);
	} else {
		ev_u32(s, 0);
		ev_empty(s);
		ev_empty(s);
		ev_empty(s);
	}
	ev_s64(s, fd);
	ev_submit(s);
	return 0;
}

/* sendmmsg/recvmmsg: one event describing the first message */
HANDLER(h_sendmmsg)
{
	struct frc_msghdr m = {};
	__s64 fd;
	int ok;

	BEGIN(FRC_EV_SENDMMSG_X, 5, FRC_DC_OTHER);
	fd = IARG(0);
	ok = !cx && !bpf_probe_read_user(&m, sizeof(m), UPTR(1));
	ev_s64(s, ret);
	ev_s64(s, fd);
	ev_u32(s, ok ? (__u32)iov_total((void *)m.iov, m.iovlen) : 0);
	if (ok)
		ev_iov_data(s, (void *)m.iov, m.iovlen, 0x7fffffff);
	else
		ev_empty(s);
	if (ret >= 0)
		ev_socktuple(s, CUR(), fd, 1, ok ? (void *)m.name : NULL);
	else
		ev_empty(s);
	ev_submit(s);
	return 0;
}

HANDLER(h_recvmmsg)
{
	struct frc_msghdr m = {};
	__u32 len = 0;
	__s64 fd;
	int ok;

	BEGIN(FRC_EV_RECVMMSG_X, 6, FRC_DC_OTHER);
	fd = IARG(0);
	ok = !cx && !bpf_probe_read_user(&m, sizeof(m), UPTR(1));
	if (ok)	/* struct mmsghdr: the msghdr, then the received length */
		bpf_probe_read_user(&len, sizeof(len), (const char *)UPTR(1) + sizeof(m));
	ev_s64(s, ret);
	ev_s64(s, fd);
	ev_u32(s, len);
	if (ok && ret > 0)
		ev_iov_data(s, (void *)m.iov, m.iovlen, len);
	else
		ev_empty(s);
	if (ret >= 0)
		ev_socktuple(s, CUR(), fd, 0, ok ? (void *)m.name : NULL);
	else
		ev_empty(s);
	ev_empty(s);
	ev_submit(s);
	return 0;
}

/* ================================================================ credentials and limits */

#define ID1_HANDLER(name, code)						\
HANDLER(name)								\
{									\
	BEGIN(code, 2, FRC_DC_OTHER);					\
	ev_s64(s, ret);							\
	ev_u32(s, (__u32)ARG(0));					\
	ev_submit(s);							\
	return 0;							\
}

ID1_HANDLER(h_setuid, FRC_EV_SETUID_X)
ID1_HANDLER(h_setgid, FRC_EV_SETGID_X)

#define ID2_HANDLER(name, code)						\
HANDLER(name)								\
{									\
	BEGIN(code, 3, FRC_DC_OTHER);					\
	ev_s64(s, ret);							\
	ev_u32(s, (__u32)ARG(0));					\
	ev_u32(s, (__u32)ARG(1));					\
	ev_submit(s);							\
	return 0;							\
}

ID2_HANDLER(h_setreuid, FRC_EV_SETREUID_X)
ID2_HANDLER(h_setregid, FRC_EV_SETREGID_X)

#define ID3_HANDLER(name, code)						\
HANDLER(name)								\
{									\
	BEGIN(code, 4, FRC_DC_OTHER);					\
	ev_s64(s, ret);							\
	ev_u32(s, (__u32)ARG(0));					\
	ev_u32(s, (__u32)ARG(1));					\
	ev_u32(s, (__u32)ARG(2));					\
	ev_submit(s);							\
	return 0;							\
}

ID3_HANDLER(h_setresuid, FRC_EV_SETRESUID_X)
ID3_HANDLER(h_setresgid, FRC_EV_SETRESGID_X)

HANDLER(h_setsid)
{
	BEGIN(FRC_EV_SETSID_X, 1, FRC_DC_OTHER);
	ev_s64(s, ret);
	ev_submit(s);
	return 0;
}

HANDLER(h_setpgid)
{
	BEGIN(FRC_EV_SETPGID_X, 3, FRC_DC_OTHER);
	ev_s64(s, ret);
	ev_s64(s, IARG(0));
	ev_s64(s, IARG(1));
	ev_submit(s);
	return 0;
}

HANDLER(h_capset)
{
	struct task_struct *t;

	BEGIN(FRC_EV_CAPSET_X, 4, FRC_DC_OTHER);
	t = CUR();
	ev_s64(s, ret);
	ev_u64(s, task_cap(t, 0));
	ev_u64(s, task_cap(t, 1));
	ev_u64(s, task_cap(t, 2));
	ev_submit(s);
	return 0;
}

HANDLER(h_prctl)
{
	__u32 opt;
	__u64 a2;

	BEGIN(FRC_EV_PRCTL_X, 4, FRC_DC_OTHER);
	opt = (__u32)ARG(0);
	a2 = ARG(1);
	ev_s64(s, ret);
	ev_u32(s, opt);
	if (opt == FRC_PR_SET_NAME || opt == FRC_PR_GET_NAME) {
		ev_str_user(s, (const void *)a2, 16);
		ev_s64(s, 0);
	} else if (opt == FRC_PR_GET_CHILD_SUBREAPER) {
		__s32 v = 0;

		bpf_probe_read_user(&v, sizeof(v), (const void *)a2);
		ev_empty(s);
		ev_s64(s, v);
	} else {
		ev_empty(s);
		ev_s64(s, (__s64)a2);
	}
	ev_submit(s);
	return 0;
}

struct frc_rlimit {
	__s64 cur, max;
};

HANDLER(h_getrlimit)
{
	struct frc_rlimit r = { -1, -1 };

	BEGIN(FRC_EV_GETRLIMIT_X, 4, FRC_DC_OTHER);
	if (ret == 0)
		bpf_probe_read_user(&r, sizeof(r), UPTR(1));
	ev_s64(s, ret);
	ev_s64(s, r.cur);
	ev_s64(s, r.max);
	ev_u8(s, rlimit_ppm(ARG(0)));
	ev_submit(s);
	return 0;
}

HANDLER(h_setrlimit)
{
	struct frc_rlimit r = { -1, -1 };

	BEGIN(FRC_EV_SETRLIMIT_X, 4, FRC_DC_OTHER);
	bpf_probe_read_user(&r, sizeof(r), UPTR(1));
	ev_s64(s, ret);
	ev_s64(s, r.cur);
	ev_s64(s, r.max);
	ev_u8(s, rlimit_ppm(ARG(0)));
	ev_submit(s);
	return 0;
}

HANDLER(h_prlimit64)
{
	struct frc_rlimit nr = { -1, -1 }, old = { -1, -1 };

	BEGIN(FRC_EV_PRLIMIT_X, 7, FRC_DC_OTHER);
	if (ARG(2))
		bpf_probe_read_user(&nr, sizeof(nr), UPTR(2));
	if (ret == 0 && ARG(3))
		bpf_probe_read_user(&old, sizeof(old), UPTR(3));
	ev_s64(s, ret);
	ev_s64(s, nr.cur);
	ev_s64(s, nr.max);
	ev_s64(s, old.cur);
	ev_s64(s, old.max);
	ev_s64(s, IARG(0));
	ev_u8(s, rlimit_ppm(ARG(1)));
	ev_submit(s);
	return 0;
}

HANDLER(h_setns)
{
	BEGIN(FRC_EV_SETNS_X, 3, FRC_DC_OTHER);
	ev_s64(s, ret);
	ev_s64(s, IARG(0));
	ev_u32(s, clone_flags_ppm(ARG(1)));
	ev_submit(s);
	return 0;
}

HANDLER(h_unshare)
{
	BEGIN(FRC_EV_UNSHARE_X, 2, FRC_DC_OTHER);
	ev_s64(s, ret);
	ev_u32(s, clone_flags_ppm(ARG(0)));
	ev_submit(s);
	return 0;
}

/* ================================================================ security-relevant others */

HANDLER(h_ptrace)
{
	__u16 req;
	__u64 addr, data;
	__u32 off = 0;

	BEGIN(FRC_EV_PTRACE_X, 5, FRC_DC_OTHER);
	req = ptrace_req_ppm(ARG(0));
	addr = ARG(2);
	data = ARG(3);
	ev_s64(s, ret);
	/* addr */
	ev_raw_u8(s, &off, FRC_PTRACE_IDX_UINT64);
	ev_raw_u64(s, &off, ret < 0 ? 0 : addr);
	ev_plen(s, off);
	/* data */
	off = 0;
	if (ret < 0) {
		ev_raw_u8(s, &off, FRC_PTRACE_IDX_UINT64);
		ev_raw_u64(s, &off, 0);
	} else if (req == FRC_PTRACE_PEEKTEXT || req == FRC_PTRACE_PEEKDATA ||
		   req == FRC_PTRACE_PEEKUSR) {
		__u64 v = 0;

		bpf_probe_read_user(&v, sizeof(v), (const void *)data);
		ev_raw_u8(s, &off, FRC_PTRACE_IDX_UINT64);
		ev_raw_u64(s, &off, v);
	} else if (req == FRC_PTRACE_CONT || req == FRC_PTRACE_SINGLESTEP ||
		   req == FRC_PTRACE_DETACH || req == FRC_PTRACE_SYSCALL) {
		ev_raw_u8(s, &off, FRC_PTRACE_IDX_SIGTYPE);
		ev_raw_u8(s, &off, (__u8)data);
	} else {
		ev_raw_u8(s, &off, FRC_PTRACE_IDX_UINT64);
		ev_raw_u64(s, &off, data);
	}
	ev_plen(s, off);
	ev_u16(s, req);
	ev_s64(s, IARG(1));
	ev_submit(s);
	return 0;
}

HANDLER(h_init_module)
{
	__u64 len;

	BEGIN(FRC_EV_INIT_MODULE_X, 4, FRC_DC_OTHER);
	len = ARG(1);
	ev_s64(s, ret);
	ev_bytes_user(s, UPTR(0), len < cfg_snaplen ? len : cfg_snaplen, FRC_SNAPLEN_MAX);
	ev_u64(s, len);
	ev_str_user(s, UPTR(2), FRC_MAX_ARGENV);
	ev_submit(s);
	return 0;
}

HANDLER(h_finit_module)
{
	BEGIN(FRC_EV_FINIT_MODULE_X, 4, FRC_DC_OTHER);
	ev_s64(s, ret);
	ev_s64(s, IARG(0));
	ev_str_user(s, UPTR(1), FRC_MAX_ARGENV);
	ev_u32(s, finit_module_flags_ppm(ARG(2)));
	ev_submit(s);
	return 0;
}

/* ================================================================ processes */

/* params 4..14 shared by clone and execve: tid, pid, ptid, cwd, fdlimit, page faults,
 * memory, comm */
static __always_inline void ev_proc_common(struct frc_scratch *s, struct task_struct *t)
{
	__u32 vsz, rss, swp;

	task_vm(t, &vsz, &rss, &swp);
	ev_s64(s, BPF_CORE_READ(t, pid));
	ev_s64(s, BPF_CORE_READ(t, tgid));
	ev_s64(s, BPF_CORE_READ(t, real_parent, tgid));
	ev_empty(s);	/* cwd: kept by user space from /proc and chdir (as the libs drivers do) */
	ev_u64(s, task_fdlimit(t));
	ev_u64(s, BPF_CORE_READ(t, maj_flt));
	ev_u64(s, BPF_CORE_READ(t, min_flt));
	ev_u32(s, vsz);
	ev_u32(s, rss);
	ev_u32(s, swp);
	ev_str_kernel(s, t->comm, 16);
}

/* exe (argv[0]) and args (argv[1..]) from the mm argument area of @t */
static __always_inline void ev_mm_args(struct frc_scratch *s, struct task_struct *t)
{
	unsigned long start = BPF_CORE_READ(t, mm, arg_start);
	unsigned long end = BPF_CORE_READ(t, mm, arg_end);
	__u32 n = ev_str_user(s, (const void *)start, FRC_MAX_ARGENV);

	if (!start || end <= start + n)
		ev_empty(s);
	else
		ev_strlist_user(s, start + n, end);
}

static __always_inline void clone_part1(struct frc_scratch *s, long ret)
{
	struct task_struct *t = CUR();

	ev_s64(s, ret);
	if (ret >= 0)
		ev_mm_args(s, t);
	else {
		ev_empty(s);
		ev_empty(s);
	}
	ev_proc_common(s, t);
}

#define CLONE_HANDLER(name, code)					\
HANDLER(name)								\
{									\
	BEGIN(code, 21, FRC_DC_CLONE_FORK);				\
	(void)cx;							\
	clone_part1(s, ret);						\
	bpf_tail_call(ctx, &frc_cont_exit, FRC_CONT_CLONE_1);		\
	count_bug();							\
	return 0;							\
}

CLONE_HANDLER(h_clone, FRC_EV_CLONE_20_X)
CLONE_HANDLER(h_fork, FRC_EV_FORK_20_X)
CLONE_HANDLER(h_vfork, FRC_EV_VFORK_20_X)
CLONE_HANDLER(h_clone3, FRC_EV_CLONE3_X)

SEC("tp_btf/sys_exit")
int BPF_PROG(frc_clone_x1, struct pt_regs *regs, long ret)
{
	struct frc_scratch *s = scratch_get();
	struct task_struct *t = CUR();
	struct pid_namespace *ns;
	__u64 flags = 0;
	__u32 pflags;

	if (!s)
		return 0;
	switch (s->type) {
	case FRC_EV_CLONE_20_X:
		flags = sc_arg(regs, 0, s->compat);
		break;
	case FRC_EV_VFORK_20_X:
		flags = 0x00004000 | 0x00000100;	/* CLONE_VFORK | CLONE_VM */
		break;
	case FRC_EV_CLONE3_X: {
		__u64 f = 0;

		bpf_probe_read_user(&f, sizeof(f), (const void *)sc_arg(regs, 0, s->compat));
		flags = f;
		break;
	}
	default:
		break;
	}
	ev_cgroups(s, t);
	pflags = clone_flags_ppm(flags);
	ns = task_pidns(t);
	if (BPF_CORE_READ(ns, level) != 0 ||
	    BPF_CORE_READ(t, nsproxy, pid_ns_for_children) != ns)
		pflags |= FRC_CL_CHILD_IN_PIDNS;
	ev_u32(s, pflags);
	ev_u32(s, BPF_CORE_READ(t, cred, euid.val));
	ev_u32(s, BPF_CORE_READ(t, cred, egid.val));
	ev_s64(s, task_id_vnr(t, PIDTYPE_PID));
	ev_s64(s, task_id_vnr(t, PIDTYPE_TGID));
	/* start time of the pid namespace's init, for the child only */
	ev_u64(s, ret == 0 ? BPF_CORE_READ(ns, child_reaper, start_time) : 0);
	ev_submit(s);
	return 0;
}

/* ---------------------------------------------------------------- execve */

/* execve params 15..27: cgroups, env (by the caller), tty .. uid */
static __always_inline void exec_part2(struct frc_scratch *s, struct task_struct *t)
{
	struct file *exe = BPF_CORE_READ(t, mm, exe_file);
	struct inode *inode = BPF_CORE_READ(exe, f_inode);
	__u64 ct = 0, mt = 0;
	__u32 flags = 0;
	int layer;

	ev_u32(s, task_tty(t));
	ev_s64(s, task_id_vnr(t, PIDTYPE_PGID));
	ev_u32(s, task_loginuid(t));
	if (exe) {
		if (exe_writable(t, inode))
			flags |= FRC_EXE_WRITABLE;
		layer = file_overlay_layer(exe);
		if (layer == 1)
			flags |= FRC_EXE_UPPER_LAYER;
		else if (layer == 2)
			flags |= FRC_EXE_LOWER_LAYER;
		if (file_is_memfd(exe))
			flags |= FRC_EXE_FROM_MEMFD;
		core_inode_times(inode, &ct, &mt);
	}
	ev_u32(s, flags);
	ev_u64(s, task_cap(t, 0));
	ev_u64(s, task_cap(t, 1));
	ev_u64(s, task_cap(t, 2));
	ev_u64(s, inode ? BPF_CORE_READ(inode, i_ino) : 0);
	ev_u64(s, ct);
	ev_u64(s, mt);
	ev_u32(s, BPF_CORE_READ(t, cred, euid.val));
}

/* execve params 28..30: trusted_exepath, pgid, gid */
static __always_inline void exec_part3(struct frc_scratch *s, struct task_struct *t)
{
	ev_file_path(s, BPF_CORE_READ(t, mm, exe_file));
	ev_s64(s, task_id_nr(t, PIDTYPE_PGID));
	ev_u32(s, BPF_CORE_READ(t, cred, egid.val));
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(frc_sched_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	struct task_struct *t = CUR();
	struct frc_scratch *s;

	if ((BPF_CORE_READ(t, flags) & 0x00200000) ||	/* PF_KTHREAD */
	    (bpf_get_current_pid_tgid() >> 32) == cfg_own_tgid ||
	    !bit_set(frc_interest, FRC_NR_execve))
		return 0;
	s = scratch_get();
	if (!s) {
		count_bug();
		return 0;
	}
	ev_begin(s, FRC_EV_EXECVE_19_X, 31, FRC_DC_EXECVE);
	ev_s64(s, 0);
	ev_mm_args(s, t);
	ev_proc_common(s, t);
	bpf_tail_call(ctx, &frc_cont_exec, FRC_CONT_EXEC_1);
	count_bug();
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(frc_sched_exec1, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	struct task_struct *t = CUR();
	struct frc_scratch *s = scratch_get();

	if (!s)
		return 0;
	ev_cgroups(s, t);
	ev_strlist_user(s, BPF_CORE_READ(t, mm, env_start), BPF_CORE_READ(t, mm, env_end));
	exec_part2(s, t);
	bpf_tail_call(ctx, &frc_cont_exec, FRC_CONT_EXEC_2);
	count_bug();
	return 0;
}

#undef FRC_KF_TAIL
#define FRC_KF_TAIL 0	/* not a sys_exit program: no kernel filter */
SEC("tp_btf/sched_process_exec")
int BPF_PROG(frc_sched_exec2, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	struct task_struct *t = CUR();
	struct frc_scratch *s = scratch_get();

	if (!s)
		return 0;
	exec_part3(s, t);
	ev_str_kernel(s, BPF_CORE_READ(bprm, filename), FRC_MAX_PATH);
	ev_submit(s);
	return 0;
}
#undef FRC_KF_TAIL
#define FRC_KF_TAIL 1

/* a NULL-terminated array of user string pointers (argv/envp of a failed execve): the
 * strings from index @first on, NUL-separated, as one BYTEBUF */
__noinline int frc_user_strarray(struct frc_scratch *s, __u64 uarr, int first, int compat)
{
	__u32 off = 0;
	int i;

	if (!s)
		return 0;
	if (!uarr) {
		ev_empty(s);
		return 0;
	}
	for (i = 0; i < 32; i++) {
		__u64 ptr = 0;
		__u32 p;
		long n;

		if (i < first)
			continue;
		if (compat)
			bpf_probe_read_user(&ptr, 4, (const char *)uarr + 4 * i);
		else
			bpf_probe_read_user(&ptr, 8, (const char *)uarr + 8 * i);
		if (!ptr)
			break;
		p = s->pos + off;
		if (p > FRC_EVT_MAX - FRC_MAX_ARGENV || off >= FRC_MAX_ARGENV) {
			s->trunc = 1;
			break;
		}
		n = bpf_probe_read_user_str(&s->data[FRC_OFF(p)], FRC_MAX_ARGENV - 1, (void *)ptr);
		if (n <= 0)
			break;
		off += n;
	}
	if (off > FRC_MAX_ARGENV)
		off = FRC_MAX_ARGENV;
	ev_plen(s, off);
	return 0;
}

static __always_inline void ev_user_strarray(struct frc_scratch *s, const void *uarr, int first,
					     __u8 compat)
{
	frc_user_strarray(s, (__u64)uarr, first, compat);
}

/* failed execve (code 293, 31 params) and execveat (331, 30 params) */
static __always_inline int execx_begin(void *ctx, struct pt_regs *regs, long ret, int at)
{
	struct frc_scratch *s;
	const void *argv;
	__u64 ptr = 0;
	__u8 cx;

	if (ret == 0)
		return 0;	/* success: sched_process_exec emits it */
	s = scratch_get();
	if (!s) {
		count_bug();
		return 0;
	}
	cx = s->compat;
	if (at)
		ev_begin(s, FRC_EV_EXECVEAT_X, 30, FRC_DC_EXECVE);
	else
		ev_begin(s, FRC_EV_EXECVE_19_X, 31, FRC_DC_EXECVE);
	argv = (const void *)sc_arg(regs, at ? 2 : 1, cx);
	ev_s64(s, ret);
	if (argv)
		bpf_probe_read_user(&ptr, cx ? 4 : 8, argv);
	ev_str_user(s, (const void *)ptr, FRC_MAX_ARGENV);
	ev_user_strarray(s, argv, 1, cx);
	ev_proc_common(s, CUR());
	bpf_tail_call(ctx, &frc_cont_exit, FRC_CONT_EXECX_1);
	count_bug();
	return 0;
}

HANDLER(h_execve)
{
	return execx_begin(ctx, regs, ret, 0);
}

HANDLER(h_execveat)
{
	return execx_begin(ctx, regs, ret, 1);
}

SEC("tp_btf/sys_exit")
int BPF_PROG(frc_execx1, struct pt_regs *regs, long ret)
{
	struct frc_scratch *s = scratch_get();
	struct task_struct *t = CUR();
	int at;

	if (!s)
		return 0;
	at = s->type == FRC_EV_EXECVEAT_X;
	ev_cgroups(s, t);
	ev_user_strarray(s, (const void *)sc_arg(regs, at ? 3 : 2, s->compat), 0, s->compat);
	exec_part2(s, t);
	bpf_tail_call(ctx, &frc_cont_exit, FRC_CONT_EXECX_2);
	count_bug();
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(frc_execx2, struct pt_regs *regs, long ret)
{
	struct frc_scratch *s = scratch_get();
	struct task_struct *t = CUR();

	if (!s)
		return 0;
	exec_part3(s, t);
	if (s->type == FRC_EV_EXECVE_19_X)
		ev_str_user(s, (const void *)sc_arg(regs, 0, s->compat), FRC_MAX_PATH);
	ev_submit(s);
	return 0;
}

/* ---------------------------------------------------------------- exit */

#undef FRC_KF_TAIL
#define FRC_KF_TAIL 0	/* not a sys_exit program: no kernel filter */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(frc_sched_exit, struct task_struct *task)
{
	struct frc_scratch *s;
	__s32 code;
	__s64 reaper = 0;
	struct list_head *head;

	if ((BPF_CORE_READ(task, flags) & 0x00200000) ||	/* PF_KTHREAD */
	    (bpf_get_current_pid_tgid() >> 32) == cfg_own_tgid)
		return 0;
	s = scratch_get();
	if (!s) {
		count_bug();
		return 0;
	}
	code = BPF_CORE_READ(task, exit_code);
	ev_begin(s, FRC_EV_PROCEXIT_1_E, 5, FRC_DC_PROC);
	ev_s64(s, code);
	ev_s64(s, (code >> 8) & 0xff);
	ev_u8(s, (code & 0x7f) && (code & 0x7f) != 0x7f ? (code & 0x7f) : 0);
	ev_u8(s, (code & 0x80) ? 1 : 0);
	/* children are re-parented: to another live thread of the group if any, else to the
	 * pid namespace's reaper (user space treats 0 as "decide yourself") */
	head = &task->children;
	if (BPF_CORE_READ(head, next) != head) {
		if (BPF_CORE_READ(task, signal, live.counter) > 0 && BPF_CORE_READ(task, pid) !=
		    BPF_CORE_READ(task, tgid))
			reaper = BPF_CORE_READ(task, tgid);
		else
			reaper = BPF_CORE_READ(task_pidns(task), child_reaper, pid);
	}
	ev_s64(s, reaper);
	ev_submit(s);
	return 0;
}
#undef FRC_KF_TAIL
#define FRC_KF_TAIL 1

/* ================================================================ program tables */

struct {
	__uint(type, BPF_MAP_TYPE_PROG_ARRAY);
	__uint(max_entries, FRC_NR_SYSCALLS);
	__uint(key_size, sizeof(__u32));
	__array(values, int(void *));
} frc_handlers SEC(".maps") = {
	.values = {
		[FRC_NR_open] = (void *)&h_open,
		[FRC_NR_openat] = (void *)&h_openat,
		[FRC_NR_openat2] = (void *)&h_openat2,
		[FRC_NR_creat] = (void *)&h_creat,
		[FRC_NR_open_by_handle_at] = (void *)&h_open_by_handle_at,
		[FRC_NR_close] = (void *)&h_close,
		[FRC_NR_close_range] = (void *)&h_close_range,
		[FRC_NR_rmdir] = (void *)&h_rmdir,
		[FRC_NR_unlink] = (void *)&h_unlink,
		[FRC_NR_chdir] = (void *)&h_chdir,
		[FRC_NR_chroot] = (void *)&h_chroot,
		[FRC_NR_rename] = (void *)&h_rename,
		[FRC_NR_link] = (void *)&h_link,
		[FRC_NR_symlink] = (void *)&h_symlink,
		[FRC_NR_renameat] = (void *)&h_renameat,
		[FRC_NR_renameat2] = (void *)&h_renameat2,
		[FRC_NR_linkat] = (void *)&h_linkat,
		[FRC_NR_symlinkat] = (void *)&h_symlinkat,
		[FRC_NR_unlinkat] = (void *)&h_unlinkat,
		[FRC_NR_mkdir] = (void *)&h_mkdir,
		[FRC_NR_mkdirat] = (void *)&h_mkdirat,
		[FRC_NR_chmod] = (void *)&h_chmod,
		[FRC_NR_fchmod] = (void *)&h_fchmod,
		[FRC_NR_fchmodat] = (void *)&h_fchmodat,
		[FRC_NR_fchmodat2] = (void *)&h_fchmodat,
		[FRC_NR_fchdir] = (void *)&h_fchdir,
		[FRC_NR_mount] = (void *)&h_mount,
		[FRC_NR_umount2] = (void *)&h_umount2,
		[FRC_NR_dup] = (void *)&h_dup,
		[FRC_NR_dup2] = (void *)&h_dup2,
		[FRC_NR_dup3] = (void *)&h_dup3,
		[FRC_NR_fcntl] = (void *)&h_fcntl,
		[FRC_NR_pipe] = (void *)&h_pipe,
		[FRC_NR_pipe2] = (void *)&h_pipe2,
		[FRC_NR_eventfd] = (void *)&h_eventfd,
		[FRC_NR_eventfd2] = (void *)&h_eventfd2,
		[FRC_NR_signalfd] = (void *)&h_signalfd,
		[FRC_NR_signalfd4] = (void *)&h_signalfd4,
		[FRC_NR_timerfd_create] = (void *)&h_timerfd_create,
		[FRC_NR_inotify_init] = (void *)&h_inotify_init,
		[FRC_NR_inotify_init1] = (void *)&h_inotify_init1,
		[FRC_NR_epoll_create] = (void *)&h_epoll_create,
		[FRC_NR_epoll_create1] = (void *)&h_epoll_create1,
		[FRC_NR_memfd_create] = (void *)&h_memfd_create,
		[FRC_NR_pidfd_open] = (void *)&h_pidfd_open,
		[FRC_NR_pidfd_getfd] = (void *)&h_pidfd_getfd,
		[FRC_NR_io_uring_setup] = (void *)&h_io_uring_setup,
		[FRC_NR_userfaultfd] = (void *)&h_userfaultfd,
		[FRC_NR_bpf] = (void *)&h_bpf,
		[FRC_NR_socket] = (void *)&h_socket,
		[FRC_NR_socketpair] = (void *)&h_socketpair,
		[FRC_NR_bind] = (void *)&h_bind,
		[FRC_NR_connect] = (void *)&h_connect,
		[FRC_NR_listen] = (void *)&h_listen,
		[FRC_NR_accept] = (void *)&h_accept,
		[FRC_NR_accept4] = (void *)&h_accept4,
		[FRC_NR_shutdown] = (void *)&h_shutdown,
		[FRC_NR_getsockopt] = (void *)&h_getsockopt,
		[FRC_NR_sendto] = (void *)&h_sendto,
		[FRC_NR_recvfrom] = (void *)&h_recvfrom,
		[FRC_NR_sendmsg] = (void *)&h_sendmsg,
		[FRC_NR_recvmsg] = (void *)&h_recvmsg,
		[FRC_NR_sendmmsg] = (void *)&h_sendmmsg,
		[FRC_NR_recvmmsg] = (void *)&h_recvmmsg,
		[FRC_NR_setuid] = (void *)&h_setuid,
		[FRC_NR_setgid] = (void *)&h_setgid,
		[FRC_NR_setreuid] = (void *)&h_setreuid,
		[FRC_NR_setregid] = (void *)&h_setregid,
		[FRC_NR_setresuid] = (void *)&h_setresuid,
		[FRC_NR_setresgid] = (void *)&h_setresgid,
		[FRC_NR_setsid] = (void *)&h_setsid,
		[FRC_NR_setpgid] = (void *)&h_setpgid,
		[FRC_NR_capset] = (void *)&h_capset,
		[FRC_NR_prctl] = (void *)&h_prctl,
		[FRC_NR_getrlimit] = (void *)&h_getrlimit,
		[FRC_NR_setrlimit] = (void *)&h_setrlimit,
		[FRC_NR_prlimit64] = (void *)&h_prlimit64,
		[FRC_NR_setns] = (void *)&h_setns,
		[FRC_NR_unshare] = (void *)&h_unshare,
		[FRC_NR_ptrace] = (void *)&h_ptrace,
		[FRC_NR_init_module] = (void *)&h_init_module,
		[FRC_NR_finit_module] = (void *)&h_finit_module,
		[FRC_NR_clone] = (void *)&h_clone,
		[FRC_NR_fork] = (void *)&h_fork,
		[FRC_NR_vfork] = (void *)&h_vfork,
		[FRC_NR_clone3] = (void *)&h_clone3,
		[FRC_NR_execve] = (void *)&h_execve,
		[FRC_NR_execveat] = (void *)&h_execveat,
	},
};

/* ================================================================ the dispatcher */

SEC("tp_btf/sys_exit")
int BPF_PROG(frc_sys_exit, struct pt_regs *regs, long ret)
{
	struct task_struct *t;
	struct frc_scratch *s;
	__u32 nr = (__u32)regs->orig_ax;
	__u8 compat = 0;

	if (nr >= FRC_NR_SYSCALLS || !bit_set(frc_hot, nr))
		return 0;
	t = bpf_get_current_task_btf();
	if (t->thread_info.status & TS_COMPAT) {
		nr = cfg_ia32_map[nr & (FRC_NR_SYSCALLS - 1)];
		if (nr >= FRC_NR_SYSCALLS)
			return 0;
		compat = 1;
	}
	if (!bit_set(frc_interest, nr))
		return 0;
	if ((bpf_get_current_pid_tgid() >> 32) == cfg_own_tgid)
		return 0;
	s = scratch_get();
	if (!s) {
		count_bug();
		return 0;
	}
	s->compat = compat;
	s->idx = nr;	/* for the generic fallback */
	bpf_tail_call(ctx, &frc_handlers, nr);
	/* no dedicated handler: a generic event */
	bpf_tail_call(ctx, &frc_cont_exit, FRC_CONT_GENERIC);
	count_bug();
	return 0;
}
