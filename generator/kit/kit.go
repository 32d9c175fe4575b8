// Package kit builds onboarding kits: for each client definition, a Postman collection and
// environment without any private key, a README for the partner, the partner's public key as
// a JWK Set when it is known, and the definition the kit was made from. Definitions come from
// definition files or from a clients file (a shared base and one entry per partner).
//
// The package reads definitions, public keys and OpenAPI documents; it writes nothing and
// prints nothing. BuildAll builds many in parallel and hands each Kit to a writer (the command
// layer gives it internal/kitout's).
package kit

import (
	"bytes"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"

	"github.com/postmint/postmint/generator/collection"
	"github.com/postmint/postmint/generator/config"
	"github.com/postmint/postmint/generator/discovery"
	"github.com/postmint/postmint/generator/keys"
	"github.com/postmint/postmint/generator/keysource"
	"github.com/postmint/postmint/generator/openapi"
	"github.com/postmint/postmint/generator/postman"
	"github.com/postmint/postmint/generator/profile"
)

// File names inside a kit (besides the collection and the environment, named by slug).
const (
	ReadmeFile      = "README.md"
	DefinitionFile  = "client.yaml"
	JWKSFile        = "jwks.json"
	CertificateFile = "client.crt.pem"
)

// File is one file of a kit: Data, or Pieces written one after another (a collection whose
// API items are shared with every kit made from the same OpenAPI document: not to be
// modified).
type File struct {
	Name   string
	Data   []byte
	Pieces [][]byte
}

// Bytes is the file's content in one slice.
func (f File) Bytes() []byte {
	if f.Pieces == nil {
		return f.Data
	}
	return bytes.Join(f.Pieces, nil)
}

// WriteTo writes the file's content to w.
func (f File) WriteTo(w io.Writer) (int64, error) {
	if f.Pieces == nil {
		n, err := w.Write(f.Data)
		return int64(n), err
	}
	var total int64
	for _, p := range f.Pieces {
		n, err := w.Write(p)
		total += int64(n)
		if err != nil {
			return total, err
		}
	}
	return total, nil
}

// Kit is everything handed to one partner, in memory, files in a fixed order.
type Kit struct {
	Name, Slug string
	Files      []File
	// Operations is the number of requests made from the OpenAPI document (0 without one).
	Operations int
	Warnings   []string
	// Notes say what postmint chose for the kit where the definition left it open.
	Notes []string
}

// Job is one kit to make: a definition file, or one entry of a clients file.
type Job struct {
	// Label names the entry in messages: the definition file, or "FILE:LINE clients[i] (name)".
	Label string
	File  string
	Entry int // index in a clients file; -1 for a definition file
	Line  int // line of a clients file entry
	Def   *config.Definition
	// Client is the resolved definition; nil when Err is set.
	Client *config.Client
	// Err is why no kit can be made from this entry.
	Err error

	NameLine, ClientIDLine int
	src                    *entrySource // nil for a definition file
}

// Options change how Load reads definitions.
type Options struct {
	// Discover reads an issuer's metadata, for definitions that leave their token (or
	// authorization) endpoint to it, as postmint generate does. Load asks once per issuer.
	// nil leaves such definitions to fail on the missing endpoint.
	Discover func(issuer string) (*discovery.Metadata, error)
}

// Load reads the definition files and the clients files, in that order, into jobs: one per
// definition. A job that cannot be read or resolved carries its error; duplicate slugs, and
// duplicate client ids at the same token endpoint, are errors on every entry involved, each
// naming the other.
func Load(definitionFiles, clientsFiles []string, opt Options) []*Job {
	var jobs []*Job
	for _, path := range definitionFiles {
		j := &Job{Label: path, File: path, Entry: -1}
		jobs = append(jobs, j)
		def, err := config.Load(path)
		if err != nil {
			j.Err = err
			continue
		}
		j.Def, j.NameLine, j.ClientIDLine = def, def.Line("name"), def.Line("client_id")
	}
	for _, path := range clientsFiles {
		jobs = append(jobs, loadClientsFile(path)...)
	}
	type discovered struct {
		meta *discovery.Metadata
		err  error
	}
	metas := map[string]discovered{}
	for _, j := range jobs {
		if j.Err != nil || j.Def == nil {
			continue
		}
		if j.Def.NeedsDiscovery() && opt.Discover != nil {
			d, ok := metas[j.Def.Issuer]
			if !ok {
				d.meta, d.err = opt.Discover(j.Def.Issuer)
				metas[j.Def.Issuer] = d
			}
			if d.err != nil {
				j.Err = j.fieldError("token_url", config.ErrMissingField, fmt.Sprintf("not given, and the issuer's metadata cannot be read: %v; add token_url:", d.err))
				continue
			}
			// The command says once per issuer what was discovered; the notes would repeat it.
			_ = j.Def.ApplyDiscovery(d.meta)
		}
		// A public JWK's kid counts as the definition's (presets that require a kid accept it);
		// an unreadable key: is reported by Build.
		if j.Def.Kid == "" && j.Def.Key != "" {
			if pub, err := loadPublic(config.ResolvePath(j.Def.File, j.Def.Key), ""); err == nil {
				j.Def.Kid = pub.KeyID
			}
		}
		c, err := j.Def.Resolve()
		if err != nil {
			if j.src != nil {
				err = j.src.relocate(err)
			}
			j.Err = err
			continue
		}
		j.Client = c
	}
	markDuplicates(jobs)
	return jobs
}

// field names a top-level field of the job's definition for errors: its name in the
// clients file and its line.
func (j *Job) field(name string) (string, int) {
	if j.src != nil {
		return j.src.where(name)
	}
	if j.Def != nil {
		return name, j.Def.Line(name)
	}
	return name, 0
}

func (j *Job) fieldError(name string, kind error, msg string) error {
	f, line := j.field(name)
	return &config.FieldError{File: j.File, Line: line, Field: f, Err: kind, Msg: msg}
}

func markDuplicates(jobs []*Job) {
	bySlug := map[string]*Job{}
	byClient := map[string]*Job{}
	fail := func(j *Job, field, msg string) {
		if j.Err == nil {
			j.Err = j.fieldError(field, ErrDuplicate, msg)
		}
	}
	for _, j := range jobs {
		if j.Client == nil {
			continue
		}
		c := j.Client
		if other, ok := bySlug[c.Slug]; ok {
			fail(other, "name", fmt.Sprintf("makes the kit %q, and so does %s: names must differ in their letters or digits", c.Slug, j.Label))
			fail(j, "name", fmt.Sprintf("makes the kit %q, and so does %s: names must differ in their letters or digits", c.Slug, other.Label))
		} else {
			bySlug[c.Slug] = j
		}
		key := c.TokenURL + "\x00" + c.ClientID
		if other, ok := byClient[key]; ok {
			fail(other, "client_id", fmt.Sprintf("%q at %s is also the client id of %s: each partner needs its own client", c.ClientID, c.TokenURL, j.Label))
			fail(j, "client_id", fmt.Sprintf("%q at %s is also the client id of %s: each partner needs its own client", c.ClientID, c.TokenURL, other.Label))
		} else {
			byClient[key] = j
		}
	}
}

// Builder makes kits. It is safe for concurrent use: each OpenAPI document is read and parsed
// once, however many kits name it.
type Builder struct {
	// HTTPClient fetches OpenAPI documents given by URL; nil uses one with a 30 s timeout.
	HTTPClient *http.Client
	// AllowURLRefs lets an OpenAPI document read from a file $ref http(s) URLs.
	AllowURLRefs bool

	mu   sync.Mutex
	docs map[string]*openAPIDoc
}

type openAPIDoc struct {
	once     sync.Once
	api      *openapi.API
	prepared *postman.PreparedItems // the document's requests, rendered once for every kit
	err      error
}

// Build makes the kit of a job that Load resolved: the partner's public material, the
// collection and environment from the generator, then the README and the other files.
func (b *Builder) Build(j *Job) (*Kit, error) {
	if j.Err != nil {
		return nil, j.Err
	}
	if j.Client == nil {
		return nil, fmt.Errorf("%s: not resolved", j.Label)
	}
	c := j.Client
	pub, certs, ch, err := partnerKey(j, c)
	if err != nil {
		return nil, err
	}
	jwks, err := renderJWKS(j, ch, pub, certs)
	if err != nil {
		return nil, err
	}
	res, api, err := b.generate(j, c, profile.Material{Certificates: certs, KeyAlg: ch.Alg, KeyID: ch.Kid})
	if err != nil {
		return nil, err
	}
	k, err := assemble(j, c, ch, pub, certs, jwks, res, api)
	if err == nil && ch.Defaulted {
		k.Notes = append(k.Notes, profile.DefaultAlgNote)
	}
	return k, err
}

// partnerKey reads the partner's public key (key:) and certificate (certificate:, or key:
// when that is one), checks that they belong together, and chooses the kid and alg the
// definition leaves to them (keysource.PublicChoice; c is not changed). A kit needs a
// certificate when the JWT carries one.
func partnerKey(j *Job, c *config.Client) (*keys.Public, []*x509.Certificate, keysource.Choice, error) {
	var pub *keys.Public
	var none keysource.Choice
	if c.KeyPath != "" {
		var err error
		if pub, err = loadPublic(c.KeyPath, c.Kid); err != nil {
			kind := ErrPublicKey
			if errors.Is(err, ErrPrivateKey) {
				kind = ErrPrivateKey
			}
			return nil, nil, none, j.fieldError("key", kind, strings.TrimPrefix(strings.TrimPrefix(err.Error(), ErrPrivateKey.Error()+": "), ErrPublicKey.Error()+": "))
		}
	}
	var certs []*x509.Certificate
	if c.CertPath != "" {
		cs, err := keys.LoadCertificates(c.CertPath)
		if err != nil {
			return nil, nil, none, j.fieldError("certificate", config.ErrBadValue, err.Error())
		}
		certs = cs
		if pub == nil {
			pub = &keys.Public{Key: cs[0].PublicKey}
		} else if err := keys.MatchCertificate(pub.Key, cs[0]); err != nil {
			return nil, nil, none, j.fieldError("certificate", config.ErrBadValue, fmt.Sprintf("does not belong to the public key in key: (%v)", err))
		}
	} else if pub != nil {
		certs = pub.Certificates
	}
	if pub != nil && c.Kid != "" && pub.KeyID != "" && pub.KeyID != c.Kid {
		return nil, nil, none, j.fieldError("kid", config.ErrBadValue, fmt.Sprintf("is %q, but the JWK in key: has kid %q; make them agree", c.Kid, pub.KeyID))
	}
	if which := c.CertificateHeader(); which != "" && len(certs) == 0 {
		return nil, nil, none, j.fieldError("headers", config.ErrMissingField, fmt.Sprintf("%s needs the partner's certificate: add certificate: (or key: pointing at the certificate)", which))
	}
	return pub, certs, keysource.PublicChoice(c, pub), nil
}

// renderJWKS is jwks.json: the JWK Set the provider registered, or nil without a public key.
func renderJWKS(j *Job, ch keysource.Choice, pub *keys.Public, certs []*x509.Certificate) ([]byte, error) {
	if pub == nil {
		return nil, nil
	}
	jwk, err := keys.PublicJWKWithCertificates(pub.Key, ch.Kid, ch.Alg, certs)
	if err != nil {
		return nil, j.fieldError("key", ErrPublicKey, err.Error())
	}
	set, err := keys.JWKS(jwk)
	if err != nil {
		return nil, j.fieldError("key", ErrPublicKey, err.Error())
	}
	var pretty bytes.Buffer
	if err := json.Indent(&pretty, set, "", "  "); err != nil {
		return nil, fmt.Errorf("%s: rendering jwks.json: %w", j.Label, err)
	}
	pretty.WriteByte('\n')
	return pretty.Bytes(), nil
}

// generate makes the collection and environment without a key, with the API items of the
// definition's OpenAPI document (read and rendered once for every kit that names it).
func (b *Builder) generate(j *Job, c *config.Client, m profile.Material) (*collection.Result, *openapi.API, error) {
	opt := collection.Options{NoKey: true}
	var api *openapi.API
	if c.OpenAPI != "" {
		doc := b.openAPI(c.OpenAPI)
		if doc.err != nil {
			return nil, nil, j.fieldError("openapi", ErrOpenAPI, doc.err.Error())
		}
		api = doc.api
		opt.API, opt.Prepared = api, doc.prepared
		opt.APINote = fmt.Sprintf("\nAPI: %d operations of %s from its OpenAPI %s description, against {{baseUrl}} (%s).\n",
			len(api.Requests), orUntitled(api.Title, api.APIVersion), api.SpecVersion, api.BaseURL)
	}
	res, err := collection.Generate(c, m, opt)
	if err != nil {
		return nil, nil, fmt.Errorf("%s: %w", j.Label, err)
	}
	return res, api, nil
}

// assemble renders the README and client.yaml and puts the kit's files in their fixed order.
func assemble(j *Job, c *config.Client, ch keysource.Choice, pub *keys.Public, certs []*x509.Certificate, jwks []byte, res *collection.Result, api *openapi.API) (*Kit, error) {
	kit := &Kit{Name: c.Name, Slug: c.Slug, Warnings: res.Warnings}
	if api != nil {
		kit.Operations = len(api.Requests)
		kit.Warnings = append(kit.Warnings, api.Warnings...)
	}
	collection := File{Name: res.Collection.Name, Data: res.Collection.Data, Pieces: res.Collection.Pieces}
	environment := File{Name: res.Environment.Name, Data: res.Environment.Bytes()}

	// The certificate (from certificate:, or from key: when that is one) goes into the kit, so
	// that its definition works for x5c and x5t with the partner's key alone.
	def, err := renderDefinition(j, ch, j.Def.Alg == "" && (pub != nil || ch.Defaulted), len(certs) > 0)
	if err != nil {
		return nil, fmt.Errorf("%s: rendering %s: %w", j.Label, DefinitionFile, err)
	}
	var certPEM []byte
	if len(certs) > 0 {
		certPEM = encodeCertificates(certs)
	}
	readme, err := renderReadme(readmeInput{
		job: j, client: c, profile: res.Profile, pub: pub, certs: certs,
		collection: collection.Name, environment: environment.Name, api: api,
		hasJWKS: jwks != nil, hasCertFile: certPEM != nil,
	})
	if err != nil {
		return nil, fmt.Errorf("%s: rendering %s: %w", j.Label, ReadmeFile, err)
	}
	kit.Files = append(kit.Files, File{Name: ReadmeFile, Data: readme}, collection, environment, File{Name: DefinitionFile, Data: def})
	if jwks != nil {
		kit.Files = append(kit.Files, File{Name: JWKSFile, Data: jwks})
	}
	if certPEM != nil {
		kit.Files = append(kit.Files, File{Name: CertificateFile, Data: certPEM})
	}
	return kit, nil
}

func orUntitled(title, version string) string {
	if title == "" {
		title = "the API"
	}
	if version != "" {
		return title + " " + version
	}
	return title
}

// openAPI reads, parses and renders a document once per location, for every kit that names it.
func (b *Builder) openAPI(location string) *openAPIDoc {
	b.mu.Lock()
	if b.docs == nil {
		b.docs = map[string]*openAPIDoc{}
	}
	d, ok := b.docs[location]
	if !ok {
		d = &openAPIDoc{}
		b.docs[location] = d
	}
	b.mu.Unlock()
	d.once.Do(func() {
		if d.api, d.err = b.readOpenAPI(location); d.err == nil {
			d.prepared, d.err = postman.PrepareItems(d.api.Folders, d.api.Requests)
		}
	})
	return d
}

func (b *Builder) readOpenAPI(location string) (*openapi.API, error) {
	return openapi.Load(location, openapi.Options{HTTPClient: b.HTTPClient, AllowURLRefs: b.AllowURLRefs})
}
