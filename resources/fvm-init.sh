#!/bin/sh
# fvm-init.sh RUN ROOT NET HOSTNAME LINGER
# PID 1 of a VM. Runs in fresh user, mount, PID, IPC, UTS (and network) namespaces with every
# capability of its user namespace; applies RUN/plan.sh (computed by the engine), pivots into
# the new root, drops every capability and then only reaps orphans until the VM is idle.
# As real root (every uid mapped) it ends in a nested user namespace, the one programs join
# (see the end of this file).
#   LINGER  seconds without any other process before the VM stops by itself (0 = never)
set -eu
PATH=/usr/sbin:/usr/bin:/sbin:/bin
RUN=$1 R=$2 NET=$3 VMHOST=$4 LINGER=$5

# The host pid, read while /proc is still the host's: the engine tracks the VM by it.
read -r SELF _ < /proc/self/stat
exec 8>>"$RUN/status"
echo "pid $SELF" >&8

# FVM_TRACE=1: timestamps of the phases into the launch log.
trace() { if [ "${FVM_TRACE-}" = 1 ]; then echo "init $(date +%s.%N) $*" >&2; fi; }
trace start
fvm_mkdir() { mkdir -p "$R$1"; }
fvm_touch() { [ -e "$R$1" ] || [ -L "$R$1" ] || : > "$R$1"; }
fvm_symlink() { ln -s "$2" "$R$1"; }
fvm_tmpfs() { # TARGET MODE RO
  mkdir -p "$R$1"
  mount -t tmpfs -o "mode=$2,nosuid,nodev" fvm "$R$1"
  # remount,bind,ro: a superblock remount re-passes uid= and fails in a user namespace.
  [ "$3" = 1 ] && mount -o remount,bind,ro "$R$1"
  return 0
}
fvm_overlay() { # LOWER UPPER WORK TARGET (options already escaped)
  mount -t overlay fvm -o "lowerdir=$1,upperdir=$2,workdir=$3,userxattr" "$R$4"
}
fvm_stacked_overlay() { # HOSTDIR OLDEST-LAYER LAYER-WORK STAGE LOWERS UPPER WORK TARGET
  # Inner overlay: the oldest shared layer as a read-only upper over the host dir; outer: the
  # VM's own upper over the newer layers and the inner mount. The inner mount is detached once
  # the outer one holds it (overlayfs keeps private clones of its layers).
  mkdir -p "$4"
  mount -t overlay fvm -o "ro,lowerdir=$1,upperdir=$2,workdir=$3,userxattr" "$4"
  mount -t overlay fvm -o "lowerdir=$5,upperdir=$6,workdir=$7,userxattr" "$R$8"
  umount -l "$4"
  rmdir "$4"
}
fvm_bind() { # SOURCE TARGET RO
  mount --bind "$1" "$R$2"
  [ "$3" = 1 ] && mount -o remount,bind,ro "$R$2"
  return 0
}
fvm_remount_ro() { mount -o remount,bind,ro "$R$1"; }
fvm_proc() {
  mkdir -p "$R$1"
  mount -t proc -o nosuid,nodev,noexec proc "$R$1"
  # Kernel knobs are guarded only by "owner root" modes; a VM whose uid 0 is the host's root
  # could change host sysctls (core_pattern = code execution as root). Mask them read-only.
  for f in sys irq bus fs sysrq-trigger; do
    [ -e "$R$1/$f" ] || continue
    if [ -d "$R$1/$f" ]; then mount --bind "$R$1/$f" "$R$1/$f"
    else mount --bind /dev/null "$R$1/$f"; fi
    mount -o remount,bind,ro "$R$1/$f"
  done
}
fvm_sys() {
  mkdir -p "$R$1"
  mount --rbind /sys "$R$1"
  # util-linux 2.38 has no recursive read-only: remount each submount.
  awk -v p="$R$1" '$5 == p || index($5, p "/") == 1 { print $5 }' /proc/self/mountinfo |
    while read -r m; do mount -o remount,bind,ro "$m" 2>/dev/null || true; done
}
fvm_dev() {
  mkdir -p "$R$1"
  mount -t tmpfs -o mode=0755,nosuid fvm-dev "$R$1"
  for n in null zero full random urandom tty; do
    : > "$R$1/$n"; mount --bind "/dev/$n" "$R$1/$n"
  done
  mkdir "$R$1/pts" "$R$1/shm"
  mount -t devpts -o newinstance,ptmxmode=0666,mode=0620 devpts "$R$1/pts"
  ln -s pts/ptmx "$R$1/ptmx"
  mount -t tmpfs -o mode=1777,nosuid,nodev fvm-shm "$R$1/shm"
  ln -s /proc/self/fd "$R$1/fd"
  ln -s /proc/self/fd/0 "$R$1/stdin"; ln -s /proc/self/fd/1 "$R$1/stdout"; ln -s /proc/self/fd/2 "$R$1/stderr"
}

mount -t tmpfs -o mode=0755 fvm-root "$R"
trace plan
. "$RUN/plan.sh"
trace plan-done

[ "$VMHOST" = - ] || hostname "$VMHOST"
# A new network namespace starts with lo DOWN; util-linux cannot change that, iproute2 can.
if [ "$NET" != host ] && command -v ip >/dev/null 2>&1; then ip link set lo up; fi

# Every uid mapped: we run as the host's root (kuid 0).
FULL=0
read -r _ _ n < /proc/self/uid_map
[ "$n" = 4294967295 ] && FULL=1
if [ "$FULL" = 1 ] && [ "$NET" != host ]; then
  # Programs of a root VM run in a nested user namespace (below), which does not own this
  # network namespace: low ports and ping would need capabilities they do not have there.
  # The namespace is the VM's own, so opening both to every uid of it reaches nothing more.
  echo 0 > /proc/sys/net/ipv4/ip_unprivileged_port_start 2>/dev/null || true
  echo '0 2147483647' > /proc/sys/net/ipv4/ping_group_range 2>/dev/null || true
fi

trace pivot
cd "$R"
mkdir .oldroot
pivot_root . .oldroot
umount -l /.oldroot
rmdir /.oldroot
mount -o remount,bind,ro /
cd /
if [ "$FULL" = 0 ]; then
  trace ready
  echo ready >&8
  exec 8>&-
fi
exec </dev/null >/dev/null 2>&1

# Idle loop: reap orphans (dash waits with wait3(-1)) and stop when nothing else has run for
# LINGER seconds. In this /proc only the VM's own processes exist.
LOOP='idle=0
while :; do
  sleep 1.000
  if [ -e /run/.fvm-hold ]; then rm -f /run/.fvm-hold; idle=0; continue; fi
  n=0
  for p in /proc/[0-9]*; do n=$((n + 1)); done
  if [ "$n" -le 1 ]; then
    idle=$((idle + 1))
    [ "$1" -gt 0 ] && [ "$idle" -ge "$1" ] && exit 0
  else
    idle=0
  fi
done'
if [ "$FULL" = 1 ]; then
  # Root: a program joined with every capability of this user namespace could unmount the
  # masks made above (over /proc/sys, the store, guarded files). Programs therefore join a user
  # namespace nested below this one, which owns nothing: their capabilities there still act
  # on files (every uid is mapped through, so root stays root for DAC, chown, setuid), but on
  # none of the namespaces made here: no mount or umount, no sethostname, no network admin.
  # nsenter, as the host's root, enters this mount namespace first and the nested user
  # namespace last. That replaces a setpriv per program (an exec: most of a join's cost).
  # The nested namespace starts without a uid map; only a process here may write it, and
  # only with shell builtins (a tool would come from the VM's tree and run with our
  # capabilities): a subshell waits until PID 1 has moved, then maps every uid through.
  (
    i=0
    while [ /proc/1/ns/user -ef /proc/self/ns/user ]; do
      i=$((i + 1))
      [ "$i" -lt 2000000 ] || exit 1
    done
    echo '0 0 4294967295' > /proc/1/uid_map
    echo '0 0 4294967295' > /proc/1/gid_map
  ) &
  # "nested" then "ready" on the status descriptor only once the map is in: a join before
  # that would enter this user namespace.
  exec unshare --user -- /bin/sh -c '
    while ! read -r _ _ _ </proc/self/uid_map; do :; done
    echo nested >&8; echo ready >&8; exec 8>&-
    exec setpriv --inh-caps=-all --ambient-caps=-all --bounding-set=-all -- /bin/sh -c "$0" fvm-init "$1"' "$LOOP" "$LINGER"
fi
exec setpriv --inh-caps=-all --ambient-caps=-all --bounding-set=-all -- /bin/sh -c "$LOOP" fvm-init "$LINGER"
