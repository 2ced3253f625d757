#!/usr/bin/env bash
# Upstream rules on the synthesised captures of tests/scapgen: frc replay's alerts must be
# exactly the expected ones (rules.py). Captures are written to a temporary directory.
# Prints `RESULT: N passed, M failed, K skipped`; exits non-zero on failure.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
PYTHON=${PYTHON:-python3}
if [ ! -d ../shared/compat/rules ]; then
	echo "SKIP: ../shared/compat/rules not found (no ../shared): rule test on synthesised captures skipped"
	echo "RESULT: 0 passed, 0 failed, 1 skipped"
	exit 0
fi
GEN=$(mktemp -d /tmp/frc-scapgen-rules.XXXXXX)
trap 'rm -rf "$GEN"' EXIT
if ! "$PYTHON" tests/scapgen/scapgen.py --evtab runtime/evtab.def --out "$GEN"; then
	echo "FAIL: tests/scapgen/scapgen.py could not write the synthesised captures"
	echo "RESULT: 0 passed, 1 failed"
	exit 1
fi
"$PYTHON" tests/scapgen/rules.py --frc "$BUILD/frc" --dir "$GEN" "$@"
