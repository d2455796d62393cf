#pragma once

// Internal to sluice_config. SLUICE_SOURCES: sources from the environment, so that a container
// needs no config file. The value lists sources as "name=key1,key2;name2=key3"; each one is
// added to config.sources with default settings, or replaces the write keys of the file's
// source of the same name, which keeps its [sources.settings].
// The rules are those of [[sources]]: a non-empty name, at least one key, and a write key that
// authenticates exactly one source.

#include "config/config.hpp"
#include "config/error_sink.hpp"

namespace sluice::config {

inline constexpr std::string_view kSourcesVariable = "SLUICE_SOURCES";

// Merges SLUICE_SOURCES, when env has it, into config.sources (already read from the file).
// Errors name the variable and the entry; write keys are never quoted, since they are secrets.
void merge_environment_sources(const Environment& env, Config& config, ErrorSink& errors);

}  // namespace sluice::config
