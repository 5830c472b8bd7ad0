package tag

import (
	"slices"

	"github.com/kernelwire/kernelwire/internal/extract"
	"github.com/kernelwire/kernelwire/internal/item"
)

// scopeFields are the fields of each extract.Scope.
func scopeFields(s extract.Scope) fieldMask {
	m := fieldBit(FieldTitle)
	switch s {
	case extract.Message:
		return m | fieldBit(FieldContent)
	case extract.MessageBody:
		return fieldBit(FieldContent)
	}
	if s >= extract.Headline {
		m |= fieldBit(FieldSummary)
	}
	if s >= extract.Body {
		m |= fieldBit(FieldContent)
	}
	return m
}

// extracted is what the item stores: each recording extractor's findings
// over its scope's fields.
func (m *itemMatch) extracted() item.Extracted {
	var e item.Extracted
	for x, ex := range m.t.extractors {
		if ex.Record != nil {
			ex.Record(&e, m.found(x, scopeFields(ex.Scope)), m.raw[0])
		}
	}
	return e
}

// found runs extractor x (an index in extract.All) over the fields in
// mask, caching per field, and returns the values found.
func (m *itemMatch) found(x int, mask fieldMask) []string {
	m.ensure(x, mask)
	if m.exHit[x]&mask == 0 {
		return nil
	}
	var out []string
	for i := range allFields {
		if mask&(1<<i) == 0 {
			continue
		}
		for _, v := range m.exVals[x][i] {
			if !slices.Contains(out, v) {
				out = append(out, v)
			}
		}
	}
	return out
}

// ensure runs extractor x over the fields of mask it has not read yet.
func (m *itemMatch) ensure(x int, mask fieldMask) {
	ex := &m.t.extractors[x]
	for i := range allFields {
		bit := fieldMask(1) << i
		if mask&bit == 0 || m.exDone[x]&bit != 0 {
			continue
		}
		m.exDone[x] |= bit
		// A subject that rules the extractor out rules out the whole
		// item, the subject itself included (the mail extractors' facts
		// are lines of a body, never of a subject).
		if ex.Subject != nil && !ex.Subject(m.raw[0]) {
			m.exDone[x] |= mask
			return
		}
		// Most articles hold nothing most extractors find: a look at
		// the HTML spares its conversion to text.
		if isHTML(i) && ex.MayFind != nil && !ex.MayFind(m.html[i-1]) {
			continue
		}
		if vals := ex.Find(m.input(i, ex.Input)); len(vals) > 0 {
			m.exVals[x][i] = vals
			m.exHit[x] |= bit
		}
	}
}

// input returns field i as an extractor with input in reads it: plain
// text, mail lines (converted once per field) or the stored HTML.
func (m *itemMatch) input(i int, in extract.Input) string {
	switch {
	case in == extract.MailLines && !isHTML(i):
		// The title and the other text fields are one line of text
		// already.
		return m.text(i)
	case in == extract.MailLines:
		if bit := fieldMask(1) << i; m.mailDone&bit == 0 {
			m.mailDone |= bit
			m.mail[i] = extract.MailText(m.html[i-1])
		}
		return m.mail[i]
	case in == extract.RawHTML && isHTML(i):
		return m.html[i-1]
	}
	return m.text(i)
}
