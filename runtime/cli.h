/* SPDX-License-Identifier: Apache-2.0
 *
 * Runtime-side subcommands of the frc binary. Each returns the process exit code:
 * 0 ok, 1 rule/input errors, 2 usage, 3 environment, 70 internal bug.
 */
#ifndef FRC_RUNTIME_CLI_H
#define FRC_RUNTIME_CLI_H

int cli_replay(int argc, char **argv); /* frc replay -r FILE... [-c CFG] [-o K=V]... CAPTURE */
int cli_run(int argc, char **argv);    /* frc run [-c CFG] [-r FILE]... [-o K=V]... */
int cli_list(int argc, char **argv);   /* frc list fields|events */

#endif
