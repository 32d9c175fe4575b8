package main

import (
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"
	"github.com/xrash/smetrics"
)

// tidyHelp adjusts what --help shows where a shared flag set does not fit a command: refresh
// reads everything from -e ENV, so its -c (kept so that `refresh -c` can say so) is hidden;
// and where -k falls back to depends on what the command reads: the definition's key:, or
// with -e the environment's privateKey.
func tidyHelp(app *cli.App) {
	for _, c := range app.Commands {
		hasEnv := findFlag(c, "environment") != nil
		for _, f := range c.Flags {
			sf, ok := f.(*cli.StringFlag)
			if !ok {
				continue
			}
			switch {
			case sf.Name == "client" && c.Name == "refresh":
				sf.Hidden = true
			case sf.Name == "key" && hasEnv && c.Name == "refresh":
				sf.Usage = strings.Replace(sf.Usage, "the definition's key:", "the environment's privateKey", 1)
			case sf.Name == "key" && hasEnv:
				sf.Usage = strings.Replace(sf.Usage, "the definition's key:", "the definition's key: (with -c) or the environment's privateKey (with -e)", 1)
			}
		}
	}
}

// suggestCommand returns the visible command nearest to a mistyped name, or "" when none is
// close.
func suggestCommand(app *cli.App, name string) string {
	var names []string
	for _, c := range app.VisibleCommands() {
		names = append(names, c.Name)
	}
	return nearest(name, names)
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

// usageError makes urfave/cli's usage error (from the standard flag package) into postmint's:
// an unknown flag is named as typed, with the flag meant when one is close, and the command it
// was given to, so that the "Run ... --help" line can name that command's help.
func usageFor(c *cli.Context, err error) error {
	msg := err.Error()
	name, ok := strings.CutPrefix(msg, undefinedFlag)
	if !ok {
		return &usageError{msg: msg, command: commandName(c)}
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
	return &usageError{msg: out, command: commandName(c)}
}

// dashes writes a flag name the way postmint's help shows it: -k, --key.
func dashes(name string) string {
	if len(name) == 1 {
		return "-" + name
	}
	return "--" + name
}

// commandName is the postmint command a context runs, "" for the app itself.
func commandName(c *cli.Context) string {
	if c != nil && c.Command != nil && c.Command.Name != c.App.Name {
		return c.Command.Name
	}
	return ""
}

// helpCommand is `postmint help [COMMAND]`, the same help as --help.
func helpCommand() *cli.Command {
	return &cli.Command{
		Name:      "help",
		Usage:     "show the help of postmint, or of one command (the same as --help)",
		UsageText: "postmint help [COMMAND]",
		Action: func(c *cli.Context) error {
			switch c.NArg() {
			case 0:
				return cli.ShowAppHelp(c)
			case 1:
				name := c.Args().First()
				if c.App.Command(name) == nil {
					if s := suggestCommand(c.App, name); s != "" {
						return usagef("help: unknown command %q; did you mean %q?", name, s)
					}
					return usagef("help: unknown command %q", name)
				}
				// The app's context: ShowCommandHelp looks the name up among its context's
				// command's subcommands, which for help itself are none.
				return cli.ShowCommandHelp(c.Lineage()[1], name)
			}
			return usagef("help takes at most one COMMAND (got %d)", c.NArg())
		},
	}
}
