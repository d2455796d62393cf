// The text decoders of the tracking port's edges: the pixel's query (base64 data and flat
// parameters), Basic auth and percent-decoding. None may crash; a pixel message, when there is
// one, is a JSON object, or fails only for bytes that are not UTF-8 (kept on purpose, so the
// message is refused later as a POSTed one holding them would be); percent-decoding never
// grows the text.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include <simdjson.h>

#include "api/auth.hpp"
#include "api/base64.hpp"
#include "api/pixel.hpp"
#include "fuzz/fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace sluice;
  static simdjson::dom::parser parser;
  const std::string_view text(reinterpret_cast<const char*>(data), size);

  if (const auto message = api::pixel_message_json(text)) {
    simdjson::dom::object object;
    const auto error = parser.parse(*message).get_object().get(object);
    SLUICE_FUZZ_CHECK(error == simdjson::SUCCESS || error == simdjson::UTF8_ERROR,
                      "a pixel message is a JSON object, unless it holds bytes that are not UTF-8");
  }
  if (const auto decoded = api::decode_base64(text)) {
    SLUICE_FUZZ_CHECK(decoded->size() <= text.size(), "base64 decodes to fewer bytes");
    SLUICE_FUZZ_CHECK(api::decode_base64(api::encode_base64(*decoded)) == *decoded,
                      "base64 round-trips");
  }
  if (const auto key = api::write_key_from_authorization(text)) {
    SLUICE_FUZZ_CHECK(!key->empty() && key->find(':') == std::string::npos,
                      "a Basic key is a non-empty user name");
  }
  SLUICE_FUZZ_CHECK(api::percent_decode(text).size() <= text.size(),
                    "percent-decoding never grows the text");
  (void)api::query_parameter(text, "writeKey");
  return 0;
}
