package kit

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/go-jose/go-jose/v4"

	"github.com/postmint/postmint/generator/keys"
)

// publicMaterial is what a kit may know of the partner's key: never the private half.
type publicMaterial struct {
	Key   crypto.PublicKey
	Certs []*x509.Certificate // leaf first
	Kid   string              // from a JWK, "" otherwise
}

// loadPublic reads key: of a kit definition: a PEM public key (SPKI or PKCS#1), a PEM or DER
// certificate (chain), or a public JWK or JWK Set (the key whose kid is kid when it holds
// several). Anything holding a private key is refused with ErrPrivateKey.
func loadPublic(path, kid string) (*publicMaterial, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		var pe *os.PathError
		if errors.As(err, &pe) {
			err = pe.Err
		}
		return nil, fmt.Errorf("%w: reading %s: %w", ErrPublicKey, path, err)
	}
	return parsePublic(data, path, kid)
}

func parsePublic(data []byte, source, kid string) (*publicMaterial, error) {
	privateErr := fmt.Errorf("%w: %s holds a private key, and a kit never carries one: point key: at the public part (a public PEM from `openssl pkey -in KEY -pubout`, the public JWK or JWKS from `postmint keygen`, or the certificate)", ErrPrivateKey, source)
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		return nil, fmt.Errorf("%w: %s is empty", ErrPublicKey, source)
	}
	if trimmed[0] == '{' {
		return parsePublicJWK(trimmed, source, kid, privateErr)
	}
	if bytes.Contains(trimmed, []byte("-----BEGIN")) {
		m := &publicMaterial{}
		rest := trimmed
		for {
			var b *pem.Block
			b, rest = pem.Decode(rest)
			if b == nil {
				break
			}
			switch {
			case strings.Contains(b.Type, "PRIVATE KEY") || strings.Contains(b.Type, "ENCRYPTED"):
				return nil, privateErr
			case b.Type == "PUBLIC KEY":
				k, err := x509.ParsePKIXPublicKey(b.Bytes)
				if err != nil {
					return nil, fmt.Errorf("%w: %s: PUBLIC KEY block: %w", ErrPublicKey, source, err)
				}
				m.Key = k
			case b.Type == "RSA PUBLIC KEY":
				k, err := x509.ParsePKCS1PublicKey(b.Bytes)
				if err != nil {
					return nil, fmt.Errorf("%w: %s: RSA PUBLIC KEY block: %w", ErrPublicKey, source, err)
				}
				m.Key = k
			case b.Type == "CERTIFICATE":
				c, err := x509.ParseCertificate(b.Bytes)
				if err != nil {
					return nil, fmt.Errorf("%w: %s: CERTIFICATE block: %w", ErrPublicKey, source, err)
				}
				m.Certs = append(m.Certs, c)
			}
		}
		return m.finish(source)
	}
	if c, err := x509.ParseCertificate(trimmed); err == nil {
		return (&publicMaterial{Certs: []*x509.Certificate{c}}).finish(source)
	}
	if k, err := x509.ParsePKIXPublicKey(trimmed); err == nil {
		return (&publicMaterial{Key: k}).finish(source)
	}
	if _, err := keys.Parse(data, source, keys.Options{}); err == nil {
		return nil, privateErr
	}
	return nil, fmt.Errorf("%w: %s is not a public key, certificate or public JWK (a PKCS#12 or JKS store holds a private key: export the certificate from it instead)", ErrPublicKey, source)
}

func parsePublicJWK(data []byte, source, kid string, privateErr error) (*publicMaterial, error) {
	var probe struct {
		Keys json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		return nil, fmt.Errorf("%w: %s: not valid JSON: %w", ErrPublicKey, source, err)
	}
	var k jose.JSONWebKey
	if probe.Keys != nil {
		var set jose.JSONWebKeySet
		if err := json.Unmarshal(data, &set); err != nil {
			return nil, fmt.Errorf("%w: %s: not a JWK Set: %w", ErrPublicKey, source, err)
		}
		switch {
		case len(set.Keys) == 0:
			return nil, fmt.Errorf("%w: %s: the JWK Set has no keys", ErrPublicKey, source)
		case len(set.Keys) == 1:
			k = set.Keys[0]
		default:
			if kid == "" {
				return nil, fmt.Errorf("%w: %s holds %d keys: add kid: to say which one is the partner's", ErrPublicKey, source, len(set.Keys))
			}
			found := set.Key(kid)
			if len(found) == 0 {
				return nil, fmt.Errorf("%w: %s has no key with kid %q", ErrPublicKey, source, kid)
			}
			k = found[0]
		}
	} else if err := json.Unmarshal(data, &k); err != nil {
		return nil, fmt.Errorf("%w: %s: not a JWK: %w", ErrPublicKey, source, err)
	}
	if !k.IsPublic() {
		return nil, privateErr
	}
	return (&publicMaterial{Key: k.Key, Certs: k.Certificates, Kid: k.KeyID}).finish(source)
}

// finish takes the key from the leaf certificate when no key was given, and checks that
// the two agree.
func (m *publicMaterial) finish(source string) (*publicMaterial, error) {
	switch {
	case m.Key == nil && len(m.Certs) == 0:
		return nil, fmt.Errorf("%w: %s holds no public key or certificate", ErrPublicKey, source)
	case m.Key == nil:
		m.Key = m.Certs[0].PublicKey
	case len(m.Certs) > 0:
		if err := keys.MatchCertificate(m.Key, m.Certs[0]); err != nil {
			return nil, fmt.Errorf("%w: %s: %w", ErrPublicKey, source, err)
		}
	}
	return m, nil
}

// defaultAlg is the algorithm postmint picks for a key type, as for a private key.
func defaultAlg(pub crypto.PublicKey) string {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return "RS256"
	case *ecdsa.PublicKey:
		switch k.Curve {
		case elliptic.P256():
			return "ES256"
		case elliptic.P384():
			return "ES384"
		case elliptic.P521():
			return "ES512"
		}
	case ed25519.PublicKey:
		return "EdDSA"
	}
	return ""
}
