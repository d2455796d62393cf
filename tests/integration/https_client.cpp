#include "https_client.hpp"

#include <openssl/pem.h>
#include <openssl/ssl.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/host_name_verification.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/http/write.hpp>
#include <boost/system/system_error.hpp>

namespace sluice::integration {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace ssl = asio::ssl;
using boost::system::error_code;

constexpr unsigned char kAlpn[] = {8, 'h', 't', 't', 'p', '/', '1', '.', '1'};

void throw_if(const error_code& ec, const std::string& what) {
  if (ec) throw boost::system::system_error(ec, what);
}

}  // namespace

HttpsClient::HttpsClient(std::uint16_t port, HttpsClientOptions options)
    : port_(port), options_(std::move(options)), context_(ssl::context::tls_client) {
  context_.set_verify_mode(ssl::verify_peer);
  context_.add_certificate_authority(asio::buffer(options_.ca_pem));
  if (options_.max_version) {
    SSL_CTX_set_max_proto_version(context_.native_handle(), *options_.max_version);
  }
  SSL_CTX_set_alpn_protos(context_.native_handle(), kAlpn, sizeof kAlpn);
}

HttpsClient::~HttpsClient() {
  close();
}

void HttpsClient::run_until(const bool& done) {
  io_.restart();
  // The stream's own deadline (expires_after) ends a stuck operation; this is the backstop.
  io_.run_for(options_.timeout + std::chrono::seconds(1));
  if (!done) {
    close();
    throw boost::system::system_error(asio::error::timed_out, "HTTPS client: no answer in time");
  }
}

void HttpsClient::connect() {
  close();
  stream_ = std::make_unique<beast::ssl_stream<beast::tcp_stream>>(io_, context_);
  SSL_set_tlsext_host_name(stream_->native_handle(), options_.server_name.c_str());
  stream_->set_verify_callback(ssl::host_name_verification(options_.server_name));
  auto& tcp = beast::get_lowest_layer(*stream_);
  tcp.expires_after(options_.timeout);

  error_code ec;
  bool done = false;
  const asio::ip::tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), port_);
  tcp.async_connect(endpoint, [&](const error_code& e) {
    ec = e;
    done = true;
  });
  run_until(done);
  throw_if(ec, "connecting to 127.0.0.1:" + std::to_string(port_));
  done = false;
  stream_->async_handshake(ssl::stream_base::client, [&](const error_code& e) {
    ec = e;
    done = true;
  });
  run_until(done);
  if (ec) {
    close();
    throw_if(ec, "TLS handshake with 127.0.0.1:" + std::to_string(port_));
  }
  ++connections_opened_;
}

HttpResponse HttpsClient::request(std::string_view method, std::string_view target,
                                  const Headers& headers, std::string_view body) {
  http::request<http::string_body> request;
  request.method_string(method);
  request.target(target);
  request.version(11);
  request.set(http::field::host, options_.server_name + ":" + std::to_string(port_));
  for (const auto& [name, value] : headers) request.insert(name, value);
  request.body() = std::string(body);
  request.prepare_payload();
  if (!is_open()) connect();

  auto& tcp = beast::get_lowest_layer(*stream_);
  tcp.expires_after(options_.timeout);
  error_code ec;
  bool done = false;
  http::async_write(*stream_, request, [&](const error_code& e, std::size_t) {
    ec = e;
    done = true;
  });
  run_until(done);
  if (ec) {
    close();
    throw_if(ec, "writing over TLS");
  }

  http::response_parser<http::string_body> parser;
  parser.body_limit(64 << 20);
  parser.skip(method == "HEAD");
  done = false;
  http::async_read(*stream_, buffer_, parser, [&](const error_code& e, std::size_t) {
    ec = e;
    done = true;
  });
  run_until(done);
  if (ec) {
    close();
    throw_if(ec, "reading over TLS");
  }
  HttpResponse response;
  response.status = parser.get().result_int();
  response.headers = parser.get().base();
  response.body = parser.get().body();
  response.keep_alive = parser.get().keep_alive();
  if (!response.keep_alive) close();
  return response;
}

void HttpsClient::close() {
  if (!stream_) return;
  error_code ignored;
  beast::get_lowest_layer(*stream_).socket().close(ignored);
  stream_.reset();
  buffer_.clear();
}

std::string HttpsClient::peer_certificate_pem() const {
  if (!stream_) return {};
  X509* certificate = SSL_get0_peer_certificate(stream_->native_handle());
  if (certificate == nullptr) return {};
  BIO* bio = BIO_new(BIO_s_mem());
  PEM_write_bio_X509(bio, certificate);
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio, &data);
  std::string pem(data, static_cast<std::size_t>(size));
  BIO_free(bio);
  return pem;
}

std::string HttpsClient::negotiated_protocol() const {
  if (!stream_) return {};
  const unsigned char* protocol = nullptr;
  unsigned length = 0;
  SSL_get0_alpn_selected(stream_->native_handle(), &protocol, &length);
  return std::string(reinterpret_cast<const char*>(protocol), length);
}

}  // namespace sluice::integration
