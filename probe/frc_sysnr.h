/* SPDX-License-Identifier: Apache-2.0
 *
 * x86_64 syscall numbers of the syscalls the probe has a handler for (the kernel UAPI
 * numbering of arch/x86/entry/syscalls/syscall_64.tbl). runtime/probe_load.c checks them
 * against <sys/syscall.h> at compile time.
 */
#ifndef FRC_SYSNR_H
#define FRC_SYSNR_H

#define FRC_NR_read 0
#define FRC_NR_write 1
#define FRC_NR_open 2
#define FRC_NR_close 3
#define FRC_NR_socket 41
#define FRC_NR_connect 42
#define FRC_NR_accept 43
#define FRC_NR_sendto 44
#define FRC_NR_recvfrom 45
#define FRC_NR_sendmsg 46
#define FRC_NR_recvmsg 47
#define FRC_NR_shutdown 48
#define FRC_NR_bind 49
#define FRC_NR_listen 50
#define FRC_NR_socketpair 53
#define FRC_NR_getsockopt 55
#define FRC_NR_clone 56
#define FRC_NR_fork 57
#define FRC_NR_vfork 58
#define FRC_NR_execve 59
#define FRC_NR_fcntl 72
#define FRC_NR_chdir 80
#define FRC_NR_fchdir 81
#define FRC_NR_rename 82
#define FRC_NR_mkdir 83
#define FRC_NR_rmdir 84
#define FRC_NR_creat 85
#define FRC_NR_link 86
#define FRC_NR_unlink 87
#define FRC_NR_symlink 88
#define FRC_NR_chmod 90
#define FRC_NR_fchmod 91
#define FRC_NR_ptrace 101
#define FRC_NR_getrlimit 97
#define FRC_NR_setuid 105
#define FRC_NR_setgid 106
#define FRC_NR_setpgid 109
#define FRC_NR_setreuid 113
#define FRC_NR_setregid 114
#define FRC_NR_setresuid 117
#define FRC_NR_setresgid 119
#define FRC_NR_setsid 112
#define FRC_NR_capset 126
#define FRC_NR_chroot 161
#define FRC_NR_setrlimit 160
#define FRC_NR_mount 165
#define FRC_NR_umount2 166
#define FRC_NR_prctl 157
#define FRC_NR_pipe 22
#define FRC_NR_pipe2 293
#define FRC_NR_dup 32
#define FRC_NR_dup2 33
#define FRC_NR_dup3 292
#define FRC_NR_epoll_create 213
#define FRC_NR_epoll_create1 291
#define FRC_NR_eventfd 284
#define FRC_NR_eventfd2 290
#define FRC_NR_signalfd 282
#define FRC_NR_signalfd4 289
#define FRC_NR_timerfd_create 283
#define FRC_NR_inotify_init 253
#define FRC_NR_inotify_init1 294
#define FRC_NR_openat 257
#define FRC_NR_mkdirat 258
#define FRC_NR_unlinkat 263
#define FRC_NR_renameat 264
#define FRC_NR_linkat 265
#define FRC_NR_symlinkat 266
#define FRC_NR_fchmodat 268
#define FRC_NR_accept4 288
#define FRC_NR_recvmmsg 299
#define FRC_NR_sendmmsg 307
#define FRC_NR_prlimit64 302
#define FRC_NR_setns 308
#define FRC_NR_unshare 272
#define FRC_NR_open_by_handle_at 304
#define FRC_NR_finit_module 313
#define FRC_NR_init_module 175
#define FRC_NR_renameat2 316
#define FRC_NR_memfd_create 319
#define FRC_NR_bpf 321
#define FRC_NR_execveat 322
#define FRC_NR_userfaultfd 323
#define FRC_NR_io_uring_setup 425
#define FRC_NR_pidfd_open 434
#define FRC_NR_clone3 435
#define FRC_NR_close_range 436
#define FRC_NR_openat2 437
#define FRC_NR_pidfd_getfd 438
#define FRC_NR_getppid 110
#define FRC_NR_exit 60
#define FRC_NR_exit_group 231
#define FRC_NR_fchmodat2 452

#endif
