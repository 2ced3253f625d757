#!/usr/bin/env bash
# The highest event rate `frc run` sustains without drops with the full upstream ruleset
# (../shared/compat/rules/falco_rules.yaml): a load generator (bench/event_gen.c, open+close
# of a file: two traced events per iteration) runs at increasing rates for a few seconds
# each; the daemon's kernel counters (/metrics) say how many events were seen and dropped,
# frc_events_processed_total how many reached the rules.
# Two daemon configurations, one after the other in the same run:
#   no-kfilter  --no-kernel-filter: every event of the interest set goes through the ring
#               buffer to the rules (the user-space rate)
#   kfilter     the default: the kernel filter fragment discards in the kernel the events no
#               rule can match (opens of /etc/hostname by this generator are among them)
# The last steps: one generator as fast as it goes ("max"), then two ("max2", competing with
# the daemon for the 2 CPUs of the reference machine).
# Reports, per step, the offered and generated event rates, the events the daemon processed
# and the drops, and per configuration the highest generated rate with no drop.
# Needs root; prints SKIP otherwise. A benchmark, not a test. STEP_S=seconds per step.
set -u
cd "$(dirname "$0")/.."
BUILD=${BUILD:-build}
RULES=${RULES:-../shared/compat/rules/falco_rules.yaml}
STEP_S=${STEP_S:-3}
if [ "$(id -u)" != 0 ]; then echo "SKIP: daemon rate benchmark needs root"; exit 0; fi
if [ ! -f "$RULES" ]; then echo "SKIP: $RULES not found"; exit 0; fi
out=$BUILD/bench; mkdir -p "$out"
${CC:-cc} -O2 -o "$out/event_gen" bench/event_gen.c || exit 1
tmp=$(mktemp -d)
pid=
trap '[ -n "$pid" ] && kill $pid 2>/dev/null; [ -n "$pid" ] && wait $pid 2>/dev/null; rm -rf "$tmp"' EXIT

metric() { curl -s "127.0.0.1:$port/metrics" | awk -v m="$1" '$1==m {print $2; exit}'; }

run_config() {
	local label=$1; shift
	port=$((20000 + RANDOM % 20000))
	rm -f "$tmp/alerts.json" "$tmp/err"
	FRC_LOCK_FILE=$tmp/lock "$BUILD/frc" run -r "$RULES" "$@" -o json_output=true \
		-o stdout_output.enabled=false -o syslog_output.enabled=false \
		-o file_output.enabled=true -o file_output.filename="$tmp/alerts.json" \
		-o webserver.enabled=true -o webserver.listen_address=127.0.0.1 \
		-o webserver.listen_port=$port -o webserver.prometheus_metrics_enabled=true \
		-o metrics.enabled=true 2>"$tmp/err" &
	pid=$!
	for _ in $(seq 1 600); do grep -q 'Events processing started' "$tmp/err" && break; sleep 0.1; done
	grep -q 'Events processing started' "$tmp/err" || { echo "frc run did not start:"; tail "$tmp/err"; exit 1; }
	echo "== $label: frc run -r $RULES $* (steps of ${STEP_S}s, open+close = 2 events/iteration)"
	printf "%14s %14s %16s %12s %10s\n" "offered ev/s" "generated ev/s" "processed ev/s" "dropped" "alerts"
	local best=0 rate d0 p0 d1 p1 iters secs i2 g2 dr gen proc
	for rate in 25000 50000 100000 200000 400000 800000 0 max2; do
		sleep 1
		d0=$(metric falcosecurity_scap_n_drops_total); p0=$(metric frc_events_processed_total)
		if [ "$rate" = max2 ]; then
			# two generators at full speed: with 2 CPUs they compete with the daemon
			"$out/event_gen" 0 "$STEP_S" /etc/hostname > "$tmp/g2" &
			g2=$!
			read -r iters secs < <("$out/event_gen" 0 "$STEP_S" /etc/hostname)
			wait $g2
			read -r i2 _ < "$tmp/g2"
			iters=$((iters + i2))
		else
			read -r iters secs < <("$out/event_gen" $((rate / 2)) "$STEP_S" /etc/hostname)
		fi
		sleep 1	# let the daemon drain what is queued (the statistics tick is 1 s)
		d1=$(metric falcosecurity_scap_n_drops_total); p1=$(metric frc_events_processed_total)
		dr=$(( d1 - d0 ))
		gen=$(awk -v i="$iters" -v s="$secs" 'BEGIN{printf "%d", 2 * i / s}')
		proc=$(awk -v a="$p0" -v b="$p1" -v s="$secs" 'BEGIN{printf "%d", (b - a) / s}')
		printf "%14s %14s %16s %12s %10s\n" "$([ $rate = 0 ] && echo max || echo $rate)" "$gen" \
			"$proc" "$dr" "$(cat "$tmp/alerts.json" 2>/dev/null | wc -l)"
		[ "$dr" = 0 ] && [ "$gen" -gt "$best" ] && best=$gen
	done
	echo "$label: highest generated rate with no drop: $best events/s (plus the machine's own background events)"
	kill -TERM $pid; wait $pid; pid=
	grep -E '^(Kernel events|Kernel filter|Events processed):' "$tmp/err"
}

run_config no-kfilter --no-kernel-filter
run_config kfilter
