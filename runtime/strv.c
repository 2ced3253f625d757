/* SPDX-License-Identifier: Apache-2.0 */
#include "strv.h"

#include <dirent.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

int strv_push(struct strv *sv, const char *s)
{
	char *c;

	if (sv->n == sv->cap) {
		uint32_t nc = sv->cap ? 2 * sv->cap : 8;
		char **nv = realloc(sv->v, nc * sizeof(*nv));

		if (!nv)
			return -1;
		sv->v = nv;
		sv->cap = nc;
	}
	c = strdup(s);
	if (!c)
		return -1;
	sv->v[sv->n++] = c;
	return 0;
}

void strv_free(struct strv *sv)
{
	for (uint32_t i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	memset(sv, 0, sizeof(*sv));
}

static bool yaml_name(const char *p)
{
	size_t n = strlen(p);

	return (n >= 5 && !strcmp(p + n - 5, ".yaml")) || (n >= 4 && !strcmp(p + n - 4, ".yml"));
}

/* Byte order of the names, whatever the locale (Falco sorts the paths with std::sort). */
static int name_order(const struct dirent **a, const struct dirent **b)
{
	return strcmp((*a)->d_name, (*b)->d_name);
}

int rules_path_expand(const char *path, struct strv *files, struct strv *dirs)
{
	struct dirent **list;
	struct stat st;
	size_t plen = strlen(path);
	bool slash = plen && path[plen - 1] == '/';
	int n, rc = 0;

	if (stat(path, &st) != 0 || !S_ISDIR(st.st_mode))
		return strv_push(files, path);
	if (dirs && strv_push(dirs, path))
		return -1;
	n = scandir(path, &list, NULL, name_order);
	if (n < 0) {
		/* an unreadable directory: the loader reports it when it reads it as a file
		 * ("Could not read file DIR: Permission denied"), never silently no rules */
		return strv_push(files, path);
	}
	for (int i = 0; i < n; i++) {
		size_t len = plen + 1 + strlen(list[i]->d_name) + 1;
		char *full = rc ? NULL : malloc(len);

		if (full) {
			snprintf(full, len, "%s%s%s", path, slash ? "" : "/", list[i]->d_name);
			if (yaml_name(full) && stat(full, &st) == 0 && S_ISREG(st.st_mode) &&
			    strv_push(files, full))
				rc = -1;
			free(full);
		} else {
			rc = -1;
		}
		free(list[i]);
	}
	free(list);
	return rc;
}
