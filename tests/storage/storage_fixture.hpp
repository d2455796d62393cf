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

namespace sluice::storage::test {

// A directory created empty under the system temp dir and removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (std::filesystem::temp_directory_path() / "sluice-test-XXXXXX").string();
    REQUIRE(mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::filesystem::path& path() const { return path_; }
  // Where the event log goes: a subdirectory that does not exist yet.
  std::string log_path() const { return (path_ / "log").string(); }

 private:
  std::filesystem::path path_;
};

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
