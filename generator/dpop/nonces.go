package dpop

import (
	"encoding/json"
	"strings"
)

// Nonces are the DPoP nonces (RFC 9449 §8, §9) an environment holds, as the collection
// script keeps them: the token endpoint's last one in dpopNonce, and each API origin's last
// one in dpopApiNonces, a JSON object origin → nonce holding the newest oauth.MaxAPINonces
// (the script stores them; Go only reads them). The script (templates/collection.js:
// origin, apiNonces) applies the same rule; TestDPoPNonceParity runs both on the same cases.
type Nonces struct {
	TokenURL string // the token endpoint (idpServer)
	Token    string // dpopNonce
	API      string // dpopApiNonces
}

// For is the nonce to send in a proof for a request to rawURL: the token endpoint's for the
// token endpoint (the same htu), else the entry of rawURL's origin in the API nonces. A
// dpopApiNonces that is not a JSON object, and an entry that is not a string, count as none
// (the script stores only strings; a hand-edited value must not break every request).
func (n Nonces) For(rawURL string) string {
	htu, err := HTU(rawURL)
	if err != nil {
		return ""
	}
	if tok, err := HTU(n.TokenURL); err == nil && tok == htu {
		return n.Token
	}
	o := Origin(rawURL)
	if o == "" {
		return ""
	}
	var all map[string]any
	if json.Unmarshal([]byte(n.API), &all) != nil {
		return ""
	}
	s, _ := all[o].(string)
	return s
}

// Origin is the key dpopApiNonces keeps a server's nonce under: scheme://host[:port] of an
// absolute http(s) URL, lower-case, without userinfo, an empty port dropped; "" for any other
// text. It is the origin as written (RFC 6454 §6.2 but with a default port kept when the URL
// names it), as the collection script computes it from the URL Postman sends, so that the
// two agree on every URL.
func Origin(rawURL string) string {
	htu, err := HTU(rawURL)
	if err != nil {
		return ""
	}
	scheme, rest, _ := strings.Cut(htu, "://")
	authority, _, _ := strings.Cut(rest, "/")
	return strings.ToLower(scheme + "://" + strings.TrimSuffix(authority, ":"))
}
