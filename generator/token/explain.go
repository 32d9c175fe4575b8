package token

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/url"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/postmint/postmint/generator/oauth"
)

// maxSkew is the clock difference beyond which Explain blames the clock.
const maxSkew = 10 * time.Second

// Context is what Explain knows about the failed request.
type Context struct {
	Provider     string // preset name, e.g. "duende", "maskinporten"; "" when none
	TokenURL     string
	Issuer       string
	Audience     string // aud used
	AudienceRule string // "token_endpoint" | "issuer" | "issuer_slash" | "fixed"; "" to infer
	// AudienceFromPreset is true when the audience is the preset's own rule (not a definition's
	// override): a provider that documents one audience then gets no alternatives suggested.
	AudienceFromPreset bool
	Alg, Kid           string
	Thumbprint         string // RFC 7638 thumbprint of the public key
	ClientID           string
	GrantType          string // "client_credentials" | "jwt_bearer" | "authorization_code" | "refresh_token"
	SentClientID       bool
	Scope              string        // scope requested, "" when none
	ScopeIn            string        // where scope was sent: "form", "claim" or "both"; "" when unknown
	Lifetime           time.Duration // assertion lifetime (exp - iat), 0 when unknown
	Algs               []string      // the algorithms the preset documents; nil without a preset
	DPoPAlg            string        // alg of the DPoP proofs; "" for bearer tokens
}

// Audience rules.
const (
	RuleTokenEndpoint = "token_endpoint"
	RuleIssuer        = "issuer"
	RuleIssuerSlash   = "issuer_slash"
	RuleFixed         = "fixed"
)

// hint is one line of explanation with the topic it is about.
type hint struct{ topic, text string }

// Explain returns the likely causes of a failed Exchange, one short line each, most likely
// first: what the server's error_description names (serverWords: the audience, alg, kid or
// registered method it expects, with its value), then the generic hints on topics the
// description mentions, the provider's own hints (providerHints), and the rest. A clock skew of more than 10 s between the server's Date
// header and the local clock is reported first where the clock can cause the error, else last.
// It returns nil for nil.
func Explain(err error, c Context) []string {
	if err == nil {
		return nil
	}
	var lines []string
	var oe *OAuthError
	var he *HTTPError
	var te *TransportError
	switch {
	case errors.As(err, &oe):
		// The server's own words decide the order: hints on a topic its description names come
		// first, then the provider's, then the rest.
		first, rest := byDescription(oauthHints(oe, c), oe.Description)
		for _, h := range first {
			lines = append(lines, h.text)
		}
		lines = append(lines, hintsFor(c.Provider, oe.Code)...)
		for _, h := range rest {
			lines = append(lines, h.text)
		}
		lines = withSkew(lines, skewLine(oe.ServerDate, oe.LocalTime), !slices.Contains(clockFreeCodes, oe.Code))
		// What the server named (an audience, an alg, a kid, the registered method) leads,
		// with the value it named.
		lines = append(named(oe.Description, c), lines...)
	case errors.As(err, &he):
		lines = append(lines, httpHints(he, c, errors.Is(err, ErrInvalidJSON))...)
		lines = withSkew(lines, skewLine(he.ServerDate, he.LocalTime), he.Status == 400 || he.Status == 401)
	case errors.Is(err, ErrNoAccessToken):
		lines = append(lines,
			fmt.Sprintf("a success answer without access_token: %s is probably another endpoint (userinfo, introspection, discovery); use token_endpoint from %s", orUnknown(c.TokenURL), discoveryURL(c)))
	case errors.As(err, &te):
		lines = append(lines, transportHints(te, c)...)
	}
	return compact(lines)
}

// named returns the lines built from the server's own words (serverWords), in their order.
func named(description string, c Context) []string {
	d := strings.TrimSpace(description)
	for _, b := range boilerplate {
		d = strings.TrimSpace(strings.TrimPrefix(d, b))
	}
	var lines []string
	for _, w := range serverWords {
		if m := w.pattern.FindStringSubmatch(d); m != nil {
			lines = append(lines, w.line(m, c))
		}
	}
	return lines
}

// clockFreeCodes are OAuth errors that an assertion's timing cannot cause: a clock skew is
// still reported for them, but last.
var clockFreeCodes = []string{
	"invalid_scope", "unauthorized_client", "unsupported_grant_type", "access_denied",
	"server_error", "temporarily_unavailable",
}

// withSkew places the clock skew line first when the clock can cause the error, else last.
func withSkew(lines []string, skew string, first bool) []string {
	switch {
	case skew == "":
		return lines
	case first:
		return append([]string{skew}, lines...)
	}
	return append(lines, skew)
}

// hintsFor returns the provider's lines for the code, then its parent's, then those for every
// code.
func hintsFor(provider, code string) []string {
	p := strings.ToLower(strings.TrimSpace(provider))
	var specific, general []string
	for range 4 { // parents form a short chain; the bound guards against a cycle in the data
		specific = append(specific, providerHints[p][code]...)
		general = append(general, providerHints[p]["*"]...)
		parent, ok := providerParents[p]
		if !ok {
			break
		}
		p = parent
	}
	return append(specific, general...)
}

// skewLine compares the server's Date header with the local clock at arrival.
func skewLine(server, local time.Time) string {
	if server.IsZero() || local.IsZero() {
		return ""
	}
	d := server.Sub(local)
	if d.Abs() <= maxSkew {
		return ""
	}
	secs := int64(math.Round(d.Abs().Seconds()))
	if d > 0 {
		return fmt.Sprintf("clock skew: the server's clock (Date header) is %d s ahead of this machine's, so the assertion may look expired: sync the clock (NTP)", secs)
	}
	return fmt.Sprintf("clock skew: the server's clock (Date header) is %d s behind this machine's, so iat may look in the future: sync the clock (NTP)", secs)
}

// byDescription splits the hints into those whose topic the description mentions and the
// rest, keeping their order. The standard wording many servers put before their own (RFC 6749
// §5.2 paraphrased, see boilerplate) is dropped first: "unknown client" in it says nothing.
func byDescription(hints []hint, description string) (first, rest []hint) {
	text := " " + normalize(description) + " "
	for _, b := range boilerplate {
		text = strings.ReplaceAll(text, " "+normalize(b)+" ", " ")
	}
	mentioned := func(topic string) bool {
		for _, w := range descriptionTopics[topic] {
			if strings.Contains(text, " "+w+" ") {
				return true
			}
		}
		return false
	}
	for _, h := range hints {
		if h.topic != "" && mentioned(h.topic) {
			first = append(first, h)
		} else {
			rest = append(rest, h)
		}
	}
	return first, rest
}

// normalize lowercases s and turns everything but letters, digits and '_' into single spaces.
func normalize(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9', r == '_':
			return r
		case r >= 'A' && r <= 'Z':
			return r + ('a' - 'A')
		}
		return ' '
	}, s)
	return strings.Join(strings.Fields(s), " ")
}

func oauthHints(oe *OAuthError, c Context) []hint {
	switch oe.Code {
	case "invalid_client":
		return []hint{
			audienceHint(c, false),
			keyHint(c),
			algKidHint(c),
			clientIDHint(c),
			{"client", "the client may be registered for another authentication method (a client secret): it must allow private_key_jwt"},
		}
	case "invalid_grant":
		return invalidGrantHints(c)
	case "invalid_scope":
		hs := []hint{scopeHint(c), {"scope", "scope names are case-sensitive and separated by single spaces"}}
		if h := scopePlacementHint(c); h.text != "" {
			hs = append(hs, h)
		}
		return hs
	case "unauthorized_client":
		return []hint{
			{"", fmt.Sprintf("grant %s is not enabled for client %s: allow it in the client's registration", grantText(c.GrantType), quoteOr(c.ClientID, "(unknown)"))},
			{"client", "the client may not be allowed to authenticate with private_key_jwt (signed JWT)"},
		}
	case "unsupported_grant_type":
		return []hint{
			{"", fmt.Sprintf("the server does not accept grant %s here: it does not support it, or it is not enabled for client %s", grantText(c.GrantType), quoteOr(c.ClientID, "(unknown)"))},
			{"", fmt.Sprintf("check %s is the token endpoint of the server that has the client", orUnknown(c.TokenURL))},
		}
	case "invalid_request":
		return invalidRequestHints(c)
	case "invalid_dpop_proof":
		return []hint{
			{"dpop", fmt.Sprintf("the DPoP proof was refused (RFC 9449 §4.3): it must be a fresh dpop+jwt signed with %s by the key in its jwk header, with htm POST and htu the token URL %s without query", orUnknown(c.DPoPAlg), orUnknown(c.TokenURL))},
			{"dpop", "iat must be close to the server's clock (check this machine's time) and jti must be new for every request"},
			{"dpop", "the server may not accept dpop_alg " + orUnknown(c.DPoPAlg) + ": compare its dpop_signing_alg_values_supported (postmint doctor)"},
		}
	case "use_dpop_nonce":
		return []hint{{"dpop", "the server demands a DPoP nonce (RFC 9449 §8) and did not accept the one retry made with its DPoP-Nonce: its nonces may expire too fast, or it sent none"}}
	case "access_denied":
		return []hint{{"scope", "the client is not allowed what it asked for (scope, audience or resource): the server's admin must grant access"}}
	case "server_error", "temporarily_unavailable":
		return []hint{{"", fmt.Sprintf("the server failed (%s) on %s: a server-side problem; try later or ask its operators", oe.Code, triesText(max(oe.Tries, 1)))}}
	}
	return []hint{{"", fmt.Sprintf("%q is not a standard token error: the server's error_description and documentation are the guide", oe.Code)}}
}

func invalidGrantHints(c Context) []hint {
	switch c.GrantType {
	case "authorization_code":
		return []hint{
			{"code", "the authorization code expired (often within 30-60 s) or was already used: get a new one"},
			{"redirect", "redirect_uri must equal the one of the authorization request, character for character"},
			{"pkce", "PKCE: code_verifier must be the one whose code_challenge the authorization request sent"},
			{"client", fmt.Sprintf("the code may have been issued to another client than %s", quoteOr(c.ClientID, "this one"))},
		}
	case "refresh_token":
		return []hint{
			{"lifetime", "the refresh token expired, was revoked, or was already used (rotation): sign in again"},
			{"client", fmt.Sprintf("the refresh token may have been issued to another client than %s", quoteOr(c.ClientID, "this one"))},
		}
	}
	hs := []hint{
		audienceHint(c, true),
		lifetimeHint(c),
		{"jti", "jti: an assertion is good for one request: send a freshly minted one, never a cached clientAssertion"},
		kidX5cHint(c),
	}
	if c.GrantType == "jwt_bearer" {
		hs = append(hs, hint{"client", "sub: with jwt_bearer it names whom the token is for; the client must be allowed to act for that subject"})
	}
	return hs
}

func invalidRequestHints(c Context) []hint {
	// Key problems come back as invalid_request from some servers (Ory Hydra: "Unable to find
	// RSA public key with use='sig' for kid ...", "... uses signing key with kid 'x', which
	// could not be found"); these lead when the description names a key or kid.
	hs := []hint{algKidHint(c), keyHint(c)}
	switch c.GrantType {
	case "jwt_bearer":
		// Some servers answer a refused JWT-grant assertion with invalid_request (zitadel/oidc:
		// "assertion invalid"), so every claim is a suspect, the audience first.
		hs = append(hs, audienceHint(c, false), lifetimeHint(c),
			hint{"", "the form needs grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer and assertion; check nothing is missing, repeated or empty"})
	case "authorization_code":
		hs = append(hs, hint{"", "the form needs grant_type=authorization_code, code, redirect_uri (and code_verifier with PKCE); check nothing is missing or repeated"})
	default:
		hs = append(hs, hint{"", "the form needs grant_type, client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer and client_assertion; check nothing is missing or repeated"})
	}
	if c.SentClientID {
		hs = append(hs, hint{"client", "client_id was sent beside the assertion: some servers reject that, try send_client_id: false"})
	} else {
		hs = append(hs, hint{"client", "client_id was not sent: the server may need the client identified in the form (a public client on the JWT grant, for one): try send_client_id: true"})
	}
	hs = append(hs, hint{"alg", fmt.Sprintf("the assertion may be malformed for this server: check its typ header, alg %s and extra claims or form fields", orUnknown(c.Alg))})
	return hs
}

// audienceHint shows the aud used and the concrete alternative audiences. trailingFirst puts
// the slash variant of the issuer first, the usual fix for an invalid_grant.
func audienceHint(c Context, trailingFirst bool) hint {
	issuer, guessed := c.Issuer, false
	if issuer == "" {
		issuer, guessed = guessIssuer(c.TokenURL), true
	}
	base := strings.TrimRight(issuer, "/")
	urls := map[string]string{RuleTokenEndpoint: c.TokenURL}
	if base != "" {
		urls[RuleIssuer] = base
		urls[RuleIssuerSlash] = base + "/"
	}
	rule := c.AudienceRule
	if rule == "" {
		rule = RuleFixed
		for _, r := range []string{RuleTokenEndpoint, RuleIssuer, RuleIssuerSlash} {
			if urls[r] != "" && urls[r] == c.Audience {
				rule = r
				break
			}
		}
	}
	var order []string
	switch {
	case trailingFirst:
		order = []string{RuleIssuerSlash, RuleIssuer, RuleTokenEndpoint}
	case rule == RuleTokenEndpoint:
		order = []string{RuleIssuer, RuleIssuerSlash}
	case rule == RuleIssuer:
		order = []string{RuleTokenEndpoint, RuleIssuerSlash}
	case rule == RuleIssuerSlash:
		order = []string{RuleIssuer, RuleTokenEndpoint}
	default:
		order = []string{RuleTokenEndpoint, RuleIssuer, RuleIssuerSlash}
	}
	var alts []string
	for _, r := range order {
		if u := urls[r]; u != "" && u != c.Audience && !slices.Contains(alts, u) {
			alts = append(alts, u)
		}
	}
	if c.Audience == "" {
		return hint{"audience", "aud: check the assertion's audience is what the server expects (its token endpoint or its issuer)"}
	}
	used := fmt.Sprintf("aud was %q (%s)", c.Audience, ruleText(rule))
	if singleAudience[strings.ToLower(strings.TrimSpace(c.Provider))] && c.AudienceFromPreset {
		// The provider documents one audience: naming others would send the user astray.
		return hint{"audience", fmt.Sprintf("%s, the only audience %s accepts: check the URL is exactly the one the provider gives (scheme, host, path, trailing slash)", used, c.Provider)}
	}
	if len(alts) == 0 {
		return hint{"audience", used + ": check it is what the server expects (its token endpoint or its issuer)"}
	}
	first := alts[0]
	label := ruleText(ruleOf(first, urls))
	if guessed && first != c.TokenURL {
		label += ", guessed from the token URL"
	}
	line := fmt.Sprintf("%s; the server may expect %s: set audience: %s", used, label, first)
	if len(alts) > 1 {
		line += " (or " + strings.Join(alts[1:], " or ") + ")"
	}
	return hint{"audience", line}
}

func ruleOf(u string, urls map[string]string) string {
	for _, r := range []string{RuleTokenEndpoint, RuleIssuer, RuleIssuerSlash} {
		if urls[r] == u {
			return r
		}
	}
	return RuleFixed
}

func ruleText(rule string) string { return oauth.AudienceRule(rule).String() }

// guessIssuer strips a well-known token path from the token URL, or keeps scheme and host.
func guessIssuer(tokenURL string) string {
	u, err := url.Parse(tokenURL)
	if err != nil || u.Scheme == "" || u.Host == "" {
		return ""
	}
	path := strings.TrimRight(u.Path, "/")
	for _, s := range issuerSuffixes {
		if strings.HasSuffix(path, s) {
			return u.Scheme + "://" + u.Host + strings.TrimSuffix(path, s)
		}
	}
	return u.Scheme + "://" + u.Host
}

func keyHint(c Context) hint {
	id := quoteOr(c.ClientID, "this client")
	if c.Thumbprint == "" {
		return hint{"key", fmt.Sprintf("key: the public key registered for %s must match the private key used", id)}
	}
	return hint{"key", fmt.Sprintf("key: this key's RFC 7638 thumbprint is %s: compare it with the key registered for %s", c.Thumbprint, id)}
}

func algKidHint(c Context) hint {
	switch {
	case c.Alg == "" && c.Kid == "":
		return hint{"key", "no kid in the header: with several keys registered the server may need kid: set to the registered key's"}
	case c.Alg == "":
		return hint{"key", fmt.Sprintf("kid %q: the registered key must have this kid", c.Kid)}
	case c.Kid == "":
		return hint{"alg", fmt.Sprintf("signed with %s and no kid: the registered key must allow %s; with several keys registered the server may need kid:", c.Alg, c.Alg)}
	}
	return hint{"key", fmt.Sprintf("signed with %s, kid %q: the registered key must have this kid and allow %s", c.Alg, c.Kid, c.Alg)}
}

func kidX5cHint(c Context) hint {
	s := "kid/x5c: the header's kid or x5c certificate must be the one registered"
	if c.Kid != "" {
		s = fmt.Sprintf("kid/x5c: the header's kid %q or x5c certificate must be the one registered", c.Kid)
	}
	if c.Thumbprint != "" {
		s += " (key thumbprint " + c.Thumbprint + ")"
	}
	return hint{"key", s}
}

func clientIDHint(c Context) hint {
	if c.ClientID == "" {
		return hint{"client", "client_id is empty: the assertion's iss and sub must be the registered client id"}
	}
	if c.SentClientID {
		return hint{"client", fmt.Sprintf("client_id %q (sent, and the assertion's iss and sub) must be the exact registered id", c.ClientID)}
	}
	return hint{"client", fmt.Sprintf("client_id %q is the assertion's iss and sub but was not sent as a form field; some servers need it: send_client_id: true", c.ClientID)}
}

func lifetimeHint(c Context) hint {
	if c.Lifetime > 0 {
		return hint{"lifetime", fmt.Sprintf("lifetime: the assertion is valid for %d s; many servers cap exp - iat (Maskinporten at 120 s): try lifetime: 60s", int64(c.Lifetime.Seconds()))}
	}
	return hint{"lifetime", "lifetime: many servers cap exp - iat (often at 60-120 s): keep lifetime: at 60s or less"}
}

func scopeHint(c Context) hint {
	id := quoteOr(c.ClientID, "this client")
	if c.Scope == "" {
		return hint{"scope", fmt.Sprintf("no scope was sent: the server may need one allowed for %s", id)}
	}
	return hint{"scope", fmt.Sprintf("scope %q: a scope is unknown or not allowed for %s: compare with its allowed scopes", c.Scope, id)}
}

// scopePlacementHint says where scope went and where else a server may read it.
func scopePlacementHint(c Context) hint {
	if c.Scope == "" {
		return hint{}
	}
	switch c.ScopeIn {
	case "claim":
		return hint{"scope", "scope was sent as a claim of the assertion (scope_in: claim); a server that reads the token request's scope parameter (RFC 6749, RFC 7523 §2.1) sees none: try scope_in: form"}
	case "form":
		if c.GrantType == "jwt_bearer" {
			return hint{"scope", "scope was sent as a form parameter (scope_in: form); a server that reads it from the assertion (Maskinporten) sees none: try scope_in: claim"}
		}
	}
	return hint{}
}

func grantText(g string) string {
	switch g {
	case "jwt_bearer":
		return "urn:ietf:params:oauth:grant-type:jwt-bearer"
	case "":
		return "(unknown)"
	}
	return g
}

func httpHints(he *HTTPError, c Context, invalidJSON bool) []string {
	target := orUnknown(c.TokenURL)
	var lines []string
	page := ""
	if he.Title != "" {
		page = fmt.Sprintf(" (%q)", he.Title)
	}
	switch s := he.Status; {
	case invalidJSON || (s >= 200 && s < 300):
		if he.HTML {
			lines = append(lines, fmt.Sprintf("HTTP %d with an HTML page%s, not JSON: probably a login page, portal or proxy, not the token endpoint: check %s", s, page, target))
		} else {
			lines = append(lines, fmt.Sprintf("HTTP %d with a body that is not JSON (%s): check %s is the token endpoint", s, orUnknown(he.ContentType), target))
		}
		lines = append(lines, "take token_endpoint from "+discoveryURL(c))
		return lines
	case s >= 300 && s < 400:
		if he.Location != "" {
			lines = append(lines, fmt.Sprintf("the token URL redirects (HTTP %d) to %s: use the final URL (a redirected POST loses its form)", s, he.Location))
		} else {
			lines = append(lines, fmt.Sprintf("the token URL answers with a redirect (HTTP %d): use the final URL", s))
		}
	case s == 404:
		lines = append(lines, fmt.Sprintf("HTTP 404: wrong token URL %s: take token_endpoint from %s", target, discoveryURL(c)))
	case s == 405:
		lines = append(lines, fmt.Sprintf("HTTP 405: %s does not take POST: it is probably not the token endpoint", target))
	case s == 401:
		line := "HTTP 401 without an OAuth error body: client authentication failed, or a gateway in front of the server wants its own credentials"
		if he.Authenticate != "" {
			line += " (WWW-Authenticate: " + he.Authenticate + ")"
		}
		lines = append(lines, line)
	case s == 403:
		lines = append(lines, "HTTP 403 without an OAuth error body: a firewall, WAF or IP allow-list in front of the server probably blocks this machine or request")
	case s == 429:
		lines = append(lines, fmt.Sprintf("HTTP 429: rate limited on %s: wait, and request tokens less often (reuse them until they expire)", triesText(max(he.Tries, 1))))
	case s == 502 || s == 503 || s == 504:
		lines = append(lines, fmt.Sprintf("HTTP %d on %s (%s): a gateway or proxy could not reach the identity server, or it is down; try later", s, triesText(max(he.Tries, 1)), retriedText(he.Tries)))
	case s >= 500:
		lines = append(lines, fmt.Sprintf("HTTP %d on %s (%s): the server failed on its side; try later or ask its operators", s, triesText(max(he.Tries, 1)), retriedText(he.Tries)))
	case s >= 400:
		lines = append(lines, fmt.Sprintf("HTTP %d without an OAuth error body: a gateway may have rejected the request before the identity server; check %s", s, target))
	}
	if he.HTML {
		lines = append(lines, fmt.Sprintf("the body is an HTML page%s, not JSON: probably a login page or a proxy: check the token URL %s", page, target))
	}
	return lines
}

func transportHints(te *TransportError, c Context) []string {
	host := te.Host
	var dns *net.DNSError
	var unknown x509.UnknownAuthorityError
	var hostErr x509.HostnameError
	var invalid x509.CertificateInvalidError
	var record tls.RecordHeaderError
	switch {
	case errors.Is(te, ErrTimeout):
		return []string{
			fmt.Sprintf("no answer from %s within %s: the server is slow, or a firewall drops the packets", host, te.Timeout),
			"behind a corporate proxy, set HTTPS_PROXY (and NO_PROXY for hosts to reach directly)",
		}
	case errors.Is(te.Err, syscall.ECONNREFUSED):
		return []string{fmt.Sprintf("nothing listens at %s: check the token URL's host and port (or HTTPS_PROXY if a proxy is needed)", host)}
	case errors.As(te.Err, &dns):
		return []string{fmt.Sprintf("%s does not resolve: check the token URL's host name (or set HTTPS_PROXY if only a proxy reaches it)", hostOnly(host))}
	case errors.As(te.Err, &unknown):
		return []string{fmt.Sprintf("the certificate of %s is not signed by a trusted CA: pass the CA's PEM with --ca-file (verification cannot be turned off)", host)}
	case errors.As(te.Err, &hostErr):
		return []string{fmt.Sprintf("the certificate of %s is not for that name: use the host name the certificate names", host)}
	case errors.As(te.Err, &invalid):
		if invalid.Reason == x509.Expired {
			return []string{fmt.Sprintf("the certificate of %s has expired or is not yet valid (or this machine's clock is wrong)", host)}
		}
		return []string{fmt.Sprintf("the certificate chain of %s is invalid: pass the right CA with --ca-file", host)}
	case errors.As(te.Err, &record), strings.Contains(te.Err.Error(), "server gave HTTP response to HTTPS client"):
		return []string{fmt.Sprintf("%s speaks plain HTTP, not TLS: use http:// or the HTTPS port", host)}
	case errors.Is(te.Err, syscall.ECONNRESET), errors.Is(te.Err, io.EOF), errors.Is(te.Err, io.ErrUnexpectedEOF):
		return []string{
			fmt.Sprintf("%s closed or reset the connection on %s: a proxy, firewall or TLS-inspecting box may be cutting it", host, triesText(te.Tries)),
			"behind a corporate proxy, set HTTPS_PROXY (and --ca-file for its CA if it inspects TLS)",
		}
	case errors.Is(te.Err, syscall.EHOSTUNREACH), errors.Is(te.Err, syscall.ENETUNREACH):
		return []string{fmt.Sprintf("no route to %s: check the network, VPN or HTTPS_PROXY", host)}
	}
	return []string{fmt.Sprintf("could not talk to %s: check the token URL %s, the network and HTTPS_PROXY/NO_PROXY", host, orUnknown(c.TokenURL))}
}

func retriedText(tries int) string {
	switch {
	case tries <= 1:
		return "not retried"
	case tries == 2:
		return "retried once"
	}
	return fmt.Sprintf("retried %d times", tries-1)
}

func hostOnly(hostport string) string {
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		return h
	}
	return hostport
}

// discoveryURL is where the issuer publishes its token endpoint (OpenID Connect Discovery 1.0).
func discoveryURL(c Context) string {
	issuer := c.Issuer
	if issuer == "" {
		issuer = guessIssuer(c.TokenURL)
	}
	if issuer == "" {
		return "the issuer's /.well-known/openid-configuration"
	}
	return strings.TrimRight(issuer, "/") + "/.well-known/openid-configuration"
}

func quoteOr(s, otherwise string) string {
	if s == "" {
		return otherwise
	}
	return fmt.Sprintf("%q", s)
}

func orUnknown(s string) string {
	if s == "" {
		return "(unknown)"
	}
	return s
}

// compact drops empty and repeated lines.
func compact(lines []string) []string {
	var out []string
	for _, l := range lines {
		if l != "" && !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	return out
}

// Failed is a failed token request in words: Explain's likely causes, and the error said as
// "token request to <endpoint> failed: …" (the endpoint without its query).
func Failed(err error, c Context) (causes []string, failure error) {
	where := c.TokenURL
	if u, perr := url.Parse(where); perr == nil && u.Host != "" {
		where = u.Scheme + "://" + u.Host + u.Path
	}
	return Explain(err, c), fmt.Errorf("token request to %s failed: %w", where, err)
}
