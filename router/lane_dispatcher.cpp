#include "router/lane_dispatcher.hpp"

#include <algorithm>
#include <utility>

#include "router/backoff.hpp"

namespace sluice::router {
namespace {

std::vector<std::unique_ptr<DeliveryLane>> make_lanes(
    const config::DestinationConfig& config, storage::EventLog& log,
    std::vector<std::unique_ptr<Destination>> destinations, DestinationMetrics& metrics,
    LaneHost& host) {
  std::vector<std::unique_ptr<DeliveryLane>> lanes;
  lanes.reserve(destinations.size());
  for (auto& destination : destinations) {
    lanes.push_back(std::make_unique<DeliveryLane>(config, log, std::move(destination), metrics,
                                                   host, backoff_seed(config.name, lanes.size())));
  }
  return lanes;
}

}  // namespace

LaneDispatcher::LaneDispatcher(const config::DestinationConfig& config, storage::EventLog& log,
                               std::vector<std::unique_ptr<Destination>> destinations,
                               DestinationMetrics& metrics, LaneHost& host, LoopSignal& signal)
    : signal_(signal),
      lanes_(make_lanes(config, log, std::move(destinations), metrics, host)),
      busy_(lanes_.size(), false),
      retrying_(lanes_.size(), false) {}

void LaneDispatcher::start() {
  for (const auto& lane : lanes_) lane->start();
}

void LaneDispatcher::request_stop() {
  for (const auto& lane : lanes_) lane->request_stop();
}

void LaneDispatcher::join() {
  for (const auto& lane : lanes_) lane->join();
}

std::optional<std::size_t> LaneDispatcher::idle_lane() const {
  MutexLock lock(mutex_);
  const auto idle = std::find(busy_.begin(), busy_.end(), false);
  if (idle == busy_.end()) return std::nullopt;
  return static_cast<std::size_t>(idle - busy_.begin());
}

std::vector<std::size_t> LaneDispatcher::idle_lanes() const {
  MutexLock lock(mutex_);
  std::vector<std::size_t> idle;
  for (std::size_t lane = 0; lane < busy_.size(); ++lane) {
    if (!busy_[lane]) idle.push_back(lane);
  }
  return idle;
}

bool LaneDispatcher::any_busy() const {
  MutexLock lock(mutex_);
  return std::find(busy_.begin(), busy_.end(), true) != busy_.end();
}

void LaneDispatcher::dispatch(std::size_t lane, LaneJob job) {
  job.lane = lane;
  {
    MutexLock lock(mutex_);
    busy_[lane] = true;
  }
  lanes_[lane]->submit(std::move(job));
}

void LaneDispatcher::attempt_failed(std::size_t lane, const DeliveryResult& result) {
  MutexLock lock(mutex_);
  retrying_[lane] = true;
  last_error_ = result.describe();
}

void LaneDispatcher::finished(const LaneJob& job) {
  {
    MutexLock lock(mutex_);
    busy_[job.lane] = false;
    retrying_[job.lane] = false;
    if (job.outcome == LaneJob::Outcome::kDelivered && job.kind != LaneJob::Kind::kTick) {
      delivered_ += job.batch.size();
      last_error_.clear();
    }
  }
  signal_.notify();
}

bool LaneDispatcher::any_retrying() const {
  MutexLock lock(mutex_);
  return std::find(retrying_.begin(), retrying_.end(), true) != retrying_.end();
}

std::string LaneDispatcher::last_error() const {
  MutexLock lock(mutex_);
  return last_error_;
}

std::uint64_t LaneDispatcher::delivered() const {
  MutexLock lock(mutex_);
  return delivered_;
}

}  // namespace sluice::router
