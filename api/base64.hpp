#pragma once

// Lenient base64 decoding for what clients really send: the standard or the URL-safe
// alphabet, with or without '=' padding (Basic auth headers, pixel `data` parameters).

#include <optional>
#include <string>
#include <string_view>

namespace sluice::api {

// nullopt on a character outside both alphabets or an impossible length.
std::optional<std::string> decode_base64(std::string_view text);

// Standard alphabet, with padding.
std::string encode_base64(std::string_view bytes);

}  // namespace sluice::api
