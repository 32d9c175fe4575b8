package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/postmint/postmint/generator"
	"github.com/postmint/postmint/generator/assertion"
	"github.com/postmint/postmint/generator/config"
	"github.com/postmint/postmint/generator/discovery"
	"github.com/postmint/postmint/generator/keys"
	"github.com/postmint/postmint/generator/oauth"
	"github.com/postmint/postmint/generator/token"
)

func doctorCommand() *cli.Command {
	return &cli.Command{
		Name:      "doctor",
		Usage:     "check everything a client can get wrong, one line each: pass, warn or fail",
		UsageText: "postmint doctor -c CLIENT [-k KEY] [--offline] [--timeout DURATION] [--ca-file FILE]",
		Description: `Checks the definition, the key and certificate, the algorithm, the audience rule against the
server's metadata, the clock against the server's Date header, TLS to the token endpoint, and
(unless --offline) makes a real token request, explaining a failure. Exit 0 only when no
check fails.

Examples:
   postmint doctor -c client.yaml -k client.key.pem
   postmint doctor -c client.yaml --offline`,
		Flags: append(append([]cli.Flag{
			&cli.StringFlag{Name: "client", Aliases: []string{"c"}, Usage: "client definition `FILE`"},
			&cli.BoolFlag{Name: "offline", Usage: "no network: skip metadata, clock, TLS and the token request"},
		}, keyFlags()...),
			&cli.DurationFlag{Name: "timeout", Value: 30 * time.Second, Usage: "per-request `DURATION`"},
			&cli.StringFlag{Name: "ca-file", Usage: "extra trusted CA certificates (PEM `FILE`); TLS verification is always on"},
		),
		Action: doctorAction,
	}
}

// report prints one check per line and remembers whether any failed.
type report struct {
	c      *cli.Context
	failed int
}

func (r *report) line(status, check, format string, a ...any) {
	if status == "FAIL" {
		r.failed++
	}
	fmt.Fprintf(r.c.App.Writer, "%-4s  %-11s %s\n", status, check, fmt.Sprintf(format, a...))
}

func (r *report) detail(s string) { fmt.Fprintf(r.c.App.Writer, "      %-11s - %s\n", "", s) }

func doctorAction(c *cli.Context) error {
	if c.NArg() > 0 {
		return usagef("doctor takes no arguments (got %q)", c.Args().First())
	}
	if c.String("client") == "" {
		return usagef("doctor needs -c CLIENT (a client definition file)")
	}
	r := &report{c: c}
	online := !c.Bool("offline")

	def, err := config.Load(c.String("client"))
	var client *config.Client
	if err == nil {
		client, err = def.Resolve()
		if errors.Is(err, config.ErrMissingField) && online && def.NeedsDiscovery() {
			client, _, err = loadDefinition(c, c.String("client"))
		}
	}
	if err != nil {
		r.line("FAIL", "definition", "%s", oneLine(err.Error()))
		return doctorResult(r)
	}
	r.line("PASS", "definition", "%s is valid (%s, %s, aud %s)", c.String("client"), presetName(client), client.GrantType, client.Audience)
	for _, w := range client.Warnings {
		r.line("WARN", "definition", "%s", w)
	}

	m, err := material(c, client)
	var profile *oauth.Profile
	switch {
	case err != nil:
		r.line("FAIL", "key", "%s", oneLine(err.Error()))
	case m.Key == nil:
		r.line("FAIL", "key", "no private key: pass -k KEY, set %s or add key: to the definition", envPrivateKey)
	default:
		tp, _ := keys.Thumbprint(m.Key.Public())
		r.line("PASS", "key", "%s %s from %s (RFC 7638 thumbprint %s)", m.Key.Format, m.Key.Describe(), m.Key.Source, tp)
	}
	if m.Key != nil && len(m.Certificates) > 0 {
		leaf := m.Certificates[0]
		if err := keys.MatchCertificate(m.Key.Public(), leaf); err != nil {
			r.line("FAIL", "certificate", "%s", oneLine(err.Error()))
		} else {
			r.line("PASS", "certificate", "%q matches the key, valid until %s", leaf.Subject.String(), leaf.NotAfter.Format("2006-01-02"))
		}
		for _, w := range keys.CertificateWarnings(leaf, timeNow()) {
			r.line("WARN", "certificate", "%s", w)
		}
	}
	if m.Key != nil {
		p, warnings, err := generator.BuildProfile(client, m)
		if err != nil {
			r.line("FAIL", "alg", "%s", oneLine(err.Error()))
		} else {
			profile = p
			status := "PASS"
			detail := fmt.Sprintf("%s fits the %s key and %s", p.Alg, m.Key.Describe(), presetName(client))
			if len(warnings) > 0 {
				status, detail = "WARN", strings.Join(warnings, "; ")
			}
			r.line(status, "alg", "%s", detail)
		}
	}

	if !online {
		r.line("SKIP", "network", "--offline: metadata, clock, TLS and the token request not checked")
		return doctorResult(r)
	}
	checkServer(c, r, client, profile)
	if profile != nil && m.Key != nil {
		checkToken(c, r, client, profile, m.Key)
	}
	return doctorResult(r)
}

func presetName(c *config.Client) string {
	if c.Preset.Name == "" {
		return "no preset"
	}
	return "preset " + c.Preset.Name
}

func doctorResult(r *report) error {
	if r.failed > 0 {
		return fmt.Errorf("doctor: %d check(s) failed", r.failed)
	}
	return nil
}

// checkServer reads the metadata (when an issuer is known), compares the audience rule and
// the algorithm with it, measures the clock against the server's Date header, and makes sure
// the token endpoint answers over verified TLS.
func checkServer(c *cli.Context, r *report, client *config.Client, p *oauth.Profile) {
	tc, err := token.NewClient(token.Options{Timeout: c.Duration("timeout"), CAFile: c.String("ca-file"), UserAgent: userAgent()})
	if err != nil {
		r.line("FAIL", "tls", "%s", oneLine(err.Error()))
		return
	}
	var serverDate time.Time
	if client.Issuer != "" {
		ctx, cancel := context.WithTimeout(c.Context, 15*time.Second)
		meta, err := discovery.Fetch(ctx, tc.HTTP(), client.Issuer)
		cancel()
		if err != nil {
			r.line(metadataStatus(err), "metadata", "%s", oneLine(err.Error()))
		} else {
			serverDate = meta.Date
			alg := ""
			if p != nil {
				alg = p.Alg
			}
			findings := discovery.Check(meta, expectation(client, alg))
			if len(findings) == 0 {
				r.line("PASS", "metadata", "%s agrees with the definition (auth method, alg, grant)", meta.URL)
			}
			for _, f := range findings {
				status := "WARN"
				if f.Refused {
					status = "FAIL"
				}
				r.line(status, "metadata", "%s", f.Msg)
			}
			aud := client.Audience
			iss := strings.TrimRight(meta.Issuer, "/")
			switch aud {
			case meta.TokenEndpoint, iss, iss + "/":
				r.line("PASS", "audience", "aud %s is the server's %s", aud, map[bool]string{true: "token endpoint", false: "issuer"}[aud == meta.TokenEndpoint])
			default:
				r.line("WARN", "audience", "aud %s is neither the server's issuer %s nor its token endpoint %s", aud, meta.Issuer, meta.TokenEndpoint)
			}
		}
	} else {
		r.line("SKIP", "metadata", "no issuer in the definition: the audience rule is not compared with the server's metadata")
	}

	u, _ := url.Parse(client.TokenURL)
	resp, probeErr := probe(c, tc.HTTP(), client.TokenURL)
	if probeErr != nil {
		r.line("FAIL", "tls", "could not reach %s: %s", hostPort(u), oneLine(probeErr.Error()))
	} else {
		if serverDate.IsZero() {
			serverDate = resp.date
		}
		switch {
		case u.Scheme == "https":
			r.line("PASS", "tls", "%s answered over %s with a verified certificate", hostPort(u), tlsVersion(resp.tls))
		case config.IsLoopbackHost(u.Hostname()):
			r.line("PASS", "tls", "%s answered (plain http on loopback, for local testing)", hostPort(u))
		default:
			r.line("WARN", "tls", "%s answered over plain http: assertions and tokens cross the network unencrypted", hostPort(u))
		}
	}
	switch {
	case serverDate.IsZero() && probeErr != nil:
		r.line("SKIP", "clock", "not checked: %s could not be reached (%s)", hostPort(u), oneLine(probeErr.Error()))
		return
	case serverDate.IsZero():
		r.line("SKIP", "clock", "the server sent no Date header")
		return
	}
	skew := timeNow().Sub(serverDate).Round(time.Second)
	abs := skew
	if abs < 0 {
		abs = -abs
	}
	switch {
	case abs > 2*time.Minute:
		r.line("FAIL", "clock", "the local clock is %s %s the server's: assertions will look expired or not yet valid; fix the clock (NTP)", abs, aheadBehind(skew))
	case abs > 10*time.Second:
		r.line("WARN", "clock", "the local clock is %s %s the server's; short-lived assertions may be refused", abs, aheadBehind(skew))
	default:
		r.line("PASS", "clock", "within %s of the server's Date header", abs)
	}
}

func aheadBehind(d time.Duration) string {
	if d > 0 {
		return "ahead of"
	}
	return "behind"
}

type probeResult struct {
	date time.Time
	tls  *tls.ConnectionState
}

// probe sends a GET to the token endpoint (which answers 4xx or 405 to it): the handshake
// and the Date header are what matter.
func probe(c *cli.Context, hc *http.Client, u string) (*probeResult, error) {
	ctx, cancel := context.WithTimeout(c.Context, 15*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, err
	}
	resp, err := hc.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, err
	}
	resp.Body.Close()
	res := &probeResult{tls: resp.TLS}
	if d, err := http.ParseTime(resp.Header.Get("Date")); err == nil {
		res.date = d
	}
	return res, nil
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

// checkToken makes a real token request and, on failure, lists the likely causes.
func checkToken(c *cli.Context, r *report, client *config.Client, p *oauth.Profile, k *keys.Key) {
	if client.GrantType == config.GrantAuthorizationCode {
		r.line("SKIP", "token", "authorization_code needs a user's login: run Auth / Authorize in the collection, or postmint token --code")
		return
	}
	tc, err := token.NewClient(token.Options{Timeout: c.Duration("timeout"), MaxTries: 1, CAFile: c.String("ca-file"), UserAgent: userAgent()})
	if err != nil {
		r.line("FAIL", "token", "%s", oneLine(err.Error()))
		return
	}
	resp, err := tc.Exchange(c.Context, p.TokenURL, func() (url.Values, error) {
		a, err := assertion.Mint(p, k.Signer, assertion.Options{})
		if err != nil {
			return nil, err
		}
		return oauth.Values(p.FormFields(a)), nil
	})
	if err != nil {
		r.line("FAIL", "token", "%s", oneLine(err.Error()))
		for _, l := range token.Explain(err, explainContext(p, k, client)) {
			r.detail(l)
		}
		return
	}
	detail := fmt.Sprintf("the token endpoint issued an access token (%d characters", len(resp.AccessToken))
	if resp.ExpiresIn > 0 {
		detail += fmt.Sprintf(", expires in %d s", resp.ExpiresIn)
	}
	r.line("PASS", "token", "%s)", detail)
	checkGrantedScope(r, p, resp)
}

// checkGrantedScope warns when the token came back without scope that was asked for: the
// request worked, but the API calls it is for will not (the scope went where the server does
// not read it, or the client is not allowed it).
func checkGrantedScope(r *report, p *oauth.Profile, resp *token.Response) {
	if p.Scope == "" {
		return
	}
	missing, known := resp.MissingScopes(p.Scope)
	switch {
	case !known:
		r.line("PASS", "scope", "the response has no scope member: the server granted what was asked (RFC 6749 §5.1)")
	case len(missing) == 0:
		r.line("PASS", "scope", "the token carries the requested scope %q", p.Scope)
	default:
		r.line("WARN", "scope", "asked for %q, the token carries %q: %s missing", p.Scope, resp.Scope, strings.Join(missing, " "))
		r.detail(fmt.Sprintf("scope was sent as %s (scope_in: %s): if the server reads it elsewhere, set scope_in: %s in the definition", p.ScopeIn.Words(), p.ScopeIn, otherPlacement(p.ScopeIn)))
		r.detail("or the client is not allowed that scope: compare with its registration")
	}
}

func otherPlacement(in oauth.ScopePlacement) oauth.ScopePlacement {
	if in.InForm() && !in.InClaim() {
		return oauth.ScopeClaim
	}
	return oauth.ScopeForm
}
