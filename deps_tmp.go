package main
import (
_ "github.com/mmcdole/gofeed"
_ "github.com/gorilla/feeds"
_ "github.com/redis/go-redis/v9"
_ "go.etcd.io/bbolt"
_ "github.com/microcosm-cc/bluemonday"
_ "go.yaml.in/yaml/v3"
_ "github.com/prometheus/client_golang/prometheus"
_ "github.com/prometheus/client_golang/prometheus/promhttp"
_ "golang.org/x/sync/singleflight"
_ "golang.org/x/sync/errgroup"
_ "golang.org/x/net/html/charset"
_ "golang.org/x/term"
)
func main(){}
