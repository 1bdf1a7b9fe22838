// Every committed fuzz input (seeds and the crashes fuzzing found) through its target's body, in
// the normal and the sanitizer build: a fixed bug that comes back fails here, not only in fuzz.sh.
#include <gtest/gtest.h>

#include <functional>

#include "fuzz/targets.h"
#include "support/helpers.h"

namespace devcert::fuzz {
namespace {

using devcert::test::read_text;
namespace stdfs = std::filesystem;

void run_corpus(const std::string& target, const std::function<void(std::string_view)>& body) {
  stdfs::path dir = stdfs::path(DEVCERT_SOURCE_DIR) / "tests" / "fuzz" / target;
  int count = 0;
  for (const auto& entry : stdfs::directory_iterator(dir)) {
    SCOPED_TRACE(entry.path().string());
    std::string data = read_text(entry.path());
    EXPECT_NO_THROW(body(data));
    ++count;
  }
  EXPECT_GT(count, 0) << "no corpus in " << dir;
}

TEST(FuzzCorpus, Names) { run_corpus("names", names); }
TEST(FuzzCorpus, Certificate) { run_corpus("certificate", certificate); }
TEST(FuzzCorpus, Csr) { run_corpus("csr", csr); }
TEST(FuzzCorpus, HttpResponse) { run_corpus("http_response", http_response); }
TEST(FuzzCorpus, Url) { run_corpus("url", url); }
TEST(FuzzCorpus, WebsocketFrame) { run_corpus("websocket_frame", websocket_frame); }
TEST(FuzzCorpus, Config) { run_corpus("config", config); }
TEST(FuzzCorpus, PrivateKey) { run_corpus("private_key", private_key); }
TEST(FuzzCorpus, JavaKeystore) { run_corpus("java_keystore", java_keystore); }
TEST(FuzzCorpus, Jws) { run_corpus("jws", jws); }

// The invariant checks can fail: a body that accepted anything would pass every corpus.
TEST(FuzzCorpus, InvariantViolationIsReported) {
  EXPECT_THROW(DEVCERT_FUZZ_CHECK(1 + 1 == 3), InvariantViolation);
}

}  // namespace
}  // namespace devcert::fuzz
