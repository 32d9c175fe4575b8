package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/postmint/postmint/generator/dpop"
	"github.com/postmint/postmint/generator/postman"
	"github.com/postmint/postmint/internal/e2e"
)

// dpopSetup writes a definition and generates its collection and environment.
func dpopSetup(t *testing.T, dir, def, keyPath string) (coll, env string) {
	t.Helper()
	defPath := filepath.Join(dir, "client.yaml")
	if err := os.WriteFile(defPath, []byte(def), 0o644); err != nil {
		t.Fatal(err)
	}
	code, stdout, stderr := runPM("generate", "-c", defPath, "-k", keyPath, "-o", dir)
	if code != 0 {
		t.Fatalf("generate: %s", stderr)
	}
	paths := strings.Fields(stdout)
	return paths[0], paths[1]
}

// copyFile copies an environment so each run starts from the same state.
func copyFile(t *testing.T, from, to string) string {
	t.Helper()
	data, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return to
}

func failuresMention(r *e2e.Run, text string) bool {
	for _, f := range r.Failures {
		if strings.Contains(f, text) {
			return true
		}
	}
	return false
}

// TestE2EDPoP: a client with DPoP-bound tokens against oidc-provider demanding nonces, and a
// resource that verifies every proof as RFC 9449 §7 says (scheme, signature, htm, htu, iat,
// jti, ath, the token's cnf.jkt). Newman, the Postman CLI and Go each get a bound token and
// call the API; the CI flow (refresh, then newman --folder API) works without a token fetch.
func TestE2EDPoP(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: runs Newman and the Postman CLI")
	}
	e2e.RequireHarness(t)
	keys := newTestKeys(t)
	prov := e2e.Start(t, []e2e.Client{{
		ClientID: "dpop-cc", Alg: "RS256", Scope: "api.read", DPoP: true, DPoPNonce: true,
		JWKS: e2e.JWKS(t, e2e.Key{KID: "dpop-kid", Public: keys.rsa.Public()}),
	}})
	dir := t.TempDir()
	keyPath := writePKCS8(t, dir, "client.key.pem", keys.rsa)
	def := "version: 1\nname: DPoP CC\nclient_id: dpop-cc\nkid: dpop-kid\ntoken_url: " + prov.TokenEndpoint + "\nscope: api.read\n" +
		"dpop: true\ndpop_alg: ES256\nrequests:\n  - name: Who am I\n    url: " + prov.DPoPAPI + "?page=2\n" +
		"  - name: Nonce API\n    url: " + prov.DPoPNonceAPI + "\n  - name: Nonce API again\n    url: " + prov.DPoPNonceAPI + "\n"
	coll, generated := dpopSetup(t, dir, def, keyPath)

	t.Run("newman", func(t *testing.T) {
		env := copyFile(t, generated, filepath.Join(t.TempDir(), "env.json"))
		prov.ResetStats(t)
		res, err := e2e.Newman(t, coll, env)
		// The nonce API asks for its nonce on the first request: that one fails in words, and
		// the next request to it, which sends the nonce, passes.
		if err == nil || len(res.Failures) != 1 || !failuresMention(res, "the API asked for a DPoP nonce") {
			t.Fatalf("want exactly the nonce API's first request to fail: err %v failures %v\n%s", err, res.Failures, res.Output)
		}
		// Newman's report lists the test script's retry (pm.sendRequest) under Get token too.
		gt := res.Find("Get token")
		if len(gt) == 0 || gt[len(gt)-1].Code != 200 || !strings.Contains(gt[len(gt)-1].ResponseBody, `"token_type":"DPoP"`) {
			t.Fatalf("Get token: %v", gt)
		}
		for _, x := range gt {
			if len(x.Assertions) != 1 || !x.Assertions[0].Passed() {
				t.Fatalf("Get token assertions: %+v", x.Assertions)
			}
		}
		for item, want := range map[string]int{"Who am I": 200, "Nonce API": 401, "Nonce API again": 200} {
			x := res.Find(item)
			if len(x) != 1 || x[0].Code != want {
				t.Errorf("%s: %v, want HTTP %d", item, x, want)
				continue
			}
			if !strings.HasPrefix(x[0].RequestHeaders["Authorization"], "DPoP ") {
				t.Errorf("%s: Authorization %q, want the DPoP scheme", item, x[0].RequestHeaders["Authorization"])
			}
		}
		st := prov.ReadStats(t)
		if st.DPoPProofsVerified < 2 {
			t.Errorf("the resource verified %d proofs, want 2 (Who am I, Nonce API again)", st.DPoPProofsVerified)
		}
		var askedAS, askedRS bool
		for _, e := range st.DPoPErrors {
			askedAS = askedAS || (e.Error == "use_dpop_nonce" && e.Where == "token")
			askedRS = askedRS || (e.Error == "use_dpop_nonce" && e.Where == "dpop-nonce-api")
			if e.Error != "use_dpop_nonce" {
				t.Errorf("DPoP error other than the nonce requests: %+v", e)
			}
		}
		if !askedAS || !askedRS {
			t.Errorf("want both servers to have asked for a nonce once: %+v", st.DPoPErrors)
		}
		// The token request's retry carried the nonce and a fresh assertion.
		var jtis []any
		for _, a := range st.Assertions {
			if a.Endpoint == "token" {
				jtis = append(jtis, a.Claims["jti"])
			}
		}
		if len(jtis) != 2 || jtis[0] == jtis[1] {
			t.Errorf("token endpoint assertions' jti %v: want two, different", jtis)
		}
	})

	t.Run("newman-automatic-fetch", func(t *testing.T) {
		// No token yet: the API request's collection script fetches one (the nonce retry from
		// inside pm.sendRequest's callback), then gives the request its proof.
		env := copyFile(t, generated, filepath.Join(t.TempDir(), "env.json"))
		res, err := e2e.Newman(t, coll, env, "--folder", "Who am I")
		if err != nil {
			t.Fatalf("newman --folder Who am I: %v %v\n%s", err, res.Failures, res.Output)
		}
		x := res.Find("Who am I")
		if len(x) == 0 || x[len(x)-1].Code != 200 || !strings.Contains(x[len(x)-1].ResponseBody, `"token_type":"DPoP"`) {
			t.Fatalf("Who am I: %v", x)
		}
	})

	t.Run("doctor", func(t *testing.T) {
		// doctor's real token request carries a proof (and answers the nonce request).
		code, stdout, stderr := runPM("doctor", "-c", filepath.Join(dir, "client.yaml"), "-k", keyPath)
		if code != 0 || !strings.Contains(stdout, "DPoP-bound access token") {
			t.Fatalf("doctor: exit %d:\n%s%s", code, stdout, stderr)
		}
	})

	t.Run("newman-without-dpopKey", func(t *testing.T) {
		// Newman's sandbox has no CSPRNG: no key is made from Math.random; the run fails with the fix.
		e := readEnv(t, generated)
		e.Set(postman.VarDPoPKey, "", postman.TypeSecret)
		env := filepath.Join(t.TempDir(), "env.json")
		writeEnv(t, env, e)
		res, err := e2e.Newman(t, coll, env, "--folder", "Who am I")
		if err == nil || !failuresMention(res, "crypto.getRandomValues") || !failuresMention(res, "postmint refresh") {
			t.Fatalf("want a failure naming the missing CSPRNG and the fix: %v %v", err, res.Failures)
		}
	})

	t.Run("postman-cli-makes-its-key", func(t *testing.T) {
		// The Postman app's sandbox has crypto.getRandomValues: it makes the DPoP key itself.
		e := readEnv(t, generated)
		e.Set(postman.VarDPoPKey, "", postman.TypeSecret)
		env := filepath.Join(t.TempDir(), "env.json")
		writeEnv(t, env, e)
		res, err := e2e.PostmanCLI(t, coll, env, "-i", "Get token", "-i", "Who am I")
		if err != nil {
			t.Fatalf("postman cli: %v %v\n%s", err, res.Failures, res.Output)
		}
		x := res.Find("Who am I")
		if len(x) != 1 || x[0].Code != 200 || !strings.Contains(x[0].ResponseBody, `"token_type":"DPoP"`) {
			t.Fatalf("Who am I: %v", x)
		}
	})

	t.Run("go-ci-flow", func(t *testing.T) {
		env := copyFile(t, generated, filepath.Join(t.TempDir(), "env.json"))
		before := readEnv(t, env).Lookup(postman.VarDPoPKey)
		var out, errb bytes.Buffer
		if c := Run([]string{"postmint", "token", "-e", env, "--json"}, &out, &errb); c != 0 || !strings.Contains(out.String(), `"token_type":"DPoP"`) {
			t.Fatalf("token --json: exit %d: %s %s", c, errb.String(), strings.Split(out.String(), `"access_token"`)[0])
		}
		if c := Run([]string{"postmint", "refresh", "-e", env}, &out, &errb); c != 0 {
			t.Fatalf("refresh: exit %d: %s", c, errb.String())
		}
		e := readEnv(t, env)
		if e.Lookup(postman.VarTokenType) != "DPoP" || e.Lookup(postman.VarDPoPNonce) == "" || e.Lookup(postman.VarDPoPKey) != before || e.Lookup(postman.VarBearerToken) == "" {
			t.Fatalf("after refresh: tokenType %q dpopNonce set %v key kept %v", e.Lookup(postman.VarTokenType), e.Lookup(postman.VarDPoPNonce) != "", e.Lookup(postman.VarDPoPKey) == before)
		}
		issued := prov.TokensIssued(t, "dpop-cc")
		res, err := e2e.Newman(t, coll, env, "--folder", "Who am I")
		if err != nil {
			t.Fatalf("newman --folder after refresh: %v %v", err, res.Failures)
		}
		if n := prov.TokensIssued(t, "dpop-cc"); n != issued {
			t.Errorf("the API run fetched %d tokens; refresh's token should have served", n-issued)
		}
		// postmint dpop: the same token with a proof from Go, the way curl would send it.
		code, proof, stderr := runPM("dpop", "-e", env, "--method", "GET", "--url", prov.DPoPAPI)
		if code != 0 {
			t.Fatalf("dpop: %s", stderr)
		}
		req, _ := http.NewRequest(http.MethodGet, prov.DPoPAPI, nil)
		req.Header.Set("Authorization", "DPoP "+e.Lookup(postman.VarBearerToken))
		req.Header.Set("DPoP", strings.TrimSpace(proof))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("API with postmint dpop's proof: HTTP %d %s", resp.StatusCode, resp.Header.Get("WWW-Authenticate"))
		}
		// A kit's environment has no dpopKey and is 0644 (a git checkout is too): refresh makes
		// a key, binds the token to it, and the file holding that private key becomes 0600.
		e.Set(postman.VarDPoPKey, "", postman.TypeSecret)
		writeEnv(t, env, e)
		if err := os.Chmod(env, 0o644); err != nil {
			t.Fatal(err)
		}
		errb.Reset()
		if c := Run([]string{"postmint", "refresh", "-e", env}, &out, &errb); c != 0 {
			t.Fatalf("refresh without dpopKey: exit %d: %s", c, errb.String())
		}
		if st, err := os.Stat(env); err != nil || st.Mode().Perm() != 0o600 {
			t.Fatalf("after refresh added a DPoP key: mode %v, %v; want 0600\n%s", st.Mode().Perm(), err, errb.String())
		}
		if !strings.Contains(errb.String(), "now holds a DPoP private key, so it is written with mode 0600 (it was 0644)") {
			t.Errorf("stderr does not say the mode changed:\n%s", errb.String())
		}
		made := readEnv(t, env).Lookup(postman.VarDPoPKey)
		if _, err := dpop.ParseKey(made, "ES256"); err != nil {
			t.Fatalf("refresh made no usable dpopKey: %v", err)
		}
		if res, err := e2e.Newman(t, coll, env, "--folder", "Who am I"); err != nil {
			t.Fatalf("newman with refresh's new key: %v %v", err, res.Failures)
		}
		// A token used with another key's proofs: the resource refuses it (cnf.jkt), the run
		// fails, and the failure says what to do.
		other, _ := dpop.NewKey("ES256")
		otherJWK, _ := other.JWK()
		e = readEnv(t, env)
		e.Set(postman.VarDPoPKey, otherJWK, postman.TypeSecret)
		writeEnv(t, env, e)
		res, err = e2e.Newman(t, coll, env, "--folder", "Who am I")
		if err == nil || !failuresMention(res, "HTTP 401") || !failuresMention(res, "dpopKey changed") {
			t.Fatalf("a proof of another key: want a 401 failure that explains it: %v %v", err, res.Failures)
		}
	})
}

// TestE2EDPoPWithPAR: the authorization code flow of a client that pushes its authorization
// request (RFC 9126) with dpop_jkt and gets DPoP-bound tokens, in Newman, the Postman CLI and
// Go; and the FAPI 2.0 profile of oidc-provider with the fapi2 preset, endpoints discovered.
func TestE2EDPoPWithPAR(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: runs Newman and the Postman CLI")
	}
	e2e.RequireHarness(t)
	keys := newTestKeys(t)
	const redirect = "https://app.example.test/callback"
	for _, profile := range []string{"", e2e.ProfileFAPI2} {
		name := "par-dpop"
		if profile != "" {
			name = profile
		}
		t.Run(name, func(t *testing.T) {
			alg := "RS256"
			if profile != "" {
				alg = "PS256"
			}
			prov := e2e.StartConfig(t, e2e.Config{Profile: profile, Clients: []e2e.Client{{
				ClientID: name, Grant: "authorization_code", Alg: alg, Scope: "api.read", DPoP: true, PAR: true,
				Audience:     map[bool]string{true: "issuer", false: ""}[profile != ""],
				RedirectURIs: []string{redirect},
				JWKS:         e2e.JWKS(t, e2e.Key{KID: "par-kid", Public: keys.rsa.Public()}),
			}}})
			dir := t.TempDir()
			keyPath := writePKCS8(t, dir, "client.key.pem", keys.rsa)
			def := "version: 1\nname: " + name + "\nclient_id: " + name + "\nkid: par-kid\nredirect_uri: " + redirect + "\nscope: openid api.read\n" +
				"requests:\n  - name: Who am I\n    url: " + prov.DPoPAPI + "\n"
			if profile != "" {
				// The FAPI 2.0 preset; token, authorization and PAR endpoints from the metadata.
				def += "preset: fapi2\nissuer: " + prov.Issuer + "\n"
			} else {
				def += "grant_type: authorization_code\ntoken_url: " + prov.TokenEndpoint + "\nauthorization_endpoint: " + prov.AuthorizationEndpoint +
					"\npar: true\npar_endpoint: " + prov.PAREndpoint + "\ndpop: true\n"
			}
			coll, env := dpopSetup(t, dir, def, keyPath)
			exported := filepath.Join(dir, "exported.json")
			if profile == "" {
				// doctor compares the DPoP alg and the PAR endpoint with the provider's metadata.
				d := strings.Replace(def, "par_endpoint: ", "issuer: "+prov.Issuer+"\npar_endpoint: ", 1)
				dp := filepath.Join(dir, "doctor.yaml")
				if err := os.WriteFile(dp, []byte(d), 0o644); err != nil {
					t.Fatal(err)
				}
				_, stdout, stderr := runPM("doctor", "-c", dp, "-k", keyPath)
				for _, want := range []string{"PASS  dpop", "PASS  par"} {
					if !strings.Contains(stdout, want) {
						t.Errorf("doctor lacks %q:\n%s%s", want, stdout, stderr)
					}
				}
			}
			newman := func(items ...string) *e2e.Run {
				t.Helper()
				var args []string
				for _, it := range items {
					args = append(args, "--folder", it)
				}
				res, err := e2e.Newman(t, coll, env, append(args, "--export-environment", exported)...)
				if err != nil {
					t.Fatalf("newman %v: %v %v\n%s", items, err, res.Failures, res.Output)
				}
				copyFile(t, exported, env)
				return res
			}
			// Authorize pushes the request and is not sent itself: its request_uri is for the browser.
			prov.ResetStats(t)
			res := newman("Authorize")
			e := readEnv(t, env)
			for _, x := range res.Find("Authorize") {
				// Only the push (listed under Authorize) went out; the GET would spend the request_uri.
				if x.Method != http.MethodPost || !strings.HasPrefix(x.URL, prov.PAREndpoint) {
					t.Errorf("Authorize sent %s %s", x.Method, x.URL)
				}
			}
			if st := prov.ReadStats(t); st.PARRequests != 1 {
				t.Fatalf("PAR requests %d, want 1", st.PARRequests)
			}
			requestURI := e.Lookup(postman.VarRequestURI)
			if !strings.HasPrefix(requestURI, "urn:") {
				t.Fatalf("requestUri %q", requestURI)
			}
			// The browser: log in with client_id and request_uri only.
			code := e2e.AuthorizationCode(t, prov, url.Values{"client_id": {name}, "request_uri": {requestURI}})
			e.Set(postman.VarAuthorizationCode, code, postman.TypeSecret)
			writeEnv(t, env, e)
			res = newman("Exchange code", "Who am I")
			if x := res.Find("Who am I"); len(x) != 1 || x[0].Code != 200 || !strings.Contains(x[0].ResponseBody, `"token_type":"DPoP"`) {
				t.Fatalf("API after the code exchange: %v", x)
			}

			// Go exchanges a code of its own (a second push) with the environment's DPoP key.
			newman("Authorize")
			e = readEnv(t, env)
			code = e2e.AuthorizationCode(t, prov, url.Values{"client_id": {name}, "request_uri": {e.Lookup(postman.VarRequestURI)}})
			var out, errb bytes.Buffer
			if c := Run([]string{"postmint", "token", "-e", env, "--code", code, "--json"}, &out, &errb); c != 0 {
				t.Fatalf("token --code: exit %d: %s", c, errb.String())
			}
			var body struct {
				TokenType string `json:"token_type"`
			}
			if err := json.Unmarshal(out.Bytes(), &body); err != nil || body.TokenType != "DPoP" {
				t.Fatalf("token --code: token_type %q (%v)", body.TokenType, err)
			}

			// The Postman CLI pushes too.
			before := prov.ReadStats(t).PARRequests
			if res, err := e2e.PostmanCLI(t, coll, env, "-i", "Authorize"); err != nil {
				t.Fatalf("postman cli Authorize: %v %v\n%s", err, res.Failures, res.Output)
			}
			if n := prov.ReadStats(t).PARRequests; n != before+1 {
				t.Errorf("the Postman CLI's Authorize pushed %d requests, want 1", n-before)
			}
		})
	}
}
