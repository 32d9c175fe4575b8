// Package templates holds the JavaScript and Markdown that postmint places into collections
// and kits, embedded at build time.
package templates

import (
	_ "embed"
	"strings"

	"github.com/tdewolff/minify/v2"
	"github.com/tdewolff/minify/v2/js"
)

// SignerJS is the in-collection JWS signer: it defines postmintSigner(CryptoJS), which returns
// { parseKey, sign, jwt, canonicalJSON, uuid4, pkce, keyType } and the DPoP primitives (RFC 9449)
// { ath, publicJwk, thumbprint, dpopProof, newDpopKey }. It runs in Newman 6, the Postman
// app / Postman CLI sandbox and node. Embed it with StripJS.
//
//go:embed signer.js
var SignerJS string

// StripJS returns JavaScript source in the compact form placed into a collection's script:
// lines whose trimmed text starts with // and blank lines are dropped, and every line loses its
// leading and trailing white space. It relies on the rules the templates follow: // comments only
// on their own lines, no block comments, no multi-line string or template literals.
func StripJS(src string) string {
	var b strings.Builder
	b.Grow(len(src))
	for line := range strings.SplitSeq(src, "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "//") {
			continue
		}
		b.WriteString(line)
		b.WriteByte('\n')
	}
	return b.String()
}

// MinifyJS minifies a script with tdewolff/minify (whitespace, comments, shorter syntax), its
// variable names kept so that a reader, and a stack trace, still sees signer and request. It
// panics on a script that does not parse: the templates are embedded and tested, so that is a
// build bug.
func MinifyJS(src string) string {
	m := minify.New()
	m.Add("js", &js.Minifier{KeepVarNames: true})
	out, err := m.String("js", src)
	if err != nil {
		panic("templates: minifying the collection script: " + err.Error())
	}
	return out
}
