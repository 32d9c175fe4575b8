//go:build !windows

package safefile

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/google/renameio/v2"
)

// TestTempFileNameAsDocumented: docs/security.md tells users what a temp file
// left by kill -9 looks like (".<name><digits>" beside the file); this pins it to what
// renameio, with Write's options, really creates.
func TestTempFileNameAsDocumented(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "acme-orders-test.postman_environment.json")
	pf, err := renameio.NewPendingFile(target, renameio.WithStaticPermissions(0o600), renameio.WithTempDir(filepath.Dir(target)))
	if err != nil {
		t.Fatal(err)
	}
	defer pf.Cleanup()
	if filepath.Dir(pf.Name()) != dir || !regexp.MustCompile(`^\.acme-orders-test\.postman_environment\.json[0-9]+$`).MatchString(filepath.Base(pf.Name())) {
		t.Errorf("temp file %s is not .<name><digits> beside the target, as the README says", pf.Name())
	}
	readme, err := os.ReadFile(filepath.Join("..", "..", "docs", "security.md"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(readme), "rm -f .acme-orders-test.postman_environment.json[0-9]*") {
		t.Errorf("docs/security.md no longer documents the leftover temp file")
	}
}
