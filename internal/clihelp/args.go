package clihelp

import (
	"strings"

	"github.com/urfave/cli/v2"
)

// CompletionFlag is urfave/cli's hidden flag that asks for completion candidates; it must
// stay the last argument, so argument lists that end with it are left alone.
const CompletionFlag = "--generate-bash-completion"

// FlagsFirst moves a command's flags (with their values) in front of its positional arguments,
// so that `postmint kit -c a.yaml b.yaml -o OUT` means what `postmint kit -c a.yaml -o OUT
// b.yaml` means. urfave/cli v2 parses with the standard flag package, which stops at the first
// positional argument; postmint's contract promises that flags may come before or after them.
// Everything after a literal "--" stays positional. The relative order of the flags, and of
// the positional arguments, is kept.
func FlagsFirst(app *cli.App, args []string) []string {
	if len(args) < 2 || args[len(args)-1] == CompletionFlag {
		return args
	}
	// The command is the first argument that is not a flag (the app's own flags, --help and
	// --version, take no value).
	ci := -1
	for i := 1; i < len(args); i++ {
		if args[i] == "--" {
			return args
		}
		if !IsFlag(args[i]) {
			ci = i
			break
		}
	}
	if ci < 0 {
		return args
	}
	cmd := app.Command(args[ci])
	if cmd == nil {
		return args
	}

	var flags, positional, rest []string
	sawDashDash := false
	for i := ci + 1; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			sawDashDash = true
			rest = args[i+1:]
			break
		}
		if !IsFlag(a) {
			positional = append(positional, a)
			continue
		}
		flags = append(flags, a)
		name := strings.TrimLeft(a, "-")
		if strings.Contains(name, "=") {
			continue
		}
		if f := FindFlag(cmd, name); f != nil && takesValue(f) && i+1 < len(args) {
			i++
			flags = append(flags, args[i])
		}
	}
	out := append([]string{}, args[:ci+1]...)
	out = append(out, flags...)
	// urfave/cli reads `cmd --help NAME` as help for a subcommand NAME; for a command that has
	// none, the arguments are dropped with --help and the command's help is shown.
	for _, f := range flags {
		if (f == "-h" || f == "--help") && len(cmd.Subcommands) == 0 {
			return out
		}
	}
	// A positional argument that looks like a flag ("-" is stdin, not a flag) only survives
	// behind "--".
	needDashDash := sawDashDash
	for _, p := range positional {
		if IsFlag(p) {
			needDashDash = true
		}
	}
	if needDashDash {
		out = append(out, "--")
	}
	out = append(out, positional...)
	return append(out, rest...)
}

// IsFlag reports whether a looks like a flag: "-x", "--name", "--name=v"; "-" alone is an
// argument (stdin by convention).
func IsFlag(a string) bool { return len(a) > 1 && a[0] == '-' }
