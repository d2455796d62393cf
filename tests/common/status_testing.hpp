#pragma once

// Catch2 support for Status and Result<T>: a failed check prints a Status or StatusCode as text,
// value_of() lets a check compare a Result with a value (CHECK(value_of(r) == 3u)), failing
// rather than reading a value that is not there, and error_of() gives the message of a failure.

#include <optional>
#include <string>

#include <catch2/catch.hpp>

#include "common/status.hpp"

namespace Catch {

template <>
struct StringMaker<sluice::Status> {
  static std::string convert(const sluice::Status& status) { return status.to_string(); }
};

template <>
struct StringMaker<sluice::StatusCode> {
  static std::string convert(sluice::StatusCode code) {
    return std::string(sluice::to_string(code));
  }
};

}  // namespace Catch

namespace sluice::test {

// The value of result, or nullopt when it holds an error.
template <typename T>
std::optional<T> value_of(const Result<T>& result) {
  if (!result.is_ok()) return std::nullopt;
  return result.value();
}

// The message of result's error; empty when it holds a value.
template <typename T>
std::string error_of(const Result<T>& result) {
  return result.status().message();
}

}  // namespace sluice::test
