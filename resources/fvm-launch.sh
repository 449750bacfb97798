#!/bin/sh
# fvm-launch.sh RUN FULLMAP NET CGROUP -- INIT-ARGS...
# Host side of a VM start; spawned detached (its own session) by the engine.
#   RUN      the VM's runtime dir: plan.sh in, status/unshare.pid/slirp.* out
#   FULLMAP  1 = running as real root: map every uid/gid so every file keeps its owner
#   NET      host | none | private (own network namespace + slirp4netns user-mode networking)
#   CGROUP   a writable cgroup v2 dir to start the VM in, or '-'
# Tools by absolute path: /usr/sbin is not in a plain Debian user's PATH.
set -eu
PATH=/usr/sbin:/usr/bin:/sbin:/bin
RUN=$1 FULLMAP=$2 NET=$3 CG=$4
shift 4; [ "${1-}" = "--" ] && shift
INIT=$(dirname "$0")/fvm-init.sh
NS="--ipc --uts"
[ "$NET" = host ] || NS="$NS --net"
# Children inherit the cgroup: join it before the VM exists so no process escapes the freezer.
[ "$CG" = - ] || echo $$ > "$CG/cgroup.procs"
trap '' INT HUP
[ "${FVM_TRACE-}" = 1 ] && echo "launch $(date +%s.%N) start" >&2

if [ "$FULLMAP" = 1 ]; then
  # util-linux 2.38 maps all uids only through newuidmap; as root we write the maps ourselves:
  # start unshare unmapped, wait until it has its user namespace, write the maps, release it.
  # Until its map exists the child is "nobody" and may not open anything in the store: it
  # waits on a descriptor it inherited (fd 3, the fifo opened read-write and unlinked), and
  # then on its own /proc/self/uid_map (readable even unmapped) until the map is there.
  FIFO=$RUN/mapsync
  rm -f "$FIFO"; mkfifo -m 600 "$FIFO"
  exec 3<>"$FIFO"
  rm -f "$FIFO"
  unshare --user --keep-caps --mount --pid --fork --kill-child --propagation private $NS -- \
    /bin/sh -c 'read -r _ <&3; while ! read -r _ _ _ </proc/self/uid_map; do sleep 0.005; done; exec 3<&-; exec /bin/sh "$@"' - "$INIT" "$@" &
  P=$!
  while [ "$(readlink /proc/$P/ns/user 2>/dev/null || echo gone)" = "$(readlink /proc/self/ns/user)" ]; do sleep 0.001; done
  echo '0 0 4294967295' > /proc/$P/uid_map
  echo '0 0 4294967295' > /proc/$P/gid_map
  echo go >&3
  exec 3>&-
else
  unshare --user --map-current-user --keep-caps --mount --pid --fork --kill-child --propagation private $NS -- \
    /bin/sh "$INIT" "$@" &
  P=$!
fi
echo "$P" > "$RUN/unshare.pid"

SLIRP=
if [ "$NET" = private ]; then
  # The VM's init writes "pid N" (its host pid) first; slirp4netns joins N's namespaces.
  i=0
  while ! grep -q '^pid ' "$RUN/status" 2>/dev/null; do
    kill -0 "$P" 2>/dev/null || break
    i=$((i + 1)); [ $i -gt 5000 ] && break; sleep 0.002
  done
  N=$(sed -n 's/^pid //p' "$RUN/status" 2>/dev/null | head -n 1)
  if [ -n "$N" ]; then
    # --disable-host-loopback: 10.0.2.2 must not reach the host's localhost services.
    slirp4netns --configure --mtu=65520 --disable-host-loopback --ready-fd=9 "$N" tap0 \
      9>"$RUN/slirp.ready" </dev/null >"$RUN/slirp.log" 2>&1 &
    SLIRP=$!
    echo "$SLIRP" > "$RUN/slirp.pid"
  fi
fi
set +e
wait "$P"; rc=$?
[ -n "$SLIRP" ] && kill -KILL "$SLIRP" 2>/dev/null
exit $rc
