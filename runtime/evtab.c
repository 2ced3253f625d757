/* SPDX-License-Identifier: Apache-2.0
 *
 * The event schema table built from evtab.def, name lookups (evt.type, ppm_sc syscall
 * names, param names), flags rendering, errno names and the "which param is the fd"
 * table of exit events. All tables are static const data; no function allocates.
 */
#include <string.h>
#include <sys/syscall.h>

#include "evtab.h"

/* ---- flags tables ---- */
#define FV(n, v) { n, v },
#define FLAGTAB(id, ...) static const struct evt_flagname ftab_##id[] = { __VA_ARGS__ { NULL, 0 } };
#include "evtab.def"
#undef FLAGTAB
#undef FV

/* ---- dynamic parameter sub-types ---- */
#define DP(t, f) { "", PT_##t, PF_##f, 0, NULL, NULL, 0 },
#define DYNTAB(id, ...) static const struct evt_param dtab_##id[] = { __VA_ARGS__ };
#include "evtab.def"
#undef DYNTAB
#undef DP

/* ---- per-event parameter arrays ---- */
#define P(n, t, f) { n, PT_##t, PF_##f, 0, NULL, NULL, 0 },
#define PFL(n, t, f, tab) { n, PT_##t, PF_##f, 0, ftab_##tab, NULL, 0 },
#define PREL(n, t, f, dirfd) { n, PT_##t, PF_##f, dirfd, NULL, NULL, 0 },
#define PDYN(n, t, f, tab) \
	{ n, PT_##t, PF_##f, 0, NULL, dtab_##tab, sizeof(dtab_##tab) / sizeof(dtab_##tab[0]) },
#define EVENT(sym, code, name, cat, flags, ...) \
	static const struct evt_param params_##code[] = { __VA_ARGS__ { NULL, PT_NONE, 0, 0, NULL, NULL, 0 } };
#include "evtab.def"
#undef EVENT

/* ---- the schema array ---- */
#define EF(x) EVF_##x
#define EC(x) EVC_##x
#define EVENT(sym, code, name, cat, flags, ...)                                                  \
	[code] = { name, (flags), sizeof(params_##code) / sizeof(params_##code[0]) - 1,          \
		   params_##code, (cat), #sym },
const struct evt_schema evtab_schemas[] = {
#include "evtab.def"
};
#undef EVENT
#undef EF
#undef EC
#undef P
#undef PFL
#undef PREL
#undef PDYN

#define schemas evtab_schemas

const uint16_t evtab_ncodes = sizeof(schemas) / sizeof(schemas[0]);

_Static_assert(sizeof(schemas) / sizeof(schemas[0]) == PPM_EVENT_MAX, "evtab.def has holes");

/* ---- ppm_sc names ---- */
#define SC(code, name) [code] = name,
static const char *const sc_names[PPM_SC_MAX] = {
#include "evtab.def"
};
#undef SC

/* ---- native syscall numbers of this architecture ---- */
struct scnr {
	uint32_t nr;
	uint16_t sc;
};
#define SCNR(nr, code) { nr, code },
static const struct scnr sc_native[] = {
#include "evtab.def"
};
#undef SCNR

const struct evt_schema *evtab_schema(uint16_t code)
{
	if (code >= evtab_ncodes)
		return NULL;
	return &schemas[code];
}

static bool name_eq(const char *a, const char *b, size_t blen)
{
	return strncmp(a, b, blen) == 0 && a[blen] == '\0';
}

bool evtab_codes_by_name(const char *name, size_t len, uint64_t bits[8])
{
	bool found = false;

	/*
	 * libsinsp matches event names from code 2 up (the generic pair is named
	 * "syscall" but is only reachable through ppm_sc names), and adds the generic
	 * codes only when the name is no event name but a syscall name.
	 */
	for (uint16_t c = 2; c < evtab_ncodes; c++) {
		if (name_eq(schemas[c].name, name, len)) {
			bits[c / 64] |= 1ull << (c % 64);
			found = true;
		}
	}
	if (found)
		return true;
	if (evtab_syscall_code(name, len) > 0) {
		bits[PPME_GENERIC_E / 64] |= 1ull << (PPME_GENERIC_E % 64);
		bits[PPME_GENERIC_X / 64] |= 1ull << (PPME_GENERIC_X % 64);
		return true;
	}
	return false;
}

const char *evtab_syscall_name(uint16_t sc)
{
	return sc < PPM_SC_MAX ? sc_names[sc] : NULL;
}

int evtab_syscall_code(const char *name, size_t len)
{
	for (int i = 0; i < PPM_SC_MAX; i++)
		if (sc_names[i] && name_eq(sc_names[i], name, len))
			return i;
	return -1;
}

uint16_t evtab_sc_from_native(uint32_t nr)
{
	for (size_t i = 0; i < sizeof(sc_native) / sizeof(sc_native[0]); i++)
		if (sc_native[i].nr == nr)
			return sc_native[i].sc;
	return 0;
}

int evtab_param_index(const struct evt_schema *s, const char *name, size_t len)
{
	if (!s)
		return -1;
	for (int i = 0; i < s->nparams; i++)
		if (name_eq(s->params[i].name, name, len))
			return i;
	return -1;
}

bool evtab_is_param_name(const char *name, size_t len)
{
	for (uint16_t c = 0; c < evtab_ncodes; c++)
		if (evtab_param_index(&schemas[c], name, len) >= 0)
			return true;
	return false;
}

int evtab_exit_fd_param(uint16_t code)
{
	switch (code) {
	case PPME_SYSCALL_SETNS_X:
	case PPME_SOCKET_LISTEN_X:
	case PPME_SOCKET_SHUTDOWN_X:
	case PPME_SYSCALL_FCHDIR_X:
	case PPME_SYSCALL_LSEEK_X:
	case PPME_SYSCALL_LLSEEK_X:
	case PPME_SYSCALL_IOCTL_3_X:
	case PPME_SYSCALL_FSTAT_X:
	case PPME_SYSCALL_CLOSE_X:
	case PPME_SYSCALL_GETDENTS_X:
	case PPME_SYSCALL_GETDENTS64_X:
	case PPME_SYSCALL_FLOCK_X:
	case PPME_SYSCALL_COPY_FILE_RANGE_X:
	case PPME_SYSCALL_FCNTL_X:
	case PPME_SYSCALL_DUP_1_X:
	case PPME_SYSCALL_DUP2_X:
	case PPME_SYSCALL_DUP3_X:
	case PPME_SYSCALL_NEWFSTATAT_X:
	case PPME_SYSCALL_FCHOWNAT_X:
	case PPME_SYSCALL_FCHMODAT_X:
	case PPME_SYSCALL_MKDIRAT_X:
	case PPME_SYSCALL_UNLINKAT_2_X:
	case PPME_SYSCALL_MKNODAT_X:
	case PPME_SOCKET_SENDMMSG_X:
	case PPME_SOCKET_RECVMMSG_X:
	case PPME_SYSCALL_IO_URING_REGISTER_X:
	case PPME_SYSCALL_IO_URING_ENTER_X:
	case PPME_SOCKET_SETSOCKOPT_X:
	case PPME_SOCKET_GETSOCKOPT_X:
	case PPME_SYSCALL_FSCONFIG_X:
	case PPME_SYSCALL_FINIT_MODULE_X:
	case PPME_SYSCALL_FCHMOD_X:
	case PPME_SYSCALL_FCHOWN_X:
		return 1;
	case PPME_SYSCALL_READ_X:
	case PPME_SYSCALL_PREAD_X:
	case PPME_SOCKET_BIND_X:
	case PPME_SYSCALL_WRITE_X:
	case PPME_SYSCALL_PWRITE_X:
	case PPME_SOCKET_RECV_X:
	case PPME_SOCKET_SEND_X:
	case PPME_SOCKET_SENDTO_X:
	case PPME_SOCKET_SENDMSG_X:
	case PPME_SYSCALL_SENDFILE_X:
	case PPME_SYSCALL_SPLICE_X:
	case PPME_SYSCALL_WRITEV_X:
	case PPME_SYSCALL_PWRITEV_X:
	case PPME_SOCKET_CONNECT_X:
	case PPME_SYSCALL_SYMLINKAT_X:
		return 2;
	case PPME_SOCKET_RECVFROM_X:
	case PPME_SYSCALL_READV_X:
	case PPME_SYSCALL_PREADV_X:
		return 3;
	case PPME_SOCKET_RECVMSG_X:
		return 5;
	case PPME_SYSCALL_MMAP_X:
	case PPME_SYSCALL_MMAP2_X:
		return 8;
	default:
		return -1;
	}
}

/* append @sep and @name at @at, truncating at @size - 1; keeps @buf NUL-terminated */
static size_t append(char *buf, size_t size, size_t at, const char *sep, const char *name)
{
	for (const char *p = sep; *p && at + 1 < size; p++)
		buf[at++] = *p;
	for (const char *p = name; *p && at + 1 < size; p++)
		buf[at++] = *p;
	if (size)
		buf[at] = '\0';
	return at;
}

size_t evtab_render_flags(enum evt_ptype type, const struct evt_flagname *tab, uint32_t value,
			  char *buf, size_t size)
{
	size_t at = 0;
	const char *sep = "";
	uint32_t left = value;

	if (size)
		buf[0] = '\0';
	if (!tab)
		return 0;
	switch (type) {
	case PT_ENUMFLAGS8:
	case PT_ENUMFLAGS16:
	case PT_ENUMFLAGS32:
		for (const struct evt_flagname *f = tab; f->name; f++) {
			if (f->value == value) {
				at = append(buf, size, at, sep, f->name);
				sep = "|";
			}
		}
		return at;
	case PT_MODE: {
		const struct evt_flagname *f = tab;

		/* bits in table order until an entry equals the whole value, then that entry */
		for (; f->name && f->value != value; f++) {
			if ((f->value == 0 && value == 0) ||
			    (f->value != 0 && left && (left & f->value) == f->value)) {
				at = append(buf, size, at, sep, f->name);
				sep = "|";
				left &= ~f->value;
			}
		}
		if (f->name)
			at = append(buf, size, at, sep, f->name);
		return at;
	}
	default:
		for (const struct evt_flagname *f = tab; f->name; f++) {
			if ((f->value == 0 && value == 0) ||
			    (f->value != 0 && left && (left & f->value) == f->value)) {
				left &= ~f->value;
				at = append(buf, size, at, sep, f->name);
				sep = "|";
				if (f->value == value)
					break;
			}
		}
		return at;
	}
}

/* errno names libsinsp knows (positive values); others print as numbers */
static const char *const errno_names[] = {
	[1] = "EPERM", [2] = "ENOENT", [3] = "ESRCH", [4] = "EINTR", [5] = "EIO", [6] = "ENXIO",
	[7] = "E2BIG", [8] = "ENOEXEC", [9] = "EBADF", [10] = "ECHILD", [11] = "EAGAIN",
	[12] = "ENOMEM", [13] = "EACCES", [14] = "EFAULT", [15] = "ENOTBLK", [16] = "EBUSY",
	[17] = "EEXIST", [18] = "EXDEV", [19] = "ENODEV", [20] = "ENOTDIR", [21] = "EISDIR",
	[22] = "EINVAL", [23] = "ENFILE", [24] = "EMFILE", [25] = "ENOTTY", [26] = "ETXTBSY",
	[27] = "EFBIG", [28] = "ENOSPC", [29] = "ESPIPE", [30] = "EROFS", [31] = "EMLINK",
	[32] = "EPIPE", [33] = "EDOM", [34] = "ERANGE", [35] = "EDEADLK", [36] = "ENAMETOOLONG",
	[37] = "ENOLCK", [38] = "ENOSYS", [39] = "ENOTEMPTY", [40] = "ELOOP", [42] = "ENOMSG",
	[43] = "EIDRM", [44] = "ECHRNG", [45] = "EL2NSYNC", [46] = "EL3HLT", [47] = "EL3RST",
	[48] = "ELNRNG", [49] = "EUNATCH", [50] = "ENOCSI", [51] = "EL2HLT", [52] = "EBADE",
	[53] = "EBADR", [54] = "EXFULL", [55] = "ENOANO", [56] = "EBADRQC", [57] = "EBADSLT",
	[59] = "EBFONT", [60] = "ENOSTR", [61] = "ENODATA", [62] = "ETIME", [63] = "ENOSR",
	[64] = "ENONET", [65] = "ENOPKG", [66] = "EREMOTE", [67] = "ENOLINK", [68] = "EADV",
	[69] = "ESRMNT", [70] = "ECOMM", [71] = "EPROTO", [72] = "EMULTIHOP", [73] = "EDOTDOT",
	[74] = "EBADMSG", [75] = "EOVERFLOW", [76] = "ENOTUNIQ", [77] = "EBADFD", [78] = "EREMCHG",
	[79] = "ELIBACC", [80] = "ELIBBAD", [81] = "ELIBSCN", [82] = "ELIBMAX", [83] = "ELIBEXEC",
	[84] = "EILSEQ", [85] = "ERESTART", [86] = "ESTRPIPE", [87] = "EUSERS", [88] = "ENOTSOCK",
	[89] = "EDESTADDRREQ", [90] = "EMSGSIZE", [91] = "EPROTOTYPE", [92] = "ENOPROTOOPT",
	[93] = "EPROTONOSUPPORT", [94] = "ESOCKTNOSUPPORT", [95] = "EOPNOTSUPP",
	[96] = "EPFNOSUPPORT", [97] = "EAFNOSUPPORT", [98] = "EADDRINUSE", [99] = "EADDRNOTAVAIL",
	[100] = "ENETDOWN", [101] = "ENETUNREACH", [102] = "ENETRESET", [103] = "ECONNABORTED",
	[104] = "ECONNRESET", [105] = "ENOBUFS", [106] = "EISCONN", [107] = "ENOTCONN",
	[108] = "ESHUTDOWN", [109] = "ETOOMANYREFS", [110] = "ETIMEDOUT", [111] = "ECONNREFUSED",
	[112] = "EHOSTDOWN", [113] = "EHOSTUNREACH", [114] = "EALREADY", [115] = "EINPROGRESS",
	[116] = "ESTALE", [117] = "EUCLEAN", [118] = "ENOTNAM", [119] = "ENAVAIL", [120] = "EISNAM",
	[121] = "EREMOTEIO", [122] = "EDQUOT", [123] = "ENOMEDIUM", [124] = "EMEDIUMTYPE",
	[125] = "ECANCELED", [512] = "ERESTARTSYS", [513] = "ERESTARTNOINTR",
	[514] = "ERESTARTNOHAND", [515] = "ENOIOCTLCMD", [516] = "ERESTART_RESTARTBLOCK",
	[521] = "EBADHANDLE", [522] = "ENOTSYNC", [523] = "EBADCOOKIE", [524] = "ENOTSUPP",
	[525] = "ETOOSMALL", [526] = "ESERVERFAULT", [527] = "EBADTYPE", [528] = "EJUKEBOX",
	[529] = "EIOCBQUEUED", [530] = "EIOCBRETRY",
};

const char *evtab_errno_name(int64_t err)
{
	if (err <= 0 || err >= (int64_t)(sizeof(errno_names) / sizeof(errno_names[0])))
		return NULL;
	return errno_names[err];
}

static const char *const signal_names[] = {
	[1] = "SIGHUP", [2] = "SIGINT", [3] = "SIGQUIT", [4] = "SIGILL", [5] = "SIGTRAP",
	[6] = "SIGABRT", [7] = "SIGBUS", [8] = "SIGFPE", [9] = "SIGKILL", [10] = "SIGUSR1",
	[11] = "SIGSEGV", [12] = "SIGUSR2", [13] = "SIGPIPE", [14] = "SIGALRM", [15] = "SIGTERM",
	[16] = "SIGSTKFLT", [17] = "SIGCHLD", [18] = "SIGCONT", [19] = "SIGSTOP", [20] = "SIGTSTP",
	[21] = "SIGTTIN", [22] = "SIGTTOU", [23] = "SIGURG", [24] = "SIGXCPU", [25] = "SIGXFSZ",
	[26] = "SIGVTALRM", [27] = "SIGPROF", [28] = "SIGWINCH", [29] = "SIGIO", [30] = "SIGPWR",
	[31] = "SIGSYS",
};

uint32_t evtab_ptype_size(enum evt_ptype t)
{
	switch (t) {
	case PT_INT8: case PT_UINT8: case PT_FLAGS8: case PT_ENUMFLAGS8: case PT_SIGTYPE:
	case PT_L4PROTO: case PT_SOCKFAMILY:
		return 1;
	case PT_INT16: case PT_UINT16: case PT_FLAGS16: case PT_ENUMFLAGS16: case PT_SYSCALLID:
	case PT_PORT:
		return 2;
	case PT_INT32: case PT_UINT32: case PT_FLAGS32: case PT_ENUMFLAGS32: case PT_UID:
	case PT_GID: case PT_MODE: case PT_SIGSET: case PT_FD32: case PT_PID32: case PT_IPV4ADDR:
	case PT_BOOL:
		return 4;
	case PT_INT64: case PT_UINT64: case PT_RELTIME: case PT_ABSTIME: case PT_ERRNO: case PT_FD:
	case PT_PID: case PT_DOUBLE:
		return 8;
	case PT_IPV6ADDR:
		return 16;
	default:
		return 0;
	}
}

const char *evtab_signal_name(unsigned sig)
{
	return sig < sizeof(signal_names) / sizeof(signal_names[0]) ? signal_names[sig] : NULL;
}
