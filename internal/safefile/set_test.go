package safefile

import (
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

func TestExisting(t *testing.T) {
	dir := t.TempDir()
	there := filepath.Join(dir, "there")
	if err := os.WriteFile(there, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	got, err := Existing(filepath.Join(dir, "missing"), there)
	if err != nil || !slices.Equal(got, []string{there}) {
		t.Errorf("Existing: %v, %v", got, err)
	}
}
