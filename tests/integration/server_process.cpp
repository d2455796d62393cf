#include "server_process.hpp"

#include <cerrno>
#include <charconv>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <optional>
#include <spawn.h>
#include <sstream>
#include <stdexcept>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

#include <simdjson.h>

#include "http_client.hpp"

extern char** environ;

namespace sluice::integration {
namespace {

using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

#ifndef SLUICE_BINARY
#error "SLUICE_BINARY must name the sluice executable"
#endif

constexpr auto kStartupTimeout = 30s;
constexpr auto kPollInterval = 20ms;

// server/main.cpp logs one line per listener once it is bound, the tracking API's last:
//   [...] [info] admin API listening on 127.0.0.1:41771
//   [...] [info] plaintext tracking API listening on 127.0.0.1:41772   (with listen_plain)
//   [...] [info] ops API listening on 127.0.0.1:41773                   (with [ops])
//   [...] [info] sluice 0.1.0 listening on 127.0.0.1:41770 (log ..., durability wal, ...)
// so once the tracking API's line is there, every port is known.
constexpr std::string_view kAdminListening = "] admin API listening on ";
constexpr std::string_view kPlainListening = "] plaintext tracking API listening on ";
constexpr std::string_view kOpsListening = "] ops API listening on ";
constexpr std::string_view kTrackingListening = "] sluice ";
constexpr std::string_view kListeningOn = " listening on ";

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// The environment for the server: ours without SLUICE_* variables, which would override the
// test's config file.
std::vector<std::string> server_environment() {
  std::vector<std::string> env;
  for (char** entry = environ; *entry != nullptr; ++entry) {
    std::string_view text(*entry);
    if (!text.starts_with("SLUICE_")) env.emplace_back(text);
  }
  return env;
}

std::vector<char*> c_strings(std::vector<std::string>& strings) {
  std::vector<char*> pointers;
  pointers.reserve(strings.size() + 1);
  for (auto& text : strings) pointers.push_back(text.data());
  pointers.push_back(nullptr);
  return pointers;
}

ExitStatus decode_wait_status(int status) {
  ExitStatus result;
  if (WIFEXITED(status)) {
    result.exited = true;
    result.code = WEXITSTATUS(status);
  } else if (WIFSIGNALED(status)) {
    result.signal = WTERMSIG(status);
  }
  return result;
}

// The port of the "<host>:<port>" that starts at `address` and ends at a space or the line's
// end; nullopt when it is not a port number.
std::optional<std::uint16_t> listen_port(std::string_view address) {
  address = address.substr(0, address.find(' '));
  const std::size_t colon = address.rfind(':');
  if (colon == std::string_view::npos) return std::nullopt;
  const std::string_view digits = address.substr(colon + 1);
  unsigned value = 0;
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
  if (error != std::errc{} || end != digits.data() + digits.size() || value == 0 || value > 65535) {
    return std::nullopt;
  }
  return static_cast<std::uint16_t>(value);
}

// The ports a server printed in its start-up lines; `tracking` stays empty until that line.
struct ListeningPorts {
  std::optional<std::uint16_t> tracking;
  std::uint16_t admin = 0;
  std::uint16_t plain = 0;
  std::uint16_t ops = 0;
};

ListeningPorts listening_ports(std::string_view output) {
  ListeningPorts ports;
  while (!output.empty()) {
    const std::size_t newline = output.find('\n');
    // A line without its newline may still be being written.
    if (newline == std::string_view::npos) break;
    const std::string_view line = output.substr(0, newline);
    output.remove_prefix(newline + 1);
    if (const std::size_t at = line.find(kAdminListening); at != std::string_view::npos) {
      ports.admin = listen_port(line.substr(at + kAdminListening.size())).value_or(0);
    } else if (const std::size_t at = line.find(kPlainListening); at != std::string_view::npos) {
      ports.plain = listen_port(line.substr(at + kPlainListening.size())).value_or(0);
    } else if (const std::size_t at = line.find(kOpsListening); at != std::string_view::npos) {
      ports.ops = listen_port(line.substr(at + kOpsListening.size())).value_or(0);
    } else if (const std::size_t at = line.find(kTrackingListening); at != std::string_view::npos) {
      const std::size_t on = line.find(kListeningOn, at);
      if (on != std::string_view::npos) {
        ports.tracking = listen_port(line.substr(on + kListeningOn.size()));
      }
    }
  }
  return ports;
}

}  // namespace

std::string shell_quote(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) {
    if (c == '\'') {
      quoted += "'\\''";
    } else {
      quoted += c;
    }
  }
  return quoted + "'";
}

TempDir::TempDir() {
  std::string pattern = (fs::temp_directory_path() / "sluice-it-XXXXXX").string();
  if (::mkdtemp(pattern.data()) == nullptr) {
    throw std::runtime_error("mkdtemp failed: " + std::string(std::strerror(errno)));
  }
  path_ = pattern;
}

TempDir::~TempDir() {
  std::error_code ignored;
  fs::remove_all(path_, ignored);
}

std::string ExitStatus::describe() const {
  if (exited) return "exit code " + std::to_string(code);
  if (signal != 0) return "killed by signal " + std::to_string(signal);
  return "still running";
}

ServerProcess::ServerProcess(const fs::path& work_dir, ServerOptions options)
    : work_dir_(work_dir), options_(std::move(options)), config_path_(work_dir / "sluice.toml") {
  write_config();
  spawn();
  if (options_.wait_until_ready) {
    wait_until_ready();
  } else {
    port_ = options_.port;
  }
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0 && running()) kill();
}

void ServerProcess::write_config() const {
  std::ofstream config(config_path_, std::ios::trunc);
  config << "[server]\n"
         << "listen = \"127.0.0.1:" << options_.port << "\"\n"
         << "threads = " << options_.threads << "\n";
  for (const auto& line : options_.server_settings) config << line << "\n";
  config << "\n[storage]\n"
         << "path = \"" << (work_dir_ / "log").string() << "\"\n"
         << "durability = \"" << options_.durability << "\"\n";
  for (const auto& line : options_.storage_settings) config << line << "\n";
  config << "\n[log]\nlevel = \"info\"\n"
         << "\n[[sources]]\nname = \"website\"\nwrite_keys = [\"test_write_key\"]\n";
  config << options_.extra_config;
  if (!config) throw std::runtime_error("cannot write " + config_path_.string());
}

void ServerProcess::spawn() {
  for (int n = 1;; ++n) {
    output_path_ = work_dir_ / ("server-" + std::to_string(n) + ".log");
    if (!fs::exists(output_path_)) break;
  }

  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, output_path_.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
  // Client sockets of other test threads must not leak into the server: a leaked copy would
  // keep a connection open after the test closed it.
  posix_spawn_file_actions_addclosefrom_np(&actions, STDERR_FILENO + 1);

  std::vector<std::string> args = {SLUICE_BINARY, "--config", config_path_.string()};
  if (options_.open_file_limit > 0) {
    // prlimit sets the limit on itself and then executes the server in its place (same pid).
    const std::string limit = std::to_string(options_.open_file_limit);
    args.insert(args.begin(), {"/usr/bin/prlimit", "--nofile=" + limit + ":" + limit, "--"});
  }
  std::vector<std::string> env = server_environment();
  auto argv = c_strings(args);
  auto envp = c_strings(env);
  status_ = ExitStatus{};
  int error =
      ::posix_spawn(&pid_, args.front().c_str(), &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (error != 0) {
    pid_ = -1;
    throw std::runtime_error("cannot start " + std::string(SLUICE_BINARY) + ": " +
                             std::strerror(error));
  }
}

void ServerProcess::wait_until_ready() {
  const auto deadline = Clock::now() + kStartupTimeout;
  while (Clock::now() < deadline) {
    if (!running()) {
      throw std::runtime_error("sluice exited during startup (" + status_.describe() + "):\n" +
                               output());
    }
    const ListeningPorts ports = listening_ports(output());
    if (ports.tracking) {
      port_ = *ports.tracking;
      admin_port_ = ports.admin;
      plain_port_ = ports.plain;
      ops_port_ = ports.ops;
      try {
        // /health is on the ops port when there is one; a TLS tracking port is asked through
        // its plaintext companion (TLS tests configure one of the two).
        HttpClient client(ops_port_ != 0 ? ops_port_ : plain_port_ != 0 ? plain_port_ : port_, 2s);
        if (client.request("GET", "/health").status == 200) return;
      } catch (const std::exception&) {
        // Listening, but not answering yet; ask again.
      }
    }
    std::this_thread::sleep_for(kPollInterval);
  }
  kill();
  throw std::runtime_error("sluice did not answer /health within the startup timeout:\n" +
                           output());
}

std::string ServerProcess::output() const {
  return read_file(output_path_);
}

bool ServerProcess::reap(int options) {
  if (pid_ <= 0) return true;
  int status = 0;
  pid_t done;
  do {
    done = ::waitpid(pid_, &status, options);
  } while (done < 0 && errno == EINTR);
  if (done == pid_) {
    status_ = decode_wait_status(status);
    pid_ = -1;
    return true;
  }
  if (done < 0) {
    // ECHILD: not ours any more; treat as gone.
    pid_ = -1;
    return true;
  }
  return false;
}

bool ServerProcess::running() {
  return !reap(WNOHANG);
}

void ServerProcess::signal(int number) {
  if (pid_ > 0) ::kill(pid_, number);
}

ExitStatus ServerProcess::wait(std::chrono::milliseconds timeout) {
  auto deadline = Clock::now() + timeout;
  while (running()) {
    if (Clock::now() >= deadline) return kill();
    std::this_thread::sleep_for(5ms);
  }
  return status_;
}

ExitStatus ServerProcess::terminate(std::chrono::milliseconds timeout) {
  signal(SIGTERM);
  return wait(timeout);
}

ExitStatus ServerProcess::kill() {
  if (pid_ > 0) {
    ::kill(pid_, SIGKILL);
    reap(0);
  }
  return status_;
}

std::size_t StoredLog::count(std::string_view message_id) const {
  auto it = by_message_id.find(message_id);
  return it == by_message_id.end() ? 0 : it->second.size();
}

const std::string& StoredLog::event(std::string_view message_id) const {
  auto it = by_message_id.find(message_id);
  if (it == by_message_id.end() || it->second.empty()) {
    throw std::runtime_error("no stored event with messageId " + std::string(message_id));
  }
  return it->second.front();
}

CliRun run_sluice(const std::string& args, const std::string& environment) {
  const std::string command =
      environment + " " + shell_quote(SLUICE_BINARY) + " " + args + " </dev/null 2>&1";
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) throw std::runtime_error("popen failed: " + command);
  CliRun run;
  char chunk[4096];
  std::size_t n = 0;
  while ((n = std::fread(chunk, 1, sizeof chunk, pipe)) > 0) run.output.append(chunk, n);
  const int status = ::pclose(pipe);
  run.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return run;
}

StoredLog read_stored_log(const fs::path& config) {
  std::string command = shell_quote(SLUICE_BINARY) + " log cat --config " +
                        shell_quote(config.string()) + " </dev/null";
  FILE* pipe = ::popen(command.c_str(), "r");
  if (pipe == nullptr) throw std::runtime_error("popen failed: " + command);
  std::string output;
  char chunk[64 * 1024];
  std::size_t n;
  while ((n = std::fread(chunk, 1, sizeof chunk, pipe)) > 0) output.append(chunk, n);
  int status = ::pclose(pipe);
  ExitStatus exit = decode_wait_status(status);
  if (!exit.clean()) {
    throw std::runtime_error("`" + command + "` failed (" + exit.describe() + ")");
  }

  StoredLog log;
  simdjson::dom::parser parser;
  std::size_t start = 0;
  while (start < output.size()) {
    std::size_t end = output.find('\n', start);
    if (end == std::string::npos) end = output.size();
    std::string line = output.substr(start, end - start);
    start = end + 1;
    if (line.empty()) continue;
    simdjson::dom::element root;
    std::uint64_t sequence = 0;
    simdjson::dom::object event;
    if (parser.parse(line).get(root) || root["seq"].get(sequence) || root["event"].get(event)) {
      throw std::runtime_error("log cat printed an unexpected line: " + line);
    }
    std::string json = simdjson::minify(event);
    std::string_view message_id;
    if (!event["messageId"].get(message_id)) {
      log.by_message_id[std::string(message_id)].push_back(json);
    }
    log.sequences.push_back(sequence);
    log.events.push_back(std::move(json));
  }
  return log;
}

}  // namespace sluice::integration
