package dpop

import (
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"

	"github.com/postmint/postmint/generator/oauth"
)

// RFC 9449 §4.2 / §7.1 example: the access token and its ath.
func TestATHMatchesRFC9449Example(t *testing.T) {
	if got, want := ATH("Kz~8mXK1EalYznwH-LC-1fBAo.4Ljp~zsPE_NeO.gxU"), "fUHyO2r2Z3DZ53EsNrWBb0xWXoaNy59IiKCAqksmQEo"; got != want {
		t.Fatalf("ATH = %s, want %s", got, want)
	}
}

// RFC 7638 §3.1 example key (public) and its thumbprint; a key made from its public part only
// cannot sign, so the thumbprint is checked through the same go-jose call Thumbprint makes.
func TestThumbprintMatchesRFC7638Example(t *testing.T) {
	const example = `{"kty":"RSA","n":"0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw","e":"AQAB","alg":"RS256","kid":"2011-04-29"}`
	var k jose.JSONWebKey
	if err := json.Unmarshal([]byte(example), &k); err != nil {
		t.Fatal(err)
	}
	key := &Key{Alg: "RS256", public: jose.JSONWebKey{Key: k.Key}}
	if got, want := key.Thumbprint(), "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"; got != want {
		t.Fatalf("Thumbprint = %s, want %s", got, want)
	}
}

// Every DPoP alg: a new key survives its JWK round trip, and its proofs verify with the
// embedded jwk through go-jose (a JOSE implementation other than the golang-jwt that signs).
func TestProofVerifiesForEveryAlg(t *testing.T) {
	now := time.Unix(1_800_000_000, 0)
	for _, alg := range oauth.DPoPAlgs {
		t.Run(alg, func(t *testing.T) {
			k, err := NewKey(alg)
			if err != nil {
				t.Fatal(err)
			}
			text, err := k.JWK()
			if err != nil {
				t.Fatal(err)
			}
			k2, err := ParseKey(text, alg)
			if err != nil {
				t.Fatalf("ParseKey(own JWK): %v", err)
			}
			if k2.Alg != alg || k2.Thumbprint() != k.Thumbprint() {
				t.Fatalf("round trip: alg %s thumbprint %s, want %s %s", k2.Alg, k2.Thumbprint(), alg, k.Thumbprint())
			}
			proof, err := k2.Proof(Request{Method: "get", URL: "https://API.example.com/orders?page=2#top", Nonce: "n-1", AccessToken: "tok", Now: now, JTI: "j-1"})
			if err != nil {
				t.Fatal(err)
			}
			jws, err := jose.ParseSigned(proof, []jose.SignatureAlgorithm{jose.SignatureAlgorithm(alg)})
			if err != nil {
				t.Fatal(err)
			}
			h := jws.Signatures[0].Header
			if h.JSONWebKey == nil || !h.JSONWebKey.IsPublic() {
				t.Fatalf("jwk header missing or not public: %+v", h.JSONWebKey)
			}
			if typ, _ := h.ExtraHeaders["typ"].(string); typ != ProofType {
				t.Fatalf("typ = %q", typ)
			}
			if jwk := protectedHeader(t, proof)["jwk"].(map[string]any); jwk["d"] != nil || jwk["p"] != nil {
				t.Fatal("the proof's jwk carries a private member")
			}
			payload, err := jws.Verify(h.JSONWebKey)
			if err != nil {
				t.Fatalf("signature does not verify with the embedded jwk: %v", err)
			}
			var claims map[string]any
			if err := json.Unmarshal(payload, &claims); err != nil {
				t.Fatal(err)
			}
			want := map[string]any{"jti": "j-1", "htm": "GET", "htu": "https://API.example.com/orders", "iat": float64(now.Unix()), "nonce": "n-1", "ath": ATH("tok")}
			for name, v := range want {
				if claims[name] != v {
					t.Errorf("claim %s = %v, want %v", name, claims[name], v)
				}
			}
			if len(claims) != len(want) {
				t.Errorf("claims %v, want exactly %v", claims, want)
			}
		})
	}
}

func protectedHeader(t *testing.T, proof string) map[string]any {
	t.Helper()
	seg, _, _ := strings.Cut(proof, ".")
	b, err := base64.RawURLEncoding.DecodeString(seg)
	if err != nil {
		t.Fatal(err)
	}
	var h map[string]any
	if err := json.Unmarshal(b, &h); err != nil {
		t.Fatal(err)
	}
	return h
}

func TestProofWithoutNonceOrTokenHasNeither(t *testing.T) {
	k, err := NewKey("ES256")
	if err != nil {
		t.Fatal(err)
	}
	proof, err := k.Proof(Request{Method: "POST", URL: "https://as.example/token"})
	if err != nil {
		t.Fatal(err)
	}
	jws, _ := jose.ParseSigned(proof, []jose.SignatureAlgorithm{jose.ES256})
	var claims map[string]any
	_ = json.Unmarshal(jws.UnsafePayloadWithoutVerification(), &claims)
	if _, ok := claims["nonce"]; ok {
		t.Error("nonce claim without a nonce")
	}
	if _, ok := claims["ath"]; ok {
		t.Error("ath claim without an access token")
	}
	if claims["jti"] == "" || claims["jti"] == nil {
		t.Error("no jti")
	}
}

func TestBadInput(t *testing.T) {
	ec, _ := NewKey("ES256")
	ecJWK, _ := ec.JWK()
	public, _ := json.Marshal(ec.PublicJWK())
	var members map[string]string
	if err := json.Unmarshal([]byte(ecJWK), &members); err != nil || members["d"] == "" || members["x"] == "" {
		t.Fatalf("the test key's JWK: %v", err)
	}
	for _, tc := range []struct {
		name string
		run  func() error
		want error
	}{
		{"unknown alg", func() error { _, err := NewKey("HS256"); return err }, ErrAlg},
		{"alg the key cannot make", func() error { _, err := ParseKey(ecJWK, "EdDSA"); return err }, ErrKeyType},
		{"public JWK", func() error { _, err := ParseKey(string(public), "ES256"); return err }, ErrNotPrivate},
		{"not JSON", func() error { _, err := ParseKey("-----BEGIN PRIVATE KEY-----", "ES256"); return err }, ErrNotPrivate},
		{"oct key", func() error { _, err := ParseKey(`{"kty":"oct","k":"c2VjcmV0"}`, "ES256"); return err }, ErrNotPrivate},
		{"relative URL", func() error { _, err := ec.Proof(Request{Method: "GET", URL: "/orders"}); return err }, ErrURL},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.run()
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			for _, secret := range []string{members["d"], members["x"]} {
				if strings.Contains(err.Error(), secret) {
					t.Fatalf("error echoes the key: %v", err)
				}
			}
		})
	}
}

// HTU drops userinfo (RFC 9110 §4.2.4), query and fragment, and re-encodes nothing; an error
// never shows a password.
func TestHTU(t *testing.T) {
	for in, want := range map[string]string{
		"https://alice:pw@api.example.com/x?q=1#f":  "https://api.example.com/x",
		"https://alice@api.example.com":             "https://api.example.com",
		"https://a:b@c@api.example.com:8443/p/q/":   "https://api.example.com:8443/p/q/",
		"http://api.example.com/a%2Fb?x":            "http://api.example.com/a%2Fb",
		"https://api.example.com/token#frag?not-qs": "https://api.example.com/token",
		"https://api.example.com/@me":               "https://api.example.com/@me",
	} {
		if got, err := HTU(in); err != nil || got != want {
			t.Errorf("HTU(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	_, err := HTU("ftp://alice:s3cret@files.example.com/x")
	if !errors.Is(err, ErrURL) || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("err = %v", err)
	}
}
