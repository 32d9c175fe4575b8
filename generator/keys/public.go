package keys

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"strings"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/postmint/postmint/internal/textenc"
)

// Public is a public key read by ParsePublic, with what came with it.
type Public struct {
	Key          crypto.PublicKey    // as read: *rsa.PublicKey, *ecdsa.PublicKey, ed25519.PublicKey, ...
	Certificates []*x509.Certificate // leaf first; nil when no certificate came with the key
	KeyID        string              // a JWK's kid, or the private key's (JWK kid, JKS alias); "" otherwise
	Alg          string              // a JWK's alg; "" otherwise
}

// PublicOptions says how ParsePublic treats what is not plain public material.
type PublicOptions struct {
	// PublicHalf reads a private key, in any format Parse reads (with Private's passwords and
	// alias), and returns its public half. When false, anything holding a private key is refused
	// with PublicPrivate.
	PublicHalf bool
	Private    Options
	// KeyID picks the key of a JWK Set that holds several.
	KeyID string
	// FirstKey makes the first PUBLIC KEY or RSA PUBLIC KEY block of a PEM file the answer, alone:
	// the blocks before it that are not keys and all blocks after it are left out. Otherwise every
	// block is read, and the key and the leaf certificate must belong together.
	FirstKey bool
	// RefuseCSR refuses a PEM file with a CERTIFICATE REQUEST block (PublicCSR) as soon as it is
	// met; otherwise the block is skipped.
	RefuseCSR bool
}

// PublicProblem says what ParsePublic found wrong, so that callers can word it their own way.
type PublicProblem int

// What ParsePublic may report in a *PublicError.
const (
	PublicEmpty     PublicProblem = iota + 1 // nothing but white space
	PublicDamaged                            // a PEM block (Block names it) that does not parse; Err says why
	PublicPrivate                            // a private key, and PublicOptions.PublicHalf is off
	PublicCSR                                // a certificate signing request, and PublicOptions.RefuseCSR is on
	PublicNone                               // no public key or certificate (PEM without one, a symmetric JWK)
	PublicUnknown                            // in no format ParsePublic or Parse reads
	PublicMismatch                           // the key and the leaf certificate do not belong together; Err says how
	PublicBadJSON                            // starts with '{' but is not JSON; Err says why
	PublicBadJWKS                            // a "keys" member, but no JWK Set; Err says why
	PublicBadJWK                             // JSON, but no JWK; Err says why
	PublicEmptySet                           // a JWK Set without keys
	PublicAmbiguous                          // a JWK Set with several keys (Keys) and no KeyID
	PublicNoSuchKey                          // a JWK Set with no key whose kid is KeyID
)

// PublicError is a problem ParsePublic found with public material, with the details a caller needs
// to word it: Error gives this package's wording, and errors.Is finds the sentinel of its kind
// (ErrEmpty, ErrMalformed, ErrNotPublicKey, ErrUnknownFormat, ErrCertificateMismatch,
// ErrAmbiguousKey, ErrNoSuchKey) and Err. It never holds key material.
type PublicError struct {
	Source  string
	Problem PublicProblem
	Block   string // PublicDamaged: the PEM block's type
	Keys    int    // PublicAmbiguous: how many keys the set holds
	KeyID   string // PublicNoSuchKey: the kid asked for
	Err     error  // the cause, for PublicDamaged, PublicMismatch and PublicBad*
}

// Error returns the one-line message.
func (e *PublicError) Error() string { return e.describe().Error() }

// Unwrap returns the sentinel kind and the cause, for errors.Is and errors.As.
func (e *PublicError) Unwrap() []error { return e.describe().Unwrap() }

func (e *PublicError) describe() *Error {
	const what = "pass a public key (PEM), a certificate or a public JWK or JWKS"
	switch e.Problem {
	case PublicEmpty:
		return newError(ErrEmpty, e.Source, "is empty", what)
	case PublicDamaged:
		return wrapError(ErrMalformed, e.Source, "holds a damaged "+e.Block+" block", "export it again", e.Err)
	case PublicPrivate:
		return newError(ErrNotPublicKey, e.Source, "holds a private key where only a public key belongs", "pass the public key or the certificate")
	case PublicCSR:
		return newError(ErrNotPublicKey, e.Source, "is a certificate signing request (CSR)", "pass the certificate issued for it, or the public key")
	case PublicNone:
		return newError(ErrNotPublicKey, e.Source, "holds no public key or certificate", what)
	case PublicMismatch:
		return wrapError(ErrCertificateMismatch, e.Source, "holds a key and a certificate that do not belong together", "", e.Err)
	case PublicBadJSON:
		return wrapError(ErrMalformed, e.Source, "is not valid JSON", "", e.Err)
	case PublicBadJWKS:
		return wrapError(ErrMalformed, e.Source, "is not a JWK Set", "", e.Err)
	case PublicBadJWK:
		return wrapError(ErrMalformed, e.Source, "is not a JWK", "", e.Err)
	case PublicEmptySet:
		return newError(ErrNotPublicKey, e.Source, "holds a JWK Set without keys", what)
	case PublicAmbiguous:
		return newError(ErrAmbiguousKey, e.Source, fmt.Sprintf("holds %d keys", e.Keys), "choose one by its kid")
	case PublicNoSuchKey:
		return newError(ErrNoSuchKey, e.Source, fmt.Sprintf("has no key with kid %q", e.KeyID), "")
	}
	return newError(ErrUnknownFormat, e.Source, "is not a public key, certificate or JWK", what)
}

// ParsePublic reads a public key from data, detecting the format from the content: a PEM public
// key (SubjectPublicKeyInfo or PKCS#1), a PEM or DER certificate or chain (the key is the leaf's), a
// public JWK or JWK Set (the key whose kid is opt.KeyID when it holds several), or, with
// opt.PublicHalf, the public half of a private key in any format Parse reads. source names the data
// in errors.
//
// Problems with the public material are a *PublicError; with opt.PublicHalf, problems reading a
// private key are Parse's errors.
func ParsePublic(data []byte, source string, opt PublicOptions) (*Public, error) {
	// A JWKS from a URL or a file as a Windows tool saved it: a byte-order mark, UTF-16.
	data, err := textenc.Decode(data)
	if err != nil {
		return nil, &Error{Source: source, Problem: err.Error(), Kind: ErrMalformed, Err: err, quiet: true}
	}
	trimmed := bytes.TrimSpace(data)
	switch {
	case len(trimmed) == 0:
		return nil, &PublicError{Source: source, Problem: PublicEmpty}
	case trimmed[0] == '{':
		return parsePublicJSON(trimmed, source, opt)
	case bytes.Contains(trimmed, []byte("-----BEGIN")):
		return parsePublicPEM(trimmed, source, opt)
	}
	if c, err := x509.ParseCertificate(trimmed); err == nil {
		return (&Public{Certificates: []*x509.Certificate{c}}).finish(source)
	}
	if k, err := x509.ParsePKIXPublicKey(trimmed); err == nil {
		return &Public{Key: k}, nil
	}
	if !opt.PublicHalf {
		if _, err := Parse(data, source, opt.Private); err != nil {
			return nil, &PublicError{Source: source, Problem: PublicUnknown}
		}
	}
	return publicOfPrivate(data, source, opt)
}

func parsePublicPEM(data []byte, source string, opt PublicOptions) (*Public, error) {
	p := &Public{}
	for rest := data; ; {
		var b *pem.Block
		if b, rest = pem.Decode(rest); b == nil {
			break
		}
		switch {
		// When private keys are refused, an encrypted block of any name counts as one.
		case strings.Contains(b.Type, "PRIVATE KEY") || !opt.PublicHalf && strings.Contains(b.Type, "ENCRYPTED"):
			return publicOfPrivate(data, source, opt)
		case b.Type == "PUBLIC KEY" || b.Type == "RSA PUBLIC KEY":
			k, err := parsePublicBlock(b)
			if err != nil {
				return nil, &PublicError{Source: source, Problem: PublicDamaged, Block: b.Type, Err: err}
			}
			if opt.FirstKey {
				return &Public{Key: k}, nil
			}
			p.Key = k
		case b.Type == "CERTIFICATE":
			c, err := x509.ParseCertificate(b.Bytes)
			if err != nil {
				return nil, &PublicError{Source: source, Problem: PublicDamaged, Block: b.Type, Err: err}
			}
			p.Certificates = append(p.Certificates, c)
		case b.Type == "CERTIFICATE REQUEST" && opt.RefuseCSR:
			return nil, &PublicError{Source: source, Problem: PublicCSR}
		}
	}
	if p.Key == nil && len(p.Certificates) == 0 && opt.PublicHalf {
		return publicOfPrivate(data, source, opt)
	}
	return p.finish(source)
}

func parsePublicBlock(b *pem.Block) (crypto.PublicKey, error) {
	if b.Type == "RSA PUBLIC KEY" {
		return x509.ParsePKCS1PublicKey(b.Bytes)
	}
	return x509.ParsePKIXPublicKey(b.Bytes)
}

func parsePublicJSON(data []byte, source string, opt PublicOptions) (*Public, error) {
	var head struct {
		Keys json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, &PublicError{Source: source, Problem: PublicBadJSON, Err: err}
	}
	var k jose.JSONWebKey
	if head.Keys != nil {
		var set jose.JSONWebKeySet
		if err := json.Unmarshal(data, &set); err != nil {
			return nil, &PublicError{Source: source, Problem: PublicBadJWKS, Err: err}
		}
		switch {
		case len(set.Keys) == 0:
			return nil, &PublicError{Source: source, Problem: PublicEmptySet}
		case len(set.Keys) == 1:
			k = set.Keys[0]
		case opt.KeyID == "":
			return nil, &PublicError{Source: source, Problem: PublicAmbiguous, Keys: len(set.Keys)}
		default:
			found := set.Key(opt.KeyID)
			if len(found) == 0 {
				return nil, &PublicError{Source: source, Problem: PublicNoSuchKey, KeyID: opt.KeyID}
			}
			k = found[0]
		}
	} else if err := json.Unmarshal(data, &k); err != nil {
		return nil, &PublicError{Source: source, Problem: PublicBadJWK, Err: err}
	}
	if !k.IsPublic() {
		if !opt.PublicHalf {
			return nil, &PublicError{Source: source, Problem: PublicPrivate}
		}
		k = k.Public() // empty for a symmetric key, which finish reports
	}
	return (&Public{Key: k.Key, Certificates: k.Certificates, KeyID: k.KeyID, Alg: k.Algorithm}).finish(source)
}

// publicOfPrivate refuses a private key, or reads it with Parse and returns its public half.
func publicOfPrivate(data []byte, source string, opt PublicOptions) (*Public, error) {
	if !opt.PublicHalf {
		return nil, &PublicError{Source: source, Problem: PublicPrivate}
	}
	k, err := Parse(data, source, opt.Private)
	if err != nil {
		return nil, err
	}
	return &Public{Key: k.Public(), Certificates: k.Certificates, KeyID: k.KeyID}, nil
}

// finish takes the key from the leaf certificate when no key was given, and checks that the two
// agree when both were.
func (p *Public) finish(source string) (*Public, error) {
	switch {
	case p.Key == nil && len(p.Certificates) == 0:
		return nil, &PublicError{Source: source, Problem: PublicNone}
	case p.Key == nil:
		p.Key = p.Certificates[0].PublicKey
	case len(p.Certificates) > 0:
		if err := MatchCertificate(p.Key, p.Certificates[0]); err != nil {
			return nil, &PublicError{Source: source, Problem: PublicMismatch, Err: err}
		}
	}
	return p, nil
}
