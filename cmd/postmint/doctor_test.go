package main

import (
	"bytes"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/postmint/postmint/internal/e2e"
)

func runDoctor(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Run(append([]string{"postmint", "doctor"}, args...), &out, &errb)
	return code, out.String(), errb.String()
}

func writeDef(t *testing.T, dir, body string) string {
	t.Helper()
	p := filepath.Join(dir, "client.yaml")
	if err := os.WriteFile(p, []byte("version: 1\nname: Doctor\n"+body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// wantLine asserts a report line "STATUS  check ..." containing every fragment.
func wantLine(t *testing.T, out, status, check string, fragments ...string) {
	t.Helper()
	for _, l := range strings.Split(out, "\n") {
		f := strings.Fields(l)
		if len(f) >= 2 && f[0] == status && f[1] == check {
			for _, fr := range fragments {
				if !strings.Contains(l, fr) {
					t.Errorf("%s %s line %q lacks %q", status, check, l, fr)
				}
			}
			return
		}
	}
	t.Errorf("no %s %s line in:\n%s", status, check, out)
}

// TestDoctorAgainstProvider: all checks pass against the real provider, and a wrong audience
// fails the token check with the explanation.
func TestDoctorAgainstProvider(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end")
	}
	e2e.RequireHarness(t)
	keys := newTestKeys(t)
	prov := e2e.Start(t, []e2e.Client{
		{ClientID: "doc", Alg: "ES256", Audience: e2e.AudienceTokenEndpoint, JWKS: e2e.JWKS(t, e2e.Key{KID: "d", Public: keys.p256.Public()})},
	})
	dir := t.TempDir()
	key := writePKCS8(t, dir, "k.pem", keys.p256)

	def := writeDef(t, dir, "client_id: doc\nkid: d\nissuer: "+prov.Issuer+"\ntoken_url: "+prov.TokenEndpoint+"\n")
	code, out, errOut := runDoctor(t, "-c", def, "-k", key)
	if code != 0 {
		t.Fatalf("exit %d\n%s\n%s", code, out, errOut)
	}
	t.Logf("doctor:\n%s", out)
	for _, c := range []string{"definition", "key", "alg", "metadata", "audience", "tls", "clock", "token"} {
		wantLine(t, out, "PASS", c)
	}
	if strings.Contains(out, "FAIL") {
		t.Errorf("unexpected FAIL:\n%s", out)
	}

	// Audience the provider does not accept: a warning, and the token request fails with the cause.
	bad := writeDef(t, dir, "client_id: doc\nkid: d\nissuer: "+prov.Issuer+"\ntoken_url: "+prov.TokenEndpoint+"\naudience: https://elsewhere.example.com/token\n")
	code, out, _ = runDoctor(t, "-c", bad, "-k", key)
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s", code, out)
	}
	wantLine(t, out, "WARN", "audience", "https://elsewhere.example.com/token")
	wantLine(t, out, "FAIL", "token", "invalid_client")
	if !strings.Contains(out, "aud") {
		t.Errorf("the explanation does not mention the audience:\n%s", out)
	}

	// --offline makes no request at all.
	code, out, _ = runDoctor(t, "-c", def, "-k", key, "--offline")
	if code != 0 || !strings.Contains(out, "SKIP  network") {
		t.Errorf("offline: exit %d\n%s", code, out)
	}
}

// fakeServer serves metadata and a token endpoint with a chosen Date offset and alg list.
func fakeServer(t *testing.T, tlsOn bool, dateOffset time.Duration, algs []string) *httptest.Server {
	var srv *httptest.Server
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Date", time.Now().Add(dateOffset).UTC().Format(http.TimeFormat))
		switch r.URL.Path {
		case "/.well-known/openid-configuration":
			json.NewEncoder(w).Encode(map[string]any{
				"issuer": srv.URL, "token_endpoint": srv.URL + "/token",
				"token_endpoint_auth_methods_supported":            []string{"private_key_jwt"},
				"token_endpoint_auth_signing_alg_values_supported": algs,
				"grant_types_supported":                            []string{"client_credentials"},
			})
		case "/token":
			if r.Method != http.MethodPost {
				w.WriteHeader(http.StatusMethodNotAllowed)
				return
			}
			w.Header().Set("Content-Type", "application/json")
			fmt.Fprint(w, `{"access_token":"abc","token_type":"Bearer","expires_in":60}`)
		default:
			http.NotFound(w, r)
		}
	})
	srv = httptest.NewUnstartedServer(h)
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the failed handshakes are the point
	if tlsOn {
		srv.StartTLS()
	} else {
		srv.Start()
	}
	t.Cleanup(srv.Close)
	return srv
}

// TestDoctorChecksFail makes each check fail on purpose.
func TestDoctorChecksFail(t *testing.T) {
	dir := t.TempDir()
	keysDir, _ := filepath.Abs("../../testdata/keys")
	rsaKey := filepath.Join(keysDir, "rsa2048.pkcs8.pem")

	t.Run("definition", func(t *testing.T) {
		code, out, _ := runDoctor(t, "-c", writeDef(t, t.TempDir(), "client_id: x\ntokn_url: https://a/b\n"), "-k", rsaKey)
		if code != 1 {
			t.Fatalf("exit %d", code)
		}
		wantLine(t, out, "FAIL", "definition", "tokn_url", "token_url")
	})
	t.Run("key", func(t *testing.T) {
		code, out, _ := runDoctor(t, "-c", writeDef(t, t.TempDir(), "client_id: x\ntoken_url: https://a.example/t\n"), "-k", filepath.Join(keysDir, "rsa2048.pub.pem"), "--offline")
		if code != 1 {
			t.Fatalf("exit %d", code)
		}
		wantLine(t, out, "FAIL", "key", "is a public key, not a private key")
	})
	t.Run("alg", func(t *testing.T) {
		code, out, _ := runDoctor(t, "-c", writeDef(t, t.TempDir(), "client_id: x\nalg: ES256\ntoken_url: https://a.example/t\n"), "-k", rsaKey, "--offline")
		if code != 1 {
			t.Fatalf("exit %d", code)
		}
		wantLine(t, out, "FAIL", "alg", "ES256", "RSA")
	})
	t.Run("certificate", func(t *testing.T) {
		d := t.TempDir()
		code, out, _ := runDoctor(t, "-c", writeDef(t, d, "client_id: x\ntoken_url: https://a.example/t\nheaders: {x5c: true}\ncertificate: "+filepath.Join(keysDir, "ec-p256.crt.pem")+"\n"), "-k", rsaKey, "--offline")
		if code != 1 {
			t.Fatalf("exit %d\n%s", code, out)
		}
		wantLine(t, out, "FAIL", "certificate")
	})
	t.Run("metadata alg", func(t *testing.T) {
		// The metadata leaves RS256 out but the token endpoint refuses nothing: the live success
		// outranks the list (a WARN naming both), and the exit code follows the live result.
		srv := fakeServer(t, false, 0, []string{"ES256"})
		code, out, _ := runDoctor(t, "-c", writeDef(t, t.TempDir(), "client_id: x\nissuer: "+srv.URL+"\ntoken_url: "+srv.URL+"/token\n"), "-k", rsaKey)
		if code != 0 {
			t.Fatalf("exit %d\n%s", code, out)
		}
		wantLine(t, out, "WARN", "metadata", "does not list alg RS256", "ES256", "yet the live token request with alg RS256 succeeded")
		wantLine(t, out, "PASS", "token")
		// When the live request fails too, the metadata's word stands.
		code, out, _ = runDoctor(t, "-c", writeDef(t, t.TempDir(), "client_id: x\nissuer: "+srv.URL+"\ntoken_url: "+srv.URL+"/gone\n"), "-k", rsaKey)
		if code != 1 {
			t.Fatalf("exit %d\n%s", code, out)
		}
		wantLine(t, out, "FAIL", "metadata", "does not list alg RS256")
		wantLine(t, out, "FAIL", "token")
		if strings.Contains(out, "yet the live") {
			t.Errorf("a failed token request outranks nothing:\n%s", out)
		}
	})
	t.Run("clock", func(t *testing.T) {
		srv := fakeServer(t, false, -time.Hour, []string{"RS256"})
		code, out, _ := runDoctor(t, "-c", writeDef(t, t.TempDir(), "client_id: x\nissuer: "+srv.URL+"\ntoken_url: "+srv.URL+"/token\n"), "-k", rsaKey)
		if code != 1 {
			t.Fatalf("exit %d\n%s", code, out)
		}
		wantLine(t, out, "FAIL", "clock", "1h0m", "ahead of")
	})
	t.Run("tls", func(t *testing.T) {
		srv := fakeServer(t, true, 0, []string{"RS256"})
		def := writeDef(t, t.TempDir(), "client_id: x\ntoken_url: "+srv.URL+"/token\n")
		code, out, _ := runDoctor(t, "-c", def, "-k", rsaKey)
		if code != 1 {
			t.Fatalf("exit %d\n%s", code, out)
		}
		wantLine(t, out, "FAIL", "tls", "certificate")
		// With the server's CA it passes.
		ca := filepath.Join(dir, "ca.pem")
		writeCertPEM(t, ca, srv.Certificate().Raw)
		code, out, _ = runDoctor(t, "-c", def, "-k", rsaKey, "--ca-file", ca)
		if code != 0 {
			t.Fatalf("with --ca-file: exit %d\n%s", code, out)
		}
		wantLine(t, out, "PASS", "tls", "verified certificate")
	})
}

func writeCertPEM(t *testing.T, path string, der []byte) {
	t.Helper()
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
}
