#include "router/destinations/file_destination.hpp"

#include <algorithm>
#include <csignal>
#include <fstream>
#include <regex>
#include <sstream>
#include <sys/resource.h>
#include <thread>

#include <catch2/catch.hpp>
#include <zlib.h>

#include "router/destinations/file_recovery.hpp"
#include "router_fixture.hpp"

namespace sluice::router::test {
namespace {

namespace fs = std::filesystem;

// Batches of events whose JSON is {"n":<sequence>,"pad":"xx..."}.
class Events {
 public:
  explicit Events(std::size_t pad = 0) : pad_(pad) {}

  // The next count events as a batch; valid until the next call.
  std::span<const OutgoingEvent> next(std::size_t count) {
    json_.clear();
    events_.clear();
    json_.reserve(count);
    for (std::size_t i = 0; i < count; ++i) {
      ++sequence_;
      json_.push_back(R"({"n":)" + std::to_string(sequence_) + R"(,"pad":")" +
                      std::string(pad_, 'x') + R"("})");
      all_.push_back(json_.back());
    }
    for (std::size_t i = 0; i < count; ++i) {
      OutgoingEvent event;
      event.sequence = sequence_ - count + 1 + i;
      event.record.json = json_[i];
      events_.push_back(event);
    }
    return events_;
  }

  // Every event's JSON so far, in order.
  const std::vector<std::string>& all() const { return all_; }

 private:
  std::size_t pad_;
  std::uint64_t sequence_ = 0;
  std::vector<std::string> json_;
  std::vector<OutgoingEvent> events_;
  std::vector<std::string> all_;
};

config::FileDestinationConfig file_config(const TempDir& dir, bool gzip = false) {
  config::FileDestinationConfig config;
  config.path = (dir.path() / "out").string();
  config.gzip = gzip;
  return config;
}

std::unique_ptr<FileDestination> open_destination(const config::FileDestinationConfig& config) {
  auto destination = FileDestination::open(config);
  INFO(destination.status().to_string());
  REQUIRE(destination.is_ok());
  return std::move(destination).value();
}

void deliver_ok(FileDestination& destination, std::span<const OutgoingEvent> events) {
  const DeliveryResult result = destination.deliver(events);
  INFO(result.reason << ": " << result.detail);
  REQUIRE(result.kind == DeliveryResult::Kind::kOk);
}

// Names in dir, sorted; visible (no leading dot) or hidden ones.
std::vector<std::string> names(const fs::path& dir, bool hidden = false) {
  std::vector<std::string> out;
  for (const auto& entry : fs::directory_iterator(dir)) {
    const std::string name = entry.path().filename().string();
    if (name.starts_with('.') == hidden) out.push_back(name);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string read_plain(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Decompresses a whole (possibly multi-member) gzip file with zlib's gzread.
std::string read_gzip(const fs::path& path) {
  gzFile file = gzopen(path.c_str(), "rb");
  REQUIRE(file != nullptr);
  std::string text;
  char buffer[4096];
  int n = 0;
  while ((n = gzread(file, buffer, sizeof buffer)) > 0) text.append(buffer, n);
  const int error = n < 0 ? n : Z_OK;
  gzclose(file);
  REQUIRE(error == Z_OK);
  return text;
}

std::vector<std::string> lines_of(const std::string& text) {
  REQUIRE((text.empty() || text.back() == '\n'));  // only whole lines
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

// Every line of every visible file, files in name order.
std::vector<std::string> all_lines(const fs::path& dir, bool gzip) {
  std::vector<std::string> lines;
  for (const std::string& name : names(dir)) {
    const auto file_lines = lines_of(gzip ? read_gzip(dir / name) : read_plain(dir / name));
    lines.insert(lines.end(), file_lines.begin(), file_lines.end());
  }
  return lines;
}

// One gzip member of text, made with zlib (not the destination's libdeflate).
std::string gzip_member(const std::string& text) {
  z_stream stream{};
  REQUIRE(deflateInit2(&stream, 6, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY) == Z_OK);
  std::string out(deflateBound(&stream, text.size()) + 32, '\0');
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(text.data()));
  stream.avail_in = static_cast<uInt>(text.size());
  stream.next_out = reinterpret_cast<Bytef*>(out.data());
  stream.avail_out = static_cast<uInt>(out.size());
  const int result = deflate(&stream, Z_FINISH);
  out.resize(stream.total_out);
  deflateEnd(&stream);
  REQUIRE(result == Z_STREAM_END);
  return out;
}

void write_file(const fs::path& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

// Makes writes past bytes fail (EFBIG) while it lives: a disk that fills up mid-batch.
class FileSizeLimit {
 public:
  explicit FileSizeLimit(rlim_t bytes) {
    REQUIRE(getrlimit(RLIMIT_FSIZE, &saved_) == 0);
    previous_handler_ = std::signal(SIGXFSZ, SIG_IGN);
    rlimit limit = saved_;
    limit.rlim_cur = bytes;
    REQUIRE(setrlimit(RLIMIT_FSIZE, &limit) == 0);
  }
  ~FileSizeLimit() {
    setrlimit(RLIMIT_FSIZE, &saved_);
    std::signal(SIGXFSZ, previous_handler_);
  }
  FileSizeLimit(const FileSizeLimit&) = delete;
  FileSizeLimit& operator=(const FileSizeLimit&) = delete;

 private:
  rlimit saved_{};
  void (*previous_handler_)(int) = nullptr;
};

}  // namespace

TEST_CASE("The file destination writes NDJSON to a hidden file until it is complete",
          "[router][file]") {
  TempDir dir;
  const auto config = file_config(dir);
  auto destination = open_destination(config);
  Events events;
  deliver_ok(*destination, events.next(3));
  deliver_ok(*destination, events.next(2));

  // Acknowledged batches are on disk, but only under the hidden name.
  CHECK(names(config.path).empty());
  const auto hidden = names(config.path, true);
  REQUIRE(hidden.size() == 1);
  CHECK(std::regex_match(hidden[0], std::regex(R"(\.events-.*\.ndjson\.partial)")));
  CHECK(lines_of(read_plain(fs::path(config.path) / hidden[0])) == events.all());

  destination->close();
  CHECK(names(config.path, true).empty());
  const auto visible = names(config.path);
  REQUIRE(visible.size() == 1);
  CHECK(std::regex_match(visible[0],
                         std::regex(R"(events-\d{8}T\d{6}\.\d{3}Z-00000000000000000001\.ndjson)")));
  CHECK(all_lines(config.path, false) == events.all());
}

TEST_CASE("Files rotate by size, and only complete files are visible", "[router][file]") {
  TempDir dir;
  auto config = file_config(dir);
  config.rotate_bytes = 1000;
  auto destination = open_destination(config);
  Events events(80);  // about 100 bytes a line

  for (int batch = 0; batch < 20; ++batch) {
    deliver_ok(*destination, events.next(1 + batch % 3));
    // At every moment each visible file is complete and within the limit.
    for (const std::string& name : names(config.path)) {
      const std::string text = read_plain(fs::path(config.path) / name);
      CHECK(text.size() <= 1000);
      CHECK(text.back() == '\n');
    }
    CHECK(names(config.path, true).size() <= 1);
  }
  destination->close();
  CHECK(names(config.path).size() >= 4);
  CHECK(all_lines(config.path, false) == events.all());  // name order is event order

  SECTION("a batch larger than rotate_bytes makes a file of its own") {
    auto again = open_destination(config);
    Events big(2000);
    const auto before = names(config.path).size();
    deliver_ok(*again, big.next(1));
    CHECK(names(config.path).size() == before + 1);  // completed at once: it is over the size
    CHECK(names(config.path, true).empty());
  }
}

TEST_CASE("Files rotate by time, also while no events arrive", "[router][file]") {
  TempDir dir;
  auto config = file_config(dir);
  config.rotate_interval = 100ms;
  auto destination = open_destination(config);
  Events events;

  deliver_ok(*destination, events.next(2));
  destination->tick();
  CHECK(names(config.path).empty());  // not due yet
  std::this_thread::sleep_for(150ms);
  deliver_ok(*destination, events.next(1));  // completes the due file first
  CHECK(names(config.path).size() == 1);
  std::this_thread::sleep_for(150ms);
  destination->tick();
  CHECK(names(config.path).size() == 2);
  CHECK(names(config.path, true).empty());
  CHECK(all_lines(config.path, false) == events.all());
}

TEST_CASE("gzip files hold one member per batch and read back whole with gzread",
          "[router][file]") {
  TempDir dir;
  auto config = file_config(dir, true);
  config.rotate_bytes = 600;
  auto destination = open_destination(config);
  Events events(40);
  for (int batch = 0; batch < 12; ++batch) deliver_ok(*destination, events.next(5));
  destination->close();

  const auto visible = names(config.path);
  REQUIRE(visible.size() >= 2);
  for (const std::string& name : visible) CHECK(name.ends_with(".ndjson.gz"));
  CHECK(all_lines(config.path, true) == events.all());
}

TEST_CASE("Opening the destination completes what an earlier run left in progress",
          "[router][file]") {
  TempDir dir;
  const auto config = file_config(dir);
  const fs::path out(config.path);
  fs::create_directories(out);
  const std::string name = "events-20240102T030405.678Z-00000000000000000001.ndjson";

  SECTION("a torn last line is cut off") {
    write_file(out / ("." + name + ".partial"), "{\"n\":1}\n{\"n\":2}\n{\"n\":");
    auto destination = open_destination(config);
    CHECK(names(out, true).empty());
    REQUIRE(names(out) == std::vector<std::string>{name});
    CHECK(read_plain(out / name) == "{\"n\":1}\n{\"n\":2}\n");
  }
  SECTION("a torn gzip member is cut off") {
    const std::string gz_name = name + ".gz";
    const std::string third = gzip_member("{\"n\":3}\n");
    write_file(out / ("." + gz_name + ".partial"), gzip_member("{\"n\":1}\n") +
                                                       gzip_member("{\"n\":2}\n") +
                                                       third.substr(0, third.size() / 2));
    auto destination = open_destination(config);
    REQUIRE(names(out) == std::vector<std::string>{gz_name});
    CHECK(read_gzip(out / gz_name) == "{\"n\":1}\n{\"n\":2}\n");
  }
  SECTION("a file with nothing complete is removed") {
    write_file(out / ("." + name + ".partial"), "{\"n\":");
    auto destination = open_destination(config);
    CHECK(names(out).empty());
    CHECK(names(out, true).empty());
  }
  SECTION("a visible file of the same name is kept; the recovered one gets a suffix") {
    write_file(out / name, "{\"n\":0}\n");
    write_file(out / ("." + name + ".partial"), "{\"n\":1}\n");
    auto destination = open_destination(config);
    const std::string suffixed = "events-20240102T030405.678Z-00000000000000000001_001.ndjson";
    CHECK(names(out) == std::vector<std::string>{name, suffixed});
    CHECK(read_plain(out / name) == "{\"n\":0}\n");
    CHECK(read_plain(out / suffixed) == "{\"n\":1}\n");
  }
  SECTION("other files are left alone") {
    write_file(out / ".keep", "x");
    write_file(out / "notes.txt", "y");
    auto destination = open_destination(config);
    CHECK(names(out) == std::vector<std::string>{"notes.txt"});
    CHECK(names(out, true) == std::vector<std::string>{".keep"});
  }
}

TEST_CASE("A write that fails midway is cut back, so the retry appends whole lines",
          "[router][file]") {
  TempDir dir;
  const auto config = file_config(dir);
  auto destination = open_destination(config);
  Events events(100);
  deliver_ok(*destination, events.next(3));
  const auto hidden = names(config.path, true);
  REQUIRE(hidden.size() == 1);
  const fs::path partial = fs::path(config.path) / hidden[0];
  const auto size = fs::file_size(partial);

  const auto batch = events.next(3);
  DeliveryResult failed;
  {
    const FileSizeLimit limit(size + 150);  // room for one more line and a half
    failed = destination->deliver(batch);
  }
  CHECK(failed.kind == DeliveryResult::Kind::kRetry);
  CHECK(failed.reason == "write_failed");
  CHECK(fs::file_size(partial) == size);

  deliver_ok(*destination, batch);
  destination->close();
  CHECK(all_lines(config.path, false) == events.all());
}

TEST_CASE("A file destination that cannot use its directory does not open", "[router][file]") {
  TempDir dir;
  write_file(dir.path() / "file", "x");
  config::FileDestinationConfig config;
  config.path = (dir.path() / "file" / "out").string();
  const auto destination = FileDestination::open(config);
  CHECK_FALSE(destination.is_ok());
  CHECK_THAT(error_of(destination), Catch::Contains("cannot create"));
}

}  // namespace sluice::router::test
