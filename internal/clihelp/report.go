package clihelp

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/urfave/cli/v2"
)

// Hinted is an error with a second line that tells the user what to do, and optionally the
// other likely causes, listed under it.
type Hinted struct {
	Err    error
	Hint   string
	Causes []string
}

func (e *Hinted) Error() string { return e.Err.Error() }
func (e *Hinted) Unwrap() error { return e.Err }

// WithHint is err with a hint line.
func WithHint(err error, hint string) error { return &Hinted{Err: err, Hint: hint} }

// Report writes what ended a run of app with args to w and returns the exit code: 0 for no
// error; 2 for a UsageError (its line and where to read the usage); 1 for any other error, its
// line, and a Hinted error's hint and other causes. Every line the error makes is one line.
//
//	NAME: <error>
//	hint: <what to do>
//	other possible causes:
//	  - <cause>
func Report(app *cli.App, args []string, err error, w io.Writer) int {
	if err == nil {
		return 0
	}
	var ue *UsageError
	if errors.As(err, &ue) {
		fmt.Fprintf(w, "%s: %s\n", app.Name, OneLine(ue.Msg))
		if ue.Command == "" {
			ue.Command = CommandOf(app, args)
		}
		if ue.Command != "" && ue.Command != "help" {
			fmt.Fprintf(w, "Run '%s %s --help' for usage.\n", app.Name, ue.Command)
		} else {
			fmt.Fprintf(w, "Run '%s help' or '%s help <command>' for usage.\n", app.Name, app.Name)
		}
		return 2
	}
	fmt.Fprintf(w, "%s: %s\n", app.Name, OneLine(err.Error()))
	var he *Hinted
	if errors.As(err, &he) && he.Hint != "" {
		fmt.Fprintf(w, "hint: %s\n", OneLine(he.Hint))
		if len(he.Causes) > 0 {
			fmt.Fprintf(w, "other possible causes:\n")
		}
		for _, c := range he.Causes {
			fmt.Fprintf(w, "  - %s\n", OneLine(c))
		}
	}
	return 1
}

// OneLine joins s's lines and runs of white space into single spaces.
func OneLine(s string) string {
	return strings.Join(strings.Fields(strings.ReplaceAll(s, "\n", " ")), " ")
}
