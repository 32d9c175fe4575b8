// Package doctor checks everything a client can get wrong and returns one typed check per
// finding: the definition, the key and certificate, the algorithm, the server's metadata and
// audience, TLS, the clock, a real token request and the scope it grants. It prints nothing;
// `postmint doctor` prints the checks.
package doctor

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/postmint/postmint/generator/config"
	"github.com/postmint/postmint/generator/discovery"
	"github.com/postmint/postmint/generator/keys"
	"github.com/postmint/postmint/generator/oauth"
	"github.com/postmint/postmint/generator/profile"
	"github.com/postmint/postmint/generator/token"
)

// Status is a check's verdict.
type Status string

// The verdicts: only Fail makes the doctor fail.
const (
	Pass Status = "PASS"
	Warn Status = "WARN"
	Fail Status = "FAIL"
	Skip Status = "SKIP"
)

// Check is one finding.
type Check struct {
	Status Status
	Topic  string   // definition, key, certificate, alg, network, metadata, audience, tls, clock, token, scope
	Detail string   // one line
	Notes  []string // lines under it (the likely causes of a failed token request, say)
	// field is the metadata member a metadata check compared ("" for other checks): a live
	// token request can prove some of them wrong (outranked).
	field string
}

// Clock thresholds: a skew beyond SkewWarn may make short-lived assertions fail; beyond
// SkewFail they look expired or not yet valid.
const (
	SkewWarn = 10 * time.Second
	SkewFail = 2 * time.Minute
)

// Input is what the command loaded: the resolved client (or why not), and the key material
// (or why not).
type Input struct {
	DefinitionFile string
	Client         *config.Client
	DefinitionErr  error
	Material       profile.Material
	KeyErr         error
	NoKeyHint      string // what to do when there is no key at all

	Offline   bool
	Timeout   time.Duration // per request
	CAFile    string
	UserAgent string
	Now       func() time.Time
}

// Run makes every check that applies, in order. ctx bounds the network checks.
func Run(ctx context.Context, in Input) []Check {
	if in.Now == nil {
		in.Now = time.Now
	}
	var out []Check
	add := func(s Status, topic, format string, a ...any) *Check {
		out = append(out, Check{Status: s, Topic: topic, Detail: fmt.Sprintf(format, a...)})
		return &out[len(out)-1]
	}
	if in.DefinitionErr != nil {
		add(Fail, "definition", "%s", oneLine(in.DefinitionErr.Error()))
		return out
	}
	c := in.Client
	add(Pass, "definition", "%s is valid (%s, %s, aud %s)", in.DefinitionFile, presetName(c), c.GrantType, c.Audience)
	for _, w := range c.Warnings {
		add(Warn, "definition", "%s", w)
	}

	m := in.Material
	switch {
	case in.KeyErr != nil:
		add(Fail, "key", "%s", oneLine(in.KeyErr.Error()))
	case m.Key == nil:
		add(Fail, "key", "no private key: %s", in.NoKeyHint)
	default:
		tp, _ := keys.Thumbprint(m.Key.Public())
		add(Pass, "key", "%s %s from %s (RFC 7638 thumbprint %s)", m.Key.Format, m.Key.Describe(), m.Key.Source, tp)
	}
	if in.KeyErr == nil && m.Key != nil && len(m.Certificates) > 0 {
		leaf := m.Certificates[0]
		if err := keys.MatchCertificate(m.Key.Public(), leaf); err != nil {
			add(Fail, "certificate", "%s", oneLine(err.Error()))
		} else {
			add(Pass, "certificate", "%q matches the key, valid until %s", leaf.Subject.String(), leaf.NotAfter.Format("2006-01-02"))
		}
		for _, w := range keys.CertificateWarnings(leaf, in.Now()) {
			add(Warn, "certificate", "%s", w)
		}
	}
	var prof *oauth.Profile
	alg := "" // for the metadata check
	if in.KeyErr == nil && m.Key == nil {
		// No key to check the alg against: the alg is what generate --no-key and kit choose.
		var defaulted bool
		alg, defaulted = profile.ChooseAlg(c, "")
		why := "the definition's or its preset's"
		if defaulted {
			why = "the default, as neither the definition nor its preset names one"
		}
		add(Skip, "alg", "%s (%s, what generate --no-key and kit use) not checked against a key", alg, why)
	}
	if in.KeyErr == nil && m.Key != nil {
		p, warnings, err := profile.Build(c, m)
		switch {
		case err != nil:
			add(Fail, "alg", "%s", oneLine(err.Error()))
		case len(warnings) > 0:
			prof = p
			add(Warn, "alg", "%s", strings.Join(warnings, "; "))
		default:
			prof = p
			add(Pass, "alg", "%s fits the %s key and %s", p.Alg, m.Key.Describe(), presetName(c))
		}
		if prof != nil {
			alg = prof.Alg
		}
	}
	if in.Offline {
		add(Skip, "network", "--offline: metadata, clock, TLS and the token request not checked")
		return out
	}
	tc, err := token.NewClient(token.Options{Timeout: in.Timeout, MaxTries: 1, CAFile: in.CAFile, UserAgent: in.UserAgent})
	if err != nil {
		add(Fail, "tls", "%s", oneLine(err.Error()))
		return out
	}
	srv := server(ctx, tc, c, alg, in.Now)
	out = append(out, srv...)
	if prof != nil && unreached(srv) {
		// The line above says why; a token request would only fail the same way, at length.
		add(Skip, "token", "not tried: the token endpoint could not be reached")
	} else if prof != nil {
		live := tokenChecks(ctx, tc, c, prof, m.Key)
		if len(live) > 0 && live[0].Topic == "token" && live[0].Status == Pass {
			outranked(out, prof)
		}
		out = append(out, live...)
	}
	return out
}

// liveProof names the metadata members a successful token request answers for itself: it was
// authenticated with private_key_jwt, signed with the profile's alg, and (for DPoP) carried a
// proof of dpop_alg. The issuer, the token endpoint and PAR it does not prove.
var liveProof = map[string]func(p *oauth.Profile) string{
	"token_endpoint_auth_methods_supported":            func(*oauth.Profile) string { return "private_key_jwt" },
	"token_endpoint_auth_signing_alg_values_supported": func(p *oauth.Profile) string { return "alg " + p.Alg },
	discovery.FieldDPoPAlgs:                            func(p *oauth.Profile) string { return "dpop_alg " + p.DPoPAlg },
}

// outranked turns the metadata failures that a successful token request contradicts into
// warnings naming both facts: what the server did outranks what its metadata lists.
func outranked(checks []Check, p *oauth.Profile) {
	for i := range checks {
		c := &checks[i]
		what, ok := liveProof[c.field]
		if c.Topic != "metadata" || c.Status != Fail || !ok {
			continue
		}
		if c.field == discovery.FieldDPoPAlgs && !p.DPoP() {
			continue
		}
		c.Status = Warn
		c.Detail += fmt.Sprintf("; yet the live token request with %s succeeded: the server accepts more than its metadata lists (the live answer decides)", what(p))
	}
}

// Failed counts the failed checks.
func Failed(checks []Check) int {
	n := 0
	for _, c := range checks {
		if c.Status == Fail {
			n++
		}
	}
	return n
}

// server reads the metadata (when an issuer is known), compares the audience rule and the
// algorithm with it, measures the clock against the server's Date header, and makes sure the
// token endpoint answers over verified TLS.
func server(ctx context.Context, tc *token.Client, c *config.Client, alg string, now func() time.Time) []Check {
	var out []Check
	add := func(s Status, topic, format string, a ...any) {
		out = append(out, Check{Status: s, Topic: topic, Detail: fmt.Sprintf(format, a...)})
	}
	var serverDate time.Time
	if c.Issuer != "" {
		mctx, cancel := context.WithTimeout(ctx, 15*time.Second)
		meta, err := discovery.Fetch(mctx, tc.HTTP(), c.Issuer)
		cancel()
		switch {
		case errors.Is(err, discovery.ErrIssuerMismatch):
			// Metadata of another issuer must not be used (OpenID Connect Discovery 4.3,
			// RFC 8414 3.3); missing metadata is only a warning.
			add(Fail, "metadata", "%s", oneLine(err.Error()))
		case err != nil:
			add(Warn, "metadata", "%s", oneLine(err.Error()))
		default:
			serverDate = meta.Date
			findings := discovery.Check(meta, c.Expectation(alg))
			if len(findings) == 0 {
				add(Pass, "metadata", "%s agrees with the definition (auth method, alg, grant)", meta.URL)
			}
			for _, f := range findings {
				s := Warn
				if f.Refused {
					s = Fail
				}
				out = append(out, Check{Status: s, Topic: "metadata", Detail: f.Msg, field: f.Field})
			}
			if c.DPoPAlg != "" && slices.Contains(meta.DPoPAlgs, c.DPoPAlg) {
				add(Pass, "dpop", "the server lists dpop_alg %s in dpop_signing_alg_values_supported", c.DPoPAlg)
			}
			if c.PAREndpoint != "" && meta.PAREndpoint != "" {
				if meta.PAREndpoint == c.PAREndpoint {
					add(Pass, "par", "par_endpoint %s is the server's pushed_authorization_request_endpoint", c.PAREndpoint)
				} else {
					add(Warn, "par", "par_endpoint %s differs from the server's pushed_authorization_request_endpoint %s", c.PAREndpoint, meta.PAREndpoint)
				}
			}
			iss := strings.TrimRight(meta.Issuer, "/")
			switch c.Audience {
			case meta.TokenEndpoint:
				add(Pass, "audience", "aud %s is the server's token endpoint", c.Audience)
			case iss, iss + "/":
				add(Pass, "audience", "aud %s is the server's issuer", c.Audience)
			default:
				add(Warn, "audience", "aud %s is neither the server's issuer %s nor its token endpoint %s", c.Audience, meta.Issuer, meta.TokenEndpoint)
			}
		}
	} else {
		add(Skip, "metadata", "no issuer in the definition: the audience rule is not compared with the server's metadata")
	}

	u, _ := url.Parse(c.TokenURL)
	date, state, probeErr := probe(ctx, tc.HTTP(), c.TokenURL)
	if probeErr != nil {
		topic, detail := unreachable(u, probeErr)
		add(Fail, topic, "%s", detail)
	} else {
		if serverDate.IsZero() {
			serverDate = date
		}
		switch {
		case u.Scheme == "https":
			add(Pass, "tls", "%s answered over %s with a verified certificate", hostPort(u), tlsVersion(state))
		case config.IsLoopbackHost(u.Hostname()):
			add(Pass, "tls", "%s answered (plain http on loopback, for local testing)", hostPort(u))
		default:
			add(Warn, "tls", "%s answered over plain http: assertions and tokens cross the network unencrypted", hostPort(u))
		}
	}
	switch {
	case serverDate.IsZero() && probeErr != nil:
		add(Skip, "clock", "not checked: %s could not be reached (%s)", hostPort(u), reason(probeErr))
	case serverDate.IsZero():
		add(Skip, "clock", "the server sent no Date header")
	default:
		out = append(out, Clock(now().Sub(serverDate)))
	}
	return out
}

// unreachable says why the token endpoint could not be reached, under the topic it belongs to:
// dns (the name does not resolve), tls (the handshake or the certificate failed), or network
// (refused, timed out, reset).
func unreachable(u *url.URL, err error) (topic, detail string) {
	var dnsErr *net.DNSError
	var certErr *tls.CertificateVerificationError
	var recErr tls.RecordHeaderError
	switch {
	case errors.As(err, &dnsErr) && dnsErr.IsNotFound:
		return "dns", fmt.Sprintf("%s does not resolve (no such host): check the host name in token_url; on a network that needs a proxy, set HTTPS_PROXY", u.Hostname())
	case errors.As(err, &dnsErr):
		return "dns", fmt.Sprintf("looking up %s failed (%s): the network's DNS did not answer", u.Hostname(), reason(err))
	case errors.As(err, &certErr):
		return "tls", fmt.Sprintf("%s's certificate is not trusted: %s (a private CA: --ca-file)", hostPort(u), oneLine(certErr.Err.Error()))
	case errors.As(err, &recErr):
		return "tls", fmt.Sprintf("%s does not speak TLS (is token_url http:// on a TLS port, or the other way round?)", hostPort(u))
	}
	return "network", fmt.Sprintf("could not reach %s: %s", hostPort(u), reason(err))
}

// unreached reports whether the server checks found the token endpoint unreachable.
func unreached(checks []Check) bool {
	for _, c := range checks {
		if c.Status == Fail && (c.Topic == "dns" || c.Topic == "network" || c.Topic == "tls") {
			return true
		}
	}
	return false
}

// reason is the cause of a failed request in a few words: the innermost error of a dial.
func reason(err error) string {
	var dnsErr *net.DNSError
	if errors.As(err, &dnsErr) {
		if dnsErr.IsNotFound {
			return "no such host"
		}
		return oneLine(dnsErr.Err)
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Err != nil {
		return oneLine(opErr.Err.Error())
	}
	return oneLine(err.Error())
}

// Clock judges the local clock's offset from the server's (positive: the local clock is
// ahead).
func Clock(skew time.Duration) Check {
	skew = skew.Round(time.Second)
	abs := skew.Abs()
	where := "behind"
	if skew > 0 {
		where = "ahead of"
	}
	switch {
	case abs > SkewFail:
		return Check{Status: Fail, Topic: "clock", Detail: fmt.Sprintf("the local clock is %s %s the server's: assertions will look expired or not yet valid; fix the clock (NTP)", abs, where)}
	case abs > SkewWarn:
		return Check{Status: Warn, Topic: "clock", Detail: fmt.Sprintf("the local clock is %s %s the server's; short-lived assertions may be refused", abs, where)}
	}
	return Check{Status: Pass, Topic: "clock", Detail: fmt.Sprintf("within %s of the server's Date header", abs)}
}

// probe sends a GET to the token endpoint (which answers 4xx or 405 to it): the handshake and
// the Date header are what matter.
func probe(ctx context.Context, hc *http.Client, u string) (time.Time, *tls.ConnectionState, error) {
	ctx, cancel := context.WithTimeout(ctx, 15*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return time.Time{}, nil, err
	}
	resp, err := hc.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return time.Time{}, nil, err
	}
	resp.Body.Close()
	d, _ := http.ParseTime(resp.Header.Get("Date"))
	return d, resp.TLS, nil
}

// tokenChecks makes a real token request and, on failure, lists the likely causes; on success
// it compares the granted scope with the requested one.
func tokenChecks(ctx context.Context, tc *token.Client, c *config.Client, p *oauth.Profile, k *keys.Key) []Check {
	if c.GrantType == config.GrantAuthorizationCode {
		return []Check{{Status: Skip, Topic: "token", Detail: "authorization_code needs a user's login: run Auth / Authorize in the collection, or postmint token --code"}}
	}
	// A DPoP client's request carries a proof of a key made for this check (RFC 9449).
	session, err := token.NewDPoPSession(p, k.Signer)
	if err != nil {
		return []Check{{Status: Fail, Topic: "token", Detail: oneLine(err.Error())}}
	}
	resp, err := session.Exchange(ctx, tc, nil)
	if err != nil {
		return []Check{{Status: Fail, Topic: "token", Detail: oneLine(err.Error()), Notes: token.Explain(err, token.NewContext(p, k.Public(), c))}}
	}
	detail := fmt.Sprintf("the token endpoint issued an access token (%d characters", len(resp.AccessToken))
	if p.DPoP() {
		detail = fmt.Sprintf("the token endpoint issued a DPoP-bound access token (%d characters", len(resp.AccessToken))
	}
	if resp.ExpiresIn > 0 {
		detail += fmt.Sprintf(", expires in %d s", resp.ExpiresIn)
	}
	out := []Check{{Status: Pass, Topic: "token", Detail: detail + ")"}}
	if s := Scope(p, resp); s != nil {
		out = append(out, *s)
	}
	return out
}

// Scope compares the scope a token response grants with the one requested: a token without
// scope that was asked for worked, but the API calls it is for will not. nil when no scope was
// requested.
func Scope(p *oauth.Profile, resp *token.Response) *Check {
	if p.Scope == "" {
		return nil
	}
	missing, known := resp.MissingScopes(p.Scope)
	switch {
	case !known:
		return &Check{Status: Pass, Topic: "scope", Detail: "the response has no scope member: the server granted what was asked (RFC 6749 §5.1)"}
	case len(missing) == 0:
		return &Check{Status: Pass, Topic: "scope", Detail: fmt.Sprintf("the token carries the requested scope %q", p.Scope)}
	}
	other := oauth.ScopeForm
	if p.ScopeIn.InForm() && !p.ScopeIn.InClaim() {
		other = oauth.ScopeClaim
	}
	return &Check{Status: Warn, Topic: "scope",
		Detail: fmt.Sprintf("asked for %q, the token carries %q: %s missing", p.Scope, resp.Scope, strings.Join(missing, " ")),
		Notes: []string{
			fmt.Sprintf("scope was sent as %s (scope_in: %s): if the server reads it elsewhere, set scope_in: %s in the definition", p.ScopeIn.Words(), p.ScopeIn, other),
			"or the client is not allowed that scope: compare with its registration",
		}}
}

func presetName(c *config.Client) string {
	if c.Preset.Name == "" {
		return "no preset"
	}
	return "preset " + c.Preset.Name
}

func tlsVersion(s *tls.ConnectionState) string {
	if s == nil {
		return "TLS"
	}
	return tls.VersionName(s.Version)
}

func hostPort(u *url.URL) string {
	if u == nil {
		return ""
	}
	return u.Host
}

// oneLine keeps an error on one line.
func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// Load reads and resolves the definition at path for Run. A definition that leaves a field to
// its issuer's metadata is resolved through discover (the command's discovering loader, which
// says what it found) unless offline; offline, the missing field is the finding.
func Load(path string, offline bool, discover func(path string) (*config.Client, error)) (*config.Client, error) {
	def, err := config.Load(path)
	if err != nil {
		return nil, err
	}
	c, err := def.Resolve()
	if errors.Is(err, config.ErrMissingField) && !offline && def.NeedsDiscovery() {
		return discover(path)
	}
	return c, err
}
