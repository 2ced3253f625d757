/* SPDX-License-Identifier: Apache-2.0
 *
 * frc compile (being built: see issue 3).
 */
#include <stdio.h>

#include "cli.h"

int cli_compile(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "frc compile: not built yet\n");
	return 2;
}
