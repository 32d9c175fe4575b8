package token

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Sentinel errors returned (wrapped) by NewClient and Exchange. Test for them with errors.Is.
var (
	// ErrNoAccessToken means the token endpoint answered 2xx with JSON that has no access_token.
	ErrNoAccessToken = errors.New("token response has no access_token")
	// ErrNotBound means a DPoP proof was sent but the token that came back is not DPoP-bound
	// (RFC 9449 §5: a server that does not bind tokens to this client answers Bearer).
	ErrNotBound = errors.New("the token endpoint ignored the DPoP proof and issued a token that is not DPoP-bound; register the client for DPoP-bound tokens (e.g. dpop_bound_access_tokens) or set dpop: false")
	// ErrInvalidJSON means the token endpoint answered 2xx with a body that is not a JSON object.
	// The error also wraps an *HTTPError describing the body.
	ErrInvalidJSON = errors.New("token response is not JSON")
	// ErrTimeout means the overall Options.Timeout ran out before a usable answer arrived.
	// The error is a *TransportError.
	ErrTimeout = errors.New("token request timed out")
	// ErrTokenURL means the token URL is not an absolute http or https URL.
	ErrTokenURL = errors.New("token URL must be an absolute http(s) URL")
	// ErrCAFile means the CA file holds no PEM certificate.
	ErrCAFile = errors.New("no PEM certificate found")
	// ErrNoBuilder means Exchange was called without a form builder.
	ErrNoBuilder = errors.New("no token request builder")
	// ErrTooLarge means the token endpoint answered 2xx with a body over 1 MiB, more than any
	// token response needs; the body is not read further.
	ErrTooLarge = errors.New("token response is too large")
	// ErrBadToken means a 2xx token response's access_token (or refresh_token) is not a string
	// of visible ASCII (RFC 6749 appendix A.12 and A.17): it is refused rather than printed or
	// stored, since a CR, LF or escape in it would end up in a header, a file or a terminal.
	ErrBadToken = errors.New("token response is not usable")
)

// OAuthError is a token endpoint's OAuth error answer (RFC 6749 section 5.2): a JSON body with
// an "error" member, whatever the HTTP status. Server-supplied text is kept on one line, trimmed,
// and scrubbed of anything that looks like the assertion or another token.
type OAuthError struct {
	Status      int    // HTTP status
	Code        string // "error", e.g. invalid_client
	Description string // "error_description"
	URI         string // "error_uri"
	// ServerDate is the response's Date header (zero when absent); LocalTime is this machine's
	// clock (Options.Now) when the response arrived. Explain compares them for clock skew.
	ServerDate time.Time
	LocalTime  time.Time
	Tries      int // requests made, including this one
}

func (e *OAuthError) Error() string {
	s := fmt.Sprintf("token endpoint returned %s (HTTP %d)", e.Code, e.Status)
	if e.Description != "" {
		s += ": " + e.Description
	}
	return s
}

// HTTPError is a token endpoint answer that is not an OAuth error: an HTML page, plain text, an
// empty body, JSON without "error", or a redirect. It never holds the whole body.
type HTTPError struct {
	Status      int
	ContentType string
	// FirstLine is the body's first non-blank line, trimmed to 120 characters. It is left empty
	// for a 2xx answer that is not HTML, since such a body may hold a token.
	FirstLine string
	Title     string // the <title> of an HTML body
	HTML      bool   // the body is HTML (by Content-Type or by its first character)
	Length    int    // bytes of body read
	Location  string // Location header of a redirect (redirects are not followed)
	// Authenticate is the WWW-Authenticate header (trimmed), which some servers use instead of a
	// JSON body on 401.
	Authenticate string
	ServerDate   time.Time
	LocalTime    time.Time
	Tries        int
}

func (e *HTTPError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "token endpoint returned HTTP %d", e.Status)
	if t := http.StatusText(e.Status); t != "" {
		b.WriteString(" " + t)
	}
	var detail []string
	if e.ContentType != "" {
		detail = append(detail, e.ContentType)
	}
	if e.Length == 0 {
		detail = append(detail, "empty body")
	} else {
		detail = append(detail, fmt.Sprintf("%d bytes", e.Length))
	}
	fmt.Fprintf(&b, " (%s)", strings.Join(detail, ", "))
	switch {
	case e.Location != "":
		b.WriteString(": redirect to " + e.Location)
	case e.Title != "":
		fmt.Fprintf(&b, ": HTML page %q", e.Title)
	case e.FirstLine != "":
		b.WriteString(": " + e.FirstLine)
	}
	return b.String()
}

// TransportError is a token request that got no usable HTTP answer: the connection was refused,
// reset, or failed TLS verification, or the overall timeout ran out.
type TransportError struct {
	Host    string        // host[:port] of the token URL
	Tries   int           // requests attempted
	Timeout time.Duration // the overall timeout when it ran out, else 0
	Err     error         // the last underlying error
}

func (e *TransportError) Error() string {
	if e.Timeout > 0 {
		return fmt.Sprintf("token endpoint %s: timed out after %s, after %s: %v", e.Host, e.Timeout, triesText(e.Tries), e.Err)
	}
	return fmt.Sprintf("token endpoint %s: after %s: %v", e.Host, triesText(e.Tries), e.Err)
}

func (e *TransportError) Unwrap() error { return e.Err }

// Is reports ErrTimeout for a timeout.
func (e *TransportError) Is(target error) bool { return target == ErrTimeout && e.Timeout > 0 }

func triesText(n int) string {
	if n == 1 {
		return "1 try"
	}
	return fmt.Sprintf("%d tries", n)
}
