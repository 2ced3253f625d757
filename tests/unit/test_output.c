/* SPDX-License-Identifier: Apache-2.0
 *
 * Unit tests of alert formatting (runtime/output.c) and JSON escaping (runtime/jsonw.c):
 * template parsing rules and errors, Falco's text line and JSON object, <NA> and null for
 * absent values, typed output_fields, hostile field values, internal alerts.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "config.h"
#include "jsonw.h"
#include "output.h"

/* a fake event: values by field id (and argument) */
struct fake {
	struct frc_val v[FLD__COUNT];
	bool has[FLD__COUNT];
	const char *argname;	/* evt.arg argument that has a value */
	struct frc_val argval;
	int calls;
};

static const struct frc_val *fake_get(void *ctx, uint32_t slot, const struct frc_field_ref *ref)
{
	struct fake *f = ctx;

	(void)slot;
	f->calls++;
	if (ref->field == FLD_EVT_ARG) {
		if (f->argname && ref->arg_len == strlen(f->argname) &&
		    !memcmp(ref->arg, f->argname, ref->arg_len))
			return &f->argval;
		return NULL;
	}
	return f->has[ref->field] ? &f->v[ref->field] : NULL;
}

static void set_str(struct fake *f, enum field_id id, const char *s, size_t len)
{
	f->v[id].s = (const frc_u8 *)s;
	f->v[id].len = (frc_u32)len;
	f->has[id] = true;
}

static void set_num(struct fake *f, enum field_id id, int64_t n)
{
	f->v[id].n.i = n;
	f->has[id] = true;
}

/* 2016-08-04T16:17:57.881781397Z */
#define TS 1470327477881781397ull

static int setup_tz(void **state)
{
	(void)state;
	setenv("TZ", "UTC", 1);
	tzset();
	setenv("FALCO_HOSTNAME", "test-host", 1);
	return 0;
}

static struct frc_rule mk_rule(const char *name, const char *output, enum frc_priority p,
			       const char **tags, uint32_t ntags)
{
	struct frc_rule r;

	memset(&r, 0, sizeof(r));
	r.name = name;
	r.output = output;
	r.priority = p;
	r.tags = tags;
	r.ntags = ntags;
	r.source = "syscall";
	r.enabled = true;
	return r;
}

static const char *fmt_alert(struct out_writer *w, struct out_rule *r, struct out_pool *pool,
			     struct fake *f)
{
	struct out_event ev = { .ts = TS, .get = fake_get, .ctx = f };
	size_t len;
	const char *s = out_format_alert(w, r, pool, &ev, &len);

	assert_non_null(s);
	assert_int_equal(strlen(s), len);
	return s;
}

static void test_parse_errors(void **state)
{
	struct out_pool pool;
	char err[512];

	(void)state;
	out_pool_init(&pool);
	assert_null(out_fmt_parse(&pool, "abc %", err, sizeof(err)));
	assert_string_equal(err, "invalid formatting syntax: formatting cannot end with a %");
	assert_null(out_fmt_parse(&pool, "abc %12", err, sizeof(err)));
	assert_string_equal(err, "invalid formatting syntax: formatting cannot end with a number");
	assert_null(out_fmt_parse(&pool, "x %foo.bar y", err, sizeof(err)));
	assert_non_null(strstr(err, "unknown filter:"));
	assert_null(out_fmt_parse(&pool, "", err, sizeof(err)));
	assert_string_equal(err, "empty formatting token");
	assert_null(out_fmt_parse(&pool, "%(proc.name)", err, sizeof(err)));
	assert_null(out_fmt_parse(&pool, "%evt.arg", err, sizeof(err)));	/* arg required */
	/* a bad argument makes the token shorter, as in libsinsp: "[x]" stays literal text */
	assert_non_null(out_fmt_parse(&pool, "%proc.aname[x]", err, sizeof(err)));
	assert_non_null(out_fmt_parse(&pool, "%toupper(proc.name)[1]", err, sizeof(err)));
	assert_null(out_fmt_parse(&pool, "%toupper(proc.name", err, sizeof(err)));
	assert_non_null(strstr(err, "unknown filter:"));
	assert_null(out_fmt_parse(&pool, "%getopt(proc.args, \"ab:\")", err, sizeof(err)));
	out_pool_free(&pool);
}

static void test_tokens_and_slots(void **state)
{
	struct out_pool pool;
	char err[512];
	struct fake f;
	struct jw_buf b;

	(void)state;
	memset(&f, 0, sizeof(f));
	out_pool_init(&pool);
	jw_init(&b);
	/* longest valid prefix: proc.cmdline then literal ".x)"; dotted evt.arg argument */
	struct out_fmt *t = out_fmt_parse(&pool, "*c=%proc.cmdline.x) f=%evt.arg.flags "
				       "a=%proc.aname[2] n=%proc.name n2=%proc.name %5proc.name|"
				       "%2proc.name|%fd.ip",
				       err, sizeof(err));
	assert_non_null(t);
	assert_int_equal(pool.nrefs, 5); /* cmdline, evt.arg[flags], aname[2], name, fd.ip */
	set_str(&f, FLD_PROC_CMDLINE, "cat /dev/null", 13);
	set_str(&f, FLD_PROC_NAME, "cat", 3);
	f.argname = "flags";
	f.argval.s = (const frc_u8 *)"O_RDONLY|O_CLOEXEC";
	f.argval.len = 18;
	struct out_event ev = { .ts = TS, .get = fake_get, .ctx = &f };
	out_fmt_render(t, &pool, &ev, &b);
	assert_string_equal(b.p, "c=cat /dev/null.x) f=O_RDONLY|O_CLOEXEC a=<NA> n=cat n2=cat "
				 "cat  |ca|<NA>");
	/* the aname[2] reference carries its index */
	bool seen = false;
	for (uint32_t i = 0; i < pool.nrefs; i++)
		if (pool.refs[i].field == FLD_PROC_ANAME) {
			assert_int_equal(pool.refs[i].arg_index, 2);
			seen = true;
		}
	assert_true(seen);
	jw_free(&b);
	out_pool_free(&pool);
}

static void test_text_line(void **state)
{
	struct out_pool pool;
	struct out_rule r;
	struct out_writer w;
	struct out_opts o;
	struct fake f;
	char err[512];

	(void)state;
	memset(&f, 0, sizeof(f));
	memset(&o, 0, sizeof(o));
	out_pool_init(&pool);
	struct frc_rule fr = mk_rule("open_from_cat", "An open was seen (command=%proc.cmdline)",
				     PRIO_WARNING, NULL, 0);
	assert_int_equal(out_rule_prepare(&r, &pool, &fr, NULL, false, err, sizeof(err)), 0);
	set_str(&f, FLD_PROC_CMDLINE, "cat /dev/null", 13);

	o.time_format_iso_8601 = true;
	out_writer_init(&w, &o);
	assert_string_equal(fmt_alert(&w, &r, &pool, &f),
			    "2016-08-04T16:17:57.881781397+0000: Warning An open was seen "
			    "(command=cat /dev/null)");
	out_writer_free(&w);

	o.time_format_iso_8601 = false;
	out_writer_init(&w, &o);
	assert_string_equal(fmt_alert(&w, &r, &pool, &f),
			    "16:17:57.881781397: Warning An open was seen (command=cat /dev/null)");
	/* absent value */
	f.has[FLD_PROC_CMDLINE] = false;
	assert_string_equal(fmt_alert(&w, &r, &pool, &f),
			    "16:17:57.881781397: Warning An open was seen (command=<NA>)");
	out_writer_free(&w);
	out_rule_free(&r);
	out_pool_free(&pool);
}

static void test_hostile_values(void **state)
{
	struct out_pool pool;
	struct out_rule r;
	struct out_writer w;
	struct out_opts o;
	struct fake f;
	char err[512];
	/* quote, backslash, newline, CR, tab, ESC, DEL, NUL-free invalid UTF-8, a valid é,
	 * a truncated 3-byte sequence at the end */
	static const char evil[] = "a\"b\\c\nd\re\tf\x1b[31mg\x7fh\xff\xc3\xa9i\xe2\x82";

	(void)state;
	memset(&f, 0, sizeof(f));
	memset(&o, 0, sizeof(o));
	out_pool_init(&pool);
	const char *tags[] = { "b", "a", "b" };
	struct frc_rule fr = mk_rule("r\"1", "x=%proc.name y=%user.uid", PRIO_CRITICAL, tags, 3);
	assert_int_equal(out_rule_prepare(&r, &pool, &fr, NULL, false, err, sizeof(err)), 0);
	set_str(&f, FLD_PROC_NAME, evil, sizeof(evil) - 1);
	set_num(&f, FLD_USER_UID, 0);
	out_writer_init(&w, &o);
	const char *want_esc = "a\\\"b\\\\c\\nd\\re\\tf\\u001b[31mg\x7fh\xef\xbf\xbd\xc3\xa9i"
			       "\xef\xbf\xbd";
	char want[512];
	snprintf(want, sizeof(want), "16:17:57.881781397: Critical x=%s y=0", want_esc);
	const char *line = fmt_alert(&w, &r, &pool, &f);
	assert_string_equal(line, want);
	assert_null(strchr(line, '\n'));
	assert_null(strchr(line, '\r'));
	out_writer_free(&w);

	o.json_output = true;
	o.json_include_output_property = true;
	o.json_include_tags_property = true;
	o.json_include_output_fields_property = true;
	out_writer_init(&w, &o);
	line = fmt_alert(&w, &r, &pool, &f);
	snprintf(want, sizeof(want),
		 "{\"hostname\":\"test-host\",\"output\":\"16:17:57.881781397: Critical x=%s y=0\","
		 "\"output_fields\":{\"evt.time\":1470327477881781397,\"proc.name\":\"%s\","
		 "\"user.uid\":0},\"priority\":\"Critical\",\"rule\":\"r\\\"1\",\"source\":"
		 "\"syscall\",\"tags\":[\"a\",\"b\"],\"time\":\"2016-08-04T16:17:57.881781397Z\"}",
		 want_esc, want_esc);
	assert_string_equal(line, want);
	out_writer_free(&w);
	out_rule_free(&r);
	out_pool_free(&pool);
}

static void test_json_object(void **state)
{
	struct out_pool pool;
	struct out_rule r;
	struct out_writer w;
	struct out_opts o;
	struct fake f;
	char err[512];

	(void)state;
	memset(&f, 0, sizeof(f));
	memset(&o, 0, sizeof(o));
	out_pool_init(&pool);
	struct frc_rule fr = mk_rule("Test rule",
				     "p=%proc.name l=%user.loginuid t=%proc.tty b=%evt.is_open_read "
				     "ip=%fd.sip port=%fd.sport c=%fd.cport",
				     PRIO_INFORMATIONAL, NULL, 0);
	assert_int_equal(out_rule_prepare(&r, &pool, &fr, NULL, false, err, sizeof(err)), 0);
	set_str(&f, FLD_PROC_NAME, "bash", 4);
	set_num(&f, FLD_USER_LOGINUID, -1);
	set_num(&f, FLD_PROC_TTY, 34816);
	set_num(&f, FLD_EVT_IS_OPEN_READ, 1);
	f.v[FLD_FD_SIP].family = 4;
	memcpy(f.v[FLD_FD_SIP].ip, "\x7f\x00\x00\x01", 4);
	f.has[FLD_FD_SIP] = true;
	set_num(&f, FLD_FD_SPORT, 80);

	o.json_output = true;
	o.json_include_output_property = false;
	o.json_include_tags_property = true;
	o.json_include_message_property = true;
	o.json_include_output_fields_property = true;
	o.time_format_iso_8601 = true;
	out_writer_init(&w, &o);
	/* keys are sorted: check the exact object */
	const char *line = fmt_alert(&w, &r, &pool, &f);
	assert_string_equal(
		line,
		"{\"hostname\":\"test-host\",\"message\":\"p=bash l=-1 t=34816 b=true "
		"ip=127.0.0.1 port=80 c=<NA>\",\"output_fields\":{\"evt.is_open_read\":true,"
		"\"evt.time.iso8601\":1470327477881781397,\"fd.cport\":null,\"fd.sip\":"
		"\"127.0.0.1\",\"fd.sport\":80,\"proc.name\":\"bash\",\"proc.tty\":34816,"
		"\"user.loginuid\":-1},\"priority\":\"Informational\",\"rule\":\"Test rule\","
		"\"source\":\"syscall\",\"tags\":[],\"time\":\"2016-08-04T16:17:57.881781397Z\"}");
	out_writer_free(&w);

	/* no tags / no output_fields properties */
	o.json_include_tags_property = false;
	o.json_include_output_fields_property = false;
	o.json_include_message_property = false;
	o.json_include_output_property = true;
	out_writer_init(&w, &o);
	line = fmt_alert(&w, &r, &pool, &f);
	assert_null(strstr(line, "\"tags\""));
	assert_null(strstr(line, "output_fields"));
	assert_non_null(strstr(line, "\"output\":\"2016-08-04T16:17:57.881781397+0000: "
				     "Informational p=bash"));
	out_writer_free(&w);
	out_rule_free(&r);
	out_pool_free(&pool);
}

static void test_append_output(void **state)
{
	struct frc_config cfg;
	struct config_opts co;
	char err[512];
	struct out_pool pool;
	struct out_rule r;
	struct out_writer w;
	struct out_opts o;
	struct fake f;
	const char *ov[] = {
		"append_output[]={\"suggested_output\": true}",
		"append_output[]={\"match\": {\"tags\": [\"t1\"]}, \"extra_output\": \"on=%evt.type\", "
		"\"extra_fields\": [{\"wd\": \"%proc.cwd\"}, \"proc.pid\"]}",
		"append_output[]={\"match\": {\"rule\": \"other\"}, \"extra_output\": \"never\"}",
		"json_output=true",
	};

	(void)state;
	memset(&co, 0, sizeof(co));
	co.overrides = ov;
	co.noverrides = 4;
	assert_int_equal(config_load(&cfg, &co, err, sizeof(err)), 0);
	const char *tags[] = { "t1", "t2" };
	struct frc_rule fr = mk_rule("r", "msg", PRIO_DEBUG, tags, 2);
	char *app = out_append_text(&fr, &cfg);
	assert_string_equal(app, " container_id=%container.id container_name=%container.name "
				 "container_image_repository=%container.image.repository "
				 "container_image_tag=%container.image.tag k8s_pod_name=%k8s.pod.name "
				 "k8s_ns_name=%k8s.ns.name on=%evt.type");
	free(app);

	memset(&f, 0, sizeof(f));
	out_pool_init(&pool);
	assert_int_equal(out_rule_prepare(&r, &pool, &fr, &cfg, true, err, sizeof(err)), 0);
	set_str(&f, FLD_CONTAINER_ID, "host", 4);
	set_str(&f, FLD_CONTAINER_NAME, "host", 4);
	set_str(&f, FLD_EVT_TYPE, "open", 4);
	set_str(&f, FLD_PROC_CWD, "/root/", 6);
	set_num(&f, FLD_PROC_PID, 42);
	out_opts_from_config(&o, &cfg);
	out_writer_init(&w, &o);
	const char *line = fmt_alert(&w, &r, &pool, &f);
	assert_non_null(strstr(line, "\"output\":\"16:17:57.881781397: Debug msg container_id=host "
				     "container_name=host container_image_repository=<NA> "
				     "container_image_tag=<NA> k8s_pod_name=<NA> k8s_ns_name=<NA> "
				     "on=open\""));
	assert_non_null(strstr(line, "\"output_fields\":{\"container.id\":\"host\","
				     "\"container.image.repository\":null,\"container.image.tag\":"
				     "null,\"container.name\":\"host\",\"evt.time\":"
				     "1470327477881781397,\"evt.type\":\"open\",\"k8s.ns.name\":null,"
				     "\"k8s.pod.name\":null,\"proc.pid\":42,\"wd\":\"/root/\"}"));
	out_writer_free(&w);
	out_rule_free(&r);
	out_pool_free(&pool);
	config_free(&cfg);
}

static void test_transformers(void **state)
{
	struct out_pool pool;
	struct fake f;
	struct jw_buf b;
	char err[512];

	(void)state;
	memset(&f, 0, sizeof(f));
	out_pool_init(&pool);
	jw_init(&b);
	struct out_fmt *t = out_fmt_parse(&pool, "%toupper(proc.name) %basename(fd.name) "
				       "%len(fd.name) %tolower( proc.name ) %b64(proc.args) "
				       "%concat(proc.name, \"-\", proc.name)",
				       err, sizeof(err));
	assert_non_null(t);
	set_str(&f, FLD_PROC_NAME, "Bash", 4);
	set_str(&f, FLD_FD_NAME, "/etc/passwd", 11);
	set_str(&f, FLD_PROC_ARGS, "aGVsbG8=", 8);
	struct out_event ev = { .ts = TS, .get = fake_get, .ctx = &f };
	out_fmt_render(t, &pool, &ev, &b);
	assert_string_equal(b.p, "BASH passwd 11 bash hello Bash-Bash");
	jw_free(&b);
	out_pool_free(&pool);
}

static void test_internal_alert(void **state)
{
	struct out_writer w;
	struct out_opts o;
	size_t len;
	const char *keys[] = { "n_evts", "ebpf_enabled", "n_drops" };
	const char *vals[] = { "100", "0", "1" };

	(void)state;
	memset(&o, 0, sizeof(o));
	out_writer_init(&w, &o);
	const char *s = out_format_internal(&w, TS, PRIO_DEBUG, "Falco internal: syscall event drop",
					    "Falco internal: syscall event drop. 1 system calls "
					    "dropped in last second.", keys, vals, 3, &len);
	assert_string_equal(s, "16:17:57.881781397: Debug Falco internal: syscall event drop. 1 "
			       "system calls dropped in last second. (ebpf_enabled=\"0\" "
			       "n_drops=\"1\" n_evts=\"100\")");
	out_writer_free(&w);
	o.json_output = true;
	out_writer_init(&w, &o);
	s = out_format_internal(&w, TS, PRIO_DEBUG, "Falco internal: syscall event drop", "m", keys,
				vals, 3, &len);
	assert_string_equal(s, "{\"hostname\":\"test-host\",\"output\":\"m\",\"output_fields\":"
			       "{\"ebpf_enabled\":\"0\",\"n_drops\":\"1\",\"n_evts\":\"100\"},"
			       "\"priority\":\"Debug\",\"rule\":\"Falco internal: syscall event drop\","
			       "\"source\":\"internal\",\"time\":\"2016-08-04T16:17:57.881781397Z\"}");
	out_writer_free(&w);
}

static void test_json_escape(void **state)
{
	struct jw_buf b;

	(void)state;
	jw_init(&b);
	/* overlong, surrogate, > U+10FFFF, lone continuation, 4-byte ok */
	static const char in[] = "\xc0\xaf|\xed\xa0\x80|\xf4\x90\x80\x80|\x80|\xf0\x9f\x98\x80|\x01";
	jw_escape(&b, in, sizeof(in) - 1);
	assert_string_equal(b.p, "\xef\xbf\xbd\xef\xbf\xbd|\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd|"
				 "\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd|\xef\xbf\xbd|"
				 "\xf0\x9f\x98\x80|\\u0001");
	jw_reset(&b);
	jw_i64(&b, INT64_MIN);
	assert_string_equal(b.p, "-9223372036854775808");
	jw_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_tokens_and_slots),
		cmocka_unit_test(test_text_line),
		cmocka_unit_test(test_hostile_values),
		cmocka_unit_test(test_json_object),
		cmocka_unit_test(test_append_output),
		cmocka_unit_test(test_transformers),
		cmocka_unit_test(test_internal_alert),
		cmocka_unit_test(test_json_escape),
	};
	return cmocka_run_group_tests(tests, setup_tz, NULL);
}
