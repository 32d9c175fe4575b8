package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
)

// runCLI2 runs postmint in-process and returns the exit code, stdout and stderr.
func runCLI2(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := Run(append([]string{"postmint"}, args...), &out, &errb)
	return code, out.String(), errb.String()
}

// oneErrorLine asserts exit 1 and that stderr's first line is "postmint: ..." holding want.
func oneErrorLine(t *testing.T, code int, stderr string, want ...string) {
	t.Helper()
	if code != 1 {
		t.Errorf("exit %d, want 1; stderr:\n%s", code, stderr)
	}
	first, _, _ := strings.Cut(stderr, "\n")
	if !strings.HasPrefix(first, "postmint: ") {
		t.Errorf("stderr does not start with a postmint: line:\n%s", stderr)
	}
	for _, w := range want {
		if !strings.Contains(first, w) {
			t.Errorf("first stderr line %q lacks %q", first, w)
		}
	}
}

// TestDiscoveryOfAnotherIssuerRefused: metadata whose issuer is not the configured one is never
// used (OpenID Connect Discovery 4.3, RFC 8414 3.3): every command that discovers exits 1,
// writes nothing, and nothing is sent to the metadata's token_endpoint.
func TestDiscoveryOfAnotherIssuerRefused(t *testing.T) {
	var evilHits atomic.Int32
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/.well-known/openid-configuration", "/.well-known/oauth-authorization-server":
			w.Header().Set("Content-Type", "application/json")
			json.NewEncoder(w).Encode(map[string]any{
				"issuer": "https://evil.example", "token_endpoint": srv.URL + "/evil-token",
				"authorization_endpoint": srv.URL + "/evil-authorize",
			})
		case "/evil-token":
			evilHits.Add(1)
			w.WriteHeader(http.StatusBadRequest)
		default:
			http.NotFound(w, r)
		}
	}))
	defer srv.Close()
	keyPath, _, _ := fixtureKey(t, "ec-p256.pkcs8.pem")
	dir := t.TempDir()
	def := filepath.Join(dir, "client.yaml")
	if err := os.WriteFile(def, []byte("version: 1\nname: Evil\nclient_id: c1\nissuer: "+srv.URL+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "out")
	for _, args := range [][]string{
		{"generate", "-c", def, "-k", keyPath, "-o", out},
		{"token", "-c", def, "-k", keyPath},
		{"mint", "-c", def, "-k", keyPath},
		{"verify", "-c", def, "--key", repoFile("testdata", "keys", "rsa2048.pub.pem"), "eyJhbGciOiJSUzI1NiJ9.e30.c2ln"},
		{"kit", "-c", def, "-o", out},
	} {
		t.Run(args[0], func(t *testing.T) {
			code, stdout, stderr := runCLI2(args...)
			oneErrorLine(t, code, stderr, "metadata names another issuer", `"https://evil.example"`)
			if stdout != "" {
				t.Errorf("stdout = %q", stdout)
			}
			if strings.Contains(stderr, "discovered") {
				t.Errorf("stderr reports using the metadata:\n%s", stderr)
			}
			if files := filesUnder(t, out); len(files) > 0 {
				t.Errorf("written: %v", files)
			}
		})
	}
	t.Run("doctor", func(t *testing.T) {
		def2 := filepath.Join(dir, "doctor.yaml")
		os.WriteFile(def2, []byte("version: 1\nname: Evil\nclient_id: c1\nissuer: "+srv.URL+"\ntoken_url: "+srv.URL+"/token\n"), 0o644)
		code, stdout, _ := runCLI2("doctor", "-c", def2, "-k", keyPath)
		if code != 1 {
			t.Errorf("doctor exit %d", code)
		}
		wantLine(t, stdout, "FAIL", "metadata", "metadata names another issuer", "https://evil.example")
	})
	if n := evilHits.Load(); n != 0 {
		t.Errorf("the metadata's token_endpoint got %d requests", n)
	}
}

// filesUnder lists the files (not folders) under dir; none when it does not exist.
func filesUnder(t *testing.T, dir string) []string {
	t.Helper()
	var files []string
	filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			files = append(files, p)
		}
		return nil
	})
	return files
}
