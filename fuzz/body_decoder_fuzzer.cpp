// Content-Encoding decoding: the first byte picks the encoding, the rest is the body. Whatever
// the bytes, the decoder answers, and a decoded body is never larger than the limit.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz/fuzz_check.hpp"
#include "server/body_decoder.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace sluice::server;
  if (size == 0) return 0;
  constexpr std::size_t kLimit = 64 * 1024;
  static BodyDecoder decoder(kLimit);
  constexpr std::string_view kEncodings[] = {"gzip", "deflate", "x-gzip", "identity", "br"};
  const std::string_view encoding = kEncodings[data[0] % std::size(kEncodings)];
  const std::string_view body(reinterpret_cast<const char*>(data + 1), size - 1);
  std::string_view decoded;
  if (decoder.decode(encoding, body, &decoded) == DecodeStatus::kOk) {
    SLUICE_FUZZ_CHECK(decoded.size() <= kLimit || encoding == "identity",
                      "a decoded body stays within the limit");
  }
  return 0;
}
