package keysource_test

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/postmint/postmint/generator/config"
	"github.com/postmint/postmint/generator/dpop"
	"github.com/postmint/postmint/generator/keys"
	"github.com/postmint/postmint/generator/keysource"
	"github.com/postmint/postmint/generator/oauth"
	"github.com/postmint/postmint/generator/postman"
	"github.com/postmint/postmint/generator/profile"
	"github.com/postmint/postmint/generator/token"
	"github.com/postmint/postmint/internal/boundedread"
)

// Each source holds a key of its own type, so the key that comes out names its source.
var (
	fileKey  = testKey("rsa2048.pkcs8.pem") // RSA
	valueKey = testKey("ec-p256.pkcs8.pem") // P-256
	defKey   = testKey("ed25519.pkcs8.pem") // Ed25519
	envKey   = testKey("ec-p384.pkcs8.pem") // P-384
)

func testKey(name string) string { return filepath.Join("..", "..", "testdata", "keys", name) }

func text(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// kind names a key by its type, the way the sources above are told apart.
func kind(k *keys.Key) string {
	switch pub := k.Public().(type) {
	case *rsa.PublicKey:
		return "rsa"
	case ed25519.PublicKey:
		return "ed25519"
	case *ecdsa.PublicKey:
		if pub.Curve == elliptic.P384() {
			return "p384"
		}
		return "p256"
	}
	return "?"
}

func allSources(t *testing.T) keysource.Sources {
	return keysource.Sources{File: fileKey, FileFlag: "-k", Value: text(t, valueKey), Definition: defKey, Environment: text(t, envKey)}
}

// TestPrecedence: each source beats every later one, in the contract's order (-k,
// POSTMINT_PRIVATE_KEY, key:, the environment's privateKey); none is nil without error.
func TestPrecedence(t *testing.T) {
	cases := []struct {
		name string
		drop func(*keysource.Sources)
		want string
		from keysource.Origin
	}{
		{"flag beats all", func(*keysource.Sources) {}, "rsa", keysource.File},
		{"env var beats definition", func(s *keysource.Sources) { s.File = "" }, "p256", keysource.Value},
		{"definition beats environment", func(s *keysource.Sources) { s.File, s.Value = "", "" }, "ed25519", keysource.Definition},
		{"environment last", func(s *keysource.Sources) { s.File, s.Value, s.Definition = "", "", "" }, "p384", keysource.Environment},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := allSources(t)
			tc.drop(&s)
			k, from, err := s.Private()
			if err != nil {
				t.Fatal(err)
			}
			if got := kind(k); got != tc.want || from != tc.from {
				t.Errorf("got a %s key from %v, want a %s key from %v", got, from, tc.want, tc.from)
			}
		})
	}
	k, from, err := keysource.Sources{}.Private()
	if k != nil || from != keysource.None || err != nil {
		t.Errorf("no sources: got %v, %v, %v; want nil, None, nil", k, from, err)
	}
}

// TestFlagBeatsEnvVar: -k wins over POSTMINT_PRIVATE_KEY, and a -k that cannot be read is an
// error, never a silent fall back to the variable.
func TestFlagBeatsEnvVar(t *testing.T) {
	s := keysource.Sources{File: filepath.Join(t.TempDir(), "missing.pem"), Value: text(t, valueKey)}
	if k, from, err := s.Private(); err == nil || from != keysource.File {
		t.Fatalf("a missing -k file: got key %v from %v, err %v; want the file's error", k, from, err)
	}
	s = keysource.Sources{Value: "not a key", Definition: defKey}
	if _, from, err := s.Private(); err == nil || from != keysource.Value {
		t.Fatalf("a broken POSTMINT_PRIVATE_KEY: got origin %v, err %v; want the variable's error", from, err)
	}
}

// TestVaultReferenceIsNoKey: an environment's privateKey that refers to the Postman Vault is
// no key, and ForEnvironment says whose vault secret it is.
func TestVaultReferenceIsNoKey(t *testing.T) {
	s := keysource.Sources{Environment: oauth.VaultReference("acme-private-key")}
	if k, from, err := s.Private(); k != nil || from != keysource.None || err != nil {
		t.Fatalf("vault reference: got %v, %v, %v; want no key", k, from, err)
	}
	env := environment(t, oauth.VaultReference("acme-private-key"), false)
	_, err := keysource.ForEnvironment(env, "env.json", keysource.Sources{})
	if !errors.Is(err, keysource.ErrNoKey) || !strings.Contains(err.Error(), "Postman Vault secret acme-private-key") {
		t.Fatalf("got %v; want ErrNoKey naming the vault secret", err)
	}
	// The CI secret still works beside a vault reference.
	sig, err := keysource.ForEnvironment(env, "env.json", keysource.Sources{Value: text(t, fileKey)})
	if err != nil || sig.From != keysource.Value || kind(sig.Key) != "rsa" {
		t.Fatalf("vault reference and POSTMINT_PRIVATE_KEY: got %+v, %v", sig, err)
	}
	empty := environment(t, "", false)
	if _, err := keysource.ForEnvironment(empty, "env.json", keysource.Sources{}); !errors.Is(err, keysource.ErrNoKey) || !strings.Contains(err.Error(), "privateKey is empty") {
		t.Fatalf("empty privateKey: got %v", err)
	}
}

// TestForEnvironment: the environment's own key is the last source; DPoP keys come from
// dpopKey or are made new (and marked so).
func TestForEnvironment(t *testing.T) {
	env := environment(t, text(t, fileKey), true)
	sig, err := keysource.ForEnvironment(env, "env.json", keysource.Sources{})
	if err != nil {
		t.Fatal(err)
	}
	if sig.From != keysource.Environment || sig.Session.DPoP == nil || !sig.Session.NewDPoP {
		t.Fatalf("got origin %v, DPoP %v new %v; want the environment's key and a new DPoP key", sig.From, sig.Session.DPoP, sig.Session.NewDPoP)
	}
	jwk, err := sig.Session.DPoP.JWK()
	if err != nil {
		t.Fatal(err)
	}
	env.SetDPoP("DPoP", "n-1", jwk)
	again, err := keysource.ForEnvironment(env, "env.json", keysource.Sources{})
	if err != nil {
		t.Fatal(err)
	}
	if again.Session.NewDPoP || again.Session.Nonce != "n-1" {
		t.Errorf("with dpopKey and dpopNonce: new %v nonce %q; want the environment's", again.Session.NewDPoP, again.Session.Nonce)
	}
	// A key that does not fit the environment's alg is refused.
	if _, err := keysource.ForEnvironment(env, "env.json", keysource.Sources{File: valueKey}); err == nil || !strings.Contains(err.Error(), "environment env.json: alg:") {
		t.Errorf("a P-256 key for RS256: got %v", err)
	}
}

// TestForClient: the definition's key: is the third source, no key is ErrNoKey, and the
// client is not changed.
func TestForClient(t *testing.T) {
	c := client(t, "key: "+abs(t, defKey)+"\n")
	sig, err := keysource.ForClient(c, keysource.Sources{}, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if sig.From != keysource.Definition || sig.Session.Profile.Alg != "EdDSA" {
		t.Errorf("got origin %v alg %s; want key: and EdDSA", sig.From, sig.Session.Profile.Alg)
	}
	if c.Alg != "" {
		t.Errorf("ForClient set the client's alg to %q", c.Alg)
	}
	sig, err = keysource.ForClient(c, keysource.Sources{Value: text(t, valueKey)}, time.Now())
	if err != nil || sig.From != keysource.Value || sig.Session.Profile.Alg != "ES256" {
		t.Errorf("POSTMINT_PRIVATE_KEY beside key:: got %+v, %v", sig, err)
	}
	if _, err := keysource.ForClient(client(t, ""), keysource.Sources{}, time.Now()); !errors.Is(err, keysource.ErrNoKey) {
		t.Errorf("no key: got %v, want ErrNoKey", err)
	}
}

// TestPublicMaterial: for --no-key, a public JWK chooses alg and kid; the definition's come
// first; no key at all defaults the alg; the client is never changed.
func TestPublicMaterial(t *testing.T) {
	c := client(t, "")
	m, defaulted, err := keysource.NoKeyMaterial(c, keysource.Sources{File: testKey("rsa2048.pub.jwk.json"), FileFlag: "-k"}, time.Now())
	if err != nil || defaulted {
		t.Fatal(err, defaulted)
	}
	if m.Key != nil || m.KeyAlg != "RS256" || m.KeyID != "rsa-1" {
		t.Errorf("public JWK: got key %v alg %q kid %q; want no key, RS256, rsa-1", m.Key, m.KeyAlg, m.KeyID)
	}
	if c.Alg != "" || c.Kid != "" {
		t.Errorf("NoKeyMaterial changed the client: alg %q kid %q", c.Alg, c.Kid)
	}
	p, _, err := profile.Build(c, m)
	if err != nil || p.Alg != "RS256" || p.Kid != "rsa-1" {
		t.Errorf("profile from public material: %+v, %v", p, err)
	}

	chosen := client(t, "alg: PS256\nkid: mine\n")
	m, _, err = keysource.NoKeyMaterial(chosen, keysource.Sources{File: testKey("rsa2048.pub.jwk.json"), FileFlag: "-k"}, time.Now())
	if err != nil || m.KeyAlg != "PS256" || m.KeyID != "mine" {
		t.Errorf("definition's alg and kid: got %q %q, %v; want PS256 mine", m.KeyAlg, m.KeyID, err)
	}

	ec := keysource.PublicChoice(c, &keys.Public{Key: publicOf(t, valueKey)})
	if ec.Alg != "ES256" || ec.Defaulted {
		t.Errorf("P-256 public key: %+v", ec)
	}

	_, defaulted, err = keysource.NoKeyMaterial(c, keysource.Sources{}, time.Now())
	if err != nil || !defaulted || c.Alg != "" {
		t.Errorf("no key at all: defaulted %v, err %v, client alg %q; want defaulted and the client unchanged", defaulted, err, c.Alg)
	}

	// A private key is still a private key with --no-key.
	m, _, err = keysource.NoKeyMaterial(c, keysource.Sources{File: fileKey}, time.Now())
	if err != nil || m.Key == nil {
		t.Errorf("private key with --no-key: %v, %v", m.Key, err)
	}
}

// TestBoundedReads: a key path that gives endless bytes is refused by size, from every source
// that names a file and for public material.
func TestBoundedReads(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no /dev/zero")
	}
	for _, s := range []keysource.Sources{{File: "/dev/zero"}, {Definition: "/dev/zero"}} {
		if _, _, err := s.Private(); err == nil || !strings.Contains(err.Error(), "too large") {
			t.Errorf("%+v: got %v; want too large", s, err)
		}
	}
	if _, err := keysource.ReadPublic("/dev/zero", "-k"); !errors.Is(err, boundedread.ErrTooLarge) || !strings.HasPrefix(err.Error(), "reading -k /dev/zero: ") {
		t.Errorf("public material: got %v", err)
	}
	if _, _, err := keysource.NoKeyMaterial(client(t, ""), keysource.Sources{File: "/dev/zero", FileFlag: "-k"}, time.Now()); err == nil {
		t.Error("--no-key -k /dev/zero: no error")
	}
}

func publicOf(t *testing.T, path string) any {
	k, err := keys.Load(path, keys.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return k.Public()
}

func abs(t *testing.T, p string) string {
	a, err := filepath.Abs(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// client resolves a minimal definition plus extra lines.
func client(t *testing.T, extra string) *config.Client {
	t.Helper()
	path := filepath.Join(t.TempDir(), "client.yaml")
	def := "version: 1\nname: Test\ntoken_url: https://idp.example.com/token\nclient_id: c1\n" + extra
	if err := os.WriteFile(path, []byte(def), 0o600); err != nil {
		t.Fatal(err)
	}
	d, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	c, err := d.Resolve()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// environment is what generate writes for an RS256 client (with dpop: true when dpop), with
// privateKey set to key.
func environment(t *testing.T, key string, dpop bool) *postman.Environment {
	t.Helper()
	extra := "alg: RS256\n"
	if dpop {
		extra += "dpop: true\n"
	}
	p, _, err := profile.Build(client(t, extra), profile.Material{})
	if err != nil {
		t.Fatal(err)
	}
	return postman.NewEnvironment("id", "Test", postman.ProfileVariables(p, oauth.Secrets{PrivateKey: key}))
}

// TestDPoPSession: an environment's DPoP state for postmint dpop: its key and nonces; a
// bearer client, an empty dpopKey and a Postman Vault reference are errors by kind; --dpop-key
// text beats dpopKey.
func TestDPoPSession(t *testing.T) {
	if _, err := keysource.DPoPSession(environment(t, "", false), "env.json", ""); !errors.Is(err, keysource.ErrNotDPoP) {
		t.Errorf("bearer client: err = %v, want ErrNotDPoP", err)
	}
	env := environment(t, "", true)
	if _, err := keysource.DPoPSession(env, "env.json", ""); !errors.Is(err, keysource.ErrNoDPoPKey) {
		t.Errorf("empty dpopKey: err = %v, want ErrNoDPoPKey", err)
	}
	env.Set(postman.VarDPoPKey, "{{vault:acme-dpop-key}}", postman.TypeSecret)
	if _, err := keysource.DPoPSession(env, "env.json", ""); !errors.Is(err, keysource.ErrNoDPoPKey) || !strings.Contains(err.Error(), "acme-dpop-key") {
		t.Errorf("vault reference: err = %v, want ErrNoDPoPKey naming the secret", err)
	}
	mine, err := dpop.NewKey("ES256")
	if err != nil {
		t.Fatal(err)
	}
	jwk, err := mine.JWK()
	if err != nil {
		t.Fatal(err)
	}
	env.SetDPoP("DPoP", "n-1", jwk)
	env.Set(postman.VarDPoPAPINonces, `{"https://api.example.com":"n-api"}`, postman.TypeDefault)
	s, err := keysource.DPoPSession(env, "env.json", "")
	if err != nil {
		t.Fatal(err)
	}
	if s.NewDPoP || s.Nonce != "n-1" || s.NonceFor("https://api.example.com/x") != "n-api" {
		t.Errorf("session: new %v, nonce %q, API nonce %q", s.NewDPoP, s.Nonce, s.NonceFor("https://api.example.com/x"))
	}
	if got, want := thumb(t, s.DPoP), thumb(t, mine); got != want {
		t.Errorf("DPoP key thumbprint %s, want the environment's %s", got, want)
	}
	other, _ := dpop.NewKey("ES256")
	otherJWK, _ := other.JWK()
	keyFile := filepath.Join(t.TempDir(), "dpop.jwk.json")
	if err := os.WriteFile(keyFile, []byte(otherJWK), 0o600); err != nil {
		t.Fatal(err)
	}
	if s, err = keysource.DPoPSession(env, "env.json", keyFile); err != nil || thumb(t, s.DPoP) != thumb(t, other) {
		t.Errorf("--dpop-key file: err %v; want its key", err)
	}
	if _, err = keysource.DPoPSession(env, "env.json", "/dev/zero"); err == nil || !strings.HasPrefix(err.Error(), "reading DPoP key /dev/zero") {
		t.Errorf("--dpop-key /dev/zero: %v; want a bounded read's refusal", err)
	}
}

func thumb(t *testing.T, k *dpop.Key) string {
	t.Helper()
	return k.Thumbprint()
}

// TestStoreToken: the token answer goes into the environment; a DPoP key made by the session
// is written (and reported) once, a key the environment had is not rewritten.
func TestStoreToken(t *testing.T) {
	env := environment(t, text(t, fileKey), true)
	sig, err := keysource.ForEnvironment(env, "env.json", keysource.Sources{})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Unix(1_800_000_000, 0)
	resp := &token.Response{AccessToken: "at-1", TokenType: "DPoP", DPoPNonce: "n-2", ExpiresAt: now.Add(time.Hour)}
	newKey, err := sig.StoreToken(env, resp, now)
	if err != nil || !newKey {
		t.Fatalf("StoreToken = %v, %v; want a new key reported", newKey, err)
	}
	if env.Lookup(postman.VarBearerToken) != "at-1" || env.Lookup(postman.VarDPoPNonce) != "n-2" || env.Lookup(postman.VarDPoPKey) == "" {
		t.Errorf("environment: bearerToken %q, dpopNonce %q, dpopKey set %v", env.Lookup(postman.VarBearerToken), env.Lookup(postman.VarDPoPNonce), env.Lookup(postman.VarDPoPKey) != "")
	}
	again, err := keysource.ForEnvironment(env, "env.json", keysource.Sources{})
	if err != nil {
		t.Fatal(err)
	}
	if newKey, err := again.StoreToken(env, resp, now); err != nil || newKey {
		t.Errorf("with the environment's own DPoP key: newKey %v, %v; want false", newKey, err)
	}
}

// TestPassword: a file beats the variable's value and loses its line ending; an empty file is
// an empty password (not none); neither given is none; a huge file is refused.
func TestPassword(t *testing.T) {
	dir := t.TempDir()
	write := func(name, text string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	if pw, err := keysource.Password(write("pw", "s3cret\r\n"), "--key-password-file", "from-env"); err != nil || string(pw) != "s3cret" {
		t.Errorf("file: %q, %v; want s3cret", pw, err)
	}
	if pw, err := keysource.Password(write("empty", "\n"), "--key-password-file", "from-env"); err != nil || pw == nil || len(pw) != 0 {
		t.Errorf("empty file: %q (nil %v), %v; want empty, not nil", pw, pw == nil, err)
	}
	if pw, err := keysource.Password("", "--key-password-file", "from-env"); err != nil || string(pw) != "from-env" {
		t.Errorf("value: %q, %v", pw, err)
	}
	if pw, err := keysource.Password("", "--key-password-file", ""); err != nil || pw != nil {
		t.Errorf("none: %q, %v; want nil", pw, err)
	}
	if _, err := keysource.Password(write("big", strings.Repeat("x", 1<<20)), "--key-password-file", ""); err == nil || !strings.HasPrefix(err.Error(), "reading --key-password-file ") {
		t.Errorf("a 1 MiB password file: err = %v", err)
	}
}
