package app

import (
	"testing"

	"github.com/flowform/flowform/internal/postgres/pgtest"
)

// TestMain stops the throwaway PostgreSQL cluster the copy-db test starts.
func TestMain(m *testing.M) { pgtest.Main(m) }
