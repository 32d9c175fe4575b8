package main

import (
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/postmint/postmint/generator/config"
	"github.com/postmint/postmint/generator/keys"
	"github.com/postmint/postmint/internal/clihelp"
)

// What postmint's help, manual page and completion say that internal/clihelp cannot learn
// from the commands themselves.

// tidyHelp adjusts what --help shows where a shared flag set does not fit a command: refresh
// reads everything from -e ENV, so its -c (kept so that `refresh -c` can say so) is hidden;
// and where -k falls back to depends on what the command reads: the definition's key:, or
// with -e the environment's privateKey.
func tidyHelp(app *cli.App) {
	for _, c := range app.Commands {
		hasEnv := clihelp.FindFlag(c, "environment") != nil
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

// candidates are the completions of postmint's arguments and flag values.
func candidates() clihelp.Candidates {
	return clihelp.Candidates{
		Args: map[string][]string{
			"presets": config.PresetNames(),
			"kit":     nil, // definition files
			"verify":  nil, // a token file or "-"
		},
		FlagValues: func(command, flag string) []string {
			switch {
			case flag == "preset":
				return config.PresetNames()
			case flag == "alg" && command == "keygen":
				return keys.NewFilesAlgs
			}
			return nil
		},
	}
}

// manual is the manual page's ENVIRONMENT (the variables postmint reads), EXIT STATUS and
// SEE ALSO.
var manual = clihelp.Manual{
	Environment: []clihelp.Entry{
		{Name: envPrivateKey, Text: "The private key's text, for CI secrets: PEM, PEM on one line with \\n escapes, a JWK, or a PKCS#12 or JKS store in base64. Read after **-k** and before the definition's **key:** (and, for **-e**, the environment's privateKey)."},
		{Name: envKeyPassword, Text: "The key's password (and the store's, unless " + envStorePassword + " is set), where **--key-password-file** is not given."},
		{Name: envStorePassword, Text: "A PKCS#12 or JKS store's password when it differs from the key's."},
		{Name: "HTTPS_PROXY, HTTP_PROXY, NO_PROXY", Text: "The proxy for requests to token endpoints, metadata and JWKS URLs (TLS is verified through it)."},
		{Name: "CI", Text: "When set, **kit** shows no progress bar (nor does it on a pipe, in a file or with TERM=dumb)."},
	},
	ExitStatus: []clihelp.Entry{
		{Name: "0", Text: "Success. For **verify**: the JWT is valid; for **doctor**: no check failed."},
		{Name: "1", Text: "Failure: one line `postmint: <what failed>: <why>` on stderr, with hint: lines where they help."},
		{Name: "2", Text: "Usage error: an unknown command or flag, or a missing or extra argument."},
	},
	SeeAlso: "newman(1), the README and docs/ of postmint's repository.",
}
