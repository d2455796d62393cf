#include "tests/support/postgres_cluster.hpp"

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <pwd.h>
#include <stdexcept>
#include <sys/types.h>
#include <unistd.h>

namespace sluice::test {
namespace {

constexpr std::string_view kBin = "/usr/lib/postgresql/15/bin/";
constexpr int kPort = 5432;  // only the socket's name: nothing listens on TCP

std::string quoted(const std::string& text) {
  std::string out = "'";
  for (char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

}  // namespace

bool PostgresCluster::available() {
  return ::access((std::string(kBin) + "initdb").c_str(), X_OK) == 0;
}

PostgresCluster::PostgresCluster() {
  std::string pattern = "/tmp/sluice-pg-XXXXXX";
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw std::runtime_error("mkdtemp failed: " + std::string(std::strerror(errno)));
  }
  dir_ = pattern;
  if (::geteuid() == 0) {
    const passwd* postgres = ::getpwnam("postgres");
    if (postgres == nullptr || ::chown(dir_.c_str(), postgres->pw_uid, postgres->pw_gid) != 0) {
      throw std::runtime_error("cannot hand " + dir_.string() + " to the postgres user");
    }
  }
  run("initdb", "-D " + quoted((dir_ / "data").string()) +
                    " -U sluice -A trust --no-sync -E UTF8 --locale=C.UTF-8");
  start();
}

PostgresCluster::~PostgresCluster() {
  try {
    if (running_) stop();
  } catch (const std::exception&) {
    // The directory goes anyway; a server left behind dies with its files.
  }
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

std::string PostgresCluster::dsn() const {
  return "host=" + dir_.string() + " port=" + std::to_string(kPort) +
         " dbname=postgres user=sluice connect_timeout=5";
}

void PostgresCluster::start() {
  const std::string options = "-k " + dir_.string() + " -c listen_addresses='' -p " +
                              std::to_string(kPort) + " -c fsync=off";
  run("pg_ctl", "-D " + quoted((dir_ / "data").string()) + " -l " +
                    quoted((dir_ / "server.log").string()) + " -w -o " + quoted(options) +
                    " start");
  running_ = true;
}

void PostgresCluster::stop() {
  run("pg_ctl", "-D " + quoted((dir_ / "data").string()) + " -m fast -w stop");
  running_ = false;
}

void PostgresCluster::run(const std::string& program, const std::string& arguments) const {
  std::string command = std::string(kBin) + program + " " + arguments;
  if (::geteuid() == 0) command = "runuser -u postgres -- " + command;
  command = "cd / && " + command + " 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) throw std::runtime_error("popen failed: " + command);
  std::string output;
  char chunk[4096];
  std::size_t n = 0;
  while ((n = std::fread(chunk, 1, sizeof chunk, pipe)) > 0) output.append(chunk, n);
  if (::pclose(pipe) != 0) throw std::runtime_error("`" + command + "` failed:\n" + output);
}

}  // namespace sluice::test
