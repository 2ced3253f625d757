#!/usr/bin/env bash
# generated/ must be what `frc compile` writes today for rules/*.yaml (loaded together, in
# name order): regenerate into a temporary directory and compare byte for byte. Also the
# committed C must compile as strict ISO C11.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
pass=0; fail=0
shopt -s nullglob
rules=(rules/*.yaml)
if [ ${#rules[@]} -eq 0 ]; then
	if [ -e generated/rules.c ]; then
		echo "FAIL: generated/rules.c exists but rules/ has no rule file"; fail=1
	else
		echo "no default rules (rules/*.yaml): generated/ must hold no rules.c: ok"; pass=1
	fi
	echo "RESULT: $pass passed, $fail failed"
	[ $fail = 0 ]; exit
fi
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
if ! "$BUILD/frc" compile -o "$tmp" "${rules[@]}" 2>"$tmp/err"; then
	echo "FAIL: frc compile of rules/ failed:"; sed 's/^/    /' "$tmp/err"
	echo "RESULT: 0 passed, 1 failed"; exit 1
fi
for f in rules.c rules_prefilter.txt; do
	if cmp -s "$tmp/$f" "generated/$f"; then
		pass=$((pass + 1))
	else
		echo "FAIL: generated/$f is stale (run make and commit generated/):"
		diff -u "generated/$f" "$tmp/$f" 2>&1 | head -30 | sed 's/^/    /'
		fail=$((fail + 1))
	fi
done
# `make` rewrites generated/ when rules/ changed; a tree whose build had to rewrite it was
# committed stale: compare with the committed copy too (skipped outside a git checkout)
if git rev-parse --is-inside-work-tree >/dev/null 2>&1 && git cat-file -e HEAD:generated/rules.c 2>/dev/null; then
	if git diff --quiet HEAD -- generated/; then
		pass=$((pass + 1))
	else
		echo "FAIL: generated/ differs from the committed copy (rules/ changed; commit the regenerated generated/):"
		git diff --stat HEAD -- generated/ | sed 's/^/    /'
		fail=$((fail + 1))
	fi
fi
# the frc binary carries them: same rule count as the committed descriptor
want=$(sed -n 's/^\t\.nrules = \([0-9]*\)u,$/\1/p' generated/rules.c)
got=$("$BUILD/frc" compile --builtin | sed -n 's/^\([0-9]*\) default rules compiled.*/\1/p')
if [ -n "$want" ] && [ "$want" = "$got" ]; then
	pass=$((pass + 1))
else
	echo "FAIL: frc has ${got:-no} built-in rules, generated/rules.c has ${want:-?}"
	fail=$((fail + 1))
fi
if ${CC:-cc} -std=c11 -pedantic -Wall -Wextra -Werror -fsyntax-only -Iruntime generated/rules.c \
	2>"$tmp/cc.err"; then
	pass=$((pass + 1))
else
	echo "FAIL: generated/rules.c is not strict C11:"; head -20 "$tmp/cc.err" | sed 's/^/    /'
	fail=$((fail + 1))
fi
echo "RESULT: $pass passed, $fail failed"
[ $fail = 0 ]
