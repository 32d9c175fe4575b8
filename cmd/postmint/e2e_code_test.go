package main

import (
	"bytes"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/postmint/postmint/generator/postman"
	"github.com/postmint/postmint/internal/e2e"
)

// TestE2EAuthorizationCode drives the authorization code flow with private_key_jwt against the
// real provider: the collection's Authorize makes state, nonce and PKCE; the test logs in over
// HTTP (as the user's browser would) and pastes the code; Exchange code, an API request and
// Refresh token then run in Newman and the Postman CLI; and the Go side does the same with
// `postmint token --code` and `postmint refresh`.
func TestE2EAuthorizationCode(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	t.Parallel()
	e2e.RequireHarness(t)
	keys := newTestKeys(t)
	const redirect = "http://127.0.0.1:9/callback"
	runners := []string{"newman", "postman-cli", "go"}
	var clients []e2e.Client
	for _, r := range runners {
		clients = append(clients, e2e.Client{
			ClientID: "code-" + r, Grant: e2e.GrantAuthorizationCode, Alg: "RS256", Audience: e2e.AudienceTokenEndpoint,
			Scope: "openid api.read", RedirectURIs: []string{redirect}, RequireClientID: true,
			JWKS: e2e.JWKS(t, e2e.Key{KID: "code-kid", Public: keys.rsa.Public()}),
		})
	}
	prov := e2e.Start(t, clients)
	for _, r := range runners {
		t.Run(r, func(t *testing.T) {
			t.Parallel()
			dir := t.TempDir()
			keyPath := writePKCS8(t, dir, "client.key.pem", keys.rsa)
			def := "version: 1\nname: Code " + r + "\npreset: signicat\nclient_id: code-" + r + "\nkid: code-kid\n" +
				"token_url: " + prov.TokenEndpoint + "\nauthorization_endpoint: " + prov.AuthorizationEndpoint + "\n" +
				"redirect_uri: " + redirect + "\nscope: openid api.read\nrequests:\n  - name: Who am I\n    url: " + prov.API + "\n"
			defPath := filepath.Join(dir, "client.yaml")
			if err := os.WriteFile(defPath, []byte(def), 0o644); err != nil {
				t.Fatal(err)
			}
			paths := strings.Fields(runCLI(t, "generate", "-c", defPath, "-k", keyPath, "-o", dir))
			coll, env := paths[0], paths[1]
			exported := filepath.Join(dir, "exported.json")

			run := func(items ...string) *e2e.Run {
				t.Helper()
				var args []string
				for _, it := range items {
					if r == "newman" {
						args = append(args, "--folder", it)
					} else {
						args = append(args, "-i", it)
					}
				}
				var res *e2e.Run
				var err error
				if r == "newman" {
					res, err = e2e.Newman(t, coll, env, append(args, "--export-environment", exported)...)
				} else {
					// The Postman CLI cannot export the environment; the test carries state itself.
					res, err = e2e.PostmanCLI(t, coll, env, args...)
				}
				if err != nil {
					t.Fatalf("%s %v: %v\n%v\n%s", r, items, err, res.Failures, res.Output)
				}
				if r == "newman" {
					data, err := os.ReadFile(exported)
					if err != nil {
						t.Fatal(err)
					}
					if err := os.WriteFile(env, data, 0o600); err != nil {
						t.Fatal(err)
					}
				}
				return res
			}

			// 1. Authorize: the collection makes state, nonce and the PKCE challenge.
			var e *postman.Environment
			if r != "newman" {
				if r == "postman-cli" {
					// The collection's Authorize runs and builds the URL; its verifier stays in the
					// CLI's memory, so the test continues with a known pair.
					res := run("Authorize")
					a := res.Find("Authorize")
					if len(a) != 1 || !strings.Contains(a[0].URL, "code_challenge_method=S256") || strings.Contains(a[0].URL, "code_challenge=&") || strings.Contains(a[0].URL, "state=&") {
						t.Fatalf("Authorize: %v", a)
					}
				}
				e = readEnv(t, env)
				// RFC 7636 appendix B's verifier and its S256 challenge.
				e.Set(postman.VarCodeVerifier, "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk", postman.TypeSecret)
				e.Set(postman.VarCodeChallenge, "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM", "")
				e.Set(postman.VarState, "test-state", "")
				e.Set(postman.VarNonce, "test-nonce", "")
			} else {
				run("Authorize")
				e = readEnv(t, env)
			}
			for _, k := range []string{postman.VarCodeVerifier, postman.VarCodeChallenge, postman.VarState, postman.VarNonce} {
				if e.Lookup(k) == "" {
					t.Fatalf("Authorize did not set %s", k)
				}
			}
			// 2. The user's browser: log in and consent, take the code from the redirect.
			code := e2e.AuthorizationCode(t, prov, url.Values{
				"client_id": {"code-" + r}, "redirect_uri": {redirect}, "scope": {"openid api.read"},
				"state": {e.Lookup(postman.VarState)}, "nonce": {e.Lookup(postman.VarNonce)},
				"code_challenge": {e.Lookup(postman.VarCodeChallenge)}, "code_challenge_method": {"S256"},
			})
			e.Set(postman.VarAuthorizationCode, code, postman.TypeSecret)
			writeEnv(t, env, e)

			if r == "go" {
				// postmint token --code exchanges it (verifier from the environment).
				var out, errb bytes.Buffer
				if c := Run([]string{"postmint", "token", "-e", env, "--code", code, "--json"}, &out, &errb); c != 0 {
					t.Fatalf("token --code: exit %d: %s", c, errb.String())
				}
				if !strings.Contains(out.String(), `"refresh_token"`) {
					t.Fatalf("no refresh token in %d bytes of response", out.Len())
				}
				// refresh -e without a code: no refresh token yet, so it is refused cleanly.
				errb.Reset()
				if c := Run([]string{"postmint", "refresh", "-e", env}, &out, &errb); c != 2 || !strings.Contains(errb.String(), "--code") {
					t.Fatalf("refresh without refreshToken: exit %d: %s", c, errb.String())
				}
				return
			}
			// 3. Exchange code, then an API request with the token.
			res := run("Exchange code", "Who am I")
			if x := res.Find("Exchange code"); len(x) != 1 || x[0].Code != 200 {
				t.Fatalf("Exchange code: %v %v", x, res.Failures)
			}
			if api := res.Find("Who am I"); len(api) == 0 || api[len(api)-1].Code != 200 || !strings.Contains(api[len(api)-1].ResponseBody, "code-"+r) {
				t.Fatalf("API: %v", api)
			}
			if r == "postman-cli" {
				// Carry the refresh token from the report, as the CLI cannot export it.
				var body struct {
					RefreshToken string `json:"refresh_token"`
				}
				if err := res.Find("Exchange code")[0].JSON(&body); err != nil || body.RefreshToken == "" {
					t.Fatalf("Exchange code response has no refresh_token: %v", err)
				}
				e = readEnv(t, env)
				e.Set(postman.VarRefreshToken, body.RefreshToken, postman.TypeSecret)
				writeEnv(t, env, e)
			}
			first := readEnv(t, env).Lookup(postman.VarRefreshToken)
			if first == "" {
				t.Fatal("no refreshToken after Exchange code")
			}
			// 4. Refresh token: new tokens with a fresh assertion.
			res = run("Refresh token")
			if x := res.Find("Refresh token"); len(x) != 1 || x[0].Code != 200 || !strings.Contains(x[0].ResponseBody, "access_token") {
				t.Fatalf("Refresh token: %v %v", x, res.Failures)
			}
			if r == "newman" && readEnv(t, env).Lookup(postman.VarBearerToken) == "" {
				t.Error("Refresh token stored no bearerToken")
			}
			// 5. The Go side refreshes with the stored refresh token.
			var out, errb bytes.Buffer
			if c := Run([]string{"postmint", "refresh", "-e", env}, &out, &errb); c != 0 {
				t.Fatalf("refresh -e (refresh_token grant): exit %d: %s", c, errb.String())
			}
		})
	}
}

func readEnv(t *testing.T, path string) *postman.Environment {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	e, err := postman.ParseEnvironment(data)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func writeEnv(t *testing.T, path string, e *postman.Environment) {
	t.Helper()
	data, err := e.Marshal()
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
}
