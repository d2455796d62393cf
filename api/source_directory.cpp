#include "api/source_directory.hpp"

#include <utility>

namespace sluice::api {

SourceDirectory::SourceDirectory(std::shared_ptr<const SourceRegistry> initial)
    : current_(std::move(initial)) {}

void SourceDirectory::publish(std::shared_ptr<const SourceRegistry> next) {
  {
    MutexLock lock(mutex_);
    current_ = std::move(next);
  }
  // After the swap: a view that sees the new number finds the new registry.
  generation_.fetch_add(1, std::memory_order_release);
}

std::shared_ptr<const SourceRegistry> SourceDirectory::current() const {
  MutexLock lock(mutex_);
  return current_;
}

SourceView::SourceView(const SourceDirectory& directory)
    : directory_(directory), generation_(directory.generation()), registry_(directory.current()) {}

const std::shared_ptr<const SourceRegistry>& SourceView::get() {
  const std::uint64_t generation = directory_.generation();
  if (generation != generation_) {
    generation_ = generation;
    registry_ = directory_.current();
  }
  return registry_;
}

}  // namespace sluice::api
