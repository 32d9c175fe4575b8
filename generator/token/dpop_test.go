package token

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
)

// A server that demands a DPoP nonce (RFC 9449 §8): the first try is answered 400
// use_dpop_nonce with DPoP-Nonce, and the one retry carries that nonce in a fresh proof with a
// fresh form (a new assertion), outside MaxTries; the nonce of the last answer is returned.
func TestExchangeDPoPRetriesOnceWithNonce(t *testing.T) {
	var mu sync.Mutex
	var proofs, assertions []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		mu.Lock()
		proofs = append(proofs, r.Header.Get("DPoP"))
		assertions = append(assertions, r.PostForm.Get("client_assertion"))
		n := len(proofs)
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		if r.Header.Get("DPoP") != "proof(n1)" {
			w.Header().Set("DPoP-Nonce", "n1")
			w.WriteHeader(400)
			fmt.Fprint(w, `{"error":"use_dpop_nonce","error_description":"nonce required"}`)
			return
		}
		w.Header().Set("DPoP-Nonce", "n2")
		fmt.Fprintf(w, `{"access_token":"at%d","token_type":"DPoP","expires_in":60}`, n)
	}))
	defer srv.Close()
	c, _ := NewClient(Options{MaxTries: 1})
	try := 0
	build := func() (url.Values, error) {
		try++
		return url.Values{"client_assertion": {fmt.Sprintf("a%d", try)}}, nil
	}
	proof := func(nonce string) (string, error) { return "proof(" + nonce + ")", nil }
	res, err := c.ExchangeDPoP(context.Background(), srv.URL, "", build, proof)
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(proofs) != "[proof() proof(n1)]" || fmt.Sprint(assertions) != "[a1 a2]" {
		t.Fatalf("proofs %v assertions %v", proofs, assertions)
	}
	if res.DPoPNonce != "n2" || res.TokenType != "DPoP" || res.Tries != 2 {
		t.Fatalf("response nonce %q type %q tries %d", res.DPoPNonce, res.TokenType, res.Tries)
	}
}

// Only one nonce retry: a server that keeps asking ends in its OAuth error.
func TestExchangeDPoPRetriesOnlyOnce(t *testing.T) {
	calls := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		calls++
		w.Header().Set("DPoP-Nonce", fmt.Sprintf("n%d", calls))
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(400)
		fmt.Fprint(w, `{"error":"use_dpop_nonce"}`)
	}))
	defer srv.Close()
	c, _ := NewClient(Options{MaxTries: 3})
	_, err := c.ExchangeDPoP(context.Background(), srv.URL, "", func() (url.Values, error) { return url.Values{}, nil },
		func(string) (string, error) { return "p", nil })
	var oe *OAuthError
	if !errors.As(err, &oe) || oe.Code != "use_dpop_nonce" || calls != 2 {
		t.Fatalf("err %v after %d calls, want use_dpop_nonce after 2", err, calls)
	}
}

// A proof sent but a Bearer token back: the token is not bound, and that is an error.
func TestExchangeDPoPRefusesUnboundToken(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		fmt.Fprint(w, `{"access_token":"secret-at","token_type":"Bearer"}`)
	}))
	defer srv.Close()
	c, _ := NewClient(Options{})
	_, err := c.ExchangeDPoP(context.Background(), srv.URL, "", func() (url.Values, error) { return url.Values{}, nil },
		func(string) (string, error) { return "p", nil })
	if !errors.Is(err, ErrNotBound) {
		t.Fatalf("err = %v, want ErrNotBound", err)
	}
	if err != nil && strings.Contains(err.Error(), "secret-at") {
		t.Fatal("the error shows the access token")
	}
}

// A DPoP-Nonce that is not RFC 9449 NQCHAR, holds {{ or is over 512 bytes is refused before it
// is sent back or stored (a 100 KB nonce would make every later request fail with HTTP 431),
// and the refusal names the header, never its value.
func TestExchangeDPoPRefusesBadNonce(t *testing.T) {
	for name, nonce := range map[string]string{
		"template": "{{dpopKey}}",
		"too long": strings.Repeat("n", 100<<10),
		"quote":    `n"1`,
	} {
		t.Run(name, func(t *testing.T) {
			calls := 0
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				calls++
				w.Header().Set("DPoP-Nonce", nonce)
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(400)
				fmt.Fprint(w, `{"error":"use_dpop_nonce"}`)
			}))
			defer srv.Close()
			c, _ := NewClient(Options{MaxTries: 1})
			build := func() (url.Values, error) { return url.Values{}, nil }
			proof := func(n string) (string, error) { return "proof(" + n + ")", nil }
			res, err := c.ExchangeDPoP(context.Background(), srv.URL, "", build, proof)
			if res != nil || !errors.Is(err, ErrBadToken) || !strings.Contains(err.Error(), "DPoP-Nonce") {
				t.Fatalf("res %v err %v", res, err)
			}
			if calls != 1 || strings.Contains(err.Error(), nonce) {
				t.Errorf("calls %d; err %v", calls, err)
			}
		})
	}
}
