// Package collection turns a resolved client definition and its key material into the Postman
// collection and environment, in memory; it writes no files, so a failure writes nothing.
package collection

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/google/uuid"

	"github.com/postmint/postmint/generator/config"
	"github.com/postmint/postmint/generator/dpop"
	"github.com/postmint/postmint/generator/oauth"
	"github.com/postmint/postmint/generator/openapi"
	"github.com/postmint/postmint/generator/postman"
	"github.com/postmint/postmint/generator/profile"
)

// Options change what Generate produces.
type Options struct {
	// NoKey leaves privateKey empty (kits for portals that never see the private key).
	NoKey bool
	// Vault writes privateKey (and, for DPoP, dpopKey) as Postman Vault references
	// {{vault:NAME}} (oauth.VaultNames of the slug), never a key: the Postman app reads them
	// from the user's vault. NewDPoPKey is then not used.
	Vault bool
	// API, when set, adds one request per operation of an OpenAPI document to the API folder
	// (sub-folders by tag, against the collection variable baseUrl), after the definition's
	// own requests.
	API *openapi.API
	// Prepared, with API, are API's folders and requests rendered beforehand
	// (postman.PrepareItems of the same folders and requests): placed as they are instead of
	// rendered again, so that the many kits made from one document share that work.
	Prepared *postman.PreparedItems
	// APINote, with API, replaces the line the API adds to the collection's description.
	APINote string
	// NewDPoPKey makes a DPoP key (crypto/rand) and writes its private JWK into dpopKey when
	// the client uses DPoP and Vault is not set; --no-key too, as the DPoP key is not the
	// client's key. Kits leave dpopKey empty: the holder's first request makes one.
	NewDPoPKey bool
}

// keyIn is where the environment keeps the private key: "vault", "none" or "file".
func (o Options) keyIn() string {
	switch {
	case o.Vault:
		return "vault"
	case o.NoKey:
		return "none"
	}
	return "file"
}

// Artifact is one output file.
type Artifact struct {
	Name string // file name, e.g. acme.postman_collection.json
	Data []byte
	// Pieces, when set instead of Data, are the file's content in pieces to be written one
	// after another: a collection made with Options.Prepared, whose middle piece is shared
	// with every other collection made from the same document (not to be modified).
	Pieces [][]byte
	Secret bool // holds a private key or a token: write with mode 0600
}

// Bytes is the artifact's content in one slice.
func (a Artifact) Bytes() []byte {
	if a.Pieces == nil {
		return a.Data
	}
	return bytes.Join(a.Pieces, nil)
}

// Result is everything Generate made.
type Result struct {
	Artifacts []Artifact // the collection, then the environment
	// Collection and Environment are the two artifacts by name of what they are.
	Collection, Environment Artifact
	Profile                 *oauth.Profile
	Warnings                []string
	// keyIn is where the environment keeps the private key: "vault", "none" or "file".
	keyIn, slug string
}

// KeyNotes say where the private key went, for the command to show: with a vault reference,
// the one-time steps in the Postman app (keyFile names the key's file, or how to find it);
// with the key in the environment at envPath, that Postman syncs a shared environment's
// values to its cloud, and what to use instead; nothing with no key.
func (r *Result) KeyNotes(envPath, keyFile string) []string {
	switch r.keyIn {
	case "vault":
		priv, dp := oauth.VaultNames(r.slug)
		notes := []string{fmt.Sprintf("Postman Vault: add your private key (the PEM or JWK text of %s) as the secret %s, and turn on \"Enable support in scripts\" in the vault's settings; %s holds only the reference {{vault:%s}}", keyFile, priv, envPath, priv)}
		if r.Profile.DPoP() {
			notes = append(notes, fmt.Sprintf("Postman Vault: the collection makes the DPoP key on first use and keeps it in your vault as %s", dp))
		}
		return notes
	case "file":
		return []string{fmt.Sprintf("%s holds the private key: fine for Newman and the Postman CLI; in the Postman app, a shared environment's values sync to Postman's cloud, so generate with --vault there (docs/security.md)", envPath)}
	}
	return nil
}

// Generate builds the collection and environment of a client.
func Generate(c *config.Client, m profile.Material, opt Options) (*Result, error) {
	p, warnings, err := profile.Build(c, m)
	if err != nil {
		return nil, err
	}
	keyPEM, dpopKey := "", ""
	if opt.NewDPoPKey && p.DPoP() && !opt.Vault {
		k, err := dpop.NewKey(p.DPoPAlg)
		if err != nil {
			return nil, err
		}
		if dpopKey, err = k.JWK(); err != nil {
			return nil, err
		}
	}
	if opt.Vault {
		privName, dpopName := oauth.VaultNames(c.Slug)
		keyPEM, dpopKey = oauth.VaultReference(privName), ""
		if p.DPoP() {
			dpopKey = oauth.VaultReference(dpopName)
		}
	} else if !opt.NoKey {
		if m.Key == nil {
			return nil, fmt.Errorf("%s: key: no private key given; pass -k KEY, set POSTMINT_PRIVATE_KEY or `key:` in the definition (or use --no-key)", c.File)
		}
		if keyPEM, err = m.Key.PKCS8PEM(); err != nil {
			return nil, fmt.Errorf("normalizing the private key: %w", err)
		}
	}
	in := postman.CollectionInput{
		Name:        c.Name,
		Description: Describe(c, p),
		Profile:     p,
		Requests:    apiRequests(c.Requests),
	}
	if api := opt.API; api != nil {
		if opt.Prepared != nil {
			in.Prepared = opt.Prepared
		} else {
			in.Requests = append(in.Requests, api.Requests...)
		}
		in.Folders, in.Variables = api.Folders, api.Variables
		note := opt.APINote
		if note == "" {
			note = fmt.Sprintf("\nAPI: %d operations from the OpenAPI %s description %q, against {{baseUrl}} (%s).\n",
				len(api.Requests), api.SpecVersion, api.Title, api.BaseURL)
		}
		in.Description += note
	}
	coll, err := postman.BuildCollectionPieces(in)
	if err != nil {
		return nil, err
	}
	collection := Artifact{Name: c.Slug + ".postman_collection.json", Pieces: coll}
	if len(coll) == 1 {
		collection = Artifact{Name: collection.Name, Data: coll[0]}
	}
	env := postman.NewEnvironment(stableID(c.Slug), c.Name, postman.ProfileVariables(p, oauth.Secrets{PrivateKey: keyPEM, DPoPKey: dpopKey}))
	envData, err := env.Marshal()
	if err != nil {
		return nil, fmt.Errorf("rendering the environment: %w", err)
	}
	environment := Artifact{Name: c.Slug + ".postman_environment.json", Data: envData, Secret: !opt.Vault && (keyPEM != "" || dpopKey != "")}
	return &Result{
		Artifacts:   []Artifact{collection, environment},
		Collection:  collection,
		Environment: environment,
		Profile:     p,
		Warnings:    append(c.Warnings, warnings...),
		keyIn:       opt.keyIn(),
		slug:        c.Slug,
	}, nil
}

// stableID is a name-based UUID so that two runs write byte-identical environments.
func stableID(slug string) string {
	return uuid.NewSHA1(uuid.NameSpaceURL, []byte("https://github.com/postmint/postmint/environments/"+slug)).String()
}

func apiRequests(rs []config.Request) []postman.APIRequest {
	out := make([]postman.APIRequest, 0, len(rs))
	for _, r := range rs {
		out = append(out, postman.APIRequest{Name: r.Name, Method: r.Method, URL: r.URL, Headers: r.Headers, Body: r.Body})
	}
	return out
}

// Describe is the collection's Markdown description: what it does and the provider's rules.
func Describe(c *config.Client, p *oauth.Profile) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Generated by postmint for client `%s`.\n\n", c.ClientID)
	b.WriteString("## Use it\n\n")
	b.WriteString("1. Select the environment that came with this collection and put your private key (PEM or JWK) into its `privateKey` secret (or run `postmint refresh -e <environment>`).\n")
	b.WriteString("2. Send **Auth / Get token**, or just send any request in **API**: the collection signs a fresh client assertion and fetches a bearer token whenever the current one is missing or expires within 30 seconds.\n\n")
	b.WriteString("## What the scripts do\n\n")
	b.WriteString("- The collection's pre-request script carries postmint's signer (no library is downloaded or `eval`'d). It builds every token request from the environment's variables, each described in the environment: change a rule there, or regenerate with `postmint generate`.\n")
	b.WriteString("- A token that cannot be had fails a test named `postmint: no token: <cause>` (or `token endpoint returned a token: <cause>`), and an API answer 401/403 fails `API accepted the token`: Newman and the Postman CLI then exit non-zero.\n\n")
	b.WriteString("## In CI\n\n`postmint refresh -e <environment>` (key from the `POSTMINT_PRIVATE_KEY` secret) writes a fresh `bearerToken`; then `newman run <collection> -e <environment> --folder API`. The environment needs no private key.\n\n")
	b.WriteString("## Rotate the key\n\n`postmint keygen --alg " + p.Alg + " --name new -o keys` makes a new pair (with a new kid); register its public part with the provider, then put the new private key into `privateKey` (and its kid into `kid`). Remove the old public key at the provider once nothing uses it.\n\n")
	fmt.Fprintf(&b, "Rules (%s): %s\n\n", c.Preset.Title, c.Preset.Provenance)
	fmt.Fprintf(&b, "- token endpoint: %s\n- grant: %s\n- aud: %s (%s)\n- alg: %s, lifetime: %d s\n",
		p.TokenURL, c.GrantType, p.Audience, c.AudienceRule, p.Alg, int(p.Lifetime.Seconds()))
	return b.String()
}
