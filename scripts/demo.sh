#!/usr/bin/env bash
# demo.sh — Ava's main job, from nothing, on one Debian 12 machine with embedded defaults:
#
#   1. installs what it needs (apt), builds avafs, avad, ava-agent and ava (Release);
#   2. loads Fashion-MNIST (Debian's dataset-fashion-mnist) into a local-directory store as 70,000
#      PNG files in class folders with a manifest (a second run finds them and loads nothing);
#   3. starts avad (SQLite) and one ava-agent — this machine's GPUs through NVML, or, without an
#      NVIDIA driver, a declared inventory of one virtual GPU so the same job spec runs on the CPU;
#      the agent mounts the dataset store (read-only) and an outputs store (writable, durable tier
#      on local disk) through avafs;
#   4. warms the dataset into avafs's RAM and SSD tiers (`avafs warm`, with a progress bar);
#   5. submits examples/fashion-mnist/train.yaml (one epoch of a small CNN with a PyTorch
#      DataLoader reading the PNGs through avafs) and follows its log to the end;
#   6. submits examples/fashion-mnist/evaluate.yaml, which stores a report (accuracy, per-class
#      precision/recall, confusion matrix) with the job, and prints it;
#   7. prints the queue, the GPU pool, avafs's cache statistics and where the report is.
# Everything it started is stopped by PID when it ends, also on failure or Ctrl-C.
#
#   scripts/demo.sh                    as above
#   scripts/demo.sh --ceph             the dataset in a bucket of a local Ceph (radosgw) instead
#   scripts/demo.sh --summary FILE     also write a JSON summary (used by the tests)
#   AVA_DEMO_DIR=DIR                   where it keeps its state (default /tmp/ava-demo)
#   AVA_BUILD_DIR=DIR                  use (and update) this build directory (default build-release)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
D=${AVA_DEMO_DIR:-/tmp/ava-demo}
BUILD=${AVA_BUILD_DIR:-$ROOT/build-release}
export AVA_RUN_DIR=$D/run
# shellcheck source=lib/procs.sh
source "$ROOT/scripts/lib/procs.sh"

CEPH=0
SUMMARY=
while (($#)); do
  case $1 in
    --ceph) CEPH=1 ;;
    --summary) SUMMARY=$2; shift ;;
    -h|--help) sed -n '2,25p' "$0"; exit 0 ;;
    *) echo "demo.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
NODE=$(hostname -s 2> /dev/null || echo node1)
MNT=$D/mnt
PORT=${AVA_DEMO_PORT:-7077}
export AVA_CEPH_DIR=$D/ceph-run

cleanup() {
  set +e
  ava_stop 30 ava-agent
  # The agent leaves avafs running only if a job still runs; after it stopped nothing should.
  if mountpoint -q "$MNT" 2> /dev/null; then fusermount3 -u "$MNT" 2> /dev/null || umount -l "$MNT"; fi
  if [[ -s $D/agent/avafs/daemon.json ]]; then
    pid=$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["pid"])' "$D/agent/avafs/daemon.json" 2> /dev/null)
    [[ -n $pid ]] && kill -0 "$pid" 2> /dev/null && kill -TERM "$pid"
  fi
  ava_stop 20 avad
  ((CEPH)) && "$ROOT/scripts/ceph-s3.sh" stop
}
trap cleanup EXIT

step "installing packages and building Ava (Release) into $BUILD"
"$ROOT/scripts/install-deps.sh" --main-job
if [[ ! -f $BUILD/build.ninja ]]; then
  cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release > "$BUILD.cmake.log" 2>&1 ||
    { cat "$BUILD.cmake.log"; exit 1; }
fi
cmake --build "$BUILD" --target avafs avad ava ava-agent -j"$(nproc)"
export PATH=$BUILD/bin:$PATH
mkdir -p "$D"/{stores/datasets,stores/outputs,durable,avad,agent,config,jobs} "$MNT"

step "loading Fashion-MNIST into the dataset store"
if ((CEPH)); then
  "$ROOT/scripts/ceph-s3.sh" start
  eval "$("$ROOT/scripts/ceph-s3.sh" env)"
  /usr/bin/python3 "$ROOT/examples/fashion-mnist/load_dataset.py" --s3-bucket ava-datasets --endpoint "$AVA_S3_ENDPOINT"
  DATASET_STORE="{uri: \"s3://ava-datasets\", endpoint: \"$AVA_S3_ENDPOINT\"}"
else
  /usr/bin/python3 "$ROOT/examples/fashion-mnist/load_dataset.py" --dir "$D/stores/datasets"
  DATASET_STORE="{uri: \"file://$D/stores/datasets\"}"
fi

step "starting avad (SQLite in $D/avad) on 127.0.0.1:$PORT"
if [[ ! -s $D/admin.token ]]; then
  avad init --state-dir "$D/avad" | tee "$D/avad-init.txt" | grep -v '^ava_' || true
  grep '^ava_' "$D/avad-init.txt" > "$D/admin.token"
fi
[[ -s $D/agent.token ]] || avad node-token "$NODE" --state-dir "$D/avad" > "$D/agent.token"
ava_spawn avad avad --state-dir "$D/avad" --listen "127.0.0.1:$PORT" --log-file "$D/avad.log"
ava_wait 30 "avad on 127.0.0.1:$PORT" curl -sf "http://127.0.0.1:$PORT/healthz"
export XDG_CONFIG_HOME=$D/config
ava login "http://127.0.0.1:$PORT" --token "$(cat "$D/admin.token")" > /dev/null

step "starting ava-agent for node $NODE (its avafs tree at $MNT)"
INVENTORY_LINE=
if ! ava-agent discover > "$D/discovered.json" 2> "$D/discover.err"; then
  # No NVIDIA driver here: declare this machine with one virtual GPU so the job spec is the same
  # as on a GPU machine; the job finds no CUDA device and trains on the CPU.
  mem_kib=$(awk '/^MemTotal/ {print $2}' /proc/meminfo)
  cat > "$D/inventory.yaml" <<INV
# This machine as the demo declares it: $(nproc) CPUs, its memory, and one virtual GPU (no NVIDIA
# driver was found: $(head -c 200 "$D/discover.err" | tr '\n' ' '))
nodes:
  - name: $NODE
    cpu: $(nproc)
    memory: $((mem_kib / 1024))MiB
    gpu: {model: virtual, memory: 1GiB, count: 1}
INV
  INVENTORY_LINE="inventory: $D/inventory.yaml"
  echo "no NVIDIA driver found: declaring one virtual GPU ($D/inventory.yaml)"
fi
cat > "$D/agent.yaml" <<CFG
server: http://127.0.0.1:$PORT
token_file: $D/agent.token
node: $NODE
$INVENTORY_LINE
state_dir: $D/agent
log_file: $D/agent.log
avafs:
  binary: $BUILD/bin/avafs
  mount_point: $MNT
  table:
    metadata_ttl: indefinite
    cache: {ram_capacity: 512MiB, ssd_dir: "$D/cache", ssd_capacity: 2GiB}
    mounts:
      - name: dataset
        store: $DATASET_STORE
      - name: outputs
        store: {uri: "file://$D/stores/outputs"}
        writable: {durable: {uri: "file://$D/durable"}, state_dir: "$D/writeback", upload_delay: 5s}
CFG
ava_spawn ava-agent ava-agent --config "$D/agent.yaml"
ava_wait 60 "node $NODE to register" bash -c "ava node list --json | grep -q '\"state\": *\"up\"'"
ava_wait 60 "the avafs tree at $MNT" mountpoint -q "$MNT"

step "warming the dataset into the cache tiers: avafs warm $MNT/dataset/fashion-mnist"
avafs warm "$MNT/dataset/fashion-mnist"

step "training: ava job submit examples/fashion-mnist/train.yaml"
ava job submit "$ROOT/examples/fashion-mnist/train.yaml" | tee "$D/train.out"
TRAIN_ID=$(awk '/^job [0-9]+ submitted/ {print $2; exit}' "$D/train.out")

step "evaluating: ava job submit examples/fashion-mnist/evaluate.yaml"
ava job submit "$ROOT/examples/fashion-mnist/evaluate.yaml" | tee "$D/evaluate.out"
EVAL_ID=$(awk '/^job [0-9]+ submitted/ {print $2; exit}' "$D/evaluate.out")
ava job show "$EVAL_ID"

step "the queue"
ava queue
step "the GPU pool"
ava gpu list
step "avafs cache statistics (the agent's tree at $MNT)"
avafs stats "$MNT"
avafs flush "$MNT/outputs/fashion-mnist" > /dev/null
step "where things are"
cat <<EOF2
report        ava job show $EVAL_ID   (stored in avad; also $D/stores/outputs/fashion-mnist/report.json)
checkpoint    $D/durable/fashion-mnist/model.pt (durable tier), uploaded to $D/stores/outputs/fashion-mnist/
job logs      ava job logs $TRAIN_ID, ava job logs $EVAL_ID   (XDG_CONFIG_HOME=$D/config for this server)
state         $D   (run it again: the dataset is not loaded twice)
EOF2

if [[ -n $SUMMARY ]]; then
  ava job show --json "$EVAL_ID" > "$D/eval.json"
  ava job show --json "$TRAIN_ID" > "$D/train.json"
  avafs stats --json "$MNT" > "$D/avafs-stats.json"
  /usr/bin/python3 - "$SUMMARY" "$D" "$TRAIN_ID" "$EVAL_ID" <<'PY'
import json, sys
out, d, train_id, eval_id = sys.argv[1:5]
summary = {
    "train_job": json.load(open(f"{d}/train.json")),
    "eval_job": json.load(open(f"{d}/eval.json")),
    "avafs_stats": json.load(open(f"{d}/avafs-stats.json")),
    "durable_checkpoint": f"{d}/durable/fashion-mnist/model.pt",
    "cloud_checkpoint": f"{d}/stores/outputs/fashion-mnist/model.pt",
    "train_summary": f"{d}/durable/fashion-mnist/train.json",
    "dataset_manifest": f"{d}/stores/datasets/fashion-mnist/manifest.jsonl",
    "avafs_metrics_mount": f"{d}/mnt",
}
json.dump(summary, open(out, "w"), indent=2)
PY
fi
