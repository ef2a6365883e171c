/// \file
/// \brief The Prometheus text exposition format (version 0.0.4), written by hand: a metric
/// family is a `# HELP` and a `# TYPE` line followed by its samples.

#pragma once

#include <cstdint>
#include <initializer_list>
#include <span>
#include <string>
#include <string_view>
#include <utility>

namespace mc::server {

/// \brief The Content-Type of the format, for the HTTP reply.
inline constexpr std::string_view kPrometheusContentType =
    "text/plain; version=0.0.4; charset=utf-8";

/// \brief One label: name and (unescaped) value.
using Label = std::pair<std::string_view, std::string_view>;

/// \brief The kinds of metric families the server exports.
enum class MetricType { kCounter, kGauge, kHistogram };

/// \brief Builds one exposition, family by family.
///
/// The caller declares a family with family() and then adds its samples, so that all samples
/// of a family stay together, as the format requires. Label values and help texts are escaped
/// here; metric and label names are the caller's constants and must already be valid.
class PrometheusText {
 public:
  /// \brief Starts the family `name` with its help text and type.
  void family(std::string_view name, MetricType type, std::string_view help);

  /// \brief A sample of the current family: `name{labels} value`.
  void sample(std::string_view name, std::initializer_list<Label> labels, std::uint64_t value);
  /// \brief A sample with a fractional value (seconds, say).
  void sample(std::string_view name, std::initializer_list<Label> labels, double value);

  /// \brief The samples of one histogram series: cumulative `_bucket` lines with `le`, then
  /// `_sum` and `_count`.
  /// \param name the family name (without `_bucket`)
  /// \param labels the series' labels, `le` is added
  /// \param bounds the upper bounds, in the unit of the exposition (seconds)
  /// \param counts per-bucket counts, not cumulative, one more than `bounds` (+Inf)
  /// \param sum the sum of the observations
  void histogram(std::string_view name, std::initializer_list<Label> labels,
                 std::span<const double> bounds, std::span<const std::uint64_t> counts, double sum);

  /// \brief The exposition so far; the builder is empty afterwards.
  std::string finish() { return std::exchange(out_, {}); }

 private:
  void labels_and_value(std::string_view name, std::initializer_list<Label> labels,
                        std::string_view extra_label, std::string_view extra_value);

  std::string out_;
};

/// \brief `value` escaped for a label value: backslash, double quote and newline.
std::string escape_label_value(std::string_view value);

}  // namespace mc::server
