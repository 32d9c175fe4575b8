package keys

import (
	"crypto/x509"
	"encoding/asn1"
	"errors"
	"fmt"
	"strings"

	pkcs12 "software.sslmate.com/src/go-pkcs12"
)

// PKCS#12 (RFC 7292), read with go-pkcs12's DecodeChain: one private key and its chain. The
// store's password protects both the MAC and the key, so Options.StorePassword is used when set,
// else Options.Password. DecodeChain does not report bag names, so Options.Alias is not used.

// pfxHead is just enough of a PFX to see how much work its MAC asks for.
type pfxHead struct {
	Version  int
	AuthSafe asn1.RawValue
	MacData  struct {
		Mac        asn1.RawValue
		MacSalt    []byte
		Iterations int `asn1:"optional,default:1"`
	} `asn1:"optional"`
}

func parsePKCS12(data []byte, src string, opt Options) (*rawKey, error) {
	var head pfxHead
	if _, err := asn1.Unmarshal(data, &head); err == nil && head.MacData.Iterations > maxIterations {
		return nil, newError(ErrUnsupported, src, fmt.Sprintf("asks for %d MAC iterations, more than postmint accepts (%d)", head.MacData.Iterations, maxIterations),
			"export the store again with fewer iterations")
	}
	pw := opt.storePassword()
	priv, leaf, chain, err := pkcs12.DecodeChain(data, string(pw))
	if err != nil {
		return nil, pkcs12Error(err, src, len(pw) > 0)
	}
	return &rawKey{key: priv, certs: append([]*x509.Certificate{leaf}, chain...), format: FormatPKCS12}, nil
}

func pkcs12Error(err error, src string, havePassword bool) error {
	var notImplemented pkcs12.NotImplementedError
	msg := err.Error()
	switch {
	case errors.Is(err, pkcs12.ErrIncorrectPassword) && !havePassword:
		return newError(ErrPasswordRequired, src, "is a password-protected PKCS#12 store and no password was given", hintStorePassword)
	case errors.Is(err, pkcs12.ErrIncorrectPassword):
		return newError(ErrWrongStorePassword, src, "could not be opened: the PKCS#12 store password is wrong", "check the store password")
	case errors.Is(err, pkcs12.ErrDecryption):
		return newError(ErrWrongPassword, src, "could not be decrypted: the key inside the PKCS#12 store uses another password than the store", "export the store again with one password")
	case strings.Contains(msg, "expected exactly one key bag"):
		return newError(ErrAmbiguousKey, src, "holds more than one private key; postmint reads PKCS#12 stores with one key",
			"export the one key you need: openssl pkcs12 -in IN.p12 -nodes, then openssl pkcs12 -export with that key and its certificate")
	case strings.Contains(msg, "private key missing"):
		return newError(ErrNotPrivateKey, src, "is a certificate, not a private key: the PKCS#12 store holds only certificates",
			"export the store with its private key")
	case strings.Contains(msg, "certificate missing"):
		return newError(ErrUnsupported, src, "is a PKCS#12 store without a certificate, which postmint does not read",
			"convert the key to PEM: openssl pkcs12 -in IN.p12 -nocerts -nodes | openssl pkcs8 -topk8 -nocrypt -out key.pem")
	case errors.As(err, &notImplemented) || strings.Contains(msg, "unknown") || strings.Contains(msg, "not supported"):
		return wrapError(ErrUnsupported, src, "is a PKCS#12 store postmint cannot read",
			"convert it: openssl pkcs12 -in IN.p12 -nodes -out tmp.pem && openssl pkcs12 -export -in tmp.pem -out OUT.p12", err)
	}
	return wrapError(ErrMalformed, src, "is a damaged PKCS#12 store", "export it again", err)
}
