package main

import (
	"context"
	"io"
	"os"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/postmint/postmint/internal/clihelp"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "0.1.0-dev"

// usagef is a mistake in how the command was called (clihelp.UsageError): exit code 2.
func usagef(format string, a ...any) error { return clihelp.Usagef(format, a...) }

// withHint adds the line that tells the user what to do (clihelp.Hinted).
func withHint(err error, hint string) error { return clihelp.WithHint(err, hint) }

// Run runs postmint with args and returns the exit code: 0 success, 1 failure, 2 usage error.
func Run(args []string, stdout, stderr io.Writer) int {
	app := newApp(stdout, stderr)
	if len(args) > 0 && args[len(args)-1] == clihelp.CompletionFlag {
		clihelp.Complete(app, args[1:len(args)-1], stdout, candidates())
		return 0
	}
	err := app.RunContext(context.Background(), clihelp.FlagsFirst(app, args))
	return clihelp.Report(app, args, err, stderr)
}

func oneLine(s string) string { return clihelp.OneLine(s) }

func newApp(stdout, stderr io.Writer) *cli.App {
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
			clihelp.CompletionCommand("postmint", manual),
			clihelp.HelpCommand("postmint"),
		},
	}
	clihelp.Install(app)
	tidyHelp(app)
	return app
}

// timeNow is the clock; a variable so tests can pin it.
var timeNow = time.Now

// env reads an environment variable; a function so tests can run commands in-process.
var getenv = os.Getenv
