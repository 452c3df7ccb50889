# Project-wide compile settings applied to Archivist's own targets only (never to generated code).
set(ARCHIVIST_WARNINGS -Wall -Wextra -Werror)

# Fuzzing builds use clang; its warning set differs from GCC's, which is the one the project keeps
# clean, so warnings stay visible there but do not fail the build.
if(ARCHIVIST_FUZZ)
  set(ARCHIVIST_WARNINGS -Wall -Wextra)
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer)
  add_link_options(-fsanitize=address,undefined)
endif()

if(ARCHIVIST_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()

# archivist_module(NAME SOURCES ... [DEPS ...] [PRIVATE_DEPS ...])
# One static library per module: public headers under include/, everything else private. A module
# links only the modules it may include, so the dependency direction of DESIGN.md is enforced by the
# include paths the build hands out.
function(archivist_module name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  target_include_directories(${name} PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include
                                     PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/src)
  target_compile_options(${name} PRIVATE ${ARCHIVIST_WARNINGS})
  if(ARCHIVIST_NATIVE)
    target_compile_options(${name} PRIVATE -march=native)
  endif()
  target_link_libraries(${name} PUBLIC ${ARG_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
endfunction()

# archivist_test(NAME LABEL SOURCES ... DEPS ...)
function(archivist_test name)
  cmake_parse_arguments(ARG "" "LABEL;TIMEOUT" "SOURCES;DEPS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_compile_options(${name} PRIVATE ${ARCHIVIST_WARNINGS})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} GTest::gtest GTest::gmock GTest::gtest_main)
  # Tests that ingest PDFs spawn the worker from the build tree; building one test alone must work.
  if(TARGET archivist-extract-worker)
    add_dependencies(${name} archivist-extract-worker)
  endif()
  target_compile_definitions(${name} PRIVATE
    ARCHIVIST_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    ARCHIVIST_BINARY_DIR="${PROJECT_BINARY_DIR}")
  if(NOT ARG_TIMEOUT)
    set(ARG_TIMEOUT 300)
  endif()
  # OpenMP (FAISS, Tesseract) must not start pools beside oneTBB's, exactly as in the CLI.
  gtest_discover_tests(${name} PROPERTIES LABELS "${ARG_LABEL}" TIMEOUT ${ARG_TIMEOUT}
                       ENVIRONMENT "OMP_THREAD_LIMIT=1;OMP_NUM_THREADS=1"
                       DISCOVERY_TIMEOUT 60)
endfunction()
