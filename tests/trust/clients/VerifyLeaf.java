// java VerifyLeaf.java TRUSTSTORE.p12 LEAF.pem: validates LEAF with Java's own PKIX validator
// against the roots of a keytool-made truststore (name constraints included). Exit 0: valid.
import java.io.FileInputStream;
import java.security.KeyStore;
import java.security.cert.*;
import java.util.List;

public class VerifyLeaf {
  public static void main(String[] args) throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    try (FileInputStream in = new FileInputStream(args[0])) { trust.load(in, "changeit".toCharArray()); }
    CertificateFactory cf = CertificateFactory.getInstance("X.509");
    X509Certificate leaf;
    try (FileInputStream in = new FileInputStream(args[1])) { leaf = (X509Certificate) cf.generateCertificate(in); }
    PKIXParameters params = new PKIXParameters(trust);
    params.setRevocationEnabled(false);  // development leaves carry no CRL or OCSP address
    try {
      CertPathValidator.getInstance("PKIX").validate(cf.generateCertPath(List.of(leaf)), params);
      System.out.println("valid " + args[1]);
    } catch (CertPathValidatorException e) {
      System.out.println("invalid " + args[1] + ": " + e.getMessage());
      System.exit(1);
    }
  }
}
