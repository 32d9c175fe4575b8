package kit

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// readmeFor builds the kit of one definition and returns its README.
func readmeFor(t *testing.T, def string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "client.yaml")
	if err := os.WriteFile(p, []byte(def), 0o644); err != nil {
		t.Fatal(err)
	}
	kits := buildAll(t, []string{p}, nil)
	return string(files(kits[0])[ReadmeFile])
}

const readmeDef = `version: 1
name: %NAME%
client_id: %ID%
kid: %KID%
alg: ES256
scope: %SCOPE%
token_url: https://idp.example.com/connect/token%Q%
requests:
  - name: %REQ%
    url: https://api.example.com/orders
`

func fill(vals ...string) string {
	return strings.NewReplacer(vals...).Replace(readmeDef)
}

var (
	fenceLine = regexp.MustCompile("(?m)^```")
	// codeSpanRE matches CommonMark code spans with fences of up to four backticks.
	codeSpanRE = regexp.MustCompile("````[^`](?:[^`]|`{1,3}[^`])*?````|```[^`](?:[^`]|`{1,2}[^`]|````+[^`])*?```|``[^`](?:[^`]|`[^`]|```+[^`])*?``|`[^`]*`")
)

// outsideCode is the README without fenced blocks and code spans: what Markdown reads as markup.
func outsideCode(readme string) string {
	var b strings.Builder
	in := false
	for _, l := range strings.Split(readme, "\n") {
		if strings.HasPrefix(l, "```") {
			in = !in
			continue
		}
		if !in {
			b.WriteString(codeSpanRE.ReplaceAllString(l, "CODE") + "\n")
		}
	}
	return b.String()
}

func unescaped(s string, c byte) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] == c && (i == 0 || s[i-1] != '\\') {
			n++
		}
	}
	return n
}

func lines(s, prefix string) []string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, prefix) {
			out = append(out, l)
		}
	}
	return out
}

// TestReadmeValuesAreData: definition values full of Markdown and HTML leave the kit README's
// structure exactly as an ordinary definition's: the same headings, fences, table cells and
// links, no HTML tag outside code, and the values still shown.
func TestReadmeValuesAreData(t *testing.T) {
	plain := readmeFor(t, fill("%NAME%", "Acme Orders (test)", "%ID%", "acme", "%KID%", "k1", "%SCOPE%", "orders.read", "%Q%", "", "%REQ%", "List orders"))
	hostile := readmeFor(t, fill(
		"%NAME%", `"Acme <img src=x onerror=alert(1)> [click](https://evil.example) ![t](https://evil.example/t.png) # H | c ~~s~~ $x$ &lt;b&gt; _e_ *b*"`,
		"%ID%", "\"acme <script>alert(1)</script> | `` ``` [x](y)\"",
		"%KID%", "\"`k1` <b>|</b>\"",
		"%SCOPE%", `"orders.read <i>|</i>"`,
		"%Q%", "?a=|<x>",
		"%REQ%", "\"List `orders` <b>now</b> [x](https://evil.example) | ### H\"",
	))
	if got, want := len(lines(hostile, "#")), len(lines(plain, "#")); got != want {
		t.Errorf("headings: %d, want %d:\n%s", got, want, strings.Join(lines(hostile, "#"), "\n"))
	}
	if got, want := len(fenceLine.FindAllString(hostile, -1)), len(fenceLine.FindAllString(plain, -1)); got != want {
		t.Errorf("fence lines: %d, want %d", got, want)
	}
	ht, pt := lines(hostile, "|"), lines(plain, "|")
	if len(ht) != len(pt) {
		t.Fatalf("table rows: %d, want %d", len(ht), len(pt))
	}
	for i := range ht {
		if unescaped(ht[i], '|') != unescaped(pt[i], '|') {
			t.Errorf("table row %q has %d cells' bars, want %d (as %q)", ht[i], unescaped(ht[i], '|'), unescaped(pt[i], '|'), pt[i])
		}
	}
	ho, po := outsideCode(hostile), outsideCode(plain)
	for _, c := range []byte{'<', '[', ']', '&', '$', '~', '*'} {
		if unescaped(ho, c) != unescaped(po, c) {
			t.Errorf("%q outside code: %d unescaped, want %d", c, unescaped(ho, c), unescaped(po, c))
		}
	}
	for _, shown := range []string{`\<img src=x onerror=alert(1)\>`, "``acme <script>alert(1)</script> \\| `` ``` [x](y)``", "**API / List \\`orders\\` \\<b\\>now\\</b\\>"} {
		if !strings.Contains(hostile, shown) {
			t.Errorf("README lacks %q", shown)
		}
	}
}

func TestEscapers(t *testing.T) {
	for in, want := range map[string]string{
		"private_key_jwt": "private_key_jwt", "_x_": `\_x\_`, "a <b> & [c](d)": `a \<b\> \& \[c\](d)`,
		"- item": `\- item`, "a\nb\u202ec": "a b c", "# h #": `\# h \#`,
	} {
		if got := mdText(in); got != want {
			t.Errorf("mdText(%q) = %q, want %q", in, got, want)
		}
	}
	for in, want := range map[string]string{
		"abc": "`abc`", "a`b": "``a`b``", "``x": "``` ``x ```", "a\nb": "`a b`",
	} {
		if got := codeSpan(in); got != want {
			t.Errorf("codeSpan(%q) = %q, want %q", in, got, want)
		}
	}
	if got := tableCode("a|b"); got != "`a\\|b`" {
		t.Errorf("tableCode = %q", got)
	}
	if got := mermaidText("a;b<c>\nd"); got != "a,b#lt;c#gt; d" {
		t.Errorf("mermaidText = %q", got)
	}
}

// FuzzEscapers: whatever the value, md text has no unescaped markup character and no line
// break; a code span's fence is longer than any backtick run inside it; a table code span has
// no unescaped "|".
func FuzzEscapers(f *testing.F) {
	for _, s := range []string{"<img src=x>", "a``b", "`", "x|y", "[a](b)", "_a_", "\n# h", "\\<", "&amp;"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		md := mdText(s)
		if strings.ContainsAny(md, "\r\n") {
			t.Fatalf("mdText(%q) = %q spans lines", s, md)
		}
		// Every markup character is escaped: after removing escaped pairs none is left.
		bare := regexp.MustCompile(`\\.`).ReplaceAllString(md, "")
		if i := strings.IndexAny(bare, "\\`*[]<>|&~$#!"); i >= 0 {
			t.Fatalf("mdText(%q) = %q leaves %q unescaped", s, md, bare[i])
		}
		code := codeSpan(s)
		if strings.ContainsAny(code, "\r\n") {
			t.Fatalf("codeSpan(%q) spans lines", s)
		}
		n := len(code) - len(strings.TrimLeft(code, "`"))
		fence := strings.Repeat("`", n)
		inner := code[n : len(code)-n]
		if !strings.HasSuffix(code, fence) || len(code) < 2*n {
			t.Fatalf("codeSpan(%q) = %q is not fenced", s, code)
		}
		for _, run := range regexp.MustCompile("`+").FindAllString(inner, -1) {
			if len(run) >= n {
				t.Fatalf("codeSpan(%q) = %q: a run of %d backticks inside a fence of %d", s, code, len(run), n)
			}
		}
		if unescaped(tableCode(s), '|') != 0 {
			t.Fatalf("tableCode(%q) leaves a |", s)
		}
	})
}
