# Process bookkeeping for the servers Ava's scripts start (Ceph, PostgreSQL, avafs under test).
# Every process is recorded in $AVA_RUN_DIR/pids/<name>.pid as "PID STARTTIME" and is stopped by
# that PID only, never by name. STARTTIME (field 22 of /proc/PID/stat) guards against PID reuse.
# Source this file; it defines functions only.

ava_log() { printf '%s %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
ava_die() { ava_log "error: $*"; exit 1; }

# Start time of a live, non-zombie process; fails otherwise.
ava_proc_start() {
  local stat fields
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  read -r -a fields <<< "$stat"
  [[ ${fields[0]} != Z ]] || return 1
  echo "${fields[19]}"
}

# ava_pid NAME: prints the PID of the recorded process NAME if it is still the same process.
ava_pid() {
  local file="$AVA_RUN_DIR/pids/$1.pid" pid start now
  [[ -s $file ]] || return 1
  read -r pid start < "$file"
  now=$(ava_proc_start "$pid") || return 1
  [[ $now == "$start" ]] || return 1
  echo "$pid"
}

ava_alive() { ava_pid "$1" > /dev/null; }

# ava_spawn NAME CMD...: runs CMD in its own session in the background, output in log/NAME.log.
ava_spawn() {
  local name=$1 pid
  shift
  mkdir -p "$AVA_RUN_DIR/pids" "$AVA_RUN_DIR/log"
  setsid "$@" >> "$AVA_RUN_DIR/log/$name.log" 2>&1 < /dev/null &
  pid=$!
  echo "$pid $(ava_proc_start "$pid")" > "$AVA_RUN_DIR/pids/$name.pid"
}

# ava_stop TIMEOUT NAME...: SIGTERM, wait up to TIMEOUT seconds, then SIGKILL; recorded PIDs only.
ava_stop() {
  local timeout=$1 name pid i any
  shift
  for name in "$@"; do
    if pid=$(ava_pid "$name"); then kill -TERM "$pid" 2>/dev/null || true; fi
  done
  for ((i = 0; i < timeout * 20; i++)); do
    any=0
    for name in "$@"; do ava_alive "$name" && any=1; done
    ((any)) || break
    sleep 0.05
  done
  for name in "$@"; do
    if pid=$(ava_pid "$name"); then
      ava_log "$name (pid $pid) ignored SIGTERM for ${timeout}s; sending SIGKILL"
      kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$AVA_RUN_DIR/pids/$name.pid"
  done
}

# ava_poll SECONDS WHAT CMD...: polls CMD until it succeeds; after SECONDS logs why and fails.
ava_poll() {
  local seconds=$1 what=$2 i
  shift 2
  for ((i = 0; i < seconds * 10; i++)); do
    "$@" > /dev/null 2>&1 && return 0
    sleep 0.1
  done
  ava_log "timed out after ${seconds}s waiting for $what (logs: $AVA_RUN_DIR/log)"
  return 1
}

# ava_wait SECONDS WHAT CMD...: ava_poll, but ends the script when it times out.
ava_wait() { ava_poll "$@" || exit 1; }

# Runs apt-get as root, through sudo when not root.
ava_apt_install() {
  local missing=() p sudo=()
  for p in "$@"; do dpkg -s "$p" > /dev/null 2>&1 || missing+=("$p"); done
  ((${#missing[@]})) || return 0
  [[ $(id -u) == 0 ]] || sudo=(sudo)
  ava_log "installing ${missing[*]}"
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}" \
    > "${TMPDIR:-/tmp}/ava-apt.log" 2>&1 || {
    "${sudo[@]}" apt-get update > /dev/null 2>&1
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
  }
}
