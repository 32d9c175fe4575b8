package keys

import (
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"math/big"
	"strings"
	"testing"

	jose "github.com/go-jose/go-jose/v4"
)

// RFC 7638 §3.1: the RSA key of RFC 7517 Appendix A.1 and its SHA-256 thumbprint.
const (
	rfc7638N          = "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"
	rfc7638Thumbprint = "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"
)

func TestThumbprintRFC7638Example(t *testing.T) {
	n, err := base64.RawURLEncoding.DecodeString(rfc7638N)
	if err != nil {
		t.Fatal(err)
	}
	pub := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: 65537}
	got, err := Thumbprint(pub)
	if err != nil {
		t.Fatal(err)
	}
	if got != rfc7638Thumbprint {
		t.Errorf("Thumbprint = %s, want %s", got, rfc7638Thumbprint)
	}
}

// TestThumbprintFixtures compares with thumbprints node's crypto computed from its own JWK export.
func TestThumbprintFixtures(t *testing.T) {
	for _, name := range []string{"rsa2048", "ec-p256", "ed25519"} {
		k := mustLoad(t, name+".pkcs8.pem", Options{})
		want := strings.TrimSpace(string(readFixture(t, name+".jwk-thumbprint.txt")))
		got, err := Thumbprint(k.Signer) // a private key stands for its public half
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("%s: Thumbprint = %s, want %s", name, got, want)
		}
	}
}

func TestPublicJWK(t *testing.T) {
	tests := []struct {
		file, kid, alg, want string
	}{
		{"rsa2048.pkcs8.pem", "rsa-1", "RS256", `{"kty":"RSA","use":"sig","kid":"rsa-1","alg":"RS256","n":"`},
		{"ec-p256.pkcs8.pem", "ec-1", "ES256", `{"kty":"EC","use":"sig","kid":"ec-1","alg":"ES256","crv":"P-256","x":"`},
		{"ec-p521.pkcs8.pem", "", "", `{"kty":"EC","use":"sig","crv":"P-521","x":"`},
		{"ed25519.pkcs8.pem", "ed", "EdDSA", `{"kty":"OKP","use":"sig","kid":"ed","alg":"EdDSA","crv":"Ed25519","x":"`},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			k := mustLoad(t, tt.file, Options{})
			out, err := PublicJWK(k.Signer, tt.kid, tt.alg) // given the private key on purpose
			if err != nil {
				t.Fatal(err)
			}
			if !strings.HasPrefix(string(out), tt.want) {
				t.Errorf("PublicJWK = %s, want prefix %s", out, tt.want)
			}
			var members map[string]any
			if err := json.Unmarshal(out, &members); err != nil {
				t.Fatal(err)
			}
			for _, m := range privateMembers {
				if _, ok := members[m]; ok {
					t.Errorf("PublicJWK wrote private member %q", m)
				}
			}
			// go-jose reads it back as the same public key.
			var jwk jose.JSONWebKey
			if err := jwk.UnmarshalJSON(out); err != nil {
				t.Fatal(err)
			}
			if !jwk.IsPublic() || !sameKey(k.Public(), jwk.Key) || jwk.KeyID != tt.kid {
				t.Error("JWK does not read back as the same public key")
			}
			// Stable: the same input gives the same bytes.
			again, _ := PublicJWK(k.Public(), tt.kid, tt.alg)
			if string(again) != string(out) {
				t.Error("PublicJWK is not stable")
			}
		})
	}
	k := mustLoad(t, "rsa2048.pkcs8.pem", Options{})
	if _, err := PublicJWK(k.Public(), "x", "ES256"); !errors.Is(err, ErrAlgMismatch) {
		t.Errorf("PublicJWK with a wrong alg = %v", err)
	}
	if _, err := PublicJWK("not a key", "", ""); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("PublicJWK(string) = %v", err)
	}
}

func TestPublicJWKWithCertificates(t *testing.T) {
	k := mustLoad(t, "rsa2048.key-and-chain.pem", Options{})
	out, err := PublicJWKWithCertificates(k.Public(), "rsa-1", "RS256", k.Certificates)
	if err != nil {
		t.Fatal(err)
	}
	var jwk jose.JSONWebKey
	if err := jwk.UnmarshalJSON(out); err != nil { // go-jose checks x5c and x5t#S256 against the key
		t.Fatal(err)
	}
	if len(jwk.Certificates) != 2 {
		t.Errorf("x5c has %d certificates", len(jwk.Certificates))
	}
	other := mustLoad(t, "ec-p256.pkcs8.pem", Options{})
	if _, err := PublicJWKWithCertificates(other.Public(), "", "", k.Certificates); !errors.Is(err, ErrCertificateMismatch) {
		t.Errorf("certificate of another key: %v", err)
	}
}

func TestJWKS(t *testing.T) {
	a, _ := PublicJWK(mustLoad(t, "rsa2048.pkcs8.pem", Options{}).Public(), "rsa-1", "RS256")
	b, _ := PublicJWK(mustLoad(t, "ed25519.pkcs8.pem", Options{}).Public(), "ed-1", "EdDSA")
	set, err := JWKS(a, []byte("{\n  "+string(b[1:])))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"keys":[` + string(a) + `,` + string(b) + `]}`
	if string(set) != want {
		t.Errorf("JWKS =\n%s\nwant\n%s", set, want)
	}
	var parsed jose.JSONWebKeySet
	if err := json.Unmarshal(set, &parsed); err != nil || len(parsed.Keys) != 2 || parsed.Keys[1].KeyID != "ed-1" {
		t.Errorf("go-jose reads %d keys: %v", len(parsed.Keys), err)
	}
	if empty, _ := JWKS(); string(empty) != `{"keys":[]}` {
		t.Errorf("JWKS() = %s", empty)
	}
	if _, err := JWKS(a, a); !errors.Is(err, ErrInvalidArgument) || !strings.Contains(err.Error(), `kid "rsa-1"`) {
		t.Errorf("duplicate kid: %v", err)
	}
	private := readFixture(t, "ec-p256.jwk.json")
	if _, err := JWKS(private); err == nil || !strings.Contains(err.Error(), `private member "d"`) {
		t.Errorf("private JWK: %v", err)
	}
	if _, err := JWKS([]byte(`[1]`)); !errors.Is(err, ErrInvalidArgument) {
		t.Errorf("not an object: %v", err)
	}
}
