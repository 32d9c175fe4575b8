package keys

import (
	"bytes"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"fmt"
	"sort"
	"strings"

	keystore "github.com/pavlo-v-chernykh/keystore-go/v4"
	"golang.org/x/crypto/cryptobyte"
)

// JKS, read with keystore-go. Its decoder allocates whatever a length or count in the file says
// and slices the key blob without checking its size, so scanJKS walks the structure first and
// checks every length against the bytes there.

var (
	jksMagic   = []byte{0xFE, 0xED, 0xFE, 0xED}
	jceksMagic = []byte{0xCE, 0xCE, 0xCE, 0xCE}
	// oidJKSKeyProtector is Sun's proprietary key protection, the only one JKS uses.
	oidJKSKeyProtector = asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 42, 2, 17, 1, 1}
)

const (
	jksPrivateKeyTag  = 1
	jksTrustedCertTag = 2
	jksDigestSize     = 20 // SHA-1
)

// scanJKS checks a JKS file's layout and returns the protected key of each private-key entry,
// by lower-case alias (as keytool and keystore-go store them).
func scanJKS(data []byte) (map[string][]byte, bool) {
	s := cryptobyte.String(data)
	var magic, version, count uint32
	if !s.ReadUint32(&magic) || !s.ReadUint32(&version) || !s.ReadUint32(&count) || (version != 1 && version != 2) {
		return nil, false
	}
	readBytes32 := func(out *cryptobyte.String) bool {
		var n uint32
		return s.ReadUint32(&n) && s.ReadBytes((*[]byte)(out), int(n))
	}
	readCert := func() bool {
		var typ, cert cryptobyte.String
		if version == 2 && !s.ReadUint16LengthPrefixed(&typ) {
			return false
		}
		return readBytes32(&cert)
	}
	keys := map[string][]byte{}
	for i := uint32(0); i < count; i++ {
		var (
			tag     uint32
			alias   cryptobyte.String
			created uint64
		)
		if !s.ReadUint32(&tag) || !s.ReadUint16LengthPrefixed(&alias) || !s.ReadUint64(&created) {
			return nil, false
		}
		switch tag {
		case jksPrivateKeyTag:
			var blob cryptobyte.String
			var certs uint32
			if !readBytes32(&blob) || !s.ReadUint32(&certs) {
				return nil, false
			}
			for j := uint32(0); j < certs; j++ {
				if !readCert() {
					return nil, false
				}
			}
			keys[strings.ToLower(string(alias))] = blob
		case jksTrustedCertTag:
			if !readCert() {
				return nil, false
			}
		default:
			return nil, false
		}
	}
	return keys, len(s) >= jksDigestSize
}

func parseJKS(data []byte, src string, opt Options) (*rawKey, error) {
	blobs, ok := scanJKS(data)
	if !ok {
		return nil, newError(ErrMalformed, src, "is a damaged or truncated JKS key store", "copy the whole file again (binary files must be copied or base64-encoded as they are)")
	}
	storePW := opt.storePassword()
	if len(storePW) == 0 {
		return nil, newError(ErrPasswordRequired, src, "is a JKS key store and no store password was given", hintStorePassword)
	}
	ks := keystore.New(keystore.WithOrderedAliases())
	if err := ks.Load(bytes.NewReader(data), storePW); err != nil {
		if strings.Contains(err.Error(), "invalid digest") {
			return nil, newError(ErrWrongStorePassword, src, "could not be opened: the JKS store password is wrong", "check the store password")
		}
		return nil, wrapError(ErrMalformed, src, "is a damaged JKS key store", "copy the whole file again", err)
	}
	var aliases []string
	for _, a := range ks.Aliases() {
		if ks.IsPrivateKeyEntry(a) {
			aliases = append(aliases, a)
		}
	}
	sort.Strings(aliases)
	alias, err := chooseAlias(aliases, opt.Alias, src, "JKS key store", "alias")
	if err != nil {
		return nil, err
	}
	var protected struct {
		Algorithm pkix.AlgorithmIdentifier
		Data      []byte
	}
	blob := blobs[alias]
	if rest, err := asn1.Unmarshal(blob, &protected); err != nil || len(rest) > 0 || len(protected.Data) < 2*jksDigestSize {
		return nil, newError(ErrMalformed, src, fmt.Sprintf("has a damaged key in entry %q", alias), "export the key store again")
	}
	if !protected.Algorithm.Algorithm.Equal(oidJKSKeyProtector) {
		return nil, newError(ErrUnsupported, src, fmt.Sprintf("protects entry %q with %s, which postmint does not read", alias, protected.Algorithm.Algorithm),
			"convert the store: keytool -importkeystore -srckeystore IN -destkeystore OUT.p12 -deststoretype PKCS12")
	}
	keyPW := opt.keyPassword()
	entry, err := ks.GetPrivateKeyEntry(alias, keyPW)
	if err != nil && !bytes.Equal(keyPW, storePW) {
		// keytool's default key password is the store password.
		entry, err = ks.GetPrivateKeyEntry(alias, storePW)
	}
	if err != nil {
		problem := fmt.Sprintf("could not be decrypted: the key password for entry %q is wrong (the store password was right)", alias)
		if opt.Password == nil {
			problem = fmt.Sprintf("could not be decrypted: the key password for entry %q is needed: it is not the store password (which was right)", alias)
		}
		return nil, newError(ErrWrongEntryPassword, src, problem,
			"give the entry's key password; the store password goes in the store-password setting")
	}
	k, err := parsePKCS8(entry.PrivateKey, src)
	if err != nil {
		return nil, err
	}
	k.format, k.keyID = FormatJKS, alias
	var certs []*x509.Certificate
	for _, c := range entry.CertificateChain {
		cert, err := parseCertificateDER(c.Content, src)
		if err != nil {
			return nil, err
		}
		certs = append(certs, cert)
	}
	k.certs = certs
	return k, nil
}

// chooseAlias picks the entry named by want (case-insensitive), or the only one.
func chooseAlias(names []string, want, src, container, what string) (string, error) {
	list := strings.Join(quoteAll(names), ", ")
	if want != "" {
		for _, n := range names {
			if strings.EqualFold(n, want) {
				return n, nil
			}
		}
		if len(names) == 0 {
			return "", newError(ErrNotPrivateKey, src, fmt.Sprintf("has no private key entry (no %s %q)", what, want), "pass the store that holds the private key")
		}
		return "", newError(ErrNoSuchKey, src, fmt.Sprintf("has no private key with %s %q (it has %s)", what, want, list),
			"choose one of those")
	}
	switch len(names) {
	case 0:
		return "", newError(ErrNotPrivateKey, src, "is a "+container+" with certificates only, not a private key", "pass the store that holds the private key")
	case 1:
		return names[0], nil
	}
	return "", newError(ErrAmbiguousKey, src, fmt.Sprintf("holds %d private keys (%ses: %s)", len(names), what, list),
		"choose one by its "+what)
}

func quoteAll(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = fmt.Sprintf("%q", n)
	}
	return out
}
