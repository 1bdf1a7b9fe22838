// The fuzz targets' bodies (issue 7). Each takes arbitrary bytes, drives one parser the way a
// command does, and checks what must hold of its result. The same bodies run under libFuzzer
// (entry.cpp, scripts/fuzz.sh) and over the committed corpus in the test suite (corpus_test.cpp).
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace devcert::fuzz {

// A broken invariant. Under libFuzzer it is not caught, so it aborts and the input is saved.
struct InvariantViolation : std::logic_error {
  using std::logic_error::logic_error;
};

#define DEVCERT_FUZZ_CHECK(cond)                                                  \
  do {                                                                            \
    if (!(cond))                                                                  \
      throw ::devcert::fuzz::InvariantViolation(std::string(__FILE__) + ":" +     \
                                                std::to_string(__LINE__) + ": " #cond); \
  } while (0)

void names(std::string_view data);          // pki::classify_name (devcert issue NAME...)
void certificate(std::string_view data);    // pki::load_certificates + inspect (devcert inspect)
void csr(std::string_view data);            // pki::load_csr (devcert issue --csr)
void http_response(std::string_view data);  // Beast's response parser + diagnose::describe_refused_reply (verify-server URL)
void url(std::string_view data);            // diagnose::parse_url (verify-server URL)
void websocket_frame(std::string_view data);  // Beast's client WebSocket reads + diagnose::frame_error (verify-server URL)
void config(std::string_view data);         // config::parse (devcert.toml)
void private_key(std::string_view data);    // pki::load_private_key (the CA key, serve --key)
void java_keystore(std::string_view data);  // trust::read_jks (Java's cacerts, install/status)
void jws(std::string_view data);            // acme::parse_jws + acme::Service::handle (devcert acme's POSTs)

}  // namespace devcert::fuzz
