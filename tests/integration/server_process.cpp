#include "server_process.hpp"

#include <cerrno>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fcntl.h>
#include <fstream>
#include <netinet/in.h>
#include <spawn.h>
#include <sstream>
#include <stdexcept>
#include <sys/socket.h>
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
constexpr int kStartAttempts = 3;

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

}  // namespace

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

std::uint16_t free_loopback_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("socket failed: " + std::string(std::strerror(errno)));
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof address;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0 ||
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    int error = errno;
    ::close(fd);
    throw std::runtime_error("cannot find a free port: " + std::string(std::strerror(error)));
  }
  ::close(fd);
  return ntohs(address.sin_port);
}

ServerProcess::ServerProcess(const fs::path& work_dir, ServerOptions options)
    : work_dir_(work_dir), options_(std::move(options)), config_path_(work_dir / "sluice.toml") {
  std::string failures;
  for (int attempt = 0; attempt < kStartAttempts; ++attempt) {
    std::string failure;
    if (spawn_and_wait_ready(&failure)) return;
    failures += failure + "\n";
  }
  throw std::runtime_error("sluice did not start:\n" + failures);
}

ServerProcess::~ServerProcess() {
  if (pid_ > 0 && running()) kill();
}

bool ServerProcess::spawn_and_wait_ready(std::string* failure) {
  port_ = options_.port != 0 ? options_.port : free_loopback_port();
  {
    std::ofstream config(config_path_, std::ios::trunc);
    config << "[server]\n"
           << "listen = \"127.0.0.1:" << port_ << "\"\n"
           << "threads = " << options_.threads << "\n";
    for (const auto& line : options_.server_settings) config << line << "\n";
    config << "\n[storage]\n"
           << "path = \"" << (work_dir_ / "log").string() << "\"\n"
           << "durability = \"" << options_.durability << "\"\n"
           << "\n[log]\nlevel = \"info\"\n"
           << "\n[[sources]]\nname = \"website\"\nwrite_keys = [\"test_write_key\"]\n";
    config << options_.extra_config;
    if (!config) throw std::runtime_error("cannot write " + config_path_.string());
  }
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
  std::vector<std::string> env = server_environment();
  auto argv = c_strings(args);
  auto envp = c_strings(env);
  status_ = ExitStatus{};
  int error = ::posix_spawn(&pid_, SLUICE_BINARY, &actions, nullptr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&actions);
  if (error != 0) {
    pid_ = -1;
    throw std::runtime_error("cannot start " + std::string(SLUICE_BINARY) + ": " +
                             std::strerror(error));
  }

  if (!options_.wait_until_ready) return true;
  auto deadline = Clock::now() + kStartupTimeout;
  while (Clock::now() < deadline) {
    if (!running()) {
      *failure = "sluice exited during startup (" + status_.describe() + "):\n" + output();
      return false;
    }
    try {
      HttpClient client(port_, 2s);
      if (client.request("GET", "/health").status == 200) return true;
    } catch (const std::exception&) {
      // Not listening yet.
    }
    std::this_thread::sleep_for(kPollInterval);
  }
  kill();
  *failure = "sluice did not answer /health within the startup timeout:\n" + output();
  return false;
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
