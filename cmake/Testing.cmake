include(CTest)  # defines BUILD_TESTING (ON unless -DBUILD_TESTING=OFF)
if(BUILD_TESTING)
  # Only the tests and mc::testing use GoogleTest: with BUILD_TESTING=OFF it need not exist.
  find_package(GTest REQUIRED)
  include(GoogleTest)
endif()

# mc_add_test(NAME LABEL <stage> SOURCES <files...> [LIBRARIES <targets...>])
#
# One GoogleTest binary whose tests are registered one by one with CTest and labelled with
# the stage folder's name, so `ctest --preset release -L 01-echo` runs one chapter.
function(mc_add_test name)
  cmake_parse_arguments(ARG "" "LABEL" "SOURCES;LIBRARIES" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE GTest::gtest_main mc::testing fmt::fmt ${ARG_LIBRARIES})
  gtest_discover_tests(${name}
    DISCOVERY_TIMEOUT 60
    PROPERTIES LABELS "${ARG_LABEL}" TIMEOUT 120)
endfunction()
