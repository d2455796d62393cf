#pragma once

// One admin client connection as a coroutine: read a request (header limit and deadline),
// check its bearer token before reading any body (until a request carries it, the connection
// is evictable and keeps the short header deadline: UnauthenticatedConnections), read the body
// (limit and deadline), let the AdminHandler answer, write the answer, repeat while keep-alive
// holds. GET /v1/tail is the exception: the session streams it (tail_stream.hpp) and closes.
//
// Sessions register in their server's net::SessionTracker so that stop() can close idle ones
// at once and let busy ones finish their current request. The connection machinery (limits,
// deadlines, lingering close) is net::HttpConnection's; the token check, answers and logging
// are this session's. Everything here runs on the admin server's one thread; nothing is shared
// across threads.

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "admin/admin_handler.hpp"
#include "admin/admin_limits.hpp"
#include "admin/bearer_token.hpp"
#include "admin/tail_stream.hpp"
#include "admin/unauthenticated_connections.hpp"
#include "net/session_tracker.hpp"

namespace sluice::admin {

// What a session uses; all of it belongs to the server and outlives the session.
struct AdminSessionEnvironment {
  const AdminLimits& limits;
  const BearerToken& token;
  AdminHandler& handler;
  net::SessionTracker& tracker;
  UnauthenticatedConnections& unauthenticated;
  LiveTail* tail = nullptr;  // null: GET /v1/tail is 404
};

boost::asio::awaitable<void> run_admin_session(AdminSessionEnvironment env,
                                               boost::asio::ip::tcp::socket socket);

}  // namespace sluice::admin
