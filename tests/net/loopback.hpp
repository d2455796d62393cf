#pragma once

// One TCP connection over 127.0.0.1 in a single-threaded io_context: the server end for the
// code under test, the client end driven with blocking calls before and after io.run(). What
// the client sends first waits in the kernel's buffers, so tests stay single-threaded.

#include <chrono>
#include <poll.h>
#include <string>
#include <string_view>
#include <sys/socket.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <catch2/catch.hpp>

#include "net/http_connection.hpp"

namespace sluice::net::test {

namespace asio = boost::asio;
using asio::ip::tcp;
using namespace std::chrono_literals;

// Small limits, and deadlines long enough that no test meets one by accident.
inline ConnectionLimits test_limits() {
  return ConnectionLimits{
      .max_header_bytes = 1024,
      .max_body_bytes = 16,
      .header_timeout = 5s,
      .idle_timeout = 5s,
      .body_timeout = 5s,
      .linger_bytes = 1 << 20,
      .linger_time = 5s,
  };
}

// What a test session saw of one request.
struct Exchange {
  boost::system::error_code header_ec;
  boost::system::error_code body_ec;
  std::string body;             // when both were read
  bool stop_requested = false;  // once the request was read
};

// Reads one request as a session does: its header, then its body if the header was read.
inline asio::awaitable<void> read_request(HttpConnection& connection, RequestParser& parser,
                                          Exchange& out) {
  out.header_ec = co_await connection.read_header(parser);
  if (!out.header_ec) out.body_ec = co_await connection.read_body(parser);
  if (!out.header_ec && !out.body_ec) out.body = parser.get().body();
  out.stop_requested = connection.stop_requested();
}

struct Loopback {
  Loopback() {
    client.connect(acceptor.local_endpoint());
    acceptor.accept(server);
  }

  void send(std::string_view bytes) { asio::write(client, asio::buffer(bytes)); }

  // Runs the server side until it has nothing left to do; returns how long that took.
  std::chrono::steady_clock::duration run(asio::awaitable<void> server_side) {
    asio::co_spawn(io, std::move(server_side), [](const std::exception_ptr& failure) {
      if (failure) std::rethrow_exception(failure);
    });
    const auto started = std::chrono::steady_clock::now();
    io.run();
    return std::chrono::steady_clock::now() - started;
  }

  // Everything the server sent until it closed; *reset tells whether the close was a reset.
  std::string receive_all(bool* reset = nullptr) {
    std::string out;
    char chunk[4096];
    for (;;) {
      pollfd readable{client.native_handle(), POLLIN, 0};
      REQUIRE(::poll(&readable, 1, 5000) == 1);
      const auto n = ::recv(client.native_handle(), chunk, sizeof chunk, 0);
      if (n <= 0) {
        if (reset) *reset = n < 0;
        return out;
      }
      out.append(chunk, static_cast<std::size_t>(n));
    }
  }

  asio::io_context io{1};
  tcp::acceptor acceptor{io, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)};
  tcp::socket client{io};
  tcp::socket server{io};
};

}  // namespace sluice::net::test
