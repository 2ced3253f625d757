/* SPDX-License-Identifier: Apache-2.0
 *
 * Growable vectors of owned strings, and Falco's expansion of a rules path.
 */
#ifndef FRC_RUNTIME_STRV_H
#define FRC_RUNTIME_STRV_H

#include <stdint.h>

/**
 * struct strv - a vector of malloc'ed strings; { 0 } is the empty vector.
 * Ownership: the vector owns @v and every string in it; strv_free() releases them.
 */
struct strv {
	char **v;
	uint32_t n, cap;
};

/* Appends a copy of @s. Returns 0, or -1 when out of memory (@sv unchanged). */
int strv_push(struct strv *sv, const char *s);

/* Frees the strings and the array; leaves @sv empty. */
void strv_free(struct strv *sv);

/**
 * rules_path_expand() - the rule files a rules path names, as Falco reads rules_files and
 * -r (the one implementation: run, replay, reload, and the loader behind lint and compile):
 * a directory gives its regular .yaml and .yml files (symbolic links followed; not
 * recursive) in byte order of their names, each as DIR/NAME (DIR/ given: no second slash),
 * and is appended to @dirs when @dirs is not NULL; a directory that cannot be read is
 * appended itself, so that the loader reports it; anything else is taken as a file whatever
 * its name (Falco since 0.41 silently skips a named file that is not .yaml/.yml) and a
 * missing one is reported by the loader. Returns 0, or -1 when out of memory.
 */
int rules_path_expand(const char *path, struct strv *files, struct strv *dirs);

#endif
