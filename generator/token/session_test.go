package token

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/postmint/postmint/generator/oauth"
	"github.com/postmint/postmint/internal/testkeys"
)

// A Session signs a fresh assertion for every try and, with a DPoP key, a fresh proof carrying
// the newest nonce; it keeps the endpoint's last nonce for the next exchange.
func TestSessionExchange(t *testing.T) {
	var mu sync.Mutex
	var assertions, nonces []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		mu.Lock()
		assertions = append(assertions, r.PostForm.Get("client_assertion"))
		nonces = append(nonces, claim(t, r.Header.Get("DPoP"), "nonce"))
		n := len(assertions)
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if n == 1 {
			w.Header().Set("DPoP-Nonce", "n1")
			w.WriteHeader(400)
			fmt.Fprint(w, `{"error":"use_dpop_nonce"}`)
			return
		}
		w.Header().Set("DPoP-Nonce", "n2")
		fmt.Fprint(w, `{"access_token":"tok","token_type":"DPoP","expires_in":60}`)
	}))
	defer srv.Close()
	p := &oauth.Profile{TokenURL: srv.URL, ClientID: "c", Issuer: "c", Subject: "c", Audience: srv.URL, Alg: "ES256",
		ScopeIn: "form", SendClientID: true, GrantType: "client_credentials", Lifetime: time.Minute, DPoPAlg: "ES256"}
	s, err := NewDPoPSession(p, testkeys.ForAlg("ES256"))
	if err != nil || s.DPoP == nil {
		t.Fatalf("session %+v, %v", s, err)
	}
	c, _ := NewClient(Options{MaxTries: 1})
	res, err := s.Exchange(context.Background(), c, nil)
	if err != nil || res.AccessToken != "tok" {
		t.Fatalf("res %+v err %v", res, err)
	}
	if len(assertions) != 2 || assertions[0] == "" || assertions[0] == assertions[1] {
		t.Errorf("assertions %d, fresh per try: %v", len(assertions), len(assertions) == 2 && assertions[0] != assertions[1])
	}
	if fmt.Sprint(nonces) != "[ n1]" || s.Nonce != "n2" {
		t.Errorf("proof nonces %q, session nonce %q", nonces, s.Nonce)
	}
	// The nonce the exchange kept is the one a proof for the token endpoint carries; an API on
	// the same origin has its own (dpopApiNonces), and a session without a profile has only those.
	s.APINonces = `{"` + strings.ToLower(srv.URL) + `":"n-api"}`
	if got, api := s.NonceFor(srv.URL), s.NonceFor(srv.URL+"/orders"); got != "n2" || api != "n-api" {
		t.Errorf("NonceFor: token endpoint %q, API %q", got, api)
	}
	if got := (&Session{Nonce: "n2", APINonces: s.APINonces}).NonceFor(srv.URL); got != "n-api" {
		t.Errorf("NonceFor without a profile: %q", got)
	}
	// A bearer profile makes no DPoP key and sends no proof.
	p2 := *p
	p2.DPoPAlg = ""
	if b, err := NewDPoPSession(&p2, testkeys.ForAlg("ES256")); err != nil || b.DPoP != nil {
		t.Errorf("bearer session %+v, %v", b, err)
	}
}

// claim is one claim of a compact JWS's payload, "" when absent (or no JWS).
func claim(t *testing.T, jws, name string) string {
	parts := strings.Split(jws, ".")
	if len(parts) != 3 {
		return ""
	}
	b, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	s, _ := m[name].(string)
	return s
}
