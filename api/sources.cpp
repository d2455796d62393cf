#include "api/sources.hpp"

namespace sluice::api {

SourceRegistry::SourceRegistry(const std::vector<config::SourceConfig>& sources) {
  sources_.reserve(sources.size());
  for (const auto& source : sources) {
    std::size_t index = sources_.size();
    sources_.push_back(Source{source.name, index});
    for (const auto& key : source.write_keys) by_write_key_.emplace(key, index);
  }
}

const Source* SourceRegistry::find_by_write_key(std::string_view write_key) const {
  auto it = by_write_key_.find(write_key);
  return it == by_write_key_.end() ? nullptr : &sources_[it->second];
}

}  // namespace sluice::api
