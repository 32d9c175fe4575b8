package e2e

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/postmint/postmint/internal/testkeys"

	"github.com/golang-jwt/jwt/v5"
)

const (
	clientAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
	jwtBearerGrant      = "urn:ietf:params:oauth:grant-type:jwt-bearer"
)

// testKeys are generated once for the whole package (RSA generation dominates otherwise).
func keyFor(alg string) crypto.Signer { return testkeys.ForAlg(alg) }

// mint signs claims with alg; header entries are added to the JOSE header. Standard claims not
// given are filled in: iat now, exp now+60 s, a random jti.
func mint(t *testing.T, alg string, key crypto.Signer, header map[string]any, claims jwt.MapClaims) string {
	t.Helper()
	now := time.Now().Unix()
	if _, ok := claims["iat"]; !ok {
		claims["iat"] = now
	}
	if _, ok := claims["exp"]; !ok {
		claims["exp"] = now + 60
	}
	if _, ok := claims["jti"]; !ok {
		claims["jti"] = rand.Text()
	}
	for k, v := range claims {
		if v == nil {
			delete(claims, k)
		}
	}
	tok := jwt.NewWithClaims(jwt.GetSigningMethod(alg), claims)
	for k, v := range header {
		tok.Header[k] = v
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatalf("signing %s: %v", alg, err)
	}
	return s
}

type oauthResponse struct {
	Status           int
	AccessToken      string `json:"access_token"`
	TokenType        string `json:"token_type"`
	ExpiresIn        int    `json:"expires_in"`
	Scope            string `json:"scope"`
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
	raw              string
}

func postForm(t *testing.T, endpoint string, form url.Values) oauthResponse {
	t.Helper()
	resp, err := http.PostForm(endpoint, form)
	if err != nil {
		t.Fatalf("POST %s: %v", endpoint, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	r := oauthResponse{Status: resp.StatusCode, raw: string(body)}
	if err := json.Unmarshal(body, &r); err != nil {
		t.Fatalf("POST %s: %d %q: %v", endpoint, resp.StatusCode, body, err)
	}
	return r
}

func clientCredentials(t *testing.T, p *Provider, assertion string, extra url.Values) oauthResponse {
	t.Helper()
	form := url.Values{
		"grant_type":            {"client_credentials"},
		"client_assertion_type": {clientAssertionType},
		"client_assertion":      {assertion},
	}
	for k, v := range extra {
		form[k] = v
	}
	return postForm(t, p.TokenEndpoint, form)
}

func jwtGrant(t *testing.T, p *Provider, assertion string) oauthResponse {
	t.Helper()
	return postForm(t, p.JWTGrantTokenEndpoint, url.Values{"grant_type": {jwtBearerGrant}, "assertion": {assertion}})
}

type whoami struct {
	Status   int
	ClientID string `json:"client_id"`
	Scope    string `json:"scope"`
	Via      string `json:"via"`
	Path     string `json:"path"`
	Sub      string `json:"sub"`
	Error    string `json:"error"`
}

func callAPI(t *testing.T, method, endpoint, token string) whoami {
	t.Helper()
	req, _ := http.NewRequest(method, endpoint, nil)
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, endpoint, err)
	}
	defer resp.Body.Close()
	w := whoami{Status: resp.StatusCode}
	if err := json.NewDecoder(resp.Body).Decode(&w); err != nil {
		t.Fatalf("%s %s: %d: %v", method, endpoint, resp.StatusCode, err)
	}
	return w
}

func wantError(t *testing.T, r oauthResponse, status int, code, descContains string) {
	t.Helper()
	if r.Status != status || r.Error != code || !strings.Contains(r.ErrorDescription, descContains) {
		t.Errorf("got %d %s, want %d %s with error_description containing %q", r.Status, r.raw, status, code, descContains)
	}
}

func wantToken(t *testing.T, r oauthResponse) {
	t.Helper()
	if r.Status != http.StatusOK || r.AccessToken == "" || !strings.EqualFold(r.TokenType, "Bearer") {
		t.Fatalf("want a token, got %d %s", r.Status, r.raw)
	}
}

var allAlgs = []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}

func TestEveryAlgorithmAtTheTokenEndpoint(t *testing.T) {
	t.Parallel()
	var clients []Client
	for _, alg := range allAlgs {
		clients = append(clients, Client{
			ClientID: "alg-" + alg, Alg: alg, Scope: "api.read api.write",
			JWKS: JWKS(t, Key{KID: "kid-" + alg, Public: keyFor(alg).Public()}),
		})
	}
	p := Start(t, clients)
	for _, alg := range allAlgs {
		t.Run(alg, func(t *testing.T) {
			id := "alg-" + alg
			a := mint(t, alg, keyFor(alg), map[string]any{"kid": "kid-" + alg},
				jwt.MapClaims{"iss": id, "sub": id, "aud": p.TokenEndpoint})
			r := clientCredentials(t, p, a, url.Values{"scope": {"api.read"}})
			wantToken(t, r)
			if r.Scope != "api.read" || r.ExpiresIn != 300 {
				t.Errorf("scope %q expires_in %d, want api.read 300", r.Scope, r.ExpiresIn)
			}
			w := callAPI(t, http.MethodGet, p.API, r.AccessToken)
			if w.Status != 200 || w.ClientID != id || w.Via != "oidc" || w.Scope != "api.read" {
				t.Errorf("whoami = %+v", w)
			}
			if n := p.TokensIssued(t, id); n != 1 {
				t.Errorf("TokensIssued = %d, want 1", n)
			}
		})
	}
}

func TestTokenEndpointRules(t *testing.T) {
	t.Parallel()
	const alg = "ES256"
	key := keyFor(alg)
	jwks := JWKS(t, Key{KID: "k1", Public: key.Public()})
	p := Start(t, []Client{
		{ClientID: "aud-token", Alg: alg, Audience: AudienceTokenEndpoint, JWKS: jwks, Scope: "api.read"},
		{ClientID: "aud-issuer", Alg: alg, Audience: AudienceIssuer, JWKS: jwks, Scope: "api.read"},
		{ClientID: "aud-slash", Alg: alg, Audience: AudienceIssuerSlash, JWKS: jwks, Scope: "api.read"},
		{ClientID: "typed", Alg: alg, Typ: "client-authentication+jwt", JWKS: jwks},
		{ClientID: "with-id", Alg: alg, RequireClientID: true, JWKS: jwks},
		{ClientID: "rsa-only", Alg: "RS256", JWKS: JWKS(t, Key{KID: "r1", Public: keyFor("RS256").Public()})},
	})
	auds := map[string]string{
		AudienceTokenEndpoint: p.TokenEndpoint,
		AudienceIssuer:        p.Issuer,
		AudienceIssuerSlash:   p.Issuer + "/",
	}
	for id, rule := range map[string]string{"aud-token": AudienceTokenEndpoint, "aud-issuer": AudienceIssuer, "aud-slash": AudienceIssuerSlash} {
		for tried, aud := range auds {
			t.Run(id+"/"+tried, func(t *testing.T) {
				a := mint(t, alg, key, map[string]any{"kid": "k1"}, jwt.MapClaims{"iss": id, "sub": id, "aud": aud})
				r := clientCredentials(t, p, a, nil)
				if tried == rule {
					wantToken(t, r)
					if w := callAPI(t, http.MethodGet, p.API, r.AccessToken); w.ClientID != id {
						t.Errorf("whoami = %+v", w)
					}
					return
				}
				wantError(t, r, 401, "invalid_client", `"`+auds[rule]+`"`)
			})
		}
	}

	assertion := func(t *testing.T, id string, header map[string]any, claims jwt.MapClaims) string {
		if header == nil {
			header = map[string]any{"kid": "k1"}
		}
		for k, v := range map[string]any{"iss": id, "sub": id, "aud": p.TokenEndpoint} {
			if _, ok := claims[k]; !ok {
				claims[k] = v
			}
		}
		return mint(t, alg, key, header, claims)
	}
	t.Run("typ required", func(t *testing.T) {
		r := clientCredentials(t, p, assertion(t, "typed", nil, jwt.MapClaims{}), nil)
		wantError(t, r, 401, "invalid_client", "client-authentication+jwt")
		r = clientCredentials(t, p, assertion(t, "typed", map[string]any{"kid": "k1", "typ": "JWT"}, jwt.MapClaims{}), nil)
		wantError(t, r, 401, "invalid_client", "client-authentication+jwt")
		r = clientCredentials(t, p, assertion(t, "typed", map[string]any{"kid": "k1", "typ": "client-authentication+jwt"}, jwt.MapClaims{}), nil)
		wantToken(t, r)
	})
	t.Run("typ optional", func(t *testing.T) {
		wantToken(t, clientCredentials(t, p, assertion(t, "aud-token", map[string]any{"kid": "k1", "typ": "JWT"}, jwt.MapClaims{}), nil))
	})
	t.Run("client_id", func(t *testing.T) {
		r := clientCredentials(t, p, assertion(t, "with-id", nil, jwt.MapClaims{}), nil)
		wantError(t, r, 401, "invalid_client", "client_id form parameter is required")
		r = clientCredentials(t, p, assertion(t, "with-id", nil, jwt.MapClaims{}), url.Values{"client_id": {"aud-token"}})
		wantError(t, r, 401, "invalid_client", "does not match")
		r = clientCredentials(t, p, assertion(t, "aud-token", nil, jwt.MapClaims{}), url.Values{"client_id": {"with-id"}})
		wantError(t, r, 401, "invalid_client", "does not match")
		wantToken(t, clientCredentials(t, p, assertion(t, "with-id", nil, jwt.MapClaims{}), url.Values{"client_id": {"with-id"}}))
		wantToken(t, clientCredentials(t, p, assertion(t, "aud-token", nil, jwt.MapClaims{}), url.Values{"client_id": {"aud-token"}}))
	})
	t.Run("scope", func(t *testing.T) {
		r := clientCredentials(t, p, assertion(t, "aud-token", nil, jwt.MapClaims{}), url.Values{"scope": {"api.read api.admin"}})
		wantError(t, r, 400, "invalid_scope", "api.admin")
		r = clientCredentials(t, p, assertion(t, "aud-token", nil, jwt.MapClaims{}), nil)
		wantToken(t, r)
		if r.Scope != "" {
			t.Errorf("no scope requested, got scope %q", r.Scope)
		}
	})
	// The rest is oidc-provider's own job: its error_description is always "client
	// authentication failed"; the reason shows in the stats.
	t.Run("replayed jti", func(t *testing.T) {
		a := assertion(t, "aud-token", nil, jwt.MapClaims{})
		wantToken(t, clientCredentials(t, p, a, nil))
		wantError(t, clientCredentials(t, p, a, nil), 401, "invalid_client", "")
		errs := p.ReadStats(t).TokenErrors
		if last := errs[len(errs)-1]; !strings.Contains(last.ErrorDescription, "only be used once") {
			t.Errorf("last token error = %+v", last)
		}
	})
	t.Run("expired", func(t *testing.T) {
		now := time.Now().Unix()
		a := assertion(t, "aud-token", nil, jwt.MapClaims{"iat": now - 120, "exp": now - 60})
		wantError(t, clientCredentials(t, p, a, nil), 401, "invalid_client", "")
	})
	t.Run("wrong key", func(t *testing.T) {
		other, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		a := mint(t, alg, other, map[string]any{"kid": "k1"}, jwt.MapClaims{"iss": "aud-token", "sub": "aud-token", "aud": p.TokenEndpoint})
		wantError(t, clientCredentials(t, p, a, nil), 401, "invalid_client", "")
	})
	t.Run("alg not the client's", func(t *testing.T) {
		a := mint(t, "PS256", keyFor("PS256"), map[string]any{"kid": "r1"}, jwt.MapClaims{"iss": "rsa-only", "sub": "rsa-only", "aud": p.TokenEndpoint})
		wantError(t, clientCredentials(t, p, a, nil), 401, "invalid_client", "")
		a = mint(t, "RS256", keyFor("RS256"), map[string]any{"kid": "r1"}, jwt.MapClaims{"iss": "rsa-only", "sub": "rsa-only", "aud": p.TokenEndpoint})
		wantToken(t, clientCredentials(t, p, a, nil))
	})
	t.Run("no token", func(t *testing.T) {
		if w := callAPI(t, http.MethodDelete, p.Issuer+"/api/anything/else", ""); w.Status != 401 || w.Error != "invalid_token" {
			t.Errorf("whoami without token = %+v", w)
		}
		if w := callAPI(t, http.MethodGet, p.API, "not-a-token"); w.Status != 401 {
			t.Errorf("whoami with a bad token = %+v", w)
		}
	})
}

func selfSignedCert(t *testing.T, key crypto.Signer) (der []byte, pemText string) {
	t.Helper()
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()),
		Subject:      pkix.Name{CommonName: "postmint e2e client", Organization: []string{"postmint"}},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		KeyUsage:     x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, key.Public(), key)
	if err != nil {
		t.Fatalf("creating certificate: %v", err)
	}
	return der, string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}))
}

func TestJWTGrant(t *testing.T) {
	t.Parallel()
	rsaKey := keyFor("RS256")
	ecKey := keyFor("ES256")
	der, certPEM := selfSignedCert(t, ecKey)
	otherKey, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	otherDER, _ := selfSignedCert(t, otherKey)
	p := Start(t, []Client{
		{ClientID: "jb-kid", Grant: GrantJWTBearer, Alg: "RS256", Scope: "api.read api.write",
			JWKS: JWKS(t, Key{KID: "jb1", Public: rsaKey.Public()})},
		{ClientID: "jb-x5c", Grant: GrantJWTBearer, Alg: "ES256", Scope: "api.read", Certificates: []string{certPEM}},
	})
	if !strings.HasSuffix(p.JWTGrantIssuer, "/") {
		t.Fatalf("JWTGrantIssuer %q has no trailing slash", p.JWTGrantIssuer)
	}
	kid := func(t *testing.T, claims jwt.MapClaims) string {
		base := jwt.MapClaims{"iss": "jb-kid", "aud": p.JWTGrantIssuer, "scope": "api.read"}
		for k, v := range claims {
			base[k] = v
		}
		return mint(t, "RS256", rsaKey, map[string]any{"kid": "jb1"}, base)
	}

	t.Run("kid", func(t *testing.T) {
		r := jwtGrant(t, p, kid(t, jwt.MapClaims{"scope": "api.read api.write"}))
		wantToken(t, r)
		if r.Scope != "api.read api.write" || r.ExpiresIn != 300 {
			t.Errorf("scope %q expires_in %d", r.Scope, r.ExpiresIn)
		}
		w := callAPI(t, http.MethodPost, p.Issuer+"/api/orders/1", r.AccessToken)
		if w.Status != 200 || w.ClientID != "jb-kid" || w.Via != "jwtgrant" || w.Path != "/api/orders/1" {
			t.Errorf("whoami = %+v", w)
		}
	})
	t.Run("x5c", func(t *testing.T) {
		a := mint(t, "ES256", ecKey, map[string]any{"x5c": []string{base64.StdEncoding.EncodeToString(der)}},
			jwt.MapClaims{"iss": "jb-x5c", "aud": p.JWTGrantIssuer, "scope": "api.read"})
		r := jwtGrant(t, p, a)
		wantToken(t, r)
		if w := callAPI(t, http.MethodGet, p.API, r.AccessToken); w.ClientID != "jb-x5c" || w.Via != "jwtgrant" {
			t.Errorf("whoami = %+v", w)
		}
	})
	t.Run("x5c not registered", func(t *testing.T) {
		a := mint(t, "ES256", otherKey, map[string]any{"x5c": []string{base64.StdEncoding.EncodeToString(otherDER)}},
			jwt.MapClaims{"iss": "jb-x5c", "aud": p.JWTGrantIssuer, "scope": "api.read"})
		wantError(t, jwtGrant(t, p, a), 401, "invalid_client", "x5c")
	})
	t.Run("lifetime 121 s", func(t *testing.T) {
		now := time.Now().Unix()
		wantError(t, jwtGrant(t, p, kid(t, jwt.MapClaims{"iat": now, "exp": now + 121})), 400, "invalid_grant", "121")
		wantToken(t, jwtGrant(t, p, kid(t, jwt.MapClaims{"iat": now, "exp": now + 120})))
	})
	t.Run("missing scope", func(t *testing.T) {
		wantError(t, jwtGrant(t, p, kid(t, jwt.MapClaims{"scope": nil})), 400, "invalid_scope", "scope")
	})
	t.Run("scope not allowed", func(t *testing.T) {
		wantError(t, jwtGrant(t, p, kid(t, jwt.MapClaims{"scope": "api.read api.admin"})), 400, "invalid_scope", "api.admin")
	})
	t.Run("replayed jti", func(t *testing.T) {
		a := kid(t, jwt.MapClaims{})
		wantToken(t, jwtGrant(t, p, a))
		wantError(t, jwtGrant(t, p, a), 400, "invalid_grant", "jti")
	})
	t.Run("aud without slash", func(t *testing.T) {
		aud := strings.TrimSuffix(p.JWTGrantIssuer, "/")
		wantError(t, jwtGrant(t, p, kid(t, jwt.MapClaims{"aud": aud})), 400, "invalid_grant", `"`+p.JWTGrantIssuer+`"`)
	})
	t.Run("unknown kid", func(t *testing.T) {
		a := mint(t, "RS256", rsaKey, map[string]any{"kid": "nope"}, jwt.MapClaims{"iss": "jb-kid", "aud": p.JWTGrantIssuer, "scope": "api.read"})
		wantError(t, jwtGrant(t, p, a), 401, "invalid_client", "kid")
	})
	t.Run("unknown client", func(t *testing.T) {
		wantError(t, jwtGrant(t, p, kid(t, jwt.MapClaims{"iss": "stranger"})), 401, "invalid_client", "stranger")
	})
	if n := p.TokensIssued(t, "jb-kid"); n != 3 {
		t.Errorf("TokensIssued(jb-kid) = %d, want 3", n)
	}
}

func TestShortTokenLifetime(t *testing.T) {
	t.Parallel()
	key := keyFor("ES384")
	p := Start(t, []Client{{ClientID: "short", Alg: "ES384", AccessTokenTTL: 3, JWKS: JWKS(t, Key{Public: key.Public()})}})
	r := clientCredentials(t, p, mint(t, "ES384", key, nil, jwt.MapClaims{"iss": "short", "sub": "short", "aud": p.TokenEndpoint}), nil)
	wantToken(t, r)
	if r.ExpiresIn != 3 {
		t.Errorf("expires_in = %d, want 3", r.ExpiresIn)
	}
	issued := time.Now()
	if w := callAPI(t, http.MethodGet, p.API, r.AccessToken); w.Status != 200 && time.Since(issued) < 2*time.Second {
		t.Fatalf("fresh token: %+v", w)
	}
	time.Sleep(time.Until(issued.Add(4 * time.Second)))
	if w := callAPI(t, http.MethodGet, p.API, r.AccessToken); w.Status != 401 || w.Error != "invalid_token" {
		t.Errorf("token after its ttl: %+v", w)
	}
}

func TestBadConfigFailsClearly(t *testing.T) {
	t.Parallel()
	// Start calls t.Fatal on failure; run it against a recorder.
	rec := &recordingTB{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		Start(rec, []Client{{ClientID: "bad", Alg: "HS256", JWKS: JWKS(t, Key{Public: keyFor("ES256").Public()})}})
	}()
	<-done
	if !rec.failed || !strings.Contains(rec.msg, "alg must be one of") {
		t.Errorf("Start with a bad config: failed=%v msg=%q", rec.failed, rec.msg)
	}
}

// recordingTB captures Fatalf instead of failing the real test.
type recordingTB struct {
	testing.TB
	failed bool
	msg    string
}

func (r *recordingTB) Helper() {}
func (r *recordingTB) Fatalf(format string, args ...any) {
	r.failed = true
	r.msg = strings.TrimSpace(strings.ReplaceAll(fmt.Sprintf(format, args...), "\n", " "))
	runtime.Goexit()
}

const smokeCollection = `{
  "info": {"name": "postmint e2e harness smoke", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
  "auth": {"type": "bearer", "bearer": [{"key": "token", "value": "{{bearerToken}}", "type": "string"}]},
  "item": [{
    "name": "API",
    "item": [
      {
        "name": "Who am I",
        "request": {"method": "GET", "url": "{{api}}"},
        "event": [{"listen": "test", "script": {"type": "text/javascript", "exec": [
          "console.log('whoami-status', pm.response.code);",
          "pm.test('status is 200', function () { pm.response.to.have.status(200); });",
          "pm.test('it is our client', function () { pm.expect(pm.response.json().client_id).to.eql(pm.environment.get('clientId')); });"
        ]}}]
      },
      {
        "name": "Post an order",
        "request": {
          "method": "POST",
          "url": "{{baseUrl}}/api/orders/42?verbose=1",
          "body": {"mode": "urlencoded", "urlencoded": [{"key": "item", "value": "green tea"}, {"key": "qty", "value": "2"}]}
        },
        "event": [{"listen": "test", "script": {"type": "text/javascript", "exec": [
          "pm.test('status is 200', function () { pm.response.to.have.status(200); });"
        ]}}]
      },
      {
        "name": "No token",
        "request": {"method": "GET", "url": "{{api}}", "auth": {"type": "noauth"}},
        "event": [{"listen": "test", "script": {"type": "text/javascript", "exec": [
          "pm.test('deliberately expects 200', function () { pm.response.to.have.status(200); });"
        ]}}]
      }
    ]
  }]
}`

func TestRunners(t *testing.T) {
	t.Parallel()
	key := keyFor("EdDSA")
	p := Start(t, []Client{{ClientID: "smoke", Alg: "EdDSA", Scope: "api.read", JWKS: JWKS(t, Key{KID: "e1", Public: key.Public()})}})
	r := clientCredentials(t, p, mint(t, "EdDSA", key, map[string]any{"kid": "e1"},
		jwt.MapClaims{"iss": "smoke", "sub": "smoke", "aud": p.TokenEndpoint}), url.Values{"scope": {"api.read"}})
	wantToken(t, r)

	collection := WriteJSON(t, "smoke.postman_collection.json", smokeCollection)
	env := WriteJSON(t, "smoke.postman_environment.json", map[string]any{
		"id":   "0b4e3b0e-5a6c-4c57-9d1c-8f1e2f0e6a11",
		"name": "smoke",
		"values": []map[string]any{
			{"key": "api", "value": p.API, "type": "default", "enabled": true},
			{"key": "baseUrl", "value": p.Issuer, "type": "default", "enabled": true},
			{"key": "clientId", "value": "smoke", "type": "default", "enabled": true},
			{"key": "bearerToken", "value": r.AccessToken, "type": "secret", "enabled": true},
		},
		"_postman_variable_scope": "environment",
	})

	runners := []struct {
		name string
		run  func(testing.TB, string, string, ...string) (*Run, error)
	}{{"newman", Newman}, {"postman-cli", PostmanCLI}}
	for _, rn := range runners {
		t.Run(rn.name, func(t *testing.T) {
			before := p.ReadStats(t).APICalls["smoke"]
			start := time.Now()
			run, err := rn.run(t, collection, env)
			t.Logf("%s ran in %s", rn.name, time.Since(start).Round(time.Millisecond))
			if run == nil {
				t.Fatalf("no run: %v", err)
			}
			if err == nil || !strings.Contains(err.Error(), "exited with status 1") {
				t.Errorf("error = %v, want the exit status of the deliberate failure", err)
			}
			if len(run.Executions) != 3 {
				t.Fatalf("%d executions, want 3:\n%s", len(run.Executions), run.Output)
			}
			who := run.Find("Who am I")
			if len(who) != 1 {
				t.Fatalf("Find(Who am I) = %v", who)
			}
			w := who[0]
			if w.Path != "API/Who am I" || w.Method != "GET" || w.URL != p.API || w.Code != 200 {
				t.Errorf("execution = %s (path %q)", w, w.Path)
			}
			if got := w.Header("authorization"); got != "Bearer "+r.AccessToken {
				t.Errorf("Authorization header = %q", got)
			}
			var body whoami
			if err := w.JSON(&body); err != nil || body.ClientID != "smoke" || body.Via != "oidc" {
				t.Errorf("response body %q (%v)", w.ResponseBody, err)
			}
			if len(w.Assertions) != 2 || !w.Assertions[0].Passed() || !w.Assertions[1].Passed() {
				t.Errorf("assertions = %+v", w.Assertions)
			}
			post := run.Find("API/Post an order")
			if len(post) != 1 || post[0].Method != "POST" || post[0].Code != 200 ||
				post[0].URL != p.Issuer+"/api/orders/42?verbose=1" || post[0].Form().Get("item") != "green tea" {
				t.Errorf("post = %+v", post)
			}
			noTok := run.Find("No token")
			if len(noTok) != 1 || noTok[0].Code != 401 || len(noTok[0].Assertions) != 1 || noTok[0].Assertions[0].Passed() {
				t.Errorf("no token = %+v", noTok)
			}
			if len(run.Failures) != 1 || !strings.Contains(run.Failures[0], "No token") || !strings.Contains(run.Failures[0], "deliberately expects 200") {
				t.Errorf("failures = %q", run.Failures)
			}
			if !strings.Contains(run.Output, "whoami-status") {
				t.Errorf("console.log output missing from Output:\n%s", run.Output)
			}
			if got := p.ReadStats(t).APICalls["smoke"] - before; got != 2 {
				t.Errorf("API calls with the token = %d, want 2", got)
			}
		})
	}
}

func TestAuthorizationCode(t *testing.T) {
	t.Parallel()
	key := keyFor("PS256")
	const redirect = "http://127.0.0.1:1/callback"
	p := Start(t, []Client{{ClientID: "web", Grant: GrantAuthorizationCode, Alg: "PS256", Scope: "api.read",
		RedirectURIs: []string{redirect}, JWKS: JWKS(t, Key{KID: "w1", Public: key.Public()})}})
	assertion := func(t *testing.T) string {
		return mint(t, "PS256", key, map[string]any{"kid": "w1"}, jwt.MapClaims{"iss": "web", "sub": "web", "aud": p.TokenEndpoint})
	}
	for _, scope := range []string{"openid api.read", "api.read"} {
		t.Run(scope, func(t *testing.T) {
			code := AuthorizationCode(t, p, url.Values{
				"client_id": {"web"}, "redirect_uri": {redirect}, "scope": {scope}, "login_hint": {"bob"}, "state": {"s1"},
			})
			r := postForm(t, p.TokenEndpoint, url.Values{
				"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirect},
				"client_assertion_type": {clientAssertionType}, "client_assertion": {assertion(t)},
			})
			wantToken(t, r)
			var extra struct {
				RefreshToken string `json:"refresh_token"`
				Sub          string `json:"sub"`
			}
			_ = json.Unmarshal([]byte(r.raw), &extra)
			if extra.RefreshToken == "" {
				t.Fatalf("no refresh_token in %s", r.raw)
			}
			w := callAPI(t, http.MethodGet, p.API, r.AccessToken)
			if w.Status != 200 || w.ClientID != "web" || w.Scope != scope || w.Sub != "bob" {
				t.Errorf("whoami = %+v", w)
			}
			r = postForm(t, p.TokenEndpoint, url.Values{
				"grant_type": {"refresh_token"}, "refresh_token": {extra.RefreshToken},
				"client_assertion_type": {clientAssertionType}, "client_assertion": {assertion(t)},
			})
			wantToken(t, r)
		})
	}
}
