package postman

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/postmint/postmint/generator/assertion"
)

// Environment variable names: the contract in ../shared/CONTRACT.md, plus the extras the
// scripts need (typ, x5c, x5tS256, x5t, scopeIn, sendClientId, extraClaims, extraForm).
const (
	VarIDPServer           = "idpServer"
	VarClientID            = "clientId"
	VarIss                 = "iss"
	VarSub                 = "sub"
	VarAud                 = "aud"
	VarAlg                 = "alg"
	VarKid                 = "kid"
	VarTyp                 = "typ"
	VarX5C                 = "x5c"
	VarX5TS256             = "x5tS256"
	VarX5T                 = "x5t"
	VarScope               = "scope"
	VarScopeIn             = "scopeIn"
	VarSendClientID        = "sendClientId"
	VarGrantType           = "grantType"
	VarAssertionLifetime   = "assertionLifetime"
	VarExtraClaims         = "extraClaims"
	VarExtraForm           = "extraForm"
	VarClientAssertionType = "clientAssertionType"
	VarPrivateKey          = "privateKey"
	VarClientAssertion     = "clientAssertion"
	VarBearerToken         = "bearerToken"
	VarBearerTokenExpires  = "bearerTokenExpiresAt"

	// authorization_code only.
	VarAuthorizationEndpoint = "authorizationEndpoint"
	VarRedirectURI           = "redirectUri"
	VarAuthorizationCode     = "authorizationCode"
	VarCodeVerifier          = "codeVerifier"
	VarCodeChallenge         = "codeChallenge"
	VarState                 = "state"
	VarNonce                 = "nonce"
	VarRefreshToken          = "refreshToken"
)

// ProfileVariables renders a profile (and the normalized private key, "" for none) as the
// environment's variables, in a fixed order.
func ProfileVariables(p *assertion.Profile, privateKeyPEM string) []Variable {
	x5c := ""
	if len(p.X5C) > 0 {
		x5c = string(mustJSON(p.X5C))
	}
	claims, form := "{}", "{}"
	if len(p.ExtraClaims) > 0 {
		claims = string(mustJSON(p.ExtraClaims))
	}
	if len(p.ExtraForm) > 0 {
		form = string(mustJSON(p.ExtraForm))
	}
	d := func(k, v string) Variable { return Variable{Key: k, Value: v, Type: TypeDefault, Enabled: true} }
	s := func(k, v string) Variable { return Variable{Key: k, Value: v, Type: TypeSecret, Enabled: true} }
	vars := []Variable{
		d(VarIDPServer, p.TokenURL),
		d(VarClientID, p.ClientID),
		d(VarIss, p.Issuer),
		d(VarSub, p.Subject),
		d(VarAud, p.Audience),
		d(VarAlg, p.Alg),
		d(VarKid, p.Kid),
		d(VarTyp, p.Typ),
		d(VarX5C, x5c),
		d(VarX5TS256, p.X5TS256),
		d(VarX5T, p.X5T),
		d(VarScope, p.Scope),
		d(VarScopeIn, p.ScopeIn),
		d(VarSendClientID, strconv.FormatBool(p.SendClientID)),
		d(VarGrantType, p.GrantType),
		d(VarAssertionLifetime, strconv.FormatInt(int64(p.Lifetime/time.Second), 10)),
		d(VarExtraClaims, claims),
		d(VarExtraForm, form),
		d(VarClientAssertionType, assertion.ClientAssertionType),
		s(VarPrivateKey, privateKeyPEM),
		s(VarClientAssertion, ""),
		s(VarBearerToken, ""),
		d(VarBearerTokenExpires, ""),
	}
	if p.GrantType == assertion.AuthorizationCodeGrant {
		vars = append(vars,
			d(VarAuthorizationEndpoint, p.AuthorizationEndpoint),
			d(VarRedirectURI, p.RedirectURI),
			s(VarAuthorizationCode, ""),
			s(VarCodeVerifier, ""),
			d(VarCodeChallenge, ""),
			d(VarState, ""),
			d(VarNonce, ""),
			s(VarRefreshToken, ""),
		)
	}
	return vars
}

// VariableError names the environment variable that is missing or wrong.
type VariableError struct {
	Name string
	Msg  string
}

func (e *VariableError) Error() string { return "variable " + e.Name + ": " + e.Msg }

// Profile reads the minting rules back from an environment: it needs nothing but the
// environment (and a key) to mint and exchange, the same way the collection does.
func (e *Environment) Profile() (*assertion.Profile, error) {
	need := func(k string) (string, error) {
		v := strings.TrimSpace(e.Lookup(k))
		if v == "" {
			return "", &VariableError{k, "missing or empty; regenerate the environment with `postmint generate`"}
		}
		return v, nil
	}
	p := &assertion.Profile{}
	var err error
	if p.TokenURL, err = need(VarIDPServer); err != nil {
		return nil, err
	}
	if p.ClientID, err = need(VarClientID); err != nil {
		return nil, err
	}
	if p.Audience, err = need(VarAud); err != nil {
		return nil, err
	}
	if p.Alg, err = need(VarAlg); err != nil {
		return nil, err
	}
	if p.GrantType, err = need(VarGrantType); err != nil {
		return nil, err
	}
	p.Issuer = e.Lookup(VarIss)
	if p.Issuer == "" {
		p.Issuer = p.ClientID
	}
	p.Subject = e.Lookup(VarSub)
	p.Kid, p.Typ = e.Lookup(VarKid), e.Lookup(VarTyp)
	p.X5TS256, p.X5T = e.Lookup(VarX5TS256), e.Lookup(VarX5T)
	if s := e.Lookup(VarX5C); s != "" {
		if err := json.Unmarshal([]byte(s), &p.X5C); err != nil {
			return nil, &VariableError{VarX5C, "is not a JSON array of base64 certificates"}
		}
	}
	p.RedirectURI = e.Lookup(VarRedirectURI)
	p.AuthorizationEndpoint = e.Lookup(VarAuthorizationEndpoint)
	p.Scope = e.Lookup(VarScope)
	p.ScopeIn = e.Lookup(VarScopeIn)
	if p.ScopeIn == "" {
		p.ScopeIn = "form"
		if p.GrantType == assertion.JWTBearerGrant {
			p.ScopeIn = "claim"
		}
	}
	if p.ScopeIn != "form" && p.ScopeIn != "claim" {
		return nil, &VariableError{VarScopeIn, fmt.Sprintf("%q must be form or claim", p.ScopeIn)}
	}
	switch s := e.Lookup(VarSendClientID); s {
	case "", "false":
	case "true":
		p.SendClientID = true
	default:
		return nil, &VariableError{VarSendClientID, fmt.Sprintf("%q must be true or false", s)}
	}
	secs := int64(60)
	if s := e.Lookup(VarAssertionLifetime); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil || n <= 0 {
			return nil, &VariableError{VarAssertionLifetime, fmt.Sprintf("%q must be a positive number of seconds", s)}
		}
		secs = n
	}
	p.Lifetime = time.Duration(secs) * time.Second
	if s := e.Lookup(VarExtraClaims); s != "" && s != "{}" {
		if err := json.Unmarshal([]byte(s), &p.ExtraClaims); err != nil {
			return nil, &VariableError{VarExtraClaims, "is not a JSON object"}
		}
	}
	if s := e.Lookup(VarExtraForm); s != "" && s != "{}" {
		if err := json.Unmarshal([]byte(s), &p.ExtraForm); err != nil {
			return nil, &VariableError{VarExtraForm, "is not a JSON object of strings"}
		}
	}
	return p, nil
}
