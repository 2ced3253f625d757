/* SPDX-License-Identifier: Apache-2.0
 *
 * libFuzzer target over the capture reader and the engine behind it (runtime/scap.c,
 * event.c, state.c, extract.c, engine.c). An input is either
 *  - a capture file (plain or gzip): it is read to the end through engine_run_scap(), and
 *    every field of the field table is extracted and formatted on every visible event; or
 *  - when it starts with 0xEE, a sequence of raw events ([u16 length][event bytes]...) fed
 *    to engine_process() as the live probe path does, with the same extraction.
 * Reader errors are expected; crashes, sanitizer reports and leaks are not.
 * Seeds: tests/fuzz/seeds_scap.sh (prefixes of the fixture captures, decompressed).
 */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "compiler/types.h"
#include "engine.h"
#include "extract.h"
#include "fuzz_feed.h"
#include "scap.h"

static const char *arg_for(uint32_t f, int64_t *idx)
{
	*idx = -1;
	if (!(field_table[f].flags & (FF_ARG_REQ | FF_ARG_OPT)))
		return NULL;
	if (field_table[f].flags & FF_ARG_INDEX) {
		*idx = 2;
		return "2";
	}
	if (f == FLD_EVT_ARG || f == FLD_EVT_RAWARG)
		return "fd";
	return "1";
}

static int extract_all(void *ctx, struct frc_evt *e)
{
	char buf[512];

	(void)ctx;
	for (uint32_t f = 0; f < FLD__COUNT; f++) {
		int64_t idx;
		const char *a = arg_for(f, &idx);
		const struct frc_val *v = extract_value(e, f, a, a ? (uint32_t)strlen(a) : 0, idx);
		extract_format(f, v, buf, sizeof(buf));
		v = extract_filter_value(e, f, a, a ? (uint32_t)strlen(a) : 0, idx);
		extract_format(f, v, buf, sizeof(buf));
	}
	/* evt.arg by index and the params as text */
	for (uint32_t i = 0; i < e->nparams; i++) {
		size_t n;
		(void)extract_param_text(e, i, true, &n);
		(void)extract_param_text(e, i, false, &n);
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct frc_engine *eng = engine_new(NULL);

	if (!eng)
		return 0;
	engine_set_callback(eng, extract_all, NULL);
	fuzz_feed(eng, data, size);
	engine_free(eng);
	return 0;
}
