#include "api/source_definition.hpp"

namespace sluice::api {

SourceDefinition definition_of(const config::SourceConfig& source) {
  SourceDefinition definition;
  definition.name = source.name;
  definition.kind = source.kind;
  definition.settings = source.settings;
  definition.keys.reserve(source.write_keys.size());
  for (const auto& key : source.write_keys) definition.keys.push_back(WriteKey{key});
  return definition;
}

std::vector<SourceDefinition> definitions_of(const std::vector<config::SourceConfig>& sources) {
  std::vector<SourceDefinition> definitions;
  definitions.reserve(sources.size());
  for (const auto& source : sources) definitions.push_back(definition_of(source));
  return definitions;
}

}  // namespace sluice::api
