package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/netip"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/kernelwire/kernelwire/internal/config"
	"github.com/kernelwire/kernelwire/internal/fetch"
	"github.com/kernelwire/kernelwire/internal/item"
	"github.com/kernelwire/kernelwire/internal/opml"
)

const opmlUsage = `Usage: kernelwire opml import [--config feeds.yaml] [--base-url URL] [--dry-run] FILE

Adds the feeds of an OPML file (a feed reader's export) to the sources of the
config file, after the existing ones, keeping the file's comments and order.
Each feed is reported as added, skipped (its URL is already a source),
refused (it is one of kernelwire's own feeds: polling it would feed our
output back in) or invalid (not an http(s) or feed:// URL). Names are made
from the outline titles (transliterated to Latin letters, else from the
host); a name already taken by another feed gets a number (lwn-2).
`

func cmdOPML(args []string, stdout, stderr io.Writer) int {
	if len(args) == 1 && (args[0] == "--help" || args[0] == "-help" || args[0] == "-h" || args[0] == "help") {
		fmt.Fprint(stdout, opmlUsage)
		return 0
	}
	if len(args) == 0 || args[0] != "import" {
		fmt.Fprint(stderr, opmlUsage)
		return 2
	}
	args = args[1:]
	var baseURL string
	newFlags := func() (*flag.FlagSet, *string, *bool) {
		fs := flag.NewFlagSet("opml import", flag.ContinueOnError)
		cfgPath := fs.String("config", "feeds.yaml", "config file to add the sources to")
		dryRun := fs.Bool("dry-run", false, "report what would be added; change nothing")
		fs.StringVar(&baseURL, "base-url", "", "this instance's public URL: feeds under it are refused")
		fs.Usage = func() { fmt.Fprint(fs.Output(), opmlUsage); fs.PrintDefaults() }
		return fs, cfgPath, dryRun
	}
	// The file is the one positional argument, after the flags; parseFlags
	// (which also reads KERNELWIRE_CONFIG) takes flags only.
	probe, _, _ := newFlags()
	probe.SetOutput(io.Discard)
	if err := probe.Parse(args); err != nil || probe.NArg() != 1 {
		fs, _, _ := newFlags()
		if ok, code := parseFlags(fs, args, stderr); !ok {
			return code
		}
		fmt.Fprint(stderr, opmlUsage)
		return 2
	}
	fs, cfgPath, dryRun := newFlags()
	if ok, code := parseFlags(fs, args[:len(args)-1], stderr); !ok {
		return code
	}
	file := probe.Arg(0)
	if err := checkBaseURL(baseURL); err != nil {
		fmt.Fprintln(stderr, "kernelwire opml import:", err)
		return 2
	}
	rep, err := importOPML(*cfgPath, file, importOptions{dryRun: *dryRun, baseURL: baseURL, now: time.Now()})
	if err != nil {
		fmt.Fprintln(stderr, "kernelwire opml import:", err)
		return 1
	}
	rep.print(stdout, *dryRun)
	return 0
}

// importOptions are opml import's flags.
type importOptions struct {
	dryRun  bool
	baseURL string // this instance's public URL, "" if not known
	now     time.Time
}

// importLine is one outline's outcome.
type importLine struct {
	outcome string // added, skipped, refused, invalid
	name    string
	url     string
	why     string
}

type importReport struct {
	lines                            []importLine
	added, skipped, refused, invalid int
	config                           string
}

func (r importReport) print(w io.Writer, dryRun bool) {
	for _, l := range r.lines {
		fmt.Fprintf(w, "%-8s %-30s %s", l.outcome, l.name, l.url)
		if l.why != "" {
			fmt.Fprintf(w, "  (%s)", l.why)
		}
		fmt.Fprintln(w)
	}
	verb := "added to"
	if dryRun {
		verb = "would be added to"
	}
	fmt.Fprintf(w, "%d %s %s, %d skipped as duplicates, %d refused, %d invalid\n", r.added, verb, r.config, r.skipped, r.refused, r.invalid)
}

// importOPML adds file's feeds to the sources of the config at cfgPath. The
// result is parsed as a config before it replaces the file, so an import
// never leaves a config that kernelwire refuses.
func importOPML(cfgPath, file string, opt importOptions) (importReport, error) {
	rep := importReport{config: cfgPath}
	data, err := os.ReadFile(cfgPath)
	if err != nil {
		return rep, err
	}
	cfg, err := config.Parse(data, cfgPath)
	if err != nil {
		return rep, fmt.Errorf("the config has problems; fix them first:\n%w", err)
	}
	f, err := os.Open(file)
	if err != nil {
		return rep, err
	}
	doc, err := opml.Parse(f)
	f.Close()
	if err != nil {
		return rep, fmt.Errorf("%s: %w", file, err)
	}
	names, urls := map[string]string{}, map[string]string{}
	for _, s := range cfg.Sources {
		names[s.Name] = s.URL
		if k, err := urlKey(s.URL); err == nil {
			urls[k] = s.Name
		}
	}
	var add []item.Source
	for _, o := range doc.Feeds() {
		title := firstNonEmpty(strings.TrimSpace(o.Title), strings.TrimSpace(o.Text))
		raw := feedScheme(strings.TrimSpace(o.XMLURL))
		name := sourceName(title, raw)
		key, err := urlKey(raw)
		switch {
		case err != nil:
			rep.lines = append(rep.lines, importLine{"invalid", name, raw, err.Error()})
			rep.invalid++
		case urls[key] != "":
			rep.lines = append(rep.lines, importLine{"skipped", name, raw, "duplicate url: source " + urls[key]})
			rep.skipped++
		case ownFeed(raw, title, opt.baseURL) != "":
			rep.lines = append(rep.lines, importLine{"refused", name, raw, ownFeed(raw, title, opt.baseURL)})
			rep.refused++
		default:
			line := importLine{"added", uniqueName(name, names), raw, ""}
			if line.name != name {
				line.why = "the name " + name + " is taken by " + names[name]
			}
			if privateHost(raw) && !cfg.Defaults.Fetch.AllowPrivateNetworks {
				line.why = strings.TrimPrefix(line.why+"; ", "; ") + "a private address: refused when polled, " +
					"unless feeds.yaml gives it allow_private_networks: true"
			}
			urls[key], names[line.name] = line.name, raw
			add = append(add, item.Source{Name: line.name, URL: raw})
			rep.lines = append(rep.lines, line)
			rep.added++
		}
	}
	if len(add) == 0 || opt.dryRun {
		return rep, nil
	}
	note := fmt.Sprintf("added by kernelwire opml import from %s on %s", filepath.Base(file), opt.now.UTC().Format(time.DateOnly))
	out, err := appendSources(data, add, note)
	if err != nil {
		return rep, fmt.Errorf("%s: %w", cfgPath, err)
	}
	if after, err := config.Parse(out, cfgPath); err != nil {
		return rep, fmt.Errorf("the config would not be valid after the import, left unchanged:\n%w", err)
	} else if len(after.Sources) != len(cfg.Sources)+len(add) {
		return rep, fmt.Errorf("%s: the edit did not land in the sources list, left unchanged", cfgPath)
	}
	return rep, writeFileAtomic(cfgPath, out)
}

// privateHost reports a URL whose host is, as written, an address the
// fetcher refuses by default (an IP literal, or localhost). A name that
// resolves to one is only caught when polled.
func privateHost(raw string) bool {
	u, err := url.Parse(raw)
	if err != nil {
		return false
	}
	h := strings.ToLower(u.Hostname())
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return true
	}
	a, err := netip.ParseAddr(h)
	return err == nil && fetch.IsPrivateAddr(a)
}

// appendSources adds srcs after the last entry of the top-level sources
// list of a feeds.yaml, as text: re-encoding a yaml.Node tree would drop
// blank lines and move comments. New entries follow the style (flow or
// block) and indentation of the first existing one; comments at the left
// margin right after the list stay with what follows it.
func appendSources(data []byte, srcs []item.Source, note string) ([]byte, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, errors.New("not a feeds.yaml: the top level is not a mapping")
	}
	root := doc.Content[0]
	idx := -1
	for i := 0; i+1 < len(root.Content); i += 2 {
		if root.Content[i].Value == "sources" {
			idx = i
		}
	}
	if idx < 0 {
		return nil, errors.New("no sources list to add to")
	}
	seq := root.Content[idx+1]
	lines := strings.SplitAfter(string(data), "\n")
	if lines[len(lines)-1] == "" {
		lines = lines[:len(lines)-1]
	}
	indent, flow := "  ", false
	switch {
	case seq.Kind == yaml.ScalarNode && seq.Tag == "!!null":
	case seq.Kind != yaml.SequenceNode || seq.Style&yaml.FlowStyle != 0:
		return nil, fmt.Errorf("line %d: sources is not a block list (\"- name: ...\" entries); rewrite it as one to import", seq.Line)
	case len(seq.Content) > 0:
		first := seq.Content[0]
		line := lines[first.Line-1]
		dash := strings.IndexByte(line, '-')
		if dash < 0 || strings.TrimSpace(line[:dash]) != "" {
			return nil, fmt.Errorf("line %d: cannot tell the indentation of the sources entries", first.Line)
		}
		indent, flow = line[:dash], first.Style&yaml.FlowStyle != 0
	}
	// at is the index of the line the new entries go before.
	at := len(lines)
	if idx+2 < len(root.Content) {
		at = root.Content[idx+2].Line - 1
	}
	for at > root.Content[idx].Line && isMarginLine(lines[at-1]) {
		at--
	}
	var b strings.Builder
	b.WriteString(indent + "# " + note + "\n")
	for _, s := range srcs {
		u, err := yamlScalar(s.URL)
		if err != nil {
			return nil, err
		}
		if flow {
			fmt.Fprintf(&b, "%s- {name: %s, url: %s}\n", indent, s.Name, u)
		} else {
			fmt.Fprintf(&b, "%s- name: %s\n%s  url: %s\n", indent, s.Name, indent, u)
		}
	}
	var out bytes.Buffer
	for _, l := range lines[:at] {
		out.WriteString(l)
	}
	if at > 0 && !strings.HasSuffix(lines[at-1], "\n") {
		out.WriteByte('\n')
	}
	out.WriteString(b.String())
	for _, l := range lines[at:] {
		out.WriteString(l)
	}
	return out.Bytes(), nil
}

// isMarginLine reports a blank line or a comment at the left margin: text
// between two top-level keys that belongs to the next one.
func isMarginLine(l string) bool {
	return strings.TrimSpace(l) == "" || strings.HasPrefix(l, "#")
}

// yamlScalar writes s as a YAML scalar, quoted only when it must be.
func yamlScalar(s string) (string, error) {
	b, err := yaml.Marshal(s)
	if err != nil {
		return "", err
	}
	return strings.TrimSuffix(string(b), "\n"), nil
}

// urlKey accepts what config accepts (absolute http(s) URLs with a host)
// and returns the key duplicates are found by: scheme and host are
// case-insensitive and the fragment never reaches the server.
func urlKey(raw string) (string, error) {
	u, err := url.Parse(raw)
	switch {
	case raw == "":
		return "", errors.New("no url")
	case err != nil:
		return "", fmt.Errorf("bad url: %w", err)
	case !u.IsAbs():
		return "", errors.New("url is relative: a feed needs its full https://... address")
	case !strings.EqualFold(u.Scheme, "http") && !strings.EqualFold(u.Scheme, "https"):
		return "", fmt.Errorf("url scheme %q is not http or https", u.Scheme)
	case u.Host == "":
		return "", errors.New("url has no host")
	}
	u.Scheme, u.Host, u.Fragment = strings.ToLower(u.Scheme), strings.ToLower(u.Host), ""
	return u.String(), nil
}

// writeFileAtomic replaces path by data through a rename, keeping its mode,
// so a crash never leaves half a config.
func writeFileAtomic(path string, data []byte) error {
	mode := os.FileMode(0o644)
	if fi, err := os.Stat(path); err == nil {
		mode = fi.Mode().Perm()
	}
	tmp, err := os.CreateTemp(filepath.Dir(path), ".feeds-*.yaml")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(mode); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}
