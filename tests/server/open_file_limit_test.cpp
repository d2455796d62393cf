#include "server/open_file_limit.hpp"

#include <sys/resource.h>

#include <catch2/catch.hpp>

namespace {

// Lowers the soft limit for one test and puts the original back afterwards.
class SoftLimit {
 public:
  explicit SoftLimit(rlim_t soft) {
    getrlimit(RLIMIT_NOFILE, &original_);
    rlimit lowered = original_;
    lowered.rlim_cur = soft;
    REQUIRE(setrlimit(RLIMIT_NOFILE, &lowered) == 0);
  }
  ~SoftLimit() { setrlimit(RLIMIT_NOFILE, &original_); }
  rlim_t hard() const { return original_.rlim_max; }

 private:
  rlimit original_{};
};

rlim_t current_soft() {
  rlimit limit{};
  getrlimit(RLIMIT_NOFILE, &limit);
  return limit.rlim_cur;
}

}  // namespace

TEST_CASE("the open file limit is raised to what the connections need", "[server]") {
  SoftLimit lowered(256);
  REQUIRE((lowered.hard() == RLIM_INFINITY || lowered.hard() >= 512));
  std::string error;
  auto limit = sluice::server::raise_open_file_limit(512, &error);
  CHECK(error.empty());
  CHECK(limit.soft == 512);
  CHECK(current_soft() == 512);
}

TEST_CASE("the open file limit stops at the hard limit", "[server]") {
  SoftLimit lowered(256);
  REQUIRE(lowered.hard() != RLIM_INFINITY);
  std::string error;
  auto limit = sluice::server::raise_open_file_limit(lowered.hard() + 1000, &error);
  CHECK(error.empty());
  CHECK(limit.soft == lowered.hard());
  CHECK(limit.hard == lowered.hard());
  CHECK(current_soft() == lowered.hard());
}

TEST_CASE("a soft limit above what is needed is left as it is", "[server]") {
  SoftLimit lowered(600);
  std::string error;
  auto limit = sluice::server::raise_open_file_limit(300, &error);
  CHECK(limit.soft == 600);
  CHECK(current_soft() == 600);
}

TEST_CASE("Connections are capped to the open file limit less a descriptor reserve", "[server]") {
  using sluice::server::connection_cap;
  using sluice::server::descriptor_reserve;
  using sluice::server::OpenFileLimit;
  SECTION("a large limit keeps the whole reserve") {
    CHECK(descriptor_reserve(100'000) == 4096);
    CHECK(connection_cap(20'000, OpenFileLimit{100'000, 100'000}) == 20'000);
    CHECK(connection_cap(20'000, OpenFileLimit{20'000, 20'000}) == 20'000 - 4096);
  }
  SECTION("a small limit keeps a quarter") {
    CHECK(descriptor_reserve(1024) == 256);
    CHECK(connection_cap(20'000, OpenFileLimit{1024, 1024}) == 768);
    CHECK(connection_cap(100, OpenFileLimit{1024, 1024}) == 100);
  }
}
