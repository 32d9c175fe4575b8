// Package assertion signs RFC 7523 JWT assertions with golang-jwt. The header and claims come
// from an oauth.Profile, the same values the collection's JavaScript reads from the
// environment, so one definition yields the same header and claims in Go and in Postman.
package assertion

import (
	"crypto"
	"encoding/json"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"
	"github.com/google/uuid"

	"github.com/postmint/postmint/generator/oauth"
)

// JWTBearerGrant, AuthorizationCodeGrant, RefreshTokenGrant and ClientAssertionType are the
// wire values, kept here for callers that speak of assertions.
const (
	JWTBearerGrant         = oauth.WireJWTBearer
	AuthorizationCodeGrant = oauth.WireAuthorizationCode
	RefreshTokenGrant      = oauth.WireRefreshToken
	ClientAssertionType    = oauth.ClientAssertionType
)

// Options change how Mint stamps an assertion; the zero value uses the clock and crypto/rand.
type Options struct {
	Now func() time.Time
	JTI func() string
}

// NewJTI returns a random UUID (version 4) from crypto/rand.
func NewJTI() string { return uuid.NewString() }

// Mint signs an assertion for p with signer.
func Mint(p *oauth.Profile, signer crypto.Signer, opt Options) (string, error) {
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
	tok := jwt.NewWithClaims(method, jwt.MapClaims(p.Claims(now().Unix(), jti())))
	tok.Header = p.Header()
	s, err := tok.SignedString(signer)
	if err != nil {
		return "", fmt.Errorf("signing the assertion with %s: %w", p.Alg, err)
	}
	return s, nil
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

// DecodeJSON is Decode's header and claims as one indented JSON object {"header", "claims"},
// what postmint mint --decode prints.
func DecodeJSON(token string) ([]byte, error) {
	h, c, err := Decode(token)
	if err != nil {
		return nil, err
	}
	return json.MarshalIndent(map[string]any{"header": h, "claims": c}, "", "  ")
}
