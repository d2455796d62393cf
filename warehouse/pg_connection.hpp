#pragma once

// One libpq connection, blocking, used by one delivery lane's thread. Every call says whether
// it worked and, when not, the server's SQLSTATE and message, so the caller can tell what will
// heal (the server down or restarting, a lock, a race between two loaders) from what will not
// (a permission, an SQL error).

#include <libpq-fe.h>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace sluice::warehouse {

struct PgOutcome {
  bool ok = true;
  std::string sqlstate;  // five characters from the server; empty when the connection failed
  std::string message;

  static PgOutcome success() { return {}; }
  // What failure is likely to pass on a later attempt: the connection (SQLSTATE class 08, or
  // no SQLSTATE at all), the server starting or stopping (57P), resources (53), a
  // serialization failure or deadlock (40), a lock not available (55P03).
  bool transient() const;
};

// A query's rows as text; a NULL reads as an empty string.
using PgRows = std::vector<std::vector<std::string>>;

class PgConnection {
 public:
  explicit PgConnection(std::string dsn) : dsn_(std::move(dsn)) {}

  // Connects when not connected (or the connection was lost). The server's errors come back
  // as they are; the DSN's password never appears in them (libpq does not echo it).
  PgOutcome connect();
  bool connected() const;
  void disconnect();

  PgOutcome execute(const std::string& sql);
  // A query with text parameters ($1, $2, ...), its rows into rows.
  PgOutcome query(const std::string& sql, const std::vector<std::string>& parameters, PgRows& rows);
  // COPY ... FROM STDIN with data in COPY's text format.
  PgOutcome copy_in(const std::string& copy_sql, std::string_view data);
  // The same in steps, for data made while it is sent, so that the server reads one part
  // while the next is made: copy_start, copy_send as often as needed, copy_end (the COPY's
  // outcome). After a failed copy_start or copy_send the connection is not in a state to go
  // on: disconnect.
  PgOutcome copy_start(const std::string& copy_sql);
  PgOutcome copy_send(std::string_view data);
  PgOutcome copy_end();

 private:
  PgOutcome failure_of(PGresult* result) const;

  struct ConnectionClose {
    void operator()(PGconn* connection) const { PQfinish(connection); }
  };

  std::string dsn_;
  std::unique_ptr<PGconn, ConnectionClose> connection_;
};

}  // namespace sluice::warehouse
