package keys

import (
	"bytes"
	"crypto/sha1"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/binary"
	"encoding/pem"
	"testing"
	"time"
)

// These inputs crash or stall the libraries underneath when handed to them as they are
// (youmark/pkcs8 panics on a short IV, keystore-go on a short key blob or a huge count). Each
// must come back as a plain error, fast.

func derOf(t *testing.T, name string) []byte {
	t.Helper()
	b, _ := pem.Decode(readFixture(t, name))
	if b == nil {
		t.Fatalf("%s is not PEM", name)
	}
	return b.Bytes
}

func mustMarshal(t *testing.T, v any) []byte {
	t.Helper()
	b, err := asn1.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// editPBES2 re-encodes an encrypted PKCS#8 key after edit has changed its parameters.
func editPBES2(t *testing.T, der []byte, edit func(*pbes2Params, *pbkdf2Params, *scryptParams)) []byte {
	var info encryptedPrivateKeyInfo
	var p pbes2Params
	var kp pbkdf2Params
	var sp scryptParams
	asn1.Unmarshal(der, &info)
	asn1.Unmarshal(info.Algorithm.Parameters.FullBytes, &p)
	isScrypt := p.KeyDerivationFunc.Algorithm.Equal(oidScrypt)
	if isScrypt {
		asn1.Unmarshal(p.KeyDerivationFunc.Parameters.FullBytes, &sp)
	} else {
		asn1.Unmarshal(p.KeyDerivationFunc.Parameters.FullBytes, &kp)
	}
	edit(&p, &kp, &sp)
	if isScrypt {
		p.KeyDerivationFunc.Parameters = asn1.RawValue{FullBytes: mustMarshal(t, sp)}
	} else {
		p.KeyDerivationFunc.Parameters = asn1.RawValue{FullBytes: mustMarshal(t, kp)}
	}
	info.Algorithm.Parameters = asn1.RawValue{FullBytes: mustMarshal(t, p)}
	return mustMarshal(t, info)
}

func TestHostileEncryptedPKCS8(t *testing.T) {
	aes := derOf(t, "rsa2048.enc-aes256.pem")
	scrypt := derOf(t, "ec-p384.enc-scrypt.pem")
	pw := Options{Password: password(t)}
	tests := []struct {
		name string
		der  []byte
		kind error
		want string
	}{
		{"8-byte IV for AES", editPBES2(t, aes, func(p *pbes2Params, _ *pbkdf2Params, _ *scryptParams) {
			p.EncryptionScheme.Parameters = asn1.RawValue{FullBytes: mustMarshal(t, make([]byte, 8))}
		}), ErrMalformed, "damaged cipher parameters"},
		{"a billion PBKDF2 iterations", editPBES2(t, aes, func(_ *pbes2Params, kp *pbkdf2Params, _ *scryptParams) {
			kp.IterationCount = 1 << 30
		}), ErrUnsupported, "asks for 1073741824 PBKDF2 iterations"},
		{"zero iterations", editPBES2(t, aes, func(_ *pbes2Params, kp *pbkdf2Params, _ *scryptParams) {
			kp.IterationCount = 0
		}), ErrUnsupported, "PBKDF2 iterations"},
		{"wrong key length", editPBES2(t, aes, func(_ *pbes2Params, kp *pbkdf2Params, _ *scryptParams) {
			kp.KeyLength = 7
		}), ErrMalformed, "damaged PBKDF2 key length"},
		{"scrypt asking for 128 GiB", editPBES2(t, scrypt, func(_ *pbes2Params, _ *pbkdf2Params, sp *scryptParams) {
			sp.CostParameter = 1 << 30
		}), ErrUnsupported, "asks for scrypt N=1073741824"},
		{"scrypt N not a power of two", editPBES2(t, scrypt, func(_ *pbes2Params, _ *pbkdf2Params, sp *scryptParams) {
			sp.CostParameter = 1000
		}), ErrUnsupported, "scrypt N=1000"},
		{"unknown cipher", editPBES2(t, aes, func(p *pbes2Params, _ *pbkdf2Params, _ *scryptParams) {
			p.EncryptionScheme.Algorithm = asn1.ObjectIdentifier{2, 16, 840, 1, 101, 3, 4, 1, 46}
		}), ErrUnsupported, "PBES2 with AES-256-GCM"},
		{"ciphertext cut to a partial block", truncateCiphertext(t, aes), ErrMalformed, "damaged ciphertext"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			start := time.Now()
			_, err := Parse(tt.der, "hostile.der", pw)
			checkError(t, err, tt.kind, tt.want, tt.der, pw)
			if d := time.Since(start); d > time.Second {
				t.Errorf("took %s", d)
			}
		})
	}
}

func truncateCiphertext(t *testing.T, der []byte) []byte {
	var info encryptedPrivateKeyInfo
	asn1.Unmarshal(der, &info)
	info.EncryptedData = info.EncryptedData[:len(info.EncryptedData)-5]
	return mustMarshal(t, info)
}

func TestHostilePBES1(t *testing.T) {
	var info encryptedPrivateKeyInfo
	asn1.Unmarshal(derOf(t, "rsa2048.enc-pbe-sha1-3des.pem"), &info)
	var p pbeParams
	asn1.Unmarshal(info.Algorithm.Parameters.FullBytes, &p)
	p.Iterations = 1 << 30
	info.Algorithm.Parameters = asn1.RawValue{FullBytes: mustMarshal(t, p)}
	der := mustMarshal(t, info)
	_, err := Parse(der, "hostile.der", Options{Password: password(t)})
	checkError(t, err, ErrUnsupported, "asks for 1073741824 iterations", der, Options{})
}

// jks builds a JKS file by hand: entries as given, and a valid integrity digest for password.
func jks(password []byte, entries ...[]byte) []byte {
	var body bytes.Buffer
	w := func(v any) { binary.Write(&body, binary.BigEndian, v) }
	w(uint32(0xFEEDFEED))
	w(uint32(2))
	w(uint32(len(entries)))
	for _, e := range entries {
		body.Write(e)
	}
	h := sha1.New()
	for _, c := range password { // Java chars, big endian
		h.Write([]byte{0, c})
	}
	h.Write([]byte("Mighty Aphrodite"))
	h.Write(body.Bytes())
	return append(body.Bytes(), h.Sum(nil)...)
}

func jksKeyEntry(alias string, blob []byte, certCount uint32) []byte {
	var e bytes.Buffer
	w := func(v any) { binary.Write(&e, binary.BigEndian, v) }
	w(uint32(jksPrivateKeyTag))
	w(uint16(len(alias)))
	e.WriteString(alias)
	w(uint64(0))
	w(uint32(len(blob)))
	e.Write(blob)
	w(certCount)
	return e.Bytes()
}

func TestHostileJKS(t *testing.T) {
	pw := password(t)
	short := mustMarshal(t, struct {
		Algorithm pkix.AlgorithmIdentifier
		Data      []byte
	}{pkix.AlgorithmIdentifier{Algorithm: oidJKSKeyProtector}, make([]byte, 10)})
	tests := []struct {
		name string
		data []byte
		kind error
		want string
	}{
		// keystore-go would slice a negative length out of this blob
		{"short key blob, valid digest", jks(pw, jksKeyEntry("a", short, 0)), ErrMalformed, `damaged key in entry "a"`},
		// keystore-go would allocate room for four billion certificates
		{"huge certificate count", jks(pw, jksKeyEntry("a", short, 0xFFFFFFFF)), ErrMalformed, "damaged or truncated JKS"},
		{"huge key length", append(jks(pw)[:8], 0, 0, 0, 1, 0, 0, 0, 1, 0, 1, 'a', 0, 0, 0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF), ErrMalformed, "damaged or truncated JKS"},
		{"cut before the digest", jks(pw)[:20], ErrMalformed, "damaged or truncated JKS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse(tt.data, "hostile.jks", Options{Password: pw})
			checkError(t, err, tt.kind, tt.want, nil, Options{Password: pw})
		})
	}
}

func TestHostilePKCS12MAC(t *testing.T) {
	var pfx struct {
		Version  int
		AuthSafe asn1.RawValue
		MacData  struct {
			Mac        asn1.RawValue
			MacSalt    []byte
			Iterations int
		}
	}
	if _, err := asn1.Unmarshal(readFixture(t, "rsa2048.p12"), &pfx); err != nil {
		t.Fatal(err)
	}
	pfx.MacData.Iterations = 1 << 30
	data := mustMarshal(t, pfx)
	_, err := Parse(data, "hostile.p12", Options{Password: password(t)})
	checkError(t, err, ErrUnsupported, "asks for 1073741824 MAC iterations", nil, Options{})
}

func TestHostileOpenSSHRounds(t *testing.T) {
	b, _ := pem.Decode(readFixture(t, "ec-p256.openssh"))
	body := b.Bytes
	// rounds follow the magic, three strings and the salt inside the third
	off := len("openssh-key-v1\x00")
	for range 2 {
		off += 4 + int(binary.BigEndian.Uint32(body[off:]))
	}
	off += 4                                            // kdfoptions length
	off += 4 + int(binary.BigEndian.Uint32(body[off:])) // salt
	if got := binary.BigEndian.Uint32(body[off:]); got != 16 {
		t.Fatalf("rounds = %d, want ssh-keygen's 16", got)
	}
	binary.BigEndian.PutUint32(body[off:], 1<<31)
	data := pem.EncodeToMemory(b)
	start := time.Now()
	_, err := Parse(data, "hostile", Options{Password: password(t)})
	checkError(t, err, ErrUnsupported, "asks for 2147483648 bcrypt rounds", data, Options{})
	if d := time.Since(start); d > time.Second {
		t.Errorf("took %s", d)
	}
}
