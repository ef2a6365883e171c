#include "mc/common/log.hpp"

#include <gtest/gtest.h>

namespace {

using mc::common::LogLevel;

TEST(Log, VerbosityRaisesTheLevelOneStepPerFlag) {
  EXPECT_EQ(mc::common::level_from_verbosity(0), LogLevel::kWarn);
  EXPECT_EQ(mc::common::level_from_verbosity(1), LogLevel::kInfo);
  EXPECT_EQ(mc::common::level_from_verbosity(2), LogLevel::kDebug);
  EXPECT_EQ(mc::common::level_from_verbosity(3), LogLevel::kTrace);
  EXPECT_EQ(mc::common::level_from_verbosity(9), LogLevel::kTrace);
}

TEST(Log, WritesEnabledLevelsOnly) {
  mc::common::set_log_level(LogLevel::kInfo);
  ::testing::internal::CaptureStderr();
  mc::common::log_info("shown {}", 1);
  mc::common::log_debug("hidden {}", 2);
  const std::string text = ::testing::internal::GetCapturedStderr();
  EXPECT_NE(text.find("info  shown 1\n"), std::string::npos) << text;
  EXPECT_EQ(text.find("hidden"), std::string::npos) << text;
  mc::common::set_log_level(LogLevel::kWarn);
}

}  // namespace
