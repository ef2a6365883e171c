#include <type_traits>

#include "json_object.hpp"
#include "mc/codec/describe.hpp"

namespace mc::codec {

std::string to_json(const Response& response, bool with_data) {
  constexpr std::string_view kStatusWords[] = {"STORED",  "NOT_STORED", "EXISTS", "NOT_FOUND",
                                               "DELETED", "TOUCHED",    "OK",     "RESET"};
  constexpr std::string_view kMetaCodes[] = {"HD", "VA", "EN", "NS", "EX", "NF", "MN"};
  std::string out;
  {
    detail::JsonObject json(out);
    std::visit(
        [&](const auto& r) {
          using T = std::decay_t<decltype(r)>;
          if constexpr (std::is_same_v<T, ValueResponse>) {
            json.text("response", "VALUE");
            json.text("key", r.key);
            json.number("flags", r.flags);
            json.number("bytes", r.data.size());
            if (r.has_cas) json.number("cas", r.cas);
            if (with_data) json.text("data", r.data);
          } else if constexpr (std::is_same_v<T, EndResponse>) {
            json.text("response", "END");
          } else if constexpr (std::is_same_v<T, StatusResponse>) {
            json.text("response", kStatusWords[static_cast<int>(r.status)]);
          } else if constexpr (std::is_same_v<T, NumberResponse>) {
            json.text("response", "NUMBER");
            json.number("value", r.value);
          } else if constexpr (std::is_same_v<T, StatResponse>) {
            json.text("response", "STAT");
            json.text("name", r.name);
            json.text("value", r.value);
          } else if constexpr (std::is_same_v<T, VersionResponse>) {
            json.text("response", "VERSION");
            json.text("version", r.version);
          } else if constexpr (std::is_same_v<T, ErrorResponse>) {
            json.text("error", r.line);
          } else if constexpr (std::is_same_v<T, MetaResponse>) {
            json.text("response", kMetaCodes[static_cast<int>(r.status)]);
            if (r.status == MetaStatus::kVa) json.number("bytes", r.data.size());
            json.list("flags", r.flag_tokens());
            if (with_data && r.status == MetaStatus::kVa) json.text("data", r.data);
          } else if constexpr (std::is_same_v<T, MetaDebugResponse>) {
            json.text("response", "ME");
            json.text("key", r.key);
            json.text("info", r.info);
          } else {
            static_assert(std::is_same_v<T, MetadumpResponse>);
            json.text("response", "metadump");
            json.text("line", r.line);
          }
        },
        response);
  }
  return out;
}

}  // namespace mc::codec
