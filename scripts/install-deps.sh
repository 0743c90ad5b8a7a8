#!/usr/bin/env bash
# install-deps.sh — installs every Debian 12 package Ava needs to build, test and run.
#   scripts/install-deps.sh           build + test dependencies (compilers, libraries, Ceph, FUSE)
#   scripts/install-deps.sh --bench   also the peers the benchmarks compare against (s3fs, rclone)
#   scripts/install-deps.sh --main-job  also what the main job trains with (PyTorch, Fashion-MNIST)
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export AVA_RUN_DIR=${AVA_RUN_DIR:-/tmp/ava-run}
# shellcheck source=lib/procs.sh
source "$HERE/lib/procs.sh"

build=(build-essential cmake ninja-build pkg-config git
  libfuse3-dev fuse3 libcurl4-openssl-dev libssl-dev libpugixml-dev nlohmann-json3-dev
  libsqlite3-dev libpq-dev libfmt-dev libcli11-dev libyaml-cpp-dev libxxhash-dev libcpp-httplib-dev
  libgtest-dev libgmock-dev libbenchmark-dev)
servers=(postgresql ceph-mon ceph-osd radosgw ceph-common uuid-runtime curl python3-boto3 attr)
bench=(s3fs rclone awscli)

pkgs=("${build[@]}" "${servers[@]}")
main_job=(python3-torch python3-torchvision python3-pil python3-numpy dataset-fashion-mnist)
for arg in "$@"; do
  case $arg in
    --bench) pkgs+=("${bench[@]}") ;;
    --main-job) pkgs+=("${main_job[@]}") ;;
  esac
done
ava_apt_install "${pkgs[@]}"
