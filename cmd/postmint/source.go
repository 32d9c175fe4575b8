package main

import (
	"errors"
	"fmt"
	"os"

	"github.com/urfave/cli/v2"

	"github.com/postmint/postmint/generator/keysource"
	"github.com/postmint/postmint/generator/postman"
)

// signing is what mint, token and refresh work with: keysource's signing (the token session,
// the key, the explanation's context) and, for -e, the environment, its path and its mode
// (refresh writes it back).
type signing struct {
	*keysource.Signing
	env     *postman.Environment
	envPath string
	envMode os.FileMode
}

func sourceFlags() []cli.Flag {
	return append([]cli.Flag{
		&cli.StringFlag{Name: "client", Aliases: []string{"c"}, Usage: "client definition `FILE`"},
		&cli.StringFlag{Name: "environment", Aliases: []string{"e"}, Usage: "Postman environment `FILE` written by postmint generate"},
	}, keyFlags()...)
}

// loadSigning reads -c or -e (exactly one) and the key.
func loadSigning(c *cli.Context, requireEnv bool) (*signing, error) {
	cf, ef := c.String("client"), c.String("environment")
	switch {
	case requireEnv && ef == "":
		return nil, usagef("%s needs -e ENV (a Postman environment file)", c.Command.Name)
	case requireEnv && cf != "":
		return nil, usagef("%s reads everything from -e ENV; -c is not used here", c.Command.Name)
	case cf == "" && ef == "":
		return nil, usagef("%s needs -c CLIENT or -e ENV", c.Command.Name)
	case cf != "" && ef != "":
		return nil, usagef("give -c CLIENT or -e ENV, not both")
	}
	if cf != "" {
		client, meta, err := loadDefinition(c, cf)
		if err != nil {
			return nil, err
		}
		src, err := keySources(c)
		if err != nil {
			return nil, err
		}
		ks, err := keysource.ForClient(client, src, timeNow())
		if errors.Is(err, keysource.ErrNoKey) {
			return nil, withHint(err, "pass -k KEY, set "+envPrivateKey+", or add key: to the definition")
		}
		if err != nil {
			return nil, storePasswordHint(err, src.Options)
		}
		for _, w := range ks.Warnings {
			fmt.Fprintf(c.App.ErrWriter, "postmint: warning: %s\n", w)
		}
		discoveryWarnings(c, meta, client, ks.Session.Profile.Alg)
		return &signing{Signing: ks}, nil
	}
	env, mode, err := postman.LoadEnvironment(ef)
	if err != nil {
		return nil, err
	}
	src, err := keySources(c)
	if err != nil {
		return nil, err
	}
	ks, err := keysource.ForEnvironment(env, ef, src)
	if errors.Is(err, keysource.ErrNoKey) {
		return nil, withHint(err, "pass -k KEY or set "+envPrivateKey+" (the CI secret)")
	}
	if err != nil {
		return nil, storePasswordHint(err, src.Options)
	}
	return &signing{Signing: ks, env: env, envPath: ef, envMode: mode}, nil
}
