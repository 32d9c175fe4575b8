package token

import (
	"bytes"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/postmint/postmint/generator/oauth"
)

// Lengths kept of server-supplied text.
const (
	maxFirstLine   = 120
	maxDescription = 300
	maxShort       = 120
)

// secretFields are form parameters whose values never appear in an error.
var secretFields = []string{
	"client_assertion", "assertion", "client_secret", "refresh_token", "code", "code_verifier",
	"password", "subject_token", "actor_token",
}

// jwtLike matches a compact JWS or JWE, so a token the server echoes is scrubbed even when it
// is not one the form sent.
var jwtLike = regexp.MustCompile(`eyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}(\.[A-Za-z0-9_-]*)*`)

var titleRE = regexp.MustCompile(`(?is)<title[^>]*>(.*?)</title>`)

// interpret turns one HTTP answer into a result or an error.
func interpret(resp *http.Response, body []byte, local time.Time, secrets []string) attempt {
	status := resp.StatusCode
	serverDate, _ := http.ParseTime(resp.Header.Get("Date"))
	a := attempt{after: -1}
	if retryableStatus(status) {
		a.retry = true
		a.after = retryAfter(resp.Header.Get("Retry-After"), serverDate, local)
	}
	success := status >= 200 && status < 300
	if len(body) > maxBody {
		if success {
			a.err = fmt.Errorf("%w (HTTP %d, over %d bytes)", ErrTooLarge, status, maxBody)
			return a
		}
		body = body[:maxBody]
	}
	obj, isObject := jsonObject(body)

	if success && isObject {
		if err := checkTokens(obj); err != nil {
			a.err = err
			return a
		}
		if tok := stringMember(obj, "access_token"); tok != "" {
			a.res = tokenResponse(obj, body, status, local)
			return a
		}
	}
	if isObject {
		if code := stringMember(obj, "error"); code != "" {
			a.err = &OAuthError{
				Status:      status,
				Code:        scrub(code, secrets, maxShort),
				Description: scrub(stringMember(obj, "error_description"), secrets, maxDescription),
				URI:         scrub(stringMember(obj, "error_uri"), secrets, maxShort),
				ServerDate:  serverDate,
				LocalTime:   local,
			}
			return a
		}
		if success {
			a.err = fmt.Errorf("%w (HTTP %d; members: %s)", ErrNoAccessToken, status, memberNames(obj, secrets))
			return a
		}
	}
	he := httpError(resp, body, serverDate, local, secrets)
	if success {
		a.err = fmt.Errorf("%w: %w", ErrInvalidJSON, he)
		return a
	}
	a.err = he
	return a
}

func tokenResponse(obj map[string]json.RawMessage, body []byte, status int, local time.Time) *Response {
	r := &Response{
		AccessToken:  stringMember(obj, "access_token"),
		TokenType:    stringMember(obj, "token_type"),
		ExpiresIn:    intMember(obj, "expires_in"),
		Scope:        scopeMember(obj, "scope"),
		RefreshToken: stringMember(obj, "refresh_token"),
		IDToken:      stringMember(obj, "id_token"),
		Raw:          json.RawMessage(bytes.Clone(body)),
		Status:       status,
	}
	if r.ExpiresIn > 0 {
		r.ExpiresAt = local.Add(time.Duration(r.ExpiresIn) * time.Second)
	}
	return r
}

func httpError(resp *http.Response, body []byte, serverDate, local time.Time, secrets []string) *HTTPError {
	ct := resp.Header.Get("Content-Type")
	mediaType, _, _ := mime.ParseMediaType(ct)
	trimmed := bytes.TrimSpace(bytes.TrimPrefix(body, []byte("\xef\xbb\xbf")))
	he := &HTTPError{
		Status:       resp.StatusCode,
		ContentType:  scrub(ct, nil, maxShort),
		HTML:         strings.Contains(mediaType, "html") || bytes.HasPrefix(trimmed, []byte("<")),
		Length:       len(body),
		Location:     scrub(resp.Header.Get("Location"), secrets, maxShort),
		Authenticate: scrub(resp.Header.Get("WWW-Authenticate"), secrets, maxShort),
		ServerDate:   serverDate,
		LocalTime:    local,
	}
	if he.HTML {
		if m := titleRE.FindSubmatch(body); m != nil {
			he.Title = scrub(string(m[1]), secrets, 80)
		}
	}
	// A 2xx body may be a token response in a format we do not read: quote only HTML.
	success := he.Status >= 200 && he.Status < 300
	if !success || he.HTML {
		he.FirstLine = scrub(firstLine(trimmed), secrets, maxFirstLine)
	}
	return he
}

func firstLine(b []byte) string {
	for line := range bytes.Lines(b) {
		if s := strings.TrimSpace(string(line)); s != "" {
			return s
		}
	}
	return ""
}

// retryAfter reads a Retry-After header (RFC 9110 section 10.2.3): delay seconds or an HTTP
// date, the latter measured against the server's own Date when it sent one. -1 when absent.
func retryAfter(h string, serverDate, local time.Time) time.Duration {
	h = strings.TrimSpace(h)
	if h == "" {
		return -1
	}
	if n, err := strconv.ParseInt(h, 10, 64); err == nil {
		if n < 0 {
			return -1
		}
		return time.Duration(min(n, 86400)) * time.Second
	}
	t, err := http.ParseTime(h)
	if err != nil {
		return -1
	}
	ref := serverDate
	if ref.IsZero() {
		ref = local
	}
	return max(t.Sub(ref), 0)
}

func jsonObject(body []byte) (map[string]json.RawMessage, bool) {
	var obj map[string]json.RawMessage
	if err := json.Unmarshal(body, &obj); err != nil || obj == nil {
		return nil, false
	}
	return obj, true
}

func stringMember(obj map[string]json.RawMessage, name string) string {
	var s string
	if json.Unmarshal(obj[name], &s) != nil {
		return ""
	}
	return s
}

// intMember reads expires_in: a number, or a number in a string as some servers send it,
// clamped by oauth.ClampExpiresIn.
func intMember(obj map[string]json.RawMessage, name string) int64 {
	raw := obj[name]
	var s string
	if json.Unmarshal(raw, &s) == nil {
		raw = []byte(s)
	}
	f, err := strconv.ParseFloat(strings.TrimSpace(string(raw)), 64)
	if err != nil {
		return 0
	}
	return oauth.ClampExpiresIn(f)
}

// scopeMember reads a space-separated string, or a list as a few servers send.
func scopeMember(obj map[string]json.RawMessage, name string) string {
	if s := stringMember(obj, name); s != "" {
		return s
	}
	var list []string
	if json.Unmarshal(obj[name], &list) == nil {
		return strings.Join(list, " ")
	}
	return ""
}

func memberNames(obj map[string]json.RawMessage, secrets []string) string {
	if len(obj) == 0 {
		return "none"
	}
	names := make([]string, 0, len(obj))
	for k := range obj {
		names = append(names, scrub(k, secrets, 40))
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}

func secretValues(form url.Values) []string {
	var out []string
	for _, f := range secretFields {
		for _, v := range form[f] {
			// Very short values would garble the text and are not worth hiding.
			if len(v) >= 8 {
				out = append(out, v)
			}
		}
	}
	return out
}

// scrub makes server-supplied text safe to show: secrets and JWT-looking strings redacted,
// control characters and runs of spaces collapsed to one space, trimmed to limit runes.
func scrub(s string, secrets []string, limit int) string {
	for _, v := range secrets {
		s = strings.ReplaceAll(s, v, fmt.Sprintf("[redacted, %d chars]", len(v)))
	}
	s = jwtLike.ReplaceAllStringFunc(s, func(m string) string {
		return fmt.Sprintf("[redacted token, %d chars]", len(m))
	})
	s = strings.Map(func(r rune) rune {
		if r == utf8.RuneError || unicode.IsControl(r) {
			return ' '
		}
		return r
	}, s)
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) > limit {
		s = string([]rune(s)[:limit-1]) + "…"
	}
	return s
}

// checkTokens refuses an access_token, refresh_token or token_type that is present but not a
// string that fits its grammar (oauth.ServerTextRules: the collection script applies the same
// table), so no server text reaches an environment where Postman would expand it. An absent
// or empty access_token is left to the ErrNoAccessToken report. The error never holds the value.
func checkTokens(obj map[string]json.RawMessage) error {
	for _, name := range []string{oauth.FieldAccessToken, oauth.FieldRefreshToken, oauth.FieldTokenType} {
		raw, ok := obj[name]
		if !ok || string(raw) == "null" {
			continue
		}
		var s string
		if json.Unmarshal(raw, &s) != nil {
			return fmt.Errorf("%w: %s is not a string (it is %s)", ErrBadToken, name, jsonKind(raw))
		}
		if s == "" {
			continue
		}
		if err := oauth.CheckServerText(name, s); err != nil {
			return fmt.Errorf("%w: %w", ErrBadToken, err)
		}
	}
	return nil
}

// jsonKind names the JSON type of raw, for messages.
func jsonKind(raw json.RawMessage) string {
	switch t := bytes.TrimSpace(raw); {
	case len(t) == 0:
		return "empty"
	case t[0] == '{':
		return "an object"
	case t[0] == '[':
		return "an array"
	case t[0] == 't' || t[0] == 'f':
		return "a boolean"
	default:
		return "a number"
	}
}
