package clihelp

import (
	"errors"
	"fmt"
	"io"
	"strings"
	"testing"

	"github.com/urfave/cli/v2"
)

// testApp is an app called "tool" whose commands take flags the way postmint's kit, verify,
// presets and generate do: string flags with short names, bools, an int.
func testApp() *cli.App {
	app := &cli.App{
		Name: "tool", Usage: "a tool", Writer: io.Discard, ErrWriter: io.Discard,
		Flags: []cli.Flag{cli.HelpFlag},
		Commands: []*cli.Command{
			{Name: "kit", Flags: []cli.Flag{
				&cli.StringSliceFlag{Name: "client", Aliases: []string{"c"}},
				&cli.StringFlag{Name: "out", Aliases: []string{"o"}, Usage: "output `DIR`"},
				&cli.BoolFlag{Name: "zip"},
				&cli.IntFlag{Name: "jobs", Aliases: []string{"j"}},
			}},
			{Name: "verify", Flags: []cli.Flag{
				&cli.StringFlag{Name: "jwks"},
				&cli.StringFlag{Name: "key"},
				&cli.StringFlag{Name: "client", Aliases: []string{"c"}},
			}},
			{Name: "presets"},
			{Name: "generate", Flags: []cli.Flag{
				&cli.StringFlag{Name: "client", Aliases: []string{"c"}},
				&cli.StringFlag{Name: "out", Aliases: []string{"o"}},
				&cli.StringFlag{Name: "alg"},
				&cli.StringFlag{Name: "secret", Hidden: true},
				&cli.BoolFlag{Name: "no-key"},
			}},
			CompletionCommand("tool", Manual{}),
			HelpCommand("tool"),
		},
	}
	Install(app)
	return app
}

func TestFlagsFirst(t *testing.T) {
	app := testApp()
	for _, tc := range []struct{ in, want string }{
		{"kit -c a.yaml b.yaml -o OUT", "kit -c a.yaml -o OUT b.yaml"},
		{"kit a.yaml b.yaml -o OUT --zip -j 2", "kit -o OUT --zip -j 2 a.yaml b.yaml"},
		{"kit a.yaml --out=OUT b.yaml", "kit --out=OUT a.yaml b.yaml"},
		{"kit -o OUT -- a.yaml --zip", "kit -o OUT -- a.yaml --zip"},
		{"kit a.yaml -o OUT -- -b.yaml", "kit -o OUT -- a.yaml -b.yaml"},
		{"verify - --jwks k.json -c a.yaml", "verify --jwks k.json -c a.yaml -"},
		{"verify eyJx --key pub.pem", "verify --key pub.pem eyJx"},
		{"presets duende --help", "presets --help"},
		{"generate -c a.yaml -o out", "generate -c a.yaml -o out"},
		{"--version", "--version"},
		{"genrate -c a.yaml x", "genrate -c a.yaml x"},
		// The completion flag must stay last, where urfave/cli looks for it.
		{"kit a.yaml -c --generate-bash-completion", "kit a.yaml -c --generate-bash-completion"},
	} {
		got := strings.Join(FlagsFirst(app, append([]string{"tool"}, strings.Fields(tc.in)...))[1:], " ")
		if got != tc.want {
			t.Errorf("%s\n got %s\nwant %s", tc.in, got, tc.want)
		}
	}
}

// TestCompletionsFromCandidates: what only the app knows comes from its Candidates (a command
// listed with none completes files, a flag's values from FlagValues); the rest from the app.
func TestCompletionsFromCandidates(t *testing.T) {
	app := testApp()
	cand := Candidates{
		Args: map[string][]string{"presets": {"duende", "okta"}, "kit": nil},
		FlagValues: func(command, flag string) []string {
			if command == "generate" && flag == "alg" {
				return []string{"ES256"}
			}
			return nil
		},
	}
	for _, tc := range []struct{ words, want string }{
		{"", "kit verify presets generate completion help"},
		{"--he", "--help --version"},
		{"presets", "duende okta"},
		{"kit", ""},
		{"verify", "--jwks --key --client --help -c -h"},
		{"generate --no", "--client --out --alg --no-key --help -c -o -h"},
		{"generate --alg", "ES256"},
		{"generate -c", ""},
		{"help", "kit verify presets generate completion help"},
		{"completion", "bash zsh fish powershell man"},
		{"nope", ""},
	} {
		var b strings.Builder
		Complete(app, strings.Fields(tc.words), &b, cand)
		if got := strings.Join(strings.Fields(b.String()), " "); got != tc.want {
			t.Errorf("%q: got %q, want %q", tc.words, got, tc.want)
		}
	}
	var b strings.Builder
	Complete(app, []string{"generate", "--alg"}, &b, Candidates{})
	if b.Len() != 0 {
		t.Errorf("no FlagValues: got %q, want file names (nothing)", b.String())
	}
}

// TestUsageErrorsSuggest: an unknown flag or command is a UsageError that names it as typed and
// the nearest one, and the command it was given to.
func TestUsageErrorsSuggest(t *testing.T) {
	for _, tc := range []struct{ args, msg, cmd string }{
		{"kit --zipp", "kit: unknown flag --zipp; did you mean --zip?", "kit"},
		{"generate --no-kye", "generate: unknown flag --no-kye; did you mean --no-key?", "generate"},
		{"generate --secert", "generate: unknown flag --secert", "generate"},
		{"--hepl", "unknown flag --hepl; did you mean --help?", ""},
		{"genrate", `unknown command "genrate"; did you mean "generate"?`, ""},
		{"xyzzy", `unknown command "xyzzy"`, ""},
		{"help presest", `help: unknown command "presest"; did you mean "presets"?`, ""},
		{"help a b", "help takes at most one COMMAND (got 2)", ""},
		{"completion tcsh", `completion: unknown shell "tcsh"; use bash, zsh, fish, powershell or man`, ""},
	} {
		app := testApp()
		err := app.Run(append([]string{"tool"}, strings.Fields(tc.args)...))
		ue, ok := err.(*UsageError)
		if !ok {
			t.Errorf("%s: %v (%T), want a *UsageError", tc.args, err, err)
			continue
		}
		if ue.Msg != tc.msg || ue.Command != tc.cmd {
			t.Errorf("%s: got %q for %q, want %q for %q", tc.args, ue.Msg, ue.Command, tc.msg, tc.cmd)
		}
	}
	if got := CommandOf(testApp(), []string{"tool", "-x", "kit", "a"}); got != "kit" {
		t.Errorf("CommandOf: %q", got)
	}
}

// TestScriptsAndManualNameTheApp: the completion scripts and the manual page are the app's,
// by its name, with nothing of postmint's left in them.
func TestScriptsAndManualNameTheApp(t *testing.T) {
	for _, shell := range []string{"bash", "zsh", "fish", "powershell", "man"} {
		app := testApp()
		var out strings.Builder
		app.Writer = &out
		if err := app.Run([]string{"tool", "completion", shell}); err != nil {
			t.Fatalf("%s: %v", shell, err)
		}
		if s := out.String(); strings.Contains(s, "postmint") || strings.Contains(s, "APP") || !strings.Contains(s, "tool") {
			t.Errorf("%s: the script does not name the app alone:\n%s", shell, s)
		}
	}
}

// TestReport: the exit code and the lines for no error, a usage error (with where to read the
// usage) and a hinted error (hint and other causes), each on one line.
func TestReport(t *testing.T) {
	app := testApp()
	for _, tc := range []struct {
		name string
		err  error
		args []string
		code int
		want string
	}{
		{"none", nil, nil, 0, ""},
		{"usage", Usagef("give A or B,\nnot both"), []string{"tool", "kit"}, 2, "tool: give A or B, not both\nRun 'tool kit --help' for usage.\n"},
		{"usage without command", Usagef("what?"), []string{"tool"}, 2, "tool: what?\nRun 'tool help' or 'tool help <command>' for usage.\n"},
		{"plain", errors.New("it broke"), nil, 1, "tool: it broke\n"},
		{"hinted", &Hinted{Err: errors.New("refused"), Hint: "check the\naudience", Causes: []string{"the kid", "the clock"}}, nil, 1,
			"tool: refused\nhint: check the audience\nother possible causes:\n  - the kid\n  - the clock\n"},
		{"wrapped hint", fmt.Errorf("outer: %w", WithHint(errors.New("inner"), "do this")), nil, 1, "tool: outer: inner\nhint: do this\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var b strings.Builder
			if code := Report(app, tc.args, tc.err, &b); code != tc.code || b.String() != tc.want {
				t.Errorf("Report = %d %q, want %d %q", code, b.String(), tc.code, tc.want)
			}
		})
	}
}

// TestNoArgs: a command with NoArgs refuses an argument as a usage error naming it (and the
// hint), and runs without one.
func TestNoArgs(t *testing.T) {
	ran := false
	app := &cli.App{Name: "tool", Writer: io.Discard, ErrWriter: io.Discard, Commands: []*cli.Command{
		{Name: "make", Before: NoArgs("give the file with -f"), Action: func(*cli.Context) error { ran = true; return nil }},
	}}
	err := app.Run([]string{"tool", "make", "extra"})
	var ue *UsageError
	if !errors.As(err, &ue) || ue.Msg != `make takes no arguments (got "extra"); give the file with -f` || ue.Command != "make" || ran {
		t.Errorf("with an argument: %v (ran %v)", err, ran)
	}
	if err := app.Run([]string{"tool", "make"}); err != nil || !ran {
		t.Errorf("without: %v (ran %v)", err, ran)
	}
}
