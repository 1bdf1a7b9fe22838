#include "trust/actions.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <mutex>

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
  process::SystemRunner runner;
  EXPECT_EQ(untrusted_summary("/nonexistent/devcert-caroot", StoreEnvironment::from(Environment()), runner), "");
}


// A store whose install records when it starts and ends, and may wait for another store's start.
class OrderedStore : public MemoryStore {
 public:
  struct Log {
    std::mutex mutex;
    std::condition_variable changed;
    std::vector<std::string> events;
    bool saw(const std::string& event) {
      return std::find(events.begin(), events.end(), event) != events.end();
    }
  };
  OrderedStore(std::string name, Log& log, std::vector<std::string> after = {}, std::string waits_for = {})
      : MemoryStore(std::move(name)), log_(log), after_(std::move(after)), waits_for_(std::move(waits_for)) {}
  std::vector<std::string> runs_after() const override { return after_; }
  void install(const CaCertificate& ca) override {
    std::unique_lock lock(log_.mutex);
    log_.events.push_back(name() + " start");
    log_.changed.notify_all();
    // Run one at a time, this would wait forever: the bound turns that into a failed report.
    if (!waits_for_.empty() &&
        !log_.changed.wait_for(lock, std::chrono::seconds(30), [&] { return log_.saw(waits_for_ + " start"); }))
      throw Error("never saw " + waits_for_ + " start", "");
    log_.events.push_back(name() + " end");
    lock.unlock();
    MemoryStore::install(ca);
  }

 private:
  Log& log_;
  std::vector<std::string> after_;
  std::string waits_for_;
};

// Independent stores work at the same time, and a store that runs after another (Java after the
// system store, whose Debian hook writes into Java's cacerts) starts only once that one is done.
TEST(InstallInto, IndependentStoresOverlapAndDependentOnesFollow) {
  OrderedStore::Log log;
  StoreList stores;
  stores.push_back(std::make_unique<OrderedStore>("system", log, std::vector<std::string>{}, "nss"));
  stores.push_back(std::make_unique<OrderedStore>("nss", log, std::vector<std::string>{}, "system"));
  stores.push_back(std::make_unique<OrderedStore>("java", log, std::vector<std::string>{"system"}));
  CaCertificate ca;
  auto reports = install_into(stores, ca);
  ASSERT_EQ(reports.size(), 3u);
  for (const auto& r : reports) EXPECT_EQ(r.outcome, Outcome::installed) << r.store << ": " << r.why;
  EXPECT_EQ(reports[2].store, "java") << "reports keep the stores' order";
  auto at = [&](const std::string& e) { return std::find(log.events.begin(), log.events.end(), e) - log.events.begin(); };
  EXPECT_LT(at("system end"), at("java start"));
}

// Debian's update hook copies the system root into Java's cacerts: on the first install Java is
// "installed" (by the system store), not "already installed".
class FeedingStore : public MemoryStore {
 public:
  FeedingStore(MemoryStore& fed) : MemoryStore("system"), fed_(fed) {}
  void install(const CaCertificate& ca) override {
    MemoryStore::install(ca);
    fed_.present = true;
  }

 private:
  MemoryStore& fed_;
};

class FollowingStore : public MemoryStore {
 public:
  FollowingStore() : MemoryStore("java") {}
  std::vector<std::string> runs_after() const override { return {"system"}; }
};

TEST(InstallInto, AStoreFilledByTheOneItFollowsCountsAsInstalledByThisRun) {
  auto java = std::make_unique<FollowingStore>();
  auto& java_ref = *java;
  StoreList stores;
  stores.push_back(std::make_unique<FeedingStore>(java_ref));
  stores.push_back(std::move(java));
  CaCertificate ca;
  auto first = install_into(stores, ca);
  EXPECT_EQ(first[1].outcome, Outcome::installed) << outcome_text(first[1].outcome);
  EXPECT_EQ(first[1].why, "added when the system store was updated");
  EXPECT_EQ(java_ref.installs, 0) << "nothing to add: the hook did it";
  auto again = install_into(stores, ca);
  EXPECT_EQ(again[1].outcome, Outcome::already_installed);
}

}  // namespace
}  // namespace devcert::trust
