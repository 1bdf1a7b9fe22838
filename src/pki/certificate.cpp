#include "pki/certificate.h"

#include <openssl/rand.h>

#include <algorithm>
#include <ctime>

#include "error.h"
#include "ossl/check.h"
#include "ossl/general_name.h"
#include "pki/leaf_rules.h"

namespace devcert::pki {
namespace {

constexpr long kDay = 24 * 60 * 60;

void add_ext(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  ossl::X509Extension ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
  if (!ext) ossl::throw_error(std::string("cannot build extension ") + OBJ_nid2sn(nid));
  ossl::check_one(X509_add_ext(cert, ext.get(), -1), "cannot add an extension");
}

void add_name_entry(X509_NAME* name, const char* field, const std::string& value) {
  ossl::check_one(X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8,
                                             reinterpret_cast<const unsigned char*>(value.data()),
                                             static_cast<int>(value.size()), -1, 0),
                  std::string("cannot set ") + field);
}

void set_validity(X509* cert, long not_before_offset, long not_after_offset) {
  time_t now = std::time(nullptr);
  ossl::check(X509_time_adj_ex(X509_getm_notBefore(cert), 0, not_before_offset, &now),
              "cannot set notBefore");
  ossl::check(X509_time_adj_ex(X509_getm_notAfter(cert), 0, not_after_offset, &now),
              "cannot set notAfter");
}

// Whether a certificate object holds its decoded public key (see set_public_key).
enum class PublicKey { decoded, written };

// The subject public key. For an EC key on a named curve the SubjectPublicKeyInfo is written
// directly (id-ecPublicKey, the curve, the point: what OpenSSL's encoder writes), because
// X509_set_pubkey in OpenSSL 3.0 builds every encoder it has and decodes the result back (4.8
// million instructions, a fifth of a `devcert issue`). The object then lacks its decoded key
// (PublicKey::written), so signed_certificate() reads the signed certificate back.
PublicKey set_public_key(X509* cert, EVP_PKEY* key) {
  int curve = ec_curve_nid(key);
  std::string point = curve == NID_undef ? std::string() : encoded_public_key(key);
  if (!point.empty()) {
    auto* bits = static_cast<unsigned char*>(OPENSSL_memdup(point.data(), point.size()));
    if (bits && X509_PUBKEY_set0_param(X509_get_X509_PUBKEY(cert), OBJ_nid2obj(NID_X9_62_id_ecPublicKey),
                                       V_ASN1_OBJECT, OBJ_nid2obj(curve), bits, static_cast<int>(point.size())))
      return PublicKey::written;
    OPENSSL_free(bits);
  }
  ossl::check_one(X509_set_pubkey(cert, key), "cannot set the public key");
  return PublicKey::decoded;
}

PublicKey start_certificate(X509* cert, EVP_PKEY* subject_key) {
  ossl::check_one(X509_set_version(cert, X509_VERSION_3), "cannot set the version");
  ossl::Asn1Integer serial = random_serial();
  ossl::check_one(X509_set_serialNumber(cert, serial.get()), "cannot set the serial");
  return set_public_key(cert, subject_key);
}

// Signs `cert` with `key`. Where the public key was written directly, the result is the signed
// certificate read back from its DER: an object like one loaded from a file, whose
// X509_get0_pubkey works for every later use (TLS servers, PKCS#12, verification).
ossl::X509Ptr signed_certificate(ossl::X509Ptr cert, EVP_PKEY* key, PublicKey subject_key, const char* what) {
  if (X509_sign(cert.get(), key, digest_for(key)) <= 0) ossl::throw_error(std::string("cannot sign ") + what);
  if (subject_key == PublicKey::decoded) return cert;
  unsigned char* der = nullptr;
  int len = i2d_X509(cert.get(), &der);
  if (len <= 0) ossl::throw_error(std::string("cannot encode ") + what);
  const unsigned char* in = der;
  ossl::X509Ptr read(d2i_X509(nullptr, &in, len));
  OPENSSL_free(der);
  if (!read) ossl::throw_error(std::string("cannot read back ") + what);
  return read;
}

ossl::GeneralNames subject_alt_names(const std::vector<SubjectName>& names) {
  ossl::GeneralNames gens(ossl::check(GENERAL_NAMES_new(), "cannot allocate names"));
  for (const auto& n : names) {
    int type = n.kind == NameKind::ip ? GEN_IPADD : n.kind == NameKind::email ? GEN_EMAIL : GEN_DNS;
    ossl::GeneralName gen = ossl::make_general_name(type, n.kind == NameKind::ip ? n.ip_bytes : n.value);
    ossl::check(sk_GENERAL_NAME_push(gens.get(), gen.get()), "cannot add a name");
    gen.release();
  }
  return gens;
}

// At most `max` bytes of `s`, never ending inside a UTF-8 sequence.
std::string utf8_prefix(const std::string& s, std::size_t max) {
  if (s.size() <= max) return s;
  std::size_t end = max;
  while (end > 0 && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
  return s.substr(0, end);
}

}  // namespace

ossl::Asn1Integer random_serial() {
  unsigned char bytes[16];
  ossl::check_one(RAND_bytes(bytes, sizeof bytes), "cannot read random bytes");
  bytes[0] &= 0x7f;  // positive in DER
  bytes[0] |= 0x40;  // and a full 16 bytes, never a shorter (or zero) serial
  ossl::Bignum bn(ossl::check(BN_bin2bn(bytes, sizeof bytes, nullptr), "cannot build a serial"));
  return ossl::Asn1Integer(ossl::check(BN_to_ASN1_INTEGER(bn.get(), nullptr), "cannot build a serial"));
}

ossl::X509Ptr build_root(const RootProfile& profile, EVP_PKEY* key) {
  ossl::X509Ptr cert(ossl::check(X509_new(), "cannot allocate a certificate"));
  PublicKey public_key = start_certificate(cert.get(), key);

  char date[16];
  time_t now = std::time(nullptr);
  std::strftime(date, sizeof date, "%Y-%m-%d", std::gmtime(&now));
  X509_NAME* name = X509_get_subject_name(cert.get());
  add_name_entry(name, "O", "devcert development CA");
  // Both capped at 64 (RFC 5280 ub-organizational-unit-name, ub-common-name): a long user or
  // host name made OpenSSL refuse the name with "string too long".
  add_name_entry(name, "OU", utf8_prefix(profile.user_host, 64));
  add_name_entry(name, "CN", utf8_prefix("devcert " + profile.user_host + " " + date, 64));
  ossl::check_one(X509_set_issuer_name(cert.get(), name), "cannot set the issuer");
  set_validity(cert.get(), 0, profile.days * kDay);

  add_ext(cert.get(), cert.get(), NID_basic_constraints, "critical,CA:TRUE,pathlen:0");
  add_ext(cert.get(), cert.get(), NID_key_usage, "critical,keyCertSign,cRLSign");
  add_ext(cert.get(), cert.get(), NID_subject_key_identifier, "hash");
  if (profile.constrained) {
    ossl::X509Extension nc = make_name_constraints_extension(profile.permitted);
    ossl::check_one(X509_add_ext(cert.get(), nc.get(), -1), "cannot add name constraints");
  }
  return signed_certificate(std::move(cert), key, public_key, "the root");
}

ossl::X509Ptr reissue_root(X509* root, EVP_PKEY* key, const PermittedSet& permitted) {
  ossl::X509Ptr cert(ossl::check(X509_dup(root), "cannot copy the root"));
  ossl::Asn1Integer serial = random_serial();
  ossl::check_one(X509_set_serialNumber(cert.get(), serial.get()), "cannot set the serial");
  int at = X509_get_ext_by_NID(cert.get(), NID_name_constraints, -1);
  if (at >= 0) X509_EXTENSION_free(X509_delete_ext(cert.get(), at));
  ossl::X509Extension nc = make_name_constraints_extension(permitted);
  ossl::check_one(X509_add_ext(cert.get(), nc.get(), at), "cannot add name constraints");
  // Read back from its DER, as a written public key is: an object like one loaded from a file.
  return signed_certificate(std::move(cert), key, PublicKey::written, "the root");
}

ossl::X509Ptr build_leaf(const LeafProfile& profile, const std::vector<SubjectName>& names,
                         EVP_PKEY* subject_key, X509* ca_cert, EVP_PKEY* ca_key) {
  if (names.empty()) throw Error("a certificate needs at least one name");
  leaf_days(profile.days);  // a profile made in code meets the rule a user's days meet
  ossl::X509Ptr cert(ossl::check(X509_new(), "cannot allocate a certificate"));
  PublicKey public_key = start_certificate(cert.get(), subject_key);

  X509_NAME* subject = X509_get_subject_name(cert.get());
  add_name_entry(subject, "O", "devcert development certificate");
  // CN repeats the first host name for old tools that only show the CN (64 is its ASN.1 bound).
  // Never an IP or email: OpenSSL checks a CN that looks like a host name against the root's
  // DNS constraints, so CN=127.0.0.1 fails verification under a name-constrained root.
  auto first_dns = std::find_if(names.begin(), names.end(),
                                [](const SubjectName& n) { return n.kind == NameKind::dns; });
  if (first_dns != names.end() && first_dns->value.size() <= 64)
    add_name_entry(subject, "CN", first_dns->value);
  ossl::check_one(X509_set_issuer_name(cert.get(), X509_get_subject_name(ca_cert)), "cannot set the issuer");

  // Total validity is exactly `days`, backdating included, so --days 825 stays within the limit.
  long backdate = static_cast<long>(profile.backdate.count());
  set_validity(cert.get(), -backdate, profile.days * kDay - backdate);
  // A leaf never outlives its root: clients would reject it from that day on anyway.
  if (ASN1_TIME_compare(X509_get0_notAfter(cert.get()), X509_get0_notAfter(ca_cert)) > 0)
    ossl::check_one(X509_set1_notAfter(cert.get(), X509_get0_notAfter(ca_cert)), "cannot set notAfter");

  ossl::GeneralNames sans = subject_alt_names(names);
  ossl::check_one(X509_add1_ext_i2d(cert.get(), NID_subject_alt_name, sans.get(), 0, 0),
                  "cannot add subjectAltName");
  add_ext(cert.get(), ca_cert, NID_basic_constraints, "critical,CA:FALSE");
  // keyEncipherment only matters for RSA key transport (TLS 1.2 RSA kx); ECDSA keys cannot do it.
  add_ext(cert.get(), ca_cert, NID_key_usage,
          is_rsa(subject_key) ? "critical,digitalSignature,keyEncipherment" : "critical,digitalSignature");
  std::string eku = "serverAuth";
  if (profile.client_auth) eku += ",clientAuth";
  bool has_email = std::any_of(names.begin(), names.end(),
                               [](const SubjectName& n) { return n.kind == NameKind::email; });
  if (has_email) eku += ",emailProtection";
  add_ext(cert.get(), ca_cert, NID_ext_key_usage, eku.c_str());
  add_ext(cert.get(), ca_cert, NID_subject_key_identifier, "hash");
  add_ext(cert.get(), ca_cert, NID_authority_key_identifier, "keyid:always");

  return signed_certificate(std::move(cert), ca_key, public_key, "the certificate");
}

}  // namespace devcert::pki
