package poll

import (
	"os"
	"testing"

	"github.com/kernelwire/kernelwire/internal/store/redistest"
)

// TestMain stops the Redis server redistest may start for these tests.
func TestMain(m *testing.M) { os.Exit(redistest.Main(m)) }
