/* SPDX-License-Identifier: Apache-2.0
 *
 * libFuzzer target over rule evaluation on arbitrary events: a fixed ruleset that uses every
 * operator (=, !=, <, contains, icontains, startswith, endswith, in, intersects, pmatch,
 * glob, regex, exists, bcontains, bstartswith), the transformers (tolower, toupper, b64,
 * basename, len, val) and string, number, address, process-tree and argument fields is
 * JIT-compiled once; each input (a capture, plain or gzip, or 0xEE then raw events
 * [u16 length][event bytes]... as in fuzz_scap.c) is replayed through the engine, every
 * event evaluated by the compiled rules and every match formatted as text (no line breaks)
 * and JSON (strictly valid), as `frc replay` does. Crashes, sanitizer reports and leaks are findings.
 * Seeds: tests/fuzz/seeds_scap.sh.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"
#include "engine.h"
#include "extract.h"
#include "fuzz_feed.h"
#include "frc_rt_abi.h"
#include "json_strict.h"
#include "loader.h"
#include "output.h"
#include "ruleset.h"
#include "scap.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char rules_text[] =
	"- list: bins\n"
	"  items: [sh, bash, \"/bin/cat\", python3, \"a b\"]\n"
	"- macro: opens\n"
	"  condition: evt.type in (open, openat, openat2, creat)\n"
	"- rule: strings\n"
	"  desc: d\n"
	"  condition: (proc.name = bash or proc.name != x or proc.cmdline contains \"a\" or proc.exe icontains \"BIN\" or fd.name startswith /etc or fd.name endswith .so or proc.name in (bins) or proc.args pmatch (/tmp, /etc) or fd.name glob \"/etc/*\" or proc.cmdline regex \"^[a-z]+ .*\" or evt.buffer bcontains 2f6574 or evt.buffer bstartswith 2f) and (evt.type in (open, openat, execve, read, write, connect, accept, clone) or evt.type exists)\n"
	"  output: \"%proc.name %fd.name %evt.args %proc.cmdline %evt.buffer\"\n"
	"  priority: INFO\n"
	"- rule: transformers\n"
	"  desc: d\n"
	"  condition: (tolower(proc.name) = bash or toupper(fd.name) contains ETC or b64(evt.buffer) = \"aGVsbG8=\" or basename(fd.name) = passwd or len(proc.cmdline) > 10 or proc.name = val(proc.pname) or tolower(basename(proc.exe)) in (sh, bash)) and evt.type in (open, openat, execve, read, write)\n"
	"  output: \"%proc.name\"\n"
	"  priority: INFO\n"
	"- rule: numbers\n"
	"  desc: d\n"
	"  condition: (proc.pid > 1 or proc.ppid < 100 or evt.rawarg.res >= 0 or evt.arg.fd <= 3 or fd.num = 1 or proc.vpid != 0 or evt.count > 0 or thread.tid in (1, 2, 3) or proc.duration > 1000 or fd.sport in (22, 80) or fd.port = 443) and evt.type in (open, openat, execve, read, write, connect, accept, close)\n"
	"  output: \"%proc.pid\"\n"
	"  priority: INFO\n"
	"- rule: addresses\n"
	"  desc: d\n"
	"  condition: (fd.sip = 127.0.0.1 or fd.cip = \"::1\" or fd.net = 10.0.0.0/8 or fd.snet = \"fe80::/10\" or fd.rip in (1.2.3.4, 5.6.7.8) or fd.l4proto = tcp or fd.typechar = 4 or fd.sockfamily = ip) and evt.type in (connect, accept, accept4, sendto, recvfrom, bind)\n"
	"  output: \"%fd.name %fd.sip %fd.cip\"\n"
	"  priority: INFO\n"
	"- rule: process tree\n"
	"  desc: d\n"
	"  condition: (proc.aname[2] = bash or proc.aname = sshd or proc.apid[1] > 0 or proc.pname exists or user.name = root or user.uid = 0 or group.gid = 0 or proc.env contains PATH or proc.is_exe_writable = true or proc.tty != 0 or container.id != host or proc.sid = 0 or proc.args intersects (a, b) or evt.arg.flags contains O_CREAT or evt.arg[0] contains x or evt.is_open_write = true or fd.directory = /tmp or fd.filename = x or evt.dir = < or evt.failed = true or proc.cwd startswith /) and evt.type in (open, openat, execve, clone, fork, setuid, chmod, mkdir, unlink, rename)\n"
	"  output: \"%proc.aname[2] %user.name %proc.env\"\n"
	"  priority: INFO\n";

struct ctx {
	struct ruleset *rs;
	const struct frc_field_ref *refs;
	uint32_t nref;
	struct out_pool pool;
	struct out_rule *orules;
	uint32_t nrules;
	struct out_writer text, json;
	struct frc_evt *cur;
	uint64_t matches;
};

static struct ctx *C;

static const struct frc_val *out_get(void *ctx, uint32_t slot, const struct frc_field_ref *ref)
{
	struct ctx *c = ctx;

	(void)slot;
	return extract_value(c->cur, ref->field, ref->arg, ref->arg_len, ref->arg_index);
}

static void on_match(void *ctx, uint32_t rule_id)
{
	struct ctx *c = ctx;
	struct out_event ev = { .ts = c->cur->ts, .get = out_get, .ctx = c };
	size_t len;

	c->matches++;
	if (rule_id >= c->nrules)
		abort();
	const char *line = out_format_alert(&c->text, &c->orules[rule_id], &c->pool, &ev, &len);
	if (!line || strlen(line) != len || memchr(line, '\n', len) || memchr(line, '\r', len)) {
		fprintf(stderr, "fuzz_eval: bad text alert: %s\n", line ? line : "(null)");
		abort();
	}
	line = out_format_alert(&c->json, &c->orules[rule_id], &c->pool, &ev, &len);
	if (!line || strlen(line) != len || !json_strict_ok(line, len)) {
		fprintf(stderr, "fuzz_eval: bad JSON alert: %s\n", line ? line : "(null)");
		abort();
	}
}

static int on_event(void *ctx, struct frc_evt *e)
{
	struct ctx *c = ctx;

	c->cur = e;
	ruleset_eval(c->rs, e, e->type, on_match, c);
	c->cur = NULL;
	return 0;
}

/* the ruleset, compiled once for the whole run (kept until exit) */
static struct ctx *setup(void)
{
	static struct arena a;
	static struct frc_rules rules;
	static struct loader_results res;
	static struct ctx c;
	struct loader_input in = { .name = "eval.yaml", .data = rules_text,
				   .len = sizeof(rules_text) - 1 };
	struct loader_opts o;
	char err[512];

	arena_init(&a);
	loader_opts_init(&o);
	if (loader_load_inputs(&a, &in, 1, &o, &rules, &res)) {
		loader_print_text(stderr, &res, false);
		abort();
	}
	struct ruleset_opts ro = { .field_fn = frc_field };
	c.rs = ruleset_jit(&rules, &ro);
	if (!c.rs)
		abort();
	ruleset_set_matching(c.rs, RULESET_MATCH_ALL);
	c.refs = ruleset_fields(c.rs, &c.nref);
	out_pool_init(&c.pool);
	c.nrules = rules.nrules;
	c.orules = calloc(rules.nrules, sizeof(*c.orules));
	if (!c.orules)
		abort();
	for (uint32_t i = 0; i < rules.nrules; i++)
		if (out_rule_prepare(&c.orules[i], &c.pool, &rules.rules[i], NULL, false, err,
				     sizeof(err)))
			abort();
	struct out_opts oo;
	memset(&oo, 0, sizeof(oo));
	oo.hostname = "fuzz-host";
	out_writer_init(&c.text, &oo);
	oo.json_output = true;
	oo.json_include_output_property = true;
	oo.json_include_tags_property = true;
	oo.json_include_output_fields_property = true;
	out_writer_init(&c.json, &oo);
	return &c;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char err[256];

	if (!C)
		C = setup();
	struct frc_state_cfg scfg = { .max_threads = 4096 };
	struct frc_engine *eng = engine_new(&scfg);
	/* the slots cache values per event of one engine: one set per engine, as replay has */
	struct frc_slots *slots = extract_slots_new(C->refs, C->nref, err, sizeof(err));
	if (!eng || !slots) {
		engine_free(eng);
		extract_slots_free(slots);
		return 0;
	}
	engine_set_slots(eng, slots);
	engine_set_callback(eng, on_event, C);
	fuzz_feed(eng, data, size);
	engine_free(eng);
	extract_slots_free(slots);
	return 0;
}
