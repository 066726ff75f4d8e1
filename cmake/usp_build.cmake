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

if(USP_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()

# usp_library(<name> SOURCES ... DEPS ...): a static library with our warnings.
function(usp_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;PUBLIC_DEPS;PRIVATE_DEPS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  usp_warnings(${name})
  target_link_libraries(${name} PUBLIC ${ARG_PUBLIC_DEPS} PRIVATE ${ARG_PRIVATE_DEPS})
endfunction()
