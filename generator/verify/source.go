package verify

import (
	"crypto/x509"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/postmint/postmint/generator/config"
	"github.com/postmint/postmint/generator/keys"
	"github.com/postmint/postmint/generator/keysource"
	"github.com/postmint/postmint/internal/boundedread"
	"github.com/postmint/postmint/internal/safefile"
)

// ErrNoKey: a definition gives no key to check a signature with (neither certificate: nor a
// private key).
var ErrNoKey = errors.New("no key to check the signature with")

// ClientCertificates is a definition's certificate: chain, nil when it names none.
func ClientCertificates(c *config.Client) ([]*x509.Certificate, error) {
	if c.CertPath == "" {
		return nil, nil
	}
	return keys.LoadCertificates(c.CertPath)
}

// DefinitionKeys is the key a client definition knows of: its certificate chain certs
// (ClientCertificates), else the public half of the private key from src in keysource's order,
// with the definition's key: as its third source.
func DefinitionKeys(c *config.Client, certs []*x509.Certificate, src keysource.Sources) ([]PublicKey, error) {
	if len(certs) > 0 {
		return []PublicKey{{Key: certs[0].PublicKey, Certificates: certs, Source: c.CertPath}}, nil
	}
	k, _, err := src.ForClient(c).Private()
	if err != nil {
		return nil, err
	}
	if k == nil {
		return nil, fmt.Errorf("%s: %w: the definition has neither certificate: nor key:", c.File, ErrNoKey)
	}
	return []PublicKey{{Key: k.Public(), KID: k.KeyID, Certificates: k.Certificates, Source: k.Source}}, nil
}

// LoadPublicKey reads the key file a signature is checked with (ParsePublicKey), at most
// safefile.MaxPublic bytes; flag names the file's source in errors ("reading --key F: ...").
func LoadPublicKey(path, flag string, opt keys.Options) ([]PublicKey, error) {
	data, err := safefile.Read(flag, path, safefile.MaxPublic)
	if errors.Is(err, boundedread.ErrDirectory) {
		return nil, fmt.Errorf("reading %s %s: is a directory; pass the public key or certificate file", flag, path)
	}
	if err != nil {
		return nil, err
	}
	return ParsePublicKey(data, path, opt)
}

// IsURL reports whether a JWKS location is an http(s) URL (FetchJWKS) rather than a file
// (ReadJWKS).
func IsURL(location string) bool {
	return strings.HasPrefix(location, "http://") || strings.HasPrefix(location, "https://")
}

// ReadJWKS reads a JWK Set file (ParseJWKS), at most as many bytes as FetchJWKS takes from a
// URL; flag names the file's source in errors.
func ReadJWKS(path, flag string) ([]PublicKey, error) {
	data, err := safefile.Read(flag, path, maxJWKSSize)
	if err != nil {
		return nil, err
	}
	return ParseJWKS(data, path)
}

// PlainHTTPWarning is the warning for a JWKS URL fetched over plain http:// from a host that
// is not a loopback address (anyone on the way could swap the keys), or "" when there is no
// such risk; an error when raw is no URL.
func PlainHTTPWarning(raw string) (string, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return "", err
	}
	if u.Scheme == "http" && !config.IsLoopbackHost(u.Hostname()) {
		return fmt.Sprintf("fetching the JWKS over plain http:// from %s; anyone on the way can swap the keys", u.Host), nil
	}
	return "", nil
}

// ClientRules is what a client definition adds to a check: the rules (RulesFor) with its
// certificate: chain certs, else (checking with one key from a key file or the definition,
// not a JWKS) that key's own chain.
func ClientRules(c *config.Client, certs []*x509.Certificate, checkWith []PublicKey, fromJWKS bool) *Rules {
	if certs == nil && len(checkWith) == 1 && !fromJWKS {
		certs = checkWith[0].Certificates
	}
	return RulesFor(c, certs)
}
