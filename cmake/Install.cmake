# What `cmake --install` lays out, and the CMake and pkg-config packages that let other programs
# use the libraries (see the README, "Use it"). Components: `runtime` (the binaries, their man
# pages), `dev` (libraries, headers, the packages); Packaging.cmake adds `service`.
include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

# The libraries, by the name a consumer links: cppmemcached::client is mc_client. In the build
# tree the same names exist as aliases, so a project that adds ours with add_subdirectory or
# FetchContent links the same way. Installed files are prefixed (libcppmemcached_client.a):
# libmc_client.a could be anyone's.
set(MC_EXPORTED_LIBRARIES common net codec server client)
foreach(name IN LISTS MC_EXPORTED_LIBRARIES)
  set_target_properties(mc_${name} PROPERTIES EXPORT_NAME ${name}
                                              OUTPUT_NAME cppmemcached_${name})
  add_library(cppmemcached::${name} ALIAS mc_${name})
endforeach()
add_library(cppmemcached::asio ALIAS mc_asio)
# The headers need C++20 (coroutines, concepts): a consumer's target gets it by linking.
target_compile_features(mc_common PUBLIC cxx_std_20)

install(TARGETS mc_asio mc_common mc_net mc_codec mc_server mc_client
  EXPORT cppmemcachedTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR} COMPONENT dev
  INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})

# Every public header of the installed libraries, but not cli.hpp (CLI11, for our binaries).
foreach(stage common 02-framework 03-codec 04-memcached-server 05-client-session)
  install(DIRECTORY ${PROJECT_SOURCE_DIR}/${stage}/include/
    DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} COMPONENT dev
    FILES_MATCHING PATTERN "*.hpp" PATTERN "cli.hpp" EXCLUDE)
endforeach()

install(TARGETS cppmemcached cppmc cppmc_bench mc_decode
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR} COMPONENT runtime)

# find_package(cppmemcached CONFIG): the targets, the dependencies they were built with, and a
# version file (0.x: a minor version may break the API).
set(MC_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/cppmemcached)
install(EXPORT cppmemcachedTargets NAMESPACE cppmemcached::
  DESTINATION ${MC_CMAKE_DIR} COMPONENT dev)
configure_package_config_file(cmake/cppmemcachedConfig.cmake.in
  ${PROJECT_BINARY_DIR}/cppmemcachedConfig.cmake INSTALL_DESTINATION ${MC_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/cppmemcachedConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES
    ${PROJECT_BINARY_DIR}/cppmemcachedConfig.cmake
    ${PROJECT_BINARY_DIR}/cppmemcachedConfigVersion.cmake
    ${PROJECT_SOURCE_DIR}/cmake/FindxxHash.cmake
  DESTINATION ${MC_CMAKE_DIR} COMPONENT dev)

# pkg-config for the client library. The Asio definitions are the ones mc_asio carries, so the
# two packages cannot disagree; the prefix is found from the .pc file's own place.
get_target_property(mc_asio_definitions mc_asio INTERFACE_COMPILE_DEFINITIONS)
list(TRANSFORM mc_asio_definitions PREPEND "-D")
list(JOIN mc_asio_definitions " " MC_PC_DEFINITIONS)
set(MC_PC_URING "")
if(CPPMC_IO_URING)
  set(MC_PC_URING " liburing")  # Asio's io_uring backend calls liburing from the headers
endif()
file(RELATIVE_PATH MC_PC_PREFIX /root/${CMAKE_INSTALL_LIBDIR}/pkgconfig /root)
string(REGEX REPLACE "/$" "" MC_PC_PREFIX "${MC_PC_PREFIX}")
configure_file(cmake/cppmemcached-client.pc.in ${PROJECT_BINARY_DIR}/cppmemcached-client.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/cppmemcached-client.pc
  DESTINATION ${CMAKE_INSTALL_LIBDIR}/pkgconfig COMPONENT dev)

# The consumer test: install into a temporary prefix, build examples/ with find_package and
# with pkg-config, run both against the installed server. What is installed and packaged is
# the release build, so that is where this and the package test run (`ctest --preset release
# -L packaging`); a sanitized build's libraries would not link into a plain program anyway.
if(BUILD_TESTING AND CMAKE_BUILD_TYPE STREQUAL "Release" AND NOT MC_SANITIZE)
  add_test(NAME Packaging.ExamplesBuildAndRunAgainstTheInstalledTree
    COMMAND bash ${PROJECT_SOURCE_DIR}/packaging/test_consumer.sh
            ${PROJECT_BINARY_DIR} ${PROJECT_SOURCE_DIR} ${CMAKE_INSTALL_LIBDIR})
  set_tests_properties(Packaging.ExamplesBuildAndRunAgainstTheInstalledTree PROPERTIES
    LABELS packaging TIMEOUT 600)
endif()
