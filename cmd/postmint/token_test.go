package main

import (
	"bytes"
	"crypto"
	"crypto/rand"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/postmint/postmint/internal/e2e"
)

// This file holds the fault injection tests of `postmint token` and `postmint refresh`, and the
// helpers the other command tests share: a client (definition, key, generated environment)
// pointed at a token endpoint, an httptest token endpoint that records what it received and
// issued, and the checks of an error's shape and of secrets on stderr.

// repoFile is a path under the repository root (tests run in cmd/postmint).
func repoFile(parts ...string) string {
	return filepath.Join(append([]string{"..", ".."}, parts...)...)
}

// fixtureKey reads a throwaway PKCS#8 PEM key from testdata/keys with the standard library
// alone, so that the tests do not trust the package under test to parse it.
func fixtureKey(t testing.TB, name string) (path string, pemText []byte, signer crypto.Signer) {
	t.Helper()
	path, err := filepath.Abs(repoFile("testdata", "keys", name))
	if err != nil {
		t.Fatal(err)
	}
	pemText, err = os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	block, _ := pem.Decode(pemText)
	if block == nil || block.Type != "PRIVATE KEY" {
		t.Fatalf("%s: not a PKCS#8 PEM key", name)
	}
	k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return path, pemText, k.(crypto.Signer)
}

// testClient is one OAuth client's files: definition, key, and the collection and environment
// `postmint generate` wrote for it.
type testClient struct {
	dir, def, key, env, coll string
	id                       string
	keyPEM                   []byte
	signer                   crypto.Signer
}

// newClient writes a definition for tokenURL (plus extra YAML lines) into a fresh directory
// and generates its collection and environment with the CLI (genArgs: e.g. --no-key).
func newClient(t testing.TB, tokenURL, extra string, genArgs ...string) *testClient {
	t.Helper()
	dir := t.TempDir()
	keyPath, keyPEM, signer := fixtureKey(t, "rsa2048.pkcs8.pem")
	c := &testClient{dir: dir, key: keyPath, keyPEM: keyPEM, signer: signer, id: "fault-client"}
	src := fmt.Sprintf("version: 1\nname: Fault Client\nclient_id: %s\ntoken_url: %s\nalg: RS256\nkid: kid-1\nscope: api.read\n%s", c.id, tokenURL, extra)
	c.def = filepath.Join(dir, "client.yaml")
	if err := os.WriteFile(c.def, []byte(src), 0o644); err != nil {
		t.Fatal(err)
	}
	var out, errb bytes.Buffer
	args := append([]string{"postmint", "generate", "-c", c.def, "-k", keyPath, "-o", dir}, genArgs...)
	if code := Run(args, &out, &errb); code != 0 {
		t.Fatalf("generate: exit %d: %s", code, errb.String())
	}
	for _, p := range strings.Fields(out.String()) {
		switch {
		case strings.HasSuffix(p, ".postman_environment.json"):
			c.env = p
		case strings.HasSuffix(p, ".postman_collection.json"):
			c.coll = p
		}
	}
	if c.env == "" || c.coll == "" {
		t.Fatalf("generate printed %q", out.String())
	}
	return c
}

// tokenEndpoint is an httptest token endpoint that records every assertion it received and
// every access token it issued.
type tokenEndpoint struct {
	*httptest.Server
	mu         sync.Mutex
	requests   int
	assertions []string
	tokens     []string
	userAgents []string
}

// newTokenEndpoint serves h after recording the request's assertion.
func newTokenEndpoint(t testing.TB, h func(te *tokenEndpoint, w http.ResponseWriter, r *http.Request)) *tokenEndpoint {
	t.Helper()
	te := &tokenEndpoint{}
	te.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		te.mu.Lock()
		te.requests++
		te.userAgents = append(te.userAgents, r.UserAgent())
		for _, k := range []string{"client_assertion", "assertion"} {
			if a := r.PostForm.Get(k); a != "" {
				te.assertions = append(te.assertions, a)
			}
		}
		te.mu.Unlock()
		h(te, w, r)
	}))
	t.Cleanup(te.Close)
	return te
}

func (te *tokenEndpoint) snapshot() (requests int, assertions, tokens []string) {
	te.mu.Lock()
	defer te.mu.Unlock()
	return te.requests, append([]string(nil), te.assertions...), append([]string(nil), te.tokens...)
}

// issueTokens is a working token endpoint: it verifies the client assertion's signature, aud
// and lifetime with golang-jwt and pub, and issues a random access token for 300 s.
func issueTokens(pub crypto.PublicKey) func(te *tokenEndpoint, w http.ResponseWriter, r *http.Request) {
	return func(te *tokenEndpoint, w http.ResponseWriter, r *http.Request) {
		a := r.PostForm.Get("client_assertion")
		_, err := jwt.Parse(a, func(*jwt.Token) (any, error) { return pub, nil },
			jwt.WithAudience(te.URL), jwt.WithIssuedAt(), jwt.WithExpirationRequired())
		if r.PostForm.Get("client_assertion_type") != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer" {
			err = fmt.Errorf("bad client_assertion_type")
		}
		w.Header().Set("Content-Type", "application/json")
		if err != nil {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprintf(w, `{"error":"invalid_client","error_description":%q}`, err.Error())
			return
		}
		b := make([]byte, 16)
		_, _ = rand.Read(b)
		tok := "at-" + hex.EncodeToString(b)
		te.mu.Lock()
		te.tokens = append(te.tokens, tok)
		te.mu.Unlock()
		fmt.Fprintf(w, `{"access_token":%q,"token_type":"Bearer","expires_in":300,"scope":"api.read"}`, tok)
	}
}

// fileState is a file's bytes and mode, to prove a failure left it untouched.
type fileState struct {
	data []byte
	mode os.FileMode
}

func stateOf(t testing.TB, path string) fileState {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	return fileState{data, st.Mode()}
}

func (s fileState) check(t testing.TB, path string) {
	t.Helper()
	now := stateOf(t, path)
	if !bytes.Equal(now.data, s.data) {
		t.Errorf("%s changed: was %d bytes, now %d bytes", filepath.Base(path), len(s.data), len(now.data))
	}
	if now.mode != s.mode {
		t.Errorf("%s: mode changed from %v to %v", filepath.Base(path), s.mode, now.mode)
	}
}

// runPM runs postmint in-process and returns its exit code, stdout and stderr.
func runPM(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := Run(append([]string{"postmint"}, args...), &out, &errb)
	return code, out.String(), errb.String()
}

// checkFailure checks the contract's error shape: exit 1, nothing on stdout, exactly one
// "postmint: " line that says what failed, and otherwise only hint and cause lines.
func checkFailure(t testing.TB, code int, stdout, stderr string) {
	t.Helper()
	if code != 1 {
		t.Errorf("exit code %d, want 1", code)
	}
	if stdout != "" {
		t.Errorf("stdout is not empty on failure: %q", stdout)
	}
	lines := strings.Split(strings.TrimRight(stderr, "\n"), "\n")
	errLines := 0
	for i, l := range lines {
		switch {
		case strings.HasPrefix(l, "postmint: "):
			errLines++
		case strings.HasPrefix(l, "hint: "), strings.HasPrefix(l, "  - "):
		case strings.HasSuffix(l, ":") && i+1 < len(lines) && strings.HasPrefix(lines[i+1], "  - "):
			// the heading of a list of causes
		default:
			t.Errorf("stderr line is neither the error, a hint nor a cause: %q", l)
		}
		if len(l) > 600 {
			t.Errorf("stderr line of %d characters: a body or secret was dumped? %.200q...", len(l), l)
		}
	}
	if errLines != 1 {
		t.Errorf("stderr has %d \"postmint: \" lines, want exactly 1:\n%s", errLines, stderr)
	}
	if len(lines) > 12 {
		t.Errorf("stderr has %d lines, want a short explanation:\n%s", len(lines), stderr)
	}
}

// checkNoSecrets fails when stderr holds key material, an assertion, a token, or anything
// that looks like a JWT.
func checkNoSecrets(t testing.TB, stderr string, keyPEM []byte, secrets ...string) {
	t.Helper()
	if strings.Contains(stderr, "PRIVATE KEY") {
		t.Errorf("stderr mentions PRIVATE KEY:\n%s", stderr)
	}
	for _, l := range strings.Split(string(keyPEM), "\n") {
		if l = strings.TrimSpace(l); len(l) >= 16 && !strings.HasPrefix(l, "-----") && strings.Contains(stderr, l) {
			t.Errorf("stderr holds a line of the private key")
			break
		}
	}
	for _, s := range secrets {
		if s == "" {
			continue
		}
		if strings.Contains(stderr, s) {
			t.Errorf("stderr holds a secret (%d characters, starts %.6q)", len(s), s)
		}
		if parts := strings.Split(s, "."); len(parts) == 3 && len(parts[2]) > 16 && strings.Contains(stderr, parts[2]) {
			t.Errorf("stderr holds an assertion's signature")
		}
	}
	if regexp.MustCompile(`eyJ[A-Za-z0-9_-]{8,}`).MatchString(stderr) {
		t.Errorf("stderr holds something that looks like a JWT:\n%s", stderr)
	}
}

// refusedURL is an http URL on 127.0.0.1 where nothing listens.
func refusedURL(t testing.TB) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return "http://" + addr + "/token"
}

// TestTokenAndRefreshFaults injects each fault of the token endpoint into `token -c`,
// `token -e` and `refresh -e`: each must fail with exit 1, one error line that names the
// problem, no secret on stderr, and the environment file byte-for-byte as it was.
func TestTokenAndRefreshFaults(t *testing.T) {
	t.Parallel()
	type fault struct {
		name    string
		handler func(te *tokenEndpoint, w http.ResponseWriter, r *http.Request) // nil: refused
		args    []string
		want    []string      // substrings of stderr
		min     time.Duration // the command must take at least this long
		max     time.Duration // and return within this bound
		leaks   []string      // server text that must not reach stderr
	}
	const stackMarker = "com.example.internal.TokenServlet.secretFrame"
	html := "<!DOCTYPE html>\n<html><head><title>Internal Server Error</title></head><body>\n<h1>Something broke</h1>\n<pre>\n" +
		strings.Repeat("    at "+stackMarker+"(TokenServlet.java:42)\n", 300) + "</pre></body></html>\n"
	faults := []fault{
		{
			name: "connection-refused",
			want: []string{"connection refused"},
			max:  15 * time.Second,
		},
		{
			name: "hanging",
			handler: func(te *tokenEndpoint, w http.ResponseWriter, r *http.Request) {
				<-r.Context().Done() // never answers; returns when the client gives up
			},
			args: []string{"--timeout", "2s"},
			want: []string{"timed out"},
			min:  1900 * time.Millisecond,
			max:  4 * time.Second,
		},
		{
			name: "html-500",
			handler: func(te *tokenEndpoint, w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/html; charset=utf-8")
				w.WriteHeader(http.StatusInternalServerError)
				_, _ = w.Write([]byte(html))
			},
			want:  []string{"HTTP 500", "Internal Server Error"},
			max:   15 * time.Second,
			leaks: []string{stackMarker, "Something broke", "<pre>"},
		},
		{
			name: "200-without-access-token",
			handler: func(te *tokenEndpoint, w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write([]byte(`{"token_type":"Bearer","expires_in":300,"id_token":"idtok-SECRET-7f3a9c","refresh_token":"rt-SECRET-91bd"}`))
			},
			want:  []string{"access_token"},
			max:   15 * time.Second,
			leaks: []string{"idtok-SECRET-7f3a9c", "rt-SECRET-91bd"},
		},
		{
			name: "invalid-json-form-encoded",
			handler: func(te *tokenEndpoint, w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write([]byte("access_token=at-SECRET-5e1d0b&token_type=bearer&expires_in=300\n"))
			},
			want:  []string{"not JSON"},
			max:   15 * time.Second,
			leaks: []string{"at-SECRET-5e1d0b"},
		},
		{
			name: "invalid-json-truncated",
			handler: func(te *tokenEndpoint, w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write([]byte(`{"access_token":"at-SECRET-c0ffee","token_type":"Bea`))
			},
			want:  []string{"not JSON"},
			max:   15 * time.Second,
			leaks: []string{"at-SECRET-c0ffee"},
		},
	}
	for _, f := range faults {
		var te *tokenEndpoint
		tokenURL := ""
		if f.handler == nil {
			tokenURL = refusedURL(t)
		} else {
			te = newTokenEndpoint(t, f.handler)
			tokenURL = te.URL + "/token"
		}
		c := newClient(t, tokenURL, "")
		for _, cmd := range [][]string{
			{"token", "-c", c.def, "-k", c.key},
			{"token", "-e", c.env},
			{"refresh", "-e", c.env},
		} {
			name := f.name + "/" + cmd[0] + cmd[1]
			args := append(append([]string(nil), cmd...), f.args...)
			t.Run(name, func(t *testing.T) {
				t.Parallel()
				// Each subtest works on its own copy of the environment, the mode a user
				// would give a file that holds a key.
				env := filepath.Join(t.TempDir(), "ci.postman_environment.json")
				data, err := os.ReadFile(c.env)
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(env, data, 0o640); err != nil {
					t.Fatal(err)
				}
				for i, a := range args {
					if a == c.env {
						args[i] = env
					}
				}
				before := stateOf(t, env)
				start := time.Now()
				code, stdout, stderr := runPM(args...)
				took := time.Since(start)
				checkFailure(t, code, stdout, stderr)
				for _, w := range f.want {
					if !strings.Contains(stderr, w) {
						t.Errorf("stderr does not say %q:\n%s", w, stderr)
					}
				}
				for _, l := range f.leaks {
					if strings.Contains(stderr, l) {
						t.Errorf("stderr holds the server's %q: the body was dumped:\n%s", l, stderr)
					}
				}
				if took < f.min || took > f.max {
					t.Errorf("took %v, want between %v and %v", took.Round(time.Millisecond), f.min, f.max)
				}
				var assertions []string
				if te != nil {
					_, assertions, _ = te.snapshot()
				}
				checkNoSecrets(t, stderr, c.keyPEM, assertions...)
				before.check(t, env)
				t.Logf("exit %d after %v; stderr:\n%s", code, took.Round(time.Millisecond), stderr)
			})
		}
	}
}

// TestRefreshReadOnlyEnvironment: a read-only environment is refused before anything is
// minted or sent, left untouched, and -o OUT still works from it.
func TestRefreshReadOnlyEnvironment(t *testing.T) {
	t.Parallel()
	_, _, signer := fixtureKey(t, "rsa2048.pkcs8.pem")
	te := newTokenEndpoint(t, issueTokens(signer.Public()))
	c := newClient(t, te.URL, "")
	if err := os.Chmod(c.env, 0o440); err != nil {
		t.Fatal(err)
	}
	before := stateOf(t, c.env)
	code, stdout, stderr := runPM("refresh", "-e", c.env)
	checkFailure(t, code, stdout, stderr)
	if !strings.Contains(stderr, "read-only") || !strings.Contains(stderr, filepath.Base(c.env)) {
		t.Errorf("stderr does not name the read-only file:\n%s", stderr)
	}
	checkNoSecrets(t, stderr, c.keyPEM)
	before.check(t, c.env)
	if n, _, _ := te.snapshot(); n != 0 {
		t.Errorf("the token endpoint got %d requests for a refused refresh", n)
	}

	out := filepath.Join(t.TempDir(), "out.json")
	if code, _, stderr := runPM("refresh", "-e", c.env, "-o", out); code != 0 {
		t.Fatalf("refresh -o from a read-only input: exit %d: %s", code, stderr)
	}
	before.check(t, c.env)
	if st := stateOf(t, out); st.mode.Perm() != 0o600 {
		t.Errorf("-o OUT has mode %v, want 0600", st.mode.Perm())
	}
}

// TestTokenPrintsToken: the success path of token: the access token alone on stdout (or the
// whole response with --json), nothing on stderr, a fresh assertion per run, a User-Agent
// that names postmint.
func TestTokenPrintsToken(t *testing.T) {
	t.Parallel()
	_, _, signer := fixtureKey(t, "rsa2048.pkcs8.pem")
	te := newTokenEndpoint(t, issueTokens(signer.Public()))
	c := newClient(t, te.URL, "")
	for _, args := range [][]string{{"token", "-c", c.def, "-k", c.key}, {"token", "-e", c.env}} {
		code, stdout, stderr := runPM(args...)
		if code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, stderr)
		}
		_, _, tokens := te.snapshot()
		if want := tokens[len(tokens)-1] + "\n"; stdout != want {
			t.Errorf("%v printed %q, want the token and a newline", args, stdout)
		}
		if strings.Contains(stderr, "warning") {
			// http:// on 127.0.0.1 may warn; nothing else may be printed.
			stderr = ""
		}
		if stderr != "" {
			t.Errorf("%v wrote to stderr on success: %q", args, stderr)
		}
	}
	code, stdout, stderr := runPM("token", "-e", c.env, "--json")
	if code != 0 {
		t.Fatalf("token --json: exit %d: %s", code, stderr)
	}
	var resp map[string]any
	if err := json.Unmarshal([]byte(stdout), &resp); err != nil || resp["expires_in"] != float64(300) || resp["access_token"] == "" {
		t.Errorf("token --json printed %q (%v)", stdout, err)
	}
	_, assertions, _ := te.snapshot()
	seen := map[string]bool{}
	for _, a := range assertions {
		claims := jwt.MapClaims{}
		if _, _, err := jwt.NewParser().ParseUnverified(a, claims); err != nil {
			t.Fatal(err)
		}
		jti, _ := claims["jti"].(string)
		if seen[jti] {
			t.Errorf("jti %s sent twice", jti)
		}
		seen[jti] = true
	}
	te.mu.Lock()
	for _, ua := range te.userAgents {
		if !strings.HasPrefix(ua, "postmint/") {
			t.Errorf("User-Agent %q does not name postmint", ua)
		}
	}
	te.mu.Unlock()
}

// TestTokenWrongAudienceRealProvider: the real OpenID provider rejects an assertion whose aud
// is the issuer when the client was registered for the token endpoint; postmint reports
// invalid_client and its hint names the audience it used and the alternative. The same
// definition with the right audience gets a token, so the audience is the only cause.
func TestTokenWrongAudienceRealProvider(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: starts the OpenID provider")
	}
	t.Parallel()
	_, _, signer := fixtureKey(t, "rsa2048.pkcs8.pem")
	prov := e2e.Start(t, []e2e.Client{{
		ClientID: "fault-client",
		Alg:      "RS256",
		Audience: e2e.AudienceTokenEndpoint,
		Scope:    "api.read",
		JWKS:     e2e.JWKS(t, e2e.Key{KID: "kid-1", Public: signer.Public()}),
	}})
	wrong := newClient(t, prov.TokenEndpoint, "audience: issuer\nissuer: "+prov.Issuer+"\n")
	right := newClient(t, prov.TokenEndpoint, "")

	for _, args := range [][]string{
		{"token", "-c", wrong.def, "-k", wrong.key},
		{"token", "-e", wrong.env},
		{"refresh", "-e", wrong.env},
	} {
		t.Run(args[0]+args[1], func(t *testing.T) {
			before := stateOf(t, wrong.env)
			code, stdout, stderr := runPM(args...)
			checkFailure(t, code, stdout, stderr)
			if !strings.Contains(stderr, "invalid_client") {
				t.Errorf("stderr does not give the server's error:\n%s", stderr)
			}
			// The hint (the likeliest cause) names the aud used and the token endpoint rule.
			hint := ""
			for _, l := range strings.Split(stderr, "\n") {
				if strings.HasPrefix(l, "hint: ") {
					hint = l
				}
			}
			if !strings.Contains(hint, "aud") || !strings.Contains(hint, `"`+prov.Issuer+`"`) {
				t.Errorf("the hint does not name the audience used (%s): %q", prov.Issuer, hint)
			}
			if !strings.Contains(hint, prov.TokenEndpoint) {
				t.Errorf("the hint does not offer the token endpoint %s as the audience: %q", prov.TokenEndpoint, hint)
			}
			checkNoSecrets(t, stderr, wrong.keyPEM)
			before.check(t, wrong.env)
			t.Logf("stderr:\n%s", stderr)
		})
	}
	if got := prov.TokensIssued(t, "fault-client"); got != 0 {
		t.Errorf("the provider issued %d tokens for the wrong audience", got)
	}
	if code, stdout, stderr := runPM("token", "-c", right.def, "-k", right.key); code != 0 || strings.Count(stdout, "\n") != 1 {
		t.Fatalf("control with the right audience: exit %d, stdout %q: %s", code, stdout, stderr)
	}
	if got := prov.TokensIssued(t, "fault-client"); got != 1 {
		t.Errorf("the provider issued %d tokens for the right audience, want 1", got)
	}
}

// TestCommandsRefuseArguments: every command that takes no arguments says so for a stray one,
// with exit code 2 and the pointer to its --help (generate also says where the definition goes).
func TestCommandsRefuseArguments(t *testing.T) {
	for _, name := range []string{"generate", "mint", "token", "refresh", "keygen", "dpop", "doctor"} {
		code, _, stderr := runPM(name, "client.yaml")
		want := "postmint: " + name + ` takes no arguments (got "client.yaml")`
		if code != 2 || !strings.HasPrefix(stderr, want) || !strings.Contains(stderr, "Run 'postmint "+name+" --help' for usage.") {
			t.Errorf("%s client.yaml: exit %d, stderr %q; want 2 and %q", name, code, stderr, want)
		}
	}
	if _, _, stderr := runPM("generate", "client.yaml"); !strings.Contains(stderr, "; give the definition with -c\n") {
		t.Errorf("generate's refusal lacks its hint: %q", stderr)
	}
}
