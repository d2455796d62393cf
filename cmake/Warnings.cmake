# Warnings and sanitizers are INTERFACE targets linked PRIVATE into our own targets only, so
# third-party headers and flags stay untouched.
option(SLUICE_WERROR "Treat warnings as errors" OFF)
option(SLUICE_SANITIZE "Build with AddressSanitizer and UndefinedBehaviorSanitizer" OFF)

add_library(sluice_warnings INTERFACE)
target_compile_options(sluice_warnings INTERFACE -Wall -Wextra -Wpedantic -Wno-missing-field-initializers)
# GCC 12 reports -Wrestrict for `"literal" + std::string&&` inside libstdc++ at -O2 (GCC bug
# 105329), a false positive that would fail -Werror builds wherever strings are concatenated.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  target_compile_options(sluice_warnings INTERFACE -Wno-restrict)
endif()
if(SLUICE_WERROR)
  target_compile_options(sluice_warnings INTERFACE -Werror)
endif()

add_library(sluice_sanitizers INTERFACE)
if(SLUICE_SANITIZE)
  target_compile_options(sluice_sanitizers INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  target_link_options(sluice_sanitizers INTERFACE -fsanitize=address,undefined)
endif()

add_library(sluice_options INTERFACE)
target_link_libraries(sluice_options INTERFACE sluice_warnings sluice_sanitizers)
target_compile_features(sluice_options INTERFACE cxx_std_20)
