#include "bench/sluice_bench/verifier.hpp"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string_view>
#include <unordered_map>

#include <simdjson.h>

#include "bench/sluice_bench/ndjson_reader.hpp"

namespace sluice::bench {
namespace {

// Every acknowledged id as a view into the acked file's text, which stays loaded: one
// allocation for the text instead of one string per id.
using SeenCounts = std::unordered_map<std::string_view, std::uint32_t>;

bool read_whole_file(const std::string& path, std::string* text, std::string* error) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    *error = "cannot open " + path + ": " + std::strerror(errno);
    return false;
  }
  std::ostringstream content;
  content << in.rdbuf();
  if (in.bad()) {
    *error = "reading " + path + " failed";
    return false;
  }
  *text = std::move(content).str();
  return true;
}

template <typename Visit>
void for_each_line(std::string_view text, Visit visit) {
  while (!text.empty()) {
    const std::size_t end = text.find('\n');
    std::string_view line = text.substr(0, end);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (!line.empty()) visit(line);
    if (end == std::string_view::npos) break;
    text.remove_prefix(end + 1);
  }
}

// The messageId of a stored-event line: the event itself, or log cat's {"seq":N,"event":{}}.
bool message_id_of(simdjson::dom::parser& parser, const simdjson::padded_string_view& line,
                   std::string_view* message_id) {
  simdjson::dom::object root;
  if (parser.parse(line).get(root)) return false;
  simdjson::dom::object event;
  std::uint64_t sequence = 0;
  if (!root["event"].get(event) && !root["seq"].get(sequence)) {
    return !event["messageId"].get(*message_id);
  }
  return !root["messageId"].get(*message_id);
}

}  // namespace

bool verify_acknowledged(const std::string& acked_path,
                         const std::vector<std::string>& ndjson_paths, VerifyResult* result,
                         std::string* error) {
  *result = VerifyResult{};
  std::string acked_text;
  if (!read_whole_file(acked_path, &acked_text, error)) return false;
  SeenCounts seen;
  seen.reserve(static_cast<std::size_t>(std::count(acked_text.begin(), acked_text.end(), '\n')) +
               1);
  for_each_line(acked_text, [&](std::string_view id) {
    if (!seen.emplace(id, 0).second) ++result->acked_repeats;
  });
  result->acked = seen.size();

  simdjson::dom::parser parser;
  for (const std::string& path : ndjson_paths) {
    auto reader = NdjsonReader::open(path, error);
    if (!reader) return false;
    simdjson::padded_string_view line;
    while (reader->next(&line)) {
      ++result->stored_lines;
      std::string_view message_id;
      if (!message_id_of(parser, line, &message_id)) {
        ++result->unreadable_lines;
        continue;
      }
      auto it = seen.find(message_id);
      if (it == seen.end()) {
        ++result->unacknowledged;
      } else {
        ++it->second;
      }
    }
    if (!reader->error().empty()) {
      *error = reader->error();
      return false;
    }
  }

  for (const auto& [id, count] : seen) {
    if (count == 0) {
      ++result->missing;
    } else {
      ++result->found;
      if (count > 1) {
        ++result->duplicated;
        result->extra_copies += count - 1;
      }
    }
  }
  if (result->missing > 0) {
    for_each_line(acked_text, [&](std::string_view id) {
      auto& examples = result->missing_examples;
      if (examples.size() < VerifyResult::kMaxExamples && seen[id] == 0 &&
          std::find(examples.begin(), examples.end(), id) == examples.end()) {
        examples.emplace_back(id);
      }
    });
  }
  return true;
}

}  // namespace sluice::bench
