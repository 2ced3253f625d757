#!/usr/bin/env bash
# Writes the seed inputs of the capture fuzzer into directory $1. When ../shared is
# present, each fixture capture (read in place, never copied into the repository) is
# decompressed and cut down: the metadata blocks under 16 KiB (large process tables are
# dropped, so their threads become fake ones) and the first 150 event blocks other than
# procinfo/switch. Plus a
# raw-event seed. Needs python3 for the cut; without it only the raw seed is written.
set -u
dir=$1
mkdir -p "$dir"
cd "$(dirname "$0")/../.."
if command -v python3 >/dev/null 2>&1; then
	for f in ../shared/compat/traces/*.scap; do
		[ -f "$f" ] || continue
		python3 - "$f" "$dir/cap-$(basename "$f" .scap)" <<'PY'
import gzip, struct, sys
src, dst = sys.argv[1], sys.argv[2]
try:
    data = gzip.open(src).read()
except OSError:
    data = open(src, 'rb').read()
out, off, nev = bytearray(), 0, 0
EV = {0x204, 0x8010ABCD, 0x216, 0x221, 0x208, 0x217, 0x222}
while off + 8 <= len(data):
    bt, bl = struct.unpack_from('<II', data, off)
    if bl < 12 or off + bl > len(data):
        break
    blk = data[off:off + bl]
    off += bl
    if bt in EV:
        hdr = 8 + 2 + (4 if bt in (0x208, 0x217, 0x222) else 0)
        etype = struct.unpack_from('<H', blk, hdr + 20)[0] if bl >= hdr + 22 else 0
        if etype in (152, 234):   # switch, procinfo: not worth the bytes
            continue
        if nev < 150:
            out += blk
            nev += 1
    elif bl < 16384:
        out += blk
open(dst, 'wb').write(out)
PY
	done
fi
# raw mode: 0xEE then [u16 len][event]...: a close exit (type 5) of tid 1 with empty params
printf '\xee\x1e\x00\x01\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x00\x00\x00\x00\x1e\x00\x00\x00\x05\x00\x02\x00\x00\x00\x00\x00\x00\x00' >"$dir/raw-close"
