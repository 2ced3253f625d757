#!/usr/bin/env bash
# Golden tests of the back end: for each tests/golden/<case>/rules.yaml, `frc compile`
# must produce exactly the reviewed rules.c (emitted C), prefilter.txt (kernel interest
# set) and ir.txt (IR after optimisation), and rules-O0.c at -O0. On a mismatch the output
# is written beside the expectation as *.got and a diff is printed.
# BLESS=1 rewrites the expectations instead (make golden-bless [T=case]).
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
FRC=$BUILD/frc
pass=0; fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for dir in tests/golden/*; do
	[ -d "$dir" ] || continue
	case=$(basename "$dir")
	[ -f "$dir/rules.yaml" ] || continue
	[ -n "${T:-}" ] && [ "$T" != "$case" ] && continue
	out=$tmp/$case; mkdir -p "$out" "$out/o0"
	if ! "$FRC" compile -o "$out" --dump=ir-opt "$dir/rules.yaml" >"$out/ir.txt" 2>"$out/err" ||
	   ! "$FRC" compile -O0 --emit c -o "$out/o0" "$dir/rules.yaml" >/dev/null 2>>"$out/err"; then
		echo "FAIL: $case: frc compile failed:"; sed 's/^/    /' "$out/err"
		fail=$((fail + 1)); continue
	fi
	cp "$out/rules_prefilter.txt" "$out/prefilter.txt"
	cp "$out/o0/rules.c" "$out/rules-O0.c"
	ok=1
	for c in rules.c rules-O0.c; do	# strict ISO C: trigraphs on, no extension
		if ! ${CC:-cc} -std=c11 -pedantic -Wall -Wextra -Werror -fsyntax-only -Iruntime \
			"$out/$c" 2>"$out/cc.err"; then
			echo "FAIL: $case/$c does not compile as strict C11:"; head -20 "$out/cc.err" | sed 's/^/    /'
			ok=0
		fi
	done
	for f in rules.c rules-O0.c prefilter.txt ir.txt; do
		if [ "${BLESS:-0}" = 1 ]; then
			cp "$out/$f" "$dir/$f"; rm -f "$dir/$f.got"
		elif ! cmp -s "$out/$f" "$dir/$f"; then
			cp "$out/$f" "$dir/$f.got"
			echo "FAIL: $case/$f differs (got: $dir/$f.got)"
			diff -u "$dir/$f" "$out/$f" 2>&1 | head -40 | sed 's/^/    /'
			ok=0
		else
			rm -f "$dir/$f.got"
		fi
	done
	if [ $ok = 1 ]; then pass=$((pass + 1)); else fail=$((fail + 1)); fi
done
[ "${BLESS:-0}" = 1 ] && echo "blessed $pass case(s)"
echo "RESULT: $pass passed, $fail failed"
[ $fail = 0 ]
