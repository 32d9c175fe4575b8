package keys

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/text/encoding/unicode"

	"github.com/postmint/postmint/internal/textenc"
)

// TestWindowsText: a key, a public JWK and a JWKS as Windows tools save them (UTF-8 with a
// byte-order mark, UTF-16LE with one: PowerShell 5's Out-File) are read like the plain files;
// UTF-16 without a mark is refused in words.
func TestWindowsText(t *testing.T) {
	utf16 := func(b []byte, bom unicode.BOMPolicy) []byte {
		out, err := unicode.UTF16(unicode.LittleEndian, bom).NewEncoder().Bytes(b)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	dir := t.TempDir()
	for _, name := range []string{"rsa2048.pub.jwk.json", "public.jwks.json", "rsa2048.jwk.json"} {
		plain := readFixture(t, name)
		for enc, data := range map[string][]byte{
			"UTF-8 with BOM":    append([]byte{0xEF, 0xBB, 0xBF}, plain...),
			"UTF-16LE with BOM": utf16(plain, unicode.UseBOM),
		} {
			if _, err := ParsePublic(data, name, PublicOptions{PublicHalf: true, KeyID: "rsa-1"}); err != nil {
				t.Errorf("ParsePublic %s as %s: %v", name, enc, err)
			}
		}
		_, err := ParsePublic(utf16(plain, unicode.IgnoreBOM), name, PublicOptions{PublicHalf: true, KeyID: "rsa-1"})
		if !errors.Is(err, textenc.ErrUTF16) || !strings.HasPrefix(err.Error(), name+" is UTF-16 (UTF-16LE) without a byte-order mark; save it as UTF-8") {
			t.Errorf("ParsePublic %s as UTF-16 without BOM: %v", name, err)
		}
	}
	// A private key file goes through the one bounded reader.
	p := filepath.Join(dir, "key.pem")
	if err := os.WriteFile(p, utf16(readFixture(t, "ec-p256.pkcs8.pem"), unicode.UseBOM), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Load(p, Options{}); err != nil {
		t.Errorf("Load of a UTF-16LE PEM key: %v", err)
	}
}
