package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"

	"github.com/postmint/postmint/internal/clihelp"
)

// docFiles are the README and every page under docs/.
func docFiles(t *testing.T) []string {
	t.Helper()
	pages, err := filepath.Glob("../../docs/*.md")
	if err != nil || len(pages) == 0 {
		t.Fatalf("no docs/*.md pages (%v)", err)
	}
	return append([]string{"../../README.md"}, pages...)
}

// shellBlock is one fenced ```sh (or bash) block of a Markdown file.
type shellBlock struct {
	file    string
	indent  string // of the opening fence, removed from each line
	line    int    // of the opening fence
	section string // the heading above it
	text    string
}

var fence = regexp.MustCompile("^\\s*```(\\w*)\\s*$")

// blocks returns a file's fenced blocks of language lang (several languages separated by "|").
func blocks(t *testing.T, file, lang string) []shellBlock {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var out []shellBlock
	var cur *shellBlock
	section := ""
	for i, l := range strings.Split(string(data), "\n") {
		m := fence.FindStringSubmatch(l)
		switch {
		case cur != nil && m != nil && m[1] == "":
			out = append(out, *cur)
			cur = nil
		case cur != nil:
			cur.text += strings.TrimPrefix(l, cur.indent) + "\n"
		case m != nil && m[1] != "":
			if strings.Contains("|"+lang+"|", "|"+m[1]+"|") {
				cur = &shellBlock{file: file, line: i + 1, section: section, indent: l[:len(l)-len(strings.TrimLeft(l, " "))]}
			} else {
				cur = &shellBlock{file: file, line: i + 1, section: "\x00skip"}
			}
		case strings.HasPrefix(l, "#"):
			section = strings.TrimSpace(strings.TrimLeft(l, "#"))
		}
	}
	var kept []shellBlock
	for _, b := range out {
		if b.section != "\x00skip" {
			kept = append(kept, b)
		}
	}
	return kept
}

// postmintCommands returns the postmint invocations of a shell block, as argument lists
// (without the program name): lines joined at a trailing backslash, comments dropped, pipes,
// && and ; split, VAR=value prefixes and redirections left out, "go run ./cmd/postmint" read
// as postmint.
func postmintCommands(text string) [][]string {
	text = strings.ReplaceAll(text, "\\\n", " ")
	var cmds [][]string
	for _, line := range strings.Split(text, "\n") {
		words := shellWords(line)
		var seg []string
		flush := func() {
			for len(seg) > 0 && strings.Contains(seg[0], "=") && !strings.HasPrefix(seg[0], "-") {
				seg = seg[1:]
			}
			if len(seg) >= 3 && seg[0] == "go" && seg[1] == "run" && seg[2] == "./cmd/postmint" {
				seg = append([]string{"postmint"}, seg[3:]...)
			}
			if len(seg) > 0 && seg[0] == "postmint" {
				cmds = append(cmds, seg[1:])
			}
			seg = nil
		}
		for i := 0; i < len(words); i++ {
			switch w := words[i]; {
			case w == "|" || w == "&&" || w == ";" || w == "||":
				flush()
			case w == ">" || w == "<" || w == "2>" || w == ">>":
				i++ // and its file
			case strings.HasPrefix(w, "#"):
				i = len(words)
			default:
				seg = append(seg, w)
			}
		}
		flush()
	}
	return cmds
}

// shellWords splits a line into words the way sh would for these examples: quotes group,
// $(...) stays one word, operators are words of their own.
func shellWords(line string) []string {
	var words []string
	var b strings.Builder
	inWord := false
	depth := 0
	var quote rune
	emit := func() {
		if inWord {
			words = append(words, b.String())
		}
		b.Reset()
		inWord = false
	}
	rs := []rune(line)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			} else {
				b.WriteRune(r)
			}
		case depth > 0:
			b.WriteRune(r)
			if r == '(' {
				depth++
			} else if r == ')' {
				depth--
			}
		case r == '\'' || r == '"':
			quote, inWord = r, true
		case r == '$' && i+1 < len(rs) && rs[i+1] == '(':
			b.WriteString("$(")
			i++
			depth, inWord = 1, true
		case r == ' ' || r == '\t':
			emit()
		case r == '|' || r == ';' || r == '<' || r == '>' || (r == '&' && i+1 < len(rs) && rs[i+1] == '&'):
			if r == '>' && inWord && b.String() == "2" {
				b.Reset()
				inWord = false
				words = append(words, "2>")
				continue
			}
			emit()
			op := string(r)
			if i+1 < len(rs) && (rs[i+1] == r) {
				op += string(r)
				i++
			}
			words = append(words, op)
		default:
			b.WriteRune(r)
			inWord = true
		}
	}
	emit()
	return words
}

// TestDocsCommandsParse runs every postmint command shown in a ```sh block of the README and
// docs/ through the real command line with the actions switched off: the command exists,
// every flag exists for it and has its value. A renamed flag or command fails here.
func TestDocsCommandsParse(t *testing.T) {
	n := 0
	for _, f := range docFiles(t) {
		for _, b := range blocks(t, f, "sh|bash|console") {
			for _, args := range postmintCommands(b.text) {
				n++
				var stderr bytes.Buffer
				app := newApp(io.Discard, &stderr)
				for _, c := range app.Commands {
					c.Action = func(*cli.Context) error { return nil }
				}
				full := append([]string{"postmint"}, args...)
				if err := app.RunContext(context.Background(), clihelp.FlagsFirst(app, full)); err != nil {
					t.Errorf("%s:%d (%s): postmint %s: %v", filepath.Base(b.file), b.line, b.section, strings.Join(args, " "), err)
				}
			}
		}
	}
	if n < 20 {
		t.Errorf("found only %d postmint commands in the README and docs/; the extraction is broken", n)
	}
}

// TestREADMEQuickStart follows the README's Quick start in an empty folder, as written: the
// keygen and generate commands of its ```sh blocks, with its ```yaml block as the definition
// it names, then the CI section's `generate --no-key` line, which needs no key.
func TestREADMEQuickStart(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	var sh []shellBlock
	var def string
	for _, b := range blocks(t, "../../README.md", "sh") {
		if b.section == "Quick start" || b.section == "In CI" {
			sh = append(sh, b)
		}
	}
	for _, b := range blocks(t, "../../README.md", "yaml") {
		if b.section == "Quick start" {
			def = b.text
		}
	}
	if len(sh) < 3 || def == "" {
		t.Fatalf("README Quick start: %d sh blocks and definition %q; the layout changed", len(sh), def)
	}
	dir := t.TempDir()
	t.Chdir(dir)
	t.Setenv(envPrivateKey, "")
	var defName, keygenStderr string
	ran := map[string]bool{}
	for _, b := range sh {
		for _, args := range postmintCommands(b.text) {
			if args[0] != "keygen" && args[0] != "generate" {
				continue // refresh and the runners need a real token endpoint
			}
			for i := range args {
				if i > 0 && args[i-1] == "-c" {
					defName = args[i]
				}
			}
			if defName != "" {
				if err := os.WriteFile(defName, []byte(def), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			var stdout, stderr bytes.Buffer
			if code := Run(append([]string{"postmint"}, args...), &stdout, &stderr); code != 0 {
				t.Fatalf("README %s: postmint %s: exit %d\n%s", b.section, strings.Join(args, " "), code, stderr.String())
			}
			if args[0] == "keygen" {
				keygenStderr = stderr.String()
			}
			for _, p := range strings.Fields(stdout.String()) {
				if _, err := os.Stat(p); err != nil {
					t.Errorf("postmint %s printed %s, which is not there", strings.Join(args, " "), p)
				}
			}
			ran[b.section+" "+args[0]] = true
		}
	}
	for _, want := range []string{"Quick start keygen", "Quick start generate", "In CI generate"} {
		if !ran[want] {
			t.Errorf("README: no %q command ran (ran %v)", want, ran)
		}
	}
	env, err := os.ReadFile(filepath.Join(dir, "postman", "acme-orders-test.postman_environment.json"))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(env, []byte("PRIVATE KEY")) {
		t.Errorf("the CI recipe's environment holds the private key")
	}
	// Step 4 selects the environment by the name generate gives it.
	sel := regexp.MustCompile(`select the environment \*([^*]+)\*`).FindSubmatch(readme)
	if sel == nil {
		t.Fatal("the README's Quick start no longer says which environment to select")
	}
	if want := `"name": "` + string(sel[1]) + `"`; !bytes.Contains(env, []byte(want)) {
		t.Errorf("the README says to select the environment %q; generate named it otherwise", sel[1])
	}
	// keygen's kid is the one the definition carries, so assertions name the registered key.
	if !strings.Contains(keygenStderr, "kid "+quickStartKid(t, def)+":") {
		t.Errorf("keygen does not print the kid the Quick-start definition carries (%q):\n%s", quickStartKid(t, def), keygenStderr)
	}
	if !bytes.Contains(env, []byte(`"value": "`+quickStartKid(t, def)+`"`)) {
		t.Errorf("the environment does not carry the definition's kid %q", quickStartKid(t, def))
	}
}

// quickStartKid is the kid: of the README's Quick-start definition.
func quickStartKid(t *testing.T, def string) string {
	t.Helper()
	m := regexp.MustCompile(`(?m)^kid: (\S+)$`).FindStringSubmatch(def)
	if m == nil {
		t.Fatalf("the README's Quick-start definition has no kid:\n%s", def)
	}
	return m[1]
}

// TestREADMEKitExample runs the README's kit example (`postmint kit -c acme.yaml globex.yaml
// -o kits`) on the README's own Quick-start definition, with globex.yaml the same definition
// for another partner: it needs no alg: (issue 23: it failed with "alg: missing").
func TestREADMEKitExample(t *testing.T) {
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile("`postmint (kit -c acme.yaml [^`]*)`").FindSubmatch(data)
	if m == nil {
		t.Fatal("the README shows no `postmint kit …` example")
	}
	var def string
	for _, b := range blocks(t, "../../README.md", "yaml") {
		if b.section == "Quick start" {
			def = b.text
		}
	}
	t.Chdir(t.TempDir())
	globex := strings.NewReplacer("Acme", "Globex", "acme", "globex").Replace(def)
	if err := os.WriteFile("acme.yaml", []byte(def), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile("globex.yaml", []byte(globex), 0o644); err != nil {
		t.Fatal(err)
	}
	args := strings.Fields(string(m[1]))
	var stdout, stderr bytes.Buffer
	if code := Run(append([]string{"postmint"}, args...), &stdout, &stderr); code != 0 {
		t.Fatalf("README: postmint %s: exit %d\n%s", m[1], code, stderr.String())
	}
	if n := len(strings.Fields(stdout.String())); n != 2 {
		t.Errorf("postmint %s wrote %d kits, want 2:\n%s", m[1], n, stdout.String())
	}
	// The kit's environment has the name generate gives it (the name the README selects).
	kitEnv, err := os.ReadFile(filepath.Join(strings.Fields(stdout.String())[0], "acme-orders-test.postman_environment.json"))
	if err != nil || !bytes.Contains(kitEnv, []byte(`"name": "Acme Orders (test)"`)) {
		t.Errorf("the kit's environment is not named \"Acme Orders (test)\" (%v)", err)
	}
}

// TestCIRunsTheREADMETestCommand: .ci/run runs the README's second command (all the tests)
// exactly as the README shows it, so the README's promise is what CI checks.
func TestCIRunsTheREADMETestCommand(t *testing.T) {
	b := blocks(t, "../../README.md", "sh")
	if len(b) == 0 {
		t.Fatal("README has no sh block")
	}
	var testCmd string
	for _, l := range strings.Split(b[0].text, "\n") {
		if strings.Contains(l, "go test") {
			testCmd = strings.TrimSpace(l)
		}
	}
	ci, err := os.ReadFile("../../.ci/run")
	if err != nil {
		t.Fatal(err)
	}
	if testCmd == "" || !strings.Contains("\n"+string(ci)+"\n", "\n"+testCmd+"\n") {
		t.Errorf("the README's first block has the test command %q; .ci/run does not run it as a line of its own", testCmd)
	}
}

// TestREADMEInstallsNewman: a README that shows `newman run` to a user also shows how to
// install Newman before it (the tour's Newman is the test harness's, under testdata/).
func TestREADMEInstallsNewman(t *testing.T) {
	data, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	install := strings.Index(text, "npm install -g newman@6")
	for i, l := range strings.Split(text, "\n") {
		at := strings.Index(text, l)
		if !strings.Contains(l, "newman run ") || strings.Contains(l, "testdata/e2e/node_modules") {
			continue
		}
		if install < 0 || install > at {
			t.Errorf("README.md:%d runs Newman (%s) before any line installs it", i+1, strings.TrimSpace(l))
		}
	}
}
