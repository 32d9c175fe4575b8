package assertion

import (
	"crypto"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/postmint/postmint/generator/oauth"
	"github.com/postmint/postmint/internal/testkeys"

	"github.com/golang-jwt/jwt/v5"
)

var algs = []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}

// signerFor returns a throwaway key for alg, made once per test binary.
func signerFor(t testing.TB, alg string) crypto.Signer {
	t.Helper()
	return testkeys.ForAlg(alg)
}

func profile(alg string) *oauth.Profile {
	return &oauth.Profile{
		TokenURL:     "https://idp.example.test/connect/token",
		ClientID:     "client-1",
		Issuer:       "client-1",
		Subject:      "client-1",
		Audience:     "https://idp.example.test/connect/token",
		Alg:          alg,
		Kid:          "kid-1",
		Typ:          "JWT",
		Scope:        "api.read api.write",
		ScopeIn:      "form",
		SendClientID: true,
		GrantType:    "client_credentials",
		Lifetime:     60 * time.Second,
	}
}

var pinned = Options{
	Now: func() time.Time { return time.Unix(1700000000, 0) },
	JTI: func() string { return "6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f" },
}

// TestMintVerifies: every alg's assertion verifies with golang-jwt and the public key, with the
// header and claims of the profile.
func TestMintVerifies(t *testing.T) {
	for _, alg := range algs {
		t.Run(alg, func(t *testing.T) {
			s := signerFor(t, alg)
			tok, err := Mint(profile(alg), s, Options{})
			if err != nil {
				t.Fatal(err)
			}
			claims := jwt.MapClaims{}
			parsed, err := jwt.ParseWithClaims(tok, claims, func(*jwt.Token) (any, error) { return s.Public(), nil },
				jwt.WithValidMethods([]string{alg}), jwt.WithAudience("https://idp.example.test/connect/token"),
				jwt.WithIssuer("client-1"), jwt.WithSubject("client-1"), jwt.WithIssuedAt(), jwt.WithExpirationRequired())
			if err != nil {
				t.Fatal(err)
			}
			if parsed.Header["kid"] != "kid-1" || parsed.Header["typ"] != "JWT" {
				t.Errorf("header %v", parsed.Header)
			}
			if exp, iat := claims["exp"].(float64), claims["iat"].(float64); exp-iat != 60 {
				t.Errorf("exp - iat = %v", exp-iat)
			}
			if _, ok := claims["scope"]; ok {
				t.Error("scope is a form parameter here, not a claim")
			}
		})
	}
}

// TestMintPinned: with the clock and jti injected, the claims are exact, and RS256 and EdDSA
// tokens are byte-stable.
func TestMintPinned(t *testing.T) {
	p := profile("RS256")
	p.ExtraClaims = map[string]any{"iss": "evil", "aud": "evil", "tenant": "acme"}
	a, err := Mint(p, signerFor(t, "RS256"), pinned)
	if err != nil {
		t.Fatal(err)
	}
	_, claims, err := Decode(a)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"iss": "client-1", "sub": "client-1", "aud": "https://idp.example.test/connect/token",
		"iat": float64(1700000000), "exp": float64(1700000060), "jti": "6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f",
		"tenant": "acme",
	}
	if !reflect.DeepEqual(claims, want) {
		t.Errorf("claims (reserved ones must win over extra claims):\n got %v\nwant %v", claims, want)
	}
	for _, alg := range []string{"RS256", "EdDSA"} {
		a1, _ := Mint(profile(alg), signerFor(t, alg), pinned)
		a2, _ := Mint(profile(alg), signerFor(t, alg), pinned)
		if a1 != a2 {
			t.Errorf("%s: two pinned mints differ", alg)
		}
	}
}

func TestMintUnknownAlg(t *testing.T) {
	if _, err := Mint(profile("HS256x"), signerFor(t, "RS256"), Options{}); err == nil || !strings.Contains(err.Error(), "HS256x") {
		t.Errorf("err = %v", err)
	}
	if _, err := Mint(profile("ES256"), signerFor(t, "RS256"), Options{}); err == nil {
		t.Error("an RSA key signed ES256")
	}
}

// BenchmarkMint is the cost of minting one assertion per algorithm (key already loaded).
func BenchmarkMint(b *testing.B) {
	for _, alg := range algs {
		b.Run(alg, func(b *testing.B) {
			p, s := profile(alg), signerFor(b, alg)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Mint(p, s, Options{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// TestDecodeJSON: the printed form holds the header and the claims of the assertion, and a
// string that is no JWT is an error.
func TestDecodeJSON(t *testing.T) {
	tok, err := Mint(profile("ES256"), signerFor(t, "ES256"), pinned)
	if err != nil {
		t.Fatal(err)
	}
	out, err := DecodeJSON(tok)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"header": {`, `"kid": "kid-1"`, `"claims": {`, `"jti": "6f1c2d3e-4b5a-4c6d-8e7f-0a1b2c3d4e5f"`, `"iat": 1700000000`} {
		if !strings.Contains(string(out), want) {
			t.Errorf("DecodeJSON lacks %s:\n%s", want, out)
		}
	}
	if _, err := DecodeJSON("not.a.jwt"); err == nil {
		t.Error("DecodeJSON of no JWT: no error")
	}
}
