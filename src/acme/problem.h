// An ACME problem document (RFC 8555 section 6.7, RFC 7807): what a refused request gets.
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace devcert::acme {

class Problem : public std::runtime_error {
 public:
  // `type` is the part after "urn:ietf:params:acme:error:" ("badNonce").
  Problem(std::string type, std::string detail, int status = 400)
      : std::runtime_error(detail), type_(std::move(type)), status_(status) {}

  const std::string& type() const { return type_; }
  int status() const { return status_; }
  std::string urn() const { return "urn:ietf:params:acme:error:" + type_; }

  // Per-identifier problems (RFC 8555 section 6.7.1).
  Problem& with(const std::string& type, const std::string& identifier_type, const std::string& value,
                const std::string& detail) {
    sub_.push_back({{"type", "urn:ietf:params:acme:error:" + type},
                    {"detail", detail},
                    {"identifier", {{"type", identifier_type}, {"value", value}}}});
    return *this;
  }

  nlohmann::json to_json() const {
    nlohmann::json j = {{"type", urn()}, {"detail", what()}, {"status", status_}};
    if (!sub_.empty()) j["subproblems"] = sub_;
    // RFC 8555 section 6.2: the algorithms the server accepts, so a client can pick another.
    if (type_ == "badSignatureAlgorithm")
      j["algorithms"] = {"ES256", "ES384", "ES512", "RS256", "RS384", "RS512", "EdDSA"};
    return j;
  }

 private:
  std::string type_;
  int status_;
  std::vector<nlohmann::json> sub_;
};

}  // namespace devcert::acme
