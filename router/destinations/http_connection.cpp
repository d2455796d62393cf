#include "router/destinations/http_connection.hpp"

#include <algorithm>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <utility>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/http/buffer_body.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>

namespace sluice::router {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using boost::system::error_code;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;
using Failure = HttpOutcome::Failure;

constexpr std::size_t kHeaderLimit = 16 << 10;
// Bytes of an answer's body read per step; what is not kept is overwritten by the next step.
constexpr std::size_t kChunkBytes = 8 << 10;
// Informational answers (100 Continue) may precede the real one; a server sending more than
// this many is not one we can talk to.
constexpr int kMaxInterimAnswers = 8;
constexpr std::chrono::milliseconds kCloseTimeout{1000};

HttpOutcome failed(Failure failure, std::string error) {
  HttpOutcome outcome;
  outcome.failure = failure;
  outcome.error = std::move(error);
  return outcome;
}

// tcp_stream reports a passed deadline as beast::error::timeout, whatever step it stopped.
Failure unless_timeout(const error_code& ec, Failure failure) {
  return ec == beast::error::timeout ? Failure::kTimeout : failure;
}

// Malformed HTTP, as opposed to a connection that ended or failed on the way.
bool is_malformed(const error_code& ec) {
  static const boost::system::error_category& http_errors =
      http::make_error_code(http::error::end_of_stream).category();
  return ec.category() == http_errors && ec != http::error::end_of_stream &&
         ec != http::error::partial_message;
}

HttpOutcome read_failure(const error_code& ec, std::string_view what) {
  const Failure failure = is_malformed(ec) ? Failure::kBadResponse : Failure::kIo;
  return failed(unless_timeout(ec, failure), std::string(what) + ": " + ec.message());
}

bool is_ip_address(const std::string& host) {
  error_code ec;
  asio::ip::make_address(host, ec);
  return !ec;
}

}  // namespace

struct HttpConnection::Attempt {
  HttpOutcome outcome;
  bool answer_started = false;  // a byte of an answer arrived
  bool keep_alive = false;      // the connection can carry the next request

  // Failed in a way that a connection the server had already closed explains.
  bool stale_connection() const {
    return outcome.failure != Failure::kNone && outcome.failure != Failure::kTimeout &&
           !answer_started;
  }
};

Result<std::unique_ptr<HttpConnection>> HttpConnection::create(
    WebhookUrl url, const std::map<std::string, std::string>& headers, const std::string& ca_file) {
  std::unique_ptr<HttpConnection> connection(new HttpConnection(std::move(url), headers));
  if (!connection->url_.tls) return connection;

  ssl::context& context = connection->tls_context_.emplace(ssl::context::tls_client);
  SSL_CTX_set_min_proto_version(context.native_handle(), TLS1_2_VERSION);
  error_code ec;
  context.set_default_verify_paths(ec);
  if (ec) return Status::io_error("cannot load the system's CA certificates: " + ec.message());
  if (!ca_file.empty()) {
    context.load_verify_file(ca_file, ec);
    if (ec) return Status::invalid_argument("cannot load ca_file " + ca_file + ": " + ec.message());
  }
  context.set_verify_mode(ssl::verify_peer);
  return connection;
}

HttpConnection::HttpConnection(WebhookUrl url, const std::map<std::string, std::string>& headers)
    : url_(std::move(url)) {
  request_.method(http::verb::post);
  request_.target(url_.target);
  request_.version(11);
  for (const auto& [name, value] : headers) request_.set(name, value);
}

HttpConnection::~HttpConnection() = default;

template <typename Start>
error_code HttpConnection::run(Start&& start) {
  error_code result;
  std::forward<Start>(start)([&result](error_code ec, auto&&...) { result = ec; });
  io_.restart();
  io_.run();
  return result;
}

HttpOutcome HttpConnection::post(std::string_view body, Clock::time_point deadline) {
  request_.body() = {body.data(), body.size()};
  request_.prepare_payload();
  const bool reused = is_open();
  if (!reused) {
    if (auto failure = open(deadline)) return std::move(*failure);
  }
  Attempt attempt = exchange(deadline);
  if (reused && attempt.stale_connection()) {
    drop();
    if (auto failure = open(deadline)) return std::move(*failure);
    attempt = exchange(deadline);
  }
  if (attempt.outcome.failure != Failure::kNone || !attempt.keep_alive) drop();
  request_.body() = {};  // body is the caller's and may go away after this call
  return std::move(attempt.outcome);
}

void HttpConnection::close() {
  error_code ignored;
  if (tls_) {
    // Tells the server the stream ended cleanly; whether it answers or just closes, it is over.
    beast::get_lowest_layer(*tls_).expires_after(kCloseTimeout);
    run([&](auto handler) { tls_->async_shutdown(std::move(handler)); });
  } else if (plain_) {
    plain_->socket().shutdown(tcp::socket::shutdown_both, ignored);
  }
  drop();
}

std::optional<HttpOutcome> HttpConnection::open(Clock::time_point deadline) {
  const bool ipv6 = url_.host.find(':') != std::string::npos;
  const std::string where = (ipv6 ? "[" + url_.host + "]" : url_.host) + ":" + url_.port;
  // getaddrinfo blocks this thread until it answers: asio's async resolve would run it on a
  // helper thread and could not cancel it either. The delivery loop's thread may block.
  error_code ec;
  tcp::resolver resolver(io_);
  const tcp::resolver::results_type endpoints = resolver.resolve(url_.host, url_.port, ec);
  if (ec) return failed(Failure::kConnect, "cannot resolve " + url_.host + ": " + ec.message());
  if (Clock::now() >= deadline) {
    return failed(Failure::kTimeout, "resolving " + url_.host + " took longer than the timeout");
  }

  beast::tcp_stream stream(io_);
  stream.expires_at(deadline);
  ec = run([&](auto handler) { stream.async_connect(endpoints, std::move(handler)); });
  if (ec) {
    return failed(unless_timeout(ec, Failure::kConnect),
                  "cannot connect to " + where + ": " + ec.message());
  }
  buffer_.clear();
  if (!url_.tls) {
    plain_.emplace(std::move(stream));
    return std::nullopt;
  }

  TlsStream& tls = tls_.emplace(std::move(stream), *tls_context_);
  // SNI carries names only (RFC 6066); host_name_verification checks an address against the
  // certificate's IP entries.
  if (!is_ip_address(url_.host) &&
      !SSL_set_tlsext_host_name(tls.native_handle(), url_.host.c_str())) {
    drop();
    return failed(Failure::kTls, "cannot set the TLS server name " + url_.host);
  }
  tls.set_verify_callback(ssl::host_name_verification(url_.host));
  ec =
      run([&](auto handler) { tls.async_handshake(ssl::stream_base::client, std::move(handler)); });
  if (ec) {
    std::string error = "TLS handshake with " + where + " failed: " + ec.message();
    if (const long verified = SSL_get_verify_result(tls.native_handle()); verified != X509_V_OK) {
      error += std::string(" (") + X509_verify_cert_error_string(verified) + ")";
    }
    drop();
    return failed(unless_timeout(ec, Failure::kTls), std::move(error));
  }
  return std::nullopt;
}

HttpConnection::Attempt HttpConnection::exchange(Clock::time_point deadline) {
  return plain_ ? exchange_on(*plain_, deadline) : exchange_on(*tls_, deadline);
}

template <typename Stream>
HttpConnection::Attempt HttpConnection::exchange_on(Stream& stream, Clock::time_point deadline) {
  Attempt attempt;
  beast::get_lowest_layer(stream).expires_at(deadline);
  error_code ec =
      run([&](auto handler) { http::async_write(stream, request_, std::move(handler)); });
  if (ec) {
    attempt.outcome =
        failed(unless_timeout(ec, Failure::kIo), "cannot send the request: " + ec.message());
    return attempt;
  }

  std::optional<http::response_parser<http::buffer_body>> parser;
  for (int interim = 0;; ++interim) {
    parser.emplace();
    parser->header_limit(kHeaderLimit);
    parser->body_limit(boost::none);  // the body is discarded as it arrives, up to a limit below
    ec = run([&](auto handler) {
      http::async_read_header(stream, buffer_, *parser, std::move(handler));
    });
    attempt.answer_started = attempt.answer_started || parser->got_some() || buffer_.size() > 0;
    if (ec) {
      attempt.outcome = read_failure(ec, "reading the answer");
      return attempt;
    }
    const unsigned status = parser->get().result_int();
    if (status < 100 || status > 599) {
      attempt.outcome =
          failed(Failure::kBadResponse,
                 "the answer's status " + std::to_string(status) + " is not an HTTP status");
      return attempt;
    }
    // 1xx answers come before the real one, except 101, which would switch protocols.
    if (status >= 200 || status == 101) break;
    if (interim == kMaxInterimAnswers) {
      attempt.outcome = failed(Failure::kBadResponse, "too many informational answers");
      return attempt;
    }
  }

  auto& response = parser->get();
  HttpOutcome& outcome = attempt.outcome;
  outcome.status = response.result_int();
  outcome.retry_after = std::string(response[http::field::retry_after]);
  char chunk[kChunkBytes];
  std::size_t body_bytes = 0;
  while (!parser->is_done() && body_bytes <= kMaxDiscardedBody) {
    response.body().data = chunk;
    response.body().size = sizeof chunk;
    ec = run([&](auto handler) { http::async_read(stream, buffer_, *parser, std::move(handler)); });
    if (ec == http::error::need_buffer) ec = {};  // chunk is full: the normal step
    if (ec) {
      // Without the whole answer, the status alone is not trusted to acknowledge the batch.
      attempt.outcome = read_failure(ec, "reading the answer's body");
      return attempt;
    }
    const std::size_t got = sizeof chunk - response.body().size;
    body_bytes += got;
    const std::size_t keep = std::min(got, kBodyPrefixBytes - outcome.body_prefix.size());
    outcome.body_prefix.append(chunk, keep);
  }
  // A body past the limit is left unread, so the connection cannot carry another request.
  attempt.keep_alive = parser->is_done() && outcome.status >= 200 && parser->keep_alive();
  return attempt;
}

void HttpConnection::drop() {
  plain_.reset();
  tls_.reset();
  buffer_.clear();
}

}  // namespace sluice::router
