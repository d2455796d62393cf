#include "server/sources_cli.hpp"

#include <algorithm>
#include <iomanip>
#include <optional>
#include <ostream>
#include <string_view>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http.hpp>
#include <simdjson.h>

#include "api/json_writer.hpp"

namespace sluice::server {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct AdminAddress {
  std::string host;
  std::string port;
};

// "http://host:port" (the path, if any, is ignored); the admin API speaks plain HTTP.
std::optional<AdminAddress> parse_admin_url(std::string_view url) {
  constexpr std::string_view kScheme = "http://";
  if (!url.starts_with(kScheme)) return std::nullopt;
  url.remove_prefix(kScheme.size());
  url = url.substr(0, url.find('/'));
  std::string_view host = url;
  std::string_view port = "80";
  if (!url.empty() && url.front() == '[') {  // [::1]:9090
    const std::size_t close = url.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    host = url.substr(1, close - 1);
    const std::string_view rest = url.substr(close + 1);
    if (!rest.empty()) {
      if (rest.front() != ':') return std::nullopt;
      port = rest.substr(1);
    }
  } else if (const std::size_t colon = url.rfind(':'); colon != std::string_view::npos) {
    host = url.substr(0, colon);
    port = url.substr(colon + 1);
  }
  if (host.empty() || port.empty()) return std::nullopt;
  return AdminAddress{std::string(host), std::string(port)};
}

struct Answer {
  unsigned status = 0;
  std::string body;
};

// One request to the admin API, within timeout; nullopt and *error when it cannot be made.
std::optional<Answer> call(const SourcesCommand& command, const AdminAddress& address,
                           http::verb method, const std::string& target, std::string body,
                           std::string* error) {
  asio::io_context io;
  beast::tcp_stream stream(io);
  http::request<http::string_body> request{method, target, 11};
  request.set(http::field::host, address.host);
  request.set(http::field::authorization, "Bearer " + command.token);
  request.set(http::field::user_agent, "sluice-cli");
  if (!body.empty()) request.set(http::field::content_type, "application/json");
  request.body() = std::move(body);
  request.prepare_payload();
  beast::flat_buffer buffer;
  http::response<http::string_body> response;
  beast::error_code failure;

  tcp::resolver resolver(io);
  stream.expires_after(command.timeout);
  resolver.async_resolve(address.host, address.port, [&](beast::error_code ec, auto results) {
    if (ec) {
      failure = ec;
      return;
    }
    stream.async_connect(results, [&](beast::error_code ec, const auto&) {
      if (ec) {
        failure = ec;
        return;
      }
      http::async_write(stream, request, [&](beast::error_code ec, std::size_t) {
        if (ec) {
          failure = ec;
          return;
        }
        http::async_read(stream, buffer, response,
                         [&](beast::error_code ec, std::size_t) { failure = ec; });
      });
    });
  });
  io.run();
  if (failure) {
    *error = "cannot reach the admin API at " + command.admin_url + ": " + failure.message();
    return std::nullopt;
  }
  return Answer{response.result_int(), std::move(response.body())};
}

std::string text_at(simdjson::dom::element element, std::string_view key) {
  std::string_view text;
  if (element[key].get_string().get(text)) return "-";
  return std::string(text);
}

// The rows of a table, printed with each column as wide as its widest cell.
void print_table(std::ostream& out, const std::vector<std::vector<std::string>>& rows) {
  std::vector<std::size_t> widths;
  for (const auto& row : rows) {
    widths.resize(std::max(widths.size(), row.size()));
    for (std::size_t i = 0; i < row.size(); ++i) widths[i] = std::max(widths[i], row[i].size());
  }
  for (const auto& row : rows) {
    for (std::size_t i = 0; i < row.size(); ++i) {
      if (i + 1 == row.size()) {
        out << row[i];
      } else {
        out << std::left << std::setw(static_cast<int>(widths[i] + 2)) << row[i];
      }
    }
    out << '\n';
  }
}

std::vector<std::string> source_row(simdjson::dom::element source) {
  std::size_t usable = 0;
  std::size_t total = 0;
  simdjson::dom::array keys;
  if (!source["keys"].get_array().get(keys)) {
    for (simdjson::dom::element key : keys) {
      ++total;
      if (text_at(key, "state") != "revoked") ++usable;
    }
  }
  bool enabled = false;
  const bool known = !source["enabled"].get_bool().get(enabled);
  return {text_at(source, "name"), text_at(source, "origin"),
          known ? (enabled ? "yes" : "no") : "-",
          std::to_string(usable) + "/" + std::to_string(total), text_at(source, "created_at")};
}

void print_source(std::ostream& out, simdjson::dom::element source) {
  print_table(out, {{"NAME", "ORIGIN", "ENABLED", "KEYS", "CREATED"}, source_row(source)});
  simdjson::dom::element settings;
  if (!source["settings"].get(settings)) out << "settings: " << simdjson::minify(settings) << '\n';
  std::vector<std::vector<std::string>> rows{{"WRITE KEY", "STATE", "CREATED", "EXPIRES"}};
  simdjson::dom::array keys;
  if (!source["keys"].get_array().get(keys)) {
    for (simdjson::dom::element key : keys) {
      rows.push_back({text_at(key, "write_key"), text_at(key, "state"), text_at(key, "created_at"),
                      text_at(key, "expires_at")});
    }
  }
  out << '\n';
  print_table(out, rows);
}

// The request a command makes.
struct Call {
  http::verb method = http::verb::get;
  std::string target;
  std::string body;
};

// Whether text can be put in a URL path segment as it is: the characters of source names and
// of the keys Sluice makes. Anything else cannot name an API source or key, and could change
// the request's route.
bool path_safe(std::string_view text) {
  return !text.empty() && text != "." && text != ".." &&
         text.find_first_not_of(
             "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
             "-_.") == std::string_view::npos;
}

std::optional<Call> call_for(const SourcesCommand& command, std::string* error) {
  const std::string source = "/v1/sources/" + command.name;
  const auto needs_name = [&]() -> bool {
    if (command.name.empty()) {
      *error = "sluice sources " + command.action + " needs a source name";
      return false;
    }
    // create sends the name in the body, where the server checks it and says what is wrong.
    if (command.action != "create" && !path_safe(command.name)) {
      *error = "\"" + command.name + "\" is not a source name (letters, digits, '.', '_', '-')";
      return false;
    }
    return true;
  };
  if (command.action == "list") return Call{http::verb::get, "/v1/sources", {}};
  if (!needs_name()) return std::nullopt;
  if (command.action == "show") return Call{http::verb::get, source, {}};
  if (command.action == "create") {
    api::JsonWriter json;
    json.begin_object();
    json.key("name");
    json.string(command.name);
    if (!command.kind.empty()) {
      json.key("kind");
      json.string(command.kind);
    }
    if (!command.settings.empty()) {
      simdjson::dom::parser parser;
      simdjson::dom::element settings;
      if (parser.parse(command.settings).get(settings) || !settings.is_object()) {
        *error = "--settings must be a JSON object such as '{\"allowed_types\":[\"track\"]}'";
        return std::nullopt;
      }
      json.key("settings");
      json.raw(simdjson::minify(settings));
    }
    json.end_object();
    return Call{http::verb::post, "/v1/sources", json.take()};
  }
  if (command.action == "disable") return Call{http::verb::patch, source, R"({"enabled":false})"};
  if (command.action == "enable") return Call{http::verb::patch, source, R"({"enabled":true})"};
  if (command.action == "rotate") return Call{http::verb::post, source + "/keys", {}};
  if (command.action == "revoke") {
    if (!path_safe(command.key)) {
      *error = "sluice sources revoke needs the write key to revoke, as the API listed it";
      return std::nullopt;
    }
    std::string body;
    if (!command.after.empty()) {
      api::JsonWriter json;
      json.begin_object();
      json.key("after");
      json.string(command.after);
      json.end_object();
      body = json.take();
    }
    return Call{http::verb::post, source + "/keys/" + command.key + "/revoke", std::move(body)};
  }
  *error = "unknown action \"" + command.action + "\"";
  return std::nullopt;
}

}  // namespace

int run_sources_command(const SourcesCommand& command, std::ostream& out, std::ostream& err) {
  std::string error;
  const auto address = parse_admin_url(command.admin_url);
  if (!address) {
    err << "sluice sources: --admin must be an http:// URL such as http://127.0.0.1:9090\n";
    return 2;
  }
  if (command.token.empty()) {
    err << "sluice sources: set SLUICE_ADMIN_TOKEN to the admin API's token\n";
    return 2;
  }
  const auto request = call_for(command, &error);
  if (!request) {
    err << "sluice sources: " << error << '\n';
    return 2;
  }
  const auto answer =
      call(command, *address, request->method, request->target, request->body, &error);
  if (!answer) {
    err << "sluice sources: " << error << '\n';
    return 2;
  }
  simdjson::dom::parser parser;
  simdjson::dom::element body;
  const bool parsed = !answer->body.empty() && !parser.parse(answer->body).get(body);
  if (answer->status >= 300) {
    std::string_view message;
    if (parsed && !body.at_pointer("/error/message").get_string().get(message)) {
      err << "sluice sources: " << message << " (HTTP " << answer->status << ")\n";
    } else {
      err << "sluice sources: the admin API answered HTTP " << answer->status << '\n';
    }
    return 1;
  }
  if (command.json) {
    if (!answer->body.empty()) out << answer->body << '\n';
    return 0;
  }
  if (command.action == "list") {
    std::vector<std::vector<std::string>> rows{{"NAME", "ORIGIN", "ENABLED", "KEYS", "CREATED"}};
    simdjson::dom::array sources;
    if (parsed && !body["sources"].get_array().get(sources)) {
      for (simdjson::dom::element source : sources) rows.push_back(source_row(source));
    }
    print_table(out, rows);
  } else if (command.action == "rotate") {
    out << "new write key for " << command.name << ": "
        << (parsed ? text_at(body, "write_key") : "-")
        << "\nthe old keys keep working until revoked: sluice sources revoke " << command.name
        << " OLD_KEY --after 24h\n";
  } else if (parsed) {
    print_source(out, body);
  }
  return 0;
}

}  // namespace sluice::server
