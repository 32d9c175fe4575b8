package postman

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestCollectionNodeSuite runs templates/collection.test.js under node with the configuration
// postmint generate places in front of the collection script (scriptConfig), so the script is
// tested against the messages, limits and grammar table Go gives it, not a copy.
func TestCollectionNodeSuite(t *testing.T) {
	if _, err := exec.LookPath("node"); err != nil {
		t.Skip("node is not on PATH")
	}
	templates, err := filepath.Abs(filepath.Join("..", "..", "templates"))
	if err != nil {
		t.Fatal(err)
	}
	// Read here so that go test's cache sees a change to the suite (node reads it too).
	if _, err := os.ReadFile(filepath.Join(templates, "collection.test.js")); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(templates, "..", "testdata", "e2e", "node_modules", "crypto-js", "package.json")); err != nil {
		t.Fatalf("testdata/e2e/node_modules is missing (%v): run npm ci --prefix testdata/e2e", err)
	}
	cfg, err := json.Marshal(scriptConfig())
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "config.json")
	if err := os.WriteFile(path, cfg, 0o600); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "node", "--test", "collection.test.js")
	cmd.Dir = templates
	cmd.Env = append(os.Environ(), "POSTMINT_SCRIPT_CONFIG="+path)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("node --test collection.test.js: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimRight(string(out), "\n"), "\n")
	t.Logf("node --test collection.test.js:\n%s", strings.Join(lines[max(0, len(lines)-8):], "\n"))
}
