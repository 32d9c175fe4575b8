package oauth

import (
	"fmt"
	"regexp"
	"strings"
)

// Text a server sends is data, never template. Postman, Newman and the Postman CLI resolve
// {{name}} inside a variable's value, recursively, whenever a request uses it: a token
// endpoint answering "access_token": "{{privateKey}}" would otherwise make the next API request
// carry the client's private key. So every value postmint stores or shows from a server
// answer is checked here first, against what its standard allows, and refused (the field
// named, the value never shown) when it does not fit. Go (token, refresh) and the collection
// script (its config, from ServerTextRules) apply this one table; a test runs both on the
// same cases.

// Server answer fields, as the table and its messages name them.
const (
	FieldAccessToken  = "access_token"
	FieldRefreshToken = "refresh_token"
	FieldTokenType    = "token_type"
	FieldRequestURI   = "request_uri"
	FieldDPoPNonce    = "DPoP-Nonce"
	// Metadata members (RFC 8414 §2, RFC 9126 §5) generate writes into the environment.
	FieldTokenEndpoint         = "token_endpoint"
	FieldAuthorizationEndpoint = "authorization_endpoint"
	FieldPAREndpoint           = "pushed_authorization_request_endpoint"
)

// MaxExpiresIn is the longest token lifetime postmint believes, in seconds (366 days): a
// larger expires_in is read as this, so no answer can overflow a time or keep a token
// "valid" for ever.
const MaxExpiresIn = 366 * 24 * 3600

// TextRule is what one server-sent field may hold.
type TextRule struct {
	// Pattern is a regular expression in the syntax RE2 (Go) and ECMAScript share.
	Pattern string `json:"pattern"`
	// Max is the longest value accepted, in bytes (the patterns allow ASCII only).
	Max int `json:"max"`
	// NoBraces refuses "{{" (where the grammar allows "{"): Postman would read a template.
	NoBraces bool `json:"noBraces"`
	// Grammar names the rule in words, for the refusal.
	Grammar string `json:"grammar"`
}

// ServerTextRules is the table, by field. b64token (RFC 6750 §2.1) and token68 (RFC 9449 §7.1,
// RFC 9110 §11.2) are the same characters; VSCHAR is RFC 6749 appendix A; NQCHAR is RFC 9449
// §8 (the nonce); type-name is RFC 6749 §11.1; request_uri is an absolute URI (RFC 9126 §2.2,
// RFC 3986 §4.3).
var ServerTextRules = map[string]TextRule{
	FieldAccessToken: {Pattern: `^[A-Za-z0-9._~+/-]+=*$`, Max: 64 << 10,
		Grammar: "RFC 6750 b64token / RFC 9449 token68 (letters, digits, -._~+/ and trailing =)"},
	FieldRefreshToken: {Pattern: `^[\x20-\x7e]+$`, Max: 64 << 10, NoBraces: true,
		Grammar: "RFC 6749 VSCHAR (visible ASCII), without {{"},
	FieldTokenType: {Pattern: `^[A-Za-z0-9._-]+$`, Max: 64,
		Grammar: "RFC 6749 type-name (letters, digits, -._)"},
	FieldRequestURI: {Pattern: `^[A-Za-z][A-Za-z0-9+.-]*:[\x21-\x7e]+$`, Max: 2048, NoBraces: true,
		Grammar: "an absolute URI (RFC 3986) without spaces or {{"},
	FieldTokenEndpoint:         endpointRule,
	FieldAuthorizationEndpoint: endpointRule,
	FieldPAREndpoint:           endpointRule,
	FieldDPoPNonce: {Pattern: `^[\x21\x23-\x5b\x5d-\x7e]+$`, Max: 512, NoBraces: true,
		Grammar: "RFC 9449 NQCHAR, at most 512 bytes, without {{"},
}

// endpointRule is an http(s) URL from a server's metadata (RFC 8414 §2: "URL of the
// authorization server's token endpoint").
var endpointRule = TextRule{Pattern: `^[Hh][Tt][Tt][Pp][Ss]?://[\x21-\x7e]+$`, Max: 2048, NoBraces: true,
	Grammar: "an http(s) URL without spaces or {{"}

var serverTextRE = func() map[string]*regexp.Regexp {
	m := make(map[string]*regexp.Regexp, len(ServerTextRules))
	for f, r := range ServerTextRules {
		m[f] = regexp.MustCompile(r.Pattern)
	}
	return m
}()

// CheckServerText returns nil when value fits field's rule, or an error naming the field and
// the rule, never the value. An empty value is the caller's to judge (most fields are optional).
func CheckServerText(field, value string) error {
	r, ok := ServerTextRules[field]
	if !ok {
		return fmt.Errorf("postmint has no rule for the server field %s", field)
	}
	switch {
	case len(value) > r.Max:
		return fmt.Errorf("the server's %s is %d bytes long; postmint accepts at most %d", field, len(value), r.Max)
	case !serverTextRE[field].MatchString(value):
		return fmt.Errorf("the server's %s is not %s", field, r.Grammar)
	case r.NoBraces && strings.Contains(value, "{{"):
		return fmt.Errorf("the server's %s holds {{, which Postman would expand as a variable", field)
	}
	return nil
}

// ClampExpiresIn is a server's expires_in as postmint uses it: negative is 0 (none given), and
// anything above MaxExpiresIn is MaxExpiresIn.
func ClampExpiresIn(seconds float64) int64 {
	if !(seconds > 0) {
		return 0
	}
	if seconds > MaxExpiresIn {
		return MaxExpiresIn
	}
	return int64(seconds)
}
