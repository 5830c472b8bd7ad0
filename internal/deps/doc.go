// Package deps holds no code: its test holds the import graph of the
// module to the architecture the tree is laid out for (see the test's
// table). It imports nothing and nothing imports it.
package deps
