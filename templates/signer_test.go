package templates

import (
	"context"
	"crypto"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/postmint/postmint/internal/testkeys"

	"github.com/golang-jwt/jwt/v5"
)

// nodeModules returns the absolute path of testdata/e2e/node_modules. It skips the test when
// node is not installed and fails it when the harness packages are not.
func nodeModules(t *testing.T) string {
	t.Helper()
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node is not on PATH")
	}
	dir, err := filepath.Abs(filepath.Join("..", "testdata", "e2e", "node_modules"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "crypto-js", "package.json")); err != nil {
		t.Fatalf("testdata/e2e/node_modules is missing (%v): run npm ci --prefix testdata/e2e", err)
	}
	return dir
}

func run(t *testing.T, timeout time.Duration, name string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, name, args...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("%s %s: %v\n%s", filepath.Base(name), strings.Join(args, " "), err, out)
	}
	return out
}

func TestSignerNodeSuite(t *testing.T) {
	nodeModules(t)
	out := run(t, 5*time.Minute, "node", "--test", "signer.test.js")
	t.Logf("node --test signer.test.js:\n%s", lastLines(string(out), 10))
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

// TestResponseNodeSuite runs response.test.js: the token response check of the collection.
func TestResponseNodeSuite(t *testing.T) {
	nodeModules(t)
	t.Setenv("POSTMINT_SCRIPT_CONFIG", writeScriptConfig(t))
	out := run(t, time.Minute, "node", "--test", "response.test.js")
	t.Logf("node --test response.test.js:\n%s", lastLines(string(out), 8))
}

// TestMinifiedSignerSize: the signer as placed into a collection stays small (every request
// of a run hands the collection script to the sandbox).
func TestMinifiedSignerSize(t *testing.T) {
	size := len(MinifyJS(SignerJS))
	if size > 20<<10 || size < 5<<10 {
		t.Fatalf("minified signer.js: %d bytes, want 5-20 KB", size)
	}
	t.Logf("minified signer.js: %d bytes (source %d)", size, len(SignerJS))
}

// goKey is one key generated in Go, with the algs it signs.
type goKey struct {
	algs []string
	priv crypto.Signer
	file string // PKCS#8 PEM
}

func (k goKey) public() crypto.PublicKey { return k.priv.Public() }

func generateKeys(t *testing.T, dir string) []goKey {
	t.Helper()
	ks := testkeys.Keys()
	keys := []goKey{
		{algs: []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"}, priv: ks.RSA},
		{algs: []string{"ES256"}, priv: ks.P256},
		{algs: []string{"ES384"}, priv: ks.P384},
		{algs: []string{"ES512"}, priv: ks.P521},
		{algs: []string{"EdDSA"}, priv: ks.Ed25519},
	}
	for i := range keys {
		der, err := x509.MarshalPKCS8PrivateKey(keys[i].priv)
		if err != nil {
			t.Fatal(err)
		}
		keys[i].file = filepath.Join(dir, keys[i].algs[0]+".key.pem")
		pemText := pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})
		if err := os.WriteFile(keys[i].file, pemText, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return keys
}

// crossHeader and crossClaims are JSON text that Go and node parse independently. The claims
// exercise what Go's encoding/json does differently from JSON.stringify: HTML-safe escaping,
// U+2028/U+2029, key order by UTF-8 bytes, number formats, -0, lone surrogates.
const crossHeader = `{"typ": "JWT", "kid": "key-<1>&\u2028"}`

const crossClaims = `{
  "sub": "client-\u00fc\u00e9 \u65e5\u672c \ud83d\ude00 \u2028\u2029 \u007f \u0001 \b\f\n\r\t <tag>&amp; \"q\" \\ /",
  "iss": "client",
  "aud": ["https://idp.example.com/connect/token", "https://idp.example.com"],
  "iat": 1700000000, "exp": 1700000060, "nbf": 1.7e9,
  "jti": "3f1c9e1e-6a4b-4c1e-9f3a-1b2c3d4e5f60",
  "nums": [0, -0, 1.5, 1e21, 1e-7, -1e-7, 123456789012345680000, 0.000001, 5e-324, 1.7976931348623157e308, 9007199254740993],
  "nested": {"b": {"z": 1, "a": [true, false, null, {}, []]}, "a": {}},
  "\ue000": "pua", "\ud83d\ude00": "astral", "\u00e9": 1, "z": 2, "Z": 3, "a": 4, "aa": 5, "": "empty",
  "lone": "\ud800x"
}`

// goToken builds the golang-jwt token for alg with headerJSON (plus alg) and claimsJSON.
func goToken(t *testing.T, alg, headerJSON, claimsJSON string) *jwt.Token {
	t.Helper()
	var header map[string]any
	var claims jwt.MapClaims
	if err := json.Unmarshal([]byte(headerJSON), &header); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(claimsJSON), &claims); err != nil {
		t.Fatal(err)
	}
	header["alg"] = alg
	return &jwt.Token{Header: header, Claims: claims, Method: jwt.GetSigningMethod(alg)}
}

// checkToken verifies a token made by the JS signer with golang-jwt, and checks that its signing
// input is byte-identical to golang-jwt's (and, for deterministic algorithms, the whole token).
func checkToken(t *testing.T, alg string, key goKey, headerJSON, claimsJSON, token string) {
	t.Helper()
	parser := jwt.NewParser(jwt.WithValidMethods([]string{alg}), jwt.WithoutClaimsValidation())
	if _, err := parser.Parse(token, func(*jwt.Token) (any, error) { return key.public(), nil }); err != nil {
		t.Errorf("%s: golang-jwt rejects the JS token: %v", alg, err)
		return
	}
	want := goToken(t, alg, headerJSON, claimsJSON)
	input, err := want.SigningString()
	if err != nil {
		t.Fatal(err)
	}
	if got := token[:strings.LastIndexByte(token, '.')]; got != input {
		t.Errorf("%s: signing input differs from golang-jwt\n JS %s\n Go %s", alg, got, input)
	}
	if alg[0] == 'R' || alg == "EdDSA" {
		signed, err := want.SignedString(key.priv)
		if err != nil {
			t.Fatal(err)
		}
		if signed != token {
			t.Errorf("%s: token differs from golang-jwt's SignedString (len %d vs %d)", alg, len(token), len(signed))
		}
	}
}

func TestSignerMatchesGolangJWT(t *testing.T) {
	nodeModules(t)
	dir := t.TempDir()
	keys := generateKeys(t, dir)
	type job struct {
		Alg     string `json:"alg"`
		KeyFile string `json:"keyFile"`
		Header  string `json:"header"`
		Claims  string `json:"claims"`
	}
	var jobs []job
	var jobKeys []goKey
	for _, k := range keys {
		for _, alg := range k.algs {
			jobs = append(jobs, job{alg, k.file, crossHeader, crossClaims})
			jobKeys = append(jobKeys, k)
		}
	}
	if len(jobs) != 10 {
		t.Fatalf("%d jobs, want 10", len(jobs))
	}
	jobsFile := filepath.Join(dir, "jobs.json")
	data, err := json.Marshal(jobs)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(jobsFile, data, 0o600); err != nil {
		t.Fatal(err)
	}
	var tokens []string
	if err := json.Unmarshal(run(t, 2*time.Minute, "node", filepath.Join("testdata", "sign.js"), jobsFile), &tokens); err != nil {
		t.Fatal(err)
	}
	if len(tokens) != len(jobs) {
		t.Fatalf("node returned %d tokens, want %d", len(tokens), len(jobs))
	}
	for i, j := range jobs {
		checkToken(t, j.Alg, jobKeys[i], j.Header, j.Claims, tokens[i])
	}
}

// sandboxAlgs are signed inside Newman and the Postman CLI.
var sandboxAlgs = []string{"RS256", "PS256", "ES256", "ES512", "EdDSA"}

// sandboxCollection returns a v2.1.0 collection whose pre-request script is the stripped signer
// plus a call that signs each of sandboxAlgs with keys from collection variables; the request
// posts the result to url and a test script checks it.
func sandboxCollection(t *testing.T, keys []goKey, url string) []byte {
	t.Helper()
	call := []string{
		"var signer = postmintSigner(require('crypto-js'));",
		"var claims = JSON.parse(pm.collectionVariables.get('claims'));",
		"var result = { random: typeof crypto === 'undefined' ? 'no-crypto' : 'crypto', jti: signer.uuid4(), tokens: {} };",
		"['" + strings.Join(sandboxAlgs, "', '") + "'].forEach(function (alg) {",
		"    result.tokens[alg] = signer.jwt({ alg: alg, typ: 'JWT' }, claims, pm.collectionVariables.get('key_' + alg));",
		"});",
		"try { result.dpopKey = signer.newDpopKey('ES256'); } catch (e) { result.dpopKey = e.message; }",
		"result.dpop = signer.dpopProof({ alg: 'ES256', key: pm.collectionVariables.get('key_ES256'), htm: 'GET', htu: 'https://api.example.com/r?q=1#f', accessToken: 'tok' });",
		"pm.collectionVariables.set('result', JSON.stringify(result));",
	}
	prerequest := append([]string{MinifyJS(SignerJS)}, call...)
	test := []string{
		"pm.test('the signer made a token for every alg', function () {",
		"    var r = JSON.parse(pm.collectionVariables.get('result'));",
		"    pm.expect(Object.keys(r.tokens)).to.eql(['" + strings.Join(sandboxAlgs, "', '") + "']);",
		"    Object.keys(r.tokens).forEach(function (alg) { pm.expect(r.tokens[alg].split('.').length).to.eql(3); });",
		"    pm.expect(r.jti).to.match(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);",
		"});",
		"pm.test('the server got them', function () { pm.response.to.have.status(200); });",
	}
	vars := []map[string]string{{"key": "claims", "value": crossClaims}}
	for _, k := range keys {
		keyText, err := os.ReadFile(k.file)
		if err != nil {
			t.Fatal(err)
		}
		for _, alg := range k.algs {
			text := string(keyText)
			switch alg {
			case "PS256":
				// The same RSA key as RS256, as PKCS#1 PEM.
				text = string(pem.EncodeToMemory(&pem.Block{Type: "RSA PRIVATE KEY", Bytes: x509.MarshalPKCS1PrivateKey(k.priv.(*rsa.PrivateKey))}))
			case "ES256":
				// The one-line form CI secrets often have.
				text = strings.ReplaceAll(strings.TrimSpace(text), "\n", `\n`)
			}
			vars = append(vars, map[string]string{"key": "key_" + alg, "value": text})
		}
	}
	coll := map[string]any{
		"info": map[string]any{
			"name":   "postmint signer sandbox check",
			"schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json",
		},
		"variable": vars,
		"event": []any{map[string]any{
			"listen": "prerequest",
			"script": map[string]any{"type": "text/javascript", "exec": prerequest},
		}},
		"item": []any{map[string]any{
			"name": "Check tokens",
			"request": map[string]any{
				"method": "POST",
				"header": []any{map[string]string{"key": "Content-Type", "value": "application/json"}},
				"url":    url,
				"body":   map[string]any{"mode": "raw", "raw": "{{result}}"},
			},
			"event": []any{map[string]any{
				"listen": "test",
				"script": map[string]any{"type": "text/javascript", "exec": test},
			}},
		}},
	}
	data, err := json.MarshalIndent(coll, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// newmanReport is the part of Newman's JSON report (also the Postman CLI's with
// --reporter-json-structure newman) that the test checks.
type newmanReport struct {
	Run struct {
		Stats map[string]struct {
			Total  int `json:"total"`
			Failed int `json:"failed"`
		} `json:"stats"`
		Failures []json.RawMessage `json:"failures"`
	} `json:"run"`
}

func TestSignerInNewmanAndPostmanCLI(t *testing.T) {
	modules := nodeModules(t)
	dir := t.TempDir()
	keys := generateKeys(t, dir)
	byAlg := map[string]goKey{}
	for _, k := range keys {
		for _, alg := range k.algs {
			byAlg[alg] = k
		}
	}

	var mu sync.Mutex
	bodies := map[string][]byte{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		mu.Lock()
		bodies[r.URL.Query().Get("runner")] = body
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"ok":true}`))
	}))
	defer srv.Close()

	runners := []struct {
		name       string
		wantRandom string // which random source the sandbox offers; "" = don't care
		makesKeys  bool   // newDpopKey works (crypto.getRandomValues is there)
		args       func(coll, report string) (string, []string)
	}{
		{"newman", "no-crypto", false, func(coll, report string) (string, []string) {
			return filepath.Join(modules, ".bin", "newman"), []string{"run", coll, "--reporters", "json", "--reporter-json-export", report}
		}},
		{"postman-cli", "crypto", true, func(coll, report string) (string, []string) {
			return filepath.Join(modules, ".bin", "postman"), []string{"collection", "run", coll, "--reporters", "json", "--reporter-json-structure", "newman", "--reporter-json-export", report}
		}},
	}
	for _, r := range runners {
		t.Run(r.name, func(t *testing.T) {
			coll := filepath.Join(dir, r.name+".postman_collection.json")
			report := filepath.Join(dir, r.name+".report.json")
			if err := os.WriteFile(coll, sandboxCollection(t, keys, srv.URL+"/check?runner="+r.name), 0o600); err != nil {
				t.Fatal(err)
			}
			bin, args := r.args(coll, report)
			run(t, 3*time.Minute, bin, args...)

			data, err := os.ReadFile(report)
			if err != nil {
				t.Fatal(err)
			}
			var rep newmanReport
			if err := json.Unmarshal(data, &rep); err != nil {
				t.Fatal(err)
			}
			if len(rep.Run.Failures) > 0 {
				t.Errorf("%d failures in the run: %s", len(rep.Run.Failures), rep.Run.Failures[0])
			}
			for _, stat := range []string{"prerequestScripts", "testScripts", "requests", "assertions"} {
				if s := rep.Run.Stats[stat]; s.Total == 0 || s.Failed != 0 {
					t.Errorf("stats.%s = %+v, want some and none failed", stat, s)
				}
			}
			if s := rep.Run.Stats["assertions"]; s.Total != 2 {
				t.Errorf("%d assertions ran, want 2", s.Total)
			}

			mu.Lock()
			body := bodies[r.name]
			mu.Unlock()
			var got struct {
				Random  string            `json:"random"`
				JTI     string            `json:"jti"`
				Tokens  map[string]string `json:"tokens"`
				DPoPKey string            `json:"dpopKey"`
				DPoP    string            `json:"dpop"`
			}
			if err := json.Unmarshal(body, &got); err != nil {
				t.Fatalf("server body is not the signer result (%v): %.200s", err, body)
			}
			if r.wantRandom != "" && got.Random != r.wantRandom {
				t.Errorf("random source %q, want %q", got.Random, r.wantRandom)
			}
			t.Logf("%s: random source %s, jti %s", r.name, got.Random, got.JTI)
			for _, alg := range sandboxAlgs {
				token, ok := got.Tokens[alg]
				if !ok {
					t.Errorf("no %s token", alg)
					continue
				}
				checkToken(t, alg, byAlg[alg], `{"typ":"JWT"}`, crossClaims, token)
			}
			checkDPoPProof(t, got.DPoP, byAlg["ES256"].public().(*ecdsa.PublicKey))
			if r.makesKeys {
				checkDPoPKey(t, got.DPoPKey)
			} else if !strings.HasPrefix(got.DPoPKey, "postmint: this sandbox (Newman) has no crypto.getRandomValues") {
				t.Errorf("newDpopKey in %s: %.120q, want the no-CSPRNG refusal", r.name, got.DPoPKey)
			}
		})
	}
}

// checkDPoPProof verifies a DPoP proof made in a sandbox with pub and checks its header and claims
// (RFC 9449 §4.2).
func checkDPoPProof(t *testing.T, proof string, pub *ecdsa.PublicKey) {
	t.Helper()
	parser := jwt.NewParser(jwt.WithValidMethods([]string{"ES256"}), jwt.WithoutClaimsValidation())
	tok, err := parser.Parse(proof, func(*jwt.Token) (any, error) { return pub, nil })
	if err != nil {
		t.Errorf("golang-jwt rejects the DPoP proof: %v", err)
		return
	}
	x, y := pub.X.FillBytes(make([]byte, 32)), pub.Y.FillBytes(make([]byte, 32))
	wantJWK := map[string]any{"crv": "P-256", "kty": "EC", "x": base64.RawURLEncoding.EncodeToString(x), "y": base64.RawURLEncoding.EncodeToString(y)}
	if tok.Header["typ"] != "dpop+jwt" || !reflect.DeepEqual(tok.Header["jwk"], wantJWK) {
		t.Errorf("DPoP header %v, want typ dpop+jwt and jwk %v", tok.Header, wantJWK)
	}
	sum := sha256.Sum256([]byte("tok"))
	claims := tok.Claims.(jwt.MapClaims)
	if claims["htm"] != "GET" || claims["htu"] != "https://api.example.com/r" || claims["ath"] != base64.RawURLEncoding.EncodeToString(sum[:]) {
		t.Errorf("DPoP claims %v", claims)
	}
	if _, ok := claims["nonce"]; ok {
		t.Errorf("DPoP claims carry a nonce that was not given: %v", claims)
	}
}

// checkDPoPKey checks that a key from newDpopKey is a P-256 private JWK whose x and y are the
// public key of its d, as Go's crypto/ecdh derives it.
func checkDPoPKey(t *testing.T, text string) {
	t.Helper()
	var k struct{ Alg, Crv, Kty, D, X, Y string }
	if err := json.Unmarshal([]byte(text), &k); err != nil {
		t.Fatalf("newDpopKey: %v: %.120q", err, text)
	}
	d, err := base64.RawURLEncoding.DecodeString(k.D)
	if err != nil {
		t.Fatal(err)
	}
	priv, err := ecdh.P256().NewPrivateKey(d)
	if err != nil {
		t.Fatalf("newDpopKey made an invalid P-256 key: %v", err)
	}
	q := priv.PublicKey().Bytes() // 0x04 || x || y
	want := [2]string{base64.RawURLEncoding.EncodeToString(q[1:33]), base64.RawURLEncoding.EncodeToString(q[33:])}
	if k.Alg != "ES256" || k.Crv != "P-256" || k.Kty != "EC" || [2]string{k.X, k.Y} != want {
		t.Errorf("newDpopKey: alg %q crv %q kty %q x,y %v, want ES256 P-256 EC %v", k.Alg, k.Crv, k.Kty, [2]string{k.X, k.Y}, want)
	}
}
