/* SPDX-License-Identifier: Apache-2.0
 *
 * libtcc JIT for emitted rule code (see jit.h).
 *
 * frc_field is looked up at run time (caller-supplied, else dlsym in the process, which
 * is linked with -rdynamic) so that tests can supply their own accessor.
 *
 * Global state: none of ours. libtcc itself keeps process-wide state while compiling
 * (STYLE B.8, exception 3): callers must not compile on two threads at once.
 */
#include "jit.h"

#include <dlfcn.h>
#include <libtcc.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "rt_helpers.h"

/* The ABI header, embedded at build time (the assembler runs from the repository root). */
__asm__(".section .rodata\n"
	".global frc_jit_abi_text\n"
	".type frc_jit_abi_text, @object\n"
	"frc_jit_abi_text:\n"
	".incbin \"runtime/frc_rt_abi.h\"\n"
	".byte 0\n"
	".global frc_jit_abi_text_end\n"
	"frc_jit_abi_text_end:\n"
	".previous\n");
extern const char frc_jit_abi_text[], frc_jit_abi_text_end[];

const char *jit_abi_header(size_t *len)
{
	if (len)
		*len = (size_t)(frc_jit_abi_text_end - frc_jit_abi_text) - 1;
	return frc_jit_abi_text;
}

struct jit {
	TCCState *s;
	void *mem;
	size_t size;
};

/* every function emitted code may call */
static const struct jit_sym helpers[] = {
#define H(f) { #f, (const void *)f }
	H(frc_rt_match),
	H(frc_s_eq), H(frc_s_ne), H(frc_s_lt), H(frc_s_le), H(frc_s_gt), H(frc_s_ge),
	H(frc_s_contains), H(frc_s_icontains), H(frc_s_startswith), H(frc_s_endswith),
	H(frc_s_glob), H(frc_s_iglob), H(frc_s_regex), H(frc_s_pmatch), H(frc_s_in),
	H(frc_s_row), H(frc_s_needles),
	H(frc_n_eq), H(frc_n_ne), H(frc_n_in), H(frc_i_lt), H(frc_i_le), H(frc_i_gt),
	H(frc_i_ge), H(frc_u_lt), H(frc_u_le), H(frc_u_gt), H(frc_u_ge),
	H(frc_ip_eq), H(frc_ip_ne), H(frc_ip_in), H(frc_net_eq), H(frc_net_ne), H(frc_net_in),
	H(frc_exists), H(frc_vv), H(frc_memeq),
	H(frc_x_tolower), H(frc_x_toupper), H(frc_x_b64), H(frc_x_basename), H(frc_x_len),
	H(frc_x_join), H(frc_x_concat2), H(frc_x_getopt),
	H(memset), H(memcpy),
#undef H
};

struct errbuf {
	char *buf;
	size_t len, cap;
};

static void on_error(void *opaque, const char *msg)
{
	struct errbuf *e = opaque;
	if (!e->buf || e->len + 1 >= e->cap)
		return;
	int n = snprintf(e->buf + e->len, e->cap - e->len, "%s%s", e->len ? "\n" : "", msg);
	if (n > 0)
		e->len = e->len + (size_t)n < e->cap ? e->len + (size_t)n : e->cap - 1;
}

/* emitted text with its `#include "frc_rt_abi.h"` line replaced by the header itself */
static char *splice_header(const char *c_text)
{
	static const char inc[] = "#include \"frc_rt_abi.h\"\n";
	const char *p = strstr(c_text, inc);
	if (!p || (p != c_text && p[-1] != '\n'))
		return NULL;
	size_t hlen, pre = (size_t)(p - c_text), lines = 1;
	const char *hdr = jit_abi_header(&hlen);
	for (const char *q = c_text; q < p; q++)
		lines += *q == '\n';
	const char *rest = p + sizeof(inc) - 1;
	size_t rlen = strlen(rest);
	char *out = malloc(pre + hlen + rlen + 128);
	if (!out)
		return NULL;
	int n = snprintf(out, 128 + pre, "%.*s#line 1 \"frc_rt_abi.h\"\n", (int)pre, c_text);
	size_t o = (size_t)n;
	memcpy(out + o, hdr, hlen);
	o += hlen;
	o += (size_t)sprintf(out + o, "\n#line %zu \"rules.c\"\n", lines + 1);
	memcpy(out + o, rest, rlen + 1);
	return out;
}

static bool relocate(struct jit *j, struct errbuf *eb)
{
	int size = tcc_relocate(j->s, NULL);
	if (size <= 0) {
		on_error(eb, "tcc_relocate: cannot size the code");
		return false;
	}
	long pg = sysconf(_SC_PAGESIZE);
	size_t len = ((size_t)size + (size_t)pg - 1) & ~((size_t)pg - 1);
	void *mem = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (mem == MAP_FAILED) {
		on_error(eb, "mmap failed");
		return false;
	}
	j->mem = mem;
	j->size = len;
	if (tcc_relocate(j->s, mem) < 0)
		return false;
	/* W^X: the relocated code and its constant data become read+execute only */
	if (mprotect(mem, len, PROT_READ | PROT_EXEC)) {
		on_error(eb, "mprotect failed");
		return false;
	}
	return true;
}

struct jit *jit_compile(const char *c_text, const struct jit_sym *extra, size_t nextra,
			const struct frc_ruleset_desc **desc, char *err, size_t errlen)
{
	struct errbuf eb = { err, 0, errlen };
	if (err && errlen)
		err[0] = 0;
	struct jit *j = calloc(1, sizeof(*j));
	char *text = splice_header(c_text);
	if (!j || !text) {
		on_error(&eb, !j ? "out of memory" : "emitted C lacks the ABI include line");
		goto fail;
	}
	j->s = tcc_new();
	if (!j->s) {
		on_error(&eb, "tcc_new failed");
		goto fail;
	}
	tcc_set_error_func(j->s, &eb, on_error);
	tcc_set_options(j->s, "-nostdinc -nostdlib");
	tcc_set_output_type(j->s, TCC_OUTPUT_MEMORY);
	if (tcc_compile_string(j->s, text) < 0)
		goto fail;
	for (size_t i = 0; i < sizeof(helpers) / sizeof(helpers[0]); i++) {
		const void *addr = helpers[i].addr;
		for (size_t k = 0; k < nextra; k++)
			if (!strcmp(extra[k].name, helpers[i].name))
				addr = extra[k].addr;
		tcc_add_symbol(j->s, helpers[i].name, addr);
	}
	/* the field accessor: given by the caller, else the process's own frc_field */
	bool have_field = false;
	for (size_t k = 0; k < nextra; k++)
		have_field |= !strcmp(extra[k].name, "frc_field");
	if (!have_field) {
		void *f = dlsym(RTLD_DEFAULT, "frc_field");
		if (!f) {
			on_error(&eb, "no frc_field accessor in this process");
			goto fail;
		}
		tcc_add_symbol(j->s, "frc_field", f);
	}
	for (size_t k = 0; k < nextra; k++) {
		bool known = false;
		for (size_t i = 0; i < sizeof(helpers) / sizeof(helpers[0]) && !known; i++)
			known = !strcmp(extra[k].name, helpers[i].name);
		if (!known)
			tcc_add_symbol(j->s, extra[k].name, extra[k].addr);
	}
	if (!relocate(j, &eb))
		goto fail;
	*desc = tcc_get_symbol(j->s, "frc_g_ruleset");
	if (!*desc) {
		on_error(&eb, "compiled code has no frc_g_ruleset");
		goto fail;
	}
	free(text);
	return j;
fail:
	free(text);
	jit_free(j);
	return NULL;
}

void jit_free(struct jit *j)
{
	if (!j)
		return;
	if (j->s)
		tcc_delete(j->s);
	if (j->mem)
		munmap(j->mem, j->size);
	free(j);
}
