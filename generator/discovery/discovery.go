// Package discovery reads an authorization server's metadata (OpenID Connect Discovery 1.0
// section 4, RFC 8414 section 3) and checks a client definition against it.
package discovery

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/postmint/postmint/generator/oauth"
)

// Metadata is the part of the server's metadata postmint uses.
type Metadata struct {
	Issuer                       string   `json:"issuer"`
	TokenEndpoint                string   `json:"token_endpoint"`
	AuthorizationEndpoint        string   `json:"authorization_endpoint"`
	JWKSURI                      string   `json:"jwks_uri"`
	TokenEndpointAuthMethods     []string `json:"token_endpoint_auth_methods_supported"`
	TokenEndpointAuthSigningAlgs []string `json:"token_endpoint_auth_signing_alg_values_supported"`
	GrantTypes                   []string `json:"grant_types_supported"`
	// PAREndpoint is RFC 9126 §5's pushed_authorization_request_endpoint; DPoPAlgs is RFC
	// 9449 §5.1's dpop_signing_alg_values_supported.
	PAREndpoint string   `json:"pushed_authorization_request_endpoint"`
	DPoPAlgs    []string `json:"dpop_signing_alg_values_supported"`
	// URL is where the metadata was read; Date is the server's Date header (zero when absent).
	URL  string    `json:"-"`
	Date time.Time `json:"-"`
}

// ErrNoMetadata is returned when neither well-known document answers with metadata.
var ErrNoMetadata = errors.New("no authorization server metadata")

// WellKnown lists the metadata URLs tried for an issuer, in order: OIDC Discovery (issuer +
// /.well-known/openid-configuration), then RFC 8414 (the well-known segment inserted
// before the issuer's path).
func WellKnown(issuer string) []string {
	iss := strings.TrimRight(issuer, "/")
	urls := []string{iss + "/.well-known/openid-configuration"}
	if i := strings.Index(iss, "://"); i >= 0 {
		rest := iss[i+3:]
		host, path, _ := strings.Cut(rest, "/")
		rfc := iss[:i+3] + host + "/.well-known/oauth-authorization-server"
		if path != "" {
			rfc += "/" + path
		}
		urls = append(urls, rfc)
	}
	return urls
}

// ErrIssuerMismatch is returned when the metadata names another issuer than the one asked
// for. OpenID Connect Discovery 1.0 section 4.3 and RFC 8414 section 3.3 say such metadata
// MUST NOT be used: its token_endpoint could send the client's assertion anywhere.
var ErrIssuerMismatch = errors.New("authorization server metadata names another issuer")

// Fetch reads the metadata of issuer with client (which sets TLS and timeouts). Metadata whose
// issuer is not issuer (a trailing slash aside) is refused with ErrIssuerMismatch.
func Fetch(ctx context.Context, client *http.Client, issuer string) (*Metadata, error) {
	var errs []string
	mismatch := false
	for _, u := range WellKnown(issuer) {
		m, err := fetchOne(ctx, client, u)
		if err == nil && !SameIssuer(m.Issuer, issuer) {
			mismatch = true
			err = fmt.Errorf("GET %s: the metadata is for issuer %q, not %q", u, m.Issuer, issuer)
		}
		if err == nil {
			return m, nil
		}
		errs = append(errs, err.Error())
		if ctx.Err() != nil {
			break
		}
	}
	if mismatch {
		return nil, fmt.Errorf("%w (refused, as OpenID Connect Discovery 4.3 and RFC 8414 3.3 require): %s", ErrIssuerMismatch, strings.Join(errs, "; "))
	}
	return nil, fmt.Errorf("%w for %s: %s", ErrNoMetadata, issuer, strings.Join(errs, "; "))
}

// SameIssuer reports whether the metadata's issuer is the configured one. The specifications
// ask for identical strings; a trailing slash is forgiven because postmint builds the
// well-known URLs without it, so both spellings reach the same document.
func SameIssuer(metadata, configured string) bool {
	return strings.TrimRight(metadata, "/") == strings.TrimRight(configured, "/")
}

func fetchOne(ctx context.Context, client *http.Client, u string) (*Metadata, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", u, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("GET %s: %w", u, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("GET %s: HTTP %d", u, resp.StatusCode)
	}
	var m Metadata
	if err := json.Unmarshal(body, &m); err != nil || m.Issuer == "" {
		return nil, fmt.Errorf("GET %s: not a metadata document", u)
	}
	// These become environment variables, where Postman would expand a {{...}} in them. In a
	// fixed order, so that the first refusal is the same on every run.
	for _, e := range [...]struct{ name, v string }{
		{oauth.FieldTokenEndpoint, m.TokenEndpoint},
		{oauth.FieldAuthorizationEndpoint, m.AuthorizationEndpoint},
		{oauth.FieldPAREndpoint, m.PAREndpoint},
	} {
		if err := oauth.CheckServerText(e.name, e.v); e.v != "" && err != nil {
			return nil, fmt.Errorf("GET %s: not used: %w", u, err)
		}
	}
	m.URL = u
	if d, err := http.ParseTime(resp.Header.Get("Date")); err == nil {
		m.Date = d
	}
	return &m, nil
}

// Expectation is what a definition needs from the server.
type Expectation struct {
	Issuer     string
	TokenURL   string
	AuthMethod string // "private_key_jwt" for client assertions; "" for the JWT grant
	Alg        string
	GrantType  string // wire value, e.g. client_credentials or urn:ietf:params:oauth:grant-type:jwt-bearer
	DPoPAlg    string // the DPoP proof alg; "" for bearer tokens
	PAR        bool   // the client pushes its authorization requests
}

// Metadata members whose absence makes a DPoP or PAR client unusable: generate refuses to
// write such a client when it read the metadata.
const (
	FieldPAREndpoint = "pushed_authorization_request_endpoint"
	FieldDPoPAlgs    = "dpop_signing_alg_values_supported"
)

// Finding is one way the metadata disagrees with a definition.
type Finding struct {
	Field string // the metadata member compared: issuer, token_endpoint, token_endpoint_auth_methods_supported, ...
	Msg   string
	// Refused is true when the server will refuse the client for it (an authentication method
	// or algorithm it does not list), false when it only may (another token URL, a grant it
	// does not list).
	Refused bool
}

func (f Finding) String() string { return f.Msg }

// Unusable is the first finding that makes the client unusable with this server (no PAR
// endpoint for a PAR client, no DPoP algs for a DPoP client), if there is one: generate refuses
// to write such a client, as its collection could never get a token.
func Unusable(m *Metadata, e Expectation) (Finding, bool) {
	for _, f := range Check(m, e) {
		if f.Field == FieldPAREndpoint || f.Field == FieldDPoPAlgs {
			return f, true
		}
	}
	return Finding{}, false
}

// Check compares a definition's needs with the metadata and returns one finding per mismatch.
// Lists the server leaves out are not held against the definition.
func Check(m *Metadata, e Expectation) []Finding {
	var out []Finding
	if e.Issuer != "" && strings.TrimRight(m.Issuer, "/") != strings.TrimRight(e.Issuer, "/") {
		out = append(out, Finding{"issuer", fmt.Sprintf("issuer %s differs from the metadata's issuer %s", e.Issuer, m.Issuer), false})
	}
	if e.TokenURL != "" && m.TokenEndpoint != "" && e.TokenURL != m.TokenEndpoint {
		out = append(out, Finding{"token_endpoint", fmt.Sprintf("token_url %s differs from the metadata's token_endpoint %s", e.TokenURL, m.TokenEndpoint), false})
	}
	if e.AuthMethod != "" && len(m.TokenEndpointAuthMethods) > 0 && !slices.Contains(m.TokenEndpointAuthMethods, e.AuthMethod) {
		out = append(out, Finding{"token_endpoint_auth_methods_supported", fmt.Sprintf("the server does not list %s in token_endpoint_auth_methods_supported (%s)", e.AuthMethod, strings.Join(m.TokenEndpointAuthMethods, " ")), true})
	}
	if e.Alg != "" && len(m.TokenEndpointAuthSigningAlgs) > 0 && !slices.Contains(m.TokenEndpointAuthSigningAlgs, e.Alg) {
		out = append(out, Finding{"token_endpoint_auth_signing_alg_values_supported", fmt.Sprintf("the server does not list alg %s in token_endpoint_auth_signing_alg_values_supported (%s)", e.Alg, strings.Join(m.TokenEndpointAuthSigningAlgs, " ")), true})
	}
	if e.GrantType != "" && len(m.GrantTypes) > 0 && !slices.Contains(m.GrantTypes, e.GrantType) {
		out = append(out, Finding{"grant_types_supported", fmt.Sprintf("the server does not list grant %s in grant_types_supported (%s)", e.GrantType, strings.Join(m.GrantTypes, " ")), false})
	}
	if e.PAR && m.PAREndpoint == "" {
		out = append(out, Finding{FieldPAREndpoint, "the server's metadata names no pushed_authorization_request_endpoint: it does not take pushed authorization requests (RFC 9126); set par: false or ask the provider", true})
	}
	switch {
	case e.DPoPAlg == "":
	case len(m.DPoPAlgs) == 0:
		out = append(out, Finding{FieldDPoPAlgs, "the server's metadata lists no dpop_signing_alg_values_supported: it does not say it accepts DPoP proofs (RFC 9449 §5.1); set dpop: false or ask the provider", true})
	case !slices.Contains(m.DPoPAlgs, e.DPoPAlg):
		out = append(out, Finding{FieldDPoPAlgs, fmt.Sprintf("the server does not list dpop_alg %s in dpop_signing_alg_values_supported (%s)", e.DPoPAlg, strings.Join(m.DPoPAlgs, " ")), true})
	}
	return out
}
