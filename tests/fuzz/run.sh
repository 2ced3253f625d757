#!/usr/bin/env bash
# Smoke runs of the fuzzers inside `make test`: builds tests/fuzz/fuzz_*.c with clang
# -fsanitize=fuzzer,address,undefined and fuzzes each for a few seconds from its committed
# seeds (condition: FUZZ_SMOKE_TIME, default 20; yaml the same; scap FUZZ_SCAP_SMOKE_TIME,
# default 10; rules, config, output, eval FUZZ_NEW_SMOKE_TIME, default 5, after their regression
# inputs in tests/fuzz/regress/). Prints `RESULT: N passed, M failed[, K skipped]`.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
T=${FUZZ_SMOKE_TIME:-20}
mkdir -p "$BUILD/fuzz"
if ! command -v clang >/dev/null 2>&1; then
	echo "clang not found: fuzz smoke skipped"
	echo "RESULT: 0 passed, 0 failed, 1 skipped"
	exit 0
fi
if ! make --no-print-directory -f tests/fuzz/fuzz.mk BUILD="$BUILD" fuzzer \
	>"$BUILD/fuzz/build.log" 2>&1; then
	cat "$BUILD/fuzz/build.log"
	echo "FAIL: building the fuzzer"
	echo "RESULT: 0 passed, 1 failed"
	exit 1
fi
corpus=$(mktemp -d)
trap 'rm -rf "$corpus"' EXIT
bash tests/fuzz/seeds.sh "$corpus"
log="$BUILD/fuzz/smoke.log"
"$BUILD/fuzz/fuzz_condition" -max_total_time="$T" -dict=tests/fuzz/condition.dict \
	-artifact_prefix="$BUILD/fuzz/" -print_final_stats=1 "$corpus" >"$log" 2>&1
rc=$?
runs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$')
if [ "$rc" -ne 0 ]; then
	grep -E 'ERROR|SUMMARY|canonical|Test unit written' "$log" | head -20
	echo "FAIL: fuzz_condition found a crash (log: $log)"
	echo "RESULT: 0 passed, 1 failed"
	exit 1
fi
echo "fuzz_condition: ${runs:-?} executions in ${T}s, no crash"

# the rules-file front end (tests/fuzz/fuzz_yaml.c), seeded from tests/fuzz/yaml-seeds
if ! make --no-print-directory -f tests/fuzz/fuzz.mk BUILD="$BUILD" yaml-fuzzer \
	>"$BUILD/fuzz/build-yaml.log" 2>&1; then
	cat "$BUILD/fuzz/build-yaml.log"
	echo "FAIL: building fuzz_yaml"
	echo "RESULT: 1 passed, 1 failed"
	exit 1
fi
ycorpus=$(mktemp -d)
trap 'rm -rf "$corpus" "$ycorpus"' EXIT
cp tests/fuzz/yaml-seeds/*.yaml "$ycorpus/"
ylog="$BUILD/fuzz/smoke-yaml.log"
"$BUILD/fuzz/fuzz_yaml" -max_total_time="$T" -artifact_prefix="$BUILD/fuzz/" \
	-print_final_stats=1 "$ycorpus" >"$ylog" 2>&1
rc=$?
yruns=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$ylog" | grep -oE '[0-9]+$')
if [ "$rc" -ne 0 ]; then
	grep -E 'ERROR|SUMMARY|Test unit written' "$ylog" | head -20
	echo "FAIL: fuzz_yaml found a crash (log: $ylog)"
	echo "RESULT: 1 passed, 1 failed"
	exit 1
fi
echo "fuzz_yaml: ${yruns:-?} executions in ${T}s, no crash"

# the capture reader/engine fuzzer (tests/fuzz/fuzz_scap.c), FUZZ_SCAP_SMOKE_TIME seconds
TS=${FUZZ_SCAP_SMOKE_TIME:-10}
if ! make --no-print-directory -f tests/fuzz/fuzz.mk BUILD="$BUILD" fuzzer-scap \
	>"$BUILD/fuzz/build-scap.log" 2>&1; then
	cat "$BUILD/fuzz/build-scap.log"
	echo "FAIL: building the capture fuzzer"
	echo "RESULT: 2 passed, 1 failed"
	exit 1
fi
scorpus=$(mktemp -d)
trap 'rm -rf "$corpus" "$ycorpus" "$scorpus"' EXIT
bash tests/fuzz/seeds_scap.sh "$scorpus"
slog="$BUILD/fuzz/smoke-scap.log"
"$BUILD/fuzz/fuzz_scap" -max_total_time="$TS" -max_len=65536 -artifact_prefix="$BUILD/fuzz/" \
	-print_final_stats=1 "$scorpus" >"$slog" 2>&1
rc=$?
runs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$slog" | grep -oE '[0-9]+$')
if [ "$rc" -ne 0 ]; then
	grep -E 'ERROR|SUMMARY|runtime error|Test unit written' "$slog" | head -20
	echo "FAIL: fuzz_scap found a crash (log: $slog)"
	echo "RESULT: 2 passed, 1 failed"
	exit 1
fi
echo "fuzz_scap: ${runs:-?} executions in ${TS}s, no crash"

# the whole-project targets (tests/fuzz/fuzz_{rules,config,output,eval}.c): FUZZ_NEW_SMOKE_TIME
# seconds each (default 5) from the committed seeds, after every committed regression input
# of tests/fuzz/regress/<target>/ has been run once
TN=${FUZZ_NEW_SMOKE_TIME:-5}
if ! make --no-print-directory -j2 -f tests/fuzz/fuzz.mk BUILD="$BUILD" fuzz-all \
	>"$BUILD/fuzz/build-all.log" 2>&1; then
	tail -30 "$BUILD/fuzz/build-all.log"
	echo "FAIL: building fuzz_rules, fuzz_config, fuzz_output, fuzz_eval"
	echo "RESULT: 3 passed, 1 failed"
	exit 1
fi
passed=3
failed=0
for t in rules config output eval; do
	seeds=tests/fuzz/$t-seeds
	[ "$t" = rules ] && seeds=tests/fuzz/yaml-seeds
	reg=tests/fuzz/regress/$t
	log="$BUILD/fuzz/smoke-$t.log"
	ok=1
	if [ -d "$reg" ] && ls "$reg"/* >/dev/null 2>&1; then
		"$BUILD/fuzz/fuzz_$t" -timeout=60 -rss_limit_mb=2048 "$reg"/* </dev/null \
			>"$log.regress" 2>&1 || ok=0
		if [ "$ok" -eq 0 ]; then
			grep -E 'ERROR|SUMMARY|runtime error|Running:|fuzz_' "$log.regress" | head -20
			echo "FAIL: fuzz_$t on a regression input of $reg (log: $log.regress)"
		fi
	fi
	c=$(mktemp -d)
	if [ "$t" = eval ]; then
		bash tests/fuzz/seeds_scap.sh "$c"
	else
		cp "$seeds"/* "$c/"
	fi
	"$BUILD/fuzz/fuzz_$t" -max_total_time="$TN" -timeout=20 -rss_limit_mb=2048 -max_len=65536 \
		-artifact_prefix="$BUILD/fuzz/$t-" -print_final_stats=1 "$c" </dev/null >"$log" 2>&1 || ok=0
	rm -rf "$c"
	runs=$(grep -oE 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -oE '[0-9]+$')
	if [ "$ok" -eq 1 ]; then
		echo "fuzz_$t: ${runs:-?} executions in ${TN}s, no crash"
		passed=$((passed + 1))
	else
		grep -E 'ERROR|SUMMARY|runtime error|Test unit written|fuzz_' "$log" | head -20
		echo "FAIL: fuzz_$t (log: $log)"
		failed=$((failed + 1))
	fi
done
echo "RESULT: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
