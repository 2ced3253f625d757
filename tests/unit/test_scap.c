/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests of the capture reader (runtime/scap.c): every fixture capture walked with
 * its block counts, versions and delivered-event counts (scap-format.md §11), the
 * converter's results on known events, and truncated/corrupted/odd inputs that must fail
 * with an error naming a byte offset. Fixture tests are skipped when ../shared is absent.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>
#include <cmocka.h>

#include "evtab.h"
#include "scap.h"

#define TRACES "../shared/compat/traces/"

static bool have_traces(void)
{
	if (access(TRACES "curl_google.scap", R_OK) == 0)
		return true;
	print_message("skipped: %s is absent\n", TRACES);
	return false;
}

/* decompress a capture into memory */
static uint8_t *slurp(const char *path, size_t *len)
{
	gzFile g = gzopen(path, "rb");
	size_t cap = 1 << 20, n = 0;
	uint8_t *buf = malloc(cap);
	int k;

	assert_non_null(g);
	while ((k = gzread(g, buf + n, (unsigned)(cap - n))) > 0) {
		n += (size_t)k;
		if (n == cap) {
			cap *= 2;
			buf = realloc(buf, cap);
		}
	}
	gzclose(g);
	*len = n;
	return buf;
}

struct expect {
	const char *file;
	uint16_t major, minor;
	const char *summary;
	uint64_t delivered;
	uint32_t cpus;
	const char *host;
	size_t threads;
	uint64_t first_ts, last_ts;
};

static const struct expect fixtures[] = {
	{ "curl_google.scap", 1, 0, "SHB:1, MI:1, IL:1, UL:1, PL_V5:1, FDL:54, EV:1536", 991, 1,
	  "ip-10-0-0-79", 54, 1534527342999999999ull, 1534527350999999999ull },
	{ "curl_google_comments.scap", 1, 0, "SHB:1, MI:1, IL:1, UL:1, PL_V5:1, FDL:54, EV:1536", 991,
	  1, "ip-10-0-0-79", 54, 1534527342999999999ull, 1534527350999999999ull },
	{ "single_ipv6_conn.scap", 1, 2,
	  "SHB:1, MI:1, IL_V2:1, UL_V2:1, PL_V9:1, FDL_V2:154, EV_V2:1728", 1717, 2, "ubuntu", 154,
	  1533943844999999999ull, 1533943861999999999ull },
	{ "test_ipv6_client.scap", 1, 0, "SHB:1, MI:1, IL:1, UL:1, PL_V5:1, FDL:58, EV:326", 297, 1,
	  "ip-10-0-0-79", 58, 1534551447999999999ull, 1534551452999999999ull },
	{ "cat_write.scap", 1, 0, "SHB:1, MI:1, IL:1, UL:1, PL_V6:1, FDL:73, EV:345", 307, 2, "ubuntu",
	  73, 1470327475999999999ull, 1470327478999999999ull },
	{ "connect_localhost.scap", 1, 0, "SHB:1, MI:1, IL:1, UL:1, PL_V7:1, FDL:184, EV:374", 371, 2,
	  "ubuntu", 184, 1522704422999999999ull, 1522704423999999999ull },
	{ "empty.scap", 1, 2, "SHB:1, MI:1, IL_V2:1, UL_V2:1, PL_V9:1, FDL_V2:218, EV_V2:143", 143, 4,
	  "ubuntu", 218, 1564595787999999999ull, 1564595787999999999ull },
	{ "open-multiple-files.scap", 1, 0, "SHB:1, MI:1, IL:1, UL:1, PL_V6:1, FDL:128, EV:1272", 1243,
	  1, "ubuntu", 128, 0, 1486171335999999999ull },
	{ "ping_sendto.scap", 1, 2, "SHB:1, MI:1, IL_V2:1, UL_V2:1, PL_V9:1, FDL_V2:136, EV_V2:1526",
	  1516, 4, "ubuntu", 136, 1553620426999999999ull, 1553620436999999999ull },
	{ "syscall.scap", 1, 1, "SHB:1, MI:1, IL:1, UL:1, PL_V8:1, FDL:229, EV:368", 366, 2, "ubuntu",
	  229, 1523545099999999999ull, 1523545100999999999ull },
};

static uint16_t raw_type(const struct scap_raw *ev)
{
	uint16_t t;
	memcpy(&t, ev->hdr + 20, 2);
	return t;
}

static uint32_t raw_nparams(const struct scap_raw *ev)
{
	uint32_t n;
	memcpy(&n, ev->hdr + 22, 4);
	return n;
}

static uint64_t raw_ts(const struct scap_raw *ev)
{
	uint64_t t;
	memcpy(&t, ev->hdr, 8);
	return t;
}

static void test_walk_fixtures(void **state)
{
	(void)state;
	if (!have_traces()) {
		skip();
		return;
	}
	for (size_t i = 0; i < sizeof(fixtures) / sizeof(fixtures[0]); i++) {
		const struct expect *x = &fixtures[i];
		char path[256], err[512], sum[512];
		struct scap_reader *r;
		struct scap_raw ev;
		uint64_t n = 0, first = 0, last = 0, prev = 0;
		uint16_t maj, min;
		size_t nt;
		int rc;

		snprintf(path, sizeof(path), TRACES "%s", x->file);
		r = scap_open(path, err, sizeof(err));
		if (!r)
			fail_msg("%s: %s", x->file, err);
		scap_version(r, &maj, &min);
		assert_int_equal(maj, x->major);
		assert_int_equal(min, x->minor);
		assert_true(scap_machine(r)->present);
		assert_int_equal(scap_machine(r)->num_cpus, x->cpus);
		assert_string_equal(scap_machine(r)->hostname, x->host);
		scap_threads(r, &nt);
		assert_int_equal(nt, x->threads);
		while ((rc = scap_next(r, &ev)) == SCAP_RC_EVENT) {
			const char *why = scap_event_check(ev.hdr, ev.len);
			if (why)
				fail_msg("%s: delivered an invalid event: %s", x->file, why);
			/* delivered events carry the current schema's param count, except the
			   few passed as stored (procexit with 1 param, generic, ...) */
			assert_true(raw_nparams(&ev) <= evtab_schema(raw_type(&ev))->nparams);
			if (!n)
				first = raw_ts(&ev);
			last = raw_ts(&ev);
			assert_true(raw_ts(&ev) >= prev || raw_ts(&ev) == 0);
			if (raw_ts(&ev))
				prev = raw_ts(&ev);
			n++;
		}
		if (rc != SCAP_RC_EOF)
			fail_msg("%s: %s", x->file, scap_error(r));
		scap_block_summary(r, sum, sizeof(sum));
		assert_string_equal(sum, x->summary);
		assert_int_equal(n, x->delivered);
		assert_int_equal(scap_get_stats(r)->delivered, x->delivered);
		assert_int_equal(first, x->first_ts);
		assert_int_equal(last, x->last_ts);
		scap_close(r);
	}
}

/* what the converter produced for curl_google (scap-format.md §11.3) */
static void test_converter_curl(void **state)
{
	char err[512];
	struct scap_reader *r;
	struct scap_raw ev;
	uint64_t by_type[PPM_EVENT_MAX];
	uint64_t np_of[PPM_EVENT_MAX];

	(void)state;
	if (!have_traces()) {
		skip();
		return;
	}
	memset(by_type, 0, sizeof(by_type));
	memset(np_of, 0, sizeof(np_of));
	r = scap_open(TRACES "curl_google.scap", err, sizeof(err));
	assert_non_null(r);
	while (scap_next(r, &ev) == SCAP_RC_EVENT) {
		by_type[raw_type(&ev)]++;
		np_of[raw_type(&ev)] = raw_nparams(&ev);
	}
	assert_string_equal(scap_error(r), "");
	/* enters folded into exits are gone, the TOCTOU ones pass */
	assert_int_equal(by_type[PPME_GENERIC_E], 0);
	assert_int_equal(by_type[PPME_GENERIC_X], 183);
	assert_int_equal(np_of[PPME_GENERIC_X], 2);
	assert_int_equal(by_type[PPME_SYSCALL_OPEN_E], 48);
	assert_int_equal(np_of[PPME_SYSCALL_OPEN_E], 3);
	assert_int_equal(by_type[PPME_SYSCALL_OPEN_X], 48);
	assert_int_equal(np_of[PPME_SYSCALL_OPEN_X], 6);
	assert_int_equal(by_type[PPME_SYSCALL_CLOSE_E], 0);
	assert_int_equal(np_of[PPME_SYSCALL_CLOSE_X], 2);
	assert_int_equal(by_type[PPME_SOCKET_CONNECT_E], 4);
	assert_int_equal(np_of[PPME_SOCKET_CONNECT_X], 4);
	assert_int_equal(np_of[PPME_SOCKET_SOCKET_X], 5);
	assert_int_equal(by_type[PPME_SYSCALL_EXECVE_16_X], 0);
	assert_int_equal(by_type[PPME_SYSCALL_EXECVE_19_X], 1);
	assert_int_equal(np_of[PPME_SYSCALL_EXECVE_19_X], 31);
	assert_int_equal(by_type[PPME_SYSCALL_CLONE_20_X], 2);
	assert_int_equal(np_of[PPME_SYSCALL_CLONE_20_X], 21);
	assert_int_equal(by_type[PPME_SYSCALL_CLONE_20_E], 0);
	assert_int_equal(by_type[PPME_SYSCALL_PIPE_E], 0);
	assert_int_equal(by_type[PPME_PROCEXIT_1_E], 2);
	assert_int_equal(np_of[PPME_PROCEXIT_1_E], 1);
	assert_int_equal(by_type[PPME_PROCINFO_E], 315);
	assert_int_equal(scap_get_stats(r)->conv_dropped, 1536 - 991);
	scap_close(r);
}

/* container events become CONTAINER_JSON_2_E with a u32-length JSON param */
static void test_converter_container(void **state)
{
	char err[512];
	struct scap_reader *r;
	struct scap_raw ev;
	int n = 0;

	(void)state;
	if (!have_traces()) {
		skip();
		return;
	}
	r = scap_open(TRACES "open-multiple-files.scap", err, sizeof(err));
	assert_non_null(r);
	while (scap_next(r, &ev) == SCAP_RC_EVENT) {
		if (raw_type(&ev) != PPME_CONTAINER_JSON_2_E)
			continue;
		uint32_t l;
		memcpy(&l, ev.hdr + 26, 4);
		const char *json = (const char *)ev.hdr + 30;
		assert_true(l > 10);
		assert_non_null(strstr(json, "\"container\""));
		n++;
	}
	assert_int_equal(n, 3);
	/* the container cgroups of the process table */
	size_t nt;
	const struct scap_thread_rec *t = scap_threads(r, &nt);
	bool found = false;
	for (size_t i = 0; i < nt; i++)
		if (t[i].tid == 15296 && memmem(t[i].cgroups, t[i].cgroups_len, "/docker/5ea733068030", 20))
			found = true;
	assert_true(found);
	scap_close(r);
}

/* metadata details: PL V9, FDL_V2 with FILE_V2, IL/UL versions */
static void test_metadata(void **state)
{
	char err[512];
	struct scap_reader *r;
	size_t n;

	(void)state;
	if (!have_traces()) {
		skip();
		return;
	}
	r = scap_open(TRACES "single_ipv6_conn.scap", err, sizeof(err));
	assert_non_null(r);
	const struct scap_iface *ifc = scap_ifaces(r, &n);
	assert_true(n >= 2);
	bool v4 = false, v6 = false;
	for (size_t i = 0; i < n; i++) {
		v4 |= ifc[i].family == 4;
		v6 |= ifc[i].family == 6;
	}
	assert_true(v4 && v6);
	const struct scap_user *u = scap_users(r, &n);
	assert_true(n >= 31 && n <= 45);
	assert_int_equal(u[0].uid, 0);
	assert_string_equal(u[0].name, "root");
	scap_groups(r, &n);
	assert_true(n >= 55 && n <= 77);
	const struct scap_thread_rec *t = scap_threads(r, &n);
	for (size_t i = 0; i < n; i++) {
		assert_non_null(t[i].comm);
		assert_non_null(t[i].cwd);
		if (t[i].tid == 1) {
			assert_string_equal(t[i].comm, "systemd");
			assert_int_equal(t[i].pid, 1);
		}
	}
	const struct scap_fd_rec *f = scap_fds(r, &n);
	size_t nservers = 0;
	for (size_t i = 0; i < n; i++) {
		assert_non_null(f[i].name);
		if (f[i].type == SCAP_FD_IPV4_SERVSOCK || f[i].type == SCAP_FD_IPV6_SERVSOCK)
			nservers++;
	}
	assert_true(nservers > 0);
	scap_close(r);
}

/* the same capture, decompressed, read through the memory path */
static void test_plain_and_memory(void **state)
{
	size_t len;
	uint8_t *buf;
	char err[512];
	struct scap_reader *r;
	struct scap_raw ev;
	uint64_t n = 0;

	(void)state;
	if (!have_traces()) {
		skip();
		return;
	}
	buf = slurp(TRACES "cat_write.scap", &len);
	r = scap_open_mem(buf, len, err, sizeof(err));
	assert_non_null(r);
	while (scap_next(r, &ev) == SCAP_RC_EVENT)
		n++;
	assert_string_equal(scap_error(r), "");
	assert_int_equal(n, 307);
	scap_close(r);

	/* concatenated captures: a second section restarts the tables */
	uint8_t *two = malloc(len * 2);
	memcpy(two, buf, len);
	memcpy(two + len, buf, len);
	r = scap_open_mem(two, len * 2, err, sizeof(err));
	assert_non_null(r);
	int rc, sections = 0;
	n = 0;
	while ((rc = scap_next(r, &ev)) > 0) {
		if (rc == SCAP_RC_SECTION)
			sections++;
		else
			n++;
	}
	assert_int_equal(rc, SCAP_RC_EOF);
	assert_int_equal(sections, 1);
	assert_int_equal(n, 614);
	scap_close(r);
	free(two);
	free(buf);
}

/*
 * Every fixture read from its file (large refills) and from memory (small varying
 * refills: blocks straddle refills, the buffer is compacted and grown, v1 events are
 * upgraded in place next to a refill boundary) delivers byte-identical events.
 */
static void test_refills(void **state)
{
	(void)state;
	if (!have_traces()) {
		skip();
		return;
	}
	for (size_t i = 0; i < sizeof(fixtures) / sizeof(fixtures[0]); i++) {
		char path[256], err[512];
		size_t len;
		uint8_t *buf;
		struct scap_reader *rf, *rm;
		struct scap_raw a, b;
		int ra, rb;
		uint64_t n = 0;

		snprintf(path, sizeof(path), TRACES "%s", fixtures[i].file);
		buf = slurp(path, &len);
		rf = scap_open(path, err, sizeof(err));
		assert_non_null(rf);
		rm = scap_open_mem(buf, len, err, sizeof(err));
		if (!rm)
			fail_msg("%s (memory): %s", fixtures[i].file, err);
		for (;;) {
			ra = scap_next(rf, &a);
			rb = scap_next(rm, &b);
			assert_int_equal(ra, rb);
			if (ra != SCAP_RC_EVENT)
				break;
			assert_int_equal(a.len, b.len);
			assert_int_equal(a.offset, b.offset);
			assert_int_equal(a.cpuid, b.cpuid);
			assert_int_equal(a.flags, b.flags);
			assert_int_equal(a.block_index, b.block_index);
			if (memcmp(a.hdr, b.hdr, a.len))
				fail_msg("%s: event %llu differs", fixtures[i].file, (unsigned long long)n);
			n++;
		}
		assert_int_equal(ra, SCAP_RC_EOF);
		assert_int_equal(n, fixtures[i].delivered);
		scap_close(rf);
		scap_close(rm);
		free(buf);
	}
}

/* read everything; return the error text (or "" at a clean end) */
static void drain(const uint8_t *buf, size_t len, char *out, size_t outsz)
{
	char err[512];
	struct scap_reader *r = scap_open_mem(buf, len, err, sizeof(err));
	struct scap_raw ev;
	int rc;

	if (!r) {
		snprintf(out, outsz, "%s", err);
		return;
	}
	while ((rc = scap_next(r, &ev)) > 0)
		;
	snprintf(out, outsz, "%s", rc == SCAP_RC_EOF ? "" : scap_error(r));
	scap_close(r);
}

static void test_truncated(void **state)
{
	size_t len;
	uint8_t *buf;
	char msg[512];

	(void)state;
	if (!have_traces()) {
		skip();
		return;
	}
	buf = slurp(TRACES "connect_localhost.scap", &len);
	/* cut inside the SHB, inside metadata, inside an event block, inside a header */
	size_t cuts[] = { 5, 20, 300, len / 3, len / 2 + 1, len - 3, len - 1 };
	for (size_t i = 0; i < sizeof(cuts) / sizeof(cuts[0]); i++) {
		drain(buf, cuts[i], msg, sizeof(msg));
		if (!strstr(msg, "offset "))
			fail_msg("cut at %zu: no offset in \"%s\"", cuts[i], msg);
		if (!strstr(msg, "truncated"))
			fail_msg("cut at %zu: \"%s\" does not say truncated", cuts[i], msg);
	}
	/* a cut exactly at a block boundary is a clean end */
	drain(buf, len, msg, sizeof(msg));
	assert_string_equal(msg, "");
	free(buf);
}

static void put32(uint8_t *p, uint32_t v)
{
	memcpy(p, &v, 4);
}

static void test_corrupted(void **state)
{
	size_t len;
	uint8_t *buf, *copy;
	char msg[512];
	uint32_t shb_total, bt, total;

	(void)state;
	if (!have_traces()) {
		skip();
		return;
	}
	buf = slurp(TRACES "syscall.scap", &len);
	copy = malloc(len);
	memcpy(&shb_total, buf + 4, 4);

	/* bad magic */
	memcpy(copy, buf, len);
	put32(copy + 8, 0x4D3C2B1A);
	drain(copy, len, msg, sizeof(msg));
	assert_non_null(strstr(msg, "offset 8: invalid magic"));

	/* future major version */
	memcpy(copy, buf, len);
	copy[12] = 2;
	drain(copy, len, msg, sizeof(msg));
	assert_non_null(strstr(msg, "unsupported capture version"));

	/* trailer mismatch on the machine-info block */
	memcpy(copy, buf, len);
	memcpy(&total, copy + shb_total + 4, 4);
	put32(copy + shb_total + total - 4, total + 4);
	drain(copy, len, msg, sizeof(msg));
	assert_non_null(strstr(msg, "trailer length"));
	assert_non_null(strstr(msg, "offset "));

	/* a huge block length: must not allocate it, must report truncation */
	memcpy(copy, buf, len);
	put32(copy + shb_total + 4, 0x7ffffff0);
	drain(copy, len, msg, sizeof(msg));
	assert_non_null(strstr(msg, "offset "));

	/* walk to the first event block and corrupt its event length and nparams */
	size_t at = 0, ev_at = 0;
	while (at + 8 <= len) {
		memcpy(&bt, buf + at, 4);
		memcpy(&total, buf + at + 4, 4);
		if (bt == SCAP_BT_EV || bt == SCAP_BT_EV_V2) {
			ev_at = at;
			break;
		}
		at += total;
	}
	assert_true(ev_at > 0);
	memcpy(copy, buf, len);
	put32(copy + ev_at + 8 + 2 + 16, 0xffff);	/* event len */
	drain(copy, len, msg, sizeof(msg));
	char want[64];
	snprintf(want, sizeof(want), "offset %zu:", ev_at);
	if (!strstr(msg, want))
		fail_msg("expected \"%s\" in \"%s\"", want, msg);

	/* a block of an unknown type between events (before the first one it is skipped) */
	memcpy(&total, buf + ev_at + 4, 4);
	memcpy(copy, buf, len);
	put32(copy + ev_at + total, 0x4242);
	drain(copy, len, msg, sizeof(msg));
	assert_non_null(strstr(msg, "unexpected block type"));

	/* random garbage after a valid header */
	for (unsigned seed = 1; seed <= 40; seed++) {
		memcpy(copy, buf, len);
		srand(seed);
		for (int k = 0; k < 8; k++)
			copy[28 + (size_t)rand() % (len - 28)] ^= (uint8_t)(1 + rand() % 255);
		drain(copy, len, msg, sizeof(msg));	/* must not crash; errors are fine */
	}

	/* not a capture at all */
	drain((const uint8_t *)"hello world, not a capture", 26, msg, sizeof(msg));
	assert_non_null(strstr(msg, "offset 0"));
	drain((const uint8_t *)"", 0, msg, sizeof(msg));
	assert_non_null(strstr(msg, "empty"));
	free(copy);
	free(buf);
}

static void test_open_missing(void **state)
{
	char err[256];
	(void)state;
	assert_null(scap_open("/nonexistent/x.scap", err, sizeof(err)));
	assert_non_null(strstr(err, "cannot open"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_walk_fixtures),
		cmocka_unit_test(test_converter_curl),
		cmocka_unit_test(test_converter_container),
		cmocka_unit_test(test_metadata),
		cmocka_unit_test(test_plain_and_memory),
		cmocka_unit_test(test_refills),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_corrupted),
		cmocka_unit_test(test_open_missing),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
