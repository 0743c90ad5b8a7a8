# One-line module build files (after 3FS's cmake/Target.cmake):
#   ava_add_library(store common CURL::libcurl)   in src/store/CMakeLists.txt
#   ava_add_test(store store ...)                  in tests/store/CMakeLists.txt
#   ava_add_binary(avafs fs store cache common)    in src/<folder>/CMakeLists.txt
# The library named NAME is built from every *.cc in the calling folder (tool entry points under
# a `main/` sub-folder excluded) and is linked as ava_NAME; its headers are included as
# "NAME/file.h" from src/.

function(ava_add_library name)
  file(GLOB srcs CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*.cc)
  add_library(ava_${name} STATIC ${srcs})
  target_include_directories(ava_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  set(deps)
  foreach(dep IN LISTS ARGN)
    if(TARGET ava_${dep})
      list(APPEND deps ava_${dep})
    else()
      list(APPEND deps ${dep})
    endif()
  endforeach()
  target_link_libraries(ava_${name} PUBLIC ${deps})
endfunction()

# ava_add_binary(NAME SOURCE dep...): an executable from one or more sources.
function(ava_add_binary name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  set(deps)
  foreach(dep IN LISTS ARG_DEPS)
    if(TARGET ava_${dep})
      list(APPEND deps ava_${dep})
    else()
      list(APPEND deps ${dep})
    endif()
  endforeach()
  target_link_libraries(${name} PRIVATE ${deps})
  set_target_properties(${name} PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/bin)
endfunction()

# ava_add_test(NAME LABEL dep...): one gtest binary from every *_test.cc in the calling folder,
# each test registered with CTest under LABEL (unit | integration | fuse).
function(ava_add_test name label)
  file(GLOB srcs CONFIGURE_DEPENDS ${CMAKE_CURRENT_SOURCE_DIR}/*_test.cc)
  add_executable(${name}_tests ${srcs})
  set(deps)
  foreach(dep IN LISTS ARGN)
    if(TARGET ava_${dep})
      list(APPEND deps ava_${dep})
    else()
      list(APPEND deps ${dep})
    endif()
  endforeach()
  target_include_directories(${name}_tests PRIVATE ${PROJECT_SOURCE_DIR}/tests ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(${name}_tests PRIVATE ${deps} GTest::gtest GTest::gmock GTest::gtest_main)
  set_target_properties(${name}_tests PROPERTIES RUNTIME_OUTPUT_DIRECTORY ${PROJECT_BINARY_DIR}/tests)
  gtest_discover_tests(${name}_tests PROPERTIES LABELS ${label} DISCOVERY_TIMEOUT 60)
endfunction()
