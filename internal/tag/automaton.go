package tag

import (
	"fmt"
	"math"
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
	word   [256]bool
	nclass int
	// delta[node*nclass+class] is the child node, or 0 for none (the
	// root is nobody's child). uint16 halves the table against int32,
	// and the table's size is what decides how often a walk misses the
	// cache; newAutomaton reports when the phrases need more nodes.
	delta []uint16
	// The phrase id ending at node, or -1.
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
	if len(a.out) > math.MaxUint16 {
		return nil, fmt.Errorf("phrases need %d trie nodes, more than %d", len(a.out), math.MaxUint16)
	}
	a.renumber(trie)
	return a, nil
}

// renumber puts the nodes in breadth-first order, so that the rows every
// walk visits (the root's children and grandchildren) are adjacent in
// memory instead of scattered in insertion order over the whole table.
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
	delta := make([]uint16, len(trie))
	out := make([]int32, n)
	for nw, old := range order {
		for c := range a.nclass {
			if child := trie[int(old)*a.nclass+c]; child >= 0 {
				delta[nw*a.nclass+c] = uint16(newOf[child])
			}
		}
		out[nw] = a.out[old]
	}
	a.delta, a.out = delta, out
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
			node = int(a.delta[node*a.nclass+int(c)])
			if node == 0 {
				break
			}
			if id := a.out[node]; id >= 0 && atBoundary(text, start, i+1) {
				hits = append(hits, id)
			}
		}
	}
	return hits
}

func isSpaceByte(c byte) bool {
	return c == ' ' || '\t' <= c && c <= '\r'
}

// isWordByte reports whether c is an ASCII word byte; a non-ASCII byte
// reports false, so its neighbourhood is left to atBoundary.
func isWordByte(c byte) bool {
	return c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}
