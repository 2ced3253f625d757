#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Operations tests (HTTP output, metrics, health, deployment files): see ops_test.py.
# Prints `RESULT: N passed, M failed, K skipped` last; non-zero exit on failure.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
PYTHON=${PYTHON:-python3}
if [ ! -x "$BUILD/tests/ops/ops_drv" ]; then
	make --no-print-directory -s BUILD="$BUILD" SAN="${SAN:-}" "$BUILD/tests/ops/ops_drv" >&2 ||
		{ echo "FAIL build of $BUILD/tests/ops/ops_drv"; echo "RESULT: 0 passed, 1 failed"; exit 1; }
fi
exec "$PYTHON" tests/ops/ops_test.py --build "$BUILD" "$@"
