#!/usr/bin/env bash
# replay_vs_sysdig.sh - frc replay against `sysdig -r` (the interpretive libsinsp anchor) on the
# same conditions and the same large capture, in one run. Not a test: it prints figures.
#
# Conditions: the upstream default rules (falcosecurity/rules falco_rules.yaml, or the three
# files with RULESET=all) macro/list-expanded by ../shared/bench/falco_expand.py, kept if
# sysdig 0.29.3 parses them, OR-ed together: one filter string, evaluated by
#   sysdig -r CAP -q "FILTER"                 (libsinsp, interpreted)
#   frc replay --filter "FILTER" CAP          (same text, compiled by frc's JIT path)
# plus, for information, `frc replay -r <the same rule files>` (the real ruleset: per-rule
# dispatch by event type, Falco outputs) on the same capture.
#
# Capture: the event blocks of a real capture (default curl_google.scap) repeated MULT times
# with ../shared/bench/scapmul.py (timestamps shifted), written to $WORK (default /tmp).
# Start-up (process, libraries, filter compilation) is cancelled by measuring a 1x capture too:
#   ns/event = (CPU(big) - CPU(1x)) / (events(big) - events(1x)),  CPU = user+sys (getrusage),
# median of REPS alternating runs. events/s = 1e9 / ns/event. ratio = sysdig ns / frc ns.
#
# Env: CAP, MULT (default 2000 -> ~3M events), REPS (default 3), RULESET (stable|all),
#      WORK (default /tmp/frc-replay-bench), FRC (default build/frc), KEEP=1 keeps the files.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${SHARED:-$ROOT/../shared}
CAP=${CAP:-$SHARED/compat/traces/curl_google.scap}
MULT=${MULT:-2000}
REPS=${REPS:-3}
RULESET=${RULESET:-stable}
WORK=${WORK:-/tmp/frc-replay-bench}
FRC=${FRC:-$ROOT/build/frc}
PY=${PYTHON:-python3}

for x in sysdig "$PY"; do command -v "$x" > /dev/null || { echo "needs $x"; exit 1; }; done
[ -x "$FRC" ] || { echo "build frc first (make)"; exit 1; }
[ -d "$SHARED/bench" ] || { echo "needs ../shared/bench (falco_expand.py, scapmul.py)"; exit 1; }
mkdir -p "$WORK"
cd "$WORK"
trap '[ "${KEEP:-0}" = 1 ] || rm -f "$WORK/big.scap" "$WORK/small.scap" "$WORK/base.scap" "$WORK/raw.scap" "$WORK/agree.sysdig" "$WORK/agree.frc"' EXIT

echo "== $(sysdig --version) vs frc $("$FRC" --version | head -1 | sed 's/frc version //')"
echo "== host: $(nproc) cpus, $(uname -r), $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"

# 1. captures. A capture starts in the middle of things: a thread's first event may be the
# exit of a syscall whose enter was not captured (curl_google: the execve exit of curl).
# Repeated as is, that exit meets the thread's last stored enter event of the previous copy,
# which current libscap's converter (and frc, which follows it) rejects ("the stored enter
# event ... is not the enter of ..."). Such first events (one per affected thread) are dropped
# from the base capture before it is repeated.
if gzip -t "$CAP" 2> /dev/null; then zcat "$CAP" > raw.scap; else cp "$CAP" raw.scap; fi
"$PY" - raw.scap base.scap << 'PYEOF'
import struct, sys
EV = {0x204: 10, 0x216: 10, 0x221: 10, 0x208: 14, 0x217: 14, 0x222: 14}
d = open(sys.argv[1], "rb").read()
blocks, off = [], 0
while off + 8 <= len(d):
    bt, bl = struct.unpack_from("<II", d, off)
    if bl < 12 or off + bl > len(d):
        sys.exit("bad block at %d" % off)
    blocks.append((bt, d[off:off + bl]))
    off += bl
first, last_enter = {}, {}
for i, (bt, b) in enumerate(blocks):
    if bt in EV:
        tid = struct.unpack_from("<Q", b, EV[bt] + 8)[0]
        code = struct.unpack_from("<H", b, EV[bt] + 20)[0]
        first.setdefault(tid, (i, code))
        if code % 2 == 0:
            last_enter[tid] = code
# a thread whose first event is an exit (its enter happened before the capture started) and
# whose last enter event is of another syscall: in the next copy that exit would meet the
# stale enter. Its first event is dropped (one event per such thread).
drop = {i for tid, (i, code) in first.items()
        if code % 2 == 1 and tid in last_enter and last_enter[tid] != code - 1}
with open(sys.argv[2], "wb") as f:
    for i, (bt, b) in enumerate(blocks):
        if i not in drop:
            f.write(b)
print("dropped %d first events without their enter" % len(drop), file=sys.stderr)
PYEOF
NS=$("$PY" "$SHARED/bench/scapmul.py" base.scap small.scap 1 | sed -n 's/.* = \([0-9]*\)$/\1/p')
NB=$("$PY" "$SHARED/bench/scapmul.py" base.scap big.scap "$MULT" | sed -n 's/.* = \([0-9]*\)$/\1/p')
# the big file was just written: flush it so that its writeback does not run during the timed runs
sync big.scap 2> /dev/null || sync
echo "== capture: $(basename "$CAP"): $NS event blocks (1x), $NB ($MULT x), $(du -h big.scap | cut -f1) in $WORK"

# 2. the conditions
RULES=("$SHARED/compat/rules/falco_rules.yaml")
if [ "$RULESET" = all ]; then
	RULES+=("$SHARED/compat/rules/falco-incubating_rules.yaml" "$SHARED/compat/rules/falco-sandbox_rules.yaml")
fi
"$PY" "$SHARED/bench/falco_expand.py" "${RULES[@]}" > rules.tsv
: > ok.tsv
while IFS=$'\t' read -r name cond; do
	if sysdig -r small.scap -q "$cond" > /dev/null 2>&1; then printf '%s\t%s\n' "$name" "$cond" >> ok.tsv; fi
done < rules.tsv
"$PY" -c "import sys; r=[l.rstrip('\n').split('\t',1)[1] for l in open('ok.tsv')]; print(' or '.join('('+c+')' for c in r))" > filter.txt
FILTER=$(cat filter.txt)
echo "== filter: $(wc -l < ok.tsv)/$(wc -l < rules.tsv) $RULESET rules parsed by sysdig 0.29.3, OR-ed: $(wc -c < filter.txt) bytes"

# agreement (correctness is tested by tests/sysdig_diff; this guards the comparison). The
# default rules match no event of curl_google, so besides the OR filter's matches on the 1x
# capture, a filter that matches a few hundred events of the unmodified capture (file
# opens, execs, clones, connects, curl's fd I/O; successful exits, where sysdig 0.29 and
# current libsinsp agree on the fields) is printed with process, fd and user fields by
# both tools and the lines compared.
SM=$(sysdig -r small.scap -p '%evt.time.iso8601 %thread.tid %evt.type' "$FILTER" | grep -c . || true)
FM=$("$FRC" replay --filter "$FILTER" --format '%evt.time.iso8601 %thread.tid %evt.type' small.scap 2> /dev/null | grep -c . || true)
AF='evt.dir=< and evt.failed=false and ((evt.type in (open, openat, openat2) and fd.typechar=f)
 or evt.type in (execve, clone, connect, socket, accept)
 or (proc.name=curl and evt.type in (read, write, close, fstat, poll, sendto, recvfrom) and fd.num >= 0))'
AP='*%evt.time.iso8601 %thread.tid %evt.type %evt.res %proc.name %proc.exe %fd.name %fd.typechar %user.name %proc.cmdline'
sysdig -r raw.scap -p "$AP" "$AF" > agree.sysdig 2>&1 || true
"$FRC" replay --filter "$AF" --format "$AP" raw.scap > agree.frc 2> /dev/null || true
AD=$(diff agree.sysdig agree.frc | grep -c '^[<>]' || true)
echo "== agreement: OR filter on the 1x capture: sysdig $SM, frc $FM matches; check filter on" \
     "$(basename "$CAP"): sysdig $(grep -c . < agree.sysdig), frc $(grep -c . < agree.frc) events," \
     "$AD differing lines"
if [ "$SM" != "$FM" ] || [ "$AD" != 0 ] || [ ! -s agree.frc ]; then
	echo "== WARNING: frc and sysdig disagree (diff $WORK/agree.sysdig $WORK/agree.frc)"
fi

# 3. measure
"$PY" - "$NS" "$NB" "$REPS" "$FRC" "${RULES[@]}" << 'PYEOF'
import resource, statistics, subprocess, sys, time
ns, nb, reps, frc = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
rules = sys.argv[5:]
flt = open("filter.txt").read().strip()
def cpu(cmd):
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN); t0 = time.perf_counter()
    p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    w = time.perf_counter() - t0; r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    if p.returncode != 0:
        sys.exit("failed: %s\n%s" % (" ".join(cmd[:3]), p.stderr.decode()[-800:]))
    return (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime), w
tools = {
    "sysdig -r (OR filter)": lambda cap: ["sysdig", "-r", cap, "-q", flt],
    "frc replay --filter (OR filter)": lambda cap: [frc, "replay", "--filter", flt, "--format", "%evt.type", cap],
    "frc replay -r rules (Falco alerts)": lambda cap: [frc, "replay"] + [x for r in rules for x in ("-r", r)] + ["-o", "stdout_output.enabled=true", "-o", "log_stderr=false", cap],
}
res = {}
print("%-36s %10s %10s %12s %12s %12s" % ("run", "1x_cpu_ms", "big_cpu_ms", "big_wall_ms", "ns/event", "events/s"))
for name, mk in tools.items():
    small, big, wall = [], [], []
    for _ in range(reps):
        c, _w = cpu(mk("small.scap")); small.append(c)
        c, w = cpu(mk("big.scap")); big.append(c); wall.append(w)
    s, b = statistics.median(small), statistics.median(big)
    per = (b - s) * 1e9 / (nb - ns)
    res[name] = per
    print("%-36s %10.1f %10.1f %12.1f %12.1f %12.0f" % (name, s * 1e3, b * 1e3, statistics.median(wall) * 1e3, per, 1e9 / per if per > 0 else float("inf")))
sd, fr = res["sysdig -r (OR filter)"], res["frc replay --filter (OR filter)"]
fa = res["frc replay -r rules (Falco alerts)"]
print("ratio (sysdig ns/event / frc ns/event): --filter %.1fx, -r rules %.1fx  (target >= 10x)" % (sd / fr, sd / fa))
PYEOF
