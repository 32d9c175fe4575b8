// Command zitadel-op is an OpenID Provider built on github.com/zitadel/oidc/v3's op package
// (the library ZITADEL itself is built on), for postmint's tests. It keeps everything in
// memory, listens on 127.0.0.1 only, and stops when its standard input closes.
//
//	zitadel-op CONFIG.json
//
// CONFIG names the service users (RFC 7523 JWT grant: iss = sub = the user id, with their
// registered public keys), the private_key_jwt apps, and the APIs that introspect tokens (a
// client id and secret each). The program serves the same storage twice, each on its own port
// and issuer: through the library's LegacyServer (op.RegisterLegacyServer, as the library's
// example server does) and through the Provider's own handler (Provider.HttpHandler). The two
// word their refusals differently, and postmint must read both. When both listen it prints one
// JSON line: {"legacy": {...endpoints}, "provider": {...endpoints}}.
//
// Only the storage below is this program's: every protocol rule (what is checked, in which
// order, with which error) is the stock library's.
package main

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"slices"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/zitadel/oidc/v3/pkg/oidc"
	"github.com/zitadel/oidc/v3/pkg/op"
)

// Config is the file the tests write.
type Config struct {
	ServiceUsers []Account `json:"service_users"`
	Apps         []Account `json:"apps"`
	APIs         []Account `json:"apis"`
}

// Account is a service user, an app or an API.
type Account struct {
	ID           string            `json:"id"`
	Keys         []jose.JSONWebKey `json:"keys"`   // public keys; the kid is how the library finds one
	Scopes       []string          `json:"scopes"` // what it may be granted
	Secret       string            `json:"secret"` // APIs (introspection), and client_credentials with a secret
	RedirectURIs []string          `json:"redirect_uris"`
}

// Endpoints is what the program prints for one server.
type Endpoints struct {
	Issuer        string `json:"issuer"`
	Token         string `json:"token_endpoint"`
	Introspection string `json:"introspection_endpoint"`
	Userinfo      string `json:"userinfo_endpoint"`
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: zitadel-op CONFIG.json")
		os.Exit(2)
	}
	if err := run(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "zitadel-op:", err)
		os.Exit(1)
	}
}

func run(configFile string) error {
	raw, err := os.ReadFile(configFile)
	if err != nil {
		return err
	}
	var cfg Config
	if err := json.Unmarshal(raw, &cfg); err != nil {
		return fmt.Errorf("%s: %w", configFile, err)
	}
	if os.Getenv("ZITADEL_OP_DEBUG") == "" {
		slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError})))
	}
	st, err := newStorage(cfg)
	if err != nil {
		return err
	}
	out := map[string]Endpoints{}
	for _, kind := range []string{"legacy", "provider"} {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return err
		}
		issuer := "http://" + l.Addr().String()
		h, err := handler(kind, issuer, st)
		if err != nil {
			return err
		}
		go func() { _ = (&http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}).Serve(l) }()
		out[kind] = Endpoints{Issuer: issuer, Token: issuer + "/oauth/v2/token", Introspection: issuer + "/oauth/v2/introspect", Userinfo: issuer + "/oidc/v1/userinfo"}
	}
	line, _ := json.Marshal(out)
	fmt.Println(string(line))
	_, _ = io.Copy(io.Discard, os.Stdin) // the test closes it to stop the server
	return nil
}

// handler builds one provider on the shared storage, with ZITADEL's endpoint paths.
func handler(kind, issuer string, st *storage) (http.Handler, error) {
	config := &op.Config{
		CryptoKey:               sha256.Sum256([]byte("postmint test op " + issuer)),
		CodeMethodS256:          true,
		AuthMethodPost:          true,
		AuthMethodPrivateKeyJWT: true,
		GrantTypeRefreshToken:   true,
	}
	endpoints := op.Endpoints{
		Authorization: op.NewEndpoint("/oauth/v2/authorize"),
		Token:         op.NewEndpoint("/oauth/v2/token"),
		Introspection: op.NewEndpoint("/oauth/v2/introspect"),
		Userinfo:      op.NewEndpoint("/oidc/v1/userinfo"),
		Revocation:    op.NewEndpoint("/oauth/v2/revoke"),
		EndSession:    op.NewEndpoint("/oidc/v1/end_session"),
		JwksURI:       op.NewEndpoint("/oauth/v2/keys"),
	}
	provider, err := op.NewProvider(config, st, op.StaticIssuer(issuer), op.WithAllowInsecure(),
		op.WithCustomEndpoints(endpoints.Authorization, endpoints.Token, endpoints.Userinfo, endpoints.Revocation, endpoints.EndSession, endpoints.JwksURI),
		op.WithCustomIntrospectionEndpoint(endpoints.Introspection))
	if err != nil {
		return nil, err
	}
	if kind == "provider" {
		return provider.HttpHandler(), nil
	}
	noLogin := func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "no login in this test server", http.StatusNotFound)
	}
	return op.RegisterLegacyServer(op.NewLegacyServer(provider, endpoints), noLogin), nil
}

// storage keeps accounts and issued tokens in memory.
type storage struct {
	mu      sync.Mutex
	users   map[string]Account // service users: JWT grant
	apps    map[string]Account // private_key_jwt apps and client_credentials apps
	apis    map[string]Account // introspection callers
	tokens  map[string]token
	signing *rsa.PrivateKey
}

type token struct {
	subject, clientID string
	scopes            []string
	audience          []string
	expires           time.Time
}

func newStorage(cfg Config) (*storage, error) {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	s := &storage{users: map[string]Account{}, apps: map[string]Account{}, apis: map[string]Account{}, tokens: map[string]token{}, signing: k}
	for _, a := range cfg.ServiceUsers {
		s.users[a.ID] = a
	}
	for _, a := range cfg.Apps {
		s.apps[a.ID] = a
	}
	for _, a := range cfg.APIs {
		s.apis[a.ID] = a
	}
	return s, nil
}

// errNotFound is what this storage says of an unknown id; the library decides the OAuth error.
var errNotFound = errors.New("not found")

// GetKeyByIDAndClientID finds a registered public key by the assertion's kid and iss.
func (s *storage) GetKeyByIDAndClientID(_ context.Context, keyID, clientID string) (*jose.JSONWebKey, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.users[clientID]
	if !ok {
		a, ok = s.apps[clientID]
	}
	if !ok {
		return nil, fmt.Errorf("clientID %w", errNotFound)
	}
	for _, k := range a.Keys {
		if k.KeyID == keyID {
			return &k, nil
		}
	}
	return nil, fmt.Errorf("key %w", errNotFound)
}

// ValidateJWTProfileScopes grants the service user what it asked for and may have.
func (s *storage) ValidateJWTProfileScopes(_ context.Context, userID string, scopes []string) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	u, ok := s.users[userID]
	if !ok {
		return nil, oidc.ErrInvalidGrant().WithDescription("user not found")
	}
	var granted []string
	for _, sc := range scopes {
		if slices.Contains(u.Scopes, sc) {
			granted = append(granted, sc)
		}
	}
	return granted, nil
}

// GetClientByClientID returns an app or an API.
func (s *storage) GetClientByClientID(_ context.Context, clientID string) (op.Client, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if a, ok := s.apps[clientID]; ok {
		method := oidc.AuthMethodPrivateKeyJWT
		if a.Secret != "" {
			method = oidc.AuthMethodPost
		}
		return &client{Account: a, method: method}, nil
	}
	if a, ok := s.apis[clientID]; ok {
		return &client{Account: a, method: oidc.AuthMethodBasic}, nil
	}
	return nil, fmt.Errorf("client %w", errNotFound)
}

// AuthorizeClientIDSecret checks an API's or app's secret (introspection, client_secret_*).
func (s *storage) AuthorizeClientIDSecret(_ context.Context, clientID, secret string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.apis[clientID]
	if !ok {
		a, ok = s.apps[clientID]
	}
	if !ok || a.Secret == "" || a.Secret != secret {
		return errors.New("invalid client id or secret")
	}
	return nil
}

// ClientCredentials is the library's client_credentials hook: it receives client_id and
// client_secret only (an assertion never reaches it), as ZITADEL's machine users with a secret.
func (s *storage) ClientCredentials(_ context.Context, clientID, secret string) (op.Client, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.apps[clientID]
	if !ok || a.Secret == "" || a.Secret != secret {
		// An oidc.Error, so that both front ends answer invalid_client (a plain error becomes
		// server_error on the LegacyServer).
		return nil, oidc.ErrInvalidClient().WithDescription("invalid client id or secret")
	}
	return &client{Account: a, method: oidc.AuthMethodPost}, nil
}

// ClientCredentialsTokenRequest grants what was asked and is allowed.
func (s *storage) ClientCredentialsTokenRequest(_ context.Context, clientID string, scopes []string) (op.TokenRequest, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var granted []string
	for _, sc := range scopes {
		if slices.Contains(s.apps[clientID].Scopes, sc) {
			granted = append(granted, sc)
		}
	}
	return &oidc.JWTTokenRequest{Subject: clientID, Audience: []string{clientID}, Scopes: granted}, nil
}

// CreateAccessToken records an opaque token; the library encrypts its id with the subject.
func (s *storage) CreateAccessToken(_ context.Context, req op.TokenRequest) (string, time.Time, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := randomID()
	exp := time.Now().Add(5 * time.Minute)
	s.tokens[id] = token{subject: req.GetSubject(), clientID: req.GetSubject(), scopes: req.GetScopes(), audience: req.GetAudience(), expires: exp}
	return id, exp, nil
}

func (s *storage) lookup(tokenID, subject string) (token, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tokens[tokenID]
	if !ok || t.subject != subject || time.Now().After(t.expires) {
		return token{}, errors.New("token is not active")
	}
	return t, nil
}

// SetIntrospectionFromToken answers an API's introspection (RFC 7662).
func (s *storage) SetIntrospectionFromToken(_ context.Context, in *oidc.IntrospectionResponse, tokenID, subject, _ string) error {
	t, err := s.lookup(tokenID, subject)
	if err != nil {
		return err
	}
	in.Subject, in.ClientID, in.Scope = t.subject, t.clientID, t.scopes
	in.Expiration = oidc.FromTime(t.expires)
	return nil
}

// SetUserinfoFromToken makes the userinfo endpoint the test's protected resource.
func (s *storage) SetUserinfoFromToken(_ context.Context, ui *oidc.UserInfo, tokenID, subject, _ string) error {
	if _, err := s.lookup(tokenID, subject); err != nil {
		return err
	}
	ui.Subject = subject
	return nil
}

func (s *storage) SetUserinfoFromScopes(context.Context, *oidc.UserInfo, string, string, []string) error {
	return nil
}

func (s *storage) GetPrivateClaimsFromScopes(context.Context, string, string, []string) (map[string]any, error) {
	return nil, nil
}

func (s *storage) SigningKey(context.Context) (op.SigningKey, error) {
	return signingKey{s.signing}, nil
}

func (s *storage) SignatureAlgorithms(context.Context) ([]jose.SignatureAlgorithm, error) {
	return []jose.SignatureAlgorithm{jose.RS256}, nil
}

func (s *storage) KeySet(context.Context) ([]op.Key, error) {
	return []op.Key{publicKey{signingKey{s.signing}}}, nil
}

func (s *storage) Health(context.Context) error { return nil }

// No login in this server: the authorization code flow and refresh tokens are refused.
var errNoLogin = errors.New("this test server has no login")

func (s *storage) CreateAuthRequest(context.Context, *oidc.AuthRequest, string) (op.AuthRequest, error) {
	return nil, errNoLogin
}
func (s *storage) AuthRequestByID(context.Context, string) (op.AuthRequest, error) {
	return nil, errNoLogin
}
func (s *storage) AuthRequestByCode(context.Context, string) (op.AuthRequest, error) {
	return nil, oidc.ErrInvalidGrant().WithDescription("invalid code")
}
func (s *storage) SaveAuthCode(context.Context, string, string) error { return errNoLogin }
func (s *storage) DeleteAuthRequest(context.Context, string) error    { return nil }
func (s *storage) CreateAccessAndRefreshTokens(context.Context, op.TokenRequest, string) (string, string, time.Time, error) {
	return "", "", time.Time{}, errNoLogin
}
func (s *storage) TokenRequestByRefreshToken(context.Context, string) (op.RefreshTokenRequest, error) {
	return nil, op.ErrInvalidRefreshToken
}
func (s *storage) TerminateSession(context.Context, string, string) error { return nil }
func (s *storage) RevokeToken(context.Context, string, string, string) *oidc.Error {
	return nil
}
func (s *storage) GetRefreshTokenInfo(context.Context, string, string) (string, string, error) {
	return "", "", op.ErrInvalidRefreshToken
}

// client is an app or an API as op.Client.
type client struct {
	Account
	method oidc.AuthMethod
}

func (c *client) GetID() string                       { return c.ID }
func (c *client) RedirectURIs() []string              { return c.Account.RedirectURIs }
func (c *client) PostLogoutRedirectURIs() []string    { return nil }
func (c *client) ApplicationType() op.ApplicationType { return op.ApplicationTypeWeb }
func (c *client) AuthMethod() oidc.AuthMethod         { return c.method }
func (c *client) ResponseTypes() []oidc.ResponseType {
	return []oidc.ResponseType{oidc.ResponseTypeCode}
}
func (c *client) GrantTypes() []oidc.GrantType {
	return []oidc.GrantType{oidc.GrantTypeCode, oidc.GrantTypeRefreshToken, oidc.GrantTypeClientCredentials}
}
func (c *client) LoginURL(string) string               { return "" }
func (c *client) AccessTokenType() op.AccessTokenType  { return op.AccessTokenTypeBearer }
func (c *client) IDTokenLifetime() time.Duration       { return 5 * time.Minute }
func (c *client) DevMode() bool                        { return true }
func (c *client) IsScopeAllowed(sc string) bool        { return slices.Contains(c.Scopes, sc) }
func (c *client) IDTokenUserinfoClaimsAssertion() bool { return false }
func (c *client) ClockSkew() time.Duration             { return 0 }
func (c *client) RestrictAdditionalIdTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}
func (c *client) RestrictAdditionalAccessTokenScopes() func([]string) []string {
	return func(s []string) []string { return s }
}

type signingKey struct{ k *rsa.PrivateKey }

func (k signingKey) SignatureAlgorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (k signingKey) Key() any                                    { return k.k }
func (k signingKey) ID() string                                  { return "op-1" }

type publicKey struct{ signingKey }

func (k publicKey) Algorithm() jose.SignatureAlgorithm { return jose.RS256 }
func (k publicKey) Use() string                        { return "sig" }
func (k publicKey) Key() any                           { return &k.k.PublicKey }

func randomID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return fmt.Sprintf("%x", b)
}
