package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/postmint/postmint/generator/postman"
	"github.com/postmint/postmint/internal/e2e"
)

// hostileAS is a fault-injection authorization server (and API) whose answers carry Postman
// templates: Postman, Newman and the Postman CLI expand {{…}} inside a stored variable's value
// whenever a request uses it, so a stored "{{privateKey}}" would send the key. It records every
// request it gets, to show that none carries the key.
type hostileAS struct {
	srv  *httptest.Server
	mu   sync.Mutex
	seen []string // method, path, headers and body of every request
}

func newHostileAS(t *testing.T) *hostileAS {
	h := &hostileAS{}
	h.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		var dump bytes.Buffer
		fmt.Fprintf(&dump, "%s %s\n", r.Method, r.URL)
		r.Header.Write(&dump)
		dump.Write(body)
		h.mu.Lock()
		h.seen = append(h.seen, dump.String())
		h.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/at/token":
			io.WriteString(w, `{"access_token":"{{privateKey}}","token_type":"Bearer","expires_in":300}`)
		case "/dpop/token":
			io.WriteString(w, `{"access_token":"{{dpopKey}}","token_type":"DPoP","expires_in":300}`)
		case "/rt/token":
			io.WriteString(w, `{"access_token":"fine-token","token_type":"Bearer","expires_in":300,"refresh_token":"{{privateKey}}"}`)
		case "/par/par":
			w.WriteHeader(http.StatusCreated)
			io.WriteString(w, `{"request_uri":"{{privateKey}}","expires_in":60}`)
		default:
			io.WriteString(w, `{"ok":true}`)
		}
	}))
	t.Cleanup(h.srv.Close)
	return h
}

func (h *hostileAS) requests() []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	return append([]string(nil), h.seen...)
}

// leaks reports whether s holds a piece of the secret: any of its lines (a PEM) or JSON
// string members (a JWK) of 16 characters or more, as is or URL-decoded.
func leaks(s, secret string) bool {
	if u, err := url.QueryUnescape(s); err == nil {
		s += "\n" + u
	}
	var pieces []string
	for _, l := range strings.Split(secret, "\n") {
		pieces = append(pieces, strings.TrimSpace(l))
	}
	var jwk map[string]any
	if json.Unmarshal([]byte(secret), &jwk) == nil {
		for _, v := range jwk {
			if v, ok := v.(string); ok {
				pieces = append(pieces, v)
			}
		}
	}
	for _, p := range pieces {
		if len(p) >= 16 && !strings.HasPrefix(p, "-----") && strings.Contains(s, p) {
			return true
		}
	}
	return false
}

// TestServerTextIsNeverTemplate: four answers that would make the collection send a private key
// ({{privateKey}} as access_token, refresh_token and request_uri; {{dpopKey}} as a DPoP
// access_token) are refused in Newman and in the Postman CLI: the run exits 1 naming the field,
// no request and no output holds the key, and nothing of the answer is stored. Before the
// check, the API got "Authorization: Bearer <the key>" and the run exited 0.
func TestServerTextIsNeverTemplate(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: runs Newman and the Postman CLI")
	}
	e2e.RequireHarness(t)
	keyPath, _, _ := fixtureKey(t, "ec-p256.pkcs8.pem")
	as := newHostileAS(t)
	base := as.srv.URL

	type scenario struct {
		name, def string
		items     []string // run in this order
		field     string   // the refusal names it
		setup     func(env *postman.Environment)
	}
	scenarios := []scenario{
		{name: "access_token", def: "token_url: " + base + "/at/token\n", items: []string{"API"}, field: "access_token"},
		{name: "dpop-access_token", def: "token_url: " + base + "/dpop/token\ndpop: true\ndpop_alg: ES256\n", items: []string{"API"}, field: "access_token"},
		{name: "refresh_token", def: "grant_type: authorization_code\ntoken_url: " + base + "/rt/token\nauthorization_endpoint: " + base + "/authorize\nredirect_uri: http://127.0.0.1:1/cb\n",
			items: []string{"Exchange code", "Who am I"}, field: "refresh_token",
			setup: func(env *postman.Environment) {
				env.Set(postman.VarAuthorizationCode, "code-1", postman.TypeSecret)
				env.Set(postman.VarCodeVerifier, strings.Repeat("v", 43), postman.TypeSecret)
			}},
		{name: "request_uri", def: "grant_type: authorization_code\ntoken_url: " + base + "/rt/token\nauthorization_endpoint: " + base + "/authorize\nredirect_uri: http://127.0.0.1:1/cb\npar: true\npar_endpoint: " + base + "/par/par\n",
			items: []string{"Authorize"}, field: "request_uri"},
	}
	for _, runner := range []string{"newman", "postman-cli"} {
		for _, sc := range scenarios {
			t.Run(runner+"/"+sc.name, func(t *testing.T) {
				dir := t.TempDir()
				def := filepath.Join(dir, "c.yaml")
				src := "version: 1\nname: hostile " + sc.name + "\nclient_id: hostile\nalg: ES256\nkid: k1\nscope: api.read\n" + sc.def +
					"requests:\n  - name: Who am I\n    url: " + base + "/api\n"
				if err := os.WriteFile(def, []byte(src), 0o600); err != nil {
					t.Fatal(err)
				}
				code, stdout, stderr := runPM("generate", "-c", def, "-k", keyPath, "-o", filepath.Join(dir, "out"))
				if code != 0 {
					t.Fatalf("generate: %s", stderr)
				}
				f := strings.Fields(stdout)
				coll, envPath := f[0], f[1]
				env := readEnv(t, envPath)
				if sc.setup != nil {
					sc.setup(env)
					writeEnv(t, envPath, env)
				}
				secrets := []string{env.Lookup(postman.VarPrivateKey)}
				before := len(as.requests())
				var run *e2e.Run
				var err error
				exported := filepath.Join(dir, "exported.json")
				if runner == "newman" {
					args := []string{"--export-environment", exported}
					for _, it := range sc.items {
						args = append(args, "--folder", it)
					}
					run, err = e2e.Newman(t, coll, envPath, args...)
				} else {
					var args []string
					for _, it := range sc.items {
						args = append(args, "-i", it)
					}
					run, err = e2e.PostmanCLI(t, coll, envPath, args...)
				}
				if run == nil {
					t.Fatalf("%s did not run: %v", runner, err)
				}
				if run.ExitCode != 1 {
					t.Errorf("%s exited %d, want 1\n%s", runner, run.ExitCode, run.Output)
				}
				if !strings.Contains(run.Output, "server's "+sc.field) {
					t.Errorf("the output does not name the server's %s:\n%s", sc.field, run.Output)
				}
				if runner == "newman" {
					// The DPoP key the script made is the other secret a template could reach.
					if data, err := os.ReadFile(exported); err == nil {
						out, perr := postman.ParseEnvironment(data)
						if perr != nil {
							t.Fatal(perr)
						}
						secrets = append(secrets, out.Lookup(postman.VarDPoPKey))
						for _, v := range []string{postman.VarBearerToken, postman.VarRefreshToken, postman.VarRequestURI} {
							if strings.Contains(out.Lookup(v), "{{") {
								t.Errorf("%s was stored as a template: %q", v, out.Lookup(v))
							}
						}
					} else {
						t.Errorf("newman exported no environment: %v", err)
					}
				}
				for _, s := range secrets {
					if s == "" {
						continue
					}
					if leaks(run.Output, s) {
						t.Errorf("the %s output holds a piece of a private key", runner)
					}
					for _, r := range as.requests()[before:] {
						if leaks(r, s) {
							t.Errorf("a request carried a piece of a private key:\n%.200s", r)
						}
					}
				}
				t.Logf("%s %s: exit %d; %s", runner, sc.name, run.ExitCode, lineWith(run.Output, "server's "+sc.field))
			})
		}
	}
}

// TestRefreshRefusesServerTemplates: the same answers through postmint refresh fail it with the
// field named, leave the environment byte for byte, and echo no key.
func TestRefreshRefusesServerTemplates(t *testing.T) {
	keyPath, keyPEM, _ := fixtureKey(t, "ec-p256.pkcs8.pem")
	as := newHostileAS(t)
	for _, sc := range []struct{ name, def, field string }{
		{"access_token", "token_url: " + as.srv.URL + "/at/token\n", "access_token"},
		{"dpop-access_token", "token_url: " + as.srv.URL + "/dpop/token\ndpop: true\ndpop_alg: ES256\n", "access_token"},
		{"refresh_token", "token_url: " + as.srv.URL + "/rt/token\n", "refresh_token"},
	} {
		t.Run(sc.name, func(t *testing.T) {
			dir := t.TempDir()
			def := filepath.Join(dir, "c.yaml")
			src := "version: 1\nname: hostile\nclient_id: hostile\nalg: ES256\nkid: k1\n" + sc.def
			if err := os.WriteFile(def, []byte(src), 0o600); err != nil {
				t.Fatal(err)
			}
			code, stdout, stderr := runPM("generate", "-c", def, "--no-key", "-o", filepath.Join(dir, "out"))
			if code != 0 {
				t.Fatalf("generate: %s", stderr)
			}
			envPath := strings.Fields(stdout)[1]
			before, _ := os.ReadFile(envPath)
			code, _, stderr = runPM("refresh", "-e", envPath, "-k", keyPath, "--retries", "1")
			after, _ := os.ReadFile(envPath)
			if code == 0 || !strings.Contains(stderr, "server's "+sc.field) || strings.Count(strings.TrimSpace(stderr), "\n") > 3 {
				t.Errorf("refresh: exit %d\n%s", code, stderr)
			}
			if !bytes.Equal(before, after) {
				t.Errorf("the environment changed")
			}
			if strings.Contains(stderr, "{{privateKey") || strings.Contains(stderr, "{{dpopKey") {
				t.Errorf("stderr shows the server's value:\n%s", stderr)
			}
			checkNoSecrets(t, stderr, keyPEM)
		})
	}
}
