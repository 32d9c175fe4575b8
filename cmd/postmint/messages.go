package main

import (
	"fmt"

	"github.com/urfave/cli/v2"
)

// The lines postmint writes to stderr, by kind, so that a reader (or a CI log filter) tells
// them apart at the first word after "postmint:":
//
//	postmint: <what failed>: <why>   the error, last line, exit 1 or 2 (Run prints it)
//	hint: …                          under an error: what to do
//	postmint: warning: …             something is probably wrong, but the command went on
//	postmint: note: …                information: what postmint chose or found, nothing wrong

// notef writes an informational line.
func notef(c *cli.Context, format string, a ...any) {
	fmt.Fprintf(c.App.ErrWriter, "postmint: note: "+format+"\n", a...)
}

// warnf writes a warning line.
func warnf(c *cli.Context, format string, a ...any) {
	fmt.Fprintf(c.App.ErrWriter, "postmint: warning: "+format+"\n", a...)
}
