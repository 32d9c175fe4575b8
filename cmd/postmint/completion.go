package main

import (
	"fmt"

	"github.com/urfave/cli/v2"
)

// The bash and zsh scripts ask postmint itself for candidates through urfave/cli's hidden
// --generate-bash-completion flag, so they never go stale.
const bashCompletion = `# bash completion for postmint: source <(postmint completion bash)
_postmint_complete() {
    local cur words
    cur="${COMP_WORDS[COMP_CWORD]}"
    if [[ "$cur" == -* ]]; then
        words=$("${COMP_WORDS[@]:0:$COMP_CWORD}" "$cur" --generate-bash-completion 2>/dev/null)
    else
        words=$("${COMP_WORDS[@]:0:$COMP_CWORD}" --generate-bash-completion 2>/dev/null)
    fi
    COMPREPLY=($(compgen -W "$words" -- "$cur"))
    [[ ${#COMPREPLY[@]} -eq 0 ]] && COMPREPLY=($(compgen -f -- "$cur"))
    return 0
}
complete -o filenames -F _postmint_complete postmint
`

const zshCompletion = `#compdef postmint
# zsh completion for postmint: source <(postmint completion zsh)
_postmint() {
    local -a opts
    local cur=${words[-1]}
    if [[ "$cur" == -* ]]; then
        opts=("${(@f)$(${words[@]:0:#words[@]-1} ${cur} --generate-bash-completion 2>/dev/null)}")
    else
        opts=("${(@f)$(${words[@]:0:#words[@]-1} --generate-bash-completion 2>/dev/null)}")
    fi
    if [[ "${opts[1]}" != "" ]]; then
        _describe 'values' opts
    else
        _files
    fi
}
compdef _postmint postmint
`

func completionCommand() *cli.Command {
	return &cli.Command{
		Name:      "completion",
		Usage:     "print a shell completion script (bash, zsh or fish), or the manual page (man)",
		UsageText: "postmint completion bash|zsh|fish|man",
		Description: `Examples:
   source <(postmint completion bash)                 # in ~/.bashrc
   source <(postmint completion zsh)                  # in ~/.zshrc
   postmint completion fish > ~/.config/fish/completions/postmint.fish
   postmint completion man > postmint.1 && man ./postmint.1`,
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return usagef("completion needs one of bash, zsh, fish, man")
			}
			var out string
			var err error
			switch c.Args().First() {
			case "bash":
				out = bashCompletion
			case "zsh":
				out = zshCompletion
			case "fish":
				out, err = c.App.ToFishCompletion()
			case "man":
				out, err = c.App.ToManWithSection(1)
			default:
				return usagef("completion: unknown shell %q; use bash, zsh, fish or man", c.Args().First())
			}
			if err != nil {
				return fmt.Errorf("completion: %w", err)
			}
			_, err = fmt.Fprint(c.App.Writer, out)
			return err
		},
	}
}
