#include "api/pixel.hpp"

#include <algorithm>
#include <vector>

#include <simdjson.h>

#include "api/auth.hpp"
#include "api/base64.hpp"
#include "api/json_string.hpp"

namespace sluice::api {
namespace {

// Nesting a flat parameter may ask for (`a.b.c` is 3). Deeper paths are no message a client
// sends, only a way to make the server build and then refuse a deep document.
constexpr std::size_t kMaxFlatPathDepth = 32;

struct Member;

// A message being assembled: objects are children, anything else keeps its JSON text.
struct Node {
  std::string json;  // leaf value as JSON text; unused when children is not empty
  // In the order first seen. A named struct, not std::pair<std::string, Node>: a vector of an
  // incomplete type is allowed, a pair holding one is not (clang rejects it with libstdc++).
  std::vector<Member> children;
  bool is_object = false;
};

struct Member {
  std::string name;
  Node value;
};

Node& child(Node& node, std::string_view key) {
  for (auto& [name, existing] : node.children) {
    if (name == key) return existing;
  }
  return node.children.emplace_back(Member{std::string(key), Node{}}).value;
}

void insert_flat(Node& root, std::string_view path, std::string_view value) {
  Node* node = &root;
  while (true) {
    auto dot = path.find('.');
    node->is_object = true;
    node = &child(*node, path.substr(0, dot));
    if (dot == std::string_view::npos) break;
    path.remove_prefix(dot + 1);
  }
  node->children.clear();
  node->is_object = false;
  node->json.clear();
  // Bytes that are not UTF-8 are kept, so the message then fails to parse, as a POSTed one
  // holding them would.
  append_json_string(node->json, value, InvalidUtf8::kKeep);
}

void insert_json(Node& node, simdjson::dom::element element) {
  if (element.type() != simdjson::dom::element_type::OBJECT) {
    node.is_object = false;
    node.json = simdjson::minify(element);
    return;
  }
  node.is_object = true;
  for (auto [key, value] : element.get_object()) insert_json(child(node, key), value);
}

void write(const Node& node, std::string& out) {
  if (!node.is_object) {
    out += node.json;
    return;
  }
  out += '{';
  bool first = true;
  for (const auto& [key, value] : node.children) {
    if (!first) out += ',';
    first = false;
    append_json_string(out, key, InvalidUtf8::kKeep);
    out += ':';
    write(value, out);
  }
  out += '}';
}

}  // namespace

std::optional<std::string> pixel_message_json(std::string_view query) {
  Node message;
  message.is_object = true;
  std::vector<std::pair<std::string, std::string>> flat;
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
      simdjson::dom::parser parser;
      simdjson::dom::element root;
      if (parser.parse(*decoded).get(root) != simdjson::SUCCESS ||
          root.type() != simdjson::dom::element_type::OBJECT) {
        return std::nullopt;
      }
      insert_json(message, root);
    } else if (!key.empty() && key.front() != '.' && key.back() != '.') {
      if (static_cast<std::size_t>(std::count(key.begin(), key.end(), '.')) >= kMaxFlatPathDepth) {
        return std::nullopt;
      }
      flat.emplace_back(std::move(key), std::move(value));
    }
  }
  // Flat parameters apply after `data`, wherever they stand in the query.
  for (const auto& [key, value] : flat) insert_flat(message, key, value);
  std::string out;
  write(message, out);
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
