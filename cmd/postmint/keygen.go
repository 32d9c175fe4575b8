package main

import (
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/postmint/postmint/generator/keys"
	"github.com/postmint/postmint/generator/keysource"
	"github.com/postmint/postmint/internal/clihelp"
	"github.com/postmint/postmint/internal/safefile"
)

func keygenCommand() *cli.Command {
	return &cli.Command{
		Name:      "keygen",
		Before:    clihelp.NoArgs(""),
		Usage:     "make a new signing key: PKCS#8 PEM, public JWK and JWKS, and optionally a self-signed certificate",
		UsageText: "postmint keygen --alg ALG [--bits BITS] [--kid KID] [--name NAME] [-o DIR] [--cert [--subject DN] [--days DAYS]] [--password-file FILE] [--force]",
		Description: `Writes DIR/NAME.key.pem (the private key, PKCS#8, mode 0600, encrypted with the password from
--password-file when given), DIR/NAME.jwk.json (the public JWK) and DIR/NAME.jwks.json (a JWK Set
holding it, for the identity provider or a jwks_uri), and with --cert DIR/NAME.crt.pem, a
self-signed certificate (the JWK then carries x5c and x5t#S256). The kid defaults to the key's
RFC 7638 thumbprint. Existing files are never replaced unless --force is given; on any error
nothing is written. Prints each written path.

Examples:
   postmint keygen --alg ES256 --name acme -o keys
   postmint keygen --alg RS256 --bits 3072 --cert --subject "CN=acme,O=Acme AS" --days 730 --password-file pw.txt`,
		Flags: []cli.Flag{
			&cli.StringFlag{Name: "alg", Usage: "JOSE `ALG` the key signs with: " + strings.Join(keys.NewFilesAlgs, ", ")},
			&cli.IntFlag{Name: "bits", Value: 2048, Usage: "RSA key size in `BITS`: 2048, 3072 or 4096"},
			&cli.StringFlag{Name: "kid", Usage: "key id `KID` in the JWK (default: the RFC 7638 thumbprint)"},
			&cli.StringFlag{Name: "name", Value: "client", Usage: "file `NAME` prefix"},
			&cli.StringFlag{Name: "out", Aliases: []string{"o"}, Value: ".", Usage: "output `DIR` (created when missing)"},
			&cli.BoolFlag{Name: "cert", Usage: "also write a self-signed certificate NAME.crt.pem"},
			&cli.StringFlag{Name: "subject", Usage: "certificate subject `DN`, \"CN=acme,O=Acme\" or \"/O=Acme/CN=acme\" (default: CN=NAME)"},
			&cli.IntFlag{Name: "days", Value: 365, Usage: "certificate validity in `DAYS`"},
			&cli.StringFlag{Name: "password-file", Usage: "encrypt the private key with the password in `FILE`"},
			&cli.BoolFlag{Name: "force", Usage: "replace existing files"},
		},
		Action: keygenAction,
	}
}

func keygenAction(c *cli.Context) error {
	alg, kind, err := keygenKind(c)
	if err != nil {
		return err
	}
	name := c.String("name")
	if name == "" || name != filepath.Base(name) || strings.HasPrefix(name, ".") {
		return usagef("--name %q must be a plain file name prefix (no directory, not starting with a dot); use -o DIR for the directory", name)
	}
	withCert := c.Bool("cert")
	if !withCert && (c.IsSet("subject") || c.IsSet("days")) {
		return usagef("--subject and --days describe the certificate: add --cert")
	}
	if days := c.Int("days"); days < 1 || days > 36500 {
		return usagef("--days %d: give a number of days from 1 to 36500", days)
	}
	password, err := keysource.Password(c.String("password-file"), "--password-file", "")
	if err != nil {
		return err
	}
	if password != nil && len(password) == 0 {
		return fmt.Errorf("--password-file %s is empty; put the password in it, or leave the flag out for an unencrypted key", c.String("password-file"))
	}

	files, kid, err := keys.NewFiles(keys.FileOptions{
		Name: name, Alg: alg, Kind: kind, Kid: c.String("kid"), Password: password,
		Cert: withCert, Subject: c.String("subject"), Days: c.Int("days"), Now: timeNow(),
	})
	if err != nil {
		return err
	}
	out := make([]safefile.File, len(files))
	for i, f := range files {
		out[i] = safefile.File{Name: f.Name, Data: f.Data, Secret: f.Secret}
	}
	write := safefile.WriteNew
	if c.Bool("force") {
		write = safefile.WriteAll
	}
	paths, err := write(c.String("out"), out)
	if errors.As(err, new(*safefile.ExistsError)) {
		return withHint(err, "pass --force to replace them, or choose another --name or -o DIR")
	}
	printPaths(c, paths)
	if err != nil {
		return err
	}
	// The kid is in the JWKS the provider registers; an assertion that does not carry it may be
	// refused by a provider that looks keys up by kid. The definition is where it goes.
	notef(c, "kid %s: put `kid: %s` in the client definition so that assertions carry it", kid, kid)
	return nil
}

// keygenKind checks --alg and --bits and returns the alg and the keys.Generate kind.
func keygenKind(c *cli.Context) (string, string, error) {
	alg := c.String("alg")
	if alg == "" {
		return "", "", usagef("keygen needs --alg ALG (%s)", strings.Join(keys.NewFilesAlgs, ", "))
	}
	bits := 0
	if c.IsSet("bits") {
		if bits = c.Int("bits"); bits == 0 {
			bits = -1 // --bits 0 is no size, not the default
		}
	}
	alg, kind, err := keys.KindFor(alg, bits)
	switch {
	case errors.Is(err, keys.ErrAlgNotMade):
		return "", "", usagef("--alg %q is not one keygen makes keys for; use one of %s", c.String("alg"), strings.Join(keys.NewFilesAlgs, ", "))
	case errors.Is(err, keys.ErrBitsNotRSA):
		return "", "", usagef("--bits is for RSA keys (RS*/PS*); a %s key's size follows from its curve", alg)
	case errors.Is(err, keys.ErrBitsUnknown):
		return "", "", usagef("--bits %d: RSA keys are 2048, 3072 or 4096 bits", c.Int("bits"))
	}
	return alg, kind, err
}
