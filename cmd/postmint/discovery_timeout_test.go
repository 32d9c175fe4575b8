package main

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// --timeout bounds reading the issuer's metadata too: an issuer that never answers fails the
// command after --timeout, not after discovery's own 15 seconds.
func TestTimeoutCoversDiscovery(t *testing.T) {
	stop := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-stop:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(stop)
	keyPath, _, _ := fixtureKey(t, "ec-p256.pkcs8.pem")
	def := filepath.Join(t.TempDir(), "c.yaml")
	if err := os.WriteFile(def, []byte("version: 1\nname: silent\nclient_id: c\nalg: ES256\nissuer: "+srv.URL+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	code, stdout, stderr := runPM("token", "-c", def, "-k", keyPath, "--timeout", "1s")
	took := time.Since(start)
	checkFailure(t, code, stdout, stderr)
	if !strings.Contains(stderr, "token_url: not given") {
		t.Errorf("stderr does not say discovery failed:\n%s", stderr)
	}
	// Two well-known URLs are tried within the one budget; 15 s was the old fixed limit.
	if took > 10*time.Second {
		t.Errorf("token --timeout 1s took %v against a silent issuer", took.Round(time.Millisecond))
	}
}
