package keys

import (
	"crypto"
	"crypto/cipher"
	"crypto/des"
	"crypto/pbkdf2"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"hash"

	"github.com/youmark/pkcs8"
)

// Encrypted PKCS#8 (RFC 5208 §6, RFC 8018).
//
// youmark/pkcs8 reads PBES2 with PBKDF2 (HMAC-SHA1 or HMAC-SHA256) or scrypt, and AES-CBC or
// DES-EDE3-CBC. Its ParsePrivateKey cannot be used on untrusted files as it is: it panics on an
// IV of the wrong length, reads any iteration count, and reports every failure after decryption
// as "incorrect password" (an encrypted secp256k1 key with the right password included). So the
// parameters are parsed and checked here, and the library's cipher and KDF implementations do
// the work. On top of what youmark reads, this file handles PBKDF2 with HMAC-SHA224/384/512 (via
// the standard library) and the PKCS#12 PBES1 schemes pbeWithSHAAnd3-KeyTripleDES-CBC and
// pbeWithSHAAnd2-KeyTripleDES-CBC that `openssl pkcs8 -v1 PBE-SHA1-3DES` and OpenSSL 1.0 write.
// Not read: PBES1 with DES, RC2 or RC4, PBES2 with DES-CBC, RC2-CBC or AES-GCM (youmark
// registers the GCM OIDs but decrypts them as CBC).

var (
	oidPBES2     = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 13}
	oidPBKDF2    = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 5, 12}
	oidScrypt    = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 11591, 4, 11}
	oidSHA1And3K = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 1, 3}
	oidSHA1And2K = asn1.ObjectIdentifier{1, 2, 840, 113549, 1, 12, 1, 4}
)

// schemeNames names the encryption schemes and PBES2 parts postmint refuses.
var schemeNames = map[string]string{
	"1.2.840.113549.1.5.1":      "PBES1 pbeWithMD2AndDES-CBC",
	"1.2.840.113549.1.5.3":      "PBES1 pbeWithMD5AndDES-CBC",
	"1.2.840.113549.1.5.4":      "PBES1 pbeWithMD2AndRC2-CBC",
	"1.2.840.113549.1.5.6":      "PBES1 pbeWithMD5AndRC2-CBC",
	"1.2.840.113549.1.5.10":     "PBES1 pbeWithSHA1AndDES-CBC",
	"1.2.840.113549.1.5.11":     "PBES1 pbeWithSHA1AndRC2-CBC",
	"1.2.840.113549.1.12.1.1":   "PKCS#12 pbeWithSHAAnd128BitRC4",
	"1.2.840.113549.1.12.1.2":   "PKCS#12 pbeWithSHAAnd40BitRC4",
	"1.2.840.113549.1.12.1.5":   "PKCS#12 pbeWithSHAAnd128BitRC2-CBC",
	"1.2.840.113549.1.12.1.6":   "PKCS#12 pbeWithSHAAnd40BitRC2-CBC",
	"1.3.14.3.2.7":              "DES-CBC",
	"1.2.840.113549.3.2":        "RC2-CBC",
	"2.16.840.1.101.3.4.1.6":    "AES-128-GCM",
	"2.16.840.1.101.3.4.1.26":   "AES-192-GCM",
	"2.16.840.1.101.3.4.1.46":   "AES-256-GCM",
	"1.2.392.200011.61.1.1.1.2": "Camellia-128-CBC",
	"1.2.392.200011.61.1.1.1.4": "Camellia-256-CBC",
}

func schemeName(oid asn1.ObjectIdentifier) string {
	if n, ok := schemeNames[oid.String()]; ok {
		return n
	}
	return "the scheme with OID " + oid.String()
}

// pbeCiphers are the PBES2 ciphers read, with youmark's implementation of each.
var pbeCiphers = map[string]struct {
	name   string
	cipher pkcs8.Cipher
	block  int
}{
	"2.16.840.1.101.3.4.1.2":  {"AES-128-CBC", pkcs8.AES128CBC, 16},
	"2.16.840.1.101.3.4.1.22": {"AES-192-CBC", pkcs8.AES192CBC, 16},
	"2.16.840.1.101.3.4.1.42": {"AES-256-CBC", pkcs8.AES256CBC, 16},
	"1.2.840.113549.3.7":      {"DES-EDE3-CBC", pkcs8.TripleDESCBC, 8},
}

// Limits on the work a key file can ask for. OWASP's 2023 advice for PBKDF2-HMAC-SHA256 is
// 600,000 iterations (what MarshalPKCS8PEM writes); ten million takes a few seconds.
const (
	maxIterations  = 10_000_000
	maxScryptNr    = 1 << 21 // N*r; scrypt uses 128*N*r bytes, 256 MiB here
	maxScryptP     = 16
	prfDefaultSHA1 = "1.2.840.113549.2.7"
)

// prfs are the PBKDF2 pseudo-random functions read. youmark implements the ones with a
// youmark hash; the standard library's crypto/pbkdf2 does the others.
var prfs = map[string]struct {
	name    string
	new     func() hash.Hash
	youmark crypto.Hash
}{
	"1.2.840.113549.2.7":  {"hmacWithSHA1", sha1.New, crypto.SHA1},
	"1.2.840.113549.2.8":  {"hmacWithSHA224", sha256.New224, 0},
	"1.2.840.113549.2.9":  {"hmacWithSHA256", sha256.New, crypto.SHA256},
	"1.2.840.113549.2.10": {"hmacWithSHA384", sha512.New384, 0},
	"1.2.840.113549.2.11": {"hmacWithSHA512", sha512.New, 0},
}

type encryptedPrivateKeyInfo struct {
	Algorithm     pkix.AlgorithmIdentifier
	EncryptedData []byte
}

type pbes2Params struct {
	KeyDerivationFunc pkix.AlgorithmIdentifier
	EncryptionScheme  pkix.AlgorithmIdentifier
}

type pbkdf2Params struct {
	Salt           []byte
	IterationCount int
	KeyLength      int                      `asn1:"optional"`
	PRF            pkix.AlgorithmIdentifier `asn1:"optional"`
}

type scryptParams struct {
	Salt                     []byte
	CostParameter            int
	BlockSize                int
	ParallelizationParameter int
	KeyLength                int `asn1:"optional"`
}

type pbeParams struct {
	Salt       []byte
	Iterations int
}

// decrypter turns a password into the decrypted, unpadded content, or reports a wrong password.
type decrypter func(password []byte) ([]byte, bool)

func parseEncryptedPKCS8(der []byte, src string, opt Options) (*rawKey, error) {
	var info encryptedPrivateKeyInfo
	if rest, err := asn1.Unmarshal(der, &info); err != nil || len(rest) > 0 {
		return nil, wrapError(ErrMalformed, src, "holds a damaged encrypted PKCS#8 key", "copy or export the key again", err)
	}
	var (
		decrypt decrypter
		err     error
	)
	alg := info.Algorithm.Algorithm
	switch {
	case alg.Equal(oidPBES2):
		decrypt, err = pbes2Decrypter(info, src)
	case alg.Equal(oidSHA1And3K), alg.Equal(oidSHA1And2K):
		decrypt, err = pkcs12PBEDecrypter(info, src)
	default:
		err = unsupportedScheme(src, schemeName(alg))
	}
	if err != nil {
		return nil, err
	}
	pw := opt.keyPassword()
	if len(pw) == 0 {
		return nil, newError(ErrPasswordRequired, src, "is an encrypted PKCS#8 key and no password was given", hintKeyPassword)
	}
	plain, ok := decrypt(pw)
	if !ok || classifyDER(plain) != derPKCS8 {
		return nil, wrongKeyPassword(src)
	}
	k, err := parsePKCS8(plain, src)
	if err != nil {
		return nil, err
	}
	k.format = FormatEncryptedPKCS8DER
	return k, nil
}

func unsupportedScheme(src, name string) error {
	return newError(ErrUnsupported, src, "is encrypted with "+name+", which postmint does not read",
		"re-encrypt it with AES: openssl pkcs8 -topk8 -v2 aes-256-cbc -in IN -out OUT (add -provider legacy -provider default for old ciphers)")
}

func damagedEncryption(src, what string) error {
	return newError(ErrMalformed, src, "holds an encrypted PKCS#8 key with damaged "+what, "copy or export the key again")
}

// pbes2Decrypter reads PBES2 parameters (RFC 8018 §6.2, A.4) and checks every size before any
// decryption.
func pbes2Decrypter(info encryptedPrivateKeyInfo, src string) (decrypter, error) {
	var p pbes2Params
	if _, err := asn1.Unmarshal(info.Algorithm.Parameters.FullBytes, &p); err != nil {
		return nil, damagedEncryption(src, "PBES2 parameters")
	}
	c, ok := pbeCiphers[p.EncryptionScheme.Algorithm.String()]
	if !ok {
		return nil, unsupportedScheme(src, "PBES2 with "+schemeName(p.EncryptionScheme.Algorithm))
	}
	var iv []byte
	if _, err := asn1.Unmarshal(p.EncryptionScheme.Parameters.FullBytes, &iv); err != nil || len(iv) != c.block {
		return nil, damagedEncryption(src, "cipher parameters")
	}
	data := info.EncryptedData
	if len(data) == 0 || len(data)%c.block != 0 {
		return nil, damagedEncryption(src, "ciphertext (cut off?)")
	}
	keySize := c.cipher.KeySize()
	var derive func(pw []byte) ([]byte, error)
	switch kdf := p.KeyDerivationFunc; {
	case kdf.Algorithm.Equal(oidPBKDF2):
		var kp pbkdf2Params
		if _, err := asn1.Unmarshal(kdf.Parameters.FullBytes, &kp); err != nil {
			return nil, damagedEncryption(src, "PBKDF2 parameters")
		}
		if kp.IterationCount < 1 || kp.IterationCount > maxIterations {
			return nil, newError(ErrUnsupported, src, fmt.Sprintf("asks for %d PBKDF2 iterations, outside what postmint accepts (1 to %d)", kp.IterationCount, maxIterations),
				"re-encrypt the key with fewer iterations")
		}
		if kp.KeyLength != 0 && kp.KeyLength != keySize {
			return nil, damagedEncryption(src, "PBKDF2 key length")
		}
		prfOID := prfDefaultSHA1
		if len(kp.PRF.Algorithm) > 0 {
			prfOID = kp.PRF.Algorithm.String()
		}
		prf, ok := prfs[prfOID]
		if !ok {
			return nil, unsupportedScheme(src, "PBKDF2 with "+schemeName(kp.PRF.Algorithm))
		}
		derive = func(pw []byte) ([]byte, error) {
			if prf.youmark != 0 {
				key, _, err := pkcs8.PBKDF2Opts{IterationCount: kp.IterationCount, HMACHash: prf.youmark}.DeriveKey(pw, kp.Salt, keySize)
				return key, err
			}
			return pbkdf2.Key(prf.new, string(pw), kp.Salt, kp.IterationCount, keySize)
		}
	case kdf.Algorithm.Equal(oidScrypt):
		var sp scryptParams
		if _, err := asn1.Unmarshal(kdf.Parameters.FullBytes, &sp); err != nil {
			return nil, damagedEncryption(src, "scrypt parameters")
		}
		n, r, par := sp.CostParameter, sp.BlockSize, sp.ParallelizationParameter
		if n < 2 || n&(n-1) != 0 || r < 1 || par < 1 || par > maxScryptP || n > maxScryptNr/r {
			return nil, newError(ErrUnsupported, src, fmt.Sprintf("asks for scrypt N=%d r=%d p=%d, outside what postmint accepts", n, r, par),
				"re-encrypt the key with smaller scrypt parameters or PBKDF2")
		}
		if sp.KeyLength != 0 && sp.KeyLength != keySize {
			return nil, damagedEncryption(src, "scrypt key length")
		}
		derive = func(pw []byte) ([]byte, error) {
			key, _, err := pkcs8.ScryptOpts{CostParameter: n, BlockSize: r, ParallelizationParameter: par}.DeriveKey(pw, sp.Salt, keySize)
			return key, err
		}
	default:
		return nil, unsupportedScheme(src, "PBES2 with key derivation "+schemeName(kdf.Algorithm))
	}
	return func(pw []byte) ([]byte, bool) {
		key, err := derive(pw)
		if err != nil {
			return nil, false
		}
		plain, err := c.cipher.Decrypt(key, iv, data)
		if err != nil {
			return nil, false
		}
		return unpad(plain, c.block)
	}, nil
}

// pkcs12PBEDecrypter reads the PKCS#12 password-based encryption of RFC 7292 Appendix C with
// two- or three-key triple DES in CBC mode.
func pkcs12PBEDecrypter(info encryptedPrivateKeyInfo, src string) (decrypter, error) {
	var p pbeParams
	if _, err := asn1.Unmarshal(info.Algorithm.Parameters.FullBytes, &p); err != nil {
		return nil, damagedEncryption(src, "PBE parameters")
	}
	if p.Iterations < 1 || p.Iterations > maxIterations {
		return nil, newError(ErrUnsupported, src, fmt.Sprintf("asks for %d iterations, outside what postmint accepts (1 to %d)", p.Iterations, maxIterations),
			"re-encrypt the key with fewer iterations")
	}
	data := info.EncryptedData
	if len(data) == 0 || len(data)%des.BlockSize != 0 {
		return nil, damagedEncryption(src, "ciphertext (cut off?)")
	}
	keyLen := 24
	if info.Algorithm.Algorithm.Equal(oidSHA1And2K) {
		keyLen = 16
	}
	return func(pw []byte) ([]byte, bool) {
		bmp := bmpPassword(pw)
		key := pkcs12KDF(bmp, p.Salt, p.Iterations, pkcs12KeyID, keyLen)
		if keyLen == 16 {
			key = append(key, key[:8]...) // two-key 3DES: K1, K2, K1
		}
		iv := pkcs12KDF(bmp, p.Salt, p.Iterations, pkcs12IVID, des.BlockSize)
		block, err := des.NewTripleDESCipher(key)
		if err != nil {
			return nil, false
		}
		plain := make([]byte, len(data))
		cipher.NewCBCDecrypter(block, iv).CryptBlocks(plain, data)
		return unpad(plain, des.BlockSize)
	}, nil
}

// unpad removes PKCS#7 padding (RFC 8018 §6.1.1 step 4); a bad pad means a wrong password.
func unpad(b []byte, block int) ([]byte, bool) {
	if len(b) == 0 || len(b)%block != 0 {
		return nil, false
	}
	n := int(b[len(b)-1])
	if n == 0 || n > block {
		return nil, false
	}
	for _, c := range b[len(b)-n:] {
		if int(c) != n {
			return nil, false
		}
	}
	return b[:len(b)-n], true
}
