/* SPDX-License-Identifier: Apache-2.0
 *
 * The ppm event codes the probe emits (the exit events of the libs HEAD schema, events.md §3)
 * and the PPM_* flag values it converts kernel arguments to (events.md §4). Plain numbers
 * shared by the probe, its loader and the live tests.
 */
#ifndef FRC_PPM_H
#define FRC_PPM_H

/* event codes (ppm_event_code) */
#define FRC_EV_GENERIC_X 1
#define FRC_EV_OPEN_X 3
#define FRC_EV_CLOSE_X 5
#define FRC_EV_SOCKET_X 19
#define FRC_EV_BIND_X 21
#define FRC_EV_CONNECT_X 23
#define FRC_EV_LISTEN_X 25
#define FRC_EV_SENDTO_X 31
#define FRC_EV_RECVFROM_X 35
#define FRC_EV_SHUTDOWN_X 37
#define FRC_EV_SOCKETPAIR_X 43
#define FRC_EV_GETSOCKOPT_X 47
#define FRC_EV_SENDMSG_X 49
#define FRC_EV_SENDMMSG_X 51
#define FRC_EV_RECVMSG_X 53
#define FRC_EV_RECVMMSG_X 55
#define FRC_EV_CREAT_X 59
#define FRC_EV_PIPE_X 61
#define FRC_EV_EVENTFD_X 63
#define FRC_EV_CHDIR_X 95
#define FRC_EV_FCHDIR_X 97
#define FRC_EV_SIGNALFD_X 127
#define FRC_EV_TIMERFD_CREATE_X 137
#define FRC_EV_INOTIFY_INIT_X 139
#define FRC_EV_GETRLIMIT_X 141
#define FRC_EV_PRLIMIT_X 145
#define FRC_EV_FCNTL_X 151
#define FRC_EV_PTRACE_X 169
#define FRC_EV_RENAME_X 175
#define FRC_EV_RENAMEAT_X 177
#define FRC_EV_SYMLINK_X 179
#define FRC_EV_SYMLINKAT_X 181
#define FRC_EV_PROCEXIT_1_E 186
#define FRC_EV_SETRESUID_X 193
#define FRC_EV_SETRESGID_X 195
#define FRC_EV_SETUID_X 199
#define FRC_EV_SETGID_X 201
#define FRC_EV_CLONE_20_X 223
#define FRC_EV_FORK_20_X 225
#define FRC_EV_VFORK_20_X 227
#define FRC_EV_SETNS_X 241
#define FRC_EV_ACCEPT_5_X 247
#define FRC_EV_MOUNT_X 257
#define FRC_EV_CHROOT_X 267
#define FRC_EV_SETSID_X 275
#define FRC_EV_MKDIR_2_X 277
#define FRC_EV_RMDIR_2_X 279
#define FRC_EV_UNSHARE_X 285
#define FRC_EV_EXECVE_19_X 293
#define FRC_EV_SETPGID_X 295
#define FRC_EV_UNLINK_2_X 301
#define FRC_EV_UNLINKAT_2_X 303
#define FRC_EV_MKDIRAT_X 305
#define FRC_EV_OPENAT_2_X 307
#define FRC_EV_LINK_2_X 309
#define FRC_EV_LINKAT_2_X 311
#define FRC_EV_FCHMODAT_X 313
#define FRC_EV_CHMOD_X 315
#define FRC_EV_FCHMOD_X 317
#define FRC_EV_RENAMEAT2_X 319
#define FRC_EV_USERFAULTFD_X 321
#define FRC_EV_OPENAT2_X 327
#define FRC_EV_EXECVEAT_X 331
#define FRC_EV_CLONE3_X 335
#define FRC_EV_OPEN_BY_HANDLE_AT_X 337
#define FRC_EV_IO_URING_SETUP_X 339
#define FRC_EV_CAPSET_X 353
#define FRC_EV_DUP2_X 363
#define FRC_EV_DUP3_X 365
#define FRC_EV_DUP_1_X 367
#define FRC_EV_BPF_2_X 369
#define FRC_EV_EPOLL_CREATE_X 375
#define FRC_EV_EPOLL_CREATE1_X 377
#define FRC_EV_ACCEPT4_6_X 389
#define FRC_EV_UMOUNT2_X 391
#define FRC_EV_PIPE2_X 393
#define FRC_EV_INOTIFY_INIT1_X 395
#define FRC_EV_EVENTFD2_X 397
#define FRC_EV_SIGNALFD4_X 399
#define FRC_EV_PRCTL_X 401
#define FRC_EV_MEMFD_CREATE_X 405
#define FRC_EV_PIDFD_GETFD_X 407
#define FRC_EV_PIDFD_OPEN_X 409
#define FRC_EV_INIT_MODULE_X 411
#define FRC_EV_FINIT_MODULE_X 413
#define FRC_EV_SETREUID_X 427
#define FRC_EV_SETREGID_X 429
#define FRC_EV_CLOSE_RANGE_X 451
#define FRC_EV_SETRLIMIT_X 143

/* PT_DYN index of ptrace addr/data */
#define FRC_PTRACE_IDX_UINT64 0
#define FRC_PTRACE_IDX_SIGTYPE 1

/* file_flags */
#define FRC_O_RDONLY (1u << 0)
#define FRC_O_WRONLY (1u << 1)
#define FRC_O_RDWR (FRC_O_RDONLY | FRC_O_WRONLY)
#define FRC_O_CREAT (1u << 2)
#define FRC_O_APPEND (1u << 3)
#define FRC_O_DSYNC (1u << 4)
#define FRC_O_EXCL (1u << 5)
#define FRC_O_NONBLOCK (1u << 6)
#define FRC_O_SYNC (1u << 7)
#define FRC_O_TRUNC (1u << 8)
#define FRC_O_DIRECT (1u << 9)
#define FRC_O_DIRECTORY (1u << 10)
#define FRC_O_LARGEFILE (1u << 11)
#define FRC_O_CLOEXEC (1u << 12)
#define FRC_O_TMPFILE (1u << 13)
#define FRC_O_F_CREATED (1u << 14)
#define FRC_FD_UPPER_LAYER (1u << 15)
#define FRC_FD_LOWER_LAYER (1u << 16)

/* creat_flags */
#define FRC_FD_UPPER_LAYER_CREAT (1u << 0)
#define FRC_FD_LOWER_LAYER_CREAT (1u << 1)

/* execve_flags */
#define FRC_EXE_WRITABLE (1u << 0)
#define FRC_EXE_UPPER_LAYER (1u << 1)
#define FRC_EXE_FROM_MEMFD (1u << 2)
#define FRC_EXE_LOWER_LAYER (1u << 3)

/* clone_flags bits that are not plain translations of CLONE_* */
#define FRC_CL_CHILD_IN_PIDNS (1u << 29)

#define FRC_AT_FDCWD (-100)

/* ptrace requests (ptrace_requests table) */
#define FRC_PTRACE_UNKNOWN 0
#define FRC_PTRACE_PEEKTEXT 2
#define FRC_PTRACE_PEEKDATA 3
#define FRC_PTRACE_PEEKUSR 4
#define FRC_PTRACE_CONT 8
#define FRC_PTRACE_SINGLESTEP 10
#define FRC_PTRACE_DETACH 12
#define FRC_PTRACE_SYSCALL 13

/* prctl options that carry a string or a pointer */
#define FRC_PR_SET_NAME 15
#define FRC_PR_GET_NAME 16
#define FRC_PR_GET_CHILD_SUBREAPER 37

#endif
