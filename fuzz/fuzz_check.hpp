#pragma once

// An invariant of a fuzz target: when it does not hold, say which and stop the run, so
// libFuzzer keeps the input as a crash.

#include <cstdio>
#include <cstdlib>

#define SLUICE_FUZZ_CHECK(condition, what)                                              \
  do {                                                                                  \
    if (!(condition)) {                                                                 \
      std::fprintf(stderr, "invariant broken: %s (%s:%d)\n", what, __FILE__, __LINE__); \
      std::abort();                                                                     \
    }                                                                                   \
  } while (false)
