#pragma once
// GET /v1/tail on an authenticated admin connection: the query's filter (400 when it is not
// valid), a subscription (503 + Retry-After when max_subscribers already listen), then a
// chunked text/event-stream answer (HTTP/1.1 only: 505 for 1.0, which has no chunks) for as
// long as the client reads and the server runs.
//
// The stream opens with an "open" frame naming the sequence it starts after, then carries the
// subscription's frames (live_tail.hpp), and a comment every TailLimits::heartbeat when there are
// none (proxies keep an idle stream open). A client that closes frees its place at once; one
// whose machine vanished without closing, within a minute (TCP keep-alive probes and a user
// timeout). A write that does not finish within the body deadline ends the stream: a client
// that stopped reading loses its place, not the server's memory. The answer says
// "Connection: close": the stream ends with the connection.
#include <boost/asio/awaitable.hpp>

#include "admin/live_tail.hpp"
#include "net/http_connection.hpp"
#include "net/http_types.hpp"

namespace sluice::admin {

// Serves the request; true when the connection may read the next request (an error answer
// was written), false when it must close (the stream ended, or the write failed).
boost::asio::awaitable<bool> serve_tail(net::HttpConnection& connection,
                                        const net::Request& request, LiveTail& tail);

}  // namespace sluice::admin
