#!/usr/bin/env bash
# demo.sh — Ava's main job on embedded defaults, from nothing on a Debian 12 machine:
# installs what it needs, builds, starts a throw-away Ceph S3 on 127.0.0.1, puts a sample dataset
# in a bucket and in a local directory, mounts both through avafs as one tree, warms the bucket
# with a progress bar, reads every file (checking each against its source), and prints the cache
# statistics. Everything it started is stopped by PID when it ends, also on failure or Ctrl-C.
#
#   scripts/demo.sh                 run it
#   AVA_DEMO_DIR=/somewhere scripts/demo.sh   keep its files there (default /tmp/ava-demo)
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export AVA_RUN_DIR=${AVA_DEMO_DIR:-/tmp/ava-demo}
export AVA_CEPH_DIR=$AVA_RUN_DIR/ceph-run
BUILD=${AVA_BUILD_DIR:-$ROOT/build-release}
# shellcheck source=lib/procs.sh
source "$ROOT/scripts/lib/procs.sh"

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "installing packages and building avafs (Release)"
"$ROOT/scripts/install-deps.sh"
cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release > "$BUILD.cmake.log" 2>&1 ||
  { cat "$BUILD.cmake.log"; exit 1; }
cmake --build "$BUILD" --target avafs -j"$(nproc)"
AVAFS=$BUILD/bin/avafs

MNT=$AVA_RUN_DIR/mnt
cleanup() {
  if mountpoint -q "$MNT" 2> /dev/null; then "$AVAFS" umount "$MNT" || true; fi
  ava_stop 20 avafs
  "$ROOT/scripts/ceph-s3.sh" stop
}
trap cleanup EXIT

step "starting a single-node Ceph with S3 (radosgw) on 127.0.0.1"
"$ROOT/scripts/ceph-s3.sh" start
eval "$("$ROOT/scripts/ceph-s3.sh" env)"

step "putting a sample dataset in s3://ava-demo and in a local directory"
LOCAL=$AVA_RUN_DIR/local-store
/usr/bin/python3 "$ROOT/examples/avafs/make_sample_dataset.py" --bucket ava-demo --local "$LOCAL"

step "mounting both through avafs at $MNT"
mkdir -p "$MNT" "$AVA_RUN_DIR/cache"
mountpoint -q "$MNT" && "$AVAFS" umount "$MNT"
sed -e "s#@ENDPOINT@#$AVA_S3_ENDPOINT#" -e "s#@LOCAL@#$LOCAL#" -e "s#@CACHE@#$AVA_RUN_DIR/cache#" \
  "$ROOT/examples/avafs/demo-mounts.yaml" > "$AVA_RUN_DIR/mounts.yaml"
ava_spawn avafs "$AVAFS" mount -f "$AVA_RUN_DIR/mounts.yaml" "$MNT"
ava_wait 30 "the avafs mount" getfattr -n user.avafs.control "$MNT"
ls -l "$MNT" "$MNT/ceph"

step "warming s3://ava-demo into the cache tiers"
"$AVAFS" warm "$MNT/ceph"

step "reading every file through the mount and checking it against its source"
/usr/bin/python3 "$ROOT/examples/avafs/make_sample_dataset.py" --verify "$MNT"

step "cache statistics"
"$AVAFS" stats "$MNT"
echo
echo "The demo mount stays until this script exits; its files are in $AVA_RUN_DIR."
