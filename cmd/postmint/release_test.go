package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestReleaseScriptUsage: scripts/release.sh refuses a missing or malformed version with one
// line and exit 2, and writes nothing. (A whole release build compiles six platforms; it is
// run by hand, see docs/release.md.)
func TestReleaseScriptUsage(t *testing.T) {
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	for _, args := range [][]string{{}, {"v1"}, {"1.2"}, {"1.2.3; rm -rf /"}} {
		out := filepath.Join(t.TempDir(), "dist")
		cmd := exec.Command("bash", append([]string{"../../scripts/release.sh"}, append(args, out)...)...)
		if len(args) == 0 {
			cmd = exec.Command("bash", "../../scripts/release.sh")
		}
		stderr, err := cmd.CombinedOutput()
		if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 {
			t.Errorf("release.sh %q: %v, want exit 2", args, err)
		}
		if lines := strings.Split(strings.TrimSpace(string(stderr)), "\n"); len(lines) != 1 || !strings.HasPrefix(lines[0], "release.sh: usage: ") {
			t.Errorf("release.sh %q: stderr %q", args, stderr)
		}
		if _, err := os.Stat(out); !os.IsNotExist(err) {
			t.Errorf("release.sh %q wrote %s", args, out)
		}
	}
}

// TestWindowsCrossCheck: postmint builds and vets for Windows, and every package's tests
// compile and link for it (scripts/crosscheck.sh), so the test command catches a Unix-only
// call that this machine, which cannot run Windows binaries, would otherwise never see.
func TestWindowsCrossCheck(t *testing.T) {
	if testing.Short() {
		t.Skip("cross-compiles the module and its tests for windows/amd64")
	}
	if _, err := exec.LookPath("bash"); err != nil {
		t.Skip("no bash")
	}
	t.Parallel()
	cmd := exec.Command("bash", "../../scripts/crosscheck.sh")
	cmd.Env = append(os.Environ(), "PLATFORMS=windows/amd64")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("scripts/crosscheck.sh: %v\n%s", err, out)
	}
}
