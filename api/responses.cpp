#include "api/responses.hpp"

#include "api/json_string.hpp"

namespace sluice::api {

namespace {

// ,"<name>":[{"index":N,...},...]: each item's members after its index written by write_rest.
template <typename Item, typename WriteRest>
void append_indexed(std::string& body, std::string_view name, std::span<const Item> items,
                    WriteRest write_rest) {
  body += ",\"";
  body += name;
  body += "\":[";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) body += ',';
    body += R"({"index":)";
    body += std::to_string(items[i].index);
    write_rest(items[i]);
    body += '}';
  }
  body += ']';
}

}  // namespace

std::string success_body(std::span<const Rejection> rejected, std::span<const Duplicate> duplicates,
                         bool single) {
  if (rejected.empty() && duplicates.empty()) return R"({"success":true})";
  std::string body = R"({"success":true)";
  if (!rejected.empty()) {
    append_indexed(body, "rejected", rejected, [&body](const Rejection& rejection) {
      body += R"(,"code":)";
      append_json_string(body, rejection.code, InvalidUtf8::kKeep);
      body += R"(,"message":)";
      append_json_string(body, rejection.message, InvalidUtf8::kKeep);
    });
  }
  if (single && !duplicates.empty()) {
    body += R"(,"duplicate":true)";
  } else if (!duplicates.empty()) {
    append_indexed(body, "duplicates", duplicates, [&body](const Duplicate& duplicate) {
      body += R"(,"messageId":)";
      append_json_string(body, duplicate.message_id, InvalidUtf8::kReplace);
    });
  }
  body += '}';
  return body;
}

std::string error_body(std::string_view code, std::string_view message) {
  std::string body = R"({"code":)";
  append_json_string(body, code, InvalidUtf8::kKeep);
  body += R"(,"message":)";
  // Messages may quote what the client sent (a path, a parser's complaint): bytes that are not
  // UTF-8 must not make the answer itself invalid JSON.
  append_json_string(body, message, InvalidUtf8::kReplace);
  body += '}';
  return body;
}

std::string settings_body(std::string_view write_key, std::string_view public_host) {
  std::string body = R"({"integrations":{"Segment.io":{"apiKey":)";
  append_json_string(body, write_key, InvalidUtf8::kKeep);
  if (!public_host.empty()) {
    body += R"(,"apiHost":)";
    append_json_string(body, std::string(public_host) + "/v1", InvalidUtf8::kKeep);
  }
  body += R"(,"unbundledIntegrations":[],"addBundledMetadata":true,"maybeBundledConfigIds":{},)"
          R"("versionSettings":{"version":"4.4.7","componentTypes":["browser"]}}},)"
          R"("plan":{"track":{"__default":{"enabled":true,"integrations":{}}},)"
          R"("identify":{"__default":{"enabled":true}},"group":{"__default":{"enabled":true}}},)"
          R"("edgeFunction":{},"analyticsNextEnabled":true,"middlewareSettings":{},)"
          R"("enabledMiddleware":{},"metrics":{"sampleRate":0},)"
          R"("legacyVideoPluginsEnabled":false,"remotePlugins":[]})";
  return body;
}

}  // namespace sluice::api
