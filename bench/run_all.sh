#!/usr/bin/env bash
# Runs every benchmark script bench/*.sh (except this one). Benchmarks print figures and
# ratios against references measured in the same run; they are never tests.
cd "$(dirname "$0")/.."
for b in bench/*.sh; do
	[ "$b" = bench/run_all.sh ] && continue
	case "$b" in bench/daemon_rate.sh) continue;; esac	# run by probe_overhead.sh
	echo "== $b"
	bash "$b" || echo "(benchmark $b failed: rc $?)"
done
