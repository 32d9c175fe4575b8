// Package assertion builds and signs RFC 7523 JWT assertions with golang-jwt, following
// exactly the rules the collection's JavaScript follows: both read a Profile (the values a
// Postman environment carries), so one definition yields the same header and claims in Go
// and in Postman.
package assertion

import (
	"crypto"
	"fmt"
	"net/url"
	"sort"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"
)

// Profile is everything needed to mint an assertion and build the token request.
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
	ScopeIn      string            // "form" or "claim"
	SendClientID bool              // client_id form parameter
	GrantType    string            // the grant_type form value
	Lifetime     time.Duration     // exp - iat
	ExtraClaims  map[string]any    // merged into the claims
	ExtraForm    map[string]string // added to the token request form
	RedirectURI  string            // authorization_code: the registered redirect URI
	// AuthorizationEndpoint is where the user logs in (authorization_code only).
	AuthorizationEndpoint string
}

// AuthorizationCodeGrant and RefreshTokenGrant are the grant_type values of RFC 6749 4.1.3 and 6.
const (
	AuthorizationCodeGrant = "authorization_code"
	RefreshTokenGrant      = "refresh_token"
)

// ClientAssertionType is the client_assertion_type of RFC 7523 section 2.2.
const ClientAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// JWTBearerGrant is the grant_type of RFC 7523 section 2.1.
const JWTBearerGrant = "urn:ietf:params:oauth:grant-type:jwt-bearer"

// Header returns the JOSE header.
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

// Claims returns the claims for an assertion issued at now with the given jti. Extra claims
// are merged first so that the reserved ones always win.
func (p *Profile) Claims(now time.Time, jti string) jwt.MapClaims {
	c := jwt.MapClaims{}
	for k, v := range p.ExtraClaims {
		c[k] = v
	}
	iat := now.Unix()
	c["iss"] = p.Issuer
	c["aud"] = p.Audience
	c["iat"] = iat
	c["exp"] = iat + int64(p.Lifetime/time.Second)
	c["jti"] = jti
	if p.Subject != "" {
		c["sub"] = p.Subject
	}
	if p.ScopeIn == "claim" && p.Scope != "" {
		c["scope"] = p.Scope
	}
	return c
}

// Options change how Mint stamps an assertion; the zero value uses the clock and crypto/rand.
type Options struct {
	Now func() time.Time
	JTI func() string
}

// NewJTI returns a random UUID (version 4) from crypto/rand.
func NewJTI() string { return uuid.NewString() }

// Mint signs an assertion for p with signer.
func Mint(p *Profile, signer crypto.Signer, opt Options) (string, error) {
	method := jwt.GetSigningMethod(p.Alg)
	if method == nil {
		return "", fmt.Errorf("alg %q is not supported", p.Alg)
	}
	now, jti := time.Now, NewJTI
	if opt.Now != nil {
		now = opt.Now
	}
	if opt.JTI != nil {
		jti = opt.JTI
	}
	tok := jwt.NewWithClaims(method, p.Claims(now(), jti()))
	tok.Header = p.Header()
	s, err := tok.SignedString(signer)
	if err != nil {
		return "", fmt.Errorf("signing the assertion with %s: %w", p.Alg, err)
	}
	return s, nil
}

// TokenForm is the token request body for p carrying the assertion (RFC 7523 sections 2.1 and 2.2).
// The collection's Get token request sends the same parameters in the same order.
func (p *Profile) TokenForm(assertion string) url.Values { return Values(p.FormFields(assertion)) }

// FormFields lists the token request parameters of the profile's own grant (client
// credentials or the JWT grant) in the order the collection shows them.
func (p *Profile) FormFields(assertion string) [][2]string {
	var scope [][2]string
	if p.ScopeIn != "claim" && p.Scope != "" {
		scope = [][2]string{{"scope", p.Scope}}
	}
	return p.fields(p.GrantType, assertion, scope)
}

// CodeFields is the authorization code exchange (RFC 6749 section 4.1.3, PKCE RFC 7636
// section 4.5) authenticated with the assertion.
func (p *Profile) CodeFields(assertion, code, verifier string) [][2]string {
	params := [][2]string{{"code", code}, {"redirect_uri", p.RedirectURI}}
	if verifier != "" {
		params = append(params, [2]string{"code_verifier", verifier})
	}
	return p.fields(AuthorizationCodeGrant, assertion, params)
}

// RefreshFields is the refresh token grant (RFC 6749 section 6) authenticated with the assertion.
func (p *Profile) RefreshFields(assertion, refreshToken string) [][2]string {
	return p.fields(RefreshTokenGrant, assertion, [][2]string{{"refresh_token", refreshToken}})
}

// fields: grant_type, client_id, the grant's own parameters, the assertion, extra parameters.
func (p *Profile) fields(grant, assertion string, params [][2]string) [][2]string {
	out := [][2]string{{"grant_type", grant}}
	if p.SendClientID {
		out = append(out, [2]string{"client_id", p.ClientID})
	}
	out = append(out, params...)
	if grant == JWTBearerGrant {
		out = append(out, [2]string{"assertion", assertion})
	} else {
		out = append(out, [2]string{"client_assertion_type", ClientAssertionType}, [2]string{"client_assertion", assertion})
	}
	keys := make([]string, 0, len(p.ExtraForm))
	for k := range p.ExtraForm {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		out = append(out, [2]string{k, p.ExtraForm[k]})
	}
	return out
}

// Values turns form fields into url.Values for posting.
func Values(fields [][2]string) url.Values {
	v := url.Values{}
	for _, kv := range fields {
		v.Add(kv[0], kv[1])
	}
	return v
}

// Decode returns the header and claims of a compact JWS without verifying it (for --decode
// and for error explanations).
func Decode(token string) (header, claims map[string]any, err error) {
	parser := jwt.NewParser()
	mc := jwt.MapClaims{}
	t, _, err := parser.ParseUnverified(token, mc)
	if err != nil {
		return nil, nil, fmt.Errorf("decoding the assertion: %w", err)
	}
	return t.Header, mc, nil
}
