/* SPDX-License-Identifier: Apache-2.0
 *
 * libFuzzer target over the configuration loader (runtime/config.c, cfgtree.c): the input
 * is a falco.yaml text, optionally followed by "\n---8<---\n" and `-o KEY=VALUE` overrides,
 * one per line. The text is handed to config_load() through a memfd (/proc/self/fd/N), then
 * the effective configuration is dumped and the output options derived from it. An error
 * must come with a message; crashes, sanitizer reports, leaks and hangs are findings.
 * Run it with stdin from /dev/null: a config_files entry may name /dev/stdin.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "config.h"
#include "output.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char sep[] = "\n---8<---\n";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *null;
	static int fd = -1;
	if (!null)
		null = fopen("/dev/null", "w");
	if (fd < 0)
		fd = memfd_create("fuzz-config", 0);
	if (fd < 0 || !null || size > (1u << 20))
		return 0;

	char *text = malloc(size + 1);
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = 0;
	char *over = memmem(text, size, sep, sizeof(sep) - 1);
	size_t ylen = over ? (size_t)(over - text) : size;

	const char *ov[16];
	uint32_t nov = 0;
	if (over) {
		char *p = over + sizeof(sep) - 1;
		*over = 0;
		while (*p && nov < 16) {
			ov[nov++] = p;
			char *nl = strchr(p, '\n');
			if (!nl)
				break;
			*nl = 0;
			p = nl + 1;
		}
	}

	if (ftruncate(fd, 0) || pwrite(fd, text, ylen, 0) != (ssize_t)ylen) {
		free(text);
		return 0;
	}
	char path[64];
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);

	struct frc_config cfg;
	struct config_opts o = { .path = path, .overrides = ov, .noverrides = nov };
	char err[1024];
	if (config_load(&cfg, &o, err, sizeof(err)) == 0) {
		config_dump(&cfg, null);
		struct out_opts oo;
		out_opts_from_config(&oo, &cfg);
		config_free(&cfg);
	} else if (!err[0]) {
		fprintf(stderr, "fuzz_config: an error without a message\n");
		abort();
	}
	free(text);
	return 0;
}
