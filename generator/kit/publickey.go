package kit

import (
	"errors"
	"fmt"

	"github.com/postmint/postmint/generator/keys"
	"github.com/postmint/postmint/generator/keysource"
)

// maxClientsFile bounds a clients file (a thousand entries are some hundred kilobytes); a
// public key or certificate chain is bounded by keysource.MaxPublicFile.
const maxClientsFile = 16 << 20

// loadPublic reads key: of a kit definition: a PEM public key (SPKI or PKCS#1), a PEM or DER
// certificate (chain), or a public JWK or JWK Set (the key whose kid is kid when it holds
// several). Anything holding a private key is refused with ErrPrivateKey.
func loadPublic(path, kid string) (*keys.Public, error) {
	data, err := keysource.ReadPublicFile(path)
	if err != nil {
		return nil, fmt.Errorf("%w: reading %s: %w", ErrPublicKey, path, err)
	}
	return parsePublic(data, path, kid)
}

// parsePublic reads the partner's public material with keys.ParsePublic, which refuses private
// keys, and words its refusals for key: of a kit definition.
func parsePublic(data []byte, source, kid string) (*keys.Public, error) {
	pub, err := keys.ParsePublic(data, source, keys.PublicOptions{KeyID: kid})
	var pe *keys.PublicError
	if err == nil || !errors.As(err, &pe) {
		return pub, err
	}
	if pe.Problem == keys.PublicPrivate {
		return nil, fmt.Errorf("%w: %s holds a private key, and a kit never carries one: point key: at the public part (a public PEM from `openssl pkey -in KEY -pubout`, the public JWK or JWKS from `postmint keygen`, or the certificate)", ErrPrivateKey, source)
	}
	problem, ok := publicProblems[pe.Problem]
	switch {
	case pe.Problem == keys.PublicDamaged:
		problem = ": " + pe.Block + " block"
	case pe.Problem == keys.PublicAmbiguous:
		problem = fmt.Sprintf(" holds %d keys: add kid: to say which one is the partner's", pe.Keys)
	case pe.Problem == keys.PublicNoSuchKey:
		problem = fmt.Sprintf(" has no key with kid %q", pe.KeyID)
	case !ok:
		problem = " is not a public key, certificate or public JWK (a PKCS#12 or JKS store holds a private key: export the certificate from it instead)"
	}
	if pe.Err != nil {
		return nil, fmt.Errorf("%w: %s%s: %w", ErrPublicKey, source, problem, pe.Err)
	}
	return nil, fmt.Errorf("%w: %s%s", ErrPublicKey, source, problem)
}

// publicProblems words, after the file's name, what keys.ParsePublic found wrong; the cause
// follows when there is one.
var publicProblems = map[keys.PublicProblem]string{
	keys.PublicEmpty:    " is empty",
	keys.PublicNone:     " holds no public key or certificate",
	keys.PublicMismatch: "",
	keys.PublicBadJSON:  ": not valid JSON",
	keys.PublicBadJWKS:  ": not a JWK Set",
	keys.PublicBadJWK:   ": not a JWK",
	keys.PublicEmptySet: ": the JWK Set has no keys",
}
