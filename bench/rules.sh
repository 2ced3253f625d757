#!/usr/bin/env bash
# Rule-evaluation benchmark (not a test): the three upstream rule files through the libtcc
# JIT, the gcc AOT build and the reference evaluator on the same events, as ns/event and
# ratios, plus the time to compile the whole ruleset with libtcc. Two event sources:
#   1. a synthetic stream: real frc events (wire format, decoded by event_decode) over real
#      state tables (processes with parent chains, fds, users, containers), with names,
#      paths, arguments and addresses drawn from the rules' own constants so that
#      evaluation goes deep; fields come from the runtime's extractors as in the daemon
#      (frc_field and its per-event cache for compiled code, one extraction per check for
#      the reference). Until Nov 29 this stream used a precomputed table of every field
#      for every event (~8 KB per event, ~390 MB in all), which measured the harness's
#      cache misses more than evaluation; an event is now a few hundred bytes. Two
#      figures: (a) over the stream's own decoded views, so each event's 512-byte view is
#      first touched by the rules; (b) as the engine runs (engine_process, state_pre):
#      each event decoded from its raw bytes into one reused view, its thread and fd
#      looked up, then evaluated, minus that loop without evaluation;
#   2. the compat captures replayed through the real runtime (state, extractors): the
#      evaluation cost over a replay without rules.
# CPU time is noisy on a shared VM; when valgrind is installed the instructions per event
# (callgrind, deterministic) are printed too and are the figures to compare.
# usage: bench/rules.sh [EVENTS] [ROUNDS]       (env NO_CALLGRIND=1 skips callgrind;
#        RULES_BENCH_DIFF=1 lists events where compiled code and reference disagree)
set -eu
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
if [ ! -r ../shared/compat/rules/falco_rules.yaml ]; then
	echo "SKIP: ../shared/compat/rules not found"; exit 0
fi
EVENTS=${1:-50000}; ROUNDS=${2:-5}
out=$BUILD/bench; mkdir -p "$out"
for b in rules_bench replay_bench; do
	${CC:-cc} -std=c11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Werror -rdynamic \
		-Icompiler -Iruntime -Itests/support -I"$BUILD" -I"$BUILD/compiler" \
		-o "$out/$b" bench/$b.c tests/support/ref_eval.c \
		-Wl,--start-group "$BUILD/libfrcrt.a" "$BUILD/libfrcc.a" -Wl,--end-group \
		-lyaml -ltcc -lbpf -lelf -lz -lpcre2-8 -lcurl -lmicrohttpd -ldl -lm -lpthread
done
echo "-- 1. synthetic events"
"$out/rules_bench" "$EVENTS" "$ROUNDS"
echo "-- 2. recorded events (../shared/compat/traces) through the real runtime"
"$out/replay_bench" $((ROUNDS * 4))

if [ -n "${NO_CALLGRIND:-}" ] || ! command -v valgrind >/dev/null; then exit 0; fi
echo "-- instructions per event (callgrind; deterministic)"
ir() { # fn args...
	local fn=$1; shift
	valgrind --tool=callgrind --toggle-collect="$fn" --callgrind-out-file=/dev/null "$@" 2>&1 |
		sed -n 's/.*I *refs: *\([0-9,]*\).*/\1/p' | tr -d ,
}
n=5000
j=$(ir run_compiled "$out/rules_bench" $n 1 1 x); a=$(ir run_compiled "$out/rules_bench" $n 1 2 x)
r=$(ir run_ref "$out/rules_bench" $n 1 4 x)
awk -v j="$j" -v a="$a" -v r="$r" -v n=$n 'BEGIN {
	printf "synthetic (%d events): JIT %.0f, AOT %.0f, reference %.0f Ir/event; reference/JIT %.1fx, reference/AOT %.1fx\n",
	       n, j / n, a / n, r / n, r / j, r / a }'
ev=$("$out/replay_bench" 1 0 | sed -n 's/^captures: .*, \([0-9]*\) visible.*/\1/p')
j=$(ir eval_compiled "$out/replay_bench" 1 1); a=$(ir eval_compiled "$out/replay_bench" 1 2)
r=$(ir eval_ref "$out/replay_bench" 1 4)
awk -v j="$j" -v a="$a" -v r="$r" -v n="$ev" 'BEGIN {
	printf "captures (%d events): JIT %.0f, AOT %.0f, reference %.0f Ir/event; reference/JIT %.1fx, reference/AOT %.1fx\n",
	       n, j / n, a / n, r / n, r / j, r / a }'
