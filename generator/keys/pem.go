package keys

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// normalizePEM repairs the ways CI secret stores and copy-paste mangle PEM text: "\n" escapes
// instead of newlines (a PEM copied out of a JSON string) and newlines turned into spaces.
func normalizePEM(data []byte) []byte {
	if bytes.Contains(data, []byte(`\n`)) {
		data = bytes.ReplaceAll(data, []byte(`\r\n`), []byte("\n"))
		data = bytes.ReplaceAll(data, []byte(`\n`), []byte("\n"))
	}
	if b, _ := pem.Decode(data); b != nil {
		return data
	}
	return pemOneLine.ReplaceAllFunc(data, rebuildPEMBlock)
}

var (
	pemOneLine = regexp.MustCompile(`-----BEGIN ([A-Z0-9 ]+)-----(?s:(.*?))-----END ([A-Z0-9 ]+)-----`)
	pemHeader  = regexp.MustCompile(`^[A-Za-z-]+:$`)
)

// rebuildPEMBlock turns "-----BEGIN X----- [Name: value ...] BASE64 BASE64 -----END X-----",
// with any white space for line breaks, back into a PEM block.
func rebuildPEMBlock(m []byte) []byte {
	sub := pemOneLine.FindSubmatch(m)
	fields := strings.Fields(string(sub[2]))
	var out strings.Builder
	fmt.Fprintf(&out, "-----BEGIN %s-----\n", sub[1])
	i := 0
	for i+1 < len(fields) && pemHeader.MatchString(fields[i]) {
		fmt.Fprintf(&out, "%s %s\n", fields[i], fields[i+1])
		i += 2
	}
	if i > 0 {
		out.WriteString("\n")
	}
	body := strings.Join(fields[i:], "")
	for len(body) > 64 {
		out.WriteString(body[:64] + "\n")
		body = body[64:]
	}
	if body != "" {
		out.WriteString(body + "\n")
	}
	fmt.Fprintf(&out, "-----END %s-----\n", sub[3])
	return []byte(out.String())
}

// pemBlocks splits data at every "-----BEGIN " and decodes each piece on its own, so that a
// damaged block is reported instead of being skipped silently.
func pemBlocks(data []byte, src string) ([]*pem.Block, error) {
	const begin = "-----BEGIN "
	var blocks []*pem.Block
	for {
		i := bytes.Index(data, []byte(begin))
		if i < 0 {
			return blocks, nil
		}
		data = data[i:]
		next := bytes.Index(data[len(begin):], []byte(begin))
		piece := data
		if next >= 0 {
			piece = data[:len(begin)+next]
		}
		b, _ := pem.Decode(piece)
		if b == nil {
			return nil, damagedPEM(piece, src)
		}
		blocks = append(blocks, b)
		if next < 0 {
			return blocks, nil
		}
		data = data[len(begin)+next:]
	}
}

func damagedPEM(piece []byte, src string) error {
	line, _, _ := bytes.Cut(piece, []byte("\n"))
	typ := strings.TrimSpace(string(line))
	typ = strings.TrimSuffix(strings.TrimPrefix(typ, "-----BEGIN "), "-----")
	if len(typ) > 40 || strings.ContainsAny(typ, "-\r") {
		typ = "PEM"
	}
	if !bytes.Contains(piece, []byte("-----END "+typ+"-----")) {
		return newError(ErrMalformed, src, fmt.Sprintf("is cut off: its %s block has no -----END %s----- line", typ, typ),
			"copy it again in full, from -----BEGIN to -----END")
	}
	return newError(ErrMalformed, src, fmt.Sprintf("has a damaged %s block (its body is not valid base64)", typ),
		"copy it again in full, from -----BEGIN to -----END, without changing its lines")
}

// parsePEM reads the private key in a PEM file and any certificates beside it.
func parsePEM(data []byte, src string, opt Options) (*rawKey, error) {
	blocks, err := pemBlocks(data, src)
	if err != nil {
		return nil, err
	}
	var (
		keyBlocks []*pem.Block
		certs     []*x509.Certificate
		other     []string // types of the blocks that are not private keys, in order
		curveOID  []byte   // from an EC PARAMETERS block
	)
	for _, b := range blocks {
		switch b.Type {
		case "PRIVATE KEY", "RSA PRIVATE KEY", "EC PRIVATE KEY", "ENCRYPTED PRIVATE KEY", "OPENSSH PRIVATE KEY",
			"DSA PRIVATE KEY", "ANY PRIVATE KEY":
			keyBlocks = append(keyBlocks, b)
		case "EC PARAMETERS":
			curveOID = b.Bytes
		case "CERTIFICATE", "X509 CERTIFICATE", "TRUSTED CERTIFICATE":
			c, err := parseCertificateDER(b.Bytes, src)
			if err != nil {
				return nil, err
			}
			certs = append(certs, c)
			other = append(other, "CERTIFICATE")
		default:
			other = append(other, b.Type)
		}
	}
	switch len(keyBlocks) {
	case 0:
		return nil, notAPrivateKey(src, other)
	case 1:
	default:
		return nil, newError(ErrAmbiguousKey, src, fmt.Sprintf("holds %d private keys", len(keyBlocks)),
			"keep one private key per file")
	}
	k, err := parsePEMKey(keyBlocks[0], curveOID, src, opt)
	if err != nil {
		return nil, err
	}
	k.certs = certs
	return k, nil
}

// notAPrivateKey explains what a PEM file without a private key holds instead.
func notAPrivateKey(src string, types []string) error {
	for _, t := range types {
		switch t {
		case "PUBLIC KEY", "RSA PUBLIC KEY", "EC PUBLIC KEY", "SSH2 PUBLIC KEY":
			return newError(ErrNotPrivateKey, src, "is a public key, not a private key",
				"pass the private key (-----BEGIN PRIVATE KEY-----); the public key is what the identity provider gets")
		case "CERTIFICATE":
			return newError(ErrNotPrivateKey, src, "is a certificate, not a private key",
				"pass the private key the certificate was issued for (the certificate goes in `certificate:`)")
		case "CERTIFICATE REQUEST", "NEW CERTIFICATE REQUEST":
			return newError(ErrNotPrivateKey, src, "is a certificate signing request, not a private key",
				"pass the private key the request was made with")
		case "PKCS7", "CMS":
			return newError(ErrNotPrivateKey, src, "is a PKCS#7 certificate bundle, not a private key",
				"pass the private key file")
		case "X509 CRL":
			return newError(ErrNotPrivateKey, src, "is a certificate revocation list, not a private key",
				"pass the private key file")
		case "PGP PRIVATE KEY BLOCK":
			return newError(ErrUnsupported, src, "is an OpenPGP key, which postmint does not read", hintNewKey)
		}
	}
	if len(types) == 0 {
		return newError(ErrUnknownFormat, src, "is not a private key in any format postmint reads ("+formatsRead+")", "")
	}
	return newError(ErrNotPrivateKey, src, fmt.Sprintf("holds a %s PEM block, not a private key", types[0]),
		"pass the private key file")
}

// parsePEMKey reads one private-key PEM block.
func parsePEMKey(b *pem.Block, curveOID []byte, src string, opt Options) (*rawKey, error) {
	switch b.Type {
	case "OPENSSH PRIVATE KEY":
		return parseOpenSSH(b, src, opt)
	case "DSA PRIVATE KEY":
		return nil, newError(ErrUnsupported, src, "holds a DSA key, which postmint cannot sign with", hintNewKey)
	}
	//lint:ignore SA1019 legacy encrypted PEM is still what `openssl rsa -aes256 -traditional` writes
	if x509.IsEncryptedPEMBlock(b) { //nolint:staticcheck
		return parseLegacyEncrypted(b, curveOID, src, opt)
	}
	if err := checkDER(b.Bytes, src, b.Type+" block"); err != nil {
		return nil, err
	}
	k, err := parseKeyDER(b.Bytes, curveOID, src, opt)
	if err != nil {
		return nil, err
	}
	if f, ok := pemFormat[k.format]; ok {
		k.format = f
	}
	return k, nil
}

var pemFormat = map[string]string{
	FormatPKCS8DER:          FormatPKCS8PEM,
	FormatPKCS1DER:          FormatPKCS1PEM,
	FormatSEC1DER:           FormatSEC1PEM,
	FormatEncryptedPKCS8DER: FormatEncryptedPKCS8,
}

// parseLegacyEncrypted reads an RFC 1423 "Proc-Type: 4,ENCRYPTED" block. x509.DecryptPEMBlock is
// deprecated because the format is weak, but it is still the standard library's reader for it.
func parseLegacyEncrypted(b *pem.Block, curveOID []byte, src string, opt Options) (*rawKey, error) {
	pw := opt.keyPassword()
	if len(pw) == 0 {
		return nil, newError(ErrPasswordRequired, src, "is an encrypted key (Proc-Type: 4,ENCRYPTED) and no password was given", hintKeyPassword)
	}
	der, err := x509.DecryptPEMBlock(b, pw) //nolint:staticcheck // see the function comment
	if err != nil {
		if errors.Is(err, x509.IncorrectPasswordError) {
			return nil, wrongKeyPassword(src)
		}
		// The cause can quote the DEK-Info header, so it stays out of the message.
		return nil, &Error{Source: src, Problem: "is an encrypted PEM key (Proc-Type: 4,ENCRYPTED) whose DEK-Info postmint cannot use", Kind: ErrUnsupported, Err: err, quiet: true,
			Hint: "convert it to encrypted PKCS#8: openssl pkcs8 -topk8 -v2 aes-256-cbc -in IN -out OUT"}
	}
	kind := classifyDER(der)
	var k *rawKey
	switch {
	case b.Type == "RSA PRIVATE KEY" && kind == derPKCS1:
		k, err = parsePKCS1(der, src)
		if k != nil {
			k.format = FormatEncryptedPKCS1PEM
		}
	case b.Type == "EC PRIVATE KEY" && kind == derSEC1:
		k, err = parseSEC1(der, curveOID, src)
		if k != nil {
			k.format = FormatEncryptedSEC1PEM
		}
	case b.Type == "PRIVATE KEY" && kind == derPKCS8:
		k, err = parsePKCS8(der, src)
		if k != nil {
			k.format = FormatEncryptedPKCS8
		}
	default:
		// CBC under the wrong key decrypts to noise, which only sometimes has valid padding.
		return nil, wrongKeyPassword(src)
	}
	return k, err
}

func wrongKeyPassword(src string) error {
	return newError(ErrWrongPassword, src, "could not be decrypted: the key password is wrong",
		"check the key password (--key-password-file or POSTMINT_KEY_PASSWORD)")
}
