#pragma once

// Write key → source lookup. Built once from the config; immutable afterwards, so it is
// shared by all IO threads without locking.

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "config/config.hpp"

namespace sluice::api {

struct Source {
  std::string name;
  std::size_t index = 0;  // position in config order; used to index per-source metrics
};

class SourceRegistry {
 public:
  explicit SourceRegistry(const std::vector<config::SourceConfig>& sources);

  // nullptr for an unknown key.
  const Source* find_by_write_key(std::string_view write_key) const;
  const std::vector<Source>& sources() const { return sources_; }

 private:
  struct StringHash {
    using is_transparent = void;
    std::size_t operator()(std::string_view text) const {
      return std::hash<std::string_view>{}(text);
    }
  };

  std::vector<Source> sources_;
  std::unordered_map<std::string, std::size_t, StringHash, std::equal_to<>> by_write_key_;
};

}  // namespace sluice::api
