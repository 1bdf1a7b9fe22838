#include "cli/json_vocabulary.h"

namespace devcert::cli {

nlohmann::json json_path_or_null(const std::filesystem::path& path) {
  return path.empty() ? nlohmann::json(nullptr) : nlohmann::json(path.string());
}

nlohmann::json json_text_or_null(const std::string& text) {
  return text.empty() ? nlohmann::json(nullptr) : nlohmann::json(text);
}

nlohmann::json json_ca(const trust::CaCertificate& ca) {
  return {{"file", ca.file.string()},
          {"name", ca.name},
          {"fingerprint_sha256", ca.fingerprint},
          {"not_after", ca.not_after}};
}

nlohmann::json json_name(std::string_view type, const std::string& value) {
  return {{"type", type}, {"value", type == "other" ? nlohmann::json(nullptr) : nlohmann::json(value)}};
}

nlohmann::json json_name(const pki::SubjectName& name) {
  nlohmann::json j = json_name(pki::kind_name(name.kind), name.value);
  j["input"] = name.input;
  return j;
}

nlohmann::json json_store_status(const trust::StoreStatus& s) {
  nlohmann::json databases = nlohmann::json::array();
  for (const auto& l : s.locations)
    databases.push_back(
        {{"label", l.label}, {"path", l.path.string()}, {"exists", l.exists}, {"installed", l.holds_root}});
  return {{"name", s.store},       {"where", json_text_or_null(s.where)}, {"available", s.available},
          {"installed", s.installed}, {"why", json_text_or_null(s.why)},     {"fix", json_text_or_null(s.fix)},
          {"databases", databases}};
}

nlohmann::json json_error(const std::string& message, const std::string& fix, int exit_code) {
  return {{"ok", false}, {"error", message}, {"fix", json_text_or_null(fix)}, {"exit_code", exit_code}};
}

void print_json(std::ostream& out, const nlohmann::json& doc) {
  out << doc.dump(2, ' ', true, nlohmann::json::error_handler_t::replace) << "\n" << std::flush;
}

}  // namespace devcert::cli
