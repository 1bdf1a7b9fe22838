#include "util/progress.h"

#include <array>
#include <ostream>

namespace devcert::progress {
namespace {

constexpr std::array<const char*, 10> kFrames{"⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"};
constexpr auto kInterval = std::chrono::milliseconds(100);

}  // namespace

void Line::disable() {
  erase();
  sink_ = nullptr;
}

void Line::erase() {
  if (!sink_ || drawn_ == 0) return;
  // Spaces rather than an escape sequence: right on any terminal, TERM=dumb included.
  *sink_ << '\r' << std::string(drawn_, ' ') << '\r' << std::flush;
  drawn_ = 0;
}

Task::Task(Line& line, std::string what)
    : line_(line), what_(std::move(what)), last_draw_(std::chrono::steady_clock::now()), previous_(line.current_) {
  line_.current_ = this;
}

Task::~Task() {
  if (line_.current_ == this) {
    line_.erase();
    line_.current_ = previous_;
  }
}

void Task::tick() {
  if (!line_.sink_ || line_.current_ != this || what_.empty()) return;
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
  line_.erase();
  std::string line = std::string(kFrames[frame_++ % kFrames.size()]) + " " + what_;
  *line_.sink_ << line << std::flush;
  line_.drawn_ = what_.size() + 2;  // the frame is one column wide
}

}  // namespace devcert::progress
