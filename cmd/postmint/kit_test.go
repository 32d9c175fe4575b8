package main

import (
	"archive/zip"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// runKitCLI runs postmint kit in-process and returns the exit code, stdout and stderr.
func runKitCLI(args ...string) (int, string, string) {
	var out, errb bytes.Buffer
	code := Run(append([]string{"postmint", "kit"}, args...), &out, &errb)
	return code, out.String(), errb.String()
}

func writeDefs(t *testing.T, dir string, n int) []string {
	t.Helper()
	var paths []string
	for i := range n {
		p := filepath.Join(dir, fmt.Sprintf("p%03d.yaml", i))
		src := fmt.Sprintf("version: 1\nname: Partner %03d\nclient_id: p%03d\nalg: ES256\ntoken_url: https://idp.example.com/token\nrequests:\n  - name: Ping\n    url: https://api.example.com/ping\n", i, i)
		if err := os.WriteFile(p, []byte(src), 0o644); err != nil {
			t.Fatal(err)
		}
		paths = append(paths, p)
	}
	return paths
}

func TestKitExitCodesAndOrder(t *testing.T) {
	dir := t.TempDir()
	defs := writeDefs(t, dir, 40)
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("version: 1\nname: Bad\n"), 0o644)

	if code, _, _ := runKitCLI("-o", filepath.Join(dir, "x")); code != 2 {
		t.Errorf("no definitions: exit %d, want 2", code)
	}
	if code, _, _ := runKitCLI(append([]string{"--jobs", "-1", "-o", filepath.Join(dir, "x")}, defs...)...); code != 2 {
		t.Errorf("--jobs -1: exit %d, want 2", code)
	}

	// Output in input order whatever the workers do; the bad one fails alone.
	out := filepath.Join(dir, "out")
	args := append([]string{"-j", "4", "-o", out}, defs[:20]...)
	args = append(args, bad)
	args = append(args, defs[20:]...)
	code, stdout, stderr := runKitCLI(args...)
	if code != 1 {
		t.Fatalf("exit %d, want 1; stderr:\n%s", code, stderr)
	}
	var want []string
	for i := range 40 {
		want = append(want, filepath.Join(out, fmt.Sprintf("partner-%03d", i)))
	}
	if got := strings.Fields(stdout); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("stdout:\n%s", stdout)
	}
	lines := strings.Split(strings.TrimSpace(stderr), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], "bad.yaml: client_id: missing") || !strings.HasPrefix(lines[1], "postmint: 1 of 41 kits failed; 40 written to "+out+" (folder) in ") {
		t.Errorf("stderr (no progress bar off a terminal, one line per failure, the summary):\n%s", stderr)
	}
	entries, _ := os.ReadDir(out)
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".") {
			t.Errorf("left behind: %s", e.Name())
		}
	}
}

func TestKitForceReplaces(t *testing.T) {
	dir := t.TempDir()
	defs := writeDefs(t, dir, 2)
	out := filepath.Join(dir, "out")
	if code, _, stderr := runKitCLI(append([]string{"-o", out}, defs...)...); code != 0 {
		t.Fatal(stderr)
	}
	stale := filepath.Join(out, "partner-000", "stale.txt")
	os.WriteFile(stale, []byte("old"), 0o644)
	other := filepath.Join(out, "notes.txt")
	os.WriteFile(other, []byte("keep"), 0o644)
	if code, _, _ := runKitCLI(append([]string{"-o", out}, defs...)...); code != 1 {
		t.Errorf("a non-empty folder without --force: exit %d", code)
	}
	if code, _, stderr := runKitCLI(append([]string{"--force", "-o", out}, defs...)...); code != 0 {
		t.Fatal(stderr)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Error("--force kept a file of the old kit")
	}
	if _, err := os.Stat(other); err != nil {
		t.Error("--force removed a file that is not a kit")
	}
}

func TestKitZip(t *testing.T) {
	dir := t.TempDir()
	defs := writeDefs(t, dir, 3)
	out := filepath.Join(dir, "z")
	code, stdout, stderr := runKitCLI(append([]string{"--zip", "-o", out}, defs...)...)
	if code != 0 {
		t.Fatal(stderr)
	}
	if !strings.Contains(stdout, filepath.Join(out, "partner-001.zip")) {
		t.Errorf("stdout %q", stdout)
	}
	zr, err := zip.OpenReader(filepath.Join(out, "partner-001.zip"))
	if err != nil {
		t.Fatal(err)
	}
	defer zr.Close()
	var names []string
	for _, f := range zr.File {
		names = append(names, f.Name)
	}
	want := "partner-001/README.md partner-001/partner-001.postman_collection.json partner-001/partner-001.postman_environment.json partner-001/client.yaml"
	if strings.Join(names, " ") != want {
		t.Errorf("entries %q", names)
	}
	st, _ := os.Stat(filepath.Join(out, "partner-001.zip"))
	if st.Mode().Perm() != 0o644 {
		t.Errorf("zip mode %v", st.Mode())
	}
}

func TestKitProgressOnlyOnTerminal(t *testing.T) {
	if newKitProgress(&bytes.Buffer{}, 10) != nil {
		t.Error("a progress bar on a buffer")
	}
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	if newKitProgress(w, 10) != nil {
		t.Error("a progress bar on a pipe")
	}
}
