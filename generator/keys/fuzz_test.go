package keys

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
)

// Run with: go test -run=^$ -fuzz=FuzzParse -fuzztime=60s ./generator/keys
// Crashers land in testdata/fuzz/<target>/ and then run with every `go test`.

const fuzzPassword = "test-password"

func addFixtureSeeds(f *testing.F, keep func(name string) bool) {
	entries, err := os.ReadDir(fixtures)
	if err != nil {
		f.Fatal(err)
	}
	for _, e := range entries {
		if e.IsDir() || !keep(e.Name()) {
			continue
		}
		b, err := os.ReadFile(filepath.Join(fixtures, e.Name()))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
}

// checkParsed holds for every key Parse returns: it signs, its normalized PEM reads back as
// the same key, and its alg checks out.
func checkParsed(t *testing.T, k *Key) {
	if k.Signer == nil {
		t.Fatal("nil Signer without an error")
	}
	switch d := k.Describe(); {
	case strings.HasPrefix(d, "RSA "), d == "EC P-256", d == "EC P-384", d == "EC P-521", d == "Ed25519":
	default:
		t.Fatalf("accepted a %s key", d)
	}
	if err := k.CheckAlg(k.DefaultAlg()); err != nil {
		t.Fatal(err)
	}
	p8, err := k.PKCS8PEM()
	if err != nil {
		t.Fatal(err)
	}
	back, err := Parse([]byte(p8), "normalized", Options{})
	if err != nil || !sameKey(back.Public(), k.Public()) {
		t.Fatalf("normalized PEM does not read back: %v", err)
	}
	signAndVerify(t, k)
}

// checkRefusal holds for every error Parse returns: one line, an *Error, no password.
func checkRefusal(t *testing.T, err error) {
	var e *Error
	if !errors.As(err, &e) {
		t.Fatalf("error is not an *Error: %T %v", err, err)
	}
	msg := err.Error()
	if strings.Contains(msg, fuzzPassword) {
		t.Fatalf("error contains the password: %q", msg)
	}
	if e.Kind == nil {
		t.Fatalf("error without a kind: %q", msg)
	}
}

func FuzzParse(f *testing.F) {
	addFixtureSeeds(f, func(name string) bool { return name != "make.sh" })
	f.Add([]byte(""))
	f.Add([]byte("-----BEGIN PRIVATE KEY-----\n-----END PRIVATE KEY-----\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		k, err := Parse(data, "fuzz", Options{Password: []byte(fuzzPassword)})
		if err != nil {
			checkRefusal(t, err)
			return
		}
		checkParsed(t, k)
	})
}

func FuzzParseJWK(f *testing.F) {
	entries, err := os.ReadDir(fixtures)
	if err != nil {
		f.Fatal(err)
	}
	for _, e := range entries {
		if strings.HasSuffix(e.Name(), ".json") {
			b, err := os.ReadFile(filepath.Join(fixtures, e.Name()))
			if err != nil {
				f.Fatal(err)
			}
			f.Add(b, "")
			f.Add(b, "rsa-1")
		}
	}
	f.Add([]byte(`{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo","d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A"}`), "")
	f.Add([]byte(`{"keys":[{"kty":"oct","k":"AAAA"}]}`), "")
	f.Fuzz(func(t *testing.T, data []byte, alias string) {
		k, err := Parse(data, "fuzz", Options{Alias: alias})
		if err != nil {
			checkRefusal(t, err)
			return
		}
		checkParsed(t, k)
		// What postmint publishes for the key reads back, in go-jose, as the same public key.
		pub, err := PublicJWK(k.Public(), k.KeyID, k.DefaultAlg())
		if err != nil {
			t.Fatal(err)
		}
		var jwk jose.JSONWebKey
		if err := jwk.UnmarshalJSON(pub); err != nil || !jwk.IsPublic() || !sameKey(jwk.Key, k.Public()) {
			t.Fatalf("PublicJWK does not read back: %v", err)
		}
		if _, err := Thumbprint(k.Public()); err != nil {
			t.Fatal(err)
		}
	})
}
