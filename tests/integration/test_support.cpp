#include "test_support.hpp"

#include <chrono>
#include <cstdlib>
#include <ctime>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <catch2/catch.hpp>
#include <libdeflate.h>

namespace sluice::integration {
namespace {

bool is_number(simdjson::dom::element_type type) {
  using simdjson::dom::element_type;
  return type == element_type::INT64 || type == element_type::UINT64 ||
         type == element_type::DOUBLE;
}

bool numbers_equal(simdjson::dom::element a, simdjson::dom::element b) {
  using simdjson::dom::element_type;
  if (a.type() == b.type()) {
    switch (a.type()) {
      case element_type::INT64:
        return std::int64_t(a) == std::int64_t(b);
      case element_type::UINT64:
        return std::uint64_t(a) == std::uint64_t(b);
      default:
        return double(a) == double(b);
    }
  }
  return double(a) == double(b);
}

bool digits(std::string_view text, std::size_t at, std::size_t count, int* value) {
  int result = 0;
  for (std::size_t i = at; i < at + count; ++i) {
    if (i >= text.size() || text[i] < '0' || text[i] > '9') return false;
    result = result * 10 + (text[i] - '0');
  }
  *value = result;
  return true;
}

}  // namespace

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

bool json_equal(simdjson::dom::element a, simdjson::dom::element b) {
  using simdjson::dom::element_type;
  if (is_number(a.type()) && is_number(b.type())) return numbers_equal(a, b);
  if (a.type() != b.type()) return false;
  switch (a.type()) {
    case element_type::OBJECT: {
      simdjson::dom::object left = a;
      simdjson::dom::object right = b;
      if (left.size() != right.size()) return false;
      for (auto [key, value] : left) {
        simdjson::dom::element other;
        if (right.at_key(key).get(other) || !json_equal(value, other)) return false;
      }
      return true;
    }
    case element_type::ARRAY: {
      simdjson::dom::array left = a;
      simdjson::dom::array right = b;
      if (left.size() != right.size()) return false;
      auto it = right.begin();
      for (simdjson::dom::element value : left) {
        if (!json_equal(value, *it)) return false;
        ++it;
      }
      return true;
    }
    case element_type::STRING:
      return std::string_view(a) == std::string_view(b);
    case element_type::BOOL:
      return bool(a) == bool(b);
    case element_type::NULL_VALUE:
      return true;
    default:
      return false;
  }
}

std::optional<std::int64_t> parse_utc_millis(std::string_view text) {
  // 2024-01-02T03:04:05.678Z
  if (text.size() != 24 || text[4] != '-' || text[7] != '-' || text[10] != 'T' || text[13] != ':' ||
      text[16] != ':' || text[19] != '.' || text[23] != 'Z') {
    return std::nullopt;
  }
  int year, month, day, hour, minute, second, millis;
  if (!digits(text, 0, 4, &year) || !digits(text, 5, 2, &month) || !digits(text, 8, 2, &day) ||
      !digits(text, 11, 2, &hour) || !digits(text, 14, 2, &minute) ||
      !digits(text, 17, 2, &second) || !digits(text, 20, 3, &millis)) {
    return std::nullopt;
  }
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) {
    return std::nullopt;
  }
  std::tm fields{};
  fields.tm_year = year - 1900;
  fields.tm_mon = month - 1;
  fields.tm_mday = day;
  fields.tm_hour = hour;
  fields.tm_min = minute;
  fields.tm_sec = second;
  return static_cast<std::int64_t>(::timegm(&fields)) * 1000 + millis;
}

std::int64_t now_millis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::string gzip(std::string_view data) {
  libdeflate_compressor* compressor = libdeflate_alloc_compressor(6);
  if (compressor == nullptr) throw std::runtime_error("libdeflate_alloc_compressor failed");
  std::string out(libdeflate_gzip_compress_bound(compressor, data.size()), '\0');
  std::size_t size =
      libdeflate_gzip_compress(compressor, data.data(), data.size(), out.data(), out.size());
  libdeflate_free_compressor(compressor);
  if (size == 0) throw std::runtime_error("gzip compression failed");
  out.resize(size);
  return out;
}

std::string track_json(std::string_view message_id, std::string_view event) {
  return R"({"type":"track","messageId":")" + std::string(message_id) + R"(","userId":"user-1",)" +
         R"("event":")" + std::string(event) +
         R"(","properties":{"plan":"pro","amount":12.5},"timestamp":"2024-05-06T07:08:09.010Z"})";
}

std::string batch_json(const std::vector<std::string>& items) {
  std::string body = R"({"batch":[)";
  for (std::size_t i = 0; i < items.size(); ++i) {
    if (i) body += ',';
    body += items[i];
  }
  return body + "]}";
}

Headers auth_headers(Headers extra) {
  Headers headers = {{"Authorization", basic_auth(kWriteKey)},
                     {"Content-Type", "application/json"}};
  headers.insert(headers.end(), extra.begin(), extra.end());
  return headers;
}

void check_error(const HttpResponse& response, unsigned status, std::string_view code) {
  INFO("response body: " << response.body);
  CHECK(response.status == status);
  CHECK(response.header("Content-Type").starts_with("application/json"));
  simdjson::dom::parser parser;
  simdjson::dom::element body;
  REQUIRE_FALSE(parser.parse(response.body).get(body));
  std::string_view actual_code;
  std::string_view message;
  CHECK_FALSE(body["code"].get(actual_code));
  CHECK(actual_code == code);
  CHECK_FALSE(body["message"].get(message));
  CHECK_FALSE(message.empty());
}

std::vector<MetricSample> parse_metrics(std::string_view text) {
  std::vector<MetricSample> samples;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string_view::npos) end = text.size();
    std::string_view line = text.substr(start, end - start);
    start = end + 1;
    if (line.empty() || line.front() == '#') continue;

    MetricSample sample;
    std::size_t at = line.find_first_of("{ ");
    if (at == std::string_view::npos) continue;
    sample.name = std::string(line.substr(0, at));
    if (line[at] == '{') {
      ++at;
      while (at < line.size() && line[at] != '}') {
        std::size_t equals = line.find('=', at);
        if (equals == std::string_view::npos || equals + 1 >= line.size()) break;
        std::string key(line.substr(at, equals - at));
        std::string value;
        at = equals + 2;  // past `="`
        while (at < line.size() && line[at] != '"') {
          if (line[at] == '\\' && at + 1 < line.size()) {
            ++at;
            value += line[at] == 'n' ? '\n' : line[at];
          } else {
            value += line[at];
          }
          ++at;
        }
        sample.labels[key] = value;
        ++at;  // past the closing quote
        if (at < line.size() && line[at] == ',') ++at;
      }
      ++at;  // past `}`
    }
    std::string value(line.substr(at));
    sample.value = std::strtod(value.c_str(), nullptr);
    samples.push_back(std::move(sample));
  }
  return samples;
}

std::optional<double> metric_value(const std::vector<MetricSample>& samples, std::string_view name,
                                   const std::map<std::string, std::string>& labels) {
  for (const auto& sample : samples) {
    if (sample.name != name) continue;
    bool matches = true;
    for (const auto& [key, value] : labels) {
      auto it = sample.labels.find(key);
      if (it == sample.labels.end() || it->second != value) matches = false;
    }
    if (matches) return sample.value;
  }
  return std::nullopt;
}

ServerFixture::ServerFixture(ServerOptions options)
    : server_(dir_.path(), std::move(options)), client_(server_.port()) {}

std::size_t ServerFixture::stored_count() {
  return read_stored_log(server_.config_path()).events.size();
}

StoredLog ServerFixture::stored() {
  return read_stored_log(server_.config_path());
}

}  // namespace sluice::integration
