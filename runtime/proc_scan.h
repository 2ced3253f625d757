/* SPDX-License-Identifier: Apache-2.0
 *
 * The initial /proc scan of the daemon: every process and thread that existed before the
 * probe was attached, with what libscap reads for them (comm, exe, exepath, args, env, cwd,
 * root, uids, loginuid, tty, session and process group, cgroups, pid namespace ids,
 * capabilities, memory, exe inode and times) and every fd of each process (files with open
 * flags, dev and inode; sockets resolved through /proc/PID/net of their network namespace;
 * pipes, eventfds, memfds, ...). Records are handed to callbacks in the capture formats of
 * runtime/scap.h, so the state tables are seeded exactly as from a capture's process and fd
 * lists. Also the machine information and network interfaces.
 */
#ifndef FRC_RUNTIME_PROC_SCAN_H
#define FRC_RUNTIME_PROC_SCAN_H

#include <stdbool.h>
#include <stdint.h>

#include "scap.h"

/* Records are valid during the call only. A thread always comes before its fds. */
struct proc_scan_ops {
	void (*thread)(void *ctx, const struct scap_thread_rec *t);
	void (*fd)(void *ctx, const struct scap_fd_rec *f);
};

struct proc_scan_stats {
	uint64_t processes, threads, fds;
	uint64_t skipped;	/* kernel threads, zombies, processes gone during the scan */
};

/**
 * proc_scan_all() - every process under @procfs ("/proc", or $HOST_ROOT/proc), main
 * thread first, then its other threads, then its fds.
 * Return: 0, or -errno if @procfs cannot be read.
 */
int proc_scan_all(const char *procfs, const struct proc_scan_ops *ops, void *ctx,
		  struct proc_scan_stats *stats);

/**
 * proc_scan_tid() - one thread that the state tables do not know (an event from a thread
 * created before the scan finished): the thread, and if it is a process's main thread
 * or @with_main is set, the main thread and the process's fds.
 * Return: true if the thread exists.
 */
bool proc_scan_tid(const char *procfs, int64_t tid, bool with_main,
		   const struct proc_scan_ops *ops, void *ctx);

/* The machine: hostname, CPUs, memory, max pid, boot time (epoch ns). */
void proc_scan_machine(const char *procfs, struct scap_machine *mi);

/* The network interfaces (IPv4 and IPv6 addresses) of the host. */
int proc_scan_ifaces(void (*fn)(void *ctx, const struct scap_iface *ifc), void *ctx);

#endif
