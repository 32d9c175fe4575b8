package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/urfave/cli/v2"

	"github.com/postmint/postmint/generator/config"
	"github.com/postmint/postmint/generator/discovery"
	"github.com/postmint/postmint/generator/keys"
	"github.com/postmint/postmint/generator/keysource"
	"github.com/postmint/postmint/generator/profile"
	"github.com/postmint/postmint/generator/token"
)

// Environment variables read by postmint.
const (
	envPrivateKey    = "POSTMINT_PRIVATE_KEY"
	envKeyPassword   = "POSTMINT_KEY_PASSWORD"
	envStorePassword = "POSTMINT_STORE_PASSWORD"
)

func keyFlags() []cli.Flag {
	return []cli.Flag{
		&cli.StringFlag{Name: "key", Aliases: []string{"k"}, Usage: "private key `FILE` (PEM, JWK, JWKS, PKCS#12, JKS); default: $" + envPrivateKey + ", then the definition's key:"},
		&cli.StringFlag{Name: "key-password-file", Usage: "read the key password (also the store's, unless --store-password-file) from `FILE`; default: $" + envKeyPassword},
		&cli.StringFlag{Name: "store-password-file", Usage: "read a JKS/PKCS#12 store password that differs from the key's from `FILE`; default: $" + envStorePassword},
		&cli.StringFlag{Name: "key-alias", Usage: "entry `ALIAS` in a JKS/PKCS#12 store, or kid in a JWKS"},
	}
}

// keySources is what the user gave for the private key (-k, $POSTMINT_PRIVATE_KEY) and its
// passwords; keysource takes them in the contract's order.
// The key's password comes from --key-password-file or $POSTMINT_KEY_PASSWORD, a store's from
// --store-password-file or $POSTMINT_STORE_PASSWORD; with only one, it opens both the store
// and the key (keytool's default).
func keySources(c *cli.Context) (keysource.Sources, error) {
	src := keysource.Sources{File: c.String("key"), FileFlag: "-k", Value: getenv(envPrivateKey), Options: keys.Options{Alias: c.String("key-alias")}}
	var err error
	if src.Options.Password, err = keysource.Password(c.String("key-password-file"), "--key-password-file", getenv(envKeyPassword)); err != nil {
		return src, err
	}
	src.Options.StorePassword, err = keysource.Password(c.String("store-password-file"), "--store-password-file", getenv(envStorePassword))
	return src, err
}

// storePasswordHint names the flags for a wrong store or entry password (the keys package
// speaks of "the store-password setting", knowing nothing of flags); which password it was
// comes from the error's kind, never from its text.
func storePasswordHint(err error, opt keys.Options) error {
	var ke *keys.Error
	if !errors.As(err, &ke) {
		return err
	}
	switch {
	case errors.Is(err, keys.ErrWrongStorePassword):
		ke.Hint = "check the store password: --store-password-file F or $" + envStorePassword + ", else --key-password-file F or $" + envKeyPassword
	case errors.Is(err, keys.ErrWrongEntryPassword) && opt.Password == nil:
		ke.Hint = "give the entry's key password with --key-password-file F (or $" + envKeyPassword + ")"
	case errors.Is(err, keys.ErrWrongEntryPassword):
		ke.Hint = "the entry has a key password of its own: give it with --key-password-file F (or $" + envKeyPassword +
			") and the store password with --store-password-file F (or $" + envStorePassword + ")"
	}
	return err
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
		for _, note := range def.ApplyDiscovery(meta) {
			notef(c, "%s", note)
		}
		if err := def.CheckPAR(meta); err != nil {
			return nil, nil, err
		}
	}
	client, err := def.Resolve()
	if hint := def.GrantHint(err); hint != "" {
		return nil, nil, withHint(err, hint)
	}
	return client, meta, err
}

// discover reads the issuer's metadata with the same HTTP settings as token requests: within
// --timeout where the command has it and it was given, else 15 seconds.
func discover(c *cli.Context, issuer string) (*discovery.Metadata, error) {
	timeout := 15 * time.Second
	if c.IsSet("timeout") && c.Duration("timeout") > 0 {
		timeout = c.Duration("timeout")
	}
	return fetch(c, timeout, func(ctx context.Context, hc *http.Client) (*discovery.Metadata, error) {
		return discovery.Fetch(ctx, hc, issuer)
	})
}

// fetch runs get (one metadata or JWKS read) with an HTTP client that trusts --ca-file and
// within timeout.
func fetch[T any](c *cli.Context, timeout time.Duration, get func(context.Context, *http.Client) (T, error)) (T, error) {
	var none T
	tc, err := token.NewClient(token.Options{Timeout: timeout, MaxTries: 1, CAFile: c.String("ca-file"), UserAgent: userAgent()})
	if err != nil {
		return none, err
	}
	ctx, cancel := context.WithTimeout(c.Context, timeout)
	defer cancel()
	return get(ctx, tc.HTTP())
}

// discoveryWarnings prints where the definition and the server's metadata disagree.
func discoveryWarnings(c *cli.Context, meta *discovery.Metadata, client *config.Client, alg string) {
	if meta == nil {
		return
	}
	for _, w := range discovery.Check(meta, client.Expectation(alg)) {
		warnf(c, "%s", w)
	}
}

// material loads the key and the certificate chain for a client.
func material(c *cli.Context, client *config.Client) (profile.Material, error) {
	src, err := keySources(c)
	if err != nil {
		return profile.Material{}, err
	}
	m, _, err := keysource.Material(client, src, timeNow())
	return m, storePasswordHint(err, src.Options)
}
