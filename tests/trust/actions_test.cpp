#include "trust/actions.h"

#include <gtest/gtest.h>

#include "error.h"
#include "trust/stores.h"

namespace devcert::trust {
namespace {

// A store in memory, to check the flow over several stores.
class MemoryStore : public TrustStore {
 public:
  MemoryStore(std::string name, bool available = true, bool optional = false, bool fails = false)
      : name_(std::move(name)), available_(available), optional_(optional), fails_(fails) {}
  std::string name() const override { return name_; }
  std::string where() override { return "memory"; }
  Availability availability() override {
    return available_ ? Availability::yes() : Availability::no("tool missing", "install it");
  }
  bool contains(const CaCertificate&) override { return present; }
  void install(const CaCertificate&) override {
    ++installs;
    if (fails_) throw Error("tool failed", "retry");
    present = true;
  }
  void uninstall(const CaCertificate&) override { present = false; }
  bool optional_store() const override { return optional_; }
  bool present = false;
  int installs = 0;

 private:
  std::string name_;
  bool available_, optional_, fails_;
};

TEST(InstallInto, OneReportPerStoreAndNothingSkippedSilently) {
  StoreList stores;
  stores.push_back(std::make_unique<MemoryStore>("system"));
  stores.push_back(std::make_unique<MemoryStore>("nss", false));
  stores.push_back(std::make_unique<MemoryStore>("java", true, true, true));
  CaCertificate ca;
  auto reports = install_into(stores, ca);
  ASSERT_EQ(reports.size(), 3u);
  EXPECT_EQ(reports[0].outcome, Outcome::installed);
  EXPECT_EQ(reports[1].outcome, Outcome::unavailable);
  EXPECT_EQ(reports[1].fix, "install it");
  EXPECT_EQ(reports[2].outcome, Outcome::failed);
  EXPECT_FALSE(any_fatal_failure(reports)) << "a Java failure is a warning";

  auto again = install_into(stores, ca);
  EXPECT_EQ(again[0].outcome, Outcome::already_installed);
  EXPECT_EQ(static_cast<MemoryStore&>(*stores[0]).installs, 1);
}

TEST(InstallInto, AFailingRequiredStoreIsFatalButTheOthersStillRun) {
  StoreList stores;
  stores.push_back(std::make_unique<MemoryStore>("system", true, false, true));
  stores.push_back(std::make_unique<MemoryStore>("nss"));
  CaCertificate ca;
  auto reports = install_into(stores, ca);
  EXPECT_TRUE(any_fatal_failure(reports));
  EXPECT_EQ(reports[0].why, "tool failed");
  EXPECT_EQ(reports[1].outcome, Outcome::installed);
}

TEST(UninstallFrom, RemovedOrNothingToRemove) {
  StoreList stores;
  stores.push_back(std::make_unique<MemoryStore>("system"));
  stores.push_back(std::make_unique<MemoryStore>("nss"));
  static_cast<MemoryStore&>(*stores[0]).present = true;
  CaCertificate ca;
  auto reports = uninstall_from(stores, ca);
  EXPECT_EQ(reports[0].outcome, Outcome::removed);
  EXPECT_EQ(reports[1].outcome, Outcome::not_installed);
}

TEST(StatusOf, AvailableAndInstalledPerStore) {
  StoreList stores;
  stores.push_back(std::make_unique<MemoryStore>("system"));
  stores.push_back(std::make_unique<MemoryStore>("nss", false));
  static_cast<MemoryStore&>(*stores[0]).present = true;
  auto s = status_of(stores, CaCertificate{});
  EXPECT_TRUE(s[0].available && s[0].installed);
  EXPECT_FALSE(s[1].available);
  EXPECT_EQ(s[1].why, "tool missing");
}

TEST(SelectStoreNames, FlagsWinThenEnvironmentThenAll) {
  EXPECT_EQ(select_store_names({}, ""), known_store_names());
  EXPECT_EQ(select_store_names({}, "java, system"), (std::vector<std::string>{"system", "java"}));
  EXPECT_EQ(select_store_names({"nss", "nss"}, "java"), (std::vector<std::string>{"nss"}));
  EXPECT_THROW(select_store_names({"keychain"}, ""), UsageError);
  EXPECT_THROW(select_store_names({}, "system,bogus"), UsageError);
}

TEST(UntrustedSummary, EmptyWithoutACa) {
  EXPECT_EQ(untrusted_summary("/nonexistent/devcert-caroot", StoreEnvironment::from_process()), "");
}

}  // namespace
}  // namespace devcert::trust
