#include "mc/common/asio.hpp"

#include <stdexcept>

#include "mc/common/log.hpp"

namespace mc::common {

void log_exception(const std::string& task, std::exception_ptr error) {
  try {
    std::rethrow_exception(error);
  } catch (const std::exception& e) {
    log_error("{} ended with an exception: {}", task, e.what());
  } catch (...) {
    log_error("{} ended with an unknown exception", task);
  }
}

}  // namespace mc::common
