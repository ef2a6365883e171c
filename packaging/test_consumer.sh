#!/usr/bin/env bash
# test_consumer.sh BUILD_DIR SOURCE_DIR LIBDIR: installs BUILD_DIR into a temporary prefix, then
# builds examples/set_get against it twice, with its CMake project (find_package) and with the
# one-line pkg-config command, and runs both against the installed cppmemcached.
set -euo pipefail
build=$1 source=$2 libdir=$3
. "$source/packaging/testlib.sh"
tmp=$(mktemp -d)
trap 'stop_server; rm -rf "$tmp"' EXIT
prefix=$tmp/prefix

step "cmake --install into $prefix"
cmake --install "$build" --prefix "$prefix" >/dev/null
for file in bin/cppmemcached bin/cppmc bin/cppmc_bench bin/mc_decode \
  include/mc/client/sync_client.hpp include/mc/server/store.hpp \
  "$libdir/libcppmemcached_client.a" "$libdir/cmake/cppmemcached/cppmemcachedConfig.cmake" \
  "$libdir/cmake/cppmemcached/cppmemcachedConfigVersion.cmake" \
  "$libdir/pkgconfig/cppmemcached-client.pc" share/man/man1/cppmemcached.1.gz \
  share/man/man1/cppmc.1.gz share/cppmemcached/cppmemcached-wrapper; do
  [[ -e $prefix/$file ]] || { echo "not installed: $file" >&2; exit 1; }
done
# What only the tutorial's build uses must not reach a consumer.
if grep -rlE 'GTest|CLI11|-W(all|error|extra|pedantic)' \
  "$prefix/$libdir/cmake" "$prefix/$libdir/pkgconfig"; then
  echo "the installed packages mention GoogleTest, CLI11 or warning flags" >&2
  exit 1
fi
[[ ! -e $prefix/include/mc/common/cli.hpp && ! -e $prefix/include/mc/testing ]]
[[ ! -e $prefix/etc ]]  # the service files come with the .deb only

start_server "$tmp/server.log" "$prefix/bin/cppmemcached" -p 0 -l 127.0.0.1 -t 1
server=127.0.0.1:$SERVER_PORT

step "find_package(cppmemcached): the examples' CMake project"
cmake -S "$source/examples" -B "$tmp/examples" -G Ninja -DCMAKE_BUILD_TYPE=Release \
  -DCMAKE_PREFIX_PATH="$prefix" >/dev/null
cmake --build "$tmp/examples"
"$tmp/examples/set_get" 127.0.0.1 "$SERVER_PORT" | tee "$tmp/cmake.out"
grep -qx 'greeting = hello from set_get' "$tmp/cmake.out"

step "pkg-config cppmemcached-client: the one-line build"
export PKG_CONFIG_PATH=$prefix/$libdir/pkgconfig
(cd "$source/examples" &&
  c++ -std=c++20 set_get.cpp $(pkg-config --cflags --libs cppmemcached-client) -o "$tmp/set_get")
"$tmp/set_get" 127.0.0.1 "$SERVER_PORT" | tee "$tmp/pkg-config.out"
grep -qx 'greeting = hello from set_get' "$tmp/pkg-config.out"

# The installed client reads what the example stored.
[[ $("$prefix/bin/cppmc" --servers "$server" get greeting) == "hello from set_get" ]]
step "ok"
