package keys

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/pem"
	"fmt"
	"io"
	"math/big"
	"strings"
	"time"

	"github.com/youmark/pkcs8"
)

// KeyKinds are the kinds Generate makes, in the order to list them.
var KeyKinds = []string{"RSA-2048", "RSA-3072", "RSA-4096", "P-256", "P-384", "P-521", "Ed25519"}

// kindAliases maps what users type (case, "-" and "_" ignored) to a kind. JOSE algs map to the
// usual key for them: RSA-2048 for every RS*/PS*, the curve the ES* alg names, Ed25519 for EdDSA.
var kindAliases = map[string]string{
	"RSA2048": "RSA-2048", "RSA3072": "RSA-3072", "RSA4096": "RSA-4096", "RSA": "RSA-2048",
	"P256": "P-256", "P384": "P-384", "P521": "P-521", "EC": "P-256",
	"SECP256R1": "P-256", "PRIME256V1": "P-256", "SECP384R1": "P-384", "SECP521R1": "P-521",
	"ED25519": "Ed25519",
	"RS256":   "RSA-2048", "RS384": "RSA-2048", "RS512": "RSA-2048",
	"PS256": "RSA-2048", "PS384": "RSA-2048", "PS512": "RSA-2048",
	"ES256": "P-256", "ES384": "P-384", "ES512": "P-521", "EDDSA": "Ed25519",
}

// NormalizeKind returns the Generate kind for a kind or JOSE alg name, or "" if there is none.
func NormalizeKind(kind string) string {
	k := strings.ToUpper(strings.NewReplacer("-", "", "_", "", " ", "").Replace(kind))
	return kindAliases[k]
}

// Generate makes a new private key of the given kind: "RSA-2048", "RSA-3072", "RSA-4096",
// "P-256", "P-384", "P-521", "Ed25519", or a JOSE alg (RS256 and PS256 give RSA-2048, ES256
// P-256, ES384 P-384, ES512 P-521, EdDSA Ed25519). rand may be nil for crypto/rand; since Go 1.26
// the standard library ignores it unless GODEBUG=cryptocustomrand=1 (tests that need fixed keys
// use testing/cryptotest.SetGlobalRandom).
func Generate(kind string, random io.Reader) (crypto.Signer, error) {
	if random == nil {
		random = rand.Reader
	}
	switch NormalizeKind(kind) {
	case "RSA-2048":
		return rsa.GenerateKey(random, 2048)
	case "RSA-3072":
		return rsa.GenerateKey(random, 3072)
	case "RSA-4096":
		return rsa.GenerateKey(random, 4096)
	case "P-256":
		return ecdsa.GenerateKey(elliptic.P256(), random)
	case "P-384":
		return ecdsa.GenerateKey(elliptic.P384(), random)
	case "P-521":
		return ecdsa.GenerateKey(elliptic.P521(), random)
	case "Ed25519":
		_, priv, err := ed25519.GenerateKey(random)
		return priv, err
	}
	return nil, newError(ErrInvalidArgument, "", fmt.Sprintf("key kind %q is not one postmint makes", kind),
		"use one of "+strings.Join(KeyKinds, ", ")+", or an alg: RS256, PS256, ES256, ES384, ES512, EdDSA")
}

// PKCS8Iterations is the PBKDF2-HMAC-SHA256 iteration count MarshalPKCS8PEM encrypts with
// (OWASP's 2023 recommendation).
const PKCS8Iterations = 600_000

// MarshalPKCS8PEM encodes a private key as PKCS#8 PEM. With a password it is encrypted PKCS#8
// ("ENCRYPTED PRIVATE KEY": PBES2, AES-256-CBC, PBKDF2-HMAC-SHA256, PKCS8Iterations iterations,
// 16-byte salt), which openssl and this package read back; without one it is plain
// "PRIVATE KEY".
func MarshalPKCS8PEM(s crypto.Signer, password []byte) ([]byte, error) {
	if len(password) == 0 {
		der, err := x509.MarshalPKCS8PrivateKey(s)
		if err != nil {
			return nil, fmt.Errorf("encoding the key as PKCS#8: %w", err)
		}
		return pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}), nil
	}
	der, err := pkcs8.MarshalPrivateKey(s, password, &pkcs8.Opts{
		Cipher:  pkcs8.AES256CBC,
		KDFOpts: pkcs8.PBKDF2Opts{SaltSize: 16, IterationCount: PKCS8Iterations, HMACHash: crypto.SHA256},
	})
	if err != nil {
		return nil, fmt.Errorf("encrypting the key as PKCS#8: %w", err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "ENCRYPTED PRIVATE KEY", Bytes: der}), nil
}

// SelfSignedCertificate makes a self-signed client certificate for s, valid from now for days
// days, with the subject given as a distinguished name: "CN=acme,O=Acme" (RFC 4514 order, most
// specific first) or "/O=Acme/CN=acme" (OpenSSL order). It is a leaf for TLS client and
// signature use (digitalSignature, clientAuth), not a CA. It returns the certificate and its PEM.
func SelfSignedCertificate(s crypto.Signer, subject string, days int, now time.Time) (*x509.Certificate, []byte, error) {
	if days < 1 {
		return nil, nil, newError(ErrInvalidArgument, "", fmt.Sprintf("a certificate must be valid for at least 1 day, not %d", days), "")
	}
	rdns, err := parseDN(subject)
	if err != nil {
		return nil, nil, err
	}
	rawSubject, err := asn1.Marshal(rdns)
	if err != nil {
		return nil, nil, fmt.Errorf("encoding the subject: %w", err)
	}
	spki, err := x509.MarshalPKIXPublicKey(s.Public())
	if err != nil {
		return nil, nil, fmt.Errorf("encoding the public key: %w", err)
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, nil, fmt.Errorf("making a serial number: %w", err)
	}
	ski := sha256.Sum256(spki)
	var name pkix.Name
	name.FillFromRDNSequence(&rdns)
	now = now.Truncate(time.Second)
	tmpl := &x509.Certificate{
		SerialNumber:          serial.Add(serial, big.NewInt(1)),
		Subject:               name,
		RawSubject:            rawSubject,
		NotBefore:             now,
		NotAfter:              now.AddDate(0, 0, days),
		KeyUsage:              x509.KeyUsageDigitalSignature,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageClientAuth},
		BasicConstraintsValid: true,
		SubjectKeyId:          ski[:20],
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, s.Public(), s)
	if err != nil {
		return nil, nil, fmt.Errorf("signing the certificate: %w", err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, nil, fmt.Errorf("reading back the certificate: %w", err)
	}
	return cert, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), nil
}

// dnAttributes are the attribute types a subject may use (RFC 4514 §3, RFC 4519).
var dnAttributes = map[string]asn1.ObjectIdentifier{
	"CN":           {2, 5, 4, 3},
	"SERIALNUMBER": {2, 5, 4, 5},
	"C":            {2, 5, 4, 6},
	"L":            {2, 5, 4, 7},
	"ST":           {2, 5, 4, 8},
	"S":            {2, 5, 4, 8},
	"STREET":       {2, 5, 4, 9},
	"O":            {2, 5, 4, 10},
	"OU":           {2, 5, 4, 11},
	"POSTALCODE":   {2, 5, 4, 17},
	"DC":           {0, 9, 2342, 19200300, 100, 1, 25},
	"UID":          {0, 9, 2342, 19200300, 100, 1, 1},
	"E":            {1, 2, 840, 113549, 1, 9, 1},
	"EMAILADDRESS": {1, 2, 840, 113549, 1, 9, 1},
}

// parseDN reads "CN=acme,O=Acme" (RFC 4514: most specific first, "\," escapes) or
// "/O=Acme/CN=acme" (OpenSSL: least specific first) into the RDN sequence of a certificate.
func parseDN(dn string) (pkix.RDNSequence, error) {
	dn = strings.TrimSpace(dn)
	bad := func(why string) error {
		return newError(ErrInvalidArgument, "", fmt.Sprintf("subject %q %s", dn, why),
			`write it like "CN=my-client,O=Acme,C=DE" (attributes CN, O, OU, C, L, ST, STREET, POSTALCODE, SERIALNUMBER, DC, UID, E)`)
	}
	if dn == "" {
		return nil, bad("is empty")
	}
	openssl := strings.HasPrefix(dn, "/")
	sep := ','
	body := dn
	if openssl {
		sep, body = '/', dn[1:]
	}
	parts, err := splitEscaped(body, sep)
	if err != nil {
		return nil, bad(err.Error())
	}
	var seq pkix.RDNSequence
	for _, p := range parts {
		typ, value, ok := strings.Cut(p, "=")
		typ = strings.TrimSpace(typ)
		value = strings.TrimSpace(value)
		if !ok || value == "" {
			return nil, bad(fmt.Sprintf("has %q, which is not TYPE=value", strings.TrimSpace(p)))
		}
		oid, known := dnAttributes[strings.ToUpper(typ)]
		if !known {
			return nil, bad(fmt.Sprintf("uses the unknown attribute %q", typ))
		}
		if strings.EqualFold(typ, "C") && len(value) != 2 {
			return nil, bad(fmt.Sprintf("has country %q; C takes a two-letter code such as DE", value))
		}
		seq = append(seq, pkix.RelativeDistinguishedNameSET{{Type: oid, Value: value}})
	}
	if !openssl {
		// RFC 4514 writes the sequence backwards.
		for i, j := 0, len(seq)-1; i < j; i, j = i+1, j-1 {
			seq[i], seq[j] = seq[j], seq[i]
		}
	}
	return seq, nil
}

// splitEscaped splits s at sep, honouring backslash escapes ("\," or "\2C"), and unescapes.
func splitEscaped(s string, sep rune) ([]string, error) {
	var parts []string
	var cur strings.Builder
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		switch r := rs[i]; {
		case r == '\\':
			if i+1 >= len(rs) {
				return nil, fmt.Errorf("ends with a lone backslash")
			}
			if i+2 < len(rs) && isHex(rs[i+1]) && isHex(rs[i+2]) {
				var b byte
				fmt.Sscanf(string(rs[i+1:i+3]), "%02x", &b)
				cur.WriteByte(b)
				i += 2
				continue
			}
			cur.WriteRune(rs[i+1])
			i++
		case r == sep:
			parts = append(parts, cur.String())
			cur.Reset()
		default:
			cur.WriteRune(r)
		}
	}
	return append(parts, cur.String()), nil
}

func isHex(r rune) bool {
	return (r >= '0' && r <= '9') || (r >= 'a' && r <= 'f') || (r >= 'A' && r <= 'F')
}
