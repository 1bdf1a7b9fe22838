// Java's cacerts through keytool: $JAVA_HOME, else the JDK that `java` on PATH belongs to.
#pragma once

#include <optional>
#include <string>

#include "trust/java_keystore.h"
#include "trust/store.h"
#include "util/process.h"

namespace devcert::trust {

struct JavaOptions {
  std::string java_home;  // $JAVA_HOME; empty: follow `java` on PATH
  bool is_root = false;   // a cacerts we cannot write is changed through sudo
};

struct JavaLocation {
  stdfs::path home;
  stdfs::path cacerts;
  std::string keytool;
};

class JavaStore : public TrustStore {
 public:
  JavaStore(process::CommandRunner& runner, JavaOptions options)
      : runner_(runner), options_(std::move(options)) {}
  std::string name() const override { return "java"; }
  std::string where() override;
  Availability availability() override;
  bool contains(const CaCertificate& ca) override;
  void install(const CaCertificate& ca) override;
  void uninstall(const CaCertificate& ca) override;
  std::vector<StoreLocation> locations(const CaCertificate& ca) override;
  bool optional_store() const override { return true; }
  // Debian's update-ca-certificates hook copies system roots into cacerts.
  std::vector<std::string> runs_after() const override { return {"system"}; }
  std::string fix_for_foreign_entry() const override {
    return "devcert uninstall --store system (Debian's update hook copies system roots into Java's cacerts)";
  }

  std::optional<JavaLocation> locate();
  std::vector<std::string> keytool_argv(std::vector<std::string> args);

 private:
  bool has_alias(const std::string& alias);
  std::optional<std::vector<KeystoreEntry>> read_entries();
  void run_keytool(std::vector<std::string> args, const std::string& what);

  process::CommandRunner& runner_;
  JavaOptions options_;
};

}  // namespace devcert::trust
