// The one Catch2 main every test suite links (sluice_catch_main): Catch's implementation is the
// largest thing a suite compiles, so it is compiled once per build, not once per suite.
#define CATCH_CONFIG_MAIN
#include <catch2/catch.hpp>
