// The PostgreSQL warehouse destination on the real binary and a real PostgreSQL 15 cluster the
// test starts: every message type lands in Segment's tables, with the columns and types
// analysts' queries expect; a replay adds no row twice.

#include <algorithm>
#include <array>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "delivery_support.hpp"
#include "test_support.hpp"
#include "tests/support/postgres_cluster.hpp"
#include "warehouse/pg_connection.hpp"
#include "warehouse/warehouse_loader.hpp"

namespace sluice::integration {
namespace {

using namespace std::chrono_literals;

constexpr std::string_view kAdminToken = "warehouse-token-0123456789";

std::string postgres_destination_toml(const std::string& dsn) {
  return "\n[[destinations]]\nname = \"warehouse\"\ntype = \"postgres\"\nbatch_max_events = 500\n"
         "batch_max_wait = \"20ms\"\nretry_initial = \"20ms\"\nretry_max = \"500ms\"\n"
         "[destinations.postgres]\ndsn = \"" +
         dsn + "\"\n";
}

// Answers one SQL query as rows of text, or fails the test.
warehouse::PgRows sql(const std::string& dsn, const std::string& text) {
  warehouse::PgConnection connection(dsn);
  const warehouse::PgOutcome connected = connection.connect();
  INFO(connected.message);
  REQUIRE(connected.ok);
  warehouse::PgRows rows;
  const warehouse::PgOutcome answered = connection.query(text, {}, rows);
  INFO(text << ": " << answered.message);
  REQUIRE(answered.ok);
  return rows;
}

std::string one_value(const std::string& dsn, const std::string& text) {
  const warehouse::PgRows rows = sql(dsn, text);
  REQUIRE(rows.size() == 1);
  REQUIRE(rows[0].size() == 1);
  return rows[0][0];
}

// column -> data_type of a warehouse table.
std::map<std::string, std::string> columns_of(const std::string& dsn, const std::string& schema,
                                              const std::string& table) {
  std::map<std::string, std::string> out;
  std::string query =
      "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = '";
  query.append(schema).append("' AND table_name = '").append(table).append("'");
  for (const auto& row : sql(dsn, query)) {
    out.emplace(row.at(0), row.at(1));
  }
  return out;
}

HttpResponse post(std::uint16_t port, std::string_view path, const std::string& body) {
  HttpClient client(port);
  return client.request("POST", path, {{"Authorization", basic_auth(kWriteKey)}}, body);
}

}  // namespace

TEST_CASE("Every message type lands in Segment's warehouse tables", "[integration][warehouse]") {
  if (!test::PostgresCluster::available())
    FAIL("PostgreSQL 15 is not installed (make test installs it)");
  test::PostgresCluster postgres;
  TempDir dir;
  ServerOptions options;
  options.storage_settings.push_back("retention = \"1h\"");  // so that the test can replay
  options.extra_config = postgres_destination_toml(postgres.dsn()) +
                         "\n[admin]\nlisten = \"127.0.0.1:0\"\ntoken = \"" +
                         std::string(kAdminToken) + "\"\n";
  ServerProcess server(dir.path(), options);
  const std::uint16_t port = server.port();

  const std::string order_one =
      R"({"type":"track","event":"Order Completed","messageId":"t1","userId":"u1",)"
      R"("timestamp":"2024-03-01T10:00:00Z","context":{"page":{"url":"https://shop.example.com/"}},)"
      R"("properties":{"revenue":12.5,"productId":"p1","quantity":2,"gift":true,)"
      R"("shipped_at":"2024-03-02T00:00:00Z","tags":["a","b"],"coupon":null}})";
  const std::string order_two =
      R"({"type":"track","event":"Order Completed","messageId":"t2","userId":"u2",)"
      R"("properties":{"revenue":7.5,"quantity":"two","new_field":"x"}})";
  const std::string signed_up =
      R"({"type":"track","event":"Signed Up","messageId":"t3","anonymousId":"a1"})";
  const std::string identify_new =
      R"({"type":"identify","messageId":"i1","userId":"u1","timestamp":"2024-03-01T12:00:00Z",)"
      R"("traits":{"email":"u1@example.com","plan":"pro"}})";
  const std::string identify_old =
      R"({"type":"identify","messageId":"i2","userId":"u1","timestamp":"2024-03-01T09:00:00Z",)"
      R"("traits":{"plan":"free","name":"Una"}})";
  const std::string group =
      R"({"type":"group","messageId":"g1","userId":"u1","groupId":"acme","traits":{"employees":40}})";
  const std::string page =
      R"({"type":"page","messageId":"p1","userId":"u1","name":"Home",)"
      R"("properties":{"path":"/","url":"https://shop.example.com/","title":"Shop"}})";
  const std::string screen = R"({"type":"screen","messageId":"s1","userId":"u1","name":"Cart"})";
  const std::string alias = R"({"type":"alias","messageId":"al1","userId":"u1","previousId":"a1"})";
  const std::string batch = batch_json(
      {order_one, order_two, signed_up, identify_new, identify_old, group, page, screen, alias});
  HttpResponse answer = post(port, "/v1/batch", batch);
  INFO(answer.body);
  REQUIRE(answer.status == 200);
  REQUIRE(answer.body == R"({"success":true})");
  answer = post(
      port, "/v1/set",
      R"({"collection":"rooms","objects":[{"id":"r1","properties":{"name":"Topaz","beds":2}}]})");
  REQUIRE(answer.status == 200);
  answer = post(port, "/v1/set",
                R"({"collection":"rooms","objects":[{"id":"r1","properties":{"beds":3}}]})");
  REQUIRE(answer.status == 200);
  REQUIRE(wait_until_delivered(port, "warehouse", 30s));

  const std::string dsn = postgres.dsn();
  // Analysts' queries, as they are written against Segment's warehouses.
  const warehouse::PgRows by_event =
      sql(dsn, "SELECT event, count(*) FROM website.tracks GROUP BY 1 ORDER BY 1");
  REQUIRE(by_event.size() == 2);
  CHECK(by_event[0] == std::vector<std::string>{"order_completed", "2"});
  CHECK(by_event[1] == std::vector<std::string>{"signed_up", "1"});
  CHECK(one_value(dsn, "SELECT sum(revenue) FROM website.order_completed") == "20");
  CHECK(one_value(dsn, "SELECT event_text FROM website.tracks WHERE id = 't1'") ==
        "Order Completed");
  CHECK(one_value(dsn, "SELECT context_page_url FROM website.tracks WHERE id = 't1'") ==
        "https://shop.example.com/");

  // Types from the first value seen.
  const auto order = columns_of(dsn, "website", "order_completed");
  CHECK(order.at("revenue") == "double precision");
  CHECK(order.at("quantity") == "bigint");
  CHECK(order.at("gift") == "boolean");
  CHECK(order.at("product_id") == "text");
  CHECK(order.at("shipped_at") == "timestamp with time zone");
  CHECK(order.at("tags") == "jsonb");
  CHECK(order.at("timestamp") == "timestamp with time zone");
  CHECK(order.at("new_field") == "text");  // a new property added a column
  CHECK(order.contains("uuid_ts"));
  // "two" does not fit bigint: NULL, counted.
  CHECK(one_value(dsn,
                  "SELECT coalesce(quantity::text, 'null') FROM website.order_completed "
                  "WHERE id = 't2'") == "null");
  const auto samples = parse_metrics(HttpClient(port).request("GET", "/metrics").body);
  CHECK(metric_value(samples, "sluice_warehouse_type_conflicts_total",
                     {{"destination", "warehouse"},
                      {"table", "website.order_completed"},
                      {"column", "quantity"}}) == 1);

  // identifies keeps every call; users keeps the newest traits, and older ones it had not.
  CHECK(one_value(dsn, "SELECT count(*) FROM website.identifies") == "2");
  CHECK(one_value(dsn, "SELECT plan FROM website.users WHERE id = 'u1'") == "pro");
  CHECK(one_value(dsn, "SELECT email FROM website.users WHERE id = 'u1'") == "u1@example.com");
  CHECK(one_value(dsn, "SELECT group_id FROM website.groups WHERE id = 'g1'") == "acme");
  CHECK(one_value(dsn, "SELECT employees FROM website.groups WHERE id = 'g1'") == "40");
  CHECK(one_value(dsn, "SELECT title FROM website.pages WHERE id = 'p1'") == "Shop");
  CHECK(one_value(dsn, "SELECT name FROM website.screens WHERE id = 's1'") == "Cart");
  CHECK(one_value(dsn, "SELECT previous_id FROM website.aliases WHERE id = 'al1'") == "a1");
  // Objects upsert by id: the later version's columns replace the earlier's, the rest stay.
  CHECK(one_value(dsn, "SELECT count(*) FROM website.rooms") == "1");
  CHECK(one_value(dsn, "SELECT beds || ' ' || name FROM website.rooms WHERE id = 'r1'") ==
        "3 Topaz");

  // A replay of everything delivers every event again, and no row is added twice.
  HttpClient admin(server.admin_port());
  const HttpResponse replay = admin.request(
      "POST", "/v1/destinations/warehouse/replay",
      {{"Authorization", "Bearer " + std::string(kAdminToken)}}, R"({"from_sequence":0})");
  INFO(replay.body);
  REQUIRE(replay.status == 200);
  REQUIRE(wait_until_delivered(port, "warehouse", 30s));
  CHECK(one_value(dsn, "SELECT count(*) FROM website.tracks") == "3");
  CHECK(one_value(dsn, "SELECT count(*) FROM website.order_completed") == "2");
  CHECK(one_value(dsn, "SELECT count(*) FROM website.identifies") == "2");
  CHECK(one_value(dsn, "SELECT plan FROM website.users WHERE id = 'u1'") == "pro");
  REQUIRE(server.terminate().clean());
}

}  // namespace sluice::integration

namespace sluice::integration {
namespace {

// Sends `count` track events with ids prefix-0.. in batches of 50; the ids acknowledged.
std::vector<std::string> send_tracks(std::uint16_t port, const std::string& prefix, int count,
                                     std::chrono::milliseconds pause = {}) {
  std::vector<std::string> acked;
  HttpClient client(port);
  for (int first = 0; first < count; first += 50) {
    std::vector<std::string> items;
    for (int i = first; i < std::min(count, first + 50); ++i) {
      items.push_back(R"({"type":"track","event":"Item Viewed","userId":"u","messageId":")" +
                      prefix + "-" + std::to_string(i) + R"(","properties":{"n":)" +
                      std::to_string(i) + "}}");
    }
    const HttpResponse answer = client.request(
        "POST", "/v1/batch", {{"Authorization", basic_auth(kWriteKey)}}, batch_json(items));
    if (answer.status == 200) {
      for (int i = first; i < std::min(count, first + 50); ++i) {
        acked.push_back(prefix + "-" + std::to_string(i));
      }
    }
    if (pause.count() > 0) std::this_thread::sleep_for(pause);
  }
  return acked;
}

std::set<std::string> loaded_ids(const std::string& dsn) {
  std::set<std::string> ids;
  for (const auto& row : sql(dsn, "SELECT id FROM website.item_viewed")) ids.insert(row.at(0));
  return ids;
}

}  // namespace

TEST_CASE("The warehouse loses nothing while PostgreSQL is down or Sluice is killed",
          "[integration][warehouse]") {
  if (!test::PostgresCluster::available())
    FAIL("PostgreSQL 15 is not installed (make test installs it)");
  test::PostgresCluster postgres;
  TempDir dir;
  ServerOptions options;
  options.extra_config = postgres_destination_toml(postgres.dsn());
  std::set<std::string> acked;
  {
    ServerProcess server(dir.path(), options);
    for (const auto& id : send_tracks(server.port(), "before", 500)) acked.insert(id);
    REQUIRE(wait_until_delivered(server.port(), "warehouse", 30s));

    // PostgreSQL goes away for 30 s while events keep coming: they wait in the log.
    postgres.stop();
    const auto stopped = std::chrono::steady_clock::now();
    for (const auto& id : send_tracks(server.port(), "down", 3000, 10ms)) acked.insert(id);
    std::this_thread::sleep_until(stopped + 30s);
    CHECK(delivery_progress(server.port(), "warehouse").cursor <
          delivery_progress(server.port(), "warehouse").last_sequence);
    postgres.start();
    REQUIRE(wait_until_delivered(server.port(), "warehouse", 60s));
    CHECK(loaded_ids(postgres.dsn()) == acked);

    // Killed while it loads: what was acknowledged is loaded after the restart, once.
    for (const auto& id : send_tracks(server.port(), "killed", 2000)) acked.insert(id);
    server.kill();
  }
  ServerProcess restarted(dir.path(), options);
  REQUIRE(wait_until_delivered(restarted.port(), "warehouse", 60s));
  const std::set<std::string> loaded = loaded_ids(postgres.dsn());
  CHECK(loaded.size() == acked.size());
  CHECK(loaded == acked);
  CHECK(one_value(postgres.dsn(), "SELECT count(*) FROM website.item_viewed") ==
        std::to_string(acked.size()));
  REQUIRE(restarted.terminate().clean());
}

}  // namespace sluice::integration

namespace sluice::integration {

TEST_CASE("Two loaders adding the same tables and columns at once do not fail each other",
          "[integration][warehouse]") {
  if (!test::PostgresCluster::available())
    FAIL("PostgreSQL 15 is not installed (make test installs it)");
  test::PostgresCluster postgres;
  // Each loader loads batches that bring new columns to the same new tables, as two Sluice
  // nodes behind one load balancer would.
  const auto batch = [](int loader, int round) {
    std::vector<warehouse::TableRows> tables;
    for (const char* table : {"shared_a", "shared_b"}) {
      warehouse::TableRows rows{"race", table, warehouse::RowMode::kInsert, {}, {}};
      warehouse::Row row{table, warehouse::RowMode::kInsert, {}};
      row.columns.push_back({"id",
                             {warehouse::ColumnType::kText,
                              "l" + std::to_string(loader) + "-" + std::to_string(round), false}});
      for (int column = 0; column <= round; ++column) {
        row.columns.push_back(
            {"c" + std::to_string(column), {warehouse::ColumnType::kBigint, "1", false}});
      }
      rows.rows.push_back(std::move(row));
      warehouse::arrange(rows);
      tables.push_back(std::move(rows));
    }
    return tables;
  };
  constexpr int kRounds = 20;
  std::array<std::vector<std::string>, 2> failures;
  std::vector<std::thread> loaders;
  for (int loader = 0; loader < 2; ++loader) {
    loaders.emplace_back([&, loader] {
      warehouse::WarehouseLoader load(postgres.dsn(),
                                      [](const std::string&, const std::string&) {});
      for (int round = 0; round < kRounds; ++round) {
        const warehouse::PgOutcome outcome = load.load(batch(loader, round));
        if (!outcome.ok) failures[loader].push_back(outcome.sqlstate + " " + outcome.message);
      }
    });
  }
  for (auto& thread : loaders) thread.join();
  for (const auto& failed : failures) {
    INFO((failed.empty() ? std::string() : failed.front()));
    CHECK(failed.empty());
  }
  CHECK(one_value(postgres.dsn(), "SELECT count(*) FROM race.shared_a") ==
        std::to_string(2 * kRounds));
  CHECK(columns_of(postgres.dsn(), "race", "shared_b").size() == kRounds + 2);  // + uuid_ts
}

TEST_CASE("Batches committed out of order keep the newest user and object",
          "[integration][warehouse]") {
  if (!test::PostgresCluster::available())
    FAIL("PostgreSQL 15 is not installed (make test installs it)");
  test::PostgresCluster postgres;
  // Two lanes may commit a later batch before an earlier one: the earlier batch's versions
  // must then change nothing.
  const auto version = [](const char* table, warehouse::RowMode mode, const char* order_column,
                          const char* at, const char* name) {
    warehouse::TableRows rows{"lanes", table, mode, {}, {}};
    warehouse::Row row{table, mode, {}};
    row.columns.push_back({"id", {warehouse::ColumnType::kText, "x1", false}});
    row.columns.push_back({order_column, {warehouse::ColumnType::kTimestamp, at, false}});
    row.columns.push_back({"name", {warehouse::ColumnType::kText, name, false}});
    rows.rows.push_back(std::move(row));
    warehouse::arrange(rows);
    return rows;
  };
  const auto batch = [&](const char* at, const char* name) {
    return std::vector<warehouse::TableRows>{
        version("rooms", warehouse::RowMode::kReplace, "received_at", at, name),
        version("users", warehouse::RowMode::kLatest, "timestamp", at, name)};
  };
  warehouse::WarehouseLoader loader(postgres.dsn(), [](const std::string&, const std::string&) {});
  REQUIRE(loader.load(batch("2026-01-02T00:00:00Z", "newer")).ok);
  REQUIRE(loader.load(batch("2026-01-01T00:00:00Z", "older")).ok);
  CHECK(one_value(postgres.dsn(), "SELECT name FROM lanes.rooms WHERE id = 'x1'") == "newer");
  CHECK(one_value(postgres.dsn(), "SELECT name FROM lanes.users WHERE id = 'x1'") == "newer");
  REQUIRE(loader.load(batch("2026-01-03T00:00:00Z", "newest")).ok);
  CHECK(one_value(postgres.dsn(), "SELECT name FROM lanes.rooms WHERE id = 'x1'") == "newest");
  CHECK(one_value(postgres.dsn(), "SELECT name FROM lanes.users WHERE id = 'x1'") == "newest");
}

}  // namespace sluice::integration
