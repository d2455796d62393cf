// HTTPS on the tracking port ([server.tls]): real TLS clients that verify the certificate,
// certificates replaced under open connections, and the failures a public TLS port sees.

#include <csignal>
#include <openssl/ssl.h>
#include <thread>

#include <boost/system/system_error.hpp>
#include <catch2/catch.hpp>

#include "test_support.hpp"
#include "tls_support.hpp"

namespace sluice::integration {
namespace {

using namespace std::chrono_literals;
using Catch::Contains;

const std::vector<std::string> kNames = {"localhost", "127.0.0.1"};

double ops_metric(const ServerProcess& server, std::string_view name,
                  const std::map<std::string, std::string>& labels = {}) {
  HttpClient ops(server.ops_port());
  const HttpResponse response = ops.request("GET", "/metrics");
  REQUIRE(response.status == 200);
  const auto value = metric_value(parse_metrics(response.body), name, labels);
  REQUIRE(value.has_value());
  return *value;
}

double handshake_failures(const ServerProcess& server, const std::string& reason) {
  return ops_metric(server, "sluice_tls_handshake_failures_total", {{"reason", reason}});
}

// The certificate a new connection is given.
std::string presented_certificate(std::uint16_t port, const HttpsClientOptions& options) {
  HttpsClient client(port, options);
  client.connect();
  return client.peer_certificate_pem();
}

bool handshake_fails(std::uint16_t port, const HttpsClientOptions& options) {
  HttpsClient client(port, options);
  try {
    client.connect();
  } catch (const boost::system::system_error&) {
    return true;
  }
  return false;
}

TEST_CASE("Events sent over HTTPS are stored, on kept-alive connections", "[integration][tls]") {
  TempDir dir;
  const test::TestCertificates certificates = test::make_test_certificates(kNames);
  install_certificates(dir.path(), certificates);
  ServerProcess server(dir.path(), tls_server_options(dir.path()));
  INFO(server.output());
  CHECK_THAT(server.output(),
             Contains("listening on 127.0.0.1:" + std::to_string(server.port()) + " (TLS, "));

  HttpsClient client(server.port(), trusting(certificates.ca_pem));
  HttpResponse single =
      client.request("POST", "/v1/track", auth_headers(), track_json("tls-single"));
  CHECK(single.status == 200);
  CHECK(single.body == R"({"success":true})");
  CHECK(client.negotiated_protocol() == "http/1.1");
  const HttpResponse batch =
      client.request("POST", "/v1/batch", auth_headers({{"Content-Encoding", "gzip"}}),
                     gzip(batch_json({track_json("tls-batch-1"), track_json("tls-batch-2")})));
  CHECK(batch.status == 200);
  CHECK(client.connections_opened() == 1);

  // By IP address too: the certificate names 127.0.0.1.
  HttpsClient by_address(server.port(), trusting(certificates.ca_pem, "127.0.0.1"));
  CHECK(by_address.request("POST", "/v1/track", auth_headers(), track_json("tls-by-ip")).status ==
        200);

  const StoredLog log = read_stored_log(server.config_path());
  for (const char* id : {"tls-single", "tls-batch-1", "tls-batch-2", "tls-by-ip"}) {
    CHECK(log.count(id) == 1);
  }
}

TEST_CASE("A TLS client checks the certificate's name and issuer", "[integration][tls]") {
  TempDir dir;
  const test::TestCertificates certificates = test::make_test_certificates(kNames);
  install_certificates(dir.path(), certificates);
  ServerProcess server(dir.path(), tls_server_options(dir.path()));

  SECTION("a name the certificate does not carry") {
    CHECK(handshake_fails(server.port(), trusting(certificates.ca_pem, "collector.example.com")));
  }
  SECTION("a CA the client does not trust") {
    const test::TestCertificates other = test::make_test_certificates(kNames);
    CHECK(handshake_fails(server.port(), trusting(other.ca_pem)));
    // The client's alert about the certificate is counted, not logged per connection.
    CHECK(eventually([&] { return handshake_failures(server, "certificate_rejected") >= 1; }));
  }
}

TEST_CASE("Plaintext HTTP to the TLS port is told to use HTTPS", "[integration][tls]") {
  TempDir dir;
  install_certificates(dir.path(), test::make_test_certificates(kNames));
  ServerProcess server(dir.path(), tls_server_options(dir.path()));

  HttpClient plain(server.port());
  const HttpResponse response =
      plain.request("POST", "/v1/track", auth_headers(), track_json("plaintext"));
  check_error(response, 400, "tls_required");
  CHECK_FALSE(response.keep_alive);
  CHECK(eventually([&] { return handshake_failures(server, "plaintext_http") == 1; }));
  CHECK(read_stored_log(server.config_path()).count("plaintext") == 0);
}

TEST_CASE("A handshake that never comes is closed at the header deadline", "[integration][tls]") {
  TempDir dir;
  install_certificates(dir.path(), test::make_test_certificates(kNames));
  ServerOptions options = tls_server_options(dir.path());
  options.server_settings.push_back("header_timeout = \"500ms\"");
  ServerProcess server(dir.path(), options);

  HttpClient silent(server.port(), 5s);
  silent.connect();
  // The server closes the connection: reading gives end of stream, well before the client's
  // own 5 s deadline.
  const auto started = std::chrono::steady_clock::now();
  CHECK_THROWS_AS(silent.read_response(), boost::system::system_error);
  CHECK(std::chrono::steady_clock::now() - started < 3s);
  CHECK(eventually([&] { return handshake_failures(server, "timeout") == 1; }));
}

TEST_CASE("min_version = 1.3 refuses a TLS 1.2 client", "[integration][tls]") {
  TempDir dir;
  const test::TestCertificates certificates = test::make_test_certificates(kNames);
  install_certificates(dir.path(), certificates);
  ServerProcess server(dir.path(), tls_server_options(dir.path(), ""));
  // (the default, 1.2, takes a TLS 1.2 client)
  HttpsClientOptions tls12 = trusting(certificates.ca_pem);
  tls12.max_version = TLS1_2_VERSION;
  CHECK_FALSE(handshake_fails(server.port(), tls12));
  server.terminate();

  ServerOptions strict = tls_server_options(dir.path());
  strict.extra_config.insert(strict.extra_config.find("\n[ops]"), "min_version = \"1.3\"\n");
  ServerProcess strict_server(dir.path(), strict);
  CHECK(handshake_fails(strict_server.port(), tls12));
  CHECK(eventually([&] { return handshake_failures(strict_server, "protocol_version") == 1; }));
  CHECK_FALSE(handshake_fails(strict_server.port(), trusting(certificates.ca_pem)));
}

TEST_CASE("A renewed certificate is put in force without dropping open connections",
          "[integration][tls]") {
  TempDir dir;
  const test::TestCertificates first = test::make_test_certificates(kNames);
  const test::TestCertificates second = test::make_test_certificates(kNames);
  install_certificates(dir.path(), first);
  ServerProcess server(dir.path(), tls_server_options(dir.path()));
  const HttpsClientOptions trusts_both = trusting(first.ca_pem + second.ca_pem);

  // Connections opened before the swap, each with a request done.
  std::vector<std::unique_ptr<HttpsClient>> open;
  int sent = 0;
  for (int i = 0; i < 4; ++i) {
    open.push_back(std::make_unique<HttpsClient>(server.port(), trusts_both));
    REQUIRE(open.back()
                ->request("POST", "/v1/track", auth_headers(),
                          track_json("swap-" + std::to_string(sent++)))
                .status == 200);
    REQUIRE(open.back()->peer_certificate_pem() == first.certificate_pem);
  }
  const double loads_before = ops_metric(server, "sluice_tls_certificate_loads_total");

  SECTION("replaced on disk: picked up by the file watch") {
    install_certificates(dir.path(), second);
  }
  SECTION("replaced on disk and announced by SIGHUP") {
    install_certificates(dir.path(), second);
    server.signal(SIGHUP);
  }
  CHECK(eventually(
      [&] { return presented_certificate(server.port(), trusts_both) == second.certificate_pem; }));
  CHECK(ops_metric(server, "sluice_tls_certificate_loads_total") > loads_before);

  // The open connections keep working, on the certificate they started with.
  for (auto& client : open) {
    CHECK(client
              ->request("POST", "/v1/track", auth_headers(),
                        track_json("swap-" + std::to_string(sent++)))
              .status == 200);
    CHECK(client->connections_opened() == 1);
    CHECK(client->peer_certificate_pem() == first.certificate_pem);
  }
  const StoredLog log = read_stored_log(server.config_path());
  for (int i = 0; i < sent; ++i) CHECK(log.count("swap-" + std::to_string(i)) == 1);
}

TEST_CASE("A broken or expired replacement keeps the certificate in force", "[integration][tls]") {
  TempDir dir;
  const test::TestCertificates good = test::make_test_certificates(kNames);
  install_certificates(dir.path(), good);
  ServerProcess server(dir.path(), tls_server_options(dir.path()));
  const HttpsClientOptions client_options = trusting(good.ca_pem);

  SECTION("a file that is not PEM") {
    test::TestCertificates broken = good;
    broken.certificate_pem = "not a certificate\n";
    install_certificates(dir.path(), broken);
  }
  SECTION("a key that belongs to another certificate") {
    test::TestCertificates mismatched = good;
    mismatched.key_pem = test::make_test_certificates(kNames).key_pem;
    install_certificates(dir.path(), mismatched);
  }
  SECTION("a certificate that has expired") {
    install_certificates(dir.path(),
                         test::make_test_certificates(kNames, {-2 * 24 * 3600, -24 * 3600}));
  }
  server.signal(SIGHUP);
  CHECK(eventually([&] { return ops_metric(server, "sluice_tls_reload_failures_total") >= 1; }));
  CHECK(presented_certificate(server.port(), client_options) == good.certificate_pem);
  HttpsClient client(server.port(), client_options);
  CHECK(client.request("POST", "/v1/track", auth_headers(), track_json("after-refusal")).status ==
        200);
  CHECK_THAT(server.output(), Contains("certificate reload refused"));
}

TEST_CASE("An expired certificate is served, and clients refuse it", "[integration][tls]") {
  TempDir dir;
  const test::TestCertificates expired =
      test::make_test_certificates(kNames, {-2 * 24 * 3600, -3600});
  install_certificates(dir.path(), expired);
  ServerProcess server(dir.path(), tls_server_options(dir.path()));

  CHECK_THAT(server.output(), Contains("expired at"));
  CHECK(handshake_fails(server.port(), trusting(expired.ca_pem)));
  const double expiry = ops_metric(server, "sluice_tls_certificate_expiry_timestamp_seconds");
  CHECK(expiry < static_cast<double>(now_millis()) / 1000.0);
}

TEST_CASE("listen_plain serves the tracking API in plaintext beside TLS", "[integration][tls]") {
  TempDir dir;
  const test::TestCertificates certificates = test::make_test_certificates(kNames);
  install_certificates(dir.path(), certificates);
  ServerOptions options = tls_server_options(dir.path());
  options.server_settings.push_back("listen_plain = \"127.0.0.1:0\"");
  ServerProcess server(dir.path(), options);
  REQUIRE(server.plain_port() != 0);

  HttpClient plain(server.plain_port());
  CHECK(plain.request("POST", "/v1/track", auth_headers(), track_json("plain-side")).status == 200);
  HttpsClient tls(server.port(), trusting(certificates.ca_pem));
  CHECK(tls.request("POST", "/v1/track", auth_headers(), track_json("tls-side")).status == 200);
  const StoredLog log = read_stored_log(server.config_path());
  CHECK(log.count("plain-side") == 1);
  CHECK(log.count("tls-side") == 1);
}

TEST_CASE("A server whose certificate cannot be read does not start", "[integration][tls]") {
  TempDir dir;
  ServerOptions options = tls_server_options(dir.path());
  options.wait_until_ready = false;
  ServerProcess server(dir.path(), options);  // no cert.pem, no key.pem
  const ExitStatus status = server.wait(20s);
  CHECK(status.exited);
  CHECK(status.code == 1);
  CHECK_THAT(server.output(),
             Contains("[server.tls]: cannot read " + (dir.path() / "cert.pem").string() +
                      ": No such file or directory"));
}

}  // namespace
}  // namespace sluice::integration
