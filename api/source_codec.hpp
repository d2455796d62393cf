#pragma once

// The stored form of a source created through the admin API (the value in the log's "sources"
// column family, storage/source_store.hpp): one JSON object, readable with `ldb` when the
// database has to be looked at by hand.
//
//   {"format":1,"name":"ios-app","enabled":true,"created_at_ms":1796600000000,
//    "keys":[{"key":"...","created_at_ms":1796600000000,"expires_at_ms":1796686400000}],
//    "settings":{...}}
//
// "expires_at_ms" is left out for a key that was never revoked; "settings" has the admin API's
// form (config/source_settings_json.hpp). A later version that changes the form raises
// "format", and this one refuses what it cannot read rather than guess.

#include <string>
#include <string_view>

#include "api/source_definition.hpp"
#include "common/status.hpp"

namespace sluice::api {

class JsonWriter;

std::string encode_stored_source(const SourceDefinition& source);
// The source (origin kApi), or kCorruption saying what is wrong with the stored bytes.
Result<SourceDefinition> decode_stored_source(std::string_view stored);

// A source's settings as the JSON object the admin API and the stored form show (and
// config::source_settings_from_json reads back), members at their defaults left out.
void write_source_settings(JsonWriter& out, const config::SourceSettings& settings);

}  // namespace sluice::api
