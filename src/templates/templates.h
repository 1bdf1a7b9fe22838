// The files under templates/ (test page, sample devcert.toml, snippets), embedded at build time.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace devcert::templates {

// The bytes of templates/<name> ("index.html", "snippets/nginx.conf"), or nullopt.
std::optional<std::string_view> find(std::string_view name);

// Every embedded file name, sorted.
std::vector<std::string_view> names();

}  // namespace devcert::templates
