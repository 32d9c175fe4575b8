package keys

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

const fixtures = "../../testdata/keys"

func fixture(name string) string { return filepath.Join(fixtures, name) }

func readFixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(fixture(name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func password(t testing.TB) []byte    { return readFixture(t, "password.txt") }
func keyPassword(t testing.TB) []byte { return readFixture(t, "key-password.txt") }

func mustLoad(t testing.TB, name string, opt Options) *Key {
	t.Helper()
	k, err := Load(fixture(name), opt)
	if err != nil {
		t.Fatalf("Load(%s): %v", name, err)
	}
	return k
}

// signAndVerify signs a message with the key and checks the signature with the public half,
// with the standard library's verifiers rather than anything in this package.
func signAndVerify(t *testing.T, k *Key) {
	t.Helper()
	msg := []byte("postmint round trip")
	digest := sha256.Sum256(msg)
	switch pub := k.Public().(type) {
	case *rsa.PublicKey:
		sig, err := k.Signer.Sign(rand.Reader, digest[:], crypto.SHA256)
		if err != nil {
			t.Fatal(err)
		}
		if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], sig); err != nil {
			t.Fatalf("PKCS#1 v1.5 signature does not verify: %v", err)
		}
		pss := &rsa.PSSOptions{SaltLength: rsa.PSSSaltLengthEqualsHash, Hash: crypto.SHA256}
		sig, err = k.Signer.Sign(rand.Reader, digest[:], pss)
		if err != nil {
			t.Fatal(err)
		}
		if err := rsa.VerifyPSS(pub, crypto.SHA256, digest[:], sig, pss); err != nil {
			t.Fatalf("PSS signature does not verify: %v", err)
		}
	case *ecdsa.PublicKey:
		sig, err := k.Signer.Sign(rand.Reader, digest[:], crypto.SHA256)
		if err != nil {
			t.Fatal(err)
		}
		if !ecdsa.VerifyASN1(pub, digest[:], sig) {
			t.Fatal("ECDSA signature does not verify")
		}
	case ed25519.PublicKey:
		sig, err := k.Signer.Sign(rand.Reader, msg, crypto.Hash(0))
		if err != nil {
			t.Fatal(err)
		}
		if !ed25519.Verify(pub, msg, sig) {
			t.Fatal("Ed25519 signature does not verify")
		}
	default:
		t.Fatalf("unexpected public key %T", pub)
	}
}

func sameKey(a, b crypto.PublicKey) bool {
	eq, ok := a.(interface{ Equal(crypto.PublicKey) bool })
	return ok && eq.Equal(b)
}

func TestLoadEveryFixture(t *testing.T) {
	pw := Options{Password: password(t)}
	tests := []struct {
		file     string
		opt      Options
		format   string
		describe string
		same     string // the plain fixture holding the same key
		kid      string
		certs    int
	}{
		{"rsa2048.pkcs8.pem", Options{}, FormatPKCS8PEM, "RSA 2048", "", "", 0},
		{"rsa2048.pkcs1.pem", Options{}, FormatPKCS1PEM, "RSA 2048", "rsa2048.pkcs8.pem", "", 0},
		{"rsa2048.pkcs8.der", Options{}, FormatPKCS8DER, "RSA 2048", "rsa2048.pkcs8.pem", "", 0},
		{"rsa2048.pkcs1.der", Options{}, FormatPKCS1DER, "RSA 2048", "rsa2048.pkcs8.pem", "", 0},
		{"rsapss2048.pkcs8.pem", Options{}, FormatPKCS8PEM, "RSA 2048", "", "", 0},
		{"ec-p256.pkcs8.pem", Options{}, FormatPKCS8PEM, "EC P-256", "", "", 0},
		{"ec-p256.sec1.pem", Options{}, FormatSEC1PEM, "EC P-256", "ec-p256.pkcs8.pem", "", 0},
		{"ec-p256.sec1-with-params.pem", Options{}, FormatSEC1PEM, "EC P-256", "", "", 0},
		{"ec-p384.pkcs8.pem", Options{}, FormatPKCS8PEM, "EC P-384", "", "", 0},
		{"ec-p384.sec1.pem", Options{}, FormatSEC1PEM, "EC P-384", "ec-p384.pkcs8.pem", "", 0},
		{"ec-p521.pkcs8.pem", Options{}, FormatPKCS8PEM, "EC P-521", "", "", 0},
		{"ec-p521.sec1.pem", Options{}, FormatSEC1PEM, "EC P-521", "ec-p521.pkcs8.pem", "", 0},
		{"ed25519.pkcs8.pem", Options{}, FormatPKCS8PEM, "Ed25519", "", "", 0},
		{"ca.key.pem", Options{}, FormatPKCS8PEM, "EC P-256", "", "", 0},
		// encrypted PKCS#8: PBES2 in its variants, then PBES1 with the PKCS#12 KDF
		{"rsa2048.enc-aes256.pem", pw, FormatEncryptedPKCS8, "RSA 2048", "rsa2048.pkcs8.pem", "", 0},
		{"rsa2048.enc-aes256.der", pw, FormatEncryptedPKCS8DER, "RSA 2048", "rsa2048.pkcs8.pem", "", 0},
		{"rsa2048.enc-aes256-sha512.pem", pw, FormatEncryptedPKCS8, "RSA 2048", "rsa2048.pkcs8.pem", "", 0},
		{"ec-p256.enc-aes128-sha1.pem", pw, FormatEncryptedPKCS8, "EC P-256", "ec-p256.pkcs8.pem", "", 0},
		{"ed25519.enc-des3.pem", pw, FormatEncryptedPKCS8, "Ed25519", "ed25519.pkcs8.pem", "", 0},
		{"ec-p384.enc-scrypt.pem", pw, FormatEncryptedPKCS8, "EC P-384", "ec-p384.pkcs8.pem", "", 0},
		{"rsa2048.enc-pbe-sha1-3des.pem", pw, FormatEncryptedPKCS8, "RSA 2048", "rsa2048.pkcs8.pem", "", 0},
		{"ec-p521.enc-pbe-sha1-3des.pem", pw, FormatEncryptedPKCS8, "EC P-521", "ec-p521.pkcs8.pem", "", 0},
		// legacy Proc-Type PEM
		{"rsa2048.legacy-aes256.pem", pw, FormatEncryptedPKCS1PEM, "RSA 2048", "rsa2048.pkcs8.pem", "", 0},
		{"rsa2048.legacy-des3.pem", pw, FormatEncryptedPKCS1PEM, "RSA 2048", "rsa2048.pkcs8.pem", "", 0},
		{"ec-p256.legacy-aes128.pem", pw, FormatEncryptedSEC1PEM, "EC P-256", "ec-p256.pkcs8.pem", "", 0},
		// key and chain in one PEM (CA first in the file, leaf first in the result)
		{"rsa2048.key-and-chain.pem", Options{}, FormatPKCS8PEM, "RSA 2048", "rsa2048.pkcs8.pem", "", 2},
		// PKCS#12
		{"rsa2048.p12", pw, FormatPKCS12, "RSA 2048", "rsa2048.pkcs8.pem", "", 2},
		{"rsa2048.legacy.p12", pw, FormatPKCS12, "RSA 2048", "rsa2048.pkcs8.pem", "", 2},
		{"ec-p256.p12", pw, FormatPKCS12, "EC P-256", "ec-p256.pkcs8.pem", "", 1},
		{"ed25519.p12", pw, FormatPKCS12, "Ed25519", "ed25519.pkcs8.pem", "", 1},
		{"ec-p256.nopass.p12", Options{}, FormatPKCS12, "EC P-256", "ec-p256.pkcs8.pem", "", 1},
		{"java.p12", pw, FormatPKCS12, "EC P-256", "", "", 1},
		// JKS
		{"one.jks", pw, FormatJKS, "RSA 2048", "rsa2048.pkcs8.pem", "client", 2},
		{"two.jks", Options{Password: keyPassword(t), StorePassword: password(t), Alias: "rsa-key"}, FormatJKS, "RSA 2048", "", "rsa-key", 1},
		{"two.jks", Options{Password: keyPassword(t), StorePassword: password(t), Alias: "EC-KEY"}, FormatJKS, "EC P-384", "", "ec-key", 1},
		// JWK and JWKS
		{"rsa2048.jwk.json", Options{}, FormatJWK, "RSA 2048", "rsa2048.pkcs8.pem", "rsa-1", 0},
		{"ec-p256.jwk.json", Options{}, FormatJWK, "EC P-256", "ec-p256.pkcs8.pem", "ec-1", 0},
		{"ec-p384.jwk.json", Options{}, FormatJWK, "EC P-384", "ec-p384.pkcs8.pem", "ec-384", 0},
		{"ed25519.jwk.json", Options{}, FormatJWK, "Ed25519", "ed25519.pkcs8.pem", "ed-1", 0},
		{"two.jwks.json", Options{Alias: "ec-1"}, FormatJWKS, "EC P-256", "ec-p256.pkcs8.pem", "ec-1", 0},
		{"two.jwks.json", Options{Alias: "rsa-1"}, FormatJWKS, "RSA 2048", "rsa2048.pkcs8.pem", "rsa-1", 0},
		{"one-private.jwks.json", Options{}, FormatJWKS, "Ed25519", "ed25519.pkcs8.pem", "ed-1", 0},
		// OpenSSH
		{"ed25519.openssh", Options{}, FormatOpenSSH, "Ed25519", "", "", 0},
		{"ec-p256.openssh", pw, FormatOpenSSH, "EC P-256", "", "", 0},
	}
	for _, tt := range tests {
		t.Run(tt.file+"/"+tt.opt.Alias, func(t *testing.T) {
			k := mustLoad(t, tt.file, tt.opt)
			if k.Format != tt.format {
				t.Errorf("Format = %q, want %q", k.Format, tt.format)
			}
			if got := k.Describe(); got != tt.describe {
				t.Errorf("Describe() = %q, want %q", got, tt.describe)
			}
			if k.Source != fixture(tt.file) {
				t.Errorf("Source = %q", k.Source)
			}
			if k.KeyID != tt.kid {
				t.Errorf("KeyID = %q, want %q", k.KeyID, tt.kid)
			}
			if len(k.Certificates) != tt.certs {
				t.Errorf("%d certificates, want %d", len(k.Certificates), tt.certs)
			}
			if len(k.Certificates) > 0 {
				if err := MatchCertificate(k.Public(), k.Certificates[0]); err != nil {
					t.Errorf("leaf is not first: %v", err)
				}
			}
			if tt.same != "" {
				if ref := mustLoad(t, tt.same, Options{}); !sameKey(ref.Public(), k.Public()) {
					t.Errorf("key differs from %s's", tt.same)
				}
			}
			signAndVerify(t, k)
			if err := k.CheckAlg(k.DefaultAlg()); err != nil {
				t.Errorf("CheckAlg(DefaultAlg()): %v", err)
			}
			// The normalized PKCS#8 PEM reads back as the same key.
			p8, err := k.PKCS8PEM()
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(p8, "-----BEGIN PRIVATE KEY-----\n") || !strings.HasSuffix(p8, "-----END PRIVATE KEY-----\n") {
				t.Errorf("PKCS8PEM() is not a PRIVATE KEY PEM ending in a newline")
			}
			back, err := Parse([]byte(p8), "normalized", Options{})
			if err != nil {
				t.Fatal(err)
			}
			if !sameKey(back.Public(), k.Public()) {
				t.Error("PKCS8PEM() does not read back as the same key")
			}
		})
	}
}

func TestChainOrder(t *testing.T) {
	k := mustLoad(t, "rsa2048.key-and-chain.pem", Options{})
	if got := k.Certificates[0].Subject.CommonName; got != "postmint-rsa" {
		t.Errorf("leaf = %q", got)
	}
	if got := k.Certificates[1].Subject.CommonName; got != "Postmint Test CA" {
		t.Errorf("second = %q", got)
	}
	p12 := mustLoad(t, "rsa2048.p12", Options{Password: password(t)})
	if got := p12.Certificates[0].Subject.CommonName; got != "postmint-rsa" {
		t.Errorf("PKCS#12 leaf = %q", got)
	}
}

func TestRSAPSSKeyOnlySignsPSS(t *testing.T) {
	k := mustLoad(t, "rsapss2048.pkcs8.pem", Options{})
	if k.DefaultAlg() != "PS256" {
		t.Errorf("DefaultAlg() = %q", k.DefaultAlg())
	}
	if err := k.CheckAlg("PS384"); err != nil {
		t.Error(err)
	}
	if err := k.CheckAlg("RS256"); !errors.Is(err, ErrAlgMismatch) {
		t.Errorf("CheckAlg(RS256) = %v", err)
	}
}

// TestGolangJWT signs a JWT with each key type through golang-jwt and verifies it with the
// public half, the way the assertion package uses keys.
func TestGolangJWT(t *testing.T) {
	tests := []struct {
		file   string
		method jwt.SigningMethod
	}{
		{"rsa2048.pkcs1.pem", jwt.SigningMethodRS256},
		{"rsa2048.p12", jwt.SigningMethodPS256},
		{"ec-p256.sec1.pem", jwt.SigningMethodES256},
		{"ec-p384.jwk.json", jwt.SigningMethodES384},
		{"ec-p521.enc-pbe-sha1-3des.pem", jwt.SigningMethodES512},
		{"ed25519.pkcs8.pem", jwt.SigningMethodEdDSA},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			k := mustLoad(t, tt.file, Options{Password: password(t)})
			if err := k.CheckAlg(tt.method.Alg()); err != nil {
				t.Fatal(err)
			}
			claims := jwt.MapClaims{"iss": "client", "sub": "client", "aud": "https://idp.example/token",
				"exp": time.Now().Add(time.Minute).Unix()}
			signed, err := jwt.NewWithClaims(tt.method, claims).SignedString(k.Signer)
			if err != nil {
				t.Fatal(err)
			}
			tok, err := jwt.Parse(signed, func(*jwt.Token) (any, error) { return k.Public(), nil },
				jwt.WithValidMethods([]string{tt.method.Alg()}))
			if err != nil || !tok.Valid {
				t.Fatalf("golang-jwt does not verify the token: %v", err)
			}
		})
	}
}

func TestDefaultAlgAndCheckAlg(t *testing.T) {
	tests := []struct {
		file, alg string
	}{
		{"rsa2048.pkcs8.pem", "RS256"},
		{"ec-p256.pkcs8.pem", "ES256"},
		{"ec-p384.pkcs8.pem", "ES384"},
		{"ec-p521.pkcs8.pem", "ES512"},
		{"ed25519.pkcs8.pem", "EdDSA"},
	}
	for _, tt := range tests {
		k := mustLoad(t, tt.file, Options{})
		if got := k.DefaultAlg(); got != tt.alg {
			t.Errorf("%s: DefaultAlg() = %q, want %q", tt.file, got, tt.alg)
		}
	}
	rsaKey := mustLoad(t, "rsa2048.pkcs8.pem", Options{})
	for _, alg := range []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"} {
		if err := rsaKey.CheckAlg(alg); err != nil {
			t.Errorf("CheckAlg(%s) on RSA: %v", alg, err)
		}
	}
	err := rsaKey.CheckAlg("ES256")
	if !errors.Is(err, ErrAlgMismatch) || !strings.HasPrefix(err.Error(), "alg ES256 needs an EC P-256 key, but the key is RSA 2048") {
		t.Errorf("CheckAlg(ES256) on RSA = %v", err)
	}
	p384 := mustLoad(t, "ec-p384.pkcs8.pem", Options{})
	if err := p384.CheckAlg("ES256"); err == nil || !strings.Contains(err.Error(), "alg ES256 needs an EC P-256 key, but the key is EC P-384") {
		t.Errorf("CheckAlg(ES256) on P-384 = %v", err)
	}
	ed := mustLoad(t, "ed25519.pkcs8.pem", Options{})
	if err := ed.CheckAlg("RS256"); err == nil || !strings.Contains(err.Error(), "alg RS256 needs an RSA key, but the key is Ed25519") {
		t.Errorf("CheckAlg(RS256) on Ed25519 = %v", err)
	}
	if err := ed.CheckAlg("Ed25519"); err != nil {
		t.Errorf("CheckAlg(Ed25519) (RFC 9864 name): %v", err)
	}
	for _, alg := range []string{"HS256", "none", "ES256K", ""} {
		if err := ed.CheckAlg(alg); !errors.Is(err, ErrUnknownAlg) {
			t.Errorf("CheckAlg(%q) = %v, want ErrUnknownAlg", alg, err)
		}
	}
}

func TestFromEnv(t *testing.T) {
	pemText := string(readFixture(t, "ec-p256.pkcs8.pem"))
	ref := mustLoad(t, "ec-p256.pkcs8.pem", Options{})
	escaped := strings.ReplaceAll(pemText, "\n", `\n`)
	b64 := func(name string) string { return base64.StdEncoding.EncodeToString(readFixture(t, name)) }
	tests := []struct {
		name, value string
		opt         Options
		format      string
	}{
		{"real newlines", pemText, Options{}, FormatPKCS8PEM},
		{"CRLF", strings.ReplaceAll(pemText, "\n", "\r\n"), Options{}, FormatPKCS8PEM},
		{"escaped newlines", escaped, Options{}, FormatPKCS8PEM},
		{"escaped and quoted", `"` + escaped + `"`, Options{}, FormatPKCS8PEM},
		{"escaped CRLF", strings.ReplaceAll(pemText, "\n", `\r\n`), Options{}, FormatPKCS8PEM},
		{"spaces for newlines", strings.ReplaceAll(pemText, "\n", " "), Options{}, FormatPKCS8PEM},
		{"surrounding white space", "\n  " + pemText + "  \n", Options{}, FormatPKCS8PEM},
		{"base64 of the PEM", b64("ec-p256.pkcs8.pem"), Options{}, FormatPKCS8PEM},
		{"JWK", string(readFixture(t, "ec-p256.jwk.json")), Options{}, FormatJWK},
		{"base64 PKCS#12", b64("ec-p256.p12"), Options{Password: password(t)}, FormatPKCS12},
		{"base64 PKCS#12, wrapped", wrap76(b64("ec-p256.p12")), Options{Password: password(t)}, FormatPKCS12},
		{"base64url PKCS#12", base64.RawURLEncoding.EncodeToString(readFixture(t, "ec-p256.p12")), Options{Password: password(t)}, FormatPKCS12},
		{"base64 DER", b64("rsa2048.pkcs8.der"), Options{}, FormatPKCS8DER},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, err := FromEnv(tt.value, tt.opt)
			if err != nil {
				t.Fatal(err)
			}
			if k.Source != "POSTMINT_PRIVATE_KEY" || k.Format != tt.format {
				t.Errorf("Source %q, Format %q", k.Source, k.Format)
			}
			if tt.format != FormatPKCS8DER && !sameKey(k.Public(), ref.Public()) {
				t.Error("not the same key")
			}
		})
	}
	// Legacy encrypted PEM survives the trip through one line, headers included.
	legacy := strings.ReplaceAll(string(readFixture(t, "rsa2048.legacy-aes256.pem")), "\n", " ")
	if _, err := FromEnv(legacy, Options{Password: password(t)}); err != nil {
		t.Errorf("one-line legacy PEM: %v", err)
	}
	// Binary stores arrive base64-encoded.
	k, err := FromEnv(b64("two.jks"), Options{Password: keyPassword(t), StorePassword: password(t), Alias: "rsa-key"})
	if err != nil || k.Format != FormatJKS {
		t.Errorf("base64 JKS: %v", err)
	}
}

func wrap76(s string) string {
	var b strings.Builder
	for len(s) > 76 {
		b.WriteString(s[:76] + "\n")
		s = s[76:]
	}
	return b.String() + s
}

func TestDetectsContentNotExtension(t *testing.T) {
	dir := t.TempDir()
	misnamed := filepath.Join(dir, "client.p12")
	if err := os.WriteFile(misnamed, readFixture(t, "ec-p256.sec1.pem"), 0o600); err != nil {
		t.Fatal(err)
	}
	k, err := Load(misnamed, Options{})
	if err != nil || k.Format != FormatSEC1PEM {
		t.Fatalf("Load(PEM named .p12) = %v, %v", k, err)
	}
	// The content decides, not the PEM label: PKCS#1 in a "PRIVATE KEY" block (as go-pkcs12's
	// ToPEM writes) still reads.
	relabeled := strings.ReplaceAll(string(readFixture(t, "rsa2048.pkcs1.pem")), "RSA PRIVATE KEY", "PRIVATE KEY")
	if k, err := Parse([]byte(relabeled), "relabeled.pem", Options{}); err != nil || k.Format != FormatPKCS1PEM {
		t.Errorf("PKCS#1 labelled PRIVATE KEY: %v", err)
	}
	// A UTF-8 byte order mark, as Windows editors write, is ignored.
	bom := append([]byte{0xEF, 0xBB, 0xBF}, readFixture(t, "ed25519.pkcs8.pem")...)
	if _, err := Parse(bom, "bom.pem", Options{}); err != nil {
		t.Errorf("PEM with BOM: %v", err)
	}
}
