// Package keysource finds a client's key in the contract's order and returns what it found as
// values: the private key and where it came from, the certificate chain, and (for --no-key,
// kits and verify) the public material with the alg and kid it chooses. It never changes the
// client definition, reads every file through internal/boundedread, and knows no flags: the
// command passes in what it was given and words the hints.
package keysource

import (
	"cmp"
	"crypto/x509"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/postmint/postmint/generator/config"
	"github.com/postmint/postmint/generator/keys"
	"github.com/postmint/postmint/generator/oauth"
	"github.com/postmint/postmint/generator/profile"
	"github.com/postmint/postmint/internal/boundedread"
	"github.com/postmint/postmint/internal/safefile"
)

// ErrNoKey: none of the sources holds a private key. The error that wraps it says which
// sources were looked at; the command adds how to give one.
var ErrNoKey = errors.New("no private key")

// Origin is where a private key came from.
type Origin int

// The sources of a private key, in the contract's order (None: no key anywhere).
const (
	None        Origin = iota
	File               // the file the command was given (-k)
	Value              // the key's text in an environment variable (POSTMINT_PRIVATE_KEY)
	Definition         // the definition's key:
	Environment        // a Postman environment's privateKey
)

// String names the origin the way the README's key section does.
func (o Origin) String() string {
	switch o {
	case File:
		return "key file"
	case Value:
		return keys.EnvVar
	case Definition:
		return "the definition's key:"
	case Environment:
		return "the environment's privateKey"
	}
	return "none"
}

// Sources are the places a private key may come from; the first one given wins, in the
// contract's order: File, Value, Definition, Environment.
type Sources struct {
	File       string // path of the key file the user named (-k)
	FileFlag   string // how messages name File's source when it is read as public material ("-k")
	Value      string // the key's text (POSTMINT_PRIVATE_KEY)
	Definition string // the definition's key:, resolved to a path
	// Environment is an environment's privateKey text; a Postman Vault reference
	// {{vault:NAME}} counts as no key (only the Postman app reads the vault).
	Environment string
	Options     keys.Options // passwords and the store alias
}

// Private loads the private key from the first source given. It returns nil, None, nil when
// there is none anywhere.
func (s Sources) Private() (*keys.Key, Origin, error) {
	var k *keys.Key
	var err error
	var from Origin
	switch {
	case s.File != "":
		from = File
		k, err = keys.Load(s.File, s.Options)
	case s.Value != "":
		from = Value
		k, err = keys.FromEnv(s.Value, s.Options)
	case s.Definition != "":
		from = Definition
		k, err = keys.Load(s.Definition, s.Options)
	case s.environmentKey() != "":
		from = Environment
		k, err = keys.Parse([]byte(s.Environment), "the environment's privateKey", s.Options)
	default:
		return nil, None, nil
	}
	if err != nil {
		return nil, from, err
	}
	return k, from, nil
}

// environmentKey is the environment's key text, "" for none or a Postman Vault reference.
func (s Sources) environmentKey() string {
	if _, inVault := oauth.VaultRef(s.Environment); inVault {
		return ""
	}
	return strings.TrimSpace(s.Environment)
}

// ForClient sets the definition's key: of c as the Definition source.
func (s Sources) ForClient(c *config.Client) Sources {
	s.Definition = c.KeyPath
	return s
}

// Material loads the private key (s with c's key:) and the certificate chain a client signs
// with: the definition's certificate: (leaf first when the key's certificate is in it), else
// the certificates that came with the key. Key is nil when no source holds one.
func Material(c *config.Client, s Sources, now time.Time) (profile.Material, Origin, error) {
	m := profile.Material{Now: now}
	k, from, err := s.ForClient(c).Private()
	if err != nil {
		return m, from, err
	}
	m.Key = k
	var certs []*x509.Certificate
	if c.CertPath != "" {
		if certs, err = keys.LoadCertificates(c.CertPath); err != nil {
			return m, from, err
		}
		if k != nil {
			// A chain written in any order; one without the key's certificate is left as it
			// is, for profile.Build to refuse.
			certs, _ = keys.LeafFirst(k.Public(), certs)
		}
	} else if k != nil {
		certs = k.Certificates
	}
	m.Certificates = certs
	return m, from, nil
}

// NoKeyMaterial is the key material of a collection that will hold no private key (generate
// --no-key or --vault), so none is needed: a private key from s is used when there is one;
// else s.File may name a public key, certificate or public JWK, which chooses alg, kid and
// the x5c chain (PublicChoice); with no key at all, profile.ChooseAlg's rule applies and
// defaulted reports its last case (callers say profile.DefaultAlgNote).
func NoKeyMaterial(c *config.Client, s Sources, now time.Time) (m profile.Material, defaulted bool, err error) {
	m, _, err = Material(c, s, now)
	if err != nil {
		if s.File == "" {
			return m, false, err
		}
		pub, perr := ReadPublic(s.File, s.FileFlag)
		if perr != nil {
			return m, false, err // not public material either: the private key's error says more
		}
		return publicMaterial(c, pub, s.File, now)
	}
	if m.Key == nil {
		_, defaulted = profile.ChooseAlg(c, "")
	}
	return m, defaulted, nil
}

// ReadPublic reads a public key, certificate or public JWK file through the bounded reader;
// flag names the file's source in the error ("reading -k FILE: ...").
func ReadPublic(path, flag string) (*keys.Public, error) {
	data, err := safefile.Read(flag, path, safefile.MaxPublic)
	if err != nil {
		return nil, err
	}
	return keys.ParsePublic(data, path, keys.PublicOptions{})
}

// ReadPublicFile reads a public key, certificate (chain) or JWK(S) file, at most
// safefile.MaxPublic bytes. Errors do not repeat the path: callers name the file.
func ReadPublicFile(path string) ([]byte, error) {
	data, err := boundedread.ReadFile(path, safefile.MaxPublic)
	return data, safefile.Cause(err)
}

// publicMaterial is the material of a public key read from path for client c: the chain of the
// definition's certificate: or else the public file's, which must belong to the key.
func publicMaterial(c *config.Client, pub *keys.Public, path string, now time.Time) (profile.Material, bool, error) {
	m := profile.Material{Now: now}
	certs := pub.Certificates
	if c.CertPath != "" {
		var err error
		if certs, err = keys.LoadCertificates(c.CertPath); err != nil {
			return m, false, err
		}
	}
	if len(certs) > 0 {
		if err := keys.MatchCertificate(pub.Key, certs[0]); err != nil {
			return m, false, fmt.Errorf("%s: certificate: does not belong to the public key in %s: %w", c.File, path, err)
		}
	}
	m.Certificates = certs
	ch := PublicChoice(c, pub)
	if ch.Defaulted {
		return m, false, fmt.Errorf("%s: alg: the key in %s is of a type postmint cannot sign with", c.File, path)
	}
	m.KeyAlg, m.KeyID = ch.Alg, ch.Kid
	return m, false, nil
}

// Choice is the alg and kid a client signs with when public material, not a private key, is
// at hand.
type Choice struct {
	Alg, Kid string
	// Defaulted: neither the definition, its preset nor the key names an alg; Alg is
	// profile.DefaultAlg.
	Defaulted bool
}

// PublicChoice is the alg and kid of client c with public material pub (nil: none): the
// definition's kid, else the key's (a JWK's kid); the alg by profile.ChooseAlg's rule from the
// JWK's alg or the one the key type signs with. c is not changed.
func PublicChoice(c *config.Client, pub *keys.Public) Choice {
	keyAlg, kid := "", c.Kid
	if pub != nil {
		keyAlg = cmp.Or(pub.Alg, keys.DefaultAlgFor(pub.Key))
		kid = cmp.Or(kid, pub.KeyID)
	}
	alg, defaulted := profile.ChooseAlg(c, keyAlg)
	return Choice{Alg: alg, Kid: kid, Defaulted: defaulted}
}

// Password is a password from a file (read bounded, its line ending dropped; flag names the
// file in errors, e.g. "--key-password-file"), else value (an environment variable's); nil when
// neither is given. A file that holds nothing gives an empty, non-nil password.
func Password(file, flag, value string) ([]byte, error) {
	if file != "" {
		b, err := safefile.Read(flag, file, safefile.MaxPassword)
		if err != nil {
			return nil, err
		}
		return append([]byte{}, strings.TrimRight(string(b), "\r\n")...), nil
	}
	if value != "" {
		return []byte(value), nil
	}
	return nil, nil
}
