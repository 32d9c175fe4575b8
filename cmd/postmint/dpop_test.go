package main

import (
	"crypto"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/go-jose/go-jose/v4"

	"github.com/postmint/postmint/generator/dpop"
	"github.com/postmint/postmint/generator/postman"
)

// Bad DPoP and PAR definitions: one postmint: line naming the field, exit 1, nothing written.
func TestGenerateRefusesBadDPoPAndPAR(t *testing.T) {
	keyPath, keyPEM, _ := fixtureKey(t, "rsa2048.pkcs8.pem")
	code := "grant_type: authorization_code\nauthorization_endpoint: https://idp.example.test/auth\nredirect_uri: https://app.example.test/cb\n"
	for _, tc := range []struct{ name, def, field string }{
		{"dpop-alg-symmetric", "dpop: true\ndpop_alg: HS256\n", "dpop_alg"},
		{"dpop-alg-unknown", "dpop: true\ndpop_alg: ES257\n", "dpop_alg"},
		{"dpop-alg-without-dpop", "dpop_alg: ES256\n", "dpop_alg"},
		{"dpop-off-where-required", "preset: helseid\nkid: k1\ndpop: false\n", "dpop"},
		{"dpop-alg-preset-does-not-list", "preset: fapi2\n" + code + "issuer: https://idp.example.test\npar_endpoint: https://idp.example.test/par\ndpop_alg: ES384\n", "dpop_alg"},
		{"par-without-code-flow", "par: true\n", "par"},
		{"par-endpoint-without-par", "par_endpoint: https://idp.example.test/par\n", "par_endpoint"},
		{"par-without-endpoint", code + "par: true\n", "par_endpoint"},
		{"par-off-where-required", "preset: fapi2\nissuer: https://idp.example.test\n" + code + "par: false\n", "par"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkGenerateRefuses(t, keyPath, keyPEM, "version: 1\nname: dpop bad\nclient_id: c1\ntoken_url: https://idp.example.test/token\n"+tc.def, tc.field)
		})
	}
}

// A provider whose metadata (read because the definition leaves an endpoint to it) has no PAR
// endpoint, or lists no DPoP algorithms: generate refuses, naming the metadata member.
func TestGenerateRefusesProviderWithoutPARorDPoP(t *testing.T) {
	keyPath, keyPEM, _ := fixtureKey(t, "rsa2048.pkcs8.pem")
	for _, tc := range []struct {
		name, def string
		meta      map[string]any
		want      string
	}{
		{"no-par-endpoint", "grant_type: authorization_code\nredirect_uri: https://app.example.test/cb\npar: true\n",
			map[string]any{"dpop_signing_alg_values_supported": []string{"ES256"}}, "pushed_authorization_request_endpoint"},
		{"no-dpop-algs", "dpop: true\n", map[string]any{}, "dpop_signing_alg_values_supported"},
		{"dpop-alg-not-listed", "dpop: true\ndpop_alg: EdDSA\n",
			map[string]any{"dpop_signing_alg_values_supported": []string{"ES256", "PS256"}}, "dpop_signing_alg_values_supported"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var srv *httptest.Server
			srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				m := map[string]any{"issuer": srv.URL, "token_endpoint": srv.URL + "/token", "authorization_endpoint": srv.URL + "/auth"}
				for k, v := range tc.meta {
					m[k] = v
				}
				w.Header().Set("Content-Type", "application/json")
				_ = json.NewEncoder(w).Encode(m)
			}))
			defer srv.Close()
			dir := t.TempDir()
			def := filepath.Join(dir, "c.yaml")
			src := "version: 1\nname: meta\nclient_id: c1\nissuer: " + srv.URL + "\n" + tc.def
			if err := os.WriteFile(def, []byte(src), 0o644); err != nil {
				t.Fatal(err)
			}
			out := filepath.Join(dir, "out")
			code, stdout, stderr := runPM("generate", "-c", def, "-k", keyPath, "-o", out)
			// Discovery notes come first on stderr; the failure is the last line.
			lines := strings.Split(strings.TrimSpace(stderr), "\n")
			checkFailure(t, code, stdout, lines[len(lines)-1]+"\n")
			checkNoSecrets(t, stderr, keyPEM)
			if !strings.Contains(stderr, tc.want) {
				t.Errorf("stderr does not name %s: %s", tc.want, stderr)
			}
			if _, err := os.Stat(out); !os.IsNotExist(err) {
				t.Errorf("%s was written", out)
			}
		})
	}
}

// generate makes a DPoP key of its own (with --no-key too): a private JWK of dpop_alg in a
// 0600 environment, a different one every run, never the client's key.
func TestGenerateMakesDPoPKey(t *testing.T) {
	keyPath, keyPEM, _ := fixtureKey(t, "rsa2048.pkcs8.pem")
	dir := t.TempDir()
	def := filepath.Join(dir, "c.yaml")
	src := "version: 1\nname: dpop ok\nclient_id: c1\ntoken_url: https://idp.example.test/token\ndpop: true\ndpop_alg: ES384\n"
	if err := os.WriteFile(def, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	var thumbprints []string
	for i, args := range [][]string{{"-k", keyPath}, {"--no-key"}} {
		out := filepath.Join(dir, "out", string(rune('a'+i)))
		code, stdout, stderr := runPM(append([]string{"generate", "-c", def, "-o", out}, args...)...)
		if code != 0 {
			t.Fatalf("generate %v: exit %d: %s", args, code, stderr)
		}
		checkNoSecrets(t, stdout+stderr, keyPEM)
		envPath := filepath.Join(out, "dpop-ok.postman_environment.json")
		st, err := os.Stat(envPath)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o600 {
			t.Errorf("environment mode %v, want 0600 (it holds dpopKey)", st.Mode().Perm())
		}
		env := readEnv(t, envPath)
		if env.Lookup(postman.VarDPoPAlg) != "ES384" {
			t.Errorf("dpopAlg = %q", env.Lookup(postman.VarDPoPAlg))
		}
		k, err := dpop.ParseKey(env.Lookup(postman.VarDPoPKey), "ES384")
		if err != nil {
			t.Fatalf("dpopKey: %v", err)
		}
		if strings.Contains(env.Lookup(postman.VarDPoPKey), "PRIVATE KEY") {
			t.Error("dpopKey holds the client's PEM key")
		}
		thumbprints = append(thumbprints, k.Thumbprint())
		for _, v := range []string{postman.VarTokenType, postman.VarDPoPNonce, postman.VarDPoPAPINonces} {
			if _, ok := env.Get(v); !ok {
				t.Errorf("environment lacks %s", v)
			}
		}
		coll, err := os.ReadFile(filepath.Join(out, "dpop-ok.postman_collection.json"))
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(coll), `"value": "DPoP {{bearerToken}}"`) {
			t.Error("collection auth is not Authorization: DPoP {{bearerToken}}")
		}
	}
	if thumbprints[0] == thumbprints[1] {
		t.Error("two runs made the same DPoP key")
	}
}

// postmint dpop: a proof for the method and URL, bound to the environment's token (ath), with
// the nonce the environment holds for that server; bad input is one line, exit 1.
func TestDPoPCommand(t *testing.T) {
	k, err := dpop.NewKey("ES256")
	if err != nil {
		t.Fatal(err)
	}
	jwk, _ := k.JWK()
	dir := t.TempDir()
	envPath := filepath.Join(dir, "env.json")
	vars := []postman.Variable{
		{Key: "idpServer", Value: "https://as.example.test/token", Enabled: true},
		{Key: "clientId", Value: "c1", Enabled: true},
		{Key: "aud", Value: "https://as.example.test/token", Enabled: true},
		{Key: "alg", Value: "RS256", Enabled: true},
		{Key: "grantType", Value: "client_credentials", Enabled: true},
		{Key: "dpopAlg", Value: "ES256", Enabled: true},
		{Key: "dpopKey", Value: jwk, Type: postman.TypeSecret, Enabled: true},
		{Key: "bearerToken", Value: "tok-123", Type: postman.TypeSecret, Enabled: true},
		{Key: "dpopNonce", Value: "as-nonce", Enabled: true},
		{Key: "dpopApiNonces", Value: `{"https://api.example.test":"rs-nonce"}`, Enabled: true},
	}
	data, _ := postman.NewEnvironment("id", "dpop", vars).Marshal()
	if err := os.WriteFile(envPath, data, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ url, nonce string }{
		{"https://api.example.test/orders?x=1", "rs-nonce"},
		{"https://as.example.test/token", "as-nonce"},
		{"https://other.example.test/", ""},
	} {
		code, stdout, stderr := runPM("dpop", "-e", envPath, "--method", "post", "--url", tc.url)
		if code != 0 {
			t.Fatalf("dpop: exit %d: %s", code, stderr)
		}
		jws, err := jose.ParseSigned(strings.TrimSpace(stdout), []jose.SignatureAlgorithm{jose.ES256})
		if err != nil {
			t.Fatal(err)
		}
		payload, err := jws.Verify(jws.Signatures[0].Header.JSONWebKey)
		if err != nil {
			t.Fatal(err)
		}
		var c map[string]any
		_ = json.Unmarshal(payload, &c)
		if c["ath"] != dpop.ATH("tok-123") || c["htm"] != "POST" || c["htu"] != strings.Split(tc.url, "?")[0] {
			t.Errorf("%s: claims %v", tc.url, c)
		}
		if n, _ := c["nonce"].(string); n != tc.nonce {
			t.Errorf("%s: nonce %q, want %q", tc.url, n, tc.nonce)
		}
		if jws.Signatures[0].Header.JSONWebKey.KeyID != "" || strings.Contains(stdout, jwk) {
			t.Error("the proof carries more than the public key")
		}
	}

	// Bad input.
	bad := filepath.Join(dir, "bad.json")
	vars[6].Value = string(mustJSONPublic(t, k))
	data, _ = postman.NewEnvironment("id", "dpop", vars).Marshal()
	if err := os.WriteFile(bad, data, 0o600); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(bad)
	for _, args := range [][]string{
		{"dpop", "-e", bad, "--method", "GET", "--url", "https://api.example.test/"},
		{"refresh", "-e", bad, "-k", must(fixtureKey(t, "rsa2048.pkcs8.pem"))},
	} {
		code, stdout, stderr := runPM(args...)
		checkFailure(t, code, stdout, stderr)
		if !strings.Contains(stderr, "dpopKey") {
			t.Errorf("%v: stderr does not name dpopKey: %s", args[0], stderr)
		}
		if after, _ := os.ReadFile(bad); string(after) != string(before) {
			t.Errorf("%v changed the environment", args[0])
		}
	}
	code, stdout, stderr := runPM("dpop", "-e", envPath, "--method", "GET", "--url", "/relative")
	checkFailure(t, code, stdout, stderr)

	// A dpopKey of another type than dpopAlg needs (an ES256 key, dpopAlg EdDSA).
	mismatch := filepath.Join(dir, "mismatch.json")
	vars[6].Value = jwk
	vars[5].Value = "EdDSA"
	data, _ = postman.NewEnvironment("id", "dpop", vars).Marshal()
	if err := os.WriteFile(mismatch, data, 0o600); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr = runPM("dpop", "-e", mismatch, "--method", "GET", "--url", "https://api.example.test/")
	checkFailure(t, code, stdout, stderr)
	if !strings.Contains(stderr, "EdDSA") || strings.Contains(stderr, jwk) {
		t.Errorf("mismatch: %s", stderr)
	}
}

func must(path string, _ []byte, _ any) string { return path }

func mustJSONPublic(t *testing.T, k *dpop.Key) []byte {
	t.Helper()
	b, err := json.Marshal(k.PublicJWK())
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// dpop -c: a definition holds no DPoP key, so the proof is signed with a new one (said on
// stderr), or with --dpop-key's.
func TestDPoPCommandWithDefinition(t *testing.T) {
	dir := t.TempDir()
	def := filepath.Join(dir, "c.yaml")
	if err := os.WriteFile(def, []byte("version: 1\nname: d\nclient_id: c1\ntoken_url: https://as.example.test/token\ndpop: true\ndpop_alg: EdDSA\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runPM("dpop", "-c", def, "--method", "GET", "--url", "https://api.example.test/x")
	if code != 0 || !strings.Contains(stderr, "not kept") {
		t.Fatalf("dpop -c: exit %d: %s", code, stderr)
	}
	if _, err := jose.ParseSigned(strings.TrimSpace(stdout), []jose.SignatureAlgorithm{jose.EdDSA}); err != nil {
		t.Fatalf("not an EdDSA proof: %v", err)
	}
	k, _ := dpop.NewKey("EdDSA")
	jwk, _ := k.JWK()
	keyFile := filepath.Join(dir, "dpop.jwk")
	if err := os.WriteFile(keyFile, []byte(jwk), 0o600); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr = runPM("dpop", "-c", def, "--dpop-key", keyFile, "--method", "GET", "--url", "https://api.example.test/x")
	if code != 0 || stderr != "" {
		t.Fatalf("dpop -c --dpop-key: exit %d: %s", code, stderr)
	}
	jws, err := jose.ParseSigned(strings.TrimSpace(stdout), []jose.SignatureAlgorithm{jose.EdDSA})
	if err != nil {
		t.Fatal(err)
	}
	if tp, _ := jws.Signatures[0].Header.JSONWebKey.Thumbprint(crypto.SHA256); base64.RawURLEncoding.EncodeToString(tp) != k.Thumbprint() {
		t.Error("the proof is not signed with --dpop-key's key")
	}
}
