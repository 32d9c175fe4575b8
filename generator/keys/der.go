package keys

import (
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"math/big"

	"golang.org/x/crypto/cryptobyte"
	casn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// derKind is what the outer ASN.1 structure of some DER looks like; classifyDER looks only at
// the shape, so the matching parser can give a precise error about the content.
type derKind int

const (
	derUnknown        derKind = iota
	derPFX                    // PKCS#12 PFX: SEQUENCE { INTEGER 3, ContentInfo, ... }
	derEncryptedPKCS8         // EncryptedPrivateKeyInfo: SEQUENCE { AlgorithmIdentifier, OCTET STRING }
	derPKCS8                  // PrivateKeyInfo: SEQUENCE { INTEGER 0|1, AlgorithmIdentifier, OCTET STRING, ... }
	derPKCS1                  // RSAPrivateKey: SEQUENCE { INTEGER 0, INTEGER n, ... }
	derSEC1                   // ECPrivateKey: SEQUENCE { INTEGER 1, OCTET STRING, ... }
	derSPKI                   // SubjectPublicKeyInfo: SEQUENCE { AlgorithmIdentifier, BIT STRING }
	derPKCS1Public            // RSAPublicKey: SEQUENCE { INTEGER n, INTEGER e }
	derSigned                 // a certificate or CSR: SEQUENCE { SEQUENCE { ... }, AlgorithmIdentifier, BIT STRING }
)

var (
	oidPKCS7Data       = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 1}
	oidPKCS7SignedData = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 7, 2}

	oidRSA     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 1}
	oidRSAPSS  = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 1, 10}
	oidEC      = asn1.ObjectIdentifier{1, 2, 840, 10045, 2, 1}
	oidEd25519 = asn1.ObjectIdentifier{1, 3, 101, 112}
)

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

// curveNames maps named-curve OIDs to the names users know them by.
var curveNames = map[string]string{
	"1.2.840.10045.3.1.7":   "P-256",
	"1.3.132.0.34":          "P-384",
	"1.3.132.0.35":          "P-521",
	"1.3.132.0.33":          "P-224",
	"1.2.840.10045.3.1.1":   "P-192",
	"1.3.132.0.10":          "secp256k1",
	"1.3.36.3.3.2.8.1.1.1":  "brainpoolP160r1",
	"1.3.36.3.3.2.8.1.1.3":  "brainpoolP192r1",
	"1.3.36.3.3.2.8.1.1.5":  "brainpoolP224r1",
	"1.3.36.3.3.2.8.1.1.7":  "brainpoolP256r1",
	"1.3.36.3.3.2.8.1.1.9":  "brainpoolP320r1",
	"1.3.36.3.3.2.8.1.1.11": "brainpoolP384r1",
	"1.3.36.3.3.2.8.1.1.13": "brainpoolP512r1",
	"1.2.156.10197.1.301":   "SM2",
}

func curveNameByOID(oid asn1.ObjectIdentifier) string {
	if name, ok := curveNames[oid.String()]; ok {
		return name
	}
	return "with OID " + oid.String()
}

func supportedCurve(name string) bool {
	return name == "P-256" || name == "P-384" || name == "P-521"
}

func classifyDER(der []byte) derKind {
	in := cryptobyte.String(der)
	var seq cryptobyte.String
	if !in.ReadASN1(&seq, casn1.SEQUENCE) {
		return derUnknown
	}
	switch {
	case seq.PeekASN1Tag(casn1.INTEGER):
		var first cryptobyte.String
		if !seq.ReadASN1(&first, casn1.INTEGER) {
			return derUnknown
		}
		version := -1
		if len(first) == 1 {
			version = int(first[0])
		}
		switch {
		case seq.PeekASN1Tag(casn1.SEQUENCE):
			var inner cryptobyte.String
			var oid asn1.ObjectIdentifier
			if !seq.ReadASN1(&inner, casn1.SEQUENCE) || !inner.ReadASN1ObjectIdentifier(&oid) {
				return derUnknown
			}
			if version == 3 && (oid.Equal(oidPKCS7Data) || oid.Equal(oidPKCS7SignedData)) {
				return derPFX
			}
			if (version == 0 || version == 1) && seq.PeekASN1Tag(casn1.OCTET_STRING) {
				return derPKCS8
			}
		case seq.PeekASN1Tag(casn1.INTEGER):
			if version == 0 {
				return derPKCS1
			}
			var e cryptobyte.String
			if seq.ReadASN1(&e, casn1.INTEGER) && seq.Empty() {
				return derPKCS1Public
			}
		case seq.PeekASN1Tag(casn1.OCTET_STRING):
			if version == 1 {
				return derSEC1
			}
		}
	case seq.PeekASN1Tag(casn1.SEQUENCE):
		var inner cryptobyte.String
		if !seq.ReadASN1(&inner, casn1.SEQUENCE) {
			return derUnknown
		}
		if inner.PeekASN1Tag(casn1.OBJECT_IDENTIFIER) {
			switch {
			case seq.PeekASN1Tag(casn1.OCTET_STRING):
				return derEncryptedPKCS8
			case seq.PeekASN1Tag(casn1.BIT_STRING):
				return derSPKI
			}
			return derUnknown
		}
		if seq.PeekASN1Tag(casn1.SEQUENCE) {
			return derSigned
		}
	}
	return derUnknown
}

// derTotal returns the length the DER header at the start of b announces, header included, or
// false when even the header is unreadable.
func derTotal(b []byte) (int, bool) {
	if len(b) < 2 || b[0]&0x1f == 0x1f {
		return 0, false
	}
	l := int(b[1])
	if l < 0x80 {
		return 2 + l, true
	}
	n := l & 0x7f
	if n == 0 || n > 4 || len(b) < 2+n {
		return 0, false
	}
	length := 0
	for _, c := range b[2 : 2+n] {
		length = length<<8 | int(c)
	}
	return 2 + n + length, true
}

// truncatedDER reports whether b looks like the start of a longer DER SEQUENCE: its header
// announces more bytes than there are, and what follows the header starts like DER as well.
func truncatedDER(b []byte) (want int, ok bool) {
	if len(b) < 4 || b[0] != 0x30 {
		return 0, false
	}
	total, ok := derTotal(b)
	if !ok || total <= len(b) {
		return 0, false
	}
	n := 2
	if b[1] >= 0x80 {
		n += int(b[1] & 0x7f)
	}
	if n >= len(b) {
		return 0, false
	}
	switch b[n] {
	case 0x02, 0x30: // INTEGER or SEQUENCE, as every structure this package reads starts
		return total, true
	}
	return 0, false
}

// checkDER rejects DER that is cut short before any parser sees it, so the error says so
// instead of "syntax error".
func checkDER(der []byte, src, what string) error {
	if len(der) == 0 {
		return newError(ErrMalformed, src, "has an empty "+what, "copy the whole key again")
	}
	if want, ok := truncatedDER(der); ok {
		return newError(ErrMalformed, src, fmt.Sprintf("is truncated: its %s announces %d bytes but holds only %d", what, want, len(der)),
			"copy the whole key again")
	}
	return nil
}

// parseDER reads a binary (DER) key file or the base64-decoded text of one.
func parseDER(data []byte, src string, opt Options) (*rawKey, error) {
	switch classifyDER(data) {
	case derPFX:
		return parsePKCS12(data, src, opt)
	case derUnknown:
		if want, ok := truncatedDER(data); ok {
			return nil, newError(ErrMalformed, src, fmt.Sprintf("is truncated: its DER data announces %d bytes but holds only %d", want, len(data)),
				"copy the whole file again (binary files must be copied or base64-encoded as they are)")
		}
		if len(data) > 1 && data[1] == 0x80 {
			return nil, newError(ErrUnsupported, src, "uses BER indefinite-length encoding (as some Windows exports do), which postmint does not read",
				"convert it: openssl pkcs12 -in IN.pfx -nodes -out tmp.pem && openssl pkcs12 -export -in tmp.pem -out OUT.p12")
		}
		return nil, newError(ErrUnknownFormat, src, "is not a private key in any format postmint reads ("+formatsRead+")", "")
	}
	return parseKeyDER(data, nil, src, opt)
}

// parseKeyDER reads the DER of a private key in any of its encodings. curveParams is the body
// of an EC PARAMETERS PEM block, which names the curve for SEC1 keys that leave it out.
func parseKeyDER(der, curveParams []byte, src string, opt Options) (*rawKey, error) {
	switch classifyDER(der) {
	case derPKCS8:
		return parsePKCS8(der, src)
	case derPKCS1:
		return parsePKCS1(der, src)
	case derSEC1:
		return parseSEC1(der, curveParams, src)
	case derEncryptedPKCS8:
		return parseEncryptedPKCS8(der, src, opt)
	case derPFX:
		return parsePKCS12(der, src, opt)
	case derSPKI, derPKCS1Public:
		return nil, newError(ErrNotPrivateKey, src, "is a public key, not a private key",
			"pass the private key; the public key is what the identity provider gets")
	case derSigned:
		if _, err := x509.ParseCertificate(der); err == nil {
			return nil, newError(ErrNotPrivateKey, src, "is a certificate, not a private key",
				"pass the private key the certificate was issued for (the certificate goes in `certificate:`)")
		}
		if _, err := x509.ParseCertificateRequest(der); err == nil {
			return nil, newError(ErrNotPrivateKey, src, "is a certificate signing request, not a private key",
				"pass the private key the request was made with")
		}
	}
	if err := checkDER(der, src, "key data"); err != nil {
		return nil, err
	}
	return nil, newError(ErrMalformed, src, "holds damaged key data (not PKCS#8, PKCS#1 or SEC1)", "copy or export the key again")
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

// parseCertificateDER reads one certificate; a TRUSTED CERTIFICATE block (openssl -trustout)
// carries trust settings after it, which are dropped.
func parseCertificateDER(der []byte, src string) (*x509.Certificate, error) {
	in := cryptobyte.String(der)
	var elem cryptobyte.String
	if in.ReadASN1Element(&elem, casn1.SEQUENCE) {
		der = elem
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		if want, ok := truncatedDER(der); ok {
			return nil, newError(ErrMalformed, src, fmt.Sprintf("is truncated: a certificate announces %d bytes but holds only %d", want, len(der)),
				"copy the whole certificate again")
		}
		return nil, wrapError(ErrMalformed, src, "holds a damaged certificate", "copy or export the certificate again", err)
	}
	return c, nil
}
