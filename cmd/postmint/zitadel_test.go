package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/postmint/postmint/internal/e2e"
)

// Against an OpenID Provider on github.com/zitadel/oidc/v3 v3.52.0's op package (testdata/zitadel,
// built from the Go module proxy), the library ZITADEL is built on: the zitadel preset gets a
// service user's token on the RFC 7523 JWT grant from Go (token, refresh, doctor), from Newman's
// Get token and automatic fetch and from the Postman CLI, each checked by the server's
// introspection; doctor passes although the metadata lists RS256 alone; and every refusal's
// explanation leads with what the server named.

func TestZitadel(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: runs a zitadel/oidc server and Newman")
	}
	e2e.RequireHarness(t)
	keyFiles := map[string]string{"zk-rsa": "rsa2048.pkcs8.pem", "zk-p256": "ec-p256.pkcs8.pem", "zk-p384": "ec-p384.pkcs8.pem"}
	var jwks []map[string]string
	var keyPEMs [][]byte
	for kid, f := range keyFiles {
		_, pemText, signer := fixtureKey(t, f)
		j, err := e2e.PublicJWK(signer.Public())
		if err != nil {
			t.Fatal(err)
		}
		j["kid"] = kid
		jwks = append(jwks, j)
		keyPEMs = append(keyPEMs, pemText)
	}
	const scope = "openid orders.read"
	api := e2e.ZitadelAccount{ID: "orders-api", Secret: "api-secret-1"}
	z := e2e.StartZitadel(t, e2e.ZitadelConfig{
		ServiceUsers: []e2e.ZitadelAccount{{ID: "svc-1", Keys: jwks, Scopes: strings.Fields(scope)}},
		Apps:         []e2e.ZitadelAccount{{ID: "app-1", Keys: jwks, Scopes: []string{"orders.read"}}},
		APIs:         []e2e.ZitadelAccount{api},
	})
	dir := t.TempDir()
	def := func(srv e2e.ZitadelServer, name, body string) string {
		p := filepath.Join(dir, name+".yaml")
		src := fmt.Sprintf("version: 1\nname: zitadel %s\npreset: zitadel\nissuer: %s\n%srequests:\n  - name: Userinfo\n    url: %s\n",
			name, srv.Issuer, body, srv.Userinfo)
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	noSecrets := func(t *testing.T, out string) {
		t.Helper()
		for _, k := range keyPEMs {
			checkNoSecrets(t, out, k, api.Secret)
		}
	}
	active := func(t *testing.T, srv e2e.ZitadelServer, path, tok string) {
		t.Helper()
		if tok == "" {
			t.Errorf("%s: no token", path)
			return
		}
		in := srv.Introspect(t, api, tok)
		if !in.Active || in.Sub != "svc-1" || in.Scope != scope {
			t.Errorf("%s: the server says the token is active=%v sub=%q scope=%q; want svc-1 with %q", path, in.Active, in.Sub, in.Scope, scope)
		}
	}

	t.Run("service user on the JWT grant", func(t *testing.T) {
		for _, tc := range []struct{ alg, kid, key string }{
			{"RS256", "zk-rsa", "rsa2048.pkcs8.pem"}, {"PS256", "zk-rsa", "rsa2048.pkcs8.pem"}, {"ES256", "zk-p256", "ec-p256.pkcs8.pem"},
		} {
			t.Run(tc.alg, func(t *testing.T) {
				keyPath, _, _ := fixtureKey(t, tc.key)
				d := def(z.Legacy, "svc-"+tc.alg, fmt.Sprintf("client_id: svc-1\nalg: %s\nkid: %s\nscope: %s\n", tc.alg, tc.kid, scope))
				code, stdout, stderr := runPM("token", "-c", d, "-k", keyPath)
				if code != 0 {
					t.Fatalf("postmint token (exit %d): %s\nserver:\n%s", code, stderr, lastBytes(z.Logs(), 2000))
				}
				active(t, z.Legacy, "postmint token", strings.TrimSpace(stdout))

				// doctor: the metadata lists RS256 alone, the live request decides.
				code, stdout, stderr = runPM("doctor", "-c", d, "-k", keyPath)
				if code != 0 || !strings.Contains(stdout, "PASS  token") {
					t.Errorf("doctor (exit %d):\n%s%s", code, stdout, stderr)
				}
				// (The JWT grant is not client authentication: its alg is not held against
				// token_endpoint_auth_signing_alg_values_supported, which lists RS256 alone.)
				if !strings.Contains(stdout, "PASS  metadata") {
					t.Errorf("doctor holds the metadata against a JWT-grant assertion:\n%s", stdout)
				}
				noSecrets(t, stdout+stderr)
			})
		}
	})

	t.Run("collection and refresh", func(t *testing.T) {
		keyPath, _, _ := fixtureKey(t, "ec-p256.pkcs8.pem")
		d := def(z.Legacy, "collection", "client_id: svc-1\nkid: zk-p256\nscope: "+scope+"\n")
		out := filepath.Join(dir, "collection")
		code, stdout, stderr := runPM("generate", "-c", d, "-k", keyPath, "-o", out)
		if code != 0 {
			t.Fatalf("generate: %s", stderr)
		}
		files := strings.Fields(stdout)
		for _, folder := range []string{"Auth", "API"} {
			exported := filepath.Join(out, folder+".env.json")
			run, err := e2e.Newman(t, files[0], files[1], "--folder", folder, "--export-environment", exported)
			if err != nil {
				t.Fatalf("newman --folder %s: %v\n%s", folder, err, run.Output)
			}
			active(t, z.Legacy, map[string]string{"Auth": "Get token", "API": "auto-fetch"}[folder], readEnv(t, exported).Lookup("bearerToken"))
			if folder == "API" {
				x := run.Find("Userinfo")
				if len(x) == 0 || !strings.Contains(x[len(x)-1].ResponseBody, `"sub":"svc-1"`) {
					t.Errorf("Userinfo with the fetched token: %+v", x)
				}
				for _, e := range x {
					if e.Code != 200 {
						t.Errorf("Userinfo: %+v", e)
					}
				}
			}
		}
		res, err := e2e.PostmanCLI(t, files[0], files[1], "-i", "Get token", "-i", "Userinfo")
		if err != nil {
			t.Fatalf("postman cli: %v %v\n%s", err, res.Failures, res.Output)
		}
		if x := res.Find("Userinfo"); len(x) != 1 || x[0].Code != 200 {
			t.Errorf("Postman CLI Userinfo: %+v", x)
		}

		env := copyFile(t, files[1], filepath.Join(t.TempDir(), "env.json"))
		code, _, stderr = runPM("refresh", "-e", env, "-k", keyPath)
		if code != 0 {
			t.Fatalf("refresh (exit %d): %s", code, stderr)
		}
		active(t, z.Legacy, "postmint refresh", readEnv(t, env).Lookup("bearerToken"))
	})

	t.Run("refusals explained by the server's words", func(t *testing.T) {
		for _, tc := range []struct {
			name   string
			srv    e2e.ZitadelServer
			key    string
			body   string
			args   []string
			server string // the server's words, shown
			hint   string // the first hint holds this
		}{
			{"legacy: JWT grant, token endpoint as aud", z.Legacy, "rsa2048.pkcs8.pem", "client_id: svc-1\nkid: zk-rsa\naudience: token_endpoint\n", nil,
				"invalid_request (HTTP 400): assertion invalid", "check aud first: it must contain the issuer " + z.Legacy.Issuer + " exactly"},
			{"provider: JWT grant, token endpoint as aud", z.Provider, "rsa2048.pkcs8.pem", "client_id: svc-1\nkid: zk-rsa\naudience: token_endpoint\n", nil,
				`Audience must contain client_id "` + z.Provider.Issuer + `"`, "the server names the audience it expects: set audience: " + z.Provider.Issuer + " (aud was"},
			{"provider: JWT grant, ES384", z.Provider, "ec-p384.pkcs8.pem", "client_id: svc-1\nkid: zk-p384\n", nil,
				"invalid_grant (HTTP 400): signature algorithm not supported", "the server does not accept alg ES384 for this assertion (preset zitadel documents RS256, PS256, ES256)"},
			{"provider: JWT grant, unknown kid", z.Provider, "rsa2048.pkcs8.pem", "client_id: svc-1\nkid: zk-gone\n", nil,
				"key not found", `the server has no key under kid "zk-gone" for "svc-1"`},
			{"provider: private_key_jwt app on the refresh grant, ES384", z.Provider, "ec-p384.pkcs8.pem",
				"client_id: app-1\nkid: zk-p384\ngrant_type: authorization_code\nredirect_uri: http://127.0.0.1/cb\n", []string{"--refresh-token", "not-a-refresh-token"},
				"signature algorithm not supported", "the server does not accept alg ES384"},
			{"legacy: client_credentials ignores the assertion", z.Legacy, "rsa2048.pkcs8.pem", "client_id: app-1\nkid: zk-rsa\ngrant_type: client_credentials\n", nil,
				"invalid_client", ""},
		} {
			t.Run(tc.name, func(t *testing.T) {
				keyPath, _, _ := fixtureKey(t, tc.key)
				d := def(tc.srv, strings.NewReplacer(" ", "-", ":", "", ",", "").Replace(tc.name), tc.body)
				code, stdout, stderr := runPM(append([]string{"token", "-c", d, "-k", keyPath}, tc.args...)...)
				// generate's warning that ES384 is not among the preset's algorithms is the one
				// line besides the error.
				var kept []string
				for _, l := range strings.SplitAfter(stderr, "\n") {
					if !strings.HasPrefix(l, "postmint: warning: alg ES384 is not among the algorithms preset zitadel documents") {
						kept = append(kept, l)
					}
				}
				checkFailure(t, code, stdout, strings.Join(kept, ""))
				noSecrets(t, stderr)
				if !strings.Contains(stderr, tc.server) {
					t.Errorf("the server's words %q are not shown:\n%s", tc.server, stderr)
				}
				if hint := lineWith(stderr, "hint: "); !strings.Contains(hint, tc.hint) {
					t.Errorf("the first hint %q does not hold %q:\n%s", hint, tc.hint, stderr)
				}
				if len(tc.args) > 0 && (strings.Contains(stderr, "authorization code expired") || !strings.Contains(stderr, "the refresh token expired")) {
					t.Errorf("a refresh-token request explained as a code exchange:\n%s", stderr)
				}
				if tc.hint == "" && !strings.Contains(stderr, "ignores client_assertion: a service user uses the JWT grant") {
					t.Errorf("the explanation does not say the stock client_credentials grant ignores the assertion:\n%s", stderr)
				}
			})
		}
	})
}

// TestZitadelPreset: the preset says why it defaults to the JWT grant, and a definition without
// kid is refused in one line (the library finds keys by kid only).
func TestZitadelPreset(t *testing.T) {
	code, stdout, stderr := runPM("presets", "zitadel")
	if code != 0 || !strings.Contains(stdout, "plain client_credentials with a client_assertion is not accepted") || !strings.Contains(stdout, "#813") {
		t.Errorf("presets zitadel (exit %d) does not say client_credentials with an assertion is refused:\n%s%s", code, stdout, stderr)
	}
	d := filepath.Join(t.TempDir(), "svc.yaml")
	if err := os.WriteFile(d, []byte("version: 1\nname: svc\npreset: zitadel\nissuer: https://zitadel.example.com\nclient_id: svc-1\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	keyPath, keyPEM, _ := fixtureKey(t, "rsa2048.pkcs8.pem")
	code, stdout, stderr = runPM("mint", "-c", d, "-k", keyPath)
	checkFailure(t, code, stdout, stderr)
	checkNoSecrets(t, stderr, keyPEM)
	if !strings.Contains(stderr, "kid: missing; preset zitadel identifies the key by kid") {
		t.Errorf("the missing kid is not named:\n%s", stderr)
	}
}
