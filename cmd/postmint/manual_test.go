package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestManualPage renders `postmint completion man` with man, as a newcomer reads it
// (`postmint completion man | man -l -`): the examples as typed, no line justified into gaps,
// and the ENVIRONMENT and EXIT STATUS sections with every POSTMINT_ variable the code reads
// and the exit codes 0, 1 and 2.
func TestManualPage(t *testing.T) {
	var stdout, stderr bytes.Buffer
	if code := Run([]string{"postmint", "completion", "man"}, &stdout, &stderr); code != 0 {
		t.Fatalf("completion man: exit %d: %s", code, stderr.String())
	}
	roff := stdout.String()
	for _, want := range []string{".SH ENVIRONMENT", ".SH EXIT STATUS", ".SH COMMANDS"} {
		if !strings.Contains(roff, want) {
			t.Errorf("the manual has no %q", want)
		}
	}
	// Every POSTMINT_ variable the commands read is in ENVIRONMENT.
	env := roff[strings.Index(roff, ".SH ENVIRONMENT"):]
	srcs, _ := filepath.Glob("*.go")
	seen := 0
	for _, f := range srcs {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range regexp.MustCompile(`"(POSTMINT_[A-Z_]+)"`).FindAllStringSubmatch(string(data), -1) {
			seen++
			if !strings.Contains(env, name[1]) {
				t.Errorf("%s reads %s; the manual's ENVIRONMENT does not list it", f, name[1])
			}
		}
	}
	if seen < 3 {
		t.Errorf("found %d POSTMINT_ variables in the sources; the search is broken", seen)
	}
	status := roff[strings.Index(roff, ".SH EXIT STATUS"):]
	for _, code := range []string{"0", "1", "2"} {
		if !strings.Contains(status, `\fB`+code+`\fP`) {
			t.Errorf("EXIT STATUS does not describe exit code %s", code)
		}
	}

	manBin, err := exec.LookPath("man")
	if err != nil {
		t.Skip("man is not installed (Debian: apt-get install man-db); the roff was checked, not its rendering")
	}
	cmd := exec.Command(manBin, "-l", "-")
	cmd.Stdin = strings.NewReader(roff)
	cmd.Env = append(os.Environ(), "MANWIDTH=80", "MANPAGER=cat", "PAGER=cat", "LC_ALL=C.UTF-8")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("man -l -: %v", err)
	}
	page := string(out)
	for _, l := range strings.Split(page, "\n") {
		// Two spaces after a full stop are groff's sentence spacing; any other gap is
		// justification. The header and footer lines are spaced by design.
		text := strings.ReplaceAll(strings.TrimLeft(l, " "), ".  ", ". ")
		if strings.Contains(text, "  ") && !strings.Contains(text, "#") && !strings.HasPrefix(text, "postmint(1)") {
			t.Errorf("a justified line (words spread apart): %q", l)
		}
		if strings.HasSuffix(l, "\u2010") { // groff's hyphenation hyphen
			t.Errorf("a hyphenated line: %q", l)
		}
	}
	if !strings.Contains(page, "postmint generate -c testdata/definitions/duende.yaml -k testdata/keys/rsa2048.pkcs8.pem -o out") {
		t.Errorf("the first example is not shown as typed:\n%s", page)
	}
}
