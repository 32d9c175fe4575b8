package collection

import (
	"strings"
	"testing"

	"github.com/postmint/postmint/generator/config"
	"github.com/postmint/postmint/generator/keys"
	"github.com/postmint/postmint/generator/profile"
	"github.com/postmint/postmint/internal/testkeys"
)

func client(t *testing.T, extra string) *config.Client {
	t.Helper()
	def, err := config.Parse([]byte("version: 1\nname: Acme\ntoken_url: https://idp.example.com/token\nclient_id: acme\n"+extra), "acme.yaml")
	if err != nil {
		t.Fatal(err)
	}
	c, err := def.Resolve()
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestKeyNotes: the vault steps name the secret (and the DPoP one for DPoP clients); a key in
// the environment warns of cloud sync; --no-key says nothing.
func TestKeyNotes(t *testing.T) {
	m := profile.Material{Key: &keys.Key{Signer: testkeys.ForAlg("ES256"), Source: "k.pem", Format: keys.FormatPKCS8PEM}}
	for _, tc := range []struct {
		name  string
		extra string
		opt   Options
		want  []string
	}{
		{"vault", "", Options{Vault: true}, []string{"as the secret acme-private-key", "{{vault:acme-private-key}}"}},
		{"vault dpop", "dpop: true\n", Options{Vault: true}, []string{"acme-private-key", "in your vault as acme-dpop-key"}},
		{"file", "", Options{}, []string{"out/env.json holds the private key", "--vault"}},
		{"no key", "", Options{NoKey: true}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := Generate(client(t, tc.extra), m, tc.opt)
			if err != nil {
				t.Fatal(err)
			}
			got := strings.Join(res.KeyNotes("out/env.json", "k.pem"), "\n")
			if tc.want == nil && got != "" {
				t.Errorf("notes = %q, want none", got)
			}
			for _, w := range tc.want {
				if !strings.Contains(got, w) {
					t.Errorf("notes = %q, want %q in them", got, w)
				}
			}
		})
	}
}
