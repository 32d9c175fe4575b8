package token

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"
)

// fixedNow is the local clock of the tests that need one.
var fixedNow = time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)

// builder hands out forms whose assertion changes on every call, like the real minting does.
type builder struct {
	mu    sync.Mutex
	calls int
	sent  []string
}

func (b *builder) build() (url.Values, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.calls++
	a := fmt.Sprintf("eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJqdGkiOiJqdGktJWQifQ.c2lnbmF0dXJlLW51bWJlci0%03d", b.calls)
	b.sent = append(b.sent, a)
	return url.Values{
		"grant_type":            {"client_credentials"},
		"client_assertion_type": {"urn:ietf:params:oauth:client-assertion-type:jwt-bearer"},
		"client_assertion":      {a},
		"client_id":             {"myclient"},
		"scope":                 {"api.read api.write"},
	}, nil
}

func (b *builder) count() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.calls
}

// recorder records what a test server received.
type recorder struct {
	mu    sync.Mutex
	forms []url.Values
	reqs  []*http.Request
}

func (r *recorder) add(req *http.Request) int {
	if err := req.ParseForm(); err != nil {
		panic(err)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.forms = append(r.forms, req.PostForm)
	r.reqs = append(r.reqs, req)
	return len(r.forms)
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.forms)
}

func newClient(t *testing.T, opt Options) *Client {
	t.Helper()
	if opt.Backoff == 0 {
		opt.Backoff = 2 * time.Millisecond
	}
	if opt.Timeout == 0 {
		opt.Timeout = 10 * time.Second
	}
	c, err := NewClient(opt)
	if err != nil {
		t.Fatalf("NewClient: %v", err)
	}
	return c
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func TestExchangeSuccess(t *testing.T) {
	for _, expires := range []any{3600, "3600"} {
		t.Run(fmt.Sprintf("expires_in %T", expires), func(t *testing.T) {
			rec := &recorder{}
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				rec.add(r)
				writeJSON(w, 200, map[string]any{
					"access_token": "at-123", "token_type": "Bearer", "expires_in": expires,
					"scope": "api.read api.write", "refresh_token": "rt-1", "id_token": "idt",
				})
			}))
			defer srv.Close()

			b := &builder{}
			c := newClient(t, Options{UserAgent: "postmint/0.1.0 (+https://github.com/postmint/postmint)", Now: func() time.Time { return fixedNow }})
			res, err := c.Exchange(context.Background(), srv.URL+"/connect/token", b.build)
			if err != nil {
				t.Fatalf("Exchange: %v", err)
			}
			if res.AccessToken != "at-123" || res.TokenType != "Bearer" || res.ExpiresIn != 3600 ||
				res.Scope != "api.read api.write" || res.RefreshToken != "rt-1" || res.IDToken != "idt" {
				t.Errorf("response = %+v", res)
			}
			if want := fixedNow.Add(time.Hour); !res.ExpiresAt.Equal(want) {
				t.Errorf("ExpiresAt = %v, want %v", res.ExpiresAt, want)
			}
			if res.Status != 200 || res.Tries != 1 {
				t.Errorf("Status, Tries = %d, %d", res.Status, res.Tries)
			}
			var raw map[string]any
			if err := json.Unmarshal(res.Raw, &raw); err != nil || raw["access_token"] != "at-123" {
				t.Errorf("Raw = %s (%v)", res.Raw, err)
			}

			if rec.count() != 1 {
				t.Fatalf("server saw %d requests", rec.count())
			}
			req := rec.reqs[0]
			if req.Method != http.MethodPost || req.URL.Path != "/connect/token" {
				t.Errorf("request = %s %s", req.Method, req.URL.Path)
			}
			for h, want := range map[string]string{
				"Content-Type": "application/x-www-form-urlencoded",
				"Accept":       "application/json",
				"User-Agent":   "postmint/0.1.0 (+https://github.com/postmint/postmint)",
			} {
				if got := req.Header.Get(h); got != want {
					t.Errorf("%s = %q, want %q", h, got, want)
				}
			}
			want, _ := (&builder{}).build()
			if !reflect.DeepEqual(rec.forms[0], want) {
				t.Errorf("form received = %v, want %v", rec.forms[0], want)
			}
		})
	}
}

func TestDefaultUserAgent(t *testing.T) {
	rec := &recorder{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec.add(r)
		writeJSON(w, 200, map[string]any{"access_token": "x", "token_type": "Bearer"})
	}))
	defer srv.Close()
	res, err := newClient(t, Options{}).Exchange(context.Background(), srv.URL, (&builder{}).build)
	if err != nil {
		t.Fatal(err)
	}
	if got := rec.reqs[0].Header.Get("User-Agent"); got != DefaultUserAgent {
		t.Errorf("User-Agent = %q", got)
	}
	if !res.ExpiresAt.IsZero() {
		t.Errorf("ExpiresAt = %v without expires_in", res.ExpiresAt)
	}
}

// closedAddr returns a loopback address nothing listens on.
func closedAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

func TestConnectionRefused(t *testing.T) {
	addr := closedAddr(t)
	b := &builder{}
	c := newClient(t, Options{MaxTries: 3})
	_, err := c.Exchange(context.Background(), "http://"+addr+"/token", b.build)
	var te *TransportError
	if !errors.As(err, &te) {
		t.Fatalf("err = %v (%T), want *TransportError", err, err)
	}
	if te.Tries != 3 || b.count() != 3 {
		t.Errorf("tries = %d, builds = %d, want 3 and 3", te.Tries, b.count())
	}
	if !errors.Is(err, syscall.ECONNREFUSED) {
		t.Errorf("err = %v, want ECONNREFUSED", err)
	}
	for _, want := range []string{addr, "after 3 tries"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("err = %q, want it to contain %q", err, want)
		}
	}
	lines := Explain(err, Context{TokenURL: "http://" + addr + "/token"})
	if len(lines) == 0 || !strings.Contains(lines[0], "nothing listens at "+addr) {
		t.Errorf("Explain = %q", lines)
	}
}

func TestOverallTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) }) // runs first: lets the handler end before Close waits

	const timeout = time.Second
	b := &builder{}
	c := newClient(t, Options{Timeout: timeout, MaxTries: 3})
	start := time.Now()
	_, err := c.Exchange(context.Background(), srv.URL, b.build)
	elapsed := time.Since(start)
	if elapsed > timeout+2*time.Second {
		t.Errorf("Exchange returned after %s, timeout %s", elapsed, timeout)
	}
	if !errors.Is(err, ErrTimeout) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("err = %v, want ErrTimeout and DeadlineExceeded", err)
	}
	host := strings.TrimPrefix(srv.URL, "http://")
	if !strings.Contains(err.Error(), host) || !strings.Contains(err.Error(), "after 1 try") {
		t.Errorf("err = %q", err)
	}
	lines := Explain(err, Context{TokenURL: srv.URL})
	if len(lines) == 0 || !strings.Contains(lines[0], "no answer from "+host+" within 1s") {
		t.Errorf("Explain = %q", lines)
	}
}

func TestCallerDeadlineShorterThanTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })

	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	_, err := newClient(t, Options{Timeout: time.Minute}).Exchange(ctx, srv.URL, (&builder{}).build)
	var te *TransportError
	if !errors.As(err, &te) || !errors.Is(err, ErrTimeout) || te.Timeout > 300*time.Millisecond {
		t.Fatalf("err = %v, want a timeout of at most the caller's 300ms", err)
	}
}

func TestCallerCancel(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 503, map[string]string{"error": "temporarily_unavailable"})
	}))
	defer srv.Close()
	ctx, cancel := context.WithCancel(context.Background())
	c := newClient(t, Options{MaxTries: 5})
	c.wait = func(ctx context.Context, d time.Duration) error {
		cancel()
		<-ctx.Done()
		return ctx.Err()
	}
	_, err := c.Exchange(ctx, srv.URL, (&builder{}).build)
	if !errors.Is(err, context.Canceled) || errors.Is(err, ErrTimeout) {
		t.Errorf("err = %v, want context.Canceled and no timeout", err)
	}
}

const deepMarker = "DEEP-BODY-MARKER-7f3a"

func htmlErrorPage() string {
	var b strings.Builder
	b.WriteString("<!DOCTYPE html>\n<html><head><title>500 Internal Server Error</title></head><body>\n")
	for i := range 200 {
		fmt.Fprintf(&b, "<p>stack frame %d at com.example.Something.method(Something.java:%d)</p>\n", i, i)
	}
	b.WriteString("<p>" + deepMarker + "</p></body></html>\n")
	return b.String()
}

func TestHTML500RetriedWithFreshAssertions(t *testing.T) {
	rec := &recorder{}
	page := htmlErrorPage()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec.add(r)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(500)
		io.WriteString(w, page)
	}))
	defer srv.Close()

	b := &builder{}
	c := newClient(t, Options{MaxTries: 3})
	_, err := c.Exchange(context.Background(), srv.URL+"/connect/token", b.build)
	var he *HTTPError
	if !errors.As(err, &he) {
		t.Fatalf("err = %v (%T), want *HTTPError", err, err)
	}
	if rec.count() != 3 || b.count() != 3 || he.Tries != 3 {
		t.Errorf("server saw %d, builds %d, Tries %d; want 3 each", rec.count(), b.count(), he.Tries)
	}
	seen := map[string]bool{}
	for i, f := range rec.forms {
		a := f.Get("client_assertion")
		if a != b.sent[i] {
			t.Errorf("try %d carried %q, want build %d's assertion", i+1, a, i+1)
		}
		seen[a] = true
	}
	if len(seen) != 3 {
		t.Errorf("assertions were reused: %d distinct in 3 tries", len(seen))
	}
	if he.Status != 500 || !he.HTML || he.Title != "500 Internal Server Error" || he.Length != len(page) {
		t.Errorf("HTTPError = %+v", he)
	}
	if he.FirstLine != "<!DOCTYPE html>" || utf8.RuneCountInString(he.FirstLine) > 120 {
		t.Errorf("FirstLine = %q", he.FirstLine)
	}
	msg := err.Error()
	if strings.Contains(msg, deepMarker) || strings.Contains(msg, "stack frame") || len(msg) > 300 {
		t.Errorf("error dumps the body: %q", msg)
	}
	lines := Explain(err, Context{TokenURL: srv.URL + "/connect/token"})
	joined := strings.Join(lines, "\n")
	for _, want := range []string{"HTTP 500 on 3 tries (retried 2 times)", "HTML page", "check the token URL"} {
		if !strings.Contains(joined, want) {
			t.Errorf("Explain lacks %q:\n%s", want, joined)
		}
	}
	if strings.Contains(joined, deepMarker) {
		t.Errorf("Explain dumps the body")
	}
}

func TestFirstLineTrimmed(t *testing.T) {
	long := strings.Repeat("x", 500) + "\nsecond line"
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(400)
		io.WriteString(w, "\n\n  "+long)
	}))
	defer srv.Close()
	_, err := newClient(t, Options{}).Exchange(context.Background(), srv.URL, (&builder{}).build)
	var he *HTTPError
	if !errors.As(err, &he) {
		t.Fatalf("err = %v", err)
	}
	if n := utf8.RuneCountInString(he.FirstLine); n != 120 || !strings.HasPrefix(he.FirstLine, "xxx") {
		t.Errorf("FirstLine has %d runes: %q", n, he.FirstLine)
	}
	if strings.Contains(err.Error(), "second line") || he.Tries != 1 {
		t.Errorf("err = %q, Tries %d", err, he.Tries)
	}
}

func TestRetryAfter(t *testing.T) {
	for _, tc := range []struct {
		name   string
		header func() string
		want   time.Duration
	}{
		{"seconds", func() string { return "1" }, time.Second},
		{"http date", func() string { return fixedNow.Add(2 * time.Second).Format(http.TimeFormat) }, 2 * time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rec := &recorder{}
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if rec.add(r) == 1 {
					w.Header().Set("Date", fixedNow.Format(http.TimeFormat))
					w.Header().Set("Retry-After", tc.header())
					writeJSON(w, 429, map[string]string{"error": "slow_down"})
					return
				}
				writeJSON(w, 200, map[string]any{"access_token": "at", "token_type": "Bearer"})
			}))
			defer srv.Close()

			c := newClient(t, Options{Backoff: time.Hour})
			var waits []time.Duration
			c.wait = func(_ context.Context, d time.Duration) error {
				waits = append(waits, d)
				return nil
			}
			res, err := c.Exchange(context.Background(), srv.URL, (&builder{}).build)
			if err != nil {
				t.Fatal(err)
			}
			if res.Tries != 2 || !reflect.DeepEqual(waits, []time.Duration{tc.want}) {
				t.Errorf("Tries = %d, waits = %v, want 2 and [%s]", res.Tries, waits, tc.want)
			}
		})
	}
}

func TestRetryAfterBeyondTimeout(t *testing.T) {
	rec := &recorder{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec.add(r)
		w.Header().Set("Retry-After", "120")
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(429)
		io.WriteString(w, "too many requests")
	}))
	defer srv.Close()
	c := newClient(t, Options{Timeout: 5 * time.Second})
	c.wait = func(context.Context, time.Duration) error {
		t.Error("waited past the overall timeout")
		return nil
	}
	_, err := c.Exchange(context.Background(), srv.URL, (&builder{}).build)
	var he *HTTPError
	if !errors.As(err, &he) || he.Status != 429 || he.Tries != 1 || rec.count() != 1 {
		t.Fatalf("err = %v, requests %d", err, rec.count())
	}
	if lines := Explain(err, Context{}); len(lines) == 0 || !strings.Contains(lines[0], "rate limited") {
		t.Errorf("Explain = %q", lines)
	}
}

func TestNoAccessToken(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]any{"token_type": "Bearer", "expires_in": 300})
	}))
	defer srv.Close()
	b := &builder{}
	_, err := newClient(t, Options{}).Exchange(context.Background(), srv.URL, b.build)
	if !errors.Is(err, ErrNoAccessToken) {
		t.Fatalf("err = %v, want ErrNoAccessToken", err)
	}
	if !strings.Contains(err.Error(), "expires_in, token_type") || b.count() != 1 {
		t.Errorf("err = %q after %d builds", err, b.count())
	}
	if lines := Explain(err, Context{TokenURL: srv.URL + "/connect/token"}); len(lines) == 0 || !strings.Contains(lines[0], "without access_token") {
		t.Errorf("Explain = %q", lines)
	}
}

func TestInvalidJSON(t *testing.T) {
	for _, tc := range []struct {
		name, contentType, body string
		html                    bool
		title                   string
	}{
		{"broken json", "application/json", `{"access_token": "eyJhbGciOiJub25lIn0.eyJzdWIiOiJ4In0.sig", "token_type":`, false, ""},
		{"form encoded", "text/plain", "access_token=plain-secret-token-value&token_type=bearer", false, ""},
		{"login page", "text/html", "<html><head><title>Sign in</title></head><body>form</body></html>", true, "Sign in"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", tc.contentType)
				io.WriteString(w, tc.body)
			}))
			defer srv.Close()
			b := &builder{}
			_, err := newClient(t, Options{}).Exchange(context.Background(), srv.URL, b.build)
			if !errors.Is(err, ErrInvalidJSON) {
				t.Fatalf("err = %v, want ErrInvalidJSON", err)
			}
			var he *HTTPError
			if !errors.As(err, &he) || he.Status != 200 || he.HTML != tc.html || he.Title != tc.title {
				t.Fatalf("HTTPError = %+v", he)
			}
			if b.count() != 1 {
				t.Errorf("retried a 200: %d builds", b.count())
			}
			if !tc.html && he.FirstLine != "" {
				t.Errorf("FirstLine of a 200 that may hold a token = %q", he.FirstLine)
			}
			for _, secret := range []string{"plain-secret-token-value", "eyJhbGciOiJub25lIn0"} {
				if strings.Contains(err.Error(), secret) {
					t.Errorf("error shows the token: %q", err)
				}
			}
			lines := Explain(err, Context{TokenURL: srv.URL})
			if len(lines) == 0 || !strings.Contains(lines[0], "HTTP 200") || !strings.Contains(lines[0], srv.URL) {
				t.Errorf("Explain = %q", lines)
			}
		})
	}
}

func TestOAuthInvalidClient(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Date", fixedNow.Format(http.TimeFormat))
		writeJSON(w, 401, map[string]string{
			"error":             "invalid_client",
			"error_description": "Client authentication failed\nInvalid audience",
			"error_uri":         "https://docs.example.com/errors#invalid_client",
		})
	}))
	defer srv.Close()
	tokenURL := srv.URL + "/connect/token"
	b := &builder{}
	_, err := newClient(t, Options{Now: func() time.Time { return fixedNow }}).Exchange(context.Background(), tokenURL, b.build)
	var oe *OAuthError
	if !errors.As(err, &oe) {
		t.Fatalf("err = %v (%T), want *OAuthError", err, err)
	}
	if oe.Status != 401 || oe.Code != "invalid_client" || oe.Description != "Client authentication failed Invalid audience" ||
		oe.URI != "https://docs.example.com/errors#invalid_client" || oe.Tries != 1 || !oe.LocalTime.Equal(fixedNow) {
		t.Errorf("OAuthError = %+v", oe)
	}
	if b.count() != 1 {
		t.Errorf("a 401 was retried: %d builds", b.count())
	}
	if want := "token endpoint returned invalid_client (HTTP 401): Client authentication failed Invalid audience"; err.Error() != want {
		t.Errorf("err = %q, want %q", err, want)
	}

	lines := Explain(err, Context{
		TokenURL: tokenURL, Issuer: srv.URL, Audience: tokenURL, AudienceRule: RuleTokenEndpoint,
		Alg: "RS256", Kid: "k1", Thumbprint: "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs",
		ClientID: "myclient", GrantType: "client_credentials",
	})
	if len(lines) < 4 {
		t.Fatalf("Explain = %q", lines)
	}
	want := fmt.Sprintf("aud was %q (the token endpoint URL); the server may expect the issuer: set audience: %s (or %s/)", tokenURL, srv.URL, srv.URL)
	if lines[0] != want {
		t.Errorf("Explain[0] = %q\nwant        %q", lines[0], want)
	}
	joined := strings.Join(lines, "\n")
	for _, want := range []string{"NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs", `kid "k1"`, "RS256", `client_id "myclient"`, "send_client_id: true"} {
		if !strings.Contains(joined, want) {
			t.Errorf("Explain lacks %q:\n%s", want, joined)
		}
	}
	if strings.Contains(joined, "clock skew") {
		t.Errorf("clock skew reported without a Date difference:\n%s", joined)
	}
}

func TestResetConnectionRetried(t *testing.T) {
	rec := &recorder{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rec.add(r) == 1 {
			conn, _, err := w.(http.Hijacker).Hijack()
			if err != nil {
				panic(err)
			}
			if tcp, ok := conn.(*net.TCPConn); ok {
				tcp.SetLinger(0) // close with RST
			}
			conn.Close()
			return
		}
		writeJSON(w, 200, map[string]any{"access_token": "at", "token_type": "Bearer"})
	}))
	defer srv.Close()
	b := &builder{}
	res, err := newClient(t, Options{}).Exchange(context.Background(), srv.URL, b.build)
	if err != nil {
		t.Fatalf("Exchange: %v", err)
	}
	if res.Tries != 2 || b.count() != 2 || rec.count() != 2 {
		t.Errorf("Tries %d, builds %d, requests %d; want 2 each", res.Tries, b.count(), rec.count())
	}
	if rec.forms[0].Get("client_assertion") == rec.forms[1].Get("client_assertion") {
		t.Error("the retry reused the assertion")
	}
}

func TestResetEveryTime(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, _, _ := w.(http.Hijacker).Hijack()
		conn.Close()
	}))
	defer srv.Close()
	_, err := newClient(t, Options{MaxTries: 2}).Exchange(context.Background(), srv.URL, (&builder{}).build)
	var te *TransportError
	if !errors.As(err, &te) || te.Tries != 2 || !strings.Contains(err.Error(), "after 2 tries") {
		t.Fatalf("err = %v", err)
	}
	if lines := Explain(err, Context{}); len(lines) == 0 || !strings.Contains(lines[0], "closed or reset the connection") {
		t.Errorf("Explain = %q", lines)
	}
}

func TestClockSkew(t *testing.T) {
	for _, tc := range []struct {
		name   string
		offset time.Duration
		status int
		json   bool
		want   string
	}{
		{"oauth error, server ahead", 60 * time.Second, 400, true, "is 60 s ahead"},
		{"http error, server behind", -60 * time.Second, 404, false, "is 60 s behind"},
		{"within tolerance", 5 * time.Second, 400, true, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Date", fixedNow.Add(tc.offset).Format(http.TimeFormat))
				if tc.json {
					writeJSON(w, tc.status, map[string]string{"error": "invalid_grant", "error_description": "assertion expired"})
					return
				}
				http.NotFound(w, r)
			}))
			defer srv.Close()
			_, err := newClient(t, Options{Now: func() time.Time { return fixedNow }}).
				Exchange(context.Background(), srv.URL+"/token", (&builder{}).build)
			if err == nil {
				t.Fatal("Exchange succeeded")
			}
			lines := Explain(err, Context{TokenURL: srv.URL + "/token", GrantType: "client_credentials"})
			if len(lines) == 0 {
				t.Fatal("no explanation")
			}
			if tc.want == "" {
				if strings.Contains(strings.Join(lines, "\n"), "clock skew") {
					t.Errorf("skew reported within tolerance: %q", lines)
				}
				return
			}
			// The clock can cause an OAuth error, not a 404: its line comes first or last.
			skew := lines[len(lines)-1]
			if tc.json {
				skew = lines[0]
			}
			if !strings.HasPrefix(skew, "clock skew") || !strings.Contains(skew, tc.want) {
				t.Errorf("Explain = %q, want clock skew %q", lines, tc.want)
			}
		})
	}
}

func writeCertPEM(t *testing.T, cert *x509.Certificate) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "ca.pem")
	data := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: cert.Raw})
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestTLSVerification(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, 200, map[string]any{"access_token": "tls-at", "token_type": "Bearer"})
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the failed handshake is expected
	srv.StartTLS()
	defer srv.Close()

	b := &builder{}
	_, err := newClient(t, Options{}).Exchange(context.Background(), srv.URL, b.build)
	var unknown x509.UnknownAuthorityError
	if !errors.As(err, &unknown) {
		t.Fatalf("err = %v, want an unknown authority error", err)
	}
	if b.count() != 1 {
		t.Errorf("a verification failure was retried: %d builds", b.count())
	}
	if lines := Explain(err, Context{TokenURL: srv.URL}); len(lines) == 0 || !strings.Contains(lines[0], "--ca-file") {
		t.Errorf("Explain = %q", lines)
	}

	c := newClient(t, Options{CAFile: writeCertPEM(t, srv.Certificate())})
	res, err := c.Exchange(context.Background(), srv.URL, (&builder{}).build)
	if err != nil {
		t.Fatalf("with CAFile: %v", err)
	}
	if res.AccessToken != "tls-at" {
		t.Errorf("AccessToken = %q", res.AccessToken)
	}
}

func TestCAFileErrors(t *testing.T) {
	dir := t.TempDir()
	junk := filepath.Join(dir, "junk.pem")
	os.WriteFile(junk, []byte("not a certificate"), 0o600)
	if _, err := NewClient(Options{CAFile: junk}); !errors.Is(err, ErrCAFile) || !strings.Contains(err.Error(), junk) {
		t.Errorf("junk CA file: %v", err)
	}
	if _, err := NewClient(Options{CAFile: filepath.Join(dir, "missing.pem")}); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing CA file: %v", err)
	}
}

func TestTransportSettings(t *testing.T) {
	c := newClient(t, Options{})
	tr, ok := c.hc.Transport.(*http.Transport)
	if !ok {
		t.Fatalf("transport is %T", c.hc.Transport)
	}
	if reflect.ValueOf(tr.Proxy).Pointer() != reflect.ValueOf(http.ProxyFromEnvironment).Pointer() {
		t.Error("transport Proxy is not http.ProxyFromEnvironment")
	}
	if tr.TLSClientConfig == nil || tr.TLSClientConfig.MinVersion != 0x0303 || tr.TLSClientConfig.InsecureSkipVerify {
		t.Errorf("TLS config = %+v", tr.TLSClientConfig)
	}
	if tr.TLSHandshakeTimeout != DefaultConnectTimeout {
		t.Errorf("TLSHandshakeTimeout = %s", tr.TLSHandshakeTimeout)
	}
}

// proxyChildEnv marks the child process of TestProxyFromEnvironment. Go reads the proxy
// variables once per process, so the check runs in a process started with them set.
const proxyChildEnv = "POSTMINT_TOKEN_TEST_PROXY_CHILD"

func TestProxyFromEnvironment(t *testing.T) {
	const tokenURL = "http://idp.example.test/connect/token"
	if os.Getenv(proxyChildEnv) == "1" {
		res, err := newClient(t, Options{}).Exchange(context.Background(), tokenURL, (&builder{}).build)
		if err != nil {
			t.Fatalf("child: %v", err)
		}
		if res.AccessToken != "via-proxy" {
			t.Fatalf("child: AccessToken = %q", res.AccessToken)
		}
		return
	}

	var mu sync.Mutex
	var seen []string
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		mu.Lock()
		seen = append(seen, r.Method+" "+r.RequestURI+" "+r.PostForm.Get("client_id"))
		mu.Unlock()
		writeJSON(w, 200, map[string]any{"access_token": "via-proxy", "token_type": "Bearer"})
	}))
	defer proxy.Close()

	var env []string
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		switch strings.ToUpper(name) {
		case "HTTP_PROXY", "HTTPS_PROXY", "NO_PROXY", "REQUEST_METHOD":
			continue
		}
		env = append(env, kv)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestProxyFromEnvironment$", "-test.count=1", "-test.timeout=20s")
	cmd.Env = append(env, "HTTP_PROXY="+proxy.URL, proxyChildEnv+"=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("child failed: %v\n%s", err, out)
	}
	mu.Lock()
	defer mu.Unlock()
	if want := []string{"POST " + tokenURL + " myclient"}; !reflect.DeepEqual(seen, want) {
		t.Errorf("proxy saw %q, want %q", seen, want)
	}
}

func TestRedirectNotFollowed(t *testing.T) {
	rec := &recorder{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec.add(r)
		http.Redirect(w, r, "https://idp.example.com/connect/token", http.StatusFound)
	}))
	defer srv.Close()
	_, err := newClient(t, Options{}).Exchange(context.Background(), srv.URL, (&builder{}).build)
	var he *HTTPError
	if !errors.As(err, &he) || he.Status != 302 || he.Location != "https://idp.example.com/connect/token" || rec.count() != 1 {
		t.Fatalf("err = %v, requests %d", err, rec.count())
	}
	if lines := Explain(err, Context{TokenURL: srv.URL}); len(lines) == 0 || !strings.Contains(lines[0], "redirects (HTTP 302) to https://idp.example.com/connect/token") {
		t.Errorf("Explain = %q", lines)
	}
}

func TestExchangeArgumentErrors(t *testing.T) {
	c := newClient(t, Options{})
	for _, u := range []string{"", "idp.example.com/token", "ftp://idp.example.com/token", "http://"} {
		if _, err := c.Exchange(context.Background(), u, (&builder{}).build); !errors.Is(err, ErrTokenURL) {
			t.Errorf("Exchange(%q) = %v, want ErrTokenURL", u, err)
		}
	}
	if _, err := c.Exchange(context.Background(), "http://127.0.0.1:1/", nil); !errors.Is(err, ErrNoBuilder) {
		t.Errorf("nil build: %v", err)
	}
	boom := errors.New("key is locked")
	calls := 0
	_, err := c.Exchange(context.Background(), "http://127.0.0.1:1/", func() (url.Values, error) {
		calls++
		return nil, boom
	})
	if !errors.Is(err, boom) || calls != 1 || !strings.HasPrefix(err.Error(), "building token request: ") {
		t.Errorf("build error: %v after %d calls", err, calls)
	}
}

// TestNoSecretInErrors has servers echo the assertion in every place a body or header can
// carry it and checks neither the error nor its explanation shows it.
func TestNoSecretInErrors(t *testing.T) {
	foreign := "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJzb21lb25lIn0.b3RoZXItc2lnbmF0dXJl"
	cases := map[string]func(w http.ResponseWriter, form url.Values){
		"oauth description": func(w http.ResponseWriter, f url.Values) {
			writeJSON(w, 400, map[string]string{"error": "invalid_grant", "error_description": "bad assertion " + f.Get("client_assertion") + " and " + foreign})
		},
		"oauth error code": func(w http.ResponseWriter, f url.Values) {
			writeJSON(w, 400, map[string]string{"error": f.Get("client_assertion")})
		},
		"plain 400 echoing the form": func(w http.ResponseWriter, f url.Values) {
			w.Header().Set("Content-Type", "text/plain")
			w.WriteHeader(400)
			io.WriteString(w, "bad request: "+f.Encode())
		},
		"json without error": func(w http.ResponseWriter, f url.Values) {
			writeJSON(w, 400, map[string]string{"assertion": f.Get("client_assertion")})
		},
		"html 500": func(w http.ResponseWriter, f url.Values) {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(500)
			io.WriteString(w, "<title>"+f.Get("client_assertion")+"</title>\n")
		},
		"redirect": func(w http.ResponseWriter, f url.Values) {
			w.Header().Set("Location", "https://idp.example.com/?a="+f.Get("client_assertion"))
			w.Header().Set("WWW-Authenticate", `Bearer error="`+f.Get("client_assertion")+`"`)
			w.WriteHeader(302)
		},
		"401 header": func(w http.ResponseWriter, f url.Values) {
			w.Header().Set("WWW-Authenticate", `Bearer error="invalid_client", assertion="`+f.Get("client_assertion")+`"`)
			w.WriteHeader(401)
		},
		"200 json without token": func(w http.ResponseWriter, f url.Values) {
			writeJSON(w, 200, map[string]string{f.Get("client_assertion"): "x"})
		},
		"200 text": func(w http.ResponseWriter, f url.Values) {
			io.WriteString(w, "access_token="+foreign)
		},
	}
	for name, respond := range cases {
		t.Run(name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				r.ParseForm()
				respond(w, r.PostForm)
			}))
			defer srv.Close()
			b := &builder{}
			_, err := newClient(t, Options{MaxTries: 2}).Exchange(context.Background(), srv.URL, b.build)
			if err == nil {
				t.Fatal("Exchange succeeded")
			}
			texts := append([]string{err.Error()}, Explain(err, Context{TokenURL: srv.URL, Audience: srv.URL})...)
			for _, text := range texts {
				for _, secret := range append(b.sent, foreign, "eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJqdGki") {
					if strings.Contains(text, secret) {
						t.Errorf("%q shows a secret", text)
					}
				}
			}
			if joined := strings.Join(texts, "\n"); !strings.Contains(joined, "redacted") && name != "200 text" {
				t.Errorf("nothing redacted in:\n%s", joined)
			}
		})
	}
}

func TestBackoff(t *testing.T) {
	base := 100 * time.Millisecond
	for try, want := range map[int]time.Duration{1: base, 2: 2 * base, 3: 4 * base, 40: maxBackoff} {
		for range 50 {
			if d := backoff(base, try); d < want/2 || d > want {
				t.Fatalf("backoff(%s, %d) = %s, want in [%s, %s]", base, try, d, want/2, want)
			}
		}
	}
}

func TestRetryAfterParsing(t *testing.T) {
	server := fixedNow.Add(-time.Hour) // the server's own clock is what an HTTP date is measured against
	for h, want := range map[string]time.Duration{
		"":       -1,
		"soon":   -1,
		"-3":     -1,
		" 7 ":    7 * time.Second,
		"999999": 24 * time.Hour,
		server.Add(3 * time.Second).Format(http.TimeFormat):  3 * time.Second,
		server.Add(-3 * time.Second).Format(http.TimeFormat): 0,
	} {
		if got := retryAfter(h, server, fixedNow); got != want {
			t.Errorf("retryAfter(%q) = %s, want %s", h, got, want)
		}
	}
	if got := retryAfter(fixedNow.Add(5*time.Second).Format(http.TimeFormat), time.Time{}, fixedNow); got != 5*time.Second {
		t.Errorf("without a server Date: %s", got)
	}
}
