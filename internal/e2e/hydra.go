package e2e

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

// Hydra is a real Ory Hydra v2.3.0 (`hydra serve all --dev`, in-memory database) on 127.0.0.1,
// the second, independent provider the tests prove postmint against.
type Hydra struct {
	Issuer        string // http://127.0.0.1:PORT/
	TokenEndpoint string // Issuer + "oauth2/token"
	Admin         string // http://127.0.0.1:ADMINPORT
	logs          *syncBuffer
}

var (
	hydraOnce sync.Once
	hydraBin  string
	hydraErr  error
)

// HydraBinary is the Hydra binary: $POSTMINT_HYDRA, or what testdata/hydra/build.sh builds
// from the Go module proxy (cached after the first build, which takes minutes).
func HydraBinary(t testing.TB) string {
	t.Helper()
	hydraOnce.Do(func() {
		if b := os.Getenv("POSTMINT_HYDRA"); b != "" {
			hydraBin = b
			return
		}
		script := filepath.Join(HarnessDir(), "..", "hydra", "build.sh")
		cmd := exec.Command("bash", script)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		out, err := cmd.Output()
		if err != nil {
			hydraErr = fmt.Errorf("bash testdata/hydra/build.sh: %v\n%s", err, tail(stderr.String(), 2000))
			return
		}
		hydraBin = strings.TrimSpace(string(out))
	})
	if hydraErr != nil {
		t.Fatalf("e2e: Ory Hydra unavailable: %v", hydraErr)
	}
	return hydraBin
}

func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("e2e: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// StartHydra starts Hydra on two free loopback ports and stops it when the test ends.
func StartHydra(t testing.TB) *Hydra {
	t.Helper()
	bin := HydraBinary(t)
	pub, admin := freePort(t), freePort(t)
	secret := make([]byte, 24)
	if _, err := rand.Read(secret); err != nil {
		t.Fatal(err)
	}
	h := &Hydra{
		Issuer:        fmt.Sprintf("http://127.0.0.1:%d/", pub),
		TokenEndpoint: fmt.Sprintf("http://127.0.0.1:%d/oauth2/token", pub),
		Admin:         fmt.Sprintf("http://127.0.0.1:%d", admin),
		logs:          &syncBuffer{},
	}
	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, bin, "serve", "all", "--dev")
	cmd.Env = cleanEnv([]string{
		"DSN=memory",
		"URLS_SELF_ISSUER=" + h.Issuer,
		"SECRETS_SYSTEM=" + hex.EncodeToString(secret),
		fmt.Sprintf("SERVE_PUBLIC_PORT=%d", pub), "SERVE_PUBLIC_HOST=127.0.0.1",
		fmt.Sprintf("SERVE_ADMIN_PORT=%d", admin), "SERVE_ADMIN_HOST=127.0.0.1",
		"LOG_LEVEL=warn", "SQA_OPT_OUT=true",
	})
	cmd.Stdout, cmd.Stderr = h.logs, h.logs
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("e2e: starting hydra: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		_ = cmd.Wait()
	})
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(h.Admin + "/health/ready")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("e2e: hydra did not become ready in 30 s; its log:\n%s", tail(h.logs.String(), 3000))
		}
		time.Sleep(100 * time.Millisecond)
	}
	return h
}

// Logs is what Hydra wrote so far.
func (h *Hydra) Logs() string { return h.logs.String() }

// admin sends a JSON request to the admin API and decodes the answer into out (may be nil).
func (h *Hydra) admin(t testing.TB, method, path string, body, out any) (int, string) {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			t.Fatal(err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequest(method, h.Admin+path, rd)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("e2e: hydra %s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if out != nil && resp.StatusCode < 300 {
		if err := json.Unmarshal(raw, out); err != nil {
			t.Fatalf("e2e: hydra %s %s: %v", method, path, err)
		}
	}
	return resp.StatusCode, string(raw)
}

// CreateClient registers an OAuth 2.0 client (Hydra's client metadata); it fails the test
// unless Hydra accepts it.
func (h *Hydra) CreateClient(t testing.TB, meta map[string]any) {
	t.Helper()
	if code, body := h.admin(t, http.MethodPost, "/admin/clients", meta, nil); code != http.StatusCreated {
		t.Fatalf("e2e: hydra refused client %v: %d %s", meta["client_id"], code, body)
	}
}

// TryCreateClient registers a client and returns Hydra's status and answer, for clients
// Hydra is expected to refuse.
func (h *Hydra) TryCreateClient(t testing.TB, meta map[string]any) (int, string) {
	t.Helper()
	return h.admin(t, http.MethodPost, "/admin/clients", meta, nil)
}

// TrustJWTIssuer lets assertions from issuer about subject, signed with jwk, be exchanged for
// tokens with scope on the RFC 7523 JWT grant (Hydra's trust relationships).
func (h *Hydra) TrustJWTIssuer(t testing.TB, issuer, subject string, jwk map[string]string, scope []string) {
	t.Helper()
	body := map[string]any{
		"issuer": issuer, "subject": subject, "scope": scope, "jwk": jwk,
		"expires_at": time.Now().Add(24 * time.Hour).UTC().Format(time.RFC3339),
	}
	if code, out := h.admin(t, http.MethodPost, "/admin/trust/grants/jwt-bearer/issuers", body, nil); code != http.StatusCreated {
		t.Fatalf("e2e: hydra refused the trust relationship: %d %s", code, out)
	}
}

// Introspection is what Hydra's admin introspection says of a token.
type Introspection struct {
	Active   bool   `json:"active"`
	Scope    string `json:"scope"`
	ClientID string `json:"client_id"`
	Sub      string `json:"sub"`
}

// Introspect asks Hydra about an access token (RFC 7662).
func (h *Hydra) Introspect(t testing.TB, token string) Introspection {
	t.Helper()
	resp, err := http.PostForm(h.Admin+"/admin/oauth2/introspect", url.Values{"token": {token}})
	if err != nil {
		t.Fatalf("e2e: hydra introspection: %v", err)
	}
	defer resp.Body.Close()
	var in Introspection
	if err := json.NewDecoder(resp.Body).Decode(&in); err != nil {
		t.Fatalf("e2e: hydra introspection: %v", err)
	}
	return in
}
