package tag

import (
	"slices"
	"strings"
)

// literals finds, in one pass over a field, which of the literals the
// rule regexps require (requiredLiterals) occur in it. Looking for each
// regexp's literals on its own cost a vectorised scan per literal and per
// candidate byte, and a title is asked for the literals of some thirty
// regexps: on short texts the cost per call, not per byte, was the
// largest single part of tagging.
//
// It finds what containsFolded finds, literal by literal, on raw ASCII
// text, and what strings.Contains finds on normalised text (there
// containsFolded's folding changes nothing), so the regexps run on
// exactly the fields they ran on before.
type literals struct {
	lits  []string
	words int // uint64 words of a set of literals
	// byField[i] finds the literals of the regexps rules read in field
	// i: a link is searched for the two or three literals of link
	// regexps, not for the ninety of title regexps.
	byField [len(allFields)]litTable
}

// litTable finds some of the literals (numbered as in literals.lits).
type litTable struct {
	// first and second map text bytes to the classes of the literals'
	// first and second bytes, lower-cased, and second maps every
	// white-space byte to the class of a space, which containsFolded
	// matches with any of them. Class 0 is a byte no literal has there.
	first, second [256]uint8
	nclass        int
	// pairIDs[pairAt[p]:pairAt[p+1]] are the literals of two bytes or
	// more starting with the pair of classes p (first*nclass+second),
	// kept flat as the table is read at most bytes of a text; pairs has
	// bit p set when there are some, as most pairs of letters start no
	// literal and a bit is cheaper to test. one[c] is the one-byte
	// literal of class c plus one, or 0. spaced are the literals
	// starting with a space: containsFolded tries them only at a space
	// itself.
	pairAt  []uint16
	pairIDs []uint16
	pairs   []uint64
	one     []uint16
	spaced  []uint16
}

// mask returns the set of the numbers of lits, or nil when lits is no
// constraint: none, an empty one, or one with a byte that is neither in
// normalised text nor folded to (upper case, white space but a space),
// whose regexp is simply always run, as it cannot match normalised text.
func (l *literals) mask(lits []string) []uint64 {
	if len(lits) == 0 || slices.ContainsFunc(lits, func(s string) bool {
		return s == "" || strings.ContainsFunc(s, func(r rune) bool {
			return 'A' <= r && r <= 'Z' || r != ' ' && isSpaceByte(byte(r)) && r < 0x80
		})
	}) {
		return nil
	}
	var set []uint64
	for _, lit := range lits {
		id := slices.Index(l.lits, lit)
		if id < 0 {
			id = len(l.lits)
			l.lits = append(l.lits, lit)
		}
		for len(set) <= id/64 {
			set = append(set, 0)
		}
		set[id/64] |= 1 << (id % 64)
	}
	l.words = len(l.lits)/64 + 1
	return set
}

// build makes each field's table from the literal sets of the regexps
// (masks, by regexp id) and the fields each is read in.
func (l *literals) build(masks [][]uint64, fields []fieldMask) {
	for i := range allFields {
		var ids []int
		for id := range l.lits {
			for re, set := range masks {
				if fields[re]&(1<<i) != 0 && len(set) > id/64 && set[id/64]&(1<<(id%64)) != 0 {
					ids = append(ids, id)
					break
				}
			}
		}
		l.byField[i].build(l.lits, ids)
	}
}

// build makes the table for the literals ids of lits.
func (l *litTable) build(lits []string, ids []int) {
	var cls [256]uint8
	n := 1
	classOf := func(b byte) {
		if cls[b] == 0 {
			cls[b] = uint8(n)
			n++
		}
	}
	for _, id := range ids {
		if lit := lits[id]; lit[0] != ' ' {
			classOf(lit[0])
			if len(lit) > 1 {
				classOf(lit[1])
			}
		}
	}
	l.nclass = n
	for b := range 256 {
		low := lowerByte(byte(b))
		l.first[b] = cls[low]
		if low != ' ' && isSpaceByte(low) {
			l.first[b] = 0
		}
		l.second[b] = cls[low]
		if isSpaceByte(low) {
			l.second[b] = cls[' ']
		}
	}
	byPair := make([][]uint16, n*n)
	l.one = make([]uint16, n)
	for _, id := range ids {
		switch lit := lits[id]; {
		case lit[0] == ' ':
			l.spaced = append(l.spaced, uint16(id))
		case len(lit) == 1:
			l.one[cls[lit[0]]] = uint16(id) + 1 // lits holds no duplicates
		default:
			p := int(cls[lit[0]])*n + int(cls[lit[1]])
			byPair[p] = append(byPair[p], uint16(id))
		}
	}
	l.pairAt = make([]uint16, 0, n*n+1)
	l.pairs = make([]uint64, n*n/64+1)
	for p, ids := range byPair {
		l.pairAt = append(l.pairAt, uint16(len(l.pairIDs)))
		l.pairIDs = append(l.pairIDs, ids...)
		if len(ids) > 0 {
			l.pairs[p/64] |= 1 << (p % 64)
		}
	}
	l.pairAt = append(l.pairAt, uint16(len(l.pairIDs)))
}

// scan sets in set the literals occurring in s, raw ASCII or normalised
// text.
func (l *litTable) scan(s string, lits []string, set []uint64) {
	for i := 0; i < len(s); i++ {
		if s[i] == ' ' {
			for _, id := range l.spaced {
				if foldedAt(s, i, lits[id]) {
					set[id/64] |= 1 << (id % 64)
				}
			}
		}
		c := l.first[s[i]]
		if c == 0 {
			continue
		}
		if id := l.one[c]; id != 0 {
			set[(id-1)/64] |= 1 << ((id - 1) % 64)
		}
		if i+1 == len(s) {
			break
		}
		p := uint(c)*uint(l.nclass) + uint(l.second[s[i+1]])
		if l.pairs[p/64]&(1<<(p%64)) == 0 {
			continue
		}
		for _, id := range l.pairIDs[l.pairAt[p]:l.pairAt[p+1]] {
			if foldedAt(s, i, lits[id]) {
				set[id/64] |= 1 << (id % 64)
			}
		}
	}
}

func lowerByte(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// intersects reports whether the sets a and b share a member.
func intersects(a, b []uint64) bool {
	for w := range min(len(a), len(b)) {
		if a[w]&b[w] != 0 {
			return true
		}
	}
	return false
}
