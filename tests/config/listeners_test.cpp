// [server.tls], server.listen_plain and [ops]: the listeners beside the tracking port.

#include <catch2/catch.hpp>

#include "config/config.hpp"
#include "load_results.hpp"

namespace sluice::config {
namespace {

using Catch::Contains;

constexpr std::string_view kOneSource = R"(
[[sources]]
name = "web"
write_keys = ["k1"]
)";

LoadResult load(std::string_view text, const Environment& env = {}) {
  return load_string(std::string(text) + std::string(kOneSource), "test.toml", env);
}

constexpr std::string_view kTls = R"([server]
listen = "0.0.0.0:8443"
[server.tls]
cert_file = "/etc/sluice/fullchain.pem"
key_file = "/etc/sluice/privkey.pem"
)";

TEST_CASE("Without [server.tls] the tracking port is plaintext and [ops] is off", "[config]") {
  const Config config = test::require_loaded(load(""));
  CHECK_FALSE(config.server.tls.enabled);
  CHECK_FALSE(config.server.listen_plain);
  CHECK_FALSE(config.ops.enabled);
}

TEST_CASE("[server.tls] turns TLS on", "[config]") {
  SECTION("both files, TLS 1.2 by default") {
    const Config config = test::require_loaded(load(kTls));
    CHECK(config.server.tls.enabled);
    CHECK(config.server.tls.cert_file == "/etc/sluice/fullchain.pem");
    CHECK(config.server.tls.key_file == "/etc/sluice/privkey.pem");
    CHECK(config.server.tls.min_version == TlsVersion::kTls12);
  }
  SECTION("min_version 1.3") {
    const Config config = test::require_loaded(load(std::string(kTls) + "min_version = \"1.3\"\n"));
    CHECK(config.server.tls.min_version == TlsVersion::kTls13);
  }
  SECTION("from the environment alone") {
    const Config config = test::require_loaded(load(
        "", {{"SLUICE_SERVER_TLS_CERT_FILE", "/c.pem"}, {"SLUICE_SERVER_TLS_KEY_FILE", "/k.pem"}}));
    CHECK(config.server.tls.enabled);
    CHECK(config.server.tls.cert_file == "/c.pem");
    CHECK(config.server.tls.key_file == "/k.pem");
  }
  SECTION("an environment variable overrides the file") {
    const Config config =
        test::require_loaded(load(kTls, {{"SLUICE_SERVER_TLS_MIN_VERSION", "1.3"}}));
    CHECK(config.server.tls.min_version == TlsVersion::kTls13);
  }
}

TEST_CASE("[server.tls] mistakes are reported with their place", "[config]") {
  SECTION("a missing key file") {
    const ConfigError error =
        test::require_one_error(load("[server.tls]\ncert_file = \"/c.pem\"\n"));
    CHECK_THAT(error.message, Contains("server.tls.key_file is required"));
  }
  SECTION("a missing certificate file") {
    const ConfigError error =
        test::require_one_error(load("[server.tls]\nkey_file = \"/k.pem\"\n"));
    CHECK_THAT(error.message, Contains("server.tls.cert_file is required"));
  }
  SECTION("an unknown version") {
    const ConfigError error =
        test::require_one_error(load(std::string(kTls) + "min_version = \"1.1\"\n"));
    CHECK(error.line == 6);
    CHECK_THAT(error.message, Contains("server.tls.min_version: expected \"1.2\" or \"1.3\""));
  }
  SECTION("an unknown key, with a suggestion") {
    const ConfigError error =
        test::require_one_error(load(std::string(kTls) + "cert_fille = \"x\"\n"));
    CHECK(error.line == 6);
    CHECK_THAT(error.message, Contains("did you mean \"cert_file\""));
  }
  SECTION("tls that is not a table") {
    const ConfigError error = test::require_one_error(load("[server]\ntls = true\n"));
    CHECK(error.line == 2);
    CHECK_THAT(error.message, Contains("a table [server.tls]"));
  }
  SECTION("an unknown variable of [server.tls]") {
    const ConfigError error =
        test::require_one_error(load(kTls, {{"SLUICE_SERVER_TLS_CERT", "/c.pem"}}));
    CHECK(error.origin == "environment variable SLUICE_SERVER_TLS_CERT");
    CHECK_THAT(error.message, Contains("no setting of [server.tls]"));
  }
}

TEST_CASE("server.listen_plain adds a plaintext listener next to TLS", "[config]") {
  SECTION("accepted with TLS") {
    const Config config = test::require_loaded(load(std::string(kTls).insert(
        std::string(kTls).find("[server.tls]"), "listen_plain = \"127.0.0.1:8080\"\n")));
    CHECK(config.server.listen_plain);
    CHECK(config.server.listen_plain_host == "127.0.0.1");
    CHECK(config.server.listen_plain_port == 8080);
  }
  SECTION("refused without TLS") {
    const ConfigError error =
        test::require_one_error(load("[server]\nlisten_plain = \"127.0.0.1:8081\"\n"));
    CHECK(error.line == 2);
    CHECK_THAT(error.message, Contains("set [server.tls]"));
  }
  SECTION("refused on the TLS listener's address") {
    const ConfigError error = test::require_one_error(load(std::string(kTls).insert(
        std::string(kTls).find("[server.tls]"), "listen_plain = \"0.0.0.0:8443\"\n")));
    CHECK_THAT(error.message, Contains("server.listen_plain must differ from server.listen"));
  }
}

TEST_CASE("[ops] moves the operator endpoints to a listener of their own", "[config]") {
  SECTION("from the file") {
    const Config config = test::require_loaded(load("[ops]\nlisten = \"127.0.0.1:9091\"\n"));
    CHECK(config.ops.enabled);
    CHECK(config.ops.listen_host == "127.0.0.1");
    CHECK(config.ops.listen_port == 9091);
  }
  SECTION("from the environment") {
    const Config config = test::require_loaded(load("", {{"SLUICE_OPS_LISTEN", "0.0.0.0:9100"}}));
    CHECK(config.ops.enabled);
    CHECK(config.ops.listen_port == 9100);
  }
  SECTION("malformed") {
    const ConfigError error = test::require_one_error(load("[ops]\nlisten = \"9091\"\n"));
    CHECK_THAT(error.message, Contains("ops.listen: expected \"host:port\""));
  }
  SECTION("on the tracking port") {
    const ConfigError error = test::require_one_error(
        load("[server]\nlisten = \"127.0.0.1:8080\"\n[ops]\nlisten = \"127.0.0.1:8080\"\n"));
    CHECK(error.line == 4);
    CHECK_THAT(error.message, Contains("ops.listen must differ from the tracking API"));
  }
  SECTION("on the admin port") {
    const ConfigError error = test::require_one_error(
        load("[admin]\nlisten = \"127.0.0.1:9090\"\ntoken = \"0123456789abcdef0123\"\n"
             "[ops]\nlisten = \"127.0.0.1:9090\"\n"));
    CHECK_THAT(error.message, Contains("ops.listen must differ from admin.listen"));
  }
  SECTION("port 0 twice is fine: the kernel picks two ports") {
    test::require_loaded(
        load("[server]\nlisten = \"127.0.0.1:0\"\n[ops]\nlisten = \"127.0.0.1:0\"\n"));
  }
}

}  // namespace
}  // namespace sluice::config
