package main

import (
	"errors"
	"fmt"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/postmint/postmint/generator/oauth"
	"github.com/postmint/postmint/generator/postman"
	"github.com/postmint/postmint/generator/token"
	"github.com/postmint/postmint/internal/clihelp"
)

func httpFlags() []cli.Flag {
	return []cli.Flag{
		&cli.DurationFlag{Name: "timeout", Value: 30 * time.Second, Usage: "overall `DURATION` for the token request, retries included (and for reading the issuer's metadata, when the definition names an issuer)"},
		&cli.IntFlag{Name: "retries", Value: 3, Usage: "at most `N` tries on connection errors, 5xx and 429"},
		&cli.StringFlag{Name: "ca-file", Usage: "extra trusted CA certificates (PEM `FILE`) for a private CA; TLS verification is always on"},
		&cli.StringFlag{Name: "code", Usage: "authorization_code: exchange this `CODE` from the redirect"},
		&cli.StringFlag{Name: "code-verifier", Usage: "PKCE `VERIFIER` for --code (default: the environment's codeVerifier)"},
		&cli.StringFlag{Name: "refresh-token", Usage: "use the refresh_token grant with this `TOKEN` (default for authorization_code with -e: the environment's refreshToken)"},
	}
}

func tokenCommand() *cli.Command {
	return &cli.Command{
		Name:      "token",
		Before:    clihelp.NoArgs(""),
		Usage:     "mint an assertion, exchange it at the token endpoint, print the access token",
		UsageText: "postmint token (-c CLIENT | -e ENV) [-k KEY] [--json] [--timeout DURATION] [--retries N] [--ca-file FILE] [--code CODE [--code-verifier VERIFIER] | --refresh-token TOKEN]",
		Description: `Prints the access token (or with --json the whole token response). On an OAuth error it prints
the server's error and error_description and the likely causes (audience, alg, kid, key
thumbprint, client id, clock skew).

Examples:
   postmint token -c client.yaml -k client.key.pem
   TOKEN=$(postmint token -e env.json)          # key from $POSTMINT_PRIVATE_KEY
   postmint token -c client.yaml --json | jq .expires_in`,
		Flags:  append(append(sourceFlags(), &cli.BoolFlag{Name: "json", Usage: "print the whole token response"}), httpFlags()...),
		Action: tokenAction,
	}
}

func tokenAction(c *cli.Context) error {
	s, err := loadSigning(c, false)
	if err != nil {
		return err
	}
	resp, err := exchange(c, s)
	if err != nil {
		return err
	}
	if s.Session.NewDPoP {
		fmt.Fprintln(c.App.ErrWriter, "postmint: note: the token is bound to a new DPoP key that is not kept; `postmint refresh -e ENV` keeps one in the environment's dpopKey")
	}
	if c.Bool("json") {
		_, err = fmt.Fprintln(c.App.Writer, string(resp.Raw))
		return err
	}
	_, err = fmt.Fprintln(c.App.Writer, resp.AccessToken)
	return err
}

// exchange mints a fresh assertion for every try and posts it to the token endpoint; a
// failure comes back with the explanation of its likely causes.
func exchange(c *cli.Context, s *signing) (*token.Response, error) {
	if c.Int("retries") < 1 {
		return nil, usagef("--retries must be at least 1")
	}
	if c.Duration("timeout") <= 0 {
		return nil, usagef("--timeout must be positive")
	}
	client, err := token.NewClient(token.Options{
		Timeout:   c.Duration("timeout"),
		MaxTries:  c.Int("retries"),
		CAFile:    c.String("ca-file"),
		UserAgent: userAgent(),
	})
	if err != nil {
		return nil, err
	}
	g := token.Grant{Code: c.String("code"), Verifier: c.String("code-verifier"), RefreshToken: c.String("refresh-token")}
	if s.env != nil {
		g.StoredRefreshToken, g.StoredVerifier = s.env.Lookup(postman.VarRefreshToken), s.env.Lookup(postman.VarCodeVerifier)
	}
	fields, refreshing, err := s.Session.Request(g)
	switch {
	case errors.Is(err, token.ErrCodeAndRefreshToken):
		return nil, usagef("give --code or --refresh-token, not both")
	case errors.Is(err, token.ErrCodeNeedsRedirect):
		return nil, usagef("--code needs redirect_uri in the definition (grant_type: authorization_code)")
	case errors.Is(err, token.ErrNeedsCode):
		return nil, usagef("authorization_code needs --code CODE (from the redirect after login) or --refresh-token TOKEN")
	}
	why := s.Explain
	if refreshing {
		why.GrantType = oauth.WireRefreshToken // its refusals have other causes than a code's
	}
	resp, err := s.Session.Exchange(c.Context, client, fields)
	if err != nil {
		return nil, explained(err, why)
	}
	return resp, nil
}

func userAgent() string { return "postmint/" + version + " (+https://github.com/postmint/postmint)" }

// explained attaches the likely causes: the first as the hint, the others listed under it.
func explained(err error, ctx token.Context) error {
	lines, what := token.Failed(err, ctx)
	if len(lines) == 0 {
		return what
	}
	return &clihelp.Hinted{Err: what, Hint: lines[0], Causes: lines[1:]}
}
