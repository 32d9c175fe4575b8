package e2e

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// proofOpts changes a DPoP proof: Claims entries replace the defaults (a nil value removes
// the claim), Header entries are added to the JOSE header (a nil value removes it).
type proofOpts struct {
	Claims jwt.MapClaims
	Header map[string]any
	Token  string // sets ath
	Nonce  string
}

// dpopProof signs an RFC 9449 proof for htm and htu with key: typ dpop+jwt, the public jwk,
// a fresh jti, iat now.
func dpopProof(t *testing.T, alg string, key crypto.Signer, htm, htu string, o proofOpts) string {
	t.Helper()
	jwk, err := PublicJWK(key.Public())
	if err != nil {
		t.Fatal(err)
	}
	claims := jwt.MapClaims{"htm": htm, "htu": htu, "iat": time.Now().Unix(), "jti": rand.Text()}
	if o.Token != "" {
		sum := sha256.Sum256([]byte(o.Token))
		claims["ath"] = base64.RawURLEncoding.EncodeToString(sum[:])
	}
	if o.Nonce != "" {
		claims["nonce"] = o.Nonce
	}
	for k, v := range o.Claims {
		if v == nil {
			delete(claims, k)
		} else {
			claims[k] = v
		}
	}
	tok := jwt.NewWithClaims(jwt.GetSigningMethod(alg), claims)
	tok.Header["typ"] = "dpop+jwt"
	tok.Header["jwk"] = jwk
	for k, v := range o.Header {
		if v == nil {
			delete(tok.Header, k)
		} else {
			tok.Header[k] = v
		}
	}
	var signKey any = key
	if alg == "HS256" {
		signKey = []byte("a shared secret that has no place in a DPoP proof")
	}
	s, err := tok.SignedString(signKey)
	if err != nil {
		t.Fatalf("signing a %s proof: %v", alg, err)
	}
	return s
}

func newP256(t *testing.T) *ecdsa.PrivateKey {
	t.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// answer is an HTTP response: status, headers and the JSON body's error fields.
type answer struct {
	Status int
	Header http.Header
	oauthResponse
	Body map[string]any
}

// send makes one request; headers with several values are sent as several header lines.
func send(t *testing.T, method, endpoint string, form url.Values, headers http.Header) answer {
	t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, endpoint, body)
	if err != nil {
		t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	for k, vs := range headers {
		for _, v := range vs {
			req.Header.Add(k, v)
		}
	}
	client := &http.Client{Timeout: 10 * time.Second, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, endpoint, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	a := answer{Status: resp.StatusCode, Header: resp.Header}
	a.oauthResponse = oauthResponse{Status: resp.StatusCode, raw: string(raw)}
	_ = json.Unmarshal(raw, &a.oauthResponse)
	_ = json.Unmarshal(raw, &a.Body)
	return a
}

func dpopHeader(proofs ...string) http.Header {
	return http.Header{"Dpop": proofs}
}

func withAuth(h http.Header, scheme, token string) http.Header {
	if h == nil {
		h = http.Header{}
	}
	h.Set("Authorization", scheme+" "+token)
	return h
}

// wantDPoPRefusal checks a 401 from the resource: the error code in the body and in a DPoP
// WWW-Authenticate challenge, and the error_description naming the failed check.
func wantDPoPRefusal(t *testing.T, a answer, code, descContains string) {
	t.Helper()
	www := a.Header.Get("WWW-Authenticate")
	if a.Status != http.StatusUnauthorized || a.Error != code || !strings.Contains(a.ErrorDescription, descContains) ||
		!strings.HasPrefix(www, `DPoP error="`+code+`"`) || !strings.Contains(www, "error_description=") {
		t.Errorf("got %d %s (WWW-Authenticate %q), want 401 %s with error_description containing %q",
			a.Status, a.raw, www, code, descContains)
	}
}

func clientForm(t *testing.T, p *Provider, alg string, key crypto.Signer, clientID, aud string, form url.Values) url.Values {
	t.Helper()
	f := url.Values{
		"client_assertion_type": {clientAssertionType},
		"client_assertion": {mint(t, alg, key, map[string]any{"kid": "k1"},
			jwt.MapClaims{"iss": clientID, "sub": clientID, "aud": aud})},
	}
	for k, v := range form {
		f[k] = v
	}
	return f
}

func lastDPoPError(t *testing.T, p *Provider) DPoPError {
	t.Helper()
	errs := p.ReadStats(t).DPoPErrors
	if len(errs) == 0 {
		t.Fatalf("no DPoP errors recorded")
	}
	return errs[len(errs)-1]
}

func TestDPoPClientCredentialsAndResource(t *testing.T) {
	t.Parallel()
	const alg = "ES256"
	ckey := keyFor(alg)
	jwks := JWKS(t, Key{KID: "k1", Public: ckey.Public()})
	p := Start(t, []Client{
		{ClientID: "dpop", Alg: alg, Scope: "api.read", JWKS: jwks, DPoP: true},
		{ClientID: "plain", Alg: alg, Scope: "api.read", JWKS: jwks},
	})
	cc := url.Values{"grant_type": {"client_credentials"}, "scope": {"api.read"}}
	proofKey := newP256(t)
	tokenProof := func() string { return dpopProof(t, "ES256", proofKey, http.MethodPost, p.TokenEndpoint, proofOpts{}) }

	// A DPoP client without a proof is refused; with one it gets a bound token.
	a := send(t, http.MethodPost, p.TokenEndpoint, clientForm(t, p, alg, ckey, "dpop", p.TokenEndpoint, cc), nil)
	if a.Status != 400 || a.Error != "invalid_grant" || !strings.Contains(a.ErrorDescription+lastDPoPError(t, p).ErrorDescription, "DPoP proof JWT not provided") {
		t.Errorf("token request without a proof: %d %s; last DPoP error %+v", a.Status, a.raw, lastDPoPError(t, p))
	}
	a = send(t, http.MethodPost, p.TokenEndpoint, clientForm(t, p, alg, ckey, "dpop", p.TokenEndpoint, cc), dpopHeader(tokenProof()))
	if a.Status != 200 || a.TokenType != "DPoP" || a.AccessToken == "" {
		t.Fatalf("token request with a proof: %d %s", a.Status, a.raw)
	}
	token := a.AccessToken
	st := p.ReadStats(t)
	if n := len(st.DPoPTokenRequests); n < 2 {
		t.Fatalf("dpop_token_requests = %+v", st.DPoPTokenRequests)
	}
	last := st.DPoPTokenRequests[len(st.DPoPTokenRequests)-1]
	if !last.DPoP || last.Endpoint != "token" || last.ClientID != "dpop" || last.Header["typ"] != "dpop+jwt" ||
		last.Claims["htm"] != "POST" || last.Claims["htu"] != p.TokenEndpoint {
		t.Errorf("recorded token request proof = %+v", last)
	}
	if jwk, _ := last.Header["jwk"].(map[string]any); jwk["kty"] != "EC" || jwk["d"] != nil {
		t.Errorf("recorded jwk = %v", last.Header["jwk"])
	}
	if prev := st.DPoPTokenRequests[len(st.DPoPTokenRequests)-2]; prev.DPoP {
		t.Errorf("the request without a proof was recorded as having one: %+v", prev)
	}

	api := func(method, target, scheme, tok string, proofs ...string) answer {
		return send(t, method, target, nil, withAuth(dpopHeader(proofs...), scheme, tok))
	}
	good := func(method, htu string) string {
		return dpopProof(t, "ES256", proofKey, method, htu, proofOpts{Token: token})
	}

	t.Run("accepted", func(t *testing.T) {
		a := api(http.MethodGet, p.DPoPAPI, "DPoP", token, good(http.MethodGet, p.DPoPAPI))
		if a.Status != 200 || a.Body["client_id"] != "dpop" || a.Body["token_type"] != "DPoP" {
			t.Fatalf("DPoP call: %d %s", a.Status, a.raw)
		}
		// The query and fragment of htu are not compared; scheme and host case and the default
		// port are normalized.
		target := p.Issuer + "/api/orders/7?verbose=1"
		a = api(http.MethodPost, target, "DPoP", token, good(http.MethodPost, p.Issuer+"/api/orders/7?other=2#frag"))
		if a.Status != 200 {
			t.Errorf("htu with another query: %d %s", a.Status, a.raw)
		}
		a = api(http.MethodGet, p.DPoPAPI, "DPoP", token, good(http.MethodGet, strings.Replace(p.DPoPAPI, "http://", "HTTP://", 1)))
		if a.Status != 200 {
			t.Errorf("htu with an upper-case scheme: %d %s", a.Status, a.raw)
		}
		st := p.ReadStats(t)
		if st.DPoPProofsVerified != 3 || len(st.DPoPProofs) != 3 || st.APICalls["dpop"] != 3 {
			t.Fatalf("dpop_proofs_verified = %d, proofs %d, api_calls %v", st.DPoPProofsVerified, len(st.DPoPProofs), st.APICalls)
		}
		pr := st.DPoPProofs[1]
		if pr.Where != "api" || pr.Method != "POST" || pr.Path != "/api/orders/7" || pr.ClientID != "dpop" || pr.Claims["ath"] == nil || pr.Header["alg"] != "ES256" {
			t.Errorf("recorded proof = %+v", pr)
		}
	})

	other := newP256(t)
	now := time.Now().Unix()
	replayed := good(http.MethodGet, p.DPoPAPI)
	if a := api(http.MethodGet, p.DPoPAPI, "DPoP", token, replayed); a.Status != 200 {
		t.Fatalf("first use of a proof: %d %s", a.Status, a.raw)
	}
	refusals := []struct {
		name, method, target, scheme string
		proofs                       []string
		code, desc                   string
	}{
		{"wrong htm", http.MethodGet, p.DPoPAPI, "DPoP", []string{good(http.MethodPost, p.DPoPAPI)}, "invalid_dpop_proof", "htm mismatch"},
		{"wrong htu path", http.MethodGet, p.DPoPAPI, "DPoP", []string{good(http.MethodGet, p.Issuer+"/api/elsewhere")}, "invalid_dpop_proof", "htu mismatch"},
		{"wrong htu port", http.MethodGet, p.DPoPAPI, "DPoP", []string{good(http.MethodGet, strings.Replace(p.DPoPAPI, "127.0.0.1:", "127.0.0.1:1", 1))}, "invalid_dpop_proof", "htu mismatch"},
		{"stale iat", http.MethodGet, p.DPoPAPI, "DPoP", []string{dpopProof(t, "ES256", proofKey, http.MethodGet, p.DPoPAPI, proofOpts{Token: token, Claims: jwt.MapClaims{"iat": now - 120}})}, "invalid_dpop_proof", "iat is -12"},
		{"future iat", http.MethodGet, p.DPoPAPI, "DPoP", []string{dpopProof(t, "ES256", proofKey, http.MethodGet, p.DPoPAPI, proofOpts{Token: token, Claims: jwt.MapClaims{"iat": now + 120}})}, "invalid_dpop_proof", "iat is 1"},
		{"replayed jti", http.MethodGet, p.DPoPAPI, "DPoP", []string{replayed}, "invalid_dpop_proof", "jti replayed"},
		{"wrong ath", http.MethodGet, p.DPoPAPI, "DPoP", []string{dpopProof(t, "ES256", proofKey, http.MethodGet, p.DPoPAPI, proofOpts{Token: token + "x"})}, "invalid_dpop_proof", "ath mismatch"},
		{"no ath", http.MethodGet, p.DPoPAPI, "DPoP", []string{dpopProof(t, "ES256", proofKey, http.MethodGet, p.DPoPAPI, proofOpts{})}, "invalid_dpop_proof", "ath is missing"},
		{"another key", http.MethodGet, p.DPoPAPI, "DPoP", []string{dpopProof(t, "ES256", other, http.MethodGet, p.DPoPAPI, proofOpts{Token: token})}, "invalid_token", "cnf.jkt mismatch"},
		{"bound token as Bearer", http.MethodGet, p.DPoPAPI, "Bearer", []string{good(http.MethodGet, p.DPoPAPI)}, "invalid_token", "DPoP-bound token"},
		{"bound token as Bearer without proof", http.MethodGet, p.API, "Bearer", nil, "invalid_token", "DPoP-bound token"},
		{"no proof", http.MethodGet, p.DPoPAPI, "DPoP", nil, "invalid_dpop_proof", "DPoP header is missing"},
		{"two proofs", http.MethodGet, p.DPoPAPI, "DPoP", []string{good(http.MethodGet, p.DPoPAPI), good(http.MethodGet, p.DPoPAPI)}, "invalid_dpop_proof", "exactly one DPoP header"},
		{"not a JWS", http.MethodGet, p.DPoPAPI, "DPoP", []string{"not.a-jws"}, "invalid_dpop_proof", "not a well-formed compact JWS"},
		{"typ JWT", http.MethodGet, p.DPoPAPI, "DPoP", []string{dpopProof(t, "ES256", proofKey, http.MethodGet, p.DPoPAPI, proofOpts{Token: token, Header: map[string]any{"typ": "JWT"}})}, "invalid_dpop_proof", "typ must be dpop+jwt"},
		{"symmetric alg", http.MethodGet, p.DPoPAPI, "DPoP", []string{dpopProof(t, "HS256", proofKey, http.MethodGet, p.DPoPAPI, proofOpts{Token: token})}, "invalid_dpop_proof", "alg must be one of"},
		{"private jwk", http.MethodGet, p.DPoPAPI, "DPoP", []string{dpopProof(t, "ES256", proofKey, http.MethodGet, p.DPoPAPI, proofOpts{Token: token, Header: map[string]any{"jwk": privateJWK(t, proofKey)}})}, "invalid_dpop_proof", "private"},
		{"bad signature", http.MethodGet, p.DPoPAPI, "DPoP", []string{tamper(good(http.MethodGet, p.DPoPAPI))}, "invalid_dpop_proof", "signature"},
		{"signed by another key than its jwk", http.MethodGet, p.DPoPAPI, "DPoP", []string{dpopProof(t, "ES256", other, http.MethodGet, p.DPoPAPI, proofOpts{Token: token, Header: map[string]any{"jwk": mustJWK(t, proofKey)}})}, "invalid_dpop_proof", "signature"},
		{"unknown token", http.MethodGet, p.DPoPAPI, "DPoP", []string{good(http.MethodGet, p.DPoPAPI)}, "invalid_token", "unknown or expired"},
	}
	for _, tc := range refusals {
		t.Run(tc.name, func(t *testing.T) {
			tok := token
			if tc.name == "unknown token" {
				tok = "not-a-token"
			}
			a := api(tc.method, tc.target, tc.scheme, tok, tc.proofs...)
			wantDPoPRefusal(t, a, tc.code, tc.desc)
			if e := lastDPoPError(t, p); e.Error != tc.code || !strings.Contains(e.ErrorDescription, tc.desc) || e.Where != "api" {
				t.Errorf("recorded DPoP error = %+v", e)
			}
		})
	}

	t.Run("bearer tokens", func(t *testing.T) {
		r := postForm(t, p.TokenEndpoint, clientForm(t, p, alg, ckey, "plain", p.TokenEndpoint, cc))
		wantToken(t, r)
		if w := callAPI(t, http.MethodGet, p.API, r.AccessToken); w.Status != 200 || w.ClientID != "plain" {
			t.Errorf("Bearer on /api: %+v", w)
		}
		a := api(http.MethodGet, p.DPoPAPI, "DPoP", r.AccessToken, dpopProof(t, "ES256", proofKey, http.MethodGet, p.DPoPAPI, proofOpts{Token: r.AccessToken}))
		wantDPoPRefusal(t, a, "invalid_token", "not DPoP-bound")
		a = api(http.MethodGet, p.DPoPNonceAPI, "Bearer", r.AccessToken)
		wantDPoPRefusal(t, a, "invalid_token", "DPoP-bound tokens only")
	})

	t.Run("resource nonce", func(t *testing.T) {
		a := api(http.MethodGet, p.DPoPNonceAPI, "DPoP", token, good(http.MethodGet, p.DPoPNonceAPI))
		wantDPoPRefusal(t, a, "use_dpop_nonce", "requires nonce")
		nonce := a.Header.Get("DPoP-Nonce")
		if nonce == "" {
			t.Fatalf("no DPoP-Nonce header in %v", a.Header)
		}
		a = api(http.MethodGet, p.DPoPNonceAPI, "DPoP", token, dpopProof(t, "ES256", proofKey, http.MethodGet, p.DPoPNonceAPI, proofOpts{Token: token, Nonce: "made-up"}))
		wantDPoPRefusal(t, a, "use_dpop_nonce", "stale or unknown")
		a = api(http.MethodGet, p.DPoPNonceAPI, "DPoP", token, dpopProof(t, "ES256", proofKey, http.MethodGet, p.DPoPNonceAPI, proofOpts{Token: token, Nonce: nonce}))
		if a.Status != 200 || a.Body["client_id"] != "dpop" {
			t.Fatalf("with the nonce: %d %s", a.Status, a.raw)
		}
		if got := a.Header.Get("DPoP-Nonce"); got != "" {
			t.Errorf("a current nonce was answered with a new one %q", got)
		}
		if e := lastDPoPError(t, p); e.Where != "dpop-nonce-api" || e.Error != "use_dpop_nonce" {
			t.Errorf("recorded DPoP error = %+v", e)
		}
	})
}

// TestDPoPAlgorithms gets a bound token and calls the API with a proof of each DPoP alg.
func TestDPoPAlgorithms(t *testing.T) {
	t.Parallel()
	ckey := keyFor("ES256")
	p := Start(t, []Client{{ClientID: "dpop", Alg: "ES256", JWKS: JWKS(t, Key{KID: "k1", Public: ckey.Public()}), DPoP: true}})
	for _, alg := range []string{"ES256", "ES384", "ES512", "PS256", "RS256", "EdDSA"} {
		t.Run(alg, func(t *testing.T) {
			key := keyFor(alg)
			a := send(t, http.MethodPost, p.TokenEndpoint, clientForm(t, p, "ES256", ckey, "dpop", p.TokenEndpoint,
				url.Values{"grant_type": {"client_credentials"}}), dpopHeader(dpopProof(t, alg, key, http.MethodPost, p.TokenEndpoint, proofOpts{})))
			if a.Status != 200 || a.TokenType != "DPoP" {
				t.Fatalf("token: %d %s", a.Status, a.raw)
			}
			a = send(t, http.MethodDelete, p.DPoPAPI, nil, withAuth(dpopHeader(dpopProof(t, alg, key, http.MethodDelete, p.DPoPAPI, proofOpts{Token: a.AccessToken})), "DPoP", a.AccessToken))
			if a.Status != 200 {
				t.Errorf("API: %d %s", a.Status, a.raw)
			}
		})
	}
}

func TestDPoPTokenEndpointNonce(t *testing.T) {
	t.Parallel()
	ckey := keyFor("PS256")
	p := Start(t, []Client{{ClientID: "noncy", Alg: "PS256", JWKS: JWKS(t, Key{KID: "k1", Public: ckey.Public()}), DPoP: true, DPoPNonce: true}})
	proofKey := newP256(t)
	cc := url.Values{"grant_type": {"client_credentials"}}
	form := clientForm(t, p, "PS256", ckey, "noncy", p.TokenEndpoint, cc)
	a := send(t, http.MethodPost, p.TokenEndpoint, form, dpopHeader(dpopProof(t, "ES256", proofKey, http.MethodPost, p.TokenEndpoint, proofOpts{})))
	nonce := a.Header.Get("DPoP-Nonce")
	if a.Status != 400 || a.Error != "use_dpop_nonce" || nonce == "" {
		t.Fatalf("first request: %d %s (DPoP-Nonce %q)", a.Status, a.raw, nonce)
	}
	if e := lastDPoPError(t, p); e.Where != "token" || e.Error != "use_dpop_nonce" || e.ClientID != "noncy" {
		t.Errorf("recorded DPoP error = %+v", e)
	}
	// oidc-provider authenticates the client before it checks the proof, so the refused
	// request used up its assertion's jti: the retry needs a fresh assertion.
	a = send(t, http.MethodPost, p.TokenEndpoint, form, dpopHeader(dpopProof(t, "ES256", proofKey, http.MethodPost, p.TokenEndpoint, proofOpts{Nonce: nonce})))
	if a.Status != 401 || a.Error != "invalid_client" {
		t.Errorf("retry with the same assertion: %d %s", a.Status, a.raw)
	}
	if errs := p.ReadStats(t).TokenErrors; !strings.Contains(errs[len(errs)-1].ErrorDescription, "only be used once") {
		t.Errorf("token error = %+v", errs[len(errs)-1])
	}
	a = send(t, http.MethodPost, p.TokenEndpoint, clientForm(t, p, "PS256", ckey, "noncy", p.TokenEndpoint, cc),
		dpopHeader(dpopProof(t, "ES256", proofKey, http.MethodPost, p.TokenEndpoint, proofOpts{Nonce: nonce})))
	if a.Status != 200 || a.TokenType != "DPoP" {
		t.Fatalf("retry with the nonce and a fresh assertion: %d %s", a.Status, a.raw)
	}
	st := p.ReadStats(t)
	last := st.DPoPTokenRequests[len(st.DPoPTokenRequests)-1]
	if last.Claims["nonce"] != nonce {
		t.Errorf("recorded proof claims = %v", last.Claims)
	}
	a = send(t, http.MethodGet, p.DPoPAPI, nil, withAuth(dpopHeader(dpopProof(t, "ES256", proofKey, http.MethodGet, p.DPoPAPI, proofOpts{Token: a.AccessToken})), "DPoP", a.AccessToken))
	if a.Status != 200 || a.Body["client_id"] != "noncy" {
		t.Errorf("API: %d %s", a.Status, a.raw)
	}
}

func TestPARWithDPoPCodeFlow(t *testing.T) {
	t.Parallel()
	ckey := keyFor("ES384")
	const redirect = "http://127.0.0.1:1/callback"
	jwks := JWKS(t, Key{KID: "k1", Public: ckey.Public()})
	p := Start(t, []Client{
		{ClientID: "web", Grant: GrantAuthorizationCode, Alg: "ES384", Scope: "api.read", RedirectURIs: []string{redirect}, JWKS: jwks, DPoP: true, PAR: true},
		{ClientID: "web-nonce", Grant: GrantAuthorizationCode, Alg: "ES384", Audience: AudienceIssuer, Scope: "api.read", RedirectURIs: []string{redirect}, JWKS: jwks, DPoP: true, DPoPNonce: true},
	})
	proofKey := newP256(t)
	authz := url.Values{"response_type": {"code"}, "redirect_uri": {redirect}, "scope": {"openid api.read"}, "state": {"s1"}, "login_hint": {"carol"}}
	push := func(t *testing.T, clientID, aud string, proof string) answer {
		t.Helper()
		var h http.Header
		if proof != "" {
			h = dpopHeader(proof)
		}
		form := url.Values{"client_id": {clientID}}
		for k, v := range authz {
			form[k] = v
		}
		return send(t, http.MethodPost, p.PAREndpoint, clientForm(t, p, "ES384", ckey, clientID, aud, form), h)
	}
	var requestURI string

	t.Run("PAR required", func(t *testing.T) {
		q := url.Values{"client_id": {"web"}}
		for k, v := range authz {
			q[k] = v
		}
		a := send(t, http.MethodGet, p.AuthorizationEndpoint+"?"+q.Encode(), nil, nil)
		loc := a.Header.Get("Location")
		if a.Status != http.StatusSeeOther && a.Status != http.StatusFound || !strings.Contains(loc, "error=invalid_request") {
			t.Errorf("authorization without PAR: %d Location %q %s", a.Status, loc, a.raw)
		}
	})
	t.Run("PAR audience", func(t *testing.T) {
		a := push(t, "web", p.Issuer, "")
		if a.Status != 401 || a.Error != "invalid_client" || !strings.Contains(a.ErrorDescription, "aud must be exactly") {
			t.Errorf("PAR with aud issuer for a token_endpoint client: %d %s", a.Status, a.raw)
		}
		if errs := p.ReadStats(t).TokenErrors; errs[len(errs)-1].Endpoint != "par" {
			t.Errorf("token error = %+v", errs[len(errs)-1])
		}
		// RFC 9126 section 2: the PAR endpoint's own URL is an accepted aud too.
		if a := push(t, "web", p.PAREndpoint, ""); a.Status != 201 {
			t.Errorf("PAR with aud = the PAR endpoint: %d %s", a.Status, a.raw)
		}
	})
	t.Run("flow", func(t *testing.T) {
		a := push(t, "web", p.TokenEndpoint, dpopProof(t, "ES256", proofKey, http.MethodPost, p.PAREndpoint, proofOpts{}))
		var par struct {
			RequestURI string `json:"request_uri"`
			ExpiresIn  int    `json:"expires_in"`
		}
		_ = json.Unmarshal([]byte(a.raw), &par)
		if a.Status != 201 || !strings.HasPrefix(par.RequestURI, "urn:ietf:params:oauth:request_uri:") || par.ExpiresIn <= 0 {
			t.Fatalf("PAR: %d %s", a.Status, a.raw)
		}
		requestURI = par.RequestURI
		code := AuthorizationCode(t, p, url.Values{"client_id": {"web"}, "request_uri": {requestURI}})
		tokenForm := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirect}}
		// The code is bound to the PAR proof's key (dpop_jkt): another key is refused...
		a = send(t, http.MethodPost, p.TokenEndpoint, clientForm(t, p, "ES384", ckey, "web", p.TokenEndpoint, tokenForm),
			dpopHeader(dpopProof(t, "ES256", newP256(t), http.MethodPost, p.TokenEndpoint, proofOpts{})))
		if a.Status != 400 || a.Error != "invalid_grant" {
			t.Errorf("code with another key: %d %s", a.Status, a.raw)
		}
		if e := lastDPoPError(t, p); !strings.Contains(e.ErrorDescription, "dpop_jkt") {
			t.Errorf("recorded DPoP error = %+v", e)
		}
		code = AuthorizationCode(t, p, url.Values{"client_id": {"web"}, "request_uri": {pushOK(t, push, proofKey, p)}})
		tokenForm.Set("code", code)
		a = send(t, http.MethodPost, p.TokenEndpoint, clientForm(t, p, "ES384", ckey, "web", p.TokenEndpoint, tokenForm),
			dpopHeader(dpopProof(t, "ES256", proofKey, http.MethodPost, p.TokenEndpoint, proofOpts{})))
		if a.Status != 200 || a.TokenType != "DPoP" {
			t.Fatalf("code exchange: %d %s", a.Status, a.raw)
		}
		a = send(t, http.MethodGet, p.DPoPAPI, nil, withAuth(dpopHeader(dpopProof(t, "ES256", proofKey, http.MethodGet, p.DPoPAPI, proofOpts{Token: a.AccessToken})), "DPoP", a.AccessToken))
		if a.Status != 200 || a.Body["sub"] != "carol" || a.Body["client_id"] != "web" {
			t.Errorf("API: %d %s", a.Status, a.raw)
		}
		st := p.ReadStats(t)
		if st.PARRequests < 3 {
			t.Errorf("par_requests = %d", st.PARRequests)
		}
		var parProofs int
		for _, r := range st.DPoPTokenRequests {
			if r.Endpoint == "par" && r.DPoP && r.Claims["htu"] == p.PAREndpoint {
				parProofs++
			}
		}
		if parProofs != 2 {
			t.Errorf("PAR requests with proofs recorded = %d, want 2: %+v", parProofs, st.DPoPTokenRequests)
		}
	})
	t.Run("PAR nonce", func(t *testing.T) {
		a := push(t, "web-nonce", p.Issuer, dpopProof(t, "ES256", proofKey, http.MethodPost, p.PAREndpoint, proofOpts{}))
		nonce := a.Header.Get("DPoP-Nonce")
		if a.Status != 400 || a.Error != "use_dpop_nonce" || nonce == "" {
			t.Fatalf("PAR without nonce: %d %s", a.Status, a.raw)
		}
		if e := lastDPoPError(t, p); e.Where != "par" || e.Error != "use_dpop_nonce" {
			t.Errorf("recorded DPoP error = %+v", e)
		}
		a = push(t, "web-nonce", p.Issuer, dpopProof(t, "ES256", proofKey, http.MethodPost, p.PAREndpoint, proofOpts{Nonce: nonce}))
		if a.Status != 201 {
			t.Fatalf("PAR with nonce: %d %s", a.Status, a.raw)
		}
	})
}

// pushOK makes a successful pushed authorization request with a proof of key and returns its
// request_uri.
func pushOK(t *testing.T, push func(*testing.T, string, string, string) answer, key crypto.Signer, p *Provider) string {
	t.Helper()
	a := push(t, "web", p.TokenEndpoint, dpopProof(t, "ES256", key, http.MethodPost, p.PAREndpoint, proofOpts{}))
	uri, _ := a.Body["request_uri"].(string)
	if a.Status != 201 || uri == "" {
		t.Fatalf("PAR: %d %s", a.Status, a.raw)
	}
	return uri
}

func TestCaptureDPoP(t *testing.T) {
	t.Parallel()
	ckey := keyFor("ES256")
	p := Start(t, []Client{{ClientID: "cap", Alg: "ES256", JWKS: JWKS(t, Key{KID: "k1", Public: ckey.Public()})}})
	proofKey := newP256(t)
	cc := url.Values{"grant_type": {"client_credentials"}}
	plain := p.Capture + "/plain/token"
	a := send(t, http.MethodPost, plain, clientForm(t, p, "ES256", ckey, "cap", plain, cc),
		dpopHeader(dpopProof(t, "ES256", proofKey, http.MethodPost, plain, proofOpts{})))
	if a.Status != 200 || a.TokenType != "DPoP" {
		t.Fatalf("capture with a proof: %d %s", a.Status, a.raw)
	}
	call := func(key crypto.Signer) answer {
		return send(t, http.MethodGet, p.DPoPAPI, nil, withAuth(dpopHeader(dpopProof(t, "ES256", key, http.MethodGet, p.DPoPAPI, proofOpts{Token: a.AccessToken})), "DPoP", a.AccessToken))
	}
	if b := call(proofKey); b.Status != 200 || b.Body["via"] != "capture" {
		t.Errorf("API with the capture's bound token: %d %s", b.Status, b.raw)
	}
	wantDPoPRefusal(t, call(newP256(t)), "invalid_token", "cnf.jkt mismatch")

	nonced := p.Capture + "/nonce/token" + CaptureNonceQuery
	first := clientForm(t, p, "ES256", ckey, "cap", nonced, cc)
	a = send(t, http.MethodPost, nonced, first, dpopHeader(dpopProof(t, "ES256", proofKey, http.MethodPost, nonced, proofOpts{})))
	nonce := a.Header.Get("DPoP-Nonce")
	if a.Status != 400 || a.Error != "use_dpop_nonce" || nonce == "" {
		t.Fatalf("nonce capture, first: %d %s", a.Status, a.raw)
	}
	a = send(t, http.MethodPost, nonced, clientForm(t, p, "ES256", ckey, "cap", nonced, cc),
		dpopHeader(dpopProof(t, "ES256", proofKey, http.MethodPost, nonced, proofOpts{Nonce: nonce})))
	if a.Status != 200 || a.TokenType != "DPoP" {
		t.Fatalf("nonce capture, retry: %d %s", a.Status, a.raw)
	}
	var got []Capture
	for _, c := range p.Captures(t) {
		if c.Label == "nonce" {
			got = append(got, c)
		}
	}
	if len(got) != 2 || got[0].Status != 400 || got[1].Status != 200 || got[0].DPoP == nil || got[1].DPoP == nil {
		t.Fatalf("captures = %+v", got)
	}
	if got[0].DPoP.Claims["nonce"] != nil || got[1].DPoP.Claims["nonce"] != nonce || got[1].DPoPError != "" ||
		got[1].DPoP.Header["typ"] != "dpop+jwt" || got[1].DPoP.Claims["htu"] != nonced {
		t.Errorf("recorded proofs: %+v / %+v (%s)", got[0].DPoP, got[1].DPoP, got[1].DPoPError)
	}
	jti := func(c Capture) any {
		for _, kv := range c.Form {
			if kv[0] == "client_assertion" {
				claims := jwt.MapClaims{}
				if _, _, err := jwt.NewParser().ParseUnverified(kv[1], claims); err != nil {
					t.Fatal(err)
				}
				return claims["jti"]
			}
		}
		return nil
	}
	if jti(got[0]) == nil || jti(got[0]) == jti(got[1]) {
		t.Errorf("assertion jti %v then %v", jti(got[0]), jti(got[1]))
	}
}

func TestFAPI2Profile(t *testing.T) {
	t.Parallel()
	ckey := keyFor("PS256")
	const redirect = "http://127.0.0.1:1/callback"
	p := StartConfig(t, Config{Profile: ProfileFAPI2, Clients: []Client{
		{ClientID: "fapi", Grant: GrantAuthorizationCode, Alg: "PS256", Scope: "api.read", RedirectURIs: []string{redirect}, JWKS: JWKS(t, Key{KID: "k1", Public: ckey.Public()})},
	}})
	if p.Profile != ProfileFAPI2 {
		t.Errorf("Profile = %q", p.Profile)
	}
	resp, err := http.Get(p.Discovery)
	if err != nil {
		t.Fatal(err)
	}
	var disc struct {
		PAR     string   `json:"pushed_authorization_request_endpoint"`
		Require bool     `json:"require_pushed_authorization_requests"`
		DPoP    []string `json:"dpop_signing_alg_values_supported"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&disc)
	resp.Body.Close()
	if disc.PAR != p.PAREndpoint || !disc.Require || strings.Join(disc.DPoP, " ") != "PS256 ES256 EdDSA" {
		t.Errorf("discovery = %+v", disc)
	}

	proofKey := newP256(t)
	verifier := rand.Text() + rand.Text()
	sum := sha256.Sum256([]byte(verifier))
	// The PAR endpoint takes the authorization request, client_id included (oidc-provider
	// demands it even though the assertion names the client).
	authz := url.Values{"client_id": {"fapi"}, "response_type": {"code"}, "redirect_uri": {redirect}, "scope": {"openid api.read"},
		"code_challenge": {base64.RawURLEncoding.EncodeToString(sum[:])}, "code_challenge_method": {"S256"}}
	push := func(aud string, form url.Values) answer {
		f := clientForm(t, p, "PS256", ckey, "fapi", aud, form)
		if aud == "" { // the issuer, in an array
			f.Set("client_assertion", mint(t, "PS256", ckey, map[string]any{"kid": "k1"},
				jwt.MapClaims{"iss": "fapi", "sub": "fapi", "aud": []string{p.Issuer}}))
		}
		return send(t, http.MethodPost, p.PAREndpoint, f,
			dpopHeader(dpopProof(t, "ES256", proofKey, http.MethodPost, p.PAREndpoint, proofOpts{})))
	}
	t.Run("refusals", func(t *testing.T) {
		noPKCE := url.Values{}
		for k, v := range authz {
			if !strings.HasPrefix(k, "code_challenge") {
				noPKCE[k] = v
			}
		}
		if a := push(p.Issuer, noPKCE); a.Status != 400 || !strings.Contains(a.ErrorDescription, "PKCE") {
			t.Errorf("PAR without PKCE: %d %s", a.Status, a.raw)
		}
		// oidc-provider's FAPI 2.0 rule: aud must be the issuer as a string, not in an array.
		if a := push("", authz); a.Status != 401 || a.Error != "invalid_client" {
			t.Errorf("PAR with aud [issuer]: %d %s", a.Status, a.raw)
		} else if errs := p.ReadStats(t).TokenErrors; !strings.Contains(errs[len(errs)-1].ErrorDescription, "must equal the issuer") {
			t.Errorf("token error = %+v", errs[len(errs)-1])
		}
		if a := push(p.TokenEndpoint, authz); a.Status != 401 || a.Error != "invalid_client" || !strings.Contains(a.ErrorDescription, "aud must be exactly") {
			t.Errorf("PAR with aud = token endpoint: %d %s", a.Status, a.raw)
		}
		if a := send(t, http.MethodGet, p.AuthorizationEndpoint+"?"+authz.Encode(), nil, nil); !strings.Contains(a.Header.Get("Location"), "error=invalid_request") {
			t.Errorf("authorization without PAR: %d %q", a.Status, a.Header.Get("Location"))
		}
	})
	t.Run("flow", func(t *testing.T) {
		a := push(p.Issuer, authz)
		uri, _ := a.Body["request_uri"].(string)
		if a.Status != 201 || uri == "" {
			t.Fatalf("PAR: %d %s", a.Status, a.raw)
		}
		code := AuthorizationCode(t, p, url.Values{"client_id": {"fapi"}, "request_uri": {uri}})
		form := url.Values{"grant_type": {"authorization_code"}, "code": {code}, "redirect_uri": {redirect}, "code_verifier": {verifier}}
		// Every FAPI client is DPoP-bound: a token request without a proof is refused.
		a = send(t, http.MethodPost, p.TokenEndpoint, clientForm(t, p, "PS256", ckey, "fapi", p.Issuer, form), nil)
		if a.Status != 400 || a.Error != "invalid_grant" {
			t.Errorf("code exchange without a proof: %d %s", a.Status, a.raw)
		}
		// oidc-provider refuses a missing proof before it consumes the code, so the same code
		// still works (a proof of the wrong key, by contrast, uses the code up).
		a = send(t, http.MethodPost, p.TokenEndpoint, clientForm(t, p, "PS256", ckey, "fapi", p.Issuer, form),
			dpopHeader(dpopProof(t, "ES256", proofKey, http.MethodPost, p.TokenEndpoint, proofOpts{})))
		if a.Status != 200 || a.TokenType != "DPoP" {
			t.Fatalf("code exchange: %d %s", a.Status, a.raw)
		}
		a = send(t, http.MethodGet, p.DPoPAPI, nil, withAuth(dpopHeader(dpopProof(t, "ES256", proofKey, http.MethodGet, p.DPoPAPI, proofOpts{Token: a.AccessToken})), "DPoP", a.AccessToken))
		if a.Status != 200 || a.Body["client_id"] != "fapi" {
			t.Errorf("API: %d %s", a.Status, a.raw)
		}
	})
	t.Run("bad config", func(t *testing.T) {
		rec := &recordingTB{TB: t}
		done := make(chan struct{})
		go func() {
			defer close(done)
			StartConfig(rec, Config{Profile: ProfileFAPI2, Clients: []Client{{ClientID: "rs", Alg: "RS256", JWKS: JWKS(t, Key{Public: keyFor("RS256").Public()})}}})
		}()
		<-done
		if !rec.failed || !strings.Contains(rec.msg, "profile fapi2 allows alg") {
			t.Errorf("fapi2 with RS256: failed=%v msg=%q", rec.failed, rec.msg)
		}
	})
}

func privateJWK(t *testing.T, key *ecdsa.PrivateKey) map[string]string {
	t.Helper()
	jwk := mustJWK(t, key)
	d, err := key.Bytes()
	if err != nil {
		t.Fatal(err)
	}
	jwk["d"] = base64.RawURLEncoding.EncodeToString(d)
	return jwk
}

func mustJWK(t *testing.T, key crypto.Signer) map[string]string {
	t.Helper()
	jwk, err := PublicJWK(key.Public())
	if err != nil {
		t.Fatal(err)
	}
	return jwk
}

// tamper flips a character of a JWS's signature.
func tamper(jws string) string {
	i := strings.LastIndexByte(jws, '.') + 5
	c := byte('A')
	if jws[i] == 'A' {
		c = 'B'
	}
	return jws[:i] + string(c) + jws[i+1:]
}

// TestProviderDPoPErrors pins what oidc-provider itself answers to broken proofs at its token
// endpoint, so that product tests know which errors to expect from a real provider.
func TestProviderDPoPErrors(t *testing.T) {
	t.Parallel()
	ckey := keyFor("EdDSA")
	p := Start(t, []Client{{ClientID: "dpop", Alg: "EdDSA", JWKS: JWKS(t, Key{KID: "k1", Public: ckey.Public()}), DPoP: true}})
	key := newP256(t)
	now := time.Now().Unix()
	request := func(proof string) answer {
		return send(t, http.MethodPost, p.TokenEndpoint, clientForm(t, p, "EdDSA", ckey, "dpop", p.TokenEndpoint,
			url.Values{"grant_type": {"client_credentials"}}), dpopHeader(proof))
	}
	used := dpopProof(t, "ES256", key, http.MethodPost, p.TokenEndpoint, proofOpts{})
	if a := request(used); a.Status != 200 {
		t.Fatalf("token: %d %s", a.Status, a.raw)
	}
	// The token response's error_description is generic for invalid_grant; the detail below
	// is oidc-provider's error_detail, which the stats record.
	for _, tc := range []struct {
		name, proof, code, detail string
	}{
		{"wrong htm", dpopProof(t, "ES256", key, http.MethodGet, p.TokenEndpoint, proofOpts{}), "invalid_dpop_proof", "htm mismatch"},
		{"wrong htu", dpopProof(t, "ES256", key, http.MethodPost, p.Issuer+"/elsewhere", proofOpts{}), "invalid_dpop_proof", "htu mismatch"},
		{"query in htu ignored", dpopProof(t, "ES256", key, http.MethodPost, p.TokenEndpoint+"?a=1#f", proofOpts{}), "", ""},
		// oidc-provider allows 300 s of iat skew, and past that (with a nonce secret configured)
		// asks for a nonce instead of refusing the proof.
		{"iat 120 s old accepted", dpopProof(t, "ES256", key, http.MethodPost, p.TokenEndpoint, proofOpts{Claims: jwt.MapClaims{"iat": now - 120}}), "", ""},
		{"iat 400 s old", dpopProof(t, "ES256", key, http.MethodPost, p.TokenEndpoint, proofOpts{Claims: jwt.MapClaims{"iat": now - 400}}), "use_dpop_nonce", "iat is not recent enough"},
		{"replayed", used, "invalid_grant", "Replay detected"},
		{"typ JWT", dpopProof(t, "ES256", key, http.MethodPost, p.TokenEndpoint, proofOpts{Header: map[string]any{"typ": "JWT"}}), "invalid_dpop_proof", `unexpected "typ" JWT header value`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := request(tc.proof)
			if tc.code == "" {
				if a.Status != 200 || a.TokenType != "DPoP" {
					t.Errorf("got %d %s, want a token", a.Status, a.raw)
				}
				return
			}
			if a.Status != 400 || a.Error != tc.code {
				t.Errorf("got %d %s, want 400 %s", a.Status, a.raw, tc.code)
			}
			if e := lastDPoPError(t, p); e.Where != "token" || e.Error != tc.code || !strings.Contains(e.ErrorDescription, tc.detail) {
				t.Errorf("recorded DPoP error = %+v, want %s containing %q", e, tc.code, tc.detail)
			}
		})
	}
}

func TestJWTGrantDPoP(t *testing.T) {
	t.Parallel()
	key := keyFor("RS256")
	p := Start(t, []Client{{ClientID: "mp", Grant: GrantJWTBearer, Alg: "RS256", Scope: "test:read", JWKS: JWKS(t, Key{KID: "k1", Public: key.Public()})}})
	proofKey := newP256(t)
	assertion := func() url.Values {
		return url.Values{"grant_type": {jwtBearerGrant}, "assertion": {mint(t, "RS256", key, map[string]any{"kid": "k1"},
			jwt.MapClaims{"iss": "mp", "aud": p.JWTGrantIssuer, "scope": "test:read"})}}
	}
	a := send(t, http.MethodPost, p.JWTGrantTokenEndpoint, assertion(), dpopHeader(dpopProof(t, "ES256", proofKey, http.MethodPost, p.TokenEndpoint, proofOpts{})))
	if a.Status != 400 || a.Error != "invalid_dpop_proof" || !strings.Contains(a.ErrorDescription, "htu mismatch") {
		t.Errorf("proof for another URL: %d %s", a.Status, a.raw)
	}
	a = send(t, http.MethodPost, p.JWTGrantTokenEndpoint, assertion(), dpopHeader(dpopProof(t, "ES256", proofKey, http.MethodPost, p.JWTGrantTokenEndpoint, proofOpts{})))
	if a.Status != 200 || a.TokenType != "DPoP" {
		t.Fatalf("JWT grant with a proof: %d %s", a.Status, a.raw)
	}
	b := send(t, http.MethodGet, p.DPoPAPI, nil, withAuth(dpopHeader(dpopProof(t, "ES256", proofKey, http.MethodGet, p.DPoPAPI, proofOpts{Token: a.AccessToken})), "DPoP", a.AccessToken))
	if b.Status != 200 || b.Body["via"] != "jwtgrant" {
		t.Errorf("API: %d %s", b.Status, b.raw)
	}
	if w := callAPI(t, http.MethodGet, p.API, a.AccessToken); w.Status != 401 {
		t.Errorf("bound JWT-grant token as Bearer: %+v", w)
	}
}
