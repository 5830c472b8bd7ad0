package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/kernelwire/kernelwire/internal/fetch/fetchtest"
)

// As shipped, kernelwire refuses sources on loopback, private and link-local
// addresses, whether written into feeds.yaml or imported from OPML, without
// sending them a byte; a source marked allow_private_networks is polled.
// /api/sources and `kernelwire sources` say "private-address", not the dial
// error, unless the operator asks for detail.
func TestPrivateByDefault(t *testing.T) {
	up := fetchtest.NewServer(t)
	body, err := os.ReadFile(filepath.Join("testdata", fixtures[4].file))
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/written", "/mine", "/imported"} {
		up.Feed(p, body, "application/atom+xml")
	}
	// The shipped defaults as they are, but for the old fixtures' dates.
	shipped := setKey(shippedWithoutSources(t), "allow_private_networks: false")
	dir := t.TempDir()
	cfg := filepath.Join(dir, "feeds.yaml")
	text := shipped + "\nsources:\n" +
		"  - {name: written, url: \"" + up.URL("/written") + "\"}\n" +
		"  - {name: mine, url: \"" + up.URL("/mine") + "\", allow_private_networks: true}\n"
	if err := os.WriteFile(cfg, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	opmlPath := filepath.Join(dir, "reader.opml")
	if err := os.WriteFile(opmlPath, []byte(`<?xml version="1.0"?>
<opml version="2.0"><body>
  <outline text="imported" xmlUrl="`+up.URL("/imported")+`"/>
  <outline text="metadata" xmlUrl="http://169.254.169.254/latest/meta-data/"/>
</body></opml>`), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runProcess(t, "opml", "import", "--config", cfg, opmlPath)
	if code != 0 || strings.Count(out, "a private address: refused when polled") != 2 {
		t.Fatalf("opml import: exit %d\n%s%s\nwant both feeds added with a private-address note", code, out, errOut)
	}

	flags := []string{"--config", cfg, "--data", filepath.Join(dir, "data"), "--log-level", "error"}
	code, out, errOut = runProcess(t, append([]string{"poll", "--once"}, flags...)...)
	if code != 0 {
		t.Fatalf("poll: exit %d\n%s%s", code, out, errOut)
	}
	for _, name := range []string{"written", "imported", "metadata"} {
		if line := lineFor(t, out, name); !strings.Contains(line, " error ") || !strings.Contains(line, "private network address refused") {
			t.Errorf("poll of %s: %q, want a refusal", name, line)
		}
	}
	if line := lineFor(t, out, "mine"); !strings.Contains(line, " ok ") {
		t.Errorf("poll of mine (allowed): %q", line)
	}
	if n := up.Count("/written") + up.Count("/imported"); n != 0 {
		t.Errorf("refused sources reached the upstream %d times", n)
	}

	code, out, errOut = runProcess(t, append([]string{"sources"}, flags...)...)
	if code != 0 || !strings.Contains(lineFor(t, out, "written"), "private-address") || strings.Contains(out, "127.0.0.1") {
		t.Errorf("sources: exit %d\n%s%s\nwant the class, not the address", code, out, errOut)
	}
	code, out, _ = runProcess(t, append([]string{"sources", "--error-detail"}, flags...)...)
	if code != 0 || !strings.Contains(lineFor(t, out, "written"), "dial tcp 127.0.0.1") {
		t.Errorf("sources --error-detail: %s, want the error text", out)
	}

	for _, detail := range []bool{false, true} {
		// A subtest each, so the first serve stops (and frees the
		// embedded store) before the second starts.
		t.Run(fmt.Sprintf("detail=%v", detail), func(t *testing.T) { checkAPIErrors(t, flags, detail) })
	}
}

// checkAPIErrors serves the store and reads /api/sources.
func checkAPIErrors(t *testing.T, flags []string, detail bool) {
	args := append([]string{"--no-poll"}, flags...)
	if detail {
		args = append(args, "--api-error-detail")
	}
	base, _ := serveBinary(t, args...)
	var got struct {
		Sources []struct {
			Name      string `json:"name"`
			Class     string `json:"last_error_class"`
			LastError string `json:"last_error"`
		} `json:"sources"`
	}
	resp, err := http.Get(base + "/api/sources")
	if err != nil {
		t.Fatal(err)
	}
	err = json.NewDecoder(resp.Body).Decode(&got)
	resp.Body.Close()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range got.Sources {
		wantClass := "private-address"
		if s.Name == "mine" {
			wantClass = ""
		}
		if s.Class != wantClass || (s.LastError != "") != (detail && wantClass != "") {
			t.Errorf("detail %v: %s: class %q, error %q", detail, s.Name, s.Class, s.LastError)
		}
	}
}

// check says what became of the retired deny_private_networks key, at its
// line, and still passes.
func TestCheckRetiredDenyKey(t *testing.T) {
	shipped := setKey(shippedWithoutSources(t), "deny_private_networks: false")
	cfg := filepath.Join(t.TempDir(), "feeds.yaml")
	if err := os.WriteFile(cfg, []byte(shipped+"\nsources:\n  - {name: a, url: \"https://a.example/feed\", interval: 1m}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runProcess(t, "check", "--config", cfg)
	if code != 0 {
		t.Fatalf("check: exit %d\n%s%s", code, out, errOut)
	}
	for _, want := range []string{
		"warning: defaults.fetch.deny_private_networks: false no longer lets sources reach private networks",
		`warning: source "a" interval 1m is below the 5m minimum: it is polled every 5m`,
	} {
		if !strings.Contains(errOut, want) {
			t.Errorf("check stderr lacks %q:\n%s", want, errOut)
		}
	}
	if !strings.Contains(errOut, cfg+":") {
		t.Errorf("warnings do not name the file and line:\n%s", errOut)
	}
}

// setKey replaces defaults.fetch's allow_private_networks line with line.
func setKey(config, line string) string {
	return regexp.MustCompile(`(?m)^(\s*)allow_private_networks:.*$`).ReplaceAllString(config, "${1}"+line)
}
