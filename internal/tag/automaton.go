package tag

import (
	"fmt"
	"math"
	"unicode/utf8"
)

// automaton finds every rule phrase in a normalised field in one pass,
// built once by Compile: it keeps Tag linear in the item's length rather
// than in (item length x number of phrases). BenchmarkTagShipped in
// package tageval measures it.
//
// It is a trie walked from every position where a whole-word match can
// start, not an Aho-Corasick DFA: phrases only match on word boundaries,
// so a walk from inside a word is never needed, and the walks stay in the
// few hot nodes near the root. A full DFA over ~1000 phrases is a table
// of megabytes that every byte of text indexed at random, and its cache
// misses were the largest single cost of tagging.
//
// Transitions are over byte classes: bytes that occur in no phrase share
// class 0, so the table stays small (nodes x classes).
type automaton struct {
	class [256]uint8
	// fold is class for raw ASCII text: upper-case letters take their
	// lower-case class and every white-space byte the class of ' ', so
	// scanRaw matches what scan matches on the normalised text.
	fold [256]uint8
	// word marks the ASCII word bytes; non-ASCII bytes are left to
	// atBoundary.
	word [256]bool
	// first marks the bytes some phrase can start with (in either case):
	// a walk from any other byte ends at once, so it is not begun.
	first [256]bool
	// pair[c1*nclass+c2] marks the classes of the first two bytes of a
	// phrase, and short the classes of one-byte phrases: most word starts
	// are rejected on these without walking the trie.
	pair   []bool
	short  [256]bool
	nclass int
	// nodes describe the trie in breadth-first order. Most nodes below
	// the first levels have a single child, and they get no row of
	// transitions: only branching nodes have one, in rows. That keeps
	// the memory a walk touches to a few hundred KiB even for a thousand
	// phrases, and cache misses are what a walk costs. Node numbers are
	// uint16; newAutomaton reports phrases that need more.
	nodes []anode
	// rows[r*nclass+class] is the child of the node whose row is r, or 0
	// for none (the root is nobody's child).
	rows []uint16
	// out is the phrase id ending at each node (-1 for none) while the
	// trie is built; renumber moves it into nodes.
	out  []int32
	plen []int32 // length of each phrase
}

func newAutomaton(patterns []string) (*automaton, error) {
	a := &automaton{nclass: 1}
	for _, p := range patterns {
		for i := 0; i < len(p); i++ {
			if a.class[p[i]] == 0 {
				// More than 255 distinct bytes cannot occur in
				// practice: phrases are lower-case text.
				if a.nclass == 256 {
					panic("tag: too many distinct bytes in phrases")
				}
				a.class[p[i]] = uint8(a.nclass)
				a.nclass++
			}
		}
		a.plen = append(a.plen, int32(len(p)))
	}
	a.fold = a.class
	for c := 'A'; c <= 'Z'; c++ {
		a.fold[c] = a.class[c+'a'-'A']
	}
	for _, c := range "\t\n\v\f\r" {
		a.fold[c] = a.class[' ']
	}
	for c := range a.word {
		a.word[c] = isWordByte(byte(c))
	}
	trie := a.newRow(nil)
	a.out = []int32{-1}
	for id, p := range patterns {
		node := int32(0)
		for i := 0; i < len(p); i++ {
			slot := int(node)*a.nclass + int(a.class[p[i]])
			if trie[slot] < 0 {
				trie[slot] = int32(len(a.out))
				trie = a.newRow(trie)
				a.out = append(a.out, -1)
			}
			node = trie[slot]
		}
		// Compile deduplicates phrases, so a node ends at most one.
		a.out[node] = int32(id)
	}
	if len(a.out) > math.MaxUint16 || len(patterns) >= math.MaxUint16 {
		return nil, fmt.Errorf("phrases need %d trie nodes, more than %d", len(a.out), math.MaxUint16)
	}
	a.renumber(trie)
	a.pair = make([]bool, a.nclass*a.nclass)
	for _, p := range patterns {
		switch {
		case len(p) == 1:
			a.short[a.class[p[0]]] = true
		case len(p) > 1:
			a.pair[int(a.class[p[0]])*a.nclass+int(a.class[p[1]])] = true
		}
	}
	for c := range a.first {
		if cl := a.fold[c]; cl != 0 {
			root := &a.nodes[0]
			a.first[c] = root.row >= 0 && a.rows[int(root.row)*a.nclass+int(cl)] != 0 || root.row < 0 && root.oneClass == cl
		}
	}
	return a, nil
}

// renumber puts the nodes in breadth-first order, so that the rows every
// walk visits (the root's children and grandchildren) are adjacent in
// memory instead of scattered in insertion order over the whole table.
// anode is one trie node.
type anode struct {
	row      int32  // index into rows, or -1 for a node with at most one child
	oneChild uint16 // the only child (0: none), when row is -1
	out      uint16 // phrase id ending here, plus one (0: none)
	oneClass uint8  // the class leading to oneChild
}

func (a *automaton) renumber(trie []int32) {
	n := len(a.out)
	order := make([]int32, 0, n) // new number -> old
	newOf := make([]int32, n)    // old number -> new
	order = append(order, 0)
	for k := 0; k < len(order); k++ {
		old := order[k]
		for c := range a.nclass {
			if child := trie[int(old)*a.nclass+c]; child >= 0 {
				newOf[child] = int32(len(order))
				order = append(order, child)
			}
		}
	}
	a.nodes = make([]anode, len(order))
	for nw, old := range order {
		nd := anode{row: -1, out: uint16(a.out[old] + 1)}
		children := 0
		for c := 1; c < a.nclass; c++ {
			if child := trie[int(old)*a.nclass+c]; child >= 0 {
				children++
				nd.oneClass, nd.oneChild = uint8(c), uint16(newOf[child])
			}
		}
		if children > 1 {
			nd.row = int32(len(a.rows) / a.nclass)
			for c := range a.nclass {
				var next uint16
				if child := trie[int(old)*a.nclass+c]; child >= 0 && c > 0 {
					next = uint16(newOf[child])
				}
				a.rows = append(a.rows, next)
			}
			nd.oneClass, nd.oneChild = 0, 0
		}
		a.nodes[nw] = nd
	}
	a.out = nil
}

// newRow appends a row of missing transitions to delta.
func (a *automaton) newRow(delta []int32) []int32 {
	for range a.nclass {
		delta = append(delta, -1)
	}
	return delta
}

// scan appends to hits the pattern number of every whole-word occurrence
// of a phrase in text, which is either normalised or ASCII: it folds case
// and runs of white space as it walks, so raw ASCII text needs no
// normalised copy. Word boundaries are the same in both forms (white
// space and case do not change whether a byte is a word byte).
func (a *automaton) scan(text string, hits []int32) []int32 {
	if len(a.plen) == 0 {
		return hits
	}
	prevWord := false
	for start := 0; start < len(text); start++ {
		// A match starting with a word byte right after a word byte
		// fails atBoundary: skip it without walking. Other starts
		// (non-ASCII neighbours included) are checked exactly below.
		word := a.word[text[start]]
		if word && prevWord {
			continue
		}
		prevWord = word
		if !a.first[text[start]] {
			continue
		}
		if c1 := a.fold[text[start]]; !a.short[c1] && (start+1 == len(text) || !a.pair[int(c1)*a.nclass+int(a.fold[text[start+1]])]) {
			continue
		}
		node := 0
		space := false
		for i := start; i < len(text); i++ {
			if isSpaceByte(text[i]) {
				if space {
					continue // the rest of a run: one space in normal form
				}
				space = true
			} else {
				space = false
			}
			c := a.fold[text[i]]
			if c == 0 {
				break
			}
			nd := &a.nodes[node]
			switch {
			case nd.row >= 0:
				node = int(a.rows[int(nd.row)*a.nclass+int(c)])
			case nd.oneClass == c:
				node = int(nd.oneChild)
			default:
				node = 0
			}
			if node == 0 {
				break
			}
			if id := a.nodes[node].out; id > 0 && a.boundary(text, start, i+1) {
				hits = append(hits, int32(id)-1)
			}
		}
	}
	return hits
}

// boundary is atBoundary, deciding from the word table when the bytes
// around both edges are ASCII, as they nearly always are.
func (a *automaton) boundary(text string, start, end int) bool {
	if start > 0 {
		prev, first := text[start-1], text[start]
		if prev >= utf8.RuneSelf || first >= utf8.RuneSelf {
			return atBoundary(text, start, end)
		}
		if a.word[prev] && a.word[first] {
			return false
		}
	}
	if end < len(text) {
		last, next := text[end-1], text[end]
		if last >= utf8.RuneSelf || next >= utf8.RuneSelf {
			return atBoundary(text, start, end)
		}
		if a.word[last] && a.word[next] {
			return false
		}
	}
	return true
}

func isSpaceByte(c byte) bool {
	return c == ' ' || '\t' <= c && c <= '\r'
}

// isWordByte reports whether c is an ASCII word byte; a non-ASCII byte
// reports false, so its neighbourhood is left to atBoundary.
func isWordByte(c byte) bool {
	return c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}
