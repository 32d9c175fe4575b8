package verify

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/postmint/postmint/generator/keys"
)

// FuzzCheck feeds Check arbitrary tokens: it must never panic, always report a problem for
// what it cannot verify, and never put the token into a message.
func FuzzCheck(f *testing.F) {
	k, err := keys.Load(filepath.Join("..", "..", "testdata", "keys", "ec-p256.pkcs8.pem"), keys.Options{})
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{
		"", ".", "..", "a.b.c", "e30.e30.", "eyJhbGciOiJFUzI1NiJ9.e30.AAAA",
		"eyJhbGciOiJFUzI1NiIsIng1YyI6WyIhIl19.eyJleHAiOiIxIn0.",
		"eyJhbGciOiJub25lIn0.eyJleHAiOjk5OTk5OTk5OTk5OX0.",
		"eyJhbGciOiJSUzI1NiIsImNyaXQiOlsiYiJdfQ.eyJhdWQiOlsxLG51bGxdfQ.x",
	} {
		f.Add(s)
	}
	rules := &Rules{Source: "fuzz", Issuer: "c", Subject: "c", Audience: "a", MaxLifetime: time.Minute, Typ: "JWT", Kid: "k", X5C: true, X5TS256: true}
	ks := []PublicKey{{Key: k.Public(), KID: "k"}}
	f.Fuzz(func(t *testing.T, tok string) {
		r := Check(tok, Options{Keys: ks, Rules: rules, Now: time.Unix(1700000000, 0)})
		if r.Valid() {
			t.Fatalf("valid without a signature from the key: %q", tok)
		}
		if len(tok) >= 16 {
			for _, p := range r.Problems {
				if strings.Contains(p.String(), tok) {
					t.Fatalf("problem echoes the token: %s", p)
				}
			}
		}
	})
}

// FuzzParsePublicKey feeds the public key reader arbitrary files: errors, never panics, and a
// key it returns is one Check can use.
func FuzzParsePublicKey(f *testing.F) {
	dir := filepath.Join("..", "..", "testdata", "keys")
	for _, name := range []string{"rsa2048.pub.pem", "rsa2048.pkcs1-pub.pem", "rsa2048.crt.der", "public.jwks.json", "rsa2048.pub.jwk.json", "ec-p256.jwk.json", "junk.bin"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{"keys":[{"kty":"EC","crv":"P-256","x":"","y":""}]}`))
	f.Add([]byte(`{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		ks, err := ParsePublicKey(data, "fuzz.pem", keys.Options{})
		if err != nil {
			return
		}
		for _, k := range ks {
			if supported(k.Key) != "" {
				t.Fatalf("returned an unsupported key %T", k.Key)
			}
			_ = k.Describe()
		}
	})
}
