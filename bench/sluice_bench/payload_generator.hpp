#pragma once

// Fills request bodies from a PayloadLibrary: picks a template, draws the user from the Zipf
// sampler, numbers the message, stamps the current time. Bodies are written into a string the
// caller reuses, so after the first requests no memory is allocated.
//
// messageIds are "<run id>-<generator id>-<counter>": unique within a run as long as every
// generator of the run has its own id, and across runs through the random run id. The events
// of one body have consecutive counters (an EventRange), which is all the acknowledgement log
// needs to name them.
//
// One generator per thread; the library and the sampler must outlive it. Not thread-safe.

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "bench/sluice_bench/fast_random.hpp"
#include "bench/sluice_bench/payload_templates.hpp"
#include "bench/sluice_bench/utc_timestamp.hpp"
#include "bench/sluice_bench/zipf_sampler.hpp"

namespace sluice::bench {

// Relative weights of the message types, indexed by EventType; at least one is non-zero.
using EventMix = std::array<std::uint32_t, kEventTypeCount>;

// The events of one body: counters first .. first + count - 1 of one generator.
struct EventRange {
  std::uint64_t first = 0;
  std::uint32_t count = 0;
};

struct GeneratorSettings {
  std::string run_id;              // the same for every generator of a run
  std::uint32_t generator_id = 0;  // distinct per generator within the run
  std::uint64_t seed = 0;          // template choice and users
  bool browser = false;            // also put writeKey on the batch envelope
  std::string write_key;
};

class PayloadGenerator {
 public:
  PayloadGenerator(const PayloadLibrary& library, const ZipfSampler& users,
                   GeneratorSettings settings);

  // One message of `type` with its sentAt, as sent to /v1/<type>.
  EventRange single(EventType type, std::string& body);
  // `{"batch":[...],"sentAt":...}` of `events` messages whose types follow `mix`.
  EventRange batch(std::uint32_t events, const EventMix& mix, std::string& body);
  // A type drawn with the mix's weights.
  EventType pick(const EventMix& mix);

  // The messageId of the event numbered `counter` by this generator.
  void append_message_id(std::uint64_t counter, std::string& out) const;
  const std::string& message_id_prefix() const { return message_id_prefix_; }

 private:
  // timestamp: the body's time, read once per body (a clock read costs more than the rest of
  // an event's slots together on some virtual machines).
  void append_message(EventType type, std::string_view timestamp, std::string& body);

  const PayloadLibrary& library_;
  const ZipfSampler& users_;
  GeneratorSettings settings_;
  FastRandom random_;
  UtcTimestamp clock_;
  std::string message_id_prefix_;  // "<run id>-<generator id>-"
  std::uint64_t next_counter_ = 0;
};

}  // namespace sluice::bench
