// The one TLS + WebSocket client of devcert, on Beast's client stack: `devcert verify-server URL`
// walks the chain from URL to echo link by link, stops at the first broken link and names its
// cause (see causes.h); the self test (wss/self_test.h) runs the same walk against its own
// server, with more echo stages.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "diagnose/url.h"

namespace devcert::diagnose {

struct DiagnoseOptions {
  std::string url;
  std::string ca_pem;          // --ca: trust only these certificates ("" = system store + devcert CA)
  std::string ca_name = "--ca";  // what ca_pem is called in a stage's detail
  std::string devcert_ca_pem;  // the devcert root, when there is one ("" otherwise)
  std::string origin;          // "" = the URL's own origin, as a page on that server would send
  std::string subprotocol;
  // The most each stage may take in all (one deadline per stage, not per read).
  std::chrono::milliseconds timeout = std::chrono::seconds(10);
  bool echo = true;  // false: --no-echo, for servers that are not echo servers
  // How far the walk goes: through the one text echo (a URL), through binary and large echoes, a
  // ping and a close 1000 (the self test, whose server echoes everything), or only through
  // hostname (does this trust accept the server?).
  enum class Extent { echo, self_test, trust };
  Extent extent = Extent::echo;
  std::size_t large_message = 1024 * 1024;  // the self test's large echo
  // --client-cert / --client-key: the PEM certificate (then any intermediates) and key to present
  // when the server asks for one ("" = present none).
  std::string client_cert_pem;
  std::string client_key_pem;
};

struct Stage {
  enum class Status { ok, failed, skipped };
  std::string name;
  Status status = Status::skipped;
  std::string detail;
  double ms = 0;
};

// One certificate the server sent: what --verbose prints and the JSON carries.
struct PeerCertificate {
  std::string subject;
  std::string issuer;
};

// One broken link the walk saw: a cause code of causes.h and what was found.
struct Problem {
  std::string cause;
  std::string message;
};

struct Diagnosis {
  Endpoint endpoint;
  std::vector<PeerCertificate> peer_certificates;  // as served, leaf first
  std::vector<Stage> stages;  // every stage, in order; those after a failure are skipped
  std::vector<std::string> warnings;
  bool ok = false;
  std::string stage = "done";  // the failing stage, or "done"
  std::string cause = "ok";
  std::string message;
  // One fix for every problem (names from the certificate where the certificate is at fault).
  std::string fix;
  // Every broken link seen in this one walk, the first being `cause` (empty when ok). The
  // walk stops at the first, but what the server presented is judged on dates, key, key usage,
  // trust and names alike, so a user fixes everything in one go.
  std::vector<Problem> problems;
};

// Throws UsageError for a malformed URL, or a URL, origin or subprotocol that holds a control
// character; every other problem is a finding in the result, with every text in it (details,
// messages, certificate names) safe to print (text::printable).
Diagnosis diagnose(const DiagnoseOptions& options);

// {"ok","url","stage","cause","message","fix","clients":{chrome,firefox,node,python,curl},"problems",
// "stages","peer_certificates","warnings"}: one walk of `verify-server --json`
// (man/json/verify-server.schema.json). Absent values (the fix and clients of ok) are null.
nlohmann::json to_json(const Diagnosis& d);

// What each client shows for `cause` as {chrome,firefox,node,python,curl}; null for "ok".
nlohmann::json clients_json(std::string_view cause);

// Stage names in order, for Extent::echo (the self test adds "binary echo", "1 MiB echo", "ping"
// and "close"; Extent::trust ends at "hostname").
const std::vector<std::string>& stage_names();

// "ok", "failed" or "skipped".
std::string_view status_text(Stage::Status status);

// One stage as JSON: {"name","status","detail","ms"} (the self test's setup stages use it too);
// an empty detail is null.
nlohmann::json to_json(const Stage& s);

}  // namespace devcert::diagnose
