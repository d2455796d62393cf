#include "config/destinations_schema.hpp"

#include <array>
#include <cctype>
#include <filesystem>
#include <map>
#include <string_view>

#include "config/destination_kinds.hpp"
#include "config/messages.hpp"
#include "config/table_reader.hpp"
#include "config/value_readers.hpp"

namespace sluice::config {
namespace {

// Indexed by DestinationType: the type names, which are also the keys of their sub-tables.
constexpr std::array<std::string_view, 4> kKinds{"webhook", "file", "kafka", "postgres"};

// The six message types, and "object" for the Objects API.
constexpr std::array<std::string_view, 7> kMessageTypes{"identify", "track", "page",  "screen",
                                                        "group",    "alias", "object"};

constexpr std::array<std::string_view, 2> kRequired{"name", "type"};

// A name is a key in RocksDB, a metric label and (later) part of admin API paths; a short,
// plain name keeps all of those simple.
constexpr std::size_t kMaxNameLength = 64;

constexpr std::int64_t kMaxBatchEvents = 100'000;
constexpr std::uint64_t kMaxBatchBytes = 64ull << 20;  // one batch is held in memory
constexpr std::int64_t kMaxInFlight = 64;

bool is_name(std::string_view name) {
  if (name.empty() || name.size() > kMaxNameLength) return false;
  for (char c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '_' && c != '-') {
      return false;
    }
  }
  return true;
}

std::optional<Mismatch> read_name(const toml::node& node, DestinationConfig& out) {
  const auto* text = node.as_string();
  if (text == nullptr || !is_name(text->get())) {
    return refuse(node, "a name of 1 to 64 letters, digits, '.', '_' and '-'");
  }
  out.name = text->get();
  return std::nullopt;
}

std::optional<Mismatch> read_type(const toml::node& node, DestinationConfig& out) {
  const auto* text = node.as_string();
  if (text != nullptr && text->get() == kKinds[0]) {
    out.settings = WebhookDestinationConfig{};
  } else if (text != nullptr && text->get() == kKinds[1]) {
    out.settings = FileDestinationConfig{};
  } else if (text != nullptr && text->get() == kKinds[2]) {
    out.settings = KafkaDestinationConfig{};
  } else if (text != nullptr && text->get() == kKinds[3]) {
    out.settings = PostgresDestinationConfig{};
  } else {
    return refuse(node, R"("webhook", "file", "kafka" or "postgres")");
  }
  return std::nullopt;
}

// A list that selects what is delivered: empty would select nothing, which is surely a mistake
// (leave the key out to select everything).
std::optional<Mismatch> read_selection(const toml::node& node, std::vector<std::string>& out) {
  std::vector<std::string> values;
  if (auto mismatch = read_string_array(node, values)) return mismatch;
  if (values.empty()) {
    return refuse(node, "a non-empty array of strings (leave the key out to select all)");
  }
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (values[i].empty()) {
      return Mismatch{&(*node.as_array())[i], bracketed(std::to_string(i)), "a non-empty string"};
    }
  }
  out = std::move(values);
  return std::nullopt;
}

std::optional<Mismatch> read_types(const toml::node& node, DestinationConfig& out) {
  std::vector<std::string> types;
  if (auto mismatch = read_selection(node, types)) return mismatch;
  for (std::size_t i = 0; i < types.size(); ++i) {
    bool known = false;
    for (std::string_view type : kMessageTypes) known |= type == types[i];
    if (!known) {
      return Mismatch{&(*node.as_array())[i], bracketed(std::to_string(i)),
                      "one of identify, track, page, screen, group, alias, object"};
    }
  }
  out.include_types = std::move(types);
  return std::nullopt;
}

constexpr auto kMaxCount = std::numeric_limits<std::int64_t>::max();

const KeyReader<DestinationConfig> kDestinationKeys[] = {
    {"name", read_name},
    {"type", read_type},
    {"sources",
     [](const toml::node& v, DestinationConfig& c) { return read_selection(v, c.sources); }},
    {"include_types", read_types},
    {"include_events",
     [](const toml::node& v, DestinationConfig& c) { return read_selection(v, c.include_events); }},
    {"exclude_events", [](const toml::node& v,
                          DestinationConfig& c) { return read_string_array(v, c.exclude_events); }},
    {"batch_max_events",
     [](const toml::node& v, DestinationConfig& c) {
       return read_integer(v, 1, kMaxBatchEvents, c.batch_max_events);
     }},
    {"batch_max_bytes",
     [](const toml::node& v, DestinationConfig& c) {
       return read_byte_count(v, kMaxBatchBytes, c.batch_max_bytes);
     }},
    {"batch_max_wait",
     [](const toml::node& v, DestinationConfig& c) {
       return read_duration_or_zero(v, c.batch_max_wait);
     }},
    {"max_in_flight",
     [](const toml::node& v, DestinationConfig& c) {
       return read_integer(v, 1, kMaxInFlight, c.max_in_flight);
     }},
    {"retry_initial",
     [](const toml::node& v, DestinationConfig& c) { return read_duration(v, c.retry_initial); }},
    {"retry_max",
     [](const toml::node& v, DestinationConfig& c) { return read_duration(v, c.retry_max); }},
    {"max_attempts",
     [](const toml::node& v, DestinationConfig& c) {
       return read_integer(v, 0, kMaxCount, c.max_attempts);
     }},
};

struct FirstUse {
  std::string what;  // quoted name of the destination that used it first
  int line = 0;
};

std::string describe_first_use(const FirstUse& first) {
  std::string text = "destination " + first.what;
  if (first.line > 0) text += " (line " + std::to_string(first.line) + ")";
  return text;
}

int line_of(const toml::node& node) {
  return static_cast<int>(node.source().begin.line);
}

std::string normal_path(const std::string& path) {
  std::string normal = std::filesystem::path(path).lexically_normal().string();
  while (normal.size() > 1 && normal.back() == '/') normal.pop_back();
  return normal;
}

class DestinationsReader {
 public:
  DestinationsReader(Config& config, ErrorSink& errors) : config_(config), errors_(errors) {
    for (const SourceConfig& source : config_.sources) {
      if (!source.name.empty()) source_names_.push_back(source.name);
    }
  }

  void read(const toml::array& destinations) {
    for (std::size_t i = 0; i < destinations.size(); ++i) {
      const std::string name = "destinations[" + std::to_string(i) + "]";
      if (const auto* table = destinations[i].as_table()) {
        read_destination(name, *table);
      } else {
        errors_.at(destinations[i].source(),
                   expected_but_got(name, "a table [[destinations]]", destinations[i]));
      }
    }
  }

 private:
  void read_destination(const std::string& name, const toml::table& table) {
    DestinationConfig destination;
    const bool present = require_keys(table, kRequired, name, errors_);
    bool ok = read_keys<DestinationConfig>(table, kDestinationKeys, kKinds, name,
                                           "[[destinations]]", destination, errors_) &&
              present;
    // The type decides which sub-table applies, so that is only judged with a valid type.
    // (Reading the type again is cheap and tells whether it was valid.)
    const toml::node* type = table.get("type");
    if (type != nullptr && read_type(*type, destination) == std::nullopt) {
      ok &= read_kind_table(name, table, destination);
    }
    if (!ok) return;
    apply_kind_defaults(table, destination);
    check_unique_name(name, table, destination);
    check_sources(name, table);
    check_combinations(name, table, destination);
    config_.destinations.push_back(std::move(destination));
  }

  // File and postgres destinations pay an fsync (a commit) per batch, so their batches are
  // larger unless the table says otherwise: with 100-event batches they cannot keep up with
  // intake. A warehouse also loads two batches at once by default.
  static void apply_kind_defaults(const toml::table& table, DestinationConfig& destination) {
    const auto set_unless_given = [&](std::string_view key, auto& field, auto value) {
      if (!table.contains(key)) field = value;
    };
    if (destination.type() == DestinationType::kFile) {
      set_unless_given("batch_max_events", destination.batch_max_events, kFileBatchMaxEvents);
      set_unless_given("batch_max_bytes", destination.batch_max_bytes, kFileBatchMaxBytes);
    } else if (destination.type() == DestinationType::kPostgres) {
      set_unless_given("batch_max_events", destination.batch_max_events, kWarehouseBatchMaxEvents);
      set_unless_given("batch_max_bytes", destination.batch_max_bytes, kWarehouseBatchMaxBytes);
      set_unless_given("max_in_flight", destination.max_in_flight, kWarehouseMaxInFlight);
    }
  }

  bool read_kind_table(const std::string& name, const toml::table& table,
                       DestinationConfig& destination) {
    const auto type_index = static_cast<std::size_t>(destination.type());
    bool ok = true;
    for (std::size_t kind = 0; kind < kKinds.size(); ++kind) {
      const toml::node* node = table.get(kKinds[kind]);
      const std::string kind_name = std::string(name).append(".").append(kKinds[kind]);
      const std::string header = std::string("[destinations.").append(kKinds[kind]).append("]");
      if (node == nullptr) {
        if (kind == type_index) {
          errors_.at(table.source(), std::string(name)
                                         .append(": type ")
                                         .append(config::quoted(kKinds[kind]))
                                         .append(" needs a ")
                                         .append(header)
                                         .append(" table"));
          ok = false;
        }
      } else if (kind != type_index) {
        errors_.at(node->source(), std::string(kind_name)
                                       .append(": ")
                                       .append(header)
                                       .append(" does not apply to type ")
                                       .append(config::quoted(kKinds[type_index])));
        ok = false;
      } else if (const auto* kind_table = node->as_table()) {
        ok &= read_destination_kind(*kind_table, kind_name, destination, errors_);
      } else {
        errors_.at(node->source(), expected_but_got(kind_name, "a table " + header, *node));
        ok = false;
      }
    }
    return ok;
  }

  void check_unique_name(const std::string& name, const toml::table& table,
                         const DestinationConfig& destination) {
    const toml::node& node = *table.get("name");
    const auto [first, inserted] = names_.try_emplace(
        destination.name, FirstUse{config::quoted(destination.name), line_of(node)});
    if (!inserted) {
      errors_.at(node.source(), name + ".name: duplicate destination name, already used by " +
                                    describe_first_use(first->second));
    }
  }

  void check_sources(const std::string& name, const toml::table& table) {
    const toml::array* sources = table.get_as<toml::array>("sources");
    if (sources == nullptr) return;
    for (std::size_t i = 0; i < sources->size(); ++i) {
      const std::string source = (*sources)[i].as_string()->get();
      bool known = false;
      for (std::string_view configured : source_names_) known |= configured == source;
      if (!known) {
        errors_.at((*sources)[i].source(), name + ".sources" + bracketed(std::to_string(i)) +
                                               ": no source is named " + config::quoted(source) +
                                               did_you_mean(source, source_names_));
      }
    }
  }

  // Settings that are valid one by one but not together.
  void check_combinations(const std::string& name, const toml::table& table,
                          const DestinationConfig& destination) {
    if (destination.retry_initial > destination.retry_max) {
      const toml::node* node = table.get("retry_initial");
      errors_.at(node != nullptr ? node->source() : table.source(),
                 name + ".retry_initial (" + std::to_string(destination.retry_initial.count()) +
                     "ms) must be <= retry_max (" + std::to_string(destination.retry_max.count()) +
                     "ms)");
    }
    bool tracks = destination.include_types.empty();
    for (const std::string& type : destination.include_types) tracks |= type == "track";
    if (!tracks && !destination.include_events.empty()) {
      errors_.at(table.get("include_events")->source(),
                 name +
                     ".include_events: names track events, but include_types leaves out "
                     "\"track\"");
    }
    if (const auto* file = std::get_if<FileDestinationConfig>(&destination.settings)) {
      check_file_path(name, *table.get("file")->as_table(), destination.name, file->path);
    }
  }

  // Each file destination completes and recovers the files in its directory, so two of them
  // (or one and the event log) in one directory would take each other's files.
  void check_file_path(const std::string& name, const toml::table& file_table,
                       const std::string& destination_name, const std::string& path) {
    const toml::node& node = *file_table.get("path");
    const std::string normal = normal_path(path);
    if (normal == normal_path(config_.storage.path)) {
      errors_.at(node.source(), name + ".file.path: is the event log's directory (storage.path)");
      return;
    }
    const auto [first, inserted] =
        file_paths_.try_emplace(normal, FirstUse{config::quoted(destination_name), line_of(node)});
    if (!inserted) {
      errors_.at(node.source(), name + ".file.path: directory " + config::quoted(path) +
                                    " is already used by " + describe_first_use(first->second));
    }
  }

  Config& config_;
  ErrorSink& errors_;
  std::vector<std::string_view> source_names_;  // point into config_.sources
  std::map<std::string, FirstUse> names_;
  std::map<std::string, FirstUse> file_paths_;
};

}  // namespace

std::string_view to_string(DestinationType type) {
  return kKinds[static_cast<std::size_t>(type)];
}

void read_destinations(const toml::table& root, Config& config, ErrorSink& errors) {
  const toml::node* node = root.get("destinations");
  if (node == nullptr) return;
  const auto* destinations = node->as_array();
  if (destinations == nullptr) {
    errors.at(node->source(),
              expected_but_got("destinations", "an array of tables [[destinations]]", *node));
    return;
  }
  DestinationsReader(config, errors).read(*destinations);
}

}  // namespace sluice::config
