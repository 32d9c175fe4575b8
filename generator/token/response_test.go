package token

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/postmint/postmint/generator/oauth"
)

// TestHostileTokenResponses: a 2xx token response whose access_token (or refresh_token) is not
// visible ASCII, is not a string, or whose body is over 1 MiB is refused with an error that
// says so and never holds the token.
func TestHostileTokenResponses(t *testing.T) {
	huge := `{"access_token": "ok-token", "pad": "` + strings.Repeat("x", maxBody) + `"}`
	cases := []struct {
		name, body string
		want       error
		msg        string
	}{
		{"CR LF", `{"access_token": "secret-part\r\nX-Injected: 1", "token_type": "Bearer"}`, ErrBadToken, "the server's access_token is not RFC 6750 b64token"},
		{"escape", `{"access_token": "secret-part\u001b]0;owned\u0007"}`, ErrBadToken, "access_token is not RFC 6750 b64token"},
		{"non-ASCII", `{"access_token": "secret-partä"}`, ErrBadToken, "access_token is not RFC 6750 b64token"},
		{"template access token", `{"access_token": "{{privateKey}}", "token_type": "Bearer"}`, ErrBadToken, "access_token is not RFC 6750 b64token"},
		{"template refresh token", `{"access_token": "good", "refresh_token": "{{privateKey}}"}`, ErrBadToken, "refresh_token holds {{, which Postman would expand"},
		{"template token type", `{"access_token": "good", "token_type": "{{dpopKey}}"}`, ErrBadToken, "token_type is not RFC 6749 type-name"},
		{"number", `{"access_token": 12345678901234}`, ErrBadToken, "access_token is not a string (it is a number)"},
		{"object", `{"access_token": {"secret-part": 1}}`, ErrBadToken, "access_token is not a string (it is an object)"},
		{"boolean", `{"access_token": true}`, ErrBadToken, "access_token is not a string (it is a boolean)"},
		{"refresh token LF", `{"access_token": "good", "refresh_token": "secret-part\n"}`, ErrBadToken, "refresh_token is not RFC 6749 VSCHAR"},
		{"over 1 MiB", huge, ErrTooLarge, "token response is too large (HTTP 200, over 1048576 bytes)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				io.WriteString(w, tc.body)
			}))
			defer srv.Close()
			b := &builder{}
			res, err := newClient(t, Options{}).Exchange(context.Background(), srv.URL, b.build)
			if res != nil || !errors.Is(err, tc.want) {
				t.Fatalf("res = %v, err = %v, want %v", res, err, tc.want)
			}
			if !strings.Contains(err.Error(), tc.msg) || errors.Is(err, ErrInvalidJSON) {
				t.Errorf("err = %q, want %q", err, tc.msg)
			}
			if strings.Contains(err.Error(), "secret-part") || strings.Contains(err.Error(), "\n") {
				t.Errorf("err shows the token or spans lines: %q", err)
			}
			if b.count() != 1 {
				t.Errorf("retried a 200: %d builds", b.count())
			}
		})
	}
}

// TestVisibleASCIITokenAccepted: every character RFC 6750's b64token allows passes in an
// access_token, every character RFC 6749 allows (space and single braces included) in a
// refresh_token, and an error page over 1 MiB is still reported by its status, not as a too
// large token response.
func TestVisibleASCIITokenAccepted(t *testing.T) {
	var all strings.Builder
	for c := byte(0x20); c <= 0x7e; c++ {
		all.WriteByte(c)
	}
	refresh := all.String()
	tok := "ABCXYZabcxyz0189-._~+/=="
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/big-error" {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(502)
			io.WriteString(w, "<title>Bad gateway</title>"+strings.Repeat("x", maxBody+10))
			return
		}
		writeJSON(w, 200, map[string]any{"access_token": tok, "refresh_token": refresh, "token_type": "Bearer"})
	}))
	defer srv.Close()
	res, err := newClient(t, Options{}).Exchange(context.Background(), srv.URL, (&builder{}).build)
	if err != nil || res.AccessToken != tok || res.RefreshToken != refresh {
		t.Fatalf("res = %+v, err = %v", res, err)
	}
	_, err = newClient(t, Options{MaxTries: 1}).Exchange(context.Background(), srv.URL+"/big-error", (&builder{}).build)
	var he *HTTPError
	if !errors.As(err, &he) || he.Status != 502 || he.Title != "Bad gateway" || errors.Is(err, ErrTooLarge) {
		t.Errorf("err = %v", err)
	}
}

// expires_in is clamped: 1e10 seconds overflowed time.Duration (an expiry in 1816), a negative
// or unreadable one counts as none.
func TestExpiresInClamped(t *testing.T) {
	for _, tc := range []struct {
		raw  string
		want int64
	}{{"1e10", oauth.MaxExpiresIn}, {"1e300", oauth.MaxExpiresIn}, {`"3600"`, 3600}, {"-5", 0}, {`"soon"`, 0}, {"300.9", 300}} {
		obj := map[string]json.RawMessage{"expires_in": json.RawMessage(tc.raw)}
		if got := intMember(obj, "expires_in"); got != tc.want {
			t.Errorf("expires_in %s: %d, want %d", tc.raw, got, tc.want)
		}
	}
	now := time.Unix(1_700_000_000, 0)
	r := tokenResponse(map[string]json.RawMessage{"access_token": json.RawMessage(`"t"`), "expires_in": json.RawMessage("1e10")}, nil, 200, now)
	if !r.ExpiresAt.Equal(now.Add(oauth.MaxExpiresIn * time.Second)) {
		t.Errorf("ExpiresAt %v", r.ExpiresAt)
	}
}
