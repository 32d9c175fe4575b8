package postman

import (
	"github.com/postmint/postmint/generator/oauth"
)

// Environment variable names, defined once in package oauth (the table that maps a client to
// an environment) and repeated here for the code that builds collections.
const (
	VarIDPServer           = oauth.VarIDPServer
	VarClientID            = oauth.VarClientID
	VarIss                 = oauth.VarIss
	VarSub                 = oauth.VarSub
	VarAud                 = oauth.VarAud
	VarAlg                 = oauth.VarAlg
	VarKid                 = oauth.VarKid
	VarTyp                 = oauth.VarTyp
	VarX5C                 = oauth.VarX5C
	VarX5TS256             = oauth.VarX5TS256
	VarX5T                 = oauth.VarX5T
	VarScope               = oauth.VarScope
	VarScopeIn             = oauth.VarScopeIn
	VarSendClientID        = oauth.VarSendClientID
	VarGrantType           = oauth.VarGrantType
	VarAssertionLifetime   = oauth.VarAssertionLifetime
	VarExtraClaims         = oauth.VarExtraClaims
	VarExtraForm           = oauth.VarExtraForm
	VarClientAssertionType = oauth.VarClientAssertionType
	VarPrivateKey          = oauth.VarPrivateKey
	VarClientAssertion     = oauth.VarClientAssertion
	VarBearerToken         = oauth.VarBearerToken
	VarBearerTokenExpires  = oauth.VarBearerTokenExpires

	VarAuthorizationEndpoint = oauth.VarAuthorizationEndpoint
	VarRedirectURI           = oauth.VarRedirectURI
	VarAuthorizationCode     = oauth.VarAuthorizationCode
	VarCodeVerifier          = oauth.VarCodeVerifier
	VarCodeChallenge         = oauth.VarCodeChallenge
	VarState                 = oauth.VarState
	VarNonce                 = oauth.VarNonce
	VarRefreshToken          = oauth.VarRefreshToken

	VarDPoPAlg       = oauth.VarDPoPAlg
	VarDPoPKey       = oauth.VarDPoPKey
	VarTokenType     = oauth.VarTokenType
	VarDPoPNonce     = oauth.VarDPoPNonce
	VarDPoPAPINonces = oauth.VarDPoPAPINonces
	VarPAREndpoint   = oauth.VarPAREndpoint
	VarRequestURI    = oauth.VarRequestURI
)

// ProfileVariables renders a profile (and the normalized private key, "" for none) as the
// environment's variables, in the order and with the descriptions of oauth's table.
func ProfileVariables(p *oauth.Profile, secrets oauth.Secrets) []Variable {
	vars := oauth.Variables(p, secrets)
	out := make([]Variable, 0, len(vars))
	for _, v := range vars {
		typ := TypeDefault
		if v.Secret {
			typ = TypeSecret
		}
		out = append(out, Variable{Key: v.Key, Value: v.Value, Type: typ, Enabled: true, Description: v.Description})
	}
	return out
}

// Profile reads the client back from the environment through oauth's table: it needs nothing
// but the environment (and a key) to mint and exchange, the same way the collection does.
func (e *Environment) Profile() (*oauth.Profile, error) {
	return oauth.FromVariables(e.Lookup)
}
