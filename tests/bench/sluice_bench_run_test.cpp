// sluice-bench against the real sluice binary: every request it saw acknowledged must be in
// the log, as `sluice log cat` prints it, and `sluice-bench verify` must say so.

#include <fcntl.h>
#include <fstream>
#include <signal.h>
#include <spawn.h>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>
#include <vector>

#include <catch2/catch.hpp>
#include <simdjson.h>

#include "tests/integration/server_process.hpp"

extern char** environ;

namespace sluice::bench {
namespace {

using integration::ServerProcess;
using integration::TempDir;
using namespace std::chrono_literals;

#ifndef SLUICE_BENCH_BINARY
#error "SLUICE_BENCH_BINARY must name the sluice-bench executable"
#endif
#ifndef SLUICE_BINARY
#error "SLUICE_BINARY must name the sluice executable"
#endif

std::string read_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::size_t count_lines(const std::filesystem::path& path) {
  const std::string text = read_file(path);
  return static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n'));
}

// Runs a program with stdout and stderr into `output` and returns its exit code; a program
// still running after `timeout` is killed (only the process started here) and fails the test.
int run_program(std::vector<std::string> args, const std::filesystem::path& output,
                std::chrono::seconds timeout = 60s) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, output.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  std::vector<char*> argv;
  for (auto& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  pid_t pid = -1;
  const int error = ::posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  REQUIRE(error == 0);

  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int status = 0;
  while (::waitpid(pid, &status, WNOHANG) == 0) {
    if (std::chrono::steady_clock::now() > deadline) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, &status, 0);
      FAIL(args[0] << " did not finish within " << timeout.count() << " s:\n" << read_file(output));
    }
    std::this_thread::sleep_for(10ms);
  }
  INFO(read_file(output));
  REQUIRE(WIFEXITED(status));
  return WEXITSTATUS(status);
}

std::uint64_t json_count(const std::string& json, const char* key) {
  simdjson::dom::parser parser;
  std::uint64_t value = 0;
  INFO(json);
  REQUIRE_FALSE(parser.parse(json)[key].get(value));
  return value;
}

double json_number(const std::string& json, const char* key) {
  simdjson::dom::parser parser;
  double value = 0;
  INFO(json);
  REQUIRE_FALSE(parser.parse(json)[key].get(value));
  return value;
}

TEST_CASE("every event sluice-bench saw acknowledged is in the log", "[integration][bench]") {
  TempDir dir;
  ServerProcess server(dir.path());
  const auto path = [&](const char* name) { return (dir.path() / name).string(); };
  std::vector<std::string> load = {SLUICE_BENCH_BINARY,
                                   "--url",
                                   "http://127.0.0.1:" + std::to_string(server.port()),
                                   "--write-key",
                                   "test_write_key",
                                   "--connections",
                                   "4",
                                   "--threads",
                                   "2",
                                   "--requests",
                                   "200",
                                   "--acked",
                                   path("acked"),
                                   "--json",
                                   path("run.json"),
                                   "--quiet"};
  std::uint64_t events = 200;
  double min_elapsed_s = 0;
  SECTION("track, one event per request") {}
  SECTION("track in an open loop at 400 requests/s") {
    load.insert(load.end(), {"--rate", "400"});
    // On the schedule, 200 requests take half a second; pacing sends none more than 1 ms early.
    min_elapsed_s = 0.45;
  }
  SECTION("batches of 5, gzip, as a browser sends them") {
    load.insert(load.end(), {"--workload", "batch", "--batch-size", "5", "--gzip", "--browser"});
    events = 1000;
  }
  SECTION("identify, track, page and group on their own endpoints") {
    load.insert(load.end(), {"--workload", "mix"});
  }

  REQUIRE(run_program(load, path("load.out")) == 0);
  const std::string summary = read_file(path("run.json"));
  CHECK(json_count(summary, "requests") == 200);
  CHECK(json_number(summary, "elapsed_s") >= min_elapsed_s);
  CHECK(json_number(summary, "generator_cpu_cores") > 0);
  CHECK(json_count(summary, "ok_requests") == 200);
  CHECK(json_count(summary, "events_acked") == events);
  CHECK(count_lines(path("acked")) == events);

  REQUIRE(run_program({SLUICE_BINARY, "log", "cat", "--config", server.config_path().string()},
                      path("stored.ndjson")) == 0);
  CHECK(count_lines(path("stored.ndjson")) == events);
  REQUIRE(run_program({SLUICE_BENCH_BINARY, "verify", "--acked", path("acked"), "--ndjson",
                       path("stored.ndjson"), "--json", path("verify.json")},
                      path("verify.out")) == 0);
  const std::string verified = read_file(path("verify.json"));
  CHECK(json_count(verified, "found") == events);
  CHECK(json_count(verified, "missing") == 0);
  CHECK(json_count(verified, "duplicated") == 0);

  // And verify notices a loss: an acknowledged id that is not in the log.
  std::ofstream(path("acked"), std::ios::app) << "sb-never-sent-0-0\n";
  CHECK(run_program({SLUICE_BENCH_BINARY, "verify", "--acked", path("acked"), "--ndjson",
                     path("stored.ndjson")},
                    path("verify-missing.out")) == 1);
  CHECK(server.terminate().clean());
}

}  // namespace
}  // namespace sluice::bench
