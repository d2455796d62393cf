#include "common/status.hpp"

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <catch2/catch.hpp>

#include "tests/common/status_testing.hpp"

namespace sluice {
namespace {

Result<int> parse_digit(char c) {
  if (c < '0' || c > '9') return Status::invalid_argument(std::string("not a digit: ") + c);
  return c - '0';
}

TEST_CASE("A default Status is ok and says so", "[common]") {
  const Status status;
  CHECK(status.is_ok());
  CHECK(status.code() == StatusCode::kOk);
  CHECK(status.message().empty());
  CHECK(status.to_string() == "ok");
  CHECK(status == Status::ok());
}

TEST_CASE("Each error constructor sets its code and keeps the message", "[common]") {
  struct Case {
    Status status;
    StatusCode code;
    std::string_view name;
  };
  const std::vector<Case> cases = {
      {Status::invalid_argument("m"), StatusCode::kInvalidArgument, "invalid_argument"},
      {Status::not_found("m"), StatusCode::kNotFound, "not_found"},
      {Status::unavailable("m"), StatusCode::kUnavailable, "unavailable"},
      {Status::io_error("m"), StatusCode::kIoError, "io_error"},
      {Status::corruption("m"), StatusCode::kCorruption, "corruption"},
      {Status::closed("m"), StatusCode::kClosed, "closed"},
      {Status::internal("m"), StatusCode::kInternal, "internal"},
      {Status::error(StatusCode::kAlreadyExists, "m"), StatusCode::kAlreadyExists,
       "already_exists"},
      {Status::error(StatusCode::kFailedPrecondition, "m"), StatusCode::kFailedPrecondition,
       "failed_precondition"},
  };
  for (const Case& c : cases) {
    INFO(c.name);
    CHECK_FALSE(c.status.is_ok());
    CHECK(c.status.code() == c.code);
    CHECK(c.status.message() == "m");
    CHECK(to_string(c.code) == c.name);
    CHECK(c.status.to_string() == std::string(c.name) + ": m");
  }
  CHECK(to_string(StatusCode::kOk) == "ok");
}

TEST_CASE("with_context puts context in front of an error and leaves ok alone", "[common]") {
  const Status error = Status::io_error("disk full").with_context("saving cursor of hook");
  CHECK(error.code() == StatusCode::kIoError);
  CHECK(error.message() == "saving cursor of hook: disk full");
  CHECK(Status::ok().with_context("anything") == Status::ok());
}

TEST_CASE("Statuses are equal when code and message are", "[common]") {
  CHECK(Status::not_found("x") == Status::not_found("x"));
  CHECK_FALSE(Status::not_found("x") == Status::not_found("y"));
  CHECK_FALSE(Status::not_found("x") == Status::closed("x"));
  CHECK_FALSE(Status::not_found("x") == Status::ok());
}

TEST_CASE("A Result holds a value or the error saying why there is none", "[common]") {
  SECTION("a value") {
    const Result<int> digit = parse_digit('7');
    REQUIRE(digit.is_ok());
    CHECK(digit.status() == Status::ok());
    CHECK(digit.value() == 7);
    CHECK(*digit == 7);
    CHECK(test::value_of(digit) == 7);
  }
  SECTION("an error") {
    const Result<int> digit = parse_digit('x');
    REQUIRE_FALSE(digit.is_ok());
    CHECK(digit.status().code() == StatusCode::kInvalidArgument);
    CHECK(digit.status().message() == "not a digit: x");
    CHECK_FALSE(test::value_of(digit).has_value());
  }
}

TEST_CASE("A Result gives up a move-only value", "[common]") {
  Result<std::unique_ptr<std::string>> made = std::make_unique<std::string>("log");
  REQUIRE(made.is_ok());
  CHECK(*made->get() == "log");
  std::unique_ptr<std::string> owned = std::move(made).value();
  REQUIRE(owned != nullptr);
  CHECK(*owned == "log");

  Result<std::unique_ptr<std::string>> failed = Status::closed("the log is closed");
  CHECK_FALSE(failed.is_ok());
  CHECK(failed.status().code() == StatusCode::kClosed);
}

TEST_CASE("A Result's value can be changed in place", "[common]") {
  Result<std::vector<int>> numbers = std::vector<int>{1, 2};
  numbers->push_back(3);
  (*numbers).push_back(4);
  CHECK(numbers.value() == std::vector<int>{1, 2, 3, 4});
}

}  // namespace
}  // namespace sluice
