package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/urfave/cli/v2"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "0.1.0-dev"

// usageError is a mistake in how the command was called: exit code 2. command is the command
// it was made to, when known, for the line that points at its --help.
type usageError struct{ msg, command string }

func (e *usageError) Error() string { return e.msg }

func usagef(format string, a ...any) error { return &usageError{msg: fmt.Sprintf(format, a...)} }

// hintError carries a second line that tells the user what to do, and optionally the other
// likely causes, printed under it.
type hintError struct {
	err    error
	hint   string
	causes []string
}

func (e *hintError) Error() string { return e.err.Error() }
func (e *hintError) Unwrap() error { return e.err }

func withHint(err error, hint string) error { return &hintError{err: err, hint: hint} }

// Run runs postmint with args and returns the exit code: 0 success, 1 failure, 2 usage error.
func Run(args []string, stdout, stderr io.Writer) int {
	app := newApp(stdout, stderr)
	if len(args) > 0 && args[len(args)-1] == completionFlag {
		complete(app, args[1:len(args)-1], stdout)
		return 0
	}
	err := app.RunContext(context.Background(), flagsFirst(app, args))
	if err == nil {
		return 0
	}
	var ue *usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(stderr, "postmint: %s\n", oneLine(ue.msg))
		if ue.command == "" {
			ue.command = commandOf(app, args)
		}
		if ue.command != "" && ue.command != "help" {
			fmt.Fprintf(stderr, "Run 'postmint %s --help' for usage.\n", ue.command)
		} else {
			fmt.Fprintf(stderr, "Run 'postmint help' or 'postmint help <command>' for usage.\n")
		}
		return 2
	}
	fmt.Fprintf(stderr, "postmint: %s\n", oneLine(err.Error()))
	var he *hintError
	if errors.As(err, &he) && he.hint != "" {
		fmt.Fprintf(stderr, "hint: %s\n", oneLine(he.hint))
		if len(he.causes) > 0 {
			fmt.Fprintf(stderr, "other possible causes:\n")
		}
		for _, c := range he.causes {
			fmt.Fprintf(stderr, "  - %s\n", oneLine(c))
		}
	}
	return 1
}

// commandOf is the command an argument list runs (its first argument that is not a flag), or "".
func commandOf(app *cli.App, args []string) string {
	for _, a := range args[min(1, len(args)):] {
		if isFlag(a) {
			continue
		}
		if c := app.Command(a); c != nil {
			return c.Name
		}
		return ""
	}
	return ""
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", " ")), " ")
}

func newApp(stdout, stderr io.Writer) *cli.App {
	onUsage := func(c *cli.Context, err error, _ bool) error { return usageFor(c, err) }
	app := &cli.App{
		Name:    "postmint",
		Usage:   "Postman collections and tokens for OAuth clients that authenticate with signed JWTs (RFC 7523, private_key_jwt)",
		Version: version,
		Description: `postmint reads an OAuth client definition and a private key and writes a Postman collection
and environment whose scripts sign client assertions offline, in the Postman app, the Postman CLI
and Newman. It mints the same assertions and tokens from Go for CI.

Examples:
   postmint generate -c testdata/definitions/duende.yaml -k testdata/keys/rsa2048.pkcs8.pem -o out
   postmint presets maskinporten`,
		Writer:                 stdout,
		ErrWriter:              stderr,
		HideHelpCommand:        true,
		UseShortOptionHandling: true,
		EnableBashCompletion:   true,
		OnUsageError:           onUsage,
		// urfave/cli adds --help only to an app without a command named help; postmint has
		// one (`postmint help [COMMAND]`), so the flag is added here.
		Flags:          []cli.Flag{cli.HelpFlag},
		ExitErrHandler: func(*cli.Context, error) {},
		Commands: []*cli.Command{
			generateCommand(),
			mintCommand(),
			tokenCommand(),
			refreshCommand(),
			keygenCommand(),
			kitCommand(),
			verifyCommand(),
			presetsCommand(),
			dpopCommand(),
			doctorCommand(),
			completionCommand(),
			helpCommand(),
		},
	}
	for _, c := range app.Commands {
		c.OnUsageError = onUsage
	}
	app.CommandNotFound = func(c *cli.Context, name string) {
		// urfave/cli has no error return here; After turns this into a usage error.
		c.App.Metadata["notFound"] = name
	}
	app.Metadata = map[string]any{}
	app.After = func(c *cli.Context) error {
		if name, ok := c.App.Metadata["notFound"].(string); ok {
			if s := suggestCommand(c.App, name); s != "" {
				return usagef("unknown command %q; did you mean %q?", name, s)
			}
			return usagef("unknown command %q", name)
		}
		return nil
	}
	tidyHelp(app)
	return app
}

// timeNow is the clock; a variable so tests can pin it.
var timeNow = time.Now

// env reads an environment variable; a function so tests can run commands in-process.
var getenv = os.Getenv
