/* SPDX-License-Identifier: Apache-2.0
 *
 * The state tables behind the fields: threads (with parent links, thread groups and
 * fake threads for unknown tids), a per-process fd table, user and group tables keyed by
 * container, container ids from cgroups and container metadata, and the machine's
 * interfaces. They are seeded from a capture's metadata blocks or, live, from a /proc
 * scan through the state_add_*() calls, and then kept up to date by state_pre() (before
 * the event is shown to rules) and state_post() (delayed removals, after evaluation),
 * following libsinsp's parser.
 *
 * Owner: rtcore. Tables are bounded (cfg); the per-event path reuses pooled objects and
 * string buffers, so it only allocates when a table or a string grows past its previous
 * high-water mark. The structs are public for the extractors (runtime/extract.c); other
 * modules should treat them as read-only.
 */
#ifndef FRC_RUNTIME_STATE_H
#define FRC_RUNTIME_STATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "event.h"
#include "scap.h"

struct frc_state;

/**
 * struct frc_state_gens - change counters of the tables, for the caches of values derived
 * from them (the ancestors, user and container each thread keeps in struct frc_thread_xc
 * and struct frc_thread_xraw).
 * Each starts at 1, only grows, and moves on every change that could alter what it guards:
 * @thr: the thread table's shape: a thread added to or removed from the table, a thread
 *       group formed or changed, a parent link or a thread's tid, pid or ptid changed, or
 *       its main-thread flag (what state_find_thread(), state_main_thread(),
 *       state_ancestor() and the parent walks read);
 * @usr: the user and group tables, and the container id of any thread;
 * @ctr: the container table, and the container id of any thread.
 * A thread's own strings and numbers (comm, exe, args, uid...) are not covered: caches keep
 * pointers to threads, users and containers and read those at each event.
 */
struct frc_state_gens {
	uint64_t thr, usr, ctr;
};

/* the counters: the first member of the state (state.c checks that) */
static inline const struct frc_state_gens *state_gens(const struct frc_state *st)
{
	return (const struct frc_state_gens *)(const void *)st;
}

/* a growable string: s is always NUL-terminated (points to "" when cap == 0) */
struct frc_str {
	char *s;
	uint32_t len, cap;
};

/* fd flags (sinsp_fdinfo) */
enum {
	FDF_FROM_PROC = 1u << 0,
	FDF_ROLE_CLIENT = 1u << 2,
	FDF_ROLE_SERVER = 1u << 3,
	FDF_SOCKET_CONNECTED = 1u << 13,
	FDF_IS_CLONED = 1u << 14,
	FDF_CONNECTION_PENDING = 1u << 15,
	FDF_CONNECTION_FAILED = 1u << 16,
	FDF_OVERLAY_UPPER = 1u << 17,
	FDF_OVERLAY_LOWER = 1u << 18,
};

/**
 * union frc_sockinfo - socket endpoints, laid out exactly like libsinsp's sinsp_sockinfo
 * (the IPv4/IPv6 tuples and the server infos overlap, and libsinsp's parsers rely on
 * that overlap when a server socket turns into a connected one). Addresses are in
 * network order, ports in host order.
 */
union frc_sockinfo {
	struct {
		uint32_t sip, dip;
		uint16_t sport, dport;
		uint8_t l4proto;
	} v4;
	struct {
		uint8_t sip[16], dip[16];
		uint16_t sport, dport;
		uint8_t l4proto;
	} v6;
	struct {
		uint32_t ip;
		uint16_t port;
		uint8_t l4proto;
	} v4srv;
	struct {
		uint8_t ip[16];
		uint16_t port;
		uint8_t l4proto;
	} v6srv;
	struct {
		uint64_t src, dst;
	} un;
	uint8_t raw[40];
};

/**
 * struct frc_fd - one file descriptor. Records are 64-byte aligned: the name, type,
 * flags and endpoints (what the fd fields of most events read) fill the first cache line.
 */
struct frc_fd {
	/* line 0 */
	struct frc_str name;
	int8_t type;		/* enum scap_fd_type */
	uint32_t flags;		/* FDF_* */
	union frc_sockinfo sock;
	/* line 1 */
	int64_t fd;
	uint32_t openflags;
	uint32_t dev;
	uint64_t ino;
	int64_t pid;		/* pidfd target */
	struct frc_str name_raw;
	uint32_t name_ver, oldname_ver; /* fd.name_changed: name_ver moved during the event */
	struct frc_fd *pool_next;
};

struct frc_fdtable {
	struct frc_fd **slot;	/* open addressing by fd number, NULL = empty */
	uint32_t cap, n;
};

struct frc_tgroup;
struct frc_container;

/* ancestors a thread remembers (runtime/extract.c): proc.aname[0 .. N-1] and the like */
#define FRC_XC_ANC 8
/* the longest raw parent walk a thread remembers (struct frc_thread_xraw) */
#define FRC_XR_ANC 12

/**
 * struct frc_thread_xc - what the extractors of compiled conditions remember about a
 * thread between events (runtime/extract.c writes it, state.c only clears it: a thread
 * taken from the pool starts with every stamp 0, which no generation equals). Each part
 * is valid while its stamp equals the state's counter of that name (state_gens()):
 * @anc_gen: @anc[i] = state_ancestor(st, t, i) for i < @nanc (thr counter);
 * @usr_gen: the user name of uid @uid in the thread's container, @uname (@unamelen bytes),
 *           used while t->uid == @uid (usr);
 * @ctr_gen: @ctr = state_container(st, t->container_id), and container.id: @cid (@cidlen
 *           bytes), @ctr's id or else t->container_id (ctr).
 * The stamps, pointers and lengths fill one cache line, @anc the next one.
 */
struct frc_thread_xc {
	uint64_t anc_gen, usr_gen, ctr_gen;
	const char *uname, *cid;
	const struct frc_container *ctr;
	uint32_t uid, unamelen, cidlen;
	uint8_t nanc;
	struct frc_thread *anc[FRC_XC_ANC];
};

/**
 * struct frc_thread_xraw - the whole raw parent walk of the main thread (the ancestors of
 * proc.aname and the other lists without index) when it has at most FRC_XR_ANC threads:
 * @raw[0 .. @nraw), @nraw -1 without a main thread; valid while @raw_gen equals the
 * state's thr counter (as struct frc_thread_xc).
 */
struct frc_thread_xraw {
	uint64_t raw_gen;
	int8_t nraw;
	struct frc_thread *raw[FRC_XR_ANC];
};

/* sizes of the buffers in the thread record that keep comm, exe and cwd while they fit
   (NUL included) */
#define FRC_COMM_INLINE 16
#define FRC_EXE_INLINE 48
#define FRC_CWD_INLINE 32

/**
 * struct frc_thread - one thread (libsinsp threadinfo). cwd, env and the fd table are
 * meaningful on the main thread of a process (tid == pid); other threads defer to it.
 *
 * Records are 64-byte aligned and the members that the extractors of compiled conditions
 * read for most events come first, so that an event touches few cache lines of its thread
 * (and of its ancestors): line 0 the ids, flags, uid, tty, exe flags and comm, line 1 the
 * remembered lookups, line 2 the remembered ancestors, line 3 exe, line 4 the command
 * line (with proc.args in it, args_at) and environment, line 5 vpid, vpgid and cwd, line
 * 6 the remembered parent walk; the rest after. comm, exe and cwd keep their text in the
 * buffer that follows them (@comm_buf, @exe_buf, @cwd_buf: the string's s points there)
 * while it fits, so that it shares their line.
 */
struct frc_thread {
	/* line 0 */
	int64_t tid, pid;
	uint32_t flags;		/* PPM_CL_* */
	uint32_t uid;
	uint32_t tty;
	bool exe_writable, exe_upper_layer, exe_lower_layer, exe_from_memfd;
	struct frc_str comm;
	char comm_buf[FRC_COMM_INLINE];
	/* lines 1, 2 */
	struct frc_thread_xc xc;
	/* line 3 */
	struct frc_str exe;
	char exe_buf[FRC_EXE_INLINE];
	/* line 4 */
	struct frc_str cmdline;
	uint32_t nargs;
	uint32_t args_at;	/* if > 0: cmdline from here is args joined with spaces */
	struct frc_str env;	/* as args */
	uint32_t nenv;
	/* names the environment's content: threads with the same env_id have the same env
	   bytes and nenv (ids are never reused in the process; a thread takes its own or its
	   parent's id when it is given the same environment again, else a new one) */
	uint64_t env_id;
	/* line 5 */
	int64_t vpid, vpgid;
	struct frc_str cwd;	/* no NUL before cwd.len (strlen(cwd.s) == cwd.len) */
	char cwd_buf[FRC_CWD_INLINE];
	/* line 6 and after */
	struct frc_thread_xraw xr;
	struct frc_str args;	/* argv[1..] NUL-separated (each item NUL-terminated) */
	int64_t ptid, sid;
	int64_t lastevent_fd;
	struct frc_thread *hnext;	/* hash chain */
	struct frc_str exepath;
	int64_t pgid, vtid, reaper_tid;
	uint32_t gid, loginuid;
	int64_t fdlimit;
	uint64_t clone_ts, lastexec_ts, pidns_init_start_ts, lastaccess_ts;
	uint64_t cap_inheritable, cap_permitted, cap_effective;
	uint64_t exe_ino, exe_ino_ctime, exe_ino_mtime;
	uint64_t exe_ino_ctime_duration_clone_ts, exe_ino_ctime_duration_pidns_start;
	uint32_t vmsize_kb, vmrss_kb, vmswap_kb;
	uint64_t pfmajor, pfminor;
	struct frc_str root;
	struct frc_str cgroups;	/* "subsys=path" items, NUL-terminated each */
	uint32_t ncgroups;
	char container_id[72];	/* "" on the host */
	/* the enter event kept for the next exit (TOCTOU / fallbacks) */
	uint16_t lastevent_type;
	bool lastevent_valid;
	uint8_t *last_evt;
	uint32_t last_evt_len, last_evt_cap;
	/* links */
	struct frc_tgroup *tg;
	struct frc_thread *tg_prev, *tg_next;
	struct frc_thread *parent;	/* whose children list we are in */
	struct frc_thread *child_head, *sib_prev, *sib_next;
	uint32_t nchildren;
	struct frc_fdtable fdt;
	bool in_table;
};

struct frc_tgroup {
	int64_t pid;
	uint32_t nalive;
	bool reaper;
	struct frc_thread *head, *tail;
	struct frc_tgroup *hnext;
};

struct frc_user {
	uint32_t uid, gid;
	char *name, *home, *shell;
};

struct frc_group {
	uint32_t gid;
	char *name;
};

struct frc_mount {
	char *source, *dest, *mode, *propagation;
	bool rdwr;
};

struct frc_container {
	char *id, *name, *image, *imagerepo, *imagetag, *ip, *user;
	bool privileged;
	struct frc_mount *mounts;
	uint32_t nmounts;
	char **labels;		/* key, value pairs */
	uint32_t nlabels;
};

struct frc_iface {
	uint8_t family;		/* 4 or 6 */
	uint8_t addr[16], netmask[16];
};

/**
 * struct frc_state_cfg - limits and behaviour switches.
 * @max_threads: thread table bound (libsinsp default 262144)
 * @max_fds: fds per process (libsinsp MAX_FD_TABLE_SIZE 4096)
 * @host_user_lookup: resolve uids/gids missing from the capture's user table on this
 *                    machine (getpwuid), as libsinsp does
 * @live: live mode (container users read from /proc/PID/root/etc/passwd)
 * @proc_lookup: optional hook for unknown tids (live)
 */
struct frc_state_cfg {
	uint32_t max_threads;
	uint32_t max_fds;
	bool host_user_lookup;
	bool live;
	/* live only: called for a tid missing from the table (e.g. a /proc lookup that calls
	   state_add_thread/state_add_fd); return true if the thread was added */
	bool (*proc_lookup)(void *ctx, struct frc_state *st, int64_t tid);
	void *proc_lookup_ctx;
};

struct frc_state_stats {
	uint64_t threads_added, threads_removed, fake_threads, threads_dropped_full;
	uint64_t fds_added, fds_removed, fds_dropped_full;
	uint64_t enter_stored, enter_retrieved, enter_missing;
};

/* defaults for @cfg fields left 0 */
struct frc_state *state_new(const struct frc_state_cfg *cfg);
void state_free(struct frc_state *st);

/* Forget every thread, fd, user, container and interface (new capture section). */
void state_reset(struct frc_state *st);

/* ---- seeding (capture metadata or /proc scan) ---- */

/* Load a capture section's machine info, interfaces, users, process and fd tables. */
int state_load_scap(struct frc_state *st, const struct scap_reader *r);

void state_set_machine(struct frc_state *st, const struct scap_machine *mi);
/* Add a thread (as read from /proc or a PL entry); replaces an existing tid. */
struct frc_thread *state_add_thread(struct frc_state *st, const struct scap_thread_rec *tr);
/* Add an fd to thread rec->tid (which must have been added). */
bool state_add_fd(struct frc_state *st, const struct scap_fd_rec *rec);
void state_add_iface(struct frc_state *st, const struct scap_iface *ifc);
/* Add or update a user/group of container @container_id ("" = host). */
void state_add_user(struct frc_state *st, const char *container_id, uint32_t uid, uint32_t gid,
		    const char *name, const char *home, const char *shell);
void state_add_group(struct frc_state *st, const char *container_id, uint32_t gid, const char *name);
/* Add container metadata from a container JSON document (old capture events, runtime
 * lookups); returns false if it cannot be parsed. */
bool state_add_container_json(struct frc_state *st, const char *json, size_t len);
/* After seeding: build parent/group links and fix socket directions (once). */
void state_finish_load(struct frc_state *st);

/* ---- per event ---- */

/**
 * state_pre() - attach the thread and fd of @e and apply its state changes (clone,
 * execve, open, connect, ...), before rules see it. Sets e->thr, e->fdi,
 * e->fd_name_changed, e->errorcode.
 */
void state_pre(struct frc_state *st, struct frc_evt *e);

/* state_post() - changes libsinsp delays until the event was seen: fd removals after
 * close, removal of exited threads. */
void state_post(struct frc_state *st, struct frc_evt *e);

/* Remove threads not seen for @max_age_ns (live mode housekeeping). Returns the count. */
uint32_t state_purge_inactive(struct frc_state *st, uint64_t now_ns, uint64_t max_age_ns);

/* ---- lookups (extractors, outputs) ---- */

struct frc_thread *state_find_thread(const struct frc_state *st, int64_t tid);
struct frc_fd *state_thread_fd(struct frc_thread *t, int64_t fd);
struct frc_fdtable *state_fdtable(struct frc_thread *t);
struct frc_thread *state_main_thread(struct frc_thread *t);
/* N-th ancestor process (0 = own main thread), or NULL */
struct frc_thread *state_ancestor(const struct frc_state *st, struct frc_thread *t, uint32_t n);
/* Ancestors walked by raw ptid from the main thread's parent (libsinsp
 * traverse_parent_state): calls @fn until it returns false. */
void state_walk_parents(const struct frc_state *st, struct frc_thread *t,
			bool (*fn)(struct frc_thread *p, void *ctx), void *ctx);
/* cwd of the process: main thread's cwd, or "./" without a main thread */
const char *state_cwd(struct frc_thread *t);
/* session/process-group leader search (proc.sname, proc.vpgid.name) */
struct frc_thread *state_group_leader(const struct frc_state *st, struct frc_thread *t,
				      bool vpgid);

const struct frc_user *state_user(const struct frc_state *st, const char *container_id, uint32_t uid);
const struct frc_group *state_group(const struct frc_state *st, const char *container_id, uint32_t gid);
/* container metadata for an id; the host ("") has a built-in entry */
const struct frc_container *state_container(const struct frc_state *st, const char *id);
const struct scap_machine *state_machine(const struct frc_state *st);
/* is @addr (4 or 16 bytes) one of this machine's (or the thread's container's) addresses */
bool state_ip_is_local(const struct frc_state *st, struct frc_thread *t, int family,
		       const uint8_t *addr);
const struct frc_state_stats *state_get_stats(const struct frc_state *st);
size_t state_nthreads(const struct frc_state *st);

/* Iterate every thread (tests, dumps); stop when @fn returns false. */
void state_foreach_thread(struct frc_state *st, bool (*fn)(struct frc_thread *t, void *ctx),
			  void *ctx);

/* Iterate the fds of a table. */
void state_foreach_fd(struct frc_fdtable *ft, bool (*fn)(struct frc_fd *f, void *ctx), void *ctx);

/* Container id of a cgroup path per the container plugin's matchers; writes "" if none. */
void state_container_id_from_cgroup(const char *cgroup, size_t len, char *out, size_t outsz);

/* Path helpers with libsinsp's normalisation (concatenate_paths); out is NUL-terminated
 * and at most 1023 bytes, "/DIR_TOO_LONG/FILENAME_TOO_LONG" on overflow. */
size_t state_concat_paths(const char *p1, size_t l1, const char *p2, size_t l2, char *out);

/* fd text helpers */
const char *state_fd_typestring(int type);
char state_fd_typechar(int type);
int state_fd_l4proto(const struct frc_fd *f);	/* libsinsp get_l4proto() */

/* Socket text as libsinsp renders it (returns the length written to @buf):
 * state_fmt_tuple4: "a.b.c.d:p->e.f.g.h:q" (ipv4tuple_to_string);
 * state_fmt_sockinfo: an fd's name after a tuple update (sockinfo_to_str). */
size_t state_fmt_tuple4(uint32_t sip, uint16_t sport, uint32_t dip, uint16_t dport, char *buf,
			size_t size);
size_t state_fmt_sockinfo(const struct frc_fd *f, char *buf, size_t size);

#endif
