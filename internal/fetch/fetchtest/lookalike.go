package fetchtest

import (
	"bytes"
	"fmt"
	"time"
)

// LookalikeThreads are the threads of a kernel-hardening week: every
// weekly feed of the list carries replies to them, so the items of many
// such feeds join the same few stories (the look-alike load that made
// concurrent saves contend for the same stories).
var LookalikeThreads = []string{
	"lkdtm: add a test for the stack canary",
	"lkdtm: add a test for the shadow call stack",
	"x86/entry: harden the syscall entry path",
	"x86/entry: harden the interrupt entry path",
}

// LookalikeLore is source src's lore Atom feed: per replies mails of its
// own replying to each of LookalikeThreads, newest first, the newest at
// base and each next one a minute older.
func LookalikeLore(src string, replies int, base time.Time) []byte {
	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="utf-8"?>` + "\n" +
		`<feed xmlns="http://www.w3.org/2005/Atom"><title>kernel-hardening</title><id>https://lore.kernel.org/kernel-hardening/</id><updated>2026-11-01T00:00:00Z</updated>` + "\n")
	n := 0
	for r := range replies {
		for th, subj := range LookalikeThreads {
			fmt.Fprintf(&b, "<entry><title>Re: [PATCH v%d %d/4] %s</title><updated>%s</updated>"+
				"<link href=\"https://lore.kernel.org/kernel-hardening/%s.%d.%d@example.org/\"/><id>%s:%d:%d</id></entry>\n",
				1+r, 1+th, subj, base.Add(-time.Duration(n)*time.Minute).Format(time.RFC3339), src, th, r, src, th, r)
			n++
		}
	}
	b.WriteString("</feed>\n")
	return b.Bytes()
}
