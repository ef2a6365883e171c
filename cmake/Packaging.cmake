# `make package`: Debian packages made by CPack from the release build, as memcached and
# libmemcached-dev are split: cppmemcached (binaries, man pages, /etc/cppmemcached.conf, a
# systemd unit) and cppmemcached-dev (libraries, headers, the CMake and pkg-config packages).

# The man pages, with the version filled in, compressed as Debian installs them.
foreach(page cppmemcached cppmc)
  configure_file(packaging/${page}.1.in ${PROJECT_BINARY_DIR}/man/${page}.1 @ONLY)
  file(ARCHIVE_CREATE OUTPUT ${PROJECT_BINARY_DIR}/man/${page}.1.gz
    PATHS ${PROJECT_BINARY_DIR}/man/${page}.1 FORMAT raw COMPRESSION GZip MTIME 0)
  install(FILES ${PROJECT_BINARY_DIR}/man/${page}.1.gz
    DESTINATION ${CMAKE_INSTALL_MANDIR}/man1 COMPONENT runtime)
endforeach()
install(PROGRAMS packaging/cppmemcached-wrapper
  DESTINATION ${CMAKE_INSTALL_DATADIR}/cppmemcached COMPONENT runtime)

# The service files have absolute paths (/etc, /lib/systemd/system) and only the package
# installs them: EXCLUDE_FROM_ALL keeps `cmake --install --prefix P` from writing to /etc.
install(FILES packaging/cppmemcached.conf DESTINATION /etc COMPONENT service EXCLUDE_FROM_ALL)
install(FILES packaging/cppmemcached.service
  DESTINATION /lib/systemd/system COMPONENT service EXCLUDE_FROM_ALL)

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME cppmemcached)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
# The first line of both packages' descriptions; each adds its own paragraph.
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "memcached-compatible cache server and client in C++20")
set(CPACK_PACKAGE_CONTACT "cppmemcached maintainers <cppmemcached@localhost>")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_COMPONENTS_ALL runtime service dev)
set(CPACK_COMPONENT_RUNTIME_GROUP server)
set(CPACK_COMPONENT_SERVICE_GROUP server)
set(CPACK_COMPONENT_DEV_GROUP dev)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # cppmemcached_0.1.0_amd64.deb
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

set(CPACK_DEBIAN_SERVER_PACKAGE_NAME cppmemcached)
set(CPACK_DEBIAN_SERVER_PACKAGE_SECTION net)
set(CPACK_DEBIAN_SERVER_DESCRIPTION "cppmemcached answers memcached's text and meta commands byte \
for byte as memcached 1.6.18 does; cppmc is a command-line client with libmemcached's ketama \
placement. The server runs as a hardened systemd service configured in /etc/cppmemcached.conf.")
set(CPACK_DEBIAN_SERVER_PACKAGE_SHLIBDEPS ON)  # libc, libstdc++, fmt, OpenSSL, xxHash
set(CPACK_DEBIAN_SERVER_PACKAGE_CONTROL_EXTRA
  ${PROJECT_SOURCE_DIR}/packaging/conffiles ${PROJECT_SOURCE_DIR}/packaging/postinst)

set(CPACK_DEBIAN_DEV_PACKAGE_NAME cppmemcached-dev)
set(CPACK_DEBIAN_DEV_PACKAGE_SECTION libdevel)
set(CPACK_DEBIAN_DEV_DESCRIPTION "Static libraries and headers of cppmemcached's mc::client (a \
batching client session and a ketama cluster), mc::server, mc::codec and mc::net, with a CMake \
package (find_package(cppmemcached)) and a pkg-config file (cppmemcached-client).")
set(CPACK_DEBIAN_DEV_PACKAGE_DEPENDS "libasio-dev, libfmt-dev, libssl-dev, libxxhash-dev")

include(CPack)

# The package test: cpack, unpack the .deb into a temporary root (dpkg-deb -x), check the man
# pages, `systemd-analyze verify` the unit, run the packaged server from its wrapper and conf.
if(BUILD_TESTING AND CMAKE_BUILD_TYPE STREQUAL "Release" AND NOT MC_SANITIZE)
  add_test(NAME Packaging.DebianPackageServesFromAnUnpackedRoot
    COMMAND bash ${PROJECT_SOURCE_DIR}/packaging/test_package.sh
            ${PROJECT_BINARY_DIR} ${PROJECT_SOURCE_DIR})
  set_tests_properties(Packaging.DebianPackageServesFromAnUnpackedRoot PROPERTIES
    LABELS packaging TIMEOUT 600)
endif()
