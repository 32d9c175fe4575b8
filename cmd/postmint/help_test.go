package main

import (
	"bytes"
	"io"
	"regexp"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"
)

// keySourceExtras are flags every key-reading command shares; usage lines leave them to
// --help's list (they would double every line's length).
var keySourceExtras = map[string]bool{"key-password-file": true, "store-password-file": true, "key-alias": true, "help": true}

// placeholder is the value name --help shows for a flag: the `quoted` word of its usage.
func placeholder(f cli.Flag) string {
	u, ok := f.(interface{ GetUsage() string })
	if !ok {
		return ""
	}
	if _, rest, ok := strings.Cut(u.GetUsage(), "`"); ok {
		name, _, _ := strings.Cut(rest, "`")
		return name
	}
	return ""
}

// TestHelpMatchesBehaviour: each command's usage line names its flags with the value names
// --help lists them with, no flag's value is called "value", no default is printed twice,
// and refresh does not offer the -c it refuses.
func TestHelpMatchesBehaviour(t *testing.T) {
	app := newApp(io.Discard, io.Discard)
	longFlag := regexp.MustCompile(`--([a-z0-9-]+)(?: ([A-Z][A-Z|]*))?`)
	for _, c := range app.Commands {
		if c.Hidden {
			continue
		}
		byName := map[string]cli.Flag{}
		for _, f := range c.Flags {
			for _, n := range f.Names() {
				byName[n] = f
			}
		}
		for _, m := range longFlag.FindAllStringSubmatch(c.UsageText, -1) {
			f, ok := byName[m[1]]
			if !ok {
				t.Errorf("%s: usage line names --%s, which is not a flag", c.Name, m[1])
				continue
			}
			if m[2] != "" && strings.Split(m[2], "|")[0] != placeholder(f) {
				t.Errorf("%s: usage line says --%s %s, --help says %s", c.Name, m[1], m[2], placeholder(f))
			}
		}
		for _, f := range c.Flags {
			if vf, ok := f.(cli.VisibleFlag); ok && !vf.IsVisible() {
				continue
			}
			n := f.Names()[0]
			if keySourceExtras[n] {
				continue
			}
			if !strings.Contains(c.UsageText, "--"+n) && !strings.Contains(c.UsageText, "-"+shortName(f)+" ") {
				t.Errorf("%s: usage line %q leaves out --%s", c.Name, c.UsageText, n)
			}
		}

		var out bytes.Buffer
		if code := Run([]string{"postmint", c.Name, "--help"}, &out, io.Discard); code != 0 {
			t.Fatalf("%s --help: exit %d", c.Name, code)
		}
		help := out.String()
		if regexp.MustCompile(`--[a-z-]+ value`).MatchString(help) {
			t.Errorf("%s --help calls a value \"value\":\n%s", c.Name, help)
		}
		for _, l := range strings.Split(help, "\n") {
			if strings.Count(l, "(default:") > 1 {
				t.Errorf("%s --help: two defaults on one line: %s", c.Name, l)
			}
		}
		if c.Name == "refresh" && strings.Contains(help, "--client") {
			t.Errorf("refresh --help offers --client, which refresh refuses")
		}
	}
}

func shortName(f cli.Flag) string {
	for _, n := range f.Names() {
		if len(n) == 1 {
			return n
		}
	}
	return "\x00"
}

// TestManSection: the manual page is section 1 (user commands), as `postmint.1` says.
func TestManSection(t *testing.T) {
	var out bytes.Buffer
	if code := Run([]string{"postmint", "completion", "man"}, &out, io.Discard); code != 0 {
		t.Fatal(code)
	}
	if !strings.Contains(out.String(), "\n.TH postmint 1\n") {
		t.Errorf("man page header: %q", out.String()[:min(40, out.Len())])
	}
}

func TestUnknownCommandSuggests(t *testing.T) {
	for _, tc := range []struct{ typed, want string }{
		{"genrate", `postmint: unknown command "genrate"; did you mean "generate"?`},
		{"refersh", `postmint: unknown command "refersh"; did you mean "refresh"?`},
		{"presest", `postmint: unknown command "presest"; did you mean "presets"?`},
		{"xyzzy", `postmint: unknown command "xyzzy"`},
	} {
		var out, errb bytes.Buffer
		code := Run([]string{"postmint", tc.typed, "-c", "a.yaml"}, &out, &errb)
		if first, _, _ := strings.Cut(errb.String(), "\n"); code != 2 || first != tc.want || out.Len() != 0 {
			t.Errorf("%s: exit %d, stderr %q, stdout %q; want exit 2, %q", tc.typed, code, errb.String(), out.String(), tc.want)
		}
	}
}

// An unknown flag after an argument is a usage error (exit 2) naming the flag.
func TestFlagsAfterArgsUsageError(t *testing.T) {
	var out, errb bytes.Buffer
	code := Run([]string{"postmint", "kit", "a.yaml", "-o", t.TempDir(), "--zipp"}, &out, &errb)
	if code != 2 || !strings.HasPrefix(errb.String(), "postmint: kit: unknown flag --zipp; did you mean --zip?\n") || out.Len() != 0 {
		t.Errorf("exit %d, stdout %q, stderr %q", code, out.String(), errb.String())
	}
}
