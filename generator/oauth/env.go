package oauth

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Environment variable names. The contract names idpServer, clientId, iss, sub, aud, alg, kid,
// scope, grantType, assertionLifetime, privateKey, clientAssertionType, clientAssertion,
// bearerToken and bearerTokenExpiresAt; the others carry the rest of the Profile.
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

	// DPoP (RFC 9449) only: the contract names dpopKey, tokenType and dpopNonce.
	VarDPoPAlg       = "dpopAlg"
	VarDPoPKey       = "dpopKey"
	VarTokenType     = "tokenType"
	VarDPoPNonce     = "dpopNonce"
	VarDPoPAPINonces = "dpopApiNonces"

	// Pushed authorization requests (RFC 9126) only.
	VarPAREndpoint = "parEndpoint"
	VarRequestURI  = "requestUri"
)

// Secrets are the values of the secret variables Variables writes: the client's private key
// (PKCS#8 PEM) and the DPoP key (a private JWK), each "" for none.
type Secrets struct {
	PrivateKey, DPoPKey string
}

// Variable is one environment variable as Variables renders it.
type Variable struct {
	Key, Value  string
	Secret      bool // Postman type "secret": a key or a token
	Description string
}

// Absent is what an empty or missing variable stands for: Value, or the value of the
// variable From. The collection script gets the same (Absents) and applies it the same way.
type Absent struct {
	Value string `json:"value,omitempty"`
	From  string `json:"from,omitempty"`
}

// spec is one row of the table: how a variable is written from a Profile and read back.
type spec struct {
	name     string
	secret   bool
	required bool // reading fails when it is empty (and it has no absent value)
	code     bool // authorization_code environments only
	dpop     bool // DPoP environments only (Profile.DPoPAlg set)
	par      bool // pushed authorization request environments only (Profile.PAREndpoint set)
	// absent is what an empty or missing variable means, for environments written by hand or
	// before postmint wrote the variable: a constant (value) or another variable's value (from).
	absent Absent
	desc   string
	get    func(*Profile) string        // nil: state the scripts and refresh fill in
	set    func(*Profile, string) error // nil: not part of the Profile
}

// table is the one mapping between a Profile and an environment, in the environment's order.
var table = []spec{
	{name: VarIDPServer, required: true, desc: "Token endpoint URL the token request is posted to (not the server's base URL). Set by postmint generate.",
		get: func(p *Profile) string { return p.TokenURL }, set: func(p *Profile, v string) error { p.TokenURL = v; return nil }},
	{name: VarClientID, required: true, desc: "Your client id at the provider. Set by postmint generate.",
		get: func(p *Profile) string { return p.ClientID }, set: func(p *Profile, v string) error { p.ClientID = v; return nil }},
	{name: VarIss, required: true, absent: Absent{From: VarClientID}, desc: "iss claim of the client assertion (the client id). Set by postmint generate.",
		get: func(p *Profile) string { return p.Issuer }, set: func(p *Profile, v string) error { p.Issuer = v; return nil }},
	{name: VarSub, desc: "sub claim of the client assertion; empty sends none. Set by postmint generate from the preset (or claims.sub).",
		get: func(p *Profile) string { return p.Subject }, set: func(p *Profile, v string) error { p.Subject = v; return nil }},
	{name: VarAud, required: true, desc: "aud claim of the client assertion, chosen by the preset's audience rule. Set by postmint generate.",
		get: func(p *Profile) string { return p.Audience }, set: func(p *Profile, v string) error { p.Audience = v; return nil }},
	{name: VarAlg, required: true, desc: "JWS algorithm the assertion is signed with; must fit privateKey. Set by postmint generate.",
		get: func(p *Profile) string { return p.Alg }, set: setAlg},
	{name: VarKid, desc: "kid header of the assertion (the key id you registered); empty sends none. Set by postmint generate.",
		get: func(p *Profile) string { return p.Kid }, set: func(p *Profile, v string) error { p.Kid = v; return nil }},
	{name: VarTyp, desc: "typ header of the assertion; empty sends none. Set by postmint generate from the preset.",
		get: func(p *Profile) string { return p.Typ }, set: func(p *Profile, v string) error { p.Typ = v; return nil }},
	{name: VarX5C, desc: "x5c header: JSON array of the certificate chain (base64 DER), or empty. Set by postmint generate.",
		get: getX5C, set: setX5C},
	{name: VarX5TS256, desc: "x5t#S256 header: SHA-256 thumbprint of the certificate, or empty. Set by postmint generate.",
		get: func(p *Profile) string { return p.X5TS256 }, set: func(p *Profile, v string) error { p.X5TS256 = v; return nil }},
	{name: VarX5T, desc: "x5t header: SHA-1 thumbprint of the certificate, or empty. Set by postmint generate.",
		get: func(p *Profile) string { return p.X5T }, set: func(p *Profile, v string) error { p.X5T = v; return nil }},
	{name: VarScope, desc: "Scopes requested, space-separated; empty requests none. Set by postmint generate.",
		get: func(p *Profile) string { return p.Scope }, set: func(p *Profile, v string) error { p.Scope = v; return nil }},
	{name: VarScopeIn, required: true, absent: Absent{Value: string(ScopeForm)}, desc: "Where scope is sent: form, claim (in the assertion) or both. Set by postmint generate from the preset.",
		get: func(p *Profile) string { return string(p.ScopeIn) }, set: setScopeIn},
	{name: VarSendClientID, required: true, absent: Absent{Value: "false"}, desc: "true sends client_id as a form parameter beside the assertion. Set by postmint generate from the preset.",
		get: func(p *Profile) string { return strconv.FormatBool(p.SendClientID) }, set: setSendClientID},
	{name: VarGrantType, required: true, desc: "grant_type of Get token (client_credentials or urn:ietf:params:oauth:grant-type:jwt-bearer). Set by postmint generate.",
		get: func(p *Profile) string { return p.GrantType }, set: setGrantType},
	{name: VarAssertionLifetime, required: true, absent: Absent{Value: strconv.Itoa(int(DefaultLifetime / time.Second))}, desc: "Lifetime of each assertion in seconds (exp - iat). Set by postmint generate from the preset.",
		get: func(p *Profile) string { return strconv.FormatInt(int64(p.Lifetime/time.Second), 10) }, set: setLifetime},
	{name: VarExtraClaims, required: true, absent: Absent{Value: "{}"}, desc: "JSON object of extra assertion claims from the definition's claims:. Set by postmint generate.",
		get: getExtraClaims, set: setExtraClaims},
	{name: VarExtraForm, required: true, absent: Absent{Value: "{}"}, desc: "JSON object of extra token request parameters from the definition's form:. Set by postmint generate.",
		get: getExtraForm, set: setExtraForm},
	{name: VarClientAssertionType, required: true, absent: Absent{Value: ClientAssertionType}, desc: "client_assertion_type of RFC 7523. Set by postmint generate; do not change.",
		get: func(*Profile) string { return ClientAssertionType }, set: setClientAssertionType},
	{name: VarPrivateKey, secret: true, desc: "Your private key (PEM or JWK). Keep it secret: never commit or export it. Empty in CI: postmint refresh supplies tokens."},
	{name: VarClientAssertion, secret: true, desc: "The last signed client assertion. Set by Get token and postmint refresh."},
	{name: VarBearerToken, secret: true, desc: "The access token the API requests send. Set by Get token, the collection script and postmint refresh."},
	{name: VarBearerTokenExpires, desc: "When bearerToken expires (Unix seconds). Set with bearerToken."},

	{name: VarAuthorizationEndpoint, code: true, required: true, desc: "Authorization endpoint URL where the user logs in. Set by postmint generate.",
		get: func(p *Profile) string { return p.AuthorizationEndpoint }, set: func(p *Profile, v string) error { p.AuthorizationEndpoint = v; return nil }},
	{name: VarRedirectURI, code: true, required: true, desc: "Redirect URI registered for the client. Set by postmint generate.",
		get: func(p *Profile) string { return p.RedirectURI }, set: func(p *Profile, v string) error { p.RedirectURI = v; return nil }},
	{name: VarAuthorizationCode, code: true, secret: true, desc: "Paste the code from the redirect here, then send Auth / Exchange code."},
	{name: VarCodeVerifier, code: true, secret: true, desc: "PKCE verifier of the last Authorize. Set by Auth / Authorize."},
	{name: VarCodeChallenge, code: true, desc: "PKCE S256 challenge of codeVerifier. Set by Auth / Authorize."},
	{name: VarState, code: true, desc: "state of the last Authorize. Set by Auth / Authorize."},
	{name: VarNonce, code: true, desc: "OpenID Connect nonce of the last Authorize. Set by Auth / Authorize."},
	{name: VarRefreshToken, code: true, secret: true, desc: "Refresh token from the last token response. Set by Exchange code, Refresh token and postmint refresh."},
	{name: VarPAREndpoint, code: true, par: true, required: true, desc: "Pushed authorization request endpoint (RFC 9126): Auth / Authorize posts the authorization request here first. Set by postmint generate.",
		get: func(p *Profile) string { return p.PAREndpoint }, set: func(p *Profile, v string) error { p.PAREndpoint = v; return nil }},
	{name: VarRequestURI, code: true, par: true, desc: "request_uri the PAR endpoint returned for the last Authorize. Set by Auth / Authorize."},

	{name: VarDPoPAlg, dpop: true, required: true, desc: "Algorithm of the DPoP proofs (RFC 9449) sent with every token and API request. Set by postmint generate.",
		get: func(p *Profile) string { return p.DPoPAlg }, set: setDPoPAlg},
	{name: VarDPoPKey, dpop: true, secret: true, desc: "Private JWK of the DPoP key (not your client key): the token is bound to it. Made with a CSPRNG by postmint generate or postmint refresh; keep it secret."},
	{name: VarTokenType, dpop: true, desc: "token_type of the last token response (DPoP or Bearer). Set with bearerToken."},
	{name: VarDPoPNonce, dpop: true, desc: "The last DPoP-Nonce the token endpoint gave; sent in the next proof to it. Set by the scripts and postmint refresh."},
	{name: VarDPoPAPINonces, dpop: true, desc: "JSON object: the last DPoP-Nonce each API origin gave, sent in the next proof to it. Set by the collection's scripts."},
}

// Variables renders a profile (and its secrets) as an environment's variables, in the
// table's order.
func Variables(p *Profile, secrets Secrets) []Variable {
	out := make([]Variable, 0, len(table))
	for _, s := range table {
		if !s.applies(p.GrantType, p.DPoP(), p.PAREndpoint != "") {
			continue
		}
		v := Variable{Key: s.name, Secret: s.secret, Description: s.desc}
		switch {
		case s.get != nil:
			v.Value = s.get(p)
		case s.name == VarPrivateKey:
			v.Value = secrets.PrivateKey
		case s.name == VarDPoPKey:
			v.Value = secrets.DPoPKey
		}
		out = append(out, v)
	}
	return out
}

// VariableError names the environment variable that is missing or wrong.
type VariableError struct {
	Name string
	Msg  string
}

func (e *VariableError) Error() string { return "variable " + e.Name + ": " + e.Msg }

// MissingHint ends the message for a variable a postmint environment always has.
const MissingHint = "missing or empty; regenerate the environment with `postmint generate`"

// FromVariables reads a profile back from an environment's variables (get returns "" for an
// absent or disabled one): the environment alone says how to mint and what to send.
func FromVariables(get func(name string) string) (*Profile, error) {
	p := &Profile{}
	grant := strings.TrimSpace(get(VarGrantType))
	dpop, par := strings.TrimSpace(get(VarDPoPAlg)) != "", strings.TrimSpace(get(VarPAREndpoint)) != ""
	for _, s := range table {
		if s.set == nil || !s.applies(grant, dpop, par) {
			continue
		}
		v := get(s.name)
		if strings.TrimSpace(v) == "" {
			v = s.absent.Value
			if s.absent.From != "" {
				v = get(s.absent.From)
			}
		}
		if s.required && strings.TrimSpace(v) == "" {
			return nil, &VariableError{s.name, MissingHint}
		}
		if err := s.set(p, v); err != nil {
			return nil, &VariableError{s.name, err.Error()}
		}
	}
	return p, nil
}

// applies reports whether the row belongs in an environment of that grant (wire value) with
// or without DPoP and PAR.
func (s spec) applies(grant string, dpop, par bool) bool {
	return (!s.code || grant == WireAuthorizationCode) && (!s.dpop || dpop) && (!s.par || par)
}

// RequiredVariables lists the variables the collection script refuses to run without, for
// the script's configuration (rows of the DPoP and PAR extensions are checked where used).
func RequiredVariables(code bool) []string {
	var out []string
	for _, s := range table {
		if s.required && s.set != nil && (!s.code || code) && !s.dpop && !s.par {
			out = append(out, s.name)
		}
	}
	return out
}

// Absents maps each variable that has one to what its absence means, for the script's
// configuration: the script applies them exactly as FromVariables does.
func Absents() map[string]Absent {
	out := map[string]Absent{}
	for _, s := range table {
		if s.absent != (Absent{}) {
			out[s.name] = s.absent
		}
	}
	return out
}

// IsVariable reports whether name is one of postmint's environment variables.
func IsVariable(name string) bool {
	for _, s := range table {
		if s.name == name {
			return true
		}
	}
	return false
}

func setAlg(p *Profile, v string) error {
	if !IsAlg(v) {
		return fmt.Errorf("%q is not one of %s", v, AlgList())
	}
	p.Alg = v
	return nil
}

func setDPoPAlg(p *Profile, v string) error {
	if !IsDPoPAlg(v) {
		return fmt.Errorf("%q is not one of %s", v, strings.Join(DPoPAlgs, " "))
	}
	p.DPoPAlg = v
	return nil
}

func setScopeIn(p *Profile, v string) (err error) {
	p.ScopeIn, err = ParseScopePlacement(v)
	return err
}

func setSendClientID(p *Profile, v string) error {
	switch v {
	case "true":
		p.SendClientID = true
	case "false":
		p.SendClientID = false
	default:
		return fmt.Errorf("%q must be true or false", v)
	}
	return nil
}

func setGrantType(p *Profile, v string) error {
	g, err := ParseGrant(v)
	if err != nil {
		return fmt.Errorf("%q is not client_credentials, %s or authorization_code", v, WireJWTBearer)
	}
	p.GrantType = g.Wire()
	return nil
}

func setLifetime(p *Profile, v string) error {
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 {
		return fmt.Errorf("%q must be a positive number of seconds", v)
	}
	p.Lifetime = time.Duration(n) * time.Second
	return nil
}

func setClientAssertionType(_ *Profile, v string) error {
	if v != ClientAssertionType {
		return fmt.Errorf("%q must be %s", v, ClientAssertionType)
	}
	return nil
}

func getX5C(p *Profile) string {
	if len(p.X5C) == 0 {
		return ""
	}
	return mustJSON(p.X5C)
}

func setX5C(p *Profile, v string) error {
	if v == "" {
		return nil
	}
	if err := json.Unmarshal([]byte(v), &p.X5C); err != nil {
		return fmt.Errorf("is not a JSON array of base64 certificates")
	}
	return nil
}

func getExtraClaims(p *Profile) string { return objectJSON(p.ExtraClaims) }

func setExtraClaims(p *Profile, v string) error {
	return setObject(&p.ExtraClaims, v, "is not a JSON object")
}

func getExtraForm(p *Profile) string { return objectJSON(p.ExtraForm) }

func setExtraForm(p *Profile, v string) error {
	return setObject(&p.ExtraForm, v, "is not a JSON object of strings")
}

// objectJSON is a map as a JSON object, {} when empty.
func objectJSON[V any](m map[string]V) string {
	if len(m) == 0 {
		return "{}"
	}
	return mustJSON(m)
}

// setObject reads a JSON object into *dst, leaving it nil when the object is empty.
func setObject[V any](dst *map[string]V, v, problem string) error {
	var m map[string]V
	if err := json.Unmarshal([]byte(v), &m); err != nil || m == nil {
		return errors.New(problem)
	}
	if len(m) > 0 {
		*dst = m
	}
	return nil
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}
