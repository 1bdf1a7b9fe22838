#include "pki/leaf_rules.h"

#include <unordered_set>

#include "pki/profiles.h"

namespace devcert::pki {

std::vector<SubjectName> parse_subject_names(const std::vector<std::string>& inputs) {
  if (inputs.empty()) throw UsageError("no names given", "devcert issue localhost 127.0.0.1 ::1");
  std::vector<SubjectName> names;
  // A set, not a scan of what came before: a project file may list thousands of names.
  std::unordered_set<std::string> seen;
  for (size_t i = 0; i < inputs.size(); ++i) {
    SubjectName name;
    try {
      name = classify_name(inputs[i]);
    } catch (const NameError& e) {
      throw SubjectNameError(e, i);
    }
    if (seen.insert(std::to_string(static_cast<int>(name.kind)) + ':' + name.value).second)
      names.push_back(std::move(name));
  }
  return names;
}

std::string default_file_stem(const std::vector<SubjectName>& names) {
  if (names.empty()) return "cert";
  std::string stem;
  for (char c : names.front().value) {
    if (c == '*') stem += "_wildcard";
    else if (c == ':' || c == '/') stem += '_';
    else stem += c;
  }
  if (names.size() > 1) stem += "+" + std::to_string(names.size() - 1);
  return stem;
}

LeafFileNames default_leaf_files(const std::vector<SubjectName>& names) {
  std::string stem = default_file_stem(names);
  return {stem + ".pem", stem + "-key.pem"};
}

LeafDaysError::LeafDaysError(int64_t days)
    : Error("a leaf certificate's validity must be " + allowed() + ", not " + std::to_string(days) + " days"),
      days_(days) {}

std::string LeafDaysError::allowed() {
  return "between 1 and " + std::to_string(kMaxLeafDays) + " (Apple rejects longer TLS certificates)";
}

int leaf_days(int64_t days) {
  if (days < 1 || days > kMaxLeafDays) throw LeafDaysError(days);
  return static_cast<int>(days);
}

}  // namespace devcert::pki
