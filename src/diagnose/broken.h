// How a stage of the diagnosis says that its link is broken: thrown inside the stage, recorded by
// the walk, which then skips every later stage.
#pragma once

#include <string>

namespace devcert::diagnose {

struct Broken {
  std::string cause;  // a code of causes.h
  std::string message;
  std::string fix;  // "" = the cause's standard fix
};

}  // namespace devcert::diagnose
