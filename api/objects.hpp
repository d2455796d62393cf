#pragma once

// The Objects API (POST /v1/set): a source loads records of its own (customers, rooms,
// campaigns) as objects of a collection, which the log stores as records of type "object",
// routed like events and upserted by a warehouse.
//
//   {"collection":"rooms","objects":[{"id":"2561341","properties":{"name":"Topaz","beds":2}}]}
//
// collection is [a-z0-9_]{1,64}; a request holds at most kMaxObjects objects, each at most
// kMaxObjectBytes as stored, and the body at most kMaxObjectsBody bytes. An object with a
// problem is rejected alone, reported like a rejected batch message; a body that is not such
// a request is refused whole. Each object is stored as
//
//   {"type":"object","collection":"rooms","id":"2561341","properties":{...},
//    "messageId":"<uuid>","receivedAt":"<ISO-8601>"}
//
// An ObjectsReader holds a reused JSON parser: one per thread.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include <simdjson.h>

namespace sluice::api {

struct IngestOutcome;
struct Source;

inline constexpr std::size_t kMaxObjects = 1000;
inline constexpr std::size_t kMaxObjectBytes = 32 * 1024;
inline constexpr std::size_t kMaxObjectsBody = 500 * 1024;

class ObjectsReader {
 public:
  // Adds the records and rejections of body's objects to outcome, for outcome.source (set).
  // False, with outcome failed, when the body is refused whole.
  bool read(std::string_view body, std::int64_t received_at_ms, IngestOutcome& outcome);

 private:
  simdjson::dom::parser parser_;
  std::string json_;  // one object's stored JSON, reused
};

// Whether name is a valid collection name: [a-z0-9_]{1,64}.
bool valid_collection(std::string_view name);

}  // namespace sluice::api
