package clihelp

import (
	"bytes"
	"fmt"
	"strings"
	"text/template"

	"github.com/cpuguy83/go-md2man/v2/md2man"
	"github.com/urfave/cli/v2"
)

// Manual is what a manual page says beyond the app's own commands, flags and examples.
type Manual struct {
	Environment []Entry // ENVIRONMENT: the variables the app reads
	ExitStatus  []Entry // EXIT STATUS: each exit code
	SeeAlso     string  // SEE ALSO, one paragraph
}

// Entry is one paragraph of a list section: **Name**: Text (Text is Markdown).
type Entry struct{ Name, Text string }

const manTemplate = `% {{.App.Name}} 1

# NAME

{{.App.Name}} - {{.App.Usage}}

# SYNOPSIS

**{{.App.Name}}** *COMMAND* [*OPTIONS*] [*ARGUMENTS*]

**{{.App.Name}} help** [*COMMAND*]

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
{{range .Man.Environment}}
**{{.Name}}**: {{.Text}}
{{end}}
# EXIT STATUS
{{range .Man.ExitStatus}}
**{{.Name}}**: {{.Text}}
{{end}}
# SEE ALSO

{{.Man.SeeAlso}}
`

// ManPage renders the manual page of app in roff: its usage, description and examples, every
// visible command with its usage line, flags and examples, then man's sections. It is Markdown
// rendered by go-md2man (what urfave/cli's ToMan uses), from a template of its own: urfave/cli's
// puts the examples into filled paragraphs, which man justifies ("postmint      generate      -c
// …"), and has no ENVIRONMENT or EXIT STATUS.
func ManPage(app *cli.App, man Manual) (string, error) {
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
		"Man": man,
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
