#!/usr/bin/env bash
# Live tests of the kernel filter fragment (see kfilter_test.py). Needs root and kernel
# BTF (skipped with the reason otherwise).
set -u
cd "$(dirname "$0")/../.."
exec "${PYTHON:-python3}" tests/kfilter/kfilter_test.py "$@"
