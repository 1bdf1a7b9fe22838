#include "trust/java_keystore.h"

#include <openssl/evp.h>

#include <algorithm>
#include <cstdint>

#include "ossl/digest.h"

namespace devcert::trust {
namespace {

// Big-endian reads over the buffer; every read checks the bounds and a failed one poisons the
// reader, so a truncated or hostile file ends as "not JKS" instead of an overread.
class Reader {
 public:
  explicit Reader(std::string_view bytes) : bytes_(bytes) {}
  bool ok() const { return ok_; }
  std::uint64_t number(int size) {
    if (!need(size)) return 0;
    std::uint64_t v = 0;
    for (int i = 0; i < size; ++i) v = v << 8 | static_cast<unsigned char>(bytes_[pos_++]);
    return v;
  }
  std::string_view take(std::uint64_t size) {
    if (!need(size)) return {};
    auto out = bytes_.substr(pos_, size);
    pos_ += size;
    return out;
  }
  std::string_view utf() { return take(number(2)); }  // DataOutputStream.writeUTF
  std::size_t pos() const { return pos_; }

 private:
  bool need(std::uint64_t size) {
    ok_ = ok_ && size <= bytes_.size() - pos_;
    return ok_;
  }
  std::string_view bytes_;
  std::size_t pos_ = 0;
  bool ok_ = true;
};

// sun.security.provider.JavaKeyStore: MAGIC 0xFEEDFEED, VERSION_1 has no certificate-type
// strings, VERSION_2 writes "X.509" before each certificate.
constexpr std::uint64_t kMagic = 0xFEEDFEED;
constexpr std::uint64_t kPrivateKeyTag = 1, kTrustedCertTag = 2;
// Far above any real cacerts (~150 entries), far below what a corrupt count could ask for.
constexpr std::uint64_t kMaxEntries = 100000;

}  // namespace

std::optional<std::vector<KeystoreEntry>> read_jks(std::string_view bytes) {
  Reader in(bytes);
  if (in.number(4) != kMagic) return std::nullopt;
  auto version = in.number(4);
  if (version != 1 && version != 2) return std::nullopt;
  auto count = in.number(4);
  if (!in.ok() || count > kMaxEntries) return std::nullopt;
  auto certificate = [&] {
    if (version == 2) in.utf();
    return in.take(in.number(4));
  };
  std::vector<KeystoreEntry> entries;
  for (std::uint64_t i = 0; i < count && in.ok(); ++i) {
    std::size_t offset = in.pos();
    auto tag = in.number(4);
    KeystoreEntry entry{std::string(in.utf()), {}};
    in.number(8);  // creation date
    if (tag == kPrivateKeyTag) {
      in.take(in.number(4));
      auto chain = in.number(4);
      if (chain > kMaxEntries) return std::nullopt;
      for (std::uint64_t c = 0; c < chain && in.ok(); ++c) {
        auto der = certificate();
        if (c == 0) entry.der = der;
      }
    } else if (tag == kTrustedCertTag) {
      entry.der = certificate();
    } else {
      return std::nullopt;
    }
    entry.offset = offset;
    entry.size = in.pos() - offset;
    entries.push_back(std::move(entry));
  }
  if (!in.ok()) return std::nullopt;
  return entries;
}

namespace {

constexpr std::size_t kHeaderSize = 12, kDigestSize = 20;  // magic, version, count; SHA-1

// JavaKeyStore's integrity check: SHA-1 over the password as UTF-16BE, the words "Mighty
// Aphrodite", then every byte before the digest.
std::string jks_digest(std::string_view body, std::string_view password) {
  std::string input;
  for (unsigned char c : password) input += {'\0', static_cast<char>(c)};  // ASCII passwords only
  input += "Mighty Aphrodite";
  input += body;
  return ossl::digest(EVP_sha1(), input);
}

}  // namespace

std::optional<std::string> jks_without_alias(std::string_view bytes, const std::string& alias,
                                             std::string_view password) {
  auto entries = read_jks(bytes);
  if (!entries || entries->empty()) return std::nullopt;
  std::size_t body = entries->back().offset + entries->back().size;
  if (bytes.size() != body + kDigestSize ||
      jks_digest(bytes.substr(0, body), password) != bytes.substr(body))
    return std::nullopt;
  auto gone = std::find_if(entries->begin(), entries->end(), [&](const KeystoreEntry& e) { return e.alias == alias; });
  if (gone == entries->end()) return std::nullopt;
  std::string out(bytes.substr(0, kHeaderSize - 4));
  auto count = static_cast<std::uint32_t>(entries->size() - 1);
  for (int shift = 24; shift >= 0; shift -= 8) out += static_cast<char>(count >> shift & 0xff);
  out += bytes.substr(kHeaderSize, gone->offset - kHeaderSize);
  out += bytes.substr(gone->offset + gone->size, body - gone->offset - gone->size);
  out += jks_digest(out, password);
  return out;
}

bool holds_fingerprint(const std::vector<KeystoreEntry>& entries, const std::string& sha256) {
  return std::any_of(entries.begin(), entries.end(),
                     [&](const KeystoreEntry& e) { return ossl::digest_hex(EVP_sha256(), e.der) == sha256; });
}

bool holds_alias(const std::vector<KeystoreEntry>& entries, const std::string& alias) {
  return std::any_of(entries.begin(), entries.end(),
                     [&](const KeystoreEntry& e) { return e.alias == alias; });
}

}  // namespace devcert::trust
