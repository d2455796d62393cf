#pragma once

// An IntakeLog for tests of the answering rules: keeps what was appended in memory and answers
// admission() with what the test set. Commits complete at once, or, with hold_commits, when
// the test calls complete_held(), so a test can interleave requests at their commit wait.
// Single-threaded, like the io_context the tests run.

#include <cstdint>
#include <string>
#include <vector>

#include "storage/intake_log.hpp"

namespace sluice::server::test {

class FakeIntakeLog : public storage::IntakeLog {
 public:
  using storage::IntakeLog::append;
  storage::Admission append(std::vector<std::string> records,
                            std::vector<std::optional<storage::DedupKey>> /*keys*/,
                            storage::AppendCallback done) override {
    if (admission_ != storage::Admission::kAccepted) return admission_;
    const storage::AppendResult result{commit_ok_, next_sequence_, {}};
    if (commit_ok_) {
      next_sequence_ += records.size();
      for (auto& record : records) stored_.push_back(std::move(record));
    }
    if (hold_commits_) {
      held_.push_back([done = std::move(done), result] { done(result); });
    } else {
      done(result);
    }
    return storage::Admission::kAccepted;
  }

  storage::Admission admission(std::uint64_t /*bytes*/) const override { return admission_; }

  void set_admission(storage::Admission admission) { admission_ = admission; }
  // false: appends are admitted but their commit fails (a RocksDB write error).
  void set_commit_ok(bool ok) { commit_ok_ = ok; }
  void hold_commits() { hold_commits_ = true; }
  // Completes the held commits, last appended first.
  void complete_held_in_reverse() {
    while (!held_.empty()) {
      auto complete = std::move(held_.back());
      held_.pop_back();
      complete();
    }
  }

  const std::vector<std::string>& stored() const { return stored_; }
  void forget_stored() { stored_.clear(); }

 private:
  storage::Admission admission_ = storage::Admission::kAccepted;
  bool commit_ok_ = true;
  bool hold_commits_ = false;
  std::uint64_t next_sequence_ = 1;
  std::vector<std::string> stored_;
  std::vector<std::function<void()>> held_;
};

}  // namespace sluice::server::test
