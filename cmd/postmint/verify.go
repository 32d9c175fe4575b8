package main

import (
	"context"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/postmint/postmint/generator/config"
	"github.com/postmint/postmint/generator/verify"
)

func verifyCommand() *cli.Command {
	return &cli.Command{
		Name:      "verify",
		Usage:     "check a JWT's signature and claims and list every problem",
		UsageText: "postmint verify [--jwks FILE|URL | --key PUBKEY] [-c CLIENT] [--leeway DURATION] [--timeout DURATION] [--ca-file FILE] JWT\n   postmint mint -c CLIENT | postmint verify -c CLIENT -",
		Description: `Checks a signed JWT (a client assertion, say) the way a token endpoint would: the signature
against a JWKS (file or http(s) URL), a public key, a certificate, or the public half of a private
key; exp, nbf and iat; and with -c the client definition's rules: iss and sub (the client id), aud
(the preset's audience rule), lifetime, alg, typ, kid and the certificate headers.

Every problem is printed on its own line on stdout; exit status 0 only when there is none (then
"valid" and a short summary). The token is never printed. JWT is the token itself, or - to read
it from stdin. Without --jwks or --key, -c CLIENT's certificate: or private key is used.

Examples:
   postmint verify --jwks client.jwks.json eyJhbGciOi...
   postmint verify --jwks https://partner.example.com/jwks.json -c partner.yaml - < assertion.txt
   postmint mint -c client.yaml -k client.key.pem | postmint verify -c client.yaml --key client.crt.pem -`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "jwks", Usage: "JWK Set `FILE` or http(s) URL (an OpenID metadata URL works too)"},
			&cli.StringFlag{Name: "key", Aliases: []string{"k"}, Usage: "`PUBKEY` file to check the signature with: a public key, certificate, JWK(S) or private key"},
			&cli.StringFlag{Name: "key-password-file", Usage: "password `FILE` when --key (or the definition's key) is encrypted; default: $" + envKeyPassword},
			&cli.StringFlag{Name: "client", Aliases: []string{"c"}, Usage: "client definition `FILE` whose rules the token must follow"},
			&cli.DurationFlag{Name: "leeway", Usage: "clock skew `DURATION` to tolerate on exp, nbf and iat (e.g. 30s)"},
			&cli.DurationFlag{Name: "timeout", Value: 10 * time.Second, Usage: "time limit (`DURATION`) for fetching a JWKS URL"},
			&cli.StringFlag{Name: "ca-file", Usage: "extra trusted CA certificates (PEM `FILE`) for a JWKS URL; TLS verification is always on"},
		},
		Action: verifyAction,
	}
}

func verifyAction(c *cli.Context) error {
	if c.NArg() != 1 {
		return usagef("verify needs exactly one JWT argument (or - to read it from stdin), got %d", c.NArg())
	}
	if c.String("jwks") != "" && c.String("key") != "" {
		return usagef("give --jwks or --key, not both")
	}
	if c.Duration("leeway") < 0 {
		return usagef("--leeway must not be negative")
	}
	if c.String("jwks") == "" && c.String("key") == "" && c.String("client") == "" {
		return usagef("verify needs --jwks FILE|URL or --key PUBKEY (or -c CLIENT with a certificate or key)")
	}
	tok, err := readToken(c)
	if err != nil {
		return err
	}
	opt := verify.Options{Now: timeNow(), Leeway: c.Duration("leeway")}
	var client *config.Client
	if f := c.String("client"); f != "" {
		if client, _, err = loadDefinition(c, f); err != nil {
			return err
		}
	}
	var certs []*x509.Certificate
	if client != nil {
		if certs, err = verify.ClientCertificates(client); err != nil {
			return err
		}
	}
	if opt.Keys, err = verifyKeys(c, client, certs); err != nil {
		return err
	}
	if client != nil {
		opt.Rules = verify.ClientRules(client, certs, opt.Keys, c.String("jwks") != "")
	}
	res := verify.Check(tok, opt)
	w := c.App.Writer
	if !res.Valid() {
		for _, p := range res.Problems {
			fmt.Fprintln(w, oneLine(p.String()))
		}
		n := len(res.Problems)
		return fmt.Errorf("the JWT is not valid: %d problem%s", n, map[bool]string{true: "", false: "s"}[n == 1])
	}
	fmt.Fprintln(w, "valid")
	fmt.Fprintln(w, oneLine(res.Summary()))
	fmt.Fprintln(w, oneLine(verify.ClaimSummary(res.Claims, opt.Now)))
	if opt.Rules != nil {
		rules := c.String("client")
		if opt.Rules.Source != client.File {
			rules += " (" + opt.Rules.Source + ")"
		}
		fmt.Fprintf(w, "follows the rules of %s\n", rules)
	}
	return nil
}

// maxTokenSize bounds a token read from stdin; assertions are a few kilobytes.
const maxTokenSize = 1 << 20

func readToken(c *cli.Context) (string, error) {
	arg := c.Args().First()
	if arg != "-" {
		// A file's name where the token belongs (verify a.jwt): say so, instead of "malformed".
		if strings.Count(arg, ".") != 2 {
			if st, err := os.Stat(arg); err == nil && st.Mode().IsRegular() {
				return "", withHint(fmt.Errorf("verify: %s is a file, not a JWT", arg),
					fmt.Sprintf("give the token itself, or read it from the file through stdin: postmint verify ... - < %s", arg))
			}
		}
		return arg, nil
	}
	data, err := io.ReadAll(io.LimitReader(stdin, maxTokenSize+1))
	if err != nil {
		return "", fmt.Errorf("reading the JWT from stdin: %w", err)
	}
	if len(data) > maxTokenSize {
		return "", fmt.Errorf("reading the JWT from stdin: more than %d bytes; that is no JWT", maxTokenSize)
	}
	return strings.TrimSpace(string(data)), nil
}

// stdin is where "-" reads from; a variable so tests can run the command in-process.
var stdin io.Reader = os.Stdin

func loadJWKS(c *cli.Context, src string) ([]verify.PublicKey, error) {
	if !verify.IsURL(src) {
		return verify.ReadJWKS(src, "--jwks")
	}
	w, err := verify.PlainHTTPWarning(src)
	if err != nil {
		return nil, usagef("--jwks %q is not a URL", src)
	} else if w != "" {
		warnf(c, "%s", w)
	}
	ks, err := fetch(c, c.Duration("timeout"), func(ctx context.Context, hc *http.Client) ([]verify.PublicKey, error) {
		return verify.FetchJWKS(ctx, hc, src)
	})
	if errors.Is(err, context.DeadlineExceeded) {
		return nil, withHint(err, "the server did not answer within --timeout "+c.Duration("timeout").String())
	}
	return ks, err
}

// verifyKeys are the keys to check the signature with: --jwks, --key, else the definition's
// (its certificate, or the public half of $POSTMINT_PRIVATE_KEY or key:; -k names the public
// key here, so it is no private key source).
func verifyKeys(c *cli.Context, client *config.Client, certs []*x509.Certificate) ([]verify.PublicKey, error) {
	if c.String("jwks") != "" {
		return loadJWKS(c, c.String("jwks"))
	}
	src, err := keySources(c)
	if err != nil {
		return nil, err
	}
	if f := c.String("key"); f != "" {
		return verify.LoadPublicKey(f, "--key", src.Options)
	}
	src.File = ""
	ks, err := verify.DefinitionKeys(client, certs, src)
	if errors.Is(err, verify.ErrNoKey) {
		return nil, withHint(err, "pass --jwks FILE|URL or --key PUBKEY")
	}
	return ks, err
}
