// What a server sent when it was not what the client asked for, named from the raw bytes.
// Everything else the diagnosis reads goes through Beast; these two questions cannot, because
// Beast's parser only says that it refused, not what it refused (see tap_stream.h).
#pragma once

#include <string>
#include <string_view>

namespace devcert::diagnose {

// True when `bytes` begin as an HTTP/1.x response does ("HTTP/1.1 ..."): how a plain HTTP
// server answers a request on a port devcert expected TLS on.
bool starts_like_http(std::string_view bytes);

// The answer to the upgrade request that Beast's parser refused, in words: not HTTP at all (with
// its first bytes quoted), or an HTTP head with the line that broke it quoted. The quote is raw;
// the caller escapes it like every text it prints.
std::string describe_refused_reply(std::string_view bytes);

}  // namespace devcert::diagnose
