package keys

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"fmt"
	"strings"
)

// rawKey is what a format parser (see the package comment) finds: the
// private key as its decoder returned it and the certificates beside it, in file order. The
// parsers check what their format says about the key (sizes and curves they can read before
// decoding, passwords); finish does the rest, in one place for every format.
type rawKey struct {
	key     any                 // as x509, ssh, jose or pkcs12 returned it
	certs   []*x509.Certificate // in file order; nil when none
	format  string              // one of the Format* constants
	keyID   string              // kid from a JWK/JWKS, or the JKS alias
	pssOnly bool                // an id-RSASSA-PSS key: PS* only
}

// finish makes a parsed key a Key: the signer checked (checkSigner) and the certificates
// ordered leaf first (leafFirst), for every format alike.
func (r *rawKey) finish(src string) (*Key, error) {
	signer, err := checkSigner(r.key, src)
	if err != nil {
		return nil, err
	}
	k := &Key{Signer: signer, Source: src, Format: r.format, KeyID: r.keyID, pssOnly: r.pssOnly}
	if len(r.certs) > 0 {
		if k.Certificates, err = leafFirst(signer.Public(), r.certs, src); err != nil {
			return nil, err
		}
	}
	return k, nil
}

// checkSigner accepts only the key types, sizes and curves postmint signs with, and makes sure
// the private and public halves belong together (a JWK carries both and nothing ties them).
func checkSigner(key any, src string) (crypto.Signer, error) {
	switch k := key.(type) {
	case *rsa.PrivateKey:
		if bits := k.N.BitLen(); bits < 2048 {
			return nil, weakRSA(src, bits)
		}
		if err := k.Validate(); err != nil {
			return nil, wrapError(ErrMalformed, src, "holds a damaged RSA key", "export the key again", err)
		}
		k.Precompute()
		return k, nil
	case *ecdsa.PrivateKey:
		name := curveName(k.Curve)
		switch k.Curve {
		case elliptic.P256(), elliptic.P384(), elliptic.P521():
		default:
			return nil, unsupportedCurve(src, name)
		}
		d, err := k.Bytes()
		if err != nil {
			return nil, wrapError(ErrMalformed, src, "holds a damaged EC key", "", err)
		}
		check, err := ecdsa.ParseRawPrivateKey(k.Curve, d)
		if err != nil {
			return nil, wrapError(ErrMalformed, src, "holds a damaged EC key", "", err)
		}
		if !check.PublicKey.Equal(&k.PublicKey) {
			return nil, newError(ErrMalformed, src, "holds an EC key whose public part (x, y) does not belong to its private part (d)", "export the key again")
		}
		return check, nil
	case *ed25519.PrivateKey:
		return checkSigner(*k, src)
	case ed25519.PrivateKey:
		if len(k) != ed25519.PrivateKeySize {
			return nil, newError(ErrMalformed, src, "holds a damaged Ed25519 key", "export the key again")
		}
		check := ed25519.NewKeyFromSeed(k.Seed())
		if !bytes.Equal(check, k) {
			return nil, newError(ErrMalformed, src, "holds an Ed25519 key whose public part does not belong to its private part", "export the key again")
		}
		return check, nil
	case nil:
		return nil, newError(ErrMalformed, src, "holds no key", "")
	}
	return nil, newError(ErrUnsupported, src, fmt.Sprintf("holds a %s, which postmint cannot sign with", keyTypeName(key)), hintCurves)
}

func keyTypeName(key any) string {
	t := strings.TrimPrefix(fmt.Sprintf("%T", key), "*")
	switch {
	case strings.Contains(t, "dsa.PrivateKey") && !strings.Contains(t, "ecdsa"):
		return "DSA key"
	case strings.Contains(t, "ecdh"):
		return "key-agreement (ECDH/X25519) key"
	}
	return t + " key"
}

func weakRSA(src string, bits int) error {
	return newError(ErrWeakKey, src, fmt.Sprintf("holds an RSA %d key, which is too weak: RSA keys must have at least 2048 bits", bits), hintNewKey)
}

func unsupportedCurve(src, curve string) error {
	return newError(ErrUnsupported, src, fmt.Sprintf("holds an EC key on curve %s, which postmint does not support", curve), hintCurves)
}
