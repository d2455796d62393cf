#pragma once

// The one error convention of Sluice's internal APIs: a fallible function returns Status (no
// value) or Result<T> (a value or the Status saying why there is none). A Status carries a code
// that callers branch on and a message written for the operator who will read it in a log or
// an admin answer. No exceptions on the data path: a failure is a value the caller must look at
// ([[nodiscard]]).
//
// Cheap when ok (an empty string and a byte); copyable and movable. Thread-compatible.

#include <cassert>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

namespace sluice {

enum class StatusCode : std::uint8_t {
  kOk,
  kInvalidArgument,  // the caller's input is wrong; retrying the same input fails again
  kNotFound,         // the thing asked for does not exist
  kAlreadyExists,
  kFailedPrecondition,  // the thing is in a state that does not allow it (e.g. not ours to change)
  kUnavailable,         // a temporary condition (overload, a peer down, out of descriptors): retry
  kIoError,             // the disk or the database failed
  kCorruption,          // stored data cannot be decoded
  kClosed,              // the component is shutting down or was closed
  kInternal,            // a broken invariant; a bug
};

// "ok", "invalid_argument", ...: for logs and metric labels.
std::string_view to_string(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // ok

  static Status ok() { return Status(); }
  static Status error(StatusCode code, std::string message) {
    assert(code != StatusCode::kOk && "an error needs an error code");
    return Status(code, std::move(message));
  }
  static Status invalid_argument(std::string message) {
    return error(StatusCode::kInvalidArgument, std::move(message));
  }
  static Status not_found(std::string message) {
    return error(StatusCode::kNotFound, std::move(message));
  }
  static Status unavailable(std::string message) {
    return error(StatusCode::kUnavailable, std::move(message));
  }
  static Status io_error(std::string message) {
    return error(StatusCode::kIoError, std::move(message));
  }
  static Status corruption(std::string message) {
    return error(StatusCode::kCorruption, std::move(message));
  }
  static Status closed(std::string message) {
    return error(StatusCode::kClosed, std::move(message));
  }
  static Status internal(std::string message) {
    return error(StatusCode::kInternal, std::move(message));
  }

  bool is_ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }

  // The same error with context in front: "reading cursor of hook: <message>".
  Status with_context(std::string_view context) const;
  // "<code>: <message>", or "ok".
  std::string to_string() const;

  friend bool operator==(const Status& a, const Status& b) {
    return a.code_ == b.code_ && a.message_ == b.message_;
  }

 private:
  Status(StatusCode code, std::string message) : code_(code), message_(std::move(message)) {}

  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

// A T, or the error Status saying why there is none. Built implicitly from either, so a function
// returns `value` or `Status::not_found(...)` alike.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}         // NOLINT(google-explicit-constructor)
  Result(Status status) : status_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    assert(!status_.is_ok() && "a Result without a value needs an error");
  }

  bool is_ok() const { return value_.has_value(); }
  const Status& status() const { return status_; }

  // Only when is_ok().
  T& value() & {
    assert(value_.has_value());
    return *value_;
  }
  const T& value() const& {
    assert(value_.has_value());
    return *value_;
  }
  T&& value() && {
    assert(value_.has_value());
    return std::move(*value_);
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::optional<T> value_;
  Status status_;  // ok exactly when value_ holds a value
};

}  // namespace sluice
