#pragma once

// Helpers shared by the storage tests: a fresh temporary directory per test, and records
// that are easy to recognise when read back.

#include <cstdint>
#include <filesystem>
#include <stdlib.h>
#include <string>
#include <system_error>

#include <catch2/catch.hpp>

#include "storage/record.hpp"
#include "tests/support/temp_dir.hpp"

namespace sluice::storage::test {

using sluice::test::TempDir;

// An encoded record whose message id and JSON name it by `label`.
inline std::string labelled_record(const std::string& label, EventType type = EventType::kTrack) {
  Record record;
  record.type = type;
  record.received_at_ms = 1704164645678;
  record.timestamp_ms = 1704164645000;
  record.source = "web";
  record.message_id = label;
  record.ip = "192.0.2.1";
  const std::string json = R"({"messageId":")" + label + R"("})";
  record.json = json;
  std::string out;
  encode_record(record, out);
  return out;
}

}  // namespace sluice::storage::test
