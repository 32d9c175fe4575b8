// Package keys turns the private keys users have, in every common format, into a crypto.Signer
// and its certificate chain, and writes public keys out as JWK and JWKS.
//
// Formats are detected from the content, never from the file name: PEM (PKCS#1, PKCS#8,
// encrypted PKCS#8, legacy "Proc-Type: 4,ENCRYPTED", SEC1, OpenSSH, with any CERTIFICATE blocks
// beside the key), DER, JWK, JWKS, PKCS#12 and JKS. Accepted keys are RSA of at least 2048 bits,
// EC on P-256, P-384 and P-521, and Ed25519.
//
// One path for a key: parse (key.go) detects the format; one parser per format returns the raw
// key and the certificates beside it (pem.go, openssh.go, der.go for DER shapes, unencrypted.go
// for PKCS#8/PKCS#1/SEC1, encrypted.go with pkcs12kdf.go for encrypted PKCS#8, jwk.go,
// pkcs12.go, jks.go); and rawKey.finish (signer.go) checks the signer and orders the chain
// leaf first (cert.go), for every format alike. alg.go holds which algs fit a key; jwkout.go
// writes public JWKs and JWK Sets.
//
// The package is a pure library: it prints nothing and its errors (see Error) name the source and
// what to do, but never contain key material or passwords.
package keys

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unicode"

	"github.com/postmint/postmint/internal/boundedread"
)

// EnvVar is the environment variable that holds a key's text for CI; FromEnv names it as the
// source of its errors.
const EnvVar = "POSTMINT_PRIVATE_KEY"

// maxFileSize bounds what Load and LoadCertificates read: key files are a few kilobytes.
const maxFileSize = 4 << 20

// Format names reported in Key.Format.
const (
	FormatPKCS8PEM          = "PKCS#8 PEM"
	FormatPKCS1PEM          = "PKCS#1 PEM"
	FormatSEC1PEM           = "SEC1 PEM"
	FormatEncryptedPKCS8    = "encrypted PKCS#8"
	FormatEncryptedPKCS1PEM = "encrypted PKCS#1 PEM" // legacy Proc-Type: 4,ENCRYPTED
	FormatEncryptedSEC1PEM  = "encrypted SEC1 PEM"   // legacy Proc-Type: 4,ENCRYPTED
	FormatOpenSSH           = "OpenSSH"
	FormatPKCS8DER          = "PKCS#8 DER"
	FormatPKCS1DER          = "PKCS#1 DER"
	FormatSEC1DER           = "SEC1 DER"
	FormatEncryptedPKCS8DER = "encrypted PKCS#8 DER"
	FormatJWK               = "JWK"
	FormatJWKS              = "JWKS"
	FormatPKCS12            = "PKCS#12"
	FormatJKS               = "JKS"
)

// Key is a private key ready to sign, with what was found beside it.
type Key struct {
	Signer       crypto.Signer       // *rsa.PrivateKey, *ecdsa.PrivateKey or ed25519.PrivateKey
	Certificates []*x509.Certificate // leaf first (the one that matches Signer); nil when none
	Source       string              // "keys/client.pem", "POSTMINT_PRIVATE_KEY", ...
	Format       string              // one of the Format* constants
	KeyID        string              // kid from a JWK/JWKS, or the JKS alias; "" otherwise

	// pssOnly marks an RSA key whose PKCS#8 algorithm is id-RSASSA-PSS: it may sign only with PS*.
	pssOnly bool
}

// Options carries what some formats need to open a key.
type Options struct {
	Password      []byte // key (and store) password; may be nil
	StorePassword []byte // JKS/PKCS#12 store password when it differs; nil means Password
	Alias         string // JKS entry alias or JWKS kid; PKCS#12 (one key only) and single-key formats ignore it
}

func (o Options) storePassword() []byte {
	if o.StorePassword != nil {
		return o.StorePassword
	}
	return o.Password
}

func (o Options) keyPassword() []byte {
	if o.Password != nil {
		return o.Password
	}
	return o.StorePassword
}

// Parse reads a private key from data, detecting the format from the content. source names
// the data in errors and in Key.Source ("keys/client.pem", "POSTMINT_PRIVATE_KEY").
func Parse(data []byte, source string, opt Options) (*Key, error) {
	if source == "" {
		source = "the key"
	}
	return parse(data, source, opt)
}

// Load reads a private key from a file; see Parse.
func Load(path string, opt Options) (*Key, error) {
	data, err := readFile(path, "key")
	if err != nil {
		return nil, err
	}
	return Parse(data, path, opt)
}

// FromEnv reads a private key from the text of POSTMINT_PRIVATE_KEY: a PEM with real newlines,
// a one-line PEM with "\n" escapes (or spaces) for newlines, a JSON JWK or JWKS, or the base64 of
// a binary PKCS#12, JKS or DER file.
func FromEnv(value string, opt Options) (*Key, error) {
	v := strings.TrimSpace(value)
	// CI secret stores and .env files sometimes keep the quotes around a value.
	if len(v) >= 2 && (v[0] == '"' || v[0] == '\'') && v[len(v)-1] == v[0] {
		v = strings.TrimSpace(v[1 : len(v)-1])
	}
	k, err := parse([]byte(v), EnvVar, opt)
	if err != nil && errors.Is(err, ErrUnknownFormat) && looksLikePath(v) {
		return nil, newError(ErrUnknownFormat, EnvVar, "holds what looks like a file path, not a key",
			"put the key's text in POSTMINT_PRIVATE_KEY (for example `export POSTMINT_PRIVATE_KEY=\"$(cat client.key.pem)\"`), or pass the file with -k")
	}
	return k, err
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// parse reads a key in any format and makes it a Key in one place (rawKey.finish).
func parse(data []byte, src string, opt Options) (*Key, error) {
	raw, err := parseFormat(data, src, opt, false)
	if err != nil {
		return nil, err
	}
	return raw.finish(src)
}

// parseFormat detects the format from the content and hands the data to its parser; decoded
// says data is already the base64-decoded text of a key file.
func parseFormat(data []byte, src string, opt Options, decoded bool) (*rawKey, error) {
	data = bytes.TrimPrefix(data, utf8BOM)
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 {
		if src == EnvVar {
			return nil, newError(ErrEmpty, src, "is empty", "set it to the private key's text, or unset it")
		}
		return nil, newError(ErrEmpty, src, "is empty", "put the private key in it ("+formatsRead+")")
	}
	switch {
	case bytes.Contains(data, []byte("-----BEGIN ")):
		return parsePEM(normalizePEM(data), src, opt)
	case trimmed[0] == '{':
		return parseJSON(trimmed, src, opt)
	case bytes.HasPrefix(data, jksMagic):
		return parseJKS(data, src, opt)
	case bytes.HasPrefix(data, jceksMagic):
		return nil, newError(ErrUnsupported, src, "is a JCEKS key store, which postmint does not read",
			"convert it: keytool -importkeystore -srckeystore IN.jceks -srcstoretype JCEKS -destkeystore OUT.p12 -deststoretype PKCS12")
	case data[0] == 0x30:
		k, err := parseDER(data, src, opt)
		if err == nil || !errors.Is(err, ErrUnknownFormat) {
			return k, err
		}
	case isSSHPublicKey(trimmed):
		return nil, newError(ErrNotPrivateKey, src, "is a public key, not a private key",
			"this is an OpenSSH public key; pass the private key instead")
	}
	if !decoded {
		if raw, ok := decodeBase64(trimmed); ok {
			k, err := parseFormat(raw, src, opt, true)
			if err == nil || !errors.Is(err, ErrUnknownFormat) {
				return k, err
			}
		}
	}
	return nil, newError(ErrUnknownFormat, src, "is not a private key in any format postmint reads ("+formatsRead+")",
		"check that it is the private key file (it usually starts with -----BEGIN PRIVATE KEY-----)")
}

// decodeBase64 decodes text that is the base64 of a key file, in any of the four alphabets and
// with any line breaks. It reports false for anything that does not decode to something a key
// file could start with.
func decodeBase64(text []byte) ([]byte, bool) {
	compact := strings.Map(func(r rune) rune {
		if unicode.IsSpace(r) {
			return -1
		}
		return r
	}, string(text))
	if len(compact) < 16 {
		return nil, false
	}
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		raw, err := enc.DecodeString(compact)
		if err != nil {
			continue
		}
		t := bytes.TrimSpace(raw)
		if len(t) > 0 && (t[0] == 0x30 || t[0] == '{' || bytes.HasPrefix(t, jksMagic) ||
			bytes.HasPrefix(t, jceksMagic) || bytes.Contains(t, []byte("-----BEGIN "))) {
			return raw, true
		}
	}
	return nil, false
}

func isSSHPublicKey(text []byte) bool {
	for _, p := range []string{"ssh-rsa ", "ssh-ed25519 ", "ecdsa-sha2-", "ssh-dss "} {
		if bytes.HasPrefix(text, []byte(p)) {
			return true
		}
	}
	return false
}

func looksLikePath(v string) bool {
	if v == "" || strings.ContainsAny(v, "\n{") || len(v) > 1024 {
		return false
	}
	if strings.HasPrefix(v, "/") || strings.HasPrefix(v, "./") || strings.HasPrefix(v, "../") || strings.HasPrefix(v, "~") {
		return true
	}
	switch strings.ToLower(filepath.Ext(v)) {
	case ".pem", ".key", ".p12", ".pfx", ".jks", ".json", ".der", ".crt":
		return true
	}
	return false
}

// readFile reads a key or certificate file with errors that say what is wrong with the path.
func readFile(path, what string) ([]byte, error) {
	data, err := boundedread.ReadFile(path, maxFileSize)
	switch {
	case err == nil:
		return data, nil
	case errors.Is(err, fs.ErrNotExist):
		return nil, &Error{Source: path, Problem: "does not exist", Kind: ErrFile, Err: err, quiet: true,
			Hint: "check the " + what + " file's path (relative paths start at the current directory)"}
	case errors.Is(err, fs.ErrPermission):
		return nil, &Error{Source: path, Problem: "cannot be read (permission denied)", Kind: ErrFile, Err: err, quiet: true,
			Hint: "check the file's permissions"}
	case errors.Is(err, boundedread.ErrDirectory):
		hint := "pass the " + what + " file, not its folder"
		if names := keyFilesIn(path); len(names) > 0 {
			hint += " (it holds " + strings.Join(names, ", ") + ")"
		}
		return nil, newError(ErrFile, path, "is a directory, not a "+what+" file", hint)
	case errors.Is(err, boundedread.ErrTooLarge):
		return nil, newError(ErrFile, path, err.Error()+" for a "+what+" file", "check that the path names the "+what+" file")
	case errors.Is(err, boundedread.ErrEmptyPipe), errors.Is(err, boundedread.ErrStalled):
		return nil, newError(ErrFile, path, err.Error(), "pass the "+what+" file itself, or start the program that writes to the pipe first")
	}
	return nil, wrapError(ErrFile, path, "cannot be read", "", err)
}

// keyFilesIn lists up to five files in dir whose names suggest keys or certificates.
func keyFilesIn(dir string) []string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	var names []string
	for _, e := range entries {
		switch strings.ToLower(filepath.Ext(e.Name())) {
		case ".pem", ".key", ".p12", ".pfx", ".jks", ".json", ".der", ".crt":
			if !e.IsDir() && len(names) < 5 {
				names = append(names, e.Name())
			}
		}
	}
	sort.Strings(names)
	return names
}

// PKCS8PEM returns the key as an unencrypted PKCS#8 PEM ("-----BEGIN PRIVATE KEY-----", ending
// in a newline): the normalized form written into Postman environments.
func (k *Key) PKCS8PEM() (string, error) {
	der, err := x509.MarshalPKCS8PrivateKey(k.Signer)
	if err != nil {
		return "", fmt.Errorf("encoding %s as PKCS#8: %w", k.Source, err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der})), nil
}

// Public returns the public half of the key.
func (k *Key) Public() crypto.PublicKey { return k.Signer.Public() }

// Describe names the key type and size without any secret: "RSA 2048", "EC P-256", "Ed25519".
func (k *Key) Describe() string {
	if k == nil || k.Signer == nil {
		return "no key"
	}
	return describePublic(k.Signer.Public())
}

func describePublic(pub crypto.PublicKey) string {
	switch p := publicOf(pub).(type) {
	case *rsa.PublicKey:
		return fmt.Sprintf("RSA %d", p.N.BitLen())
	case *ecdsa.PublicKey:
		return "EC " + curveName(p.Curve)
	case ed25519.PublicKey:
		return "Ed25519"
	}
	return fmt.Sprintf("%T", pub)
}

func curveName(c elliptic.Curve) string {
	if c == nil || c.Params() == nil {
		return "unknown curve"
	}
	return c.Params().Name
}

// publicOf returns the public key of a private key or signer, and anything else unchanged.
func publicOf(k any) crypto.PublicKey {
	switch v := k.(type) {
	case *ed25519.PrivateKey:
		return v.Public()
	case crypto.Signer:
		return v.Public()
	case *ed25519.PublicKey:
		return *v
	}
	return k
}
