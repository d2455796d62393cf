// ns per event of the intake hot path: parse + validate + enrich + encode a record, on real
// SDK fixture bodies and on a 100-event batch built from them.

#include <benchmark/benchmark.h>
#include <fstream>
#include <sstream>
#include <string>

#include <simdjson.h>

#include "api/ingestor.hpp"
#include "api/json_reader.hpp"
#include "api/sources.hpp"

namespace {

using namespace sluice;

std::string read_fixture(const std::string& name) {
  std::ifstream in(std::string(SLUICE_FIXTURES_DIR) + "/" + name, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

const api::SourceRegistry& sources() {
  static const api::SourceRegistry registry({config::SourceConfig{"bench", {"test_write_key"}}});
  return registry;
}

// A batch of 100 copies of the fixture's first item, with distinct messageIds.
std::string hundred_event_batch() {
  std::string single = read_fixture("analytics-next-track.json");
  std::string batch =
      R"({"writeKey":"test_write_key","sentAt":"2026-11-29T10:00:01.000Z","batch":[)";
  for (int i = 0; i < 100; ++i) {
    if (i) batch += ',';
    std::string item = single;
    auto id = item.find("\"messageId\":\"");
    if (id != std::string::npos) item.insert(id + 13, std::to_string(i) + "-");
    batch += item;
  }
  batch += "]}";
  return batch;
}

void run(benchmark::State& state, const std::string& body, bool batch, int events) {
  api::Ingestor ingestor(api::IngestLimits{});
  api::IngestOutcome outcome;
  api::IngestRequest request;
  request.body = body;
  if (!batch) request.path_type = storage::EventType::kTrack;
  request.client_side = true;
  request.client_ip = "127.0.0.1";
  request.received_at_ms = 1'790'000'000'000;
  for (auto _ : state) {
    ingestor.ingest(sources(), request, outcome);
    if (outcome.records.size() != static_cast<std::size_t>(events)) {
      state.SkipWithError("events were rejected");
      break;
    }
    benchmark::DoNotOptimize(outcome.records.data());
  }
  state.SetItemsProcessed(state.iterations() * events);
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(body.size()));
}

void BM_TrackFixture(benchmark::State& state) {
  static const std::string body = read_fixture("analytics-next-track.json");
  run(state, body, false, 1);
}
BENCHMARK(BM_TrackFixture);

void BM_NodeBatchFixture(benchmark::State& state) {
  static const std::string body = read_fixture("segment-analytics-node-batch.json");
  run(state, body, true, 5);
}
BENCHMARK(BM_NodeBatchFixture);

void BM_Batch100(benchmark::State& state) {
  static const std::string body = hundred_event_batch();
  run(state, body, true, 100);
}
BENCHMARK(BM_Batch100);

// Two references on the track fixture's body, to place the hot path's figure: simdjson's DOM
// parser validating it (the fastest full check in the stack, without slicing or enrichment),
// and the JSON reader alone (validating and minifying it, without slicing or enrichment).
void BM_TrackFixtureSimdjsonDom(benchmark::State& state) {
  static const std::string body = read_fixture("analytics-next-track.json");
  const simdjson::padded_string padded(body);
  simdjson::dom::parser parser;
  for (auto _ : state) {
    if (parser.parse(padded).error() != simdjson::SUCCESS) {
      state.SkipWithError("simdjson refused the fixture");
      break;
    }
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(body.size()));
}
BENCHMARK(BM_TrackFixtureSimdjsonDom);

void BM_TrackFixtureReaderOnly(benchmark::State& state) {
  static const std::string body = read_fixture("analytics-next-track.json");
  std::string minified(body.size(), '\0');
  api::JsonReader reader;
  for (auto _ : state) {
    reader.start(body, minified.data());
    if (!reader.skip_value(1) || !reader.at_end()) {
      state.SkipWithError("the reader refused the fixture");
      break;
    }
    benchmark::DoNotOptimize(minified.data());
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(body.size()));
}
BENCHMARK(BM_TrackFixtureReaderOnly);

}  // namespace

BENCHMARK_MAIN();
