// Package e2e drives the end-to-end harness in testdata/e2e from Go tests: a real OpenID
// provider (oidc-provider) doing private_key_jwt client authentication, an RFC 7523 section 2.1
// JWT-grant endpoint with Maskinporten's rules, a protected resource, and the Newman and Postman
// CLI runners that execute generated collections against them.
//
// The provider also does DPoP (RFC 9449; Client.DPoP, Client.DPoPNonce) and pushed
// authorization requests (RFC 9126; Provider.PAREndpoint, Client.PAR), and StartConfig with
// ProfileFAPI2 runs a separate FAPI 2.0 server. The resource verifies DPoP proofs itself
// (Provider.DPoPAPI, Provider.DPoPNonceAPI) and the stats record every proof decoded.
//
// The harness needs Node 20+ and `npm ci --prefix testdata/e2e`; without them the tests that use
// it fail (they are never skipped).
//
//	p := e2e.Start(t, []e2e.Client{{ClientID: "c1", Alg: "ES256", JWKS: e2e.JWKS(t, e2e.Key{KID: "k1", Public: &priv.PublicKey}), Scope: "api.read"}})
//	// point a client definition at p.TokenEndpoint / p.Issuer / p.API, generate a collection...
//	run, err := e2e.Newman(t, collectionPath, environmentPath)
//	if err != nil { t.Fatalf("%v\n%s", err, run.Output) }
//	if got := p.TokensIssued(t, "c1"); got != 1 { t.Errorf("tokens issued = %d", got) }
package e2e

import (
	"bufio"
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"
)

// Grant values for Client.Grant.
const (
	GrantClientCredentials = "client_credentials"
	GrantJWTBearer         = "jwt_bearer"
	GrantAuthorizationCode = "authorization_code"
)

// Audience rules for Client.Audience: the exact aud the token endpoint demands in a
// client_assertion. (The JWT-grant endpoint always demands Provider.JWTGrantIssuer.)
const (
	AudienceTokenEndpoint = "token_endpoint" // Provider.TokenEndpoint
	AudienceIssuer        = "issuer"         // Provider.Issuer
	AudienceIssuerSlash   = "issuer_slash"   // Provider.Issuer + "/"
)

// Client mirrors one entry of the server's config.
type Client struct {
	ClientID string `json:"client_id"`
	// Grant is GrantClientCredentials (default), GrantJWTBearer or GrantAuthorizationCode.
	Grant string `json:"grant,omitempty"`
	// Alg is the client's only accepted JWS alg (token_endpoint_auth_signing_alg); default RS256.
	Alg string `json:"alg,omitempty"`
	// Audience is the token endpoint's aud rule for this client; default AudienceTokenEndpoint.
	Audience string `json:"audience,omitempty"`
	// Typ, when set, is the JOSE typ header the token endpoint requires.
	Typ string `json:"typ,omitempty"`
	// Scope is the space-separated list of scopes the client may get.
	Scope string `json:"scope,omitempty"`
	// RequireClientID makes the token endpoint demand the client_id form parameter.
	RequireClientID bool `json:"require_client_id,omitempty"`
	// JWKS is the client's public {"keys":[...]} (see the JWKS helper).
	JWKS json.RawMessage `json:"jwks"`
	// Certificates are trusted PEM leaf certificates for the JWT grant's x5c header.
	Certificates []string `json:"certificates,omitempty"`
	// AccessTokenTTL is the lifetime of the access tokens issued to the client, in seconds
	// (default 300).
	AccessTokenTTL int `json:"access_token_ttl,omitempty"`
	// RedirectURIs are required for GrantAuthorizationCode.
	RedirectURIs []string `json:"redirect_uris,omitempty"`
	// DPoP makes the client's access tokens DPoP-bound (oidc-provider's
	// dpop_bound_access_tokens): token requests without a DPoP proof are refused
	// (invalid_grant "DPoP proof JWT not provided"), tokens carry cnf.jkt and token_type DPoP,
	// and the resource then takes them only with the DPoP scheme and a proof of that key.
	// Always on under ProfileFAPI2.
	DPoP bool `json:"dpop,omitempty"`
	// DPoPNonce makes the token and PAR endpoints demand a server nonce in this client's DPoP
	// proofs: a proof without one is answered 400 use_dpop_nonce with a DPoP-Nonce header.
	DPoPNonce bool `json:"dpop_nonce,omitempty"`
	// PAR makes pushed authorization requests (RFC 9126) mandatory for the client
	// (require_pushed_authorization_requests); GrantAuthorizationCode only.
	PAR bool `json:"par,omitempty"`
}

// ProfileFAPI2 is the Config.Profile that runs the server under oidc-provider's FAPI 2.0
// Security Profile (features.fapi {enabled: true, profile: '2.0'}). The server then demands:
// PKCE with S256 on every authorization request; pushed authorization requests (PAR) for every
// authorization request; redirect_uri in every authorization request; DPoP-bound
// (sender-constrained) tokens for every client, so each token request needs a DPoP proof;
// client assertions and DPoP proofs signed with PS256, ES256 or EdDSA only; a client assertion
// aud that is exactly the issuer as a string (Client.Audience must be AudienceIssuer, the
// default in this profile; oidc-provider refuses the token or PAR endpoint URL and arrays); no
// access tokens in query parameters; authorization codes that live 60 s.
const ProfileFAPI2 = "fapi2"

// Config is the whole server config: its clients and, optionally, a profile.
type Config struct {
	// Profile is "" (the default) or ProfileFAPI2.
	Profile string   `json:"profile,omitempty"`
	Clients []Client `json:"clients"`
}

// Provider holds the URLs of one running harness server (all on 127.0.0.1, one random port).
type Provider struct {
	Issuer                string `json:"issuer"`                   // http://127.0.0.1:PORT
	TokenEndpoint         string `json:"token_endpoint"`           // Issuer + "/token"
	JWTGrantIssuer        string `json:"jwt_grant_issuer"`         // Issuer + "/jwtgrant/" (the aud of JWT-grant assertions)
	JWTGrantTokenEndpoint string `json:"jwt_grant_token_endpoint"` // Issuer + "/jwtgrant/token"
	API                   string `json:"api"`                      // Issuer + "/api/whoami"; any /api/... path and method works
	AuthorizationEndpoint string `json:"authorization_endpoint"`   // Issuer + "/auth"
	Stats                 string `json:"stats"`                    // Issuer + "/_stats"
	JWKSURI               string `json:"jwks_uri"`                 // Issuer + "/jwks"
	UserinfoEndpoint      string `json:"userinfo_endpoint"`        // Issuer + "/me"
	IntrospectionEndpoint string `json:"introspection_endpoint"`   // Issuer + "/token/introspection"
	RevocationEndpoint    string `json:"revocation_endpoint"`      // Issuer + "/token/revocation"
	Discovery             string `json:"discovery"`                // Issuer + "/.well-known/openid-configuration"
	// Capture is the base of the capturing token endpoints: Capture + "/<label>/token" records
	// every token request posted to it (see Captures) and answers with a token that API accepts.
	// With a DPoP header the token is DPoP-bound to the proof's key (token_type DPoP); with
	// "?dpop_nonce=1" appended the endpoint first answers 400 use_dpop_nonce with a DPoP-Nonce
	// header until a proof carries that nonce (CaptureNonceQuery).
	Capture string `json:"capture"`
	// PAREndpoint is the pushed authorization request endpoint (RFC 9126), Issuer + "/request".
	// It authenticates clients like the token endpoint does (the client's Audience rule, or the
	// PAR endpoint's own URL as aud) and takes DPoP proofs (binding the code to the key).
	PAREndpoint string `json:"pushed_authorization_request_endpoint"`
	// DPoPAPI is an API URL (Issuer + "/api/dpop/whoami") for DPoP: every /api/... path takes
	// Authorization: DPoP <token> with a DPoP proof (htm, htu without query, iat within 60 s,
	// unused jti, ath, and the token's cnf.jkt), as well as Bearer for unbound tokens.
	DPoPAPI string `json:"dpop_api"`
	// DPoPNonceAPI (Issuer + "/dpop-nonce-api/whoami"; any /dpop-nonce-api/... path) takes DPoP
	// only and also demands the resource server's nonce: 401 with
	// WWW-Authenticate: DPoP error="use_dpop_nonce" and a DPoP-Nonce header first. The nonce
	// rotates every 120 s (the previous one stays valid); a fresh one comes in DPoP-Nonce.
	DPoPNonceAPI string `json:"dpop_nonce_api"`
	// Profile is the server's Config.Profile ("" or ProfileFAPI2).
	Profile string `json:"profile"`

	logs *syncBuffer
}

// Logs returns what the server wrote to stderr so far (quiet unless POSTMINT_E2E_DEBUG=1).
func (p *Provider) Logs() string {
	if p.logs == nil {
		return ""
	}
	return p.logs.String()
}

// startWithLine starts cmd, a server that stops when its standard input closes (so it never
// outlives this process), and returns the first line it prints on stdout (30 s at most), the
// function that stops it (closing stdin, then a signal, then a kill), and its exit error once
// stopped. The rest of its stdout goes to drain, so it never blocks on a full pipe.
func startWithLine(cmd *exec.Cmd, drain io.Writer) (line string, stop func(), waitErr func() error, err error) {
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return "", nil, nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return "", nil, nil, err
	}
	if err := cmd.Start(); err != nil {
		return "", nil, nil, fmt.Errorf("starting %s: %v", filepath.Base(cmd.Path), err)
	}
	exited := make(chan struct{})
	var exitErr error
	lines := make(chan string, 1)
	go func() {
		r := bufio.NewReader(stdout)
		first, _ := r.ReadString('\n')
		lines <- first
		_, _ = io.Copy(drain, r)
		exitErr = cmd.Wait()
		close(exited)
	}()
	stop = func() {
		_ = stdin.Close()
		select {
		case <-exited:
			return
		case <-time.After(5 * time.Second):
		}
		_ = cmd.Process.Signal(terminateSignal)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
			<-exited
		}
	}
	waitErr = func() error { <-exited; return exitErr }
	select {
	case line = <-lines:
		return line, stop, waitErr, nil
	case <-time.After(30 * time.Second):
		_ = cmd.Process.Kill()
		<-exited
		return "", nil, nil, errors.New("it printed nothing in 30 s")
	}
}

// HarnessDir is the absolute path of testdata/e2e, found from this source file's location.
func HarnessDir() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok {
		panic("e2e: cannot locate the harness source file")
	}
	return filepath.Join(filepath.Dir(file), "..", "..", "testdata", "e2e")
}

const installHint = "run npm ci --prefix testdata/e2e (needs Node 20+)"

// RequireHarness fails the test (it never skips) when node or the harness's node_modules is
// missing.
func RequireHarness(t testing.TB) {
	t.Helper()
	if err := checkHarness(); err != nil {
		t.Fatalf("e2e harness unavailable: %v; %s", err, installHint)
	}
}

var (
	harnessOnce sync.Once
	harnessErr  error
	nodePath    string
)

func checkHarness() error {
	harnessOnce.Do(func() {
		var err error
		nodePath, err = exec.LookPath("node")
		if err != nil {
			harnessErr = errors.New("node is not on PATH")
			return
		}
		out, err := exec.Command(nodePath, "--version").Output()
		if err != nil {
			harnessErr = fmt.Errorf("node --version: %v", err)
			return
		}
		var major int
		if _, err := fmt.Sscanf(strings.TrimSpace(string(out)), "v%d", &major); err != nil || major < 20 {
			harnessErr = fmt.Errorf("node %s is too old", strings.TrimSpace(string(out)))
			return
		}
		dir := HarnessDir()
		for _, rel := range []string{
			"server.mjs",
			"node_modules/oidc-provider/package.json",
			"node_modules/jose/package.json",
			"node_modules/newman/package.json",
			"node_modules/.bin/newman",
			"node_modules/.bin/postman",
		} {
			if _, err := os.Stat(filepath.Join(dir, filepath.FromSlash(rel))); err != nil {
				harnessErr = fmt.Errorf("%s is missing", filepath.Join("testdata/e2e", filepath.FromSlash(rel)))
				return
			}
		}
	})
	return harnessErr
}

// CaptureNonceQuery, appended to a capturing endpoint's URL, makes it demand a DPoP nonce.
const CaptureNonceQuery = "?dpop_nonce=1"

// Start writes the config to t.TempDir(), starts `node testdata/e2e/server.mjs`, waits (30 s at
// most) for its line of URLs and stops it when the test ends. It fails the test, with the
// server's stderr, when the server does not come up.
func Start(t testing.TB, clients []Client) *Provider {
	t.Helper()
	return StartConfig(t, Config{Clients: clients})
}

// StartConfig is Start with a whole Config (e.g. Profile ProfileFAPI2 for a separate FAPI 2.0
// server).
func StartConfig(t testing.TB, cfg Config) *Provider {
	t.Helper()
	RequireHarness(t)
	p, stop, err := StartServerConfig(cfg, t.TempDir())
	if err != nil {
		t.Fatalf("e2e: %v", err)
	}
	t.Cleanup(stop)
	return p
}

// StartServer is Start for programs that are not tests (the benchmarks): it writes the config
// into dir, starts the server and returns it with the function that stops it. The server also
// stops when this process exits (its standard input closes).
func StartServer(clients []Client, dir string) (*Provider, func(), error) {
	return StartServerConfig(Config{Clients: clients}, dir)
}

// StartServerConfig is StartServer with a whole Config.
func StartServerConfig(config Config, dir string) (*Provider, func(), error) {
	if err := checkHarness(); err != nil {
		return nil, nil, fmt.Errorf("harness unavailable: %v; %s", err, installHint)
	}
	cfg, err := json.MarshalIndent(config, "", "  ")
	if err != nil {
		return nil, nil, fmt.Errorf("encoding the harness config: %v", err)
	}
	cfgPath := filepath.Join(dir, "e2e-config.json")
	if err := os.WriteFile(cfgPath, cfg, 0o600); err != nil {
		return nil, nil, err
	}

	logs := &syncBuffer{}
	var stderr io.Writer = logs
	if os.Getenv("POSTMINT_E2E_DEBUG") == "1" {
		stderr = io.MultiWriter(logs, os.Stderr)
	}
	cmd := exec.Command(nodePath, filepath.Join(HarnessDir(), "server.mjs"), cfgPath)
	cmd.Dir = HarnessDir()
	cmd.Env = cleanEnv(nil)
	cmd.Stderr = stderr
	line, stop, waitErr, err := startWithLine(cmd, stderr)
	if err != nil {
		return nil, nil, fmt.Errorf("the harness server: %v; its stderr:\n%s", err, logs.String())
	}
	p := &Provider{logs: logs}
	if err := json.Unmarshal([]byte(line), p); err != nil || p.TokenEndpoint == "" {
		stop()
		msg := strings.TrimSpace(logs.String())
		if msg == "" {
			msg = fmt.Sprintf("(no stderr; exit: %v; stdout: %q)", waitErr(), line)
		}
		return nil, nil, fmt.Errorf("the harness server did not start:\n%s", msg)
	}
	return p, stop, nil
}

// AuthorizationCode runs the authorization request params (client_id, redirect_uri, scope, and
// optionally state, login_hint, code_challenge...; response_type defaults to "code") through
// the provider's automatic login and consent, following redirects with a cookie jar, and
// returns the code delivered to redirect_uri. The account (sub) is login_hint, or "alice".
//
// After a pushed authorization request, params may be just client_id and request_uri (RFC 9126
// section 4): then nothing is added, and the first redirect away from the provider's origin is
// taken as the one to the redirect_uri.
func AuthorizationCode(t testing.TB, p *Provider, params url.Values) string {
	t.Helper()
	q := url.Values{}
	for k, v := range params {
		q[k] = v
	}
	pushed := q.Get("request_uri") != ""
	if q.Get("response_type") == "" && !pushed {
		q.Set("response_type", "code")
	}
	redirect := q.Get("redirect_uri")
	if redirect == "" && !pushed {
		t.Fatalf("e2e: AuthorizationCode needs redirect_uri (or request_uri after PAR)")
	}
	issuer, err := url.Parse(p.Issuer)
	if err != nil {
		t.Fatalf("e2e: issuer %q: %v", p.Issuer, err)
	}
	jar, _ := cookiejar.New(nil)
	var final *url.URL
	client := &http.Client{
		Jar:     jar,
		Timeout: 10 * time.Second,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			away := redirect == "" && (req.URL.Scheme != issuer.Scheme || req.URL.Host != issuer.Host)
			if away || (redirect != "" && strings.HasPrefix(req.URL.String(), redirect)) {
				final = req.URL
				return http.ErrUseLastResponse
			}
			if len(via) > 10 {
				return errors.New("too many redirects")
			}
			return nil
		},
	}
	resp, err := client.Get(p.AuthorizationEndpoint + "?" + q.Encode())
	if err != nil {
		t.Fatalf("e2e: authorization request: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if final == nil {
		t.Fatalf("e2e: authorization request ended at %s with %d %s", resp.Request.URL, resp.StatusCode, body)
	}
	got := final.Query()
	if e := got.Get("error"); e != "" {
		t.Fatalf("e2e: authorization error %s: %s", e, got.Get("error_description"))
	}
	if s := q.Get("state"); s != "" && got.Get("state") != s {
		t.Fatalf("e2e: state %q came back as %q", s, got.Get("state"))
	}
	if got.Get("code") == "" {
		t.Fatalf("e2e: no code in %s", final.Redacted())
	}
	return got.Get("code")
}

// Stats is what GET Provider.Stats returns.
type Stats struct {
	TokensIssued   map[string]int  `json:"tokens_issued"`   // successful token responses per client_id (both endpoints)
	AssertionsSeen int             `json:"assertions_seen"` // client_assertion and assertion parameters received
	TokenRequests  int             `json:"token_requests"`  // POSTs to either token endpoint
	TokenErrors    []TokenError    `json:"token_errors"`    // the last 200 errors the token endpoints returned
	Assertions     []SeenAssertion `json:"assertions"`      // the last 200 assertions' decoded header and claims
	APICalls       map[string]int  `json:"api_calls"`       // accepted /api requests per client_id
	APIRejected    int             `json:"api_rejected"`    // /api requests answered 401

	// DPoPTokenRequests has, for each of the last 200 requests to the token, PAR, JWT-grant and
	// capturing endpoints, whether it carried a DPoP proof and the proof decoded.
	DPoPTokenRequests []DPoPTokenRequest `json:"dpop_token_requests"`
	// DPoPProofsVerified counts the DPoP proofs the protected resource accepted.
	DPoPProofsVerified int `json:"dpop_proofs_verified"`
	// DPoPProofs are the last 200 of those proofs, decoded.
	DPoPProofs []DPoPProof `json:"dpop_proofs"`
	// DPoPErrors are the last 200 DPoP errors any endpoint returned (the resource's
	// invalid_dpop_proof, invalid_token and use_dpop_nonce; oidc-provider's and the capturing
	// endpoint's use_dpop_nonce and proof errors).
	DPoPErrors []DPoPError `json:"dpop_errors"`
	// PARRequests counts POSTs to the PAR endpoint.
	PARRequests int `json:"par_requests"`
}

// DPoPTokenRequest is one token or PAR request and its DPoP proof, decoded but not verified
// (Header's jwk keeps only public members; any private ones it held are named in
// jwk.private_members).
type DPoPTokenRequest struct {
	Endpoint string         `json:"endpoint"` // "token", "par", "jwtgrant" or "capture"
	ClientID string         `json:"client_id"`
	DPoP     bool           `json:"dpop"` // a DPoP header came
	Header   map[string]any `json:"header"`
	Claims   map[string]any `json:"claims"`
}

// DPoPProof is one DPoP proof the protected resource accepted.
type DPoPProof struct {
	Where    string         `json:"where"` // "api" or "dpop-nonce-api"
	Method   string         `json:"method"`
	Path     string         `json:"path"`
	ClientID string         `json:"client_id"`
	Header   map[string]any `json:"header"`
	Claims   map[string]any `json:"claims"`
}

// DPoPError is one DPoP error an endpoint returned.
type DPoPError struct {
	// Where is "api", "dpop-nonce-api", "token", "par", "jwtgrant" or "capture".
	Where            string `json:"where"`
	ClientID         string `json:"client_id"`
	Error            string `json:"error"` // invalid_dpop_proof, invalid_token, use_dpop_nonce, invalid_grant...
	ErrorDescription string `json:"error_description"`
}

// TokenError is one error a token endpoint returned (error_description includes oidc-provider's
// internal detail, e.g. why client authentication failed).
type TokenError struct {
	Endpoint         string `json:"endpoint"` // "token", "par" or "jwtgrant"
	ClientID         string `json:"client_id"`
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
}

// SeenAssertion is one assertion a token endpoint received, decoded but not verified.
type SeenAssertion struct {
	Endpoint string         `json:"endpoint"` // "token", "par" or "jwtgrant"
	Header   map[string]any `json:"header"`
	Claims   map[string]any `json:"claims"`
}

// ReadStats fetches the server's counters.
func (p *Provider) ReadStats(t testing.TB) Stats {
	t.Helper()
	resp, err := http.Get(p.Stats)
	if err != nil {
		t.Fatalf("e2e: GET %s: %v", p.Stats, err)
	}
	defer resp.Body.Close()
	var s Stats
	if err := json.NewDecoder(resp.Body).Decode(&s); err != nil {
		t.Fatalf("e2e: decoding stats: %v", err)
	}
	return s
}

// ResetStats zeroes the server's counters.
func (p *Provider) ResetStats(t testing.TB) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodDelete, p.Stats, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("e2e: DELETE %s: %v", p.Stats, err)
	}
	resp.Body.Close()
}

// TokensIssued is how many access tokens the server issued to clientID so far.
func (p *Provider) TokensIssued(t testing.TB, clientID string) int {
	t.Helper()
	return p.ReadStats(t).TokensIssued[clientID]
}

// Capture is one token request a capturing endpoint received.
type Capture struct {
	Label       string      `json:"label"`        // the <label> of its URL
	ContentType string      `json:"content_type"` // the request's Content-Type
	Form        [][2]string `json:"form"`         // the form parameters in the order sent
	// Status is the HTTP status the capture answered: 200, or 400 when it demanded a DPoP nonce.
	Status int `json:"status"`
	// DPoP is the request's DPoP proof, decoded (nil without a DPoP header).
	DPoP *DecodedJWT `json:"dpop,omitempty"`
	// DPoPError says why the proof did not verify (for POST to this URL), or is "".
	DPoPError string `json:"dpop_error,omitempty"`
}

// DecodedJWT is a JWT's JOSE header and claims, decoded but not verified.
type DecodedJWT struct {
	Header map[string]any `json:"header"`
	Claims map[string]any `json:"claims"`
}

// Captures returns the token requests the capturing endpoints received so far, oldest first.
func (p *Provider) Captures(t testing.TB) []Capture {
	t.Helper()
	resp, err := http.Get(strings.TrimSuffix(p.Stats, "/_stats") + "/_captures")
	if err != nil {
		t.Fatalf("e2e: reading captures: %v", err)
	}
	defer resp.Body.Close()
	var out []Capture
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatalf("e2e: decoding captures: %v", err)
	}
	return out
}

// Key is a public key and its kid for JWKS.
type Key struct {
	KID    string
	Public crypto.PublicKey // *rsa.PublicKey, *ecdsa.PublicKey, ed25519.PublicKey (or the private keys)
}

// JWKS returns {"keys":[...]} holding the public JWKs of keys.
func JWKS(t testing.TB, keys ...Key) json.RawMessage {
	t.Helper()
	set := struct {
		Keys []map[string]string `json:"keys"`
	}{Keys: []map[string]string{}}
	for _, k := range keys {
		jwk, err := PublicJWK(k.Public)
		if err != nil {
			t.Fatalf("e2e: %v", err)
		}
		if k.KID != "" {
			jwk["kid"] = k.KID
		}
		set.Keys = append(set.Keys, jwk)
	}
	raw, err := json.Marshal(set)
	if err != nil {
		t.Fatalf("e2e: %v", err)
	}
	return raw
}

// PublicJWK returns the public JWK members of key (a public key, or a private key whose
// public half is used).
func PublicJWK(key crypto.PublicKey) (map[string]string, error) {
	if s, ok := key.(crypto.Signer); ok {
		key = s.Public()
	}
	b64 := base64.RawURLEncoding.EncodeToString
	switch k := key.(type) {
	case *rsa.PublicKey:
		return map[string]string{
			"kty": "RSA", "use": "sig",
			"n": b64(k.N.Bytes()),
			"e": b64(big.NewInt(int64(k.E)).Bytes()),
		}, nil
	case *ecdsa.PublicKey:
		crv := k.Curve.Params().Name
		size := (k.Curve.Params().BitSize + 7) / 8
		raw, err := k.Bytes() // uncompressed point 0x04 || X || Y
		if err != nil {
			return nil, fmt.Errorf("EC key: %w", err)
		}
		return map[string]string{
			"kty": "EC", "use": "sig", "crv": crv,
			"x": b64(raw[1 : 1+size]),
			"y": b64(raw[1+size:]),
		}, nil
	case ed25519.PublicKey:
		return map[string]string{"kty": "OKP", "use": "sig", "crv": "Ed25519", "x": b64(k)}, nil
	default:
		return nil, fmt.Errorf("unsupported key type %T", key)
	}
}

// WriteJSON marshals v into a new file name in t.TempDir() and returns its path.
func WriteJSON(t testing.TB, name string, v any) string {
	t.Helper()
	var data []byte
	switch x := v.(type) {
	case []byte:
		data = x
	case string:
		data = []byte(x)
	case json.RawMessage:
		data = x
	default:
		var err error
		if data, err = json.MarshalIndent(v, "", "  "); err != nil {
			t.Fatalf("e2e: encoding %s: %v", name, err)
		}
	}
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatalf("e2e: %v", err)
	}
	return path
}

// CleanEnv is this process's environment without proxy settings (everything the harness talks
// to is on 127.0.0.1), with extra appended, for programs that start harness processes.
func CleanEnv(extra ...string) []string { return cleanEnv(extra) }

// cleanEnv is the test process's environment without proxy settings (everything the harness
// talks to is on 127.0.0.1), with extra appended.
func cleanEnv(extra []string) []string {
	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch strings.ToLower(name) {
		case "http_proxy", "https_proxy", "all_proxy", "no_proxy", "npm_config_proxy", "npm_config_https_proxy":
			continue
		}
		env = append(env, kv)
	}
	return append(env, extra...)
}

type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
