#!/usr/bin/env bash
# Writes the seed inputs of the condition fuzzer into directory $1: our own sample
# conditions (seeds.txt, one per line) and, when ../shared is present, the condition lines
# of the upstream rule files (read in place, never copied into the repository).
set -u
dir=$1
mkdir -p "$dir"
cd "$(dirname "$0")/../.."
i=0
while IFS= read -r line; do
	[ -n "$line" ] || continue
	printf '%s' "$line" >"$dir/seed-$i"
	i=$((i + 1))
done <tests/fuzz/seeds.txt
for f in ../shared/compat/rules/*.yaml; do
	[ -f "$f" ] || continue
	grep -h '^ *condition: ' "$f" | sed 's/^ *condition: //' | while IFS= read -r line; do
		printf '%s' "$line" >"$dir/up-$(printf '%s' "$line" | cksum | cut -d' ' -f1)"
	done
done
