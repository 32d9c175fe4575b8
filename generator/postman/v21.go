package postman

import (
	"github.com/go-json-experiment/json"
	"github.com/go-json-experiment/json/jsontext"
	jsonv1 "github.com/go-json-experiment/json/v1"
	pmc "github.com/rbretecher/go-postman-collection"
)

// A Postman collection, format v2.1.0 (testdata/schema/collection-v2.1.0.json), as postmint's
// own small types: only the fields postmint writes, in the order the Postman app exports them.
// Query parameters, headers and form fields can be disabled: an optional parameter is a
// disabled entry that the partner ticks. encode writes them, once, as Postman does.

type collectionJSON struct {
	Auth     *authJSON      `json:"auth,omitempty"`
	Info     infoJSON       `json:"info"`
	Item     []*itemJSON    `json:"item"`
	Event    []eventJSON    `json:"event,omitempty"`
	Variable []variableJSON `json:"variable,omitempty"`
}

type infoJSON struct {
	Name        string          `json:"name"`
	Description descriptionJSON `json:"description"`
	Schema      string          `json:"schema"`
}

type descriptionJSON struct {
	Content string `json:"content"`
	Type    string `json:"type"`
}

// schemaV210 is the schema URL a v2.1.0 collection names in info.schema.
const schemaV210 = "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"

// itemJSON is a folder (Item not nil, possibly empty: a folder without item is a request to
// the schema) or a request (Request set).
type itemJSON struct {
	Name                    string          `json:"name"`
	Description             string          `json:"description,omitempty"`
	Event                   []eventJSON     `json:"event,omitempty"`
	ProtocolProfileBehavior map[string]bool `json:"protocolProfileBehavior,omitempty"`
	Item                    []*itemJSON     `json:"item,omitzero"`
	Request                 *requestJSON    `json:"request,omitempty"`
}

// eventJSON is an event (a script and when it runs) as go-postman-collection models it, and
// variableJSON a collection variable: the parts of v2.1.0 its types write exactly as Postman
// exports them (its request, URL and body types cannot say "disabled" for a query parameter
// or a form field, nor a file body, so those are postmint's own, below).
type (
	eventJSON    = pmc.Event
	variableJSON = pmc.Variable
)

// script is the event that runs src (minified JavaScript) on listen ("prerequest" or "test").
// Its exec holds the script as ONE element (a string holding every line), not one element per
// line: Newman and the Postman CLI hand every element of a script to their sandbox separately
// on every request, which costs about 4 µs per element (bench/valid-token.sh). The source the
// sandbox runs is the same: it joins the elements with "\n".
//
// Every script begins with sandbox2Marker.
func script(listen pmc.ListenType, src string) eventJSON {
	return eventJSON{Listen: listen, Script: &pmc.Script{Type: "text/javascript", Exec: []string{sandbox2Marker + src}}}
}

// sandbox2Marker, as a script's first 15 characters, tells Postman's sandbox (postman-sandbox,
// in Newman, the Postman CLI and the app) not to set up its legacy globals (tests, responseBody,
// responseHeaders, postman.*, built afresh for every script run) for this script: postmint's
// scripts use pm.* alone. It saves about 0.2 to 0.4 ms a test script in Newman
// (bench/valid-token.sh). A runner that does not know the marker sees a string statement.
const sandbox2Marker = `"use sandbox2";`

type authJSON struct {
	Type   string          `json:"type"`
	APIKey []authParamJSON `json:"apikey,omitempty"`
	Bearer []authParamJSON `json:"bearer,omitempty"`
}

type authParamJSON struct {
	Key   string `json:"key"`
	Value string `json:"value"`
	Type  string `json:"type"`
}

type requestJSON struct {
	URL         *urlJSON     `json:"url"`
	Auth        *authJSON    `json:"auth,omitempty"`
	Method      string       `json:"method"`
	Description string       `json:"description,omitempty"`
	Header      []headerJSON `json:"header,omitempty"`
	Body        *bodyJSON    `json:"body,omitempty"`
}

type headerJSON struct {
	Key         string `json:"key"`
	Value       string `json:"value"`
	Disabled    bool   `json:"disabled,omitzero"`
	Description string `json:"description,omitempty"`
}

// urlJSON is a URL in parts. Newman and the Postman CLI send a v2.1.0 request whose url
// object has only "raw" to an empty URL, so the parts are required (parseURL).
type urlJSON struct {
	Raw      string      `json:"raw"`
	Protocol string      `json:"protocol,omitempty"`
	Host     []string    `json:"host,omitempty"`
	Path     []string    `json:"path,omitempty"`
	Port     string      `json:"port,omitempty"`
	Query    []queryJSON `json:"query,omitempty"`
	Hash     string      `json:"hash,omitempty"`
	Variable []varJSON   `json:"variable,omitempty"`
}

type queryJSON struct {
	Key         string `json:"key"`
	Value       string `json:"value"`
	Disabled    bool   `json:"disabled,omitzero"`
	Description string `json:"description,omitempty"`
}

type varJSON struct {
	Key         string `json:"key"`
	Value       string `json:"value"`
	Description string `json:"description,omitempty"`
}

type bodyJSON struct {
	Mode       string           `json:"mode"`
	Raw        string           `json:"raw,omitempty"`
	URLEncoded []formJSON       `json:"urlencoded,omitempty"`
	FormData   []formJSON       `json:"formdata,omitempty"`
	File       *fileJSON        `json:"file,omitempty"`
	Options    *bodyOptionsJSON `json:"options,omitempty"`
}

// fileJSON is a file body whose file the partner chooses in Postman: {"src": null}.
type fileJSON struct {
	Src *string `json:"src"`
}

type bodyOptionsJSON struct {
	Raw rawOptionsJSON `json:"raw"`
}

type rawOptionsJSON struct {
	Language string `json:"language"`
}

// formJSON is a urlencoded or form-data field; a file field has type file and no value.
type formJSON struct {
	Key         string `json:"key"`
	Value       string `json:"value,omitempty"`
	Type        string `json:"type"`
	Disabled    bool   `json:"disabled,omitzero"`
	Description string `json:"description,omitempty"`
}

// Indent is the indentation of a rendered collection: one tab per level, the way the Postman
// app exports collections (JSON.stringify with '\t'), which also keeps a collection of
// hundreds of OpenAPI operations about 45 % smaller than four spaces would.
const Indent = "\t"

// encode is v as Postman writes JSON: tab-indented, every line after the first starting with
// prefix, "&", "<" and ">" as themselves (not \u0026: scripts read as written), and a final
// newline. It is encoding/json/v2 (the go-json-experiment mirror until Go 1.27 has it by
// default): its encoder indents while it writes, where encoding/json's Encoder indents in a
// second pass over the whole output, which cost kits a third more time (the collection script
// alone is 27 KB of every collection).
func encode(v any, prefix string) ([]byte, error) {
	b, err := json.Marshal(v,
		jsontext.Multiline(true), jsontext.WithIndent(Indent), jsontext.WithIndentPrefix(prefix),
		jsontext.EscapeForHTML(false), jsontext.EscapeForJS(true), jsontext.AllowInvalidUTF8(true),
		json.Deterministic(true), json.FormatNilSliceAsNull(true), json.OmitZeroStructFields(false),
		// go-postman-collection's omitempty means what it meant to encoding/json (false
		// omitted too); postmint's own types say omitzero where they mean it.
		jsonv1.OmitEmptyWithLegacySemantics(true))
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}
