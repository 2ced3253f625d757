/* SPDX-License-Identifier: Apache-2.0
 *
 * The .scap capture reader: gzip or plain files (zlib), every block type and version
 * Falco/sysdig writers produced (scap-format.md), with a bounds check on every length.
 * Metadata (machine info, interfaces, users, process and fd tables) is parsed when a
 * section starts and kept in the reader; events are then returned one by one, already
 * run through the libscap converter: old event layouts are upgraded to the current
 * schemas, enter events whose parameters libscap folds into the exit event are consumed
 * here, exactly the events current libsinsp receives are delivered.
 *
 * Owner: rtcore. Errors name the byte offset in the uncompressed stream. The per-event
 * path (scap_next) does not allocate except to grow its buffers past their high-water mark.
 */
#ifndef FRC_RUNTIME_SCAP_H
#define FRC_RUNTIME_SCAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* block types (scap-format.md §2) */
enum {
	SCAP_BT_SHB = 0x0A0D0D0A,
	SCAP_BT_MI = 0x201, SCAP_BT_MI_INT = 0x8002ABCD,
	SCAP_BT_PL_V1 = 0x202, SCAP_BT_PL_V1_INT = 0x8000ABCD,
	SCAP_BT_PL_V2 = 0x207, SCAP_BT_PL_V2_INT = 0x8013ABCD,
	SCAP_BT_PL_V3 = 0x209, SCAP_BT_PL_V3_INT = 0x8014ABCD,
	SCAP_BT_PL_V4 = 0x210, SCAP_BT_PL_V5 = 0x211, SCAP_BT_PL_V6 = 0x212,
	SCAP_BT_PL_V7 = 0x213, SCAP_BT_PL_V8 = 0x214, SCAP_BT_PL_V9 = 0x215,
	SCAP_BT_FDL = 0x203, SCAP_BT_FDL_INT = 0x8001ABCD, SCAP_BT_FDL_V2 = 0x218,
	SCAP_BT_EV = 0x204, SCAP_BT_EV_INT = 0x8010ABCD, SCAP_BT_EV_V2 = 0x216,
	SCAP_BT_EV_V2_LARGE = 0x221,
	SCAP_BT_EVF = 0x208, SCAP_BT_EVF_V2 = 0x217, SCAP_BT_EVF_V2_LARGE = 0x222,
	SCAP_BT_IL = 0x205, SCAP_BT_IL_INT = 0x8011ABCD, SCAP_BT_IL_V2 = 0x219,
	SCAP_BT_UL = 0x206, SCAP_BT_UL_INT = 0x8012ABCD, SCAP_BT_UL_V2 = 0x220,
};

/* scap_fd_type (FDL entries, fd tables) */
enum scap_fd_type {
	SCAP_FD_UNINITIALIZED = -1, SCAP_FD_UNKNOWN = 0, SCAP_FD_FILE = 1, SCAP_FD_DIRECTORY = 2,
	SCAP_FD_IPV4_SOCK = 3, SCAP_FD_IPV6_SOCK = 4, SCAP_FD_IPV4_SERVSOCK = 5,
	SCAP_FD_IPV6_SERVSOCK = 6, SCAP_FD_FIFO = 7, SCAP_FD_UNIX_SOCK = 8, SCAP_FD_EVENT = 9,
	SCAP_FD_UNSUPPORTED = 10, SCAP_FD_SIGNALFD = 11, SCAP_FD_EVENTPOLL = 12,
	SCAP_FD_INOTIFY = 13, SCAP_FD_TIMERFD = 14, SCAP_FD_NETLINK = 15, SCAP_FD_FILE_V2 = 16,
	SCAP_FD_BPF = 17, SCAP_FD_USERFAULTFD = 18, SCAP_FD_IOURING = 19, SCAP_FD_MEMFD = 20,
	SCAP_FD_PIDFD = 21,
};

/* scap_l4_proto */
enum { SCAP_L4_UNKNOWN = 0, SCAP_L4_NA = 1, SCAP_L4_TCP = 2, SCAP_L4_UDP = 3,
       SCAP_L4_ICMP = 4, SCAP_L4_RAW = 5 };

/* event block flags (EVF blocks) */
enum { SCAP_DF_STATE_ONLY = 1, SCAP_DF_LARGE = 4 };

/* result of scap_next() */
enum scap_rc {
	SCAP_RC_ERROR = -1,	/* see scap_error(); the reader must not be used further */
	SCAP_RC_EOF = 0,
	SCAP_RC_EVENT = 1,
	SCAP_RC_SECTION = 2,	/* a new section (concatenated capture) started: its metadata
				   replaced the previous one; state must be rebuilt */
};

struct scap_machine {
	bool present;
	uint32_t num_cpus;
	uint64_t memory_bytes;
	uint64_t max_pid;
	char hostname[129];
	uint64_t boot_ts_epoch;
	uint64_t flags;
};

struct scap_iface {
	uint8_t family;		/* 4 or 6 */
	uint8_t addr[16];	/* network byte order */
	uint8_t netmask[16];
	uint8_t bcast[16];
	uint64_t linkspeed;
	const char *name;
};

struct scap_user {
	uint32_t uid, gid;
	const char *name, *home, *shell;
};

struct scap_group {
	uint32_t gid;
	const char *name;
};

/* one process-list entry; strings are NUL-terminated, blobs carry their length */
struct scap_thread_rec {
	int64_t tid, pid, ptid, sid, vpgid, pgid, vtid, vpid;
	const char *comm, *exe, *exepath, *cwd, *root;
	const char *args, *env, *cgroups;
	uint32_t args_len, env_len, cgroups_len;
	int64_t fdlimit;
	uint32_t flags, uid, gid;
	uint32_t vmsize_kb, vmrss_kb, vmswap_kb;
	uint64_t pfmajor, pfminor;
	uint64_t pidns_init_start_ts;
	uint32_t tty, loginuid;
	bool exe_writable, exe_upper_layer, exe_lower_layer, exe_from_memfd;
	uint64_t cap_inheritable, cap_permitted, cap_effective;
	uint64_t exe_ino, exe_ino_ctime, exe_ino_mtime;
};

/* one fd-list entry */
struct scap_fd_rec {
	int64_t tid;		/* owner thread */
	int64_t fd;
	uint64_t ino;
	int8_t type;		/* enum scap_fd_type */
	uint8_t l4proto;
	uint16_t sport, dport;	/* host order; server sockets: sport = bound port */
	uint8_t sip[16], dip[16]; /* IPv4 in the first 4 bytes; server: sip = bound ip */
	uint64_t unix_src, unix_dst;
	uint32_t open_flags, dev;
	const char *name;	/* file name / unix path / unknown-type text, "" otherwise */
};

/**
 * struct scap_raw - one event as delivered: a ppm header (26-byte v2 layout) followed by
 * the param lengths (u16, or u32 for EVF_LARGE_PAYLOAD types) and data, in the current
 * schema of @hdr type. Valid until the next scap_next() call.
 * @offset: byte offset of the event's block in the uncompressed stream
 */
struct scap_raw {
	const uint8_t *hdr;
	uint32_t len;
	uint16_t cpuid;
	uint32_t flags;		/* SCAP_DF_* */
	uint64_t offset;
	uint64_t block_index;	/* 1-based index among event blocks of the file */
};

struct scap_stats {
	uint64_t blocks;	/* all blocks read */
	uint64_t event_blocks;
	uint64_t delivered;	/* events returned */
	uint64_t conv_dropped;	/* consumed by the converter (stored enters, unused, old enters) */
	uint64_t unknown_type;	/* type codes beyond the table, skipped */
	uint64_t converted;	/* events whose layout was upgraded */
};

struct scap_reader;

/* Open @path (gzip or plain). On failure returns NULL and writes a message to @err. */
struct scap_reader *scap_open(const char *path, char *err, size_t errlen);

/* Same over a memory buffer (copied), for tests and fuzzing: the buffer is read in small
 * varying pieces, to exercise the reader's refills. */
struct scap_reader *scap_open_mem(const void *data, size_t len, char *err, size_t errlen);

void scap_close(struct scap_reader *r);

/* Next delivered event into @ev; see enum scap_rc. */
int scap_next(struct scap_reader *r, struct scap_raw *ev);

/* Last error, "offset N: what" (empty if none). */
const char *scap_error(const struct scap_reader *r);

/* Section metadata (valid until the next section or close). */
const struct scap_machine *scap_machine(const struct scap_reader *r);
const struct scap_thread_rec *scap_threads(const struct scap_reader *r, size_t *n);
const struct scap_fd_rec *scap_fds(const struct scap_reader *r, size_t *n);
const struct scap_iface *scap_ifaces(const struct scap_reader *r, size_t *n);
const struct scap_user *scap_users(const struct scap_reader *r, size_t *n);
const struct scap_group *scap_groups(const struct scap_reader *r, size_t *n);
void scap_version(const struct scap_reader *r, uint16_t *major, uint16_t *minor);
const struct scap_stats *scap_get_stats(const struct scap_reader *r);

/* Number of blocks of type @bt read so far (for tests and dumps). */
uint64_t scap_block_count(const struct scap_reader *r, uint32_t bt);

/* Last block types seen, as a printable "SHB:1, MI:1, ..." summary (tests, --stats). */
size_t scap_block_summary(const struct scap_reader *r, char *buf, size_t size);

/**
 * scap_event_check() - validate a v2 event in @buf (@len bytes available): header, length,
 * nparams against the schema and every param length. Used by the reader and by anyone
 * receiving raw events (the probe ring buffer).
 * Return: NULL if valid, else a static message.
 */
const char *scap_event_check(const uint8_t *buf, size_t len);

#endif
