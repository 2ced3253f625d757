#!/usr/bin/env bash
# Probe overhead benchmark: builds bench/probe_overhead.c against the probe skeletons and
# the runtime library of $BUILD, runs it, then measures the highest event rate the daemon
# sustains without drops (bench/daemon_rate.sh). Needs root; prints SKIP otherwise.
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
if [ "$(id -u)" != 0 ]; then echo "SKIP: probe benchmark needs root"; exit 0; fi
if [ ! -r /sys/kernel/btf/vmlinux ]; then echo "SKIP: no kernel BTF"; exit 0; fi
out=$BUILD/bench; mkdir -p "$out"
${CC:-cc} -std=c11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Werror -I"$BUILD/probe" -Iruntime -Iprobe \
	-o "$out/probe_overhead" bench/probe_overhead.c "$BUILD/libfrcrt.a" -lbpf -lelf -lz -lpthread
"$out/probe_overhead" "$@"
if [ -x bench/daemon_rate.sh ] || [ -f bench/daemon_rate.sh ]; then
	bash bench/daemon_rate.sh
fi
