//go:build unix

package safefile

import (
	"os"
	"path/filepath"
	"testing"
)

// TestWriteSetsMode: an existing file gets exactly the mode asked for, whichever way
// (renameio.WriteFile kept an existing 0644 when a key made the file 0600).
func TestWriteSetsMode(t *testing.T) {
	path := filepath.Join(t.TempDir(), "env.json")
	for _, tc := range []struct{ before, want os.FileMode }{{0o644, 0o600}, {0o600, 0o644}, {0o640, 0o600}} {
		if err := os.WriteFile(path, []byte("old"), tc.before); err != nil {
			t.Fatal(err)
		}
		if err := os.Chmod(path, tc.before); err != nil {
			t.Fatal(err)
		}
		if err := Write(path, []byte("new"), tc.want); err != nil {
			t.Fatal(err)
		}
		st, err := os.Stat(path)
		if err != nil || st.Mode().Perm() != tc.want {
			t.Errorf("%04o → asked %04o: got %v (%v)", tc.before, tc.want, st.Mode().Perm(), err)
		}
	}
}
