include(CTest)  # defines BUILD_TESTING (ON unless -DBUILD_TESTING=OFF)
if(BUILD_TESTING)
  # Only the tests and mc::testing use GoogleTest: with BUILD_TESTING=OFF it need not exist.
  find_package(GTest REQUIRED)
  include(GoogleTest)
endif()

# mc_add_test(NAME LABEL <stage[;more labels]> SOURCES <files...> [LIBRARIES <targets...>])
#
# One GoogleTest binary whose tests are registered one by one with CTest and labelled with
# the stage folder's name, so `ctest --preset release -L 01-echo` runs one chapter.
function(mc_add_test name)
  cmake_parse_arguments(ARG "" "" "LABEL;SOURCES;LIBRARIES" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE GTest::gtest_main mc::testing fmt::fmt ${ARG_LIBRARIES})
  gtest_discover_tests(${name}
    DISCOVERY_TIMEOUT 60
    PROPERTIES TIMEOUT 120)
  # Not PROPERTIES LABELS: CMake 3.25 splits "06-benchmarks;unit" into LABELS 06-benchmarks and
  # a property named unit. A script that ctest reads after the discovered tests (which define
  # ${name}_TESTS) gives each of them the whole list.
  set(label_script "${CMAKE_CURRENT_BINARY_DIR}/${name}_labels.cmake")
  file(WRITE "${label_script}" "if(DEFINED ${name}_TESTS)\n"
    "  set_tests_properties(\${${name}_TESTS} PROPERTIES LABELS \"${ARG_LABEL}\")\n"
    "endif()\n")
  set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES "${label_script}")
endfunction()
