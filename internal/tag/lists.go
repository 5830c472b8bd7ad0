package tag

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
)

// The Match.Rule of a topic an item got from the list table or the
// subsystem table: "list netdev", "subsystem mm".
const (
	ListRule      = "list "
	SubsystemRule = "subsystem "
)

// tables are the compiled list and subsystem tables: names (lower case) to
// topic indexes.
type tables struct {
	lists      map[string][]int
	subsystems map[string][]int
	// subsystemX is the index of the subsystem extractor in extract.All.
	subsystemX int
}

func (t *Tagger) compileTables(s Spec) error {
	index := map[string]int{}
	for i, tp := range t.topics {
		index[tp.slug] = i
	}
	topicsOf := func(what, name string, slugs []string) ([]int, error) {
		var out []int
		for _, slug := range slugs {
			i, ok := index[slug]
			if !ok {
				return nil, fmt.Errorf("%s %q: unknown topic %q", what, name, slug)
			}
			if !slices.Contains(out, i) {
				out = append(out, i)
			}
		}
		return out, nil
	}
	t.tables.lists = map[string][]int{}
	for _, l := range s.Lists {
		name := strings.ToLower(strings.TrimSpace(l.Name))
		if name == "" {
			return fmt.Errorf("list with an empty name")
		}
		if _, dup := t.tables.lists[name]; dup {
			return fmt.Errorf("list %q: listed twice", l.Name)
		}
		ts, err := topicsOf("list", l.Name, l.Topics)
		if err != nil {
			return err
		}
		t.tables.lists[name] = ts
	}
	t.tables.subsystems = map[string][]int{}
	for _, sub := range s.Subsystems {
		name := strings.ToLower(strings.TrimSpace(sub.Prefix))
		if name == "" {
			return fmt.Errorf("subsystem with an empty prefix")
		}
		if _, dup := t.tables.subsystems[name]; dup {
			return fmt.Errorf("subsystem %q: listed twice", sub.Prefix)
		}
		ts, err := topicsOf("subsystem", sub.Prefix, sub.Topics)
		if err != nil {
			return err
		}
		t.tables.subsystems[name] = ts
	}
	return nil
}

// mailingList returns the name of the list an archive link belongs to
// (lower case), and the part of the link that says so, or "" for a link
// to no list archive. Archives are lore.kernel.org/<list>/,
// patchwork.kernel.org/project/<list>/, lists.infradead.org/pipermail/
// <list>/, spinics.net/lists/<list>/, marc.info/?l=<list>, mail-archive.com
// /<list>@vger.kernel.org/ and lkml.org (the linux-kernel list).
func mailingList(host, path, link string) (name, where string) {
	seg := func(n int) string {
		parts := strings.Split(strings.Trim(path, "/"), "/")
		if n < len(parts) {
			return strings.ToLower(parts[n])
		}
		return ""
	}
	host = strings.TrimPrefix(strings.ToLower(host), "www.")
	switch host {
	case "lore.kernel.org":
		if l := seg(0); l != "" && l != "r" && l != "all" {
			return l, host + "/" + l
		}
	case "patchwork.kernel.org":
		if seg(0) == "project" && seg(1) != "" {
			return seg(1), host + "/project/" + seg(1)
		}
	case "lists.infradead.org":
		if seg(0) == "pipermail" && seg(1) != "" {
			return seg(1), host + "/pipermail/" + seg(1)
		}
	case "spinics.net":
		if seg(0) == "lists" && seg(1) != "" {
			return seg(1), host + "/lists/" + seg(1)
		}
	case "marc.info":
		if u, err := url.Parse(link); err == nil {
			if l := strings.ToLower(u.Query().Get("l")); l != "" {
				return l, host + "/?l=" + l
			}
		}
	case "mail-archive.com":
		if l, _, ok := strings.Cut(seg(0), "@"); ok && l != "" {
			return l, host + "/" + seg(0)
		}
	case "lkml.org", "lkml.kernel.org":
		return "linux-kernel", host
	}
	return "", ""
}

// list returns the item's list in the table and where its link says so,
// or false for an item on no listed list.
func (m *itemMatch) list() (string, string, bool) {
	if !m.listDone {
		m.listDone = true
		name, where := mailingList(m.raw[fieldIndex(FieldHost)], m.raw[fieldIndex(FieldPath)], m.raw[fieldIndex(FieldLink)])
		if _, ok := m.t.tables.lists[name]; ok {
			m.listName, m.listWhere = name, where
		}
	}
	return m.listName, m.listWhere, m.listName != ""
}

// isMail reports whether the item is mailing-list mail: on a listed list,
// or with a patch subject. Only a mail's subject prefix names a subsystem.
func (m *itemMatch) isMail() bool {
	if _, _, ok := m.list(); ok {
		return true
	}
	return len(m.found(m.t.patchX, fieldBit(FieldTitle))) > 0
}

// knownSubsystems returns the subject prefixes of a mail that the
// subsystem table knows (as the table names them), nil for an item that is
// no mail or whose prefixes it does not know.
func (m *itemMatch) knownSubsystems() []string {
	if !m.isMail() {
		return nil
	}
	var names []string
	for _, p := range m.found(m.t.tables.subsystemX, fieldBit(FieldTitle)) {
		for rest := p; rest != ""; {
			var part string
			part, rest, _ = strings.Cut(rest, ",")
			if name, _, ok := m.t.subsystem(strings.TrimSpace(part)); ok && !slices.Contains(names, name) {
				names = append(names, name)
			}
		}
	}
	return names
}

// tableEvidence is one topic the tables give an item: the rule name
// (ListRule or SubsystemRule and the name) and the words that say so.
type tableEvidence struct {
	topic int
	rule  string
	words []string
}

// fromTables returns the topics the subsystem table (from the subject's
// prefixes) and then the list table give the item, each once, in that
// order: a subject saying "mm:" is more specific than the list it was
// sent to.
func (m *itemMatch) fromTables() []tableEvidence {
	var out []tableEvidence
	add := func(topics []int, rule string, words []string) {
		for _, tp := range topics {
			if !slices.ContainsFunc(out, func(e tableEvidence) bool { return e.topic == tp }) {
				out = append(out, tableEvidence{topic: tp, rule: rule, words: words})
			}
		}
	}
	if m.isMail() {
		for _, p := range m.found(m.t.tables.subsystemX, fieldBit(FieldTitle)) {
			// "bpf,landlock:" and "fsdax,xfs:" name two subsystems.
			for rest := p; rest != ""; {
				var part string
				part, rest, _ = strings.Cut(rest, ",")
				if name, topics, ok := m.t.subsystem(strings.TrimSpace(part)); ok {
					add(topics, SubsystemRule+name, []string{p})
				}
			}
		}
	}
	if name, where, ok := m.list(); ok {
		add(m.t.tables.lists[name], ListRule+name, []string{where})
	}
	return out
}

// subsystem looks a prefix path up in the subsystem table, trying its
// parents ("drm/nova/gsp", then "drm/nova", then "drm"). A path whose
// first part is not listed at all is read from its second part: in
// "KVM: arm64: vgic:" or "kexec/memory_hotplug:" the first part names a
// cross-cutting area and the next one the subsystem.
func (t *Tagger) subsystem(prefix string) (string, []int, bool) {
	path := strings.ToLower(prefix)
	for path != "" {
		for p := path; ; {
			if topics, ok := t.tables.subsystems[p]; ok {
				return p, topics, true
			}
			i := strings.LastIndexByte(p, '/')
			if i <= 0 {
				break
			}
			p = p[:i]
		}
		_, path, _ = strings.Cut(path, "/")
	}
	return "", nil, false
}

func fieldIndex(f Field) int {
	for i, g := range allFields {
		if g == f {
			return i
		}
	}
	panic("tag: unknown field " + string(f))
}
