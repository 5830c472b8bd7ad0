package parse

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/mmcdole/gofeed"
)

func TestExplore(t *testing.T) {
	files, _ := filepath.Glob("testdata/*")
	for _, f := range files {
		b, _ := os.ReadFile(f)
		fp := gofeed.NewParser()
		feed, err := fp.Parse(bytes.NewReader(b))
		if err != nil {
			fmt.Printf("%-70s ERR %v\n", filepath.Base(f), err)
			continue
		}
		fmt.Printf("%-70s %s %d link=%q\n", filepath.Base(f), feed.FeedType, len(feed.Items), feed.Link)
		if len(feed.Items) > 0 {
			it := feed.Items[0]
			fmt.Printf("    title=%q link=%q guid=%q pub=%v upd=%v\n", it.Title, it.Link, it.GUID, it.PublishedParsed, it.UpdatedParsed)
		}
	}
}
