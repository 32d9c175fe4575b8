package verify

import (
	"crypto/ecdsa"
	"crypto/rsa"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/postmint/postmint/generator/config"
	"github.com/postmint/postmint/generator/keysource"
)

// TestDefinitionKeys: the definition's certificate first, else the private key in keysource's
// order ($POSTMINT_PRIVATE_KEY before key:), else ErrNoKey.
func TestDefinitionKeys(t *testing.T) {
	dir := filepath.Join("..", "..", "testdata", "keys")
	ec, err := os.ReadFile(filepath.Join(dir, "ec-p256.pkcs8.pem"))
	if err != nil {
		t.Fatal(err)
	}
	c := &config.Client{File: "client.yaml", KeyPath: filepath.Join(dir, "rsa2048.pkcs8.pem")}

	ks, err := DefinitionKeys(c, nil, keysource.Sources{Value: string(ec)})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := ks[0].Key.(*ecdsa.PublicKey); !ok || ks[0].Source != "POSTMINT_PRIVATE_KEY" {
		t.Errorf("POSTMINT_PRIVATE_KEY beside key:: got %T from %s", ks[0].Key, ks[0].Source)
	}
	ks, err = DefinitionKeys(c, nil, keysource.Sources{})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := ks[0].Key.(*rsa.PublicKey); !ok {
		t.Errorf("key: alone: got %T", ks[0].Key)
	}
	if _, err := DefinitionKeys(&config.Client{File: "client.yaml"}, nil, keysource.Sources{}); !errors.Is(err, ErrNoKey) {
		t.Errorf("no key: got %v, want ErrNoKey", err)
	}
}
