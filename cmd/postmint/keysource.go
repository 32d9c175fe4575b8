package main

import (
	"context"
	"crypto/x509"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/postmint/postmint/generator"
	"github.com/postmint/postmint/generator/config"
	"github.com/postmint/postmint/generator/discovery"
	"github.com/postmint/postmint/generator/keys"
	"github.com/postmint/postmint/generator/token"
)

// Environment variables read by postmint.
const (
	envPrivateKey  = "POSTMINT_PRIVATE_KEY"
	envKeyPassword = "POSTMINT_KEY_PASSWORD"
)

func keyFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "key", Aliases: []string{"k"}, Usage: "private key `FILE` (PEM, JWK, JWKS, PKCS#12, JKS); default: $" + envPrivateKey + ", then the definition's key:"},
		&cli.StringFlag{Name: "key-password-file", Usage: "read the key (or key store) password from `FILE`; default: $" + envKeyPassword},
		&cli.StringFlag{Name: "key-alias", Usage: "entry `ALIAS` in a JKS/PKCS#12 store, or kid in a JWKS"},
	}
}

func keyOptions(c *cli.Context) (keys.Options, error) {
	opt := keys.Options{Alias: c.String("key-alias")}
	if f := c.String("key-password-file"); f != "" {
		b, err := os.ReadFile(f)
		if err != nil {
			return opt, fmt.Errorf("reading --key-password-file %s: %w", f, unwrapPath(err))
		}
		opt.Password = []byte(strings.TrimRight(string(b), "\r\n"))
	} else if p := getenv(envKeyPassword); p != "" {
		opt.Password = []byte(p)
	}
	return opt, nil
}

func unwrapPath(err error) error {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err
	}
	return err
}

// loadKey finds the private key in the contract's order: -k, $POSTMINT_PRIVATE_KEY, the
// definition's key:, then (for -e) the environment's privateKey. It returns nil, nil when
// there is none anywhere.
func loadKey(c *cli.Context, defKeyPath, envKeyText string) (*keys.Key, error) {
	opt, err := keyOptions(c)
	if err != nil {
		return nil, err
	}
	switch {
	case c.String("key") != "":
		return keys.Load(c.String("key"), opt)
	case getenv(envPrivateKey) != "":
		return keys.FromEnv(getenv(envPrivateKey), opt)
	case defKeyPath != "":
		return keys.Load(defKeyPath, opt)
	case strings.TrimSpace(envKeyText) != "":
		return keys.Parse([]byte(envKeyText), "the environment's privateKey", opt)
	}
	return nil, nil
}

// loadDefinition reads and resolves a client definition. When it names an issuer but an
// endpoint neither it nor its preset provides, the server's metadata fills the gap, and
// postmint says what it discovered (never silently).
func loadDefinition(c *cli.Context, path string) (*config.Client, *discovery.Metadata, error) {
	def, err := config.Load(path)
	if err != nil {
		return nil, nil, err
	}
	var meta *discovery.Metadata
	if def.NeedsDiscovery() {
		if meta, err = discover(c, def.Issuer); err != nil {
			return nil, nil, withHint(fmt.Errorf("%s: token_url: not given, and %w", path, err), "add token_url: (and authorization_endpoint: for authorization_code) to the definition")
		}
		if def.TokenURL == "" {
			def.TokenURL = meta.TokenEndpoint
			fmt.Fprintf(c.App.ErrWriter, "postmint: discovered token_url %s (from %s)\n", meta.TokenEndpoint, meta.URL)
		}
		if def.AuthorizationEndpoint == "" && meta.AuthorizationEndpoint != "" && def.GrantType == config.GrantAuthorizationCode {
			def.AuthorizationEndpoint = meta.AuthorizationEndpoint
			fmt.Fprintf(c.App.ErrWriter, "postmint: discovered authorization_endpoint %s (from %s)\n", meta.AuthorizationEndpoint, meta.URL)
		}
	}
	client, err := def.Resolve()
	return client, meta, err
}

// discover reads the issuer's metadata with the same HTTP settings as token requests.
func discover(c *cli.Context, issuer string) (*discovery.Metadata, error) {
	tc, err := token.NewClient(token.Options{Timeout: 15 * time.Second, CAFile: c.String("ca-file"), UserAgent: userAgent()})
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(c.Context, 15*time.Second)
	defer cancel()
	return discovery.Fetch(ctx, tc.HTTP(), issuer)
}

// discoveryWarnings prints where the definition and the server's metadata disagree.
func discoveryWarnings(c *cli.Context, meta *discovery.Metadata, client *config.Client, alg string) {
	if meta == nil {
		return
	}
	for _, w := range discovery.Check(meta, expectation(client, alg)) {
		fmt.Fprintf(c.App.ErrWriter, "postmint: warning: %s\n", w)
	}
}

func expectation(client *config.Client, alg string) discovery.Expectation {
	e := discovery.Expectation{Issuer: client.Issuer, TokenURL: client.TokenURL, Alg: alg, GrantType: client.GrantWire(), AuthMethod: "private_key_jwt"}
	if client.GrantType == config.GrantJWTBearer {
		e.AuthMethod, e.Alg = "", ""
	}
	return e
}

// material loads the key and the certificate chain for a client.
func material(c *cli.Context, client *config.Client) (generator.Material, error) {
	var m generator.Material
	k, err := loadKey(c, client.KeyPath, "")
	if err != nil {
		return m, err
	}
	m.Key = k
	var certs []*x509.Certificate
	if client.CertPath != "" {
		if certs, err = keys.LoadCertificates(client.CertPath); err != nil {
			return m, err
		}
	} else if k != nil {
		certs = k.Certificates
	}
	m.Certificates = certs
	return m, nil
}
