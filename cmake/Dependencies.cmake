# Every dependency is a Debian package (see the Makefile's `deps` target); nothing is downloaded.

# Recompiling an unchanged file is the slowest thing a tutorial reader does; ccache avoids it.
find_program(CCACHE_PROGRAM ccache)
if(CCACHE_PROGRAM AND NOT CMAKE_CXX_COMPILER_LAUNCHER)
  set(CMAKE_CXX_COMPILER_LAUNCHER ${CCACHE_PROGRAM})
endif()
find_package(Threads REQUIRED)
find_package(fmt REQUIRED)
find_package(CLI11 REQUIRED)  # the binaries' command lines only: no installed header uses it
# GoogleTest is looked up in Testing.cmake, only when the tests are built (BUILD_TESTING).

# The Google Benchmark binaries (bench_codec, bench_ketama, bench_store) are built when the
# library is found; switching them off makes every stage's find_package(benchmark) fail.
option(CPPMC_BUILD_BENCHMARKS "Build the Google Benchmark binaries (needs libbenchmark-dev)" ON)
if(NOT CPPMC_BUILD_BENCHMARKS)
  set(CMAKE_DISABLE_FIND_PACKAGE_benchmark TRUE)
endif()

# Standalone Asio is header-only and ships no CMake package, so we describe it ourselves. The
# target is mc_asio, exported as cppmemcached::asio: a bare `asio` could clash with a target
# of a project that includes ours.
find_path(ASIO_INCLUDE_DIR asio.hpp REQUIRED)
add_library(mc_asio INTERFACE)
add_library(mc::asio ALIAS mc_asio)
set_target_properties(mc_asio PROPERTIES EXPORT_NAME asio)
# Installed, the path is found again by cppmemcachedConfig.cmake on the consumer's machine.
target_include_directories(mc_asio SYSTEM INTERFACE $<BUILD_INTERFACE:${ASIO_INCLUDE_DIR}>)
# ASIO_DISABLE_STD_ALIGNED_ALLOC: Asio chooses aligned_alloc or operator new from a libstdc++
# macro that exists only once a standard header is included, so two files including headers in
# a different order would allocate one way and free the other (AddressSanitizer reports it).
# The definitions are part of the exported target: a program built on our libraries must see
# the same ones, or the two would disagree about how Asio's objects are laid out and freed.
target_compile_definitions(mc_asio INTERFACE ASIO_STANDALONE ASIO_NO_DEPRECATED
                                             ASIO_DISABLE_STD_ALIGNED_ALLOC)
target_link_libraries(mc_asio INTERFACE Threads::Threads)
# Asio can wait with io_uring instead of epoll. It is an experiment, off by default: chapter 6
# measured less CPU per small request, but fewer requests with large values, and the soak fails.
option(CPPMC_IO_URING "Asio's io_uring backend instead of epoll (needs liburing-dev)" OFF)
if(CPPMC_IO_URING)
  find_library(URING_LIBRARY uring REQUIRED)
  target_compile_definitions(mc_asio INTERFACE ASIO_HAS_IO_URING ASIO_DISABLE_EPOLL)
  target_link_libraries(mc_asio INTERFACE uring)
endif()

# XXH3 hashes the server's keys; Debian's libxxhash-dev ships no CMake package, so
# FindxxHash.cmake (installed with ours) describes it as xxHash::xxhash.
find_package(xxHash REQUIRED)
