#include "api/source_directory.hpp"

#include <thread>

#include <catch2/catch.hpp>

namespace sluice::api {
namespace {

std::shared_ptr<const SourceRegistry> registry_with_key(const std::string& key) {
  return std::make_shared<const SourceRegistry>(
      std::vector<config::SourceConfig>{{"web", {key}, {}}});
}

TEST_CASE("A view sees what the directory publishes, once per publish", "[sources]") {
  const auto first = registry_with_key("k1");
  SourceDirectory directory(first);
  SourceView view(directory);
  CHECK(view.get() == first);
  CHECK(directory.generation() == 0);

  const auto second = registry_with_key("k2");
  directory.publish(second);
  CHECK(directory.generation() == 1);
  CHECK(view.get() == second);
  CHECK(view.get()->find_by_write_key("k2") != nullptr);
  // Whoever still holds the first registry can go on using it.
  CHECK(first->find_by_write_key("k1") != nullptr);
}

TEST_CASE("Views on other threads pick up publishes without tearing", "[sources]") {
  SourceDirectory directory(registry_with_key("k0"));
  std::atomic<bool> done{false};
  std::atomic<int> reads{0};
  std::atomic<int> torn{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 2; ++t) {
    readers.emplace_back([&] {
      SourceView view(directory);
      for (;;) {
        const bool last = done.load();
        // Every registry ever published has one source: a view never sees one half built.
        if (view.get()->sources().size() != 1) torn.fetch_add(1);
        reads.fetch_add(1);
        if (last) break;
      }
    });
  }
  // Publish only once both readers are reading, so the two run side by side.
  while (reads.load() < 2) std::this_thread::yield();
  for (int i = 1; i <= 200; ++i) directory.publish(registry_with_key("k" + std::to_string(i)));
  done = true;
  for (auto& reader : readers) reader.join();
  CHECK(torn.load() == 0);
  SourceView late(directory);
  CHECK(late.get()->find_by_write_key("k200") != nullptr);
}

}  // namespace
}  // namespace sluice::api
