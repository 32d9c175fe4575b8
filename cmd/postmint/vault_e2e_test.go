package main

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/postmint/postmint/generator/dpop"
	"github.com/postmint/postmint/generator/postman"
	"github.com/postmint/postmint/internal/e2e"
)

// appRun is the report of testdata/runtime/run.js: a collection run in postman-runtime 7.56.1
// (postman-sandbox 6.7.4), the open-source runtime of the Postman app, with a Postman Vault.
type appRun struct {
	Requests []struct {
		Item, Method, URL, Body, Error string
		Code                           int
		Headers                        map[string]string
	}
	Assertions []struct {
		Name, Error string
		Skipped     bool
	}
	Errors, Console []string
	Environment     []struct{ Key, Value string }
	Vault           map[string]string
}

func (r *appRun) find(item string) (codes []int) {
	for _, q := range r.Requests {
		if q.Item == item {
			codes = append(codes, q.Code)
		}
	}
	return codes
}

func (r *appRun) failed() []string {
	var out []string
	for _, a := range r.Assertions {
		if a.Error != "" {
			out = append(out, a.Name)
		}
	}
	return append(out, r.Errors...)
}

func (r *appRun) env(key string) string {
	for _, v := range r.Environment {
		if v.Key == key {
			return v.Value
		}
	}
	return ""
}

// runInApp runs folders of coll with env in postman-runtime, the vault holding secrets.
func runInApp(t *testing.T, coll, env string, folders []string, vault map[string]string, scriptAccess bool) *appRun {
	t.Helper()
	dir, err := filepath.Abs(repoFile("testdata", "runtime"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "postman-runtime", "package.json")); err != nil {
		t.Fatalf("testdata/runtime/node_modules is missing (%v): run npm ci --prefix testdata/runtime", err)
	}
	job, _ := json.Marshal(map[string]any{"collection": coll, "environment": env, "folders": folders, "vault": vault, "scriptAccess": scriptAccess})
	jobPath := filepath.Join(t.TempDir(), "job.json")
	if err := os.WriteFile(jobPath, job, 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), e2e.RunTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", filepath.Join(dir, "run.js"), jobPath)
	cmd.Dir = dir
	cmd.Env = e2e.CleanEnv()
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("postman-runtime: %v\n%s", err, stderr.String())
	}
	var r appRun
	if err := json.Unmarshal(out, &r); err != nil {
		t.Fatalf("postman-runtime report: %v\n%.500s", err, out)
	}
	return &r
}

// TestVaultInTheAppRuntime: postmint generate --vault writes references, never the key; the
// Postman app's runtime reads the key from the Postman Vault (pm.vault.get) and gets a token
// from a real provider, the API answers 200, and no key lands in the environment. Newman and
// the Postman CLI, which have no Postman Vault, fail the run naming it and the CI fix; that fix
// (postmint refresh with POSTMINT_PRIVATE_KEY) then makes the Newman run pass.
func TestVaultInTheAppRuntime(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: runs postman-runtime, Newman and the Postman CLI")
	}
	e2e.RequireHarness(t)
	keyPath, keyPEM, signer := fixtureKey(t, "ec-p256.pkcs8.pem")
	prov := e2e.Start(t, []e2e.Client{
		{ClientID: "vault-cc", Alg: "ES256", Scope: "api.read", JWKS: e2e.JWKS(t, e2e.Key{KID: "k1", Public: signer.Public()})},
		{ClientID: "vault-dpop", Alg: "ES256", Scope: "api.read", DPoP: true, JWKS: e2e.JWKS(t, e2e.Key{KID: "k1", Public: signer.Public()})},
	})
	gen := func(t *testing.T, name, extra string) (coll, env, stderr string) {
		t.Helper()
		dir := t.TempDir()
		def := filepath.Join(dir, "c.yaml")
		src := "version: 1\nname: " + name + "\nclient_id: " + name + "\nalg: ES256\nkid: k1\nscope: api.read\ntoken_url: " + prov.TokenEndpoint + "\n" + extra
		if err := os.WriteFile(def, []byte(src), 0o600); err != nil {
			t.Fatal(err)
		}
		code, stdout, stderr := runPM("generate", "-c", def, "-k", keyPath, "--vault", "-o", filepath.Join(dir, "out"))
		if code != 0 {
			t.Fatalf("generate --vault: %s", stderr)
		}
		f := strings.Fields(stdout)
		return f[0], f[1], stderr
	}
	coll, env, stderr := gen(t, "vault-cc", "requests:\n  - name: Who am I\n    url: "+prov.API+"\n")
	checkNoSecrets(t, stderr, keyPEM)
	if !strings.Contains(stderr, "as the secret vault-cc-private-key") || !strings.Contains(stderr, "Enable support in scripts") {
		t.Errorf("generate --vault does not say which secret to add:\n%s", stderr)
	}
	data, _ := os.ReadFile(env)
	if got := readEnv(t, env).Lookup(postman.VarPrivateKey); got != "{{vault:vault-cc-private-key}}" {
		t.Fatalf("privateKey = %q", got)
	}
	checkNoSecrets(t, string(data), keyPEM)
	vault := map[string]string{"vault-cc-private-key": string(keyPEM)}

	t.Run("app-api", func(t *testing.T) {
		r := runInApp(t, coll, env, []string{"API"}, vault, true)
		if f := r.failed(); len(f) != 0 || r.find("Who am I")[0] != 200 {
			t.Fatalf("Who am I %v; failures %v", r.find("Who am I"), f)
		}
		if r.env(postman.VarBearerToken) == "" {
			t.Error("no bearerToken stored")
		}
		if r.env(postman.VarPrivateKey) != "{{vault:vault-cc-private-key}}" {
			t.Errorf("privateKey changed in the environment")
		}
		for _, v := range r.Environment {
			if leaks(v.Value, string(keyPEM)) {
				t.Errorf("the environment's %s holds a piece of the private key", v.Key)
			}
		}
	})
	t.Run("app-get-token", func(t *testing.T) {
		r := runInApp(t, coll, env, []string{"Auth"}, vault, true)
		if f := r.failed(); len(f) != 0 || len(r.find("Get token")) == 0 || r.find("Get token")[0] != 200 {
			t.Fatalf("Get token %v; failures %v", r.find("Get token"), f)
		}
	})
	for _, tc := range []struct {
		name   string
		vault  map[string]string
		access bool
		want   string
	}{
		{"app-scripts-not-allowed", vault, false, `turn on "Enable support in scripts"`},
		{"app-secret-missing", map[string]string{}, true, "your Postman Vault has no secret vault-cc-private-key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runInApp(t, coll, env, []string{"API"}, tc.vault, tc.access)
			f := strings.Join(r.failed(), "\n")
			if !strings.Contains(f, tc.want) {
				t.Fatalf("failures do not say %q:\n%s", tc.want, f)
			}
			if strings.Contains(f, "signature") {
				t.Errorf("a confusing signature error:\n%s", f)
			}
		})
	}
	for _, runner := range []string{"newman", "postman-cli"} {
		t.Run(runner+"-has-no-vault", func(t *testing.T) {
			var run *e2e.Run
			var err error
			if runner == "newman" {
				run, err = e2e.Newman(t, coll, env, "--folder", "API")
			} else {
				run, err = e2e.PostmanCLI(t, coll, env, "-i", "API")
			}
			if run == nil {
				t.Fatalf("%s did not run: %v", runner, err)
			}
			if run.ExitCode == 0 || !strings.Contains(run.Output, "Postman Vault") || !strings.Contains(run.Output, "postmint refresh") {
				t.Fatalf("%s: exit %d, want a failure naming the Postman Vault and the CI fix:\n%s", runner, run.ExitCode, run.Output)
			}
			t.Logf("%s: exit %d; %s", runner, run.ExitCode, lineWith(run.Output, "Postman Vault"))
		})
	}
	t.Run("ci-fix", func(t *testing.T) {
		ci := copyFile(t, env, filepath.Join(t.TempDir(), "env.json"))
		t.Setenv(envPrivateKey, string(keyPEM))
		code, _, stderr := runPM("refresh", "-e", ci)
		if code != 0 {
			t.Fatalf("refresh: %s", stderr)
		}
		run, err := e2e.Newman(t, coll, ci, "--folder", "API")
		if err != nil || run.ExitCode != 0 {
			t.Fatalf("newman after refresh: %v\n%s", err, run.Output)
		}
	})
	t.Run("app-dpop", func(t *testing.T) {
		coll, env, stderr := gen(t, "vault-dpop", "dpop: true\ndpop_alg: ES256\nrequests:\n  - name: Who am I\n    url: "+prov.DPoPAPI+"\n")
		if !strings.Contains(stderr, "vault-dpop-dpop-key") {
			t.Errorf("generate does not name the DPoP key's secret:\n%s", stderr)
		}
		if got := readEnv(t, env).Lookup(postman.VarDPoPKey); got != "{{vault:vault-dpop-dpop-key}}" {
			t.Fatalf("dpopKey = %q", got)
		}
		r := runInApp(t, coll, env, []string{"API"}, map[string]string{"vault-dpop-private-key": string(keyPEM)}, true)
		if f := r.failed(); len(f) != 0 || r.find("Who am I")[0] != 200 {
			t.Fatalf("Who am I %v; failures %v", r.find("Who am I"), f)
		}
		made := r.Vault["vault-dpop-dpop-key"]
		if _, err := dpop.ParseKey(made, "ES256"); err != nil {
			t.Fatalf("the vault holds no DPoP key the script made: %v", err)
		}
		if r.env(postman.VarDPoPKey) != "{{vault:vault-dpop-dpop-key}}" || r.env(postman.VarTokenType) != "DPoP" {
			t.Errorf("environment after the run: dpopKey %q tokenType %q", r.env(postman.VarDPoPKey), r.env(postman.VarTokenType))
		}
	})
}
