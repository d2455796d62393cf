#include "net/http_connection.hpp"

#include <string>

#include <catch2/catch.hpp>

#include "loopback.hpp"

namespace sluice::net::test {
namespace {

Response answer(std::string body) {
  Response response{http::status::ok, 11};
  response.body() = std::move(body);
  response.prepare_payload();
  return response;
}

// Reads one request; answers with its body when it could be read, else closes lingering.
asio::awaitable<void> serve_one(tcp::socket socket, SessionTracker& tracker,
                                ConnectionLimits limits, Exchange& out) {
  HttpConnection connection(boost::beast::tcp_stream(std::move(socket)), tracker, limits);
  RequestParser parser;
  co_await read_request(connection, parser, out);
  if (out.header_ec || out.body_ec) {
    Response refusal = answer("refused");
    refusal.result(http::status::bad_request);
    co_await connection.write(refusal);
    co_await connection.linger_close();
    co_return;
  }
  if (parser.get().method() == http::verb::head) {
    Response response = answer("not sent");
    co_await connection.write_header(response);
  } else {
    Response response = answer(out.body);
    co_await connection.write(response);
  }
  co_await connection.close();
}

TEST_CASE("HttpConnection reads a request and writes its answer", "[net]") {
  Loopback loop;
  SessionTracker tracker(loop.io.get_executor());
  Exchange exchange;
  SECTION("with Content-Length") {
    loop.send("POST /p HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello");
    loop.run(serve_one(std::move(loop.server), tracker, test_limits(), exchange));
    CHECK_FALSE(exchange.header_ec);
    CHECK_FALSE(exchange.body_ec);
    CHECK(exchange.body == "hello");
    const std::string received = loop.receive_all();
    CHECK(received.starts_with("HTTP/1.1 200 OK\r\n"));
    CHECK(received.ends_with("\r\n\r\nhello"));
  }
  SECTION("answering Expect: 100-continue before the body") {
    loop.send("POST /p HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\nok");
    loop.run(serve_one(std::move(loop.server), tracker, test_limits(), exchange));
    CHECK(exchange.body == "ok");
    const std::string received = loop.receive_all();
    CHECK(received.starts_with("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n"));
  }
  SECTION("to HEAD, only the header") {
    loop.send("HEAD /p HTTP/1.1\r\nHost: h\r\n\r\n");
    loop.run(serve_one(std::move(loop.server), tracker, test_limits(), exchange));
    const std::string received = loop.receive_all();
    CHECK(received.starts_with("HTTP/1.1 200 OK\r\n"));
    CHECK(received.find("Content-Length: 8\r\n") != std::string::npos);
    CHECK(received.ends_with("\r\n\r\n"));
  }
}

// Reads a request's header, and its body when told to; answers; closes.
asio::awaitable<void> answer_one(tcp::socket socket, SessionTracker& tracker, bool read_body,
                                 bool drain, bool& kept_alive) {
  HttpConnection connection(boost::beast::tcp_stream(std::move(socket)), tracker, test_limits());
  RequestParser parser;
  if (co_await connection.read_header(parser)) co_return;
  if (read_body && co_await connection.read_body(parser)) co_return;
  if (drain) tracker.drain(5s);
  Response response = answer("answer");
  co_await connection.write(response);
  kept_alive = response.keep_alive();
  co_await connection.close();
}

TEST_CASE("HttpConnection keeps a connection alive only when it may", "[net]") {
  Loopback loop;
  SessionTracker tracker(loop.io.get_executor());
  const std::string request = "POST /p HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n";
  bool kept_alive = true;
  SECTION("the client asks for it") {
    loop.send(request + "\r\n0123456789");
    loop.run(answer_one(std::move(loop.server), tracker, true, false, kept_alive));
    CHECK(kept_alive);
    CHECK(loop.receive_all().find("Connection: close") == std::string::npos);
  }
  SECTION("not when the client says Connection: close") {
    loop.send(request + "Connection: close\r\n\r\n0123456789");
    loop.run(answer_one(std::move(loop.server), tracker, true, false, kept_alive));
    CHECK_FALSE(kept_alive);
    CHECK(loop.receive_all().find("Connection: close\r\n") != std::string::npos);
  }
  SECTION("not when a drain has started") {
    loop.send(request + "\r\n0123456789");
    loop.run(answer_one(std::move(loop.server), tracker, true, true, kept_alive));
    CHECK_FALSE(kept_alive);
  }
  SECTION("not when the body was left unread, and close() lingers for it") {
    loop.send(request + "\r\n0123456789");
    loop.client.shutdown(tcp::socket::shutdown_send);
    const auto took =
        loop.run(answer_one(std::move(loop.server), tracker, false, false, kept_alive));
    CHECK_FALSE(kept_alive);
    CHECK(took < 4s);
    bool reset = true;
    CHECK(loop.receive_all(&reset).ends_with("\r\n\r\nanswer"));
    CHECK_FALSE(reset);
  }
}

TEST_CASE("HttpConnection enforces the header and body limits", "[net]") {
  Loopback loop;
  SessionTracker tracker(loop.io.get_executor());
  Exchange exchange;
  // Each section's request is all the client sends, so a refusal's linger ends at once.
  SECTION("a header over the limit") {
    loop.send("GET /p HTTP/1.1\r\nHost: h\r\nX-Long: " + std::string(2000, 'x') + "\r\n\r\n");
    loop.client.shutdown(tcp::socket::shutdown_send);
    loop.run(serve_one(std::move(loop.server), tracker, test_limits(), exchange));
    CHECK(exchange.header_ec == http::error::header_limit);
  }
  SECTION("a Content-Length over the body limit, refused with the header") {
    loop.send("POST /p HTTP/1.1\r\nHost: h\r\nContent-Length: 17\r\n\r\n");
    loop.client.shutdown(tcp::socket::shutdown_send);
    loop.run(serve_one(std::move(loop.server), tracker, test_limits(), exchange));
    CHECK(exchange.header_ec == http::error::body_limit);
  }
  SECTION("a chunked body over the limit, refused while reading it") {
    loop.send(
        "POST /p HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n"
        "10\r\n0123456789abcdef\r\n1\r\nx\r\n0\r\n\r\n");
    loop.client.shutdown(tcp::socket::shutdown_send);
    loop.run(serve_one(std::move(loop.server), tracker, test_limits(), exchange));
    CHECK_FALSE(exchange.header_ec);
    CHECK(exchange.body_ec == http::error::body_limit);
  }
  SECTION("a body at the limit") {
    loop.send("POST /p HTTP/1.1\r\nHost: h\r\nContent-Length: 16\r\n\r\n0123456789abcdef");
    loop.client.shutdown(tcp::socket::shutdown_send);
    loop.run(serve_one(std::move(loop.server), tracker, test_limits(), exchange));
    CHECK_FALSE(exchange.body_ec);
    CHECK(exchange.body == "0123456789abcdef");
  }
}

TEST_CASE("A client that closes before a request is a disconnect", "[net]") {
  Loopback loop;
  SessionTracker tracker(loop.io.get_executor());
  Exchange exchange;
  loop.client.shutdown(tcp::socket::shutdown_send);
  loop.run(serve_one(std::move(loop.server), tracker, test_limits(), exchange));
  CHECK(is_disconnect(exchange.header_ec));
  CHECK_FALSE(is_disconnect(http::error::header_limit));
  CHECK_FALSE(is_disconnect(http::error::body_limit));
}

TEST_CASE("linger_close lets the client read the answer to a request whose body was not read",
          "[net]") {
  Loopback loop;
  SessionTracker tracker(loop.io.get_executor());
  Exchange exchange;
  const std::string body(20000, 'b');
  loop.send("POST /p HTTP/1.1\r\nHost: h\r\nContent-Length: 20000\r\n\r\n" + body);
  SECTION("the client stops sending: closed once it has all been read") {
    loop.client.shutdown(tcp::socket::shutdown_send);
    const auto took = loop.run(serve_one(std::move(loop.server), tracker, test_limits(), exchange));
    CHECK(took < 4s);
  }
  SECTION("the client goes on: closed after linger_bytes") {
    ConnectionLimits limits = test_limits();
    limits.linger_bytes = 1000;
    const auto took = loop.run(serve_one(std::move(loop.server), tracker, limits, exchange));
    CHECK(took < 4s);
  }
  SECTION("the client goes on: closed after linger_time") {
    ConnectionLimits limits = test_limits();
    limits.linger_time = 300ms;
    const auto took = loop.run(serve_one(std::move(loop.server), tracker, limits, exchange));
    CHECK(took >= 250ms);  // the linger deadline is kept to the millisecond
    CHECK(took < 4s);
  }
  CHECK(exchange.header_ec == http::error::body_limit);
  bool reset = true;
  const std::string received = loop.receive_all(&reset);
  CHECK_FALSE(reset);
  CHECK(received.starts_with("HTTP/1.1 400 Bad Request\r\n"));
  CHECK(received.ends_with("refused"));
}

}  // namespace
}  // namespace sluice::net::test
