#pragma once

// Runs the real sluice binary for the integration tests.
//
// TempDir owns a fresh directory under the system temp dir and removes it when destroyed.
// ServerProcess starts the binary (posix_spawn) with a config written into a work directory
// the caller owns: `<work>/sluice.toml`, the event log in `<work>/log`, and the server's
// output in `<work>/server-<n>.log`. Starting a second ServerProcess on the same work
// directory restarts the server on the same data (on a new port). The server listens on the
// port in ServerOptions or, by default, on port 0: the kernel picks a free port while the
// server binds it, so tests running side by side never race for one, and ServerProcess reads
// the bound port from the server's start-up line (as it does the admin API's, when the config
// enables it). The constructor returns once GET /health answers 200, and throws
// std::runtime_error (with the server's output) if it never does.
//
// The destructor SIGKILLs a server still running; terminate() is the graceful path. Only the
// process this object started is ever signalled. Not thread-safe.

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <sys/types.h>
#include <vector>

namespace sluice::integration {

namespace fs = std::filesystem;

class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

struct ServerOptions {
  std::uint16_t port = 0;            // 0: the ephemeral port the kernel picks
  std::string durability = "fsync";  // [storage] durability: "fsync" or "wal"
  unsigned threads = 2;
  // Extra `key = value` lines for the [server] and [storage] tables.
  std::vector<std::string> server_settings;
  std::vector<std::string> storage_settings;
  // TOML appended after the generated config: destinations, [admin], ...
  std::string extra_config;
  // false: the constructor returns once the process is spawned, for a start-up that is meant
  // to fail (a server already on the port would answer the health check in its place). The
  // ports are then unknown unless fixed: port() returns `port`, admin_port() 0.
  bool wait_until_ready = true;
  // Soft and hard RLIMIT_NOFILE for the server (set through prlimit(1)); 0: inherited.
  unsigned open_file_limit = 0;
};

struct ExitStatus {
  bool exited = false;  // ended by exit(); otherwise by `signal`
  int code = -1;
  int signal = 0;

  bool clean() const { return exited && code == 0; }
  std::string describe() const;
};

class ServerProcess {
 public:
  ServerProcess(const fs::path& work_dir, ServerOptions options = {});
  ~ServerProcess();
  ServerProcess(const ServerProcess&) = delete;
  ServerProcess& operator=(const ServerProcess&) = delete;

  // The tracking API's bound port.
  std::uint16_t port() const { return port_; }
  // The admin API's bound port; 0 when the config has no [admin] listener. Put
  // `listen = "127.0.0.1:0"` in [admin] to have the kernel pick it.
  std::uint16_t admin_port() const { return admin_port_; }
  // The plaintext tracking port beside a TLS one (server.listen_plain), and the ops port
  // ([ops] listen); 0 when the config has none. The constructor waits for /health on the ops
  // port, else the plaintext one, else the tracking port: a config with [server.tls] needs one
  // of the first two.
  std::uint16_t plain_port() const { return plain_port_; }
  std::uint16_t ops_port() const { return ops_port_; }
  pid_t pid() const { return pid_; }
  const fs::path& config_path() const { return config_path_; }
  const fs::path& output_path() const { return output_path_; }
  // What the server printed so far (stdout and stderr).
  std::string output() const;
  bool running();

  // Sends a signal to the server without waiting.
  void signal(int number);
  // Waits for the server to exit; SIGKILLs it when `timeout` passes first.
  ExitStatus wait(std::chrono::milliseconds timeout);
  // SIGTERM, then wait().
  ExitStatus terminate(std::chrono::milliseconds timeout = std::chrono::seconds(20));
  // SIGKILL, then reap.
  ExitStatus kill();

 private:
  void write_config() const;
  void spawn();
  void wait_until_ready();
  bool reap(int options);

  fs::path work_dir_;
  ServerOptions options_;
  fs::path config_path_;
  fs::path output_path_;
  std::uint16_t port_ = 0;
  std::uint16_t admin_port_ = 0;
  std::uint16_t plain_port_ = 0;
  std::uint16_t ops_port_ = 0;
  pid_t pid_ = -1;
  ExitStatus status_;
};

// The events in a stored log, as printed by `sluice log cat --config FILE`.
struct StoredLog {
  std::vector<std::uint64_t> sequences;  // in output order
  std::vector<std::string> events;       // event JSON, same order
  std::map<std::string, std::vector<std::string>, std::less<>> by_message_id;

  std::size_t count(std::string_view message_id) const;
  // The first stored event with this messageId; throws when there is none.
  const std::string& event(std::string_view message_id) const;
};

// A command of the sluice binary run to its end.
struct CliRun {
  int exit_code = -1;
  std::string output;  // stdout and stderr
};

// Runs `<environment> sluice <args>` through the shell (args and environment as shell text,
// quoted by the caller) with stdin closed, collecting what it prints.
CliRun run_sluice(const std::string& args, const std::string& environment = {});

// Single quotes for the shell.
std::string shell_quote(const std::string& text);

// Runs `sluice log cat --config <config>` and parses its output; throws std::runtime_error
// when the command fails or prints something that is not one JSON object per line.
StoredLog read_stored_log(const fs::path& config);

}  // namespace sluice::integration
