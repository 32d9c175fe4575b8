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

// fish asks the same question; with no candidates (a flag waiting for its file, or kit's and
// verify's arguments) it completes file names (-F), as the other shells do.
const fishCompletion = `# fish completion for postmint: postmint completion fish > ~/.config/fish/completions/postmint.fish
function __postmint_candidates
    set -l words (commandline -opc)
    set -l cur (commandline -ct)
    if string match -q -- '-*' $cur
        $words $cur --generate-bash-completion 2>/dev/null
    else
        $words --generate-bash-completion 2>/dev/null
    end
end
function __postmint_has_candidates
    test -n "$(__postmint_candidates)"
end
complete -c postmint -e
complete -c postmint -n __postmint_has_candidates -f -a '(__postmint_candidates)'
complete -c postmint -n 'not __postmint_has_candidates' -F
`

// PowerShell (5.1 and 7) asks the same question through a native argument completer; with no
// candidates it falls back to file names.
const powershellCompletion = `# PowerShell completion for postmint: postmint completion powershell | Out-String | Invoke-Expression
# (in $PROFILE to keep it)
Register-ArgumentCompleter -Native -CommandName postmint, postmint.exe -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)
    $words = @($commandAst.CommandElements | Where-Object { $_.Extent.EndOffset -le $cursorPosition } | ForEach-Object { $_.ToString() })
    if ($wordToComplete -ne '' -and $words.Count -gt 0 -and $words[-1] -eq $wordToComplete) {
        $words = @($words | Select-Object -SkipLast 1)
    }
    $exe = $words[0]
    $rest = @($words | Select-Object -Skip 1)
    if ($wordToComplete -like '-*') { $rest += $wordToComplete }
    $candidates = @(& $exe @rest --generate-bash-completion 2>$null)
    if ($candidates.Count -eq 0) {
        Get-ChildItem -Path "$wordToComplete*" -ErrorAction SilentlyContinue | ForEach-Object {
            [System.Management.Automation.CompletionResult]::new($_.Name, $_.Name, 'ProviderItem', $_.Name)
        }
        return
    }
    $candidates | Where-Object { $_ -like "$wordToComplete*" } | ForEach-Object {
        [System.Management.Automation.CompletionResult]::new($_, $_, 'ParameterValue', $_)
    }
}
`

func completionCommand() *cli.Command {
	return &cli.Command{
		Name:      "completion",
		Usage:     "print a shell completion script (bash, zsh, fish or powershell), or the manual page (man)",
		UsageText: "postmint completion bash|zsh|fish|powershell|man",
		Description: `Examples:
   source <(postmint completion bash)                 # in ~/.bashrc
   source <(postmint completion zsh)                  # in ~/.zshrc
   postmint completion fish > ~/.config/fish/completions/postmint.fish
   postmint completion powershell | Out-String | Invoke-Expression   # in $PROFILE
   postmint completion man > postmint.1 && man ./postmint.1`,
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return usagef("completion needs one of bash, zsh, fish, powershell, man")
			}
			var out string
			var err error
			switch c.Args().First() {
			case "bash":
				out = bashCompletion
			case "zsh":
				out = zshCompletion
			case "fish":
				out = fishCompletion
			case "powershell":
				out = powershellCompletion
			case "man":
				out, err = manPage(c.App)
			default:
				return usagef("completion: unknown shell %q; use bash, zsh, fish, powershell or man", c.Args().First())
			}
			if err != nil {
				return fmt.Errorf("completion: %w", err)
			}
			_, err = fmt.Fprint(c.App.Writer, out)
			return err
		},
	}
}
