#pragma once

// An admin server on 127.0.0.1 and an ephemeral port over a FakeRouterControl, with a client
// that sends the right token unless told otherwise. The server is stopped before the fake it
// uses is destroyed (member order).

#include <memory>
#include <string>
#include <string_view>

#include <catch2/catch.hpp>

#include "admin/admin_server.hpp"
#include "fake_router_control.hpp"
#include "http_client.hpp"

namespace sluice::admin::test {

using integration::Headers;
using integration::HttpClient;
using integration::HttpResponse;

inline constexpr std::string_view kToken = "test-token-0123456789";

inline std::string bearer(std::string_view token = kToken) {
  return "Bearer " + std::string(token);
}

inline config::AdminConfig admin_config() {
  config::AdminConfig config;
  config.enabled = true;
  config.listen_host = "127.0.0.1";
  config.listen_port = 0;
  config.token = kToken;
  return config;
}

class AdminFixture {
 public:
  explicit AdminFixture(const AdminLimits& limits = {}, ReloadHook reload = {}) {
    std::string error;
    server_ = AdminServer::start(admin_config(), control_, &error, limits,
                                 AdminServices{.reload = std::move(reload)});
    INFO(error);
    REQUIRE(server_ != nullptr);
    client_ = std::make_unique<HttpClient>(server_->port());
  }
  ~AdminFixture() {
    client_.reset();
    if (server_) server_->stop();
  }

  HttpResponse get(std::string_view target) {
    return client_->request("GET", target, {{"Authorization", bearer()}});
  }
  HttpResponse post(std::string_view target, std::string_view body = {}) {
    return client_->request(
        "POST", target, {{"Authorization", bearer()}, {"Content-Type", "application/json"}}, body);
  }

  std::uint16_t port() const { return server_->port(); }

 protected:
  FakeRouterControl control_;
  std::unique_ptr<AdminServer> server_;
  std::unique_ptr<HttpClient> client_;
};

// The error code of an admin error body, {"error":{"code":"..."}}, by text search: enough for
// tests that check the status and code; the body's exact shape is tested on its own.
inline bool has_error_code(const HttpResponse& response, std::string_view code) {
  return response.body.starts_with(R"({"error":{"code":")" + std::string(code) + "\"");
}

}  // namespace sluice::admin::test
