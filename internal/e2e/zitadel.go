package e2e

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
)

// ZitadelOP is testdata/zitadel: an OpenID Provider on github.com/zitadel/oidc/v3 v3.52.0's op
// package (the library ZITADEL is built on), the third independent provider the tests prove
// postmint against. It serves one storage twice: Legacy through the library's LegacyServer
// (what its example server runs) and Provider through Provider.HttpHandler, whose refusals
// are worded differently.
type ZitadelOP struct {
	Legacy, Provider ZitadelServer
	logs             *syncBuffer
}

// ZitadelServer is one server's endpoints. Issuer has no trailing slash (the library's
// issuer is the URL as configured, and the assertion's aud must contain exactly it).
type ZitadelServer struct {
	Issuer        string `json:"issuer"`
	TokenEndpoint string `json:"token_endpoint"`
	Introspection string `json:"introspection_endpoint"`
	Userinfo      string `json:"userinfo_endpoint"`
}

// ZitadelAccount is a service user (JWT grant: iss = sub = ID), a private_key_jwt app, or an
// API that introspects tokens (ID and Secret).
type ZitadelAccount struct {
	ID     string              `json:"id"`
	Keys   []map[string]string `json:"keys,omitempty"` // public JWKs, each with its kid
	Scopes []string            `json:"scopes,omitempty"`
	Secret string              `json:"secret,omitempty"`
}

// ZitadelConfig is the server's whole configuration.
type ZitadelConfig struct {
	ServiceUsers []ZitadelAccount `json:"service_users"`
	Apps         []ZitadelAccount `json:"apps"`
	APIs         []ZitadelAccount `json:"apis"`
}

var (
	zitadelOnce sync.Once
	zitadelBin  string
	zitadelErr  error
)

// ZitadelBinary builds testdata/zitadel (its own Go module; its dependencies come from the Go
// module proxy, pinned by its go.sum) once per source version, into the user's cache.
func ZitadelBinary(t testing.TB) string {
	t.Helper()
	zitadelOnce.Do(func() { zitadelBin, zitadelErr = buildZitadel() })
	if zitadelErr != nil {
		t.Fatalf("e2e: the zitadel/oidc test server could not be built: %v", zitadelErr)
	}
	return zitadelBin
}

func buildZitadel() (string, error) {
	src := filepath.Join(HarnessDir(), "..", "zitadel")
	h := sha256.New()
	for _, f := range []string{"main.go", "go.mod", "go.sum"} {
		b, err := os.ReadFile(filepath.Join(src, f))
		if err != nil {
			return "", err
		}
		h.Write(b)
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	bin := filepath.Join(cache, "postmint", "zitadel-op-"+hex.EncodeToString(h.Sum(nil))[:16], "zitadel-op")
	if _, err := os.Stat(bin); err == nil {
		return bin, nil
	}
	if err := os.MkdirAll(filepath.Dir(bin), 0o755); err != nil {
		return "", err
	}
	cmd := exec.Command("go", "build", "-o", bin+".tmp", ".")
	cmd.Dir = src
	cmd.Env = cleanEnv([]string{"GOFLAGS=-mod=readonly", "GOWORK=off", "CGO_ENABLED=0"})
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build in testdata/zitadel: %v\n%s", err, tail(string(out), 2000))
	}
	return bin, os.Rename(bin+".tmp", bin)
}

// StartZitadel starts the server with cfg on loopback and stops it when the test ends.
func StartZitadel(t testing.TB, cfg ZitadelConfig) *ZitadelOP {
	t.Helper()
	bin := ZitadelBinary(t)
	raw, err := json.Marshal(cfg)
	if err != nil {
		t.Fatal(err)
	}
	cfgPath := filepath.Join(t.TempDir(), "zitadel-op.json")
	if err := os.WriteFile(cfgPath, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	z := &ZitadelOP{logs: &syncBuffer{}}
	cmd := exec.Command(bin, cfgPath)
	cmd.Env = cleanEnv(nil)
	cmd.Stderr = z.logs
	line, stop, _, err := startWithLine(cmd, z.logs)
	if err != nil {
		t.Fatalf("e2e: the zitadel/oidc server: %v\n%s", err, z.logs.String())
	}
	t.Cleanup(stop)
	var out map[string]ZitadelServer
	if err := json.Unmarshal([]byte(line), &out); err != nil || out["legacy"].TokenEndpoint == "" || out["provider"].TokenEndpoint == "" {
		t.Fatalf("e2e: the zitadel/oidc server did not start (%q):\n%s", line, z.logs.String())
	}
	z.Legacy, z.Provider = out["legacy"], out["provider"]
	return z
}

// Logs is what the server wrote so far.
func (z *ZitadelOP) Logs() string { return z.logs.String() }

// ZitadelIntrospection is what the introspection endpoint says of a token (RFC 7662).
type ZitadelIntrospection struct {
	Active   bool   `json:"active"`
	Scope    string `json:"scope"`
	ClientID string `json:"client_id"`
	Sub      string `json:"sub"`
}

// Introspect asks the server about an access token as the API api (client_secret_basic).
func (s ZitadelServer) Introspect(t testing.TB, api ZitadelAccount, token string) ZitadelIntrospection {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.Introspection, strings.NewReader(url.Values{"token": {token}}.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.SetBasicAuth(api.ID, api.Secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("e2e: introspection: %v", err)
	}
	defer resp.Body.Close()
	var in ZitadelIntrospection
	if err := json.NewDecoder(resp.Body).Decode(&in); err != nil {
		t.Fatalf("e2e: introspection (HTTP %d): %v", resp.StatusCode, err)
	}
	return in
}
