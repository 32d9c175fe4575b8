package main

import (
	"bytes"
	"fmt"
	"strings"
	"text/template"

	"github.com/cpuguy83/go-md2man/v2/md2man"
	"github.com/urfave/cli/v2"
)

// The manual page (`postmint completion man`), written from the commands themselves: their
// usage lines, flags and examples, plus the environment variables and exit codes of the
// contract. It is Markdown rendered to roff by go-md2man (what urfave/cli's ToMan uses), from
// postmint's own template: urfave/cli's put the examples into filled paragraphs, which man
// justifies ("postmint      generate      -c …"), and has no ENVIRONMENT or EXIT STATUS.

// manEnvironment are the variables postmint reads, for the ENVIRONMENT section.
var manEnvironment = []struct{ Name, Text string }{
	{envPrivateKey, "The private key's text, for CI secrets: PEM, PEM on one line with \\n escapes, a JWK, or a PKCS#12 or JKS store in base64. Read after **-k** and before the definition's **key:** (and, for **-e**, the environment's privateKey)."},
	{envKeyPassword, "The key's password (and the store's, unless " + envStorePassword + " is set), where **--key-password-file** is not given."},
	{envStorePassword, "A PKCS#12 or JKS store's password when it differs from the key's."},
	{"HTTPS_PROXY, HTTP_PROXY, NO_PROXY", "The proxy for requests to token endpoints, metadata and JWKS URLs (TLS is verified through it)."},
	{"CI", "When set, **kit** shows no progress bar (nor does it on a pipe, in a file or with TERM=dumb)."},
}

// manExitStatus are the exit codes of every command.
var manExitStatus = []struct{ Code, Text string }{
	{"0", "Success. For **verify**: the JWT is valid; for **doctor**: no check failed."},
	{"1", "Failure: one line `postmint: <what failed>: <why>` on stderr, with hint: lines where they help."},
	{"2", "Usage error: an unknown command or flag, or a missing or extra argument."},
}

const manTemplate = `% postmint 1

# NAME

postmint - {{.App.Usage}}

# SYNOPSIS

**postmint** *COMMAND* [*OPTIONS*] [*ARGUMENTS*]

**postmint help** [*COMMAND*]

# DESCRIPTION

{{prose .App.Description}}
{{examples .App.Description}}
Flags may come before or after the arguments; after **--** everything is an argument.

# COMMANDS
{{range .Commands}}
## {{.Name}}

{{.Usage}}

    {{.UsageText}}
{{with prose .Description}}
{{.}}
{{end}}{{range flags .}}
{{.}}
{{end}}{{examples .Description}}{{end}}
# ENVIRONMENT
{{range .Environment}}
**{{.Name}}**: {{.Text}}
{{end}}
# EXIT STATUS
{{range .ExitStatus}}
**{{.Code}}**: {{.Text}}
{{end}}
# SEE ALSO

newman(1), the README and docs/ of postmint's repository.
`

// manPage renders the manual page of app in roff.
func manPage(app *cli.App) (string, error) {
	t, err := template.New("man").Funcs(template.FuncMap{
		"prose":    manProse,
		"examples": manExamples,
		"flags":    manFlags,
	}).Parse(manTemplate)
	if err != nil {
		return "", err
	}
	var md bytes.Buffer
	err = t.Execute(&md, map[string]any{
		"App": app, "Commands": app.VisibleCommands(),
		"Environment": manEnvironment, "ExitStatus": manExitStatus,
	})
	if err != nil {
		return "", err
	}
	roff := md2man.Render(md.Bytes())
	// Left-aligned and not hyphenated: man's justification spreads the words of long lines
	// apart, and hyphenation splits names (POSTMINT_PRI-VATE_KEY) a reader copies.
	// groff's man macros read the HY register and AD string at every paragraph; .nh and .ad
	// after .TH are for the other formatters (mandoc).
	roff = bytes.Replace(roff, []byte(".TH "), []byte(".nr HY 0\n.ds AD l\n.TH "), 1)
	if i := bytes.Index(roff, []byte(".TH ")); i >= 0 {
		if j := bytes.IndexByte(roff[i:], '\n'); j >= 0 {
			roff = append(roff[:i+j+1:i+j+1], append([]byte(".ad l\n.nh\n"), roff[i+j+1:]...)...)
		}
	}
	return string(roff), nil
}

// manProse is a description without its "Examples:" block, lines joined into paragraphs.
func manProse(desc string) string {
	prose, _, _ := strings.Cut(desc, "Examples:")
	return manEscape(strings.TrimSpace(prose))
}

// manExamples is a description's "Examples:" block as a Markdown code block (kept as typed,
// never filled), or "".
func manExamples(desc string) string {
	_, ex, ok := strings.Cut(desc, "Examples:")
	if !ok {
		return ""
	}
	var b strings.Builder
	b.WriteString("\nExamples:\n\n")
	for _, l := range strings.Split(strings.Trim(ex, "\n"), "\n") {
		b.WriteString("    " + strings.TrimSpace(l) + "\n")
	}
	return b.String()
}

// manFlags are a command's visible flags, one paragraph each: names, value, what it does.
func manFlags(c *cli.Command) []string {
	var out []string
	for _, f := range c.Flags {
		if vf, ok := f.(cli.VisibleFlag); ok && !vf.IsVisible() {
			continue
		}
		var names []string
		for _, n := range f.Names() {
			names = append(names, dashes(n))
		}
		usage := ""
		if df, ok := f.(cli.DocGenerationFlag); ok {
			usage = df.GetUsage()
		}
		value := ""
		if df, ok := f.(cli.DocGenerationFlag); ok && df.TakesValue() {
			value = "VALUE"
			if _, rest, ok := strings.Cut(usage, "`"); ok {
				value, _, _ = strings.Cut(rest, "`")
			}
			value = " *" + value + "*"
		}
		usage = strings.ReplaceAll(usage, "`", "")
		out = append(out, fmt.Sprintf("**%s**%s: %s", strings.Join(names, ", "), value, manEscape(usage)))
	}
	return out
}

// manEscape keeps Markdown from reading text as emphasis or as an HTML tag (<slug>).
func manEscape(s string) string {
	return strings.NewReplacer("*", `\*`, "_", `\_`, "<", `\<`).Replace(s)
}
