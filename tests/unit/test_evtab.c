/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests of the event schema table (runtime/evtab.def, evtab.c): codes and names,
 * HEAD exit schemas the probe emits, event-type sets, flags rendering, errno names.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "evtab.h"

static bool has_bit(const uint64_t bits[8], unsigned c)
{
	return (bits[c / 64] >> (c % 64)) & 1;
}

static void test_table_complete(void **state)
{
	(void)state;
	assert_int_equal(evtab_ncodes, 454);
	assert_int_equal(PPM_EVENT_MAX, 454);
	for (unsigned c = 0; c < evtab_ncodes; c++) {
		const struct evt_schema *s = evtab_schema((uint16_t)c);
		assert_non_null(s);
		assert_non_null(s->name);
		assert_non_null(s->sym);
		for (unsigned i = 0; i < s->nparams; i++) {
			assert_non_null(s->params[i].name);
			assert_true(s->params[i].type > PT_NONE && s->params[i].type < PT__COUNT);
			if (s->params[i].type == PT_FSRELPATH)
				assert_true(s->params[i].aux < s->nparams);
			if (s->params[i].type == PT_DYN)
				assert_true(s->params[i].ndyn > 0);
		}
	}
	assert_null(evtab_schema(454));
	assert_null(evtab_schema(0xffff));
}

/* the codes seen in the fixture captures (scap-format.md §11.2) */
static void test_fixture_codes(void **state)
{
	static const struct {
		uint16_t code;
		const char *name;
		uint16_t nparams;
	} want[] = {
		{ 0, "syscall", 2 },	 { 1, "syscall", 2 },	   { 2, "open", 3 },
		{ 3, "open", 6 },	 { 4, "close", 1 },	   { 5, "close", 2 },
		{ 6, "read", 2 },	 { 7, "read", 4 },	   { 8, "write", 2 },
		{ 9, "write", 4 },	 { 18, "socket", 3 },	   { 19, "socket", 5 },
		{ 20, "bind", 1 },	 { 21, "bind", 3 },	   { 22, "connect", 2 },
		{ 23, "connect", 4 },	 { 24, "listen", 2 },	   { 25, "listen", 3 },
		{ 30, "sendto", 3 },	 { 31, "sendto", 5 },	   { 34, "recvfrom", 2 },
		{ 35, "recvfrom", 5 },	 { 38, "getsockname", 0 }, { 39, "getsockname", 0 },
		{ 40, "getpeername", 0 }, { 41, "getpeername", 0 }, { 44, "setsockopt", 0 },
		{ 45, "setsockopt", 6 }, { 46, "getsockopt", 0 },  { 47, "getsockopt", 6 },
		{ 48, "sendmsg", 3 },	 { 49, "sendmsg", 5 },	   { 60, "pipe", 0 },
		{ 61, "pipe", 4 },	 { 64, "futex", 3 },	   { 65, "futex", 4 },
		{ 66, "stat", 0 },	 { 67, "stat", 2 },	   { 70, "fstat", 1 },
		{ 71, "fstat", 2 },	 { 80, "poll", 2 },	   { 81, "poll", 3 },
		{ 83, "select", 1 },	 { 140, "getrlimit", 1 },  { 141, "getrlimit", 4 },
		{ 150, "fcntl", 2 },	 { 151, "fcntl", 4 },	   { 152, "switch", 6 },
		{ 158, "brk", 1 },	 { 159, "brk", 5 },	   { 160, "mmap", 6 },
		{ 161, "mmap", 10 },	 { 164, "munmap", 2 },	   { 165, "munmap", 6 },
		{ 170, "ioctl", 3 },	 { 171, "ioctl", 4 },	   { 186, "procexit", 5 },
		{ 222, "clone", 0 },	 { 223, "clone", 21 },	   { 231, "execve", 16 },
		{ 234, "procinfo", 2 },	 { 246, "accept", 0 },	   { 247, "accept", 5 },
		{ 264, "access", 1 },	 { 265, "access", 3 },	   { 272, "container", 1 },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct evt_schema *s = evtab_schema(want[i].code);
		assert_non_null(s);
		assert_string_equal(s->name, want[i].name);
		assert_int_equal(s->nparams, want[i].nparams);
	}
	assert_int_equal(PPME_SYSCALL_EXECVE_19_X, 293);
	assert_int_equal(PPME_CONTAINER_JSON_2_E, 324);
	assert_true(evtab_schema(PPME_CONTAINER_JSON_2_E)->flags & EVF_LARGE_PAYLOAD);
	assert_false(evtab_schema(PPME_CONTAINER_JSON_E)->flags & EVF_LARGE_PAYLOAD);
	assert_true(evtab_schema(PPME_ASYNCEVENT_E)->flags & EVF_LARGE_PAYLOAD);
	assert_true(evtab_schema(PPME_PLUGINEVENT_E)->flags & EVF_LARGE_PAYLOAD);
	assert_true(evtab_schema(PPME_PROCINFO_E)->flags & EVF_SKIPPARSERESET);
	assert_true(evtab_schema(PPME_SYSCALL_CLOSE_X)->flags & EVF_DESTROYS_FD);
}

static void expect_params(uint16_t code, const char *const *names, const enum evt_ptype *types,
			  unsigned n)
{
	const struct evt_schema *s = evtab_schema(code);
	assert_non_null(s);
	assert_int_equal(s->nparams, n);
	for (unsigned i = 0; i < n; i++) {
		assert_string_equal(s->params[i].name, names[i]);
		assert_int_equal(s->params[i].type, types[i]);
	}
}

/* HEAD exit schemas (events.md §3): what the probe emits */
static void test_head_exit_schemas(void **state)
{
	(void)state;
	{
		static const char *const n[] = { "res", "exe", "args", "tid", "pid", "ptid", "cwd",
			"fdlimit", "pgft_maj", "pgft_min", "vm_size", "vm_rss", "vm_swap", "comm",
			"cgroups", "env", "tty", "vpgid", "loginuid", "flags", "cap_inheritable",
			"cap_permitted", "cap_effective", "exe_ino", "exe_ino_ctime", "exe_ino_mtime",
			"uid", "trusted_exepath", "pgid", "gid", "filename" };
		static const enum evt_ptype t[] = { PT_ERRNO, PT_CHARBUF, PT_BYTEBUF, PT_PID, PT_PID,
			PT_PID, PT_CHARBUF, PT_UINT64, PT_UINT64, PT_UINT64, PT_UINT32, PT_UINT32,
			PT_UINT32, PT_CHARBUF, PT_BYTEBUF, PT_BYTEBUF, PT_UINT32, PT_PID, PT_UID,
			PT_FLAGS32, PT_UINT64, PT_UINT64, PT_UINT64, PT_UINT64, PT_ABSTIME, PT_ABSTIME,
			PT_UID, PT_FSPATH, PT_PID, PT_GID, PT_FSPATH };
		expect_params(PPME_SYSCALL_EXECVE_19_X, n, t, 31);
		assert_int_equal(evtab_schema(PPME_SYSCALL_EXECVEAT_X)->nparams, 30);
	}
	{
		static const char *const n[] = { "fd", "dirfd", "name", "flags", "mode", "dev", "ino" };
		static const enum evt_ptype t[] = { PT_FD, PT_FD, PT_FSRELPATH, PT_FLAGS32, PT_UINT32,
			PT_UINT32, PT_UINT64 };
		expect_params(PPME_SYSCALL_OPENAT_2_X, n, t, 7);
		assert_int_equal(evtab_schema(PPME_SYSCALL_OPENAT_2_X)->params[2].aux, 1);
		assert_int_equal(evtab_schema(PPME_SYSCALL_OPENAT_2_X)->params[4].fmt, PF_OCT);
	}
	{
		static const char *const n[] = { "res", "tuple", "fd", "addr" };
		static const enum evt_ptype t[] = { PT_ERRNO, PT_SOCKTUPLE, PT_FD, PT_SOCKADDR };
		expect_params(PPME_SOCKET_CONNECT_X, n, t, 4);
	}
	{
		static const char *const n[] = { "fd", "tuple", "queuepct", "queuelen", "queuemax",
			"flags" };
		static const enum evt_ptype t[] = { PT_FD, PT_SOCKTUPLE, PT_UINT8, PT_UINT32,
			PT_UINT32, PT_INT32 };
		expect_params(PPME_SOCKET_ACCEPT4_6_X, n, t, 6);
	}
	{
		static const char *const n[] = { "res", "addr", "data", "request", "pid" };
		static const enum evt_ptype t[] = { PT_ERRNO, PT_DYN, PT_DYN, PT_ENUMFLAGS16, PT_PID };
		expect_params(PPME_SYSCALL_PTRACE_X, n, t, 5);
	}
	assert_int_equal(evtab_schema(PPME_SYSCALL_CLONE_20_X)->nparams, 21);
	assert_int_equal(evtab_schema(PPME_SYSCALL_CLONE3_X)->nparams, 21);
	assert_int_equal(evtab_schema(PPME_PROCEXIT_1_E)->nparams, 5);
	assert_int_equal(evtab_schema(PPME_SYSCALL_BPF_2_X)->nparams, 2);
	assert_int_equal(evtab_schema(PPME_SYSCALL_SETUID_X)->params[1].type, PT_UID);
	assert_int_equal(evtab_schema(PPME_SYSCALL_DUP3_X)->nparams, 4);
}

static void test_codes_by_name(void **state)
{
	uint64_t bits[8];
	(void)state;

	memset(bits, 0, sizeof(bits));
	assert_true(evtab_codes_by_name("execve", 6, bits));
	static const unsigned ex[] = { 12, 13, 154, 155, 172, 173, 214, 215, 230, 231, 282, 283,
				       288, 289, 292, 293 };
	unsigned n = 0;
	for (unsigned c = 0; c < 512; c++)
		n += has_bit(bits, c);
	assert_int_equal(n, sizeof(ex) / sizeof(ex[0]));
	for (size_t i = 0; i < sizeof(ex) / sizeof(ex[0]); i++)
		assert_true(has_bit(bits, ex[i]));

	/* a syscall without its own event: the generic pair */
	memset(bits, 0, sizeof(bits));
	assert_true(evtab_codes_by_name("madvise", 7, bits));
	assert_true(has_bit(bits, 0) && has_bit(bits, 1));
	assert_false(has_bit(bits, 2));

	/* open has its own events: no generic codes */
	memset(bits, 0, sizeof(bits));
	assert_true(evtab_codes_by_name("open", 4, bits));
	assert_true(has_bit(bits, 2) && has_bit(bits, 3) && !has_bit(bits, 0));

	memset(bits, 0, sizeof(bits));
	assert_false(evtab_codes_by_name("nosuchsyscall", 13, bits));
	assert_false(evtab_codes_by_name("syscall", 7, bits));
	/* length-delimited: "openat" cut to 4 chars is "open" */
	assert_true(evtab_codes_by_name("openat", 4, bits));
	memset(bits, 0, sizeof(bits));
	assert_true(evtab_codes_by_name("openat", 6, bits));
	assert_true(has_bit(bits, PPME_SYSCALL_OPENAT_2_X) && has_bit(bits, 102));
	memset(bits, 0, sizeof(bits));
	assert_true(evtab_codes_by_name("container", 9, bits));
	assert_true(has_bit(bits, 228) && has_bit(bits, 272) && has_bit(bits, 324));
}

static void test_syscall_names(void **state)
{
	(void)state;
	assert_string_equal(evtab_syscall_name(75), "mprotect");
	assert_string_equal(evtab_syscall_name(296), "arch_prctl");
	assert_string_equal(evtab_syscall_name(169), "set_tid_address");
	assert_string_equal(evtab_syscall_name(212), "set_robust_list");
	assert_string_equal(evtab_syscall_name(107), "rt_sigaction");
	assert_string_equal(evtab_syscall_name(108), "rt_sigprocmask");
	assert_string_equal(evtab_syscall_name(176), "clock_gettime");
	assert_string_equal(evtab_syscall_name(46), "getrusage");
	assert_string_equal(evtab_syscall_name(47), "gettimeofday");
	assert_string_equal(evtab_syscall_name(139), "madvise");
	assert_string_equal(evtab_syscall_name(2), "exit");
	assert_string_equal(evtab_syscall_name(164), "exit_group");
	assert_string_equal(evtab_syscall_name(0), "unknown");
	assert_null(evtab_syscall_name(600));
	assert_int_equal(evtab_syscall_code("mprotect", 8), 75);
	assert_int_equal(evtab_syscall_code("nope", 4), -1);
#ifdef __x86_64__
	assert_int_equal(evtab_sc_from_native(10), 75); /* mprotect on x86-64 */
	assert_int_equal(evtab_sc_from_native(59), evtab_syscall_code("execve", 6));
#endif
	assert_int_equal(evtab_sc_from_native(0xfffffff), 0);
}

static void test_params_and_fd_location(void **state)
{
	const struct evt_schema *s = evtab_schema(PPME_SYSCALL_OPEN_X);
	(void)state;
	assert_int_equal(evtab_param_index(s, "flags", 5), 2);
	assert_int_equal(evtab_param_index(s, "nope", 4), -1);
	assert_int_equal(evtab_param_index(NULL, "fd", 2), -1);
	assert_true(evtab_is_param_name("request", 7));
	assert_true(evtab_is_param_name("linkpath", 8));
	assert_false(evtab_is_param_name("linkpat", 7) && !evtab_is_param_name("linkpath", 8));
	assert_false(evtab_is_param_name("zzz", 3));
	assert_int_equal(evtab_exit_fd_param(PPME_SYSCALL_READ_X), 2);
	assert_int_equal(evtab_exit_fd_param(PPME_SOCKET_CONNECT_X), 2);
	assert_int_equal(evtab_exit_fd_param(PPME_SOCKET_RECVFROM_X), 3);
	assert_int_equal(evtab_exit_fd_param(PPME_SOCKET_RECVMSG_X), 5);
	assert_int_equal(evtab_exit_fd_param(PPME_SYSCALL_MMAP_X), 8);
	assert_int_equal(evtab_exit_fd_param(PPME_SYSCALL_UNLINKAT_2_X), 1);
	assert_int_equal(evtab_exit_fd_param(PPME_SYSCALL_OPEN_X), -1);
	/* every USES_FD exit with a located fd names an FD param there */
	for (uint16_t c = 1; c < evtab_ncodes; c += 2) {
		int at = evtab_exit_fd_param(c);
		if (at < 0)
			continue;
		s = evtab_schema(c);
		assert_true(s->flags & EVF_USES_FD);
		assert_true(at < s->nparams);
		assert_true(s->params[at].type == PT_FD || s->params[at].type == PT_FD32 ||
			    s->params[at].type == PT_INT64);
	}
}

static const struct evt_flagname *table_of(uint16_t code, const char *param)
{
	const struct evt_schema *s = evtab_schema(code);
	int i = evtab_param_index(s, param, strlen(param));
	assert_true(i >= 0);
	return s->params[i].flags;
}

static void test_render_flags(void **state)
{
	char buf[256];
	const struct evt_flagname *ff = table_of(PPME_SYSCALL_OPEN_X, "flags");
	(void)state;

	evtab_render_flags(PT_FLAGS32, ff, 4097, buf, sizeof(buf));
	assert_string_equal(buf, "O_RDONLY|O_CLOEXEC");
	evtab_render_flags(PT_FLAGS32, ff, 3, buf, sizeof(buf));
	assert_string_equal(buf, "O_RDWR");
	evtab_render_flags(PT_FLAGS32, ff, 0, buf, sizeof(buf));
	assert_string_equal(buf, "O_NONE");
	evtab_render_flags(PT_FLAGS32, ff, 1 | (1 << 6) | (1 << 2), buf, sizeof(buf));
	assert_string_equal(buf, "O_NONBLOCK|O_CREAT|O_RDONLY");

	/* enum: every exact match, no early stop */
	const struct evt_flagname *fam = table_of(PPME_SOCKET_SOCKET_X, "domain");
	evtab_render_flags(PT_ENUMFLAGS32, fam, 1, buf, sizeof(buf));
	assert_string_equal(buf, "AF_LOCAL|AF_UNIX");
	evtab_render_flags(PT_ENUMFLAGS32, fam, 17, buf, sizeof(buf));
	assert_string_equal(buf, "AF_PACKET");
	evtab_render_flags(PT_ENUMFLAGS32, fam, 250, buf, sizeof(buf));
	assert_string_equal(buf, "");

	const struct evt_flagname *req = table_of(PPME_SYSCALL_PTRACE_X, "request");
	evtab_render_flags(PT_ENUMFLAGS16, req, 11, buf, sizeof(buf));
	assert_string_equal(buf, "PTRACE_ATTACH");

	const struct evt_flagname *cmd = table_of(PPME_SYSCALL_BPF_2_X, "cmd");
	evtab_render_flags(PT_ENUMFLAGS32, cmd, 5, buf, sizeof(buf));
	assert_string_equal(buf, "BPF_PROG_LOAD");

	/* mode: bits in table order, then the exact entry */
	const struct evt_flagname *mode = table_of(PPME_SYSCALL_CHMOD_X, "mode");
	evtab_render_flags(PT_MODE, mode, 04755, buf, sizeof(buf));
	assert_non_null(strstr(buf, "S_ISUID"));
	assert_non_null(strstr(buf, "S_IXUSR"));
	evtab_render_flags(PT_MODE, mode, 1, buf, sizeof(buf));
	assert_string_equal(buf, "S_IXOTH");

	/* truncation keeps a NUL */
	evtab_render_flags(PT_FLAGS32, ff, 4097, buf, 5);
	assert_string_equal(buf, "O_RD");
	evtab_render_flags(PT_FLAGS32, NULL, 4097, buf, sizeof(buf));
	assert_string_equal(buf, "");
}

static void test_errno_signal(void **state)
{
	(void)state;
	assert_string_equal(evtab_errno_name(2), "ENOENT");
	assert_string_equal(evtab_errno_name(115), "EINPROGRESS");
	assert_string_equal(evtab_errno_name(512), "ERESTARTSYS");
	assert_null(evtab_errno_name(41));
	assert_null(evtab_errno_name(0));
	assert_null(evtab_errno_name(-2));
	assert_null(evtab_errno_name(100000));
	assert_string_equal(evtab_signal_name(9), "SIGKILL");
	assert_null(evtab_signal_name(0));
	assert_null(evtab_signal_name(64));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table_complete),
		cmocka_unit_test(test_fixture_codes),
		cmocka_unit_test(test_head_exit_schemas),
		cmocka_unit_test(test_codes_by_name),
		cmocka_unit_test(test_syscall_names),
		cmocka_unit_test(test_params_and_fd_location),
		cmocka_unit_test(test_render_flags),
		cmocka_unit_test(test_errno_signal),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
