#pragma once

// The one interface every kind of destination implements (router/destinations/), and what
// flows through it. A destination instance is driven by exactly one DeliveryLane, on its thread:
// it never needs a lock of its own for the calls below.

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <utility>

#include "storage/record.hpp"

namespace sluice::router {

// One event on its way out: its sequence number in the log and the stored record, whose json is
// the enriched event exactly as it is delivered. The record's views point into memory owned by
// the batch, valid for the duration of the deliver() call.
struct OutgoingEvent {
  std::uint64_t sequence = 0;
  storage::Record record;
};

// A destination's answer to one batch.
struct DeliveryResult {
  enum class Kind {
    kOk,         // acknowledged: the whole batch is delivered and durable at the destination
    kRetry,      // not delivered, may succeed later (5xx, 429, timeouts, I/O errors)
    kPermanent,  // not delivered and never will be as it is (4xx): dead-letter it
  };

  Kind kind = Kind::kOk;
  // A short, stable token ("http_503", "timeout", "write_failed"): a metric label, so it must
  // come from a small fixed set. The specifics go in detail.
  std::string reason;
  std::string detail;
  // The destination asked for at least this pause before the next attempt (Retry-After).
  std::optional<std::chrono::milliseconds> retry_after;

  static DeliveryResult ok() { return {}; }
  static DeliveryResult retry(std::string reason, std::string detail = {},
                              std::optional<std::chrono::milliseconds> retry_after = {}) {
    return {Kind::kRetry, std::move(reason), std::move(detail), retry_after};
  }
  static DeliveryResult permanent(std::string reason, std::string detail = {}) {
    return {Kind::kPermanent, std::move(reason), std::move(detail), std::nullopt};
  }

  // "reason: detail", or the reason alone: for logs, status and dead letters.
  std::string describe() const { return detail.empty() ? reason : reason + ": " + detail; }
};

class Destination {
 public:
  virtual ~Destination() = default;

  // Delivers events: one batch, never empty, in log order. The loop may call again with the same
  // events (a retry) or with later ones; every event acknowledged with kOk must be durable at the
  // destination, because the cursor moves past it.
  virtual DeliveryResult deliver(std::span<const OutgoingEvent> events) = 0;

  // Time-based upkeep, called about once per idle tick (a second) when no batch is delivered:
  // the file destination completes a file whose rotate_interval has passed.
  virtual void tick() {}

  // The loop has stopped and will not call again: finish what is open.
  virtual void close() {}
};

}  // namespace sluice::router
