/* SPDX-License-Identifier: Apache-2.0
 *
 * In-process compilation of emitted rule C with libtcc (the only module that includes
 * libtcc.h). The code is compiled with -nostdinc -nostdlib: it sees only the ABI header
 * (embedded in the binary) and can call only the symbols registered here — frc_field,
 * frc_rt_match, the comparison helpers of rt_helpers.c, memset and memcpy. After
 * relocation the code pages are made read+execute (no writable executable mapping).
 *
 * libtcc is not reentrant: compile on one thread at a time (the reload path runs on the
 * main thread). Running compiled code is thread-safe as far as the code goes.
 */
#ifndef FRC_RUNTIME_JIT_H
#define FRC_RUNTIME_JIT_H

#include <stddef.h>

#include "frc_rt_abi.h"

struct jit;

/**
 * struct jit_sym - a symbol made available to JIT code (overrides a default of the same
 * name, e.g. frc_field for tests).
 */
struct jit_sym {
	const char *name;
	const void *addr;
};

/**
 * jit_compile() - compile and relocate @c_text (emitted by emit_c, NUL-terminated).
 * @extra, @nextra: symbols added to (or replacing) the registered ones
 * @desc: set to the compiled frc_g_ruleset
 * @err, @errlen: compiler messages on failure
 * Return: the compiled code (free with jit_free), or NULL.
 */
struct jit *jit_compile(const char *c_text, const struct jit_sym *extra, size_t nextra,
			const struct frc_ruleset_desc **desc, char *err, size_t errlen);

void jit_free(struct jit *j);

/* The ABI header text compiled in front of emitted code (also written next to AOT files). */
const char *jit_abi_header(size_t *len);

#endif
