package keys

import (
	"encoding/base64"
	"errors"
	"strings"
	"testing"
	"time"
)

func TestLoadCertificates(t *testing.T) {
	chain, err := LoadCertificates(fixture("rsa2048.chain.pem"))
	if err != nil {
		t.Fatal(err)
	}
	if len(chain) != 2 || chain[0].Subject.CommonName != "postmint-rsa" || chain[1].Subject.CommonName != "Postmint Test CA" {
		t.Fatalf("chain = %v", chain)
	}
	der, err := LoadCertificates(fixture("rsa2048.crt.der"))
	if err != nil || len(der) != 1 || !der[0].Equal(chain[0]) {
		t.Errorf("DER certificate: %v", err)
	}
	// A key file with its chain: the certificates in file order, the key ignored.
	mixed, err := LoadCertificates(fixture("rsa2048.key-and-chain.pem"))
	if err != nil || len(mixed) != 2 || mixed[0].Subject.CommonName != "Postmint Test CA" {
		t.Errorf("key and chain: %v", err)
	}

	_, err = LoadCertificates(fixture("rsa2048.pkcs8.pem"))
	checkError(t, err, ErrNoCertificate, "holds no certificate", readFixture(t, "rsa2048.pkcs8.pem"), Options{})
	_, err = ParseCertificates(nil, "c.pem")
	checkError(t, err, ErrEmpty, "c.pem is empty", nil, Options{})
	_, err = ParseCertificates([]byte("junk"), "c.pem")
	checkError(t, err, ErrNoCertificate, "c.pem holds no certificate", nil, Options{})
	cut := string(readFixture(t, "rsa2048.crt.pem"))
	cut = cut[:len(cut)/2]
	_, err = ParseCertificates([]byte(cut), "c.pem")
	checkError(t, err, ErrMalformed, "is cut off", []byte(cut), Options{})
}

func TestCertificateHeaders(t *testing.T) {
	k := mustLoad(t, "rsa2048.key-and-chain.pem", Options{})
	x5c := X5C(k.Certificates)
	if len(x5c) != 2 {
		t.Fatalf("X5C has %d entries", len(x5c))
	}
	leafDER := readFixture(t, "rsa2048.crt.der")
	if x5c[0] != base64.StdEncoding.EncodeToString(leafDER) {
		t.Error("X5C[0] is not the standard base64 of the leaf's DER")
	}
	// x5t#S256 and x5t as openssl computed them in make.sh.
	if want := strings.TrimSpace(string(readFixture(t, "rsa2048.crt.x5t-s256.txt"))); X5TS256(k.Certificates[0]) != want {
		t.Errorf("X5TS256 = %s, want %s", X5TS256(k.Certificates[0]), want)
	}
	if want := strings.TrimSpace(string(readFixture(t, "rsa2048.crt.x5t.txt"))); X5T(k.Certificates[0]) != want {
		t.Errorf("X5T = %s, want %s", X5T(k.Certificates[0]), want)
	}
}

func TestMatchCertificate(t *testing.T) {
	rsaKey := mustLoad(t, "rsa2048.pkcs8.pem", Options{})
	ecKey := mustLoad(t, "ec-p256.pkcs8.pem", Options{})
	certs, err := LoadCertificates(fixture("rsa2048.crt.pem"))
	if err != nil {
		t.Fatal(err)
	}
	if err := MatchCertificate(rsaKey.Public(), certs[0]); err != nil {
		t.Errorf("public key: %v", err)
	}
	if err := MatchCertificate(rsaKey.Signer, certs[0]); err != nil {
		t.Errorf("private key: %v", err)
	}
	err = MatchCertificate(ecKey.Public(), certs[0])
	if !errors.Is(err, ErrCertificateMismatch) || !strings.Contains(err.Error(), `certificate "CN=postmint-rsa,O=Postmint Tests" is for another key (RSA 2048`) {
		t.Errorf("mismatch: %v", err)
	}
}

func TestCertificateWarnings(t *testing.T) {
	s, err := Generate("P-256", nil)
	if err != nil {
		t.Fatal(err)
	}
	issued := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	cert, _, err := SelfSignedCertificate(s, "CN=warn", 90, issued)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		now  time.Time
		want string // "" for no warning
	}{
		{issued.AddDate(0, 0, 1), ""},
		{issued.AddDate(0, 0, 59), ""},
		{issued.AddDate(0, 0, 61), `certificate "CN=warn" expires on 2025-04-01 (in 29 days)`},
		{issued.AddDate(0, 0, 90), `certificate "CN=warn" expires on 2025-04-01 (in 0 days)`},
		{issued.AddDate(0, 0, 100), `certificate "CN=warn" expired on 2025-04-01 (10 days ago)`},
		{issued.AddDate(0, 0, -2), `certificate "CN=warn" is not valid before 2025-01-01`},
	}
	for _, tt := range tests {
		got := CertificateWarnings(cert, tt.now)
		switch {
		case tt.want == "" && len(got) != 0:
			t.Errorf("at %s: %q, want none", tt.now.Format(time.DateOnly), got)
		case tt.want != "" && (len(got) != 1 || got[0] != tt.want):
			t.Errorf("at %s: %q, want %q", tt.now.Format(time.DateOnly), got, tt.want)
		}
	}
	if CertificateWarnings(nil, issued) != nil {
		t.Error("nil certificate")
	}
}
