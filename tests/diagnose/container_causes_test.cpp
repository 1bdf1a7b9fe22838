#include "diagnose/container_causes.h"

#include <gtest/gtest.h>

namespace devcert::diagnose {
namespace {

Diagnosis diagnosis_failing_with(const std::string& cause, const std::string& host) {
  Diagnosis d;
  d.cause = cause;
  d.endpoint.host = host;
  return d;
}

TEST(ContainerCause, TheRootMissingFromTheContainersStore) {
  auto c = container_cause(diagnosis_failing_with("ca_not_installed", "host.containers.internal"), "web");
  ASSERT_TRUE(c);
  EXPECT_EQ(c->what, "the root is not in the container's store");
  EXPECT_EQ(c->fix, "devcert install --container web");
}

TEST(ContainerCause, LocalhostIsTheContainerItself) {
  for (const char* host : {"localhost", "127.0.0.1", "::1", "app.localhost"}) {
    auto c = container_cause(diagnosis_failing_with("connection_refused", host), "web");
    ASSERT_TRUE(c) << host;
    EXPECT_EQ(c->what.rfind("the container resolves localhost to itself", 0), 0u) << c->what;
    EXPECT_NE(c->fix.find("host.containers.internal"), std::string::npos);
    EXPECT_NE(c->fix.find("--network host"), std::string::npos);
  }
  EXPECT_FALSE(container_cause(diagnosis_failing_with("connection_refused", "host.containers.internal"), "web"));
  EXPECT_FALSE(container_cause(diagnosis_failing_with("hostname_mismatch", "localhost"), "web"));
  EXPECT_FALSE(container_cause(diagnosis_failing_with("ok", "localhost"), "web"));
}

}  // namespace
}  // namespace devcert::diagnose
