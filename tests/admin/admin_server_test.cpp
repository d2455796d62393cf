// The admin server over real sockets: the token check, 404/405, limits, timeouts and stop().

#include "admin/admin_server.hpp"

#include <chrono>
#include <thread>

#include <boost/system/system_error.hpp>
#include <catch2/catch.hpp>

#include "admin_fixture.hpp"

namespace sluice::admin::test {
namespace {

using Catch::Contains;
using Catch::StartsWith;
using namespace std::chrono_literals;

class ServerFixture : public AdminFixture {
 public:
  explicit ServerFixture(const AdminLimits& limits = {}) : AdminFixture(limits) {
    DestinationStatus status;
    status.name = "web";
    status.type = "webhook";
    status.state = LoopState::kRunning;
    control_.add_destination(status);
  }
};

AdminLimits small_limits() {
  AdminLimits limits;
  limits.max_connections = 1;
  limits.header_timeout = 300ms;
  limits.idle_timeout = 300ms;
  return limits;
}

}  // namespace

TEST_CASE_METHOD(ServerFixture, "Every admin request needs the bearer token", "[admin]") {
  SECTION("missing") {
    const HttpResponse response = client_->request("GET", "/v1/destinations");
    CHECK(response.status == 401);
    CHECK_THAT(response.header("WWW-Authenticate"), StartsWith("Bearer"));
    CHECK(response.header("Content-Type") == "application/json");
    CHECK(has_error_code(response, "unauthorized"));
    CHECK(response.keep_alive);
  }
  SECTION("wrong, or under another scheme") {
    for (const std::string& header :
         {bearer("test-token-012345678"), bearer("test-token-01234567890"),
          bearer("TEST-TOKEN-0123456789"), "Basic " + std::string(kToken), std::string(kToken)}) {
      INFO(header);
      const HttpResponse response =
          client_->request("GET", "/v1/destinations", {{"Authorization", header}});
      CHECK(response.status == 401);
      CHECK(has_error_code(response, "unauthorized"));
    }
  }
  SECTION("right") {
    const HttpResponse response = get("/v1/destinations");
    CHECK(response.status == 200);
    CHECK_FALSE(response.has_header("WWW-Authenticate"));
  }
  SECTION("checked before the path, so unknown paths are not revealed") {
    CHECK(client_->request("GET", "/nope").status == 401);
  }
  SECTION("a refused request with a body closes the connection unread") {
    const HttpResponse response =
        client_->request("POST", "/v1/destinations/web/replay",
                         {{"Authorization", bearer("wrong")}}, R"({"from_sequence":1})");
    CHECK(response.status == 401);
    CHECK_FALSE(response.keep_alive);
    CHECK(control_.calls().empty());
  }
}

TEST_CASE_METHOD(ServerFixture, "Unknown admin paths are 404, known ones with the wrong method 405",
                 "[admin]") {
  SECTION("unknown paths") {
    for (std::string_view target : {"/v1", "/v1/destination", "/v1/destinations/web/stop",
                                    "/metrics", "/v1/destinations/web/dead-letters/1/x"}) {
      INFO(target);
      const HttpResponse response = get(target);
      CHECK(response.status == 404);
      CHECK(has_error_code(response, "not_found"));
    }
  }
  SECTION("a GET endpoint") {
    // (HEAD is answered with headers only, which this client cannot tell from a hang.)
    for (std::string_view method : {"POST", "PUT", "DELETE", "OPTIONS"}) {
      INFO(method);
      const HttpResponse response =
          client_->request(method, "/v1/destinations/web", {{"Authorization", bearer()}});
      CHECK(response.status == 405);
      CHECK(response.header("Allow") == "GET");
      CHECK(has_error_code(response, "method_not_allowed"));
    }
  }
  SECTION("a POST endpoint") {
    const HttpResponse response = get("/v1/destinations/web/pause");
    CHECK(response.status == 405);
    CHECK(response.header("Allow") == "POST");
    CHECK(control_.calls().empty());
  }
  SECTION("a query string is ignored") {
    CHECK(get("/v1/destinations/web?verbose=1").status == 200);
  }
}

TEST_CASE_METHOD(ServerFixture, "The workspace UI's files are served without the token",
                 "[admin][ui]") {
  SECTION("the page, its script and its styles, under a strict policy") {
    for (const auto& [target, type] : {std::pair{"/ui/", "text/html"},
                                       {"/ui/app.js", "text/javascript"},
                                       {"/ui/app.css", "text/css"}}) {
      INFO(target);
      const HttpResponse response = client_->request("GET", target);
      CHECK(response.status == 200);
      CHECK_THAT(response.header("Content-Type"), StartsWith(type));
      CHECK_FALSE(response.body.empty());
      CHECK_THAT(response.header("Content-Security-Policy"),
                 StartsWith("default-src 'none'; script-src 'self';"));
      CHECK(response.header("X-Content-Type-Options") == "nosniff");
      CHECK(response.keep_alive);
    }
    // Nothing of the UI is inline: the page names its script and styles as files.
    const HttpResponse page = client_->request("GET", "/ui/");
    CHECK_THAT(page.body, Contains(R"(<script src="app.js")"));
    CHECK_THAT(page.body, !Contains("<script>"));
    CHECK_THAT(page.body, !Contains("style="));
  }
  SECTION("the admin root and /ui lead to the page") {
    for (std::string_view target : {"/", "/ui"}) {
      INFO(target);
      const HttpResponse response = client_->request("GET", target);
      CHECK(response.status == 302);
      CHECK(response.header("Location") == "/ui/");
    }
  }
  SECTION("an unknown file is 404, and other methods still need the token") {
    const HttpResponse missing = client_->request("GET", "/ui/secrets.txt");
    CHECK(missing.status == 404);
    CHECK(has_error_code(missing, "not_found"));
    CHECK(client_->request("POST", "/ui/").status == 401);
    CHECK(control_.calls().empty());
  }
}

TEST_CASE_METHOD(ServerFixture, "Several admin requests share one keep-alive connection",
                 "[admin]") {
  for (int i = 0; i < 5; ++i) CHECK(get("/v1/destinations").status == 200);
  CHECK(client_->connections_opened() == 1);
}

TEST_CASE_METHOD(ServerFixture, "An admin request body over the limit is refused with 413",
                 "[admin]") {
  SECTION("by Content-Length") {
    const std::string body(64 * 1024 + 1, ' ');
    const HttpResponse response = post("/v1/destinations/web/replay", body);
    CHECK(response.status == 413);
    CHECK(has_error_code(response, "payload_too_large"));
    CHECK_FALSE(response.keep_alive);
  }
  SECTION("chunked") {
    std::string request =
        "POST /v1/destinations/web/replay HTTP/1.1\r\nHost: x\r\nAuthorization: " + bearer() +
        "\r\nTransfer-Encoding: chunked\r\n\r\n";
    for (int i = 0; i < 20; ++i) request += "1000\r\n" + std::string(0x1000, ' ') + "\r\n";
    request += "0\r\n\r\n";
    client_->write_raw(request);
    const HttpResponse response = client_->read_response();
    CHECK(response.status == 413);
  }
  SECTION("a body at the limit is read") {
    std::string body = R"({"from_sequence":3})";
    body.resize(64 * 1024, ' ');
    const HttpResponse response = post("/v1/destinations/web/replay", body);
    CHECK(response.status == 200);
    CHECK(response.body == R"({"cursor":3})");
  }
  CHECK(control_.calls().size() <= 1);
}

TEST_CASE_METHOD(ServerFixture, "A malformed admin request gets 400 and the connection closes",
                 "[admin]") {
  client_->write_raw("NOT HTTP AT ALL\r\n\r\n");
  const HttpResponse response = client_->read_response();
  CHECK(response.status == 400);
  CHECK(has_error_code(response, "bad_request"));
  CHECK_FALSE(response.keep_alive);
}

class SmallServerFixture : public ServerFixture {
 public:
  SmallServerFixture() : ServerFixture(small_limits()) {}
};

TEST_CASE_METHOD(SmallServerFixture, "Slow and surplus admin connections are closed", "[admin]") {
  SECTION("no header within the header timeout") {
    client_->connect();
    const auto started = std::chrono::steady_clock::now();
    CHECK_THROWS_AS(client_->read_response(), boost::system::system_error);
    CHECK(std::chrono::steady_clock::now() - started < 5s);
  }
  SECTION("a connection over max_connections") {
    CHECK(get("/v1/destinations").status == 200);  // holds the only slot, kept alive
    HttpClient second(server_->port(), 5s);
    CHECK_THROWS_AS(second.request("GET", "/v1/destinations", {{"Authorization", bearer()}}),
                    boost::system::system_error);
    client_->close();
    // The slot is free once the server has seen the close; it may take a moment.
    unsigned status = 0;
    for (int attempt = 0; attempt < 50 && status != 200; ++attempt) {
      try {
        HttpClient third(server_->port(), 5s);
        status = third.request("GET", "/v1/destinations", {{"Authorization", bearer()}}).status;
      } catch (const boost::system::system_error&) {
        std::this_thread::sleep_for(20ms);
      }
    }
    CHECK(status == 200);
  }
}

TEST_CASE("Idle connections cannot lock the operator out of a full admin listener", "[admin]") {
  AdminLimits limits;
  limits.max_connections = 2;
  ServerFixture fixture(limits);
  const std::uint16_t port = fixture.port();
  // Two connections that never send a request take every slot.
  HttpClient idle_first(port, 5s);
  HttpClient idle_second(port, 5s);
  idle_first.connect();
  idle_second.connect();
  std::this_thread::sleep_for(100ms);  // both accepted
  HttpClient operator_client(port, 5s);
  const HttpResponse response =
      operator_client.request("GET", "/v1/destinations", {{"Authorization", bearer()}});
  CHECK(response.status == 200);
  // The oldest idle one made room.
  CHECK_THROWS_AS(idle_first.read_response(), boost::system::system_error);
}

TEST_CASE("A connection without the token keeps the short header deadline after its 401",
          "[admin]") {
  AdminLimits limits;
  limits.header_timeout = 300ms;
  limits.idle_timeout = 30s;
  ServerFixture fixture(limits);
  HttpClient client(fixture.port(), 10s);
  CHECK(client.request("GET", "/v1/destinations").status == 401);
  const auto started = std::chrono::steady_clock::now();
  CHECK_THROWS_AS(client.read_response(), boost::system::system_error);  // closed by the server
  CHECK(std::chrono::steady_clock::now() - started < 5s);  // the header deadline, not idle's 30 s
}

TEST_CASE_METHOD(ServerFixture, "stop() closes idle connections at once and is idempotent",
                 "[admin]") {
  CHECK(get("/v1/destinations").status == 200);  // an idle keep-alive connection remains
  const auto started = std::chrono::steady_clock::now();
  server_->stop();
  CHECK(std::chrono::steady_clock::now() - started < 1s);  // not the drain timeout
  server_->stop();
  CHECK_THROWS_AS(get("/v1/destinations"), boost::system::system_error);
  HttpClient fresh(server_->port(), 2s);
  CHECK_THROWS_AS(fresh.request("GET", "/v1/destinations", {{"Authorization", bearer()}}),
                  boost::system::system_error);
}

TEST_CASE("AdminServer::start reports an address it cannot listen on", "[admin]") {
  FakeRouterControl control;
  std::string error;
  auto first = AdminServer::start(admin_config(), control, &error);
  REQUIRE(first != nullptr);
  config::AdminConfig taken = admin_config();
  taken.listen_port = first->port();
  auto second = AdminServer::start(taken, control, &error);
  CHECK(second == nullptr);
  CHECK_THAT(error,
             Contains("admin API: cannot listen on 127.0.0.1:" + std::to_string(first->port())));
}

}  // namespace sluice::admin::test
