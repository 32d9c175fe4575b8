package keys

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"

	"golang.org/x/crypto/cryptobyte"
	"golang.org/x/crypto/ssh"
)

// maxBcryptRounds bounds the bcrypt_pbkdf rounds an OpenSSH key may ask for: ssh-keygen uses
// 16 by default and `-a 100` is common advice; each round costs about 15 ms.
const maxBcryptRounds = 1000

// opensshRounds reads the bcrypt rounds from an openssh-key-v1 header (PROTOCOL.key in
// OpenSSH's sources); ok is false when the header cannot be read.
func opensshRounds(body []byte) (rounds uint32, ok bool) {
	const magic = "openssh-key-v1\x00"
	if !bytes.HasPrefix(body, []byte(magic)) {
		return 0, false
	}
	s := cryptobyte.String(body[len(magic):])
	var cipherName, kdfName, kdfOptions, salt []byte
	if !readString32(&s, &cipherName) || !readString32(&s, &kdfName) || !readString32(&s, &kdfOptions) {
		return 0, false
	}
	if string(kdfName) != "bcrypt" {
		return 0, true
	}
	opts := cryptobyte.String(kdfOptions)
	if !readString32(&opts, &salt) || !opts.ReadUint32(&rounds) {
		return 0, false
	}
	return rounds, true
}

func readString32(s *cryptobyte.String, out *[]byte) bool {
	var n uint32
	return s.ReadUint32(&n) && s.ReadBytes(out, int(n))
}

// parseOpenSSH reads "-----BEGIN OPENSSH PRIVATE KEY-----" as ssh-keygen writes it.
func parseOpenSSH(b *pem.Block, src string, opt Options) (*rawKey, error) {
	if rounds, ok := opensshRounds(b.Bytes); ok && rounds > maxBcryptRounds {
		return nil, newError(ErrUnsupported, src, fmt.Sprintf("asks for %d bcrypt rounds, more than postmint accepts (%d)", rounds, maxBcryptRounds),
			"re-encrypt it with fewer rounds: ssh-keygen -p -a 100 -f KEY")
	}
	data := pem.EncodeToMemory(b)
	raw, err := ssh.ParseRawPrivateKey(data)
	var missing *ssh.PassphraseMissingError
	if errors.As(err, &missing) {
		pw := opt.keyPassword()
		if len(pw) == 0 {
			return nil, newError(ErrPasswordRequired, src, "is an encrypted OpenSSH key and no password was given", hintKeyPassword)
		}
		raw, err = ssh.ParseRawPrivateKeyWithPassphrase(data, pw)
		if errors.Is(err, x509.IncorrectPasswordError) {
			return nil, wrongKeyPassword(src)
		}
	}
	if err != nil {
		return nil, wrapError(ErrMalformed, src, "holds an OpenSSH key postmint cannot read", "convert it: ssh-keygen -p -m PKCS8 -f KEY", err)
	}
	return &rawKey{key: raw, format: FormatOpenSSH}, nil
}
