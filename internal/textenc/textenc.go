// Package textenc turns the text encodings Windows tools write into the UTF-8 postmint's
// parsers read: Notepad and most editors may start a UTF-8 file with a byte-order mark, and
// Windows PowerShell 5's `Out-File` and `>` write UTF-16LE with one.
//
// Decode changes only text that starts with a byte-order mark, and refuses UTF-16 without one;
// anything else (UTF-8, and the binary formats postmint reads: DER, PKCS#12, JKS) comes back
// as it is, so every file can go through it.
package textenc

import (
	"bytes"
	"errors"
	"fmt"

	"golang.org/x/text/encoding/unicode"
)

// ErrUTF16 is wrapped by Decode's errors: the text is UTF-16 that cannot be read.
var ErrUTF16 = errors.New("is UTF-16")

// fix is how to save a file as UTF-8 from PowerShell, for text in encoding (Get-Content's
// name for it: Unicode is UTF-16LE, BigEndianUnicode UTF-16BE).
func fix(encoding string) string {
	return "save it as UTF-8 (PowerShell: Get-Content -Encoding " + encoding + " FILE | Set-Content -Encoding utf8 NEW)"
}

var (
	bomUTF8    = []byte{0xEF, 0xBB, 0xBF}
	bomUTF16LE = []byte{0xFF, 0xFE}
	bomUTF16BE = []byte{0xFE, 0xFF}
)

// Decode returns data as UTF-8 without a byte-order mark: a UTF-8 mark is dropped, UTF-16
// with a mark (little or big endian) is converted. UTF-16 without a mark, recognised by the
// zero bytes of ASCII text, is an error that names the encoding and the fix, as is UTF-16
// with an odd number of bytes. Error text does not name the file; callers do.
func Decode(data []byte) ([]byte, error) {
	var order unicode.Endianness
	var name, ps string
	switch {
	case bytes.HasPrefix(data, bomUTF8):
		return data[len(bomUTF8):], nil
	case bytes.HasPrefix(data, bomUTF16LE):
		order, name, ps = unicode.LittleEndian, "UTF-16LE", "Unicode"
	case bytes.HasPrefix(data, bomUTF16BE):
		order, name, ps = unicode.BigEndian, "UTF-16BE", "BigEndianUnicode"
	default:
		if name, ps := unmarkedUTF16(data); name != "" {
			return nil, fmt.Errorf("%w (%s) without a byte-order mark; %s", ErrUTF16, name, fix(ps))
		}
		return data, nil
	}
	if len(data)%2 != 0 {
		return nil, fmt.Errorf("%w (%s, by its byte-order mark) but has an odd number of bytes, so it is cut short or not text; %s", ErrUTF16, name, fix(ps))
	}
	out, err := unicode.UTF16(order, unicode.ExpectBOM).NewDecoder().Bytes(data)
	if err != nil {
		return nil, fmt.Errorf("%w (%s): %v; %s", ErrUTF16, name, err, fix(ps))
	}
	return out, nil
}

// unmarkedUTF16 names the UTF-16 byte order of text without a mark whose first two
// characters are ASCII (every definition, environment, key or document postmint reads starts
// with one: '{', '-', a letter, a space) and PowerShell's name for it, or "". No binary
// format postmint reads starts like that: DER and PKCS#12 start with 0x30 and a length, JKS
// with 0xFEEDFEED.
func unmarkedUTF16(data []byte) (name, ps string) {
	if len(data) < 4 {
		return "", ""
	}
	ascii := func(b byte) bool { return b >= 0x09 && b < 0x80 }
	switch {
	case ascii(data[0]) && data[1] == 0 && ascii(data[2]) && data[3] == 0:
		return "UTF-16LE", "Unicode"
	case data[0] == 0 && ascii(data[1]) && data[2] == 0 && ascii(data[3]):
		return "UTF-16BE", "BigEndianUnicode"
	}
	return "", ""
}
