// A tiny JSON object writer for the describe functions.

#pragma once

#include <fmt/format.h>

#include <iterator>
#include <string>
#include <string_view>

#include "mc/codec/describe.hpp"
#include "mc/codec/tokens.hpp"

namespace mc::codec::detail {

// Builds `{"a":1,"b":"x"}` one field at a time.
class JsonObject {
 public:
  explicit JsonObject(std::string& out) : out_(out) { out_ += '{'; }
  ~JsonObject() { out_ += '}'; }
  JsonObject(const JsonObject&) = delete;
  JsonObject& operator=(const JsonObject&) = delete;

  void text(std::string_view name, std::string_view value) {
    key(name);
    append_json_string(value, out_);
  }
  void number(std::string_view name, auto value) {
    key(name);
    fmt::format_to(std::back_inserter(out_), "{}", value);
  }
  void boolean(std::string_view name, bool value) {
    key(name);
    out_ += value ? "true" : "false";
  }
  void list(std::string_view name, Tokens tokens) {
    key(name);
    out_ += '[';
    bool first = true;
    for (const std::string_view token : tokens) {
      if (!first) out_ += ',';
      first = false;
      append_json_string(token, out_);
    }
    out_ += ']';
  }

 private:
  void key(std::string_view name) {
    if (out_.back() != '{') out_ += ',';
    append_json_string(name, out_);
    out_ += ':';
  }
  std::string& out_;
};

}  // namespace mc::codec::detail
