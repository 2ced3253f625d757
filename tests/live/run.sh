#!/usr/bin/env bash
# Live detection tests: the real `frc run` (eBPF probe) against real actions. Needs root and
# kernel BTF (skipped with the reason otherwise). See live_test.py.
set -u
cd "$(dirname "$0")/../.."
exec "${PYTHON:-python3}" tests/live/live_test.py "$@"
