//go:build !windows

package safefile

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestOutput: -o OUT is written 0600; in place keeps the file's mode, refuses a read-only
// file, and follows a symbolic link to the file it names.
func TestOutput(t *testing.T) {
	dir := t.TempDir()
	env := filepath.Join(dir, "env.json")
	if err := os.WriteFile(env, []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	if p, m, err := Output(env, 0o644, filepath.Join(dir, "out.json")); err != nil || p != filepath.Join(dir, "out.json") || m != 0o600 {
		t.Errorf("with OUT: %s %04o %v; want OUT 0600", p, m, err)
	}
	if p, m, err := Output(env, 0o644, ""); err != nil || p != env || m != 0o644 {
		t.Errorf("in place: %s %04o %v; want the file, 0644", p, m, err)
	}
	if _, _, err := Output(env, 0o444, ""); err == nil || !strings.Contains(err.Error(), "read-only") {
		t.Errorf("read-only: err = %v", err)
	}
	link := filepath.Join(dir, "link.json")
	if err := os.Symlink(env, link); err != nil {
		t.Fatal(err)
	}
	if p, _, err := Output(link, 0o644, ""); err != nil || p != env {
		t.Errorf("link: %s %v; want the file it names", p, err)
	}
}
