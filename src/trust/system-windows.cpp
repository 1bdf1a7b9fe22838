// The current user's ROOT store through crypt32 (no tool to run, no admin needed; Windows
// itself asks the user to confirm adding a root). Compiled only on Windows.
#include <windows.h>
#include <wincrypt.h>

#include "error.h"
#include "pki/keys.h"
#include "trust/stores.h"

namespace devcert::trust {
namespace {

std::vector<BYTE> sha1_bytes(const std::string& hex) {
  std::vector<BYTE> out;
  for (size_t i = 0; i + 1 < hex.size(); i += 2)
    out.push_back(static_cast<BYTE>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return out;
}

class WindowsRootStore : public TrustStore {
 public:
  std::string name() const override { return "system"; }
  std::string where() override { return "CurrentUser\\Root (Windows certificate store)"; }
  Availability availability() override { return Availability::yes(); }

  bool contains(const CaCertificate& ca) override {
    HCERTSTORE store = open();
    PCCERT_CONTEXT found = find(store, ca);
    bool present = found != nullptr;
    if (found) CertFreeCertificateContext(found);
    CertCloseStore(store, 0);
    return present;
  }

  void install(const CaCertificate& ca) override {
    std::string der = pki::certificate_der(pki::load_certificate(ca.pem, ca.file.string()).get());
    HCERTSTORE store = open();
    PCCERT_CONTEXT added = nullptr;
    BOOL ok = CertAddEncodedCertificateToStore(store, X509_ASN_ENCODING,
                                               reinterpret_cast<const BYTE*>(der.data()),
                                               static_cast<DWORD>(der.size()),
                                               CERT_STORE_ADD_REPLACE_EXISTING, &added);
    DWORD error = GetLastError();
    if (added) {
      // The friendly name is our unique name: what certmgr.msc shows.
      std::wstring wname(ca.name.begin(), ca.name.end());
      CRYPT_DATA_BLOB blob{static_cast<DWORD>((wname.size() + 1) * sizeof(wchar_t)),
                           reinterpret_cast<BYTE*>(wname.data())};
      CertSetCertificateContextProperty(added, CERT_FRIENDLY_NAME_PROP_ID, 0, &blob);
      CertFreeCertificateContext(added);
    }
    CertCloseStore(store, 0);
    if (!ok)
      throw Error("cannot add the root to CurrentUser\\Root (error " + std::to_string(error) + ")",
                  "accept the Windows security prompt, then rerun 'devcert install'");
  }

  void uninstall(const CaCertificate& ca) override {
    HCERTSTORE store = open();
    // By SHA-1 hash: exactly this certificate. CertDeleteCertificateFromStore frees the context.
    while (PCCERT_CONTEXT found = find(store, ca)) {
      if (!CertDeleteCertificateFromStore(found)) {
        DWORD error = GetLastError();
        CertCloseStore(store, 0);
        throw Error("cannot remove the root from CurrentUser\\Root (error " +
                    std::to_string(error) + ")");
      }
    }
    CertCloseStore(store, 0);
  }

 private:
  static HCERTSTORE open() {
    HCERTSTORE store = CertOpenStore(CERT_STORE_PROV_SYSTEM_W, 0, 0,
                                     CERT_SYSTEM_STORE_CURRENT_USER, L"ROOT");
    if (!store) throw Error("cannot open the CurrentUser\\Root certificate store");
    return store;
  }
  static PCCERT_CONTEXT find(HCERTSTORE store, const CaCertificate& ca) {
    std::vector<BYTE> hash = sha1_bytes(ca.sha1_hex);
    CRYPT_HASH_BLOB blob{static_cast<DWORD>(hash.size()), hash.data()};
    return CertFindCertificateInStore(store, X509_ASN_ENCODING, 0, CERT_FIND_SHA1_HASH, &blob,
                                      nullptr);
  }
};

}  // namespace

std::unique_ptr<TrustStore> make_system_store(process::CommandRunner&, const StoreEnvironment&) {
  return std::make_unique<WindowsRootStore>();
}

std::optional<stdfs::path> system_roots_bundle() { return std::nullopt; }

}  // namespace devcert::trust
