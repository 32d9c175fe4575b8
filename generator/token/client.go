// Package token posts token requests (RFC 6749 section 4.4, RFC 7523) to a token endpoint,
// retries what is worth retrying, and explains failed exchanges.
//
// It is a library: it prints nothing and never exits. No error it returns holds the assertion,
// a token or another secret form value.
package token

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/postmint/postmint/generator/oauth"
	"github.com/postmint/postmint/internal/boundedread"
)

// Defaults for the zero values of Options.
const (
	DefaultTimeout        = 30 * time.Second
	DefaultConnectTimeout = 10 * time.Second
	DefaultMaxTries       = 3
	DefaultBackoff        = 500 * time.Millisecond
	DefaultUserAgent      = "postmint"
)

const (
	maxBody    = 1 << 20          // bytes of response body read
	maxCAFile  = 4 << 20          // a CA bundle (the system's is about 200 KB)
	maxBackoff = 10 * time.Second // cap of the computed (not server-requested) wait
)

// Options configures a Client. The zero value is usable.
type Options struct {
	Timeout        time.Duration // overall, all tries included; default 30s
	ConnectTimeout time.Duration // TCP connect and TLS handshake; default 10s
	// MaxTries bounds the requests made; only connection errors, 5xx and 429 are retried.
	// Default 3.
	MaxTries int
	// Backoff is the base of the exponential backoff with jitter between tries; default 500ms.
	// A Retry-After header (seconds or HTTP date) replaces it. A wait that would run past the
	// overall timeout is not started: the last error is returned instead.
	Backoff time.Duration
	// CAFile names a PEM file of extra root certificates added to the system pool.
	// TLS verification cannot be turned off.
	CAFile    string
	UserAgent string           // default "postmint"
	Now       func() time.Time // the local clock, for ExpiresAt and the clock-skew check
}

// Client exchanges token requests. It is safe for concurrent use.
type Client struct {
	opt Options
	hc  *http.Client
	// wait sleeps between tries; tests replace it to observe the delays.
	wait func(ctx context.Context, d time.Duration) error
}

// Response is a successful token response.
type Response struct {
	AccessToken  string
	TokenType    string
	ExpiresIn    int64 // seconds; 0 when absent
	Scope        string
	RefreshToken string
	IDToken      string
	Raw          json.RawMessage // the whole JSON body
	ExpiresAt    time.Time       // arrival time + ExpiresIn; zero when ExpiresIn is absent
	Status       int
	Tries        int
	// DPoPNonce is the last DPoP-Nonce the server gave (RFC 9449 §8), to send in the next
	// proof; "" when it gave none.
	DPoPNonce string
}

// Proof makes the DPoP proof (RFC 9449 §5) of one try of a token request, with the server's
// latest nonce ("" when it has given none).
type Proof func(nonce string) (string, error)

// NewClient returns a Client whose transport takes its proxy from the environment
// (HTTPS_PROXY, HTTP_PROXY, NO_PROXY), bounds connecting by ConnectTimeout, speaks TLS 1.2 or
// later and trusts the system roots plus those in CAFile.
func NewClient(opt Options) (*Client, error) {
	if opt.Timeout <= 0 {
		opt.Timeout = DefaultTimeout
	}
	if opt.ConnectTimeout <= 0 {
		opt.ConnectTimeout = DefaultConnectTimeout
	}
	if opt.MaxTries <= 0 {
		opt.MaxTries = DefaultMaxTries
	}
	if opt.Backoff <= 0 {
		opt.Backoff = DefaultBackoff
	}
	if opt.UserAgent == "" {
		opt.UserAgent = DefaultUserAgent
	}
	if opt.Now == nil {
		opt.Now = time.Now
	}

	tlsConf := &tls.Config{MinVersion: tls.VersionTLS12}
	if opt.CAFile != "" {
		pool, err := loadRoots(opt.CAFile)
		if err != nil {
			return nil, err
		}
		tlsConf.RootCAs = pool
	}
	dialer := &net.Dialer{Timeout: opt.ConnectTimeout, KeepAlive: 30 * time.Second}
	transport := &http.Transport{
		Proxy:                 http.ProxyFromEnvironment,
		DialContext:           dialer.DialContext,
		TLSClientConfig:       tlsConf,
		TLSHandshakeTimeout:   opt.ConnectTimeout,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          4,
		IdleConnTimeout:       90 * time.Second,
		ExpectContinueTimeout: time.Second,
	}
	hc := &http.Client{
		Transport: transport,
		// A redirected POST turns into a GET without the form (301, 302, 303), so a redirect is
		// reported rather than followed: the token URL should be the final one.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	return &Client{opt: opt, hc: hc, wait: sleep}, nil
}

func loadRoots(path string) (*x509.CertPool, error) {
	data, err := boundedread.ReadFile(path, maxCAFile)
	if err != nil {
		return nil, fmt.Errorf("reading CA file %s: %w", path, boundedread.Cause(err))
	}
	pool, err := x509.SystemCertPool()
	if err != nil {
		pool = x509.NewCertPool()
	}
	if !pool.AppendCertsFromPEM(data) {
		return nil, fmt.Errorf("CA file %s: %w", path, ErrCAFile)
	}
	return pool, nil
}

// attempt is the outcome of one request.
type attempt struct {
	res       *Response
	err       error
	retry     bool          // worth another try
	after     time.Duration // the server's Retry-After, or -1
	transport bool          // no HTTP answer
	nonce     string        // the server's DPoP-Nonce header
}

// Exchange posts the form built by build to tokenURL and decodes the token response. build is
// called once per try, so every try carries a fresh assertion (a fresh jti).
//
// Errors: *OAuthError for an OAuth error body (any status); *HTTPError for any other
// unexpected answer; ErrInvalidJSON (wrapping an *HTTPError) for a 2xx that is not JSON;
// ErrNoAccessToken for a 2xx without access_token; *TransportError when no answer came
// (ErrTimeout when the overall timeout ran out). Explain turns them into likely causes.
func (c *Client) Exchange(ctx context.Context, tokenURL string, build func() (url.Values, error)) (*Response, error) {
	return c.ExchangeDPoP(ctx, tokenURL, "", build, nil)
}

// ExchangeDPoP is Exchange for DPoP-bound tokens (RFC 9449 §5): every try carries a fresh
// proof from proof, with nonce or the newest nonce the server gave. An answer use_dpop_nonce
// with a DPoP-Nonce header is tried once more at once, with a fresh assertion and that nonce
// (§8), outside MaxTries. A token that is not DPoP-bound is ErrNotBound. proof nil is Exchange.
func (c *Client) ExchangeDPoP(ctx context.Context, tokenURL, nonce string, build func() (url.Values, error), proof Proof) (*Response, error) {
	u, err := url.Parse(tokenURL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("token URL %q: %w", tokenURL, ErrTokenURL)
	}
	if build == nil {
		return nil, ErrNoBuilder
	}
	timeout := c.opt.Timeout
	if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) < timeout {
		timeout = max(time.Until(deadline).Round(time.Millisecond), 0)
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()

	nonceRetried := false
	for try, tries := 1, 1; ; try, tries = try+1, tries+1 {
		form, err := build()
		if err != nil {
			return nil, fmt.Errorf("building token request: %w", err)
		}
		header := ""
		if proof != nil {
			if header, err = proof(nonce); err != nil {
				return nil, fmt.Errorf("making the DPoP proof: %w", err)
			}
		}
		a := c.do(ctx, u, form, header)
		if a.nonce != "" {
			nonce = a.nonce
		}
		if a.err == nil {
			a.res.Tries, a.res.DPoPNonce = tries, nonce
			if proof != nil && !strings.EqualFold(a.res.TokenType, "DPoP") {
				return nil, fmt.Errorf("%w: token_type %q", ErrNotBound, a.res.TokenType)
			}
			return a.res, nil
		}
		var oe *OAuthError
		if proof != nil && !nonceRetried && a.nonce != "" && errors.As(a.err, &oe) && oe.Code == "use_dpop_nonce" {
			nonceRetried = true
			try--
			continue
		}
		if a.transport && ctx.Err() != nil {
			return nil, stopped(ctx, u, tries, timeout)
		}
		if !a.retry || try >= c.opt.MaxTries {
			return nil, final(u, tries, a)
		}
		d := a.after
		if d < 0 {
			d = backoff(c.opt.Backoff, try)
		}
		if deadline, ok := ctx.Deadline(); ok && d >= time.Until(deadline) {
			return nil, final(u, try, a)
		}
		if err := c.wait(ctx, d); err != nil {
			return nil, stopped(ctx, u, tries, timeout)
		}
	}
}

// final sets the try count on the last error and wraps connection errors with the host.
func final(u *url.URL, tries int, a attempt) error {
	if a.transport {
		return &TransportError{Host: u.Host, Tries: tries, Err: a.err}
	}
	var oe *OAuthError
	if errors.As(a.err, &oe) {
		oe.Tries = tries
	}
	var he *HTTPError
	if errors.As(a.err, &he) {
		he.Tries = tries
	}
	return a.err
}

// stopped reports a context that ended: the overall timeout, or the caller's cancellation.
func stopped(ctx context.Context, u *url.URL, tries int, timeout time.Duration) error {
	if errors.Is(ctx.Err(), context.DeadlineExceeded) {
		return &TransportError{Host: u.Host, Tries: tries, Timeout: max(timeout, time.Millisecond), Err: context.DeadlineExceeded}
	}
	return &TransportError{Host: u.Host, Tries: tries, Err: ctx.Err()}
}

func (c *Client) do(ctx context.Context, u *url.URL, form url.Values, dpopProof string) attempt {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), strings.NewReader(form.Encode()))
	if err != nil {
		return attempt{err: fmt.Errorf("creating token request: %w", err), after: -1}
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.opt.UserAgent)
	if dpopProof != "" {
		req.Header.Set("DPoP", dpopProof)
	}

	resp, err := c.hc.Do(req)
	if err != nil {
		// url.Error repeats the method and URL; the host is added once by TransportError.
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return attempt{err: err, transport: true, retry: retryableTransport(err), after: -1}
	}
	defer resp.Body.Close()
	// One byte more than the limit tells a body that is too large from one that fits.
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		return attempt{err: fmt.Errorf("reading token response: %w", err), transport: true, retry: true, after: -1}
	}
	local := c.opt.Now()
	nonce := resp.Header.Get("DPoP-Nonce")
	if nonce != "" {
		// The nonce is stored and sent again: it is checked like every server text.
		if err := oauth.CheckServerText(oauth.FieldDPoPNonce, nonce); err != nil {
			return attempt{err: fmt.Errorf("%w: %w", ErrBadToken, err), after: -1}
		}
	}
	a := interpret(resp, body, local, secretValues(form))
	a.nonce = nonce
	return a
}

// retryableTransport is false for failures another try cannot fix: certificate problems, a
// plain-HTTP server on an https URL, an unknown host.
func retryableTransport(err error) bool {
	var verr *tls.CertificateVerificationError
	var unknown x509.UnknownAuthorityError
	var host x509.HostnameError
	var invalid x509.CertificateInvalidError
	var record tls.RecordHeaderError
	if errors.As(err, &verr) || errors.As(err, &unknown) || errors.As(err, &host) ||
		errors.As(err, &invalid) || errors.As(err, &record) {
		return false
	}
	var dns *net.DNSError
	if errors.As(err, &dns) && dns.IsNotFound {
		return false
	}
	return !strings.Contains(err.Error(), "server gave HTTP response to HTTPS client")
}

func retryableStatus(status int) bool {
	return status == http.StatusTooManyRequests || status >= 500
}

// backoff is base*2^(try-1), capped, with equal jitter: half fixed, half random.
func backoff(base time.Duration, try int) time.Duration {
	d := base
	for i := 1; i < try && d < maxBackoff; i++ {
		d *= 2
	}
	d = min(d, maxBackoff)
	half := d / 2
	return half + rand.N(half+1)
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// HTTP is the client's http.Client (TLS verification on, CA file, proxy, timeouts), for the
// other requests postmint makes to the same server, such as reading its metadata.
func (c *Client) HTTP() *http.Client { return c.hc }
