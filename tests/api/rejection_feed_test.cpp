#include "api/rejection_feed.hpp"

#include <catch2/catch.hpp>

namespace sluice::api {
namespace {

std::vector<Rejection> rejections(std::initializer_list<std::size_t> indexes) {
  std::vector<Rejection> out;
  for (std::size_t index : indexes) out.push_back(Rejection{index, "no_user_anon_id", "why"});
  return out;
}

}  // namespace

TEST_CASE("A rejection feed keeps nothing while nobody listens", "[api][tail]") {
  RejectionFeed feed(8);
  CHECK_FALSE(feed.listening());
  feed.publish("web", rejections({0, 1}), 10);
  feed.publish_refusal("", "invalid_write_key", "unknown key", 11);
  std::vector<RejectedMessage> taken;
  CHECK(feed.take(taken) == 0);
  CHECK(taken.empty());
}

TEST_CASE("A rejection feed hands over what was published oldest first", "[api][tail]") {
  RejectionFeed feed(8);
  feed.listen();
  feed.publish("web", rejections({2, 5}), 10);
  feed.publish_refusal("", "invalid_write_key", "unknown key", 11);
  std::vector<RejectedMessage> taken;
  CHECK(feed.take(taken) == 0);
  REQUIRE(taken.size() == 3);
  CHECK(taken[0].source == "web");
  CHECK(taken[0].index == 2);
  CHECK(taken[0].code == "no_user_anon_id");
  CHECK(taken[1].index == 5);
  CHECK(taken[2].source.empty());
  CHECK(taken[2].index == -1);
  CHECK(taken[2].code == "invalid_write_key");
  CHECK(taken[2].at_ms == 11);
  taken.clear();
  CHECK(feed.take(taken) == 0);
  CHECK(taken.empty());
}

TEST_CASE("A full rejection feed keeps the newest and counts what it lost", "[api][tail]") {
  RejectionFeed feed(4);
  feed.listen();
  for (std::size_t i = 0; i < 10; ++i) feed.publish("web", rejections({i}), 0);
  std::vector<RejectedMessage> taken;
  CHECK(feed.take(taken) == 6);
  REQUIRE(taken.size() == 4);
  for (std::size_t i = 0; i < 4; ++i) CHECK(taken[i].index == static_cast<std::int64_t>(6 + i));
  // The count starts again after a take.
  feed.publish("web", rejections({10}), 0);
  taken.clear();
  CHECK(feed.take(taken) == 0);
  CHECK(taken.size() == 1);
}

TEST_CASE("A rejection feed forgets its entries when the last listener leaves", "[api][tail]") {
  RejectionFeed feed(4);
  feed.listen();
  feed.listen();
  feed.publish("web", rejections({1}), 0);
  feed.unlisten();
  CHECK(feed.listening());
  feed.unlisten();
  CHECK_FALSE(feed.listening());
  feed.listen();
  std::vector<RejectedMessage> taken;
  CHECK(feed.take(taken) == 0);
  CHECK(taken.empty());
}

}  // namespace sluice::api
