package openapi

import "strings"

// Postman substitutes {{name}} in a request's URL, headers, body and form values, and again in
// the values it substitutes, and has no escape for it. Text copied from a document must not
// become such a reference (an example "{{privateKey}}" would send the private key), so every
// "{" that starts a "{{" pair is changed, in the way each place allows:
//
//   - URLs (path, query, path variable values, server URL and variables): %7B, which is what
//     "{" is in a URL anyway, so the server receives the same text;
//   - JSON bodies: \u007b inside the JSON string, which decodes to the same text;
//   - anything else (headers, form fields, other bodies): "{\{", a visible break that no
//     encoding undoes; the text sent differs from the document's by that backslash.
//
// Only postmint's own variables ({{baseUrl}}, server variables) stay references.

// defuseWith replaces each "{" followed by "{" with repl.
func defuseWith(s, repl string) string {
	if !strings.Contains(s, "{{") {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '{' && i+1 < len(s) && s[i+1] == '{' {
			b.WriteString(repl)
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// defuseURL is for text placed in a URL.
func defuseURL(s string) string { return defuseWith(s, "%7B") }

// defuseJSON is for a JSON text: "{{" occurs only inside its strings (a "{" that opens an
// object is never followed by another), where \u007b stands for "{".
func defuseJSON(s string) string { return defuseWith(s, `\u007b`) }

// defuseText is for text that has no escape for "{": a backslash breaks the pair.
func defuseText(s string) string {
	if !strings.Contains(s, "{{") {
		return s
	}
	// "{{{" must not leave a pair behind: break between every two braces.
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		b.WriteByte(s[i])
		if s[i] == '{' && i+1 < len(s) && s[i+1] == '{' {
			b.WriteByte('\\')
		}
	}
	return b.String()
}
