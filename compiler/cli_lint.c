/* SPDX-License-Identifier: Apache-2.0
 *
 * frc lint / frc describe (being built: see issue 2).
 */
#include <stdio.h>

#include "cli.h"

int cli_lint(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "frc lint: not built yet\n");
	return 2;
}

int cli_describe(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "frc describe: not built yet\n");
	return 2;
}
