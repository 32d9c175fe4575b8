package openapi

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"

	"github.com/postmint/postmint/internal/boundedread"
)

// maxDocumentBytes bounds the document itself.
const maxDocumentBytes = 256 << 20

// Load reads a document from a file path or an http(s) URL and parses it with Parse, its
// $refs resolved as Options.Location says (Location is set from where the document is read).
func Load(location string, opt Options) (*API, error) {
	client := opt.HTTPClient
	if client == nil {
		client = defaultClient()
	}
	opt.HTTPClient = client
	var data []byte
	if strings.HasPrefix(location, "http://") || strings.HasPrefix(location, "https://") {
		u, err := url.Parse(location)
		if err != nil {
			return nil, fmt.Errorf("%q is not a URL: %w", location, err)
		}
		resp, err := client.Get(location)
		if err != nil {
			return nil, fmt.Errorf("fetching %s: %w", location, err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("fetching %s: HTTP %d", location, resp.StatusCode)
		}
		if data, err = io.ReadAll(io.LimitReader(resp.Body, maxDocumentBytes+1)); err != nil {
			return nil, fmt.Errorf("fetching %s: %w", location, err)
		}
		if len(data) > maxDocumentBytes {
			return nil, fmt.Errorf("fetching %s: far too large (over %d MiB)", location, maxDocumentBytes>>20)
		}
		opt.Location = u
	} else {
		var err error
		if data, err = boundedread.ReadFile(location, maxDocumentBytes); err != nil {
			var pe *os.PathError
			if errors.As(err, &pe) {
				err = pe.Err
			}
			return nil, fmt.Errorf("reading %s: %w", location, err)
		}
		abs, err := filepath.Abs(location)
		if err != nil {
			return nil, err
		}
		opt.Location = &url.URL{Path: filepath.ToSlash(abs)}
	}
	return Parse(data, location, opt)
}
