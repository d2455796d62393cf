#pragma once

// Internal to sluice_config. Reads the keys of one TOML table into a struct from a table of
// per-key readers, the way the tables of [[destinations]] are read: every known key goes to its
// reader, every other key is reported as unknown (with a suggestion), and every refused value is
// reported at its position as "<name>.<key>: expected ..., got ...".

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <toml++/toml.h>

#include "config/error_sink.hpp"
#include "config/messages.hpp"
#include "config/value_readers.hpp"

namespace sluice::config {

template <typename T>
struct KeyReader {
  std::string_view key;
  std::optional<Mismatch> (*read)(const toml::node& value, T& out) = nullptr;
};

// Reads table into out. Keys in also_known are neither read nor reported (the caller reads
// them). name prefixes value errors ("destinations[0]"); where names the table in unknown-key
// errors ("[[destinations]]"). Returns false when anything was reported.
template <typename T>
bool read_keys(const toml::table& table, std::span<const KeyReader<T>> readers,
               std::span<const std::string_view> also_known, std::string_view name,
               std::string_view where, T& out, ErrorSink& errors) {
  std::vector<std::string_view> known(also_known.begin(), also_known.end());
  for (const KeyReader<T>& reader : readers) known.push_back(reader.key);
  bool ok = true;
  for (auto&& [key, node] : table) {
    const KeyReader<T>* found = nullptr;
    for (const KeyReader<T>& reader : readers) {
      if (reader.key == key.str()) found = &reader;
    }
    if (found == nullptr) {
      bool is_also_known = false;
      for (std::string_view other : also_known) is_also_known |= other == key.str();
      if (!is_also_known) {
        errors.at(key.source(), unknown_key(key.str(), where, known));
        ok = false;
      }
      continue;
    }
    if (auto mismatch = found->read(node, out)) {
      const std::string full_name =
          std::string(name).append(".").append(key.str()).append(mismatch->name_suffix);
      errors.at(mismatch->node->source(),
                expected_but_got(full_name, mismatch->expected, *mismatch->node));
      ok = false;
    }
  }
  return ok;
}

// Reports each of required that table lacks, at the table's header. Returns false if any.
inline bool require_keys(const toml::table& table, std::span<const std::string_view> required,
                         std::string_view name, ErrorSink& errors) {
  bool ok = true;
  for (std::string_view key : required) {
    if (table.get(key) != nullptr) continue;
    errors.at(table.source(), std::string(name) + ": missing required key " + config::quoted(key));
    ok = false;
  }
  return ok;
}

}  // namespace sluice::config
