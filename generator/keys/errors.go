package keys

import (
	"errors"
	"fmt"
)

// Sentinel errors. Every error this package returns for a problem with its input is an *Error
// whose Kind is one of these (ParsePublic's own are a *PublicError, which unwraps to one too), so
// callers can branch with errors.Is and still print one line.
var (
	// ErrFile: the key or certificate file is missing, unreadable, a directory or far too large.
	ErrFile = errors.New("cannot read the file")
	// ErrEmpty: the file or POSTMINT_PRIVATE_KEY holds nothing but white space.
	ErrEmpty = errors.New("empty key")
	// ErrUnknownFormat: the bytes are in no format this package reads.
	ErrUnknownFormat = errors.New("unknown key format")
	// ErrMalformed: the format was recognised but the data is truncated or damaged.
	ErrMalformed = errors.New("malformed key")
	// ErrNotPrivateKey: a public key, certificate, CSR or public JWK where a private key belongs.
	ErrNotPrivateKey = errors.New("not a private key")
	// ErrNotPublicKey: a private key, CSR, symmetric JWK or empty JWK Set where a public key or
	// certificate belongs (see ParsePublic).
	ErrNotPublicKey = errors.New("not a public key")
	// ErrPasswordRequired: the key or store is encrypted and no password was given.
	ErrPasswordRequired = errors.New("password required")
	// ErrWrongPassword: the password given does not open the key or store.
	ErrWrongPassword = errors.New("wrong password")
	// ErrWrongStorePassword: the password does not open a PKCS#12 or JKS store (it is also an
	// ErrWrongPassword).
	ErrWrongStorePassword = fmt.Errorf("%w: the store's", ErrWrongPassword)
	// ErrWrongEntryPassword: the store opened but its entry's key has a password of its own that
	// was not given (it is also an ErrWrongPassword).
	ErrWrongEntryPassword = fmt.Errorf("%w: the entry's", ErrWrongPassword)
	// ErrUnsupported: a key type, curve or encryption scheme this package does not handle.
	ErrUnsupported = errors.New("unsupported key")
	// ErrWeakKey: an RSA key under 2048 bits.
	ErrWeakKey = errors.New("weak key")
	// ErrAmbiguousKey: a JWKS, key store or PEM file holds several private keys and none was chosen
	// (for ParsePublic: a JWK Set holds several keys and no kid was given).
	ErrAmbiguousKey = errors.New("several private keys")
	// ErrNoSuchKey: no entry has the requested alias or kid.
	ErrNoSuchKey = errors.New("no key with that alias")
	// ErrNoCertificate: a certificate file holds no certificate.
	ErrNoCertificate = errors.New("no certificate")
	// ErrCertificateMismatch: the certificate's public key is not the private key's.
	ErrCertificateMismatch = errors.New("certificate does not match the key")
	// ErrAlgMismatch: the JOSE alg cannot be used with the key.
	ErrAlgMismatch = errors.New("alg does not fit the key")
	// ErrUnknownAlg: the JOSE alg is not an asymmetric signature algorithm this package knows.
	ErrUnknownAlg = errors.New("unknown alg")
	// ErrInvalidArgument: a bad argument to Generate, SelfSignedCertificate, PublicJWK or JWKS.
	ErrInvalidArgument = errors.New("invalid argument")
)

// Error describes a problem with a key, a certificate or an argument in one line:
//
//	<Source> <Problem>[: <Err>][; <Hint>]
//
// for example "keys/client.pub.pem is a public key, not a private key; pass the private key ...".
// It never holds key material or passwords.
type Error struct {
	Source  string // file path, "POSTMINT_PRIVATE_KEY", or "" when there is no input
	Problem string // what is wrong, written to follow the source
	Hint    string // what to do about it; may be empty
	Kind    error  // one of the sentinel errors above
	Err     error  // the underlying cause, may be nil
	// quiet leaves Err out of the message when its text would only repeat Problem.
	quiet bool
}

// Error returns the one-line message.
func (e *Error) Error() string {
	s := e.Problem
	if e.Source != "" {
		s = e.Source + " " + s
	}
	if e.Err != nil && !e.quiet {
		s += ": " + e.Err.Error()
	}
	if e.Hint != "" {
		s += "; " + e.Hint
	}
	return s
}

// Unwrap returns the sentinel kind and the underlying cause, for errors.Is and errors.As.
func (e *Error) Unwrap() []error {
	errs := make([]error, 0, 2)
	if e.Kind != nil {
		errs = append(errs, e.Kind)
	}
	if e.Err != nil {
		errs = append(errs, e.Err)
	}
	return errs
}

func newError(kind error, source, problem, hint string) *Error {
	return &Error{Source: source, Problem: problem, Hint: hint, Kind: kind}
}

func wrapError(kind error, source, problem, hint string, cause error) *Error {
	return &Error{Source: source, Problem: problem, Hint: hint, Kind: kind, Err: cause}
}

// Hints shared by several errors.
const (
	hintKeyPassword   = "give the key password (--key-password-file or POSTMINT_KEY_PASSWORD)"
	hintStorePassword = "give the keystore password (--key-password-file or POSTMINT_KEY_PASSWORD)"
	hintCurves        = "use an EC key on P-256, P-384 or P-521 (ES256/ES384/ES512), an Ed25519 key (EdDSA) or RSA of at least 2048 bits"
	hintNewKey        = "make a new key with `postmint keygen --alg RS256` (or ES256, EdDSA)"
	formatsRead       = "PEM, JWK, JWKS, PKCS#12, JKS"
)
