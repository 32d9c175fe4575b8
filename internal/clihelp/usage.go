// Package clihelp is the part of a urfave/cli v2 command line that does not depend on its
// commands: flags after arguments (FlagsFirst), usage mistakes in words with the nearest name
// suggested (Install, UsageError), `help [COMMAND]`, the shells' completion scripts and their
// candidates (CompletionCommand, Complete), and the manual page (ManPage). It knows no command
// of its own: the app's name, commands and flags come from the *cli.App, and what only the app
// knows (the candidates for its arguments and flag values, its environment variables and exit
// codes) comes in as parameters.
package clihelp

import (
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"
	"github.com/xrash/smetrics"
)

// UsageError is a mistake in how the command was called (the caller's exit code 2). Command is
// the command it was made to, when known, for the line that points at its --help.
type UsageError struct{ Msg, Command string }

func (e *UsageError) Error() string { return e.Msg }

// Usagef makes a UsageError from a format and its arguments.
func Usagef(format string, a ...any) error { return &UsageError{Msg: fmt.Sprintf(format, a...)} }

// Install makes every usage mistake app can meet a *UsageError: an unknown flag (named as typed,
// with the flag meant when one is close, and the command it was given to) and an unknown
// command (with the command meant when one is close). It sets app's and its commands'
// OnUsageError, app.CommandNotFound and app.After; call it once the commands are in place.
func Install(app *cli.App) {
	onUsage := func(c *cli.Context, err error, _ bool) error { return usageFor(c, err) }
	app.OnUsageError = onUsage
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
			return unknownCommand(c.App, "", name)
		}
		return nil
	}
}

// unknownCommand is the usage error for a command name app does not have; prefix opens it
// ("help: ").
func unknownCommand(app *cli.App, prefix, name string) error {
	if s := suggestCommand(app, name); s != "" {
		return Usagef("%sunknown command %q; did you mean %q?", prefix, name, s)
	}
	return Usagef("%sunknown command %q", prefix, name)
}

// suggestCommand returns the visible command nearest to a mistyped name, or "" when none is
// close.
func suggestCommand(app *cli.App, name string) string {
	return nearest(name, commandNames(app))
}

// commandNames are app's visible commands' names.
func commandNames(app *cli.App) []string {
	var names []string
	for _, c := range app.VisibleCommands() {
		names = append(names, c.Name)
	}
	return names
}

// nearest returns the name nearest to a mistyped one, or "" when none is close: within two
// edits (a swap counts as two), the same name in other letter case, or a name the typo is a
// prefix of.
func nearest(typed string, names []string) string {
	best, bestDist := "", 3
	for _, n := range names {
		d := smetrics.WagnerFischer(typed, n, 1, 1, 2)
		if strings.EqualFold(typed, n) || len(typed) >= 3 && len(typed) < len(n) && n[:len(typed)] == typed {
			d = 0
		}
		if d < bestDist {
			best, bestDist = n, d
		}
	}
	return best
}

// undefinedFlag is the standard flag package's message for a flag no command takes; it echoes
// the name with one dash whatever the user typed.
const undefinedFlag = "flag provided but not defined: -"

// usageFor makes urfave/cli's usage error (from the standard flag package) a UsageError: an
// unknown flag is named as typed, with the flag meant when one is close, and the command it
// was given to, so that the "Run ... --help" line can name that command's help.
func usageFor(c *cli.Context, err error) error {
	msg := err.Error()
	name, ok := strings.CutPrefix(msg, undefinedFlag)
	if !ok {
		return &UsageError{Msg: msg, Command: commandName(c)}
	}
	var flags []cli.Flag
	if commandName(c) != "" {
		flags = c.Command.Flags
	} else {
		flags = c.App.Flags
	}
	var names []string
	for _, f := range flags {
		if vf, ok := f.(cli.VisibleFlag); ok && !vf.IsVisible() {
			continue
		}
		for _, n := range f.Names() {
			if len(n) > 1 {
				names = append(names, n)
			}
		}
	}
	names = append(names, "help")
	out := "unknown flag " + dashes(name)
	if cn := commandName(c); cn != "" {
		out = cn + ": " + out
	}
	if s := nearest(name, names); s != "" {
		out += fmt.Sprintf("; did you mean %s?", dashes(s))
	}
	return &UsageError{Msg: out, Command: commandName(c)}
}

// dashes writes a flag name the way --help shows it: -k, --key.
func dashes(name string) string {
	if len(name) == 1 {
		return "-" + name
	}
	return "--" + name
}

// commandName is the command a context runs, "" for the app itself.
func commandName(c *cli.Context) string {
	if c != nil && c.Command != nil && c.Command.Name != c.App.Name {
		return c.Command.Name
	}
	return ""
}

// CommandOf is the command an argument list (args[0] the program) runs: its first argument
// that is not a flag, when app has that command; otherwise "".
func CommandOf(app *cli.App, args []string) string {
	for _, a := range args[min(1, len(args)):] {
		if IsFlag(a) {
			continue
		}
		if c := app.Command(a); c != nil {
			return c.Name
		}
		return ""
	}
	return ""
}

// HelpCommand is `NAME help [COMMAND]` for the app called name: the same help as --help, and a
// usage error that suggests the nearest command for a name the app does not have.
func HelpCommand(name string) *cli.Command {
	return &cli.Command{
		Name:      "help",
		Usage:     "show the help of " + name + ", or of one command (the same as --help)",
		UsageText: name + " help [COMMAND]",
		Action: func(c *cli.Context) error {
			switch c.NArg() {
			case 0:
				return cli.ShowAppHelp(c)
			case 1:
				name := c.Args().First()
				if c.App.Command(name) == nil {
					return unknownCommand(c.App, "help: ", name)
				}
				// The app's context: ShowCommandHelp looks the name up among its context's
				// command's subcommands, which for help itself are none.
				return cli.ShowCommandHelp(c.Lineage()[1], name)
			}
			return Usagef("help takes at most one COMMAND (got %d)", c.NArg())
		},
	}
}

// NoArgs is the Before of a command that takes no arguments: any is a usage error, naming the
// first, followed by hint when given ("give the definition with -c").
func NoArgs(hint string) cli.BeforeFunc {
	return func(c *cli.Context) error {
		if c.NArg() == 0 {
			return nil
		}
		msg := fmt.Sprintf("%s takes no arguments (got %q)", c.Command.Name, c.Args().First())
		if hint != "" {
			msg += "; " + hint
		}
		return &UsageError{Msg: msg, Command: c.Command.Name}
	}
}
