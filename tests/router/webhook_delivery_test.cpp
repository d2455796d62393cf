// The webhook behind a real DeliveryLoop and EventLog: what the router promises (every event, in
// log order, at least once) holds against a real HTTP server that fails for a while.

#include <functional>
#include <thread>

#include <catch2/catch.hpp>

#include "router/delivery_loop.hpp"
#include "router/destinations/webhook_destination.hpp"
#include "router/router_metrics.hpp"
#include "router_fixture.hpp"
#include "tests/support/http_sink.hpp"

namespace sluice::router::test {
namespace {

using sluice::test::HttpSink;
using sluice::test::SinkAnswer;
using sluice::test::SinkRequest;

// The messageIds in a request body, in order.
std::vector<std::string> labels(const std::string& body) {
  constexpr std::string_view kKey = R"("messageId":")";
  std::vector<std::string> out;
  for (std::size_t at = body.find(kKey); at != std::string::npos; at = body.find(kKey, at)) {
    at += kKey.size();
    const std::size_t end = body.find('"', at);
    out.push_back(body.substr(at, end - at));
  }
  return out;
}

std::vector<std::string> expected_labels(const std::string& prefix, int count) {
  std::vector<std::string> out;
  for (int n = 0; n < count; ++n) out.push_back(prefix + std::to_string(n));
  return out;
}

}  // namespace

TEST_CASE("Through a delivery loop, a failing webhook still gets every event in order",
          "[router][webhook]") {
  TempDir dir;
  auto log = open_log(dir);
  prometheus::Registry registry;
  RouterMetrics metrics(registry);
  HttpSink sink;
  constexpr int kFailures = 3;
  for (int i = 0; i < kFailures; ++i) {
    SinkAnswer failure;
    failure.status = 500;
    failure.body = "try again";
    sink.enqueue(failure);
  }
  SinkAnswer slow_down;
  slow_down.status = 429;
  slow_down.headers = {{"Retry-After", "1"}};
  sink.enqueue(slow_down);

  config::DestinationConfig config = destination_config("hook");
  config::WebhookDestinationConfig webhook;
  webhook.url = sink.url("/collect");
  webhook.timeout = 5s;
  config.settings = webhook;
  config.batch_max_events = 7;
  config.retry_max = 2s;  // so that Retry-After: 1 is honoured in full
  auto created = WebhookDestination::create(webhook);
  INFO(created.status().to_string());
  REQUIRE(created.is_ok());
  std::unique_ptr<WebhookDestination> destination = std::move(created).value();

  append_many(*log, 40, "early", 13);  // a backlog before the loop starts
  DeliveryLoop loop(config, *log, std::move(destination), metrics.destination("hook"),
                    LoopTiming{50ms, 0ms, 4096});
  loop.start();
  std::thread writer([&] { append_many(*log, 60, "late", 9); });
  writer.join();
  CHECK(eventually([&] { return metric_value(registry, "sluice_router_cursor", "hook") == 100; },
                   20s));
  loop.request_stop();
  loop.join();

  std::vector<std::string> expected = expected_labels("early", 40);
  for (const std::string& label : expected_labels("late", 60)) expected.push_back(label);
  const std::vector<SinkRequest> requests = sink.requests();
  REQUIRE(requests.size() > kFailures + 1);

  // Acknowledged requests carry every event once, in log order.
  std::vector<std::string> acknowledged;
  std::size_t sent = 0;
  for (const SinkRequest& request : requests) {
    const std::vector<std::string> in_request = labels(request.body);
    sent += in_request.size();
    if (request.answered == 200) {
      acknowledged.insert(acknowledged.end(), in_request.begin(), in_request.end());
    }
  }
  CHECK(acknowledged == expected);

  // Every duplicate comes from a batch that failed and was sent again, unchanged, next.
  std::size_t retried = 0;
  for (std::size_t i = 0; i < requests.size(); ++i) {
    if (requests[i].answered == 200) continue;
    INFO("request " << i << " answered " << requests[i].answered);
    REQUIRE(i + 1 < requests.size());
    CHECK(requests[i + 1].body == requests[i].body);
    retried += labels(requests[i].body).size();
  }
  CHECK(sent - expected.size() == retried);
  CHECK(retried == (kFailures + 1) * 7);  // the first batch, before it got through

  // The loop waited at least as long as Retry-After asked.
  const SinkRequest& after_429 = requests[kFailures + 1];
  CHECK(after_429.received - requests[kFailures].received >= 1s);

  CHECK(metric_value(registry, "sluice_router_failed_attempts_total", "hook", "http_500") ==
        kFailures);
  CHECK(metric_value(registry, "sluice_router_failed_attempts_total", "hook", "http_429") == 1);
  CHECK(metric_value(registry, "sluice_router_delivered_events_total", "hook") == 100);
  CHECK(sink.connections_accepted() == 1);  // 5xx and 429 answers keep the connection
}

}  // namespace sluice::router::test
