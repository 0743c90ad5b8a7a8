#!/usr/bin/env bash
# run_read_bench.sh — the avafs read-path benchmark: avafs, s3fs, rclone (--vfs-cache-mode full)
# and the same files on local disk, in one run against one radosgw, plus a raw multi-stream S3 GET
# of Ava's own S3Store. Prints a table of absolute numbers and ratios; writes results.jsonl,
# summary.csv and summary.json. docs/benchmarks.md ("avafs read path") has the method and results.
#
#   bench/avafs/run_read_bench.sh            the full run (1 GiB file, 10,000 × 100 KiB, 100,000 objects)
#   bench/avafs/run_read_bench.sh --quick    a scaled-down run (a few minutes) to check the script works
#
# Options:
#   --quick              64 MiB file, 500 small files, 2,000 tiny objects, fewer random reads, 1 round
#   --rounds N           repeat every measurement N times (default 3; the table shows medians)
#   --systems "LIST"     contestants, from: local avafs s3fs rclone (default: all four)
#   --workloads "LIST"   from: seq small ls rand4k rand1m (default: all)
#   --out DIR            where results go (default $AVA_BENCH_DIR/results-<date>)
#   --rev REV            build avafs and the tools from commit REV (git archive, own build dir)
#                        instead of the working tree: measures committed code while others edit
#   --keep-ceph          leave the benchmark's Ceph running (and its dataset) for the next run
#   --no-install         do not run scripts/install-deps.sh --bench
#   -h, --help           this text
#
# Environment: AVA_BENCH_DIR (default /tmp/ava-bench-read: Ceph, dataset copy, caches, mounts),
# AVA_BUILD_DIR (default build-bench, configured Release), AVA_RGW_PORT (7490), AVA_MON_PORT (3310),
# AVA_MS_PORT_MIN/MAX (7310/7400) — its own Ceph, away from the shared one on 7480/3300.
#
# Needs root for `echo 3 > /proc/sys/vm/drop_caches` (without it, "cold" keeps the page cache
# and the results say so) and /dev/fuse. Every daemon it starts is recorded by PID and stopped
# by that PID at the end, also on failure or Ctrl-C.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
usage() { sed -n '2,28p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; }
COMMAND_LINE="bench/avafs/run_read_bench.sh${*:+ $*}"
# Before this script adds load of its own (build, Ceph, upload): what others put on the machine.
UPTIME_START=$(uptime)

QUICK=0 KEEP_CEPH=0 INSTALL=1 OUT="" REV="" ROUNDS=""
SYSTEMS="local avafs s3fs rclone"
WORKLOADS="seq small ls rand4k rand1m"
while (($#)); do
  case $1 in
    --quick) QUICK=1 ;;
    --systems) SYSTEMS=${2:?--systems needs a list}; shift ;;
    --workloads) WORKLOADS=${2:?--workloads needs a list}; shift ;;
    --out) OUT=${2:?--out needs a directory}; shift ;;
    --rev) REV=${2:?--rev needs a commit}; shift ;;
    --rounds) ROUNDS=${2:?--rounds needs a number}; shift ;;
    --keep-ceph) KEEP_CEPH=1 ;;
    --no-install) INSTALL=0 ;;
    -h | --help) usage; exit 0 ;;
    *) echo "unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done
for s in $SYSTEMS; do [[ $s =~ ^(local|avafs|s3fs|rclone)$ ]] || { echo "unknown system '$s'" >&2; exit 2; }; done
[[ -z $ROUNDS || $ROUNDS =~ ^[1-9][0-9]*$ ]] || { echo "--rounds needs a positive number" >&2; exit 2; }
for w in $WORKLOADS; do [[ $w =~ ^(seq|small|ls|rand4k|rand1m)$ ]] || { echo "unknown workload '$w'" >&2; exit 2; }; done

# ------------------------------------------------------------------------------------ settings
if ((QUICK)); then
  MODE=quick BIG_SIZE=64MiB SMALL_COUNT=500 TINY_COUNT=2000 RAND4K_COUNT=200 RAND1M_COUNT=50 ROUNDS=${ROUNDS:-1}
else
  MODE=full BIG_SIZE=1GiB SMALL_COUNT=10000 TINY_COUNT=100000 RAND4K_COUNT=1000 RAND1M_COUNT=200 ROUNDS=${ROUNDS:-3}
fi
SMALL_SIZE=100KiB TINY_SIZE=64
READERS=8          # parallel readers of the small files (DataLoader workers)
RAW_STREAMS=8      # K parallel ranged GETs of the raw S3 baseline of the sequential read
RAW_PART=8MiB      # bytes per ranged GET of the raw baseline (= avafs's max_request)
SEQ_BUFFER=4MiB    # bytes per read(2) of the sequential reader
# avafs's configured memory bound: cache.ram_capacity + read.fetch_buffers.
AVAFS_RAM=1GiB AVAFS_FETCH_BUFFERS=256MiB AVAFS_SSD=8GiB
STEP_TIMEOUT=1800  # seconds one measurement may take before it is recorded as failed

BENCH_DIR=${AVA_BENCH_DIR:-/tmp/ava-bench-read}
BUILD=${AVA_BUILD_DIR:-$ROOT/build-bench}
export AVA_RUN_DIR=$BENCH_DIR/run             # PID files of the mounts (scripts/lib/procs.sh)
export AVA_CEPH_DIR=$BENCH_DIR/ceph
export AVA_RGW_PORT=${AVA_RGW_PORT:-7490} AVA_MON_PORT=${AVA_MON_PORT:-3310}
export AVA_MS_PORT_MIN=${AVA_MS_PORT_MIN:-7310} AVA_MS_PORT_MAX=${AVA_MS_PORT_MAX:-7400}
BUCKET=ava-read-bench-$MODE
LOCAL=$BENCH_DIR/local-$MODE                 # the local-disk contestant
MNT=$BENCH_DIR/mnt
CACHE=$BENCH_DIR/cache
OUT=${OUT:-$BENCH_DIR/results-$(date +%Y%m%d-%H%M%S)}
RESULTS=$OUT/results.jsonl
ROUND=0 RDIR=$OUT
# shellcheck source=lib.sh
source "$ROOT/bench/avafs/lib.sh"

# ---------------------------------------------------------------------------- install and build
if ((INSTALL)); then step "installing peers (scripts/install-deps.sh --bench)"; "$ROOT/scripts/install-deps.sh" --bench; fi
[[ -e /dev/fuse ]] || ava_die "no /dev/fuse: FUSE mounts are impossible here"
bench_build avafs avafs_bench_s3 avafs_bench_read
AVAFS=$BUILD/bin/avafs
S3TOOL=$BUILD/bin/avafs_bench_s3
READ=$BUILD/bin/avafs_bench_read

mkdir -p "$OUT" "$MNT" "$CACHE" "$AVA_RUN_DIR"
: > "$RESULTS"

# ---------------------------------------------------------------------------- clean-up by PID
trap bench_cleanup EXIT
trap 'exit 130' INT TERM

# ---------------------------------------------------------------------------- Ceph and dataset
bench_start_ceph

step "dataset: s3://$BUCKET and $LOCAL ($BIG_SIZE file, $SMALL_COUNT × $SMALL_SIZE, $TINY_COUNT × ${TINY_SIZE} B)"
"$S3TOOL" fill --endpoint "$ENDPOINT" --bucket "$BUCKET" --local "$LOCAL" --big-size "$BIG_SIZE" \
  --small-count "$SMALL_COUNT" --small-size "$SMALL_SIZE" --tiny-count "$TINY_COUNT" --tiny-size "$TINY_SIZE" \
  --threads 16
SMALL_LIST=$OUT/small.list
awk -v n="$SMALL_COUNT" 'BEGIN { for (i = 0; i < n; i++) printf "small/d%03d/f%05d.bin\n", int(i / 100), i }' > "$SMALL_LIST"

bench_peer_credentials

# ---------------------------------------------------------------------------- mounts
# mount_system SYSTEM TAG: a fresh mount with empty caches; sets DATA (the dataset root in it),
# NAME (its PID record) and DIR. For local, DATA is the local copy and nothing is started.
mount_system() {
  local system=$1 tag=$2
  NAME=$system-$tag DIR=$MNT/$system-$tag
  if [[ $system == local ]]; then DATA=$LOCAL NAME="" DIR=""; return 0; fi
  mkdir -p "$DIR"
  mountpoint -q "$DIR" && unmount "$NAME" "$DIR"
  rm -rf "${CACHE:?}/$NAME"
  mkdir -p "$CACHE/$NAME"
  case $system in
    avafs)
      cat > "$CACHE/$NAME.yaml" << YAML
# datasets that never change: listings and file pages are kept for good
metadata_ttl: indefinite
read: { fetch_buffers: $AVAFS_FETCH_BUFFERS }
cache:
  ram_capacity: $AVAFS_RAM
  ssd_dir: $CACHE/$NAME/ssd
  ssd_capacity: $AVAFS_SSD
mounts:
  - name: bench
    store: { uri: "s3://$BUCKET", endpoint: "$ENDPOINT" }
YAML
      ava_spawn "$NAME" "$AVAFS" mount -f --log-file "$RDIR/$NAME.log" "$CACHE/$NAME.yaml" "$DIR"
      DATA=$DIR/bench
      ;;
    s3fs)
      spawn_s3fs "$NAME" "$BUCKET" "$DIR" "$CACHE/$NAME"
      DATA=$DIR
      ;;
    rclone)
      spawn_rclone "$NAME" "$BUCKET" "$DIR" "$CACHE/$NAME" full
      DATA=$DIR
      ;;
  esac
  MOUNTED+=("$NAME $DIR")
  ava_poll 60 "the $system mount at $DIR" mountpoint -q "$DIR" &&
    { [[ $system != avafs ]] || ava_poll 30 "avafs's control endpoint" getfattr -n user.avafs.control "$DIR"; } &&
    ava_poll 60 "$system to show the dataset" test -e "$DATA/big/big.bin"
}

# unmount_system SYSTEM WORKLOAD: records the daemon's peak RSS (VmHWM), then unmounts.
unmount_system() {
  local system=$1 workload=$2 hwm
  [[ $system != local ]] || return 0
  if hwm=$(peak_rss "$NAME"); then
    record "$system" "$workload" rss "{\"peak_rss_bytes\":$hwm}"
    if [[ $system == avafs ]]; then
      "$AVAFS" stats --json "$DIR" > "$RDIR/$NAME.stats.json" 2>&1 || true
      "$AVAFS" stats --prometheus "$DIR" > "$RDIR/$NAME.metrics.txt" 2>&1 || true
    fi
  else
    record "$system" "$workload" rss '{"error":"daemon died"}'
  fi
  unmount "$NAME" "$DIR"
  forget_mount "$NAME" "$DIR"
  rm -rf "${CACHE:?}/$NAME"
}

# ---------------------------------------------------------------------------- measuring
record() { # record SYSTEM WORKLOAD PHASE JSON
  jq -c -n --arg s "$1" --arg w "$2" --arg p "$3" --argjson round "$ROUND" --argjson r "$4" \
    '{system:$s, workload:$w, phase:$p, round:$round} + $r' >> "$RESULTS"
}

# run_one SYSTEM WORKLOAD PHASE: runs the workload's reader against $DATA; records its JSON or the error.
run_one() {
  local system=$1 workload=$2 phase=$3 out rc=0 t0 t1
  local log=$RDIR/$system-$workload-$phase.err
  case $workload in
    seq) out=$(timeout -k 30 "$STEP_TIMEOUT" "$READ" seq "$DATA/big/big.bin" --buffer "$SEQ_BUFFER" 2> "$log") || rc=$? ;;
    small) out=$(timeout -k 30 "$STEP_TIMEOUT" "$READ" files "$DATA" --list "$SMALL_LIST" --threads "$READERS" 2> "$log") || rc=$? ;;
    rand4k) out=$(timeout -k 30 "$STEP_TIMEOUT" "$READ" random "$DATA/big/big.bin" --size 4KiB --count "$RAND4K_COUNT" --seed 1 2> "$log") || rc=$? ;;
    rand1m) out=$(timeout -k 30 "$STEP_TIMEOUT" "$READ" random "$DATA/big/big.bin" --size 1MiB --count "$RAND1M_COUNT" --seed 2 2> "$log") || rc=$? ;;
    ls)
      t0=$(date +%s.%N)
      timeout -k 30 "$STEP_TIMEOUT" ls -R "$DATA/tree" > "$RDIR/ls.out" 2> "$log" || rc=$?
      t1=$(date +%s.%N)
      local entries
      entries=$(grep -c '^f' "$RDIR/ls.out" || true)
      out=$(awk -v a="$t0" -v b="$t1" -v n="$entries" 'BEGIN { printf "{\"seconds\":%.4f,\"entries\":%d}", b - a, n }')
      if [[ $entries != "$TINY_COUNT" ]]; then
        echo "ls -R listed $entries files, expected $TINY_COUNT (listing kept in $RDIR/ls-$system-$phase.out)" >> "$log"
        mv "$RDIR/ls.out" "$RDIR/ls-$system-$phase.out"
        rc=1
      fi
      ;;
  esac
  if ((rc == 0)); then
    record "$system" "$workload" "$phase" "$out"
    ava_log "$system $workload $phase: $out"
  else
    local why
    why=$(tail -c 300 "$log" | tr '\n"' ' \047')
    ((rc == 124)) && why="timed out after ${STEP_TIMEOUT}s; $why"
    record "$system" "$workload" "$phase" "$(jq -n --arg e "exit $rc: $why" '{error:$e}')"
    ava_log "$system $workload $phase FAILED (exit $rc): $why"
  fi
}

# Whether the kernel kept the file's pages across a close and a new open: fincore opens the file
# anew, and FUSE drops an inode's cached pages on open unless the daemon answered FOPEN_KEEP_CACHE.
record_page_cache() {
  local system=$1 bytes
  bytes=$(fincore --bytes --noheadings --output RES "$DATA/big/big.bin" 2> /dev/null | tr -d ' ') || bytes=""
  [[ -n $bytes ]] && record "$system" seq page_cache "{\"resident_bytes\":$bytes}"
}

# Checks that the mount returns the right bytes, outside the timed part.
verify() {
  local system=$1 workload=$2 ok=true f
  case $workload in
    seq | rand4k | rand1m) cmp -s "$LOCAL/big/big.bin" "$DATA/big/big.bin" || ok=false ;;
    small) for f in $(sed -n '1p;17p;$p' "$SMALL_LIST"); do cmp -s "$LOCAL/$f" "$DATA/$f" || ok=false; done ;;
    ls) cmp -s "$LOCAL/tree/d000/f000000" "$DATA/tree/d000/f000000" || ok=false ;;
  esac
  $ok || { record "$system" "$workload" verify '{"error":"content differs from the local copy"}'; ava_log "$system $workload: CONTENT DIFFERS"; }
}

# avafs warm TARGET for one workload, timed (the warm-up's own rate is worth knowing).
avafs_warm() {
  local workload=$1 target t0 t1 args=()
  case $workload in
    seq | rand4k | rand1m) target=$DATA/big/big.bin ;;
    small) target=$DATA/small ;;
    ls) target=$DATA/tree args=(--metadata-only) ;;
  esac
  t0=$(date +%s.%N)
  if "$AVAFS" warm -q "${args[@]}" "$target" > "$RDIR/avafs-warm-$workload.out" 2>&1; then
    t1=$(date +%s.%N)
    record avafs "$workload" warmup "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "{\"seconds\":%.4f}", b - a }')"
  else
    record avafs "$workload" warmup "$(jq -n --arg e "$(tail -c 300 "$RDIR/avafs-warm-$workload.out")" '{error:$e}')"
  fi
}

# ---------------------------------------------------------------------------- the run
machine_json > "$OUT/machine.json"
SOURCE=$(bench_source)
UPTIME_BEFORE=$(uptime)
ava_log "load before: $UPTIME_BEFORE"

# raw_baseline WORKLOAD: what Ava's S3Store alone gets from radosgw for the same data, measured
# just before the mounts read it (the load on this machine drifts): the 1 GiB object with K parallel
# ranged GETs; every small file with READERS parallel GETs; one flat LIST of tree/.
raw_baseline() {
  local workload=$1 out args=()
  case $workload in
    seq) args=(get --key big/big.bin --streams "$RAW_STREAMS" --part-size "$RAW_PART") ;;
    small) args=(get-many --list "$SMALL_LIST" --threads "$READERS") ;;
    ls) args=(list --prefix tree/) ;;
    *) return 0 ;;
  esac
  step "raw S3 baseline for $workload: avafs_bench_s3 ${args[*]}"
  if out=$("$S3TOOL" "${args[0]}" --endpoint "$ENDPOINT" --bucket "$BUCKET" "${args[@]:1}" 2> "$RDIR/raw-$workload.err"); then
    record raw_s3 "$workload" raw "$out"
    ava_log "raw S3 $workload: $out"
  else
    record raw_s3 "$workload" raw "$(jq -n --arg e "$(tail -c 300 "$RDIR/raw-$workload.err")" '{error:$e}')"
  fi
}

for ((ROUND = 1; ROUND <= ROUNDS; ROUND++)); do
  RDIR=$OUT/round-$ROUND
  mkdir -p "$RDIR"
  step "round $ROUND of $ROUNDS"
  read -r load1 load5 load15 _ < /proc/loadavg
  record machine load round_start "{\"load1\":$load1,\"load5\":$load5,\"load15\":$load15}"
  for workload in $WORKLOADS; do
    raw_baseline "$workload"
    for system in $SYSTEMS; do
      step "$workload on $system: cold (fresh mount, empty caches, page cache dropped), then warm (second pass)"
      if ! mount_system "$system" "$workload"; then
        record "$system" "$workload" cold '{"error":"mount failed"}'
        unmount_system "$system" "$workload"
        continue
      fi
      drop_caches
      run_one "$system" "$workload" cold
      run_one "$system" "$workload" warm
      [[ $workload != seq ]] || record_page_cache "$system"
      verify "$system" "$workload"
      unmount_system "$system" "$workload"
      if [[ $system == avafs ]]; then
        step "$workload on avafs after 'avafs warm' (fresh mount, warm-up, page cache dropped, one pass)"
        if mount_system avafs "$workload-warmed"; then
          avafs_warm "$workload"
          drop_caches
          run_one avafs "$workload" after_avafs_warm
        else
          record avafs "$workload" after_avafs_warm '{"error":"mount failed"}'
        fi
        unmount_system avafs "$workload-warmed"
      fi
    done
  done
done
UPTIME_AFTER=$(uptime)
ava_log "load after: $UPTIME_AFTER"
jq --arg start "$UPTIME_START" --arg before "$UPTIME_BEFORE" --arg after "$UPTIME_AFTER" --argjson dropped "$DROPPED" \
  --arg cmd "$COMMAND_LINE" --arg source "$SOURCE" \
  --arg ram "$AVAFS_RAM" --arg fb "$AVAFS_FETCH_BUFFERS" \
  --argjson readers "$READERS" --argjson streams "$RAW_STREAMS" --arg part "$RAW_PART" \
  --argjson r4 "$RAND4K_COUNT" --argjson r1 "$RAND1M_COUNT" --argjson rounds "$ROUNDS" \
  '. + {source:$source, uptime_at_start:$start, uptime_before:$before, uptime_after:$after, page_cache_dropped:$dropped, command:$cmd,
        avafs_ram_capacity:$ram, avafs_fetch_buffers:$fb, readers:$readers, raw_streams:$streams,
        raw_part:$part, rand4k_count:$r4, rand1m_count:$r1, rounds:$rounds}' "$OUT/machine.json" > "$OUT/run.json"

rm -f "$OUT"/round-*/ls.out
find "$OUT" -name '*.err' -empty -delete
step "results ($OUT)"
/usr/bin/python3 "$ROOT/bench/avafs/read_bench_report.py" "$OUT"
