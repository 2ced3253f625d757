/* SPDX-License-Identifier: Apache-2.0
 *
 * frc run (being built: see issue 5).
 */
#include <stdio.h>

#include "cli.h"

int cli_run(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "frc run: not built yet\n");
	return 2;
}
