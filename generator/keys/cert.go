package keys

import (
	"bytes"
	"crypto"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"fmt"
	"math"
	"time"

	"golang.org/x/crypto/cryptobyte"
	casn1 "golang.org/x/crypto/cryptobyte/asn1"
)

// LoadCertificates reads a certificate chain (PEM, or a single DER certificate) from a file, in
// file order.
func LoadCertificates(path string) ([]*x509.Certificate, error) {
	data, err := readFile(path, "certificate")
	if err != nil {
		return nil, err
	}
	return ParseCertificates(data, path)
}

// ParseCertificates reads every CERTIFICATE block of a PEM, in order, or one DER certificate.
// Private keys and other blocks beside them are ignored; no certificate at all is an error.
func ParseCertificates(data []byte, source string) ([]*x509.Certificate, error) {
	if source == "" {
		source = "the certificate"
	}
	data = bytes.TrimPrefix(data, utf8BOM)
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, newError(ErrEmpty, source, "is empty", "put the PEM certificate chain in it (leaf first)")
	}
	if !bytes.Contains(data, []byte("-----BEGIN ")) {
		if classifyDER(data) == derSigned {
			c, err := parseCertificateDER(data, source)
			if err != nil {
				return nil, err
			}
			return []*x509.Certificate{c}, nil
		}
		return nil, newError(ErrNoCertificate, source, "holds no certificate", "pass a PEM file with -----BEGIN CERTIFICATE----- blocks")
	}
	blocks, err := pemBlocks(normalizePEM(data), source)
	if err != nil {
		return nil, err
	}
	var certs []*x509.Certificate
	for _, b := range blocks {
		switch b.Type {
		case "CERTIFICATE", "X509 CERTIFICATE", "TRUSTED CERTIFICATE":
			c, err := parseCertificateDER(b.Bytes, source)
			if err != nil {
				return nil, err
			}
			certs = append(certs, c)
		}
	}
	if len(certs) == 0 {
		return nil, newError(ErrNoCertificate, source, "holds no certificate", "pass a PEM file with -----BEGIN CERTIFICATE----- blocks")
	}
	return certs, nil
}

// MatchCertificate reports whether cert was issued for pub (a public or private key); if not,
// the error wraps ErrCertificateMismatch and names both keys by type and thumbprint.
func MatchCertificate(pub crypto.PublicKey, cert *x509.Certificate) error {
	if cert == nil {
		return newError(ErrInvalidArgument, "", "no certificate given", "")
	}
	pub = publicOf(pub)
	eq, ok := pub.(interface{ Equal(crypto.PublicKey) bool })
	if ok && eq.Equal(cert.PublicKey) {
		return nil
	}
	return newError(ErrCertificateMismatch, "", fmt.Sprintf("the certificate %q is for another key (%s) than the private key (%s)",
		cert.Subject.String(), keyLabel(cert.PublicKey), keyLabel(pub)), "use the certificate issued for this key, or the key it was issued for")
}

// keyLabel describes a public key with its thumbprint's first characters, which are public.
func keyLabel(pub crypto.PublicKey) string {
	s := describePublic(pub)
	if t, err := Thumbprint(pub); err == nil {
		s += ", thumbprint " + t[:12] + "…"
	}
	return s
}

// LeafFirst puts the certificate that matches pub first (x5c must start with it) and keeps the
// others in order. ok is false, and certs come back as they are, when none matches.
func LeafFirst(pub crypto.PublicKey, certs []*x509.Certificate) (_ []*x509.Certificate, ok bool) {
	for i, c := range certs {
		if MatchCertificate(pub, c) == nil {
			out := make([]*x509.Certificate, 0, len(certs))
			out = append(out, c)
			out = append(out, certs[:i]...)
			return append(out, certs[i+1:]...), true
		}
	}
	return certs, false
}

// leafFirst is LeafFirst for a key file's own chain: a chain without the key's certificate
// does not belong to the key.
func leafFirst(pub crypto.PublicKey, certs []*x509.Certificate, src string) ([]*x509.Certificate, error) {
	if out, ok := LeafFirst(pub, certs); ok {
		return out, nil
	}
	err := MatchCertificate(pub, certs[0]).(*Error)
	err.Source = src
	err.Problem = "holds a certificate that does not match its private key: " + err.Problem
	return nil, err
}

// warnWithin is how far ahead CertificateWarnings looks for an expiry.
const warnWithin = 30 * 24 * time.Hour

// CertificateWarnings lists what a user should hear about cert at now: expired, not yet valid,
// or expiring within 30 days. It is empty for a certificate with nothing to report.
func CertificateWarnings(cert *x509.Certificate, now time.Time) []string {
	if cert == nil {
		return nil
	}
	name := fmt.Sprintf("certificate %q", cert.Subject.String())
	day := func(t time.Time) string { return t.UTC().Format("2006-01-02") }
	days := func(d time.Duration) int { return int(math.Ceil(d.Hours() / 24)) }
	var out []string
	switch {
	case now.After(cert.NotAfter):
		out = append(out, fmt.Sprintf("%s expired on %s (%d days ago)", name, day(cert.NotAfter), days(now.Sub(cert.NotAfter))))
	case cert.NotAfter.Sub(now) <= warnWithin:
		out = append(out, fmt.Sprintf("%s expires on %s (in %d days)", name, day(cert.NotAfter), days(cert.NotAfter.Sub(now))))
	}
	if now.Before(cert.NotBefore) {
		out = append(out, fmt.Sprintf("%s is not valid before %s", name, day(cert.NotBefore)))
	}
	return out
}

// X5C returns the "x5c" header value (RFC 7515 §4.1.6): standard base64 of each DER, leaf first.
func X5C(certs []*x509.Certificate) []string {
	out := make([]string, len(certs))
	for i, c := range certs {
		out[i] = base64.StdEncoding.EncodeToString(c.Raw)
	}
	return out
}

// X5TS256 returns the "x5t#S256" header value (RFC 7515 §4.1.8): base64url SHA-256 of the DER.
func X5TS256(cert *x509.Certificate) string {
	sum := sha256.Sum256(cert.Raw)
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

// X5T returns the "x5t" header value (RFC 7515 §4.1.7): base64url SHA-1 of the DER, which some
// identity providers (Azure AD / Entra ID) still ask for.
func X5T(cert *x509.Certificate) string {
	sum := sha1.Sum(cert.Raw)
	return base64.RawURLEncoding.EncodeToString(sum[:])
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
