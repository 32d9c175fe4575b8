package clihelp

import (
	"fmt"
	"strings"

	"github.com/urfave/cli/v2"
)

// completionArgs are the completion command's arguments: the shells, and the manual page.
var completionArgs = []string{"bash", "zsh", "fish", "powershell", "man"}

// The scripts, for an app called APP (replaced by its name). The bash and zsh scripts ask the
// app itself for candidates through urfave/cli's hidden --generate-bash-completion flag, so
// they never go stale.
const bashCompletion = `# bash completion for APP: source <(APP completion bash)
_APP_complete() {
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
complete -o filenames -F _APP_complete APP
`

const zshCompletion = `#compdef APP
# zsh completion for APP: source <(APP completion zsh)
_APP() {
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
compdef _APP APP
`

// fish asks the same question; with no candidates (a flag waiting for its file, or kit's and
// verify's arguments) it completes file names (-F), as the other shells do.
const fishCompletion = `# fish completion for APP: APP completion fish > ~/.config/fish/completions/APP.fish
function __APP_candidates
    set -l words (commandline -opc)
    set -l cur (commandline -ct)
    if string match -q -- '-*' $cur
        $words $cur --generate-bash-completion 2>/dev/null
    else
        $words --generate-bash-completion 2>/dev/null
    end
end
function __APP_has_candidates
    test -n "$(__APP_candidates)"
end
complete -c APP -e
complete -c APP -n __APP_has_candidates -f -a '(__APP_candidates)'
complete -c APP -n 'not __APP_has_candidates' -F
`

// PowerShell (5.1 and 7) asks the same question through a native argument completer; with no
// candidates it falls back to file names.
const powershellCompletion = `# PowerShell completion for APP: APP completion powershell | Out-String | Invoke-Expression
# (in $PROFILE to keep it)
Register-ArgumentCompleter -Native -CommandName APP, APP.exe -ScriptBlock {
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

// scripts are the completion scripts by shell.
var scripts = map[string]string{"bash": bashCompletion, "zsh": zshCompletion, "fish": fishCompletion, "powershell": powershellCompletion}

// CompletionCommand is `NAME completion bash|zsh|fish|powershell|man` for the app called name:
// the shell scripts that ask the app for candidates (Complete answers), and the manual page
// (ManPage with man).
func CompletionCommand(name string, man Manual) *cli.Command {
	return &cli.Command{
		Name:      "completion",
		Usage:     "print a shell completion script (bash, zsh, fish or powershell), or the manual page (man)",
		UsageText: name + " completion bash|zsh|fish|powershell|man",
		Description: strings.ReplaceAll(`Examples:
   source <(APP completion bash)                 # in ~/.bashrc
   source <(APP completion zsh)                  # in ~/.zshrc
   APP completion fish > ~/.config/fish/completions/APP.fish
   APP completion powershell | Out-String | Invoke-Expression   # in $PROFILE
   APP completion man > APP.1 && man ./APP.1`, "APP", name),
		Action: func(c *cli.Context) error {
			if c.NArg() != 1 {
				return Usagef("completion needs one of bash, zsh, fish, powershell, man")
			}
			shell := c.Args().First()
			script, ok := scripts[shell]
			out := strings.ReplaceAll(script, "APP", c.App.Name)
			switch {
			case shell == "man":
				var err error
				if out, err = ManPage(c.App, man); err != nil {
					return fmt.Errorf("completion: %w", err)
				}
			case !ok:
				return Usagef("completion: unknown shell %q; use bash, zsh, fish, powershell or man", shell)
			}
			_, err := fmt.Fprint(c.App.Writer, out)
			return err
		},
	}
}
