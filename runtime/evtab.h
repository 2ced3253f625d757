/* SPDX-License-Identifier: Apache-2.0
 *
 * The event schema table: ppm event codes (as in .scap captures and as the probe emits
 * them), their names, flags and parameter schemas, plus the ppm_sc syscall names used by
 * generic events. Used by the scap reader, the event decoder, the extractors, the probe
 * and by the compiler (evt.type validation and event-type sets).
 *
 * Owner: rtcore. The data lives in evtab.def (one EVENT line per code); this header and
 * its functions are stable: extend by appending, never renumber. Everything here is
 * read-only, allocation-free and safe to call on the per-event path.
 */
#ifndef FRC_RUNTIME_EVTAB_H
#define FRC_RUNTIME_EVTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* EF_* event flags */
enum {
	EVF_CREATES_FD = 1u << 0,
	EVF_DESTROYS_FD = 1u << 1,
	EVF_USES_FD = 1u << 2,
	EVF_READS_FROM_FD = 1u << 3,
	EVF_WRITES_TO_FD = 1u << 4,
	EVF_MODIFIES_STATE = 1u << 5,
	EVF_UNUSED = 1u << 6,
	EVF_OLD_VERSION = 1u << 7,
	EVF_LARGE_PAYLOAD = 1u << 8,	/* u32 parameter lengths */
	EVF_SKIPPARSERESET = 1u << 9,
	EVF_CONVERTER_MANAGED = 1u << 10,
	EVF_WAITS = 1u << 11,
};

/* event categories (ppm_event_category): one low "class" value plus EVC_* source bits */
enum {
	EVC_UNKNOWN = 0, EVC_OTHER = 1, EVC_FILE = 2, EVC_NET = 3, EVC_IPC = 4, EVC_MEMORY = 5,
	EVC_PROCESS = 6, EVC_SLEEP = 7, EVC_SYSTEM = 8, EVC_SIGNAL = 9, EVC_USER = 10,
	EVC_TIME = 11, EVC_PROCESSING = 12, EVC_IO_READ = 32, EVC_IO_WRITE = 33,
	EVC_IO_OTHER = 34,
	EVC_CLASS_MASK = 0x3f,
	EVC_WAIT = 1u << 6, EVC_SCHEDULER = 1u << 7, EVC_INTERNAL = 1u << 8,
	EVC_SYSCALL = 1u << 9, EVC_TRACEPOINT = 1u << 10, EVC_PLUGIN = 1u << 11,
	EVC_METAEVENT = 1u << 12, EVC_ITER = 1u << 13,
};

/* ppm_param_type, as stored in captures (scap-format.md §9.4) */
enum evt_ptype {
	PT_NONE = 0, PT_INT8, PT_INT16, PT_INT32, PT_INT64, PT_UINT8, PT_UINT16, PT_UINT32,
	PT_UINT64, PT_CHARBUF, PT_BYTEBUF, PT_ERRNO, PT_SOCKADDR, PT_SOCKTUPLE, PT_FD, PT_PID,
	PT_FDLIST, PT_FSPATH, PT_SYSCALLID, PT_SIGTYPE, PT_RELTIME, PT_ABSTIME, PT_PORT,
	PT_L4PROTO, PT_SOCKFAMILY, PT_BOOL, PT_IPV4ADDR, PT_DYN, PT_FLAGS8, PT_FLAGS16,
	PT_FLAGS32, PT_UID, PT_GID, PT_DOUBLE, PT_SIGSET, PT_CHARBUFARRAY,
	PT_CHARBUF_PAIR_ARRAY, PT_IPV4NET, PT_IPV6ADDR, PT_IPV6NET, PT_IPADDR, PT_IPNET,
	PT_MODE, PT_FSRELPATH, PT_ENUMFLAGS8, PT_ENUMFLAGS16, PT_ENUMFLAGS32, PT_FD32, PT_PID32,
	PT__COUNT
};

/* print formats of numeric params (ppm_print_format) */
enum evt_pfmt {
	PF_NA = 0, PF_DEC, PF_HEX, PF_10_PADDED_DEC, PF_ID, PF_DIR, PF_OCT
};

/* the event codes: PPME_<NAME> = code, exactly the ppm_event_code numbering */
enum ppm_event_code {
#define EVENT(sym, code, ...) sym = code,
#include "evtab.def"
#undef EVENT
	PPM_EVENT_MAX
};

/* wire-format constants used when interpreting params (ppm_events_public.h values) */
enum {
	PPM_O_RDONLY = 1u << 0, PPM_O_WRONLY = 1u << 1, PPM_O_CREAT = 1u << 2,
	PPM_O_DIRECTORY = 1u << 10, PPM_O_CLOEXEC = 1u << 12, PPM_O_TMPFILE = 1u << 13,
	PPM_O_F_CREATED = 1u << 14, PPM_FD_UPPER_LAYER = 1u << 15, PPM_FD_LOWER_LAYER = 1u << 16,
	PPM_FD_UPPER_LAYER_CREAT = 1u << 0, PPM_FD_LOWER_LAYER_CREAT = 1u << 1,
	PPM_S_IXOTH = 1u << 0, PPM_S_IXGRP = 1u << 3, PPM_S_IXUSR = 1u << 6,
	PPM_EXE_WRITABLE = 1u << 0, PPM_EXE_UPPER_LAYER = 1u << 1, PPM_EXE_FROM_MEMFD = 1u << 2,
	PPM_EXE_LOWER_LAYER = 1u << 3, PPM_EXVAT_AT_EMPTY_PATH = 1u << 0,
	PPM_MFD_CLOEXEC = 1u << 0, PPM_EPOLL_CLOEXEC = 1u << 0, PPM_CLOSE_RANGE_CLOEXEC = 1u << 2,
	PPM_RLIMIT_NOFILE = 7, PPM_FCNTL_F_DUPFD = 1, PPM_FCNTL_F_SETFD = 3,
	PPM_FCNTL_F_DUPFD_CLOEXEC = 26, PPM_PR_SET_CHILD_SUBREAPER = 36,
	PPM_PR_GET_CHILD_SUBREAPER = 37, PPM_SOCKOPT_LEVEL_SOL_SOCKET = 1, PPM_SOCKOPT_SO_ERROR = 4,
	PPM_AF_UNSPEC = 0, PPM_AF_UNIX = 1, PPM_AF_INET = 2, PPM_AF_INET6 = 10, PPM_AF_NETLINK = 16,
};
#define PPM_AT_FDCWD (-100)

/* PPM_CL_* thread flags (clone flags param, PL block flags, thread state) */
enum {
	PPM_CL_CLONE_FILES = 1u << 0, PPM_CL_CLONE_FS = 1u << 1, PPM_CL_CLONE_NEWPID = 1u << 6,
	PPM_CL_CLONE_PARENT = 1u << 8, PPM_CL_CLONE_THREAD = 1u << 13,
	PPM_CL_CLONE_INVERTED = 1u << 16, PPM_CL_NAME_CHANGED = 1u << 17, PPM_CL_CLOSED = 1u << 18,
	PPM_CL_ACTIVE = 1u << 19, PPM_CL_CLONE_NEWUSER = 1u << 20, PPM_CL_PIPE_SRC = 1u << 21,
	PPM_CL_PIPE_DST = 1u << 22, PPM_CL_CLONE_VFORK = 1u << 27, PPM_CL_CHILD_IN_PIDNS = 1u << 29,
	PPM_CL_IS_MAIN_THREAD = 1u << 30,
};

/* PPM_SC_MAX: bound of ppm_sc codes (param ID of generic events) */
#define PPM_SC_MAX 512

struct evt_flagname {
	const char *name;
	uint32_t value;
};

/**
 * struct evt_param - one parameter of an event schema.
 * @fmt: print format (enum evt_pfmt)
 * @flags: name table for FLAGS/ENUMFLAGS/MODE params, terminated by {NULL, 0}, or NULL
 * @aux: for FSRELPATH, the index of the dirfd param it is relative to
 * @dyn, @ndyn: for PT_DYN, the real type of each index value (the u8 stored first)
 */
struct evt_param {
	const char *name;
	enum evt_ptype type;
	uint8_t fmt;
	uint8_t aux;
	const struct evt_flagname *flags;
	const struct evt_param *dyn;
	uint8_t ndyn;
};

/**
 * struct evt_schema - one event code.
 * @name: evt.type, e.g. "openat" ("NA" for unused codes, as libsinsp names them)
 * @category: EVC_* class | source bits
 * @sym: the PPME_* symbol as a string, for diagnostics and dumps
 */
struct evt_schema {
	const char *name;
	uint32_t flags;		/* EVF_* */
	uint16_t nparams;
	const struct evt_param *params;
	uint32_t category;
	const char *sym;
};

/* Highest event code + 1 known to the table. */
extern const uint16_t evtab_ncodes;

/* Schema of @code, or NULL if the code is unknown. */
const struct evt_schema *evtab_schema(uint16_t code);

/* The schemas by code (evtab_schema() without the call, for per-event paths: check
   code < PPM_EVENT_MAX first). */
extern const struct evt_schema evtab_schemas[];

/**
 * evtab_codes_by_name() - event codes whose evt.type is @name: every code of the event of
 * that name (enter and exit, all versions), or the generic codes when @name is only a
 * ppm_sc syscall name. Sets the bits in @bits (512 bits).
 * Return: true if @name is an event or syscall name.
 */
bool evtab_codes_by_name(const char *name, size_t len, uint64_t bits[8]);

/* Name of ppm_sc syscall code @sc (param ID of generic events), or NULL. */
const char *evtab_syscall_name(uint16_t sc);

/* ppm_sc code of syscall @name ("mprotect"), or -1. */
int evtab_syscall_code(const char *name, size_t len);

/* ppm_sc code of native syscall number @nr of this architecture, or 0 (unknown). */
uint16_t evtab_sc_from_native(uint32_t nr);

/* True for enter events (even codes), as PPME_IS_ENTER. */
static inline bool evtab_is_enter(uint16_t code)
{
	return (code & 1) == 0;
}

/* Index of the first param of @s named @name, or -1. */
int evtab_param_index(const struct evt_schema *s, const char *name, size_t len);

/* True if some event has a param called @name (evt.arg.NAME validation). */
bool evtab_is_param_name(const char *name, size_t len);

/**
 * evtab_exit_fd_param() - index of the param holding the fd the event operates on, for
 * exit events with EVF_USES_FD (libscap's get_exit_event_fd_location), or -1 when the
 * fd is the return value (creators) or the event has none.
 */
int evtab_exit_fd_param(uint16_t code);

/**
 * evtab_render_flags() - render @value with a flags/enum name table the libsinsp way:
 * FLAGS and MODE list matching entries in table order joined by '|' (MODE also takes an
 * exact-match entry), ENUMFLAGS every entry equal to @value. Writes a NUL-terminated
 * string (possibly empty: nothing matched) into @buf, truncated to @size.
 * Return: length written.
 */
size_t evtab_render_flags(enum evt_ptype type, const struct evt_flagname *tab, uint32_t value,
			  char *buf, size_t size);

/* Size in bytes of a param of fixed-size type @t on the wire, 0 for a variable-length one. */
uint32_t evtab_ptype_size(enum evt_ptype t);

/* Name of @err (positive errno value) as libsinsp prints it ("ENOENT"), or NULL. */
const char *evtab_errno_name(int64_t err);

/* Name of signal @sig as libsinsp prints it ("SIGKILL"), or NULL. */
const char *evtab_signal_name(unsigned sig);

#endif
