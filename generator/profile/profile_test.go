package profile

import (
	"crypto/x509"
	"strings"
	"testing"
	"time"

	"github.com/postmint/postmint/generator/config"
	"github.com/postmint/postmint/generator/keys"
	"github.com/postmint/postmint/internal/testkeys"
)

const base = "version: 1\nname: Acme\ntoken_url: https://idp.example.com/connect/token\nclient_id: acme\n"

func client(t *testing.T, extra string) *config.Client {
	t.Helper()
	def, err := config.Parse([]byte(base+extra), "client.yaml")
	if err != nil {
		t.Fatal(err)
	}
	c, err := def.Resolve()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func key(alg string) *keys.Key {
	return &keys.Key{Signer: testkeys.ForAlg(alg), Source: "test", Format: keys.FormatPKCS8PEM}
}

// TestChooseAlg: the definition's alg, else the preset's, else the key's, else RS256 (said).
func TestChooseAlg(t *testing.T) {
	for _, tc := range []struct {
		name, extra, keyAlg, want string
		defaulted                 bool
	}{
		{"definition beats key", "alg: PS256\n", "ES256", "PS256", false},
		{"preset beats key", "preset: curity\nkid: k1\n", "ES256", "PS256", false},
		{"key when nothing else", "", "ES384", "ES384", false},
		{"default", "", "", DefaultAlg, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			alg, defaulted := ChooseAlg(client(t, tc.extra), tc.keyAlg)
			if alg != tc.want || defaulted != tc.defaulted {
				t.Errorf("ChooseAlg = %s, %v; want %s, %v", alg, defaulted, tc.want, tc.defaulted)
			}
		})
	}
}

// TestBuild: the profile takes the key's alg, refuses an alg the key cannot sign, a certificate
// of another key and a certificate header without a certificate, and computes x5t#S256.
func TestBuild(t *testing.T) {
	now := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	p, _, err := Build(client(t, ""), Material{Key: key("ES256"), Now: now})
	if err != nil || p.Alg != "ES256" {
		t.Fatalf("Build = %v, %v; want alg ES256", p, err)
	}
	if _, _, err := Build(client(t, "alg: RS256\n"), Material{Key: key("ES256"), Now: now}); err == nil || !strings.HasPrefix(err.Error(), "client.yaml: ") {
		t.Errorf("RS256 with an EC key: err = %v, want a client.yaml: error", err)
	}
	other, _, err := keys.SelfSignedCertificate(testkeys.ForAlg("ES384"), "CN=other", 30, now)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := Build(client(t, ""), Material{Key: key("ES256"), Certificates: []*x509.Certificate{other}, Now: now}); err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("another key's certificate: err = %v, want a certificate error", err)
	}
	if _, _, err := Build(client(t, "headers:\n  x5t#S256: true\n"), Material{Key: key("ES256"), Now: now}); err == nil || !strings.Contains(err.Error(), "headers.x5t#S256") {
		t.Errorf("x5t#S256 without a certificate: err = %v, want headers.x5t#S256 named", err)
	}
	own, _, err := keys.SelfSignedCertificate(testkeys.ForAlg("ES256"), "CN=acme", 30, now)
	if err != nil {
		t.Fatal(err)
	}
	p, _, err = Build(client(t, "headers:\n  x5t#S256: true\n"), Material{Key: key("ES256"), Certificates: []*x509.Certificate{own}, Now: now})
	if err != nil || p.X5TS256 != keys.X5TS256(own) || p.X5TS256 == "" {
		t.Errorf("x5t#S256 = %q, %v; want %q", p.X5TS256, err, keys.X5TS256(own))
	}
}

// TestBuildWarnsOutsidePresetAlgs: an alg the preset does not document is a warning naming it.
func TestBuildWarnsOutsidePresetAlgs(t *testing.T) {
	_, warnings, err := Build(client(t, "preset: entra\nalg: ES256\nheaders:\n  x5t#S256: false\n"), Material{Key: key("ES256")})
	if err != nil {
		t.Fatal(err)
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], "alg ES256 is not among") {
		t.Errorf("warnings = %q", warnings)
	}
}
