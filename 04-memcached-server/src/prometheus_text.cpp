#include "mc/server/prometheus_text.hpp"

#include <fmt/format.h>

#include <cassert>

namespace mc::server {
namespace {

std::string_view type_name(MetricType type) {
  switch (type) {
    case MetricType::kCounter:
      return "counter";
    case MetricType::kGauge:
      return "gauge";
    case MetricType::kHistogram:
      return "histogram";
  }
  return "untyped";
}

// HELP text escapes only backslash and newline (quotes are fine there).
std::string escape_help(std::string_view text) {
  std::string out;
  for (const char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

std::string escape_label_value(std::string_view value) {
  std::string out;
  out.reserve(value.size());
  for (const char c : value) {
    if (c == '\\' || c == '"') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

void PrometheusText::family(std::string_view name, MetricType type, std::string_view help) {
  fmt::format_to(std::back_inserter(out_), "# HELP {} {}\n# TYPE {} {}\n", name, escape_help(help),
                 name, type_name(type));
}

void PrometheusText::labels_and_value(std::string_view name, std::initializer_list<Label> labels,
                                      std::string_view extra_label, std::string_view extra_value) {
  out_ += name;
  if (labels.size() == 0 && extra_label.empty()) return;
  char separator = '{';
  for (const auto& [label, value] : labels) {
    fmt::format_to(std::back_inserter(out_), "{}{}=\"{}\"", separator, label,
                   escape_label_value(value));
    separator = ',';
  }
  if (!extra_label.empty()) {
    fmt::format_to(std::back_inserter(out_), "{}{}=\"{}\"", separator, extra_label, extra_value);
  }
  out_ += '}';
}

void PrometheusText::sample(std::string_view name, std::initializer_list<Label> labels,
                            std::uint64_t value) {
  labels_and_value(name, labels, {}, {});
  fmt::format_to(std::back_inserter(out_), " {}\n", value);
}

void PrometheusText::sample(std::string_view name, std::initializer_list<Label> labels,
                            double value) {
  labels_and_value(name, labels, {}, {});
  // {} prints the shortest text that reads back as the same double.
  fmt::format_to(std::back_inserter(out_), " {}\n", value);
}

void PrometheusText::histogram(std::string_view name, std::initializer_list<Label> labels,
                               std::span<const double> bounds,
                               std::span<const std::uint64_t> counts, double sum) {
  assert(counts.size() == bounds.size() + 1);
  const std::string bucket = fmt::format("{}_bucket", name);
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i < counts.size(); ++i) {
    cumulative += counts[i];
    const std::string le = i < bounds.size() ? fmt::format("{}", bounds[i]) : "+Inf";
    labels_and_value(bucket, labels, "le", le);
    fmt::format_to(std::back_inserter(out_), " {}\n", cumulative);
  }
  sample(fmt::format("{}_sum", name), labels, sum);
  sample(fmt::format("{}_count", name), labels, cumulative);
}

}  // namespace mc::server
