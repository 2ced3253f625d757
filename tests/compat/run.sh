#!/usr/bin/env bash
# Compat cases of ../shared/compat/manifest.jsonl whose mode is validate, load or
# condition_warnings, run against the frc binary (see runner.py). Skipped entirely when
# ../shared is absent (a user's clone).
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
COMPAT=../shared/compat
if [ ! -f "$COMPAT/manifest.jsonl" ]; then
	echo "SKIP: $COMPAT/manifest.jsonl not found (no ../shared checkout): compat cases skipped"
	echo "RESULT: 0 passed, 0 failed, 1 skipped"
	exit 0
fi
exec "${PYTHON:-python3}" tests/compat/runner.py --frc "$BUILD/frc" --compat "$COMPAT" "$@"
