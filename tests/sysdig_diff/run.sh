#!/usr/bin/env bash
# Differential test of frc's fields and conditions against sysdig 0.29.3 (see diff.py), over
# the real captures of ../shared/compat/traces and the captures tests/scapgen synthesises
# (written to a temporary directory; event types the real captures lack), with field probes,
# condition probes, the conditions of the upstream rules, every event parameter by name
# (argprobe.py) and random conditions (randcond.py).
# Prints `RESULT: N passed, M failed, K skipped`; exits non-zero on failure.
set -u
cd "$(dirname "$0")/../.."
BUILD=${BUILD:-build}
PYTHON=${PYTHON:-python3}
TRACES=../shared/compat/traces
if [ ! -d "$TRACES" ]; then
	echo "SKIP: $TRACES not found (no ../shared): differential test skipped"
	echo "RESULT: 0 passed, 0 failed, 1 skipped"
	exit 0
fi
if ! command -v sysdig > /dev/null; then
	echo "SKIP: sysdig is not installed (make deps installs it)"
	echo "RESULT: 0 passed, 0 failed, 1 skipped"
	exit 0
fi
GEN=$(mktemp -d /tmp/frc-scapgen.XXXXXX)
trap 'rm -rf "$GEN"' EXIT
if ! "$PYTHON" tests/scapgen/scapgen.py --evtab runtime/evtab.def --out "$GEN" --compared; then
	echo "FAIL: tests/scapgen/scapgen.py could not write the synthesised captures"
	echo "RESULT: 0 passed, 1 failed"
	exit 1
fi
# every upstream rule's condition (expanded as Falco's loader does) is a condition probe too
RULES=../shared/compat/rules
"$PYTHON" tests/sysdig_diff/diff.py --frc "$BUILD/frc" --traces "$TRACES" --traces "$GEN" \
	--fields compiler/fields.def --cache "$BUILD/sysdig-cache" \
	--rules $RULES/falco_rules.yaml --rules $RULES/falco-incubating_rules.yaml \
	--rules $RULES/falco-sandbox_rules.yaml --expand ../shared/bench/falco_expand.py "$@"
