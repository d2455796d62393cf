// The live tail, GET /v1/tail on the admin API of the real binary: events as they are stored,
// narrowed by source, type and event name; rejections with rejected=true; the subscriber
// limit; a subscriber that stops reading while intake goes on; and the end of the stream when
// the server stops.

#include <atomic>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>
#include <simdjson.h>

#include "sse_client.hpp"
#include "test_support.hpp"

namespace sluice::integration {
namespace {

using namespace std::chrono_literals;
using Catch::Matchers::Contains;

constexpr std::string_view kAdminToken = "admin-token-0123456789";
constexpr std::string_view kAppKey = "app_write_key_0001";

ServerOptions tail_options() {
  ServerOptions options;
  options.durability = "wal";
  options.extra_config = "\n[[sources]]\nname = \"app\"\nwrite_keys = [\"" + std::string(kAppKey) +
                         "\"]\n\n[admin]\nlisten = \"127.0.0.1:0\"\ntoken = \"" +
                         std::string(kAdminToken) + "\"\n";
  return options;
}

struct TailFixture {
  // A subscriber whose stream is open: its "open" frame has arrived, so what is stored from
  // now on reaches it.
  std::unique_ptr<SseClient> subscribe(std::string_view target, int receive_buffer = 0) {
    auto client =
        std::make_unique<SseClient>(server.admin_port(), target, kAdminToken, receive_buffer);
    REQUIRE(client->status() == 200);
    CHECK_THAT(client->header(), Contains("text/event-stream"));
    CHECK_THAT(client->header(), Contains("Transfer-Encoding: chunked"));
    // The stream ends with the connection, and says so.
    CHECK_THAT(client->header(), Contains("Connection: close"));
    const auto opened = client->next();
    REQUIRE(opened);
    REQUIRE(opened->event == "open");
    return client;
  }

  void send(std::string_view key, std::string_view body, std::string_view path = "/v1/track") {
    REQUIRE(intake.request("POST", path, {{"Authorization", basic_auth(key)}}, body).status == 200);
  }

  TempDir dir;
  ServerProcess server{dir.path(), tail_options()};
  HttpClient intake{server.port(), 5s};
};

simdjson::dom::element parse(simdjson::dom::parser& parser, const std::string& json) {
  return parser.parse(json);
}

}  // namespace

TEST_CASE_METHOD(TailFixture, "The live tail shows the events of its source as they are stored",
                 "[integration][tail]") {
  auto tail = subscribe("/v1/tail?source=website");
  const auto started = std::chrono::steady_clock::now();
  send(kWriteKey, track_json("t-1"));
  send(kAppKey, track_json("a-1"));
  send(kWriteKey, track_json("t-2"));

  simdjson::dom::parser parser;
  for (const char* id : {"t-1", "t-2"}) {
    INFO(id);
    const auto frame = tail->next_of("event", 2s);
    REQUIRE(frame);
    const auto shown = parse(parser, frame->data);
    CHECK(std::string_view(shown["messageId"]) == id);
    CHECK(std::string_view(shown["source"]) == "website");
    CHECK(std::string_view(shown["type"]) == "track");
    CHECK(std::string_view(shown["event"]["event"]) == "Test Event");
    CHECK(frame->id == std::to_string(int64_t(shown["sequence"])));
  }
  // Within the 2 seconds the workspace's debugger promises.
  CHECK(std::chrono::steady_clock::now() - started < 2s);
  // The other source's event is not shown.
  CHECK_FALSE(tail->next_of("event", 500ms));

  // An unfiltered subscriber sees both sources.
  auto all = subscribe("/v1/tail");
  send(kAppKey, track_json("a-2"));
  send(kWriteKey, track_json("t-3"));
  const auto first = all->next_of("event");
  const auto second = all->next_of("event");
  REQUIRE(first);
  REQUIRE(second);
  CHECK_THAT(first->data, Contains(R"("messageId":"a-2")"));
  CHECK_THAT(second->data, Contains(R"("messageId":"t-3")"));
}

TEST_CASE_METHOD(TailFixture, "The live tail narrows by type and event name and samples",
                 "[integration][tail]") {
  auto signups = subscribe("/v1/tail?event=Signed%20Up");
  auto identifies = subscribe("/v1/tail?type=identify");
  auto half = subscribe("/v1/tail?sample=0.5&type=page");
  send(kWriteKey, track_json("e-1", "Viewed"));
  send(kWriteKey, track_json("e-2", "Signed Up"));
  send(kWriteKey, R"({"messageId":"i-1","userId":"u-1"})", "/v1/identify");
  constexpr int kPages = 40;
  for (int i = 0; i < kPages; ++i) {
    send(kWriteKey, R"({"userId":"u-1","name":"Home"})", "/v1/page");
  }

  const auto signup = signups->next_of("event");
  REQUIRE(signup);
  CHECK_THAT(signup->data, Contains(R"("messageId":"e-2")"));
  const auto identify = identifies->next_of("event");
  REQUIRE(identify);
  CHECK_THAT(identify->data, Contains(R"("messageId":"i-1")"));
  CHECK_FALSE(signups->next_of("event", 300ms));
  CHECK_FALSE(identifies->next_of("event", 300ms));
  // Some of the pages, not all and not none (each is shown with probability one half: the
  // chance of either extreme is 2 in 2^40).
  int shown = 0;
  while (half->next_of("event", 500ms)) ++shown;
  CHECK(shown > 0);
  CHECK(shown < kPages);
}

TEST_CASE_METHOD(TailFixture, "With rejected=true the tail shows what intake refused",
                 "[integration][tail]") {
  auto tail = subscribe("/v1/tail?rejected=true&source=website");
  auto everything = subscribe("/v1/tail?rejected=true");
  auto events_only = subscribe("/v1/tail");
  // One good message and one without a user.
  REQUIRE(intake
              .request("POST", "/v1/batch", auth_headers(),
                       batch_json({track_json("r-1"), R"({"type":"track","event":"X"})"}))
              .status == 200);
  // A request refused whole: its key is nobody's.
  REQUIRE(intake
              .request("POST", "/v1/track", {{"Authorization", basic_auth("nobodys_key_0001")}},
                       track_json("r-2"))
              .status == 400);

  simdjson::dom::parser parser;
  const auto rejected = tail->next_of("rejected", 2s);
  REQUIRE(rejected);
  const auto shown = parse(parser, rejected->data);
  CHECK(std::string_view(shown["source"]) == "website");
  CHECK(int64_t(shown["index"]) == 1);
  CHECK(std::string_view(shown["code"]) == "no_user_anon_id");
  // The refused request has no source: only the subscriber that names none sees it.
  CHECK_FALSE(tail->next_of("rejected", 300ms));
  REQUIRE(everything->next_of("rejected", 2s));
  const auto refused = everything->next_of("rejected", 2s);
  REQUIRE(refused);
  const auto refusal = parse(parser, refused->data);
  CHECK(refusal["source"].is_null());
  CHECK(std::string_view(refusal["code"]) == "invalid_write_key");
  CHECK_FALSE(refusal["index"].error() == simdjson::SUCCESS);
  // Without rejected=true: only the stored event.
  const auto stored = events_only->next();
  REQUIRE(stored);
  CHECK(stored->event == "event");
  CHECK_FALSE(events_only->next_of("rejected", 300ms));
}

TEST_CASE_METHOD(TailFixture, "The tail refuses bad queries and a seventeenth subscriber",
                 "[integration][tail]") {
  HttpClient admin(server.admin_port(), 5s);
  const Headers bearer{{"Authorization", "Bearer " + std::string(kAdminToken)}};
  for (const char* target : {"/v1/tail?sample=2", "/v1/tail?type=click", "/v1/tail?colour=red",
                             "/v1/tail?type=page&event=X"}) {
    INFO(target);
    const HttpResponse response = admin.request("GET", target, bearer);
    CHECK(response.status == 400);
    CHECK_THAT(response.body, Contains(R"("code":"invalid_query")"));
  }
  CHECK(admin.request("POST", "/v1/tail", bearer).status == 405);
  CHECK(admin.request("GET", "/v1/tail").status == 401);

  std::vector<std::unique_ptr<SseClient>> subscribers;
  for (int i = 0; i < 16; ++i) subscribers.push_back(subscribe("/v1/tail"));
  SseClient refused(server.admin_port(), "/v1/tail", kAdminToken);
  REQUIRE(refused.status() == 503);
  CHECK_THAT(refused.header(), Contains("Retry-After: 5"));
  CHECK_THAT(refused.error_body(), Contains(R"("code":"tail_full")"));

  // A subscriber that leaves frees its place at once.
  subscribers.pop_back();
  CHECK(eventually(
      [&] {
        SseClient next(server.admin_port(), "/v1/tail", kAdminToken);
        return next.status() == 200;
      },
      2s));
}

TEST_CASE_METHOD(TailFixture, "A subscriber that stops reading loses events and is told so",
                 "[integration][tail]") {
  auto slow = subscribe("/v1/tail", /*receive_buffer=*/4096);
  auto reader = subscribe("/v1/tail?source=website");
  constexpr std::uint64_t kRequests = 300;
  constexpr std::uint64_t kPerBatch = 100;
  // The reading subscriber reads while intake runs; what it is not shown, it is told of. (No
  // Catch assertions on this thread: it only counts.)
  std::atomic<std::uint64_t> events{0};
  std::atomic<std::uint64_t> dropped{0};
  std::thread reading([&] {
    simdjson::dom::parser parser;
    while (events + dropped < kRequests * kPerBatch) {
      const auto frame = reader->next(5s);
      if (!frame) break;
      if (frame->event == "event") ++events;
      if (frame->event == "dropped") {
        uint64_t count = 0;
        if (parser.parse(frame->data)["dropped"].get(count) == simdjson::SUCCESS) dropped += count;
      }
    }
  });
  const std::string padding(300, 'x');
  for (std::uint64_t r = 0; r < kRequests; ++r) {
    std::vector<std::string> items;
    for (std::uint64_t i = 0; i < kPerBatch; ++i) {
      items.push_back(R"({"type":"track","userId":"u","event":"Load","properties":{"pad":")" +
                      padding + R"("}})");
    }
    REQUIRE(intake.request("POST", "/v1/batch", auth_headers(), batch_json(items)).status == 200);
  }
  reading.join();
  CHECK(events > 0);
  CHECK(events + dropped == kRequests * kPerBatch);
  // The slow one, read at last, was told that it lost events (or, stuck past the write
  // deadline, was let go).
  bool told = false;
  while (auto frame = slow->next(1s)) {
    if (frame->event == "dropped") {
      told = true;
      break;
    }
  }
  CHECK((told || slow->closed()));
}

TEST_CASE_METHOD(TailFixture, "The tail streams over HTTP/1.1 only", "[integration][tail]") {
  HttpClient admin(server.admin_port(), 5s);
  admin.write_raw("GET /v1/tail HTTP/1.0\r\nAuthorization: Bearer " + std::string(kAdminToken) +
                  "\r\n\r\n");
  const HttpResponse response = admin.read_response();
  CHECK(response.status == 505);
  CHECK_THAT(response.body, Contains(R"("code":"http_version_not_supported")"));
}

TEST_CASE_METHOD(TailFixture, "Streams end cleanly when the server stops", "[integration][tail]") {
  auto tail = subscribe("/v1/tail");
  const auto started = std::chrono::steady_clock::now();
  REQUIRE(server.terminate().clean());
  CHECK(std::chrono::steady_clock::now() - started < 5s);
  CHECK_FALSE(tail->next(2s));
  CHECK(tail->ended());
}

}  // namespace sluice::integration
