/// \file
/// \brief One-line JSON descriptions of parsed messages, for mc_decode, tests and fuzzers.

#pragma once

#include <string>
#include <string_view>

#include "mc/codec/request.hpp"
#include "mc/codec/response.hpp"

namespace mc::codec {

/// \brief Appends `text` as a JSON string literal (quotes included). Bytes that are not
/// printable ASCII are escaped as `\u00XX`, so binary keys and values stay visible.
void append_json_string(std::string_view text, std::string& out);

/// \brief Describes a request as one JSON object, e.g.
/// `{"cmd":"set","key":"a","flags":0,"exptime":0,"bytes":1,"noreply":false}`.
/// \param request what the parser produced
/// \param with_data also print data blocks (`"data":"..."`)
std::string to_json(const Request& request, bool with_data = false);

/// \brief Describes a response as one JSON object, e.g.
/// `{"response":"VALUE","key":"a","flags":0,"bytes":1}`.
/// \param response what the parser produced
/// \param with_data also print data blocks (`"data":"..."`)
std::string to_json(const Response& response, bool with_data = false);

}  // namespace mc::codec
