package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/postmint/postmint/internal/e2e"
)

// Against real Ory Hydra v2.3.0 (built from the Go module proxy by testdata/hydra/build.sh):
// the hydra preset gets the scope it asked for on both grants, from Go, from Get token and from
// the collection's automatic fetch; doctor warns when a token comes back without it; Hydra's
// algorithm rule is the preset's; and Hydra's own error words lead the explanation.

func TestHydra(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: runs Ory Hydra and Newman")
	}
	e2e.RequireHarness(t)
	h := e2e.StartHydra(t)
	keyPath, keyPEM, signer := fixtureKey(t, "rsa2048.pkcs8.pem")
	jwk, err := e2e.PublicJWK(signer.Public())
	if err != nil {
		t.Fatal(err)
	}
	jwk["kid"], jwk["alg"] = "hk1", "RS256"
	noUse := map[string]string{}
	for k, v := range jwk {
		if k != "use" {
			noUse[k] = v
		}
	}
	keySet := func(k map[string]string) map[string]any { return map[string]any{"keys": []any{k}} }
	const scope = "orders.read orders.write"
	h.CreateClient(t, map[string]any{"client_id": "cc", "token_endpoint_auth_method": "private_key_jwt", "token_endpoint_auth_signing_alg": "RS256",
		"jwks": keySet(jwk), "grant_types": []string{"client_credentials"}, "scope": scope})
	h.CreateClient(t, map[string]any{"client_id": "cc-no-use", "token_endpoint_auth_method": "private_key_jwt", "token_endpoint_auth_signing_alg": "RS256",
		"jwks": keySet(noUse), "grant_types": []string{"client_credentials"}, "scope": scope})
	// The JWT grant authenticates the client too: a public client names itself with client_id.
	h.CreateClient(t, map[string]any{"client_id": "jb", "token_endpoint_auth_method": "none",
		"grant_types": []string{"urn:ietf:params:oauth:grant-type:jwt-bearer"}, "scope": scope})
	h.TrustJWTIssuer(t, "jb", "jb", jwk, strings.Fields(scope))

	dir := t.TempDir()
	def := func(name, body string) string {
		p := filepath.Join(dir, name+".yaml")
		if !strings.Contains(body, "kid:") {
			body = "kid: hk1\n" + body
		}
		src := fmt.Sprintf("version: 1\nname: hydra %s\npreset: hydra\ntoken_url: %s\n%srequests:\n  - name: Alive\n    url: %shealth/alive\n",
			name, h.TokenEndpoint, body, h.Issuer)
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}

	t.Run("scope granted on every grant and path", func(t *testing.T) {
		for _, tc := range []struct{ name, body, client string }{
			{"client-credentials", "client_id: cc\nscope: " + scope + "\n", "cc"},
			{"jwt-bearer", "client_id: jb\ngrant_type: jwt_bearer\nscope: " + scope + "\n", "jb"},
		} {
			t.Run(tc.name, func(t *testing.T) {
				d := def(tc.name, tc.body)
				code, stdout, stderr := runPM("token", "-c", d, "-k", keyPath)
				if code != 0 {
					t.Fatalf("postmint token: %s\nhydra:\n%s", stderr, lastBytes(h.Logs(), 2000))
				}
				checkHydraToken(t, h, "postmint token", strings.TrimSpace(stdout), tc.client, scope)

				out := filepath.Join(dir, tc.name)
				code, stdout, stderr = runPM("generate", "-c", d, "-k", keyPath, "-o", out)
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
					path := map[string]string{"Auth": "Get token", "API": "auto-fetch"}[folder]
					checkHydraToken(t, h, path, readEnv(t, exported).Lookup("bearerToken"), tc.client, scope)
				}
				code, stdout, stderr = runPM("doctor", "-c", d, "-k", keyPath)
				if code != 0 || !strings.Contains(stdout, "PASS") || !strings.Contains(stdout+stderr, "the token carries the requested scope") {
					t.Errorf("doctor (exit %d):\n%s%s", code, stdout, stderr)
				}
				checkNoSecrets(t, stdout+stderr, keyPEM)
			})
		}
	})

	t.Run("doctor warns when the token lacks the scope", func(t *testing.T) {
		// scope_in: claim on the JWT grant: Hydra reads scope from the form only and issues a
		// token without it, which used to PASS.
		d := def("claim", "client_id: jb\ngrant_type: jwt_bearer\nscope: orders.read\nscope_in: claim\n")
		code, stdout, stderr := runPM("doctor", "-c", d, "-k", keyPath)
		if !strings.Contains(stdout, "WARN") || !strings.Contains(stdout, `asked for "orders.read", the token carries ""`) || !strings.Contains(stdout, "scope_in: form") {
			t.Errorf("doctor (exit %d) does not warn about the missing scope:\n%s%s", code, stdout, stderr)
		}
	})

	t.Run("EdDSA is not a Hydra algorithm", func(t *testing.T) {
		code, body := h.TryCreateClient(t, map[string]any{"client_id": "ed", "token_endpoint_auth_method": "private_key_jwt",
			"token_endpoint_auth_signing_alg": "EdDSA", "jwks": keySet(jwk), "grant_types": []string{"client_credentials"}})
		if code != 400 || !strings.Contains(body, "Only RS256, RS384, RS512, PS256, PS384, PS512, ES256, ES384 and ES512 are supported") {
			t.Fatalf("Hydra's rule changed: %d %s", code, body)
		}
		edKey, _, _ := fixtureKey(t, "ed25519.pkcs8.pem")
		d := def("eddsa", "client_id: ed\n")
		code, _, stderr := runPM("generate", "-c", d, "-k", edKey, "-o", filepath.Join(dir, "eddsa"))
		if code != 0 || !strings.Contains(stderr, "alg EdDSA is not among the algorithms preset hydra documents") {
			t.Errorf("generate (exit %d) does not warn that hydra takes no EdDSA:\n%s", code, stderr)
		}
	})

	t.Run("explanations follow Hydra's words", func(t *testing.T) {
		ecKey, _, _ := fixtureKey(t, "ec-p256.pkcs8.pem")
		for _, tc := range []struct{ name, body, hint, server, key string }{
			{"jwk without use sig", "client_id: cc-no-use\nscope: orders.read\n", `kid "hk1"`, "use='sig'", ""},
			{"kid not registered", "client_id: cc\nscope: orders.read\nkid: other\n", `kid "other"`, "which could not be found", ""},
			{"jwt grant without client_id", "client_id: jb\ngrant_type: jwt_bearer\nscope: orders.read\nsend_client_id: false\n", "try send_client_id: true", "Client credentials missing", ""},
			// The client is registered for RS256: the first hint names that alg, from Hydra's words.
			{"alg not the registered one", "client_id: cc\nscope: orders.read\n", "the client is registered for RS256 (its token_endpoint_auth_signing_alg), and the assertion was signed with ES256",
				"enforces signing algorithm 'RS256'", ecKey},
		} {
			t.Run(tc.name, func(t *testing.T) {
				d := def(strings.ReplaceAll(tc.name, " ", "-"), tc.body)
				key := keyPath
				if tc.key != "" {
					key = tc.key
				}
				code, stdout, stderr := runPM("token", "-c", d, "-k", key)
				checkFailure(t, code, stdout, stderr)
				checkNoSecrets(t, stderr, keyPEM)
				if !strings.Contains(stderr, tc.server) {
					t.Errorf("the server's words %q are not shown:\n%s", tc.server, stderr)
				}
				if hint := lineWith(stderr, "hint: "); !strings.Contains(hint, tc.hint) {
					t.Errorf("the first hint %q does not hold %q:\n%s", hint, tc.hint, stderr)
				}
			})
		}
	})
}

// checkHydraToken asks Hydra what the token is: active, for the client, with the scope.
func checkHydraToken(t *testing.T, h *e2e.Hydra, path, tok, client, scope string) {
	t.Helper()
	if tok == "" {
		t.Errorf("%s: no token", path)
		return
	}
	in := h.Introspect(t, tok)
	if !in.Active || in.ClientID != client || strings.Join(strings.Fields(in.Scope), " ") != scope {
		t.Errorf("%s: Hydra says the token is active=%v client=%q scope=%q; want %s with scope %q", path, in.Active, in.ClientID, in.Scope, client, scope)
	}
}

// lastBytes is the end of s, at most n bytes.
func lastBytes(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}
