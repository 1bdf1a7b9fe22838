// Building a GENERAL_NAME (a SAN entry, a nameConstraints base) from bytes, with every
// intermediate object in a handle, so a failed step leaks nothing.
#pragma once

#include <string_view>

#include "ossl/handles.h"

namespace devcert::ossl {

// A GENERAL_NAME of `type` holding `value`: octets for GEN_IPADD (network order), an IA5String
// for the text types (GEN_DNS, GEN_EMAIL, GEN_URI). Throws devcert::Error.
GeneralName make_general_name(int type, std::string_view value);

}  // namespace devcert::ossl
