package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestArchitectureTableIsCurrent: the measured table in docs/architecture.md is what
// `go run ./scripts/astsize -table` prints for the tree as it is, so its figures cannot go
// stale: a change that moves them fails here until `go run ./scripts/astsize -update`.
func TestArchitectureTableIsCurrent(t *testing.T) {
	if _, err := exec.LookPath("duplicates"); err != nil {
		t.Skip("duplicates is not on PATH")
	}
	root := filepath.Join("..", "..")
	doc, err := os.ReadFile(filepath.Join(root, "docs", "architecture.md"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := measure(root)
	if err != nil {
		t.Fatal(err)
	}
	fixed, err := replaceTable(string(doc), want)
	if err != nil {
		t.Fatal(err)
	}
	if fixed != string(doc) {
		t.Errorf("docs/architecture.md's measured table is stale; run: go run ./scripts/astsize -update\nwant:\n%s", want)
	}
}

// TestTableCounts: Table counts lines, files and functions of a small module of its own, and
// skips tests, testdata and nested modules.
func TestTableCounts(t *testing.T) {
	dir := t.TempDir()
	write := writer(t, dir)
	write("go.mod", "module x\n")
	write("cmd/x/main.go", "package main\n\nfunc main() {\n\tlong()\n}\n\nfunc long() {\n\t_ = 1\n\t_ = 2\n}\n")
	write("generator/g.go", "package generator\n\ntype T struct{}\n\nfunc (*T) M() {}\n")
	write("generator/g_test.go", "package generator\n\nfunc helper() {\n\n\n\n\n\n\n\n}\n")
	write("generator/testdata/t.go", "package t\n")
	write("nested/go.mod", "module y\n")
	write("nested/n.go", "package n\n")
	got, err := Table(dir, "3 (of 9 in all)", "7, 2 of them postmint's")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"| `cmd/x` | 1 | 10 | main.go `long` 4 |\n",
		"| `generator` | 1 | 5 | g.go `T.M` 1 |\n",
		"| all | 2 | 15 | |\n",
		"Longest functions in `cmd/`: cmd/x/main.go `long` 4, cmd/x/main.go `main` 3.",
		"non-test code (both sides outside `_test.go` and `testdata/`): 3 (of 9 in all).",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("table lacks %q:\n%s", want, got)
		}
	}
	if strings.Contains(got, "nested") || strings.Contains(got, "helper") || strings.Contains(got, "generator/testdata") {
		t.Errorf("table counts what it should skip:\n%s", got)
	}
}

// writer returns a function that writes a file of a test module under dir.
func writer(t *testing.T, dir string) func(rel, text string) {
	return func(rel, text string) {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
