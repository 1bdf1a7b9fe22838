#include "ossl/general_name.h"

#include "ossl/check.h"

namespace devcert::ossl {

GeneralName make_general_name(int type, std::string_view value) {
  GeneralName name(check(GENERAL_NAME_new(), "cannot allocate a name"));
  Asn1String text(check(type == GEN_IPADD ? ASN1_OCTET_STRING_new() : ASN1_IA5STRING_new(),
                        "cannot allocate a name"));
  check_one(ASN1_STRING_set(text.get(), value.data(), static_cast<int>(value.size())), "cannot set a name");
  GENERAL_NAME_set0_value(name.get(), type, text.release());
  return name;
}

}  // namespace devcert::ossl
