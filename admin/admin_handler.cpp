#include "admin/admin_handler.hpp"

#include <charconv>
#include <chrono>
#include <string>
#include <utility>
#include <vector>

#include "admin/admin_json.hpp"
#include "admin/admin_routes.hpp"
#include "admin/source_requests.hpp"
#include "api/auth.hpp"
#include "api/json_writer.hpp"
#include "storage/record.hpp"

namespace sluice::admin {

using api::JsonWriter;
namespace {

Response json_response(unsigned version, http::status status, std::string body) {
  Response response{status, version};
  response.set(http::field::content_type, "application/json");
  // Operator data changes from one request to the next; no cache may answer for us.
  response.set(http::field::cache_control, "no-store");
  response.body() = std::move(body);
  response.prepare_payload();
  return response;
}

std::string quoted(std::string_view text) {
  return std::string("\"").append(text).append("\"");
}

Response no_destination(const Request& request, std::string_view name) {
  return AdminHandler::error(request.version(), http::status::not_found, "not_found",
                             "no destination named " + quoted(name));
}

// The answer to a RouterControl or SourceCatalog call that failed: 404 for kNotFound, 400 for
// kInvalidArgument, 409 for kAlreadyExists and kFailedPrecondition (a source of the config
// file), 503 for anything else (the store failed or the router is stopping); `unavailable` is
// the 503's message when the status has none.
Response call_failure(const Request& request, const Status& status, std::string_view unavailable) {
  const auto answer = [&](http::status code, std::string_view name, std::string_view fallback) {
    return AdminHandler::error(request.version(), code, name,
                               status.message().empty() ? fallback : status.message());
  };
  switch (status.code()) {
    case StatusCode::kNotFound:
      return answer(http::status::not_found, "not_found", "not found");
    case StatusCode::kInvalidArgument:
      return answer(http::status::bad_request, "invalid_request", "invalid request");
    case StatusCode::kAlreadyExists:
      return answer(http::status::conflict, "already_exists", "it exists already");
    case StatusCode::kFailedPrecondition:
      return answer(http::status::conflict, "managed_by_config", "managed by the config file");
    default:
      break;
  }
  return answer(http::status::service_unavailable, "unavailable", unavailable);
}

Response control_failure(const Request& request, const Status& status) {
  return call_failure(request, status, "the router cannot answer now; try again");
}

Response catalog_failure(const Request& request, const Status& status) {
  return call_failure(request, status, "the sources cannot be changed now; try again");
}

// "7d", "36h", "90s" or "250ms": a window as config writes it.
std::string duration_text(std::chrono::milliseconds window) {
  const auto ms = window.count();
  if (ms > 0 && ms % 86'400'000 == 0) return std::to_string(ms / 86'400'000) + "d";
  if (ms > 0 && ms % 3'600'000 == 0) return std::to_string(ms / 3'600'000) + "h";
  if (ms % 1000 == 0) return std::to_string(ms / 1000) + "s";
  return std::to_string(ms) + "ms";
}

std::optional<std::uint64_t> parse_id(std::string_view text) {
  std::uint64_t id = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return id;
}

}  // namespace

AdminHandler::AdminHandler(router::RouterControl& control, AdminServices services)
    : control_(control), services_(std::move(services)) {}

Response AdminHandler::error(unsigned version, http::status status, std::string_view code,
                             std::string_view message) {
  return json_response(version, status, error_body(code, message));
}

Response AdminHandler::unauthorized(unsigned version) {
  Response response =
      error(version, http::status::unauthorized, "unauthorized",
            "this endpoint needs the header \"Authorization: Bearer <admin.token>\"");
  response.set(http::field::www_authenticate, R"(Bearer realm="sluice-admin")");
  return response;
}

Response AdminHandler::handle(const Request& request) {
  const std::string_view target = request.target();
  const std::string_view path = target.substr(0, target.find('?'));
  const AdminRoute route = match_admin_route(path);
  const bool source_route =
      route.kind == AdminRouteKind::kSources || route.kind == AdminRouteKind::kSource ||
      route.kind == AdminRouteKind::kSourceKeys || route.kind == AdminRouteKind::kRevokeKey;
  if (route.kind == AdminRouteKind::kNotFound ||
      (route.kind == AdminRouteKind::kReload && !services_.reload) ||
      (source_route && services_.sources == nullptr) ||
      (route.kind == AdminRouteKind::kEvent && services_.events == nullptr) ||
      (route.kind == AdminRouteKind::kWorkspace &&
       (services_.sources == nullptr || services_.metrics == nullptr)) ||
      // The session streams the tail when the server has one; a GET that reaches here has not.
      (route.kind == AdminRouteKind::kTail && request.method() == http::verb::get)) {
    return error(request.version(), http::status::not_found, "not_found",
                 "no such endpoint: " + std::string(path));
  }
  if (!route_allows(route, request.method_string())) {
    Response response =
        error(request.version(), http::status::method_not_allowed, "method_not_allowed",
              std::string(path) + " accepts " + std::string(route.method));
    response.set(http::field::allow, route.method);
    return response;
  }
  std::optional<std::uint64_t> id;
  if (route.kind == AdminRouteKind::kDeadLetter || route.kind == AdminRouteKind::kRedeliver) {
    id = parse_id(route.dead_letter_id);
    if (!id) {
      return error(request.version(), http::status::bad_request, "invalid_id",
                   "a dead letter's id is its first_sequence, a decimal number; got " +
                       quoted(route.dead_letter_id));
    }
  }
  switch (route.kind) {
    case AdminRouteKind::kDestinations:
      return json_response(request.version(), http::status::ok,
                           destinations_body(control_.destinations()));
    case AdminRouteKind::kDestination:
      return destination(request, route.destination);
    case AdminRouteKind::kPause:
      return pause_or_resume(request, route.destination, true);
    case AdminRouteKind::kResume:
      return pause_or_resume(request, route.destination, false);
    case AdminRouteKind::kReplay:
      return replay(request, route.destination);
    case AdminRouteKind::kDeadLetters:
      return dead_letters(request, route.destination);
    case AdminRouteKind::kDeadLetter:
      return dead_letter(request, route.destination, *id);
    case AdminRouteKind::kRedeliver:
      return redeliver(request, route.destination, *id);
    case AdminRouteKind::kReload:
      return reload(request);
    case AdminRouteKind::kEvent:
      return event(request, route.message_id,
                   target.find('?') == std::string_view::npos
                       ? std::string_view()
                       : target.substr(target.find('?') + 1));
    case AdminRouteKind::kSources:
      return sources(request);
    case AdminRouteKind::kSource:
      return source(request, route.source);
    case AdminRouteKind::kSourceKeys:
      return add_key(request, route.source);
    case AdminRouteKind::kRevokeKey:
      return revoke_key(request, route.source, route.write_key);
    case AdminRouteKind::kWorkspace:
      return workspace(request);
    case AdminRouteKind::kTail:
    case AdminRouteKind::kNotFound:
      break;
  }
  return error(request.version(), http::status::not_found, "not_found", "no such endpoint");
}

Response AdminHandler::destination(const Request& request, std::string_view name) const {
  const Result<router::DestinationStatus> status = control_.destination(name);
  if (!status.is_ok()) return no_destination(request, name);
  return json_response(request.version(), http::status::ok, status_body(*status));
}

Response AdminHandler::pause_or_resume(const Request& request, std::string_view name, bool pause) {
  const Status result = pause ? control_.pause(name) : control_.resume(name);
  if (!result.is_ok()) return control_failure(request, result);
  return destination(request, name);
}

Response AdminHandler::replay(const Request& request, std::string_view name) {
  std::string problem;
  const auto from = replay_parser_.parse(request.body(), &problem);
  if (!from) return error(request.version(), http::status::bad_request, "invalid_body", problem);
  const Result<std::uint64_t> cursor = control_.replay(name, *from);
  if (!cursor.is_ok()) return control_failure(request, cursor.status());
  return json_response(request.version(), http::status::ok, cursor_body(*cursor));
}

Response AdminHandler::dead_letters(const Request& request, std::string_view name) const {
  const Result<std::vector<storage::DeadLetter>> letters = control_.dead_letters(name);
  if (!letters.is_ok()) return control_failure(request, letters.status());
  return json_response(request.version(), http::status::ok, dead_letters_body(*letters));
}

Response AdminHandler::dead_letter(const Request& request, std::string_view name,
                                   std::uint64_t id) const {
  const Result<storage::DeadLetter> letter = control_.dead_letter(name, id);
  if (!letter.is_ok()) return control_failure(request, letter.status());
  return json_response(request.version(), http::status::ok, dead_letter_body(*letter));
}

Response AdminHandler::redeliver(const Request& request, std::string_view name, std::uint64_t id) {
  const Status result = control_.redeliver(name, id);
  if (!result.is_ok()) return control_failure(request, result);
  return json_response(request.version(), http::status::accepted, R"({"status":"queued"})");
}

// 200 with what was applied and what needs a restart; 400 invalid_config with every error when
// the file was refused (nothing changed then).
Response AdminHandler::reload(const Request& request) {
  const config::ReloadOutcome outcome = services_.reload();
  JsonWriter json;
  json.begin_object();
  const auto names = [&json](std::string_view key, const std::vector<std::string>& list) {
    json.key(key);
    json.begin_array();
    for (const auto& item : list) json.string(item);
    json.end_array();
  };
  if (!outcome.ok) {
    json.key("error");
    json.begin_object();
    json.key("code");
    json.string("invalid_config");
    json.key("message");
    json.string("the config file was refused and nothing changed: " +
                (outcome.errors.empty() ? std::string("no reason given") : outcome.errors.front()));
    names("errors", outcome.errors);
    json.end_object();
    json.key("generation");
    json.number(outcome.generation);
    json.end_object();
    return json_response(request.version(), http::status::bad_request, json.take());
  }
  json.key("generation");
  json.number(outcome.generation);
  names("applied", outcome.applied);
  names("restart_required", outcome.restart_required);
  json.end_object();
  return json_response(request.version(), http::status::ok, json.take());
}

// GET lists every source; POST creates one and answers 201 with it, its first key included.
Response AdminHandler::sources(const Request& request) {
  if (request.method() == http::verb::get) {
    const std::vector<api::SourceDefinition> all = services_.sources->list();
    return json_response(request.version(), http::status::ok,
                         sources_body(all, services_.sources->now_ms()));
  }
  auto create = parse_create_source(request.body());
  if (!create.is_ok()) {
    return error(request.version(), http::status::bad_request, "invalid_body",
                 create.status().message());
  }
  auto created = services_.sources->create(create->name, std::move(create->settings), create->kind);
  if (!created.is_ok()) return catalog_failure(request, created.status());
  Response response = json_response(request.version(), http::status::created,
                                    source_body(*created, services_.sources->now_ms()));
  response.set(http::field::location, "/v1/sources/" + created->name);
  return response;
}

Response AdminHandler::source(const Request& request, std::string_view name) {
  if (request.method() == http::verb::get) {
    const auto found = services_.sources->find(name);
    if (!found) {
      return error(request.version(), http::status::not_found, "not_found",
                   "no source named " + quoted(name));
    }
    return json_response(request.version(), http::status::ok,
                         source_body(*found, services_.sources->now_ms()));
  }
  if (request.method() == http::verb::delete_) {
    if (const Status removed = services_.sources->remove(name); !removed.is_ok()) {
      return catalog_failure(request, removed);
    }
    Response response{http::status::no_content, request.version()};
    response.set(http::field::cache_control, "no-store");
    response.prepare_payload();
    return response;
  }
  auto patch = parse_source_patch(request.body());
  if (!patch.is_ok()) {
    return error(request.version(), http::status::bad_request, "invalid_body",
                 patch.status().message());
  }
  auto updated = services_.sources->update(name, [&patch](api::SourceDefinition& source) {
    patch->apply_to(source);
    return Status::ok();
  });
  if (!updated.is_ok()) return catalog_failure(request, updated.status());
  return json_response(request.version(), http::status::ok,
                       source_body(*updated, services_.sources->now_ms()));
}

Response AdminHandler::add_key(const Request& request, std::string_view name) {
  auto key = services_.sources->add_key(name);
  if (!key.is_ok()) return catalog_failure(request, key.status());
  return json_response(request.version(), http::status::created, write_key_body(*key));
}

Response AdminHandler::revoke_key(const Request& request, std::string_view name,
                                  std::string_view key) {
  auto after = parse_revoke(request.body());
  if (!after.is_ok()) {
    return error(request.version(), http::status::bad_request, "invalid_body",
                 after.status().message());
  }
  auto revoked = services_.sources->revoke_key(name, key, *after);
  if (!revoked.is_ok()) return catalog_failure(request, revoked.status());
  return json_response(request.version(), http::status::ok,
                       source_body(*revoked, services_.sources->now_ms()));
}

// GET /v1/events/{messageId}?source=NAME: the stored event and where it stands with every
// destination.
Response AdminHandler::event(const Request& request, std::string_view message_id,
                             std::string_view query) const {
  const std::optional<std::string> source = api::query_parameter(query, "source");
  if (!source || source->empty()) {
    return error(request.version(), http::status::bad_request, "invalid_request",
                 "add ?source=NAME: messageIds are kept per source");
  }
  const std::string id = api::percent_decode(message_id, /*plus_is_space=*/false);
  const std::optional<storage::FoundEvent> found = services_.events->find(*source, id);
  if (!found) {
    return error(request.version(), http::status::not_found, "not_found",
                 "no event with messageId " + quoted(std::string_view(id)) + " from source " +
                     quoted(std::string_view(*source)) + " within the dedup window (" +
                     duration_text(services_.events->window()) +
                     "): it was never acknowledged, it is older than the window, its messageId "
                     "was made by the server, or dedup is off");
  }
  if (found->record.empty()) {
    return json_response(request.version(), http::status::ok,
                         event_body(id, *source, found->sequence, nullptr, {}));
  }
  const std::optional<storage::Record> record = storage::decode_record(found->record);
  if (!record) {
    return error(request.version(), http::status::internal_server_error, "internal_error",
                 "the stored event cannot be decoded");
  }
  const Result<std::vector<router::EventDelivery>> states =
      control_.event_delivery(found->sequence, *record);
  if (!states.is_ok()) return control_failure(request, states.status());
  return json_response(request.version(), http::status::ok,
                       event_body(id, *source, found->sequence, &*record, *states));
}

Response AdminHandler::workspace(const Request& request) const {
  std::vector<SourceActivity> activity;
  for (const api::SourceDefinition& source : services_.sources->list()) {
    activity.push_back(
        SourceActivity{source.name, services_.metrics->counters_for(source.name).totals()});
  }
  return json_response(
      request.version(), http::status::ok,
      workspace_body(services_.public_host ? services_.public_host() : std::string(), activity));
}

}  // namespace sluice::admin
