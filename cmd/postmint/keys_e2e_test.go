package main

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/postmint/postmint/generator/assertion"
	"github.com/postmint/postmint/generator/keys"
	"github.com/postmint/postmint/generator/oauth"
	"github.com/postmint/postmint/internal/e2e"
)

// This file proves the key formats end to end: fixture stores and encrypted keys drive generated
// collections through Newman against the real provider, `postmint token` and `postmint refresh`;
// keygen's output is checked with the standard library alone; and `postmint verify` accepts what
// `postmint mint` signs and names what is wrong with broken assertions.

// keysCLI runs postmint in-process and returns the exit code, stdout and stderr.
func keysCLI(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := Run(append([]string{"postmint"}, args...), &out, &errb)
	return code, out.String(), errb.String()
}

// keysFixture is the absolute path of a file in testdata/keys.
func keysFixture(t testing.TB, name string) string {
	t.Helper()
	p, err := filepath.Abs(repoFile("testdata", "keys", name))
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// storeCase is one fixture key file driving a client against the provider.
type storeCase struct {
	name     string
	file     string   // in testdata/keys
	flags    []string // password and alias flags
	client   e2e.Client
	kid      string // the kid the public key is registered with
	def      string // definition lines (token_url etc. filled in)
	leafCert bool   // register the store's leaf certificate for the JWT grant's x5c
}

func TestE2EKeyStores(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: runs Newman against the provider")
	}
	t.Parallel()
	e2e.RequireHarness(t)
	pw, keyPW := keysFixture(t, "password.txt"), keysFixture(t, "key-password.txt")
	cases := []storeCase{
		{
			// A business certificate as Maskinporten hands it out: PKCS#12, RS256, the JWT grant,
			// the key identified by x5c taken from the store's chain (no certificate: file).
			name:     "pkcs12-jwt-grant-x5c",
			file:     "rsa2048.p12",
			flags:    []string{"--key-password-file", pw},
			client:   e2e.Client{Grant: e2e.GrantJWTBearer, Alg: "RS256", Scope: "test:read"},
			kid:      "kid-p12",
			def:      "preset: maskinporten\nheaders: {x5c: true}\ntoken_url: {{jwtgrant_token}}\nissuer: {{jwtgrant_issuer}}\nscope: test:read\n",
			leafCert: true,
		},
		{
			// A JKS with two entries, each with a key password of its own.
			name:   "jks-alias-store-and-key-passwords",
			file:   "two.jks",
			flags:  []string{"--key-alias", "ec-key", "--store-password-file", pw, "--key-password-file", keyPW},
			client: e2e.Client{Alg: "ES384", Audience: e2e.AudienceTokenEndpoint, Scope: "api.read"},
			kid:    "kid-jks",
			def:    "alg: ES384\nkid: kid-jks\ntoken_url: {{token}}\nscope: api.read\n",
		},
		{
			// Curity's example: a password-protected PKCS#8 key, PS256.
			name:   "encrypted-pkcs8-ps256",
			file:   "rsa2048.enc-aes256.pem",
			flags:  []string{"--key-password-file", pw},
			client: e2e.Client{Alg: "PS256", Audience: e2e.AudienceTokenEndpoint, RequireClientID: true},
			kid:    "kid-enc",
			def:    "preset: duende\nalg: PS256\nkid: kid-enc\ntoken_url: {{token}}\n",
		},
	}
	var clients []e2e.Client
	for i := range cases {
		tc := &cases[i]
		opt := keysOptions(t, tc.flags)
		k, err := keys.Load(keysFixture(t, tc.file), opt)
		if err != nil {
			t.Fatalf("%s: %v", tc.file, err)
		}
		tc.client.ClientID = "keys-" + tc.name
		tc.client.JWKS = e2e.JWKS(t, e2e.Key{KID: tc.kid, Public: k.Public()})
		if tc.leafCert {
			if len(k.Certificates) < 2 {
				t.Fatalf("%s: want a chain, got %d certificates", tc.file, len(k.Certificates))
			}
			tc.client.Certificates = []string{string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: k.Certificates[0].Raw}))}
		}
		clients = append(clients, tc.client)
	}
	prov := e2e.Start(t, clients)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			runStoreCase(t, prov, tc)
		})
	}
}

// keysOptions turns the password flags of a case into keys.Options, for registering the key.
func keysOptions(t *testing.T, flags []string) keys.Options {
	var opt keys.Options
	for i := 0; i+1 < len(flags); i += 2 {
		v := flags[i+1]
		read := func() []byte {
			b, err := os.ReadFile(v)
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
		switch flags[i] {
		case "--key-password-file":
			opt.Password = read()
		case "--store-password-file":
			opt.StorePassword = read()
		case "--key-alias":
			opt.Alias = v
		}
	}
	return opt
}

func runStoreCase(t *testing.T, prov *e2e.Provider, tc storeCase) {
	dir := t.TempDir()
	def := strings.NewReplacer(
		"{{token}}", prov.TokenEndpoint,
		"{{jwtgrant_token}}", prov.JWTGrantTokenEndpoint,
		"{{jwtgrant_issuer}}", prov.JWTGrantIssuer,
	).Replace(tc.def)
	src := fmt.Sprintf("version: 1\nname: Keys %s\nclient_id: %s\n%srequests:\n  - name: Who am I\n    method: GET\n    url: %s\n",
		tc.name, tc.client.ClientID, def, prov.API)
	defPath := filepath.Join(dir, "client.yaml")
	if err := os.WriteFile(defPath, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	keyArgs := append([]string{"-k", keysFixture(t, tc.file)}, tc.flags...)

	// The generated collection, through Newman: Get token, then the API as the right client.
	paths := strings.Fields(runCLI(t, append([]string{"generate", "-c", defPath, "-o", filepath.Join(dir, "full")}, keyArgs...)...))
	if len(paths) != 2 {
		t.Fatalf("generate printed %q", paths)
	}
	env, err := os.ReadFile(paths[1])
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(env, []byte("BEGIN PRIVATE KEY")) || bytes.Contains(env, []byte("test-password")) {
		t.Fatalf("the environment should hold the normalized PKCS#8 key and no password")
	}
	before := prov.TokensIssued(t, tc.client.ClientID)
	run, err := e2e.Newman(t, paths[0], paths[1])
	if err != nil {
		t.Fatalf("newman: %v\nfailures: %v\n%s\nserver:\n%s", err, run.Failures, run.Output, prov.Logs())
	}
	if got := run.Find("Get token"); len(got) != 1 || got[0].Code != 200 {
		t.Fatalf("Get token: %v\nfailures: %v", got, run.Failures)
	}
	api := run.Find("Who am I")
	if len(api) == 0 || api[len(api)-1].Code != 200 {
		t.Fatalf("Who am I: %v\nfailures: %v", api, run.Failures)
	}
	var who struct {
		ClientID string `json:"client_id"`
	}
	if err := json.Unmarshal([]byte(api[len(api)-1].ResponseBody), &who); err != nil || who.ClientID != tc.client.ClientID {
		t.Errorf("the API answered %q, want client %s", api[len(api)-1].ResponseBody, tc.client.ClientID)
	}
	if n := prov.TokensIssued(t, tc.client.ClientID) - before; n != 1 {
		t.Errorf("the provider issued %d tokens in the Newman run, want 1", n)
	}
	if tc.leafCert {
		// The collection's assertion carried the store's chain, leaf first.
		leaf := base64.StdEncoding.EncodeToString(pemBytes(t, tc.client.Certificates[0]))
		found := false
		for _, a := range prov.ReadStats(t).Assertions {
			if x5c, _ := a.Header["x5c"].([]any); a.Claims["iss"] == tc.client.ClientID && len(x5c) == 2 && x5c[0] == leaf {
				found = true
			}
		}
		if !found {
			t.Errorf("no assertion from %s carried x5c [leaf, CA]", tc.client.ClientID)
		}
	}

	// postmint token with the same key file.
	code, out, errOut := keysCLI(append([]string{"token", "-c", defPath}, keyArgs...)...)
	if code != 0 || strings.TrimSpace(out) == "" {
		t.Fatalf("token: exit %d\n%s", code, errOut)
	}

	// postmint refresh of an environment without the key, the key given from the store.
	nokey := strings.Fields(runCLI(t, append([]string{"generate", "-c", defPath, "--no-key", "-o", filepath.Join(dir, "nokey")}, keyArgs...)...))
	code, _, errOut = keysCLI(append([]string{"refresh", "-e", nokey[1]}, keyArgs...)...)
	if code != 0 {
		t.Fatalf("refresh: exit %d\n%s", code, errOut)
	}
	refreshed, err := os.ReadFile(nokey[1])
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(refreshed, []byte("PRIVATE KEY")) || !bytes.Contains(refreshed, []byte(`"key": "bearerToken"`)) {
		t.Errorf("refresh: the environment should have a bearer token and no key")
	}
	if n := prov.TokensIssued(t, tc.client.ClientID) - before; n != 3 {
		t.Errorf("the provider issued %d tokens in all, want 3 (newman, token, refresh)", n)
	}
}

// TestKeygenFiles checks keygen's output with the standard library alone: the PKCS#8 key, the
// JWK's RFC 7638 thumbprint as the default kid, the certificate, and openssl reading the
// encrypted key when it is installed.
func TestKeygenFiles(t *testing.T) {
	dir := t.TempDir()
	pwFile := filepath.Join(dir, "pw.txt")
	if err := os.WriteFile(pwFile, []byte("s3cret pass\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	out := runCLI(t, "keygen", "--alg", "ES256", "--name", "c", "-o", dir, "--cert", "--subject", "/O=Acme/CN=acme", "--days", "30")
	if want := strings.Join([]string{"c.key.pem", "c.jwk.json", "c.jwks.json", "c.crt.pem"}, "\n"); strings.ReplaceAll(out, dir+string(filepath.Separator), "") != want+"\n" {
		t.Fatalf("keygen printed %q", out)
	}
	block, _ := pem.Decode(mustReadFile(t, filepath.Join(dir, "c.key.pem")))
	priv, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	pub := &priv.(*ecdsa.PrivateKey).PublicKey
	var jwk map[string]any
	if err := json.Unmarshal(mustReadFile(t, filepath.Join(dir, "c.jwk.json")), &jwk); err != nil {
		t.Fatal(err)
	}
	members, err := e2e.PublicJWK(pub)
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{"kty", "crv", "x", "y"} {
		if jwk[m] != members[m] {
			t.Errorf("jwk %s = %v, want %v", m, jwk[m], members[m])
		}
	}
	// RFC 7638 section 3.2: the required members in lexicographic order, no white space.
	canon := fmt.Sprintf(`{"crv":%q,"kty":%q,"x":%q,"y":%q}`, members["crv"], members["kty"], members["x"], members["y"])
	sum := sha256.Sum256([]byte(canon))
	if want := base64.RawURLEncoding.EncodeToString(sum[:]); jwk["kid"] != want {
		t.Errorf("kid = %v, want the thumbprint %s", jwk["kid"], want)
	}
	if jwk["alg"] != "ES256" || jwk["use"] != "sig" {
		t.Errorf("alg %v use %v", jwk["alg"], jwk["use"])
	}
	certs, err := keys.LoadCertificates(filepath.Join(dir, "c.crt.pem"))
	if err != nil {
		t.Fatal(err)
	}
	cert := certs[0]
	if !cert.PublicKey.(*ecdsa.PublicKey).Equal(pub) || cert.Subject.CommonName != "acme" || cert.Subject.Organization[0] != "Acme" {
		t.Errorf("certificate: %v for another key or subject", cert.Subject)
	}
	if days := cert.NotAfter.Sub(cert.NotBefore).Hours() / 24; days < 29.9 || days > 30.1 {
		t.Errorf("certificate valid for %.1f days, want 30", days)
	}
	if x5c, _ := jwk["x5c"].([]any); len(x5c) != 1 || x5c[0] != base64.StdEncoding.EncodeToString(cert.Raw) {
		t.Errorf("jwk x5c = %v", jwk["x5c"])
	}
	var set struct{ Keys []map[string]any }
	if err := json.Unmarshal(mustReadFile(t, filepath.Join(dir, "c.jwks.json")), &set); err != nil || len(set.Keys) != 1 || set.Keys[0]["kid"] != jwk["kid"] {
		t.Errorf("jwks: %v %v", err, set)
	}

	// The encrypted key: openssl, an independent implementation, opens it with the password.
	runCLI(t, "keygen", "--alg", "RS256", "--name", "enc", "-o", dir, "--password-file", pwFile)
	if _, err := exec.LookPath("openssl"); err != nil {
		t.Log("openssl not installed: the encrypted key is not cross-checked")
		return
	}
	cmd := exec.Command("openssl", "pkey", "-in", filepath.Join(dir, "enc.key.pem"), "-passin", "file:"+pwFile, "-pubout")
	pubPEM, err := cmd.Output()
	if err != nil {
		t.Fatalf("openssl pkey: %v", err)
	}
	b, _ := pem.Decode(pubPEM)
	rsaPub, err := x509.ParsePKIXPublicKey(b.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	var encJWK map[string]any
	if err := json.Unmarshal(mustReadFile(t, filepath.Join(dir, "enc.jwk.json")), &encJWK); err != nil {
		t.Fatal(err)
	}
	m, _ := e2e.PublicJWK(rsaPub)
	if encJWK["n"] != m["n"] {
		t.Error("openssl's public key of the encrypted key differs from the JWK")
	}
}

func pemBytes(t *testing.T, s string) []byte {
	t.Helper()
	b, _ := pem.Decode([]byte(s))
	if b == nil {
		t.Fatal("not PEM")
	}
	return b.Bytes
}

func mustReadFile(t *testing.T, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestVerifyMintedAssertions: verify accepts what mint signs (JWKS file, JWKS URL over TLS,
// an OpenID metadata URL, the certificate) and reports each problem of broken ones; it never
// prints the token.
func TestVerifyMintedAssertions(t *testing.T) {
	dir := t.TempDir()
	runCLI(t, "keygen", "--alg", "ES256", "--kid", "k1", "--name", "client", "-o", dir, "--cert")
	runCLI(t, "keygen", "--alg", "ES256", "--kid", "k1", "--name", "other", "-o", dir)
	def := filepath.Join(dir, "client.yaml")
	write := func(path, s string) {
		t.Helper()
		if err := os.WriteFile(path, []byte(s), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write(def, "version: 1\nname: C\npreset: okta\ntoken_url: https://idp.example.com/oauth2/v1/token\nclient_id: c1\nkid: k1\nkey: client.key.pem\n")
	other := filepath.Join(dir, "other.yaml")
	write(other, "version: 1\nname: O\npreset: okta\ntoken_url: https://login.partner.example/oauth2/v1/token\nclient_id: c1\nkid: k1\n")
	jwks := filepath.Join(dir, "client.jwks.json")
	tok := strings.TrimSpace(runCLI(t, "mint", "-c", def))

	noToken := func(t *testing.T, out, errOut string) {
		t.Helper()
		sig := tok[strings.LastIndex(tok, ".")+1:]
		if strings.Contains(out+errOut, sig) || strings.Contains(out+errOut, tok[:40]) {
			t.Errorf("verify printed the token:\n%s%s", out, errOut)
		}
	}
	valid := func(t *testing.T, args ...string) {
		t.Helper()
		code, out, errOut := keysCLI(append(append([]string{"verify"}, args...), tok)...)
		if code != 0 || !strings.HasPrefix(out, "valid\n") || errOut != "" {
			t.Fatalf("verify %v: exit %d\n%s%s", args, code, out, errOut)
		}
		noToken(t, out, errOut)
	}
	invalid := func(t *testing.T, token string, want []string, args ...string) {
		t.Helper()
		code, out, errOut := keysCLI(append(append([]string{"verify"}, args...), token)...)
		if code != 1 {
			t.Fatalf("verify %v: exit %d, want 1\n%s%s", args, code, out, errOut)
		}
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if len(lines) != len(want) {
			t.Errorf("verify %v: %d problems, want %d:\n%s", args, len(lines), len(want), out)
		}
		for _, w := range want {
			if !strings.Contains(out, w) {
				t.Errorf("verify %v: no %q in\n%s", args, w, out)
			}
		}
		if !strings.HasPrefix(errOut, "postmint: the JWT is not valid: ") {
			t.Errorf("stderr %q", errOut)
		}
		noToken(t, out, errOut)
	}

	t.Run("accepted", func(t *testing.T) {
		valid(t, "--jwks", jwks, "-c", def)
		valid(t, "--key", filepath.Join(dir, "client.crt.pem"), "-c", def)
		valid(t, "-c", def) // the definition's key:
	})

	t.Run("jwks-url-tls", func(t *testing.T) {
		set := mustReadFile(t, jwks)
		srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			switch r.URL.Path {
			case "/.well-known/openid-configuration":
				fmt.Fprintf(w, `{"issuer":"https://%s","jwks_uri":"https://%s/keys"}`, r.Host, r.Host)
			case "/keys":
				w.Header().Set("Content-Type", "application/jwk-set+json")
				w.Write(set)
			default:
				http.NotFound(w, r)
			}
		}))
		srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the untrusted handshake below is expected
		srv.StartTLS()
		defer srv.Close()
		ca := filepath.Join(dir, "ca.pem")
		write(ca, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})))
		valid(t, "--jwks", srv.URL+"/keys", "--ca-file", ca, "-c", def)
		valid(t, "--jwks", srv.URL+"/.well-known/openid-configuration", "--ca-file", ca)
		// TLS verification is on: without the CA the server is not trusted.
		code, _, errOut := keysCLI("verify", "--jwks", srv.URL+"/keys", tok)
		if code != 1 || !strings.Contains(errOut, "certificate") {
			t.Errorf("untrusted TLS: exit %d %s", code, errOut)
		}
		code, _, errOut = keysCLI("verify", "--jwks", srv.URL+"/nope", "--ca-file", ca, tok)
		if code != 1 || !strings.Contains(errOut, "404") {
			t.Errorf("404: exit %d %s", code, errOut)
		}
	})

	t.Run("wrong key", func(t *testing.T) {
		invalid(t, tok, []string{"signature invalid: the token was not signed by the private key of " + filepath.Join(dir, "other.jwks.json")},
			"--jwks", filepath.Join(dir, "other.jwks.json"))
	})

	t.Run("wrong aud", func(t *testing.T) {
		invalid(t, tok, []string{`audience mismatch: aud is "https://idp.example.com/oauth2/v1/token", expected "https://login.partner.example/oauth2/v1/token" (the token endpoint URL, preset okta)`},
			"--jwks", jwks, "-c", other)
	})

	t.Run("expired and too long", func(t *testing.T) {
		k, err := keys.Load(filepath.Join(dir, "client.key.pem"), keys.Options{})
		if err != nil {
			t.Fatal(err)
		}
		p := &oauth.Profile{ClientID: "c1", Issuer: "c1", Subject: "c1", Audience: "https://idp.example.com/oauth2/v1/token",
			Alg: "ES256", Kid: "k1", Typ: "JWT", Lifetime: 2 * time.Hour}
		old, err := assertion.Mint(p, k.Signer, assertion.Options{Now: func() time.Time { return time.Now().Add(-3 * time.Hour) }})
		if err != nil {
			t.Fatal(err)
		}
		invalid(t, old, []string{"expired: exp ", "lifetime too long: exp - iat is 2h0m0s; preset okta allows at most 1h0m0s"},
			"--jwks", jwks, "-c", def)
	})

	t.Run("brief lifetime, a little later", func(t *testing.T) {
		brief := filepath.Join(dir, "brief.yaml")
		write(brief, "version: 1\nname: B\ntoken_url: https://idp.example.com/oauth2/v1/token\nclient_id: c1\nkid: k1\nkey: client.key.pem\nlifetime: 1s\n")
		short := strings.TrimSpace(runCLI(t, "mint", "-c", brief))
		time.Sleep(1100 * time.Millisecond)
		invalid(t, short, []string{"expired: exp "}, "--jwks", jwks, "-c", brief)
	})
}
