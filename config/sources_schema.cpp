#include "config/sources_schema.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <string_view>

#include "config/messages.hpp"
#include "config/source_kinds.hpp"
#include "config/source_settings_schema.hpp"
#include "config/sources_env.hpp"

namespace sluice::config {
namespace {

constexpr std::array<std::string_view, 4> kSourceKeys{"name", "kind", "write_keys", "settings"};
constexpr std::array<std::string_view, 6> kKinds{"tracking", "sendgrid", "mailgun",
                                                 "postmark", "mandrill", "webhook"};

struct FirstUse {
  std::string source;
  int line = 0;
};

std::string describe_first_use(const FirstUse& first) {
  std::string text = "source " + quoted(first.source);
  if (first.line > 0) text += " (line " + std::to_string(first.line) + ")";
  return text;
}

int line_of(const toml::node& node) {
  return static_cast<int>(node.source().begin.line);
}

class SourcesReader {
 public:
  SourcesReader(Config& config, ErrorSink& errors) : config_(config), errors_(errors) {}

  void read(const toml::array& sources) {
    for (std::size_t i = 0; i < sources.size(); ++i) {
      const std::string name = "sources[" + std::to_string(i) + "]";
      if (const auto* table = sources[i].as_table()) {
        read_source(name, *table);
      } else {
        errors_.at(sources[i].source(), expected_but_got(name, "a table [[sources]]", sources[i]));
      }
    }
  }

 private:
  void read_source(const std::string& name, const toml::table& table) {
    for (auto&& [key, node] : table) {
      if (std::find(kSourceKeys.begin(), kSourceKeys.end(), key.str()) == kSourceKeys.end()) {
        errors_.at(key.source(), unknown_key(key.str(), "[[sources]]", kSourceKeys));
      }
    }
    SourceConfig source;
    const toml::node* source_name = table.get("name");
    if (source_name == nullptr) {
      errors_.at(table.source(), name + ": missing required key \"name\"");
    } else if (!source_name->is_string() || source_name->as_string()->get().empty()) {
      errors_.at(source_name->source(),
                 expected_but_got(name + ".name", "a non-empty string", *source_name));
    } else {
      source.name = source_name->as_string()->get();
      const auto [first, inserted] =
          names_.try_emplace(source.name, FirstUse{source.name, line_of(*source_name)});
      if (!inserted) {
        errors_.at(source_name->source(), name + ".name: duplicate source name, already used by " +
                                              describe_first_use(first->second));
      }
    }
    const toml::node* write_keys = table.get("write_keys");
    if (write_keys == nullptr) {
      errors_.at(table.source(), name + ": missing required key \"write_keys\"");
    } else {
      read_write_keys(name + ".write_keys", source.name, *write_keys, source.write_keys);
    }
    const std::size_t errors_before = errors_.size();
    if (const toml::node* kind = table.get("kind")) read_kind(name + ".kind", *kind, source.kind);
    if (const toml::node* settings = table.get("settings")) {
      read_source_settings(name + ".settings", *settings, source.settings, errors_);
    }
    // Whether the settings suit the kind is asked only of settings that were read whole: a
    // setting refused above would be reported again as missing.
    if (errors_.size() == errors_before) {
      for (const std::string& problem : settings_problems(source.kind, source.settings)) {
        errors_.at(table.source(), std::string(name).append(": ").append(problem));
      }
    }
    config_.sources.push_back(std::move(source));
  }

  void read_kind(const std::string& name, const toml::node& node, SourceKind& out) {
    const auto* text = node.as_string();
    const auto kind = text != nullptr ? source_kind_from_string(text->get()) : std::nullopt;
    if (!kind) {
      errors_.at(
          node.source(),
          expected_but_got(name, "one of tracking, sendgrid, mailgun, postmark, mandrill, webhook",
                           node) +
              (text != nullptr ? did_you_mean(text->get(), kKinds) : std::string()));
      return;
    }
    out = *kind;
  }

  void read_write_keys(const std::string& name, const std::string& source_name,
                       const toml::node& node, std::vector<std::string>& out) {
    const auto* keys = node.as_array();
    // A source without a key could never be written to, which is surely a mistake.
    if (keys == nullptr || keys->empty()) {
      errors_.at(node.source(),
                 expected_but_got(name, R"(a non-empty array of write keys such as ["k1"])", node));
      return;
    }
    for (std::size_t i = 0; i < keys->size(); ++i) {
      const toml::node& element = (*keys)[i];
      const std::string element_name = name + bracketed(std::to_string(i));
      const auto* key = element.as_string();
      if (key == nullptr || key->get().empty()) {
        errors_.at(element.source(), expected_but_got(element_name, "a non-empty string", element));
        continue;
      }
      // Requests are attributed to a source by write key alone, so one key in two sources
      // would make the attribution ambiguous.
      const auto [first, inserted] =
          write_keys_.try_emplace(key->get(), FirstUse{source_name, line_of(element)});
      if (!inserted) {
        errors_.at(element.source(), element_name + ": write key " + quoted(key->get()) +
                                         " is already used by " +
                                         describe_first_use(first->second));
        continue;
      }
      out.push_back(key->get());
    }
  }

  Config& config_;
  ErrorSink& errors_;
  std::map<std::string, FirstUse> names_;
  std::map<std::string, FirstUse> write_keys_;
};

}  // namespace

void read_sources(const toml::table& root, const Environment& env, Config& config,
                  ErrorSink& errors) {
  const toml::node* node = root.get("sources");
  if (node != nullptr) {
    const auto* sources = node->as_array();
    if (sources == nullptr) {
      errors.at(node->source(),
                expected_but_got("sources", "an array of tables [[sources]]", *node));
      return;
    }
    SourcesReader(config, errors).read(*sources);
  }
  merge_environment_sources(env, config, errors);
  if (config.sources.empty()) {
    constexpr std::string_view kNoSources =
        "no sources: add at least one [[sources]] table with a name and write_keys, or set "
        "SLUICE_SOURCES=\"name=key1,key2\"";
    if (node != nullptr) {
      errors.at(node->source(), std::string(kNoSources));
    } else {
      errors.at_file(std::string(kNoSources));
    }
  }
}

}  // namespace sluice::config
