// Reads the load generators' JSON in tests, without a JSON library: both print one flat object.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

namespace mc::bench::testing {

// A top-level number of the JSON (`"name": 12.5`); fails the test if absent.
inline double json_number(const std::string& json, const std::string& name) {
  const std::string label = "\"" + name + "\": ";
  const auto at = json.find(label);
  if (at == std::string::npos) {
    ADD_FAILURE() << "no " << name << " in " << json;
    return -1;
  }
  return std::strtod(json.c_str() + at + label.size(), nullptr);
}

}  // namespace mc::bench::testing
