//go:build unix

package main

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/postmint/postmint/internal/e2e"
)

// TestTour runs the README's five-minute tour as a newcomer would: testdata/e2e/tour.sh starts
// the test provider with a client for a fresh key and prints two commands; those commands, run
// as printed, generate a collection and run it in Newman, which gets a token and calls the API
// as the tour's client. Ctrl-C (SIGINT) stops the script and the provider.
func TestTour(t *testing.T) {
	if testing.Short() {
		t.Skip("end-to-end: starts the OpenID provider and runs Newman")
	}
	t.Parallel()
	e2e.RequireHarness(t)
	bin := buildPostmint(t)
	root, err := filepath.Abs("../..")
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	script := exec.Command("bash", "testdata/e2e/tour.sh", dir)
	script.Dir = root
	script.Env = binEnv("POSTMINT=" + bin)
	script.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	stdout, err := script.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	var stderr strings.Builder
	script.Stderr = &stderr
	if err := script.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	t.Cleanup(func() {
		syscall.Kill(-script.Process.Pid, syscall.SIGKILL)
	})

	// Read up to the last line of its instructions; the commands are the indented lines.
	lines := make(chan string)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
		io.Copy(io.Discard, stdout)
	}()
	var commands, text []string
	deadline := time.After(2 * time.Minute)
read:
	for {
		select {
		case l, ok := <-lines:
			if !ok {
				t.Fatalf("tour.sh ended early:\n%s\nstderr:\n%s", strings.Join(text, "\n"), stderr.String())
			}
			text = append(text, l)
			if strings.HasPrefix(l, "  ") {
				commands = append(commands, strings.TrimSpace(l))
			}
			if strings.Contains(l, "Ctrl-C stops the provider") {
				break read
			}
		case <-deadline:
			t.Fatalf("tour.sh printed no instructions in 2 minutes:\n%s\nstderr:\n%s", strings.Join(text, "\n"), stderr.String())
		}
	}
	if len(commands) != 2 || !strings.HasPrefix(commands[0], bin+" generate ") || !strings.Contains(commands[1], "newman run ") {
		t.Fatalf("want the generate and newman commands, got %q", commands)
	}

	// The two commands exactly as printed, from the repository root.
	for _, c := range commands {
		cmd := exec.Command("bash", "-c", c)
		cmd.Dir = root
		cmd.Env = binEnv()
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%s: %v\n%s", c, err, out)
		}
		if strings.Contains(c, "newman run") {
			for _, want := range []string{"Get token", "token endpoint returned a token", "Who am I", "/api/whoami [200 OK"} {
				if !strings.Contains(string(out), want) {
					t.Errorf("newman output lacks %q:\n%s", want, out)
				}
			}
		}
	}
	// doctor on the tour's definition checks everything, metadata and audience included (the
	// definition names the issuer), and nothing is skipped.
	doc := exec.Command(bin, "doctor", "-c", filepath.Join(dir, "tour.yaml"))
	doc.Env = binEnv()
	if out, err := doc.CombinedOutput(); err != nil || strings.Contains(string(out), "SKIP") ||
		!strings.Contains(string(out), "PASS  metadata") || !strings.Contains(string(out), "PASS  audience") {
		t.Errorf("doctor on the tour's definition: %v\n%s", err, out)
	}
	if data, err := os.ReadFile(filepath.Join(dir, "tour.key.pem")); err != nil || !strings.Contains(string(data), "PRIVATE KEY") {
		t.Errorf("the tour's key is not in %s: %v", dir, err)
	}

	// Ctrl-C stops it, provider included.
	go func() { done <- script.Wait() }()
	syscall.Kill(-script.Process.Pid, syscall.SIGINT)
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("tour.sh after Ctrl-C: %v\n%s", err, stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("tour.sh did not stop on Ctrl-C")
	}
}
