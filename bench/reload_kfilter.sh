#!/usr/bin/env bash
# Hot reload latency (full upstream ruleset, median of 20) and events reaching user space per
# 1000 syscalls with and without the kernel filter fragment. Needs root and kernel BTF.
cd "$(dirname "$0")/.."
"${PYTHON:-python3}" bench/reload_bench.py --rounds 20
"${PYTHON:-python3}" bench/kfilter_bench.py
