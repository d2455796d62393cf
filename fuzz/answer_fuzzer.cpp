// The tracking port's answer on raw request bytes: Beast's parser reads a request as the
// session would (with the server's header and body limits), and TrackingApi answers it over
// an in-memory log. Every answer has a status, and a JSON body except for the pixel's image,
// /metrics and an empty 204.

#include <cstddef>
#include <cstdint>
#include <string>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/use_future.hpp>
#include <prometheus/registry.h>
#include <simdjson.h>

#include "fuzz/fuzz_check.hpp"
#include "server/tracking_api.hpp"
#include "tests/server/fake_intake_log.hpp"

namespace {

using namespace sluice;
using server::http::field;

struct World {
  config::ServerConfig config;
  prometheus::Registry registry;
  api::ApiMetrics metrics{registry};
  api::SourceDirectory sources{std::make_shared<const api::SourceRegistry>(
      std::vector<config::SourceConfig>{{"fuzz", {"fuzz_key"}}}, &metrics)};
  server::RequestSettingsDirectory settings{
      std::make_shared<const server::RequestSettings>(config)};
  server::test::FakeIntakeLog log;
  server::TrackingApi api{server::TrackingApiContext{settings, sources, log, metrics,
                                                     [] { return std::string("# metrics\n"); }}};
  boost::asio::io_context io;
  simdjson::dom::parser parser;
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static World world;
  world.log.forget_stored();
  net::RequestParser parser;
  parser.header_limit(32 * 1024);
  parser.body_limit(world.config.max_request_bytes);
  parser.eager(true);
  boost::system::error_code ec;
  parser.put(boost::asio::buffer(data, size), ec);
  if (!ec && !parser.is_done()) parser.put_eof(ec);
  server::Answer answer;
  if (ec && !parser.is_header_done()) {
    answer = server::TrackingApi::refuse_header(ec);
  } else if (ec == server::http::error::body_limit) {
    answer = world.api.refuse_body(parser.get());
  } else if (ec) {
    return 0;  // a body that breaks off: the session closes without an answer
  } else {
    const net::Request& request = parser.get();
    auto future = boost::asio::co_spawn(
        world.io, world.api.answer(request, server::Peer{"192.0.2.1"}), boost::asio::use_future);
    world.io.restart();
    world.io.run();
    answer = future.get();
  }
  const auto status = answer.response.result_int();
  SLUICE_FUZZ_CHECK(status >= 200 && status < 600, "an answer has a status");
  const auto type = answer.response[field::content_type];
  if (type == "application/json") {
    simdjson::dom::object body;
    SLUICE_FUZZ_CHECK(
        world.parser.parse(answer.response.body()).get_object().get(body) == simdjson::SUCCESS,
        "a JSON answer's body is a JSON object");
  } else {
    SLUICE_FUZZ_CHECK(type == "image/gif" || type == "text/plain; version=0.0.4" || status == 204,
                      "only the pixel, metrics and a preflight answer without JSON");
  }
  return 0;
}
