// Package templates holds the JavaScript and Markdown that postmint places into collections
// and kits, embedded at build time.
package templates

import (
	_ "embed"

	"github.com/tdewolff/minify/v2"
	"github.com/tdewolff/minify/v2/js"
)

// SignerJS is the in-collection JWS signer: it defines postmintSigner(CryptoJS), which returns
// { parseKey, sign, jwt, canonicalJSON, uuid4, pkce, keyType } and the DPoP primitives (RFC 9449)
// { ath, publicJwk, thumbprint, dpopProof, newDpopKey }. It runs in Newman 6, the Postman
// app / Postman CLI sandbox and node. Embed it with MinifyJS.
//
//go:embed signer.js
var SignerJS string

// MinifyJS minifies a script with tdewolff/minify, every script placed into a collection (whitespace, comments, shorter syntax), its
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
