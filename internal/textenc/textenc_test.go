package textenc

import (
	"errors"
	"strings"
	"testing"

	"golang.org/x/text/encoding/unicode"
)

// utf16 encodes s as PowerShell 5's Out-File does (little endian with a byte-order mark), or
// big endian, or without the mark.
func utf16(t *testing.T, s string, order unicode.Endianness, bom unicode.BOMPolicy) []byte {
	t.Helper()
	b, err := unicode.UTF16(order, bom).NewEncoder().Bytes([]byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestDecode: what Windows editors and PowerShell write comes out as the UTF-8 the parsers
// read; UTF-8 without a mark and binary formats come out untouched.
func TestDecode(t *testing.T) {
	const text = "{\r\n\t\"name\": \"Acme Orders (test) – café\"\r\n}\r\n"
	der := []byte{0x30, 0x82, 0x01, 0x0a, 0x02, 0x82, 0x01, 0x01, 0x00}
	jks := []byte{0xFE, 0xED, 0xFE, 0xED, 0x00, 0x00, 0x00, 0x02}
	for _, tc := range []struct {
		name string
		in   []byte
		want string
	}{
		{"UTF-8", []byte(text), text},
		{"UTF-8 with BOM (Notepad)", append([]byte{0xEF, 0xBB, 0xBF}, text...), text},
		{"UTF-16LE with BOM (PowerShell 5 Out-File)", utf16(t, text, unicode.LittleEndian, unicode.UseBOM), text},
		{"UTF-16BE with BOM", utf16(t, text, unicode.BigEndian, unicode.UseBOM), text},
		{"UTF-16LE with BOM, empty", []byte{0xFF, 0xFE}, ""},
		{"DER", der, string(der)},
		{"JKS", jks, string(jks)},
		{"empty", nil, ""},
	} {
		got, err := Decode(tc.in)
		if err != nil || string(got) != tc.want {
			t.Errorf("%s: %q, %v; want %q", tc.name, got, err, tc.want)
		}
	}
}

// TestDecodeRefusesUnreadableUTF16: UTF-16 without a mark, or cut short, is refused in one
// line that names the encoding and the fix.
func TestDecodeRefusesUnreadableUTF16(t *testing.T) {
	const text = "version: 1\r\nname: Acme\r\n"
	le := utf16(t, text, unicode.LittleEndian, unicode.UseBOM)
	for _, tc := range []struct {
		name       string
		in         []byte
		want, read string
	}{
		{"UTF-16LE without BOM", utf16(t, text, unicode.LittleEndian, unicode.IgnoreBOM), "is UTF-16 (UTF-16LE) without a byte-order mark", "Unicode"},
		{"UTF-16BE without BOM", utf16(t, text, unicode.BigEndian, unicode.IgnoreBOM), "is UTF-16 (UTF-16BE) without a byte-order mark", "BigEndianUnicode"},
		{"UTF-16LE cut short", le[:len(le)-1], "is UTF-16 (UTF-16LE, by its byte-order mark) but has an odd number of bytes", "Unicode"},
	} {
		_, err := Decode(tc.in)
		fix := "; save it as UTF-8 (PowerShell: Get-Content -Encoding " + tc.read + " FILE | Set-Content -Encoding utf8 NEW)"
		if err == nil || !errors.Is(err, ErrUTF16) || !strings.HasPrefix(err.Error(), tc.want) ||
			!strings.HasSuffix(err.Error(), fix) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s: %v", tc.name, err)
		}
	}
}
