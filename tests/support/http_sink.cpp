#include "tests/support/http_sink.hpp"

#include <atomic>
#include <condition_variable>
#include <deque>
#include <fstream>
#include <future>
#include <mutex>
#include <optional>
#include <set>
#include <stdexcept>
#include <stdlib.h>
#include <system_error>
#include <thread>

#include <boost/algorithm/string/predicate.hpp>
#include <boost/asio/as_tuple.hpp>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "tests/support/test_certificates.hpp"

namespace sluice::test {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using tcp = asio::ip::tcp;

constexpr auto kAwait = asio::as_tuple(asio::use_awaitable);
// Large enough for any batch a test sends (the router caps batches at 64 MiB).
constexpr std::uint64_t kMaxRequestBody = 80ull << 20;

// An open connection, as stop() and close_connections() see it (on the sink's thread only).
struct OpenConnection {
  beast::tcp_stream* stream = nullptr;
  asio::steady_timer* timer = nullptr;
  bool closed = false;

  void close() {
    closed = true;
    boost::system::error_code ignored;
    stream->socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream->socket().close(ignored);
    timer->cancel();
  }
};

}  // namespace

struct HttpSink::State {
  asio::io_context io;
  tcp::acceptor acceptor{io};
  std::optional<ssl::context> tls;
  std::filesystem::path dir;  // holds ca_file; made only for HTTPS
  std::filesystem::path ca_file;
  std::uint16_t port = 0;
  std::thread thread;

  // The sink's thread only.
  std::set<OpenConnection*> open;
  bool stopping = false;

  // Shared with the test's threads.
  mutable std::mutex mutex;
  mutable std::condition_variable changed;
  std::vector<SinkRequest> requests;
  std::deque<SinkAnswer> queued;
  Responder responder = [](const SinkRequest&) { return SinkAnswer{}; };
  std::atomic<std::size_t> connections{0};

  // Records request with the answer it gets, and returns that answer.
  SinkAnswer record_and_answer(SinkRequest request) {
    std::unique_lock lock(mutex);
    std::optional<SinkAnswer> answer;
    if (!queued.empty()) {
      answer = std::move(queued.front());
      queued.pop_front();
    } else {
      const Responder respond = responder;
      lock.unlock();
      answer = respond(request);
      lock.lock();
    }
    request.answered = answer->close_without_answer || !answer->raw.empty() ? 0 : answer->status;
    requests.push_back(std::move(request));
    changed.notify_all();
    return std::move(*answer);
  }

  void close_all() {
    for (OpenConnection* connection : open) connection->close();
  }

  asio::awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, socket] = co_await acceptor.async_accept(kAwait);
      if (stopping) co_return;
      if (ec) continue;  // e.g. out of descriptors: the client sees a refusal or a reset
      const std::size_t number = ++connections;
      if (tls) {
        co_spawn(io, serve(beast::ssl_stream<beast::tcp_stream>(std::move(socket), *tls), number),
                 asio::detached);
      } else {
        co_spawn(io, serve(beast::tcp_stream(std::move(socket)), number), asio::detached);
      }
    }
  }

  template <typename Stream>
  asio::awaitable<void> serve(Stream stream, std::size_t number) {
    asio::steady_timer timer(io);
    OpenConnection connection{&beast::get_lowest_layer(stream), &timer};
    if (stopping) co_return;
    open.insert(&connection);
    co_await exchange(stream, connection, number);
    open.erase(&connection);
    if (!connection.closed) connection.close();
  }

  template <typename Stream>
  asio::awaitable<void> exchange(Stream& stream, OpenConnection& connection, std::size_t number) {
    if constexpr (!std::is_same_v<Stream, beast::tcp_stream>) {
      auto [ec] = co_await stream.async_handshake(ssl::stream_base::server, kAwait);
      if (ec) co_return;
    }
    beast::flat_buffer buffer;
    while (!connection.closed) {
      http::request_parser<http::string_body> parser;
      parser.body_limit(kMaxRequestBody);
      auto [read_ec, read] = co_await http::async_read(stream, buffer, parser, kAwait);
      if (read_ec) co_return;
      const auto& message = parser.get();
      SinkRequest request;
      request.method = std::string(message.method_string());
      request.target = std::string(message.target());
      for (const auto& field : message) {
        request.headers.emplace_back(std::string(field.name_string()), std::string(field.value()));
      }
      request.body = message.body();
      request.connection = number;
      request.received = std::chrono::steady_clock::now();
      const SinkAnswer answer = record_and_answer(std::move(request));

      if (answer.delay.count() > 0) {
        connection.timer->expires_after(answer.delay);
        co_await connection.timer->async_wait(kAwait);
        if (connection.closed) co_return;
      }
      if (answer.close_without_answer) co_return;
      if (!answer.raw.empty()) {
        co_await asio::async_write(stream, asio::buffer(answer.raw), kAwait);
        co_return;
      }
      http::response<http::string_body> response;
      response.version(message.version());
      response.result(answer.status);
      for (const auto& [name, value] : answer.headers) response.insert(name, value);
      response.body() = answer.body;
      response.keep_alive(message.keep_alive());
      response.prepare_payload();
      auto [write_ec, written] = co_await http::async_write(stream, response, kAwait);
      if (write_ec || !message.keep_alive() || answer.close_after_answer) co_return;
    }
  }
};

std::string SinkRequest::header(std::string_view name) const {
  for (const auto& [key, value] : headers) {
    if (boost::algorithm::iequals(key, name)) return value;
  }
  return {};
}

HttpSink::HttpSink() : HttpSink(Options{}) {}

HttpSink::HttpSink(const Options& options) : state_(std::make_unique<State>()) {
  State& state = *state_;
  if (options.https) {
    const TestCertificates certificates = make_test_certificates(options.certificate_names);
    state.tls.emplace(ssl::context::tls_server);
    state.tls->use_certificate_chain(
        asio::buffer(certificates.certificate_pem.data(), certificates.certificate_pem.size()));
    state.tls->use_private_key(
        asio::buffer(certificates.key_pem.data(), certificates.key_pem.size()), ssl::context::pem);
    std::string pattern = (std::filesystem::temp_directory_path() / "sluice-sink-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    state.dir = pattern;
    state.ca_file = state.dir / "ca.pem";
    std::ofstream(state.ca_file) << certificates.ca_pem;
  }
  const tcp::endpoint loopback(asio::ip::make_address("127.0.0.1"), 0);
  state.acceptor.open(loopback.protocol());
  state.acceptor.set_option(tcp::acceptor::reuse_address(true));
  state.acceptor.bind(loopback);
  state.acceptor.listen();
  state.port = state.acceptor.local_endpoint().port();
  co_spawn(state.io, state.accept_loop(), asio::detached);
  state.thread = std::thread([&state] { state.io.run(); });
}

HttpSink::~HttpSink() {
  stop();
  if (!state_->dir.empty()) {
    std::error_code ignored;
    std::filesystem::remove_all(state_->dir, ignored);
  }
}

std::uint16_t HttpSink::port() const {
  return state_->port;
}

std::string HttpSink::url(std::string_view path) const {
  return std::string(state_->tls ? "https" : "http") +
         "://127.0.0.1:" + std::to_string(state_->port) + std::string(path);
}

const std::filesystem::path& HttpSink::ca_file() const {
  return state_->ca_file;
}

void HttpSink::enqueue(SinkAnswer answer) {
  std::lock_guard lock(state_->mutex);
  state_->queued.push_back(std::move(answer));
}

void HttpSink::respond_with(Responder responder) {
  std::lock_guard lock(state_->mutex);
  state_->responder = std::move(responder);
}

std::vector<SinkRequest> HttpSink::requests() const {
  std::lock_guard lock(state_->mutex);
  return state_->requests;
}

std::size_t HttpSink::request_count() const {
  std::lock_guard lock(state_->mutex);
  return state_->requests.size();
}

bool HttpSink::wait_for_requests(std::size_t count, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(state_->mutex);
  return state_->changed.wait_for(lock, timeout, [&] { return state_->requests.size() >= count; });
}

std::size_t HttpSink::connections_accepted() const {
  return state_->connections;
}

void HttpSink::close_connections() {
  if (!state_->thread.joinable()) return;
  std::promise<void> done;
  asio::post(state_->io, [&] {
    state_->close_all();
    done.set_value();
  });
  done.get_future().wait();
}

void HttpSink::stop() {
  if (!state_->thread.joinable()) return;
  // Everything ends on the sink's thread: the accept loop and every connection see `stopping`
  // or a closed socket, their coroutines return, and run() runs out of work.
  asio::post(state_->io, [&state = *state_] {
    state.stopping = true;
    boost::system::error_code ignored;
    state.acceptor.close(ignored);
    state.close_all();
  });
  state_->thread.join();
}

}  // namespace sluice::test
