package main

import (
	"github.com/kernelwire/kernelwire/internal/config"
	"github.com/kernelwire/kernelwire/internal/web"
)

// namedFeeds hands feeds.yaml's saved queries to web, which does not import
// config.
func namedFeeds(feeds []config.NamedFeed) []web.NamedFeed {
	out := make([]web.NamedFeed, 0, len(feeds))
	for _, f := range feeds {
		out = append(out, web.NamedFeed{
			Name: f.Name, Title: f.Title, Description: f.Description,
			Filter: web.Filter{Topics: f.Topics, Not: f.Not, Source: f.Source, Q: f.Q},
		})
	}
	return out
}
