#include "api/auth.hpp"

#include <boost/algorithm/string/predicate.hpp>

#include "api/base64.hpp"

namespace sluice::api {

std::optional<std::string> write_key_from_authorization(std::string_view header) {
  while (!header.empty() && header.front() == ' ') header.remove_prefix(1);
  constexpr std::string_view kBasic = "basic ";
  if (!boost::algorithm::istarts_with(header, kBasic)) return std::nullopt;
  std::string_view credentials = header.substr(kBasic.size());
  while (!credentials.empty() && credentials.front() == ' ') credentials.remove_prefix(1);
  while (!credentials.empty() && credentials.back() == ' ') credentials.remove_suffix(1);
  auto decoded = decode_base64(credentials);
  if (!decoded) return std::nullopt;
  auto colon = decoded->find(':');
  if (colon != std::string::npos) decoded->resize(colon);
  if (decoded->empty()) return std::nullopt;
  return decoded;
}

std::string percent_decode(std::string_view text, bool plus_is_space) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else if (c == '%' && i + 2 < text.size() && hex(text[i + 1]) >= 0 && hex(text[i + 2]) >= 0) {
      out.push_back(static_cast<char>(hex(text[i + 1]) * 16 + hex(text[i + 2])));
      i += 2;
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::optional<std::string> query_parameter(std::string_view query, std::string_view name) {
  while (!query.empty()) {
    auto amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    auto eq = pair.find('=');
    std::string_view key = pair.substr(0, eq);
    if (key == name) {
      return eq == std::string_view::npos ? std::string{} : percent_decode(pair.substr(eq + 1));
    }
  }
  return std::nullopt;
}

WriteKeyResolver::WriteKeyResolver(const KeyCarriers& carriers) : carriers_(carriers) {
  if (auto key = write_key_from_authorization(carriers.authorization)) basic_ = std::move(*key);
}

std::string_view WriteKeyResolver::resolve(std::string_view body_key) {
  if (!basic_.empty()) return basic_;
  if (!body_key.empty()) return body_key;
  if (!carriers_.write_key_header.empty()) return carriers_.write_key_header;
  // writeKey= present but empty counts as given (and empty): the lower-case spelling is only
  // tried when the camel-case one is absent.
  if (auto key = query_parameter(carriers_.query, "writeKey")) {
    from_query_ = std::move(*key);
  } else if (auto lower = query_parameter(carriers_.query, "writekey")) {
    from_query_ = std::move(*lower);
  }
  return from_query_;
}

}  // namespace sluice::api
