// The JSON every command prints with --json, in one vocabulary: the same thing has the same name
// and type everywhere (man/json/common.schema.json is its schema, man/devcert.1 its prose).
#pragma once

#include <filesystem>
#include <ostream>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "pki/names.h"
#include "trust/actions.h"
#include "trust/store.h"

namespace devcert::cli {

// An absent value is null, never "": a script tests one thing.
nlohmann::json json_path_or_null(const std::filesystem::path& path);
nlohmann::json json_text_or_null(const std::string& text);

// The devcert root: {file, name, fingerprint_sha256, not_after}.
nlohmann::json json_ca(const trust::CaCertificate& ca);

// One subjectAltName, {type, value}: `type` is pki::kind_name's word, or "uri"/"other" for what
// devcert only reads; a kind devcert does not read ("other") has a null value.
nlohmann::json json_name(std::string_view type, const std::string& value);
// A name as typed and as it went into the certificate: {type, value, input}.
nlohmann::json json_name(const pki::SubjectName& name);

// One trust store as status sees it: {name, where, available, installed, why, fix, databases}.
nlohmann::json json_store_status(const trust::StoreStatus& status);

// What any command prints when it fails: {ok: false, error, fix, exit_code}.
nlohmann::json json_error(const std::string& message, const std::string& fix, int exit_code);

// One object and a newline, ASCII only: a path or a certificate's text stays exact (\u escapes)
// yet carries no byte a terminal acts on, C1 controls included, which JSON would pass raw.
void print_json(std::ostream& out, const nlohmann::json& doc);

}  // namespace devcert::cli
