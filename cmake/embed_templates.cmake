# Generates a C++ source that holds every file under templates/ as bytes, so an installed
# devcert never reads the source tree. Run with -DSRC_DIR=... -DOUT=...
file(GLOB_RECURSE files RELATIVE "${SRC_DIR}" "${SRC_DIR}/*")
list(SORT files)
set(body "")
set(table "")
set(i 0)
foreach(f IN LISTS files)
  file(READ "${SRC_DIR}/${f}" hex HEX)
  string(LENGTH "${hex}" hexlen)
  math(EXPR len "${hexlen} / 2")
  string(REGEX REPLACE "([0-9a-f][0-9a-f])" "'\\\\x\\1'," bytes "${hex}")
  string(APPEND body "constexpr char k${i}[] = {${bytes} 0};\n")
  string(APPEND table "    {\"${f}\", std::string_view(k${i}, ${len})},\n")
  math(EXPR i "${i} + 1")
endforeach()
file(WRITE "${OUT}.tmp" "// Generated from templates/ by cmake/embed_templates.cmake. Do not edit.
#include \"templates/templates.h\"

#include <array>
#include <utility>

namespace devcert::templates {
namespace {
${body}
constexpr std::pair<std::string_view, std::string_view> kFiles[] = {
${table}    {\"\", \"\"}};
}  // namespace

std::optional<std::string_view> find(std::string_view name) {
  for (const auto& [n, data] : kFiles)
    if (!n.empty() && n == name) return data;
  return std::nullopt;
}

std::vector<std::string_view> names() {
  std::vector<std::string_view> out;
  for (const auto& [n, data] : kFiles)
    if (!n.empty()) out.push_back(n);
  return out;
}

}  // namespace devcert::templates
")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
