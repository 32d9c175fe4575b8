// Package templates holds the JavaScript and Markdown that postmint places into collections
// and kits, embedded at build time.
package templates

import (
	_ "embed"
	"strings"
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
