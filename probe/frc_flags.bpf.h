/* SPDX-License-Identifier: GPL-2.0-only
 *
 * Kernel (x86_64 UAPI) flag values to the PPM values the events carry (events.md §4). The
 * translations follow the libs drivers, including their quirks: a flag test uses the whole
 * kernel mask (O_SYNC also matches O_DSYNC, O_TMPFILE also matches O_DIRECTORY) because that
 * is what Falco reports.
 */
#ifndef FRC_FLAGS_BPF_H
#define FRC_FLAGS_BPF_H

#include "frc_ppm.h"

#define K_O_WRONLY 00000001
#define K_O_RDWR 00000002
#define K_O_CREAT 00000100
#define K_O_EXCL 00000200
#define K_O_TRUNC 00001000
#define K_O_APPEND 00002000
#define K_O_NONBLOCK 00004000
#define K_O_DSYNC 00010000
#define K_O_DIRECT 00040000
#define K_O_LARGEFILE 00100000
#define K_O_DIRECTORY 00200000
#define K_O_CLOEXEC 02000000
#define K_O_SYNC (04000000 | K_O_DSYNC)
#define K_O_TMPFILE (020000000 | K_O_DIRECTORY)

static __always_inline __u32 open_flags_ppm(__u32 f)
{
	__u32 r = 0;

	switch (f & 3) {
	case K_O_WRONLY: r |= FRC_O_WRONLY; break;
	case K_O_RDWR: r |= FRC_O_RDWR; break;
	default: r |= FRC_O_RDONLY; break;
	}
	if (f & K_O_CREAT) r |= FRC_O_CREAT;
	if (f & K_O_TMPFILE) r |= FRC_O_TMPFILE;
	if (f & K_O_APPEND) r |= FRC_O_APPEND;
	if (f & K_O_DSYNC) r |= FRC_O_DSYNC;
	if (f & K_O_EXCL) r |= FRC_O_EXCL;
	if (f & K_O_NONBLOCK) r |= FRC_O_NONBLOCK;
	if (f & K_O_SYNC) r |= FRC_O_SYNC;
	if (f & K_O_TRUNC) r |= FRC_O_TRUNC;
	if (f & K_O_DIRECT) r |= FRC_O_DIRECT;
	if (f & K_O_DIRECTORY) r |= FRC_O_DIRECTORY;
	if (f & K_O_LARGEFILE) r |= FRC_O_LARGEFILE;
	if (f & K_O_CLOEXEC) r |= FRC_O_CLOEXEC;
	return r;
}

/* the permission bits: PPM_S_* equal the octal permission bits, so only masking is needed */
static __always_inline __u32 mode_ppm(__u64 mode)
{
	return (__u32)mode & 07777;
}

/* open mode is reported only when the open may create */
static __always_inline __u32 open_mode_ppm(__u32 flags, __u64 mode)
{
	if (!(flags & (K_O_CREAT | K_O_TMPFILE)))
		return 0;
	return mode_ppm(mode);
}

static __always_inline __u32 nonblock_cloexec_ppm(__s64 f)
{
	__u32 r = 0;

	if (f < 0)
		return 0;
	if (f & K_O_NONBLOCK) r |= FRC_O_NONBLOCK;
	if (f & K_O_CLOEXEC) r |= FRC_O_CLOEXEC;
	return r;
}

static __always_inline __u32 pipe2_flags_ppm(__s32 f)
{
	__u32 r = nonblock_cloexec_ppm(f);

	if (f >= 0 && (f & K_O_DIRECT))
		r |= FRC_O_DIRECT;
	return r;
}

static __always_inline __u32 clone_flags_ppm(__u64 f)
{
	__u32 r = 0;

	if (f & 0x00000400) r |= 1u << 0;	/* CLONE_FILES */
	if (f & 0x00000200) r |= 1u << 1;	/* CLONE_FS */
	if (f & 0x80000000) r |= 1u << 2;	/* CLONE_IO */
	if (f & 0x08000000) r |= 1u << 3;	/* CLONE_NEWIPC */
	if (f & 0x40000000) r |= 1u << 4;	/* CLONE_NEWNET */
	if (f & 0x00020000) r |= 1u << 5;	/* CLONE_NEWNS */
	if (f & 0x20000000) r |= 1u << 6;	/* CLONE_NEWPID */
	if (f & 0x04000000) r |= 1u << 7;	/* CLONE_NEWUTS */
	if (f & 0x00008000) r |= 1u << 8;	/* CLONE_PARENT */
	if (f & 0x00100000) r |= 1u << 9;	/* CLONE_PARENT_SETTID */
	if (f & 0x00002000) r |= 1u << 10;	/* CLONE_PTRACE */
	if (f & 0x00000800) r |= 1u << 11;	/* CLONE_SIGHAND */
	if (f & 0x00040000) r |= 1u << 12;	/* CLONE_SYSVSEM */
	if (f & 0x00010000) r |= 1u << 13;	/* CLONE_THREAD */
	if (f & 0x00800000) r |= 1u << 14;	/* CLONE_UNTRACED */
	if (f & 0x00000100) r |= 1u << 15;	/* CLONE_VM */
	if (f & 0x10000000) r |= 1u << 20;	/* CLONE_NEWUSER */
	if (f & 0x00200000) r |= 1u << 23;	/* CLONE_CHILD_CLEARTID */
	if (f & 0x01000000) r |= 1u << 24;	/* CLONE_CHILD_SETTID */
	if (f & 0x00080000) r |= 1u << 25;	/* CLONE_SETTLS */
	if (f & 0x00004000) r |= 1u << 27;	/* CLONE_VFORK */
	if (f & 0x02000000) r |= 1u << 28;	/* CLONE_NEWCGROUP */
	return r;
}

static __always_inline __u16 ptrace_req_ppm(__u64 req)
{
	switch (req) {
	case 0: return 1;	/* TRACEME */
	case 1: return 2;	/* PEEKTEXT */
	case 2: return 3;	/* PEEKDATA */
	case 3: return 4;	/* PEEKUSR */
	case 4: return 5;	/* POKETEXT */
	case 5: return 6;	/* POKEDATA */
	case 6: return 7;	/* POKEUSR */
	case 7: return 8;	/* CONT */
	case 8: return 9;	/* KILL */
	case 9: return 10;	/* SINGLESTEP */
	case 12: return 26;	/* GETREGS */
	case 13: return 27;	/* SETREGS */
	case 14: return 28;	/* GETFPREGS */
	case 15: return 29;	/* SETFPREGS */
	case 16: return 11;	/* ATTACH */
	case 17: return 12;	/* DETACH */
	case 18: return 30;	/* GETFPXREGS */
	case 19: return 31;	/* SETFPXREGS */
	case 21: return 32;	/* OLDSETOPTIONS */
	case 24: return 13;	/* SYSCALL */
	case 25: return 33;	/* GET_THREAD_AREA */
	case 26: return 34;	/* SET_THREAD_AREA */
	case 30: return 35;	/* ARCH_PRCTL */
	case 31: return 36;	/* SYSEMU */
	case 32: return 37;	/* SYSEMU_SINGLESTEP */
	case 33: return 38;	/* SINGLEBLOCK */
	case 0x4200: return 14;	/* SETOPTIONS */
	case 0x4201: return 15;	/* GETEVENTMSG */
	case 0x4202: return 16;	/* GETSIGINFO */
	case 0x4203: return 17;	/* SETSIGINFO */
	case 0x4204: return 18;	/* GETREGSET */
	case 0x4205: return 19;	/* SETREGSET */
	case 0x4206: return 20;	/* SEIZE */
	case 0x4207: return 21;	/* INTERRUPT */
	case 0x4208: return 22;	/* LISTEN */
	case 0x4209: return 23;	/* PEEKSIGINFO */
	case 0x420a: return 24;	/* GETSIGMASK */
	case 0x420b: return 25;	/* SETSIGMASK */
	default: return FRC_PTRACE_UNKNOWN;
	}
}

static __always_inline __u8 fcntl_cmd_ppm(__u64 cmd)
{
	switch (cmd) {
	case 0: return 1;	/* F_DUPFD */
	case 1: return 2;	/* F_GETFD */
	case 2: return 3;	/* F_SETFD */
	case 3: return 4;	/* F_GETFL */
	case 4: return 5;	/* F_SETFL */
	case 5: return 6;	/* F_GETLK */
	case 6: return 8;	/* F_SETLK */
	case 7: return 9;	/* F_SETLKW */
	case 8: return 10;	/* F_SETOWN */
	case 9: return 12;	/* F_GETOWN */
	case 10: return 13;	/* F_SETSIG */
	case 11: return 15;	/* F_GETSIG */
	case 15: return 21;	/* F_SETOWN_EX */
	case 16: return 22;	/* F_GETOWN_EX */
	case 1024: return 23;	/* F_SETLEASE */
	case 1025: return 24;	/* F_GETLEASE */
	case 1029: return 25;	/* F_CANCELLK */
	case 1030: return 26;	/* F_DUPFD_CLOEXEC */
	case 1026: return 27;	/* F_NOTIFY */
	case 1031: return 28;	/* F_SETPIPE_SZ */
	case 1032: return 29;	/* F_GETPIPE_SZ */
	case 36: return 30;	/* F_OFD_GETLK */
	case 37: return 31;	/* F_OFD_SETLK */
	case 38: return 32;	/* F_OFD_SETLKW */
	default: return 0;
	}
}

static __always_inline __u8 rlimit_ppm(__u64 r)
{
	return r <= 15 ? (__u8)r : 255;	/* PPM_RLIMIT_* follow the x86_64 numbering */
}

static __always_inline __u8 shutdown_how_ppm(__u64 how)
{
	return how <= 2 ? (__u8)how : 0xff;
}

static __always_inline __u32 unlinkat_flags_ppm(__u64 f)
{
	return (f & 0x200) ? 0x200 : 0;	/* AT_REMOVEDIR */
}

static __always_inline __u32 linkat_flags_ppm(__u64 f)
{
	return (__u32)f & (0x400 | 0x1000);	/* AT_SYMLINK_FOLLOW, AT_EMPTY_PATH */
}

static __always_inline __u32 execveat_flags_ppm(__u64 f)
{
	__u32 r = 0;

	if (f & 0x1000) r |= 1;	/* AT_EMPTY_PATH */
	if (f & 0x100) r |= 2;	/* AT_SYMLINK_NOFOLLOW */
	return r;
}

static __always_inline __u32 memfd_flags_ppm(__u64 f)
{
	return (__u32)f & 7;	/* MFD_CLOEXEC, MFD_ALLOW_SEALING, MFD_HUGETLB */
}

static __always_inline __u32 umount2_flags_ppm(__u64 f)
{
	__u32 r = (__u32)f & 7;	/* MNT_FORCE, MNT_DETACH, MNT_EXPIRE */

	if (f & 8) r |= 8;	/* UMOUNT_NOFOLLOW */
	return r;
}

static __always_inline __u32 epoll_create1_flags_ppm(__u64 f)
{
	return (f & K_O_CLOEXEC) ? 1 : 0;
}

static __always_inline __u32 pidfd_open_flags_ppm(__u64 f)
{
	return (f & K_O_NONBLOCK) ? 1 : 0;
}

static __always_inline __u32 dup3_flags_ppm(__u64 f)
{
	return (f & K_O_CLOEXEC) ? FRC_O_CLOEXEC : 0;
}

static __always_inline __u32 finit_module_flags_ppm(__u64 f)
{
	return (__u32)f & 7;
}

static __always_inline __u32 openat2_resolve_ppm(__u64 f)
{
	__u32 r = 0;

	if (f & 0x01) r |= 1u << 4;	/* RESOLVE_NO_XDEV */
	if (f & 0x02) r |= 1u << 2;	/* RESOLVE_NO_MAGICLINKS */
	if (f & 0x04) r |= 1u << 3;	/* RESOLVE_NO_SYMLINKS */
	if (f & 0x08) r |= 1u << 0;	/* RESOLVE_BENEATH */
	if (f & 0x10) r |= 1u << 1;	/* RESOLVE_IN_ROOT */
	if (f & 0x20) r |= 1u << 5;	/* RESOLVE_CACHED */
	return r;
}

static __always_inline __u32 close_range_flags_ppm(__u64 f)
{
	return (__u32)f & 6;	/* CLOSE_RANGE_UNSHARE, CLOSE_RANGE_CLOEXEC */
}

static __always_inline __u32 mount_flags_ppm(__u64 f)
{
	__u32 r = (__u32)f;

	if ((r & 0xffff0000) == 0xc0ed0000)	/* MS_MGC_VAL magic in the top half */
		r &= 0x0000ffff;
	return r;
}

#endif
