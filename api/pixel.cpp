#include "api/pixel.hpp"

#include <map>

#include "api/auth.hpp"
#include "api/base64.hpp"
#include "api/responses.hpp"

namespace sluice::api {
namespace {

// A tree of flat parameters: dotted names become nested objects.
struct Node {
  std::string value;
  std::map<std::string, Node, std::less<>> children;
};

void insert(Node& root, std::string_view path, std::string value) {
  Node* node = &root;
  while (true) {
    auto dot = path.find('.');
    std::string key(path.substr(0, dot));
    node = &node->children[key];
    if (dot == std::string_view::npos) break;
    path.remove_prefix(dot + 1);
  }
  node->value = std::move(value);
}

void write_members(const Node& node, std::string& out, bool& first) {
  for (const auto& [key, child] : node.children) {
    if (!first) out += ',';
    first = false;
    append_json_string(out, key);
    out += ':';
    if (child.children.empty()) {
      append_json_string(out, child.value);
    } else {
      out += '{';
      bool child_first = true;
      write_members(child, out, child_first);
      out += '}';
    }
  }
}

}  // namespace

std::optional<std::string> pixel_message_json(std::string_view query) {
  std::string data_json;
  Node flat;
  while (!query.empty()) {
    auto amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (pair.empty()) continue;
    auto eq = pair.find('=');
    std::string key = percent_decode(pair.substr(0, eq));
    std::string value = eq == std::string_view::npos ? "" : percent_decode(pair.substr(eq + 1));
    if (key == "data") {
      auto decoded = decode_base64(value);
      if (!decoded) return std::nullopt;
      data_json = std::move(*decoded);
    } else if (!key.empty() && key.front() != '.' && key.back() != '.') {
      insert(flat, key, std::move(value));
    }
  }
  if (data_json.empty()) data_json = "{}";
  if (flat.children.empty()) return data_json;

  // Flat parameters go after the data members: for a key present in both, the later (flat)
  // one wins, as JSON readers here keep the last occurrence of a well-known key.
  auto close = data_json.find_last_of('}');
  if (close == std::string::npos) return std::nullopt;
  std::string out = data_json.substr(0, close);
  bool first = out.find_first_not_of(" \t\r\n{") == std::string::npos;
  write_members(flat, out, first);
  out += '}';
  return out;
}

std::string_view transparent_gif() {
  static constexpr unsigned char kGif[] = {
      0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 0x01, 0x00, 0x01, 0x00, 0x80, 0x00, 0x00, 0x00, 0x00,
      0x00, 0x00, 0x00, 0x00, 0x21, 0xf9, 0x04, 0x01, 0x00, 0x00, 0x00, 0x00, 0x2c, 0x00, 0x00,
      0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0x02, 0x02, 0x44, 0x01, 0x00, 0x3b};
  return {reinterpret_cast<const char*>(kGif), sizeof kGif};
}

}  // namespace sluice::api
