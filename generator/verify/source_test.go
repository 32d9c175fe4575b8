package verify

import (
	"crypto/ecdsa"
	"crypto/rsa"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/postmint/postmint/generator/config"
	"github.com/postmint/postmint/generator/keysource"
)

// TestDefinitionKeys: the definition's certificate first, else the private key in keysource's
// order ($POSTMINT_PRIVATE_KEY before key:), else ErrNoKey.
func TestDefinitionKeys(t *testing.T) {
	dir := filepath.Join("..", "..", "testdata", "keys")
	ec, err := os.ReadFile(filepath.Join(dir, "ec-p256.pkcs8.pem"))
	if err != nil {
		t.Fatal(err)
	}
	c := &config.Client{File: "client.yaml", KeyPath: filepath.Join(dir, "rsa2048.pkcs8.pem")}

	ks, err := DefinitionKeys(c, nil, keysource.Sources{Value: string(ec)})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := ks[0].Key.(*ecdsa.PublicKey); !ok || ks[0].Source != "POSTMINT_PRIVATE_KEY" {
		t.Errorf("POSTMINT_PRIVATE_KEY beside key:: got %T from %s", ks[0].Key, ks[0].Source)
	}
	ks, err = DefinitionKeys(c, nil, keysource.Sources{})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := ks[0].Key.(*rsa.PublicKey); !ok {
		t.Errorf("key: alone: got %T", ks[0].Key)
	}
	if _, err := DefinitionKeys(&config.Client{File: "client.yaml"}, nil, keysource.Sources{}); !errors.Is(err, ErrNoKey) {
		t.Errorf("no key: got %v, want ErrNoKey", err)
	}
}

// TestDefinitionCertificateFirst: certificate: beats every private key source, and
// ClientRules checks x5c/x5t against that chain, or the one key's own chain, never a JWKS's.
func TestDefinitionCertificateFirst(t *testing.T) {
	dir := filepath.Join("..", "..", "testdata", "keys")
	c := &config.Client{File: "client.yaml", CertPath: filepath.Join(dir, "ec-p256.crt.pem"), KeyPath: filepath.Join(dir, "rsa2048.pkcs8.pem")}
	certs, err := ClientCertificates(c)
	if err != nil || len(certs) != 1 {
		t.Fatalf("ClientCertificates = %d, %v", len(certs), err)
	}
	ks, err := DefinitionKeys(c, certs, keysource.Sources{})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := ks[0].Key.(*ecdsa.PublicKey); !ok || ks[0].Source != c.CertPath || len(ks[0].Certificates) == 0 {
		t.Fatalf("got %T from %s; want the certificate's EC key", ks[0].Key, ks[0].Source)
	}
	if r := ClientRules(c, certs, nil, true); len(r.Certificates) != 1 || !r.Certificates[0].Equal(certs[0]) {
		t.Errorf("certificate: with a JWKS: %d certificates; want the definition's chain", len(r.Certificates))
	}
	noCert := &config.Client{File: "client.yaml"}
	if r := ClientRules(noCert, nil, ks, false); len(r.Certificates) != 1 {
		t.Errorf("one key's own chain: %d certificates; want 1", len(r.Certificates))
	}
	if r := ClientRules(noCert, nil, ks, true); r.Certificates != nil {
		t.Error("a JWKS's chain taken for the rules")
	}
	if certs, err := ClientCertificates(noCert); err != nil || certs != nil {
		t.Errorf("no certificate: %v, %v; want none", certs, err)
	}
	bad := &config.Client{File: "client.yaml", CertPath: filepath.Join(dir, "missing.crt.pem")}
	if _, err := ClientCertificates(bad); err == nil {
		t.Error("ClientCertificates with a missing certificate: file: no error")
	}
}

// TestPlainHTTPWarning: plain http:// to a host that is not loopback is warned of, by host;
// https and loopback are not; a string that is no URL is an error.
func TestPlainHTTPWarning(t *testing.T) {
	for raw, want := range map[string]string{
		"http://keys.example.com:8080/jwks": "fetching the JWKS over plain http:// from keys.example.com:8080; anyone on the way can swap the keys",
		"https://keys.example.com/jwks":     "",
		"http://127.0.0.1:4444/jwks":        "",
		"http://localhost/jwks":             "",
	} {
		if got, err := PlainHTTPWarning(raw); err != nil || got != want {
			t.Errorf("PlainHTTPWarning(%q) = %q, %v; want %q", raw, got, err, want)
		}
	}
	if _, err := PlainHTTPWarning("http://bad host/%zz"); err == nil {
		t.Error("a broken URL: no error")
	}
}
