/* SPDX-License-Identifier: Apache-2.0
 *
 * frc replay (being built: see issue 4).
 */
#include <stdio.h>

#include "cli.h"

int cli_replay(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "frc replay: not built yet\n");
	return 2;
}
