/* SPDX-License-Identifier: Apache-2.0
 *
 * frc compile: load rule files as Falco does, lower them to the IR, optimise, and write
 * the emitted C (one translation unit for libtcc or gcc) and the kernel interest set.
 *
 *   frc compile [-o DIR] [--emit c|bpf|all] [--dump=WHAT] [-O0] [--name BASE] FILE...
 *
 *   -o DIR       output directory (default generated/); files DIR/BASE.c and
 *                DIR/BASE_prefilter.txt, written atomically
 *   --emit       which outputs to write (default all); --emit bpf also prints the kernel
 *                filter listing on stdout (what the kernel will drop)
 *   --dump=WHAT  also print to stdout: ir (after lowering), ir-opt (after all passes),
 *                ir:after=PASS (after one pass: fold, evttype, share), c, bpf
 *   -O0          no IR optimisation (the code must give the same alerts)
 *   frc compile --builtin   lists the default rules compiled into this binary (generated/)
 *
 * Output is deterministic: the same files and frc version give the same bytes.
 * Exit status: 0 ok, 1 rule errors, 2 usage, 3 cannot write the output, 70 internal error.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "arena.h"
#include "cli.h"
#include "cstr.h"
#include "emit_bpf.h"
#include "emit_c.h"
#include "ir.h"
#include "loader.h"
#include "lower.h"
#include "opt.h"
#include "ruleset.h"
#include "version.h"

#define MAX_FILES 256

struct compile_args {
	const char *dir;
	const char *base;
	bool emit_c, emit_bpf;
	bool dump_ir, dump_ir_opt, dump_c, dump_bpf;
	bool print_bpf;		/* --emit bpf: the listing on stdout too */
	const char *dump_after;
	bool o0;
	const char *files[MAX_FILES];
	size_t nfiles;
};

static void usage(FILE *f)
{
	fprintf(f,
		"usage: frc compile [-o DIR] [--emit c|bpf|all] [--dump=WHAT] [-O0] [--name BASE] "
		"FILE...\n\n"
		"Loads the rule files in order (as Falco does) and writes DIR/BASE.c (the rules as C,\n"
		"for the libtcc JIT or gcc) and DIR/BASE_prefilter.txt (the kernel interest set and\n"
		"the kernel filter fragment).\n"
		"  -o DIR        output directory (default generated)\n"
		"  --name BASE   output base name (default rules)\n"
		"  --emit WHAT   c, bpf or all (default all); bpf also prints the kernel filter\n"
		"  --dump=WHAT   print ir, ir-opt, ir:after=PASS (fold, evttype, share), c or bpf\n"
		"  -O0           no IR optimisation\n"
		"  --builtin     list the default rules compiled into this binary and exit\n"
		"Exit status: 0 ok, 1 rule errors, 2 usage, 3 output not writable, 70 internal.\n");
}

static int parse_dump(struct compile_args *ca, const char *v)
{
	char *copy = strdup(v), *save = NULL;
	if (!copy)
		return -1;
	int rc = 0;
	for (char *t = strtok_r(copy, ",", &save); t && !rc; t = strtok_r(NULL, ",", &save)) {
		if (!strcmp(t, "ir"))
			ca->dump_ir = true;
		else if (!strcmp(t, "ir-opt"))
			ca->dump_ir_opt = true;
		else if (!strcmp(t, "c"))
			ca->dump_c = true;
		else if (!strcmp(t, "bpf"))
			ca->dump_bpf = true;
		else if (!strncmp(t, "ir:after=", 9)) {
			const char *p = t + 9;
			bool known = false;
			for (size_t i = 0; opt_pass_names[i]; i++)
				if (!strcmp(opt_pass_names[i], p)) {
					ca->dump_after = opt_pass_names[i];
					known = true;
				}
			if (!known) {
				fprintf(stderr, "frc compile: unknown pass '%s' (passes: fold, evttype, "
						"share)\n", p);
				rc = -1;
			}
		} else {
			fprintf(stderr, "frc compile: unknown --dump item '%s'\n", t);
			rc = -1;
		}
	}
	free(copy);
	return rc;
}

static int parse_args(int argc, char **argv, struct compile_args *ca)
{
	memset(ca, 0, sizeof(*ca));
	ca->dir = "generated";
	ca->base = "rules";
	ca->emit_c = ca->emit_bpf = true;
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return 1;
		} else if (!strcmp(a, "-o") || !strcmp(a, "--name") || !strcmp(a, "--emit")) {
			if (i + 1 >= argc) {
				fprintf(stderr, "frc compile: %s needs a value\n", a);
				return 2;
			}
			const char *v = argv[++i];
			if (!strcmp(a, "-o"))
				ca->dir = v;
			else if (!strcmp(a, "--name"))
				ca->base = v;
			else if (!strcmp(v, "c") || !strcmp(v, "bpf") || !strcmp(v, "all")) {
				ca->emit_c = strcmp(v, "bpf") != 0;
				ca->emit_bpf = strcmp(v, "c") != 0;
				/* --emit bpf: the user wants to see what the kernel will drop */
				ca->print_bpf = !strcmp(v, "bpf");
			} else {
				fprintf(stderr, "frc compile: --emit takes c, bpf or all\n");
				return 2;
			}
		} else if (!strncmp(a, "--dump=", 7)) {
			if (parse_dump(ca, a + 7))
				return 2;
		} else if (!strcmp(a, "-O0")) {
			ca->o0 = true;
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "frc compile: unknown option '%s'\n", a);
			usage(stderr);
			return 2;
		} else if (ca->nfiles >= MAX_FILES) {
			fprintf(stderr, "frc compile: too many files\n");
			return 2;
		} else {
			ca->files[ca->nfiles++] = a;
		}
	}
	if (!ca->nfiles) {
		usage(stderr);
		return 2;
	}
	if (!*ca->base || strchr(ca->base, '/')) {
		fprintf(stderr, "frc compile: --name must be a plain file name\n");
		return 2;
	}
	return 0;
}

/* write @text to DIR/NAME through a temporary file and rename(2) */
static int write_out(const char *dir, const char *name, const char *text, size_t len)
{
	char path[4096], tmp[4200];
	if (snprintf(path, sizeof(path), "%s/%s", dir, name) >= (int)sizeof(path))
		return -ENAMETOOLONG;
	snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path, (long)getpid());
	int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	size_t off = 0;
	while (off < len) {
		ssize_t n = write(fd, text + off, len - off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			int e = errno ? errno : EIO;
			close(fd);
			unlink(tmp);
			return -e;
		}
		off += (size_t)n;
	}
	if (close(fd) || rename(tmp, path)) {
		int e = errno;
		unlink(tmp);
		return -e;
	}
	return 0;
}

struct dump_ctx {
	const char *after;
};

static void after_pass(void *ctx, const char *pass, const struct ir *ir)
{
	const struct dump_ctx *dc = ctx;
	if (!dc->after || strcmp(dc->after, pass))
		return;
	char *t = ir_dump(ir);
	if (t) {
		printf("# IR after pass %s\n%s", pass, t);
		free(t);
	}
}

static void dump_ir(const struct ir *ir, const char *title)
{
	char *t = ir_dump(ir);
	if (t) {
		printf("# %s\n%s", title, t);
		free(t);
	}
}

/* lower, optimise and emit; returns the exit status */
static int compile(const struct compile_args *ca, const struct frc_rules *rules)
{
	struct ir ir;
	struct ir_diag d = { 0 };
	struct dump_ctx dc = { ca->dump_after };
	char *c_text = NULL, *bpf_text = NULL;
	size_t c_len = 0, bpf_len = 0;
	int rc = 1;
	ir_init(&ir);
	ir.normalize = false;
	if (lower_rules(&ir, rules, &d))
		goto out;
	if (ca->dump_ir)
		dump_ir(&ir, "IR after lowering");
	struct opt_opts oo = { .level = ca->o0 ? 0 : 1, .evt = opt_evtinfo_evtab(),
			       .after = after_pass, .after_ctx = &dc };
	if (opt_run(&ir, &oo, &d))
		goto out;
	if (ca->dump_ir_opt)
		dump_ir(&ir, "IR after optimisation");
	if (ca->emit_c || ca->dump_c) {
		c_text = emit_c_ruleset(&ir, FRC_VERSION, &d, &c_len);
		if (!c_text)
			goto out;
	}
	if (ca->emit_bpf || ca->dump_bpf) {
		bpf_text = emit_bpf_text(&ir, FRC_VERSION, &bpf_len);
		if (!bpf_text) {
			fprintf(stderr, "frc compile: out of memory\n");
			rc = 70;
			goto out;
		}
	}
	if (ca->dump_c)
		fwrite(c_text, 1, c_len, stdout);
	if (ca->dump_bpf || ca->print_bpf)
		fwrite(bpf_text, 1, bpf_len, stdout);
	rc = 0;
	if (ca->emit_c || ca->emit_bpf) {
		if (mkdir(ca->dir, 0755) && errno != EEXIST) {
			fprintf(stderr, "frc compile: cannot create %s: %s\n", ca->dir, strerror(errno));
			rc = 3;
			goto out;
		}
		char name[512];
		int e = 0;
		if (ca->emit_c) {
			snprintf(name, sizeof(name), "%s.c", ca->base);
			e = write_out(ca->dir, name, c_text, c_len);
		}
		if (!e && ca->emit_bpf) {
			snprintf(name, sizeof(name), "%s_prefilter.txt", ca->base);
			e = write_out(ca->dir, name, bpf_text, bpf_len);
		}
		if (e) {
			fprintf(stderr, "frc compile: cannot write %s/%s: %s\n", ca->dir, name,
				strerror(-e));
			rc = 3;
		}
	}
out:
	free(c_text);
	free(bpf_text);
	ir_fini(&ir);
	return rc;
}

/* the default rules linked into this binary (generated/rules.c), checked and listed */
static int list_builtin(void)
{
	struct ruleset *rs = ruleset_builtin(NULL);
	if (!rs) {
		printf("no default rules compiled into this binary\n");
		return 1;
	}
	uint32_t n = ruleset_nrules(rs);
	printf("%u default rules compiled into this binary:\n", n);
	for (uint32_t i = 0; i < n; i++) {
		const struct frc_rule_info *r = ruleset_rule(rs, i);
		size_t nl = strlen(r->name);
		char *esc = malloc(4 * nl + 1); /* names may hold control bytes: print them escaped */
		if (!esc)
			break;
		cstr_escape(esc, r->name, nl);
		printf("%s\t%s\n", r->enabled ? "on" : "off", esc);
		free(esc);
	}
	ruleset_free(rs);
	return 0;
}

int cli_compile(int argc, char **argv)
{
	struct compile_args ca;
	if (argc == 2 && !strcmp(argv[1], "--builtin"))
		return list_builtin();
	int rc = parse_args(argc, argv, &ca);
	if (rc)
		return rc == 1 ? 0 : rc;
	struct arena a;
	arena_init(&a);
	struct loader_opts lo;
	loader_opts_init(&lo);
	struct frc_rules rules;
	struct loader_results res;
	int lrc = loader_load(&a, ca.files, ca.nfiles, &lo, &rules, &res);
	if (lrc) {
		loader_print_text(stderr, &res, false);
		arena_free_all(&a);
		return lrc < 0 ? 70 : 1;
	}
	rc = compile(&ca, &rules);
	arena_free_all(&a);
	return rc;
}
