// Package tageval measures the shipped topic rules (feeds.yaml) against a
// hand-labelled set of items and benchmarks tagging against feed parsing.
// It holds tests only: the labelled set in testdata/labelled.jsonl, the
// precision/recall gate per topic, and the tag-versus-parse benchmark.
//
// It lives apart from package tag because it loads feeds.yaml through
// package config, and tag must never import config (config imports tag).
package tageval
