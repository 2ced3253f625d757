/* SPDX-License-Identifier: Apache-2.0
 *
 * evdump_drv - dump a capture as frc's engine sees it, one line per event:
 *   NUM TYPE name=value ...
 * Usage: evdump_drv [-H] [-n MAX] CAPTURE [FIELD...]
 *   without FIELDs the pairs are the event's params as evt.args shows them;
 *   with FIELDs (e.g. proc.name fd.name evt.arg.flags proc.aname[2]) each is FIELD=text;
 *   -H also prints the events hidden from rules, marked "(hidden)".
 * Built by `make test` as build/tests/tools/evdump_drv (runtime/evdump.c does the work).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evdump.h"

int main(int argc, char **argv)
{
	struct evdump_opts o = { 0 };
	char err[512];
	int i = 1;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (!strcmp(argv[i], "-H"))
			o.hidden = true;
		else if (!strcmp(argv[i], "-n") && i + 1 < argc)
			o.max_events = strtoull(argv[++i], NULL, 10);
		else
			break;
	}
	if (i >= argc) {
		fprintf(stderr, "usage: %s [-H] [-n MAX] CAPTURE [FIELD...]\n", argv[0]);
		return 2;
	}
	o.fields = (const char *const *)&argv[i + 1];
	o.nfields = (size_t)(argc - i - 1);
	if (evdump_capture(argv[i], stdout, &o, err, sizeof(err))) {
		fprintf(stderr, "evdump: %s\n", err);
		return 1;
	}
	return 0;
}
