#include "error.h"
#include "fuzz/targets.h"
#include "pki/csr.h"
#include "pki/keys.h"
#include "pki/names.h"

namespace devcert::fuzz {

void csr(std::string_view data) {
  pki::CertificateRequest request;
  try {
    request = pki::load_csr(data, "fuzz input");
  } catch (const Error&) {
    return;
  }
  DEVCERT_FUZZ_CHECK(request.public_key);
  DEVCERT_FUZZ_CHECK(!pki::describe_key(request.public_key.get()).empty());
  // `devcert issue --csr` classifies the CSR's names as if typed on the command line: each is
  // either refused with a message or becomes a name that classifies to itself.
  for (const std::string& name : request.names) {
    try {
      pki::SubjectName n = pki::classify_name(name);
      DEVCERT_FUZZ_CHECK(pki::classify_name(n.value).value == n.value);
    } catch (const NameError&) {
    }
  }
}

}  // namespace devcert::fuzz
