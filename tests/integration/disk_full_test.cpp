// A full disk through the real binary: the log runs out of space on a small tmpfs, intake
// answers 503 with Retry-After while the process stays up, takes events again without a restart
// once space is freed, exits cleanly on SIGTERM, and keeps every event it acknowledged.
//
// Mounting a tmpfs needs root (as in CI); elsewhere the test says so and passes without running.

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <exception>
#include <fstream>
#include <string>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "test_support.hpp"

namespace sluice::integration {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// A tmpfs of a few MiB mounted on a fresh directory for the object's lifetime.
class SmallDisk {
 public:
  SmallDisk(const fs::path& at, const char* size_option) : path_(at) {
    fs::create_directories(path_);
    if (::mount("tmpfs", path_.c_str(), "tmpfs", 0, size_option) == 0) {
      mounted_ = true;
    } else {
      error_ = std::strerror(errno);
    }
  }
  ~SmallDisk() {
    if (mounted_) ::umount2(path_.c_str(), MNT_DETACH);
  }
  SmallDisk(const SmallDisk&) = delete;
  SmallDisk& operator=(const SmallDisk&) = delete;

  bool mounted() const { return mounted_; }
  const std::string& error() const { return error_; }
  const fs::path& path() const { return path_; }

  std::uint64_t free_bytes() const {
    struct statvfs stats {};
    if (::statvfs(path_.c_str(), &stats) != 0) return 0;
    return static_cast<std::uint64_t>(stats.f_bavail) * stats.f_frsize;
  }

 private:
  fs::path path_;
  bool mounted_ = false;
  std::string error_;
};

// Writes a file of about `bytes` (less when the disk fills first).
void write_filler(const fs::path& file, std::uint64_t bytes) {
  std::ofstream out(file, std::ios::binary);
  const std::string chunk(1 << 20, 'f');
  for (std::uint64_t written = 0; written < bytes && out; written += chunk.size()) {
    out.write(chunk.data(),
              static_cast<std::streamsize>(std::min<std::uint64_t>(chunk.size(), bytes - written)));
  }
}

// A batch of 20 events of about 2 KB each, ids prefix0..prefix19.
std::string batch_of_20(const std::string& prefix, std::vector<std::string>& ids) {
  std::vector<std::string> items;
  ids.clear();
  for (int n = 0; n < 20; ++n) {
    ids.push_back(prefix + std::to_string(n));
    items.push_back(track_json(ids.back(), "Padded " + std::string(2000, 'x')));
  }
  return batch_json(items);
}

}  // namespace

TEST_CASE("A full disk answers 503 without killing the server, which recovers once space is freed",
          "[integration][disk_full]") {
  TempDir dir;
  SmallDisk disk(dir.path() / "disk", "size=24m");
  if (!disk.mounted()) {
    WARN("skipped: cannot mount a tmpfs (" << disk.error() << "); this test needs root");
    return;
  }
  ServerOptions options;
  options.durability = "fsync";
  options.server_settings = {"retry_after = \"1s\""};
  fs::create_directories(disk.path() / "work");
  ServerProcess server(disk.path() / "work", options);
  HttpClient intake(server.port(), 10s);

  // Leave a few MiB, so the log fills the rest within a few hundred batches.
  const fs::path filler = disk.path() / "filler";
  const std::uint64_t free = disk.free_bytes();
  REQUIRE(free > (6u << 20));
  write_filler(filler, free - (4u << 20));

  std::vector<std::string> acknowledged;
  std::vector<std::string> ids;
  HttpResponse answer;
  for (int request = 0; request < 2000; ++request) {
    const std::string body = batch_of_20("r" + std::to_string(request) + "-", ids);
    try {
      answer = intake.request("POST", "/v1/batch", auth_headers(), body);
    } catch (const std::exception& e) {
      FAIL("request " << request << " failed: " << e.what() << "; server "
                      << (server.running() ? "running" : "gone") << "\n"
                      << server.output());
    }
    REQUIRE((answer.status == 200 || answer.status == 503));
    if (answer.status != 200) break;
    acknowledged.insert(acknowledged.end(), ids.begin(), ids.end());
  }
  REQUIRE(answer.status == 503);
  CHECK(answer.has_header("Retry-After"));
  INFO(server.output());
  REQUIRE(server.running());
  // Still refused while the disk stays full, still alive.
  std::this_thread::sleep_for(1500ms);
  HttpClient again(server.port(), 10s);
  const HttpResponse still_full =
      again.request("POST", "/v1/batch", auth_headers(), batch_of_20("full-", ids));
  CHECK(still_full.status == 503);
  CHECK(still_full.has_header("Retry-After"));
  REQUIRE(server.running());

  fs::remove(filler);
  const auto deadline = Clock::now() + 30s;
  unsigned status = 0;
  for (int attempt = 0; status != 200 && Clock::now() < deadline; ++attempt) {
    status = again
                 .request("POST", "/v1/batch", auth_headers(),
                          batch_of_20("after" + std::to_string(attempt) + "-", ids))
                 .status;
    if (status == 200) {
      acknowledged.insert(acknowledged.end(), ids.begin(), ids.end());
    } else {
      std::this_thread::sleep_for(100ms);
    }
  }
  CHECK(status == 200);

  const ExitStatus exit = server.terminate();
  INFO(exit.describe());
  CHECK(exit.clean());
  const StoredLog stored = read_stored_log(server.config_path());
  std::size_t missing = 0;
  for (const auto& id : acknowledged) missing += stored.count(id) == 0 ? 1 : 0;
  CHECK(missing == 0);
  CHECK(acknowledged.size() > 20);
}

}  // namespace sluice::integration
