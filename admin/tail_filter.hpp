#pragma once
// What a live tail subscriber (GET /v1/tail) asks to see, read from its query string:
//
//   source=web,ios    only these sources' events (and rejections)
//   type=track        only these record types (the six message types and "object")
//   event=Signed Up   only track events with these names (implies type=track)
//   sample=0.1        each matching event is shown with this probability, 0 < sample <= 1
//   rejected=true     also what intake refused: each rejected message and refused request
//
// Lists are comma-separated (a comma inside a name is written %2C) and a list parameter may be
// repeated; an empty list means all. Parameters are percent-decoded. Matching a stored record
// reuses the destinations' filter (router/filter.hpp), so a tail narrowed like a destination shows
// what that destination would take.
//
// Not thread-safe: a TailFilter belongs to one subscriber on the admin thread.
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "api/rejection_feed.hpp"
#include "common/status.hpp"
#include "router/filter.hpp"
#include "storage/record.hpp"

namespace sluice::admin {

struct TailQuery {
  std::vector<std::string> sources;
  std::vector<std::string> types;
  std::vector<std::string> events;
  double sample = 1.0;
  bool rejected = false;
};

// The query's TailQuery, or an error naming the parameter that is not one of the above or whose
// value is not valid.
Result<TailQuery> parse_tail_query(std::string_view query);

class TailFilter {
 public:
  // seed: the sampling sequence's (tests pass a fixed one).
  TailFilter(const TailQuery& query, std::uint64_t seed);

  // Whether to show a stored record; the sample is drawn only for records that match.
  bool shows(const storage::Record& record);
  // Whether to show a rejection: only with rejected=true, and of a named source when sources
  // are named.
  bool shows(const api::RejectedMessage& rejection);

  bool wants_rejections() const { return rejected_; }

 private:
  bool sampled();

  std::vector<std::string> sources_;  // sorted
  std::unique_ptr<router::Filter> records_;
  double sample_;
  bool rejected_;
  std::minstd_rand random_;
  std::uniform_real_distribution<double> draw_{0.0, 1.0};
};

}  // namespace sluice::admin
