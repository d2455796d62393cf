#pragma once

// `sluice sources ...`: the admin API's source endpoints from the command line.
//
//   sluice sources list                         every source, one line each
//   sluice sources show NAME                    one source with its keys
//   sluice sources create NAME [--kind K] [--settings J]
//                                               a new source; prints its first write key
//   sluice sources disable|enable NAME
//   sluice sources rotate NAME                  a second write key, beside the current ones
//   sluice sources revoke NAME KEY [--after D]  the key stops working after D (default: now)
//
// The server is reached at --admin URL (default http://127.0.0.1:9090, the admin listener's
// default) with the bearer token in SLUICE_ADMIN_TOKEN, so that it never shows in `ps`. Output is
// a table for people, or the API's JSON with --json. Exit status: 0 done, 1 the server refused
// (its message is printed), 2 the server could not be reached or the command was misused.

#include <chrono>
#include <iosfwd>
#include <string>

namespace sluice::server {

struct SourcesCommand {
  std::string action;  // list, show, create, disable, enable, rotate, revoke
  std::string name;
  std::string key;       // revoke
  std::string after;     // revoke: the grace period ("24h"); empty: now
  std::string settings;  // create: a JSON object; empty: none
  std::string kind;      // create: the source's kind; empty: tracking
  std::string admin_url = "http://127.0.0.1:9090";
  std::string token;  // from SLUICE_ADMIN_TOKEN
  bool json = false;
  std::chrono::milliseconds timeout{10'000};
};

int run_sources_command(const SourcesCommand& command, std::ostream& out, std::ostream& err);

}  // namespace sluice::server
