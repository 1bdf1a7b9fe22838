#include "fuzz/targets.h"
#include "trust/java_keystore.h"

namespace devcert::fuzz {

// The JKS reader (Java's cacerts, read without a JVM): any bytes are read or refused without
// reading past them. What it returns comes from the input: every alias and certificate is a
// piece of it, and no more entries than the input has room for (each takes at least 18 bytes).
void java_keystore(std::string_view data) {
  auto entries = trust::read_jks(data);
  if (!entries) return;
  DEVCERT_FUZZ_CHECK(data.size() >= 12 && entries->size() <= (data.size() - 12) / 18);
  for (const auto& e : *entries) {
    DEVCERT_FUZZ_CHECK(e.alias.empty() || data.find(e.alias) != std::string_view::npos);
    DEVCERT_FUZZ_CHECK(e.der.empty() || data.find(e.der) != std::string_view::npos);
  }
}

}  // namespace devcert::fuzz
