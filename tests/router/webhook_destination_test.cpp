#include "router/destinations/webhook_destination.hpp"

#include <arpa/inet.h>
#include <ctime>
#include <deque>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <catch2/catch.hpp>

#include "router_fixture.hpp"
#include "tests/support/http_sink.hpp"

namespace sluice::router::test {
namespace {

using Kind = DeliveryResult::Kind;
using sluice::test::HttpSink;
using sluice::test::SinkAnswer;
using Clock = std::chrono::steady_clock;

// Events for one deliver() call; owns the JSON their records point to.
class Events {
 public:
  explicit Events(int count, const std::string& prefix = "e") {
    for (int n = 0; n < count; ++n) add(TestEvent{prefix + std::to_string(n)});
  }
  void add(const TestEvent& event) {
    const std::string& json = json_.emplace_back(event_json(event));
    OutgoingEvent out;
    out.sequence = events_.size() + 1;
    out.record.message_id = event.label;
    out.record.json = json;
    events_.push_back(out);
  }
  std::span<const OutgoingEvent> span() const { return events_; }
  const std::string& json(std::size_t i) const { return json_[i]; }

 private:
  std::deque<std::string> json_;  // never moves its strings, so the views stay valid
  std::vector<OutgoingEvent> events_;
};

config::WebhookDestinationConfig webhook_config(const HttpSink& sink,
                                                std::string_view path = "/in") {
  config::WebhookDestinationConfig config;
  config.url = sink.url(path);
  config.timeout = 5s;
  return config;
}

std::unique_ptr<WebhookDestination> make_webhook(const config::WebhookDestinationConfig& config) {
  auto destination = WebhookDestination::create(config);
  INFO(destination.status().to_string());
  REQUIRE(destination.is_ok());
  return std::move(destination).value();
}

DeliveryResult deliver_one(HttpSink& sink, const SinkAnswer& answer) {
  sink.enqueue(answer);
  auto webhook = make_webhook(webhook_config(sink));
  return webhook->deliver(Events(1).span());
}

SinkAnswer status(unsigned code, sluice::test::Headers headers = {}, std::string body = {}) {
  SinkAnswer answer;
  answer.status = code;
  answer.headers = std::move(headers);
  answer.body = std::move(body);
  return answer;
}

// An IMF-fixdate, as a server writes Retry-After dates.
std::string http_date(std::chrono::system_clock::time_point when) {
  const std::time_t seconds = std::chrono::system_clock::to_time_t(when);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char text[64];
  std::strftime(text, sizeof text, "%a, %d %b %Y %H:%M:%S GMT", &utc);
  return text;
}

// A loopback port that refuses connections: bound, so nobody else takes it, but not listening.
class RefusingPort {
 public:
  RefusingPort() : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    REQUIRE(fd_ >= 0);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
    socklen_t size = sizeof address;
    REQUIRE(::getsockname(fd_, reinterpret_cast<sockaddr*>(&address), &size) == 0);
    port_ = ntohs(address.sin_port);
  }
  ~RefusingPort() { ::close(fd_); }
  RefusingPort(const RefusingPort&) = delete;
  RefusingPort& operator=(const RefusingPort&) = delete;
  std::uint16_t port() const { return port_; }

 private:
  int fd_;
  std::uint16_t port_ = 0;
};

}  // namespace

TEST_CASE("A batch is one POST of {\"batch\":[...]} with each event's JSON verbatim",
          "[router][webhook]") {
  HttpSink sink;
  auto config = webhook_config(sink, "/v1/in?key=abc");
  config.headers = {{"Authorization", "Bearer s3cret"}, {"X-Team", "growth"}};
  auto webhook = make_webhook(config);
  Events events(3);
  events.add(TestEvent{"unicode", "web", storage::EventType::kTrack, "Caf\xc3\xa9 \\\"quoted\\\""});

  REQUIRE(webhook->deliver(events.span()).kind == Kind::kOk);
  const auto requests = sink.requests();
  REQUIRE(requests.size() == 1);
  const auto& request = requests.front();
  CHECK(request.method == "POST");
  CHECK(request.target == "/v1/in?key=abc");
  CHECK(request.body == "{\"batch\":[" + events.json(0) + "," + events.json(1) + "," +
                            events.json(2) + "," + events.json(3) + "]}");
  CHECK(request.header("Content-Type") == "application/json");
  CHECK(request.header("Content-Length") == std::to_string(request.body.size()));
  CHECK_THAT(request.header("User-Agent"), Catch::StartsWith("sluice/"));
  CHECK(request.header("Host") == "127.0.0.1:" + std::to_string(sink.port()));
  CHECK(request.header("Authorization") == "Bearer s3cret");
  CHECK(request.header("X-Team") == "growth");
}

TEST_CASE("Configured headers replace the webhook's own", "[router][webhook]") {
  HttpSink sink;
  auto config = webhook_config(sink);
  config.headers = {{"user-agent", "custom/1"}, {"Content-Type", "application/x-ndjson"}};
  auto webhook = make_webhook(config);
  REQUIRE(webhook->deliver(Events(1).span()).kind == Kind::kOk);
  const auto request = sink.requests().front();
  CHECK(request.header("User-Agent") == "custom/1");
  CHECK(request.header("Content-Type") == "application/x-ndjson");
  std::size_t user_agents = 0;
  for (const auto& [name, value] : request.headers) {
    user_agents += Catch::toLower(name) == "user-agent" ? 1 : 0;
  }
  CHECK(user_agents == 1);
}

TEST_CASE("Event mode sends one POST per event, in order, and stops at the first failure",
          "[router][webhook]") {
  HttpSink sink;
  auto config = webhook_config(sink);
  config.mode = config::WebhookMode::kEvent;
  auto webhook = make_webhook(config);
  Events events(4);

  SECTION("all accepted") {
    REQUIRE(webhook->deliver(events.span()).kind == Kind::kOk);
    const auto requests = sink.requests();
    REQUIRE(requests.size() == 4);
    for (std::size_t i = 0; i < 4; ++i) CHECK(requests[i].body == events.json(i));
    CHECK(sink.connections_accepted() == 1);
  }
  SECTION("the third fails: its failure is the answer and the fourth is not sent") {
    sink.enqueue(status(200));
    sink.enqueue(status(200));
    sink.enqueue(status(503, {}, "overloaded"));
    const DeliveryResult result = webhook->deliver(events.span());
    CHECK(result.kind == Kind::kRetry);
    CHECK(result.reason == "http_503");
    CHECK(result.detail == "event 3 of 4: HTTP 503: overloaded");
    CHECK(sink.request_count() == 3);
  }
}

TEST_CASE("The answer's status maps to ok, retry or permanent", "[router][webhook]") {
  HttpSink sink;
  SECTION("2xx acknowledges") {
    for (unsigned code : {200u, 202u, 204u}) {
      INFO(code);
      CHECK(deliver_one(sink, status(code)).kind == Kind::kOk);
    }
  }
  SECTION("408, 500 and 503 retry, with the body's start in the detail") {
    for (unsigned code : {408u, 500u, 503u}) {
      INFO(code);
      const DeliveryResult result = deliver_one(sink, status(code, {}, std::string(1000, 'b')));
      CHECK(result.kind == Kind::kRetry);
      CHECK(result.reason == "http_" + std::to_string(code));
      CHECK(result.detail == "HTTP " + std::to_string(code) + ": " + std::string(200, 'b'));
      CHECK_FALSE(result.retry_after.has_value());
    }
  }
  SECTION("429 retries after Retry-After, in seconds or as a date") {
    const DeliveryResult seconds = deliver_one(sink, status(429, {{"Retry-After", "7"}}));
    CHECK(seconds.kind == Kind::kRetry);
    CHECK(seconds.reason == "http_429");
    CHECK(seconds.retry_after == 7s);

    const auto date = http_date(std::chrono::system_clock::now() + 30s);
    const DeliveryResult dated = deliver_one(sink, status(429, {{"Retry-After", date}}));
    REQUIRE(dated.retry_after.has_value());
    CHECK(*dated.retry_after > 28s);
    CHECK(*dated.retry_after <= 30s);
  }
  SECTION("3xx and other 4xx are permanent") {
    for (unsigned code : {301u, 400u, 404u}) {
      INFO(code);
      const DeliveryResult result =
          deliver_one(sink, status(code, {{"Location", "http://elsewhere/"}}));
      CHECK(result.kind == Kind::kPermanent);
      CHECK(result.reason == "http_" + std::to_string(code));
    }
  }
  SECTION("a malformed answer retries") {
    SinkAnswer garbage;
    garbage.raw = "HTTP/1.1 2x0 What\r\n\r\n";
    const DeliveryResult result = deliver_one(sink, garbage);
    CHECK(result.kind == Kind::kRetry);
    CHECK(result.reason == "bad_response");
  }
}

TEST_CASE("The connection is kept alive across batches and reopened when the server closed it",
          "[router][webhook]") {
  HttpSink sink;
  auto webhook = make_webhook(webhook_config(sink));
  Events events(2);

  SECTION("many batches, one connection") {
    for (int i = 0; i < 20; ++i) REQUIRE(webhook->deliver(events.span()).kind == Kind::kOk);
    CHECK(sink.request_count() == 20);
    CHECK(sink.connections_accepted() == 1);
  }
  SECTION("the server closed the idle connection between batches") {
    REQUIRE(webhook->deliver(events.span()).kind == Kind::kOk);
    sink.close_connections();
    REQUIRE(webhook->deliver(events.span()).kind == Kind::kOk);
    SinkAnswer answer_then_close;
    answer_then_close.close_after_answer = true;
    sink.enqueue(answer_then_close);
    REQUIRE(webhook->deliver(events.span()).kind == Kind::kOk);
    REQUIRE(webhook->deliver(events.span()).kind == Kind::kOk);
    CHECK(sink.request_count() == 4);
    CHECK(sink.connections_accepted() == 3);
  }
  SECTION("a reused connection that drops the request is retried once on a fresh one") {
    REQUIRE(webhook->deliver(events.span()).kind == Kind::kOk);
    SinkAnswer drop;
    drop.close_without_answer = true;
    sink.enqueue(drop);
    REQUIRE(webhook->deliver(events.span()).kind == Kind::kOk);
    CHECK(sink.request_count() == 3);
    CHECK(sink.connections_accepted() == 2);

    // Only once: a fresh connection that fails too is the answer.
    sink.enqueue(drop);
    sink.enqueue(drop);
    const DeliveryResult result = webhook->deliver(events.span());
    CHECK(result.kind == Kind::kRetry);
    CHECK(result.reason == "io_error");
    CHECK(sink.connections_accepted() == 3);
  }
  SECTION("an answer with a large body is read, and the connection is not reused") {
    sink.enqueue(status(200, {}, std::string(1 << 20, 'x')));
    REQUIRE(webhook->deliver(events.span()).kind == Kind::kOk);
    sink.enqueue(status(200, {}, std::string(1000, 'x')));
    REQUIRE(webhook->deliver(events.span()).kind == Kind::kOk);
    REQUIRE(webhook->deliver(events.span()).kind == Kind::kOk);
    CHECK(sink.connections_accepted() == 2);
  }
  SECTION("close() ends the connection") {
    REQUIRE(webhook->deliver(events.span()).kind == Kind::kOk);
    webhook->close();
    REQUIRE(webhook->deliver(events.span()).kind == Kind::kOk);
    CHECK(sink.connections_accepted() == 2);
  }
}

TEST_CASE("Requests that get no answer retry with the reason", "[router][webhook]") {
  SECTION("a server slower than the timeout: timeout, within about the timeout") {
    HttpSink sink;
    SinkAnswer slow;
    slow.delay = 3s;
    sink.enqueue(slow);
    auto config = webhook_config(sink);
    config.timeout = 300ms;
    auto webhook = make_webhook(config);
    const auto started = Clock::now();
    const DeliveryResult result = webhook->deliver(Events(1).span());
    const auto took = Clock::now() - started;
    CHECK(result.kind == Kind::kRetry);
    CHECK(result.reason == "timeout");
    CHECK(took >= 290ms);
    CHECK(took < 1500ms);
    // The next request gets a fresh connection and its own timeout.
    REQUIRE(webhook->deliver(Events(1).span()).kind == Kind::kOk);
    CHECK(sink.connections_accepted() == 2);
  }
  SECTION("nobody listening: connect_failed") {
    RefusingPort closed;
    config::WebhookDestinationConfig config;
    config.url = "http://127.0.0.1:" + std::to_string(closed.port()) + "/in";
    auto webhook = make_webhook(config);
    const DeliveryResult result = webhook->deliver(Events(1).span());
    CHECK(result.kind == Kind::kRetry);
    CHECK(result.reason == "connect_failed");
    CHECK_THAT(result.detail, Catch::Contains("refused"));
  }
  SECTION("the connection closes before an answer: io_error") {
    HttpSink sink;
    SinkAnswer drop;
    drop.close_without_answer = true;
    const DeliveryResult result = deliver_one(sink, drop);
    CHECK(result.kind == Kind::kRetry);
    CHECK(result.reason == "io_error");
  }
}

TEST_CASE("HTTPS verifies the server's certificate and name", "[router][webhook]") {
  SECTION("trusted through ca_file: delivered, over one kept-alive connection") {
    HttpSink sink(HttpSink::Options{true});
    auto config = webhook_config(sink);
    config.ca_file = sink.ca_file().string();
    auto webhook = make_webhook(config);
    Events events(2);
    REQUIRE(webhook->deliver(events.span()).kind == Kind::kOk);
    REQUIRE(webhook->deliver(events.span()).kind == Kind::kOk);
    webhook->close();
    REQUIRE(sink.request_count() == 2);
    CHECK(sink.requests().front().body ==
          "{\"batch\":[" + events.json(0) + "," + events.json(1) + "]}");
    CHECK(sink.connections_accepted() == 1);
  }
  SECTION("signed by a CA that is not trusted: tls_failed") {
    HttpSink sink(HttpSink::Options{true});
    auto webhook = make_webhook(webhook_config(sink));
    const DeliveryResult result = webhook->deliver(Events(1).span());
    CHECK(result.kind == Kind::kRetry);
    CHECK(result.reason == "tls_failed");
    CHECK_THAT(result.detail, Catch::Contains("certificate"));
    CHECK(sink.request_count() == 0);
  }
  SECTION("a trusted certificate for another name: tls_failed") {
    HttpSink sink(HttpSink::Options{true, {"example.com"}});
    auto config = webhook_config(sink);
    config.ca_file = sink.ca_file().string();
    auto webhook = make_webhook(config);
    const DeliveryResult result = webhook->deliver(Events(1).span());
    CHECK(result.kind == Kind::kRetry);
    CHECK(result.reason == "tls_failed");
    CHECK(sink.request_count() == 0);
  }
  SECTION("plain HTTP where TLS is expected: tls_failed") {
    HttpSink sink;
    config::WebhookDestinationConfig config;
    config.url = "https://127.0.0.1:" + std::to_string(sink.port()) + "/";
    config.timeout = 2s;
    auto webhook = make_webhook(config);
    const DeliveryResult result = webhook->deliver(Events(1).span());
    CHECK(result.kind == Kind::kRetry);
    CHECK(result.reason == "tls_failed");
  }
}

TEST_CASE("A webhook with an unusable URL or CA file is not built", "[router][webhook]") {
  config::WebhookDestinationConfig config;
  config.url = "http://exa mple.com/";
  auto destination = WebhookDestination::create(config);
  CHECK_FALSE(destination.is_ok());
  CHECK_THAT(error_of(destination), Catch::StartsWith("invalid webhook URL"));

  TempDir dir;
  config.url = "https://example.com/";
  config.ca_file = (dir.path() / "missing.pem").string();
  destination = WebhookDestination::create(config);
  CHECK_FALSE(destination.is_ok());
  CHECK_THAT(error_of(destination), Catch::StartsWith("cannot load ca_file"));
}

}  // namespace sluice::router::test
