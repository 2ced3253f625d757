#!/usr/bin/env bash
# Runs every test of frc and prints the final `N passed, N failed` line.
#  - every cmocka unit binary $BUILD/tests/test_*  (counts from cmocka's summary lines)
#  - every tests/*/run.sh and tests/*.sh runner   (each prints `RESULT: N passed, M failed[, K skipped]`)
# Exit status is non-zero when anything failed.
set -u
BUILD=${BUILD:-build}
export BUILD
cd "$(dirname "$0")/.."
passed=0; failed=0; skipped=0
log_dir=$BUILD/test-logs; mkdir -p "$log_dir"

count_cmocka() { # file
	local p f
	p=$(grep -oE '^\[  PASSED  \] [0-9]+' "$1" | awk '{s+=$NF} END{print s+0}')
	f=$(grep -oE '^\[  FAILED  \] [0-9]+ test' "$1" | awk '{s+=$3} END{print s+0}')
	echo "$p $f"
}

for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	name=$(basename "$t")
	out="$log_dir/$name.log"
	"$t" >"$out" 2>&1; rc=$?
	read -r p f < <(count_cmocka "$out")
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi   # crashed or failed outside a test
	passed=$((passed + p)); failed=$((failed + f))
	printf '%-40s %4d passed, %d failed\n' "$name" "$p" "$f"
	[ "$f" -ne 0 ] && sed 's/^/    /' "$out" | grep -E 'FAIL|ERROR|error|Assert|Sanitizer|runtime error' | head -20
done

for r in tests/*/run.sh; do
	[ -f "$r" ] || continue
	name=${r#tests/}
	out="$log_dir/$(echo "$name" | tr / _).log"
	bash "$r" >"$out" 2>&1; rc=$?
	line=$(grep -E '^RESULT: [0-9]+ passed, [0-9]+ failed' "$out" | tail -1)
	if [ -z "$line" ]; then
		p=0; f=1; s=0
	else
		p=$(echo "$line" | sed -E 's/^RESULT: ([0-9]+) passed.*/\1/')
		f=$(echo "$line" | sed -E 's/^RESULT: [0-9]+ passed, ([0-9]+) failed.*/\1/')
		s=$(echo "$line" | grep -oE '[0-9]+ skipped' | awk '{print $1}'); s=${s:-0}
	fi
	if [ "$rc" -ne 0 ] && [ "$f" -eq 0 ]; then f=1; fi
	passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
	printf '%-40s %4d passed, %d failed, %d skipped\n' "$name" "$p" "$f" "$s"
	[ "$f" -ne 0 ] && grep -E '^(FAIL|ERROR)' "$out" | head -20 | sed 's/^/    /'
done

echo "(logs in $log_dir)"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
