/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests of the event view and builder (runtime/event.c): round trips through the
 * builder, typed param access, bounds checks on malformed events, large-payload events.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "event.h"

static struct frc_evb b;

static void test_build_and_decode(void **state)
{
	struct frc_evt e;
	const uint8_t *raw;
	uint32_t len, plen;
	size_t n;
	int64_t i64;
	uint32_t u32;
	(void)state;

	evb_begin(&b, PPME_SYSCALL_OPENAT_2_X, 1000, 42);
	evb_i64(&b, 3);			/* fd */
	evb_i64(&b, PPM_AT_FDCWD);	/* dirfd */
	evb_str(&b, "etc/passwd");	/* name */
	evb_u32(&b, 4097);		/* flags */
	evb_u32(&b, 0644);		/* mode */
	evb_u32(&b, 0x803);		/* dev */
	evb_u64(&b, 1234);		/* ino */
	raw = evb_end(&b, &len);
	assert_non_null(raw);
	memset(&e, 0, sizeof(e));
	assert_null(event_decode(&e, raw, len));
	assert_int_equal(e.type, PPME_SYSCALL_OPENAT_2_X);
	assert_int_equal(e.ts, 1000);
	assert_int_equal(e.tid, 42);
	assert_int_equal(e.nparams, 7);
	assert_string_equal(e.info->name, "openat");
	assert_true(event_has_return_value(&e));
	assert_int_equal(event_return_value(&e), 3);
	assert_true(event_i64(&e, 1, &i64));
	assert_int_equal(i64, -100);
	assert_string_equal(event_str(&e, 2, &n), "etc/passwd");
	assert_int_equal(n, 10);
	assert_true(event_u32(&e, 3, &u32));
	assert_int_equal(u32, 4097);
	assert_int_equal(event_param_index(&e, "mode", 4), 4);
	assert_int_equal(event_param_index(&e, "nope", 4), -1);
	assert_non_null(event_param(&e, 6, &plen));
	assert_int_equal(plen, 8);
	assert_null(event_param(&e, 7, &plen));
	assert_false(event_u64(&e, 7, (uint64_t *)&i64));
	/* width-aware integer reads */
	assert_true(event_int(&e, 3, &i64));
	assert_int_equal(i64, 4097);
}

static void test_empty_and_short_params(void **state)
{
	struct frc_evt e;
	const uint8_t *raw;
	uint32_t len;
	size_t n;
	uint64_t u;
	(void)state;

	/* an old-style exit with fewer params and an empty one */
	evb_begin(&b, PPME_SYSCALL_OPEN_X, 1, 1);
	evb_i64(&b, -2);
	evb_empty(&b);
	raw = evb_end(&b, &len);
	memset(&e, 0, sizeof(e));
	assert_null(event_decode(&e, raw, len));
	assert_int_equal(e.nparams, 2);
	assert_true(event_param_empty(&e, 1));
	assert_string_equal(event_str(&e, 1, &n), "");
	assert_false(event_u64(&e, 1, &u));
	assert_int_equal(event_return_value(&e), -2);
	assert_null(event_str(&e, 2, &n));

	/* generic exits have no return value; enter events neither */
	evb_begin(&b, PPME_GENERIC_X, 1, 1);
	evb_u16(&b, 75);
	evb_u16(&b, 10);
	raw = evb_end(&b, &len);
	assert_null(event_decode(&e, raw, len));
	assert_false(event_has_return_value(&e));
	evb_begin(&b, PPME_SYSCALL_OPEN_E, 1, 1);
	evb_str(&b, "/x");
	evb_u32(&b, 1);
	evb_u32(&b, 0);
	raw = evb_end(&b, &len);
	assert_null(event_decode(&e, raw, len));
	assert_false(event_has_return_value(&e));
	/* 4-byte return values are sign-extended */
	evb_begin(&b, PPME_SYSCALL_CLOSE_X, 1, 1);
	evb_u32(&b, (uint32_t)-9);
	raw = evb_end(&b, &len);
	assert_null(event_decode(&e, raw, len));
	assert_int_equal(event_return_value(&e), -9);
}

static void test_extra_params_ignored(void **state)
{
	struct frc_evt e;
	const uint8_t *raw;
	uint32_t len;
	(void)state;

	evb_begin(&b, PPME_SYSCALL_CLOSE_X, 1, 1);
	evb_i64(&b, 0);
	evb_i64(&b, 5);
	evb_i64(&b, 77);	/* not in the schema */
	raw = evb_end(&b, &len);
	assert_null(event_decode(&e, raw, len));
	assert_int_equal(e.nparams, 2);
}

static void test_malformed(void **state)
{
	struct frc_evt e;
	uint8_t buf[256];
	const uint8_t *raw;
	uint32_t len, v;
	uint16_t t;
	(void)state;

	evb_begin(&b, PPME_SYSCALL_CLOSE_X, 1, 1);
	evb_i64(&b, 0);
	evb_i64(&b, 5);
	raw = evb_end(&b, &len);
	memcpy(buf, raw, len);

	assert_non_null(event_decode(&e, buf, 10));		/* shorter than a header */
	assert_non_null(event_decode(&e, buf, len - 1));	/* len beyond the buffer */
	v = 20;
	memcpy(buf + 16, &v, 4);				/* len < header */
	assert_non_null(event_decode(&e, buf, len));
	memcpy(buf, raw, len);
	v = 1000;
	memcpy(buf + 22, &v, 4);				/* nparams too big */
	assert_non_null(event_decode(&e, buf, len));
	memcpy(buf, raw, len);
	buf[26] = 200;						/* param 0 length too big */
	assert_non_null(event_decode(&e, buf, len));
	memcpy(buf, raw, len);
	t = 9999;
	memcpy(buf + 20, &t, 2);				/* unknown type */
	assert_non_null(event_decode(&e, buf, len));
	memcpy(buf, raw, len);
	assert_null(event_decode(&e, buf, len));
}

static void test_large_payload(void **state)
{
	struct frc_evt e;
	const uint8_t *raw;
	uint32_t len;
	size_t n;
	char json[300];
	(void)state;

	memset(json, 'x', sizeof(json) - 1);
	json[sizeof(json) - 1] = '\0';
	evb_begin(&b, PPME_CONTAINER_JSON_2_E, 0, 0);
	evb_str(&b, json);
	raw = evb_end(&b, &len);
	assert_int_equal(len, FRC_EVT_HDR_LEN + 4 + sizeof(json));
	assert_null(event_decode(&e, raw, len));
	assert_int_equal(e.pl[0], sizeof(json));
	assert_string_equal(event_str(&e, 0, &n), json);
}

static void test_sockets(void **state)
{
	struct frc_evt e;
	const uint8_t *raw;
	uint32_t len, pl;
	const uint8_t *p;
	(void)state;

	evb_begin(&b, PPME_SOCKET_CONNECT_X, 1, 1);
	evb_i64(&b, 0);
	evb_tuple_in(&b, "127.0.0.1", 47192, "127.0.0.1", 80);
	evb_i64(&b, 3);
	evb_sockaddr_in(&b, "::1", 80);
	raw = evb_end(&b, &len);
	assert_null(event_decode(&e, raw, len));
	p = event_param(&e, 1, &pl);
	assert_int_equal(pl, 13);
	assert_int_equal(p[0], PPM_AF_INET);
	assert_int_equal(p[1], 127);
	p = event_param(&e, 3, &pl);
	assert_int_equal(pl, 19);
	assert_int_equal(p[0], PPM_AF_INET6);
	evb_begin(&b, PPME_SOCKET_CONNECT_X, 1, 1);
	evb_tuple_in(&b, "bad", 1, "1.2.3.4", 2);
	assert_null(evb_end(&b, &len));
}

/* evb_int writes the schema's width; evb_fill pads with empty params */
static void test_schema_builder(void **state)
{
	struct frc_evt e;
	const uint8_t *raw;
	uint32_t len, plen;
	int64_t v;
	(void)state;

	evb_begin(&b, PPME_SYSCALL_OPENAT_2_X, 1, 2);
	evb_int(&b, -2);		/* fd: 8 bytes */
	evb_int(&b, PPM_AT_FDCWD);	/* dirfd: 8 */
	evb_str(&b, "x");
	evb_int(&b, 1);			/* flags: 4 */
	evb_fill(&b);			/* mode, dev, ino: empty */
	raw = evb_end(&b, &len);
	assert_non_null(raw);
	memset(&e, 0, sizeof(e));
	assert_null(event_decode(&e, raw, len));
	assert_int_equal(e.nparams, 7);
	assert_non_null(event_param(&e, 0, &plen));
	assert_int_equal(plen, 8);
	assert_non_null(event_param(&e, 3, &plen));
	assert_int_equal(plen, 4);
	assert_true(event_int(&e, 3, &v));
	assert_int_equal(v, 1);
	assert_true(event_param_empty(&e, 4));
	assert_true(event_param_empty(&e, 6));
	assert_int_equal(event_return_value(&e), -2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_build_and_decode),
		cmocka_unit_test(test_empty_and_short_params),
		cmocka_unit_test(test_extra_params_ignored),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_large_payload),
		cmocka_unit_test(test_sockets),
		cmocka_unit_test(test_schema_builder),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
