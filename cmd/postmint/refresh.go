package main

import (
	"github.com/urfave/cli/v2"

	"github.com/postmint/postmint/generator/postman"
	"github.com/postmint/postmint/internal/clihelp"
	"github.com/postmint/postmint/internal/safefile"
)

func refreshCommand() *cli.Command {
	return &cli.Command{
		Name:      "refresh",
		Before:    clihelp.NoArgs(""),
		Usage:     "rewrite an environment file with a fresh clientAssertion and bearerToken",
		UsageText: "postmint refresh -e ENV [-k KEY] [--assertion-only] [-o OUT] [--timeout DURATION] [--retries N] [--ca-file FILE] [--code CODE [--code-verifier VERIFIER] | --refresh-token TOKEN]",
		Description: `Reads everything from the environment (idpServer, clientId, aud, alg, kid, ...), mints an
assertion, exchanges it, and writes clientAssertion, bearerToken and bearerTokenExpiresAt.
Every other variable and field, their order and the file mode are kept (except that a file
others can read becomes 0600 when refresh adds a DPoP private key to it); the file is replaced
atomically, and on any failure it is left byte-for-byte as it was.

Examples:
   POSTMINT_PRIVATE_KEY="$CLIENT_KEY" postmint refresh -e acme.postman_environment.json
   postmint refresh -e env.json -k client.key.pem --assertion-only
   postmint refresh -e kit/env.json -o /tmp/ci-env.json && newman run kit/coll.json -e /tmp/ci-env.json --folder API`,
		Flags: append(append(sourceFlags(),
			&cli.BoolFlag{Name: "assertion-only", Usage: "only refresh clientAssertion; do not call the token endpoint"},
			&cli.StringFlag{Name: "out", Aliases: []string{"o"}, Usage: "write the refreshed environment to `OUT` instead of in place"},
		), httpFlags()...),
		Action: refreshAction,
	}
}

func refreshAction(c *cli.Context) error {
	s, err := loadSigning(c, true)
	if err != nil {
		return err
	}
	out, mode, err := safefile.Output(s.envPath, s.envMode, c.String("out"))
	if err != nil {
		return err
	}
	a, err := s.Session.Mint()
	if err != nil {
		return err
	}
	s.env.Set(postman.VarClientAssertion, a, postman.TypeSecret)
	if !c.Bool("assertion-only") {
		resp, err := exchange(c, s)
		if err != nil {
			return err
		}
		newKey, err := s.StoreToken(s.env, resp, timeNow())
		if err != nil {
			return err
		}
		if newKey && mode&0o077 != 0 {
			// A private key never goes into a file others can read (a kit's environment is
			// 0644 until its first refresh; so is a git checkout).
			notef(c, "%s now holds a DPoP private key, so it is written with mode 0600 (it was %04o)", out, mode.Perm())
			mode = 0o600
		}
	}
	data, err := s.env.Marshal()
	if err != nil {
		return err
	}
	if err := safefile.Write(out, data, mode); err != nil {
		return err
	}
	what := "clientAssertion and bearerToken"
	if c.Bool("assertion-only") {
		what = "clientAssertion"
	}
	if w := safefile.ModeWarning(out, mode, what); w != "" {
		warnf(c, "%s", w)
	}
	notef(c, "refreshed %s in %s", what, out)
	return nil
}
