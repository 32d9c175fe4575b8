package main

import (
	"github.com/urfave/cli/v2"
	"github.com/xrash/smetrics"
)

// tidyHelp adjusts what --help shows where a shared flag set does not fit a command: refresh
// reads everything from -e ENV, so its -c (kept so that `refresh -c` can say so) is hidden.
func tidyHelp(app *cli.App) {
	for _, c := range app.Commands {
		if c.Name != "refresh" {
			continue
		}
		for _, f := range c.Flags {
			if sf, ok := f.(*cli.StringFlag); ok && sf.Name == "client" {
				sf.Hidden = true
			}
		}
	}
}

// suggestCommand returns the visible command nearest to a mistyped name, or "" when none is
// close: within two edits (a swap counts as two), or a name the typo is a prefix of.
func suggestCommand(app *cli.App, name string) string {
	best, bestDist := "", 3
	for _, c := range app.VisibleCommands() {
		for _, n := range c.Names() {
			d := smetrics.WagnerFischer(name, n, 1, 1, 2)
			if len(name) >= 3 && len(name) < len(n) && n[:len(name)] == name {
				d = 0
			}
			if d < bestDist {
				best, bestDist = c.Name, d
			}
		}
	}
	return best
}
