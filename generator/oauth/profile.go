package oauth

import (
	"net/url"
	"sort"
	"time"
)

// Profile is a resolved client: every value the token request is built from, as a Postman
// environment carries it. Go builds its request from a Profile; the collection's script builds
// the same request from the environment variables that Variables writes for it.
type Profile struct {
	TokenURL     string            // idpServer
	ClientID     string            // clientId
	Issuer       string            // iss claim
	Subject      string            // sub claim; "" = no sub claim
	Audience     string            // aud claim
	Alg          string            // JWS alg
	Kid          string            // kid header; "" = none
	Typ          string            // typ header; "" = none
	X5C          []string          // x5c header, std base64 DER, leaf first
	X5TS256      string            // x5t#S256 header
	X5T          string            // x5t header
	Scope        string            // space-separated
	ScopeIn      ScopePlacement    // form, claim or both
	SendClientID bool              // client_id form parameter
	GrantType    string            // the grant_type form value (Grant.Wire)
	Lifetime     time.Duration     // exp - iat
	ExtraClaims  map[string]any    // merged into the claims; never iss, aud, iat, exp, jti, sub or scope
	ExtraForm    map[string]string // added to the token request form; never a parameter postmint sends itself
	RedirectURI  string            // authorization_code: the registered redirect URI
	// AuthorizationEndpoint is where the user logs in (authorization_code only).
	AuthorizationEndpoint string
	// DPoPAlg signs the DPoP proofs (RFC 9449) of every token and API request; "" for bearer
	// tokens.
	DPoPAlg string
	// PAREndpoint receives the authorization request first (RFC 9126); "" sends it in the URL.
	PAREndpoint string
}

// DPoP reports whether the client asks for DPoP-bound tokens.
func (p *Profile) DPoP() bool { return p.DPoPAlg != "" }

// Header returns the JOSE header of the client assertion.
func (p *Profile) Header() map[string]any {
	h := map[string]any{"alg": p.Alg}
	if p.Typ != "" {
		h["typ"] = p.Typ
	}
	if p.Kid != "" {
		h["kid"] = p.Kid
	}
	if len(p.X5C) > 0 {
		h["x5c"] = p.X5C
	}
	if p.X5TS256 != "" {
		h["x5t#S256"] = p.X5TS256
	}
	if p.X5T != "" {
		h["x5t"] = p.X5T
	}
	return h
}

// Claims returns the claims of an assertion issued at iat (Unix seconds) with the given jti.
// Extra claims are merged first so that the ones postmint sets always win.
func (p *Profile) Claims(iat int64, jti string) map[string]any {
	c := make(map[string]any, len(p.ExtraClaims)+7)
	for k, v := range p.ExtraClaims {
		c[k] = v
	}
	c["iss"] = p.Issuer
	c["aud"] = p.Audience
	c["iat"] = iat
	c["exp"] = iat + int64(p.Lifetime/time.Second)
	c["jti"] = jti
	if p.Subject != "" {
		c["sub"] = p.Subject
	}
	if p.ScopeIn.InClaim() && p.Scope != "" {
		c["scope"] = p.Scope
	}
	return c
}

// Field is one token request form parameter.
type Field struct{ Key, Value string }

// FormFields lists the token request of the profile's own grant (client credentials or the JWT
// grant) carrying the assertion, in the order the collection sends them.
func (p *Profile) FormFields(assertion string) []Field {
	var scope []Field
	if p.ScopeIn.InForm() && p.Scope != "" {
		scope = []Field{{"scope", p.Scope}}
	}
	return p.fields(p.GrantType, assertion, scope)
}

// CodeFields is the authorization code exchange (RFC 6749 §4.1.3, PKCE RFC 7636 §4.5)
// authenticated with the assertion.
func (p *Profile) CodeFields(assertion, code, verifier string) []Field {
	params := []Field{{"code", code}, {"redirect_uri", p.RedirectURI}}
	if verifier != "" {
		params = append(params, Field{"code_verifier", verifier})
	}
	return p.fields(WireAuthorizationCode, assertion, params)
}

// RefreshFields is the refresh token grant (RFC 6749 §6) authenticated with the assertion.
func (p *Profile) RefreshFields(assertion, refreshToken string) []Field {
	return p.fields(WireRefreshToken, assertion, []Field{{"refresh_token", refreshToken}})
}

// fields: grant_type, client_id, the grant's own parameters, the assertion, extra parameters
// in key order. The collection script's fields() follows the same order.
func (p *Profile) fields(grant, assertion string, params []Field) []Field {
	out := []Field{{"grant_type", grant}}
	if p.SendClientID {
		out = append(out, Field{"client_id", p.ClientID})
	}
	out = append(out, params...)
	if grant == WireJWTBearer {
		out = append(out, Field{"assertion", assertion})
	} else {
		out = append(out, Field{"client_assertion_type", ClientAssertionType}, Field{"client_assertion", assertion})
	}
	keys := make([]string, 0, len(p.ExtraForm))
	for k := range p.ExtraForm {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		out = append(out, Field{k, p.ExtraForm[k]})
	}
	return out
}

// OwnedFormFields are the form parameters postmint sends itself: a definition's form: may not
// set them.
var OwnedFormFields = []string{"grant_type", "client_assertion", "client_assertion_type", "assertion"}

// OwnedClaims are the claims postmint always sets: a definition's claims: may not set them.
var OwnedClaims = []string{"iss", "aud", "exp", "iat", "jti"}

// Values turns form fields into url.Values for posting.
func Values(fields []Field) url.Values {
	v := url.Values{}
	for _, f := range fields {
		v.Add(f.Key, f.Value)
	}
	return v
}
