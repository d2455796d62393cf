#pragma once

// A throwaway PostgreSQL 15 cluster for the warehouse tests: initdb in a temporary directory,
// reachable only through a Unix socket there, run as the postgres user when the test runs as
// root (PostgreSQL refuses to run as root) and removed when the object goes. Debian's
// postgresql-15 package provides the programs; `make test` installs it.

#include <filesystem>
#include <string>

namespace sluice::test {

class PostgresCluster {
 public:
  // Creates and starts the cluster; throws std::runtime_error (with initdb's or pg_ctl's
  // output) when it cannot.
  PostgresCluster();
  ~PostgresCluster();
  PostgresCluster(const PostgresCluster&) = delete;
  PostgresCluster& operator=(const PostgresCluster&) = delete;

  // A libpq connection string for the cluster's "postgres" database, as superuser "sluice".
  std::string dsn() const;

  // Stops the server (fast shutdown: connections are cut) and starts it again, for tests of a
  // warehouse that goes away; both throw when pg_ctl fails.
  void stop();
  void start();

  // True when the programs are installed (tests that need them say so when they are not).
  static bool available();

 private:
  // Runs a PostgreSQL program with its arguments (shell text), as the postgres user when root.
  void run(const std::string& program, const std::string& arguments) const;

  std::filesystem::path dir_;  // holds data/, the socket and the server's log
  bool running_ = false;
};

}  // namespace sluice::test
