package verify

import (
	"crypto"
	"crypto/rsa"
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/postmint/postmint/generator/assertion"
	"github.com/postmint/postmint/generator/keys"
	"github.com/postmint/postmint/generator/oauth"
)

var t0 = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

func fixture(t *testing.T, name string) string {
	t.Helper()
	return filepath.Join("..", "..", "testdata", "keys", name)
}

func loadKey(t *testing.T, name string) *keys.Key {
	t.Helper()
	pw, err := os.ReadFile(fixture(t, "password.txt"))
	if err != nil {
		t.Fatal(err)
	}
	k, err := keys.Load(fixture(t, name), keys.Options{Password: pw})
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func profile(alg string) *oauth.Profile {
	return &oauth.Profile{
		ClientID: "c1", Issuer: "c1", Subject: "c1", Audience: "https://idp.test/token",
		Alg: alg, Kid: "k1", Typ: "JWT", Lifetime: time.Minute,
	}
}

func mint(t *testing.T, p *oauth.Profile, s crypto.Signer, at time.Time) string {
	t.Helper()
	tok, err := assertion.Mint(p, s, assertion.Options{Now: func() time.Time { return at }, JTI: func() string { return "jti-1" }})
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func rules() *Rules {
	return &Rules{Source: "preset test", Issuer: "c1", Subject: "c1", Audience: "https://idp.test/token",
		AudienceRule: "the token endpoint URL", MaxLifetime: 2 * time.Minute, Typ: "JWT", Kid: "k1"}
}

func kinds(r *Result) []string {
	var out []string
	for _, p := range r.Problems {
		out = append(out, p.Kind)
	}
	return out
}

func wantProblems(t *testing.T, r *Result, want ...string) {
	t.Helper()
	got := kinds(r)
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("problems = %q, want %q\n%v", got, want, r.Problems)
	}
}

func TestValidEveryKeyType(t *testing.T) {
	for _, tc := range []struct{ file, alg string }{
		{"rsa2048.pkcs8.pem", "RS256"}, {"rsa2048.pkcs8.pem", "PS512"}, {"ec-p256.pkcs8.pem", "ES256"},
		{"ec-p384.pkcs8.pem", "ES384"}, {"ec-p521.pkcs8.pem", "ES512"}, {"ed25519.pkcs8.pem", "EdDSA"},
	} {
		k := loadKey(t, tc.file)
		tok := mint(t, profile(tc.alg), k.Signer, t0)
		jwk, err := keys.PublicJWK(k.Public(), "k1", tc.alg)
		if err != nil {
			t.Fatal(err)
		}
		set, err := keys.JWKS(jwk)
		if err != nil {
			t.Fatal(err)
		}
		ks, err := ParseJWKS(set, "jwks.json")
		if err != nil {
			t.Fatal(err)
		}
		r := Check(tok, Options{Keys: ks, Rules: rules(), Now: t0.Add(10 * time.Second)})
		wantProblems(t, r)
		if r.Key == nil || r.Key.KID != "k1" {
			t.Errorf("%s: key = %+v", tc.alg, r.Key)
		}
	}
}

func TestEveryProblemListed(t *testing.T) {
	k := loadKey(t, "rsa2048.pkcs8.pem")
	other := loadKey(t, "ec-p256.pkcs8.pem")
	p := profile("RS256")
	p.Audience = "https://other.test/token"
	p.Lifetime = time.Hour
	p.Typ = ""
	tok := mint(t, p, k.Signer, t0)
	ks := []PublicKey{{Key: other.Public(), Source: "ec.pem"}}
	r := Check(tok, Options{Keys: ks, Rules: rules(), Now: t0.Add(2 * time.Hour)})
	wantProblems(t, r, WrongAlg, Expired, LifetimeTooLong, AudienceMismatch, Missing("typ"))
	for _, want := range []string{`expected "https://idp.test/token" (the token endpoint URL, preset test)`, "1h0m0s ago", "exp - iat is 1h0m0s"} {
		if !strings.Contains(fmtProblems(r), want) {
			t.Errorf("problems lack %q:\n%s", want, fmtProblems(r))
		}
	}
}

func fmtProblems(r *Result) string {
	var b strings.Builder
	for _, p := range r.Problems {
		b.WriteString(p.String() + "\n")
	}
	return b.String()
}

func TestSignatureAndKid(t *testing.T) {
	k := loadKey(t, "rsa2048.pkcs8.pem")
	wrong, err := keys.Generate("RSA-2048", nil)
	if err != nil {
		t.Fatal(err)
	}
	tok := mint(t, profile("RS256"), k.Signer, t0)
	now := Options{Now: t0}

	now.Keys = []PublicKey{{Key: wrong.Public(), KID: "k1", Source: "jwks.json"}}
	wantProblems(t, Check(tok, now), SignatureInvalid)

	now.Keys = []PublicKey{{Key: k.Public(), KID: "other", Source: "jwks.json"}}
	r := Check(tok, now)
	wantProblems(t, r, UnknownKid)
	if !strings.Contains(r.Problems[0].Detail, `kid "k1" is not in jwks.json (it has "other")`) {
		t.Error(r.Problems[0])
	}

	// A PEM key has no kid: it is tried whatever the header says.
	now.Keys = []PublicKey{{Key: k.Public(), Source: "pub.pem"}}
	wantProblems(t, Check(tok, now))

	// Without a kid in the header, every key that fits is tried.
	p := profile("RS256")
	p.Kid = ""
	now.Keys = []PublicKey{{Key: wrong.Public(), KID: "a"}, {Key: k.Public(), KID: "b"}}
	r = Check(mint(t, p, k.Signer, t0), now)
	wantProblems(t, r)
	if r.Key.KID != "b" {
		t.Errorf("verified by %q", r.Key.KID)
	}

	// A JWK registered for another alg.
	now.Keys = []PublicKey{{Key: k.Public(), KID: "k1", Alg: "PS256"}}
	wantProblems(t, Check(tok, now), WrongAlg)

	// Tampered claims.
	parts := strings.Split(tok, ".")
	parts[1] = base64.RawURLEncoding.EncodeToString([]byte(`{"exp":9999999999}`))
	now.Keys = []PublicKey{{Key: k.Public()}}
	wantProblems(t, Check(strings.Join(parts, "."), now), SignatureInvalid)
}

func TestMalformedAndUnsigned(t *testing.T) {
	for tok, want := range map[string]string{
		"":                          "the token is empty",
		"a.b":                       "three base64url parts",
		"a.b.c.d.e":                 "encrypted JWT",
		"!!.e30.":                   "header (part 1) is not base64url",
		"e30.W10.":                  "claims (part 2) is not a JSON object",
		"eyJhbGciOiJIUzI1NiJ9.e30.": "",
	} {
		r := Check(tok, Options{Now: t0})
		if r.Valid() {
			t.Fatalf("%q: valid", tok)
		}
		if want != "" && !strings.Contains(r.Problems[0].Detail, want) {
			t.Errorf("%q: %v", tok, r.Problems)
		}
	}
	none := jwt.NewWithClaims(jwt.SigningMethodNone, jwt.MapClaims{"exp": t0.Add(time.Minute).Unix()})
	s, err := none.SignedString(jwt.UnsafeAllowNoneSignatureType)
	if err != nil {
		t.Fatal(err)
	}
	r := Check(s, Options{Now: t0})
	wantProblems(t, r, WrongAlg)
}

func TestTimesAndClaims(t *testing.T) {
	k := loadKey(t, "ec-p256.pkcs8.pem")
	ks := []PublicKey{{Key: k.Public()}}
	sign := func(claims map[string]any, header map[string]any) string {
		tok := jwt.NewWithClaims(jwt.SigningMethodES256, jwt.MapClaims(claims))
		for h, v := range header {
			tok.Header[h] = v
		}
		s, err := tok.SignedString(k.Signer)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	u := func(d time.Duration) int64 { return t0.Add(d).Unix() }

	r := Check(sign(map[string]any{"nbf": u(time.Minute), "iat": u(time.Minute), "exp": u(2 * time.Minute)}, nil), Options{Keys: ks, Now: t0})
	wantProblems(t, r, NotYetValid, IssuedInFuture)
	r = Check(sign(map[string]any{"iat": u(0)}, nil), Options{Keys: ks, Now: t0})
	wantProblems(t, r, Missing("exp"))
	// Leeway forgives a little clock skew.
	r = Check(sign(map[string]any{"exp": u(-5 * time.Second)}, nil), Options{Keys: ks, Now: t0, Leeway: 10 * time.Second})
	wantProblems(t, r)

	rl := rules()
	rl.Kid, rl.Typ = "", ""
	rl.KeyIDRule = "kid_or_x5c"
	rl.Algs = []string{"RS256"}
	r = Check(sign(map[string]any{"exp": u(time.Minute), "iss": "x", "aud": []string{"a", "b"}, "exp2": 1}, nil), Options{Keys: ks, Rules: rl, Now: t0})
	wantProblems(t, r, WrongAlg, Missing("iat"), IssuerMismatch, Missing("sub"), AudienceMismatch, Missing("jti"), Missing("kid"))
	if !strings.Contains(fmtProblems(r), `aud is ["a","b"], expected "https://idp.test/token"`) {
		t.Error(fmtProblems(r))
	}
	// An aud list with the expected value is accepted.
	r = Check(sign(map[string]any{"exp": u(time.Minute), "iat": u(0), "iss": "c1", "sub": "c1", "jti": "j", "aud": []string{"https://idp.test/token", "b"}}, map[string]any{"kid": "k"}), Options{Keys: ks, Rules: rl, Now: t0})
	wantProblems(t, r, WrongAlg)
}

func TestCertificateHeaders(t *testing.T) {
	k := loadKey(t, "rsa2048.p12")
	if len(k.Certificates) < 2 {
		t.Fatal("the PKCS#12 fixture should hold a chain")
	}
	p := profile("RS256")
	p.X5C = keys.X5C(k.Certificates)
	p.X5TS256 = keys.X5TS256(k.Certificates[0])
	p.X5T = keys.X5T(k.Certificates[0])
	tok := mint(t, p, k.Signer, t0)
	rl := rules()
	rl.X5C, rl.X5TS256, rl.X5T = true, true, true
	rl.Certificates = k.Certificates
	ks, err := ParsePublicKey(mustRead(t, fixture(t, "rsa2048.crt.pem")), "rsa2048.crt.pem", keys.Options{})
	if err != nil {
		t.Fatal(err)
	}
	wantProblems(t, Check(tok, Options{Keys: ks, Rules: rl, Now: t0}))

	// Another certificate: x5c, x5t and x5t#S256 all point elsewhere.
	ec, err := keys.LoadCertificates(fixture(t, "ec-p256.crt.pem"))
	if err != nil {
		t.Fatal(err)
	}
	rl.Certificates = ec
	wantProblems(t, Check(tok, Options{Keys: ks, Rules: rl, Now: t0}), CertificateProblem, CertificateProblem, CertificateProblem)

	// Headers missing.
	rl.Certificates = k.Certificates
	wantProblems(t, Check(mint(t, profile("RS256"), k.Signer, t0), Options{Keys: ks, Rules: rl, Now: t0}), Missing("x5c"), Missing("x5t#S256"), Missing("x5t"))
}

func mustRead(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestParsePublicKey(t *testing.T) {
	pw := mustRead(t, fixture(t, "password.txt"))
	for _, name := range []string{"rsa2048.pub.pem", "rsa2048.pkcs1-pub.pem", "rsa2048.crt.pem", "rsa2048.crt.der",
		"rsa2048.chain.pem", "rsa2048.pub.jwk.json", "rsa2048.jwk.json", "rsa2048.pkcs8.pem", "rsa2048.enc-aes256.pem", "rsa2048.p12", "one.jks"} {
		ks, err := ParsePublicKey(mustRead(t, fixture(t, name)), name, keys.Options{Password: pw})
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		tp, _ := keys.Thumbprint(ks[0].Key)
		if want := strings.TrimSpace(string(mustRead(t, fixture(t, "rsa2048.jwk-thumbprint.txt")))); tp != want {
			t.Errorf("%s: thumbprint %s, want %s", name, tp, want)
		}
	}
	ks, err := ParsePublicKey(mustRead(t, fixture(t, "public.jwks.json")), "public.jwks.json", keys.Options{})
	if err != nil || len(ks) != 2 {
		t.Fatalf("public.jwks.json: %v, %d keys", err, len(ks))
	}
	for _, name := range []string{"rsa2048.csr.pem", "junk.bin", "ec-secp256k1.jwk.json", "rsa2048.enc-aes256.pem"} {
		_, err := ParsePublicKey(mustRead(t, fixture(t, name)), name, keys.Options{})
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: err = %v", name, err)
		}
		if err != nil && strings.Contains(err.Error(), "MII") {
			t.Errorf("%s: error echoes key material: %v", name, err)
		}
	}
	// A JWKS with an encryption key and a symmetric key beside the signing key.
	set := `{"keys":[{"kty":"oct","k":"c2VjcmV0"},{"kty":"RSA","use":"enc","n":"AQAB","e":"AQAB"},` + string(mustRead(t, fixture(t, "rsa2048.pub.jwk.json"))) + `]}`
	ks, err = ParseJWKS([]byte(set), "mixed.json")
	if err != nil || len(ks) != 1 || ks[0].KID != "rsa-1" {
		t.Fatalf("mixed: %v %+v", err, ks)
	}
	if _, ok := ks[0].Key.(*rsa.PublicKey); !ok {
		t.Errorf("key is %T, want *rsa.PublicKey", ks[0].Key)
	}
}
