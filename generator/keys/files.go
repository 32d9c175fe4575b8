package keys

import (
	"bytes"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// FileOptions describe a new signing key and the files made for it.
type FileOptions struct {
	Name     string // file name prefix: NAME.key.pem, NAME.jwk.json, NAME.jwks.json, NAME.crt.pem
	Alg      string // the JOSE alg the key signs with (in its JWK)
	Kind     string // Generate's kind, e.g. RSA-3072, EC-P256
	Kid      string // "" = the key's RFC 7638 thumbprint
	Password []byte // encrypts the private key when set
	// Cert adds a self-signed certificate with Subject (a DN), valid Days from Now.
	Cert    bool
	Subject string
	Days    int
	Now     time.Time
}

// File is one file NewFiles made: its name, its content, and whether it holds a secret (to be
// written with mode 0600).
type File struct {
	Name   string
	Data   []byte
	Secret bool
}

// NewFiles makes a key and renders its files in memory, in the order they are listed: the
// private key (PKCS#8 PEM, Secret), the public JWK, a JWKS holding it, and the certificate;
// and returns the kid its JWK carries. It writes nothing.
func NewFiles(o FileOptions) ([]File, string, error) {
	signer, err := Generate(o.Kind, nil)
	if err != nil {
		return nil, "", err
	}
	kid := o.Kid
	if kid == "" {
		if kid, err = Thumbprint(signer.Public()); err != nil {
			return nil, "", err
		}
	}
	keyPEM, err := MarshalPKCS8PEM(signer, o.Password)
	if err != nil {
		return nil, "", err
	}
	out := []File{{Name: o.Name + ".key.pem", Data: keyPEM, Secret: true}}
	var jwk, certPEM []byte
	if o.Cert {
		subject := o.Subject
		if subject == "" {
			subject = "CN=" + o.Name
		}
		var cert *x509.Certificate
		if cert, certPEM, err = SelfSignedCertificate(signer, subject, o.Days, o.Now); err != nil {
			return nil, "", err
		}
		jwk, err = PublicJWKWithCertificates(signer.Public(), kid, o.Alg, []*x509.Certificate{cert})
	} else {
		jwk, err = PublicJWK(signer.Public(), kid, o.Alg)
	}
	if err != nil {
		return nil, "", err
	}
	set, err := JWKS(jwk)
	if err != nil {
		return nil, "", err
	}
	for _, f := range []struct {
		suffix string
		raw    []byte
	}{{".jwk.json", jwk}, {".jwks.json", set}} {
		var b bytes.Buffer
		if err := json.Indent(&b, f.raw, "", "  "); err != nil {
			return nil, "", err
		}
		b.WriteByte('\n')
		out = append(out, File{Name: o.Name + f.suffix, Data: b.Bytes()})
	}
	if o.Cert {
		out = append(out, File{Name: o.Name + ".crt.pem", Data: certPEM})
	}
	return out, kid, nil
}

// NewFilesAlgs are the JOSE algs NewFiles makes keys for, in the order to list them.
var NewFilesAlgs = []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"}

// Errors of KindFor, for the caller to put in its own words (keygen names its flags).
var (
	ErrAlgNotMade  = errors.New("not an alg keys are made for")
	ErrBitsNotRSA  = errors.New("bits are for RSA keys only")
	ErrBitsUnknown = errors.New("RSA keys are 2048, 3072 or 4096 bits")
)

// KindFor is the key NewFiles makes for alg (any case): alg as NewFilesAlgs spells it, and
// Generate's kind. bits sizes an RSA key (2048, 3072 or 4096; 0 leaves the default 2048); an
// EC or Ed25519 key's size follows from its curve, so bits must be 0 for them.
func KindFor(alg string, bits int) (string, string, error) {
	i := slices.IndexFunc(NewFilesAlgs, func(a string) bool { return strings.EqualFold(a, alg) })
	if i < 0 {
		return "", "", ErrAlgNotMade
	}
	alg = NewFilesAlgs[i]
	kind := NormalizeKind(alg)
	switch {
	case bits == 0:
	case kind != "RSA-2048":
		return alg, "", ErrBitsNotRSA
	case bits == 2048 || bits == 3072 || bits == 4096:
		kind = fmt.Sprintf("RSA-%d", bits)
	default:
		return alg, "", ErrBitsUnknown
	}
	return alg, kind, nil
}
