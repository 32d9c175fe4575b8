package main

import (
	"fmt"
	"os"

	"github.com/urfave/cli/v2"

	"github.com/postmint/postmint/generator"
	"github.com/postmint/postmint/generator/keys"
	"github.com/postmint/postmint/generator/oauth"
	"github.com/postmint/postmint/generator/postman"
	"github.com/postmint/postmint/generator/token"
)

// signing is what mint, token and refresh need: the minting profile, the key, and what the
// error explanations should know.
type signing struct {
	profile *oauth.Profile
	key     *keys.Key
	explain token.Context
	// For -e: the environment, its path and its mode (refresh writes it back).
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
		m, err := material(c, client)
		if err != nil {
			return nil, err
		}
		if m.Key == nil {
			return nil, withHint(fmt.Errorf("%s: no private key", cf), "pass -k KEY, set "+envPrivateKey+", or add key: to the definition")
		}
		p, warnings, err := generator.BuildProfile(client, m)
		if err != nil {
			return nil, err
		}
		for _, w := range append(client.Warnings, warnings...) {
			fmt.Fprintf(c.App.ErrWriter, "postmint: warning: %s\n", w)
		}
		discoveryWarnings(c, meta, client, p.Alg)
		s := &signing{profile: p, key: m.Key}
		s.explain = generator.ExplainContext(p, m.Key, client)
		return s, nil
	}
	data, err := readInput("environment", ef, maxEnvFile)
	if err != nil {
		return nil, err
	}
	st, err := os.Stat(ef)
	if err != nil {
		return nil, fmt.Errorf("reading environment %s: %w", ef, unwrapPath(err))
	}
	env, err := postman.ParseEnvironment(data)
	if err != nil {
		return nil, fmt.Errorf("reading environment %s: %w", ef, err)
	}
	p, err := env.Profile()
	if err != nil {
		return nil, fmt.Errorf("environment %s: %w", ef, err)
	}
	k, err := loadKey(c, "", env.Lookup(postman.VarPrivateKey))
	if err != nil {
		return nil, err
	}
	if k == nil {
		return nil, withHint(fmt.Errorf("environment %s: no private key: privateKey is empty", ef), "pass -k KEY or set "+envPrivateKey+" (the CI secret)")
	}
	if err := k.CheckAlg(p.Alg); err != nil {
		return nil, fmt.Errorf("environment %s: alg: %w", ef, err)
	}
	s := &signing{profile: p, key: k, env: env, envPath: ef, envMode: st.Mode().Perm()}
	s.explain = generator.ExplainContext(p, k, nil)
	return s, nil
}
