package keys

import (
	"encoding/base64"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

func TestBadInputs(t *testing.T) {
	pw := Options{Password: password(t)}
	wrong := Options{Password: []byte("wrong-password")}
	twoJKS := func(o Options) Options { o.Alias = "rsa-key"; return o }
	tests := []struct {
		name string
		file string // a fixture, or
		data string // inline content
		opt  Options
		kind error
		want string // in the message
	}{
		{name: "empty", data: "", kind: ErrEmpty, want: "is empty"},
		{name: "white space", data: " \n\t\r\n", kind: ErrEmpty, want: "is empty"},
		{name: "binary junk", file: "junk.bin", kind: ErrUnknownFormat,
			want: "is not a private key in any format postmint reads (PEM, JWK, JWKS, PKCS#12, JKS)"},
		{name: "text junk", data: "hello, this is not a key", kind: ErrUnknownFormat, want: "not a private key in any format postmint reads"},
		{name: "weak RSA", file: "rsa1024.pkcs1.pem", kind: ErrWeakKey, want: "at least 2048 bits"},
		{name: "weak RSA as JWK", data: weakJWK, kind: ErrWeakKey, want: "RSA 1024"},
		{name: "P-224 SEC1", file: "ec-p224.sec1.pem", kind: ErrUnsupported, want: "curve P-224"},
		{name: "P-224 PKCS#8", file: "ec-p224.pkcs8.pem", kind: ErrUnsupported, want: "curve P-224"},
		{name: "P-192", file: "ec-p192.sec1.pem", kind: ErrUnsupported, want: "curve P-192"},
		{name: "secp256k1 SEC1", file: "ec-secp256k1.sec1.pem", kind: ErrUnsupported, want: "curve secp256k1"},
		{name: "secp256k1 PKCS#8", file: "ec-secp256k1.pkcs8.pem", kind: ErrUnsupported, want: "curve secp256k1"},
		{name: "secp256k1 JWK", file: "ec-secp256k1.jwk.json", kind: ErrUnsupported, want: "curve secp256k1"},
		{name: "explicit EC parameters", file: "ec-p256.explicit-params.pem", kind: ErrUnsupported, want: "explicit curve parameters"},
		{name: "X25519", file: "x25519.pkcs8.pem", kind: ErrUnsupported, want: "X25519 key, which is for key agreement"},
		{name: "Ed448", file: "ed448.pkcs8.pem", kind: ErrUnsupported, want: "Ed448"},
		{name: "public key", file: "rsa2048.pub.pem", kind: ErrNotPrivateKey, want: "is a public key, not a private key"},
		{name: "PKCS#1 public key", file: "rsa2048.pkcs1-pub.pem", kind: ErrNotPrivateKey, want: "is a public key, not a private key"},
		{name: "SSH public key", data: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIExample user@host", kind: ErrNotPrivateKey, want: "is a public key, not a private key"},
		{name: "certificate", file: "rsa2048.crt.pem", kind: ErrNotPrivateKey, want: "is a certificate, not a private key"},
		{name: "certificate chain", file: "rsa2048.chain.pem", kind: ErrNotPrivateKey, want: "is a certificate, not a private key"},
		{name: "DER certificate", file: "rsa2048.crt.der", kind: ErrNotPrivateKey, want: "is a certificate, not a private key"},
		{name: "CSR", file: "rsa2048.csr.pem", kind: ErrNotPrivateKey, want: "is a certificate signing request, not a private key"},
		{name: "public JWK", file: "rsa2048.pub.jwk.json", kind: ErrNotPrivateKey, want: "has no private part"},
		{name: "public JWKS", file: "public.jwks.json", kind: ErrNotPrivateKey, want: "has no private part"},
		{name: "public key in JWKS by kid", file: "public.jwks.json", opt: Options{Alias: "ec-1"}, kind: ErrNotPrivateKey, want: `key "ec-1" has no private part`},
		{name: "symmetric JWK", data: `{"kty":"oct","k":"c2VjcmV0c2VjcmV0c2VjcmV0"}`, kind: ErrUnsupported, want: "symmetric (oct) key"},
		{name: "JWK without kty", data: `{"d":"abc"}`, kind: ErrMalformed, want: `no "kty" member`},
		{name: "JWK for encryption", data: strings.Replace(string(readFixture(t, "ec-p256.jwk.json")), `"use": "sig"`, `"use": "enc"`, 1), kind: ErrUnsupported, want: "marked for encryption"},
		{name: "broken JSON", data: `{"kty": "EC", `, kind: ErrMalformed, want: "is not valid JSON"},
		{name: "JWK with wrong d", data: mismatchedECJWK(t), kind: ErrMalformed, want: "does not belong to its private part"},
		{name: "JWKS, two keys, no kid", file: "two.jwks.json", kind: ErrAmbiguousKey, want: `holds 2 private signing keys (kids: "rsa-1", "ec-1")`},
		{name: "JWKS, unknown kid", file: "two.jwks.json", opt: Options{Alias: "nope"}, kind: ErrNoSuchKey, want: `has no key with kid "nope" (kids: "rsa-1", "ec-1")`},
		// passwords: missing vs wrong, key vs store
		{name: "encrypted PKCS#8, no password", file: "rsa2048.enc-aes256.pem", kind: ErrPasswordRequired, want: "encrypted PKCS#8 key and no password was given"},
		{name: "encrypted PKCS#8, wrong password", file: "rsa2048.enc-aes256.pem", opt: wrong, kind: ErrWrongPassword, want: "the key password is wrong"},
		{name: "PBES1 3DES, wrong password", file: "rsa2048.enc-pbe-sha1-3des.pem", opt: wrong, kind: ErrWrongPassword, want: "the key password is wrong"},
		{name: "scrypt, wrong password", file: "ec-p384.enc-scrypt.pem", opt: wrong, kind: ErrWrongPassword, want: "the key password is wrong"},
		{name: "legacy PEM, no password", file: "rsa2048.legacy-aes256.pem", kind: ErrPasswordRequired, want: "no password was given"},
		{name: "legacy PEM, wrong password", file: "rsa2048.legacy-aes256.pem", opt: wrong, kind: ErrWrongPassword, want: "the key password is wrong"},
		{name: "OpenSSH, no password", file: "ec-p256.openssh", kind: ErrPasswordRequired, want: "encrypted OpenSSH key"},
		{name: "OpenSSH, wrong password", file: "ec-p256.openssh", opt: wrong, kind: ErrWrongPassword, want: "the key password is wrong"},
		{name: "PKCS#12, no password", file: "rsa2048.p12", kind: ErrPasswordRequired, want: "password-protected PKCS#12 store and no password was given"},
		{name: "PKCS#12, wrong password", file: "rsa2048.p12", opt: wrong, kind: ErrWrongPassword, want: "the PKCS#12 store password is wrong"},
		{name: "legacy PKCS#12, wrong password", file: "rsa2048.legacy.p12", opt: wrong, kind: ErrWrongPassword, want: "store password is wrong"},
		{name: "JKS, no password", file: "one.jks", kind: ErrPasswordRequired, want: "no store password was given"},
		{name: "JKS, wrong store password", file: "one.jks", opt: wrong, kind: ErrWrongPassword, want: "the JKS store password is wrong"},
		{name: "JKS, wrong key password", file: "two.jks", opt: twoJKS(pw), kind: ErrWrongPassword,
			want: `the key password for entry "rsa-key" is wrong (the store password was right)`},
		{name: "JKS, two keys, no alias", file: "two.jks", opt: Options{Password: keyPassword(t), StorePassword: password(t)}, kind: ErrAmbiguousKey,
			want: `holds 2 private keys (aliases: "ec-key", "rsa-key")`},
		{name: "JKS, unknown alias", file: "two.jks", opt: Options{Password: keyPassword(t), StorePassword: password(t), Alias: "ca"}, kind: ErrNoSuchKey,
			want: `has no private key with alias "ca" (it has "ec-key", "rsa-key")`},
		{name: "JCEKS", file: "java.jceks", opt: pw, kind: ErrUnsupported, want: "JCEKS"},
		// encryption schemes postmint does not read
		{name: "PBES1 RC2-40", file: "rsa2048.enc-pbe-sha1-rc2-40.pem", opt: pw, kind: ErrUnsupported, want: "pbeWithSHAAnd40BitRC2-CBC, which postmint does not read"},
		{name: "PBES1 MD5-DES", file: "rsa2048.enc-pbe-md5-des.pem", opt: pw, kind: ErrUnsupported, want: "pbeWithMD5AndDES-CBC"},
		// damaged data
		{name: "truncated DER", file: "rsa2048.truncated.der", kind: ErrMalformed, want: "is truncated"},
		{name: "truncated DER in PEM", data: truncatedPEM(t), kind: ErrMalformed, want: "is truncated"},
		{name: "PEM cut off", file: "rsa2048.cut.pem", kind: ErrMalformed, want: "is cut off: its PRIVATE KEY block has no -----END PRIVATE KEY----- line"},
		{name: "PEM with bad base64", data: "-----BEGIN PRIVATE KEY-----\nMII!!!notbase64\n-----END PRIVATE KEY-----\n", kind: ErrMalformed, want: "damaged PRIVATE KEY block"},
		{name: "two keys in one PEM", data: string(readFixture(t, "ec-p256.pkcs8.pem")) + string(readFixture(t, "ed25519.pkcs8.pem")), kind: ErrAmbiguousKey, want: "holds 2 private keys"},
		{name: "key with another key's certificate", file: "mismatch.key-and-cert.pem", kind: ErrCertificateMismatch, want: "does not match its private key"},
		{name: "DSA", data: "-----BEGIN DSA PRIVATE KEY-----\nMAA=\n-----END DSA PRIVATE KEY-----\n", kind: ErrUnsupported, want: "DSA"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data := []byte(tt.data)
			if tt.file != "" {
				data = readFixture(t, tt.file)
			}
			_, err := Parse(data, "keys/bad", tt.opt)
			checkError(t, err, tt.kind, tt.want, data, tt.opt)
			if testing.Verbose() {
				t.Log(err)
			}
			if !strings.HasPrefix(err.Error(), "keys/bad ") {
				t.Errorf("error does not start with the source: %q", err)
			}
		})
	}
}

// checkError checks the kind and message of err, and that the message gives away neither the
// input's key material nor a password.
func checkError(t *testing.T, err error, kind error, want string, input []byte, opt Options) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %v", kind)
	}
	msg := err.Error()
	if !errors.Is(err, kind) {
		t.Errorf("error %q is not %v", msg, kind)
	}
	if !strings.Contains(msg, want) {
		t.Errorf("error %q does not say %q", msg, want)
	}
	if strings.Contains(msg, "\n") {
		t.Errorf("error is more than one line: %q", msg)
	}
	for _, secret := range [][]byte{opt.Password, opt.StorePassword, []byte("test-password"), []byte("jks-entry-pass"), []byte("wrong-password")} {
		if len(secret) > 0 && strings.Contains(msg, string(secret)) {
			t.Errorf("error contains a password: %q", msg)
		}
	}
	if leak := leakedSecret(msg, input); leak != "" {
		t.Errorf("error contains input material %q: %q", leak, msg)
	}
}

var (
	secretish = regexp.MustCompile(`[A-Za-z0-9+/_-]{16,}`)
	pemArmor  = regexp.MustCompile(`-----(BEGIN|END) [A-Z0-9 ]+-----`)
)

// leakedSecret returns a run of 12 base64 characters from input found in msg, if any. Runs of
// input text that are plainly not key material (the PEM labels, JSON member names) cannot match.
func leakedSecret(msg string, input []byte) string {
	text := string(input)
	if !strings.Contains(text, "-----BEGIN") && !strings.HasPrefix(strings.TrimSpace(text), "{") {
		text = base64.StdEncoding.EncodeToString(input) // binary input: check its base64 too
		text += " " + string(input)
	}
	text = pemArmor.ReplaceAllString(text, "")
	for _, run := range secretish.FindAllString(text, -1) {
		for i := 0; i+12 <= len(run); i++ {
			if strings.Contains(msg, run[i:i+12]) {
				return run[i : i+12]
			}
		}
	}
	return ""
}

// weakJWK is a 1024-bit RSA JWK; only the size matters, so the numbers are made up.
var weakJWK = `{"kty":"RSA","e":"AQAB","d":"AQAB","p":"AQAB","q":"AQAB","n":"` +
	base64.RawURLEncoding.EncodeToString(append([]byte{0xc0}, make([]byte, 127)...)) + `"}`

// mismatchedECJWK is the P-256 JWK fixture with the private part of another P-256 key.
func mismatchedECJWK(t *testing.T) string {
	a := string(readFixture(t, "ec-p256.jwk.json"))
	other, err := Load(fixture("ca.key.pem"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	d, err := other.Signer.(interface{ Bytes() ([]byte, error) }).Bytes()
	if err != nil {
		t.Fatal(err)
	}
	re := regexp.MustCompile(`"d": "[^"]*"`)
	return re.ReplaceAllString(a, `"d": "`+base64.RawURLEncoding.EncodeToString(d)+`"`)
}

// truncatedPEM is a PKCS#8 PEM whose DER body has lost its last 100 bytes.
func truncatedPEM(t *testing.T) string {
	der := readFixture(t, "rsa2048.pkcs8.der")
	body := base64.StdEncoding.EncodeToString(der[:len(der)-100])
	return "-----BEGIN PRIVATE KEY-----\n" + wrap76(body) + "\n-----END PRIVATE KEY-----\n"
}

func TestLoadFileErrors(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"client.pem", "client.p12", "notes.txt"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	empty := filepath.Join(dir, "empty.pem")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}

	_, err := Load(filepath.Join(dir, "missing.pem"), Options{})
	checkError(t, err, ErrFile, "missing.pem does not exist", nil, Options{})
	if !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("missing file error is not fs.ErrNotExist: %v", err)
	}

	_, err = Load(dir, Options{})
	checkError(t, err, ErrFile, "is a directory, not a key file", nil, Options{})
	if !strings.Contains(err.Error(), "client.p12, client.pem") || strings.Contains(err.Error(), "notes.txt") {
		t.Errorf("directory error does not list the key files: %v", err)
	}

	_, err = Load(empty, Options{})
	checkError(t, err, ErrEmpty, "empty.pem is empty", nil, Options{})

	_, err = FromEnv("   ", Options{})
	checkError(t, err, ErrEmpty, "POSTMINT_PRIVATE_KEY is empty", nil, Options{})

	_, err = FromEnv("keys/client.key.pem", Options{})
	checkError(t, err, ErrUnknownFormat, "POSTMINT_PRIVATE_KEY holds what looks like a file path", nil, Options{})

	_, err = LoadCertificates(filepath.Join(dir, "missing.crt"))
	checkError(t, err, ErrFile, "does not exist", nil, Options{})

	if os.Getuid() != 0 { // root reads anything
		unreadable := filepath.Join(dir, "secret.pem")
		if err := os.WriteFile(unreadable, []byte("x"), 0o000); err != nil {
			t.Fatal(err)
		}
		_, err = Load(unreadable, Options{})
		checkError(t, err, ErrFile, "permission denied", nil, Options{})
	}
}

func TestErrorFormat(t *testing.T) {
	e := &Error{Source: "k.pem", Problem: "is broken", Hint: "fix it", Kind: ErrMalformed, Err: errors.New("cause")}
	if got := e.Error(); got != "k.pem is broken: cause; fix it" {
		t.Errorf("Error() = %q", got)
	}
	if !errors.Is(e, ErrMalformed) || errors.Unwrap(e) != nil {
		t.Error("Unwrap")
	}
	var target *Error
	if !errors.As(error(e), &target) || target.Hint != "fix it" {
		t.Error("errors.As")
	}
}
