#pragma once

// One admin client connection as a coroutine: read a request (header limit and deadline),
// check its bearer token before reading any body, read the body (limit and deadline), let the
// AdminHandler answer, write the answer, repeat while keep-alive holds.
//
// Sessions register in their server's AdminSessionTracker so that stop() can close idle ones
// at once and let busy ones finish their current request. Everything here runs on the admin
// server's one thread; nothing is shared across threads.

#include <functional>
#include <unordered_set>

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/tcp_stream.hpp>

#include "admin/admin_handler.hpp"
#include "admin/admin_limits.hpp"
#include "admin/bearer_token.hpp"

namespace sluice::admin {

struct AdminSessionState {
  boost::beast::tcp_stream* stream = nullptr;
  bool idle = true;  // waiting for the next request's header
  bool stop_requested = false;
};

class AdminSessionTracker {
 public:
  void add(AdminSessionState* session);
  void remove(AdminSessionState* session);
  // Marks every session to close after its current answer and cancels the idle ones.
  void stop_all();
  // The drain deadline passed: closes every connection.
  void close_all();
  bool stopping() const { return stopping_; }
  // Called when the last session is removed during a stop (or at once when there is none).
  std::function<void()> on_drained;

 private:
  std::unordered_set<AdminSessionState*> sessions_;
  bool stopping_ = false;
};

// What a session uses; all of it belongs to the server and outlives the session.
struct AdminSessionEnvironment {
  const AdminLimits& limits;
  const BearerToken& token;
  AdminHandler& handler;
  AdminSessionTracker& tracker;
};

boost::asio::awaitable<void> run_admin_session(AdminSessionEnvironment env,
                                               boost::asio::ip::tcp::socket socket);

}  // namespace sluice::admin
