package keys

import (
	"bytes"
	"crypto/sha1"
	"unicode/utf16"
)

// The PKCS#12 key derivation that PBES1 pbeWithSHAAnd3-KeyTripleDES-CBC keys need. go-pkcs12
// has it but does not export it, and nothing else well kept does; it is short, and the tests
// check it against keys openssl encrypted.

const (
	pkcs12KeyID = 1 // RFC 7292 B.3: ID 1 derives key material
	pkcs12IVID  = 2 // ID 2 derives an IV
)

// bmpPassword encodes a password as RFC 7292 Appendix B.1 says: a BMPString (UTF-16, big
// endian) with two zero bytes at the end.
func bmpPassword(pw []byte) []byte {
	units := utf16.Encode([]rune(string(pw)))
	out := make([]byte, 0, 2*len(units)+2)
	for _, u := range units {
		out = append(out, byte(u>>8), byte(u))
	}
	return append(out, 0, 0)
}

// pkcs12KDF derives size bytes as in RFC 7292 Appendix B.2, with SHA-1 (u = 20, v = 64).
func pkcs12KDF(password, salt []byte, iterations int, id byte, size int) []byte {
	const u, v = sha1.Size, 64
	d := bytes.Repeat([]byte{id}, v)                                     // step 1
	i := append(repeatToBlocks(salt, v), repeatToBlocks(password, v)...) // steps 2-4
	c := (size + u - 1) / u                                              // step 5
	out := make([]byte, 0, c*u)
	for n := 0; n < c; n++ { // step 6
		h := sha1.New()
		h.Write(d)
		h.Write(i)
		a := h.Sum(nil)
		for r := 1; r < iterations; r++ {
			s := sha1.Sum(a)
			a = s[:]
		}
		out = append(out, a...)
		if n == c-1 {
			break
		}
		b := repeatToBlocks(a, v)        // 6B
		for j := 0; j < len(i); j += v { // 6C: I_j = (I_j + B + 1) mod 2^(8v)
			addPlusOne(i[j:j+v], b)
		}
	}
	return out[:size]
}

// repeatToBlocks concatenates copies of x to the next multiple of v bytes (RFC 7292 B.2
// steps 2 and 3); empty input stays empty.
func repeatToBlocks(x []byte, v int) []byte {
	if len(x) == 0 {
		return nil
	}
	out := make([]byte, v*((len(x)+v-1)/v))
	for k := range out {
		out[k] = x[k%len(x)]
	}
	return out
}

// addPlusOne sets block = block + b + 1, modulo 2^(8*len(block)); both are big-endian.
func addPlusOne(block, b []byte) {
	carry := 1
	for k := len(block) - 1; k >= 0; k-- {
		sum := int(block[k]) + int(b[k]) + carry
		block[k] = byte(sum)
		carry = sum >> 8
	}
}
