// Progress for long work (RSA key generation, installing into many stores): one line on stderr
// with a spinner, redrawn in place and erased when the work ends. Drawn only after enable()
// (app.cpp calls it when stderr is a terminal and --quiet is off) and only for work that lasts:
// the first frame appears after 100 ms, so quick runs print nothing. Otherwise a no-op.
#pragma once

#include <chrono>
#include <iosfwd>
#include <string>

namespace devcert::progress {

void enable(std::ostream& err);
void disable();

// One piece of long work; at most one is shown at a time (the newest).
class Task {
 public:
  explicit Task(std::string what);
  ~Task();  // erases the line
  Task(const Task&) = delete;
  Task& operator=(const Task&) = delete;

  void tick();                    // the spinner advances (redrawn at most 10 times a second)
  void update(std::string what);  // a new label, e.g. the store being installed into

 private:
  void draw();
  std::string what_;
  unsigned frame_ = 0;
  std::chrono::steady_clock::time_point last_draw_;
  Task* previous_;
};

// Erases the progress line so that a message can be written; the next tick redraws it.
void erase();

}  // namespace devcert::progress
