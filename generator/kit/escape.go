package kit

import (
	"strings"
	"unicode"
)

// The kit README shows values from the definition (name, client id, kid, URLs, scope) and from
// an OpenAPI document (title, server, operation names) to a partner. These functions make each
// one data on the page, whatever it holds: no heading, HTML, link, image, table cell or code
// block can come from a value. The template picks one per context.

// mdText escapes s for Markdown running text (CommonMark and GitHub's extensions): every
// character that can open markup is backslash-escaped (CommonMark 2.4: any ASCII punctuation
// may be), so "<img ...>" shows as text and "[x](y)" is no link. "_" inside a word is left as
// it is, as it makes no emphasis there (private_key_jwt stays readable in the raw file).
func mdText(s string) string {
	s = oneLineText(s)
	var b strings.Builder
	rs := []rune(s)
	for i, r := range rs {
		switch r {
		case '\\', '`', '*', '[', ']', '<', '>', '|', '&', '~', '$', '#', '!':
			b.WriteByte('\\')
		case '_':
			if i == 0 || i == len(rs)-1 || !isWordRune(rs[i-1]) || !isWordRune(rs[i+1]) {
				b.WriteByte('\\')
			}
		case '-', '+', '=':
			if i == 0 { // a list item or a setext underline at the start of a line
				b.WriteByte('\\')
			}
		}
		b.WriteRune(r)
	}
	return b.String()
}

// codeSpan is s as a Markdown code span: its content is shown literally (no HTML, no escapes),
// and the backtick fence is longer than any run of backticks in s, so s cannot end it.
func codeSpan(s string) string {
	s = oneLineText(s)
	if s == "" {
		return "` `" // "``" would show two backticks, not an empty span
	}
	longest, run := 0, 0
	for _, r := range s {
		if r == '`' {
			run++
			longest = max(longest, run)
		} else {
			run = 0
		}
	}
	fence := strings.Repeat("`", longest+1)
	if strings.HasPrefix(s, "`") || strings.HasSuffix(s, "`") {
		s = " " + s + " "
	}
	return fence + s + fence
}

// tableCode is codeSpan for a table cell: GitHub splits cells at "|" before it reads code
// spans, so "|" is escaped there too (and shows as "|").
func tableCode(s string) string { return strings.ReplaceAll(codeSpan(s), "|", `\|`) }

// mermaidText keeps a value inside one Mermaid statement and shows markup as text.
func mermaidText(s string) string {
	return strings.NewReplacer(";", ",", "<", "#lt;", ">", "#gt;", "`", "'").Replace(oneLineText(s))
}

// oneLineText replaces control characters, Unicode line and paragraph separators and bidi
// controls with spaces: a value never starts a new Markdown line or reorders the text shown.
func oneLineText(s string) string {
	return strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' || (r >= '\u202A' && r <= '\u202E') || (r >= '\u2066' && r <= '\u2069') {
			return ' '
		}
		return r
	}, s)
}

func isWordRune(r rune) bool { return unicode.IsLetter(r) || unicode.IsDigit(r) }
