#!/usr/bin/env bash
# Live hot-reload tests of `frc run` (see reload_test.py). Needs root and kernel BTF
# (skipped with the reason otherwise).
set -u
cd "$(dirname "$0")/../.."
exec "${PYTHON:-python3}" tests/reload/reload_test.py "$@"
