# Warnings and sanitizers are INTERFACE targets linked PRIVATE into our own targets only, so
# third-party headers and flags stay untouched.
option(SLUICE_WERROR "Treat warnings as errors" OFF)
# OFF; address (AddressSanitizer + UndefinedBehaviorSanitizer; ON means the same); thread
# (ThreadSanitizer). ASan and TSan cannot share a binary, hence one switch with a value.
set(SLUICE_SANITIZE OFF CACHE STRING "Sanitizers: OFF, address (or ON) or thread")
set_property(CACHE SLUICE_SANITIZE PROPERTY STRINGS OFF ON address thread)

add_library(sluice_warnings INTERFACE)
target_compile_options(sluice_warnings INTERFACE -Wall -Wextra -Wpedantic -Wno-missing-field-initializers)
# GCC 12 reports -Wrestrict for `"literal" + std::string&&` inside libstdc++ at -O2 (GCC bug
# 105329), a false positive that would fail -Werror builds wherever strings are concatenated.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  target_compile_options(sluice_warnings INTERFACE -Wno-restrict)
endif()
# Clang checks the GUARDED_BY / REQUIRES annotations (common/thread_annotations.hpp). A
# violation is a locking bug, so it fails every clang build, not only -Werror ones.
if(CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  target_compile_options(sluice_warnings INTERFACE -Wthread-safety -Werror=thread-safety)
endif()
if(SLUICE_WERROR)
  target_compile_options(sluice_warnings INTERFACE -Werror)
endif()

add_library(sluice_sanitizers INTERFACE)
string(TOLOWER "${SLUICE_SANITIZE}" sluice_sanitize)
set(sluice_sanitize_address_values address on true yes 1)
set(sluice_sanitize_off_values off false no 0 "")
if(sluice_sanitize IN_LIST sluice_sanitize_address_values)
  target_compile_options(sluice_sanitizers INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  target_link_options(sluice_sanitizers INTERFACE -fsanitize=address,undefined)
elseif(sluice_sanitize STREQUAL "thread")
  target_compile_options(sluice_sanitizers INTERFACE -fsanitize=thread -fno-omit-frame-pointer)
  target_link_options(sluice_sanitizers INTERFACE -fsanitize=thread)
elseif(NOT sluice_sanitize IN_LIST sluice_sanitize_off_values)
  message(FATAL_ERROR "SLUICE_SANITIZE is '${SLUICE_SANITIZE}'; expected OFF, address or thread")
endif()

add_library(sluice_options INTERFACE)
target_link_libraries(sluice_options INTERFACE sluice_warnings sluice_sanitizers)
target_compile_features(sluice_options INTERFACE cxx_std_20)
