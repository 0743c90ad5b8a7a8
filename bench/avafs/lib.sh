# Shell helpers shared by Ava's peer-comparison benchmarks (bench/avafs/run_read_bench.sh,
# bench/avafs/run_write_bench.sh, bench/train/run_train_bench.sh): build from the working tree or
# from a commit, the benchmark's own Ceph, peer mounts (s3fs, rclone), clean-up by recorded PID,
# machine description, page-cache drop, peak RSS of a daemon.
#
# Source it after setting ROOT (the checkout), BENCH_DIR, REV ("" = working tree), KEEP_CEPH,
# MODE and exporting AVA_RUN_DIR, AVA_CEPH_DIR and the port variables; it sources
# scripts/lib/procs.sh. It defines functions only, plus MOUNTED=() and DROPPED=true. Every
# process started through it is recorded by PID and stopped by that PID (bench_cleanup, which the
# caller installs as its EXIT trap).

# shellcheck source=../../scripts/lib/procs.sh
source "$ROOT/scripts/lib/procs.sh"

step() { printf '\n== %s\n' "$*" >&2; }


# bench_build TARGET...: builds the targets in Release, from the working tree into $BUILD, or with
# REV set from `git archive` of that commit into its own source and build directories (so other
# people's uncommitted edits are not what gets measured) under $AVA_REV_DIR (default $BENCH_DIR;
# benchmarks given the same AVA_REV_DIR share one build of a commit). Sets SRC, BUILD and REV.
bench_build() {
  SRC=$ROOT
  if [[ -n $REV ]]; then
    # Resolved once: HEAD may move while the benchmark runs.
    local sha rev_dir=${AVA_REV_DIR:-$BENCH_DIR}
    sha=$(git -C "$ROOT" rev-parse --short "$REV^{commit}") || ava_die "--rev $REV is not a commit"
    REV=$sha
    SRC=$rev_dir/src-$sha BUILD=$rev_dir/build-$sha
    mkdir -p "$rev_dir"
    if [[ ! -d $SRC ]]; then
      mkdir -p "$SRC.tmp" && git -C "$ROOT" archive "$sha" | tar -x -C "$SRC.tmp" && mv "$SRC.tmp" "$SRC"
    fi
    local t
    for t in "$@"; do
      grep -rqs "ava_add_binary($t " "$SRC/src" "$SRC/bench" ||
        ava_die "commit $sha does not build '$t': pick a later one"
    done
  fi
  mkdir -p "$BENCH_DIR"
  step "building $* (Release) from $SRC${REV:+ (commit $REV)} in $BUILD"
  if [[ ! -f $BUILD/CMakeCache.txt ]] || ! grep -q '^CMAKE_BUILD_TYPE:STRING=Release$' "$BUILD/CMakeCache.txt"; then
    cmake -S "$SRC" -B "$BUILD" -G Ninja -DCMAKE_BUILD_TYPE=Release > "$BENCH_DIR/cmake.log" 2>&1 ||
      { cat "$BENCH_DIR/cmake.log" >&2; exit 1; }
  fi
  cmake --build "$BUILD" --target "$@" -j"$(nproc)" >&2
}

# What was measured: the commit, and any uncommitted change to the code avafs is built from.
bench_source() {
  if [[ -n $REV ]]; then
    echo "commit $REV (git archive, no uncommitted changes)"
    return
  fi
  local head dirty
  head=$(git -C "$ROOT" rev-parse --short HEAD 2> /dev/null || echo unknown)
  dirty=$(git -C "$ROOT" status --porcelain -- src 2> /dev/null | wc -l)
  if ((dirty == 0)); then echo "$head"; else echo "working tree at $head + $dirty uncommitted change(s) under src/"; fi
}

machine_json() {
  local disk rota
  disk=$(df -h --output=source,fstype,size "$BENCH_DIR" | tail -1 | tr -s ' ')
  rota=$(lsblk -dno ROTA "$(df --output=source "$BENCH_DIR" | tail -1)" 2> /dev/null || echo "?")
  jq -n --arg nproc "$(nproc)" --arg mem "$(free -g | awk '/^Mem:/{print $2" GiB"}')" \
    --arg kernel "$(uname -r)" --arg cpu "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ //')" \
    --arg debian "$(cat /etc/debian_version)" --arg disk "$disk (rotational: $rota)" \
    --arg date "$(date -u +%Y-%m-%dT%H:%MZ)" --arg mode "$MODE" \
    --arg versions "$(s3fs --version 2>&1 | head -1); $(rclone version 2> /dev/null | head -1); $(radosgw --version | head -1)" \
    '{nproc:$nproc, memory:$mem, kernel:$kernel, cpu:$cpu, debian:$debian, disk:$disk, date:$date, mode:$mode, versions:$versions}'
}

# The benchmark's own Ceph (scripts/ceph-s3.sh with this benchmark's directory and ports); exports
# the S3 endpoint and credentials and sets ENDPOINT.
bench_start_ceph() {
  step "starting the benchmark's own Ceph (S3 on 127.0.0.1:$AVA_RGW_PORT, data in $AVA_CEPH_DIR)"
  "$ROOT/scripts/ceph-s3.sh" start
  eval "$("$ROOT/scripts/ceph-s3.sh" env)"
  ENDPOINT=$AVA_S3_ENDPOINT
}

# Credentials files for the peers, written here from the environment (not copied from anywhere):
# sets PASSWD (s3fs) and RCLONE_CONF (remote "bench").
bench_peer_credentials() {
  PASSWD=$BENCH_DIR/s3fs.passwd
  RCLONE_CONF=$BENCH_DIR/rclone.conf
  (umask 077
    echo "$AWS_ACCESS_KEY_ID:$AWS_SECRET_ACCESS_KEY" > "$PASSWD"
    printf '[bench]\ntype = s3\nprovider = Ceph\naccess_key_id = %s\nsecret_access_key = %s\nendpoint = %s\nregion = us-east-1\nforce_path_style = true\n' \
      "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY" "$ENDPOINT" > "$RCLONE_CONF")
}

# spawn_s3fs NAME BUCKET DIR CACHE_DIR: s3fs in the foreground under ava_spawn.
# use_cache: s3fs's own disk cache (without it nothing is cached and "warm" = cold);
# max_stat_cache_size above the object counts of the benchmarks.
spawn_s3fs() {
  ava_spawn "$1" s3fs "$2" "$3" -f -o passwd_file="$PASSWD" -o url="$ENDPOINT" \
    -o use_path_request_style -o endpoint=us-east-1 -o use_cache="$4" \
    -o max_stat_cache_size=250000 -o dbglevel=warn
}

# spawn_rclone NAME BUCKET DIR CACHE_DIR VFS_CACHE_MODE [EXTRA FLAGS...]
# env -u AWS_CA_BUNDLE: rclone 1.60's AWS SDK refuses to start when it is set to a bundle
# ("LoadCustomCABundleError ... unsupported transport") even for a plain-http endpoint.
spawn_rclone() {
  local name=$1 bucket=$2 dir=$3 cache=$4 mode=$5
  shift 5
  ava_spawn "$name" env -u AWS_CA_BUNDLE rclone --config "$RCLONE_CONF" mount "bench:$bucket" "$dir" \
    --vfs-cache-mode "$mode" --cache-dir "$cache" --log-level NOTICE "$@"
}

MOUNTED=() # "name dir" of every live mount

unmount() { # unmount NAME DIR: ask the kernel, then stop the daemon by its recorded PID
  local name=$1 dir=$2
  if mountpoint -q "$dir" 2> /dev/null; then
    fusermount3 -u "$dir" 2> /dev/null || umount "$dir" 2> /dev/null || umount -l "$dir" || true
  fi
  ava_stop 20 "$name"
}

# forget_mount NAME DIR: drops the pair from MOUNTED once it has been unmounted.
forget_mount() {
  local i
  for i in "${!MOUNTED[@]}"; do [[ ${MOUNTED[$i]} != "$1 $2" ]] || unset 'MOUNTED[i]'; done
  MOUNTED=("${MOUNTED[@]}")
}

# The EXIT trap: every live mount unmounted and its daemon stopped, then the Ceph (unless
# KEEP_CEPH). Extra clean-up: define bench_cleanup_hook.
bench_cleanup() {
  local rc=$? m
  set +e
  for m in "${MOUNTED[@]}"; do unmount $m; done
  MOUNTED=()
  declare -F bench_cleanup_hook > /dev/null && bench_cleanup_hook
  if ((KEEP_CEPH)); then
    ava_log "leaving the benchmark Ceph running ($AVA_CEPH_DIR; stop: AVA_CEPH_DIR=$AVA_CEPH_DIR $ROOT/scripts/ceph-s3.sh stop)"
  else
    "$ROOT/scripts/ceph-s3.sh" stop
  fi
  exit $rc
}

DROPPED=true
drop_caches() {
  sync
  if [[ -w /proc/sys/vm/drop_caches ]]; then echo 3 > /proc/sys/vm/drop_caches; else DROPPED=false; fi
}

# peak_rss NAME: the recorded daemon's peak resident set (VmHWM) in bytes; fails if it is gone.
peak_rss() {
  local pid
  pid=$(ava_pid "$1") || return 1
  awk '/^VmHWM:/ {print $2 * 1024}' "/proc/$pid/status"
}

# Seconds since the epoch with fractions, for durations measured from the script.
now() { date +%s.%N; }
