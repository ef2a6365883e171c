#!/usr/bin/env bash
# test_package.sh BUILD_DIR SOURCE_DIR: makes the .deb packages with CPack, checks what they
# hold and that apt could install them, unpacks cppmemcached's (dpkg-deb -x) into a temporary
# root, verifies its systemd unit there (systemd-analyze verify) and runs the packaged server
# through the packaged wrapper and configuration file.
set -euo pipefail
build=$1 source=$2
. "$source/packaging/testlib.sh"
tmp=$(mktemp -d)
trap 'stop_server; rm -rf "$tmp"' EXIT
root=$tmp/root

step "cpack"
cpack --config "$build/CPackConfig.cmake" -B "$tmp/out" >"$tmp/cpack.log" 2>&1 || {
  cat "$tmp/cpack.log"
  exit 1
}
debs=("$tmp"/out/cppmemcached_*.deb)
dev_debs=("$tmp"/out/cppmemcached-dev_*.deb)
deb=${debs[0]} dev_deb=${dev_debs[0]}
[[ -f $deb && -f $dev_deb ]]
dpkg-deb --field "$deb" Package Version Depends
[[ $(dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles) == /etc/cppmemcached.conf ]]
[[ $(dpkg-deb --field "$deb" Depends) == *libfmt* ]]
# Installable here: apt resolves both packages' dependencies (a simulation, nothing changes).
apt-get install --simulate --no-install-recommends "$deb" "$dev_deb" >"$tmp/apt.log" 2>&1 || {
  cat "$tmp/apt.log"
  exit 1
}
grep -q '^Conf cppmemcached ' "$tmp/apt.log"
grep -q '^Conf cppmemcached-dev ' "$tmp/apt.log"

step "dpkg-deb -x into $root"
dpkg-deb -x "$deb" "$root"
for file in usr/bin/cppmemcached usr/bin/cppmc usr/bin/cppmc_bench usr/bin/mc_decode \
  usr/share/man/man1/cppmemcached.1.gz usr/share/man/man1/cppmc.1.gz \
  usr/share/cppmemcached/cppmemcached-wrapper etc/cppmemcached.conf \
  lib/systemd/system/cppmemcached.service; do
  [[ -e $root/$file ]] || { echo "not in the package: $file" >&2; exit 1; }
done
# Headers and libraries are cppmemcached-dev's.
[[ ! -e $root/usr/include ]]
dev_files=$(dpkg-deb -c "$dev_deb")
grep -q '/usr/include/mc/client/sync_client.hpp$' <<<"$dev_files"
grep -q '/cmake/cppmemcached/cppmemcachedConfig.cmake$' <<<"$dev_files"
grep -q '/pkgconfig/cppmemcached-client.pc$' <<<"$dev_files"

step "man pages: no groff warning, every option of --help documented"
for page in cppmemcached cppmc; do
  zcat "$root/usr/share/man/man1/$page.1.gz" | groff -man -Tascii -ww -z
  text=$(zcat "$root/usr/share/man/man1/$page.1.gz" | groff -man -Tascii -P-cbu 2>/dev/null)
  for option in $("$root/usr/bin/$page" --help | grep -oE -- '--[a-z][a-z-]*' | sort -u); do
    grep -qF -- "$option" <<<"$text" || { echo "$page.1 lacks $option" >&2; exit 1; }
  done
done

step "systemd-analyze verify"
# The unit's own dependencies must exist in the root: take the host's few targets.
for unit in sysinit.target basic.target shutdown.target network.target multi-user.target; do
  cp "/lib/systemd/system/$unit" "$root/lib/systemd/system/"
done
MANPATH=$root/usr/share/man systemd-analyze verify --root="$root" cppmemcached.service \
  >"$tmp/verify.log" 2>&1 || true
cat "$tmp/verify.log"
[[ ! -s $tmp/verify.log ]]  # clean: not a single line

step "the packaged server, started as the unit starts it (wrapper + conf)"
# The packaged conf, on a free port; a comment, a memcached-only directive and -d are skipped.
sed -e 's/^-p 11211$/-p 0/' "$root/etc/cppmemcached.conf" >"$tmp/cppmemcached.conf"
printf '%s\n' '-d  # daemonize: skipped' 'logfile /var/log/memcached.log' '-v' \
  >>"$tmp/cppmemcached.conf"
start_server "$tmp/server.log" \
  "$root/usr/share/cppmemcached/cppmemcached-wrapper" "$tmp/cppmemcached.conf"
cppmc=("$root/usr/bin/cppmc" --servers "127.0.0.1:$SERVER_PORT")
"${cppmc[@]}" set packaged yes
[[ $("${cppmc[@]}" get packaged) == yes ]]
# The conf was read: -m 64 and -c 1024 reached the server.
"${cppmc[@]}" stats settings | grep -E '(maxbytes 67108864|maxconns 1024)$' | wc -l | grep -qx 2
stop_server
step "ok"
