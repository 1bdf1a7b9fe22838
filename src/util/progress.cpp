#include "util/progress.h"

#include <array>
#include <ostream>

namespace devcert::progress {
namespace {

std::ostream* sink = nullptr;  // null: disabled
Task* current = nullptr;
std::size_t drawn = 0;  // width of the line on screen, 0 when none

constexpr std::array<const char*, 10> kFrames{"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"};
constexpr auto kInterval = std::chrono::milliseconds(100);

}  // namespace

void enable(std::ostream& err) { sink = &err; }

void disable() {
  erase();
  sink = nullptr;
}

void erase() {
  if (!sink || drawn == 0) return;
  // Spaces rather than an escape sequence: right on any terminal, TERM=dumb included.
  *sink << '\r' << std::string(drawn, ' ') << '\r' << std::flush;
  drawn = 0;
}

Task::Task(std::string what)
    : what_(std::move(what)), last_draw_(std::chrono::steady_clock::now()), previous_(current) {
  current = this;
}

Task::~Task() {
  if (current == this) {
    erase();
    current = previous_;
  }
}

void Task::tick() {
  if (!sink || current != this) return;
  auto now = std::chrono::steady_clock::now();
  if (now - last_draw_ < kInterval) return;
  last_draw_ = now;
  draw();
}

void Task::update(std::string what) {
  what_ = std::move(what);
  tick();
}

void Task::draw() {
  erase();
  std::string line = std::string(kFrames[frame_++ % kFrames.size()]) + " " + what_;
  *sink << line << std::flush;
  drawn = what_.size() + 2;  // the frame is one column wide
}

}  // namespace devcert::progress
