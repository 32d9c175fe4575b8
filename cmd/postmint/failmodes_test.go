package main

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/postmint/postmint/generator/postman"
	"github.com/postmint/postmint/internal/e2e"
)

// A collection that cannot get a token fails the run: Newman and the Postman CLI exit non-zero
// and their own output names the cause, on the Auth / Get token path and on the automatic
// fetch before an API request (the CI path, --folder API). Each scenario has a passing
// control with the same collection against the same real provider.

type failMode struct {
	name   string
	folder string // Auth (Get token) or API (automatic fetch)
	// setup returns the collection and environment to run.
	setup func(t *testing.T) (collection, environment string)
	want  []string // fragments the runner's output must show; nil for the passing control
}

func TestFailuresFailTheRun(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: runs Newman and the Postman CLI")
	}
	e2e.RequireHarness(t)
	keyPath, keyPEM, signer := fixtureKey(t, "ec-p256.pkcs8.pem")
	wrongKey, _, _ := fixtureKey(t, "ec-p384.pkcs8.pem")
	prov := e2e.Start(t, []e2e.Client{{ClientID: "fail-modes", Alg: "ES256", Scope: "api.read",
		JWKS: e2e.JWKS(t, e2e.Key{KID: "k1", Public: signer.Public()})}})

	// A port nothing listens on: taken, then given back.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedPort := l.Addr().(*net.TCPAddr).Port
	l.Close()

	// gen writes into the calling subtest's own folder: the subtests run in parallel and several
	// generate the same definition (a shared file was read empty while another rewrote it).
	gen := func(t *testing.T, name, tokenURL, alg string, args ...string) (string, string) {
		t.Helper()
		dir := t.TempDir()
		def := filepath.Join(dir, name+".yaml")
		src := fmt.Sprintf("version: 1\nname: fail %s\nclient_id: fail-modes\ntoken_url: %s\nalg: %s\nkid: k1\nscope: api.read\nrequests:\n  - name: Who am I\n    url: %s\n",
			name, tokenURL, alg, prov.API)
		if err := os.WriteFile(def, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		code, stdout, stderr := runPM(append([]string{"generate", "-c", def, "-o", filepath.Join(dir, name)}, args...)...)
		if code != 0 {
			t.Fatalf("generate %s: %s", name, stderr)
		}
		f := strings.Fields(stdout)
		return f[0], f[1]
	}
	good := func(t *testing.T) (string, string) { return gen(t, "good", prov.TokenEndpoint, "ES256", "-k", keyPath) }
	wrong := func(t *testing.T) (string, string) {
		return gen(t, "wrong-key", prov.TokenEndpoint, "ES384", "-k", wrongKey)
	}
	down := func(t *testing.T) (string, string) {
		return gen(t, "down", fmt.Sprintf("http://127.0.0.1:%d/token", closedPort), "ES256", "-k", keyPath)
	}
	noKey := func(t *testing.T) (string, string) {
		return gen(t, "no-key", prov.TokenEndpoint, "ES256", "--no-key")
	}
	// A token the API does not know, valid for an hour by the environment's clock, and no key:
	// the collection sends it, and the API's 401 must fail the run.
	rejected := func(t *testing.T) (string, string) {
		coll, envPath := gen(t, "rejected", prov.TokenEndpoint, "ES256", "--no-key")
		env := readEnv(t, envPath)
		env.Set(postman.VarBearerToken, "not-a-token-the-api-knows", postman.TypeSecret)
		env.Set(postman.VarBearerTokenExpires, "4102444800", "")
		writeEnv(t, envPath, env)
		return coll, envPath
	}

	modes := []failMode{
		{name: "control-get-token", folder: "Auth", setup: good},
		{name: "control-api", folder: "API", setup: good},
		{name: "wrong-key-get-token", folder: "Auth", setup: wrong, want: []string{"invalid_client"}},
		{name: "wrong-key-api", folder: "API", setup: wrong, want: []string{"postmint: no token: invalid_client"}},
		{name: "endpoint-down-get-token", folder: "Auth", setup: down, want: []string{"token endpoint unreachable"}},
		{name: "endpoint-down-api", folder: "API", setup: down, want: []string{"token endpoint unreachable: ECONNREFUSED 127.0.0.1:" + fmt.Sprint(closedPort)}},
		{name: "no-key-get-token", folder: "Auth", setup: noKey, want: []string{"privateKey is empty"}},
		{name: "no-key-api", folder: "API", setup: noKey, want: []string{"no privateKey and no valid bearerToken: set privateKey or run postmint refresh"}},
		{name: "api-rejects-token", folder: "API", setup: rejected, want: []string{"HTTP 401", `Bearer error="invalid_token"`}},
	}
	for _, runner := range []string{"newman", "postman-cli"} {
		for _, m := range modes {
			t.Run(runner+"/"+m.name, func(t *testing.T) {
				t.Parallel()
				coll, env := m.setup(t)
				var run *e2e.Run
				var err error
				if runner == "newman" {
					run, err = e2e.Newman(t, coll, env, "--folder", m.folder)
				} else {
					run, err = e2e.PostmanCLI(t, coll, env, "-i", m.folder)
				}
				if run == nil {
					t.Fatalf("%s did not run: %v", runner, err)
				}
				out := run.Output
				checkNoSecrets(t, out, keyPEM)
				if strings.Contains(out, "HTTP undefined") {
					t.Errorf("the output says HTTP undefined:\n%s", out)
				}
				if m.want == nil {
					if run.ExitCode != 0 || err != nil {
						t.Fatalf("control run failed (exit %d): %v\n%s", run.ExitCode, err, out)
					}
					return
				}
				if run.ExitCode == 0 {
					t.Errorf("%s exited 0; want non-zero\n%s", runner, out)
				}
				for _, w := range m.want {
					if !strings.Contains(out, w) {
						t.Errorf("the output does not name the cause %q:\n%s", w, out)
					}
				}
				t.Logf("%s %s: exit %d; %s", runner, m.name, run.ExitCode, lineWith(out, m.want[0]))
			})
		}
	}
}

// lineWith is the first line of out that holds s, trimmed.
func lineWith(out, s string) string {
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, s) {
			return strings.TrimSpace(l)
		}
	}
	return ""
}
