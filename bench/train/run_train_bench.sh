#!/usr/bin/env bash
# run_train_bench.sh — "does the accelerator wait?": the same Fashion-MNIST training
# (examples/fashion-mnist/train.py, same seed, threads and DataLoader workers) with its PNGs read
# from local disk, through avafs cold from radosgw, through avafs after `avafs warm`, through avafs
# on the second epoch (cache hit), and through s3fs and rclone mounts of the same bucket. Reports
# images/s and the fraction of step time spent waiting for data, per epoch; writes results.jsonl,
# summary.csv and summary.json. docs/benchmarks.md ("Training: does the accelerator wait?") has
# the method and results.
#
#   bench/train/run_train_bench.sh           the full run: 60,000 training images, 1 round
#   bench/train/run_train_bench.sh --quick   6,000 images (train.py --limit): checks the script works
#
# Options:
#   --quick              train on 6,000 of the 60,000 images (evenly spread)
#   --limit N            train on N images (0: all; --quick sets 6000)
#   --rounds N           repeat every configuration N times (default 1; the table shows medians)
#   --systems "LIST"     configurations in the order run, from: local avafs avafs_warm s3fs rclone
#                        (default "local avafs avafs_warm local s3fs rclone": local disk twice, to
#                        see how much the machine's load moved between the first and the last)
#   --workers N          DataLoader worker processes (default 2, train.py's default)
#   --threads N          torch CPU threads (default: nproc, torch's default on this machine)
#   --out DIR            where results go (default $AVA_BENCH_DIR/results-<date>)
#   --rev REV            build avafs from commit REV (git archive, own build dir); train.py and
#                        load_dataset.py always come from the working tree
#   --keep-ceph          leave the benchmark's Ceph running (with the dataset) for the next run
#   --no-install         do not install packages
#   -h, --help           this text
#
# Every configuration: a fresh mount (new daemon, empty caches), page cache dropped, then
# `train.py --epochs 2` (avafs_warm: `avafs warm` of train/, page cache dropped, --epochs 1).
# Epoch 1 is the cold (or warmed) read, epoch 2 reads what the first left in the caches.
#
# Environment: AVA_BENCH_DIR (default /tmp/ava-bench-train), AVA_BUILD_DIR (default build-bench),
# AVA_REV_DIR (where --rev builds; default AVA_BENCH_DIR), AVA_RGW_PORT (7493), AVA_MON_PORT
# (3313), AVA_MS_PORT_MIN/MAX (7600/7690): its own Ceph.
# Needs root (drop_caches, FUSE) and /dev/fuse. Every daemon it starts is recorded by PID and
# stopped by that PID at the end, also on failure or Ctrl-C.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
usage() { awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "${BASH_SOURCE[0]}"; }
COMMAND_LINE="bench/train/run_train_bench.sh${*:+ $*}"
UPTIME_START=$(uptime)

QUICK=0 KEEP_CEPH=0 INSTALL=1 OUT="" REV="" ROUNDS=1 LIMIT=""
SYSTEMS="local avafs avafs_warm local s3fs rclone"
WORKERS=2 THREADS=$(nproc)
while (($#)); do
  case $1 in
    --quick) QUICK=1 ;;
    --limit) LIMIT=${2:?--limit needs a number}; shift ;;
    --systems) SYSTEMS=${2:?--systems needs a list}; shift ;;
    --workers) WORKERS=${2:?--workers needs a number}; shift ;;
    --threads) THREADS=${2:?--threads needs a number}; shift ;;
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
for s in $SYSTEMS; do [[ $s =~ ^(local|avafs|avafs_warm|s3fs|rclone)$ ]] || { echo "unknown configuration '$s'" >&2; exit 2; }; done
for n in "$ROUNDS" "$WORKERS" "$THREADS"; do [[ $n =~ ^[0-9]+$ ]] || { echo "not a number: '$n'" >&2; exit 2; }; done
((ROUNDS >= 1 && THREADS >= 1)) || { echo "--rounds and --threads must be at least 1" >&2; exit 2; }
if ((QUICK)); then MODE=quick LIMIT=${LIMIT:-6000}; else MODE=full LIMIT=${LIMIT:-0}; fi
[[ $LIMIT =~ ^[0-9]+$ ]] || { echo "--limit needs a number" >&2; exit 2; }

# ------------------------------------------------------------------------------------ settings
SEED=1 BATCH=64 EPOCHS=2
AVAFS_RAM=1GiB AVAFS_FETCH_BUFFERS=256MiB AVAFS_SSD=8GiB
STEP_TIMEOUT=3600  # seconds one training may take before it is recorded as failed
PY=/usr/bin/python3  # Debian's torch belongs to this interpreter
EXAMPLE=$ROOT/examples/fashion-mnist

BENCH_DIR=${AVA_BENCH_DIR:-/tmp/ava-bench-train}
BUILD=${AVA_BUILD_DIR:-$ROOT/build-bench}
export AVA_RUN_DIR=$BENCH_DIR/run
export AVA_CEPH_DIR=$BENCH_DIR/ceph
export AVA_RGW_PORT=${AVA_RGW_PORT:-7493} AVA_MON_PORT=${AVA_MON_PORT:-3313}
export AVA_MS_PORT_MIN=${AVA_MS_PORT_MIN:-7600} AVA_MS_PORT_MAX=${AVA_MS_PORT_MAX:-7690}
BUCKET=ava-train-bench
LOCAL=$BENCH_DIR/local                        # load_dataset.py --dir: the local-disk configuration
MNT=$BENCH_DIR/mnt
CACHE=$BENCH_DIR/cache
OUT=${OUT:-$BENCH_DIR/results-$(date +%Y%m%d-%H%M%S)}
RESULTS=$OUT/results.jsonl
ROUND=0 RDIR=$OUT
# shellcheck source=../avafs/lib.sh
source "$ROOT/bench/avafs/lib.sh"

# ---------------------------------------------------------------------------- install and build
if ((INSTALL)); then
  step "installing packages (scripts/install-deps.sh --bench --main-job: peers, PyTorch, Pillow, Fashion-MNIST)"
  "$ROOT/scripts/install-deps.sh" --bench --main-job
fi
[[ -e /dev/fuse ]] || ava_die "no /dev/fuse: FUSE mounts are impossible here"
"$PY" -c 'import torch, PIL' 2> /dev/null || ava_die "$PY cannot import torch and PIL (run without --no-install)"
bench_build avafs
AVAFS=$BUILD/bin/avafs
mkdir -p "$OUT" "$MNT" "$CACHE" "$AVA_RUN_DIR"
: > "$RESULTS"

trap bench_cleanup EXIT
trap 'exit 130' INT TERM

bench_start_ceph
bench_peer_credentials

# ---------------------------------------------------------------------------- dataset
# Both loads are idempotent: a second run finds the manifest and every object and loads nothing.
step "dataset: Fashion-MNIST PNGs into s3://$BUCKET/fashion-mnist/ and $LOCAL/fashion-mnist/"
"$PY" "$EXAMPLE/load_dataset.py" --s3-bucket "$BUCKET" --endpoint "$ENDPOINT" 2>&1 | tail -n 3 >&2
"$PY" "$EXAMPLE/load_dataset.py" --dir "$LOCAL" 2>&1 | tail -n 3 >&2

# ---------------------------------------------------------------------------- mounts
# mount_system CONFIG PASS: a fresh mount with empty caches; sets TAG (names this pass's files),
# NAME (the daemon's PID record), DIR and DATA (the dataset root holding train/). For local, DATA
# is the local copy and nothing is started.
mount_system() {
  local config=$1 pass=$2
  TAG=$config-$pass NAME=$config-$pass DIR=$MNT/$config-$pass
  if [[ $config == local ]]; then DATA=$LOCAL/fashion-mnist NAME="" DIR=""; return 0; fi
  mkdir -p "$DIR"
  mountpoint -q "$DIR" && unmount "$NAME" "$DIR"
  rm -rf "${CACHE:?}/$NAME"
  mkdir -p "$CACHE/$NAME"
  case $config in
    avafs | avafs_warm)
      cat > "$CACHE/$NAME.yaml" << YAML
# a dataset that never changes: listings and file pages are kept for good
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
      DATA=$DIR/bench/fashion-mnist
      ;;
    s3fs) spawn_s3fs "$NAME" "$BUCKET" "$DIR" "$CACHE/$NAME"; DATA=$DIR/fashion-mnist ;;
    rclone) spawn_rclone "$NAME" "$BUCKET" "$DIR" "$CACHE/$NAME" full; DATA=$DIR/fashion-mnist ;;
  esac
  MOUNTED+=("$NAME $DIR")
  ava_poll 60 "the $config mount at $DIR" mountpoint -q "$DIR" &&
    ava_poll 60 "$config to show the dataset" test -e "$DATA/manifest.jsonl"
}

unmount_system() { # records the daemon's peak RSS (VmHWM), saves avafs's stats, unmounts
  local config=$1 hwm
  [[ $config != local ]] || return 0
  if hwm=$(peak_rss "$NAME"); then
    record "$config" rss "{\"peak_rss_bytes\":$hwm}"
    if [[ $config == avafs* ]]; then
      "$AVAFS" stats --json "$DIR" > "$RDIR/$NAME.stats.json" 2>&1 || true
      "$AVAFS" stats --prometheus "$DIR" > "$RDIR/$NAME.metrics.txt" 2>&1 || true
    fi
  else
    record_error "$config" rss "daemon died (log: $AVA_RUN_DIR/log/$NAME.log)"
  fi
  unmount "$NAME" "$DIR"
  forget_mount "$NAME" "$DIR"
  rm -rf "${CACHE:?}/$NAME"
  ava_log "$NAME unmounted, its daemon stopped and its caches removed"
}

record() { # record CONFIG PHASE JSON
  jq -c -n --arg c "$1" --arg p "$2" --argjson round "$ROUND" --argjson r "$3" \
    '{config:$c, phase:$p, round:$round} + $r' >> "$RESULTS"
}
record_error() { # record_error CONFIG PHASE MESSAGE
  record "$1" "$2" "$(jq -n --arg e "$3" '{error:$e}')"
  ava_log "$1 $2 FAILED: $3"
}

# cpu_seconds PIDFILE...: CPU time (user + system, seconds) used so far by the processes those PID
# records name (ignoring records of processes that are gone or were replaced).
cpu_seconds() {
  local total=0 f pid start ticks
  for f in "$@"; do
    [[ -s $f ]] || continue
    read -r pid start < "$f"
    [[ $(ava_proc_start "$pid") == "$start" ]] || continue
    # Fields after "pid (comm) ": state is 1, utime 12, stime 13.
    ticks=$(sed 's/^.*) //' "/proc/$pid/stat" | awk '{print $12 + $13}')
    total=$((total + ticks))
  done
  awk -v t="$total" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", t / hz }'
}
# busy_seconds: CPU time the whole machine spent not idle (all CPUs), from /proc/stat.
busy_seconds() { awk -v hz="$(getconf CLK_TCK)" '/^cpu / {printf "%.2f", ($2 + $3 + $4 + $7 + $8 + $9) / hz}' /proc/stat; }

# train CONFIG EPOCHS: train.py against $DATA; records one line per epoch (images/s, data wait,
# mean loss), the time train.py took to list the dataset, and the CPU time the storage (Ceph),
# the mount's daemon and the whole machine used while it ran.
train() {
  local config=$1 epochs=$2 rc=0 out=$RDIR/$TAG-train log=$RDIR/$TAG-train.log listed
  # Ceph's PID records are under its own directory (scripts/ceph-s3.sh), the mounts' under ours.
  local -a ceph=("$AVA_CEPH_DIR"/pids/ceph-*.pid) daemon=()
  [[ -z $NAME ]] || daemon=("$AVA_RUN_DIR/pids/$NAME.pid")
  local s0 d0 b0 t0
  s0=$(cpu_seconds "${ceph[@]}") d0=$(cpu_seconds "${daemon[@]}") b0=$(busy_seconds) t0=$(now)
  local args=(--data "$DATA" --out "$out" --epochs "$epochs" --seed "$SEED" --workers "$WORKERS"
    --threads "$THREADS" --batch-size "$BATCH")
  ((LIMIT == 0)) || args+=(--limit "$LIMIT")
  ava_log "$config: train.py ${args[*]}"
  timeout -k 30 "$STEP_TIMEOUT" "$PY" "$EXAMPLE/train.py" "${args[@]}" > "$log" 2>&1 || rc=$?
  if ((rc != 0)); then
    local why
    why=$(tail -c 300 "$log" | tr '\n"' ' \047')
    ((rc == 124)) && why="timed out after ${STEP_TIMEOUT}s; $why"
    record_error "$config" epoch "exit $rc: $why"
    return
  fi
  record "$config" cpu "$(jq -n --argjson s "$(cpu_seconds "${ceph[@]}")" --argjson s0 "$s0" \
    --argjson d "$(cpu_seconds "${daemon[@]}")" --argjson d0 "$d0" --argjson b "$(busy_seconds)" --argjson b0 "$b0" \
    --argjson t "$(now)" --argjson t0 "$t0" --argjson n "$(nproc)" \
    '{storage_s: ($s - $s0), daemon_s: ($d - $d0), machine_busy_s: ($b - $b0), wall_s: ($t - $t0), cpus: $n}')"
  listed=$(sed -n 's/.*(listed in \([0-9.]*\) s).*/\1/p' "$log" | head -1)
  [[ -z $listed ]] || record "$config" listing "{\"seconds\":$listed}"
  jq -c '.epochs[]' "$out/train.json" | while read -r e; do record "$config" epoch "$e"; done
  grep 'done:' "$log" | sed "s/^/  $config: /" >&2
}

# avafs warm of train/, timed.
avafs_warm() {
  local t0 t1
  t0=$(now)
  if "$AVAFS" warm -q "$DATA/train" > "$RDIR/$NAME.warm.out" 2>&1; then
    t1=$(now)
    record avafs_warm warmup "$(jq -n --argjson a "$t0" --argjson b "$t1" '{seconds: ($b - $a)}')"
    ava_log "avafs warm of train/: $(tail -1 "$RDIR/$NAME.warm.out")"
  else
    record_error avafs_warm warmup "$(tail -c 300 "$RDIR/$NAME.warm.out" | tr '\n"' ' \047')"
    return 1
  fi
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
  pass=0
  for config in $SYSTEMS; do
    pass=$((pass + 1))
    step "$config: fresh mount, empty caches, page cache dropped, train.py"
    read -r load1 load5 load15 _ < /proc/loadavg
    record "$config" load "{\"load1\":$load1,\"load5\":$load5,\"load15\":$load15}"
    if ! mount_system "$config" "$pass"; then
      record_error "$config" epoch "mount failed (log: $AVA_RUN_DIR/log/$NAME.log)"
      unmount_system "$config"
      continue
    fi
    epochs=$EPOCHS
    if [[ $config == avafs_warm ]]; then
      epochs=1 # its second epoch would repeat avafs's
      avafs_warm || { unmount_system "$config"; continue; }
    fi
    drop_caches
    ava_log "page cache dropped"
    train "$config" "$epochs"
    unmount_system "$config"
  done
done
UPTIME_AFTER=$(uptime)
ava_log "load after: $UPTIME_AFTER"
jq --arg start "$UPTIME_START" --arg before "$UPTIME_BEFORE" --arg after "$UPTIME_AFTER" --argjson dropped "$DROPPED" \
  --arg cmd "$COMMAND_LINE" --arg source "$SOURCE" --argjson seed "$SEED" --argjson batch "$BATCH" \
  --argjson workers "$WORKERS" --argjson threads "$THREADS" --argjson limit "$LIMIT" --argjson rounds "$ROUNDS" \
  --arg ram "$AVAFS_RAM" --arg fb "$AVAFS_FETCH_BUFFERS" --arg torch "$("$PY" -c 'import torch; print(torch.__version__)')" \
  --arg gpu "$("$PY" -c 'import torch; print(torch.cuda.get_device_name(0) if torch.cuda.is_available() else "none (CPU)")')" \
  '. + {source:$source, uptime_at_start:$start, uptime_before:$before, uptime_after:$after, page_cache_dropped:$dropped,
        command:$cmd, seed:$seed, batch_size:$batch, workers:$workers, threads:$threads, limit:$limit, rounds:$rounds,
        avafs_ram_capacity:$ram, avafs_fetch_buffers:$fb, torch:$torch, gpu:$gpu}' "$OUT/machine.json" > "$OUT/run.json"
step "results ($OUT)"
"$PY" "$ROOT/bench/train/train_bench_report.py" "$OUT"
