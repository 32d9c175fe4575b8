package kit

import (
	"bytes"
	"crypto/x509"
	"encoding/pem"
	"fmt"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/postmint/postmint/generator/keysource"
)

// renderDefinition writes the definition a kit was made from. ch is what Build chose from the
// public key (kid, and alg when addAlg); hasCert says the kit holds the certificate.
func renderDefinition(j *Job, ch keysource.Choice, addAlg, hasCert bool) ([]byte, error) {
	d := j.Def
	// The kit's copy of the definition: no key: (the partner passes their own private key with
	// -k), its certificate: is the copy in the kit, and a local openapi: document is left out
	// (the collection already holds its requests). config.Definition writes only what is set.
	out := *d
	out.Version, out.Kid, out.Key, out.Certificate = 1, ch.Kid, "", ""
	if addAlg {
		out.Alg = ch.Alg
	}
	if hasCert {
		out.Certificate = CertificateFile
	}
	out.Requests = nil
	for _, r := range d.Requests {
		r.Method = strings.ToUpper(r.Method)
		out.Requests = append(out.Requests, r)
	}
	remote := strings.HasPrefix(d.OpenAPI, "http://") || strings.HasPrefix(d.OpenAPI, "https://")
	if !remote {
		out.OpenAPI = ""
	}

	var b bytes.Buffer
	from := filepath.Base(j.File)
	if j.Entry >= 0 {
		from += fmt.Sprintf(" (clients[%d])", j.Entry)
	}
	fmt.Fprintf(&b, "# postmint client definition of %s, from which `postmint kit` made this kit (source: %s).\n", oneLine(d.Name), from)
	b.WriteString("# It holds no key: give postmint your private key with -k, e.g.\n")
	b.WriteString("#   postmint token -c " + DefinitionFile + " -k client.key.pem      # fetch a token, explain any error\n")
	b.WriteString("#   postmint generate -c " + DefinitionFile + " -k client.key.pem   # a collection and environment holding your key\n")
	if d.OpenAPI != "" && !remote {
		fmt.Fprintf(&b, "# The API folder of this kit's collection was made from the OpenAPI document %s (not included).\n", filepath.Base(d.OpenAPI))
	}
	enc := yaml.NewEncoder(&b)
	enc.SetIndent(2)
	if err := enc.Encode(out); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

func encodeCertificates(certs []*x509.Certificate) []byte {
	var b bytes.Buffer
	for _, c := range certs {
		_ = pem.Encode(&b, &pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
	}
	return b.Bytes()
}
