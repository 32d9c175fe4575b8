package main

import (
	"cmp"
	"fmt"

	"github.com/urfave/cli/v2"

	"github.com/postmint/postmint/generator/config"
	"github.com/postmint/postmint/generator/keys"
	"github.com/postmint/postmint/generator/profile"
	"github.com/postmint/postmint/internal/safefile"
)

// generateMaterial is the key material generate works with. Without --no-key it is the private
// key (material). With --no-key (or --vault) the private key is never written, so it is not needed: -k may
// name a public key, certificate or public JWK instead, which chooses alg, kid and the x5c
// chain; with no key at all, profile.ChooseAlg's rule applies (the default said on stderr).
func generateMaterial(c *cli.Context, client *config.Client) (profile.Material, error) {
	m, err := material(c, client)
	if !c.Bool("no-key") && !c.Bool("vault") {
		return m, err
	}
	if err != nil {
		path := c.String("key")
		if path == "" {
			return m, err
		}
		pub, perr := readPublic(path)
		if perr != nil {
			return m, err // not public material either: the private key's error says more
		}
		return publicMaterial(client, pub, path)
	}
	if m.Key == nil {
		var defaulted bool
		if client.Alg, defaulted = profile.ChooseAlg(client, ""); defaulted {
			notef(c, "%s", profile.DefaultAlgNote)
		}
	}
	return m, nil
}

// readPublic reads a public key, certificate or public JWK through the one bounded reader.
func readPublic(path string) (*keys.Public, error) {
	data, err := safefile.Read("-k", path, safefile.MaxPublic)
	if err != nil {
		return nil, err
	}
	return keys.ParsePublic(data, path, keys.PublicOptions{})
}

// publicMaterial fills alg and kid (where the definition leaves them out) from a public key,
// and takes the certificate chain from the definition's certificate: or else the public file.
func publicMaterial(client *config.Client, pub *keys.Public, path string) (profile.Material, error) {
	m := profile.Material{Now: timeNow()}
	certs := pub.Certificates
	if client.CertPath != "" {
		var err error
		if certs, err = keys.LoadCertificates(client.CertPath); err != nil {
			return m, err
		}
	}
	if len(certs) > 0 {
		if err := keys.MatchCertificate(pub.Key, certs[0]); err != nil {
			return m, fmt.Errorf("%s: certificate: does not belong to the public key in %s: %w", client.File, path, err)
		}
	}
	m.Certificates = certs
	if client.Kid == "" {
		client.Kid = pub.KeyID
	}
	var defaulted bool
	if client.Alg, defaulted = profile.ChooseAlg(client, cmp.Or(pub.Alg, keys.DefaultAlgFor(pub.Key))); defaulted {
		return m, fmt.Errorf("%s: alg: the key in %s is of a type postmint cannot sign with", client.File, path)
	}
	return m, nil
}
