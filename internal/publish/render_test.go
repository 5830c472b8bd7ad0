package publish

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"flag"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

var update = flag.Bool("update", false, "rewrite testdata/golden from the current output")

var allFormats = []Format{RSS, Atom, JSON}

func TestRenderGolden(t *testing.T) {
	for _, format := range allFormats {
		t.Run(string(format), func(t *testing.T) {
			f := testFeed()
			f.SelfURL = "https://kernelwire.example.org/feeds/all." + string(format)
			got, err := Render(f, format)
			if err != nil {
				t.Fatal(err)
			}
			checkGolden(t, "feed."+string(format), got)
		})
	}
}

// checkGolden compares got with testdata/golden/name, which -update
// rewrites.
func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (run with -update after checking):\n%s", path, got)
	}
}

func TestRenderDeterministic(t *testing.T) {
	for _, format := range allFormats {
		t.Run(string(format), func(t *testing.T) {
			a, err := Render(testFeed(), format)
			if err != nil {
				t.Fatal(err)
			}
			for range 5 {
				b, err := Render(testFeed(), format)
				if err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(a, b) {
					t.Fatalf("two renders of the same feed differ")
				}
			}
		})
	}
}

// wellFormed checks XML 1.0 well-formedness with encoding/xml, which
// rejects the control characters gorilla/feeds let through.
func wellFormed(t *testing.T, doc []byte) {
	t.Helper()
	d := xml.NewDecoder(bytes.NewReader(doc))
	for {
		_, err := d.Token()
		if err == io.EOF {
			return
		}
		if err != nil {
			t.Fatalf("not well-formed XML: %v\n%s", err, doc)
		}
	}
}

func TestRenderXMLWellFormed(t *testing.T) {
	empty := testFeed()
	empty.Items = nil
	feeds := map[string]Feed{"items": testFeed(), "empty": empty}
	for name, f := range feeds {
		for _, format := range []Format{RSS, Atom} {
			t.Run(name+"/"+string(format), func(t *testing.T) {
				doc, err := Render(f, format)
				if err != nil {
					t.Fatal(err)
				}
				wellFormed(t, doc)
			})
		}
	}
}

// TestRenderXmllint runs libxml2's parser on the XML outputs. It is the
// one test that skips: when xmllint is not installed (Debian package
// libxml2-utils); the encoding/xml check above always runs.
func TestRenderXmllint(t *testing.T) {
	xmllint, err := exec.LookPath("xmllint")
	if err != nil {
		t.Skip("xmllint not installed (apt-get install libxml2-utils); encoding/xml well-formedness is still checked by TestRenderXMLWellFormed")
	}
	for _, format := range []Format{RSS, Atom} {
		t.Run(string(format), func(t *testing.T) {
			doc, err := Render(testFeed(), format)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join(t.TempDir(), "feed.xml")
			if err := os.WriteFile(path, doc, 0o644); err != nil {
				t.Fatal(err)
			}
			out, err := exec.CommandContext(t.Context(), xmllint, "--noout", "--nonet", path).CombinedOutput()
			if err != nil || len(out) > 0 {
				t.Errorf("xmllint: %v\n%s", err, out)
			}
		})
	}
}

func TestRenderNeverWritesEmpty(t *testing.T) {
	bad := map[Format][]string{
		Atom: {"<updated></updated>", "<id></id>", `href=""`, "<published></published>", `term=""`, "<title></title>"},
		RSS:  {"<link></link>", "<guid", "<pubDate></pubDate>", `url=""`, "<description></description>"},
		JSON: {`"id": ""`, `"url": ""`},
	}
	f := testFeed()
	f.HTMLURL, f.NextURL, f.HubURL = "", "", ""
	for _, format := range allFormats {
		t.Run(string(format), func(t *testing.T) {
			doc, err := Render(f, format)
			if err != nil {
				t.Fatal(err)
			}
			for _, s := range bad[format] {
				if s == "<guid" {
					// Every RSS guid is a tag: URI, so never a permalink.
					if n, m := strings.Count(string(doc), "<guid"), strings.Count(string(doc), `<guid isPermaLink="false">tag:`); n != m || n != len(f.Items) {
						t.Errorf("got %d guids, %d of them isPermaLink=false tag: URIs, want %d", n, m, len(f.Items))
					}
					continue
				}
				if strings.Contains(string(doc), s) {
					t.Errorf("output contains %q", s)
				}
			}
		})
	}
}

func TestRenderStripsControlCharacters(t *testing.T) {
	for _, format := range allFormats {
		t.Run(string(format), func(t *testing.T) {
			doc, err := Render(testFeed(), format)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range []string{"\x00", "\x01", "\x07", "\x0b", `\u0000`, `\u0001`, `\u0007`, `\u000b`} {
				if strings.Contains(string(doc), c) {
					t.Errorf("output contains %q", c)
				}
			}
			if !strings.Contains(string(doc), "Control char") {
				t.Errorf("output lacks the cleaned title %q", "Control char")
			}
		})
	}
}

func TestRenderEmptyJSONFeedHasItems(t *testing.T) {
	f := testFeed()
	f.Items = nil
	doc, err := Render(f, JSON)
	if err != nil {
		t.Fatal(err)
	}
	var got map[string]json.RawMessage
	if err := json.Unmarshal(doc, &got); err != nil {
		t.Fatal(err)
	}
	if string(got["items"]) != "[]" {
		t.Errorf("items = %s, want []", got["items"])
	}
	if string(got["version"]) != `"https://jsonfeed.org/version/1.1"` {
		t.Errorf("version = %s", got["version"])
	}
}

func TestRenderJSONItems(t *testing.T) {
	doc, err := Render(testFeed(), JSON)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Items []struct {
			ID          string            `json:"id"`
			ContentHTML string            `json:"content_html"`
			ContentText string            `json:"content_text"`
			Summary     string            `json:"summary"`
			Modified    string            `json:"date_modified"`
			Authors     []json.RawMessage `json:"authors"`
			Kernelwire  map[string]any    `json:"_kernelwire"`
		} `json:"items"`
	}
	if err := json.Unmarshal(doc, &got); err != nil {
		t.Fatal(err)
	}
	if len(got.Items) != len(testItems()) {
		t.Fatalf("got %d items, want %d", len(got.Items), len(testItems()))
	}
	for i, it := range got.Items {
		if it.ID == "" || (it.ContentHTML == "" && it.ContentText == "") || it.Modified == "" {
			t.Errorf("item %d: id %q, content_html %q, content_text %q, date_modified %q: want all present", i, it.ID, it.ContentHTML, it.ContentText, it.Modified)
		}
		if it.Kernelwire["source"] == nil {
			t.Errorf("item %d: _kernelwire.source missing", i)
		}
	}
	tests := []struct {
		name string
		got  any
		want any
	}{
		{"html summary is text", got.Items[0].Summary, "Adds foo & bar."},
		{"summary-only text item", got.Items[2].ContentText, "Oops on mount."},
		{"author", len(got.Items[0].Authors), 1},
		{"patch kind", got.Items[0].Kernelwire["patch"].(map[string]any)["kind"], "PATCH"},
		{"matched rule", got.Items[1].Kernelwire["matched"].(map[string]any)["sched"].(map[string]any)["rule"], "keyword"},
		{"cves", got.Items[5].Kernelwire["cves"].([]any)[0], "CVE-2026-1234"},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("%s: got %v, want %v", tc.name, tc.got, tc.want)
		}
	}
}

func TestRenderErrors(t *testing.T) {
	tests := []struct {
		name    string
		edit    func(*Feed)
		format  Format
		invalid bool
	}{
		{"no title", func(f *Feed) { f.Title = " \x01 " }, Atom, true},
		{"no self URL", func(f *Feed) { f.SelfURL = "" }, RSS, true},
		{"no dates at all", func(f *Feed) { f.Updated = time.Time{}; f.Items = nil }, JSON, true},
		{"unknown format", func(*Feed) {}, Format("html"), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := testFeed()
			tc.edit(&f)
			_, err := Render(f, tc.format)
			if err == nil {
				t.Fatal("got nil error")
			}
			if got := errors.Is(err, ErrInvalidFeed); got != tc.invalid {
				t.Errorf("errors.Is(%v, ErrInvalidFeed) = %v, want %v", err, got, tc.invalid)
			}
		})
	}
}

func TestRenderUpdatedFallsBackToNewestItem(t *testing.T) {
	f := testFeed()
	f.Updated = time.Time{}
	doc, err := Render(f, Atom)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Updated string `xml:"updated"`
	}
	if err := xml.Unmarshal(doc, &got); err != nil {
		t.Fatal(err)
	}
	if want := t0.Format(time.RFC3339); got.Updated != want {
		t.Errorf("feed updated = %q, want %q", got.Updated, want)
	}
}
