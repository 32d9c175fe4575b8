package keysource

import (
	"fmt"
	"strings"
	"time"

	"github.com/postmint/postmint/generator/config"
	"github.com/postmint/postmint/generator/dpop"
	"github.com/postmint/postmint/generator/keys"
	"github.com/postmint/postmint/generator/oauth"
	"github.com/postmint/postmint/generator/postman"
	"github.com/postmint/postmint/generator/profile"
	"github.com/postmint/postmint/generator/token"
)

// Signing is what mint, token and refresh sign and exchange with: the token session (profile,
// signer, DPoP key and nonce), the private key and where it came from, and what the
// explanation of a refused token request should know.
type Signing struct {
	Session *token.Session
	Key     *keys.Key
	From    Origin
	Explain token.Context
	// Warnings are the definition's and the profile's (ForClient), for the command to say.
	Warnings []string
}

// ForClient is the signing of a resolved client definition: the key from s (the definition's
// key: as its third source), its certificates, the profile built from both, and a new DPoP
// key when the client uses DPoP. No key anywhere is an error wrapping ErrNoKey.
func ForClient(c *config.Client, s Sources, now time.Time) (*Signing, error) {
	m, from, err := Material(c, s, now)
	if err != nil {
		return nil, err
	}
	if m.Key == nil {
		return nil, fmt.Errorf("%s: %w", c.File, ErrNoKey)
	}
	p, warnings, err := profile.Build(c, m)
	if err != nil {
		return nil, err
	}
	session := &token.Session{Profile: p, Signer: m.Key.Signer}
	if session.DPoP, err = newDPoP(p); err != nil {
		return nil, err
	}
	session.NewDPoP = session.DPoP != nil
	return &Signing{
		Session:  session,
		Key:      m.Key,
		From:     from,
		Explain:  token.NewContext(p, m.Key.Public(), c),
		Warnings: append(append([]string(nil), c.Warnings...), warnings...),
	}, nil
}

// ForEnvironment is the signing of a Postman environment written by postmint generate, named
// name in errors: the profile from its variables, the key from s with the environment's
// privateKey as the last source (s.Environment is set here), checked against the alg, and for
// DPoP the environment's dpopKey and nonce, or a new key when dpopKey is empty or a Postman
// Vault reference. No key anywhere is an error wrapping ErrNoKey that says why.
func ForEnvironment(env *postman.Environment, name string, s Sources) (*Signing, error) {
	where := "environment " + name
	p, err := env.Profile()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	s.Environment = env.Lookup(postman.VarPrivateKey)
	k, from, err := s.Private()
	if err != nil {
		return nil, err
	}
	if k == nil {
		if vault, inVault := oauth.VaultRef(s.Environment); inVault {
			return nil, fmt.Errorf("%s: %w: privateKey refers to the Postman Vault secret %s, which only the Postman app can read", where, ErrNoKey, vault)
		}
		return nil, fmt.Errorf("%s: %w: privateKey is empty", where, ErrNoKey)
	}
	if err := k.CheckAlg(p.Alg); err != nil {
		return nil, fmt.Errorf("%s: alg: %w", where, err)
	}
	session := &token.Session{Profile: p, Signer: k.Signer}
	if p.DPoP() {
		text := env.Lookup(postman.VarDPoPKey)
		session.Nonce = env.Lookup(postman.VarDPoPNonce)
		// A Postman Vault reference: the key is in the app's vault, so a new one is made here
		// (and refresh writes it into the environment, which is then 0600).
		if _, inVault := oauth.VaultRef(text); inVault || strings.TrimSpace(text) == "" {
			session.DPoP, err = newDPoP(p)
			session.NewDPoP = true
		} else if session.DPoP, err = dpop.ParseKey(text, p.DPoPAlg); err != nil {
			err = fmt.Errorf("%s: %w", where, err)
		}
		if err != nil {
			return nil, err
		}
	}
	return &Signing{Session: session, Key: k, From: from, Explain: token.NewContext(p, k.Public(), nil)}, nil
}

// newDPoP is a new DPoP key for a DPoP profile, nil for bearer tokens.
func newDPoP(p *oauth.Profile) (*dpop.Key, error) {
	if !p.DPoP() {
		return nil, nil
	}
	return dpop.NewKey(p.DPoPAlg)
}
