#!/usr/bin/env bash
# ceph-s3.sh — a throw-away single-node Ceph (one mon, one OSD on memstore, radosgw) serving S3 on
# 127.0.0.1, for Ava's integration tests, benchmarks and demo. Nothing is written outside
# $AVA_CEPH_DIR; every process is stopped by its recorded PID.
#
#   scripts/ceph-s3.sh install     install the Debian packages
#   scripts/ceph-s3.sh start       start the cluster (idempotent: a healthy cluster is reused)
#   scripts/ceph-s3.sh env         print export lines: eval "$(scripts/ceph-s3.sh env)"
#   scripts/ceph-s3.sh stop-rgw    stop only radosgw (the S3 endpoint goes away; data stays)
#   scripts/ceph-s3.sh start-rgw   start radosgw again
#   scripts/ceph-s3.sh start-gateway NAME PORT   one more radosgw on PORT over the same cluster
#   scripts/ceph-s3.sh stop-gateway NAME         stop it (tests take "the cloud" down this way
#                                                without disturbing other users of the main one)
#   scripts/ceph-s3.sh stop        stop everything (memstore data is gone)
#
# Environment: AVA_CEPH_DIR (default /tmp/ava-ceph), AVA_RGW_PORT (7480), AVA_MON_PORT (3300),
# AVA_CEPH_MEMSTORE (bytes of RAM the OSD may hold, default 6G), AVA_MS_PORT_MIN/AVA_MS_PORT_MAX
# (ports the OSD binds, default 6800-7300: give a second cluster on this machine its own range).
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
export AVA_RUN_DIR=${AVA_CEPH_DIR:-/tmp/ava-ceph}
# shellcheck source=lib/procs.sh
source "$HERE/lib/procs.sh"

RGW_PORT=${AVA_RGW_PORT:-7480}
MON_PORT=${AVA_MON_PORT:-3300}
MEMSTORE=${AVA_CEPH_MEMSTORE:-6G}
MS_PORT_MIN=${AVA_MS_PORT_MIN:-6800}
MS_PORT_MAX=${AVA_MS_PORT_MAX:-7300}
ACCESS_KEY=AVATESTACCESSKEY0001
SECRET_KEY=avatestsecretkey000000000000000000000001
ENDPOINT=http://127.0.0.1:$RGW_PORT
C=$AVA_RUN_DIR/ceph
export CEPH_CONF=$C/ceph.conf

s3_up() { [[ $(curl -s -m 2 -o /dev/null -w '%{http_code}' "$ENDPOINT/") == 200 ]]; }
osd_up() { ceph osd dump 2>/dev/null | grep -q '^osd\.0 up'; }

cmd_install() {
  ava_apt_install ceph-mon ceph-osd radosgw ceph-common uuid-runtime curl
}

write_conf() {
  cat > "$CEPH_CONF" <<CONF
[global]
fsid = $1
mon host = v2:127.0.0.1:$MON_PORT
public addr = 127.0.0.1
ms bind ipv6 = false
ms bind port min = $MS_PORT_MIN
ms bind port max = $MS_PORT_MAX
auth cluster required = cephx
auth service required = cephx
auth client required = cephx
run dir = $C/run
admin socket = $C/run/\$name.asok
log file = $AVA_RUN_DIR/log/ceph-\$name.log
crash dir = $C/crash
mon data = $C/mon/\$cluster-\$id
osd data = $C/osd/\$cluster-\$id
rgw data = $C/rgw/\$cluster-\$id
mon cluster log file = $AVA_RUN_DIR/log/ceph-cluster.log
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
osd crush chooseleaf type = 0
mon allow pool size one = true
mon warn on pool no redundancy = false
mon data avail warn = 2
mon data avail crit = 1
# faster osdmap commits: pool creation and OSD boot take a fraction of the default
paxos propose interval = 0.1
paxos min wait = 0.01
[osd]
osd objectstore = memstore
memstore device bytes = $(numfmt --from=iec "$MEMSTORE")
osd memory target = 1073741824
[client.admin]
keyring = $C/admin.keyring
[client.rgw.gw]
keyring = $C/rgw.keyring
# without tcp_nodelay small GETs wait for delayed ACKs (~40 ms each)
rgw frontends = beast endpoint=127.0.0.1:$RGW_PORT tcp_nodelay=1
rgw dynamic resharding = false
rgw enable usage log = false
rgw gc obj min wait = 60
rgw gc processor period = 60
CONF
}

write_env() {
  cat > "$AVA_RUN_DIR/s3.env" <<ENV
export AVA_S3_ENDPOINT=$ENDPOINT
export AWS_ACCESS_KEY_ID=$ACCESS_KEY
export AWS_SECRET_ACCESS_KEY=$SECRET_KEY
export AWS_DEFAULT_REGION=us-east-1
export AWS_EC2_METADATA_DISABLED=true
ENV
}

start_rgw() {
  ava_alive ceph-rgw || ava_spawn ceph-rgw radosgw -f -n client.rgw.gw
  ava_wait 120 "radosgw on $ENDPOINT" s3_up
}

cmd_start() {
  mkdir -p "$AVA_RUN_DIR"
  if ava_alive ceph-mon && ava_alive ceph-osd && ava_alive ceph-rgw && s3_up; then
    ava_log "ceph already running; S3 at $ENDPOINT"
    return 0
  fi
  cmd_stop
  rm -rf "$C" "$AVA_RUN_DIR"/log/ceph-*
  mkdir -p "$C"/{run,crash,mon/ceph-a,osd/ceph-0} "$AVA_RUN_DIR"/{pids,log}
  local t0=$SECONDS fsid osd_uuid osd_key
  fsid=$(uuidgen)
  write_conf "$fsid"
  ceph-authtool "$C/mon.keyring" --create-keyring --gen-key -n mon. --cap mon 'allow *' > /dev/null
  ceph-authtool "$C/admin.keyring" --create-keyring --gen-key -n client.admin \
    --cap mon 'allow *' --cap osd 'allow *' --cap mgr 'allow *' > /dev/null
  ceph-authtool "$C/mon.keyring" --import-keyring "$C/admin.keyring" > /dev/null
  monmaptool --create --fsid "$fsid" --addv a "[v2:127.0.0.1:$MON_PORT]" "$C/monmap" > /dev/null
  ceph-mon --mkfs -i a --monmap "$C/monmap" --keyring "$C/mon.keyring"
  ava_spawn ceph-mon ceph-mon -f -i a
  ava_wait 30 "the monitor" ceph -s --connect-timeout 2

  osd_uuid=$(uuidgen)
  osd_key=$(ceph-authtool --gen-print-key)
  printf '{"cephx_secret": "%s"}' "$osd_key" > "$C/osd/new.json"
  [[ $(ceph osd new "$osd_uuid" -i "$C/osd/new.json") == 0 ]] || ava_die "ceph osd new did not give id 0"
  ceph-authtool "$C/osd/ceph-0/keyring" --create-keyring --name osd.0 --add-key "$osd_key" > /dev/null
  ceph-osd -i 0 --mkfs --osd-uuid "$osd_uuid" > "$AVA_RUN_DIR/log/osd-mkfs.log" 2>&1 ||
    { cat "$AVA_RUN_DIR/log/osd-mkfs.log" >&2; ava_die "ceph-osd --mkfs failed"; }
  ava_spawn ceph-osd ceph-osd -f -i 0

  # Create radosgw's pools in one ceph session; radosgw would otherwise create them one by one.
  for pool in .rgw.root default.rgw.log default.rgw.control default.rgw.meta \
    default.rgw.buckets.index default.rgw.buckets.data default.rgw.buckets.non-ec; do
    echo "osd pool create $pool 8 8"
    echo "osd pool application enable $pool rgw"
  done | ceph > "$AVA_RUN_DIR/log/pools.log" 2>&1
  ceph auth get-or-create client.rgw.gw mon 'allow rw' osd 'allow rwx' -o "$C/rgw.keyring" > /dev/null
  ava_wait 60 "osd.0 up" osd_up
  start_rgw
  radosgw-admin user create --uid=ava-test --display-name="Ava tests" \
    --access-key="$ACCESS_KEY" --secret-key="$SECRET_KEY" > "$C/user.json"
  write_env
  ava_log "ceph ready in $((SECONDS - t0))s; S3 at $ENDPOINT (eval \"\$($0 env)\")"
}

start_gateway() {
  local name=${1:?gateway name} port=${2:?port}
  [[ $name =~ ^[a-z0-9]+$ ]] || ava_die "gateway name must be lowercase letters and digits"
  if ! [[ -s $C/rgw-$name.keyring ]]; then
    ceph auth get-or-create "client.rgw.$name" mon 'allow rw' osd 'allow rwx' -o "$C/rgw-$name.keyring" > /dev/null
  fi
  ava_alive "ceph-rgw-$name" || ava_spawn "ceph-rgw-$name" radosgw -f -n "client.rgw.$name" \
    --keyring "$C/rgw-$name.keyring" --rgw-frontends "beast endpoint=127.0.0.1:$port tcp_nodelay=1" \
    --rgw-dynamic-resharding=false
  ava_wait 120 "radosgw $name on 127.0.0.1:$port" \
    bash -c "[[ \$(curl -s -m 2 -o /dev/null -w '%{http_code}' http://127.0.0.1:$port/) == 200 ]]"
}

cmd_stop() {
  local f
  for f in "$AVA_RUN_DIR"/pids/ceph-rgw-*.pid; do [[ -e $f ]] && ava_stop 10 "$(basename "$f" .pid)"; done
  ava_stop 10 ceph-rgw
  ava_stop 10 ceph-osd
  ava_stop 10 ceph-mon
}

case ${1:-} in
  install) cmd_install ;;
  start) cmd_start ;;
  stop) cmd_stop ;;
  start-rgw) start_rgw ;;
  stop-rgw) ava_stop 10 ceph-rgw ;;
  start-gateway) shift; start_gateway "$@" ;;
  stop-gateway) ava_stop 10 "ceph-rgw-${2:?gateway name}" ;;
  env) [[ -s $AVA_RUN_DIR/s3.env ]] || ava_die "not started (run: $0 start)"; cat "$AVA_RUN_DIR/s3.env" ;;
  *) sed -n '2,19p' "$0"; exit 2 ;;
esac
