#!/usr/bin/env bash
# test.sh — builds Ava and runs the whole test suite on this machine, from nothing:
# installs the Debian packages, builds into build/, starts a throw-away Ceph with S3 and a throw-away
# PostgreSQL on 127.0.0.1, runs every test (unit, integration against radosgw and PostgreSQL, FUSE
# mounts, end to end with avad and agents, and the main job training on Fashion-MNIST) and stops both
# by PID, also on failure or Ctrl-C.
#
#   scripts/test.sh                 everything
#   scripts/test.sh -L unit         only tests labelled unit (ctest arguments pass through)
#   AVA_BUILD_DIR=build-asan AVA_SANITIZE=address scripts/test.sh     under ASan+UBSan
#   AVA_BUILD_DIR=build-tsan AVA_SANITIZE=thread scripts/test.sh -L unit   under TSan
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${AVA_BUILD_DIR:-$ROOT/build}
export AVA_RUN_DIR=${AVA_RUN_DIR:-/tmp/ava-test-run}
# shellcheck source=lib/procs.sh
source "$ROOT/scripts/lib/procs.sh"

"$ROOT/scripts/install-deps.sh" --main-job
cmake -S "$ROOT" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=${AVA_BUILD_TYPE:-RelWithDebInfo} \
  -DAVA_SANITIZE="${AVA_SANITIZE:-}" > "$BUILD.cmake.log" 2>&1 || { cat "$BUILD.cmake.log"; exit 1; }
cmake --build "$BUILD" -j"$(nproc)"

export AVA_CEPH_DIR=${AVA_CEPH_DIR:-/tmp/ava-test-ceph} AVA_PG_DIR=${AVA_PG_DIR:-/tmp/ava-test-pg}
trap '"$ROOT/scripts/ceph-s3.sh" stop; "$ROOT/scripts/postgres.sh" stop' EXIT
"$ROOT/scripts/ceph-s3.sh" start
eval "$("$ROOT/scripts/ceph-s3.sh" env)"
"$ROOT/scripts/postgres.sh" start
eval "$("$ROOT/scripts/postgres.sh" env)"
export AVA_SOURCE_DIR=$ROOT AVA_BINARY_DIR=$BUILD

cd "$BUILD"
ctest --output-on-failure -j"$(nproc)" --timeout 900 "$@"
