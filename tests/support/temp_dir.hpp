#pragma once

// A directory created empty under the system temp dir and removed, with everything in it, when
// the test ends. Shared by the unit tests that need a real RocksDB or real files.

#include <filesystem>
#include <stdlib.h>
#include <string>
#include <system_error>

#include <catch2/catch.hpp>

namespace sluice::test {

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

}  // namespace sluice::test
