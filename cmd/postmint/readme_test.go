package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestREADMEFirstCommand runs the README's first command (the main job on the bundled
// example) as written, so the README cannot drift from the code.
func TestREADMEFirstCommand(t *testing.T) {
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	var line string
	for _, l := range strings.Split(string(data), "\n") {
		if strings.HasPrefix(l, "go run ./cmd/postmint ") {
			line = l
			break
		}
	}
	if line == "" {
		t.Fatal("README has no `go run ./cmd/postmint ...` line")
	}
	args := strings.Fields(strings.TrimPrefix(line, "go run ./cmd/postmint "))
	out := t.TempDir()
	for i := range args {
		if i > 0 && (args[i-1] == "-o" || args[i-1] == "--out") {
			args[i] = out
		}
	}
	root, _ := filepath.Abs("../..")
	t.Chdir(root)
	var stdout, stderr bytes.Buffer
	if code := Run(append([]string{"postmint"}, args...), &stdout, &stderr); code != 0 {
		t.Fatalf("postmint %s: exit %d: %s", strings.Join(args, " "), code, stderr.String())
	}
	for _, p := range strings.Fields(stdout.String()) {
		if _, err := os.Stat(p); err != nil {
			t.Errorf("README command printed %s but it is not there: %v", p, err)
		}
	}
	if n := len(strings.Fields(stdout.String())); n != 2 {
		t.Errorf("README command wrote %d files, want 2", n)
	}
}
