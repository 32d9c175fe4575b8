package main

import (
	"fmt"
	"os"
	"strings"

	"github.com/urfave/cli/v2"

	"github.com/postmint/postmint/generator/dpop"
	"github.com/postmint/postmint/generator/keys"
	"github.com/postmint/postmint/generator/oauth"
	"github.com/postmint/postmint/generator/postman"
	"github.com/postmint/postmint/generator/profile"
	"github.com/postmint/postmint/generator/token"
	"github.com/postmint/postmint/internal/safefile"
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
	// For DPoP clients: the DPoP key (the environment's dpopKey, or a new one when newDPoP)
	// and the token endpoint's last nonce.
	dpop      *dpop.Key
	newDPoP   bool
	dpopNonce string
}

// loadDPoP takes the environment's DPoP key (nil env, an empty dpopKey or a Postman Vault
// reference: a new one).
func (s *signing) loadDPoP(env *postman.Environment, where string) error {
	if !s.profile.DPoP() {
		return nil
	}
	text := ""
	if env != nil {
		text, s.dpopNonce = env.Lookup(postman.VarDPoPKey), env.Lookup(postman.VarDPoPNonce)
	}
	var err error
	// A Postman Vault reference: the key is in the app's vault, so a new one is made here (and
	// refresh writes it into the environment, which is then 0600).
	if _, inVault := oauth.VaultRef(text); inVault || strings.TrimSpace(text) == "" {
		s.dpop, err = dpop.NewKey(s.profile.DPoPAlg)
		s.newDPoP = true
		return err
	}
	if s.dpop, err = dpop.ParseKey(text, s.profile.DPoPAlg); err != nil {
		return fmt.Errorf("%s: %w", where, err)
	}
	return nil
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
		p, warnings, err := profile.Build(client, m)
		if err != nil {
			return nil, err
		}
		for _, w := range append(client.Warnings, warnings...) {
			fmt.Fprintf(c.App.ErrWriter, "postmint: warning: %s\n", w)
		}
		discoveryWarnings(c, meta, client, p.Alg)
		s := &signing{profile: p, key: m.Key}
		s.explain = token.NewContext(p, m.Key.Public(), client)
		return s, s.loadDPoP(nil, cf)
	}
	env, mode, err := readEnvironment(ef)
	if err != nil {
		return nil, err
	}
	p, err := env.Profile()
	if err != nil {
		return nil, fmt.Errorf("environment %s: %w", ef, err)
	}
	// A Postman Vault reference is the Postman app's to read: here the key comes from -k or
	// the environment variable.
	envKey := env.Lookup(postman.VarPrivateKey)
	vaultName, inVault := oauth.VaultRef(envKey)
	if inVault {
		envKey = ""
	}
	k, err := loadKey(c, "", envKey)
	if err != nil {
		return nil, err
	}
	if k == nil && inVault {
		return nil, withHint(fmt.Errorf("environment %s: no private key: privateKey refers to the Postman Vault secret %s, which only the Postman app can read", ef, vaultName), "pass -k KEY or set "+envPrivateKey+" (the CI secret)")
	}
	if k == nil {
		return nil, withHint(fmt.Errorf("environment %s: no private key: privateKey is empty", ef), "pass -k KEY or set "+envPrivateKey+" (the CI secret)")
	}
	if err := k.CheckAlg(p.Alg); err != nil {
		return nil, fmt.Errorf("environment %s: alg: %w", ef, err)
	}
	s := &signing{profile: p, key: k, env: env, envPath: ef, envMode: mode}
	s.explain = token.NewContext(p, k.Public(), nil)
	return s, s.loadDPoP(env, "environment "+ef)
}

// readEnvironment reads and parses an environment file, with its permission bits.
func readEnvironment(path string) (*postman.Environment, os.FileMode, error) {
	data, err := safefile.Read("environment", path, safefile.MaxEnv)
	if err != nil {
		return nil, 0, err
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, 0, fmt.Errorf("reading environment %s: %w", path, unwrapPath(err))
	}
	env, err := postman.ParseEnvironment(data)
	if err != nil {
		return nil, 0, fmt.Errorf("reading environment %s: %w", path, err)
	}
	return env, safefile.Perm(path, st), nil
}
