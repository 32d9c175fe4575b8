package kitout

import (
	"archive/zip"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/postmint/postmint/generator/kit"
)

func testKit(readme string) *kit.Kit {
	return &kit.Kit{Slug: "acme", Files: []kit.File{
		{Name: kit.ReadmeFile, Data: []byte(readme)},
		{Name: "acme.postman_collection.json", Pieces: [][]byte{[]byte(`{"item":[`), []byte(`{"name":"shared"}`), []byte(`]}`)}},
	}}
}

// leftovers are the names in dir that start with a dot (temporary files and folders).
func leftovers(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			out = append(out, e.Name())
		}
	}
	return out
}

func TestPrepare(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "new", "kits")
	if err := Prepare(missing, false); err != nil {
		t.Fatalf("a missing folder: %v", err)
	}
	if st, err := os.Stat(missing); err != nil || !st.IsDir() || len(leftovers(t, missing)) > 0 {
		t.Fatalf("not created, or the probe is left: %v %v", st, err)
	}
	file := filepath.Join(dir, "file")
	os.WriteFile(file, nil, 0o644)
	if err := Prepare(file, true); err == nil || err.Error() != "output "+file+" is not a directory" {
		t.Errorf("a file: %v", err)
	}
	for n, words := range map[int]string{1: "(1 entry)", 2: "(2 entries)"} {
		full := filepath.Join(dir, "full", words)
		os.MkdirAll(full, 0o755)
		for i := range n {
			os.WriteFile(filepath.Join(full, string(rune('a'+i))), nil, 0o644)
		}
		var ne *NotEmptyError
		if err := Prepare(full, false); !errors.As(err, &ne) || err.Error() != "output directory "+full+" is not empty "+words {
			t.Errorf("%d entries: %v", n, err)
		}
		if err := Prepare(full, true); err != nil {
			t.Errorf("%d entries with force: %v", n, err)
		}
	}
}

// A zip is the same bytes on every run (fixed time and mode), replaces the older one, and
// leaves nothing temporary behind.
func TestWriteZip(t *testing.T) {
	out := t.TempDir()
	w := Writer{Out: out, Zip: true}
	path, err := w.Write(testKit("one"))
	if err != nil || path != filepath.Join(out, "acme.zip") {
		t.Fatalf("path %q, %v", path, err)
	}
	first, _ := os.ReadFile(path)
	if _, err := w.Write(testKit("one")); err != nil {
		t.Fatal(err)
	}
	if again, _ := os.ReadFile(path); !bytes.Equal(first, again) {
		t.Error("two zips of the same kit differ")
	}
	if _, err := w.Write(testKit("two")); err != nil {
		t.Fatal(err)
	}
	zr, err := zip.OpenReader(path)
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
		if !f.Modified.Equal(ZipTime) || f.Mode().Perm() != 0o644 || f.Method != zip.Deflate {
			t.Errorf("%s: time %v mode %v method %d", f.Name, f.Modified, f.Mode(), f.Method)
		}
	}
	if strings.Join(names, " ") != "acme/README.md acme/acme.postman_collection.json" {
		t.Errorf("entries %q", names)
	}
	var got []string
	for _, f := range zr.File {
		rc, _ := f.Open()
		b, _ := io.ReadAll(rc)
		rc.Close()
		got = append(got, string(b))
	}
	checkWritten(t, out, path, 0o644, got)
}

// checkWritten: the kit at path holds the second testKit's files and has mode, and out holds
// nothing temporary.
func checkWritten(t *testing.T, out, path string, mode os.FileMode, contents []string) {
	t.Helper()
	if strings.Join(contents, "|") != `two|{"item":[{"name":"shared"}]}` {
		t.Errorf("%s holds %q", path, contents)
	}
	if st, _ := os.Stat(path); st.Mode().Perm() != mode {
		t.Errorf("%s: mode %v", path, st.Mode())
	}
	if l := leftovers(t, out); len(l) > 0 {
		t.Errorf("left behind: %v", l)
	}
}

// A folder kit replaces the older folder of the same name whole (a file of the old kit goes),
// keeps other files in OUT, and leaves nothing temporary behind.
func TestWriteDir(t *testing.T) {
	out := t.TempDir()
	w := Writer{Out: out}
	if _, err := w.Write(testKit("one")); err != nil {
		t.Fatal(err)
	}
	stale := filepath.Join(out, "acme", "stale.txt")
	os.WriteFile(stale, []byte("old"), 0o644)
	other := filepath.Join(out, "notes.txt")
	os.WriteFile(other, []byte("keep"), 0o644)
	path, err := w.Write(testKit("two"))
	if err != nil || path != filepath.Join(out, "acme") {
		t.Fatalf("path %q, %v", path, err)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Error("a file of the old kit is kept")
	}
	if _, err := os.Stat(other); err != nil {
		t.Error("a file that is not a kit was removed")
	}
	readme, _ := os.ReadFile(filepath.Join(path, kit.ReadmeFile))
	coll, _ := os.ReadFile(filepath.Join(path, "acme.postman_collection.json"))
	checkWritten(t, out, path, 0o755, []string{string(readme), string(coll)})
}

// A kit that cannot be written is one error naming the kit, without the path twice.
func TestWriteFails(t *testing.T) {
	gone := filepath.Join(t.TempDir(), "gone")
	for _, zipped := range []bool{false, true} {
		_, err := Writer{Out: gone, Zip: zipped}.Write(testKit("x"))
		name := filepath.Join(gone, "acme")
		if zipped {
			name += ".zip"
		}
		if err == nil || !strings.HasPrefix(err.Error(), "writing kit "+name+": ") || strings.Count(err.Error(), gone) != 1 {
			t.Errorf("zip %v: %v", zipped, err)
		}
	}
}
