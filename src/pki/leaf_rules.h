// The rules a leaf request follows, whether its names and validity come from the command line
// or from a devcert.toml [[cert]]: written once here, so both sources drop the same duplicates,
// name the same files and bound the same days. The errors name no flag and no file position;
// the caller says where the refused value came from.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "error.h"
#include "pki/names.h"

namespace devcert::pki {

// One refused input of parse_subject_names: classify_name's message and fix, and which input it
// was, so that a caller can point at it (an element of devcert.toml's names).
class SubjectNameError : public NameError {
 public:
  SubjectNameError(const NameError& refused, size_t index)
      : NameError(refused.what(), refused.fix(), refused.exit_code()), index_(index) {}
  size_t index() const { return index_; }

 private:
  size_t index_;
};

// Classifies every input in order and drops exact duplicates (after normalisation: LOCALHOST is
// localhost, 0:0::1 is ::1). Throws SubjectNameError for the first bad one, UsageError on an
// empty list.
std::vector<SubjectName> parse_subject_names(const std::vector<std::string>& inputs);

// "localhost+2" for {localhost, 127.0.0.1, ::1}; '*' becomes "_wildcard", ':' becomes '_'.
std::string default_file_stem(const std::vector<SubjectName>& names);

// Where a leaf's files go when none is named: "localhost+2.pem" and "localhost+2-key.pem", as
// mkcert names them. Counted on parse_subject_names' result, so duplicates never count.
struct LeafFileNames {
  std::string cert, key;
};
LeafFileNames default_leaf_files(const std::vector<SubjectName>& names);

// A validity outside 1..kMaxLeafDays (profiles.h says why 825).
class LeafDaysError : public Error {
 public:
  explicit LeafDaysError(int64_t days);
  int64_t days() const { return days_; }
  // "between 1 and 825 (Apple rejects longer TLS certificates)": what a setting of the days
  // must be, for a caller that names the setting.
  static std::string allowed();

 private:
  int64_t days_;
};

// `days` as a leaf's validity; throws LeafDaysError outside 1..kMaxLeafDays.
int leaf_days(int64_t days);

}  // namespace devcert::pki
