package config

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Size limits of a definition. A definition is a few hundred bytes to a few kilobytes; these
// leave room for any real one and stop a hostile one from costing hundreds of megabytes.
const (
	// MaxFileSize bounds a definition file (and what Load reads of it).
	MaxFileSize = 4 << 20
	// MaxRequests bounds requests: (an OpenAPI document is the way to many more).
	MaxRequests = 1000
	// MaxClaimsSize bounds claims: as JSON; the assertion carries them in every token request.
	MaxClaimsSize = 32 << 10
	// MaxFormSize bounds form: keys and values together.
	MaxFormSize = 32 << 10
	// MaxLineSize bounds one-line fields (name, client_id, URLs, header values, ...).
	MaxLineSize = 8 << 10
	// MaxBodySize bounds one request body.
	MaxBodySize = 1 << 20
	// MaxSlugLen bounds the slug: file names are <slug>.postman_collection.json and must stay
	// under the 255 bytes most file systems allow, whatever the output folder.
	MaxSlugLen = 128
)

// checkHostile refuses definition text that would be more than data where postmint copies it:
//
//   - "{{" anywhere postmint copies text into the collection or environment (every string
//     field but the file paths key:, certificate: and openapi:): Postman would expand
//     {{privateKey}} in a URL, header, body, form value or variable. Only the variables
//     postmint places are references.
//   - control characters (and Unicode bidi controls) in one-line fields: name, client_id, kid,
//     scope, URLs, form keys and values, claim names, requests' name, method, url and header
//     values (HTAB allowed there, as RFC 9110 does). Header names must be RFC 9110 tokens. Claim values and request bodies may hold
//     newlines and tabs (they are JSON-encoded or sent as a body), nothing else of C0.
//   - sizes over the limits above, and a name whose slug would make too long a file name.
//
// It runs before anything else in Resolve, so nothing is written for a refused definition.
func (d *Definition) checkHostile() error {
	fe := func(top, field, msg string) error {
		return &FieldError{File: d.File, Line: d.lines[top], Field: field, Err: ErrBadValue, Msg: msg}
	}
	line := func(top, field, v string) error {
		if msg := lineProblem(v); msg != "" {
			return fe(top, field, msg)
		}
		return nil
	}
	for _, f := range []struct{ name, v string }{
		{"name", d.Name}, {"preset", d.Preset}, {"token_url", d.TokenURL}, {"issuer", d.Issuer},
		{"client_id", d.ClientID}, {"grant_type", d.GrantType}, {"alg", d.Alg}, {"kid", d.Kid},
		{"audience", d.Audience}, {"redirect_uri", d.RedirectURI}, {"authorization_endpoint", d.AuthorizationEndpoint},
		{"par_endpoint", d.PAREndpoint}, {"dpop_alg", d.DPoPAlg},
	} {
		if err := line(f.name, f.name, f.v); err != nil {
			return err
		}
	}
	if s := Slug(d.Name); len(s) > MaxSlugLen {
		return fe("name", "name", fmt.Sprintf("makes a file name of %d characters (at most %d); shorten the name", len(s), MaxSlugLen))
	}
	for i, s := range d.Scope {
		if err := line("scope", fmt.Sprintf("scope[%d]", i), s); err != nil {
			return err
		}
	}
	if d.Headers.Typ != nil {
		if err := line("headers", "headers.typ", *d.Headers.Typ); err != nil {
			return err
		}
	}
	size := 0
	for _, k := range slices.Sorted(maps.Keys(d.Form)) {
		if err := line("form", "form", k); err != nil {
			return err
		}
		if err := line("form", "form."+k, d.Form[k]); err != nil {
			return err
		}
		size += len(k) + len(d.Form[k])
	}
	if size > MaxFormSize {
		return fe("form", "form", fmt.Sprintf("is %d bytes, more than the %d a token request should carry", size, MaxFormSize))
	}
	if d.Claims != nil {
		b, err := json.Marshal(d.Claims)
		if err != nil {
			return fe("claims", "claims", "cannot be written as JSON: "+err.Error())
		}
		if len(b) > MaxClaimsSize {
			return fe("claims", "claims", fmt.Sprintf("are %d bytes as JSON, more than the %d an assertion should carry", len(b), MaxClaimsSize))
		}
		if err := d.checkClaims("claims", d.Claims); err != nil {
			return err
		}
	}
	if len(d.Requests) > MaxRequests {
		return fe("requests", "requests", fmt.Sprintf("has %d entries, more than %d; describe a large API with openapi: instead", len(d.Requests), MaxRequests))
	}
	for i, r := range d.Requests {
		field := fmt.Sprintf("requests[%d]", i)
		for _, f := range []struct{ name, v string }{{"name", r.Name}, {"method", r.Method}, {"url", r.URL}} {
			if err := line("requests", field+"."+f.name, f.v); err != nil {
				return err
			}
		}
		for _, k := range slices.Sorted(maps.Keys(r.Headers)) {
			if !isToken(k) {
				return fe("requests", field+".headers", fmt.Sprintf("%q is not a header name (RFC 9110 token: letters, digits and !#$%%&'*+-.^_`|~)", k))
			}
			// RFC 9110 section 5.5: a field value may hold HTAB, no other control.
			if msg := lineProblem(strings.ReplaceAll(r.Headers[k], "\t", " ")); msg != "" {
				return fe("requests", field+".headers."+k, msg)
			}
		}
		if msg := textProblem(r.Body, MaxBodySize); msg != "" {
			return fe("requests", field+".body", msg)
		}
	}
	return nil
}

// checkClaims walks claim values: names are one-line text, string values are text.
func (d *Definition) checkClaims(field string, v any) error {
	fe := func(field, msg string) error {
		return &FieldError{File: d.File, Line: d.lines["claims"], Field: field, Err: ErrBadValue, Msg: msg}
	}
	switch v := v.(type) {
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(v)) {
			if msg := lineProblem(k); msg != "" {
				return fe(field, "claim name "+msg)
			}
			if err := d.checkClaims(field+"."+k, v[k]); err != nil {
				return err
			}
		}
	case []any:
		for i, e := range v {
			if err := d.checkClaims(fmt.Sprintf("%s[%d]", field, i), e); err != nil {
				return err
			}
		}
	case string:
		if msg := textProblem(v, MaxClaimsSize); msg != "" {
			return fe(field, msg)
		}
	}
	return nil
}

// lineProblem says what makes v unfit for a one-line field, or "".
func lineProblem(v string) string {
	if len(v) > MaxLineSize {
		return fmt.Sprintf("is %d bytes long (at most %d)", len(v), MaxLineSize)
	}
	if msg := refProblem(v); msg != "" {
		return msg
	}
	for i, r := range v {
		if r == utf8.RuneError || unicode.IsControl(r) || isBidi(r) {
			return fmt.Sprintf("holds the control character %U at byte %d; write it on one line without control characters", r, i)
		}
	}
	return ""
}

// textProblem says what makes v unfit for a multi-line value (a body, a claim), or "".
func textProblem(v string, limit int) string {
	if len(v) > limit {
		return fmt.Sprintf("is %d bytes long (at most %d)", len(v), limit)
	}
	if msg := refProblem(v); msg != "" {
		return msg
	}
	for i, r := range v {
		if r == '\n' || r == '\r' || r == '\t' {
			continue
		}
		if r == utf8.RuneError || unicode.IsControl(r) || isBidi(r) {
			return fmt.Sprintf("holds the control character %U at byte %d", r, i)
		}
	}
	return ""
}

// refProblem refuses "{{": Postman would read it as a variable reference and send, say,
// {{privateKey}} in the clear.
func refProblem(v string) string {
	if i := strings.Index(v, "{{"); i >= 0 {
		return fmt.Sprintf("holds %q at byte %d, which Postman would expand as a variable; postmint copies definition text literally, so remove it", "{{", i)
	}
	return ""
}

// isBidi reports the Unicode bidirectional controls that reorder how text is shown.
func isBidi(r rune) bool {
	return (r >= 0x202A && r <= 0x202E) || (r >= 0x2066 && r <= 0x2069) || r == 0x200E || r == 0x200F || r == 0x061C
}

// isToken reports an RFC 9110 section 5.6.2 token: 1*tchar.
func isToken(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}
