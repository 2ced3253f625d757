/* SPDX-License-Identifier: Apache-2.0
 *
 * A debug dump of a capture through the engine, one line per event as rules see it:
 *
 *   NUM TYPE name=value name=value ...
 *
 * Without fields, the name=value pairs are the event's parameters as evt.args shows them
 * (plain text, then the resolved text in parentheses); with fields, each pair is a field
 * name and its output text (as extract_value + extract_format render it, "<NA>" when
 * absent). Used by the differential tests against sysdig and for debugging
 * (tests/tools/evdump_drv).
 *
 * Owner: rtcore.
 */
#ifndef FRC_RUNTIME_EVDUMP_H
#define FRC_RUNTIME_EVDUMP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/**
 * struct evdump_opts - what to print.
 * @fields, @nfields: field specs ("proc.name", "proc.aname[2]", "evt.arg.flags",
 *                    "evt.rawarg.res", "fd.types[3]"), or none for the evt.args form
 * @hidden: also print the events hidden from rules (enter events), marked "(hidden)"
 * @max_events: stop after this many printed lines (0 = all)
 */
struct evdump_opts {
	const char *const *fields;
	size_t nfields;
	bool hidden;
	unsigned long long max_events;
};

/**
 * evdump_field() - parse a field spec into a field id and its argument.
 * Return: the field id, or -1 if unknown. @arg receives the bracket/dotted argument
 * ("" if none), @idx the numeric argument or -1.
 */
int evdump_field(const char *spec, char *arg, size_t argsz, long long *idx);

/**
 * evdump_capture() - dump capture @path to @out.
 * Return: 0, or -1 with a message in @err (unknown field, unreadable or corrupt capture;
 * lines printed before a read error are kept).
 */
int evdump_capture(const char *path, FILE *out, const struct evdump_opts *o, char *err,
		   size_t errlen);

#endif
