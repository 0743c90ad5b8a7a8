#!/usr/bin/env bash
# run_write_bench.sh — the avafs write-path benchmark: avafs (durable tier on the same radosgw, and
# on a local directory), s3fs, rclone (--vfs-cache-mode writes) and local disk, in one run against
# one radosgw, plus a raw multi-stream PUT of the same bytes through Ava's own S3Store. Measures
# the time until close() returns and, separately, until the data is in the bucket. Prints a
# table of absolute numbers and ratios; writes results.jsonl, summary.csv and summary.json.
# docs/benchmarks.md ("avafs write path") has the method and results.
#
#   bench/avafs/run_write_bench.sh            the full run (1 GiB file, 10,000 × 100 KiB, 3 rounds)
#   bench/avafs/run_write_bench.sh --quick    a scaled-down run (a few minutes) to check the script works
#
# Options:
#   --quick              64 MiB file, 500 small files, 1 round
#   --rounds N           repeat every measurement N times (default 3; the table shows medians)
#   --systems "LIST"     from: raw local avafs avafs_local s3fs rclone (default: all)
#   --workloads "LIST"   from: big small (default: both)
#   --out DIR            where results go (default $AVA_BENCH_DIR/results-<date>)
#   --rev REV            build avafs and the tools from commit REV (git archive, own build dir)
#                        instead of the working tree: measures committed code while others edit
#   --keep-ceph          leave the benchmark's Ceph running for the next run
#   --no-install         do not run scripts/install-deps.sh --bench
#   -h, --help           this text
#
# Environment: AVA_BENCH_DIR (default /tmp/ava-bench-write: Ceph, staging, caches, mounts),
# AVA_BUILD_DIR (default build-bench, configured Release), AVA_REV_DIR (where --rev builds; default
# AVA_BENCH_DIR), AVA_RGW_PORT (7492), AVA_MON_PORT (3312), AVA_MS_PORT_MIN/MAX (7500/7590) — its
# own Ceph, away from the shared one and the read bench's.
#
# Needs /dev/fuse and root (for FUSE mounts by s3fs/rclone and for radosgw-admin). Every daemon it
# starts is recorded by PID and stopped by that PID at the end, also on failure or Ctrl-C.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
usage() { awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "${BASH_SOURCE[0]}"; }
COMMAND_LINE="bench/avafs/run_write_bench.sh${*:+ $*}"
# Before this script adds load of its own (build, Ceph): what others put on the machine.
UPTIME_START=$(uptime)

QUICK=0 KEEP_CEPH=0 INSTALL=1 OUT="" REV="" ROUNDS=""
SYSTEMS="raw local avafs avafs_local s3fs rclone"
WORKLOADS="big small"
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
for s in $SYSTEMS; do [[ $s =~ ^(raw|local|avafs|avafs_local|s3fs|rclone)$ ]] || { echo "unknown system '$s'" >&2; exit 2; }; done
for w in $WORKLOADS; do [[ $w =~ ^(big|small)$ ]] || { echo "unknown workload '$w'" >&2; exit 2; }; done
[[ -z $ROUNDS || $ROUNDS =~ ^[1-9][0-9]*$ ]] || { echo "--rounds needs a positive number" >&2; exit 2; }

# ------------------------------------------------------------------------------------ settings
if ((QUICK)); then
  MODE=quick BIG_SIZE=64MiB SMALL_COUNT=500 ROUNDS=${ROUNDS:-1}
else
  MODE=full BIG_SIZE=1GiB SMALL_COUNT=10000 ROUNDS=${ROUNDS:-3}
fi
SMALL_SIZE=100KiB
WRITE_SIZE=4MiB    # bytes per write(2) of the big file
WRITERS=8          # N parallel writers of the small files
RAW_STREAMS=8      # K parts in flight of the raw multipart PUT (and PUTs in flight for small files)
RAW_PART=16MiB     # part size of the raw PUT = avafs's upload_part_size (its durable-tier part size too)
UPLOAD_THREADS=8   # avafs upload_threads (default 4): as many as K
# Nothing is uploaded before 'avafs flush': close() times are write-through alone, and the flush
# time is the upload alone. (upload_delay 1h is far longer than any measurement.)
UPLOAD_DELAY=1h
AVAFS_RAM=1GiB AVAFS_SSD=8GiB
STEP_TIMEOUT=1800  # seconds one measurement may take before it is recorded as failed

BENCH_DIR=${AVA_BENCH_DIR:-/tmp/ava-bench-write}
BUILD=${AVA_BUILD_DIR:-$ROOT/build-bench}
export AVA_RUN_DIR=$BENCH_DIR/run             # PID files of the mounts
export AVA_CEPH_DIR=$BENCH_DIR/ceph
export AVA_RGW_PORT=${AVA_RGW_PORT:-7492} AVA_MON_PORT=${AVA_MON_PORT:-3312}
export AVA_MS_PORT_MIN=${AVA_MS_PORT_MIN:-7500} AVA_MS_PORT_MAX=${AVA_MS_PORT_MAX:-7590}
B_RAW=ava-write-raw B_DURABLE=ava-write-durable B_CLOUD=ava-write-cloud
B_S3FS=ava-write-s3fs B_RCLONE=ava-write-rclone
MNT=$BENCH_DIR/mnt
WORK=$BENCH_DIR/work                          # local-disk output, avafs state and durable dirs, caches
OUT=${OUT:-$BENCH_DIR/results-$(date +%Y%m%d-%H%M%S)}
RESULTS=$OUT/results.jsonl
ROUND=0 RDIR=$OUT
# shellcheck source=lib.sh
source "$ROOT/bench/avafs/lib.sh"

# ---------------------------------------------------------------------------- install and build
if ((INSTALL)); then step "installing peers (scripts/install-deps.sh --bench)"; "$ROOT/scripts/install-deps.sh" --bench; fi
[[ -e /dev/fuse ]] || ava_die "no /dev/fuse: FUSE mounts are impossible here"
bench_build avafs avafs_bench_s3 avafs_bench_write
AVAFS=$BUILD/bin/avafs
S3TOOL=$BUILD/bin/avafs_bench_s3
WRITE=$BUILD/bin/avafs_bench_write
mkdir -p "$OUT" "$MNT" "$WORK" "$AVA_RUN_DIR"
: > "$RESULTS"

trap bench_cleanup EXIT
trap 'exit 130' INT TERM

bench_start_ceph
bench_peer_credentials
export CEPH_CONF=$AVA_CEPH_DIR/ceph/ceph.conf   # for radosgw-admin below

# ---------------------------------------------------------------------------- helpers
record() { # record SYSTEM WORKLOAD PHASE JSON
  jq -c -n --arg s "$1" --arg w "$2" --arg p "$3" --argjson round "$ROUND" --argjson r "$4" \
    '{system:$s, workload:$w, phase:$p, round:$round} + $r' >> "$RESULTS"
}
record_error() { # record_error SYSTEM WORKLOAD PHASE MESSAGE
  record "$1" "$2" "$3" "$(jq -n --arg e "$4" '{error:$e}')"
  ava_log "$1 $2 $3 FAILED: $4"
}
s3tool() { "$S3TOOL" "$1" --endpoint "$ENDPOINT" "${@:2}"; }
# The shape flags of a workload for avafs_bench_s3 await/verify.
shape() { if [[ $1 == big ]]; then echo "--big-size $BIG_SIZE"; else echo "--small-count $SMALL_COUNT --small-size $SMALL_SIZE"; fi; }

# Empty buckets, and radosgw's garbage collector run at once: the OSD keeps its data in RAM
# (memstore) and deleted multipart objects would otherwise hold it for minutes.
reset_buckets() {
  local b
  for b in "$@"; do s3tool reset --bucket "$b" || ava_die "cannot empty s3://$b"; done
  radosgw-admin gc process --include-all > /dev/null 2>&1 || ava_log "radosgw-admin gc process failed (memory is freed later)"
}

# mount_system SYSTEM WORKLOAD: a fresh mount with empty state, caches and buckets; sets NAME, DIR,
# DATA (where the writer writes), CLOUD (the bucket the data must end up in) and DURABLE (avafs's
# durable bucket, or "").
mount_system() {
  local system=$1 workload=$2 durable_uri
  NAME=$system-$workload DIR=$MNT/$NAME CLOUD="" DURABLE=""
  rm -rf "${WORK:?}/$NAME"
  mkdir -p "$WORK/$NAME" "$DIR"
  mountpoint -q "$DIR" && unmount "$NAME" "$DIR"
  case $system in
    local) DATA=$WORK/$NAME/out; mkdir -p "$DATA"; return 0 ;;
    avafs | avafs_local)
      CLOUD=$B_CLOUD
      if [[ $system == avafs ]]; then
        DURABLE=$B_DURABLE
        durable_uri="{ uri: \"s3://$B_DURABLE\", endpoint: \"$ENDPOINT\" }"
        reset_buckets "$B_CLOUD" "$B_DURABLE"
      else
        mkdir -p "$WORK/$NAME/durable"
        durable_uri="{ uri: \"file://$WORK/$NAME/durable\" }"
        reset_buckets "$B_CLOUD"
      fi
      cat > "$WORK/$NAME.yaml" << YAML
cache:
  ram_capacity: $AVAFS_RAM
  ssd_dir: $WORK/$NAME/ssd
  ssd_capacity: $AVAFS_SSD
mounts:
  - name: bench
    store: { uri: "s3://$B_CLOUD", endpoint: "$ENDPOINT" }
    writable:
      durable: $durable_uri
      state_dir: $WORK/$NAME/state
      upload_delay: $UPLOAD_DELAY
      upload_threads: $UPLOAD_THREADS
      upload_part_size: $RAW_PART
YAML
      ava_spawn "$NAME" "$AVAFS" mount -f --log-file "$RDIR/$NAME.log" "$WORK/$NAME.yaml" "$DIR"
      DATA=$DIR/bench
      ;;
    s3fs)
      CLOUD=$B_S3FS
      reset_buckets "$CLOUD"
      spawn_s3fs "$NAME" "$CLOUD" "$DIR" "$WORK/$NAME/cache"
      DATA=$DIR
      ;;
    rclone)
      CLOUD=$B_RCLONE
      reset_buckets "$CLOUD"
      # --vfs-cache-mode writes: files are written to the cache directory and uploaded after close,
      # --vfs-write-back (default 5s) later, --transfers (default 4) at a time.
      spawn_rclone "$NAME" "$CLOUD" "$DIR" "$WORK/$NAME/cache" writes
      DATA=$DIR
      ;;
  esac
  MOUNTED+=("$NAME $DIR")
  ava_poll 60 "the $system mount at $DIR" mountpoint -q "$DIR" && ava_poll 30 "$DATA" test -d "$DATA"
}

# unmount_system SYSTEM WORKLOAD: records the daemon's peak RSS (VmHWM), then unmounts.
unmount_system() {
  local system=$1 workload=$2 hwm
  [[ $system != local ]] || { rm -rf "${WORK:?}/$NAME"; return 0; }
  if hwm=$(peak_rss "$NAME"); then
    record "$system" "$workload" rss "{\"peak_rss_bytes\":$hwm}"
    if [[ $system == avafs* ]]; then
      "$AVAFS" stats --json "$DIR" > "$RDIR/$NAME.stats.json" 2>&1 || true
      "$AVAFS" stats --prometheus "$DIR" > "$RDIR/$NAME.metrics.txt" 2>&1 || true
    fi
  else
    record_error "$system" "$workload" rss "daemon died (log: $AVA_RUN_DIR/log/$NAME.log)"
  fi
  unmount "$NAME" "$DIR"
  forget_mount "$NAME" "$DIR"
  rm -rf "${WORK:?}/$NAME"
}

# write_pass SYSTEM WORKLOAD PHASE [--fsync]: the writer against $DATA; records its JSON as PHASE
# and leaves it in WROTE (empty on failure).
write_pass() {
  local system=$1 workload=$2 phase=$3 log rc=0
  shift 3
  log=$RDIR/$system-$workload-$phase.err
  WROTE=""
  sync # what earlier steps left dirty is not written back during this one
  if [[ $workload == big ]]; then
    WROTE=$(timeout -k 30 "$STEP_TIMEOUT" "$WRITE" big "$DATA" --size "$BIG_SIZE" --write-size "$WRITE_SIZE" "$@" 2> "$log") || rc=$?
  else
    WROTE=$(timeout -k 30 "$STEP_TIMEOUT" "$WRITE" files "$DATA" --count "$SMALL_COUNT" --size "$SMALL_SIZE" \
      --threads "$WRITERS" "$@" 2> "$log") || rc=$?
  fi
  if ((rc == 0)); then
    record "$system" "$workload" "$phase" "$WROTE"
    ava_log "$system $workload $phase: $WROTE"
  else
    WROTE=""
    local why
    why=$(tail -c 300 "$log" | tr '\n"' ' \047')
    ((rc == 124)) && why="timed out after ${STEP_TIMEOUT}s; $why"
    record_error "$system" "$workload" "$phase" "exit $rc: $why"
  fi
}

# in_cloud SYSTEM WORKLOAD: after the writer returned, when is the data in the cloud bucket?
# avafs: 'avafs flush' (uploads everything now and waits), then a listing that must find it all.
# s3fs, rclone: poll listings until every object is there with its size. Times are from the
# writer's start (start_epoch) and from its last close (end_epoch).
in_cloud() {
  local system=$1 workload=$2 start end t0 t1 out
  start=$(jq -r .start_epoch <<< "$WROTE")
  end=$(jq -r .end_epoch <<< "$WROTE")
  if [[ $system == avafs* ]]; then
    t0=$(now)
    if ! "$AVAFS" flush --timeout "$STEP_TIMEOUT" "$DATA" > "$RDIR/$NAME.flush.out" 2>&1; then
      record_error "$system" "$workload" in_cloud "avafs flush: $(tail -c 300 "$RDIR/$NAME.flush.out" | tr '\n"' ' \047')"
      return 1
    fi
    t1=$(now)
    record "$system" "$workload" flush "$(jq -n --argjson a "$t0" --argjson b "$t1" '{seconds: ($b - $a)}')"
  fi
  # shellcheck disable=SC2046
  if ! out=$(s3tool await --bucket "$CLOUD" $(shape "$workload") --timeout "$STEP_TIMEOUT" 2> "$RDIR/$NAME.await.err"); then
    record_error "$system" "$workload" in_cloud "$(tail -c 300 "$RDIR/$NAME.await.err" | tr '\n"' ' \047')"
    return 1
  fi
  if [[ $system == avafs* ]]; then
    # Everything must already be listed once flush returned: the first poll finds it.
    [[ $(jq .polls <<< "$out") == 1 ]] ||
      record_error "$system" "$workload" in_cloud_check "objects were missing after avafs flush returned: $out"
    local listed=$t1
  else
    local listed
    listed=$(jq .end_epoch <<< "$out")
  fi
  record "$system" "$workload" in_cloud "$(jq -n --argjson s "$start" --argjson e "$end" --argjson l "$listed" \
    --argjson polls "$(jq .polls <<< "$out")" '{seconds: ($l - $s), after_close_seconds: ($l - $e), polls: $polls}')"
  ava_log "$system $workload: in s3://$CLOUD $(jq -n --argjson s "$start" --argjson l "$listed" '$l - $s | . * 100 | round / 100') s after the first write"
}

# verify SYSTEM WORKLOAD BUCKET...: the bytes in each bucket are the ones written (outside timing).
verify() {
  local system=$1 workload=$2 b
  shift 2
  for b in "$@"; do
    # shellcheck disable=SC2046
    s3tool verify --bucket "$b" $(shape "$workload") > /dev/null 2> "$RDIR/verify.err" ||
      record_error "$system" "$workload" verify "s3://$b: $(tail -c 300 "$RDIR/verify.err" | tr '\n"' ' \047')"
  done
}

raw_put() {
  local workload=$1 out
  reset_buckets "$B_RAW"
  sync
  if [[ $workload == big ]]; then
    out=$(s3tool put --bucket "$B_RAW" --size "$BIG_SIZE" --streams "$RAW_STREAMS" --part-size "$RAW_PART" 2> "$RDIR/raw-$workload.err") || out=""
  else
    out=$(s3tool put-many --bucket "$B_RAW" --count "$SMALL_COUNT" --size "$SMALL_SIZE" --threads "$RAW_STREAMS" 2> "$RDIR/raw-$workload.err") || out=""
  fi
  if [[ -n $out ]]; then
    record raw "$workload" close "$out"
    ava_log "raw S3 PUT $workload: $out"
    verify raw "$workload" "$B_RAW"
  else
    record_error raw "$workload" close "$(tail -c 300 "$RDIR/raw-$workload.err" | tr '\n"' ' \047')"
  fi
  reset_buckets "$B_RAW"
}

measure() { # measure SYSTEM WORKLOAD
  local system=$1 workload=$2
  if [[ $system == raw ]]; then raw_put "$workload"; return; fi
  step "$workload on $system: fresh mount, empty buckets; write until close returns, then until it is in the bucket"
  if ! mount_system "$system" "$workload"; then
    record_error "$system" "$workload" close "mount failed (log: $AVA_RUN_DIR/log/$NAME.log)"
    unmount_system "$system" "$workload"
    return
  fi
  if [[ $system == local ]]; then
    write_pass local "$workload" close --fsync           # durable at close, like avafs
    rm -rf "${DATA:?}"/*
    write_pass local "$workload" close_nofsync           # the page cache's speed
    unmount_system local "$workload"
    return
  fi
  write_pass "$system" "$workload" close
  if [[ -n $WROTE ]] && in_cloud "$system" "$workload"; then
    if [[ -n $DURABLE ]]; then verify "$system" "$workload" "$CLOUD" "$DURABLE"; else verify "$system" "$workload" "$CLOUD"; fi
  fi
  unmount_system "$system" "$workload"
  [[ -z $CLOUD ]] || reset_buckets "$CLOUD" ${DURABLE:+"$DURABLE"}
}

# ---------------------------------------------------------------------------- the run
machine_json > "$OUT/machine.json"
SOURCE=$(bench_source)
UPTIME_BEFORE=$(uptime)
ava_log "load before: $UPTIME_BEFORE"
for ((ROUND = 1; ROUND <= ROUNDS; ROUND++)); do
  RDIR=$OUT/round-$ROUND
  mkdir -p "$RDIR"
  step "round $ROUND of $ROUNDS"
  read -r load1 load5 load15 _ < /proc/loadavg
  record machine load round_start "{\"load1\":$load1,\"load5\":$load5,\"load15\":$load15}"
  for workload in $WORKLOADS; do
    for system in $SYSTEMS; do measure "$system" "$workload"; done
  done
done
UPTIME_AFTER=$(uptime)
ava_log "load after: $UPTIME_AFTER"
jq --arg start "$UPTIME_START" --arg before "$UPTIME_BEFORE" --arg after "$UPTIME_AFTER" \
  --arg cmd "$COMMAND_LINE" --arg source "$SOURCE" --arg big "$BIG_SIZE" --argjson small "$SMALL_COUNT" \
  --arg small_size "$SMALL_SIZE" --arg ws "$WRITE_SIZE" --argjson writers "$WRITERS" \
  --argjson streams "$RAW_STREAMS" --arg part "$RAW_PART" --argjson ut "$UPLOAD_THREADS" \
  --arg delay "$UPLOAD_DELAY" --argjson rounds "$ROUNDS" \
  '. + {source:$source, uptime_at_start:$start, uptime_before:$before, uptime_after:$after, command:$cmd,
        big_size:$big, small_count:$small, small_size:$small_size, write_size:$ws, writers:$writers,
        raw_streams:$streams, raw_part:$part, avafs_upload_threads:$ut, avafs_upload_delay:$delay, rounds:$rounds}' \
  "$OUT/machine.json" > "$OUT/run.json"
find "$OUT" -name '*.err' -empty -delete
step "results ($OUT)"
/usr/bin/python3 "$ROOT/bench/avafs/write_bench_report.py" "$OUT"
