#pragma once

// Awaiting the event log from a coroutine: the records go to the committer, and the awaiting
// session resumes on its own executor once they are durable (or refused). The IO thread is
// free meanwhile.

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/asio/async_result.hpp>
#include <boost/asio/execution/outstanding_work.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/prefer.hpp>

#include "storage/intake_log.hpp"

namespace sluice::server {

struct CommitResult {
  storage::Admission admission = storage::Admission::kClosed;
  storage::AppendResult append;  // meaningful when admission is kAccepted
};

// keys: as IntakeLog::append() takes them.
template <typename CompletionToken>
auto async_commit(storage::IntakeLog& log, std::vector<std::string> records,
                  std::vector<std::optional<storage::DedupKey>> keys, CompletionToken&& token) {
  namespace asio = boost::asio;
  return asio::async_initiate<CompletionToken, void(CommitResult)>(
      [&log](auto handler, std::vector<std::string>&& records,
             std::vector<std::optional<storage::DedupKey>>&& keys) {
        // The storage callback must be copyable and the handler is move-only: share it.
        using Handler = decltype(handler);
        auto shared = std::make_shared<Handler>(std::move(handler));
        // Tracked work keeps the session's io_context running while the commit is pending.
        auto executor = asio::prefer(asio::get_associated_executor(*shared),
                                     asio::execution::outstanding_work.tracked);
        storage::Admission admission =
            log.append(std::move(records), std::move(keys),
                       [shared, executor](const storage::AppendResult& result) {
                         asio::post(executor, [shared, result] {
                           (*shared)(CommitResult{storage::Admission::kAccepted, result});
                         });
                       });
        if (admission != storage::Admission::kAccepted) {
          asio::post(executor, [shared, admission] { (*shared)(CommitResult{admission, {}}); });
        }
      },
      token, std::move(records), std::move(keys));
}

}  // namespace sluice::server
