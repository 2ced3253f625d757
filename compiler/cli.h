/* SPDX-License-Identifier: Apache-2.0
 *
 * Compiler-side subcommands of the frc binary. Each returns the process exit code:
 * 0 ok, 1 rule/input errors, 2 usage, 3 environment, 70 internal bug.
 */
#ifndef FRC_COMPILER_CLI_H
#define FRC_COMPILER_CLI_H

int cli_lint(int argc, char **argv);	 /* frc lint [--format text|json] [--strict] FILE... */
int cli_describe(int argc, char **argv); /* frc describe [--format json] FILE... */
int cli_compile(int argc, char **argv);	 /* frc compile FILE... [-o DIR] */

#endif
