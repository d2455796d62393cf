#include "warehouse/pg_connection.hpp"

namespace sluice::warehouse {
namespace {

struct ResultClear {
  void operator()(PGresult* result) const { PQclear(result); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultClear>;

std::string trimmed(const char* text) {
  std::string out = text != nullptr ? text : "";
  while (!out.empty() && (out.back() == '\n' || out.back() == ' ')) out.pop_back();
  return out;
}

}  // namespace

bool PgOutcome::transient() const {
  if (ok) return false;
  if (sqlstate.size() != 5) return true;  // no answer from a server: the connection
  const std::string_view cls = std::string_view(sqlstate).substr(0, 2);
  return cls == "08" || cls == "53" || cls == "40" || sqlstate.starts_with("57P") ||
         sqlstate == "55P03";
}

PgOutcome PgConnection::connect() {
  if (connected()) return PgOutcome::success();
  connection_.reset(PQconnectdb(dsn_.c_str()));
  if (!connection_) return PgOutcome{false, {}, "libpq could not allocate a connection"};
  if (PQstatus(connection_.get()) != CONNECTION_OK) {
    PgOutcome failed{false, {}, trimmed(PQerrorMessage(connection_.get()))};
    connection_.reset();
    return failed;
  }
  // Times are written as UTC text; the session's zone must not shift them.
  return execute("SET TIME ZONE 'UTC'");
}

bool PgConnection::connected() const {
  return connection_ && PQstatus(connection_.get()) == CONNECTION_OK;
}

void PgConnection::disconnect() {
  connection_.reset();
}

PgOutcome PgConnection::failure_of(PGresult* result) const {
  PgOutcome failed{false, {}, {}};
  if (result != nullptr) {
    if (const char* state = PQresultErrorField(result, PG_DIAG_SQLSTATE)) failed.sqlstate = state;
    failed.message = trimmed(PQresultErrorMessage(result));
  }
  if (failed.message.empty()) failed.message = trimmed(PQerrorMessage(connection_.get()));
  return failed;
}

PgOutcome PgConnection::execute(const std::string& sql) {
  if (!connected()) return PgOutcome{false, {}, "not connected"};
  const ResultPtr result(PQexec(connection_.get(), sql.c_str()));
  const ExecStatusType status = result ? PQresultStatus(result.get()) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return PgOutcome::success();
  return failure_of(result.get());
}

PgOutcome PgConnection::query(const std::string& sql, const std::vector<std::string>& parameters,
                              PgRows& rows) {
  rows.clear();
  if (!connected()) return PgOutcome{false, {}, "not connected"};
  std::vector<const char*> values;
  values.reserve(parameters.size());
  for (const std::string& parameter : parameters) values.push_back(parameter.c_str());
  const ResultPtr result(PQexecParams(connection_.get(), sql.c_str(),
                                      static_cast<int>(values.size()), nullptr, values.data(),
                                      nullptr, nullptr, 0));
  if (!result || PQresultStatus(result.get()) != PGRES_TUPLES_OK) return failure_of(result.get());
  const int count = PQntuples(result.get());
  const int fields = PQnfields(result.get());
  rows.reserve(static_cast<std::size_t>(count));
  for (int row = 0; row < count; ++row) {
    std::vector<std::string>& out = rows.emplace_back();
    for (int field = 0; field < fields; ++field) {
      out.emplace_back(PQgetvalue(result.get(), row, field));
    }
  }
  return PgOutcome::success();
}

PgOutcome PgConnection::copy_in(const std::string& copy_sql, std::string_view data) {
  PgOutcome outcome = copy_start(copy_sql);
  if (outcome.ok) outcome = copy_send(data);
  return outcome.ok ? copy_end() : outcome;
}

PgOutcome PgConnection::copy_start(const std::string& copy_sql) {
  if (!connected()) return PgOutcome{false, {}, "not connected"};
  const ResultPtr started(PQexec(connection_.get(), copy_sql.c_str()));
  if (!started || PQresultStatus(started.get()) != PGRES_COPY_IN) return failure_of(started.get());
  return PgOutcome::success();
}

PgOutcome PgConnection::copy_send(std::string_view data) {
  // In pieces: PQputCopyData takes an int length.
  constexpr std::size_t kPiece = 1 << 20;
  for (std::size_t at = 0; at < data.size(); at += kPiece) {
    const std::string_view piece = data.substr(at, kPiece);
    if (PQputCopyData(connection_.get(), piece.data(), static_cast<int>(piece.size())) != 1) {
      return PgOutcome{false, {}, trimmed(PQerrorMessage(connection_.get()))};
    }
  }
  return PgOutcome::success();
}

PgOutcome PgConnection::copy_end() {
  if (PQputCopyEnd(connection_.get(), nullptr) != 1) {
    return PgOutcome{false, {}, trimmed(PQerrorMessage(connection_.get()))};
  }
  PgOutcome outcome = PgOutcome::success();
  while (PGresult* raw = PQgetResult(connection_.get())) {
    const ResultPtr result(raw);
    if (PQresultStatus(raw) != PGRES_COMMAND_OK && outcome.ok) outcome = failure_of(raw);
  }
  return outcome;
}

}  // namespace sluice::warehouse
