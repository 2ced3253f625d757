#!/usr/bin/env bash
# Differential test of frc's fields and conditions against sysdig 0.29.3 (see diff.py).
# Prints `RESULT: N passed, M failed, K skipped`; exits non-zero on failure.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
PYTHON=${PYTHON:-python3}
TRACES=../shared/compat/traces
if [ ! -d "$TRACES" ]; then
	echo "SKIP: $TRACES not found (no ../shared): differential test skipped"
	echo "RESULT: 0 passed, 0 failed, 1 skipped"
	exit 0
fi
if ! command -v sysdig > /dev/null; then
	echo "SKIP: sysdig is not installed (make deps installs it)"
	echo "RESULT: 0 passed, 0 failed, 1 skipped"
	exit 0
fi
exec "$PYTHON" tests/sysdig_diff/diff.py --frc "$BUILD/frc" --traces "$TRACES" \
	--fields compiler/fields.def --cache "$BUILD/sysdig-cache" "$@"
