#include "inbound/click_links.hpp"

#include <simdjson.h>

#include "api/auth.hpp"
#include "api/base64.hpp"
#include "api/json_writer.hpp"
#include "inbound/signatures.hpp"

namespace sluice::inbound {
namespace {

std::string base64url(std::string_view bytes) {
  std::string text = api::encode_base64(bytes);
  while (!text.empty() && text.back() == '=') text.pop_back();
  for (char& c : text) {
    if (c == '+') c = '-';
    if (c == '/') c = '_';
  }
  return text;
}

std::string signature_of(std::string_view data, std::string_view target,
                         std::string_view link_secret) {
  std::string signed_text(data);
  signed_text += '\n';
  signed_text += target;
  return base64url(hmac_sha256(link_secret, signed_text));
}

std::string string_member(simdjson::dom::object object, std::string_view key) {
  std::string_view value;
  if (object.at_key(key).get_string().get(value) != simdjson::SUCCESS) return {};
  return std::string(value);
}

// The properties' text without a link_url member: the event's link_url is always the target the
// reader was sent to, and a message may not name a member twice.
std::string without_link_url(simdjson::dom::object properties) {
  std::string out = "{";
  for (auto [key, value] : properties) {
    if (key == "link_url") continue;
    if (out.size() > 1) out += ',';
    api::JsonWriter name;
    name.string(key);
    out += name.take();
    out += ':';
    out += simdjson::minify(value);
  }
  out += '}';
  return out;
}

// Reads d's JSON object into request; an error message, or empty when it is usable.
std::string read_data(std::string_view json, ClickRequest& request) {
  simdjson::dom::parser parser;
  simdjson::dom::object object;
  if (parser.parse(json.data(), json.size()).get_object().get(object) != simdjson::SUCCESS) {
    return "d is not a JSON object";
  }
  request.write_key = string_member(object, "writeKey");
  request.user_id = string_member(object, "userId");
  request.anonymous_id = string_member(object, "anonymousId");
  simdjson::dom::object properties;
  request.properties = object.at_key("properties").get_object().get(properties) == simdjson::SUCCESS
                           ? without_link_url(properties)
                           : "{}";
  if (request.user_id.empty() && request.anonymous_id.empty()) {
    return "d has neither userId nor anonymousId";
  }
  return {};
}

bool is_unreserved(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '_' || c == '.' || c == '~';
}

}  // namespace

std::string percent_encode(std::string_view text) {
  static constexpr char kDigits[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    if (is_unreserved(c)) {
      out += c;
      continue;
    }
    const auto byte = static_cast<unsigned char>(c);
    out += '%';
    out += kDigits[byte >> 4];
    out += kDigits[byte & 0xf];
  }
  return out;
}

ClickParse parse_click_query(std::string_view query) {
  ClickParse parse;
  const auto data = api::query_parameter(query, "d");
  const auto target = api::query_parameter(query, "u");
  const auto signature = api::query_parameter(query, "s");
  if (!data || !target || !signature || data->empty() || signature->empty()) {
    parse.error = "a click link needs the parameters d, u and s";
    return parse;
  }
  const auto json = api::decode_base64(*data);
  if (!json) {
    parse.error = "d is not base64 text";
    return parse;
  }
  ClickRequest request;
  request.data = *data;
  request.target = *target;
  request.signature = *signature;
  if (std::string error = read_data(*json, request); !error.empty()) {
    parse.error = std::move(error);
    return parse;
  }
  if (request.write_key.empty()) {
    parse.error = "d has no writeKey";
    return parse;
  }
  parse.request = std::move(request);
  return parse;
}

bool click_signature_valid(const ClickRequest& request, std::string_view link_secret) {
  if (link_secret.empty()) return false;
  return equal_secrets(signature_of(request.data, request.target, link_secret), request.signature);
}

std::optional<std::string> check_click_target(std::string_view url) {
  std::string_view rest;
  if (url.starts_with("https://")) {
    rest = url.substr(8);
  } else if (url.starts_with("http://")) {
    rest = url.substr(7);
  } else {
    return "the target must be an http:// or https:// URL";
  }
  for (const char c : url) {
    if (static_cast<unsigned char>(c) <= ' ' || c == 0x7f || c == '\\') {
      return "the target holds a space, a control character or a backslash";
    }
  }
  const std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  const std::string_view host = authority.substr(authority.rfind('@') + 1);
  if (host.empty() || host.front() == ':') return "the target has no host";
  return std::nullopt;
}

std::string click_message_json(const ClickRequest& request) {
  api::JsonWriter json;
  json.begin_object();
  json.key("type");
  json.string("track");
  json.key("event");
  json.string("Email Link Clicked");
  if (!request.user_id.empty()) {
    json.key("userId");
    json.string(request.user_id);
  }
  if (!request.anonymous_id.empty()) {
    json.key("anonymousId");
    json.string(request.anonymous_id);
  }
  // The signed properties, then link_url: the target the reader was sent to.
  std::string properties = request.properties;
  properties.pop_back();  // '}'
  if (properties.size() > 1) properties += ',';
  api::JsonWriter url;
  url.string(request.target);
  properties += "\"link_url\":" + url.take() + "}";
  json.key("properties");
  json.raw(properties);
  json.end_object();
  return json.take();
}

std::optional<std::string> signed_click_link(std::string_view base, std::string_view write_key,
                                             std::string_view link_secret,
                                             std::string_view data_json, std::string_view target,
                                             std::string& error) {
  if (auto refused = check_click_target(target)) {
    error = *refused;
    return std::nullopt;
  }
  ClickRequest request;
  if (std::string refused = read_data(data_json, request); !refused.empty()) {
    error = "--data: " + refused;
    return std::nullopt;
  }
  api::JsonWriter data;
  data.begin_object();
  data.key("writeKey");
  data.string(write_key);
  if (!request.user_id.empty()) {
    data.key("userId");
    data.string(request.user_id);
  }
  if (!request.anonymous_id.empty()) {
    data.key("anonymousId");
    data.string(request.anonymous_id);
  }
  data.key("properties");
  data.raw(request.properties);
  data.end_object();
  const std::string d = base64url(data.take());
  std::string link(base);
  link += "/v1/email/click?d=" + d + "&u=" + percent_encode(target) +
          "&s=" + signature_of(d, target, link_secret);
  return link;
}

}  // namespace sluice::inbound
