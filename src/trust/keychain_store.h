// macOS keychains through security(1): the System keychain (trusted for every user, via sudo)
// when devcert is root or sudo exists, else the login keychain. Only argv and parsing, through
// a CommandRunner, so it is unit-tested on Linux; system-darwin.cpp only picks it.
#pragma once

#include "trust/store.h"
#include "util/process.h"

namespace devcert::trust {

struct KeychainOptions {
  stdfs::path home;      // login keychain: ~/Library/Keychains/login.keychain-db
  bool is_root = false;
};

class KeychainStore : public TrustStore {
 public:
  KeychainStore(process::CommandRunner& runner, KeychainOptions options)
      : runner_(runner), options_(std::move(options)) {}
  std::string name() const override { return "system"; }
  std::string where() override { return keychain(); }
  Availability availability() override;
  bool contains(const CaCertificate& ca) override;
  void install(const CaCertificate& ca) override;
  void uninstall(const CaCertificate& ca) override;

  bool system_keychain();  // root or sudo: the System keychain
  std::string keychain();
  std::vector<std::string> add_argv(const CaCertificate& ca);
  std::vector<std::string> remove_trust_argv(const CaCertificate& ca);
  std::vector<std::string> delete_argv(const CaCertificate& ca);

 private:
  std::vector<std::string> privileged(std::vector<std::string> argv);
  void run(const std::vector<std::string>& argv, const std::string& what);

  process::CommandRunner& runner_;
  KeychainOptions options_;
};

}  // namespace devcert::trust
