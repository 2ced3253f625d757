/* SPDX-License-Identifier: Apache-2.0
 *
 * The rule reader: walks the documents of one parsed rules file (load_yaml.h) item by item,
 * decodes every key with Falco's rules (required keys, empty values, booleans, priorities,
 * override maps, exceptions...) and feeds the collector (expand.h), stopping at the first
 * error exactly where Falco's reader throws.
 */
#ifndef FRC_COMPILER_READER_H
#define FRC_COMPILER_READER_H

struct fe;
struct yfile;
struct diag_loc;

/**
 * reader_read() - read every item of @f into fe->col. Warnings go to fe->res.
 * @root: the file's "rules content" location
 * Return: 0, or -1 with fe->err set (items before the error stay collected).
 */
int reader_read(struct fe *fe, const struct yfile *f, const struct diag_loc *root);

#endif
