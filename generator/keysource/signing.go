package keysource

import (
	"errors"
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
	"github.com/postmint/postmint/internal/safefile"
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
	if err := environmentDPoP(session, env, where, ""); err != nil {
		return nil, err
	}
	return &Signing{Session: session, Key: k, From: from, Explain: token.NewContext(p, k.Public(), nil)}, nil
}

// environmentDPoP puts a DPoP profile's state from env into s: the dpopKey (keyText instead,
// when given) and the nonces the collection kept; a new key when there is none or dpopKey is a
// Postman Vault reference (the key is in the app's vault; refresh writes the new one into the
// environment, which is then 0600).
func environmentDPoP(s *token.Session, env *postman.Environment, where, keyText string) error {
	p := s.Profile
	if !p.DPoP() {
		return nil
	}
	if keyText == "" {
		keyText = env.Lookup(postman.VarDPoPKey)
	}
	s.Nonce, s.APINonces = env.Lookup(postman.VarDPoPNonce), env.Lookup(postman.VarDPoPAPINonces)
	var err error
	if _, inVault := oauth.VaultRef(keyText); inVault || strings.TrimSpace(keyText) == "" {
		s.DPoP, err = newDPoP(p)
		s.NewDPoP = true
		return err
	}
	if s.DPoP, err = dpop.ParseKey(keyText, p.DPoPAlg); err != nil {
		return fmt.Errorf("%s: %w", where, err)
	}
	return nil
}

// Errors of DPoPSession, for the command to say what to do.
var (
	ErrNotDPoP   = errors.New("the client does not use DPoP")
	ErrNoDPoPKey = errors.New("dpopKey is empty")
)

// DPoPSession is the DPoP state of an environment, for proofs signed without the client's key
// (postmint dpop): its profile, its dpopKey (the private JWK in keyFile instead, when given)
// and the nonces the collection kept. A client without DPoP wraps ErrNotDPoP; no DPoP key
// (empty, or a Postman Vault reference) wraps ErrNoDPoPKey: a proof with a new key would
// match no token.
func DPoPSession(env *postman.Environment, name, keyFile string) (*token.Session, error) {
	where := "environment " + name
	keyText, err := readDPoPKey(keyFile)
	if err != nil {
		return nil, err
	}
	p, err := env.Profile()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", where, err)
	}
	if !p.DPoP() {
		return nil, fmt.Errorf("%s: dpopAlg: %w", where, ErrNotDPoP)
	}
	if keyText == "" {
		keyText = env.Lookup(postman.VarDPoPKey)
	}
	if vault, inVault := oauth.VaultRef(keyText); inVault {
		return nil, fmt.Errorf("%s: %w: it refers to the Postman Vault secret %s, which only the Postman app can read", where, ErrNoDPoPKey, vault)
	}
	if strings.TrimSpace(keyText) == "" {
		return nil, fmt.Errorf("%s: %w", where, ErrNoDPoPKey)
	}
	s := &token.Session{Profile: p}
	if err := environmentDPoP(s, env, where, keyText); err != nil {
		return nil, err
	}
	return s, nil
}

// DefinitionDPoPSession is a session for proofs with a definition's DPoP alg (the default
// alg, reported, when the definition does not use DPoP) and the private JWK in keyFile; with no
// keyFile, a new key that is not kept (NewDPoP). It holds no nonce.
func DefinitionDPoPSession(c *config.Client, keyFile string) (s *token.Session, defaultAlg bool, err error) {
	keyText, err := readDPoPKey(keyFile)
	if err != nil {
		return nil, false, err
	}
	alg := c.DPoPAlg
	if alg == "" {
		alg, defaultAlg = oauth.DefaultDPoPAlg, true
	}
	s = &token.Session{Profile: &oauth.Profile{DPoPAlg: alg}}
	if keyText == "" {
		s.DPoP, err = dpop.NewKey(alg)
		s.NewDPoP = true
	} else {
		s.DPoP, err = dpop.ParseKey(keyText, alg)
	}
	return s, defaultAlg, err
}

// readDPoPKey is the text of a DPoP key file (a private JWK), "" for no file.
func readDPoPKey(path string) (string, error) {
	if path == "" {
		return "", nil
	}
	data, err := safefile.Read("DPoP key", path, safefile.MaxEnv)
	return string(data), err
}

// newDPoP is a new DPoP key for a DPoP profile, nil for bearer tokens.
func newDPoP(p *oauth.Profile) (*dpop.Key, error) {
	if !p.DPoP() {
		return nil, nil
	}
	return dpop.NewKey(p.DPoPAlg)
}

// StoreToken puts a token answer into env the way the collection does: bearerToken, its
// expiry (from now) and refreshToken, and for DPoP the token type, the endpoint's nonce and,
// when the session made its DPoP key, that key's private JWK; newKey reports the last, as the
// file then holds a private key.
func (s *Signing) StoreToken(env *postman.Environment, resp *token.Response, now time.Time) (newKey bool, err error) {
	env.SetTokens(resp.AccessToken, resp.RefreshToken, resp.ExpiresAt, now)
	dk := s.Session.DPoP
	if dk == nil {
		return false, nil
	}
	jwk := ""
	if s.Session.NewDPoP {
		if jwk, err = dk.JWK(); err != nil {
			return false, err
		}
	}
	env.SetDPoP(resp.TokenType, resp.DPoPNonce, jwk)
	return jwk != "", nil
}
