/* SPDX-License-Identifier: Apache-2.0
 *
 * The single frc binary: subcommand dispatch only.
 */
#include <stdio.h>
#include <string.h>

#include "compiler/cli.h"
#include "runtime/cli.h"
#include "runtime/version.h"

struct subcommand {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
};

static const struct subcommand subcommands[] = {
	{ "lint", cli_lint, "check rule files as Falco loads them (errors and warnings)" },
	{ "describe", cli_describe, "print what a set of rule files defines, like falco -L" },
	{ "compile", cli_compile, "compile rule files to C (and the kernel filter)" },
	{ "replay", cli_replay, "run rules over a .scap capture" },
	{ "run", cli_run, "the daemon: eBPF probe, compiled rules, alerts, hot reload" },
	{ "list", cli_list, "list supported fields or events" },
};

static void usage(FILE *f)
{
	fprintf(f, "usage: frc <command> [options]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		fprintf(f, "  %-9s %s\n", subcommands[i].name, subcommands[i].help);
	fprintf(f, "\n`frc <command> --help` describes each command; `frc --version` prints versions.\n");
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "version")) {
		printf("frc version %s\nengine version %s\n", FRC_VERSION, FRC_ENGINE_VERSION);
		return 0;
	}
	for (size_t i = 0; i < sizeof(subcommands) / sizeof(subcommands[0]); i++)
		if (!strcmp(argv[1], subcommands[i].name))
			return subcommands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "frc: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return 2;
}
