// ns per write-key lookup (SourceRegistry::find_by_write_key): a keyed SHA-256 digest of the key
// and a hash-map probe confirmed by a constant-time comparison. A known key, a wrong key that
// shares all but its last byte with it, and one that differs from its first byte should take
// the same time; the registry holds 1 or 10,000 keys.

#include <benchmark/benchmark.h>
#include <string>
#include <vector>

#include "api/sources.hpp"

namespace {

using namespace sluice;

// A 32-character key, as the admin API would make one.
std::string key_number(int n) {
  std::string key = "wk_" + std::to_string(n);
  key.resize(32, 'x');
  return key;
}

api::SourceRegistry registry_of(int keys) {
  std::vector<config::SourceConfig> sources;
  sources.reserve(static_cast<std::size_t>(keys));
  for (int i = 0; i < keys; ++i) {
    sources.push_back(config::SourceConfig{"source-" + std::to_string(i), {key_number(i)}, {}});
  }
  return api::SourceRegistry(sources);
}

void lookup(benchmark::State& state, const std::string& key, bool found) {
  const api::SourceRegistry registry = registry_of(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    const api::Source* source = registry.find_by_write_key(key);
    if ((source != nullptr) != found) {
      state.SkipWithError("the lookup gave the wrong answer");
      break;
    }
    benchmark::DoNotOptimize(source);
  }
  state.SetItemsProcessed(state.iterations());
}

void BM_KnownKey(benchmark::State& state) {
  lookup(state, key_number(0), true);
}
BENCHMARK(BM_KnownKey)->Arg(1)->Arg(10'000);

void BM_WrongLastByte(benchmark::State& state) {
  std::string key = key_number(0);
  key.back() = 'y';
  lookup(state, key, false);
}
BENCHMARK(BM_WrongLastByte)->Arg(1)->Arg(10'000);

void BM_WrongFirstByte(benchmark::State& state) {
  std::string key = key_number(0);
  key.front() = 'v';
  lookup(state, key, false);
}
BENCHMARK(BM_WrongFirstByte)->Arg(1)->Arg(10'000);

}  // namespace

BENCHMARK_MAIN();
