package main

import (
	"errors"
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/postmint/postmint/generator/dpop"
	"github.com/postmint/postmint/generator/keysource"
	"github.com/postmint/postmint/generator/postman"
	"github.com/postmint/postmint/generator/token"
	"github.com/postmint/postmint/internal/clihelp"
)

func dpopCommand() *cli.Command {
	return &cli.Command{
		Name:      "dpop",
		Before:    clihelp.NoArgs(""),
		Usage:     "print a DPoP proof (RFC 9449) for one request, bound to the environment's token",
		UsageText: "postmint dpop (-e ENV | -c CLIENT [--dpop-key FILE]) --method METHOD --url URL [--nonce NONCE] [--token TOKEN]",
		Description: `Signs a proof with the environment's dpopKey for that method and URL (htu without query
and fragment), with ath for the environment's bearerToken and the nonce the server last gave
(dpopNonce for the token endpoint, dpopApiNonces for an API origin).

Examples:
   postmint refresh -e env.json
   T=$(jq -r '.values[]|select(.key=="bearerToken").value' env.json)
   curl -H "Authorization: DPoP $T" -H "DPoP: $(postmint dpop -e env.json --method GET --url https://api.example.com/orders)" https://api.example.com/orders`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "environment", Aliases: []string{"e"}, Usage: "Postman environment `FILE` with dpopKey (postmint generate or refresh wrote it)"},
			&cli.StringFlag{Name: "client", Aliases: []string{"c"}, Usage: "client definition `FILE` (its dpop_alg), with --dpop-key"},
			&cli.StringFlag{Name: "dpop-key", Usage: "the DPoP key: a private JWK `FILE` (default: the environment's dpopKey)"},
			&cli.StringFlag{Name: "method", Usage: "HTTP `METHOD` of the request (htm)"},
			&cli.StringFlag{Name: "url", Usage: "`URL` of the request (htu)"},
			&cli.StringFlag{Name: "nonce", Usage: "server `NONCE` (default: the one the environment holds for that server)"},
			&cli.StringFlag{Name: "token", Usage: "access `TOKEN` for ath (default: the environment's bearerToken; \"\" with -c: none)"},
		},
		Action: dpopAction,
	}
}

func dpopAction(c *cli.Context) error {
	ef, cf := c.String("environment"), c.String("client")
	switch {
	case ef == "" && cf == "":
		return usagef("dpop needs -e ENV (or -c CLIENT)")
	case ef != "" && cf != "":
		return usagef("give -e ENV or -c CLIENT, not both")
	case c.String("method") == "" || c.String("url") == "":
		return usagef("dpop needs --method METHOD and --url URL")
	}
	req := dpop.Request{Method: c.String("method"), URL: c.String("url"), Nonce: c.String("nonce"), AccessToken: c.String("token")}
	var s *token.Session
	var err error
	if cf != "" {
		s, err = dpopDefinitionSession(c, cf)
	} else {
		var bearer string
		s, bearer, err = dpopEnvironmentSession(c, ef)
		if !c.IsSet("token") {
			req.AccessToken = bearer
		}
	}
	if err != nil {
		return err
	}
	if !c.IsSet("nonce") {
		req.Nonce = s.NonceFor(req.URL)
	}
	proof, err := s.DPoP.Proof(req)
	if err != nil {
		return err
	}
	_, err = fmt.Fprintln(c.App.Writer, proof)
	return err
}

// dpopEnvironmentSession is the DPoP session an environment holds (its profile, dpopKey or
// --dpop-key, the nonces the collection kept) and its bearerToken.
func dpopEnvironmentSession(c *cli.Context, ef string) (*token.Session, string, error) {
	env, _, err := postman.LoadEnvironment(ef)
	if err != nil {
		return nil, "", err
	}
	s, err := keysource.DPoPSession(env, ef, c.String("dpop-key"))
	switch {
	case errors.Is(err, keysource.ErrNotDPoP):
		return nil, "", withHint(err, "add dpop: true to the definition and run postmint generate")
	case errors.Is(err, keysource.ErrNoDPoPKey):
		return nil, "", withHint(err, "run postmint refresh -e "+ef+" (it makes a DPoP key and a token bound to it)")
	}
	return s, env.Lookup(postman.VarBearerToken), err
}

// dpopDefinitionSession is a session for a definition's dpop_alg with --dpop-key, or with a
// new key that is not kept; it holds no nonce (--nonce gives one).
func dpopDefinitionSession(c *cli.Context, cf string) (*token.Session, error) {
	client, _, err := loadDefinition(c, cf)
	if err != nil {
		return nil, err
	}
	s, defaultAlg, err := keysource.DefinitionDPoPSession(client, c.String("dpop-key"))
	if defaultAlg {
		notef(c, "%s does not set dpop: true; the proof uses %s", cf, s.Profile.DPoPAlg)
	}
	if err == nil && s.NewDPoP {
		notef(c, "signed with a new DPoP key that is not kept; give --dpop-key FILE (a private JWK) to sign with yours, or use -e ENV")
	}
	return s, err
}
