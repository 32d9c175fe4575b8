// Package oauth is postmint's one model of a signed-JWT OAuth client: the typed vocabulary
// (grants, audience rules, where scope goes, which key each algorithm needs), every default
// defined once, the Profile that a resolved client boils down to, the token request it sends,
// and the one table that maps a Profile to a Postman environment's variables and back.
//
// Go (mint, token, refresh) and the collection's JavaScript both read a client from that
// table, so a rule decided here is decided for both. It is a leaf: it imports nothing from
// postmint.
package oauth

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// Grant is a grant type as a client definition names it.
type Grant string

// The grants postmint signs assertions for.
const (
	GrantClientCredentials Grant = "client_credentials" // RFC 6749 §4.4 with RFC 7523 §2.2 client authentication
	GrantJWTBearer         Grant = "jwt_bearer"         // RFC 7523 §2.1: the assertion is the grant
	GrantAuthorizationCode Grant = "authorization_code" // RFC 6749 §4.1 with RFC 7523 §2.2 client authentication
)

// Grants lists the grants in the order definitions document them.
var Grants = []Grant{GrantClientCredentials, GrantJWTBearer, GrantAuthorizationCode}

// Wire values of the grant_type form parameter and of client_assertion_type.
const (
	WireClientCredentials = "client_credentials"
	WireJWTBearer         = "urn:ietf:params:oauth:grant-type:jwt-bearer"
	WireAuthorizationCode = "authorization_code"
	WireRefreshToken      = "refresh_token"
	// ClientAssertionType is the client_assertion_type of RFC 7523 §2.2.
	ClientAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
)

// Wire is the grant_type form value.
func (g Grant) Wire() string {
	switch g {
	case GrantJWTBearer:
		return WireJWTBearer
	case GrantAuthorizationCode:
		return WireAuthorizationCode
	}
	return WireClientCredentials
}

// ParseGrant reads a grant as a definition writes it, or as its wire value.
func ParseGrant(s string) (Grant, error) {
	for _, g := range Grants {
		if s == string(g) || s == g.Wire() {
			return g, nil
		}
	}
	return "", fmt.Errorf("grant_type %q is not one of client_credentials, jwt_bearer, authorization_code", s)
}

// AudienceRule says what the assertion's aud claim is.
type AudienceRule string

// The audience rules a preset or definition can name; any other value is a fixed URL.
const (
	AudienceTokenEndpoint AudienceRule = "token_endpoint" // the token endpoint URL (RFC 7523 §3)
	AudienceIssuer        AudienceRule = "issuer"         // the issuer identifier (rfc7523bis)
	AudienceIssuerSlash   AudienceRule = "issuer_slash"   // the issuer with exactly one trailing '/'
	AudienceFixed         AudienceRule = "fixed"          // a URL given in the definition
)

// String says in words what the rule makes aud, for messages and docs.
func (r AudienceRule) String() string {
	switch r {
	case AudienceTokenEndpoint:
		return "the token endpoint URL"
	case AudienceIssuer:
		return "the issuer"
	case AudienceIssuerSlash:
		return "the issuer with a trailing slash"
	case AudienceFixed:
		return "a fixed URL from the definition"
	}
	return string(r)
}

// Named reports whether r is one of the named rules (not a literal URL).
func (r AudienceRule) Named() bool {
	return r == AudienceTokenEndpoint || r == AudienceIssuer || r == AudienceIssuerSlash
}

// ScopePlacement says where the requested scope goes: the token request's form (RFC 6749
// §3.3, RFC 7523 §2.1), a claim of the assertion (Maskinporten), or both.
type ScopePlacement string

// The scope placements.
const (
	ScopeForm  ScopePlacement = "form"
	ScopeClaim ScopePlacement = "claim"
	ScopeBoth  ScopePlacement = "both"
)

// ScopePlacements lists the scope placements.
var ScopePlacements = []ScopePlacement{ScopeForm, ScopeClaim, ScopeBoth}

// ParseScopePlacement reads form, claim or both.
func ParseScopePlacement(s string) (ScopePlacement, error) {
	if p := ScopePlacement(s); slices.Contains(ScopePlacements, p) {
		return p, nil
	}
	return "", fmt.Errorf("%q must be form, claim or both", s)
}

// InForm reports whether scope is sent as a form parameter.
func (p ScopePlacement) InForm() bool { return p == ScopeForm || p == ScopeBoth }

// InClaim reports whether scope is sent as a claim of the assertion.
func (p ScopePlacement) InClaim() bool { return p == ScopeClaim || p == ScopeBoth }

// Words says where scope goes, for messages and docs.
func (p ScopePlacement) Words() string {
	switch p {
	case ScopeClaim:
		return "a claim in the assertion"
	case ScopeBoth:
		return "a form parameter and a claim in the assertion"
	}
	return "a form parameter"
}

// Algs are the JWS algorithms postmint signs client assertions with (RFC 7518 §3.1, RFC 8037 §3.1).
var Algs = []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}

// algKeys says which key each algorithm needs.
var algKeys = map[string]string{
	"RS256": "RSA", "RS384": "RSA", "RS512": "RSA",
	"PS256": "RSA", "PS384": "RSA", "PS512": "RSA",
	"ES256": "EC P-256", "ES384": "EC P-384", "ES512": "EC P-521",
	"EdDSA": "Ed25519",
}

// KeyFor names the key an algorithm needs ("RSA", "EC P-256", "EC P-384", "EC P-521",
// "Ed25519"), or "" for an algorithm postmint does not sign with.
func KeyFor(alg string) string { return algKeys[alg] }

// IsAlg reports whether postmint signs with alg.
func IsAlg(alg string) bool { return slices.Contains(Algs, alg) }

// AlgList is Algs as one space-separated line, for messages.
func AlgList() string { return strings.Join(Algs, " ") }

// DPoPAlgs are the algorithms postmint signs DPoP proofs with (RFC 9449 §4.2: asymmetric
// only), the ones providers list in dpop_signing_alg_values_supported.
var DPoPAlgs = []string{"ES256", "ES384", "ES512", "PS256", "RS256", "EdDSA"}

// IsDPoPAlg reports whether postmint signs DPoP proofs with alg.
func IsDPoPAlg(alg string) bool { return slices.Contains(DPoPAlgs, alg) }

// Token types of a token response (RFC 6749 §7.1, RFC 9449 §5).
const (
	TokenTypeBearer = "Bearer"
	TokenTypeDPoP   = "DPoP"
)

// Defaults, each decided here and nowhere else.
const (
	// DefaultDPoPAlg signs DPoP proofs when the definition names no dpop_alg: ES256 is the
	// one every DPoP provider accepts (FAPI 2.0 §5.4, HelseID) and the cheapest in the sandbox.
	DefaultDPoPAlg = "ES256"
	// DefaultLifetime is the assertion lifetime (exp - iat) when neither the definition nor
	// its preset sets one.
	DefaultLifetime = 60 * time.Second
	// MinValidity is how many seconds a bearer token must still be valid before an API
	// request uses it; with less left, the collection fetches a new one.
	MinValidity = 30
	// DefaultExpiresIn is the token lifetime assumed, in seconds, when a token response has
	// no expires_in.
	DefaultExpiresIn = 300
	// MaxAPINonces is how many API origins' DPoP nonces dpopApiNonces keeps: the collection
	// script drops the oldest when one more origin answers with a nonce (dpop.Nonces reads them).
	MaxAPINonces = 16
)
