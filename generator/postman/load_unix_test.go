//go:build !windows

package postman

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLoadEnvironment: the environment and its mode; a file that is no environment is named
// in the error.
func TestLoadEnvironment(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "env.json")
	if err := os.WriteFile(good, []byte(`{"id":"x","name":"n","values":[{"key":"clientId","value":"acme","enabled":true}]}`), 0o640); err != nil {
		t.Fatal(err)
	}
	env, mode, err := LoadEnvironment(good)
	if err != nil || mode != 0o640 || env.Lookup("clientId") != "acme" {
		t.Fatalf("LoadEnvironment = %v, %04o, %v", env, mode, err)
	}
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`[1,2]`), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := LoadEnvironment(bad); err == nil || !strings.HasPrefix(err.Error(), "reading environment "+bad+": ") {
		t.Errorf("not an environment: %v", err)
	}
	if _, _, err := LoadEnvironment(filepath.Join(dir, "missing.json")); err == nil || !strings.Contains(err.Error(), "missing.json") {
		t.Errorf("missing file: %v", err)
	}
}
