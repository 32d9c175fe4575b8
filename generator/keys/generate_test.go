package keys

import (
	"bytes"
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestGenerate(t *testing.T) {
	tests := []struct {
		kind, describe, alg string
		slow                bool
	}{
		{"RSA-2048", "RSA 2048", "RS256", false},
		{"RSA-3072", "RSA 3072", "RS256", true},
		{"RSA-4096", "RSA 4096", "RS256", true},
		{"P-256", "EC P-256", "ES256", false},
		{"P-384", "EC P-384", "ES384", false},
		{"P-521", "EC P-521", "ES512", false},
		{"Ed25519", "Ed25519", "EdDSA", false},
		{"RS256", "RSA 2048", "RS256", false},
		{"PS256", "RSA 2048", "RS256", false},
		{"ES256", "EC P-256", "ES256", false},
		{"ES384", "EC P-384", "ES384", false},
		{"ES512", "EC P-521", "ES512", false},
		{"EdDSA", "Ed25519", "EdDSA", false},
		{"ed25519", "Ed25519", "EdDSA", false},
		{"p256", "EC P-256", "ES256", false},
	}
	for _, tt := range tests {
		t.Run(tt.kind, func(t *testing.T) {
			if tt.slow && testing.Short() {
				t.Skip("large RSA keys take seconds to make")
			}
			s, err := Generate(tt.kind, nil)
			if err != nil {
				t.Fatal(err)
			}
			k := &Key{Signer: s, Source: "generated"}
			if k.Describe() != tt.describe || k.DefaultAlg() != tt.alg {
				t.Errorf("got %s / %s, want %s / %s", k.Describe(), k.DefaultAlg(), tt.describe, tt.alg)
			}
			signAndVerify(t, k)
		})
	}
	_, err := Generate("DSA-1024", nil)
	if !errors.Is(err, ErrInvalidArgument) || !strings.Contains(err.Error(), `key kind "DSA-1024" is not one postmint makes`) {
		t.Errorf("Generate(DSA-1024) = %v", err)
	}
}

func TestMarshalPKCS8PEM(t *testing.T) {
	s, err := Generate("P-256", nil)
	if err != nil {
		t.Fatal(err)
	}
	plain, err := MarshalPKCS8PEM(s, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(plain, []byte("-----BEGIN PRIVATE KEY-----\n")) {
		t.Errorf("plain PEM starts %q", plain[:30])
	}
	k, err := Parse(plain, "plain", Options{})
	if err != nil || !sameKey(k.Public(), s.Public()) {
		t.Fatalf("plain PEM does not read back: %v", err)
	}

	pw := []byte("correct horse battery staple")
	enc, err := MarshalPKCS8PEM(s, pw)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(enc, []byte("-----BEGIN ENCRYPTED PRIVATE KEY-----\n")) {
		t.Errorf("encrypted PEM starts %q", enc[:40])
	}
	checkPBES2(t, enc)
	k, err = Parse(enc, "enc", Options{Password: pw})
	if err != nil || !sameKey(k.Public(), s.Public()) || k.Format != FormatEncryptedPKCS8 {
		t.Fatalf("encrypted PEM does not read back: %v", err)
	}
	_, err = Parse(enc, "enc", Options{})
	checkError(t, err, ErrPasswordRequired, "no password was given", enc, Options{Password: pw})

	// openssl, an independent reader, decrypts it to the same key.
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Skip("no openssl")
	}
	dir := t.TempDir()
	in, passFile := filepath.Join(dir, "k.pem"), filepath.Join(dir, "pw")
	os.WriteFile(in, enc, 0o600)
	os.WriteFile(passFile, pw, 0o600)
	out, err := exec.Command("openssl", "pkey", "-in", in, "-passin", "file:"+passFile).Output()
	if err != nil {
		t.Fatalf("openssl cannot read the encrypted key: %v", err)
	}
	if k, err := Parse(out, "openssl", Options{}); err != nil || !sameKey(k.Public(), s.Public()) {
		t.Errorf("openssl decrypted another key: %v", err)
	}
}

// checkPBES2 checks the parameters MarshalPKCS8PEM promises: PBES2, PBKDF2-HMAC-SHA256 with
// PKCS8Iterations, AES-256-CBC.
func checkPBES2(t *testing.T, pemBytes []byte) {
	t.Helper()
	blocks, err := pemBlocks(pemBytes, "enc")
	if err != nil {
		t.Fatal(err)
	}
	var info encryptedPrivateKeyInfo
	var p pbes2Params
	var kp pbkdf2Params
	if _, err := asn1.Unmarshal(blocks[0].Bytes, &info); err != nil {
		t.Fatal(err)
	}
	asn1.Unmarshal(info.Algorithm.Parameters.FullBytes, &p)
	asn1.Unmarshal(p.KeyDerivationFunc.Parameters.FullBytes, &kp)
	if !info.Algorithm.Algorithm.Equal(oidPBES2) || !p.KeyDerivationFunc.Algorithm.Equal(oidPBKDF2) ||
		prfs[kp.PRF.Algorithm.String()].name != "hmacWithSHA256" || kp.IterationCount != PKCS8Iterations ||
		pbeCiphers[p.EncryptionScheme.Algorithm.String()].name != "AES-256-CBC" || len(kp.Salt) != 16 {
		t.Errorf("unexpected encryption parameters: %+v %+v", p, kp)
	}
}

func TestSelfSignedCertificate(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 30, 45, 500, time.UTC)
	for _, kind := range []string{"RSA-2048", "P-384", "Ed25519"} {
		s, err := Generate(kind, nil)
		if err != nil {
			t.Fatal(err)
		}
		cert, pemBytes, err := SelfSignedCertificate(s, "CN=acme-client,O=Acme\\, Inc.,C=DE", 365, now)
		if err != nil {
			t.Fatalf("%s: %v", kind, err)
		}
		if got := cert.Subject.String(); got != `CN=acme-client,O=Acme\, Inc.,C=DE` {
			t.Errorf("%s: subject %q", kind, got)
		}
		if !cert.NotBefore.Equal(now.Truncate(time.Second)) || !cert.NotAfter.Equal(now.Truncate(time.Second).AddDate(0, 0, 365)) {
			t.Errorf("%s: valid %s to %s", kind, cert.NotBefore, cert.NotAfter)
		}
		if cert.IsCA || cert.KeyUsage != x509.KeyUsageDigitalSignature || len(cert.ExtKeyUsage) != 1 || cert.ExtKeyUsage[0] != x509.ExtKeyUsageClientAuth {
			t.Errorf("%s: usage %v %v CA=%v", kind, cert.KeyUsage, cert.ExtKeyUsage, cert.IsCA)
		}
		if err := cert.CheckSignature(cert.SignatureAlgorithm, cert.RawTBSCertificate, cert.Signature); err != nil {
			t.Errorf("%s: not self-signed: %v", kind, err)
		}
		if err := MatchCertificate(s.Public(), cert); err != nil {
			t.Errorf("%s: %v", kind, err)
		}
		parsed, err := ParseCertificates(pemBytes, "crt")
		if err != nil || !parsed[0].Equal(cert) {
			t.Errorf("%s: PEM does not read back: %v", kind, err)
		}
	}
}

func TestParseDN(t *testing.T) {
	s, err := Generate("P-256", nil)
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	good := []struct{ in, want string }{
		{"CN=acme", "CN=acme"},
		{"CN=acme, O=Acme, OU=Dev, L=Berlin, ST=Berlin, C=DE", "CN=acme,OU=Dev,O=Acme,L=Berlin,ST=Berlin,C=DE"},
		{"/C=DE/O=Acme/CN=acme", "CN=acme,O=Acme,C=DE"},
		{"cn=a\\2Cb", `CN=a\,b`},
		{"CN=x,DC=example,DC=com", "CN=x,0.9.2342.19200300.100.1.25=#13076578616d706c65,0.9.2342.19200300.100.1.25=#1303636f6d"},
		{"CN=x,SERIALNUMBER=42", "SERIALNUMBER=42,CN=x"},
	}
	for _, tt := range good {
		cert, _, err := SelfSignedCertificate(s, tt.in, 1, now)
		if err != nil {
			t.Errorf("%q: %v", tt.in, err)
			continue
		}
		// pkix.Name.String prints the standard attributes in its own order; compare sets.
		if got := cert.Subject.String(); !sameParts(got, tt.want) {
			t.Errorf("%q: subject %q, want %q", tt.in, got, tt.want)
		}
	}
	bad := []struct{ in, want string }{
		{"", "is empty"},
		{"acme", "not TYPE=value"},
		{"CN=", "not TYPE=value"},
		{"XX=1", `unknown attribute "XX"`},
		{"C=Germany", "two-letter code"},
		{"CN=a\\", "lone backslash"},
	}
	for _, tt := range bad {
		_, _, err := SelfSignedCertificate(s, tt.in, 1, now)
		if !errors.Is(err, ErrInvalidArgument) || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: %v, want %q", tt.in, err, tt.want)
		}
	}
	if _, _, err := SelfSignedCertificate(s, "CN=a", 0, now); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("0 days: %v", err)
	}
}

func sameParts(a, b string) bool {
	split := func(s string) map[string]int {
		m := map[string]int{}
		for _, p := range strings.Split(strings.ReplaceAll(s, `\,`, "\x00"), ",") {
			m[p]++
		}
		return m
	}
	ma, mb := split(a), split(b)
	if len(ma) != len(mb) {
		return false
	}
	for k, v := range ma {
		if mb[k] != v {
			return false
		}
	}
	return true
}

// TestKindFor: keygen's alg and --bits rule.
func TestKindFor(t *testing.T) {
	for _, tc := range []struct {
		alg       string
		bits      int
		wantAlg   string
		wantKind  string
		wantError error
	}{
		{"rs256", 0, "RS256", "RSA-2048", nil},
		{"PS384", 4096, "PS384", "RSA-4096", nil},
		{"es512", 0, "ES512", "P-521", nil},
		{"EDDSA", 0, "EdDSA", "Ed25519", nil},
		{"HS256", 0, "", "", ErrAlgNotMade},
		{"ES256", 3072, "ES256", "", ErrBitsNotRSA},
		{"RS256", 1024, "RS256", "", ErrBitsUnknown},
		{"RS256", -1, "RS256", "", ErrBitsUnknown},
	} {
		alg, kind, err := KindFor(tc.alg, tc.bits)
		if alg != tc.wantAlg || kind != tc.wantKind || !errors.Is(err, tc.wantError) {
			t.Errorf("KindFor(%q, %d) = %q, %q, %v; want %q, %q, %v", tc.alg, tc.bits, alg, kind, err, tc.wantAlg, tc.wantKind, tc.wantError)
		}
	}
}
