package web

import (
	"bytes"
	"html/template"
	"net/http"
	"time"

	"github.com/kernelwire/kernelwire/internal/item"
	"github.com/kernelwire/kernelwire/internal/store"
)

var pageTmpl = template.Must(template.New("page").Funcs(template.FuncMap{
	"date": func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") },
	"iso":  func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
}).Parse(`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>kernelwire: Linux kernel and Rust-for-Linux news</title>
<link rel="alternate" type="application/atom+xml" title="kernelwire (Atom)" href="{{.Base}}/feeds/all.atom">
<link rel="alternate" type="application/rss+xml" title="kernelwire (RSS)" href="{{.Base}}/feeds/all.rss">
<link rel="alternate" type="application/feed+json" title="kernelwire (JSON Feed)" href="{{.Base}}/feeds/all.json">
<style>
:root{color-scheme:light dark;--fg:#1b1b1b;--bg:#fdfdfd;--muted:#555;--link:#0b57d0}
@media (prefers-color-scheme:dark){:root{--fg:#e8e8e8;--bg:#141414;--muted:#aaa;--link:#8ab4f8}}
body{font:16px/1.5 system-ui,sans-serif;color:var(--fg);background:var(--bg);max-width:50rem;margin:0 auto;padding:1rem}
a{color:var(--link)} .meta{color:var(--muted);font-size:.9rem} li{margin:.6rem 0}
nav ul{display:flex;flex-wrap:wrap;gap:.4rem 1rem;list-style:none;padding:0}
</style>
</head>
<body>
<header><h1>kernelwire</h1><p>Linux kernel and Rust-for-Linux news from {{.SourceCount}} sources, in one feed.</p></header>
<nav aria-label="Topics"><h2>Feeds</h2><ul>
{{range .Topics}}<li><a href="{{$.Base}}/feeds/{{.Slug}}.atom">{{.Title}}</a> ({{index $.Counts .Slug}})
 <span class="meta"><a href="{{$.Base}}/feeds/{{.Slug}}.rss" aria-label="{{.Title}} as RSS">RSS</a> · <a href="{{$.Base}}/feeds/{{.Slug}}.json" aria-label="{{.Title}} as JSON Feed">JSON</a></span></li>
{{end}}</ul></nav>
<main><h2>Latest</h2><ol>
{{range .Items}}<li><article><a href="{{.Link}}">{{.Title}}</a>
<div class="meta">{{.Source}} · <time datetime="{{iso .Published}}">{{date .Published}}</time>{{range .Topics}} · {{.}}{{end}}</div></article></li>
{{else}}<li>Nothing yet: the first poll has not finished.</li>{{end}}
</ol></main>
</body>
</html>
`))

type pageData struct {
	Base        string
	Topics      []item.Topic
	Counts      map[string]int
	Items       []item.Item
	SourceCount int
}

func (s *Server) handlePage(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := withTimeout(r)
	defer cancel()
	items, err := s.cfg.Store.Items(ctx, store.Query{Topic: store.AllTopic, Limit: 50})
	if err != nil {
		return err
	}
	d := pageData{Base: s.baseURL(r), Topics: s.topicsWithAll(), Counts: map[string]int{}, Items: items}
	for _, t := range d.Topics {
		if d.Counts[t.Slug], err = s.cfg.Store.Count(ctx, t.Slug); err != nil {
			return err
		}
	}
	states, err := s.cfg.Store.SourceStates(ctx)
	if err != nil {
		return err
	}
	d.SourceCount = len(states)
	var buf bytes.Buffer
	if err := pageTmpl.Execute(&buf, d); err != nil {
		return err
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	_, err = w.Write(buf.Bytes())
	return err
}
