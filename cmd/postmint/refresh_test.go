package main

import (
	"bytes"
	"context"
	"crypto"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/postmint/postmint/generator/postman"
	"github.com/postmint/postmint/internal/e2e"
)

// The variables refresh writes (refreshToken only when the server sends one); everything else
// must come out as it went in.
var refreshed = map[string]bool{
	postman.VarClientAssertion:    true,
	postman.VarBearerToken:        true,
	postman.VarBearerTokenExpires: true,
	postman.VarRefreshToken:       true,
}

// member is one field of a JSON object: its name and its compact raw value.
type member struct {
	key string
	raw string
}

// members decodes a JSON object into its fields in file order, keeping every value's raw
// text (compacted), so that a comparison sees order, unknown fields and escapes.
func members(t testing.TB, raw []byte) []member {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		t.Fatalf("not a JSON object: %.80q", raw)
	}
	var out []member
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			t.Fatal(err)
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			t.Fatal(err)
		}
		var c bytes.Buffer
		if err := json.Compact(&c, v); err != nil {
			t.Fatal(err)
		}
		out = append(out, member{k.(string), c.String()})
	}
	if _, err := dec.Token(); err != nil {
		t.Fatal(err)
	}
	if dec.More() {
		t.Fatalf("trailing data after the JSON object")
	}
	return out
}

func get(ms []member, key string) (string, bool) {
	for _, m := range ms {
		if m.key == key {
			return m.raw, true
		}
	}
	return "", false
}

// variablesOf returns the environment's variables, each as its fields in file order.
func variablesOf(t testing.TB, raw []byte) [][]member {
	t.Helper()
	values, ok := get(members(t, raw), "values")
	if !ok {
		t.Fatal("no values")
	}
	var list []json.RawMessage
	if err := json.Unmarshal([]byte(values), &list); err != nil {
		t.Fatal(err)
	}
	out := make([][]member, len(list))
	for i, v := range list {
		out[i] = members(t, v)
	}
	return out
}

func varKey(v []member) string {
	raw, _ := get(v, "key")
	var s string
	_ = json.Unmarshal([]byte(raw), &s)
	return s
}

// varValue is a variable's value as a string (JSON text for non-strings).
func varValue(t testing.TB, raw []byte, key string) string {
	t.Helper()
	for _, v := range variablesOf(t, raw) {
		if varKey(v) == key {
			r, _ := get(v, "value")
			var s string
			if json.Unmarshal([]byte(r), &s) == nil {
				return s
			}
			return r
		}
	}
	return ""
}

// checkOnlyRefreshed fails unless after is before with new values for clientAssertion,
// bearerToken and bearerTokenExpiresAt only: the same top-level fields in the same order,
// the same variables in the same order with the same fields; refresh may append a variable
// that was missing and mark a token variable secret.
func checkOnlyRefreshed(t testing.TB, before, after []byte) {
	t.Helper()
	bt, at := members(t, before), members(t, after)
	if len(bt) != len(at) {
		t.Errorf("top-level fields: %d before, %d after", len(bt), len(at))
	}
	for i := 0; i < min(len(bt), len(at)); i++ {
		if bt[i].key != at[i].key {
			t.Errorf("top-level field %d: %q became %q", i, bt[i].key, at[i].key)
		} else if bt[i].key != "values" && bt[i].raw != at[i].raw {
			t.Errorf("top-level %s: %s became %s", bt[i].key, bt[i].raw, at[i].raw)
		}
	}
	bv, av := variablesOf(t, before), variablesOf(t, after)
	if len(av) < len(bv) {
		t.Fatalf("%d variables before, %d after", len(bv), len(av))
	}
	for i, b := range bv {
		a, key := av[i], varKey(b)
		if varKey(a) != key {
			t.Errorf("variable %d: %q became %q (order changed)", i, key, varKey(a))
			continue
		}
		if len(a) != len(b) {
			t.Errorf("variable %s: fields %v became %v", key, b, a)
			continue
		}
		for j := range b {
			switch {
			case a[j].key != b[j].key:
				t.Errorf("variable %s: field %d %q became %q", key, j, b[j].key, a[j].key)
			case a[j].raw == b[j].raw:
			case refreshed[key] && a[j].key == "value":
			case refreshed[key] && a[j].key == "type" && a[j].raw == `"secret"` && key != postman.VarBearerTokenExpires:
				// a token variable becomes secret
			default:
				t.Errorf("variable %s: %s %s became %s", key, b[j].key, b[j].raw, a[j].raw)
			}
		}
	}
	for _, a := range av[len(bv):] {
		if !refreshed[varKey(a)] {
			t.Errorf("refresh added variable %q", varKey(a))
		}
	}
}

// checkRefreshedValues checks the new clientAssertion (a complete JWT signed by pub), that
// bearerToken is one of tokens, and that bearerTokenExpiresAt is about 300 s from now.
func checkRefreshedValues(t testing.TB, data []byte, pub crypto.PublicKey, tokens []string) jwt.MapClaims {
	t.Helper()
	claims := jwt.MapClaims{}
	a := varValue(t, data, postman.VarClientAssertion)
	if _, err := jwt.ParseWithClaims(a, claims, func(*jwt.Token) (any, error) { return pub, nil }); err != nil {
		t.Errorf("clientAssertion does not verify: %v", err)
	}
	if tokens != nil {
		if tok := varValue(t, data, postman.VarBearerToken); !slices.Contains(tokens, tok) {
			t.Errorf("bearerToken (%d characters) is none of the %d tokens issued", len(tok), len(tokens))
		}
		exp, err := strconv.ParseInt(varValue(t, data, postman.VarBearerTokenExpires), 10, 64)
		if d := exp - time.Now().Unix(); err != nil || d < 290 || d > 301 {
			t.Errorf("bearerTokenExpiresAt %d is %d s from now, want 300", exp, d)
		}
	}
	return claims
}

// postmanAppExport is an environment as the Postman app exports it (tab-indented, variables
// of type default/any/secret, a disabled one, _postman_* fields, a field postmint does not
// know), for a client of the token endpoint TOKEN_URL.
const postmanAppExport = `{
	"id": "5f0c2b1e-8d7a-4a53-9c1e-3b2a6f4d9e10",
	"name": "Acme Orders (test)",
	"values": [
		{
			"key": "baseUrl",
			"value": "https://api.example.test/v2",
			"type": "default",
			"enabled": true
		},
		{
			"key": "idpServer",
			"value": "TOKEN_URL",
			"type": "default",
			"enabled": true
		},
		{
			"key": "clientId",
			"value": "fault-client",
			"type": "default",
			"enabled": true
		},
		{
			"key": "sub",
			"value": "fault-client",
			"type": "default",
			"enabled": true
		},
		{
			"key": "aud",
			"value": "TOKEN_URL",
			"type": "default",
			"enabled": true
		},
		{
			"key": "alg",
			"value": "RS256",
			"type": "default",
			"enabled": true
		},
		{
			"key": "kid",
			"value": "kid-1",
			"type": "any",
			"enabled": true
		},
		{
			"key": "typ",
			"value": "JWT",
			"type": "default",
			"enabled": false
		},
		{
			"key": "scope",
			"value": "api.read",
			"type": "default",
			"enabled": true
		},
		{
			"key": "grantType",
			"value": "client_credentials",
			"type": "default",
			"enabled": true
		},
		{
			"key": "assertionLifetime",
			"value": "60",
			"type": "default",
			"enabled": true
		},
		{
			"key": "clientAssertionType",
			"value": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
			"type": "default",
			"enabled": true
		},
		{
			"key": "apiKey",
			"value": "not-a-real-api-key",
			"type": "secret",
			"enabled": true
		},
		{
			"key": "legacyScope",
			"value": "admin",
			"type": "default",
			"enabled": false
		},
		{
			"key": "privateKey",
			"value": "",
			"type": "secret",
			"enabled": true
		},
		{
			"key": "clientAssertion",
			"value": "",
			"type": "secret",
			"enabled": true
		},
		{
			"key": "bearerToken",
			"value": "at-old",
			"type": "secret",
			"enabled": true
		},
		{
			"key": "bearerTokenExpiresAt",
			"value": "1700000000",
			"type": "default",
			"enabled": true
		},
		{
			"key": "notes",
			"value": "ünïcödé \"quoted\" \u2028 tab\there \/ slash",
			"type": "default",
			"enabled": true,
			"description": "kept as it is"
		}
	],
	"color": null,
	"_postman_variable_scope": "environment",
	"_postman_exported_at": "2025-01-14T09:12:44.318Z",
	"_postman_exported_using": "Postman/11.27.3"
}
`

// newmanExport is an environment as newman run --export-environment writes it: two-space
// indent, fields in newman's order, types any/number/boolean, non-string values, no
// clientAssertion variable at all (refresh appends it).
const newmanExport = `{
  "id": "b8f4e7d2-0a9c-4a5e-8d55-6b1c2e3f4a5b",
  "name": "Acme Orders (test)",
  "values": [
    {
      "type": "any",
      "value": "TOKEN_URL",
      "key": "idpServer"
    },
    {
      "type": "any",
      "value": "fault-client",
      "key": "clientId"
    },
    {
      "type": "any",
      "value": "TOKEN_URL",
      "key": "aud"
    },
    {
      "type": "any",
      "value": "RS256",
      "key": "alg"
    },
    {
      "type": "any",
      "value": "client_credentials",
      "key": "grantType"
    },
    {
      "type": "number",
      "value": 60,
      "key": "assertionLifetime"
    },
    {
      "type": "boolean",
      "value": true,
      "key": "debug"
    },
    {
      "type": "number",
      "value": 3,
      "key": "runCount"
    },
    {
      "type": "any",
      "value": "at-old",
      "key": "bearerToken"
    },
    {
      "type": "any",
      "value": "1700000000",
      "key": "bearerTokenExpiresAt"
    }
  ],
  "_postman_variable_scope": "environment",
  "_postman_exported_at": "2025-01-14T09:15:02.117Z",
  "_postman_exported_using": "Newman/6.2.2"
}
`

// TestRefreshKeepsEverything: refresh of a Postman app export and of a Newman export changes
// the three values and nothing else (fields, order, unknown fields, types, disabled variables,
// the file mode); a disabled variable is not used; the key comes from -k and is not written.
func TestRefreshKeepsEverything(t *testing.T) {
	t.Parallel()
	keyPath, keyPEM, signer := fixtureKey(t, "rsa2048.pkcs8.pem")
	te := newTokenEndpoint(t, issueTokens(signer.Public()))
	for _, tc := range []struct {
		name, text string
		mode       os.FileMode
	}{
		{"postman-app-export", postmanAppExport, 0o640},
		{"newman-export", newmanExport, 0o600},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := filepath.Join(t.TempDir(), "acme.postman_environment.json")
			before := []byte(strings.ReplaceAll(tc.text, "TOKEN_URL", te.URL))
			if err := os.WriteFile(env, before, tc.mode); err != nil {
				t.Fatal(err)
			}
			if err := os.Chmod(env, tc.mode); err != nil { // whatever the umask
				t.Fatal(err)
			}
			code, stdout, stderr := runPM("refresh", "-e", env, "-k", keyPath)
			if code != 0 {
				t.Fatalf("refresh: exit %d: %s", code, stderr)
			}
			if stdout != "" {
				t.Errorf("refresh printed %q on stdout", stdout)
			}
			checkNoSecrets(t, stderr, keyPEM, varValue(t, mustRead(t, env), postman.VarBearerToken))
			after := stateOf(t, env)
			if after.mode.Perm() != tc.mode {
				t.Errorf("mode %v, want %v kept", after.mode.Perm(), tc.mode)
			}
			checkOnlyRefreshed(t, before, after.data)
			_, _, tokens := te.snapshot()
			claims := checkRefreshedValues(t, after.data, signer.Public(), tokens)
			if claims["iss"] != "fault-client" || claims["aud"] != te.URL {
				t.Errorf("claims %v", claims)
			}
			if bytes.Contains(after.data, []byte("PRIVATE KEY")) {
				t.Error("refresh wrote the private key into the environment")
			}
			// The disabled typ variable is not used.
			_, a := mustAssertionHeader(t, after.data)
			if _, ok := a["typ"]; ok {
				t.Errorf("header has typ %v from a disabled variable", a["typ"])
			}
			if tc.name == "postman-app-export" {
				if a["kid"] != "kid-1" {
					t.Errorf("header kid %v", a["kid"])
				}
				// Written the way the Postman app writes: only the three values differ.
				want := string(before)
				for _, k := range []string{postman.VarClientAssertion, postman.VarBearerToken, postman.VarBearerTokenExpires} {
					old := map[string]string{postman.VarClientAssertion: "", postman.VarBearerToken: "at-old", postman.VarBearerTokenExpires: "1700000000"}[k]
					want = strings.Replace(want, fmt.Sprintf("\"key\": %q,\n\t\t\t\"value\": %q", k, old),
						fmt.Sprintf("\"key\": %q,\n\t\t\t\"value\": %q", k, varValue(t, after.data, k)), 1)
				}
				if want != string(after.data) {
					t.Errorf("the Postman export is not byte-identical but for the three values:\n%s", after.data)
				}
			}
		})
	}
}

// TestRefreshKeepsValueText: values are kept as the text the file had, not re-encoded: an
// API URL with a query string stays readable (& not \u0026), so a committed environment's
// diff after a refresh shows the three refreshed values and nothing else.
func TestRefreshKeepsValueText(t *testing.T) {
	t.Parallel()
	keyPath, _, signer := fixtureKey(t, "rsa2048.pkcs8.pem")
	te := newTokenEndpoint(t, issueTokens(signer.Public()))
	extra := `		{
			"key": "ordersUrl",
			"value": "https://api.example.test/orders?status=open&limit=10",
			"type": "default",
			"enabled": true
		},
		{
			"key": "filter",
			"value": "<b>price > 10 & < 20</b>",
			"type": "default",
			"enabled": true
		},
`
	before := strings.ReplaceAll(postmanAppExport, "TOKEN_URL", te.URL)
	before = strings.Replace(before, "\t\"values\": [\n", "\t\"values\": [\n"+extra, 1)
	env := filepath.Join(t.TempDir(), "acme.postman_environment.json")
	if err := os.WriteFile(env, []byte(before), 0o600); err != nil {
		t.Fatal(err)
	}
	if code, _, stderr := runPM("refresh", "-e", env, "-k", keyPath, "--assertion-only"); code != 0 {
		t.Fatalf("refresh: exit %d: %s", code, stderr)
	}
	after := string(mustRead(t, env))
	for _, want := range []string{"status=open&limit=10", "<b>price > 10 & < 20</b>"} {
		if !strings.Contains(after, want) {
			t.Errorf("the value %q was re-encoded by refresh", want)
		}
	}
	if strings.Contains(after, `\u0026`) || strings.Contains(after, `\u003c`) {
		t.Errorf("refresh escaped & < > as \\u0026 \\u003c \\u003e in values it did not set")
	}
}

func mustRead(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// mustAssertionHeader decodes the clientAssertion's header without verifying it.
func mustAssertionHeader(t testing.TB, data []byte) (string, map[string]any) {
	t.Helper()
	a := varValue(t, data, postman.VarClientAssertion)
	tok, _, err := jwt.NewParser().ParseUnverified(a, jwt.MapClaims{})
	if err != nil {
		t.Fatalf("clientAssertion: %v", err)
	}
	return a, tok.Header
}

// TestRefreshAssertionOnlyAndOut: --assertion-only never calls the token endpoint and keeps
// bearerToken; -o OUT leaves the input byte-for-byte and writes OUT with mode 0600.
func TestRefreshAssertionOnlyAndOut(t *testing.T) {
	t.Parallel()
	_, keyPEM, signer := fixtureKey(t, "rsa2048.pkcs8.pem")
	te := newTokenEndpoint(t, issueTokens(signer.Public()))
	c := newClient(t, te.URL, "")
	if err := os.Chmod(c.env, 0o640); err != nil {
		t.Fatal(err)
	}

	before := stateOf(t, c.env)
	code, _, stderr := runPM("refresh", "-e", c.env, "--assertion-only")
	if code != 0 {
		t.Fatalf("--assertion-only: exit %d: %s", code, stderr)
	}
	checkNoSecrets(t, stderr, keyPEM)
	if n, _, _ := te.snapshot(); n != 0 {
		t.Errorf("--assertion-only made %d token requests", n)
	}
	after := stateOf(t, c.env)
	checkOnlyRefreshed(t, before.data, after.data)
	checkRefreshedValues(t, after.data, signer.Public(), nil)
	for _, k := range []string{postman.VarBearerToken, postman.VarBearerTokenExpires} {
		if b, a := varValue(t, before.data, k), varValue(t, after.data, k); a != b {
			t.Errorf("--assertion-only changed %s", k)
		}
	}
	if after.mode.Perm() != 0o640 {
		t.Errorf("mode %v, want 0640 kept", after.mode.Perm())
	}

	out := filepath.Join(t.TempDir(), "ci-env.json")
	code, _, stderr = runPM("refresh", "-e", c.env, "-o", out)
	if code != 0 {
		t.Fatalf("-o: exit %d: %s", code, stderr)
	}
	after.check(t, c.env)
	o := stateOf(t, out)
	if o.mode.Perm() != 0o600 {
		t.Errorf("OUT has mode %v, want 0600 (it holds a token)", o.mode.Perm())
	}
	checkOnlyRefreshed(t, after.data, o.data)
	_, _, tokens := te.snapshot()
	checkRefreshedValues(t, o.data, signer.Public(), tokens)
}

// TestRefreshKeyFromEnvironmentVariable: the key in POSTMINT_PRIVATE_KEY (a CI secret) as
// multi-line PEM, as one line with \n escapes, and with CRLF line ends, for an environment
// generated with --no-key; the key is never written into the file. -k still wins over it.
// Not parallel: it sets the process environment.
func TestRefreshKeyFromEnvironmentVariable(t *testing.T) {
	keyPath, keyPEM, signer := fixtureKey(t, "rsa2048.pkcs8.pem")
	te := newTokenEndpoint(t, issueTokens(signer.Public()))
	c := newClient(t, te.URL, "", "--no-key")
	pemText := strings.TrimSpace(string(keyPEM))
	for _, tc := range []struct{ name, value string }{
		{"real-newlines", pemText + "\n"},
		{"escaped-one-line", strings.ReplaceAll(pemText, "\n", `\n`)},
		{"crlf", strings.ReplaceAll(pemText, "\n", "\r\n") + "\r\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(envPrivateKey, tc.value)
			before := mustRead(t, c.env)
			code, _, stderr := runPM("refresh", "-e", c.env)
			if code != 0 {
				t.Fatalf("exit %d: %s", code, stderr)
			}
			checkNoSecrets(t, stderr, keyPEM)
			after := mustRead(t, c.env)
			checkOnlyRefreshed(t, before, after)
			_, _, tokens := te.snapshot()
			checkRefreshedValues(t, after, signer.Public(), tokens)
			if varValue(t, after, postman.VarPrivateKey) != "" || bytes.Contains(after, []byte("PRIVATE KEY")) {
				t.Error("the key from POSTMINT_PRIVATE_KEY was written into the environment")
			}
		})
	}
	t.Run("flag-wins", func(t *testing.T) {
		_, ecPEM, _ := fixtureKey(t, "ec-p256.pkcs8.pem")
		t.Setenv(envPrivateKey, string(ecPEM))
		if code, _, stderr := runPM("refresh", "-e", c.env, "-k", keyPath); code != 0 {
			t.Fatalf("-k with another key in %s: exit %d: %s", envPrivateKey, code, stderr)
		}
	})
}

// TestRefreshTempFileBesideEnvironment: the temporary file of the atomic write is made in the
// environment's directory (so a rename cannot cross file systems and a leftover stays beside
// the file), never in $TMPDIR. The directory's mtime shows whether anything was created there.
// Not parallel: it sets TMPDIR.
func TestRefreshTempFileBesideEnvironment(t *testing.T) {
	_, _, signer := fixtureKey(t, "rsa2048.pkcs8.pem")
	te := newTokenEndpoint(t, issueTokens(signer.Public()))
	c := newClient(t, te.URL, "")
	tmp := t.TempDir()
	past := time.Now().Add(-time.Hour).Truncate(time.Second)
	if err := os.Chtimes(tmp, past, past); err != nil {
		t.Fatal(err)
	}
	t.Setenv("TMPDIR", tmp)
	if code, _, stderr := runPM("refresh", "-e", c.env); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	st, err := os.Stat(tmp)
	if err != nil {
		t.Fatal(err)
	}
	if !st.ModTime().Equal(past) {
		t.Errorf("refresh created files in $TMPDIR (its mtime moved from %v to %v): the temp file must be in the environment's directory", past, st.ModTime())
	}
}

// buildPostmint builds the real binary into a temporary directory.
func buildPostmint(t testing.TB) string {
	t.Helper()
	bin, err := builtBinary()
	if err != nil {
		t.Fatal(err)
	}
	return bin
}

// binEnv is the environment for the real binary: no key or proxy from the developer's shell.
func binEnv(extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch strings.ToUpper(name) {
		case envPrivateKey, envKeyPassword, "TMPDIR", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY":
			continue
		}
		env = append(env, kv)
	}
	return append(env, extra...)
}

// envOutcome classifies an environment file after a refresh process ended: "old" when it is
// prev byte for byte, "new" when it is a complete refreshed version of prev; anything else
// fails the test.
func envOutcome(t testing.TB, path string, prev fileState, pub crypto.PublicKey, tokens []string) string {
	t.Helper()
	now := stateOf(t, path)
	if now.mode != prev.mode {
		t.Errorf("mode changed from %v to %v", prev.mode, now.mode)
	}
	if bytes.Equal(now.data, prev.data) {
		return "old"
	}
	if !json.Valid(now.data) {
		t.Fatalf("the environment is not valid JSON after the kill (%d bytes): a partial write", len(now.data))
	}
	if _, err := postman.ParseEnvironment(now.data); err != nil {
		t.Fatalf("the environment does not parse after the kill: %v", err)
	}
	checkOnlyRefreshed(t, prev.data, now.data)
	checkRefreshedValues(t, now.data, pub, tokens)
	return "new"
}

// strayFiles lists the entries of dir that are not in keep.
func strayFiles(t testing.TB, dir string, keep ...string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range ents {
		if !slices.Contains(keep, e.Name()) {
			out = append(out, e.Name())
		}
	}
	return out
}

// TestRefreshKilled kills the real binary with SIGKILL before and during the token request,
// and at random moments around the write: the environment is always the old file or a new
// complete one, never a part. Temp files a SIGKILL leaves behind are counted and reported.
func TestRefreshKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and kills the binary many times")
	}
	t.Parallel()
	bin := buildPostmint(t)
	_, _, signer := fixtureKey(t, "rsa2048.pkcs8.pem")
	pub := signer.Public()
	tmpdir := t.TempDir() // the processes' TMPDIR
	arrived := make(chan struct{}, 64)
	stalling := newTokenEndpoint(t, func(te *tokenEndpoint, w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		<-r.Context().Done()
	})
	fast := newTokenEndpoint(t, issueTokens(pub))

	start := func(env string) *exec.Cmd {
		cmd := exec.Command(bin, "refresh", "-e", env, "--timeout", "20s")
		cmd.Env = binEnv("TMPDIR=" + tmpdir)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		return cmd
	}
	kill := func(cmd *exec.Cmd) (killed bool) {
		err := cmd.Process.Kill()
		werr := cmd.Wait()
		if err != nil { // it had already exited
			if werr != nil {
				t.Errorf("refresh failed on its own: %v", werr)
			}
			return false
		}
		return werr != nil
	}

	// Before the request: killed right after the start, and a few ms later.
	c := newClient(t, stalling.URL, "")
	if err := os.Chmod(c.env, 0o640); err != nil {
		t.Fatal(err)
	}
	keep := []string{filepath.Base(c.env), filepath.Base(c.coll), filepath.Base(c.def)}
	orig := stateOf(t, c.env)
	for _, d := range []time.Duration{0, time.Millisecond, 3 * time.Millisecond, 10 * time.Millisecond} {
		cmd := start(c.env)
		time.Sleep(d)
		kill(cmd)
		if got := envOutcome(t, c.env, orig, pub, nil); got != "old" {
			t.Errorf("killed %v after the start: the file is %s, want old", d, got)
		}
	}
	// During the token request (the endpoint has it and does not answer).
	for range 3 {
		cmd := start(c.env)
		select {
		case <-arrived:
		case <-time.After(15 * time.Second):
			t.Fatal("the token request never arrived")
		}
		if !kill(cmd) {
			t.Fatal("refresh ended although the token endpoint never answered")
		}
		if got := envOutcome(t, c.env, orig, pub, nil); got != "old" {
			t.Errorf("killed during the token request: the file is %s, want old", got)
		}
	}
	strayBefore := strayFiles(t, c.dir, keep...)

	// Around the write: a fast endpoint, killed at a random moment in [0.4, 1.3] x a whole run.
	f := newClient(t, fast.URL, "")
	if err := os.Chmod(f.env, 0o640); err != nil {
		t.Fatal(err)
	}
	fkeep := []string{filepath.Base(f.env), filepath.Base(f.coll), filepath.Base(f.def)}
	var whole time.Duration
	const warm = 5
	for range warm {
		s := time.Now()
		cmd := start(f.env)
		if err := cmd.Wait(); err != nil {
			t.Fatalf("refresh: %v", err)
		}
		whole += time.Since(s)
	}
	whole /= warm
	counts := map[string]int{}
	prev := stateOf(t, f.env)
	const rounds = 60
	for range rounds {
		cmd := start(f.env)
		// Mostly near the end of a run, where the write is.
		time.Sleep(time.Duration(float64(whole) * (0.4 + 0.9*rand.Float64())))
		killed := kill(cmd)
		_, _, tokens := fast.snapshot()
		got := envOutcome(t, f.env, prev, pub, tokens)
		if !killed && got != "new" {
			t.Errorf("refresh exited 0 but the file is %s", got)
		}
		counts[fmt.Sprintf("%s/%s", map[bool]string{true: "killed", false: "finished"}[killed], got)]++
		prev = stateOf(t, f.env)
	}
	stray := strayFiles(t, f.dir, fkeep...)
	inTmp := strayFiles(t, tmpdir)
	t.Logf("a whole refresh takes %v; %d random kills: %v", whole.Round(time.Microsecond), rounds, counts)
	t.Logf("temp files left by SIGKILL: %d beside the environment (%v), %d during the token request, %d in TMPDIR (%v)",
		len(stray), stray, len(strayBefore), len(inTmp), inTmp)
	if len(strayBefore) > 0 {
		t.Errorf("a kill before the write left files: %v", strayBefore)
	}
	if len(inTmp) > 0 {
		t.Errorf("refresh left files in TMPDIR: its temp file must be beside the environment")
	}
	for _, s := range stray {
		if !strings.HasPrefix(s, "."+filepath.Base(f.env)) {
			t.Errorf("unexpected file %q beside the environment", s)
		}
	}
}

// TestRefreshConcurrent runs two refreshes of the same file at once, many times: both
// succeed and the file is always a complete environment holding one of the two new tokens.
func TestRefreshConcurrent(t *testing.T) {
	if testing.Short() {
		t.Skip("runs the binary many times")
	}
	t.Parallel()
	bin := buildPostmint(t)
	_, _, signer := fixtureKey(t, "rsa2048.pkcs8.pem")
	te := newTokenEndpoint(t, issueTokens(signer.Public()))
	c := newClient(t, te.URL, "")
	if err := os.Chmod(c.env, 0o640); err != nil {
		t.Fatal(err)
	}
	orig := stateOf(t, c.env)
	winners := map[int]int{}
	for round := range 20 {
		_, _, issuedBefore := te.snapshot()
		var wg sync.WaitGroup
		errs := make([]error, 2)
		outs := make([][]byte, 2)
		for i := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				cmd := exec.Command(bin, "refresh", "-e", c.env)
				cmd.Env = binEnv()
				outs[i], errs[i] = cmd.CombinedOutput()
			}()
		}
		wg.Wait()
		for i := range 2 {
			if errs[i] != nil {
				t.Fatalf("round %d: refresh %d: %v\n%s", round, i, errs[i], outs[i])
			}
		}
		_, _, issued := te.snapshot()
		mine := issued[len(issuedBefore):]
		if len(mine) != 2 {
			t.Fatalf("round %d: %d tokens issued, want 2", round, len(mine))
		}
		now := stateOf(t, c.env)
		if now.mode != orig.mode {
			t.Errorf("round %d: mode %v, want %v", round, now.mode, orig.mode)
		}
		checkOnlyRefreshed(t, orig.data, now.data)
		checkRefreshedValues(t, now.data, signer.Public(), mine)
		winners[slices.Index(mine, varValue(t, now.data, postman.VarBearerToken))]++
	}
	t.Logf("the file held the first-issued token %d times, the second %d times", winners[0], winners[1])
	if stray := strayFiles(t, c.dir, filepath.Base(c.env), filepath.Base(c.coll), filepath.Base(c.def)); len(stray) > 0 {
		t.Errorf("files left beside the environment: %v", stray)
	}
}

// TestCIRecipe proves the README's CI recipe against the real provider: an environment
// generated with --no-key, refreshed by the binary with the key from POSTMINT_PRIVATE_KEY,
// then newman run --folder API gets 200 from the API as the right client, with no private key
// in any file; then the same as a plain shell loop (refresh, newman) of two iterations; then
// refresh of the environment newman exported.
func TestCIRecipe(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: starts the OpenID provider and runs Newman")
	}
	t.Parallel()
	e2e.RequireHarness(t)
	bin := buildPostmint(t)
	_, keyPEM, signer := fixtureKey(t, "rsa2048.pkcs8.pem")
	const id = "ci-client"
	prov := e2e.Start(t, []e2e.Client{{
		ClientID: id,
		Alg:      "RS256",
		Audience: e2e.AudienceTokenEndpoint,
		Scope:    "api.read",
		JWKS:     e2e.JWKS(t, e2e.Key{KID: "kid-1", Public: signer.Public()}),
	}})
	dir := t.TempDir()
	def := filepath.Join(dir, "ci.yaml")
	src := fmt.Sprintf("version: 1\nname: CI Client\nclient_id: %s\ntoken_url: %s\nalg: RS256\nkid: kid-1\nscope: api.read\nrequests:\n  - name: Who am I\n    method: GET\n    url: %s\n", id, prov.TokenEndpoint, prov.API)
	if err := os.WriteFile(def, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	// The kit the pipeline keeps in its repository: made once, with no key in it.
	gen := exec.Command(bin, "generate", "-c", def, "--no-key", "-o", dir)
	gen.Env = binEnv()
	if out, err := gen.CombinedOutput(); err != nil {
		t.Fatalf("generate --no-key: %v\n%s", err, out)
	}
	coll := filepath.Join(dir, "ci-client.postman_collection.json")
	env := filepath.Join(dir, "ci-client.postman_environment.json")
	noKey := func(path string) {
		t.Helper()
		data := mustRead(t, path)
		if bytes.Contains(data, []byte("PRIVATE KEY")) || varValue(t, data, postman.VarPrivateKey) != "" {
			t.Errorf("%s holds a private key", filepath.Base(path))
		}
	}
	noKey(env)
	// The CI secret, as GitHub Actions passes it: real newlines.
	secret := envPrivateKey + "=" + string(keyPEM)

	refresh := exec.Command(bin, "refresh", "-e", env)
	refresh.Env = binEnv(secret)
	if out, err := refresh.CombinedOutput(); err != nil {
		t.Fatalf("refresh: %v\n%s", err, out)
	} else {
		checkNoSecrets(t, string(out), keyPEM, varValue(t, mustRead(t, env), postman.VarBearerToken))
	}
	noKey(env)
	if got := prov.TokensIssued(t, id); got != 1 {
		t.Fatalf("refresh got %d tokens, want 1", got)
	}
	exported := filepath.Join(dir, "newman-exported.json")
	run, err := e2e.Newman(t, coll, env, "--folder", "API", "--export-environment", exported)
	if err != nil {
		t.Fatalf("newman --folder API: %v\n%s\nserver:\n%s", err, run.Output, prov.Logs())
	}
	checkWhoAmI(t, run, id, 1)
	if got := prov.TokensIssued(t, id); got != 1 {
		t.Errorf("the collection fetched tokens itself (%d issued, want the 1 from refresh)", got)
	}

	// Newman's own export refreshes too, keeping all it holds.
	if _, err := os.Stat(exported); err != nil {
		t.Fatalf("newman did not export the environment: %v", err)
	}
	noKey(exported)
	before := mustRead(t, exported)
	r2 := exec.Command(bin, "refresh", "-e", exported)
	r2.Env = binEnv(envPrivateKey + "=" + strings.ReplaceAll(strings.TrimSpace(string(keyPEM)), "\n", `\n`))
	if out, err := r2.CombinedOutput(); err != nil {
		t.Fatalf("refresh of newman's export: %v\n%s", err, out)
	}
	checkOnlyRefreshed(t, before, mustRead(t, exported))
	noKey(exported)

	// The plain shell loop of a pipeline: refresh before each newman run. The secret is the
	// one-line \n-escaped form CI secret stores often hold.
	newman := filepath.Join(e2e.HarnessDir(), "node_modules", ".bin", "newman")
	script := `set -eu
for i in 1 2; do
  postmint refresh -e "$ENV"
  newman run "$COLL" -e "$ENV" --folder API --bail --color off --disable-unicode --reporters cli,json --reporter-json-export "$DIR/loop-$i.json"
done
`
	statsBefore := prov.ReadStats(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	loop := exec.CommandContext(ctx, "bash", "-c", script)
	loop.Env = binEnv(
		"PATH="+filepath.Dir(bin)+string(os.PathListSeparator)+filepath.Dir(newman)+string(os.PathListSeparator)+os.Getenv("PATH"),
		envPrivateKey+"="+strings.ReplaceAll(strings.TrimSpace(string(keyPEM)), "\n", `\n`),
		"ENV="+env, "COLL="+coll, "DIR="+dir, "NODE_NO_WARNINGS=1",
	)
	out, err := loop.CombinedOutput()
	if err != nil {
		t.Fatalf("shell loop: %v\n%s", err, out)
	}
	checkNoSecrets(t, string(out), keyPEM)
	stats := prov.ReadStats(t)
	if got := stats.TokensIssued[id] - statsBefore.TokensIssued[id]; got != 2 {
		t.Errorf("the loop's refreshes got %d tokens, want 2", got)
	}
	if got := stats.APICalls[id] - statsBefore.APICalls[id]; got != 2 {
		t.Errorf("the loop made %d accepted API calls, want 2", got)
	}
	if got := stats.APIRejected - statsBefore.APIRejected; got != 0 {
		t.Errorf("%d API calls were rejected", got)
	}
	for i := 1; i <= 2; i++ {
		var report struct {
			Run struct {
				Executions []struct {
					Item     struct{ Name string }
					Response struct{ Code int }
				}
			}
		}
		if err := json.Unmarshal(mustRead(t, filepath.Join(dir, fmt.Sprintf("loop-%d.json", i))), &report); err != nil {
			t.Fatalf("newman report %d: %v", i, err)
		}
		if ex := report.Run.Executions; len(ex) != 1 || ex[0].Item.Name != "Who am I" || ex[0].Response.Code != 200 {
			t.Errorf("newman run %d of the loop: %+v, want Who am I with 200", i, ex)
		}
	}
	noKey(env)
}

// checkWhoAmI checks the run's API request got 200 as client id.
func checkWhoAmI(t testing.TB, run *e2e.Run, id string, n int) {
	t.Helper()
	got := run.Find("Who am I")
	if len(got) != n {
		t.Fatalf("Who am I ran %d times, want %d; failures: %v", len(got), n, run.Failures)
	}
	for _, x := range got {
		var who struct {
			ClientID string `json:"client_id"`
		}
		if x.Code != 200 || json.Unmarshal([]byte(x.ResponseBody), &who) != nil || who.ClientID != id {
			t.Errorf("Who am I: HTTP %d %q, want 200 as %s", x.Code, x.ResponseBody, id)
		}
	}
	if len(run.Find("Get token")) != 0 {
		t.Errorf("--folder API ran Get token")
	}
}
