# Project-wide build settings shared by every target.

# usp_warnings(<target>): the warning set our own code is kept clean against.
function(usp_warnings target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wshadow -Wold-style-cast
    -Woverloaded-virtual -Wcast-align -Wimplicit-fallthrough -Wformat=2)
  if(USP_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

option(USP_WERROR "Treat warnings as errors" OFF)
option(USP_SANITIZE "Build with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)

option(USP_FUZZ "Build the fuzz targets as libFuzzer binaries (clang; tests/fuzz/CMakeLists.txt)" OFF)

# usp_sanitizer_runtime: the shared sanitizer runtime(s), ':'-separated, that a
# plain process (mosquitto) needs preloaded to load our sanitized plugin.
set(usp_sanitizer_runtime "")
if(USP_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    # clang's ASan runtime carries UBSan's too. Executables link it shared,
    # as gcc does, so that preloading it into a process tree (the bench and
    # soak smoke tests) meets the same runtime, not a second one.
    execute_process(COMMAND ${CMAKE_CXX_COMPILER} -print-file-name=libclang_rt.asan-${CMAKE_SYSTEM_PROCESSOR}.so
                    OUTPUT_VARIABLE usp_sanitizer_runtime OUTPUT_STRIP_TRAILING_WHITESPACE)
    get_filename_component(usp_sanitizer_dir "${usp_sanitizer_runtime}" DIRECTORY)
    add_link_options(-shared-libasan -Wl,-rpath,${usp_sanitizer_dir})
  else()
    foreach(lib libasan.so libubsan.so)
      execute_process(COMMAND ${CMAKE_CXX_COMPILER} -print-file-name=${lib}
                      OUTPUT_VARIABLE path OUTPUT_STRIP_TRAILING_WHITESPACE)
      list(APPEND usp_sanitizer_runtime ${path})
    endforeach()
    string(REPLACE ";" ":" usp_sanitizer_runtime "${usp_sanitizer_runtime}")
  endif()
endif()

if(USP_FUZZ)
  if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
    message(FATAL_ERROR "USP_FUZZ needs clang (libFuzzer): use the asan or fuzz preset")
  endif()
  # libFuzzer's coverage feedback in every library; the fuzz targets
  # themselves link -fsanitize=fuzzer (tests/fuzz/CMakeLists.txt).
  add_compile_options(-fsanitize=fuzzer-no-link)
endif()

# usp_library(<name> SOURCES ... DEPS ...): a static library with our warnings.
function(usp_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;PUBLIC_DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  usp_warnings(${name})
  target_link_libraries(${name} PUBLIC ${ARG_PUBLIC_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
endfunction()
