#!/usr/bin/env bash
# The highest event rate `frc run` sustains without drops with the full upstream ruleset
# (../shared/compat/rules/falco_rules.yaml): a load generator (bench/event_gen.c, open+close
# of a file: two traced events per iteration) runs at increasing rates for a few seconds
# each; the daemon's kernel counters (/metrics) say how many events were seen and dropped.
# Reports, per step, the offered and achieved event rates and the drops, and the highest
# achieved rate with no drop. Needs root; prints SKIP otherwise. A benchmark, not a test.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
RULES=${RULES:-../shared/compat/rules/falco_rules.yaml}
STEP_S=${STEP_S:-3}
if [ "$(id -u)" != 0 ]; then echo "SKIP: daemon rate benchmark needs root"; exit 0; fi
if [ ! -f "$RULES" ]; then echo "SKIP: $RULES not found"; exit 0; fi
out=$BUILD/bench; mkdir -p "$out"
${CC:-cc} -O2 -o "$out/event_gen" bench/event_gen.c || exit 1
tmp=$(mktemp -d); trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$tmp"' EXIT
port=$((20000 + RANDOM % 20000))
FRC_LOCK_FILE=$tmp/lock "$BUILD/frc" run -r "$RULES" -o json_output=true \
	-o stdout_output.enabled=false -o syslog_output.enabled=false \
	-o file_output.enabled=true -o file_output.filename="$tmp/alerts.json" \
	-o webserver.enabled=true -o webserver.listen_address=127.0.0.1 \
	-o webserver.listen_port=$port -o webserver.prometheus_metrics_enabled=true \
	-o metrics.enabled=true 2>"$tmp/err" &
pid=$!
for _ in $(seq 1 600); do grep -q 'Events processing started' "$tmp/err" && break; sleep 0.1; done
grep -q 'Events processing started' "$tmp/err" || { echo "frc run did not start:"; tail "$tmp/err"; exit 1; }
metric() { curl -s "127.0.0.1:$port/metrics" | awk -v m="$1" '$1==m {print $2}'; }
echo "daemon event rate with $RULES (steps of ${STEP_S}s, open+close = 2 events/iteration)"
printf "%14s %14s %12s %10s\n" "offered ev/s" "achieved ev/s" "dropped" "alerts"
best=0
for rate in 25000 50000 100000 200000 400000 0; do
	e0=$(metric falcosecurity_scap_n_evts_total); d0=$(metric falcosecurity_scap_n_drops_total)
	read -r iters secs < <("$out/event_gen" $((rate / 2)) "$STEP_S" /etc/hostname)
	sleep 1	# let the daemon drain what is queued
	e1=$(metric falcosecurity_scap_n_evts_total); d1=$(metric falcosecurity_scap_n_drops_total)
	ev=$(( (e1 - e0) )); dr=$(( d1 - d0 ))
	gen=$(awk -v i="$iters" -v s="$secs" 'BEGIN{printf "%d", 2 * i / s}')
	printf "%14s %14s %12s %10s\n" "$([ $rate = 0 ] && echo max || echo $rate)" "$gen" "$dr" \
		"$(wc -l < "$tmp/alerts.json")"
	[ "$dr" = 0 ] && [ "$gen" -gt "$best" ] && best=$gen
done
echo "highest generated rate with no drop: $best events/s (plus the machine's own background events)"
kill -TERM $pid; wait $pid
grep -E '^Kernel events:' "$tmp/err"
