// `devcert init --permit` on a CA that exists: the root widened over the same key, certificates
// issued before still verifying (openssl verify), and every refusal changing nothing.
#include <gtest/gtest.h>

#include "cli_fixture.h"

namespace devcert::test {
namespace {

class WidenCommand : public CliTest {
 protected:
  // No store holds these temporary roots; NSS under a HOME of the test's own keeps it so.
  ProcessResult run(const std::vector<std::string>& args) {
    return devcert(args, {{"HOME", (tmp / "home").string()}, {"DEVCERT_TRUST_STORES", "nss"}});
  }
  ProcessResult openssl_verify(const std::string& leaf) {
    return run_process({"openssl", "verify", "-CAfile", (caroot / "rootCA.pem").string(), (work / leaf).string()});
  }
};

// mkcert's own help example: example.com is permitted now, myapp.dev (a public TLD) is named
// with the one command that permits it; after that command both the leaf issued before and
// the new one verify under the new root alone.
TEST_F(WidenCommand, TheMkcertExampleNamesWhatIsOutsideThenOneWideningIssuesIt) {
  init_ca();
  std::string key = read_text(caroot / "rootCA-key.pem");
  ASSERT_EQ(run({"issue", "--cert-file", "before.pem", "--key-file", "before-key.pem", "localhost", "example.com"})
                .exit_code, 0);
  auto refused = run({"issue", "example.com", "myapp.dev", "localhost", "127.0.0.1", "::1", "other.dev"});
  EXPECT_EQ(refused.exit_code, 1);
  EXPECT_NE(refused.err.find("cannot issue for myapp.dev, other.dev:"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("devcert init --permit myapp.dev --permit other.dev"), std::string::npos) << refused.err;
  EXPECT_FALSE(stdfs::exists(work / "example.com+5.pem"));

  auto widen = run({"init", "--permit", "myapp.dev"});
  ASSERT_EQ(widen.exit_code, 0) << widen.out << widen.err;
  EXPECT_NE(widen.out.find("widened the devcert CA in " + caroot.string()), std::string::npos) << widen.out;
  EXPECT_NE(widen.out.find("  added:       myapp.dev\n"), std::string::npos) << widen.out;
  EXPECT_NE(widen.out.find("home.arpa example.com example.net example.org myapp.dev (and their subdomains)"),
            std::string::npos) << widen.out;
  EXPECT_NE(widen.err.find("--permit myapp.dev (a public name)"), std::string::npos) << "a public name warns";
  EXPECT_NE(widen.out.find("no trust store held the old root"), std::string::npos) << widen.out;
  EXPECT_EQ(read_text(caroot / "rootCA-key.pem"), key);

  auto issued = run({"issue", "--cert-file", "after.pem", "--key-file", "after-key.pem", "example.com", "myapp.dev",
                     "localhost", "127.0.0.1", "::1"});
  ASSERT_EQ(issued.exit_code, 0) << issued.err;
  for (const char* leaf : {"before.pem", "after.pem"}) {
    auto v = openssl_verify(leaf);
    EXPECT_EQ(v.exit_code, 0) << leaf << ": " << v.out << v.err;
  }
  // No store held the old root, so it is not kept.
  for (const auto& e : stdfs::directory_iterator(caroot))
    EXPECT_FALSE(e.path().filename().string().starts_with("rootCA-previous-")) << e.path();

  auto again = run({"init", "--permit", "myapp.dev"});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("already permits myapp.dev; nothing changed"), std::string::npos) << again.out;
}

// A CAROOT as mkcert makes it (the same file names, no name constraints, no lock file).
TEST_F(WidenCommand, AnUnconstrainedCaSuchAsMkcertsIsRefusedAndNothingChanges) {
  stdfs::create_directories(caroot);
  stdfs::permissions(caroot, stdfs::perms::owner_all);
  auto made = run_process({"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                           "-nodes", "-days", "30", "-subj", "/O=mkcert development CA/CN=mkcert me@box",
                           "-addext", "basicConstraints=critical,CA:TRUE,pathlen:0",
                           "-addext", "keyUsage=critical,keyCertSign",
                           "-keyout", (caroot / "rootCA-key.pem").string(),
                           "-out", (caroot / "rootCA.pem").string()});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  stdfs::permissions(caroot / "rootCA-key.pem", stdfs::perms::owner_read | stdfs::perms::owner_write);
  stdfs::permissions(caroot / "rootCA.pem", stdfs::perms::owner_read | stdfs::perms::owner_write |
                                                stdfs::perms::group_read | stdfs::perms::others_read);
  auto before = entries(caroot);
  auto r = run({"init", "--permit", "mycorp.dev"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("has no name constraints: it already may sign any name, so there is nothing to widen"),
            std::string::npos) << r.err;
  EXPECT_NE(r.err.find("devcert issue NAME"), std::string::npos) << r.err;
  EXPECT_EQ(entries(caroot), before) << "not even a lock file";
}

TEST_F(WidenCommand, ACaWithoutItsKeyIsRefusedAndNothingChanges) {
  init_ca();
  stdfs::rename(caroot / "rootCA-key.pem", tmp / "elsewhere.pem");
  auto before = snapshot(caroot);
  auto r = run({"init", "--permit", "mycorp.dev"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("cannot widen the CA in " + caroot.string() + ": it has no key"), std::string::npos) << r.err;
  EXPECT_EQ(snapshot(caroot), before);
}

TEST_F(WidenCommand, ABadPermitOnAnExistingCaIsAUsageErrorAndNothingChanges) {
  init_ca();
  auto before = entries(caroot);
  auto r = run({"init", "--permit", "mycorp.dev", "--permit", "10.0.0.0/40"});
  EXPECT_EQ(r.exit_code, 2) << r.err;
  EXPECT_NE(r.err.find("'10.0.0.0/40' has a bad prefix length"), std::string::npos) << r.err;
  EXPECT_EQ(entries(caroot), before);
}

// A team's [ca] permit that the developer's older CA lacks: said with the command, not applied
// (a cloned repository must not widen a root by itself).
TEST_F(WidenCommand, AProjectFilesPermitTheCaLacksIsSaidWithTheCommandNotApplied) {
  init_ca();
  write_text(work / "devcert.toml", "[ca]\npermit = [\"mycorp.dev\", \"app.test\"]\n");
  auto before = snapshot(caroot);
  auto r = run({"init"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("devcert.toml [ca] permit lists mycorp.dev, which this CA does not permit"),
            std::string::npos) << r.err;
  EXPECT_NE(r.err.find("devcert init --permit mycorp.dev\n"), std::string::npos) << r.err;
  EXPECT_EQ(snapshot(caroot), before);
  ASSERT_EQ(run({"init", "--permit", "mycorp.dev"}).exit_code, 0);
  auto quiet = run({"init"});
  EXPECT_EQ(quiet.err.find("does not permit"), std::string::npos) << quiet.err;
}

}  // namespace
}  // namespace devcert::test
