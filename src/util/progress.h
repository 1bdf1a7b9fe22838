// Progress for long work (RSA key generation, installing into many stores): one line on stderr
// with a spinner, redrawn in place and erased when the work ends. Each Output owns one Line,
// drawn only after enable() (app.cpp calls it when stderr is a terminal and --quiet is off) and
// only for work that lasts: the first frame appears after 100 ms, so quick runs print nothing.
#pragma once

#include <chrono>
#include <functional>
#include <iosfwd>
#include <string>
#include <string_view>

namespace devcert::progress {

class Task;

// The progress line of one output stream.
class Line {
 public:
  void enable(std::ostream& err) { sink_ = &err; }
  void disable();
  // Erases the line so that a message can be written; the next tick redraws it.
  void erase();

 private:
  friend class Task;
  std::ostream* sink_ = nullptr;  // null: disabled
  Task* current_ = nullptr;       // the newest task, the one shown
  std::size_t drawn_ = 0;         // width of the line on screen, 0 when none
};

// One piece of long work; at most one is shown at a time (the newest).
class Task {
 public:
  Task(Line& line, std::string what);
  ~Task();  // erases the line
  Task(const Task&) = delete;
  Task& operator=(const Task&) = delete;

  void tick();                    // the spinner advances (redrawn at most 10 times a second)
  void update(std::string what);  // a new label, e.g. the store being installed into
  // update() as a callback, for work below the CLI that reports what it is doing.
  std::function<void(std::string_view)> reporter() {
    return [this](std::string_view doing) { update(std::string(doing)); };
  }

 private:
  void draw();
  Line& line_;
  std::string what_;
  unsigned frame_ = 0;
  std::chrono::steady_clock::time_point last_draw_;
  Task* previous_;
};

}  // namespace devcert::progress
