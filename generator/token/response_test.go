package token

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
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
		{"CR LF", `{"access_token": "secret-part\r\nX-Injected: 1", "token_type": "Bearer"}`, ErrBadToken, "access_token holds a byte that is not visible ASCII (0x0d at byte 11 of 26)"},
		{"escape", `{"access_token": "secret-part\u001b]0;owned\u0007"}`, ErrBadToken, "0x1b at byte 11"},
		{"non-ASCII", `{"access_token": "secret-partä"}`, ErrBadToken, "0xc3 at byte 11"},
		{"number", `{"access_token": 12345678901234}`, ErrBadToken, "access_token is not a string (it is a number)"},
		{"object", `{"access_token": {"secret-part": 1}}`, ErrBadToken, "access_token is not a string (it is an object)"},
		{"boolean", `{"access_token": true}`, ErrBadToken, "access_token is not a string (it is a boolean)"},
		{"refresh token LF", `{"access_token": "good", "refresh_token": "secret-part\n"}`, ErrBadToken, "refresh_token holds a byte"},
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

// TestVisibleASCIITokenAccepted: every character RFC 6749 allows (space included) passes, and
// an error page over 1 MiB is still reported by its status, not as a too large token response.
func TestVisibleASCIITokenAccepted(t *testing.T) {
	var all strings.Builder
	for c := byte(0x20); c <= 0x7e; c++ {
		all.WriteByte(c)
	}
	tok := all.String()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/big-error" {
			w.Header().Set("Content-Type", "text/html")
			w.WriteHeader(502)
			io.WriteString(w, "<title>Bad gateway</title>"+strings.Repeat("x", maxBody+10))
			return
		}
		writeJSON(w, 200, map[string]any{"access_token": tok, "refresh_token": "r-1", "token_type": "Bearer"})
	}))
	defer srv.Close()
	res, err := newClient(t, Options{}).Exchange(context.Background(), srv.URL, (&builder{}).build)
	if err != nil || res.AccessToken != tok || res.RefreshToken != "r-1" {
		t.Fatalf("res = %+v, err = %v", res, err)
	}
	_, err = newClient(t, Options{MaxTries: 1}).Exchange(context.Background(), srv.URL+"/big-error", (&builder{}).build)
	var he *HTTPError
	if !errors.As(err, &he) || he.Status != 502 || he.Title != "Bad gateway" || errors.Is(err, ErrTooLarge) {
		t.Errorf("err = %v", err)
	}
}
