package keys

import (
	"crypto/x509"
	"encoding/asn1"
	"fmt"

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
