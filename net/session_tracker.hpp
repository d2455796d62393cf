#pragma once

// The connections of one io_context, so that a server's stop can drain them: close the idle
// ones at once, let busy ones finish their current request, and close whatever is left when the
// drain deadline passes.
//
// An HttpConnection registers its SessionState for as long as it lives; the tracker only holds
// pointers to them. A tracker and its sessions are used only from the thread that runs their
// io_context; nothing here is thread-safe.

#include <chrono>
#include <unordered_set>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core/tcp_stream.hpp>

namespace sluice::net {

struct SessionState {
  boost::beast::tcp_stream* stream = nullptr;
  bool idle = true;  // waiting for the next request's header
  bool stop_requested = false;
};

class SessionTracker {
 public:
  // executor: the sessions' io_context, where the drain deadline runs.
  explicit SessionTracker(const boost::asio::any_io_executor& executor);

  void add(SessionState* session);
  void remove(SessionState* session);

  // The second phase of a server's stop, after it has stopped accepting: marks every session to
  // close after its current answer, cancels the idle ones, and closes the connections of those
  // still there after drain_timeout. Once the last session has ended nothing here waits any
  // more, so the io_context runs out of work.
  void drain(std::chrono::milliseconds drain_timeout);
  bool stopping() const { return stopping_; }

 private:
  void close_all();

  std::unordered_set<SessionState*> sessions_;
  boost::asio::steady_timer drain_timer_;
  bool stopping_ = false;
};

}  // namespace sluice::net
