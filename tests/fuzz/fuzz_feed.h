/* SPDX-License-Identifier: Apache-2.0
 *
 * The input format shared by the engine-level fuzz targets (fuzz_scap.c, fuzz_eval.c): a
 * capture file (plain or gzip) read through engine_run_scap(), or, when the input starts
 * with 0xEE, raw events [u16 little-endian length][event bytes]... fed to engine_process()
 * as the live probe path does (a length past the end is cut to what is left).
 */
#ifndef FRC_FUZZ_FEED_H
#define FRC_FUZZ_FEED_H

#include <stddef.h>
#include <stdint.h>

#include "engine.h"
#include "scap.h"

static inline void fuzz_feed(struct frc_engine *eng, const uint8_t *data, size_t size)
{
	char err[256];

	if (size > 0 && data[0] == 0xEE) {
		size_t off = 1;
		while (off + 2 <= size) {
			size_t n = (size_t)data[off] | (size_t)data[off + 1] << 8;
			off += 2;
			if (n > size - off)
				n = size - off;
			engine_process(eng, data + off, n, 0, 0);
			off += n;
		}
		return;
	}
	struct scap_reader *r = scap_open_mem(data, size, err, sizeof(err));
	if (r) {
		(void)engine_run_scap(eng, r, err, sizeof(err));
		scap_close(r);
	}
}

#endif
