package safefile

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
)

// TestWriteAllLeavesNoHalfSet: when one file of a set cannot be written, the files this call
// created go again and a file that was there keeps its content; nothing is returned to print.
func TestWriteAllLeavesNoHalfSet(t *testing.T) {
	dir := t.TempDir()
	old := filepath.Join(dir, "old.json")
	if err := os.WriteFile(old, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Mkdir(filepath.Join(dir, "blocked.json"), 0o755); err != nil { // a folder: no file can replace it
		t.Fatal(err)
	}
	paths, err := WriteAll(dir, []File{{Name: "new.json", Data: []byte("new")}, {Name: "old.json", Data: []byte("new")}, {Name: "blocked.json", Data: []byte("x")}})
	if err == nil || paths != nil {
		t.Fatalf("paths %v, err %v; want an error and no paths", paths, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "new.json")); !os.IsNotExist(err) {
		t.Errorf("new.json, created by the failed call, is still there (%v)", err)
	}
	if data, _ := os.ReadFile(old); string(data) != "new" {
		// Write replaced it before the failure; what matters is that it is whole, not removed.
		t.Errorf("old.json: %q", data)
	}
}

// TestWriteAllModes: a secret gets 0600, anything else 0644, whatever the umask; the folder is
// made; the paths come back in order.
func TestWriteAllModes(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out", "sub")
	paths, err := WriteAll(dir, []File{{Name: "a.json", Data: []byte("a")}, {Name: "env.json", Data: []byte("k"), Secret: true}})
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{filepath.Join(dir, "a.json"), filepath.Join(dir, "env.json")}; !slices.Equal(paths, want) {
		t.Errorf("paths %v, want %v", paths, want)
	}
	if runtime.GOOS == "windows" {
		return // modes are ACLs there (Perm)
	}
	for p, want := range map[string]os.FileMode{paths[0]: 0o644, paths[1]: 0o600} {
		if st, err := os.Stat(p); err != nil || st.Mode().Perm() != want {
			t.Errorf("%s: %v (%v), want %04o", p, st.Mode().Perm(), err, want)
		}
	}
}

// TestWriteNew: a set with a file already there writes nothing and names that file; a new set
// is written.
func TestWriteNew(t *testing.T) {
	dir := t.TempDir()
	there := filepath.Join(dir, "b")
	if err := os.WriteFile(there, []byte("old"), 0o644); err != nil {
		t.Fatal(err)
	}
	_, err := WriteNew(dir, []File{{Name: "a", Data: []byte("A")}, {Name: "b", Data: []byte("B")}})
	var ee *ExistsError
	if !errors.As(err, &ee) || !slices.Equal(ee.Paths, []string{there}) || err.Error() != there+" already exists; nothing was written" {
		t.Fatalf("WriteNew over b: %v", err)
	}
	if _, err := os.Stat(filepath.Join(dir, "a")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("a was written (%v)", err)
	}
	if b, _ := os.ReadFile(there); string(b) != "old" {
		t.Errorf("b = %q, want old", b)
	}
	paths, err := WriteNew(dir, []File{{Name: "c", Data: []byte("C")}})
	if err != nil || len(paths) != 1 {
		t.Errorf("WriteNew of a new file: %v, %v", paths, err)
	}
}
