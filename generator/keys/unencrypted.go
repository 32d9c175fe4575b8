package keys

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"math/big"

	"golang.org/x/crypto/cryptobyte"
	casn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// Unencrypted private keys in DER: PKCS#8 (RFC 5208), PKCS#1 (RFC 8017) and SEC1 (RFC 5915).
// Each parser checks what it can name before decoding (size, curve, algorithm) and returns
// the decoded key for rawKey.finish.

// otherKeyAlgorithms names PKCS#8 key algorithms postmint refuses, for the error message.
var otherKeyAlgorithms = map[string]string{
	"1.3.101.110":             "an X25519 key, which is for key agreement, not signing",
	"1.3.101.111":             "an X448 key, which is for key agreement, not signing",
	"1.3.101.113":             "an Ed448 key, which postmint does not support",
	"1.2.840.10040.4.1":       "a DSA key, which postmint cannot sign with",
	"1.2.840.113549.1.3.1":    "a Diffie-Hellman key, which is for key agreement, not signing",
	"1.2.840.10046.2.1":       "a Diffie-Hellman key, which is for key agreement, not signing",
	"2.16.840.1.101.3.4.3.17": "an ML-DSA-44 key, which postmint does not support yet",
	"2.16.840.1.101.3.4.3.18": "an ML-DSA-65 key, which postmint does not support yet",
	"2.16.840.1.101.3.4.3.19": "an ML-DSA-87 key, which postmint does not support yet",
}

// privateKeyInfo is PKCS#8's PrivateKeyInfo (RFC 5208 §5), read only to see the algorithm.
type privateKeyInfo struct {
	Version    int
	Algorithm  pkix.AlgorithmIdentifier
	PrivateKey []byte
}

// parsePKCS8 reads an unencrypted PKCS#8 key after checking its algorithm and curve, so that
// refusals name what was found.
func parsePKCS8(der []byte, src string) (*rawKey, error) {
	var info privateKeyInfo
	if _, err := asn1.Unmarshal(der, &info); err != nil {
		return nil, wrapError(ErrMalformed, src, "holds a damaged PKCS#8 key", "copy or export the key again", err)
	}
	alg := info.Algorithm.Algorithm
	k := &rawKey{format: FormatPKCS8DER}
	var (
		key any
		err error
	)
	switch {
	case alg.Equal(oidRSA):
		if bits, ok := rsaBits(info.PrivateKey); ok && bits < 2048 {
			return nil, weakRSA(src, bits)
		}
		key, err = x509.ParsePKCS8PrivateKey(der)
	case alg.Equal(oidRSAPSS):
		// x509 does not read id-RSASSA-PSS keys (openssl genpkey -algorithm RSA-PSS); the inner
		// key is plain PKCS#1, restricted to PSS signatures.
		if bits, ok := rsaBits(info.PrivateKey); ok && bits < 2048 {
			return nil, weakRSA(src, bits)
		}
		key, err = x509.ParsePKCS1PrivateKey(info.PrivateKey)
		k.pssOnly = true
	case alg.Equal(oidEC):
		var curve asn1.ObjectIdentifier
		if _, perr := asn1.Unmarshal(info.Algorithm.Parameters.FullBytes, &curve); perr != nil {
			return nil, explicitCurve(src)
		}
		if name := curveNameByOID(curve); !supportedCurve(name) {
			return nil, unsupportedCurve(src, name)
		}
		key, err = x509.ParsePKCS8PrivateKey(der)
	case alg.Equal(oidEd25519):
		key, err = x509.ParsePKCS8PrivateKey(der)
	default:
		what, ok := otherKeyAlgorithms[alg.String()]
		if !ok {
			what = "a key of an unknown type (OID " + alg.String() + ")"
		}
		return nil, newError(ErrUnsupported, src, "holds "+what, hintCurves)
	}
	if err != nil {
		return nil, wrapError(ErrMalformed, src, "holds a damaged PKCS#8 key", "copy or export the key again", err)
	}
	k.key = key
	return k, nil
}

func explicitCurve(src string) error {
	return newError(ErrUnsupported, src, "holds an EC key with explicit curve parameters instead of a named curve",
		"convert it: openssl ec -in IN -param_enc named_curve -out OUT")
}

// rsaBits reads the modulus size of a PKCS#1 RSAPrivateKey without parsing the rest, so weak
// keys are refused with the right reason even where the parser would reject them for another.
func rsaBits(der []byte) (int, bool) {
	in := cryptobyte.String(der)
	var seq, version cryptobyte.String
	n := new(big.Int)
	if !in.ReadASN1(&seq, casn1.SEQUENCE) || !seq.ReadASN1(&version, casn1.INTEGER) || !seq.ReadASN1Integer(n) {
		return 0, false
	}
	return n.BitLen(), true
}

func parsePKCS1(der []byte, src string) (*rawKey, error) {
	if bits, ok := rsaBits(der); ok && bits < 2048 {
		return nil, weakRSA(src, bits)
	}
	key, err := x509.ParsePKCS1PrivateKey(der)
	if err != nil {
		return nil, wrapError(ErrMalformed, src, "holds a damaged PKCS#1 RSA key", "copy or export the key again", err)
	}
	return &rawKey{key: key, format: FormatPKCS1DER}, nil
}

// ecPrivateKey is SEC1's ECPrivateKey (RFC 5915 §3), read only to find the curve.
type ecPrivateKey struct {
	Version    int
	PrivateKey []byte
	Parameters asn1.RawValue  `asn1:"optional,explicit,tag:0"`
	PublicKey  asn1.BitString `asn1:"optional,explicit,tag:1"`
}

func parseSEC1(der, curveParams []byte, src string) (*rawKey, error) {
	var ec ecPrivateKey
	if _, err := asn1.Unmarshal(der, &ec); err != nil {
		return nil, wrapError(ErrMalformed, src, "holds a damaged SEC1 EC key", "copy or export the key again", err)
	}
	params := ec.Parameters.Bytes // the [0] wrapper's content: an OID, or explicit parameters
	if len(ec.Parameters.FullBytes) == 0 {
		params = curveParams
	}
	var curve asn1.ObjectIdentifier
	if len(params) > 0 {
		if _, err := asn1.Unmarshal(params, &curve); err != nil {
			return nil, explicitCurve(src)
		}
		if name := curveNameByOID(curve); !supportedCurve(name) {
			return nil, unsupportedCurve(src, name)
		}
	}
	var (
		key any
		err error
	)
	if len(ec.Parameters.FullBytes) == 0 && len(curve) > 0 {
		// The curve is only in the EC PARAMETERS block: x509 needs it inside the key.
		key, err = parseSEC1WithCurve(ec, curve)
	} else {
		key, err = x509.ParseECPrivateKey(der)
	}
	if err != nil {
		return nil, wrapError(ErrMalformed, src, "holds a damaged SEC1 EC key", "copy or export the key again", err)
	}
	return &rawKey{key: key, format: FormatSEC1DER}, nil
}

func parseSEC1WithCurve(ec ecPrivateKey, curve asn1.ObjectIdentifier) (any, error) {
	var b cryptobyte.Builder
	b.AddASN1(casn1.SEQUENCE, func(b *cryptobyte.Builder) {
		b.AddASN1Int64(1)
		b.AddASN1OctetString(ec.PrivateKey)
		b.AddASN1(casn1.Tag(0).Constructed().ContextSpecific(), func(b *cryptobyte.Builder) {
			b.AddASN1ObjectIdentifier(curve)
		})
	})
	der, err := b.Bytes()
	if err != nil {
		return nil, err
	}
	return x509.ParseECPrivateKey(der)
}
