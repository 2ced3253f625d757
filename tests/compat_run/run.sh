#!/usr/bin/env bash
# Runs every `run`-mode case of ../shared/compat/manifest.jsonl against `frc replay`
# (see runner.py). Prints `RESULT: N passed, M failed, K skipped`; exits non-zero on failure.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
PYTHON=${PYTHON:-python3}
COMPAT=../shared/compat
if [ ! -f "$COMPAT/manifest.jsonl" ]; then
	echo "SKIP: $COMPAT/manifest.jsonl not found (no ../shared): every run-mode case skipped"
	echo "RESULT: 0 passed, 0 failed, 1 skipped"
	exit 0
fi
exec "$PYTHON" tests/compat_run/runner.py --frc "$BUILD/frc" --compat "$COMPAT" "$@"
