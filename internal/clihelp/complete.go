package clihelp

import (
	"fmt"
	"io"
	"strings"

	"github.com/urfave/cli/v2"
)

// Candidates are the completions only the app knows; everything else (command names, flags,
// help's and completion's arguments) comes from the app itself.
type Candidates struct {
	// Args are the candidates for a command's arguments, by command name. A command listed
	// with none completes file names; a command not listed completes its flags.
	Args map[string][]string
	// FlagValues lists the values of a command's flag (its first name) where they are a known
	// set; nil means a file. It may be nil.
	FlagValues func(command, flag string) []string
}

// Complete answers the completion scripts' question (the words typed so far, then
// --generate-bash-completion) with one candidate per line. The app answers it itself instead of
// leaving it to urfave/cli v2, which offers `help h` after a command and panics when the word
// before the flag is a flag waiting for its value. No candidates means "complete a file name":
// the scripts fall back to the shell's file completion.
//
// The scripts pass the word being typed only when it starts with "-", so a last word that is a
// flag taking a value is complete and the candidates are its values; any other last word that
// starts with "-" is a flag being typed.
func Complete(app *cli.App, words []string, w io.Writer, cand Candidates) {
	for _, c := range completions(app, words, cand) {
		fmt.Fprintln(w, c)
	}
}

func completions(app *cli.App, words []string, cand Candidates) []string {
	ci := -1
	for i, word := range words {
		if !IsFlag(word) {
			ci = i
			break
		}
	}
	last := ""
	if len(words) > 0 {
		last = words[len(words)-1]
	}
	if ci < 0 {
		if IsFlag(last) {
			return []string{"--help", "--version"}
		}
		return commandNames(app)
	}
	cmd := app.Command(words[ci])
	if cmd == nil {
		return nil
	}
	if ci < len(words)-1 && IsFlag(last) {
		if f := FindFlag(cmd, strings.TrimLeft(last, "-")); f != nil && takesValue(f) {
			if cand.FlagValues == nil {
				return nil
			}
			return cand.FlagValues(cmd.Name, f.Names()[0])
		}
		return flagNames(cmd)
	}
	if args, ok := cand.Args[cmd.Name]; ok {
		return args
	}
	switch cmd.Name {
	case "help":
		return commandNames(app)
	case "completion":
		return completionArgs
	}
	return flagNames(cmd)
}

// FindFlag is cmd's flag with the name (any of its names), or nil.
func FindFlag(cmd *cli.Command, name string) cli.Flag {
	for _, f := range cmd.Flags {
		for _, n := range f.Names() {
			if n == name {
				return f
			}
		}
	}
	return nil
}

// takesValue reports whether f is followed by a value (a string flag, not a bool).
func takesValue(f cli.Flag) bool {
	tv, ok := f.(interface{ TakesValue() bool })
	return ok && tv.TakesValue()
}

// flagNames lists a command's visible flags, long names first.
func flagNames(cmd *cli.Command) []string {
	var long, short []string
	for _, f := range cmd.Flags {
		if vf, ok := f.(cli.VisibleFlag); ok && !vf.IsVisible() {
			continue
		}
		for _, n := range f.Names() {
			if len(n) == 1 {
				short = append(short, "-"+n)
			} else {
				long = append(long, "--"+n)
			}
		}
	}
	return append(append(long, "--help"), append(short, "-h")...)
}
