#include "mc/client/detail/command.hpp"

#include <fmt/format.h>

#include <iterator>

#include "mc/client/result.hpp"
#include "mc/codec/compose.hpp"
#include "mc/codec/tokens.hpp"

namespace mc::client {

std::error_code validate_key(std::string_view key) {
  if (key.empty() || key.size() > codec::kMaxKeyLength) return Error::kBadKey;
  for (const char c : key) {
    // memcached splits on spaces and ends lines at \r\n: either inside a key would change
    // the meaning of the line. Other control bytes are refused by libmemcached as well.
    const auto byte = static_cast<unsigned char>(c);
    if (byte <= ' ' || byte == 0x7f) return Error::kBadKey;
  }
  return {};
}

namespace detail {
namespace {

// The request line of any command without a data block of its own.
Command compose(const codec::Request& request, Expect expect, std::chrono::milliseconds timeout,
                bool noreply = false) {
  Command command;
  codec::compose_request_line(request, command.line);
  command.expect = expect;
  command.timeout = timeout;
  command.noreply = noreply;
  return command;
}

Command invalid(std::error_code why) {
  Command command;
  command.invalid = why;
  return command;
}

}  // namespace

Command retrieve(codec::RetrieveCommand command, std::span<const std::string_view> keys,
                 std::int32_t exptime, CallOptions options) {
  if (keys.empty()) return invalid(Error::kBadArgument);
  std::string key_list;
  for (const std::string_view key : keys) {
    if (auto error = validate_key(key)) return invalid(error);
    if (!key_list.empty()) key_list += ' ';
    key_list += key;
  }
  return compose(codec::RetrievalRequest{command, exptime, key_list}, Expect::kValues,
                 options.timeout);
}

Command store(codec::StoreCommand command, std::string_view key, std::string_view value,
              std::uint64_t cas_unique, const StoreOptions& options) {
  if (auto error = validate_key(key)) return invalid(error);
  const codec::StorageRequest request{
      command, key, options.flags, options.exptime, cas_unique, options.noreply, value};
  Command out = compose(request, Expect::kStatus, options.timeout, options.noreply);
  out.data.assign(value);  // copied: the caller's buffer may be gone before the write
  out.has_data = true;
  return out;
}

Command remove(std::string_view key, WriteOptions options) {
  if (auto error = validate_key(key)) return invalid(error);
  return compose(codec::DeleteRequest{key, options.noreply}, Expect::kStatus, options.timeout,
                 options.noreply);
}

Command arithmetic(bool increment, std::string_view key, std::uint64_t delta,
                   WriteOptions options) {
  if (auto error = validate_key(key)) return invalid(error);
  return compose(codec::ArithmeticRequest{increment, key, delta, options.noreply}, Expect::kNumber,
                 options.timeout, options.noreply);
}

Command touch(std::string_view key, std::int32_t exptime, WriteOptions options) {
  if (auto error = validate_key(key)) return invalid(error);
  return compose(codec::TouchRequest{key, exptime, options.noreply}, Expect::kStatus,
                 options.timeout, options.noreply);
}

Command flush_all(std::int32_t delay, WriteOptions options) {
  if (delay < 0) return invalid(Error::kBadArgument);
  return compose(codec::FlushAllRequest{delay, options.noreply}, Expect::kStatus, options.timeout,
                 options.noreply);
}

Command version(CallOptions options) {
  return compose(codec::VersionRequest{}, Expect::kVersion, options.timeout);
}

Command stats(std::string_view group, CallOptions options) {
  // A group is one word (`items`, `slabs`, `settings`...); anything else would be a
  // different command on the wire.
  if (group.find_first_of(" \r\n") != std::string_view::npos) return invalid(Error::kBadArgument);
  return compose(codec::StatsRequest{group}, Expect::kStats, options.timeout);
}

Command meta(codec::MetaCommand command, std::string_view key, std::string_view flags,
             std::string_view value, std::uint32_t opaque, CallOptions options) {
  if (auto error = validate_key(key)) return invalid(error);
  for (const std::string_view token : codec::Tokens(flags)) {
    const char letter = token.front();
    const bool is_letter = (letter >= 'a' && letter <= 'z') || (letter >= 'A' && letter <= 'Z');
    // `q` hides a reply and `O` is how we match replies: either would break the matching.
    if (!is_letter || letter == 'q' || letter == 'O' ||
        token.find_first_of("\r\n") != std::string_view::npos) {
      return invalid(Error::kBadArgument);
    }
  }
  codec::MetaRequest request;
  request.command = command;
  request.key = key;
  Command out;
  out.opaque = fmt::format("O{}", opaque);
  std::string flag_list;  // the caller's tokens, one space apart, then ours
  for (const std::string_view token : codec::Tokens(flags))
    fmt::format_to(std::back_inserter(flag_list), "{} ", token);
  flag_list += out.opaque;
  request.flag_list = flag_list;
  request.data = value;
  codec::compose_request_line(request, out.line);
  out.expect = Expect::kMeta;
  out.timeout = options.timeout;
  if (command == codec::MetaCommand::kSet) {
    out.data.assign(value);
    out.has_data = true;
  }
  return out;
}

}  // namespace detail
}  // namespace mc::client
