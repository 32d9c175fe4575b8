package token

import (
	"errors"

	"github.com/postmint/postmint/generator/oauth"
)

// Grant is what a token request asks for when it is not the profile's own grant: the
// authorization code exchange (Code, with its PKCE Verifier) or the refresh token grant
// (RefreshToken). Stored are an environment's refreshToken and codeVerifier: for an
// authorization_code client given neither a code nor a refresh token, the stored refresh token
// is used, and a code goes with the stored verifier unless Verifier is given.
type Grant struct {
	Code, Verifier, RefreshToken string
	StoredRefreshToken           string
	StoredVerifier               string
}

// Errors of Session.Request: a request that cannot be made as asked.
var (
	ErrCodeAndRefreshToken = errors.New("a code and a refresh token, not both")
	ErrCodeNeedsRedirect   = errors.New("a code exchange needs the client's redirect_uri")
	ErrNeedsCode           = errors.New("authorization_code needs a code or a refresh token")
)

// Request chooses the token request's form for g: the code exchange, the refresh token grant,
// or the profile's own grant; refreshing reports the refresh token grant, whose refusals have
// other causes than a code's (Context.GrantType).
func (s *Session) Request(g Grant) (fields func(assertion string) []oauth.Field, refreshing bool, err error) {
	p := s.Profile
	if g.Code != "" && g.RefreshToken != "" {
		return nil, false, ErrCodeAndRefreshToken
	}
	authCode := p.GrantType == oauth.WireAuthorizationCode
	rt := g.RefreshToken
	if rt == "" && g.Code == "" && authCode {
		rt = g.StoredRefreshToken
	}
	verifier := g.Verifier
	if verifier == "" {
		verifier = g.StoredVerifier
	}
	switch {
	case g.Code != "":
		if p.RedirectURI == "" {
			return nil, false, ErrCodeNeedsRedirect
		}
		return func(a string) []oauth.Field { return p.CodeFields(a, g.Code, verifier) }, false, nil
	case rt != "":
		return func(a string) []oauth.Field { return p.RefreshFields(a, rt) }, true, nil
	case authCode:
		return nil, false, ErrNeedsCode
	}
	return p.FormFields, false, nil
}
