package keys

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"strings"
	"testing"
)

func catFixtures(t *testing.T, names ...string) []byte {
	t.Helper()
	var b []byte
	for _, n := range names {
		b = append(append(b, readFixture(t, n)...), '\n')
	}
	return b
}

// damagedBlock is a PEM block of the type whose content is no DER at all.
func damagedBlock(typ string) []byte {
	body := base64.StdEncoding.EncodeToString([]byte("this is not DER, not at all"))
	return []byte("-----BEGIN " + typ + "-----\n" + body + "\n-----END " + typ + "-----\n")
}

func TestParsePublic(t *testing.T) {
	rsaTP := strings.TrimSpace(string(readFixture(t, "rsa2048.jwk-thumbprint.txt")))
	half := PublicOptions{PublicHalf: true, Private: Options{Password: password(t)}}
	tests := []struct {
		name     string
		data     []byte
		opt      PublicOptions
		kid, alg string
		certs    int
	}{
		{name: "SPKI PEM", data: readFixture(t, "rsa2048.pub.pem")},
		{name: "PKCS#1 PEM", data: readFixture(t, "rsa2048.pkcs1-pub.pem")},
		{name: "PEM certificate", data: readFixture(t, "rsa2048.crt.pem"), certs: 1},
		{name: "DER certificate", data: readFixture(t, "rsa2048.crt.der"), certs: 1},
		{name: "DER certificate after white space", data: append([]byte("\n  "), readFixture(t, "rsa2048.crt.der")...), certs: 1},
		{name: "PEM chain", data: readFixture(t, "rsa2048.chain.pem"), certs: 2},
		{name: "public JWK", data: readFixture(t, "rsa2048.pub.jwk.json"), kid: "rsa-1", alg: "RS256"},
		{name: "public JWKS by kid", data: readFixture(t, "public.jwks.json"), opt: PublicOptions{KeyID: "rsa-1"}, kid: "rsa-1", alg: "RS256"},
		{name: "key and its certificate", data: catFixtures(t, "rsa2048.pub.pem", "rsa2048.crt.pem"), certs: 1},
		{name: "certificate and its key", data: catFixtures(t, "rsa2048.crt.pem", "rsa2048.pub.pem"), certs: 1},
		{name: "CSR skipped", data: catFixtures(t, "rsa2048.csr.pem", "rsa2048.crt.pem"), certs: 1},
		{name: "first key alone", data: catFixtures(t, "rsa2048.crt.pem", "rsa2048.pub.pem", "ec-p256.crt.pem"), opt: PublicOptions{FirstKey: true}},
		{name: "first key, damage after it", data: append(catFixtures(t, "rsa2048.pub.pem"), damagedBlock("CERTIFICATE")...), opt: PublicOptions{FirstKey: true}},
		{name: "unknown blocks skipped", data: append(catFixtures(t, "rsa2048.crt.pem"), damagedBlock("X509 CRL")...), certs: 1},
		// the public half of private keys
		{name: "PKCS#8 PEM", data: readFixture(t, "rsa2048.pkcs8.pem"), opt: half},
		{name: "encrypted PKCS#8 PEM", data: readFixture(t, "rsa2048.enc-aes256.pem"), opt: half},
		{name: "PKCS#8 DER", data: readFixture(t, "rsa2048.pkcs8.der"), opt: half},
		{name: "key and chain", data: readFixture(t, "rsa2048.key-and-chain.pem"), opt: half, certs: 2},
		{name: "PKCS#12", data: readFixture(t, "rsa2048.p12"), opt: half, certs: 2},
		{name: "JKS", data: readFixture(t, "one.jks"), opt: half, kid: "client", certs: 2},
		{name: "private JWK", data: readFixture(t, "rsa2048.jwk.json"), opt: half, kid: "rsa-1", alg: "RS256"},
		{name: "public key before a private one", data: catFixtures(t, "rsa2048.pub.pem", "ec-p256.pkcs8.pem"), opt: PublicOptions{PublicHalf: true, FirstKey: true}},
	}
	for _, tc := range tests {
		check := func(t *testing.T, opt PublicOptions) {
			p, err := ParsePublic(tc.data, "src", opt)
			if err != nil {
				t.Fatal(err)
			}
			if tp, _ := Thumbprint(p.Key); tp != rsaTP {
				t.Errorf("thumbprint %s, want %s", tp, rsaTP)
			}
			if p.KeyID != tc.kid || p.Alg != tc.alg || len(p.Certificates) != tc.certs {
				t.Errorf("kid %q alg %q certs %d, want %q %q %d", p.KeyID, p.Alg, len(p.Certificates), tc.kid, tc.alg, tc.certs)
			}
			if tc.certs > 0 && MatchCertificate(p.Key, p.Certificates[0]) != nil {
				t.Error("the leaf certificate is not the key's")
			}
		}
		t.Run(tc.name, func(t *testing.T) {
			check(t, tc.opt)
			if !tc.opt.PublicHalf { // public material reads the same either way
				opt := tc.opt
				opt.PublicHalf = true
				check(t, opt)
			}
		})
	}
}

func TestParsePublicRefusals(t *testing.T) {
	half := PublicOptions{PublicHalf: true}
	tests := []struct {
		name    string
		data    []byte
		opt     PublicOptions
		problem PublicProblem
		kind    error
		want    string
		block   string
	}{
		{name: "empty", data: nil, problem: PublicEmpty, kind: ErrEmpty, want: "src is empty"},
		{name: "white space", data: []byte(" \n\t"), opt: half, problem: PublicEmpty, kind: ErrEmpty, want: "src is empty"},
		{name: "PKCS#8 PEM", data: readFixture(t, "rsa2048.pkcs8.pem"), problem: PublicPrivate, kind: ErrNotPublicKey, want: "holds a private key where only a public key belongs"},
		{name: "encrypted PEM", data: readFixture(t, "rsa2048.enc-aes256.pem"), problem: PublicPrivate, kind: ErrNotPublicKey},
		{name: "legacy encrypted PEM", data: readFixture(t, "rsa2048.legacy-aes256.pem"), problem: PublicPrivate, kind: ErrNotPublicKey},
		{name: "encrypted block of another name", data: damagedBlock("ENCRYPTED DATA"), problem: PublicPrivate, kind: ErrNotPublicKey},
		{name: "private key after a public one", data: catFixtures(t, "rsa2048.pub.pem", "rsa2048.pkcs8.pem"), problem: PublicPrivate, kind: ErrNotPublicKey},
		{name: "key and chain", data: readFixture(t, "rsa2048.key-and-chain.pem"), problem: PublicPrivate, kind: ErrNotPublicKey},
		{name: "PKCS#8 DER", data: readFixture(t, "rsa2048.pkcs8.der"), problem: PublicPrivate, kind: ErrNotPublicKey},
		{name: "private JWK", data: readFixture(t, "rsa2048.jwk.json"), problem: PublicPrivate, kind: ErrNotPublicKey},
		{name: "symmetric JWK", data: []byte(`{"kty":"oct","k":"c2VjcmV0"}`), problem: PublicPrivate, kind: ErrNotPublicKey},
		{name: "symmetric JWK, public half", data: []byte(`{"kty":"oct","k":"c2VjcmV0"}`), opt: half, problem: PublicNone, kind: ErrNotPublicKey, want: "holds no public key or certificate"},
		{name: "PKCS#12 without password", data: readFixture(t, "rsa2048.p12"), problem: PublicUnknown, kind: ErrUnknownFormat, want: "is not a public key, certificate or JWK"},
		{name: "binary junk", data: readFixture(t, "junk.bin"), problem: PublicUnknown, kind: ErrUnknownFormat},
		{name: "CSR", data: readFixture(t, "rsa2048.csr.pem"), problem: PublicNone, kind: ErrNotPublicKey, want: "holds no public key or certificate"},
		{name: "CSR refused", data: readFixture(t, "rsa2048.csr.pem"), opt: PublicOptions{RefuseCSR: true}, problem: PublicCSR, kind: ErrNotPublicKey, want: "is a certificate signing request (CSR)"},
		{name: "CSR refused beside a certificate", data: catFixtures(t, "rsa2048.crt.pem", "rsa2048.csr.pem"), opt: PublicOptions{RefuseCSR: true}, problem: PublicCSR, kind: ErrNotPublicKey},
		{name: "damaged PUBLIC KEY", data: damagedBlock("PUBLIC KEY"), problem: PublicDamaged, block: "PUBLIC KEY", kind: ErrMalformed, want: "holds a damaged PUBLIC KEY block: "},
		{name: "damaged RSA PUBLIC KEY", data: damagedBlock("RSA PUBLIC KEY"), opt: half, problem: PublicDamaged, block: "RSA PUBLIC KEY", kind: ErrMalformed},
		{name: "damaged certificate after a key", data: append(catFixtures(t, "rsa2048.pub.pem"), damagedBlock("CERTIFICATE")...), problem: PublicDamaged, block: "CERTIFICATE", kind: ErrMalformed},
		{name: "key and another's certificate", data: catFixtures(t, "rsa2048.pub.pem", "ec-p256.crt.pem"), problem: PublicMismatch, kind: ErrCertificateMismatch, want: "do not belong together: the certificate"},
		{name: "no PEM block", data: []byte("hello -----BEGIN x"), problem: PublicNone, kind: ErrNotPublicKey},
		{name: "broken JSON", data: []byte(`{"kty": `), problem: PublicBadJSON, kind: ErrMalformed, want: "is not valid JSON: "},
		{name: "keys not a list", data: []byte(`{"keys": 5}`), problem: PublicBadJWKS, kind: ErrMalformed, want: "is not a JWK Set: "},
		{name: "not a JWK", data: []byte(`{"kty": 5}`), problem: PublicBadJWK, kind: ErrMalformed, want: "is not a JWK: "},
		{name: "empty JWK Set", data: []byte(`{"keys": []}`), problem: PublicEmptySet, kind: ErrNotPublicKey, want: "holds a JWK Set without keys"},
		{name: "JWKS without kid", data: readFixture(t, "public.jwks.json"), problem: PublicAmbiguous, kind: ErrAmbiguousKey, want: "holds 2 keys; choose one by its kid"},
		{name: "JWKS, unknown kid", data: readFixture(t, "public.jwks.json"), opt: PublicOptions{KeyID: "nope"}, problem: PublicNoSuchKey, kind: ErrNoSuchKey, want: `has no key with kid "nope"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p, err := ParsePublic(tc.data, "src", tc.opt)
			if p != nil {
				t.Fatalf("got a key, want %v", tc.kind)
			}
			checkError(t, err, tc.kind, tc.want, tc.data, Options{})
			var pe *PublicError
			if !errors.As(err, &pe) {
				t.Fatalf("%T is not a *PublicError", err)
			}
			if pe.Problem != tc.problem || pe.Block != tc.block || pe.Source != "src" {
				t.Errorf("problem %d block %q source %q, want %d %q", pe.Problem, pe.Block, pe.Source, tc.problem, tc.block)
			}
			if !strings.HasPrefix(err.Error(), "src ") {
				t.Errorf("message does not start with the source: %q", err)
			}
		})
	}
}

// TestParsePublicHalfErrors: with PublicHalf, what is wrong with a private key is Parse's error.
func TestParsePublicHalfErrors(t *testing.T) {
	for _, tc := range []struct {
		file string
		kind error
	}{
		{"rsa2048.enc-aes256.pem", ErrPasswordRequired},
		{"rsa2048.p12", ErrPasswordRequired},
		{"junk.bin", ErrUnknownFormat},
		{"ec-p224.pkcs8.pem", ErrUnsupported},
		{"rsa1024.pkcs1.pem", ErrWeakKey},
	} {
		data := readFixture(t, tc.file)
		_, err := ParsePublic(data, tc.file, PublicOptions{PublicHalf: true})
		var e *Error
		if !errors.As(err, &e) || !errors.Is(err, tc.kind) {
			t.Errorf("%s: err = %v, want Parse's %v", tc.file, err, tc.kind)
		}
		checkError(t, err, tc.kind, tc.file, data, Options{})
	}
}

// TestParsePublicOtherCurve: ParsePublic reads any key x509 reads; which it accepts is the caller's choice.
func TestParsePublicOtherCurve(t *testing.T) {
	k, err := ecdsa.GenerateKey(elliptic.P224(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	jwk := []byte(`{"kty":"EC","crv":"P-224"}`)
	if _, err := ParsePublic(jwk, "src", PublicOptions{}); !errors.Is(err, ErrMalformed) {
		t.Errorf("P-224 JWK: %v", err)
	}
	der, err := x509.MarshalPKIXPublicKey(&k.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	p, err := ParsePublic(pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der}), "src", PublicOptions{})
	if err != nil || !k.PublicKey.Equal(p.Key) {
		t.Fatalf("P-224 PEM: %v", err)
	}
	if alg := DefaultAlgFor(p.Key); alg != "" {
		t.Errorf("DefaultAlgFor(P-224) = %q", alg)
	}
}

func TestDefaultAlgFor(t *testing.T) {
	for file, want := range map[string]string{
		"rsa2048.pkcs8.pem":    "RS256",
		"rsapss2048.pkcs8.pem": "RS256", // the public key says nothing of the PSS restriction
		"ec-p256.pkcs8.pem":    "ES256",
		"ec-p384.pkcs8.pem":    "ES384",
		"ec-p521.pkcs8.pem":    "ES512",
		"ed25519.pkcs8.pem":    "EdDSA",
	} {
		if got := DefaultAlgFor(mustLoad(t, file, Options{}).Public()); got != want {
			t.Errorf("%s: DefaultAlgFor = %q, want %q", file, got, want)
		}
	}
	var none crypto.PublicKey
	if got := DefaultAlgFor(none); got != "" {
		t.Errorf("DefaultAlgFor(nil) = %q", got)
	}
}

// FuzzParsePublic: ParsePublic never panics, returns a key or an error (one line, with a kind),
// and never refuses a private key silently.
func FuzzParsePublic(f *testing.F) {
	addFixtureSeeds(f, func(name string) bool { return name != "make.sh" })
	f.Add([]byte(`{"keys":[{"kty":"EC","crv":"P-256","x":"","y":""}]}`))
	f.Add(damagedBlock("PUBLIC KEY"))
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, half := range []bool{false, true} {
			p, err := ParsePublic(data, "fuzz", PublicOptions{PublicHalf: half, KeyID: "rsa-1", Private: Options{Password: []byte(fuzzPassword)}})
			if err != nil {
				if p != nil {
					t.Fatal("a key and an error")
				}
				var pe *PublicError
				if !errors.As(err, &pe) {
					checkRefusal(t, err)
				} else if pe.Problem == PublicPrivate && half {
					t.Fatal("refused a private key with PublicHalf")
				}
				if strings.Contains(err.Error(), "\n") || strings.Contains(err.Error(), fuzzPassword) {
					t.Fatalf("bad message %q", err)
				}
				continue
			}
			if p.Key == nil {
				t.Fatal("no key and no error")
			}
			if len(p.Certificates) > 0 && MatchCertificate(p.Key, p.Certificates[0]) != nil {
				t.Fatal("the leaf certificate is not the key's")
			}
		}
	})
}
