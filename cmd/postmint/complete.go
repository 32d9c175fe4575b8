package main

import (
	"fmt"
	"io"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/postmint/postmint/generator/config"
)

// complete answers the completion scripts' question (the words typed so far, then
// --generate-bash-completion) with one candidate per line. postmint answers it itself instead of
// leaving it to urfave/cli v2, which offers `help h` after a command and panics when the word
// before the flag is a flag waiting for its value. No candidates means "complete a file name":
// the scripts fall back to the shell's file completion.
//
// The scripts pass the word being typed only when it starts with "-", so a last word that is a
// flag taking a value is complete and the candidates are its values; any other last word that
// starts with "-" is a flag being typed.
func complete(app *cli.App, words []string, w io.Writer) {
	for _, c := range completions(app, words) {
		fmt.Fprintln(w, c)
	}
}

func completions(app *cli.App, words []string) []string {
	ci := -1
	for i, word := range words {
		if !isFlag(word) {
			ci = i
			break
		}
	}
	last := ""
	if len(words) > 0 {
		last = words[len(words)-1]
	}
	if ci < 0 {
		if isFlag(last) {
			return []string{"--help", "--version"}
		}
		var names []string
		for _, c := range app.VisibleCommands() {
			names = append(names, c.Name)
		}
		return names
	}
	cmd := app.Command(words[ci])
	if cmd == nil {
		return nil
	}
	if ci < len(words)-1 && isFlag(last) {
		if f := findFlag(cmd, strings.TrimLeft(last, "-")); f != nil && takesValue(f) {
			return flagValues(cmd, f)
		}
		return flagNames(cmd)
	}
	switch cmd.Name {
	case "help":
		var names []string
		for _, c := range app.VisibleCommands() {
			names = append(names, c.Name)
		}
		return names
	case "presets":
		return config.PresetNames()
	case "completion":
		return []string{"bash", "zsh", "fish", "powershell", "man"}
	case "kit", "verify":
		return nil // definition files, a token file or "-"
	}
	return flagNames(cmd)
}

func findFlag(cmd *cli.Command, name string) cli.Flag {
	for _, f := range cmd.Flags {
		for _, n := range f.Names() {
			if n == name {
				return f
			}
		}
	}
	return nil
}

func takesValue(f cli.Flag) bool {
	tv, ok := f.(interface{ TakesValue() bool })
	return ok && tv.TakesValue()
}

// flagValues lists the values a flag can take, where they are a known set; nil means a file.
func flagValues(cmd *cli.Command, f cli.Flag) []string {
	switch f.Names()[0] {
	case "preset":
		return config.PresetNames()
	case "alg":
		if cmd.Name == "keygen" {
			return []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}
		}
	}
	return nil
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
